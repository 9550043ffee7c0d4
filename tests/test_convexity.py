"""convexity: the composition rules, the exact univariate test and the exact midpoint
counterexample search, against midpoint-convexity sampled on random segments.

A verdict 'convex' must survive f((A+B)/2) <= (f(A)+f(B))/2 on many random segments
(including segments through the kinks, with exact zeros); a verdict 'not convex' must
come with a witness A, B on which a NumPy function written by hand violates that
inequality; and the verdict must be the one expected for each case."""
from __future__ import annotations

import random
from fractions import Fraction as Fr

import numpy as np
import pytest
import sympy as sp

from symderiv import convexity
from symderiv import expr as E
from symderiv.build import build
from symderiv.parse import parse

relu = lambda a: np.maximum(a, 0)  # noqa: E731
NEG = [[-1, 0], [0, -2]]


def decide(latex, shape, lets=None, wrt=None):
    values = {k: np.array(v, dtype=object) for k, v in (lets or {}).items()}
    prob = build(parse(latex).term, latex, values=values, wrt=wrt)
    dims = {}
    for d, s in zip(prob.var.shape, shape):
        if not getattr(d, "is_Integer", False):
            dims[d] = s
    return convexity.decide(prob.f, prob.var, values or None, dims), prob


def midpoint_gap(fn, shape, rng, trials=300):
    """The largest f((A+B)/2) - (f(A)+f(B))/2 over random segments; a third of them
    with exact zeros in A and B (both ends on the kinks of the cases below)."""
    worst = -np.inf
    for t in range(trials):
        A = rng.uniform(-3, 3, shape)
        B = rng.uniform(-3, 3, shape)
        if t % 3 == 0:
            A[rng.random(shape) < 0.5] = 0
            B[rng.random(shape) < 0.5] = 0
        gap = fn((A + B) / 2) - (fn(A) + fn(B)) / 2
        worst = max(worst, gap / (1 + abs(fn(A)) + abs(fn(B))))
    return worst


CONVEX = [
    (r"\|\max(X,0)\|_F^2", (2, 2), None, lambda X: np.sum(relu(X) ** 2)),
    (r"\|X\|_F", (2, 3), None, lambda X: np.linalg.norm(X)),
    (r"\sum_{i,j}|x_{ij}|", (2, 2), None, lambda X: np.sum(np.abs(X))),
    (r"\exp(\|X\|_F^2)", (2, 2), None, lambda X: np.exp(np.sum(X * X))),
    (r"\frac{1}{2}\|Xw - y\|_1", (3, 1), {"X": [[1, 2, 0], [0, -1, 3]], "y": [[1], [-1]]},
     lambda w: np.sum(np.abs(np.array([[1, 2, 0], [0, -1, 3]]) @ w - np.array([[1], [-1]]))) / 2),
    (r"\langle A, |X|\rangle", (2, 2), {"A": [[1, 0], [2, 3]]}, lambda X: np.sum(np.array([[1, 0], [2, 3]]) * np.abs(X))),
    (r"(x^T x)^2", (3, 1), None, lambda x: np.sum(x * x) ** 2),
    (r"|x|^3", (1, 1), None, lambda x: np.abs(x).sum() ** 3),
    # the kinks cancel: sigma(x) - sigma(-x) is x
    (r"\sigma(x) - \sigma(-x)", (1, 1), None, lambda x: float(relu(x).sum() - relu(-x).sum())),
]


@pytest.mark.parametrize("latex,shape,lets,fn", CONVEX, ids=[c[0] for c in CONVEX])
def test_convex_verdicts_survive_midpoint_sampling(latex, shape, lets, fn):
    c, _ = decide(latex, shape, lets, wrt="w" if "Xw" in latex else None)
    assert c.convex is True, c.reason
    gap = midpoint_gap(lambda X: float(fn(X)), shape, np.random.default_rng(len(latex)))
    assert gap <= 1e-9, f"a sampled segment breaks midpoint convexity by {gap}"


NONCONVEX = [
    (r"x|x|", (1, 1), None, lambda x: float(np.sum(x * np.abs(x)))),
    (r"-\max(x,0)", (1, 1), None, lambda x: -float(relu(x).sum())),
    (r"(X^TX)_{12}", (2, 2), None, lambda X: (X.T @ X)[0, 1]),
    (r"\langle A, |X|\rangle", (2, 2), {"A": NEG}, lambda X: np.sum(np.array(NEG) * np.abs(X))),
    (r"\cos(\|X\|_F)", (2, 2), None, lambda X: np.cos(np.linalg.norm(X))),
    (r"(|x| - 1)^2", (1, 1), None, lambda x: float((np.abs(x).sum() - 1) ** 2)),
    (r"\sum_{i,j}\min(x_{ij},1)", (2, 2), None, lambda X: np.sum(np.minimum(X, 1))),
]


def fl(v):
    return float(sp.N(v)) if isinstance(v, sp.Basic) else float(v)


@pytest.mark.parametrize("latex,shape,lets,fn", NONCONVEX, ids=[c[0] for c in NONCONVEX])
def test_counterexamples_break_midpoint_convexity_for_the_oracle_too(latex, shape, lets, fn):
    c, _ = decide(latex, shape, lets)
    assert c.convex is False, c.reason
    w = c.witness
    A = np.asarray(w["A"], dtype=object)
    B = np.asarray(w["B"], dtype=object)
    assert A.shape == shape and B.shape == shape
    # the witness values, and the violation, recomputed by NumPy from A and B alone
    fA, fB = float(fn(A.astype(float))), float(fn(B.astype(float)))
    fM = float(fn(((A + B) * Fr(1, 2)).astype(float)))
    assert abs(fA - fl(w["f(A)"])) < 1e-9 and abs(fB - fl(w["f(B)"])) < 1e-9 and abs(fM - fl(w["f((A+B)/2)"])) < 1e-9
    assert fM > (fA + fB) / 2 + 1e-12
    # and the sampling oracle finds the same kind of violation independently
    assert midpoint_gap(lambda X: float(fn(X)), shape, np.random.default_rng(3)) > 1e-6


def test_a_concave_norm_gets_an_irrational_witness_the_oracle_confirms():
    # -||X||_F: the rules prove it concave; non-convexity needs a witness, whose values
    # are irrational (square roots) and are re-evaluated by NumPy from A and B
    c, _ = decide(r"-\|X\|_F", (2, 2))
    assert c.convex is False
    A = np.asarray(c.witness["A"], dtype=object).astype(float)
    B = np.asarray(c.witness["B"], dtype=object).astype(float)
    f = lambda Z: -np.linalg.norm(Z)  # noqa: E731
    assert abs(f(A) - fl(c.witness["f(A)"])) < 1e-12 and abs(f((A + B) / 2) - fl(c.witness["f((A+B)/2)"])) < 1e-12
    assert f((A + B) / 2) > (f(A) + f(B)) / 2


def test_log_sum_exp_is_left_undecided_never_called_nonconvex():
    # the rules see log of a positive sum as a restricted domain and do not decide; the
    # oracle finds it convex, so the one wrong answer would be a counterexample
    c, _ = decide(r"\log\sum_j \exp(x_j)", (3, 1))
    assert c.convex is not False and c.witness is None
    assert midpoint_gap(lambda x: np.log(np.sum(np.exp(x))), (3, 1), np.random.default_rng(2)) <= 1e-9


def test_a_restricted_domain_is_not_decided_by_midpoints():
    c, _ = decide(r"-\log\det(X)", (2, 2))
    # -log det is convex on the positive definite cone, but its domain det X > 0 is not
    # convex: two points with det > 0 whose midpoint has det < 0 (the oracle's own example)
    A, B = np.eye(2), -np.eye(2)
    assert np.linalg.det(A) > 0 and np.linalg.det(B) > 0 and np.linalg.det((A + B) / 2) <= 0
    assert c.convex is None and "domain" in c.reason


RULES = [
    # expression built with the constructors, expected curvature and sign, numpy f
    ("affine", lambda X: E.sum_all(E.scale(E.const(3), X)), "affine", None, lambda X: 3 * X.sum()),
    ("norm", lambda X: E.fro_norm(X), "convex", "nonneg", lambda X: np.linalg.norm(X)),
    ("neg norm", lambda X: E.neg(E.fro_norm(X)), "concave", "nonpos", lambda X: -np.linalg.norm(X)),
    ("max entry", lambda X: E.max_entry(X), "convex", None, lambda X: X.max()),
    ("relu sum", lambda X: E.sum_all(E.apply("relu", X)), "convex", "nonneg", lambda X: relu(X).sum()),
    ("gram trace", lambda X: E.trace(E.matmul(E.transpose(X), X)), "convex", "nonneg", lambda X: np.trace(X.T @ X)),
]


@pytest.mark.parametrize("name,make,curv,sign,fn", RULES, ids=[r[0] for r in RULES])
def test_rules_claims_hold_on_random_segments(name, make, curv, sign, fn):
    m, n = sp.symbols("m n", positive=True, integer=True)
    X = E.Sym("X", (m, n))
    info = convexity.Rules(X).node(make(X))
    assert info.curv == curv and info.sign == sign
    rng = np.random.default_rng(11)
    if curv in ("convex", "affine"):
        assert midpoint_gap(fn, (2, 3), rng) <= 1e-9
    if curv in ("concave", "affine"):
        assert midpoint_gap(lambda Y: -fn(Y), (2, 3), rng) <= 1e-9
    samples = [fn(rng.uniform(-3, 3, (2, 3))) for _ in range(50)] + [fn(np.zeros((2, 3)))]
    if sign == "nonneg":
        assert min(samples) >= 0
    if sign == "nonpos":
        assert max(samples) <= 0


def test_constants_given_by_let_carry_their_sign_into_the_rules():
    m, n = sp.symbols("m n", positive=True, integer=True)
    X, A = E.Sym("X", (m, n)), E.Sym("A", (m, n))
    f = E.sum_all(E.hadamard(A, E.apply("abs", X)))
    pos = convexity.Rules(X, {"A": np.array([[1, 0], [2, 3]], dtype=object)}).node(f)
    neg = convexity.Rules(X, {"A": np.array(NEG, dtype=object)}).node(f)
    unknown = convexity.Rules(X, {"A": np.array([[1, -1], [0, 0]], dtype=object)}).node(f)
    assert (pos.curv, neg.curv, unknown.curv) == ("convex", "concave", None)
