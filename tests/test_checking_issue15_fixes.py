"""Fixes found by the issue-15 corpus (tests/check_corpus_15), one test each, every verdict
cross-checked by NumPy independently of symderiv."""
from __future__ import annotations

import numpy as np

from symderiv.checker import check

rng = np.random.default_rng(15)


def verdicts(post):
    return [s.verdict for s in check(post).steps]


# ---- a defined function's indexed parameter follows its argument -------------------------------

def _f_sum(x):
    return np.sum(x)


def _f_sq(x):
    return np.sum(x ** 2)


def test_an_entry_of_the_parameter_is_the_entry_of_the_argument():
    # f(x + y) of f(x) = sum_i x_i is f(x) + f(y); it was read f(x) (y dropped), a true step
    # called invalid with a counterexample that did not mention y
    for _ in range(20):
        x, y = rng.normal(size=4), rng.normal(size=4)
        assert np.isclose(_f_sum(x + y), _f_sum(x) + _f_sum(y))
    assert verdicts(r"Let $f(x) = \sum_{i=1}^n x_i$. Then $$f(x + y) = f(x) + f(y)$$") == ["definition", "valid"]
    # with squares it is false, and the counterexample names y
    x, y = rng.normal(size=4), rng.normal(size=4)
    assert not np.isclose(_f_sq(x + y), _f_sq(x) + _f_sq(y))
    step = check(r"Let $f(x) = \sum_{i=1}^n x_i^2$. Then $$f(x + y) = f(x) + f(y)$$").steps[-1]
    assert step.verdict == "invalid" and "y" in step.counterexample.values
    vals = {k: np.asarray(v, dtype=float) for k, v in step.counterexample.values.items()}
    assert not np.isclose(_f_sq(vals["x"] + vals["y"]), _f_sq(vals["x"]) + _f_sq(vals["y"]))


def test_a_subscripted_name_outside_a_sum_is_not_an_entry():
    # x_0 in f(x) = (x - x_0)^2 is a fixed point, not an entry of x: f(y) = (y - x_0)^2
    post = r"Let $f(x) = (x - x_0)^2$. Then $$f(y) = y^2 - 2x_0y + x_0^2$$"
    y, x0 = rng.normal(), rng.normal()
    assert np.isclose((y - x0) ** 2, y * y - 2 * x0 * y + x0 * x0)
    assert verdicts(post) == ["definition", "valid"]


# ---- a stated non-strict condition puts the claim on its kink ----------------------------------

def _central(f, z, eps=1e-7):
    return (f(z + eps) - f(z - eps)) / (2 * eps)


def test_a_derivative_claimed_on_a_closed_side_fails_at_the_kink():
    # g'(z) = z - v + λ 'for z ≥ 0' claims a derivative at z = 0, where g has none: the
    # one-sided quotients differ there (oracle), so the step is invalid, not 'valid where'
    lam, v = 0.5, 0.0
    g = lambda z: 0.5 * (z - v) ** 2 + lam * abs(z)
    right, left = (g(1e-7) - g(0)) / 1e-7, (g(0) - g(-1e-7)) / 1e-7
    assert not np.isclose(right, left)
    step = check(r"Take $g(z) = \frac12(z - v)^2 + \lambda|z|$ with $\lambda > 0$. For $z \ge 0$, "
                 r"$$g'(z) = z - v + \lambda.$$").steps[-1]
    assert step.verdict == "invalid"
    at = {k: float(np.asarray(x, dtype=float)) for k, x in step.counterexample.values.items() if k in ("z", "v", "lambda")}
    assert at["z"] == 0 and at.get("lambda", 1) > 0         # on the edge, and the hypothesis holds
    # strict: the same claim for z > 0 holds (central differences at random z > 0)
    for z in np.random.default_rng(3).uniform(0.01, 3, 10):
        assert np.isclose(_central(g, z), z - v + lam, atol=1e-5)
    strict = check(r"Take $g(z) = \frac12(z - v)^2 + \lambda|z|$ with $\lambda > 0$. For $z > 0$, "
                   r"$$g'(z) = z - v + \lambda.$$").steps[-1]
    assert strict.verdict == "valid-where"


def test_the_hinge_derivative_on_the_closed_side():
    hinge = lambda z: max(0.0, 1 - z)
    assert not np.isclose(_central(hinge, 1.0), -1.0)
    step = check(r"The hinge loss is $h(z) = \max(0, 1 - z)$. Hence $$h'(z) = -1 \quad (z \le 1).$$").steps[-1]
    assert step.verdict == "invalid"
    assert float(np.asarray(step.counterexample.values["z"], dtype=float)) == 1


# ---- conditions written where people write them ------------------------------------------------

def test_a_condition_in_apposition_after_when():
    # 'When the margin is violated, $y w^Tx < 1$, we get' states the condition of the
    # display: it is no step of its own, and no counterexample may break it (before, the
    # gradient was called invalid at a point with y w^T x = 5)
    post = (r"Consider $J(w) = \frac{\lambda}{2}\|w\|^2 + \max(0, 1 - y\,w^T x)$. "
            r"When the margin is violated, $y\,w^Tx < 1$, we get $$\nabla J(w) = \lambda w - y\,x.$$")
    steps = check(post).steps
    assert [s.verdict for s in steps][0] == "definition" and len(steps) == 2
    assert steps[1].verdict != "invalid"
    # the oracle: where y w^T x < 1 the central-difference gradient is λw - yx
    r = np.random.default_rng(5)
    for _ in range(20):
        lam, w, x, y = r.uniform(0.1, 2), r.normal(size=3), r.normal(size=3), r.choice([-1.0, 1.0])
        if y * w @ x >= 1:
            continue
        J = lambda v: lam / 2 * v @ v + max(0.0, 1 - y * v @ x)
        num = np.array([(J(w + 1e-6 * e) - J(w - 1e-6 * e)) / 2e-6 for e in np.eye(3)])
        assert np.allclose(num, lam * w - y * x, atol=1e-5)
    # the same claim with the sign wrong is still caught, at a point meeting the condition
    bad = check(post.replace(r"\lambda w - y\,x", r"\lambda w + y\,x")).steps[-1]
    assert bad.verdict == "invalid"
    v = {k: np.asarray(x, dtype=float) for k, x in bad.counterexample.values.items()}
    assert float(np.sum(v["y"] * v["w"] * v["x"])) < 1


def test_an_inline_condition_right_after_its_formula():
    # '$f(h)/h = 1$ for $h > 0$, so $$...$$': the condition is said of the inline formula
    post = (r"Let $f(x) = |x|$. From the right, $f(h)/h = 1$ for $h > 0$, so $$f'_+(0) = 1,$$ "
            r"and from the left $$f'_-(0) = -1.$$")
    r = np.random.default_rng(6)
    assert all(abs(h) / h == 1 for h in r.uniform(0.01, 3, 10))
    assert abs(-1.0) / -1.0 != 1                          # false without the condition
    assert (abs(1e-8) - 0) / 1e-8 == 1 and (abs(-1e-8) - 0) / -1e-8 == -1
    assert [s.verdict for s in check(post).steps] == ["definition", "valid-where", "valid", "valid"]


# ---- softmax without a definition ---------------------------------------------------------------

def _softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


def test_softmax_is_read_as_exp_over_its_sum():
    # 'unknown function softmax' left softmax regression unverified
    r = np.random.default_rng(8)
    post = r"Let $y$ be a one-hot vector and $L(z) = -y^T\log\operatorname{softmax}(z)$. Then $$\nabla L(z) = \operatorname{softmax}(z) - y$$"
    for _ in range(10):
        z, y = r.normal(size=4), np.eye(4)[r.integers(4)]
        L = lambda v: -y @ np.log(_softmax(v))
        num = np.array([(L(z + 1e-6 * e) - L(z - 1e-6 * e)) / 2e-6 for e in np.eye(4)])
        assert np.allclose(num, _softmax(z) - y, atol=1e-6)
    assert [s.verdict for s in check(post).steps][-1] in ("valid", "valid-where")
    # without one-hot the claim is false (the gradient is (1ᵀy) softmax(z) - y), and the
    # counterexample differs by the oracle too
    bad = check(post.replace("Let $y$ be a one-hot vector and ", "Let ")).steps[-1]
    assert bad.verdict == "invalid"
    v = {k: np.atleast_1d(np.asarray(x, dtype=float).ravel()) for k, x in bad.counterexample.values.items()}
    z, y = v["z"], v["y"]
    L = lambda u: -y @ np.log(_softmax(u))
    num = np.array([(L(z + 1e-6 * e) - L(z - 1e-6 * e)) / 2e-6 for e in np.eye(len(z))])
    assert not np.allclose(num, _softmax(z) - y, atol=1e-6)


# ---- a gradient inside a formula ----------------------------------------------------------------

def test_a_gradient_step_inside_a_formula():
    # x - η∇f(x) and ∇f(w) + λw were 'unknown command \nabla'; now rest + c∇f = R is
    # checked as c·df = <R - rest, dx>.  Oracle: central differences of f
    r = np.random.default_rng(9)
    A, b, x, eta = r.normal(size=(4, 3)), r.normal(size=4), r.normal(size=3), 0.3
    f = lambda v: 0.5 * np.sum((A @ v - b) ** 2)
    g = np.array([(f(x + 1e-6 * e) - f(x - 1e-6 * e)) / 2e-6 for e in np.eye(3)])
    assert np.allclose(x - eta * g, x - eta * A.T @ (A @ x - b), atol=1e-6)
    assert not np.allclose(x - eta * g, x + eta * A.T @ (A @ x - b), atol=1e-6)
    head = r"Gradient descent on $f(x) = \frac12\|Ax - b\|_2^2$ takes $$x - \eta\nabla f(x) = "
    assert check(head + r"x - \eta A^T(Ax - b)$$").steps[-1].verdict == "valid"
    assert check(head + r"x + \eta A^T(Ax - b)$$").steps[-1].verdict == "invalid"
    lam = 0.7
    h = lambda v: f(v) + lam * v @ v / 2
    gh = np.array([(f(x + 1e-6 * e) - f(x - 1e-6 * e)) / 2e-6 for e in np.eye(3)]) + lam * x
    assert np.allclose(np.array([(h(x + 1e-6 * e) - h(x - 1e-6 * e)) / 2e-6 for e in np.eye(3)]), gh, atol=1e-6)
    post = r"Let $f(x) = \frac12\|Ax - b\|_2^2$. Then $$\nabla f(x) + \lambda x = A^TAx - A^Tb + \lambda x$$"
    assert check(post).steps[-1].verdict == "valid"
    assert check(post.replace(r"+ \lambda x$$", r"+ 2\lambda x$$")).steps[-1].verdict == "invalid"


# ---- a function defined on numbers, applied to a vector -----------------------------------------

def _sig(t):
    return 1 / (1 + np.exp(-t))


def _nll_grad(X, w, y):
    L = lambda v: -y @ np.log(_sig(X @ v)) - (1 - y) @ np.log(1 - _sig(X @ v))
    return np.array([(L(w + 1e-6 * e) - L(w - 1e-6 * e)) / 2e-6 for e in np.eye(len(w))])


def test_a_scalar_function_applied_to_a_vector_acts_entrywise():
    # σ(t) = 1/(1 + e^{-t}) applied to Xw was 'division by a m×1 matrix'; the planted sign
    # error of logistic regression is now caught, at a point where the oracle differs too
    post = (r"With $\sigma(t) = 1/(1 + e^{-t})$ applied entrywise, "
            r"$L(w) = -y^T\log\sigma(Xw) - (1 - y)^T\log(1 - \sigma(Xw))$ and $$\nabla L(w) = X^T(y - \sigma(Xw))$$")
    step = check(post).steps[-1]
    assert step.verdict == "invalid"
    v = {k: np.asarray(x, dtype=float) for k, x in step.counterexample.values.items()}
    X, w, y = np.atleast_2d(v["X"]), np.atleast_1d(v["w"].ravel()), np.atleast_1d(v["y"].ravel())
    assert not np.allclose(_nll_grad(X, w, y), X.T @ (y - _sig(X @ w)), atol=1e-5)
    # the true gradient, by the oracle at random points (any y: the loss is linear in y)
    r = np.random.default_rng(10)
    for _ in range(10):
        X, w, y = r.normal(size=(5, 3)), r.normal(size=3), r.integers(0, 2, 5).astype(float)
        assert np.allclose(_nll_grad(X, w, y), X.T @ (_sig(X @ w) - y), atol=1e-5)
    # on numbers nothing changes: the definition still gives the scalar identities
    ident = check(r"Let $\sigma(z) = \frac{1}{1 + e^{-z}}$. Then $$1 - \sigma(z) = \sigma(-z)$$").steps[-1]
    assert ident.verdict == "valid"
    assert all(np.isclose(1 - _sig(z), _sig(-z)) for z in r.normal(size=10))


def test_the_sigmoid_named_in_words():
    # 'where σ is the logistic sigmoid': σ' = σ(1 - σ) was checked for the tool's σ, the
    # ReLU, and called invalid; it is no false alarm now
    post = (r"Logistic regression, where $\sigma$ is the logistic sigmoid: let $p = \sigma(Xw)$. "
            r"Using $\sigma' = \sigma(1 - \sigma)$, $$\nabla L(w) = X^T(p - y)$$")
    z = np.random.default_rng(11).normal(size=10)
    assert np.allclose((_sig(z + 1e-6) - _sig(z - 1e-6)) / 2e-6, _sig(z) * (1 - _sig(z)), atol=1e-8)
    verdicts = {" ".join(s.source.split()): s.verdict for s in check(post).steps}
    assert verdicts[r"\sigma' = \sigma(1 - \sigma)"] != "invalid"
    step = check(r"Let $\sigma$ be the sigmoid. Then $$1 - \sigma(z) = \sigma(-z)$$").steps[-1]
    assert step.verdict == "valid"
    # the oracle: the identity holds for the sigmoid at random points, and fails for the ReLU
    # (the tool's σ had the words not been read) at z = 1/2
    assert np.allclose(1 - _sig(z), _sig(-z))
    assert not np.isclose(1 - max(0.5, 0), max(-0.5, 0))


# ---- ∂f/∂x_k for every k --------------------------------------------------------------------------

def test_a_partial_along_a_free_index_is_the_gradient_entry_by_entry():
    r = np.random.default_rng(12)
    x = r.normal(size=4)
    lse = lambda v: np.log(np.sum(np.exp(v)))
    num = np.array([(lse(x + 1e-6 * e) - lse(x - 1e-6 * e)) / 2e-6 for e in np.eye(4)])
    assert np.allclose(num, np.exp(x) / np.exp(x).sum(), atol=1e-8)
    assert not np.allclose(num, 2 * np.exp(x) / np.exp(x).sum(), atol=1e-8)
    head = r"Let $f(x) = \log\sum_{i=1}^n e^{x_i}$. Then $$\frac{\partial f}{\partial x_k} = "
    assert check(head + r"\frac{e^{x_k}}{\sum_i e^{x_i}}$$").steps[-1].verdict == "valid"
    assert check(head + r"\frac{2e^{x_k}}{\sum_i e^{x_i}}$$").steps[-1].verdict == "invalid"
    cube = lambda v: np.sum(v ** 3)
    num = np.array([(cube(x + 1e-6 * e) - cube(x - 1e-6 * e)) / 2e-6 for e in np.eye(4)])
    assert np.allclose(num, 3 * x ** 2, atol=1e-6) and not np.allclose(num, 3 * x, atol=1e-6)
    head = r"Let $f(x) = \sum_{i=1}^n x_i^3$. Then $$\frac{\partial f}{\partial x_k} = "
    assert check(head + "3x_k^2$$").steps[-1].verdict == "valid"
    assert check(head + "3x_k$$").steps[-1].verdict == "invalid"


# ---- 'Let ... with <condition>' is a standing hypothesis --------------------------------------------

def test_a_condition_after_with_in_a_let_sentence_holds_for_the_rest():
    # 'Let $X$ be invertible with $\det X > 0$.' was carried only for parameters, so the
    # counterexample to ∇ log det X = X^{-1} had det X = -7: it broke the hypothesis
    post = r"Let $X$ be invertible with $\det X > 0$. The gradient of the log-determinant is $$\nabla_X \log\det X = X^{-1}.$$"
    step = check(post).steps[-1]
    assert step.verdict == "invalid"
    X = np.asarray(step.counterexample.values["X"], dtype=float)
    assert np.linalg.det(X) > 0
    # the oracle: at that X the central-difference gradient of log det is X^{-T}, not X^{-1}
    num = np.zeros_like(X)
    for idx in np.ndindex(X.shape):
        E = np.zeros_like(X)
        E[idx] = 1e-6
        num[idx] = (np.log(np.linalg.det(X + E)) - np.log(np.linalg.det(X - E))) / 2e-6
    assert np.allclose(num, np.linalg.inv(X).T, atol=1e-6)
    assert not np.allclose(num, np.linalg.inv(X), atol=1e-6)
