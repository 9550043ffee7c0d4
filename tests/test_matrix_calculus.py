"""Smooth matrix calculus: every gradient checked entry by entry, read from SymPy's LaTeX.

Each function is built as a SymPy matrix expression, printed with ``sympy.latex`` (as a
user would paste it), analysed by symderiv at random points with non-square shapes
wherever the expression allows, and its gradient compared with central differences of
an independent NumPy function.  SymPy's own matrix derivatives are not a reference:
in SymPy 1.14 d det(X^-1)/dX stays unevaluated and d exp(tr(XC))/dX comes out as 0.
"""
from __future__ import annotations

import zlib
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from symderiv import analyze
from symderiv.errors import InputError
from tests import oracle

# Shapes: X is 2x3 (non-square on purpose), S is square, vectors have 3 entries.
X = sp.MatrixSymbol("X", 2, 3)
S = sp.MatrixSymbol("S", 3, 3)
A = sp.MatrixSymbol("A", 2, 2)
B = sp.MatrixSymbol("B", 3, 3)
C = sp.MatrixSymbol("C", 3, 2)
D = sp.MatrixSymbol("D", 2, 3)
M = sp.MatrixSymbol("M", 3, 3)
a = sp.MatrixSymbol("a", 2, 1)
b = sp.MatrixSymbol("b", 3, 1)
c = sp.MatrixSymbol("c", 3, 1)
x = sp.MatrixSymbol("x", 3, 1)
y = sp.MatrixSymbol("y", 3, 1)

tr, det, inv = sp.Trace, sp.Determinant, (lambda m: m.inverse())
T = lambda m: m.T  # noqa: E731


def _t(m):
    return np.trace(m)


# name, SymPy expression, variable, NumPy f(variable, constants), constants used
CASES = [
    ("tr(X^T A X)", tr(X.T * A * X), "X", lambda X, k: _t(X.T @ k["A"] @ X), "A"),
    ("tr(X B X^T)", tr(X * B * X.T), "X", lambda X, k: _t(X @ k["B"] @ X.T), "B"),
    ("tr(A X B X^T)", tr(A * X * B * X.T), "X", lambda X, k: _t(k["A"] @ X @ k["B"] @ X.T), "AB"),
    ("tr(X C)", tr(X * C), "X", lambda X, k: _t(X @ k["C"]), "C"),
    ("tr(C X)", tr(C * X), "X", lambda X, k: _t(k["C"] @ X), "C"),
    ("tr(X^T X)", tr(X.T * X), "X", lambda X, k: _t(X.T @ X), ""),
    ("tr(X^T X)^2", tr(X.T * X) ** 2, "X", lambda X, k: _t(X.T @ X) ** 2, ""),
    ("sqrt tr(X^T X)", sp.sqrt(tr(X.T * X)), "X", lambda X, k: np.sqrt(_t(X.T @ X)), ""),
    ("tr(X X^T A)", tr(X * X.T * A), "X", lambda X, k: _t(X @ X.T @ k["A"]), "A"),
    ("a^T X b", a.T * X * b, "X", lambda X, k: (k["a"].T @ X @ k["b"]).item(), "ab"),
    ("(a^T X b)^2", (a.T * X * b) ** 2, "X", lambda X, k: (k["a"].T @ X @ k["b"]).item() ** 2, "ab"),
    ("tr(XC) tr(XCXC)", tr(X * C) * tr(X * C * X * C), "X",
     lambda X, k: _t(X @ k["C"]) * _t(X @ k["C"] @ X @ k["C"]), "C"),
    ("tr(XC)^3", tr(X * C) ** 3, "X", lambda X, k: _t(X @ k["C"]) ** 3, "C"),
    ("exp tr(XC)", sp.exp(tr(X * C)), "X", lambda X, k: np.exp(_t(X @ k["C"])), "C"),
    ("log(1 + tr(X^T X))", sp.log(1 + tr(X.T * X)), "X", lambda X, k: np.log(1 + _t(X.T @ X)), ""),
    ("tr(X o X)", tr(sp.HadamardProduct(X, X).T * D), "X", lambda X, k: _t((X * X).T @ k["D"]), "D"),
    ("tr((X o D) C)", tr(sp.HadamardProduct(X, D) * C), "X", lambda X, k: _t((X * k["D"]) @ k["C"]), "CD"),
    ("tr(X^T D)", tr(X.T * D), "X", lambda X, k: _t(X.T @ k["D"]), "D"),
    ("b^T X^T A X b", b.T * X.T * A * X * b, "X", lambda X, k: (k["b"].T @ X.T @ k["A"] @ X @ k["b"]).item(), "Ab"),
    ("tr(A X B X^T) + tr(X^T X)", tr(A * X * B * X.T) + tr(X.T * X), "X",
     lambda X, k: _t(k["A"] @ X @ k["B"] @ X.T) + _t(X.T @ X), "AB"),
    ("tr(X^T X)^(3/2)", tr(X.T * X) ** sp.Rational(3, 2), "X", lambda X, k: _t(X.T @ X) ** 1.5, ""),
    ("1/tr(X^T X)", 1 / tr(X.T * X), "X", lambda X, k: 1 / _t(X.T @ X), ""),
    ("tr(X C)/tr(X^T X)", tr(X * C) / tr(X.T * X), "X", lambda X, k: _t(X @ k["C"]) / _t(X.T @ X), "C"),
    ("cos tr(XC)", sp.cos(tr(X * C)), "X", lambda X, k: np.cos(_t(X @ k["C"])), "C"),
    ("tanh a^T X b", sp.tanh((a.T * X * b)[0, 0]), "X", lambda X, k: np.tanh((k["a"].T @ X @ k["b"]).item()), "ab"),
    ("arctan a^T X b", sp.atan((a.T * X * b)[0, 0]), "X", lambda X, k: np.arctan((k["a"].T @ X @ k["b"]).item()), "ab"),
    ("cosh tr(XC) + sinh tr(X^T D)", sp.cosh(tr(X * C)) + sp.sinh(tr(X.T * D)), "X",
     lambda X, k: np.cosh(_t(X @ k["C"])) + np.sinh(_t(X.T @ k["D"])), "CD"),
    # vectors
    ("x^T B x", x.T * B * x, "x", lambda x, k: (x.T @ k["B"] @ x).item(), "B"),
    ("x^T x", x.T * x, "x", lambda x, k: (x.T @ x).item(), ""),
    ("(x^T x)^2", (x.T * x) ** 2, "x", lambda x, k: (x.T @ x).item() ** 2, ""),
    ("sqrt(x^T x)", sp.sqrt((x.T * x)[0, 0]), "x", lambda x, k: np.sqrt((x.T @ x).item()), ""),
    ("x^T y", x.T * y, "x", lambda x, k: (x.T @ k["y"]).item(), "y"),
    ("(x^T y)^2", (x.T * y) ** 2, "x", lambda x, k: (x.T @ k["y"]).item() ** 2, "y"),
    ("x^T B x / x^T x", (x.T * B * x)[0, 0] / (x.T * x)[0, 0], "x",
     lambda x, k: (x.T @ k["B"] @ x).item() / (x.T @ x).item(), "B"),
    ("exp(x^T y)", sp.exp((x.T * y)[0, 0]), "x", lambda x, k: np.exp((x.T @ k["y"]).item()), "y"),
    ("log(1 + x^T x)", sp.log(1 + (x.T * x)[0, 0]), "x", lambda x, k: np.log(1 + (x.T @ x).item()), ""),
    ("(x^T B x)(c^T x)", (x.T * B * x)[0, 0] * (c.T * x)[0, 0], "x",
     lambda x, k: (x.T @ k["B"] @ x).item() * (k["c"].T @ x).item(), "Bc"),
    ("(x^T x)^(1/3)", ((x.T * x)[0, 0]) ** sp.Rational(1, 3), "x", lambda x, k: (x.T @ x).item() ** (1 / 3), ""),
    ("c^T x x^T c", c.T * x * x.T * c, "x", lambda x, k: (k["c"].T @ x @ x.T @ k["c"]).item(), "c"),
    ("x^T M^T M x", x.T * M.T * M * x, "x", lambda x, k: (x.T @ k["M"].T @ k["M"] @ x).item(), "M"),
    # square matrices: inverses, determinants, powers
    ("tr(S^-1)", tr(inv(S)), "S", lambda S, k: _t(np.linalg.inv(S)), ""),
    ("tr(S^-1 M)", tr(inv(S) * M), "S", lambda S, k: _t(np.linalg.inv(S) @ k["M"]), "M"),
    ("log det S", sp.log(det(S)), "S", lambda S, k: np.log(np.linalg.det(S)), ""),
    ("det S", det(S), "S", lambda S, k: np.linalg.det(S), ""),
    ("det(S)^2", det(S) ** 2, "S", lambda S, k: np.linalg.det(S) ** 2, ""),
    ("det(S^-1)", det(inv(S)), "S", lambda S, k: np.linalg.det(np.linalg.inv(S)), ""),
    ("tr(S^2)", tr(S ** 2), "S", lambda S, k: _t(S @ S), ""),
    ("tr(S^3)", tr(S ** 3), "S", lambda S, k: _t(S @ S @ S), ""),
    ("tr(S^T S S)", tr(S.T * S * S), "S", lambda S, k: _t(S.T @ S @ S), ""),
    ("tr(S M S)", tr(S * M * S), "S", lambda S, k: _t(S @ k["M"] @ S), "M"),
    ("b^T S^-1 c", b.T * inv(S) * c, "S", lambda S, k: (k["b"].T @ np.linalg.inv(S) @ k["c"]).item(), "bc"),
    ("log det(S^T S)", sp.log(det(S.T * S)), "S", lambda S, k: np.log(np.linalg.det(S.T @ S)), ""),
    ("tr(S^-1)^2", tr(inv(S)) ** 2, "S", lambda S, k: _t(np.linalg.inv(S)) ** 2, ""),
    ("det(S) tr(S)", det(S) * tr(S), "S", lambda S, k: np.linalg.det(S) * _t(S), ""),
    ("tr(S) tr(S M)", tr(S) * tr(S * M), "S", lambda S, k: _t(S) * _t(S @ k["M"]), "M"),
    ("sqrt det(S^T S)", sp.sqrt(det(S.T * S)), "S", lambda S, k: np.sqrt(np.linalg.det(S.T @ S)), ""),
    ("exp tr S", sp.exp(tr(S)), "S", lambda S, k: np.exp(_t(S)), ""),
    ("tr(S^-2)", tr(inv(S) ** 2), "S", lambda S, k: _t(np.linalg.inv(S) @ np.linalg.inv(S)), ""),
    ("tr(S^-1 M S)", tr(inv(S) * M * S), "S", lambda S, k: _t(np.linalg.inv(S) @ k["M"] @ S), "M"),
    ("log det S + tr(S^-1 M)", sp.log(det(S)) + tr(inv(S) * M), "S",
     lambda S, k: np.log(np.linalg.det(S)) + _t(np.linalg.inv(S) @ k["M"]), "M"),
    ("det(M S)", det(M * S), "S", lambda S, k: np.linalg.det(k["M"] @ S), "M"),
    ("tr((S + M)^-1)", tr(inv(S + M)), "S", lambda S, k: _t(np.linalg.inv(S + k["M"])), "M"),
    ("x-free tr(S^T M S)", tr(S.T * M * S), "S", lambda S, k: _t(S.T @ k["M"] @ S), "M"),
    ("det(S)^(1/3)", det(S) ** sp.Rational(1, 3), "S", lambda S, k: np.linalg.det(S) ** (1 / 3), ""),
    ("tr(S S^T)^2", tr(S * S.T) ** 2, "S", lambda S, k: _t(S @ S.T) ** 2, ""),
]

SHAPES = {"X": (2, 3), "S": (3, 3), "x": (3, 1)}
CONST_SHAPES = {"A": (2, 2), "B": (3, 3), "C": (3, 2), "D": (2, 3), "M": (3, 3), "a": (2, 1), "b": (3, 1),
                "c": (3, 1), "y": (3, 1)}


def _rational(rng, shape, scale=3):
    return np.array([[Fraction(int(rng.integers(-scale * 8, scale * 8)), 8) for _ in range(shape[1])]
                     for _ in range(shape[0])], dtype=object)


def _text(arr):
    return "[" + ",".join("[" + ",".join(str(v) for v in row) + "]" for row in arr) + "]"


def _point(name, rng):
    P = _rational(rng, SHAPES[name])
    if name == "S":
        # well conditioned, with det > 0, so log det and inverses are defined
        P = P / 4 + np.eye(3, dtype=object) * 3
        P = np.array([[Fraction(v) for v in row] for row in P], dtype=object)
    if name == "x":
        P[0, 0] = P[0, 0] + 1    # away from 0, where sqrt(x^T x) and friends are smooth
    return P


@pytest.mark.parametrize("name,expr,var,fn,consts", CASES, ids=[c[0] for c in CASES])
def test_gradient_read_from_sympy_latex(name, expr, var, fn, consts):
    assert len(CASES) >= 60
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    latex = sp.latex(expr)
    k_exact = {c: _rational(rng, CONST_SHAPES[c]) for c in consts}
    lets = [f"{c}={_text(v)}" for c, v in k_exact.items()]
    k_float = {c: np.asarray(v, dtype=float) for c, v in k_exact.items()}
    checked = 0
    first = None
    for _ in range(3):
        P = _point(var, rng)
        try:
            # the first point through analyze(at=...); the others through Analysis.at, which
            # reuses that global analysis and answers a point as analyze(at=...) does
            result = analyze(latex, wrt=var, at=_text(P), let=lets) if first is None else first.at(_text(P))
        except InputError as exc:
            assert "outside f's domain" in exc.message, exc.message
            continue
        first = first or result
        got = np.asarray(result.point.gradient, dtype=float)
        Pf = np.asarray(P, dtype=float)
        want = oracle.numeric_gradient(lambda Z: float(fn(Z, k_float)), Pf, h=1e-6)
        assert np.allclose(got, want, rtol=1e-5, atol=1e-6 * (1 + np.abs(want).max())), (latex, got, want)
        assert result.point.differentiable, latex
        checked += 1
    assert checked >= 2, f"too few points in the domain of {latex}"


def test_det_of_inverse_is_differentiated():
    """SymPy 1.14 leaves d det(S^-1)/dS unevaluated; symderiv gives -S^-T / det(S)."""
    result = analyze(sp.latex(det(inv(S))), wrt="S", at="[[2,1,0],[0,3,1],[1,0,4]]")
    P = np.array([[2, 1, 0], [0, 3, 1], [1, 0, 4]], dtype=float)
    want = oracle.numeric_gradient(lambda Z: float(np.linalg.det(np.linalg.inv(Z))), P, h=1e-6)
    assert np.allclose(np.asarray(result.point.gradient, dtype=float), want, rtol=1e-6)
    from symderiv.render.notation import Notation
    assert Notation(False).node(result.verdict.gradient) == "-S^-T/det(S)"
