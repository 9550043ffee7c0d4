"""How the checker reads a post: whose variable a differential varies, what a prime, a note
beside a step, a redefined σ or J and a stated assumption mean, real roots, and its work
budget.  Each case is a way real posts are written that the checker once misread.

A verdict asserted here is re-derived without the engine: the claim is evaluated with
NumPy or exact fractions at random points (and at the checker's own counterexample), and
derivatives by one-sided and central difference quotients."""
from __future__ import annotations

import json
import math
import sys
from fractions import Fraction

import numpy as np
import pytest

from symderiv.checker import check
from symderiv.cli import main
from tests.oracle import numeric_gradient, one_sided

RNG = np.random.default_rng(11)


def exact(v):
    v = v[0, 0] if isinstance(v, np.ndarray) else v
    assert isinstance(v, (int, Fraction)), v
    return Fraction(v)


def verdicts(text):
    return [s.verdict for s in check(text).steps]


def quotient(f, x, h):
    return (f(x + h) - f(x)) / h


# ---- limits whose parameter sits on a kink --------------------------------------------------

def test_a_two_sided_limit_does_not_exist_on_the_parameters_kink():
    r = check(r"$$\lim_{h\to 0}\frac{|x+h|-|x|}{h} = \operatorname{sign}(x)$$"
              r"$$\lim_{h\to 0}\frac{\sigma(x+h)-\sigma(x)}{h} = H(x)$$")
    for s, f in zip(r.steps, (abs, lambda v: max(v, 0))):
        assert s.verdict == "valid-where" and s.condition["text"] == "x ≠ 0", s
        assert exact(s.counterexample.values["x"]) == 0
        h = Fraction(1, 10 ** 9)                  # the oracle: the two one-sided quotients at 0
        assert quotient(f, Fraction(0), h) != quotient(f, Fraction(0), -h)
        assert "does not exist" in s.reason


def test_a_kink_that_is_not_linear_in_one_parameter_is_still_tried():
    s = check(r"$$\lim_{h\to 0^+}\frac{|xy+h|-|xy|}{h} = \operatorname{sign}(xy)$$").steps[0]
    assert s.verdict == "valid-where"
    x, y = (exact(s.counterexample.values[k]) for k in ("x", "y"))
    assert x * y == 0
    h = Fraction(1, 10 ** 9)
    right = (abs(x * y + h) - abs(x * y)) / h
    assert right == 1 != (x * y > 0) - (x * y < 0)


# ---- f'(x) = ... is a claim once f is defined ----------------------------------------------------

def test_a_prime_after_a_definition_is_checked_not_taken_as_a_name():
    r = check(r"Let $$f(x) = |x|.$$ Then $$f'(x) = 1$$ and with $$g(x) = x^2\sigma(x),$$ $$g'(x) = 2x\,\sigma(x)$$"
              r" but $$g'(x) = 3x\,\sigma(x).$$")
    assert [s.verdict for s in r.steps] == ["definition", "invalid", "definition", "invalid", "valid"]
    f_claim, g_claim = r.steps[1], r.steps[3]
    x = float(exact(f_claim.counterexample.values["x"]))
    assert abs(one_sided(abs, x, 1.0) - 1) > 0.5           # |x|' is not 1 there

    def g(v):
        return v * v * max(v, 0)
    x = float(exact(g_claim.counterexample.values["x"]))
    assert abs(one_sided(g, x, 1.0) - 2 * x * max(x, 0)) > 0.5
    for x in RNG.uniform(-3, 3, 6):                          # and 3x sigma(x) is right
        assert one_sided(g, x, 1.0) == pytest.approx(3 * x * max(x, 0), abs=1e-6)


# ---- the variable is the post's, not any X or x in sight -------------------------------------------

LEAST_SQUARES = (r"What is the gradient of $f(w) = \|Xw - y\|_2^2$ with respect to $w$? "
                 r"$$df = 2(Xw-y)^T X\,dw$$ hence $$\nabla_w f = 2X^T(Xw - y).$$")


def test_data_named_X_is_held_fixed_when_the_post_differentiates_in_w():
    r = check(LEAST_SQUARES)
    assert r.variable == "w"
    assert [s.verdict for s in r.steps] == ["definition", "valid", "valid"]
    X, y = RNG.standard_normal((5, 3)), RNG.standard_normal((5, 1))
    w = RNG.standard_normal((3, 1))
    G = numeric_gradient(lambda v: float(np.sum((X @ v - y) ** 2)), w)
    assert np.allclose(G, 2 * X.T @ (X @ w - y), atol=1e-5)


def test_an_inline_definition_survives_a_later_line_that_solves_for_its_parameter():
    r = check(r"Let $f(w) = \|Xw - y\|_2^2$. Then $$\nabla_w f = 2X^T(Xw - y).$$ so that "
              r"$$w = (X^TX)^{-1}X^Ty.$$")
    assert r.steps[0].verdict == "definition" and r.steps[1].verdict == "valid"


def test_a_cost_named_J_is_the_posts_function_not_the_all_ones_matrix():
    r = check(r"$$J(w) = \frac12\|Xw - y\|_2^2$$ $$\nabla_w J = X^T(Xw - y)$$ $$\nabla_w J = X(Xw - y)$$")
    assert [s.verdict for s in r.steps] == ["definition", "valid", "invalid"]
    c = r.steps[2].counterexample
    X, w, y, dw = (np.vectorize(float)(c.values[k]) for k in ("X", "w", "y", "dw"))
    G = numeric_gradient(lambda v: 0.5 * float(np.sum((X @ v - y) ** 2)), w)
    assert float(np.sum(G * dw)) == pytest.approx(float(exact(c.lhs)), abs=1e-6)
    assert float(np.sum((X @ (X @ w - y)) * dw)) == pytest.approx(float(exact(c.rhs)), abs=1e-9)


# ---- products of a defined scalar with a differential --------------------------------------------

def test_a_defined_scalar_before_a_differential_multiplies_it():
    r = check(r"Let $g(X) = \|X\|_F$. $$2g\,dg = 2\operatorname{tr}(X^TdX)$$ $$d(g^2) = 2g\,dg$$"
              r"$$g\,dg = \operatorname{tr}(X^TdX)$$ $$2 g\,dg = \operatorname{tr}(X^TdX)$$")
    assert [s.verdict for s in r.steps] == ["definition", "valid", "valid", "valid", "invalid"]
    X, D = RNG.standard_normal((3, 2)), RNG.standard_normal((3, 2))
    g = np.linalg.norm(X)
    dg = one_sided(np.linalg.norm, X, D)
    assert 2 * g * dg == pytest.approx(2 * np.sum(X * D), rel=1e-6)


# ---- built-in names a post takes over -------------------------------------------------------------

def test_sigma_defined_as_the_sigmoid_is_the_sigmoid():
    r = check(r"Let $\sigma$ be the sigmoid, $$\sigma(z) = \frac{1}{1+e^{-z}}$$ Then $$1 - \sigma(z) = \sigma(-z)$$"
              r"and $$\sigma(z)\sigma(-z) = \sigma(z) - \sigma(z)^2$$ but $$\sigma(z) = \max(z, 0)$$")
    assert [s.verdict for s in r.steps] == ["definition", "valid", "valid", "invalid"]

    def sig(z):
        return 1 / (1 + math.exp(-z))
    for z in RNG.uniform(-4, 4, 6):
        assert sig(-z) == pytest.approx(1 - sig(z))
        assert sig(z) * sig(-z) == pytest.approx(sig(z) - sig(z) ** 2)


def test_sigma_as_a_noise_level_is_a_number():
    r = check(r"Let $\sigma > 0$ be the noise level and $$f(x) = \frac{x^2}{2\sigma^2}$$ $$df = \frac{x}{\sigma^2}\,dx$$"
              r"$$df = \frac{x}{\sigma}\,dx$$")
    assert [s.verdict for s in r.steps] == ["definition", "valid", "invalid"]


# ---- notes beside a step ------------------------------------------------------------------------

def test_justifications_beside_steps_are_not_part_of_the_formula():
    r = check(r"""Using $S=\operatorname{sign}(X)$ and $f = \|X\|_F^2$:
$$\begin{align*}
|X| &= S\odot X &&\text{(definition of sign)}\\
df &= 2\operatorname{tr}(X^TdX) \quad\text{(product rule)}\\
   &= 2\langle X, dX\rangle \qquad \text{by cyclicity}\\
   &= 2\,X:dX \quad (\text{Frobenius product})
\end{align*}$$""")
    assert [s.verdict for s in r.steps] == ["definition", "definition", "valid", "valid", "valid", "valid"]


def test_a_reason_given_as_a_formula_is_an_aside_that_does_not_continue_the_chain():
    r = check(r"$$\eqalign{ f &= \|\sigma(X)\|_F^2 \\ df &= 2\operatorname{tr}(\sigma(X)^T d\sigma(X)) "
              r"\qquad\text{since } \sigma(X)\odot H(X) = X \\ &= 2\operatorname{tr}(\sigma(X)^T dX) }$$")
    aside = next(s for s in r.steps if s.source.startswith(r"\sigma(X)\odot H(X)"))
    assert aside.verdict == "invalid"                        # the reason itself is false (x < 0)
    x = exact(aside.counterexample.values["X"])
    assert max(x, 0) * (x > 0) != x
    last = r.steps[-1]
    assert last.source.startswith(r"2\operatorname{tr}(\sigma(X)^T d\sigma(X)) =")  # the chain skips it
    assert last.verdict == "valid"


# ---- real numbers -------------------------------------------------------------------------------

def test_odd_roots_are_real_and_out_of_domain_values_decide_nothing():
    r = check(r"$$\sqrt[3]{x^3} = x$$ $$\sqrt[3]{-8} = -2$$ $$|x|^{1/3}\operatorname{sign}(x) = \sqrt[3]{x}$$"
              r"$$\log(x^2) = 2\log x$$ $$\sqrt{x^2} = x$$")
    assert [s.verdict for s in r.steps] == ["valid", "valid", "valid", "unverified", "invalid"]
    for x in [-8.0, -1.5, 0.0, 2.0, *RNG.uniform(-5, 5, 4)]:
        assert np.cbrt(x ** 3) == pytest.approx(x, abs=1e-9)
        assert abs(x) ** (1 / 3) * np.sign(x) == pytest.approx(np.cbrt(x), abs=1e-9)
    assert "no real value" in r.steps[3].reason
    x = exact(r.steps[4].counterexample.values["x"])
    assert x < 0 and abs(x) != x


def test_json_survives_values_that_are_not_real_numbers(capsys, tmp_path):
    post = tmp_path / "post.md"
    post.write_text(r"$$\log(x^2) = 2\log x$$ $$\frac{1}{x-x} = 0$$ $$\frac{d}{dx}|x| = \operatorname{sign}(x)$$",
                    encoding="utf-8")
    code = main(["check", str(post), "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0 and err == ""
    steps = json.loads(out)["steps"]
    assert len(steps) == 3 and steps[2]["verdict"] == "valid-where"
    assert "\n" not in json.dumps(steps[2]["condition"]["latex"]).replace("\\n", "")
    assert steps[2]["condition"]["latex"] == r"x \neq 0" or steps[2]["condition"]["latex"] == r"x \ne 0"


def test_a_limit_steps_condition_is_latex_without_control_characters():
    s = check(r"$$\lim_{h\to 0^+}\frac{|x+h|-|x|}{h} = \operatorname{sign}(x)$$").steps[0]
    assert s.verdict == "valid-where"
    assert s.condition["latex"] == r"x \neq 0"


# ---- the scope of a stated condition ----------------------------------------------------------

HUBER = r"""\def\d{\delta}
Fix $\d > 0$. The Huber loss is
$$h(r) = \begin{cases} \frac12 r^2 & |r| \le \d \\ \d\left(|r| - \frac12\d\right) & \text{otherwise} \end{cases}$$
Its derivative is the clipped residual: $$\frac{dh}{dr} = \max(-\d, \min(r, \d))$$"""


def test_a_standing_assumption_holds_for_the_rest_of_the_post():
    s = check(HUBER).steps[1]
    assert s.verdict == "valid-where" and s.condition["text"] == "δ > 0"

    def huber(r, d):
        return 0.5 * r * r if abs(r) <= d else d * (abs(r) - 0.5 * d)
    for d in RNG.uniform(0.2, 3, 3):
        for r in RNG.uniform(-5, 5, 5):
            assert one_sided(lambda v: huber(v, d), r, 1.0) == pytest.approx(max(-d, min(r, d)), abs=1e-5)
    # without the assumption the same step is refuted, and the refutation needs delta <= 0
    bare = check(HUBER.replace(r"Fix $\d > 0$.", "")).steps[1]
    assert bare.verdict == "invalid" and exact(bare.counterexample.values["δ"]) <= 0


def test_a_condition_opening_a_sentence_is_about_what_follows_not_the_display_before():
    r = check(r"For $x>0$ it is $$\frac{d}{dx}\sigma(x) = 1$$ For $x<0$ it is $$\frac{d}{dx}\sigma(x) = 0$$")
    assert [s.condition["text"] for s in r.steps] == ["x>0", "x<0"]
    assert [s.verdict for s in r.steps] == ["valid-where", "valid-where"]
    assert one_sided(lambda v: max(v, 0), 0.7, 1.0) == pytest.approx(1)
    assert one_sided(lambda v: max(v, 0), -0.7, 1.0) == pytest.approx(0)


def test_a_condition_after_a_display_is_said_of_it_unless_another_display_follows():
    after = check(r"$$\sigma(x) = x$$ for $x > 0$.").steps[0]
    assert after.verdict == "valid-where" and after.condition["text"] == "x > 0"
    r = check(r"$$\sigma(x) = x$$ and for $x < 0$, $$\sigma(x) = 0$$")
    assert r.steps[0].verdict == "invalid"                   # said without a condition: false
    assert r.steps[1].verdict == "valid-where" and r.steps[1].condition["text"] == "x < 0"


def test_respectively_pairs_conditions_with_equations():
    r = check(r"For $x > 0$ and $x < 0$ respectively we get $$\sigma(x) = x, \qquad \sigma(x) = 0$$"
              r"For $x>0$ and $x<0$ respectively, $$\frac{d}{dx}|x| = 1, \qquad \frac{d}{dx}|x| = 1$$")
    assert [s.verdict for s in r.steps] == ["valid-where", "valid-where", "valid-where", "invalid"]
    assert [s.condition["text"] if s.condition else None for s in r.steps[:3]] == ["x > 0", "x < 0", "x>0"]
    x = float(exact(r.steps[3].counterexample.values["x"]))
    assert x < 0 and one_sided(abs, x, 1.0) == pytest.approx(-1)


def test_conditions_that_never_hold_together_leave_the_step_unchecked():
    s = check(r"For $x > 0$ and $x < 0$ we have $$|x| = 5x^2 - 7$$").steps[0]
    assert s.verdict == "unverified" and "never hold together" in s.reason


# ---- work ------------------------------------------------------------------------------------

def test_a_derivation_past_its_work_bound_keeps_what_was_decided(monkeypatch):
    check_module = sys.modules["symderiv.checker"]
    full = check_module.CHECK_CALLS
    monkeypatch.setattr(check_module, "CHECK_CALLS", 0)
    r = check(r"$$|x| = x\operatorname{sign}(x)$$ $$\sigma(x) = x$$")
    assert [s.verdict for s in r.steps] == ["unverified", "unverified"]
    assert all("not checked" in s.reason for s in r.steps)
    monkeypatch.setattr(check_module, "CHECK_CALLS", full)
    assert verdicts(r"$$|x| = x\operatorname{sign}(x)$$ $$\sigma(x) = x$$") == ["valid", "invalid"]


# ---- a ReLU network's derivation: many kinks, decided by the polynomial identity test --------

def test_a_two_layer_networks_gradient_is_decided_and_agrees_with_difference_quotients():
    r = check(r"Let $L(W) = \frac12\|V\sigma(WX) - Y\|_F^2$ and $E = V\sigma(WX) - Y$."
              r"$$\nabla_W L = \big((V^TE)\odot H(WX)\big)X^T$$ $$\nabla_W L = \big(V^TE\,H(WX)\big)X^T$$")
    right, wrong = r.steps[2], r.steps[3]
    assert right.verdict == "valid-where" and right.condition["text"] == "no entry of W X is 0"
    assert wrong.verdict == "invalid"
    V, W, X, Y = (RNG.standard_normal(s) for s in ((2, 4), (4, 3), (3, 5), (2, 5)))

    def L(w):
        return 0.5 * float(np.sum((V @ np.maximum(w @ X, 0) - Y) ** 2))
    E = V @ np.maximum(W @ X, 0) - Y
    G = ((V.T @ E) * (W @ X > 0)) @ X.T
    assert np.allclose(numeric_gradient(L, W), G, atol=1e-5)
    c = wrong.counterexample.values
    V, W, X, Y, dW = (np.vectorize(float)(c[k]) for k in ("V", "W", "X", "Y", "dW"))

    def L(w):                                                # noqa: F811 - at the counterexample
        return 0.5 * float(np.sum((V @ np.maximum(w @ X, 0) - Y) ** 2))
    E = V @ np.maximum(W @ X, 0) - Y
    assert one_sided(L, W, dW) == pytest.approx(float(exact(wrong.counterexample.lhs)), abs=1e-5)
    assert float(np.sum(((V.T @ E) @ (W @ X > 0)) @ X.T * dW)) == pytest.approx(
        float(exact(wrong.counterexample.rhs)))


# ---- derivative notations ------------------------------------------------------------------

def _slopes(f, x, h=Fraction(1, 10 ** 6)):
    """f's one-sided derivatives at x, exactly for f piecewise of degree <= 2 (and h inside
    one piece): one Richardson step removes the h-term of the difference quotient."""
    return tuple(2 * quotient(f, x, k / 2) - quotient(f, x, k) for k in (h, -h))


@pytest.mark.parametrize("text,f,g,where", [
    (r"$$|x|' = \operatorname{sign}(x)$$", abs, lambda x: (x > 0) - (x < 0), 0),
    (r"$$(x^2)' = 2x$$", lambda x: x * x, lambda x: 2 * x, None),
    (r"$$\big(\sigma(x)\big)' = H(x)$$", lambda x: max(x, 0), lambda x: Fraction(1 + (x > 0) - (x < 0), 2), 0),
    (r"$$(x|x|)' = 2|x|$$", lambda x: x * abs(x), lambda x: 2 * abs(x), None),
    (r"$$\frac{d\,x^2}{dx} = 2x$$", lambda x: x * x, lambda x: 2 * x, None),
    (r"$$\frac{d|x|}{dx} = \operatorname{sign}(x)$$", abs, lambda x: (x > 0) - (x < 0), 0),
    (r"$$\frac{d\sigma(x+1)}{dx} = H(x+1)$$", lambda x: max(x + 1, 0),
     lambda x: Fraction(1 + (x > -1) - (x < -1), 2), -1),
    (r"$$\frac{\mathrm{d}(x|x|)}{\mathrm{d}x} = 2|x|$$", lambda x: x * abs(x), lambda x: 2 * abs(x), None),
    (r"$$d|x| = \operatorname{sign}(x)\,dx$$", abs, lambda x: (x > 0) - (x < 0), 0),
    (r"$$\sigma'(x) = H(x)$$", lambda x: max(x, 0), lambda x: Fraction(1 + (x > 0) - (x < 0), 2), 0),
])
def test_every_way_of_writing_a_derivative_is_checked_as_one(text, f, g, where):
    s = check(text).steps[0]
    for x in [Fraction(k, 3) for k in range(-7, 8)]:              # the oracle, off the kink
        if x != where:
            right, left = _slopes(f, x)
            assert right == left == g(x), (x, right, left)
    if where is None:
        assert s.verdict == "valid", s.reason
    else:
        assert s.verdict == "valid-where", s.reason
        right, left = _slopes(f, Fraction(where))
        assert right != left                                       # f has a kink there
        assert exact(s.counterexample.values["x"]) == where


@pytest.mark.parametrize("text,f,x,claimed", [
    (r"$$\sigma'(x) = 2H(x)$$", lambda x: max(x, 0), Fraction(1), 2),
    (r"$$\frac{dx^2}{dx} = x$$", lambda x: x * x, Fraction(3), 3),
    (r"$$d\|X\|_F^2 = \operatorname{tr}(X^T dX)$$", lambda x: x * x, Fraction(1), 1),
])
def test_a_wrong_derivative_in_any_notation_is_refuted(text, f, x, claimed):
    s = check(text).steps[0]
    assert s.verdict == "invalid"
    right, left = _slopes(f, x)
    assert right == left != claimed


def test_the_derivative_of_relu_at_its_kink_does_not_exist():
    s = check(r"$$\sigma'(0) = 1$$").steps[0]
    assert s.verdict == "invalid" and "does not exist" in s.reason
    right, left = _slopes(lambda x: max(x, 0), Fraction(0))
    assert (right, left) == (1, 0)


def test_the_differential_of_a_norm_written_without_brackets():
    r = check(r"$$d\|X\|_F^2 = 2\operatorname{tr}(X^T dX)$$ $$d\|x\|_2^2 = 2x^Tdx$$ $$d\sigma(x)^2 = 2\sigma(x)\,dx$$")
    assert [s.verdict for s in r.steps] == ["valid", "valid", "valid"]
    X, D = RNG.standard_normal((3, 2)), RNG.standard_normal((3, 2))
    assert one_sided(lambda Y: float(np.sum(Y * Y)), X, D) == pytest.approx(2 * np.sum(X * D), rel=1e-6)


# ---- what an identity on σ does not redefine, and equations the post solves --------------------

def test_an_identity_for_sigma_does_not_hide_an_earlier_definition():
    r = check(r"Let $f(x) = \sigma(x)^2$. $$\sigma(x) = \frac{x + |x|}{2}$$ $$f'(x) = 2x$$")
    assert [s.verdict for s in r.steps] == ["definition", "valid", "invalid"]
    x = exact(r.steps[2].counterexample.values["x"])
    right, left = _slopes(lambda v: max(v, 0) ** 2, x)
    assert right == left != 2 * x


def test_equations_a_sentence_solves_are_not_refuted_as_identities():
    r = check(r"Let $F(w) = \max(0, 1 - w) + \frac{\lambda}{2}w^2$, where $\lambda > 0$. Setting $F'(w)$ to zero "
              r"for $w < 1$ gives $w = 1/\lambda$, i.e. $$-1 + \lambda w = 0.$$")
    solved = r.steps[1:]
    assert [s.verdict for s in solved] == ["unverified", "unverified"]
    assert all("equation the sentence solves" in s.reason for s in solved)


# ---- conditions in the forms posts use -------------------------------------------------------------

@pytest.mark.parametrize("text", [
    r"Leaky ReLU $\ell(x) = \max(\alpha x, x)$ where $0 < \alpha < 1$. $$\max(\alpha x, x) = \alpha x + (1-\alpha)\sigma(x)$$",
    r"Let $\ell(x) = \max(\alpha x, x)$ with $\alpha < 1$. $$\ell(x) = \alpha x + (1-\alpha)\sigma(x)$$",
    r"Leaky ReLU where $\alpha \in (0,1)$: $$\max(\alpha x, x) = \alpha x + (1-\alpha)\sigma(x)$$",
])
def test_a_parameters_range_stated_in_prose_holds_for_the_lines_after_it(text):
    s = check(text).steps[-1]
    assert s.verdict == "valid-where" and "α" in s.condition["text"]
    for a in (Fraction(1, 10), Fraction(1, 2), Fraction(9, 10)):    # the oracle, inside the range
        for x in (Fraction(-3), Fraction(-1, 2), Fraction(0), Fraction(2)):
            assert max(a * x, x) == a * x + (1 - a) * max(x, 0)
    a, x = Fraction(2), Fraction(-2)                                 # ... and outside it
    assert max(a * x, x) != a * x + (1 - a) * max(x, 0)


def test_sign_of_a_product_is_the_product_of_signs():
    assert verdicts(r"$$|xy| = |x||y|$$ $$\operatorname{sign}(xy) = \operatorname{sign}(x)\operatorname{sign}(y)$$"
                    r"$$\sigma(xy) = \sigma(x)\sigma(y)$$") == ["valid", "valid", "invalid"]
    for x in (-2, 0, 3):
        for y in (-1, 0, 5):
            assert abs(x * y) == abs(x) * abs(y)
    assert max(-2 * -3, 0) != max(-2, 0) * max(-3, 0)


# ---- review 6: jumps, points on a kink, hypotheses, limits beside derivatives ----------------

JUMPS = [
    (r"$$\frac{d}{dx}\operatorname{sign}(x) = 0$$", lambda x: np.sign(x), lambda x: 0.0),
    (r"$$\frac{d}{dx}\big(x + \operatorname{sign}(x)\big) = 1$$", lambda x: x + np.sign(x), lambda x: 1.0),
    (r"Let $f(x) = \operatorname{sign}(x)$. Elsewhere $$f'(x) = 0.$$", lambda x: np.sign(x), lambda x: 0.0),
    (r"$$\frac{d}{dx}H(x) = 0$$", lambda x: np.heaviside(x, 0.5), lambda x: 0.0),
]


@pytest.mark.parametrize("text, f, claimed", JUMPS)
def test_the_derivative_of_a_jump_holds_only_off_it(text, f, claimed):
    s = check(text).steps[-1]
    assert s.verdict == "valid-where" and s.condition["text"] == "x ≠ 0", s.reason
    assert "jumps" in s.reason and exact(s.counterexample.values["x"]) == 0
    # the oracle: off 0 the claimed derivative is the difference quotient; at 0 the
    # quotients grow without bound, so no derivative exists there
    for x in RNG.uniform(-3, 3, 5):
        assert abs((f(x + 1e-6) - f(x - 1e-6)) / 2e-6 - claimed(x)) < 1e-6
    assert abs(quotient(f, 0.0, 1e-9)) > 1e8


def test_the_differential_of_a_matrix_of_signs_is_not_zero_on_its_jumps():
    s = check(r"Let $S = \operatorname{sign}(X)$. Since sign is piecewise constant, $$dS = 0.$$").steps[1]
    assert s.verdict == "valid-where" and s.condition["text"] == "no entry of X is 0"
    X = exact(s.counterexample.values["X"]) if np.ndim(s.counterexample.values["X"]) == 0 else None
    assert X is None or X == 0
    assert abs(quotient(np.sign, 0.0, 1e-9)) > 1e8


@pytest.mark.parametrize("text, f, point", [
    (r"At $x = 0$, $$\frac{d}{dx}|x| = 0.$$", abs, 0.0),
    (r"At $x = 1$, $$\frac{d}{dx}\max(0,1-x) = 0.$$", lambda x: max(0.0, 1 - x), 1.0),
])
def test_a_derivative_claimed_at_a_kink_is_false(text, f, point):
    # 'valid where x = 0 and x ≠ 0' would hold nowhere: the claim is about the kink itself
    report = check(text)
    s = report.steps[0]
    assert s.verdict == "invalid" and report.first_error == 1
    assert exact(s.counterexample.values["x"]) == Fraction(point)
    right = one_sided(lambda v: f(float(v)), point, 1.0)
    left = -one_sided(lambda v: f(float(v)), point, -1.0)
    assert abs(right - left) > 0.5          # the one-sided derivatives differ: none exists


def test_at_x_equals_y_is_where_the_claim_is_made_not_a_claim():
    report = check(r"At $x=y$, the function $\max(x,y)$ is not differentiable. Off the diagonal, "
                   r"$$\frac{\partial}{\partial x}\max(x,y) = H(x-y).$$")
    assert [s.verdict for s in report.steps] == ["valid-where"] and report.first_error is None
    s = check(r"At $x=y$, $$\frac{\partial}{\partial x}\max(x,y) = \frac12.$$").steps[0]
    assert s.verdict == "invalid"
    x, y = (exact(s.counterexample.values[k]) for k in ("x", "y"))
    assert x == y                           # the counterexample keeps the post's hypothesis
    f = lambda t: max(float(t), float(y))   # noqa: E731
    assert abs(one_sided(f, float(x), 1.0) - 0.5) > 0.4 and abs(-one_sided(f, float(x), -1.0) - 0.5) > 0.4


SYMMETRIC = [
    r"For symmetric $A$, $$\nabla_x\, x^TAx = 2Ax.$$",
    r"Let $A$ be symmetric. Then $$\nabla_x\, x^TAx = 2Ax.$$",
    r"Assume $A = A^T$. Then $$\nabla_x\, x^TAx = 2Ax.$$",
]


@pytest.mark.parametrize("text", SYMMETRIC)
def test_a_symmetric_hypothesis_is_used_and_reported(text):
    report = check(text)
    assert [s.verdict for s in report.steps] == ["valid-where"] and report.first_error is None
    assert report.steps[0].condition["text"] == "A = A^T"
    for n in (1, 2, 3):
        B = RNG.normal(size=(n, n))
        x = RNG.normal(size=(n, 1))
        for A, holds in ((B + B.T, True), (B - B.T + np.eye(n), n == 1)):
            G = numeric_gradient(lambda v: (v.T @ A @ v).item(), x)
            assert np.allclose(G, 2 * A @ x, atol=1e-5) == holds


def test_without_the_hypothesis_the_same_claim_is_refuted_by_a_matrix_that_breaks_it():
    report = check(r"Let $A$ be symmetric. Then $$\nabla_x\, x^TAx = 2Ax.$$" "\n\n"
                   r"For a general matrix $B$, $$\nabla_x\, x^TBx = 2Bx.$$")
    assert [s.verdict for s in report.steps] == ["valid-where", "invalid"]
    c = report.steps[1].counterexample.values
    B = np.array([[float(v) for v in row] for row in c["B"]])
    x = np.array([[float(v) for v in row] for row in c["x"]])
    assert not np.allclose(B, B.T)
    assert not np.allclose(numeric_gradient(lambda v: (v.T @ B @ v).item(), x), 2 * B @ x, atol=1e-4)


def test_a_counterexample_under_a_symmetric_hypothesis_is_symmetric():
    s = check(r"Assume $A = A^T$. Then $$\nabla_x\, x^TAx = 2A^Tx + x$$").steps[0]
    assert s.verdict == "invalid"
    A = np.array(s.counterexample.values["A"], dtype=object).reshape(np.shape(s.counterexample.values["A"]) or (1, 1))
    assert (A == A.T).all()


@pytest.mark.parametrize("text, f, point", [
    (r"$$\frac{d}{dx}|x| = \lim_{h\to0}\frac{|x+h|-|x|}{h}$$", abs, 1.5),
    (r"$$\frac{d}{dx}x^2 = \lim_{h\to0}\frac{(x+h)^2-x^2}{h}$$", lambda x: x * x, -0.7),
])
def test_a_derivative_beside_its_limit_is_the_definition(text, f, point):
    s = check(text).steps[0]
    assert s.verdict == "valid", s.reason
    assert abs(quotient(f, point, 1e-7) - (f(point + 1e-7) - f(point - 1e-7)) / 2e-7) < 1e-5


def test_a_wrong_left_limit_at_a_stated_point_is_refuted():
    s = check(r"At $x=0$ the left derivative is "
              r"$$\lim_{h\to0^-}\frac{\sigma(x+h)-\sigma(x)}{h} = 1.$$").steps[0]
    assert s.verdict == "invalid"
    relu = lambda v: max(v, 0.0)   # noqa: E731
    assert abs(quotient(relu, 0.0, -1e-8)) < 1e-12          # the true left limit is 0


def test_plain_tex_rows_and_functions_of_several_arguments():
    assert verdicts(r"$$\eqalign{ f &= x^2 \cr f' &= 2x }$$") == ["definition", "valid"]
    report = check(r"$$f(a,b) = \log(e^a + e^b)$$" "\n"
                   r"$$\frac{\partial f}{\partial a} = \frac{e^a}{e^a+e^b}, \qquad "
                   r"\frac{\partial f}{\partial b} = \frac{e^a}{e^a+e^b}$$")
    assert [s.verdict for s in report.steps] == ["definition", "valid", "invalid"]
    f = lambda a, b: math.log(math.exp(a) + math.exp(b))   # noqa: E731
    a, b = 0.3, -1.1
    assert abs((f(a + 1e-6, b) - f(a - 1e-6, b)) / 2e-6 - math.exp(a) / (math.exp(a) + math.exp(b))) < 1e-6
    assert abs((f(a, b + 1e-6) - f(a, b - 1e-6)) / 2e-6 - math.exp(a) / (math.exp(a) + math.exp(b))) > 0.1


def test_respectively_pairs_equations_joined_by_and():
    report = check(r"For $x>0$ and $x<0$ respectively, "
                   r"$$\frac{d}{dx}|x| = 1 \quad\text{and}\quad \frac{d}{dx}|x| = 1.$$")
    assert [s.verdict for s in report.steps] == ["valid-where", "invalid"]
    assert exact(report.steps[1].counterexample.values["x"]) < 0
    assert abs((abs(-1 + 1e-6) - abs(-1 - 1e-6)) / 2e-6 + 1) < 1e-6     # d|x|/dx = -1 there


def test_inverse_and_log_det_identities_are_decided():
    report = check(r"$$XX^{-1} = I$$" "\n\n" r"$$f = \log\det X$$" "\n"
                   r"$$df = \operatorname{tr}(X^{-1}dX)$$" "\n" r"$$df = \operatorname{tr}(X^{-T}dX)$$")
    assert [s.verdict for s in report.steps] == ["valid", "definition", "valid", "invalid"]
    c = report.steps[3].counterexample.values
    X = np.array(c["X"], dtype=float)
    D = np.array(c["dX"], dtype=float)
    f = lambda M: math.log(abs(np.linalg.det(M)))   # noqa: E731
    slope = (f(X + 1e-6 * D) - f(X - 1e-6 * D)) / 2e-6
    assert abs(slope - np.trace(np.linalg.inv(X) @ D)) < 1e-5
    assert abs(slope - np.trace(np.linalg.inv(X).T @ D)) > 1e-3


def test_the_dirac_delta_is_not_read_as_a_product(capsys):
    s = check(r"$$\frac{d}{dx}H(x) = \delta(x)$$").steps[0]
    assert s.verdict == "unverified" and "Dirac" in s.reason
    code = main(["diff", r"\delta(x) + x^2"])
    err = capsys.readouterr().err
    assert code == 3 and err.startswith("error:") and "Dirac" in err and "Traceback" not in err
    # where δ also stands alone it is a number, and δ(...) a product (Huber's δ(|r| - δ/2))
    assert main(["diff", r"\delta(x + 1)^2 + \delta", "--wrt", "x", "--at", "2", "--let", "delta=3",
                 "--format", "json"]) == 0
    at = json.loads(capsys.readouterr().out)["at"]
    assert at["gradient"] == 2 * 3 * (2 + 1)       # d/dx 3(x + 1)^2 + 3 at x = 2


def test_a_solved_equation_is_not_judged_by_its_shapes():
    report = check(r"Ridge regression minimizes $f(w) = \|Xw-y\|_2^2 + \lambda\|w\|_2^2$. The gradient is "
                   r"$$\nabla_w f = 2X^T(Xw-y) + 2\lambda w,$$ and setting it to zero gives "
                   r"$w = (X^TX + \lambda I)^{-1}X^Ty$.")
    s = report.steps[-1]
    assert s.verdict == "unverified" and "solves" in s.reason and "shapes" not in s.reason
    assert report.steps[1].verdict == "valid"
    rng = np.random.default_rng(3)
    X, y, w, lam = rng.normal(size=(4, 3)), rng.normal(size=(4, 1)), rng.normal(size=(3, 1)), 0.7
    f = lambda v: float(np.sum((X @ v - y) ** 2) + lam * np.sum(v ** 2))   # noqa: E731
    assert np.allclose(numeric_gradient(f, w), 2 * X.T @ (X @ w - y) + 2 * lam * w, atol=1e-5)


def test_a_size_that_only_survives_in_a_value_is_sampled():
    # tr(J^T J) = m n: false unless m n = 6, and the counterexample names the sizes
    s = check(r"$$\operatorname{tr}(J^TJ) = 6$$").steps[0]
    assert s.verdict == "invalid"
    m, n = s.counterexample.values["m"], s.counterexample.values["n"]
    J = np.ones((m, n))
    assert np.trace(J.T @ J) == exact(s.counterexample.lhs) != 6


# ---- review 7: sides with no value at a kink, lists of hypotheses, sentences ----------------

def test_a_formula_with_no_value_at_the_kink_holds_only_off_it():
    s = check(r"$$\frac{d}{dx}|x| = \frac{x}{|x|}$$").steps[0]
    assert s.verdict == "valid-where" and s.condition["text"] == "x ≠ 0"
    assert exact(s.counterexample.values["x"]) == 0 and s.counterexample.rhs is None
    assert (one_sided(abs, 0.0, 1.0), -one_sided(abs, 0.0, -1.0)) == pytest.approx((1.0, -1.0))
    s = check(r"Let $f=\|X\|_F$. $$\nabla f = X/\|X\|_F$$").steps[1]
    assert s.verdict == "valid-where" and "both sides are defined" in s.condition["text"]
    D = RNG.normal(size=(2, 2))
    assert one_sided(np.linalg.norm, np.zeros((2, 2)), D) == pytest.approx(np.linalg.norm(D), rel=1e-6)
    assert one_sided(np.linalg.norm, np.zeros((2, 2)), -D) == pytest.approx(np.linalg.norm(D), rel=1e-6)  # not linear


def test_a_gradient_formula_undefined_where_the_gradient_exists_is_valid_where_defined():
    s = check(r"Let $g=\det(X)$. $$\nabla_X g = \det(X)X^{-T}$$").steps[1]
    assert s.verdict == "valid-where"
    X = np.array([[1.0, 2.0], [2.0, 4.0]])        # singular: det X X^{-T} has no value here
    G = numeric_gradient(np.linalg.det, X)
    assert np.allclose(G, [[4.0, -2.0], [-2.0, 1.0]], atol=1e-6)    # yet the gradient (the adjugate^T) exists
    with pytest.raises(np.linalg.LinAlgError):
        np.linalg.inv(X)
    # what is differentiated has no value at a singular X (log det): no failure there
    assert check(r"Let $h=\log\det X$. $$dh = \operatorname{tr}(X^{-1}dX)$$").steps[1].verdict == "valid"


@pytest.mark.parametrize("text", [
    r"Let $A$ and $B$ be symmetric and $f(X)=\operatorname{tr}(AXBX^T)$. $$\nabla_X f = 2AXB$$",
    r"Let $A$, $B$ be symmetric matrices and $f(X)=\operatorname{tr}(AXBX^T)$. $$\nabla_X f = 2AXB$$",
    r"For symmetric $A$ and $B$, with $f(X)=\operatorname{tr}(AXBX^T)$, $$\nabla_X f = 2AXB$$",
])
def test_every_name_in_a_list_of_symmetric_matrices_is_symmetric(text):
    s = check(text).steps[-1]
    assert s.verdict == "valid-where" and set(s.condition["text"].split(" and ")) == {"A = A^T", "B = B^T"}
    rng = np.random.default_rng(2)
    A, B, X = rng.normal(size=(3, 3)), rng.normal(size=(2, 2)), rng.normal(size=(3, 2))
    A, B = A + A.T, B + B.T
    G = numeric_gradient(lambda M: np.trace(A @ M @ B @ M.T), X)
    assert np.allclose(G, 2 * A @ X @ B, atol=1e-5)


def test_respectively_with_a_list_of_three_conditions():
    report = check(r"For $x<0$, $x=0$ and $x>0$ respectively, $$\operatorname{sign}(x) = -1 \quad\text{and}\quad "
                   r"\operatorname{sign}(x) = 0 \quad\text{and}\quad \operatorname{sign}(x) = 1$$")
    assert [s.verdict for s in report.steps] == ["valid-where"] * 3 and report.first_error is None
    assert [s.condition["text"] for s in report.steps] == ["x<0", "x=0", "x>0"]
    assert [np.sign(v) for v in (-2.5, 0.0, 0.5)] == [-1, 0, 1]


def test_a_factorisation_in_prose_introduces_names_and_is_not_a_claim():
    report = check(r"Let $f = \|X\|_F^2$ and write $X = U\Sigma V^T$ for the SVD. $$\nabla f = 2X$$")
    assert [s.verdict for s in report.steps] == ["definition", "definition", "valid"] and report.first_error is None
    X = RNG.normal(size=(2, 3))
    assert np.allclose(numeric_gradient(lambda M: np.sum(M ** 2), X), 2 * X, atol=1e-6)


def test_a_condition_opening_a_sentence_holds_for_each_display_in_it():
    report = check(r"For $0<\alpha<1$, $f(x) = \max(\alpha x, x)$ has $$f'(x) = \alpha + (1-\alpha)H(x)$$ "
                   r"and $$f(x) = \alpha x$$ for $x<0$.")
    s = report.steps[-1]
    assert s.verdict == "valid-where" and s.condition["text"] == "0<α<1 and x<0"
    a = 0.3
    assert all(max(a * x, x) == a * x for x in (-2.0, -0.5))


def test_two_claims_at_a_kink_do_not_depend_on_each_other():
    report = check(r"At $x = 0$, $$\frac{d}{dx}|x| = 0$$" "\n\n" r"At $x = 0$, $$\frac{d}{dx}H(x) = 0$$")
    first, second = report.steps
    assert first.verdict == second.verdict == "invalid" and second.depends_on == []
    assert "jumps" in second.reason and second.counterexample.lhs is None and exact(second.counterexample.rhs) == 0
    assert abs(quotient(lambda v: np.heaviside(v, 0.5), 0.0, 1e-9)) > 1e8


def test_a_parameter_in_an_interval_is_sampled_inside_it_not_only_at_its_middle():
    s = check(r"The leaky ReLU is $f(x)=\max(\alpha x, x)$ where $0 < \alpha < 1$. "
              r"$$f(x) = \alpha\sigma(x) + (1-\alpha)x$$").steps[-1]
    assert s.verdict == "invalid"
    a, x = exact(s.counterexample.values["alpha"] if "alpha" in s.counterexample.values
                 else s.counterexample.values["α"]), exact(s.counterexample.values["x"])
    assert 0 < a < 1 and max(a * x, x) != a * max(x, 0) + (1 - a) * x


def test_the_differential_of_a_function_written_without_brackets():
    report = check(r"$$d\log\det X = \operatorname{tr}(X^{-1}dX)$$" "\n" r"$$d\log\det X = \operatorname{tr}(X^{-T}dX)$$")
    assert [s.verdict for s in report.steps] == ["valid", "invalid"]
    c = report.steps[1].counterexample.values
    X, D = np.array(c["X"], dtype=float), np.array(c["dX"], dtype=float)
    slope = one_sided(lambda M: math.log(abs(np.linalg.det(M))), X, D)
    assert slope == pytest.approx(np.trace(np.linalg.inv(X) @ D), abs=1e-5)


def test_a_symmetric_hypothesis_opening_a_sentence_covers_each_display_in_it():
    report = check(r"For symmetric $A$ and $B$, $$\operatorname{tr}(AB)=\operatorname{tr}(BA)$$ and $$(AB)^T = BA$$")
    s = report.steps[1]
    assert s.verdict == "valid-where" and report.first_error is None
    rng = np.random.default_rng(4)
    A, B = rng.normal(size=(3, 3)), rng.normal(size=(3, 3))
    assert not np.allclose((A @ B).T, B @ A)
    A, B = A + A.T, B + B.T
    assert np.allclose((A @ B).T, B @ A)


def test_a_step_about_names_a_factorisation_brought_in_is_not_refuted():
    report = check(r"Let $f = \|X\|_F^2$ and write $X = U\Sigma V^T$ for the SVD. "
                   r"$$\|X\|_F^2 = \operatorname{tr}(\Sigma^T\Sigma)$$ $$\nabla f = 3X$$")
    assert [s.verdict for s in report.steps] == ["definition", "definition", "unverified", "invalid"]
    X = RNG.normal(size=(3, 2))
    U, sv, Vt = np.linalg.svd(X, full_matrices=False)
    assert np.sum(X ** 2) == pytest.approx(np.trace(np.diag(sv).T @ np.diag(sv)))   # true for the SVD


# ---- review 10 ---------------------------------------------------------------------------------

def test_a_scalar_claimed_as_the_gradient_of_a_matrix_is_not_passed():
    report = check(r"Let $L(W) = u^T W x$. Then $$\nabla_W L = u^T x$$ and $$\nabla_W L = ux^T$$")
    assert [s.verdict for s in report.steps] == ["definition", "unverified", "valid"]
    assert "shape of its variable" in report.steps[1].reason
    rng = np.random.default_rng(9)
    u, x, W = rng.normal(size=(3, 1)), rng.normal(size=(2, 1)), rng.normal(size=(3, 2))
    G = numeric_gradient(lambda M: (u.T @ M @ x).item(), W)
    assert np.allclose(G, u @ x.T, atol=1e-6) and G.shape != (1, 1)


def test_an_assumed_equation_is_a_hypothesis_not_a_claim():
    report = check(r"Let $L(z) = -y^T z + \log(\mathbf 1^T e^{z})$, and assume $\mathbf 1^T y = 1$. "
                   r"$$\nabla_z L = \frac{e^z}{\mathbf 1^T e^z} - y$$")
    assert report.first_error is None and "invalid" not in [s.verdict for s in report.steps]
    assert len(report.steps) == 2                       # the assumption is not a step
    z, y = np.array([[0.3], [-1.2], [0.5]]), np.array([[0.2], [0.5], [0.3]])
    G = numeric_gradient(lambda v: (-y.T @ v).item() + math.log(np.sum(np.exp(v))), z)
    assert np.allclose(G, np.exp(z) / np.sum(np.exp(z)) - y, atol=1e-6)


def test_a_hadamard_factor_beside_a_vector_is_a_vector():
    s = check(r"Let $L(w) = \mathbf 1^T \max(0, \mathbf 1 - y\odot Xw)$. Then "
              r"$$\nabla_w L = -X^T(y\odot\mathbb{1}[y\odot Xw < 1])$$").steps[-1]
    assert s.verdict == "valid-where"
    rng = np.random.default_rng(10)
    X, y, w = rng.normal(size=(4, 3)), np.sign(rng.normal(size=(4, 1))), rng.normal(size=(3, 1))
    L = lambda v: float(np.sum(np.maximum(0, 1 - y * (X @ v))))   # noqa: E731
    assert np.allclose(numeric_gradient(L, w), -X.T @ (y * (y * (X @ w) < 1)), atol=1e-6)


def test_intertext_between_rows_is_prose():
    report = check(r"$$f = \operatorname{tr}(AXB)$$" "\n"
                   r"$$\begin{align*} df &= \operatorname{tr}(A\,dX\,B) \\ &= \operatorname{tr}(BA\,dX) "
                   r"\intertext{so that} \nabla_X f &= A^T B^T \end{align*}$$")
    assert [s.verdict for s in report.steps] == ["definition", "valid", "valid", "valid"]
    rng = np.random.default_rng(11)
    A, X, B = rng.normal(size=(2, 3)), rng.normal(size=(3, 4)), rng.normal(size=(4, 2))
    assert np.allclose(numeric_gradient(lambda M: np.trace(A @ M @ B), X), A.T @ B.T, atol=1e-6)


# ---- review 12 ------------------------------------------------------------------------------

def test_a_name_whose_definition_was_not_read_is_not_a_free_letter():
    # f's line cannot be read (\operatorname{\phi} with no argument); df = ... after it was
    # compared as if f were a free scalar and called false
    report = check(r"$ \def\r{\operatorname{\phi}} $ $$f = \operatorname{tr}(\r^T\r)$$" "\n"
                   r"$$df = \operatorname{tr}\big((X\odot(\operatorname{sign}(X)+J))^TdX\big)$$")
    last = report.steps[-1]
    assert last.verdict == "unverified" and "could not read" in last.reason
    # what the step says is true: the gradient of ‖σ(X)‖² is X ⊙ (sign X + 1)
    X = np.array([[0.7, -1.2], [0.0, 2.1]])
    G = numeric_gradient(lambda M: float(np.sum(np.maximum(M, 0) ** 2)), X)
    assert np.allclose(G, X * (np.sign(X) + 1), atol=1e-6)


def test_d_before_a_sum_is_a_differential():
    report = check(r"$$d\sum_{i,j}x_{ij}^2 = 2\operatorname{tr}(X^TdX)$$" "\n"
                   r"$$d\sum_{i,j}x_{ij}^2 = \operatorname{tr}(X^TdX)$$")
    assert [s.verdict for s in report.steps] == ["valid", "invalid"]
    X, D = RNG.normal(size=(2, 3)), RNG.normal(size=(2, 3))
    assert abs(one_sided(lambda M: float(np.sum(M ** 2)), X, D) - 2 * np.trace(X.T @ D)) < 1e-5


def test_a_standing_assumption_survives_a_local_condition_that_mentions_it():
    report = check(r"Let $\lambda>0$. For $x>\lambda$," "\n"
                   r"$$\operatorname{sign}(x)\max(|x|-\lambda,0) = x-\lambda$$" "\n\n"
                   r"Let $\mu>0$. For $x>\mu$," "\n" r"$$\max(|x|-\mu,0) = x+\mu$$")
    assert [s.verdict for s in report.steps] == ["valid-where", "invalid"]
    f = lambda x, lam: np.sign(x) * max(abs(x) - lam, 0)      # noqa: E731
    for lam in (0.5, 2.0):
        for x in (lam + 0.1, lam + 3):
            assert abs(f(x, lam) - (x - lam)) < 1e-12
    assert abs(f(-1.0, -2.0) - (-1 + 2)) > 1    # without λ > 0 it fails: the assumption matters
    c = report.steps[1].counterexample.values
    mu, x = exact(c["μ"]), exact(c["x"])
    assert mu > 0 and x > mu and max(abs(x) - mu, 0) != x + mu


def test_a_condition_word_before_a_naming_noun():
    report = check(r"Leaky ReLU with slope $0<a<1$: $\max(x, ax)$." "\n"
                   r"$$\max(x, ax) = x + (1-a)\max(-x,0)$$")
    assert [s.verdict for s in report.steps] == ["valid-where"]
    for a in (0.1, 0.5, 0.9):
        for x in (-2.0, -0.3, 0.0, 1.5):
            assert abs(max(x, a * x) - (x + (1 - a) * max(-x, 0))) < 1e-12
    assert abs(max(-2.0, 2 * -2.0) - (-2 + (1 - 2) * 2)) > 1       # a = 2 breaks it


def test_an_identity_one_side_undefined_on_a_kink_holds_where_defined():
    report = check(r"$$\frac{|x|}{x} = \operatorname{sign}(x)$$" "\n" r"$$XX^{-1} = I$$")
    assert [s.verdict for s in report.steps] == ["valid-where", "valid"]
    assert exact(report.steps[0].counterexample.values["x"]) == 0
    for x in (-2.5, 0.3, 7.0):
        assert abs(x) / x == np.sign(x)


def test_a_piece_not_selected_is_no_root_of_a_negative_number():
    # d|x|^{3/2}/dx in sign form has (1 - sign x)(-x)^{3/2}: at x = 1 that piece is not there
    s = check(r"$$\frac{d}{dx}|x|^{3/2} = \frac32|x|^{1/2}\operatorname{sign}(x)$$").steps[0]
    assert s.verdict == "valid"
    f = lambda x: abs(x) ** 1.5                                    # noqa: E731
    for x in (-1.7, 0.4, 1.0):
        assert abs(one_sided(lambda v: f(v.item()), np.array([[x]]), np.array([[1.0]]))
                   - 1.5 * abs(x) ** 0.5 * np.sign(x)) < 1e-5
    for d in (1.0, -1.0):           # at 0 both one-sided slopes are 0, as the right side
        assert abs(one_sided(lambda v: f(v.item()), np.array([[0.0]]), np.array([[d]]), h=1e-8)) < 1e-3


def test_a_prime_applied_inside_a_formula_is_not_a_transpose():
    report = check(r"$$x\,H'(x) = 0$$" "\n" r"$$H'(x) = 0$$")
    assert report.steps[0].verdict == "unverified" and "derivative of a function" in report.steps[0].reason
    assert report.steps[1].verdict == "valid-where"


def test_a_bare_nabla_takes_the_steps_own_letter():
    # the post's variable is x (step 2); step 1 is about X alone, and was differentiated in x
    report = check(r"$$\nabla\|X\|_F = \frac{X}{\|X\|_F}$$" "\n" r"$$\nabla_x\|x\|_2 = \frac{x}{\|x\|_2}$$" "\n"
                   r"$$\nabla\|Y\|_F = \frac{2Y}{\|Y\|_F}$$")
    assert [s.verdict for s in report.steps] == ["valid-where", "valid-where", "invalid"]
    X = np.array([[1.0, -2.0], [0.5, 3.0]])
    assert np.allclose(numeric_gradient(lambda M: float(np.linalg.norm(M)), X), X / np.linalg.norm(X), atol=1e-6)


def test_cases_that_leave_out_their_edges_are_claimed_off_them():
    report = check(r"$$\frac{d}{dx}\max(x,0) = \begin{cases}1 & x>0\\ 0 & x<0\end{cases}$$" "\n"
                   r"$$\frac{d}{dx}|x| = \begin{cases}1 & x>0\\ 1 & x<0\end{cases}$$" "\n"
                   r"$$\frac{d}{dx}|x| = \begin{cases}1 & x>1\\ -1 & x<0\end{cases}$$")
    assert [s.verdict for s in report.steps] == ["valid-where", "invalid", "unverified"]
    assert report.steps[0].condition["text"] == "x ≠ 0"
    x = exact(report.steps[1].counterexample.values["x"])
    assert x < 0          # where the claim says 1 and d|x|/dx is -1:
    assert abs(quotient(abs, float(x), 1e-7) + 1) < 1e-6
    for x in (-2.0, 0.5):
        assert abs(quotient(lambda v: max(v, 0), x, 1e-7) - (1 if x > 0 else 0)) < 1e-6


def test_a_partial_derivative_along_a_numbered_scalar():
    report = check(r"$$\frac{\partial}{\partial x_1}\max(x_1,x_2) = H(x_1-x_2)$$" "\n"
                   r"$$\frac{\partial}{\partial x_{2}}\max(x_1,x_2) = H(x_1-x_2)$$" "\n"
                   r"$$\frac{\partial \max(x_1,x_2)}{\partial x_2} = H(x_2-x_1)$$")
    assert [s.verdict for s in report.steps] == ["valid-where", "invalid", "valid-where"]
    c = report.steps[1].counterexample.values
    x1, x2 = float(exact(c["x_1"])), float(exact(c["x_2"]))
    slope = quotient(lambda t: max(x1, t), x2, 1e-7)                # ∂/∂x_2 there
    assert abs(slope - (1.0 if x1 > x2 else 0.0)) > 0.5             # ... is not H(x_1 - x_2)
    assert abs(slope - (1.0 if x2 > x1 else 0.0)) < 1e-6            # but H(x_2 - x_1), step 3


def test_operatorname_sigma_is_sigma_bare_or_applied():
    report = check(r"$ \def\r{\operatorname{\sigma}} $ $$f = \operatorname{tr}(\r^T\r)$$" "\n"
                   r"$$df = \operatorname{tr}\big((X\odot(\operatorname{sign}(X)+J))^TdX\big)$$" "\n"
                   r"$$df = \operatorname{tr}\big((X\odot\operatorname{sign}(X))^TdX\big)$$")
    assert [s.verdict for s in report.steps] == ["definition", "valid", "invalid"]
    X = np.array([[0.7, -1.2], [0.0, 2.1]])
    G = numeric_gradient(lambda M: float(np.sum(np.maximum(M, 0) ** 2)), X)
    assert np.allclose(G, X * (np.sign(X) + 1), atol=1e-6)
    assert not np.allclose(G, X * np.sign(X), atol=1e-3)


def test_a_condition_said_after_its_display_with_needs_or_provided():
    report = check(r"The shortcut $$\nabla_x (x^TAx) = 2Ax$$ needs $A=A^T$." "\n\n"
                   r"$$\frac{d}{dx}|x| = 1$$ provided that $x > 0$." "\n\n" r"$$\frac{d}{dx}|x| = 1$$")
    assert [s.verdict for s in report.steps] == ["valid-where", "valid-where", "invalid"]
    assert "A=A^T" in report.steps[0].condition["text"].replace(" ", "")
    rng = np.random.default_rng(12)
    A = rng.normal(size=(3, 3))
    S, x = A + A.T, rng.normal(size=(3, 1))
    assert np.allclose(numeric_gradient(lambda v: (v.T @ S @ v).item(), x), 2 * S @ x, atol=1e-6)
    assert not np.allclose(numeric_gradient(lambda v: (v.T @ A @ v).item(), x), 2 * A @ x, atol=1e-3)
    assert exact(report.steps[2].counterexample.values["x"]) < 0


def test_the_value_of_a_jump_on_its_switch_is_a_convention():
    report = check(r"$$H(0) = 1$$" "\n" r"$$\operatorname{sign}(0) = 1$$" "\n" r"$$H(0) = \frac12$$" "\n"
                   r"$$H(0) = 3$$")
    assert [s.verdict for s in report.steps] == ["unverified", "unverified", "valid", "invalid"]
    assert "convention" in report.steps[0].reason
    # every value in [0, 1] is H(0) for some convention: the limits from either side bound it
    h = lambda x: 1.0 if x > 0 else 0.0                    # noqa: E731
    assert h(-1e-12) <= 1 <= h(1e-12) + 1e-12 and not (h(-1e-12) <= 3 <= h(1e-12))


# ---- review 12, regressions of the rules above ------------------------------------------------

@pytest.mark.parametrize("post", [
    "$$\\frac{d}{dx}|x| = 1$$\nI tested at some $x=2$.",
    "$$\\frac{d}{dx}|x| = 1$$ I first tried this with a small positive $x > 0$ in NumPy.",
    "$$\\nabla_x \\, x^TAx = 2Ax$$\nand a faster method needs $A = A^T$ too, which we do not assume here.",
    "$$\\frac{d}{dx}|x| = 1$$ The ReLU network needs a positive $x > 0$ to pass gradients at all.",
])
def test_prose_about_testing_or_other_methods_is_no_condition(post):
    first = check(post).steps[0]
    assert first.verdict == "invalid"
    c = first.counterexample.values
    if "A" in c:      # x^T A x has gradient (A + A^T) x, which is 2Ax only for a symmetric A
        A, x = np.array(c["A"], float), np.array(c["x"], float)
        assert not np.allclose((A + A.T) @ x, 2 * A @ x)
    else:             # d|x|/dx = -1 where x < 0
        x = float(exact(c["x"]))
        assert x < 0 and abs(quotient(abs, x, 1e-7) - 1) > 1


def test_a_partial_along_one_entry_beside_the_whole_vector_is_not_read():
    report = check(r"$$\frac{\partial}{\partial x_1}\|x\|^2 = 2x_1$$" "\n"
                   r"Let $$f(x)=\|x\|^2.$$ $$\frac{\partial f}{\partial x_1}=2x_1$$")
    assert [s.verdict for s in report.steps] == ["unverified", "definition", "unverified"]
    x = np.array([[3.0], [1.0]])
    assert numeric_gradient(lambda v: float(np.sum(v ** 2)), x)[0, 0] == pytest.approx(6)   # true: 2x_1


def test_a_d_the_post_uses_as_a_number_stays_a_number_before_a_sum():
    report = check(r"Let $d$ be the dimension, a positive integer. Then "
                   r"$$d\sum_{i} x_i - \sum_i x_i = (d-1)\sum_i x_i$$" "\n\n"
                   r"$$\frac{1}{k}\, k\sum_{i} x_i^2 = \sum_i x_i^2$$")
    assert [s.verdict for s in report.steps] == ["valid", "valid"]
    d, x = 3, np.array([1.0, 2.0])
    assert d * x.sum() - x.sum() == (d - 1) * x.sum()


def test_a_primed_label_on_the_right_is_a_label_not_a_crash():
    s = check("$$2x = g'(x)$$").steps[0]
    assert s.verdict == "unverified" and "label" in s.reason


def test_standing_and_local_conditions_that_speak_of_the_same_names():
    report = check(r"Assume $x > |y|$. For $x < 0$, $$\max(x,0) = x$$" "\n\n"
                   r"Let $\lambda>0$ and assume $x>\lambda$. Then "
                   r"$$\operatorname{sign}(x)\max(|x|-\lambda,0) = x-\lambda$$")
    assert [s.verdict for s in report.steps] == ["invalid", "valid-where"]
    x = float(exact(report.steps[0].counterexample.values["x"]))
    assert x < 0 and max(x, 0) != x
    for lam, x in ((0.5, 0.7), (2.0, 5.0)):
        assert np.sign(x) * max(abs(x) - lam, 0) == pytest.approx(x - lam)


# ---- review 13 ----------------------------------------------------------------------------

def test_a_partial_along_one_entry_beside_a_sum_over_all_of_them_is_not_read():
    report = check("$$\\frac{\\partial}{\\partial x_1}\\left(x_1^2 + \\sum_i x_i^2\\right) = 2x_1$$\n"
                   "$$\\frac{\\partial}{\\partial x_1}\\sum_i |x_i| = 0$$\n$$\\frac{\\partial}{\\partial x_1}\\max_i x_i = 0$$\n"
                   "$$\\frac{\\partial}{\\partial x_1}\\max(x_1,x_2) = H(x_1-x_2)$$")
    assert [s.verdict for s in report.steps] == ["unverified", "unverified", "unverified", "valid-where"]
    # each of the first three is false, so 'valid' there would have been wrong
    x = np.array([[1.0], [2.0]])
    assert numeric_gradient(lambda v: v[0, 0] ** 2 + float(np.sum(v ** 2)), x)[0, 0] == pytest.approx(4)


@pytest.mark.parametrize("post", [
    "For all $x > 0$, $$|x| = x$$",
    "We have, for all $x>0$, $$\\max(x,0)=x$$",
    "For any real $x>0$, $$\\frac{d}{dx}|x|=1$$",
    "For every positive $x>0$, $$\\operatorname{sign}(x) = 1$$",
])
def test_quantified_conditions_after_for(post):
    s = check(post).steps[0]
    assert s.verdict == "valid-where" and "x>0" in s.condition["text"].replace(" ", "")
    for x in (0.1, 2.0, 7.5):
        assert abs(x) == x and max(x, 0) == x and np.sign(x) == 1 and quotient(abs, x, 1e-7) == pytest.approx(1)


def test_standing_conditions_are_dropped_only_where_they_clash_with_a_local_one():
    report = check("Let $x > y$. For $x > 0$, $$\\max(x,y) = x$$\n\n"
                   "Assume $x>0$. For $x<1$, $$\\sqrt{x^2}=x$$\n\n"
                   "Assume $x > |y|$. For $x < 0$, $$\\max(x,0) = x$$")
    assert [s.verdict for s in report.steps] == ["valid-where", "valid-where", "invalid"]
    assert "x > y" in report.steps[0].condition["text"]
    for x, y in ((2.0, 1.0), (0.5, -3.0)):
        assert max(x, y) == x
    x = float(exact(report.steps[2].counterexample.values["x"]))
    assert x < 0 and max(x, 0) != x


def test_dx_i_inside_a_sum_is_an_entry_of_dx():
    report = check("$$d\\sum_i x_i^2 = \\sum_i 2x_i\\,dx_i$$\n$$d\\sum_i x_i^2 = \\sum_i x_i\\,dx_i$$\n"
                   "Let $f(x) = \\sum_i |x_i|$. Then $$df = \\sum_i \\operatorname{sign}(x_i)\\,dx_i$$")
    assert [s.verdict for s in report.steps] == ["valid", "invalid", "definition", "valid-where"]
    x, d = RNG.normal(size=(3, 1)), RNG.normal(size=(3, 1))
    slope = one_sided(lambda v: float(np.sum(v ** 2)), x, d)
    assert slope == pytest.approx(float(np.sum(2 * x * d)), abs=1e-5)
    assert abs(slope - float(np.sum(x * d))) > 1e-3
