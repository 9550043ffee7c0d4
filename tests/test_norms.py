"""The p-norms of vectors and the induced 1- and ∞-norms of matrices (issue 13).

‖x‖_1, ‖x‖_∞, ‖x‖_p (a given p > 1) of a vector and, on a matrix, ‖X‖_1 = max_j Σ_i |x_ij|
and ‖X‖_∞ = max_i Σ_j |x_ij| (the induced norms, as NumPy and MATLAB).  Every claim is
checked against an independent NumPy oracle: values against np.linalg.norm with the same
ord, gradients against central differences, and each Clarke set through its support
function, which for these convex functions must equal the one-sided difference quotient
f'(X; D) in every direction (a set too small or too large fails in some direction)."""
from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from symderiv.api import analyze
from symderiv.errors import SymderivError
from tests import oracle

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


def _vec(f):
    """A NumPy function of a column vector, given one of a flat vector."""
    return lambda X: f(np.asarray(X, dtype=float).ravel())


NORM1 = _vec(lambda v: np.linalg.norm(v, 1))
NORMINF = _vec(lambda v: np.linalg.norm(v, np.inf))


def pnorm(p):
    return _vec(lambda v: np.linalg.norm(v, p))


def induced(order):
    return lambda X: np.linalg.norm(np.asarray(X, dtype=float), order)


def _text(point) -> str:
    rows = ",".join("[" + ",".join(str(Fraction(v)) for v in row) + "]" for row in point)
    return "[" + rows + "]"


def _floats(a) -> np.ndarray:
    return np.array([[float(sp.sympify(v)) if not isinstance(v, (int, Fraction)) else float(v) for v in row]
                     for row in np.asarray(a, dtype=object)])


def _random_directions(shape, rng, count):
    """Integer directions (exact for the set's support function), with the axes first."""
    out = []
    for idx in np.ndindex(shape):
        E = np.zeros(shape, dtype=int)
        E[idx] = 1
        out += [E, -E]
    while len(out) < count:
        D = rng.integers(-4, 5, size=shape)
        if D.any():
            out.append(D)
    return out


def check_value(a, f, X):
    assert float(sp.sympify(a.point.value)) == pytest.approx(f(np.array(X, dtype=float)), rel=1e-12, abs=1e-12)


def check_gradient(tex, f, X, **kw):
    """Differentiable at X, with the gradient of central differences."""
    a = analyze(tex, at=_text(X), **kw)
    assert a.point.differentiable is True
    check_value(a, f, X)
    G = _floats(a.point.gradient)
    assert np.allclose(G, oracle.numeric_gradient(f, np.array(X, dtype=float)), atol=1e-6)
    return a


def check_clarke(tex, f, X, count=50, seed=0, **kw):
    """Not differentiable at X; the Clarke set's support function equals the one-sided
    difference quotient in the axes and in random directions (f convex: ∂f is the set
    whose support function is f'(X; ·)); gradients sampled near X lie in the set."""
    a = analyze(tex, at=_text(X), **kw)
    assert a.convexity.convex is True
    p = a.point
    assert p.differentiable is False
    check_value(a, f, X)
    S = p.subdifferential
    assert S is not None and getattr(S, "decided", True), S
    X = np.array(X, dtype=float)
    rng = np.random.default_rng(seed)
    for D in _random_directions(X.shape, rng, count):
        have = float(S.support([sp.Integer(int(d)) for d in D.flat]))
        want = oracle.one_sided(f, X, D.astype(float))
        assert have == pytest.approx(want, abs=1e-6), (D, have, want)
    for _ in range(20):
        Y = X + 1e-3 * rng.standard_normal(X.shape)
        G = oracle.clean_gradient(f, Y, 1e-8)
        if G is not None:
            assert S.contains(G, tol=1e-4), (Y, G)
    return a


def cli(*args) -> tuple[int, str]:
    r = subprocess.run([sys.executable, "-m", "symderiv", *args], capture_output=True, text=True, cwd=ROOT,
                       timeout=600)
    return r.returncode, r.stdout + r.stderr


# ------------------------------------------------------------------ vectors: ‖x‖_1

def test_l1_symbolic_size_verdict_and_gradient():
    a = analyze(r"\|x\|_1")
    assert a.problem.var.shape[1] == 1 and not isinstance(a.problem.var.shape[0], int)
    assert a.verdict.differentiable_everywhere is False
    code, out = cli("diff", r"\|x\|_1")
    assert code == 0
    assert "not differentiable where x_i = 0 for some i" in out
    assert "∇f(x) = sign(x)" in out
    assert a.convexity.convex is True
    # the claim 'sign(x) off the zeros' against differences at random points of a size
    rng = np.random.default_rng(1)
    for _ in range(3):
        X = rng.integers(-9, 10, size=(4, 1))
        X[X == 0] = 3
        G = oracle.numeric_gradient(NORM1, X.astype(float))
        assert np.allclose(G, np.sign(X), atol=1e-6)
        check_gradient(r"\|x\|_1", NORM1, X.tolist())


def test_l1_at_zeros_is_the_box():
    a = check_clarke(r"\|x\|_1", NORM1, [[0], [2], [0]])
    assert a.point.subdifferential.form == "box"


def test_l1_at_the_origin_is_the_cube():
    a = check_clarke(r"\|x\|_1", NORM1, [[0], [0], [0]])
    S = a.point.subdifferential
    assert S.form == "box"
    assert [int(v) for v in S.lower.flat] == [-1, -1, -1] and [int(v) for v in S.upper.flat] == [1, 1, 1]


@pytest.mark.parametrize("tex", [r"\left\|x\right\|_1", r"\lVert x\rVert_1", r"\|x\|_{1}"])
def test_l1_spellings(tex):
    check_clarke(tex, NORM1, [[0], [-1]], count=20)


# ------------------------------------------------------------------ vectors: ‖x‖_∞

@pytest.mark.parametrize("tex", [r"\|x\|_\infty", r"\|x\|_{\infty}", r"\left\|x\right\|_\infty",
                                 r"\lVert x\rVert_{\infty}"])
def test_linf_is_read_as_the_largest_absolute_entry(tex):
    a = analyze(tex)
    assert a.verdict.differentiable_everywhere is False
    assert a.convexity.convex is True
    code, out = cli("diff", tex)
    assert code == 0 and "f(x) = max_i |x_i|" in out
    assert "attained more than once" in out
    rng = np.random.default_rng(2)
    X = rng.permutation(np.array([[5], [-2], [1], [3]]))       # a unique largest |x_i|
    check_gradient(tex, NORMINF, X.tolist())


@pytest.mark.parametrize("X", [[[3], [-3], [1]], [[0], [0], [0]], [[2], [0], [-2]], [[-4], [1], [4]]])
def test_linf_at_ties_and_zeros(X):
    a = check_clarke(r"\|x\|_\infty", NORMINF, X)
    assert a.point.subdifferential.form == "hull"


# ------------------------------------------------------------------ vectors: ‖x‖_p

@pytest.mark.parametrize("tex,p", [(r"\|x\|_3", 3), (r"\|x\|_{3/2}", 1.5), (r"\|x\|_{1.5}", 1.5),
                                   (r"\|x\|_{4}", 4)])
def test_pnorm_gradient_at_random_points(tex, p):
    a = analyze(tex)
    assert a.convexity.convex is True
    assert a.verdict.differentiable_everywhere is False
    rng = np.random.default_rng(3)
    for _ in range(2):
        X = rng.integers(-5, 6, size=(3, 1))
        X[0, 0] = X[0, 0] or 1
        check_gradient(tex, pnorm(p), X.tolist())


def test_pnorm_verdict_in_words():
    code, out = cli("diff", r"\|x\|_{3/2}")
    assert code == 0
    assert "f(x) = ‖x‖_{3/2}" in out
    assert "Verdict: not differentiable where x = 0." in out
    assert "convex: yes" in out


@pytest.mark.parametrize("X", [[[0], [4]], [[0], [-1], [2]]])
def test_pnorm_is_differentiable_where_only_some_entries_vanish(X):
    check_gradient(r"\|x\|_{3/2}", pnorm(1.5), X)
    check_gradient(r"\|x\|_3", pnorm(3), X)


@pytest.mark.parametrize("tex,p,q", [(r"\|x\|_3", 3, Fraction(3, 2)), (r"\|x\|_{3/2}", 1.5, 3),
                                     (r"\|x\|_4", 4, Fraction(4, 3))])
def test_pnorm_at_zero_is_the_dual_ball(tex, p, q):
    a = check_clarke(tex, pnorm(p), [[0], [0]], count=50)
    S = a.point.subdifferential
    assert S.fields()["kind"] == "norm-ball" and S.q == q

    def inside(v):
        return S.contains(np.array([[v], [v]], dtype=object))
    # not the Euclidean ball the 2-norm has there: (3/4, 3/4) lies outside that one and
    # (7/10, 7/10) inside; in the q-ball both lie exactly when q > 2
    assert S.contains(np.array([[1], [0]], dtype=object))
    assert inside(Fraction(3, 4)) == (q > 2) and inside(Fraction(7, 10)) == (q > 2)


def test_pnorm_directional_derivative_at_zero():
    a = analyze(r"\|x\|_{3/2}", at="[[0],[0]]", direction="[[1],[2]]")
    have = float(a.point_arbiter.directional)
    assert have == pytest.approx(oracle.one_sided(pnorm(1.5), np.zeros((2, 1)), np.array([[1.0], [2.0]])))


@pytest.mark.parametrize("tex,why", [(r"\|x\|_p", "letter"), (r"\|x\|_{1/2}", "p < 1"),
                                     (r"\|X\|_3", "induced 3-norm")])
def test_refusals_say_why(tex, why):
    with pytest.raises(SymderivError) as e:
        analyze(tex)
    assert why in str(e.value)


# ------------------------------------------------------------------ matrices: induced norms

def test_induced_one_norm_symbolic_and_said_in_words():
    a = analyze(r"\|X\|_1")
    assert not isinstance(a.problem.var.shape[0], int) and not isinstance(a.problem.var.shape[1], int)
    assert a.convexity.convex is True
    assert any("induced 1-norm" in n for n in a.notes)
    code, out = cli("diff", r"\|X\|_1")
    assert code == 0 and "f(X) = max_j (1^T |X|)_j" in out
    assert "the induced 1-norm, max_j sum_i |a_ij|" in out and r"\sum_{i,j}|a_{ij}|" in out
    code, out = cli("diff", r"\|X\|_1", "--format", "json")
    assert code == 0 and any("induced 1-norm" in n for n in json.loads(out)["assumptions"])
    # the LaTeX document (derive) lists how the input was read; diff's LaTeX fragment lists no notes
    code, out = cli("derive", r"\|X\|_\infty")
    assert code == 0 and "induced inf-norm" in out


@pytest.mark.parametrize("tex,order", [(r"\|X\|_1", 1), (r"\|X\|_\infty", np.inf), (r"\|X\|_{\infty}", np.inf)])
def test_induced_norm_value_and_gradient_at_random_points(tex, order):
    rng = np.random.default_rng(4)
    for shape in [(3, 2), (2, 4)]:
        X = rng.integers(-9, 10, size=shape)
        X[X == 0] = 5
        f = induced(order)
        sums = np.abs(X).sum(axis=0 if order == 1 else 1)
        if (sums == sums.max()).sum() > 1:
            continue
        check_gradient(tex, f, X.tolist())


@pytest.mark.parametrize("X", [[[1, -2], [0, 2]], [[0, 0], [0, 0]], [[0, 0, 1], [0, 0, 0]], [[1, -2], [-2, 1]],
                               [[1, 0], [0, -1], [1, 1]]])
def test_induced_one_norm_at_ties_and_zeros(X):
    f = induced(1)
    a = analyze(r"\|X\|_1", at=_text(X))
    if a.point.differentiable:
        check_gradient(r"\|X\|_1", f, X)
    else:
        check_clarke(r"\|X\|_1", f, X)


@pytest.mark.parametrize("X", [[[1, -2], [3, 0]], [[1, -2], [2, 1]], [[0, 0], [0, 0]], [[2, 0, -1], [0, 3, 0]]])
def test_induced_inf_norm_at_ties_and_zeros(X):
    f = induced(np.inf)
    a = analyze(r"\|X\|_\infty", at=_text(X))
    if a.point.differentiable:
        check_gradient(r"\|X\|_\infty", f, X)
    else:
        check_clarke(r"\|X\|_\infty", f, X)


def test_induced_norm_with_a_concrete_large_shape_costs_what_a_small_one_does():
    # the analysis is of the symbolic-size expression; a 12x10 point only evaluates it
    rng = np.random.default_rng(5)
    X = rng.integers(1, 50, size=(12, 10))
    X[:, 3] += 100              # a unique largest column sum, away from any tie
    check_gradient(r"\|X\|_1", induced(1), X.tolist())


# ------------------------------------------------------------------ compositions

A = [[1, 2], [0, 1], [3, -1]]
B = [[1], [0], [2]]


def _residual_l1(x):
    return np.linalg.norm(np.array(A, dtype=float) @ np.asarray(x, dtype=float).reshape(2, 1)
                          - np.array(B, dtype=float), 1)


def test_residual_l1_norm():
    let = [f"A={A}".replace(" ", ""), f"b={B}".replace(" ", "")]
    check_gradient(r"\|Ax-b\|_1", _residual_l1, [[2], [5]], wrt="x", let=let)
    # at x = (1, 0) the first two residuals vanish: a kink of two |.|'s at once
    check_clarke(r"\|Ax-b\|_1", _residual_l1, [[1], [0]], wrt="x", let=let)


def test_residual_inf_norm_at_a_tie():
    let = [f"A={A}".replace(" ", ""), f"b={B}".replace(" ", "")]

    def f(x):
        return np.linalg.norm(np.array(A, dtype=float) @ np.asarray(x, dtype=float).reshape(2, 1)
                              - np.array(B, dtype=float), np.inf)
    # the residual Ax - b is (1, 1, -3) at (0, 1): one largest |r_i|; (-2, -1, 2) at (1, -1): a tie
    check_gradient(r"\|Ax-b\|_\infty", f, [[0], [1]], wrt="x", let=let)
    check_clarke(r"\|Ax-b\|_\infty", f, [[1], [-1]], wrt="x", let=let)


def test_sum_of_the_two_induced_norms():
    def f(X):
        return induced(1)(X) + induced(np.inf)(X)
    a = analyze(r"\|X\|_1 + \|X\|_\infty")
    assert a.convexity.convex is True
    check_gradient(r"\|X\|_1 + \|X\|_\infty", f, [[4, -1], [2, 7]])
    check_clarke(r"\|X\|_1 + \|X\|_\infty", f, [[1, -2], [2, 1]])


# ------------------------------------------------------------------ powers of a p-norm

def test_square_of_a_pnorm_is_differentiable_at_zero_and_not_called_smooth():
    f = _vec(lambda v: np.linalg.norm(v, 3) ** 2)
    a = check_gradient(r"\|x\|_3^2", f, [[0], [0]])
    assert a.verdict.differentiable_everywhere is True
    # ‖x‖_3^2 is C^1 and not C^2 at 0 (its Hessian is homogeneous of degree 0, so it has
    # no limit there): the class must not be claimed C^∞ (the 2-norm's rule r^2 = Σ x^2)
    assert a.verdict.smoothness != "inf"
    # were f twice differentiable at 0, Q(D) = f''(0)[D, D] would be a quadratic form and
    # satisfy the parallelogram law Q(a + b) + Q(a - b) = 2 Q(a) + 2 Q(b); by differences it does not
    h = 1e-4

    def Q(d):
        return (f(h * d) + f(-h * d) - 2 * f(0 * d)) / h ** 2
    a_, b_ = np.array([[1.0], [0.0]]), np.array([[0.0], [1.0]])
    assert abs(Q(a_ + b_) + Q(a_ - b_) - 2 * Q(a_) - 2 * Q(b_)) > 0.5
    check_gradient(r"\|x\|_3^2", f, [[1], [-2]])


def test_a_root_of_a_pnorm_has_no_clarke_set_at_zero():
    f = _vec(lambda v: np.linalg.norm(v, 1.5) ** 0.5)
    a = analyze(r"\|x\|_{3/2}^{1/2}", at="[[0],[0]]")
    assert a.point.differentiable is False and a.point.subdifferential is None
    D = np.array([[1.0], [2.0]])
    quotients = [f(h * D) / h for h in (1e-2, 1e-4, 1e-6)]
    assert quotients[0] < quotients[1] < quotients[2] and quotients[2] > 100      # an infinite slope


def test_analysis_at_another_point_keeps_the_convex_reading():
    # Analysis.at reuses the verdict and the curvature: the hull at a tie must come out as
    # from a fresh analysis there
    f = induced(1)
    first = analyze(r"\|X\|_1", at="[[1,2],[3,4]]")
    again = first.at("[[1,-2],[-2,1]]")
    fresh = check_clarke(r"\|X\|_1", f, [[1, -2], [-2, 1]])
    assert again.point.differentiable is False
    rng = np.random.default_rng(6)
    for D in _random_directions((2, 2), rng, 30):
        d = [sp.Integer(int(v)) for v in D.flat]
        assert sp.simplify(again.point.subdifferential.support(d) - fresh.point.subdifferential.support(d)) == 0
