"""Symmetric variables (--symmetric X) and the extreme eigenvalues of symmetric matrices.

Every claim is checked against an independent NumPy oracle written here: gradients by
central differences along symmetric directions with the trace inner product, Clarke sets
by sampling gradients at random nearby symmetric points, and support functions against
numeric one-sided directional derivatives in random symmetric directions.
"""
from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest

from symderiv.api import analyze
from symderiv.cli import main
from symderiv.errors import InputError

RNG = np.random.default_rng(20261207)


def _floats(a) -> np.ndarray:
    return np.array([[float(v) for v in row] for row in np.asarray(a, dtype=object)], dtype=float)


def sym_dir(n: int, rng=RNG) -> np.ndarray:
    A = rng.standard_normal((n, n))
    return (A + A.T) / 2


def sym_basis(n: int):
    """An orthonormal basis of the symmetric n x n matrices (trace inner product)."""
    out = []
    for i in range(n):
        for j in range(i, n):
            E = np.zeros((n, n))
            if i == j:
                E[i, i] = 1
            else:
                E[i, j] = E[j, i] = 1 / np.sqrt(2)
            out.append(E)
    return out


def sym_gradient(f, X, h=1e-6) -> np.ndarray:
    """The gradient of f restricted to the symmetric matrices, by central differences
    along an orthonormal basis of that space (trace inner product)."""
    X = np.asarray(X, dtype=float)
    G = np.zeros_like(X)
    for E in sym_basis(X.shape[0]):
        G += (f(X + h * E) - f(X - h * E)) / (2 * h) * E
    return G


def one_sided(f, X, D, h=1e-6) -> float:
    fx = f(X)
    d1 = (f(X + h * D) - fx) / h
    d2 = (f(X + h / 2 * D) - fx) / (h / 2)
    return 2 * d2 - d1


def _run(capsys, *argv):
    code = main(["diff", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


# ---------------------------------------------------------------- --symmetric X on functions of all matrices

A23 = np.array([[1, 2], [3, 4]], dtype=float)


@pytest.mark.parametrize("expr, let, at, fn", [
    (r"\operatorname{tr}(AX)", ["A=[[1,2],[3,4]]"], "[[1,2],[2,1]]", lambda X: np.trace(A23 @ X)),
    (r"\|X\|_F^2", [], "[[1,-2],[-2,3]]", lambda X: np.sum(X * X)),
    (r"\|\max(X,0)\|_F^2", [], "[[1,-2],[-2,3]]", lambda X: np.sum(np.maximum(X, 0) ** 2)),
    (r"\operatorname{tr}(X^T A X)", ["A=[[1,2],[3,4]]"], "[[1,1],[1,-1]]", lambda X: np.trace(X.T @ A23 @ X)),
    (r"\sum_{i,j} x_{ij}^3", [], "[[1,1/2,0],[1/2,2,-1],[0,-1,3]]", lambda X: np.sum(X ** 3)),
])
def test_symmetric_gradient_matches_differences(expr, let, at, fn):
    a = analyze(expr, let=let, at=at, symmetric=("X",))
    assert a.point.differentiable
    G = _floats(a.point.gradient)
    X = _floats(json.loads(at.replace("1/2", "0.5")))
    assert np.allclose(G, G.T)
    assert np.allclose(G, sym_gradient(fn, X), atol=1e-6)


def test_symmetric_trace_AX_symbolic():
    a = analyze(r"\operatorname{tr}(AX)", symmetric=True)
    from symderiv.render import text
    out = text.render(a)
    assert "∇f(X) = 1/2 A + 1/2 A^T" in out
    assert "ranges over symmetric matrices" in out
    # the oracle: at random symmetric X and data A the formula is the symmetric gradient
    A = RNG.standard_normal((3, 3))
    X = sym_dir(3)
    assert np.allclose((A + A.T) / 2, sym_gradient(lambda Y: np.trace(A @ Y), X), atol=1e-6)


def test_symmetric_json_states_convention(capsys):
    code, out, _ = _run(capsys, r"\|X\|_F^2", "--symmetric", "X", "--at", "[[1,2],[2,0]]", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["variable"]["symmetric"] is True
    assert "trace inner product" in doc["variable"]["convention"]
    assert np.allclose(np.array(doc["at"]["gradient"]), sym_gradient(lambda X: np.sum(X * X), np.array([[1., 2], [2, 0]])))


def test_symmetric_kink_restricted_space():
    # |x_12| - |x_21| is 0 on symmetric matrices: smooth there, though not on all matrices
    a = analyze(r"|x_{12}| - |x_{21}|", symmetric=("X",), at="[[1,0],[0,1]]")
    assert a.point.differentiable
    assert all(float(v) == 0 for v in a.point.gradient.flat)
    f = lambda X: abs(X[0, 1]) - abs(X[1, 0])       # noqa: E731
    for _ in range(20):
        D = sym_dir(2)
        assert abs(one_sided(f, np.eye(2), D)) < 1e-6


@pytest.mark.parametrize("option, value", [("--at", "[[1,2],[3,1]]"), ("--direction", "[[0,1],[0,0]]")])
def test_symmetric_refuses_nonsymmetric_values(capsys, option, value):
    argv = [r"\|X\|_F^2", "--symmetric", "X", "--at", "[[1,2],[2,1]]"]
    if option == "--at":
        argv[-1] = value
    else:
        argv += ["--direction", value]
    code, _, err = _run(capsys, *argv)
    assert code == 2
    assert option in err and "not symmetric" in err
