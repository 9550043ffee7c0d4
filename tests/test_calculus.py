"""calculus: reverse-mode adjoints and forward-mode directional derivatives, in matrix
notation.  Each formula is evaluated exactly (evaluate.Evaluator) at fixed random
rational points off the kinks and compared with central differences of a NumPy
function written by hand; both partials (sign form, Piecewise) and both modes must
agree with the differences."""
from __future__ import annotations

import random
from fractions import Fraction as Fr

import numpy as np
import pytest
import sympy as sp

from symderiv import calculus
from symderiv import expr as E
from symderiv.build import build
from symderiv.evaluate import Evaluator, bind_dims
from symderiv.parse import parse
from tests import oracle

relu = lambda a: np.maximum(a, 0)  # noqa: E731
A3x2 = [[1, 2], [0, -1], [3, 1]]


def rational_matrix(shape, rng, lo=-3, hi=3, den=7):
    """Entries (odd)/(2 den) from a seeded generator.  A point on a kink would show: the
    exact evaluation refuses a switch at 0 and the differences would disagree, so the
    fixed points the cases draw are known to be off the kinks."""
    out = np.empty(shape, dtype=object)
    for idx in np.ndindex(shape):
        out[idx] = Fr(rng.randrange(lo * den, hi * den) * 2 + 1, 2 * den)
    return out


def problem(latex, x, lets):
    values = {k: np.array(v, dtype=object) for k, v in lets.items()}
    values = {**values, "X": x}
    prob = build(parse(latex).term, latex, values=values)
    # the variable may be written x or X: bind the point to whichever name was read
    name = prob.var.name
    values = {**{k: v for k, v in values.items() if k != "X"}, name: x}
    return prob, Evaluator(values, bind_dims(prob.f, values))


def as_float(a):
    return np.array([[float(sp.N(sp.sympify(v))) if not isinstance(v, (int, Fr)) else float(v) for v in row]
                     for row in np.asarray(a, dtype=object)])


# latex, lets, shape of the variable, f written by hand in NumPy
CASES = [
    (r"\|\max(AX,0)\|_F^2", {"A": A3x2}, (2, 2), lambda X: np.sum(relu(np.array(A3x2) @ X) ** 2)),
    (r"\operatorname{tr}(X^TX)", {}, (2, 3), lambda X: np.trace(X.T @ X)),
    (r"\langle A, X\circ X\rangle", {"A": [[1, -2], [3, 5]]}, (2, 2),
     lambda X: np.sum(np.array([[1, -2], [3, 5]]) * X * X)),
    (r"\|X\|_F", {}, (2, 2), lambda X: np.linalg.norm(X)),
    (r"\det(X)", {}, (3, 3), lambda X: np.linalg.det(X)),
    (r"\log\det(X)", {}, (2, 2), lambda X: np.log(np.linalg.det(X))),
    (r"\operatorname{tr}(X^{-1})", {}, (2, 2), lambda X: np.trace(np.linalg.inv(X))),
    (r"\sum_{i,j}|x_{ij}|", {}, (2, 2), lambda X: np.sum(np.abs(X))),
    (r"\exp(\|\sigma(X)\|_F^2)", {}, (2, 2), lambda X: np.exp(np.sum(relu(X) ** 2))),
    (r"(x^T x)^2", {}, (3, 1), lambda x: float(np.sum(x * x)) ** 2),
    (r"\log\sum_j \exp(x_j)", {}, (3, 1), lambda x: np.log(np.sum(np.exp(x)))),
    (r"\langle J, \max(A,X)\rangle", {"A": [[0, 1], [-1, 2]]}, (2, 2),
     lambda X: np.sum(np.maximum(np.array([[0, 1], [-1, 2]]), X))),
]
IDS = [c[0] for c in CASES]


def _point(latex, shape, k):
    rng = random.Random(f"{latex}/{k}")
    x = rational_matrix(shape, rng)
    if "det" in latex:
        # log det needs det > 0: a diagonally dominant matrix with a positive diagonal
        for i in range(shape[0]):
            x[i, i] = abs(x[i, i]) + shape[0] * 3
    return x


@pytest.mark.parametrize("latex,lets,shape,fn", CASES, ids=IDS)
@pytest.mark.parametrize("partial", [calculus.sign_partial, calculus.piecewise_partial], ids=["sign", "piecewise"])
def test_gradient_matches_central_differences(latex, lets, shape, fn, partial):
    for k in range(2):
        x = _point(latex, shape, k)
        prob, ev = problem(latex, x, lets)
        G = as_float(ev(calculus.gradient(prob.f, prob.var, partial)))
        X = x.astype(float)
        num = oracle.numeric_gradient(lambda Y: float(fn(Y)), X)
        assert G.shape == X.shape
        assert np.allclose(G, num, rtol=1e-5, atol=1e-5), (latex, G, num)


@pytest.mark.parametrize("latex,lets,shape,fn", CASES, ids=IDS)
def test_forward_mode_matches_one_sided_quotients(latex, lets, shape, fn):
    x = _point(latex, shape, 3)
    prob, ev = problem(latex, x, lets)
    rng = random.Random(latex)
    D = rational_matrix(shape, rng, -2, 2, 5)
    dname = "D_dir"
    dsym = E.Sym(dname, prob.var.shape)
    ev.values[dname] = D
    got = as_float(ev(calculus.directional(prob.f, prob.var, dsym)))[0, 0]
    want = oracle.one_sided(lambda Y: float(fn(Y)), x.astype(float), D.astype(float))
    assert abs(got - want) <= 1e-5 * (1 + abs(want)), (latex, got, want)


def test_skipping_a_norm_drops_exactly_its_contribution():
    # f = ||X||_F + tr(X): without the norm's adjoint the gradient is I, the gradient of tr
    latex = r"\|X\|_F + \operatorname{tr}(X)"
    x = _point(latex, (2, 2), 0)
    prob, ev = problem(latex, x, {})
    norm = next(n for n in E.walk(prob.f) if isinstance(n, E.FroNorm))
    adj = calculus.adjoints(prob.f, skip=frozenset({norm.key}))
    G = as_float(ev(adj[prob.var.key]))
    assert np.allclose(G, oracle.numeric_gradient(lambda Y: np.trace(Y), x.astype(float)), atol=1e-6)
    full = as_float(ev(calculus.adjoints(prob.f)[prob.var.key]))
    assert np.allclose(full, oracle.numeric_gradient(lambda Y: np.linalg.norm(Y) + np.trace(Y), x.astype(float)),
                       atol=1e-6)


def test_gradient_of_a_function_free_of_the_variable_is_zero_everywhere():
    latex = r"\|\max(AX,0)\|_F^2"
    x = _point(latex, (2, 2), 0)
    prob, ev = problem(latex, x, {"A": A3x2})
    A = next(s for s in E.symbols_of(prob.f) if s.name == "A")
    G = as_float(ev(calculus.gradient(prob.f, A)))
    # by differences in A, not X
    Xf = x.astype(float)
    num = oracle.numeric_gradient(lambda M: np.sum(relu(M @ Xf) ** 2), np.array(A3x2, float))
    assert np.allclose(G, num, atol=1e-5)
    other = E.Sym("Z", (sp.Integer(2), sp.Integer(2)))
    Z = as_float(ev(calculus.gradient(prob.f, other)))
    assert Z.shape == (2, 2) and not Z.any()


def test_adjoints_refuse_a_matrix_valued_function():
    X = E.Sym("X", (sp.Integer(2), sp.Integer(2)))
    with pytest.raises(ValueError):
        calculus.adjoints(E.apply("relu", X))


def test_the_two_partials_agree_off_the_switch_and_differ_only_in_form():
    p = sp.Symbol("p", real=True)
    e = sp.Max(p, 0) ** 2 + sp.Abs(p - 1)
    a, b = calculus.sign_partial(e, p), calculus.piecewise_partial(e, p)
    for v in (Fr(-5, 3), Fr(1, 2), Fr(7, 4)):
        h = 1e-7
        fd = (float(e.subs(p, float(v) + h)) - float(e.subs(p, float(v) - h))) / (2 * h)
        assert abs(float(a.subs(p, sp.Rational(v.numerator, v.denominator))) - fd) < 1e-5
        assert abs(float(b.subs(p, sp.Rational(v.numerator, v.denominator))) - fd) < 1e-5


def test_map_entrywise_rewrites_every_entrywise_node_and_keeps_the_rest():
    latex = r"\|\max(AX,0)\|_F^2"
    x = _point(latex, (2, 2), 1)
    prob, ev = problem(latex, x, {"A": A3x2})
    doubled = calculus.map_entrywise(prob.f, lambda e: 2 * e)
    v = ev(prob.f)[0, 0]
    w = Evaluator(ev.values, ev.dims)(doubled)[0, 0]
    assert w == 2 * v
    assert calculus.map_entrywise(prob.f, lambda e: e) == prob.f
