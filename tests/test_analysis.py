"""Verdicts, gradients, C^k classes and Clarke sets, each cross-checked by the oracle.

Every function is given twice: as LaTeX for symderiv and as a NumPy function written by
hand for the oracle.  The engine's claims are then checked numerically at random points
and at points with exact zeros, never only compared with a string.
"""
from __future__ import annotations

import json
import math
import zlib

import numpy as np
import pytest

from symderiv import analyze
from symderiv.errors import InputError, Unsupported
from tests import oracle

relu = lambda a: np.maximum(a, 0)  # noqa: E731


def f_of(fn, **consts):
    return lambda X: float(fn(np.asarray(X, dtype=float), **consts))


# name, latex, wrt, lets (text), numpy f(X, **consts), expected verdict
CASES = [
    ("seed", r"\|\max(X,0)\|_F^2", "X", {}, lambda X: np.sum(relu(X) ** 2),
     dict(diff=True, smooth=1, convex=True)),
    ("trace form", r"\operatorname{tr}(\sigma(X)^T\sigma(X))", "X", {}, lambda X: np.sum(relu(X) ** 2),
     dict(diff=True, smooth=1, convex=True)),
    ("sum abs", r"\sum_{i,j}|x_{ij}|", "X", {}, lambda X: np.sum(np.abs(X)),
     dict(diff=False, smooth=0, convex=True)),
    ("relu AX", r"\|\sigma(AX)\|_F^2", "X", {"A": "[[1,2],[0,-1],[3,1]]"},
     lambda X: np.sum(relu(np.array([[1, 2], [0, -1], [3, 1]]) @ X) ** 2),
     dict(diff=True, smooth=1, convex=True)),
    ("frobenius", r"\|X\|_F", "X", {}, lambda X: np.linalg.norm(X),
     dict(diff=False, smooth=0, convex=True)),
    ("cancelling kinks", r"\sigma(x) - \sigma(-x)", "x", {}, lambda x: relu(x) - relu(-x),
     dict(diff=True, smooth="inf", convex=True)),
    ("product of kinks", r"\sigma(x)\sigma(-x)", "x", {}, lambda x: relu(x) * relu(-x),
     dict(diff=True, smooth="inf", convex=True)),
    ("abs cubed", r"|x|^3", "x", {}, lambda x: np.abs(x) ** 3,
     dict(diff=True, smooth=2, convex=True)),
    ("x abs x", r"x|x|", "x", {}, lambda x: x * np.abs(x),
     dict(diff=True, smooth=1, convex=False)),
    ("relu cubed", r"\max(x,0)^3", "x", {}, lambda x: relu(x) ** 3,
     dict(diff=True, smooth=2, convex=True)),
    ("shifted kink", r"\sum_{i,j}\max(x_{ij},1)", "X", {}, lambda X: np.sum(np.maximum(X, 1)),
     dict(diff=False, smooth=0, convex=True)),
    ("min squared", r"\min(x,0)^2", "x", {}, lambda x: np.minimum(x, 0) ** 2,
     dict(diff=True, smooth=1, convex=True)),
    ("abs squared", r"\sum_{i,j}|x_{ij}|^2", "X", {}, lambda X: np.sum(np.abs(X) ** 2),
     dict(diff=True, smooth="inf", convex=True)),
    ("weighted relu", r"\langle A, \sigma(X)\rangle", "X", {"A": "[[1,0],[-2,3]]"},
     lambda X: np.sum(np.array([[1, 0], [-2, 3]]) * relu(X)),
     dict(diff=False, smooth=0, convex=False)),
    ("exp of relu", r"\exp(\sigma(x))", "x", {}, lambda x: np.exp(relu(x)),
     dict(diff=False, smooth=0, convex=True)),
    ("two kinks", r"\sigma(x-1) + \sigma(1-x)", "x", {}, lambda x: relu(x - 1) + relu(1 - x),
     dict(diff=False, smooth=0, convex=True)),
    ("leaky by max", r"\max(x, 2x)", "x", {}, lambda x: np.maximum(x, 2 * x),
     dict(diff=False, smooth=0, convex=True)),
    ("nested relu", r"\sigma(\sigma(x) - 1)", "x", {}, lambda x: relu(relu(x) - 1),
     dict(diff=False, smooth=0, convex=True)),
    ("frobenius product", r"X : \sigma(X)", "X", {}, lambda X: np.sum(X * relu(X)),
     dict(diff=True, smooth=1, convex=True)),
    ("relu minus target", r"\|\max(X,0) - Y\|_F^2", "X", {"Y": "[[0,1],[0,-2]]"},
     lambda X: np.sum((relu(X) - np.array([[0, 1], [0, -2]])) ** 2),
     dict(diff=False, smooth=0, convex=False)),
    # where max(X,0) = 0 and some x_ij = 0 the norm's zero meets a ReLU kink: {G >= 0, ||G|| <= 1}
    ("norm of relu", r"\|\sigma(X)\|_F", "X", {}, lambda X: np.linalg.norm(relu(X)),
     dict(diff=False, smooth=0, convex=True)),
    # at X = 0 every entry of AX is on its kink: rows independent, a zonotope (hull form)
    ("abs of product", r"\langle J, |AX|\rangle", "X", {"A": "[[1,1],[2,0]]"},
     lambda X: np.sum(np.abs(np.array([[1, 1], [2, 0]]) @ X)),
     dict(diff=False, smooth=0, convex=True)),
    # parallel switches (x, -2x, 3x) merge into one kink whose jumps add up
    ("parallel rows", r"|x| + |-2x| - \max(3x, 0)", "x", {},
     lambda x: np.abs(x) + np.abs(-2 * x) - np.maximum(3 * x, 0),
     dict(diff=False, smooth=0, convex=True)),        # it is 3 max(-x, 0)
    # -- more scalar functions, each decided from its pieces
    ("squares of both parts", r"\max(x,0)^2 + \max(-x,0)^2", "x", {},
     lambda x: relu(x) ** 2 + relu(-x) ** 2, dict(diff=True, smooth="inf", convex=True)),
    ("abs squared scalar", r"|x|^2", "x", {}, lambda x: np.abs(x) ** 2, dict(diff=True, smooth="inf", convex=True)),
    ("abs from parts", r"\max(x,0) + \max(-x,0)", "x", {}, lambda x: relu(x) + relu(-x),
     dict(diff=False, smooth=0, convex=True)),
    ("x squared sign", r"x^2 \operatorname{sign}(x)", "x", {}, lambda x: x ** 2 * np.sign(x),
     dict(diff=True, smooth=1, convex=False)),
    ("relu times x", r"\max(x, 0) \cdot x", "x", {}, lambda x: relu(x) * x, dict(diff=True, smooth=1, convex=True)),
    ("exp abs", r"\exp(|x|)", "x", {}, lambda x: np.exp(np.abs(x)), dict(diff=False, smooth=0, convex=True)),
    ("abs of exp minus one", r"|\exp(x) - 1|", "x", {}, lambda x: np.abs(np.exp(x) - 1),
     dict(diff=False, smooth=0, convex=False)),
    ("min with zero", r"\min(x, 0)", "x", {}, lambda x: np.minimum(x, 0), dict(diff=False, smooth=0, convex=False)),
    ("minus abs", r"-|x|", "x", {}, lambda x: -np.abs(x), dict(diff=False, smooth=0, convex=False)),
    ("two steps down", r"\max(x,1) - \max(x,0)", "x", {}, lambda x: np.maximum(x, 1) - relu(x),
     dict(diff=False, smooth=0, convex=False)),
    ("abs minus shifted abs", r"|x| - |x-1|", "x", {}, lambda x: np.abs(x) - np.abs(x - 1),
     dict(diff=False, smooth=0, convex=False)),
    ("tanh of relu", r"\tanh(\sigma(x))", "x", {}, lambda x: np.tanh(relu(x)), dict(diff=False, smooth=0, convex=False)),
    ("cubic window", r"\sigma(x)^2 \sigma(1-x)", "x", {}, lambda x: relu(x) ** 2 * relu(1 - x),
     dict(diff=False, smooth=0, convex=False)),
    ("step times square", r"H(x) x^2", "x", {}, lambda x: np.heaviside(x, 0.5) * x ** 2,
     dict(diff=True, smooth=1, convex=True)),
    ("sign times x", r"\operatorname{sign}(x) x", "x", {}, lambda x: np.sign(x) * x, dict(diff=False, smooth=0, convex=True)),
    ("step", r"H(x)", "x", {}, lambda x: np.heaviside(x, 0.5), dict(diff=False, smooth=None, convex=False)),
    ("relu minus identity", r"\max(x,0) - x", "x", {}, lambda x: relu(x) - x, dict(diff=False, smooth=0, convex=True)),
    ("odd cube", r"(x)_+^3 - (-x)_+^3", "x", {}, lambda x: relu(x) ** 3 - relu(-x) ** 3,
     dict(diff=True, smooth="inf", convex=False)),
    # -- more matrix functions
    ("entrywise product of parts", r"\sum_{i,j}\max(x_{ij},0)\max(-x_{ij},0)", "X", {},
     lambda X: np.sum(relu(X) * relu(-X)), dict(diff=True, smooth="inf", convex=True)),
    ("negative part squared", r"\|X\|_F^2 - \|\max(X,0)\|_F^2", "X", {}, lambda X: np.sum(X ** 2) - np.sum(relu(X) ** 2),
     dict(diff=True, smooth=1, convex=True)),
    ("x abs x summed", r"\langle X, |X| \rangle", "X", {}, lambda X: np.sum(X * np.abs(X)),
     dict(diff=True, smooth=1, convex=False)),
    ("trace of relu", r"\operatorname{tr}(\sigma(X))", "X", {}, lambda X: np.trace(relu(X)),
     dict(diff=False, smooth=0, convex=True, shape=(3, 3))),
    ("difference of parts squared", r"\|\sigma(X) - \sigma(-X)\|_F^2", "X", {},
     lambda X: np.sum((relu(X) - relu(-X)) ** 2), dict(diff=True, smooth="inf", convex=True)),
    ("relu of transpose", r"\|\sigma(X^T)\|_F^2", "X", {}, lambda X: np.sum(relu(X.T) ** 2),
     dict(diff=True, smooth=1, convex=True)),
    ("nonnegative weights", r"\langle A, |X|\rangle", "X", {"A": "[[1,2,0],[0,3,1]]"},
     lambda X: np.sum(np.array([[1, 2, 0], [0, 3, 1]]) * np.abs(X)), dict(diff=False, smooth=0, convex=True,
                                                                          shape=(2, 3))),
    ("norm of negative part", r"\|X - \sigma(X)\|_F", "X", {}, lambda X: np.linalg.norm(X - relu(X)),
     dict(diff=False, smooth=0, convex=True)),
    ("exp of squared relu", r"\exp(\|\max(X,0)\|_F^2)", "X", {}, lambda X: np.exp(np.sum(relu(X) ** 2)),
     dict(diff=True, smooth=1, convex=True)),
    ("both parts squared", r"\|\max(X,0)\|_F^2 + \|\max(-X,0)\|_F^2", "X", {},
     lambda X: np.sum(relu(X) ** 2) + np.sum(relu(-X) ** 2), dict(diff=True, smooth="inf", convex=True)),
    ("shifted abs sum", r"\sum_{i,j} |x_{ij} - 1|", "X", {}, lambda X: np.sum(np.abs(X - 1)),
     dict(diff=False, smooth=0, convex=True)),
    # -- several scalars as one vector variable, and vectors
    ("dependent rows", r"|x| + |y| - |x+y|", "x,y", {},
     lambda v: np.abs(v[0, 0]) + np.abs(v[1, 0]) - np.abs(v[0, 0] + v[1, 0]),
     dict(diff=False, smooth=0, convex=False, shape=(2, 1))),
    ("max of two scalars", r"\max(x, y)", "x,y", {}, lambda v: max(v[0, 0], v[1, 0]),
     dict(diff=False, smooth=0, convex=True, shape=(2, 1))),
    ("product of two kinks", r"\sigma(x)\sigma(y)", "x,y", {}, lambda v: relu(v[0, 0]) * relu(v[1, 0]),
     dict(diff=False, smooth=0, convex=False, shape=(2, 1))),
    ("least squares", r"\|Ax-b\|_2^2", "x", {"A": "[[1,2],[0,1],[3,-1]]", "b": "[[1],[0],[2]]"},
     lambda v: np.sum((np.array([[1, 2], [0, 1], [3, -1]]) @ v - np.array([[1], [0], [2]])) ** 2),
     dict(diff=True, smooth="inf", convex=True, shape=(2, 1))),
    ("l1 residual", r"\|Ax - b\|_1", "x", {"A": "[[1,2],[0,1]]", "b": "[[1],[0]]"},
     lambda v: np.sum(np.abs(np.array([[1, 2], [0, 1]]) @ v - np.array([[1], [0]]))),
     dict(diff=False, smooth=0, convex=True, shape=(2, 1))),
    ("vector norm", r"\|x\|_2", "x", {}, lambda v: np.linalg.norm(v),
     dict(diff=False, smooth=0, convex=True, shape=(3, 1))),
    ("hinge of a margin", r"\sum_{i}\max(0, 1 - x_{i})", "x", {}, lambda v: np.sum(np.maximum(0, 1 - v)),
     dict(diff=False, smooth=0, convex=True, shape=(3, 1))),
    # -- the other primitives of the table
    ("leaky relu", r"\operatorname{LeakyReLU}(x, 0.1)", "x", {}, lambda x: np.where(x > 0, x, 0.1 * x),
     dict(diff=False, smooth=0, convex=True)),
    ("hinge", r"\operatorname{hinge}(x)", "x", {}, lambda x: np.maximum(0, 1 - x), dict(diff=False, smooth=0, convex=True)),
    ("clip", r"\operatorname{clip}(x, -1, 2)", "x", {}, lambda x: np.clip(x, -1, 2), dict(diff=False, smooth=0, convex=False)),
    ("soft threshold", r"\operatorname{soft}(x, 1/2)", "x", {}, lambda x: np.sign(x) * np.maximum(np.abs(x) - 0.5, 0),
     dict(diff=False, smooth=0, convex=False)),
    ("relu6", r"\operatorname{ReLU6}(x)", "x", {}, lambda x: np.clip(x, 0, 6), dict(diff=False, smooth=0, convex=False)),
    ("huber", r"\operatorname{Huber}(x, 1)", "x", {},
     lambda x: np.where(np.abs(x) <= 1, x ** 2 / 2, np.abs(x) - 0.5), dict(diff=True, smooth=1, convex=True)),
    ("huber by cases", r"\begin{cases} x^2/2 & |x| \le 1 \\ |x| - 1/2 & \text{otherwise}\end{cases}", "x", {},
     lambda x: np.where(np.abs(x) <= 1, x ** 2 / 2, np.abs(x) - 0.5), dict(diff=True, smooth=1, convex=True)),
    # -- max over entries: a kink wherever the largest entry is tied
    ("max entry", r"\max_{i,j} x_{ij}", "X", {}, lambda X: np.max(X), dict(diff=False, smooth=0, convex=True)),
    ("max abs entry", r"\max_{i,j} |x_{ij}|", "X", {}, lambda X: np.max(np.abs(X)),
     dict(diff=False, smooth=0, convex=True)),
    ("min of a vector", r"\min_i x_i", "x", {}, lambda v: np.min(v), dict(diff=False, smooth=0, convex=False, shape=(3, 1))),
    ("squared max entry", r"\max_{i,j} x_{ij}^2", "X", {}, lambda X: np.max(X ** 2),
     dict(diff=False, smooth=0, convex=True)),
    # -- smooth matrix calculus mixed with kinks
    ("lasso", r"\|AX - B\|_F^2 + \lambda\sum_{i,j}|x_{ij}|", "X",
     {"A": "[[1,2],[0,1],[3,-1]]", "B": "[[1,0,2],[0,1,1],[2,2,0]]", "lambda": "1/2"},
     lambda X: np.sum((np.array([[1, 2], [0, 1], [3, -1]]) @ X - np.array([[1, 0, 2], [0, 1, 1], [2, 2, 0]])) ** 2)
     + 0.5 * np.sum(np.abs(X)), dict(diff=False, smooth=0, convex=True, shape=(2, 3))),
    ("quadratic plus relu", r"\operatorname{tr}(X^TAX) + \|\sigma(X)\|_F^2", "X", {"A": "[[2,1],[1,3]]"},
     lambda X: np.trace(X.T @ np.array([[2, 1], [1, 3]]) @ X) + np.sum(relu(X) ** 2),
     dict(diff=True, smooth=1, convex=None, shape=(2, 3))),
    ("log det plus l1", r"-\log\det(X) + \sum_{i,j}|x_{ij}|", "X", {},
     lambda X: -np.log(np.linalg.det(X)) + np.sum(np.abs(X)), dict(diff=False, smooth=0, convex=None, shape=(2, 2),
                                                                    domain=True)),
    # -- kinks that meet and interact at a point (regressions found in review)
    ("three rows", r"\sigma(x)+\sigma(y)+\sigma(x+y)", "x,y", {},
     lambda v: relu(v[0, 0]) + relu(v[1, 0]) + relu(v[0, 0] + v[1, 0]), dict(diff=False, smooth=0, convex=True, shape=(2, 1))),
    ("three abs rows", r"|x|+|y|+|x-y|", "x,y", {},
     lambda v: abs(v[0, 0]) + abs(v[1, 0]) + abs(v[0, 0] - v[1, 0]), dict(diff=False, smooth=0, convex=True, shape=(2, 1))),
    ("max of abs", r"\max(|x|,|y|)", "x,y", {}, lambda v: max(abs(v[0, 0]), abs(v[1, 0])),
     dict(diff=False, smooth=0, convex=True, shape=(2, 1))),
    ("min of abs", r"\min(|x|,|y|)", "x,y", {}, lambda v: min(abs(v[0, 0]), abs(v[1, 0])),
     dict(diff=False, smooth=0, convex=False, shape=(2, 1))),
    ("antisymmetric part", r"\sum_{i,j}|x_{ij} - x_{ji}|", "X", {}, lambda X: np.sum(np.abs(X - X.T)),
     dict(diff=False, smooth=0, convex=True, shape=(2, 2))),
    ("max with the transpose", r"\sum_{i,j}\max(x_{ij}, x_{ji})", "X", {}, lambda X: np.sum(np.maximum(X, X.T)),
     dict(diff=False, smooth=0, convex=True, shape=(2, 2))),
    ("sign", r"\operatorname{sign}(x)", "x", {}, lambda x: np.sign(x),
     dict(diff=False, smooth=None, convex=False)),
    # -- review 6: kinks that cancel in a vector, a norm's switches, a shape read through σ
    ("vector relu product", r"\sigma(x)^T\sigma(-x)", "x", {}, lambda v: (relu(v).T @ relu(-v)).item(),
     dict(diff=True, smooth="inf", convex=True, shape=(3, 1))),
    ("relu times sign", r"\sigma(x)\operatorname{sign}(x)", "x", {}, lambda x: relu(x) * np.sign(x),
     dict(diff=False, smooth=0, convex=True)),
    ("norm cubed of relu", r"\|\sigma(X)\|_F^3", "X", {}, lambda X: np.linalg.norm(relu(X)) ** 3,
     dict(diff=True, smooth=1, convex=True, shape=(2, 2))),
    ("entry beside its vector", r"x^\top x + 3x_1", "x", {}, lambda v: (v.T @ v).item() + 3 * v[0, 0],
     dict(diff=True, smooth="inf", convex=True, shape=(3, 1))),
    ("sine of a multiple", r"\sum_{i,j}\sin 2x_{ij} + \pi\|X\|_F^2", "X", {},
     lambda X: np.sum(np.sin(2 * X)) + np.pi * np.sum(X ** 2), dict(diff=True, smooth="inf", convex=True)),
    # -- a row of ones makes a sum, and its partner a vector
    ("ones row times relu", r"\mathbf 1^\top\sigma(x)", "x", {}, lambda v: np.sum(relu(v)),
     dict(diff=False, smooth=0, convex=True, shape=(3, 1))),
    ("hinge through a ones row", r"\mathbf{1}^T\max(0, 1 - y\odot Aw)", "w",
     {"A": "[[1,2],[3,-1],[0,1]]", "y": "[1,-1,1]"},
     lambda w: np.sum(np.maximum(0, 1 - np.array([[1], [-1], [1]]) * (np.array([[1, 2], [3, -1], [0, 1]]) @ w))),
     dict(diff=False, smooth=0, convex=True, shape=(2, 1))),
    # -- samples x_i as machine learning writes them: rows of a data matrix X
    ("hinge over samples", r"\sum_i \max(0, 1 - y_i w^T x_i)", "w", {"X": "[[1,2],[3,-1],[0,1]]", "y": "[1,-1,1]"},
     lambda w: np.sum(np.maximum(0, 1 - np.array([[1], [-1], [1]]) * (np.array([[1, 2], [3, -1], [0, 1]]) @ w))),
     dict(diff=False, smooth=0, convex=True, shape=(2, 1))),
    ("logistic over samples", r"\sum_{i=1}^n \log(1+\exp(-y_i x_i^\top w))", "w",
     {"X": "[[1,2],[3,-1],[0,1]]", "y": "[1,-1,1]"},
     lambda w: np.sum(np.log1p(np.exp(-np.array([[1], [-1], [1]]) * (np.array([[1, 2], [3, -1], [0, 1]]) @ w)))),
     dict(diff=True, smooth="inf", convex=True, shape=(2, 1))),
    ("squares over samples", r"\sum_i (\langle w, x_i\rangle - y_i)^2", "w", {"X": "[[1,2],[3,-1],[0,1]]", "y": "[1,-1,1]"},
     lambda w: np.sum((np.array([[1, 2], [3, -1], [0, 1]]) @ w - np.array([[1], [-1], [1]])) ** 2),
     dict(diff=True, smooth="inf", convex=True, shape=(2, 1))),
    ("relu quadratic form", r"\sigma(x)^T A\sigma(x)", "x", {"A": "[[1,2],[2,-5]]"},
     lambda v: (relu(v).T @ np.array([[1, 2], [2, -5]]) @ relu(v)).item(),
     dict(diff=False, smooth=0, convex=False, shape=(2, 1))),
]


def _analysis(latex, wrt, lets, at=None):
    return analyze(latex, wrt=wrt, let=[f"{k}={v}" for k, v in lets.items()], at=at)


def _shape_for(lets, wrt, want=None):
    if want and "shape" in want:
        return want["shape"]
    if wrt == "x":
        return (1, 1)
    if "A" in lets:
        cols = len(eval_list(lets["A"])[0])
        return (cols, 2)
    if "Y" in lets:
        Y = eval_list(lets["Y"])
        return (len(Y), len(Y[0]))
    return (2, 3)


def eval_list(text):
    import json
    return json.loads(text)


def _point_text(X):
    from fractions import Fraction
    def one(v):
        v = Fraction(v).limit_denominator(1000)
        return str(v)
    if X.shape == (1, 1):
        return one(X[0, 0])
    if X.shape[1] == 1:
        return "[" + ",".join(one(v) for v in X[:, 0]) + "]"
    return "[" + ",".join("[" + ",".join(one(v) for v in row) + "]" for row in X) + "]"


def _points(shape, rng, n_random=3):
    """Random rational points, points with exact zeros, and points on x = 1."""
    pts = []
    for _ in range(n_random):
        pts.append(np.round(rng.uniform(-3, 3, shape) * 4) / 4)
    z = np.round(rng.uniform(-3, 3, shape) * 4) / 4
    z.flat[0] = 0
    pts.append(z)
    pts.append(np.zeros(shape))
    one = np.round(rng.uniform(-3, 3, shape) * 4) / 4
    one.flat[-1] = 1
    pts.append(one)
    return pts


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_global_verdict(case):
    name, latex, wrt, lets, fn, want = case
    a = _analysis(latex, wrt, lets)
    v = a.verdict
    assert v.differentiable_everywhere is want["diff"]
    assert v.smoothness == want["smooth"]
    assert a.convexity.convex is want["convex"]
    assert a.agree is True, a.agree_reason


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_pointwise_claims_against_the_oracle(case):
    """At random points and at points on kinks, every claim holds numerically."""
    name, latex, wrt, lets, fn, want = case
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    shape = _shape_for(lets, wrt, want)
    f = lambda X: float(np.sum(fn(np.asarray(X, dtype=float).reshape(shape) if shape != (1, 1) else float(np.asarray(X).ravel()[0]))))  # noqa: E731
    for X in _points(shape, rng):
        if want.get("domain"):
            X = X + 3 * np.eye(*shape)       # inside det X > 0
        a = _analysis(latex, wrt, lets, at=_point_text(X))
        p = a.point
        Xf = np.asarray(X, dtype=float)
        assert abs(float(p.value) - f(Xf)) < 1e-9, "f's value at the point"
        if p.differentiable:
            oracle.check_gradient(f, Xf, np.asarray(p.gradient, dtype=float).reshape(shape), rng)
            if want["diff"] is False:
                continue
        else:
            assert want["diff"] is False, "claimed not differentiable, yet f is differentiable everywhere"
            oracle.check_not_differentiable(f, Xf, rng)
            if p.subdifferential is not None:
                form = _as_float_form(p.subdifferential)
                oracle.check_clarke(f, Xf, form, rng, regular=bool(want["convex"]))
            else:
                assert want["smooth"] is None, "no Clarke set, yet f is continuous"


def _as_float_form(sub):
    out = dict(sub)
    for k in ("value", "lower", "upper", "center", "scale", "sign"):
        if k in out:
            out[k] = np.asarray(out[k], dtype=float)
    if "generators" in out:
        out["generators"] = [np.asarray(g, dtype=float) for g in out["generators"]]
    if "radius" in out:
        out["radius"] = float(out["radius"])
    return out


# name, latex, wrt, numpy f, a point on a kink and the direction across it, C^k claimed
CLASSES = [
    ("seed", r"\|\max(X,0)\|_F^2", "X", lambda X: np.sum(relu(X) ** 2),
     np.array([[0.0, 1.0], [-1.0, 2.0]]), np.array([[1.0, 0], [0, 0]]), 1),
    ("abs cubed", r"|x|^3", "x", lambda X: float(np.abs(X).sum() ** 3), np.zeros((1, 1)), np.ones((1, 1)), 2),
    ("relu cubed", r"\max(x,0)^3", "x", lambda X: float(relu(X).sum() ** 3), np.zeros((1, 1)), np.ones((1, 1)), 2),
    ("x abs x", r"x|x|", "x", lambda X: float(X.sum() * np.abs(X).sum()), np.zeros((1, 1)), np.ones((1, 1)), 1),
    ("sum abs", r"\sum_{i,j}|x_{ij}|", "X", lambda X: np.sum(np.abs(X)),
     np.array([[0.0, 1.0], [2.0, -1.0]]), np.array([[1.0, 0], [0, 0]]), 0),
    ("relu AX", r"\|\sigma(AX)\|_F^2", "X", lambda X: np.sum(relu(np.array([[1.0, 1.0], [2.0, 0.0]]) @ X) ** 2),
     np.array([[1.0, 0.0], [-1.0, 1.0]]), np.array([[1.0, 0.0], [1.0, 0.0]]), 1),
    # its norm alone is C^2 at 0, but across a switch with the norm nonzero it is only C^1
    ("norm cubed of relu", r"\|\sigma(X)\|_F^3", "X", lambda X: np.linalg.norm(relu(X)) ** 3,
     np.array([[0.0, 1.0], [-1.0, 2.0]]), np.array([[1.0, 0.0], [0.0, 0.0]]), 1),
]


@pytest.mark.parametrize("case", CLASSES, ids=[c[0] for c in CLASSES])
def test_smoothness_class_against_the_oracle(case):
    name, latex, wrt, fn, X, D, k = case
    lets = ["A=[[1,1],[2,0]]"] if "AX" in latex else []
    a = analyze(latex, wrt=wrt, let=lets)
    assert a.verdict.smoothness == k
    oracle.check_class_at(fn, X, D, k)


HESSIAN_CASES = [
    (r"\|\max(X,0)\|_F^2", {}, (2, 3), lambda X: np.sum(relu(X) ** 2)),
    (r"\|\sigma(AX)\|_F^2", {"A": "[[1,2],[0,-1],[3,1]]"}, (2, 2),
     lambda X: np.sum(relu(np.array([[1, 2], [0, -1], [3, 1]]) @ X) ** 2)),
    (r"\|X\|_F", {}, (2, 2), lambda X: np.linalg.norm(X)),
    (r"\|X\|_F^3", {}, (2, 2), lambda X: np.linalg.norm(X) ** 3),
    (r"\operatorname{tr}(X^TAX)", {"A": "[[1,2],[0,-1]]"}, (2, 3),
     lambda X: np.trace(X.T @ np.array([[1, 2], [0, -1]]) @ X)),
    (r"\exp(\|\sigma(X)\|_F^2)", {}, (2, 2), lambda X: np.exp(np.sum(relu(X) ** 2))),
]


@pytest.mark.parametrize("latex,lets,shape,fn", HESSIAN_CASES, ids=[c[0] for c in HESSIAN_CASES])
def test_hessian_operator_against_the_oracle(latex, lets, shape, fn):
    """D -> d(grad f)[D] agrees with difference quotients of the numeric gradient."""
    from fractions import Fraction
    from symderiv.evaluate import Evaluator, bind_dims
    rng = np.random.default_rng(zlib.crc32(latex.encode()))
    a = _analysis(latex, "X", lets)
    H = a.verdict.hessian
    assert H is not None
    for _ in range(3):
        X = np.round(rng.uniform(-1, 1, shape) * 8) / 8
        X[X == 0] = 0.125                      # off the kinks: the Hessian exists there
        D = np.round(rng.uniform(-1, 1, shape) * 4) / 4
        vals = {"X": _exact(X), "D": _exact(D)}
        for k, v in lets.items():
            vals[k] = _exact(np.array(eval_list(v), dtype=float))
        got = np.asarray(Evaluator(vals, bind_dims(H, vals))(H), dtype=float)
        h = 1e-4       # outer and inner steps balance truncation against rounding
        g_plus = oracle.numeric_gradient(fn, X + h * D, h=1e-5)
        g_minus = oracle.numeric_gradient(fn, X - h * D, h=1e-5)
        want = (g_plus - g_minus) / (2 * h)
        assert np.allclose(got, want, atol=1e-3 * (1 + np.abs(want).max())), (got, want)


def _exact(A):
    from fractions import Fraction
    out = np.empty(A.shape, dtype=object)
    for idx in np.ndindex(A.shape):
        out[idx] = Fraction(A[idx]).limit_denominator(1000)
    return out


def _kink_point(a, shape, rng, at=0, shift=0.0):
    """A point on one of f's switches (one entry of the variable on its breakpoint) and
    the direction across it, read from the analysis; None when no such simple point."""
    v = a.verdict
    for k in sorted(v.kinks, key=lambda k: (k.order is None, k.order or 0)):
        if k.kind != "switch" or k.branch is None or k.order is None:
            continue
        p, value = k.branch
        if not k.harmless and not k.strength.is_number:
            continue        # its jump depends on other entries (max_ij |x_ij|): no generic point
        node = k.args[int(p.name[2:])]
        if node != v.var or not value.is_number:
            continue
        X = np.round(rng.uniform(-2, 2, shape) * 4) / 4 + 0.125
        if shift:
            X = X + shift * np.eye(*shape)
        X.flat[at] = float(value)
        D = np.zeros(shape)
        D.flat[at] = 1
        return X, D, k.order - 1
    return None


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_claimed_class_holds_across_a_kink(case):
    """C^k claims, checked by one-sided derivatives of every order across a kink."""
    name, latex, wrt, lets, fn, want = case
    if want["smooth"] is None or wrt == "x,y" or lets:
        return
    shape = _shape_for(lets, wrt, want)
    a = _analysis(latex, wrt, lets)
    # on a restricted domain (det X > 0): the diagonal lifted, the kink put off it
    inside = dict(at=1, shift=3.0) if want.get("domain") else {}
    found = _kink_point(a, shape, np.random.default_rng(zlib.crc32(name.encode())), **inside)
    if found is None:
        # no generic point to probe (the jump depends on other entries): the class must
        # still come from a kink of the matching order
        # (or, a lower bound, from a kink whose order is undecided: it is at least C^1 there;
        # the CLASSES table then checks such a case with the oracle)
        assert want["smooth"] == "inf" or any(k.order == want["smooth"] + 1 for k in a.verdict.kinks) or (
            want["smooth"] == 1 and not a.verdict.smoothness_exact
            and any(k.order is None and not k.order_exact for k in a.verdict.kinks))
        return
    X, D, k = found
    f = (lambda Y: float(fn(Y[0, 0]))) if shape == (1, 1) else (lambda Y: float(np.sum(fn(Y))))
    oracle.check_class_at(f, X, D, k)


@pytest.mark.parametrize("latex,fn,convex", [
    # log|x| has the head of softplus, log(1 + e^u): matched by its head it was called convex
    (r"\log|x|", lambda x: np.log(np.abs(x)), None),
    (r"\log(1 + e^{x})", lambda x: np.log1p(np.exp(x)), True),
    (r"\operatorname{softplus}(|x| - 1)", lambda x: np.log1p(np.exp(np.abs(x) - 1)), True),
    (r"-\log(x)", lambda x: -np.log(x), True),
])
def test_smooth_functions_are_matched_by_their_whole_shape(latex, fn, convex):
    assert _analysis(latex, "x", {}).convexity.convex is convex
    rng = np.random.default_rng(zlib.crc32(latex.encode()))
    pairs = rng.uniform(0.1, 4, (400, 2)) * rng.choice([-1, 1], (400, 2))
    if latex.startswith("-"):
        pairs = np.abs(pairs)
    gaps = [fn(a) / 2 + fn(b) / 2 - fn((a + b) / 2) for a, b in pairs if (a + b) != 0]
    if convex:
        assert min(gaps) >= -1e-12
    else:
        assert min(gaps) < -1e-3          # the midpoint test the claim must not contradict


# ---- where switches meet, and constants that empty a kink -----------------------------------

MEETING = [
    # latex, numpy f(v), the set's text, points in it, points out of it (on some switch)
    (r"\max(\max(x,y),0)", lambda v: max(v[0], v[1], 0.0),
     "x = 0 and y ≤ 0 or y = 0 and x ≤ 0 or x = y and y ≥ 0", [(0, 0), (0, -1), (2, 2)], [(0, 1), (1, 0)]),
    (r"|x||y|", lambda v: abs(v[0]) * abs(v[1]),
     "x = 0 and y ≠ 0 or y = 0 and x ≠ 0", [(0, 1), (-2, 0)], [(0, 0)]),
    (r"(|x|-|y|)^2", lambda v: (abs(v[0]) - abs(v[1])) ** 2,
     "x = 0 and y ≠ 0 or y = 0 and x ≠ 0", [(0, 1), (3, 0)], [(0, 0)]),
]


@pytest.mark.parametrize("latex,fn,text,inside,outside", MEETING, ids=[m[0] for m in MEETING])
def test_the_nondifferentiable_set_where_switches_meet(capsys, latex, fn, text, inside, outside):
    a = analyze(latex, wrt="x,y")
    from symderiv.render import spell
    assert spell.nondifferentiable_set(a.verdict, spell.notation(False, a)) == text
    _probe(latex, "x,y", fn, inside, outside, seed=31)


class _Points:
    """The answers of one function at several points: the first through analyze(at=...),
    the next ones through Analysis.at of that analysis, which reuses its global analysis
    and answers a point as analyze(at=...) does (test_properties asks the same way)."""

    def __init__(self, latex, **kw):
        self.latex, self.kw, self.first = latex, kw, None

    def at(self, text):
        if self.first is None:
            self.first = analyze(self.latex, at=text, **self.kw)
            return self.first.point
        return self.first.at(text).point


def _probe(latex, wrt, fn, inside, outside, seed):
    """Not differentiable at the points inside the claimed set (the oracle agrees), and
    differentiable outside it with the gradient the oracle measures."""
    rng = np.random.default_rng(seed)
    f = lambda v: float(fn(np.asarray(v, dtype=float)))  # noqa: E731
    points = _Points(latex, wrt=wrt)
    for p in inside:
        oracle.check_not_differentiable(f, np.array(p, dtype=float), rng)
        assert points.at(str(list(p))).differentiable is False
    for p in outside:
        G = np.asarray(points.at(str(list(p))).gradient, float).reshape(len(p))
        oracle.check_gradient(f, np.array(p, dtype=float), G, rng)


@pytest.mark.parametrize("latex,lets,fn,shape", [
    # b is not in the range of A: Ax - b never vanishes, so the norm is smooth
    (r"\|Ax-b\|_2", ["A=[[1,2],[3,4],[5,6]]", "b=[1,0,0]"],
     lambda x: np.linalg.norm(np.array([[1, 2], [3, 4], [5, 6]]) @ x - np.array([1, 0, 0])), (2,)),
    # A = 0: the kink's argument is constant (0 or -1), so f is constant
    (r"\sigma(\operatorname{tr}(A^TX))", ["A=[[0,0],[0,0]]"], lambda X: 0.0, (2, 2)),
    (r"|\operatorname{tr}(A^TX)-1|", ["A=[[0,0],[0,0]]"], lambda X: 1.0, (2, 2)),
])
def test_given_constants_that_leave_a_kink_empty_make_f_smooth(latex, lets, fn, shape):
    a = analyze(latex, let=lets)
    assert a.verdict.differentiable_everywhere is True and a.verdict.smoothness == "inf"
    rng = np.random.default_rng(32)
    f = lambda X: float(fn(np.asarray(X, dtype=float).reshape(shape)))  # noqa: E731
    points = _Points(latex, let=lets)
    for _ in range(3):
        X = rng.standard_normal(shape)
        point = points.at(str(X.round(3).tolist()))
        assert point.differentiable
        oracle.check_gradient(f, X.round(3), np.asarray(point.gradient, float).reshape(shape), rng)
    # the same function with b in the range of A keeps its kink
    if latex.startswith(r"\|Ax"):
        kept = analyze(latex, let=["A=[[1,2],[3,4],[5,6]]", "b=[1,1,1]"]).verdict
        assert kept.differentiable_everywhere is False


@pytest.mark.parametrize("latex,fn", [
    (r"\sqrt{x^2+y^2}", lambda v: np.hypot(v[0], v[1])),
    (r"\sqrt{x^2+y^2}+x", lambda v: np.hypot(v[0], v[1]) + v[0]),
    (r"|xy|", lambda v: abs(v[0] * v[1])),
    (r"\max(xy, 0) + y", lambda v: max(v[0] * v[1], 0) + v[1]),
])
def test_the_printed_gradient_of_several_scalars_is_their_gradient(latex, fn):
    """The gradient field itself (not only the value at a point), evaluated exactly at
    random points, against central differences."""
    from fractions import Fraction
    from symderiv.evaluate import Evaluator
    a = analyze(latex, wrt="x,y")
    v = a.verdict
    rng = np.random.default_rng(33)
    for _ in range(5):
        p = [Fraction(int(k), 7) for k in rng.integers(-20, 20, 2)]
        if 0 in p:
            continue
        value = np.array([[p[0]], [p[1]]], dtype=object)
        ev = Evaluator({v.var.name: value}, {})
        got = [float(ev(part)[0, 0]) for part in v.partials] if v.partials else \
            [float(x) for x in ev(v.gradient).flat]
        want = oracle.numeric_gradient(lambda z: float(fn(z)), np.array([float(p[0]), float(p[1])]))
        assert np.allclose(got, want, atol=1e-6), (p, got, want)


def test_many_kinks_in_one_entry_skip_the_case_split_not_the_answer():
    """|x| + ... + |u| over six scalars: 64 cases are not written out, the sign route
    answers, and says why the routes were not compared."""
    a = analyze(r"|x|+|y|+|z|+|w|+|v|+|u|", wrt="x,y,z,w,v,u", at="[0,1,-2,0,3,-1]")
    assert a.agree is None and "64 cases" in a.agree_reason
    assert a.verdict.differentiable_everywhere is False
    sub = a.point.subdifferential
    assert sub["form"] == "box"
    f = lambda v: float(np.abs(v).sum())  # noqa: E731
    X = np.array([0, 1, -2, 0, 3, -1], dtype=float)
    oracle.check_clarke(f, X, {"form": "box", "lower": np.array(sub["lower"], float).reshape(6),
                               "upper": np.array(sub["upper"], float).reshape(6)}, np.random.default_rng(34),
                        regular=True)


@pytest.mark.parametrize("latex,zero,fn", [
    (r"\sqrt{(x-1)^2+y^2}", [1, 0], lambda v: np.hypot(v[0] - 1, v[1])),
    (r"\sqrt{(x+y)^2+z^2}", [1, -1, 0], lambda v: np.hypot(v[0] + v[1], v[2])),
    (r"\sqrt{x^4+y^4}", [0, 0], lambda v: np.sqrt(v[0] ** 4 + v[1] ** 4)),
])
def test_a_root_of_a_smooth_function_with_zeros_is_not_called_smooth_there(latex, zero, fn):
    """No table primitive marks the cone of sqrt((x-1)^2 + y^2) at (1, 0): the verdict is
    stated where the root's argument is positive, and its zeros are not called
    differentiable (the first two are not; sqrt(x^4 + y^4) happens to be).  At a cone's tip
    the arbiter's exact test decides (f'(p; D) = ||(D_x, D_y)|| is not linear), and leaves the
    Clarke set undecided: a described form marked so, not null (a cone is Lipschitz, and null
    would say it is not); sqrt(x^4 + y^4), whose argument vanishes to fourth order, is refused."""
    wrt = "x,y,z"[: 2 * len(zero) - 1]
    a = analyze(latex, wrt=wrt)
    assert a.verdict.domain, "the verdict is restricted to where the argument is positive"
    f = lambda v: float(fn(np.asarray(v, dtype=float)))  # noqa: E731
    rng = np.random.default_rng(35)
    if zero != [0, 0]:
        p = analyze(latex, wrt=wrt, at=str(zero)).point
        assert p.differentiable is False and p.reason
        assert p.subdifferential is not None and p.subdifferential["decided"] is False
        oracle.check_not_differentiable(f, np.array(zero, dtype=float), rng)
    else:
        with pytest.raises(Unsupported):
            analyze(latex, wrt=wrt, at=str(zero))
    p = np.array(zero, dtype=float) + 0.5
    G = np.asarray(analyze(latex, wrt=wrt, at=str(p.tolist())).point.gradient, float).reshape(p.shape)
    oracle.check_gradient(f, p, G, rng)


def test_a_norm_of_a_map_that_is_zero_everywhere_is_a_constant():
    lets = ["A=[[0,0],[0,0]]", "b=[0,0]"]
    a = analyze(r"\|Ax-b\|_2", wrt="x", let=lets)
    assert a.verdict.differentiable_everywhere is True and a.verdict.smoothness == "inf"
    p = analyze(r"\|Ax-b\|_2", wrt="x", let=lets, at="[1,-2]").point
    assert p.differentiable
    oracle.check_gradient(lambda v: 0.0, np.array([1.0, -2.0]), np.asarray(p.gradient, float).reshape(2),
                          np.random.default_rng(36))


@pytest.mark.parametrize("latex,fn,inside,outside", [
    (r"\sigma(x)\sigma(y)\sigma(z)", lambda v: max(v[0], 0) * max(v[1], 0) * max(v[2], 0),
     [(0, 1, 1), (2, 0, 3)], [(0, 0, 1), (0, 0, 0), (1, 2, 3)]),
    (r"\max(x,\max(y,\max(z,0)))", lambda v: max(v[0], v[1], v[2], 0.0),
     [(0, 0, 0), (1, 1, 0), (0, -1, -2), (2, -1, 2)], [(1, 1, 2), (-1, -2, -3), (3, 1, 2)]),
])
def test_three_variables_whose_jumps_were_undecided(latex, fn, inside, outside):
    """is_zero once gave up on jumps such as (1 + sign x)(1 + sign y) x y, so these were
    refused; a non-zero polynomial on a cell that occurs now decides them."""
    a = analyze(latex, wrt="x,y,z")
    assert a.verdict.differentiable_everywhere is False
    _probe(latex, "x,y,z", fn, inside, outside, seed=37)


# Rows of a constant given with --let that are parallel: their kinks lie on one hyperplane
# and add up there (or cancel).  The verdict must see it; the oracle checks points on each
# hyperplane and off them.
PARALLEL = [
    # c^T max(Ax, 0) = 2 max(u, 0) - max(2u, 0) = 0 for u = x_1 + x_2
    (r"c^T\sigma(Ax)", ["A=[[1,1],[2,2]]", "c=[2,-1]"], lambda x: 2 * relu(x[0] + x[1]) - relu(2 * x[0] + 2 * x[1]),
     True, "inf", [([1.5, -1.5], True)]),
    # max(x_1, 0) - max(-x_1, 0) = x_1
    (r"c^T\sigma(Ax)", ["A=[[1,0],[-1,0]]", "c=[1,-1]"], lambda x: relu(x[0]) - relu(-x[0]),
     True, "inf", [([0.0, 0.7], True)]),
    # the first two rows cancel on x_1 + x_2 = 0; the last two keep their kinks
    (r"c^T\sigma(Ax)", ["A=[[1,1],[2,2],[1,0],[0,1]]", "c=[2,-1,1,1]"],
     lambda x: 2 * relu(x[0] + x[1]) - relu(2 * x[0] + 2 * x[1]) + relu(x[0]) + relu(x[1]),
     False, 0, [([1.25, -1.25], True), ([0.0, 0.75], False)]),
    # |u| + |-u| = 2|u|: the rows add up, the kink stays
    (r"\sum_{i}|(Ax)_i|", ["A=[[1,1],[-1,-1],[1,0]]"], lambda x: 2 * abs(x[0] + x[1]) + abs(x[0]),
     False, 0, [([0.5, -0.5], False), ([0.0, 1.0], False), ([0.5, 0.25], True)]),
]


@pytest.mark.parametrize("latex, lets, fn, diff, smooth, probes", PARALLEL, ids=[str(c[1]) for c in PARALLEL])
def test_kinks_of_parallel_given_rows_add_up_or_cancel(latex, lets, fn, diff, smooth, probes):
    a = analyze(latex, wrt="x", let=lets)
    assert a.verdict.differentiable_everywhere is diff and a.verdict.smoothness == smooth
    f = lambda X: float(fn(np.asarray(X, dtype=float).ravel()))   # noqa: E731
    rng = np.random.default_rng(17)
    points = _Points(latex, wrt="x", let=lets)
    for point, differentiable in probes:
        p = points.at("[" + ",".join(str(v) for v in point) + "]")
        X = np.array(point, dtype=float).reshape(2, 1)
        assert p.differentiable is differentiable
        if differentiable:
            oracle.check_gradient(f, X, np.asarray(p.gradient, dtype=float).reshape(2, 1), rng)
        else:
            oracle.check_not_differentiable(f, X, rng)
    if smooth == "inf":
        # linear: the gradient is the same everywhere, kinks or not
        G = [oracle.numeric_gradient(f, rng.normal(size=(2, 1))) for _ in range(3)]
        assert all(np.allclose(g, G[0], atol=1e-6) for g in G)


@pytest.mark.parametrize("latex, g", [
    (r"\|X\odot\sigma(X)\|_F", lambda X: X * relu(X)),
    (r"\|X\odot X\|_F", lambda X: X * X),
    (r"\|X\odot|X|\|_F", lambda X: X * np.abs(X)),
])
def test_a_norm_of_a_map_flat_at_its_zeros_is_differentiable(latex, g):
    # g' = 0 wherever g = 0: ||g(X)|| is o(|D|) at its zeros, so it is differentiable there
    a = analyze(latex, wrt="X")
    assert a.verdict.differentiable_everywhere is True and a.verdict.smoothness == 1
    f = lambda X: float(np.linalg.norm(g(np.asarray(X, dtype=float))))   # noqa: E731
    rng = np.random.default_rng(23)
    for X0 in (np.zeros((2, 2)), np.array([[0.0, -1.0], [0.0, -2.0]])):
        if np.any(g(X0) != 0):
            continue               # not a zero of the norm's argument (x ⊙ x at -1)
        assert max(abs(f(X0 + 1e-6 * D) - f(X0)) for D in rng.normal(size=(50, 2, 2))) < 1e-9
    # C^1 and no more: f is 2-homogeneous, so a second derivative at 0 would make
    # D -> f''(0; D) a quadratic form; it breaks the parallelogram law
    Z, D1, D2 = np.zeros((2, 2)), np.array([[1.0, 0.0], [0.0, 0.0]]), np.array([[0.0, 1.0], [0.0, 0.0]])
    q = lambda D: oracle.one_sided_k(f, Z, D, 2)   # noqa: E731
    assert abs(q(D1 + D2) + q(D1 - D2) - 2 * q(D1) - 2 * q(D2)) > 0.1
    if "sigma" in latex:           # (not even: the second derivative also jumps along D1)
        oracle.check_class_at(f, Z, D1, 1)


def test_a_norm_of_a_map_with_a_corner_at_a_zero_keeps_its_kink():
    # x max(x - 1, 0) is 0 at x = 1 with slope 1 from the right: ||.|| has a kink there
    a = analyze(r"\|\sigma(X-J)\odot X\|_F", wrt="X")
    assert a.verdict.differentiable_everywhere is False
    f = lambda X: float(np.linalg.norm(np.asarray(X, dtype=float) * relu(np.asarray(X, dtype=float) - 1)))  # noqa
    oracle.check_not_differentiable(f, np.ones((2, 2)), np.random.default_rng(4))


# ---- review 8 ---------------------------------------------------------------------------------

def test_a_case_that_sets_one_value_on_the_switch_is_a_jump():
    a = analyze(r"\begin{cases} x^2 & x> 1 \\ x & x< 1 \\ 2 & x=1\end{cases}", wrt="x", at="1")
    assert a.verdict.continuous is False and a.verdict.smoothness is None and a.convexity.convex is not True
    assert a.point.differentiable is False and a.point.subdifferential is None
    f = lambda x: x * x if x > 1 else (x if x < 1 else 2.0)   # noqa: E731
    assert abs(f(1 + 1e-9) - 1) < 1e-8 and abs(f(1 - 1e-9) - 1) < 1e-8 and f(1) == 2
    assert f(1) > (f(0.9) + f(1.1)) / 2                  # not convex: a midpoint lies above


@pytest.mark.parametrize("latex, wrt, fn, diff, smooth", [
    (r"\sqrt{x^Tx}", "x", lambda X: np.linalg.norm(X), False, 0),
    (r"(x^Tx)^{3/2}", "x", lambda X: np.linalg.norm(X) ** 3, True, 2),
    (r"\|X\|_F^{3/2}", "X", lambda X: np.linalg.norm(X) ** 1.5, True, 1),
    (r"\|X\|_F^{1/2}", "X", lambda X: np.linalg.norm(X) ** 0.5, False, 0),
    (r"\exp(\|X\|_F)", "X", lambda X: np.exp(np.linalg.norm(X)), False, 0),
])
def test_powers_and_functions_of_a_norm_at_its_zero(latex, wrt, fn, diff, smooth):
    a = analyze(latex, wrt=wrt)
    assert a.verdict.differentiable_everywhere is diff and a.verdict.smoothness == smooth
    assert not a.verdict.domain                          # defined everywhere: no domain is invented
    shape = (2, 1) if wrt == "x" else (2, 2)
    Z = np.zeros(shape)
    p = analyze(latex, wrt=wrt, at="[0,0]" if wrt == "x" else "[[0,0],[0,0]]").point
    rng = np.random.default_rng(8)
    D = rng.normal(size=shape)
    if diff:
        assert p.differentiable and np.allclose(np.asarray(p.gradient, dtype=float), 0)
        q = [(fn(t * D) - fn(Z)) / t for t in (1e-4, 1e-8)]
        assert q[1] < q[0] / 50                          # the quotient goes to 0: the gradient is 0
        U = D / np.linalg.norm(D)
        if smooth == 2:
            oracle.check_class_at(fn, Z, U, smooth)
        else:                      # r^(3/2): the second difference quotient blows up like h^(-1/2)
            q2 = [(fn(2 * h * U) - 2 * fn(h * U) + fn(Z)) / h ** 2 for h in (1e-2, 1e-6)]
            assert q2[1] > 50 * q2[0]
    else:
        assert not p.differentiable
        assert abs(oracle.one_sided(fn, Z, D) - oracle.one_sided(fn, Z, -D)) < 1e-6 or \
            np.isinf(oracle.one_sided(fn, Z, D)) or oracle.one_sided(fn, Z, D) > 1e3   # even: no linear part
        assert oracle.one_sided(fn, Z, D) > 0.1          # yet it grows in every direction
        if smooth == 0 and latex.endswith("{1/2}"):
            assert p.subdifferential is None             # an infinite slope: no Clarke set


@pytest.mark.parametrize("latex, lets, fn, smooth", [
    (r"\|\sigma(Ax)\|^2", ["A=[[1,1],[-1,-1]]"], lambda v: (v[0] + v[1]) ** 2, "inf"),
    (r"\|\sigma(Ax)\|_2^2-\|Ax\|_2^2/2", ["A=[[1,1],[-1,-1]]"], lambda v: 0.0, "inf"),
    (r"c^T\sigma(Ax)", ["A=[" + ",".join(["[" + ",".join(["1"] * 17) + "]", "[" + ",".join(["2"] * 17) + "]"]) + "]",
                        "c=[2,-1]"], lambda v: 0.0, "inf"),
])
def test_given_rows_that_make_f_smooth_are_read_entry_by_entry(latex, lets, fn, smooth):
    a = analyze(latex, wrt="x", let=lets)
    assert a.verdict.differentiable_everywhere is True and a.verdict.smoothness == smooth
    A = np.array(json.loads(lets[0][2:]), dtype=float)
    c = np.array(json.loads(lets[1][2:]), dtype=float) if len(lets) > 1 else None
    relu_ = lambda u: np.maximum(u, 0)   # noqa: E731
    rng = np.random.default_rng(6)
    for _ in range(50):
        v = rng.normal(size=(A.shape[1],))
        u = A @ v
        value = (c @ relu_(u)) if c is not None else (np.sum(relu_(u) ** 2) - (np.sum(u ** 2) / 2 if "-" in latex else 0))
        assert abs(value - fn(v)) < 1e-9


def test_numbered_entries_of_the_variable():
    a = analyze(r"x_1^2+x_2^2", wrt="x", at="[1.5,-2]")
    assert a.point.differentiable and np.allclose(np.asarray(a.point.gradient, dtype=float).ravel(), [3, -4])
    f = lambda X: float(X[0, 0] ** 2 + X[1, 0] ** 2)   # noqa: E731
    assert np.allclose(oracle.numeric_gradient(f, np.array([[1.5], [-2.0]])).ravel(), [3, -4], atol=1e-6)
    with pytest.raises(InputError, match="outside its 2x2 shape"):
        analyze(r"X_{33}", wrt="X", at="[[1,2],[3,4]]")


def test_a_norm_of_kinks_that_cancel_keeps_its_own_kink():
    # ‖max(Ax, 0)‖ with rows u, -u is |u|: written out entry by entry the norm would be a root
    # of kinks, which hides the kink; the matrix form's answer is kept
    a = analyze(r"\|\sigma(Ax)\|_2", wrt="x", let=["A=[[1,2],[-1,-2]]"])
    assert a.verdict.differentiable_everywhere is False
    f = lambda X: float(np.linalg.norm(np.maximum(np.array([[1, 2], [-1, -2]]) @ np.asarray(X, float), 0)))  # noqa
    X0, D = np.array([[2.0], [-1.0]]), np.array([[1.0], [0.0]])          # on x_1 + 2 x_2 = 0
    assert oracle.one_sided(f, X0, D) == pytest.approx(1) and oracle.one_sided(f, X0, -D) == pytest.approx(1)


@pytest.mark.parametrize("latex, radius", [(r"\cos(\|X\|_F^{1/2})", 0.5), (r"\cos(\|X\|_F)", None)])
def test_a_smooth_function_of_a_norm_at_its_zero(latex, radius):
    p = analyze(latex, wrt="X", at="[[0,0],[0,0]]").point
    fn = (lambda X: math.cos(math.sqrt(np.linalg.norm(X)))) if radius else (lambda X: math.cos(np.linalg.norm(X)))
    rng = np.random.default_rng(12)
    if radius is None:
        assert p.differentiable and np.allclose(np.asarray(p.gradient, dtype=float), 0)
        assert abs(oracle.one_sided(fn, np.zeros((2, 2)), rng.normal(size=(2, 2)))) < 1e-4
        return
    assert not p.differentiable and p.subdifferential["form"] == "ball"
    assert float(p.subdifferential["radius"]) == pytest.approx(radius)
    # gradients near 0 have norm -> 1/2: the ball of radius 1/2 is their closed convex hull
    for _ in range(5):
        X = 1e-8 * rng.normal(size=(2, 2))
        assert np.linalg.norm(oracle.numeric_gradient(fn, X, h=1e-11)) == pytest.approx(radius, rel=1e-2)


@pytest.mark.parametrize("lets, fn, diff, inside, outside", [
    (["A=[[1,1],[1,1]]"], lambda v: v[0] + v[1], True, [], [(0.3, -2.0)]),
    (["A=[[1,2],[1,2],[0,1]]"], lambda v: max(v[0] + 2 * v[1], v[1]), False, [(1.0, -1.0)], [(1.0, 1.0)]),
    (["A=[[1,2],[2,1],[0,1]]"], lambda v: max(v[0] + 2 * v[1], 2 * v[0] + v[1], v[1]), False,
     [(1.0, 1.0), (-1.0, 1.0), (0.0, -1.0)], [(1.0, 2.0), (2.0, -1.0)]),
])
def test_ties_of_identical_given_rows_in_a_max_are_no_kink(lets, fn, diff, inside, outside):
    a = analyze(r"\max_i (Ax)_i", wrt="x", let=lets)
    assert a.verdict.differentiable_everywhere is diff
    rng = np.random.default_rng(14)
    f = lambda X: float(fn(np.asarray(X, dtype=float).ravel()))   # noqa: E731
    points = _Points(r"\max_i (Ax)_i", wrt="x", let=lets)
    for p in inside:
        oracle.check_not_differentiable(f, np.array(p).reshape(2, 1), rng)
        assert points.at(str(list(p))).differentiable is False
    for p in outside:
        G = points.at(str(list(p))).gradient
        oracle.check_gradient(f, np.array(p).reshape(2, 1), np.asarray(G, dtype=float).reshape(2, 1), rng)


def test_entry_notes_name_the_letters_written():
    a = _analysis(r"\sum_i \max(0, 1 - y_i (Xw)_i) + \sum_{i,j} a_{ji} x_{ij}", "X", {})
    assert "y_i is the i-th entry of the vector y" in a.notes
    assert "a_ji is the (j,i) entry of A" in a.notes and "x_ij is the (i,j) entry of X" in a.notes
    assert not any(n.startswith("x_i is") for n in a.notes)


def test_samples_read_as_rows_say_so_and_refuse_a_clash():
    a = _analysis(r"\sum_i \max(0, 1 - y_i w^T x_i)", "w", {})
    assert any(n.startswith("x_i is the i-th sample") for n in a.notes)
    with pytest.raises(Unsupported) as info:
        _analysis(r"\sum_i \max(0, 1 - y_i w^T x_i) + \sum_i x_i", "w", {})
    assert "as a sample" in info.value.message and info.value.exit_code == 3


def test_route_comparison_at_transcendental_values_is_bounded():
    # exp of a large rational: each side is evaluated on its own to 60 digits, not their
    # difference (whose evalf raised its precision without end when it was 0)
    from symderiv.routes.compare import _differ
    import sympy as sp
    big = sp.Rational(40000, 13)
    assert not _differ(sp.exp(big) / (1 + sp.exp(big)), 1 / (1 + sp.exp(-big)))
    assert _differ(sp.exp(big), sp.exp(big) * (1 + sp.Rational(1, 10**20)))
    assert _differ(sp.log(3), sp.log(2))


# ---- review 12: machine-learning losses ---------------------------------------------------

def test_a_norm_of_one_entry_inside_a_sum_is_its_absolute_value():
    # \sum_i \|x_i\| was read as \|x\| (the entry stood for the whole vector)
    for latex, fn in ((r"\sum_i \|x_i\|_2", lambda v: np.sum(np.abs(v))),
                      (r"\sum_i \|x_i - y_i\|^2", lambda v: np.sum((v - np.array([[1.0], [-2.0], [0.5]])) ** 2))):
        lets = {} if "y" not in latex else {"y": "[1,-2,1/2]"}
        for point in (np.array([[3.0], [4.0], [-1.0]]), np.array([[0.0], [4.0], [-1.0]])):
            a = _analysis(latex, "x", lets, at=_point_text(point))
            assert float(a.point.value) == pytest.approx(fn(point))
            rng = np.random.default_rng(3)
            if a.point.gradient is not None:
                oracle.check_gradient(fn, point, np.asarray(a.point.gradient, float).reshape(3, 1), rng)
            else:      # |x_1| at x_1 = 0: the one-sided slopes along e_1 are -1 and +1
                e = np.zeros((3, 1)); e[0, 0] = 1
                assert oracle.one_sided(fn, point, e) + oracle.one_sided(fn, point, -e) == pytest.approx(2)
    a = _analysis(r"\sum_i \|x_i\|_2", "x", {})
    assert not a.verdict.differentiable_everywhere and a.verdict.smoothness == 0


def test_a_switch_that_does_not_move_with_the_variable_is_no_kink():
    # max(αx, x) switches on (α - 1)x = 0: for α = 1 that is every x, and f = x is smooth
    from symderiv.render import spell
    for latex in (r"\max(\alpha x, x)", r"\min(\alpha x, x)"):
        a = _analysis(latex, "x", {})
        assert "α ≠ 1" in spell.nondifferentiable_set(a.verdict, spell.notation(False, a))
        b = _analysis(latex, "x", {"alpha": "1"})
        assert b.verdict.differentiable_everywhere and b.verdict.smoothness == "inf"
    c = _analysis(r"|a x - b|", "x", {"a": "0", "b": "2"})
    assert c.verdict.differentiable_everywhere
    for x in (-1.0, 0.0, 2.0):                  # f = |0 x - 2| = 2 has slope 0 everywhere
        assert abs(oracle.one_sided(lambda v: abs(0 * v - 2), np.array([[x]]), np.array([[1.0]]))) < 1e-9


def test_a_condition_sympy_decides_is_not_printed():
    from symderiv.render import spell
    a = _analysis(r"\frac{1}{n}\|Xw - y\|_1", "w", {})
    assert "True" not in spell.nondifferentiable_set(a.verdict, spell.notation(False, a))


def test_a_direct_route_that_cannot_finish_leaves_the_verdict_standing():
    # |a_i - p_i|^2 in sign form made route 2 undecidable; the answer at the point is right
    lets = {"p": "[1,0,2]", "n": "[0,1,0]"}
    a = _analysis(r"\sum_i \max(0, \|a_i - p_i\|_2^2 - \|a_i - n_i\|_2^2 + 1)", "a", lets, at="[0,0,0]")
    p, n = np.array([[1.0], [0.0], [2.0]]), np.array([[0.0], [1.0], [0.0]])
    fn = lambda v: float(np.sum(np.maximum(0, (v - p) ** 2 - (v - n) ** 2 + 1)))   # noqa: E731
    assert float(a.point.value) == pytest.approx(fn(np.zeros((3, 1)))) == 7
    assert a.point.differentiable is False
    e = np.zeros((3, 1)); e[1, 0] = 1
    assert oracle.one_sided(fn, np.zeros((3, 1)), e) == pytest.approx(2)
    assert oracle.one_sided(fn, np.zeros((3, 1)), -e) == pytest.approx(0, abs=1e-9)


def test_letters_inside_a_norm_or_an_inner_product_are_vectors():
    rng = np.random.default_rng(8)
    v0 = np.array([[1.0], [-2.0], [0.5]])
    cases = [(r"\|\mathbf{w}-\mathbf{v}\|_2", "w", {"v": "[1,-2,1/2]"}, lambda w: float(np.linalg.norm(w - v0))),
             (r"\|\boldsymbol{\theta}\|_2^2 + \theta^T v", "theta", {"v": "[1,-2,1/2]"},
              lambda t: float(np.sum(t ** 2) + (t.T @ v0).item())),
             (r"\max(0, 1 - \langle w, v\rangle)", "w", {"v": "[1,-2,1/2]"},
              lambda w: max(0.0, 1 - (w.T @ v0).item()))]
    for latex, wrt, lets, fn in cases:
        a = _analysis(latex, wrt, lets)
        assert a.problem.var.shape[1] == 1 and a.problem.var.shape[0] != 1, latex
        for _ in range(3):
            X = np.round(rng.uniform(-3, 3, (3, 1)) * 4) / 4
            p = _analysis(latex, wrt, lets, at=_point_text(X)).point
            assert float(p.value) == pytest.approx(fn(X))
            if p.gradient is not None:
                oracle.check_gradient(fn, X, np.asarray(p.gradient, float).reshape(3, 1), rng)


def test_log_sum_exp_in_its_usual_spelling():
    for latex in (r"\log\sum_i e^{x_i}", r"\ln\sum_j \exp(x_j)", r"2\log\sum_i e^{x_i} - 1"):
        scale, shift = (2, -1) if latex.startswith("2") else (1, 0)
        fn = lambda v: scale * float(np.log(np.sum(np.exp(v)))) + shift          # noqa: E731
        X = np.array([[0.5], [-1.0], [2.0]])
        p = _analysis(latex, "x", {}, at=_point_text(X)).point
        assert float(p.value) == pytest.approx(fn(X))
        oracle.check_gradient(fn, X, np.asarray(p.gradient, float).reshape(3, 1), np.random.default_rng(1))


def test_entries_alone_make_x_the_default_variable():
    a = analyze(r"|x_1| + |x_2|")
    assert a.problem.var.name == "x"
    p = analyze(r"|x_1| + |x_2|", at="[0,3]").point
    assert p.differentiable is False
    fn = lambda v: abs(v[0, 0]) + abs(v[1, 0])                                   # noqa: E731
    e = np.array([[1.0], [0.0]])
    assert oracle.one_sided(fn, np.array([[0.0], [3.0]]), e) + oracle.one_sided(fn, np.array([[0.0], [3.0]]), -e) \
        == pytest.approx(2)


def test_a_sum_bound_given_a_value_is_the_size_it_sums_over():
    latex = r"\frac{1}{n}\sum_{i=1}^{n}\max(0,1-y_i x_i^T w)"
    lets = {"X": "[[1,2],[3,4],[1,0]]", "y": "[1,-1,1]"}
    with pytest.raises(Unsupported) as info:
        _analysis(latex, "w", {**lets, "n": "2"})
    assert "runs to n = 2" in info.value.message
    X, y = np.array([[1, 2], [3, 4], [1, 0]], float), np.array([[1], [-1], [1]], float)
    fn = lambda w: float(np.sum(np.maximum(0, 1 - y * (X @ w)))) / 3                # noqa: E731
    p = _analysis(latex, "w", {**lets, "n": "3"}, at="[1/2,1/2]").point
    assert float(p.value) == pytest.approx(fn(np.array([[0.5], [0.5]])))
    b = _analysis(r"\sum_{i=1}^{n} |x_i|", "x", {"n": "4"})
    assert b.problem.var.shape == (4, 1)


def test_the_max_norm_is_the_largest_absolute_entry():
    # refused before issue 13 (which asked for \max_i |x_i| instead); now read as that
    a = _analysis(r"\|w\|_\infty", "w", {}, at="[3,-4,1]")
    assert float(a.point.value) == 4 == np.linalg.norm([3, -4, 1], np.inf)
    numeric = [(np.linalg.norm(np.array([3, -4, 1]) + h * e, np.inf) - np.linalg.norm(np.array([3, -4, 1]) - h * e,
                                                                                           np.inf)) / (2 * h)
               for h in [1e-6] for e in np.eye(3)]
    assert np.allclose([float(g) for g in a.point.gradient.flat], numeric)


def test_a_sum_of_row_maxima_is_refused_with_what_is_analysed():
    with pytest.raises(Unsupported) as info:
        _analysis(r"\sum_i \max_j X_{ij}", "X", {})
    assert "sum of maxima" in info.value.message and info.value.exit_code == 3


def test_the_largest_absolute_entry_over_a_written_range():
    fn = lambda v: float(np.max(np.abs(v)))                                          # noqa: E731
    for point in ([1, -3, 2], [3, -3, 0]):
        X = np.array(point, float).reshape(3, 1)
        p = _analysis(r"\max_{1\le i\le n} |x_i|", "x", {}, at=_point_text(X)).point
        assert float(p.value) == fn(X)
        if p.gradient is not None:
            oracle.check_gradient(fn, X, np.asarray(p.gradient, float).reshape(3, 1), np.random.default_rng(2))
        else:              # a tie between |x_1| and |x_2|: the one-sided slopes along e_1 differ
            e = np.array([[1.0], [0.0], [0.0]])
            assert oracle.one_sided(fn, X, e) + oracle.one_sided(fn, X, -e) > 0.5


def test_a_matrix_times_a_sample_is_refused_with_the_batch_form():
    with pytest.raises(Unsupported) as info:
        _analysis(r"\sum_i (w_2^T\sigma(W_1 x_i) - y_i)^2", "W_1", {})
    assert "batch form" in info.value.message and info.value.exit_code == 3


def test_an_index_range_with_a_value_and_a_double_sum_to_n():
    with pytest.raises(Unsupported) as info:
        _analysis(r"\max_{1 \le i \le n} x_i", "x", {"n": "2"}, at="[1,-2,5]")
    assert "runs to n = 2" in info.value.message
    with pytest.raises(Unsupported):
        _analysis(r"\sum_{i,j=1}^{n} |X_{ij}|", "X", {"n": "2"}, at="[[1,2,3],[4,5,6],[7,8,9]]")
    a = _analysis(r"\sum_{i,j=1}^{n} |X_{ij}|", "X", {"n": "2"}, at="[[1,-2],[0,4]]")
    assert a.problem.var.shape == (2, 2) and float(a.point.value) == 7
    X = np.array([[1.0, -2.0], [0.0, 4.0]])
    e = np.zeros((2, 2)); e[1, 0] = 1
    fn = lambda M: float(np.sum(np.abs(M)))                                           # noqa: E731
    assert a.point.differentiable is False
    assert oracle.one_sided(fn, X, e) + oracle.one_sided(fn, X, -e) == pytest.approx(2)


def test_one_index_on_a_given_matrix_is_an_error():
    with pytest.raises(InputError) as info:
        _analysis(r"\sum_i \|X_i\|", "X", {}, at="[[1,2],[3,4]]")
    assert "one index" in info.value.message and info.value.exit_code == 2


def test_a_norm_of_relu_fails_only_where_an_entry_is_on_the_switch():
    # ‖σ(x)‖ is 0 near any x < 0, so the set is {σ(x) = 0 and some x_i = 0}, not σ(x) = 0
    from symderiv.render import spell
    a = _analysis(r"\|\sigma(x)\|_2", "x", {})
    text = spell.nondifferentiable_set(a.verdict, spell.notation(False, a))
    assert text == "max(x, 0) = 0 and x_i = 0 for some i"
    fn = lambda v: float(np.linalg.norm(np.maximum(v, 0)))                               # noqa: E731
    inside, edge = np.array([[-1.0], [-2.0], [-0.5]]), np.array([[-1.0], [0.0], [-0.5]])
    e = np.zeros((3, 1)); e[1, 0] = 1
    assert oracle.one_sided(fn, inside, e) == 0 and oracle.one_sided(fn, inside, -e) == 0
    assert oracle.one_sided(fn, edge, e) == pytest.approx(1) and oracle.one_sided(fn, edge, -e) == 0
    assert _analysis(r"\|\sigma(x)\|_2", "x", {}, at=_point_text(inside)).point.differentiable is True
    assert _analysis(r"\|\sigma(x)\|_2", "x", {}, at=_point_text(edge)).point.differentiable is False
    b = _analysis(r"\|X\|_F + \||X|\|_F", "X", {})            # no flat zeros: the set is unchanged
    assert "for some" not in spell.nondifferentiable_set(b.verdict, spell.notation(False, b))


def test_the_routes_agree_on_huber_with_a_symbolic_delta():
    # route 2 took the piece below x = δ as if δ could be negative, and said f jumps there
    a = _analysis(r"\sum_i \operatorname{Huber}_\delta(x_i)", "x", {})
    assert a.agree is True and a.verdict.smoothness == 1 and a.verdict.differentiable_everywhere
    huber = lambda u, d: np.where(np.abs(u) <= d, u * u / 2, d * (np.abs(u) - d / 2))     # noqa: E731
    for d in (0.5, 2.0):        # at x = ±δ the one-sided slopes agree (±δ): no kink, C^1
        for x0 in (d, -d):
            left = (huber(x0, d) - huber(x0 - 1e-7, d)) / 1e-7
            right = (huber(x0 + 1e-7, d) - huber(x0, d)) / 1e-7
            assert abs(left - right) < 1e-5


@pytest.mark.parametrize("latex, lets, fn, inside, edge, text", [
    (r"\|\operatorname{soft}_{0.1}(X)\|_F", {}, lambda M: float(np.linalg.norm(np.sign(M) * np.maximum(np.abs(M) - 0.1, 0))),
     [[0.05, 0], [0, -0.05]], [[0.1, 0], [0, -0.05]], "x_ij = 1/10 or x_ij = -1/10 for some i, j"),
    (r"\|\min(X,0)\|_F", {}, lambda M: float(np.linalg.norm(np.minimum(M, 0))),
     [[2, 3], [4, 5]], [[0, 3], [4, 5]], "x_ij = 0 for some i, j"),
    (r"\|\sigma(X-B)\|_F", {"B": "[[1,1],[1,1]]"}, lambda M: float(np.linalg.norm(np.maximum(M - 1, 0))),
     [[0, 0], [0, 0]], [[1, 0], [0, 0]], "x_ij = b_ij for some i, j"),
])
def test_norms_of_maps_flat_on_an_interval(latex, lets, fn, inside, edge, text):
    from symderiv.render import spell
    a = _analysis(latex, "X", lets)
    assert spell.nondifferentiable_set(a.verdict, spell.notation(False, a)).endswith(text)
    e = np.zeros((2, 2)); e[0, 0] = 1
    X_in, X_edge = np.array(inside, float), np.array(edge, float)
    assert all(abs(oracle.one_sided(fn, X_in, d)) < 1e-9 for d in (e, -e, e.T, -e.T))
    assert abs(oracle.one_sided(fn, X_edge, e) + oracle.one_sided(fn, X_edge, -e)) > 0.5
    assert _analysis(latex, "X", lets, at=_point_text(X_in)).point.differentiable is True
    assert _analysis(latex, "X", lets, at=_point_text(X_edge)).point.differentiable is False


@pytest.mark.parametrize("latex, fn", [
    (r"|\operatorname{LeakyReLU}_{\alpha}(x)|", lambda x, a: abs(x if x > 0 else a * x)),
    (r"\sigma(\operatorname{LeakyReLU}_{\alpha}(x))", lambda x, a: max(x if x > 0 else a * x, 0.0)),
])
def test_a_switch_that_is_a_multiple_of_an_inner_one_is_the_same_switch(latex, fn):
    # on the cell x < 0 the outer switch is αx, the inner one's x times α: it was taken for a
    # second, harmless switch and f was called differentiable everywhere
    a = _analysis(latex, "x", {})
    assert a.verdict.differentiable_everywhere is False
    for alpha in (0.5, -0.5, 2.0):
        right = (fn(1e-7, alpha) - fn(0.0, alpha)) / 1e-7
        left = (fn(0.0, alpha) - fn(-1e-7, alpha)) / 1e-7
        assert abs(right - left) > 0.1, alpha          # a kink at 0 for each α
        for x0 in (-1.3, 0.7):                          # and the gradient off it
            p = _analysis(latex, "x", {"alpha": str(alpha)}, at=str(x0)).point
            slope = (fn(x0 + 1e-7, alpha) - fn(x0 - 1e-7, alpha)) / 2e-7
            assert float(np.asarray(p.gradient, float).flat[0]) == pytest.approx(slope, abs=1e-6)
