"""SymPy objects as input to the Python API (issue 14).

A SymPy expression is read structurally (symderiv/from_sympy.py), so it must give the
same analysis as its LaTeX spelling: the JSON output is compared whole, apart from the
reading notes (which quote the LaTeX that was read).  Every gradient the analysis gives,
as a SymPy object, is checked against NumPy central differences of a function written
by hand here, at random points.  Points given as lists, NumPy arrays and SymPy matrices
give identical answers; sympy.latex's printing of the same objects reads back the same.
"""
from __future__ import annotations

import json

import numpy as np
import pytest
import sympy as sp
from sympy.matrices.expressions.hadamard import HadamardProduct, hadamard_power

import symderiv
from symderiv.api import analyze
from symderiv.errors import InputError, Unsupported
from symderiv.render import json_out
from tests.oracle import numeric_gradient

x, y = sp.symbols("x y")
X = sp.MatrixSymbol("X", 2, 2)
A = sp.MatrixSymbol("A", 2, 2)
v = sp.MatrixSymbol("v", 2, 1)
relu = X.applyfunc(lambda t: sp.Max(t, 0))
AVAL = np.array([[2.0, -1.0], [0.5, 3.0]])
A_LET = {"A": [[2, -1], [1 / 2, 3]]}


def _relu(M):
    return np.maximum(M, 0)


# (SymPy object, its LaTeX spelling, keyword arguments for both, f in NumPy on the variable)
CASES = [
    (sp.Abs(x), r"|x|", {}, lambda p: abs(p[0])),
    (sp.Max(x, 0), r"\max(0, x)", {}, lambda p: max(p[0], 0)),
    (sp.Min(x, y), r"\min(x, y)", {"wrt": [x, y]}, lambda p: min(p[0], p[1])),
    (y * sp.Abs(x), r"y |x|", {"wrt": [x, y]}, lambda p: p[1] * abs(p[0])),
    (x * sp.Heaviside(x), r"x H(x)", {}, lambda p: p[0] * (p[0] > 0)),
    (x ** 2 * sp.sign(x), r"x^2 \operatorname{sign}(x)", {}, lambda p: p[0] ** 2 * np.sign(p[0])),
    (sp.Piecewise((x ** 2, x > 0), (0, True)),
     r"\begin{cases} x^2 & x > 0 \\ 0 & \text{otherwise} \end{cases}", {}, lambda p: p[0] ** 2 * (p[0] > 0)),
    (sp.exp(sp.Abs(x)), r"\exp(|x|)", {}, lambda p: np.exp(abs(p[0]))),
    (sp.log(1 + x ** 2), r"\log(1 + x^2)", {}, lambda p: np.log(1 + p[0] ** 2)),
    (sp.sin(sp.Abs(x)), r"\sin(|x|)", {}, lambda p: np.sin(abs(p[0]))),
    (sp.sqrt(x ** 2 + y ** 2), r"\sqrt{x^2 + y^2}", {"wrt": [x, y]}, lambda p: np.hypot(p[0], p[1])),
    (sp.Max(sp.Abs(x), 2 * x ** 2), r"\max(|x|, 2 x^2)", {}, lambda p: max(abs(p[0]), 2 * p[0] ** 2)),
    (sp.Abs(x) + sp.Abs(y), r"|x| + |y|", {"wrt": (x, y)}, lambda p: abs(p[0]) + abs(p[1])),
    (sp.Max(x, y, 0), r"\max(0, x, y)", {"wrt": [x, y]}, lambda p: max(p[0], p[1], 0)),
    (sp.cos(x) * sp.Abs(sp.sin(x)), r"\cos(x) |\sin(x)|", {}, lambda p: np.cos(p[0]) * abs(np.sin(p[0]))),
    (sp.tanh(sp.Max(x, 0)), r"\tanh(\max(0, x))", {}, lambda p: np.tanh(max(p[0], 0))),
    (sp.Piecewise((x, x < 1), (1, True)), r"\begin{cases} x & x < 1 \\ 1 & \text{otherwise} \end{cases}", {},
     lambda p: min(p[0], 1)),
    (sp.Abs(x) ** 3, r"|x|^3", {}, lambda p: abs(p[0]) ** 3),
    (sp.Abs(x - 1) * sp.Abs(x + 1), r"|x - 1| |x + 1|", {}, lambda p: abs(p[0] - 1) * abs(p[0] + 1)),
    (sp.Heaviside(x - 1), r"H(x - 1)", {}, lambda p: float(p[0] > 1)),
    (x * sp.sign(x), r"x \operatorname{sign}(x)", {}, lambda p: abs(p[0])),
    (sp.Rational(1, 2) * x ** 2 - 3 * sp.Abs(y), r"\frac{1}{2} x^2 - 3 |y|", {"wrt": [x, y]},
     lambda p: p[0] ** 2 / 2 - 3 * abs(p[1])),
    (sp.Trace(X.T * X), r"\operatorname{tr}(X^T X)", {}, lambda M: np.sum(M * M)),
    (sp.Trace(X.T * A * X), r"\operatorname{tr}(X^T A X)", {"wrt": X, "let": A_LET},
     lambda M: np.trace(M.T @ AVAL @ M)),
    (sp.Trace(HadamardProduct(A, X)), r"\operatorname{tr}(A \odot X)", {"wrt": X, "let": A_LET},
     lambda M: np.trace(AVAL * M)),
    (sp.Trace(relu.T * relu), r"\operatorname{tr}(\max(0, X)^T \max(0, X))", {},
     lambda M: np.sum(_relu(M) ** 2)),
    (sp.Trace(X.applyfunc(sp.sin)), r"\operatorname{tr}(\sin(X))", {}, lambda M: np.trace(np.sin(M))),
    (sp.Trace(X.applyfunc(sp.Abs)), r"\operatorname{tr}(|X|)", {}, lambda M: np.trace(abs(M))),
    (sp.Trace(X.applyfunc(sp.exp)), r"\operatorname{tr}(\exp(X))", {}, lambda M: np.trace(np.exp(M))),
    (sp.Trace(X * X), r"\operatorname{tr}(X X)", {}, lambda M: np.trace(M @ M)),
    (sp.Abs(sp.Determinant(X)), r"|\det(X)|", {}, lambda M: abs(np.linalg.det(M))),
    (sp.Trace(HadamardProduct(X, X)), r"\operatorname{tr}(X \odot X)", {}, lambda M: np.trace(M * M)),
    (sp.Trace(hadamard_power(X, 3)), r"\operatorname{tr}(X^{\circ 3})", {}, lambda M: np.trace(M ** 3)),
    (v.T * A * v, r"v^T A v", {"wrt": v, "let": A_LET}, lambda u: (u.T @ AVAL @ u)[0, 0]),
    (X[0, 0] * sp.Abs(X[1, 1]), r"{X}_{0,0} |{X}_{1,1}|", {}, lambda M: M[0, 0] * abs(M[1, 1])),
    (sp.Trace(X.applyfunc(lambda t: t * sp.Max(t, 0))), r"\operatorname{tr}(X \odot \max(0, X))", {},
     lambda M: np.trace(M * _relu(M))),
]
IDS = [c[1] for c in CASES]


def _latex_kwargs(obj, kw):
    """The LaTeX spelling's keywords: the variable by name, and the shape a MatrixSymbol carries."""
    out = dict(kw)
    wrt = kw.get("wrt")
    if wrt is not None:
        out["wrt"] = ",".join(w.name for w in wrt) if isinstance(wrt, (list, tuple)) else wrt.name
        if isinstance(wrt, sp.MatrixSymbol):
            out["shape"] = tuple(int(d) for d in wrt.shape)
    else:
        mats = [s for s in obj.free_symbols if isinstance(s, sp.MatrixSymbol)]
        if mats:
            out["shape"] = tuple(int(d) for d in mats[0].shape)
    return out


def _json(a) -> dict:
    out = json.loads(json_out.render(a))
    out.pop("assumptions")             # the reading notes quote the LaTeX that was read
    return out


VERDICT_FIELDS = ("expression", "variable", "differentiable_everywhere", "domain", "nondifferentiable_set",
                  "gradient", "continuous", "discontinuity_set", "smoothness", "convex", "hessian",
                  "gradient_nondifferentiable_set")


def _point_value(shape, rng):
    return rng.normal(size=shape) * 1.5


def _gradient_at(a, obj, kw, P):
    """The SymPy gradient of the analysis at P, as a float array shaped like P."""
    g = a.gradient_sympy
    assert g is not None, "the gradient has a SymPy form for every case here"
    wrt = kw.get("wrt")
    let = kw.get("let", {})
    subs = {A: sp.Matrix(AVAL.tolist())} if "A" in let else {}
    if isinstance(wrt, (list, tuple)):
        subs.update({s: float(P[i, 0]) for i, s in enumerate(wrt)})
    else:
        var = wrt if wrt is not None else next(iter(s for s in obj.free_symbols if s not in (A,)))
        subs[var] = sp.Matrix(P.tolist()) if isinstance(var, sp.MatrixSymbol) else float(P[0, 0])
    val = g.xreplace(subs) if not isinstance(g, sp.MatrixBase) else g.subs(subs)
    val = val.doit() if hasattr(val, "doit") else val
    if getattr(val, "is_Matrix", False):
        val = sp.Matrix(val.as_explicit() if hasattr(val, "as_explicit") else val)
        return np.array(val.evalf(), dtype=float).reshape(P.shape)
    return np.full(P.shape, float(val))


@pytest.mark.parametrize("obj,tex,kw,f", CASES, ids=IDS)
def test_sympy_gives_the_analysis_of_its_latex_and_a_right_gradient(obj, tex, kw, f):
    a = analyze(obj, **kw)
    b = analyze(tex, **_latex_kwargs(obj, kw))
    assert _json(a) == _json(b)
    # the gradient, as SymPy, against central differences at random points (off the kinks
    # with probability one)
    rng = np.random.default_rng(abs(hash(tex)) % 2 ** 32)
    wrt = kw.get("wrt")
    if isinstance(wrt, (list, tuple)):
        shape = (len(wrt), 1)
    else:
        var = wrt if wrt is not None else next(s for s in obj.free_symbols if s != A)
        shape = tuple(int(d) for d in var.shape) if isinstance(var, sp.MatrixSymbol) else (1, 1)
    fn = (lambda P: f(P[:, 0])) if isinstance(wrt, (list, tuple)) or shape == (1, 1) else f
    for _ in range(3):
        P = _point_value(shape, rng)
        G = _gradient_at(a, obj, kw, P)
        N = numeric_gradient(fn, P)
        assert np.allclose(G, N, atol=1e-5, rtol=1e-5), (P, G, N)


def test_points_as_lists_arrays_and_sympy_matrices_give_identical_answers():
    f = sp.Trace(relu.T * relu) + sp.Trace(X.applyfunc(sp.Abs))
    forms = [[[0, -2], [1, 1 / 2]], np.array([[0, -2], [1, 0.5]]), sp.Matrix([[0, -2], [1, sp.Rational(1, 2)]]),
             np.array([[0, -2], [1, 0.5]], dtype=object)]
    outs = [json_out.render(analyze(f, at=p)) for p in forms]
    assert all(o == outs[0] for o in outs[1:])
    a = analyze(f, at=forms[0])
    assert a.point.differentiable is False          # |x_11| of the trace at x_11 = 0
    P = np.array([[0, -2], [1, 0.5]])
    fn = lambda M: np.sum(np.maximum(M, 0) ** 2) + np.trace(abs(M))
    E = np.zeros((2, 2))
    E[0, 0] = 1e-6
    assert abs((fn(P + E) - fn(P)) / 1e-6 + (fn(P - E) - fn(P)) / 1e-6) > 1e-3     # a kink along x_11
    # and the same with the point's text, as the CLI reads it
    assert json.loads(json_out.render(analyze(f, at="[[0, -2], [1, 1/2]]")))["at"]["value_exact"] == \
        json.loads(outs[0])["at"]["value_exact"]
    # the value checked by hand: 0 + 0 + 1 + 1/4, plus |0| + |1/2| on the diagonal
    assert json.loads(outs[0])["at"]["value_exact"] == "7/4"
    # a vector point as a flat list, a column array and a SymPy column
    g = sp.Abs(x) + sp.Max(x, y)
    outs = [json_out.render(analyze(g, wrt=[x, y], at=p)) for p in ([1, 2], np.array([[1], [2]]), sp.Matrix([1, 2]))]
    assert all(o == outs[0] for o in outs[1:])
    G = np.array(json.loads(outs[0])["at"]["gradient"], dtype=float).ravel()
    assert np.allclose(G, numeric_gradient(lambda P: abs(P[0, 0]) + max(P[0, 0], P[1, 0]), np.array([[1.0], [2.0]])))


def test_api_errors_name_the_keyword_not_the_cli_option():
    with pytest.raises(InputError, match=r"A needs a value: let=\{'A': \.\.\.\}"):
        analyze(sp.Trace(A * X), wrt=X, at=np.eye(2))
    with pytest.raises(InputError, match=r"^let\['A'\]: rows of different lengths"):
        analyze(sp.Trace(A * X), wrt=X, let={"A": [[1, 2], [3]]})
    with pytest.raises(InputError, match=r"^at: expected numbers, got str"):
        analyze(sp.Abs(x), at=[["a"]])
    with pytest.raises(InputError, match=r"^direction needs a point: give at"):
        analyze(sp.Abs(x), direction=[1])
    with pytest.raises(Unsupported, match="Integral"):
        analyze(sp.Integral(x, x))
    # the CLI's wording stays for the CLI's text arguments
    with pytest.raises(InputError, match="--let A="):
        analyze(r"\operatorname{tr}(A X)", wrt="X", at="[[1,0],[0,1]]")


def test_results_give_sympy_objects():
    a = analyze(sp.Abs(x) * y, wrt=[x, y])
    assert a.nondifferentiable_set_sympy == sp.And(sp.Eq(x, 0), sp.Ne(y, 0))
    assert a.differentiable_everywhere is False
    b = analyze(sp.Trace(X.applyfunc(sp.Abs)))
    # entry by entry on a 2x2 X: where a diagonal entry is 0 (the trace sees no other)
    assert b.nondifferentiable_set_sympy == sp.Or(sp.Eq(X[0, 0], 0), sp.Eq(X[1, 1], 0))
    for P, fails in (([[0, 1], [1, 1]], True), ([[1, 0], [0, 1]], False)):
        M = np.array(P, dtype=float)
        slopes = [(np.trace(abs(M + t * E)) - np.trace(abs(M))) / t for E in (np.eye(2),) for t in (1e-6, -1e-6)]
        assert (abs(slopes[0] - slopes[1]) > 1e-3) == fails
        assert bool(b.nondifferentiable_set_sympy.subs({X: sp.Matrix(P)}).doit()) == fails
    assert analyze(sp.Trace(X.T * X)).nondifferentiable_set_sympy is sp.false
    assert sp.simplify(analyze(sp.Max(x, 0) ** 2).hessian_sympy(sp.Integer(1)).subs(x, 2) - 2) == 0


def test_sympy_latex_of_the_objects_reads_back_the_same():
    """What sympy.latex prints for them (its elementwise maps, \\theta for Heaviside,
    {X}_{0,0} for entries) is read as the objects themselves."""
    skip_printed = {r"x H(x)"}          # sympy.latex prints Heaviside(x) as \theta(x): read as H too
    n, bad = 0, []
    for obj, tex, kw, _ in CASES:
        if tex in skip_printed:
            continue
        printed = sp.latex(obj)
        a = _json(analyze(obj, **kw))
        b = _json(analyze(printed, **_latex_kwargs(obj, kw)))
        # the verdict's fields: sympy.latex may print Max's arguments in another order,
        # which the routes' step-by-step text follows
        bad += [(printed, key) for key in VERDICT_FIELDS if key != "expression" and a[key] != b[key]]
        n += 1
    assert not bad
    assert n >= 30


def test_a_one_by_one_matrix_as_sympy_prints_it():
    printed = sp.latex((v.T * v).as_explicit())            # \left[\begin{matrix}...\end{matrix}\right]
    assert r"\begin{matrix}" in printed
    a = analyze(printed, wrt="v")
    assert a.differentiable_everywhere
    P = np.array([[0.3], [-1.2]])
    G = np.array(analyze(printed, wrt="v", at=P).point.gradient, dtype=float)
    assert np.allclose(G, numeric_gradient(lambda u: float(u[0, 0] ** 2 + u[1, 0] ** 2), P))
    with pytest.raises(InputError, match="unsupported environment matrix"):
        analyze(r"\left[\begin{matrix}x & 1\end{matrix}\right]")


def test_help_shows_the_docstrings():
    assert "SymPy" in symderiv.analyze.__doc__ and ">>>" in symderiv.analyze.__doc__
    assert symderiv.derive.__doc__ and symderiv.check.__doc__


def _support(data, D):
    """max <G, D> over the Clarke set given as SymPy data."""
    d = sp.Matrix(D.tolist())
    if data["form"] == "point":
        return float((data["value"].T * d)[0, 0])
    if data["form"] == "box":
        return float(sum(max(lo * di, hi * di) for lo, hi, di in zip(data["lower"], data["upper"], d)))
    if data["form"] == "hull":
        return max(float((g.T * d)[0, 0]) for g in data["generators"])
    if data["form"] == "ball":
        return float((data["center"].T * d)[0, 0] + data["radius"] * d.norm())
    raise AssertionError(data["form"])


@pytest.mark.parametrize("obj,point,f", [
    (sp.Abs(x) + sp.Abs(y), [0, 0], lambda p: abs(p[0]) + abs(p[1])),
    (sp.Max(x, y), [1, 1], lambda p: max(p[0], p[1])),
    (sp.sqrt(x ** 2 + y ** 2), [0, 0], lambda p: np.hypot(p[0], p[1])),
    (sp.Abs(x) + y ** 2, [1, 2], lambda p: abs(p[0]) + p[1] ** 2),
], ids=["box", "hull", "ball", "point"])
def test_the_clarke_set_as_sympy_data_has_the_support_of_the_directional_derivative(obj, point, f):
    """For these convex (or smooth) f, f'(p; D) is the support function of the Clarke set:
    checked along random directions by one-sided differences."""
    from tests import oracle
    data = analyze(obj, wrt=[x, y], at=point).point_subdifferential_sympy
    rng = np.random.default_rng(3)
    P = np.array(point, dtype=float)
    for _ in range(8):
        D = rng.normal(size=2)
        assert abs(oracle.one_sided(f, P, D) - _support(data, D)) < 1e-4


def test_at_and_let_take_python_values():
    """Analysis.at with a list, an array and a SymPy matrix answers as a fresh analysis;
    let takes SymPy symbols as keys and a function word for a letter."""
    f = sp.Trace(X.applyfunc(sp.Abs))
    first = analyze(f, at=[[1, 2], [3, 4]])
    for p in ([[0, 1], [1, 1]], np.array([[2.5, 0], [0, -1]]), sp.Matrix([[1, 0], [0, 0]])):
        again, fresh = first.at(p), analyze(f, at=p)
        assert json_out.render(again) == json_out.render(fresh)
        M = np.array(sp.Matrix(p).tolist(), dtype=float) if isinstance(p, sp.MatrixBase) else np.array(p, float)
        kink = any(M[i, i] == 0 for i in range(2))
        assert again.point.differentiable is (not kink)
        if not kink:
            G = np.array(again.point.gradient, dtype=float)
            assert np.allclose(G, numeric_gradient(lambda P: np.trace(abs(P)), M), atol=1e-6)
    lam = sp.Symbol("lambda")
    a = analyze(lam * sp.Abs(x), wrt=x, let={lam: 2}, at=sp.Rational(1, 3))
    assert a.point.gradient.tolist() == [[2]]
    assert abs((2 * abs(1 / 3 + 1e-6) - 2 * abs(1 / 3 - 1e-6)) / 2e-6 - 2) < 1e-6
    b = analyze(r"\sigma(x)", let={"sigma": "abs"}, at=-2)
    assert b.point.gradient.tolist() == [[-1]]          # |x| at -2, slope -1
