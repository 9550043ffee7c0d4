"""Each matrix operation's curvature rule (the ``# -- curvature`` section of symderiv/nodes)
and the composition convexity.py makes of it, against a NumPy oracle.  (A file of its own
rather than more of test_nodes.py: another branch extends that file at the same time.)

  * the declaration itself: a declared curvature holds for midpoints of random segments,
    a declared monotonicity for random ordered pairs, a declared sign at random points;
  * the composition: what ``convexity.Rules`` says of op(inner) for inners of each kind
    (affine, convex and nonnegative, concave and nonpositive, neither) holds for midpoints
    of random segments, and where it says nothing a midpoint test finds the function
    neither convex nor concave, so that it had nothing true to say.

The oracle functions are NumPy, written by hand; they know nothing of symderiv.
"""
from __future__ import annotations

import zlib

import numpy as np
import pytest
import sympy as sp

from symderiv import expr as E
from symderiv.convexity import Rules
from symderiv.nodes.base import ABS, AFFINE, CONCAVE, CONST, CONVEX, DECR, INCR, SAME

TRIALS = 300
TOL = 1e-9
X = E.Sym("X", (3, 3))
v = E.Sym("v", (3, 1))
A = E.Sym("A", (3, 3))
p0 = E.placeholder(0)


# Each operation: (build(child), NumPy op, the child's shape).
OPS = {
    "Transpose": (E.transpose, lambda M: M.T, (3, 2)),
    "Trace": (E.trace, lambda M: np.trace(M), (3, 3)),
    "SumAll": (E.sum_all, lambda M: M.sum(), (3, 2)),
    "Pick": (lambda m: E.pick(m, 1, 0), lambda M: M[1, 0], (3, 2)),
    "MaxEntry": (E.max_entry, lambda M: M.max(), (3, 2)),
    "FroNorm": (E.fro_norm, lambda M: np.linalg.norm(M), (3, 2)),
    "Inverse": (E.inverse, np.linalg.inv, (3, 3)),
    "Det": (E.det, np.linalg.det, (3, 3)),
    "Adjugate": (E.adjugate, lambda M: np.linalg.det(M) * np.linalg.inv(M), (3, 3)),
    "MatMul": (lambda m: E.matmul(m, m), lambda M: M @ M, (3, 3)),
}


def node_of(name):
    build, _, shape = OPS[name]
    n = build(E.Sym("M", shape))
    assert type(n).__name__ == name
    return n


def midpoint_gaps(f, shape, rng, scale=3.0):
    """f((a+b)/2) - (f(a)+f(b))/2 on random segments: <= 0 everywhere for convex f."""
    out = []
    for _ in range(TRIALS):
        a, b = rng.normal(scale=scale, size=shape), rng.normal(scale=scale, size=shape)
        out.append(np.asarray(f((a + b) / 2) - (f(a) + f(b)) / 2, dtype=float))
    return np.array(out)


@pytest.mark.parametrize("name", sorted(OPS))
def test_declared_curvature_holds_on_random_segments(name):
    node = node_of(name)
    _, op, shape = OPS[name]
    rng = np.random.default_rng(len(name))
    gaps = midpoint_gaps(op, shape, rng)
    if node.curvature == AFFINE:
        assert np.abs(gaps).max() < TOL
    elif node.curvature == CONVEX:
        assert gaps.max() < TOL
    elif node.curvature == CONCAVE:
        assert gaps.min() > -TOL
    else:
        # no rule declared: rightly, for the curvature is neither (in some entry)
        assert node.curvature is None and node.monotone == ()
        assert name in ("Inverse", "Det", "Adjugate", "MatMul")
        assert gaps.max() > TOL and gaps.min() < -TOL


@pytest.mark.parametrize("name", sorted(OPS))
def test_declared_monotonicity_holds_on_random_pairs(name):
    node = node_of(name)
    _, op, shape = OPS[name]
    rng = np.random.default_rng(100 + len(name))
    for mono in node.monotone:
        for _ in range(TRIALS):
            a = rng.normal(scale=3.0, size=shape)
            if mono == ABS:
                # |a| <= |b| entrywise, each b entry on the side of a's
                b = a + np.sign(a) * rng.uniform(0, 2, size=shape)
            else:
                b = a + rng.uniform(0, 2, size=shape)        # a <= b entrywise
            fa, fb = np.asarray(op(a)), np.asarray(op(b))
            if mono in (INCR, ABS):
                assert np.all(fa <= fb + TOL)
            else:
                assert mono == DECR and np.all(fa >= fb - TOL)


@pytest.mark.parametrize("name", sorted(OPS))
def test_declared_sign_holds_at_random_points(name):
    node = node_of(name)
    _, op, shape = OPS[name]
    rng = np.random.default_rng(200 + len(name))
    for _ in range(TRIALS):
        m = rng.normal(scale=3.0, size=shape)
        if node.value_sign == "nonneg":
            assert np.all(np.asarray(op(m)) >= -TOL)
        elif node.value_sign == SAME:
            assert np.all(np.asarray(op(np.abs(m))) >= -TOL)
            assert np.all(np.asarray(op(-np.abs(m))) <= TOL)
        else:
            assert node.value_sign is None


# Inners of each kind, as (node over X, NumPy over X, curvature, sign).
INNERS = {
    "affine": (E.sub(E.scale(E.const(2), X), E.const(1, (3, 3))), lambda M: 2 * M - 1),
    "convex nonneg": (E.apply("relu", X), lambda M: np.maximum(M, 0)),
    "concave nonpos": (E.neg(E.apply("abs", X)), lambda M: -np.abs(M)),
    "convex, sign unknown": (E.sub(E.ew(p0 ** 2, (X,), (3, 3)), E.const(1, (3, 3))), lambda M: M ** 2 - 1),
    "neither": (E.ew(sp.sin(p0), (X,), (3, 3)), np.sin),
}
SCALAR_OPS = {
    "Trace": (E.trace, np.trace),
    "SumAll": (E.sum_all, np.sum),
    "Pick": (lambda m: E.pick(m, 2, 1), lambda M: M[2, 1]),
    "MaxEntry": (E.max_entry, np.max),
    "FroNorm": (E.fro_norm, np.linalg.norm),
    "Transpose": (lambda m: E.pick(E.transpose(m), 0, 2), lambda M: M.T[0, 2]),
}


def check_claim(curv, f, shape, seed):
    """A claim of the rules, against midpoints of random segments."""
    gaps = midpoint_gaps(f, shape, np.random.default_rng(seed))
    if curv in (CONST, AFFINE):
        assert np.abs(gaps).max() < TOL
    elif curv == CONVEX:
        assert gaps.max() < TOL
    elif curv == CONCAVE:
        assert gaps.min() > -TOL
    else:
        # the rules abstain: then f is neither convex nor concave here, or a rule is missed
        return gaps
    return None


@pytest.mark.parametrize("inner", sorted(INNERS))
@pytest.mark.parametrize("op", sorted(SCALAR_OPS))
def test_composed_rule_against_midpoints(op, inner):
    build, npop = SCALAR_OPS[op]
    inode, inp = INNERS[inner]
    f_node = build(inode)
    info = Rules(X).node(f_node)
    f = lambda M: npop(inp(M))      # noqa: E731
    check_claim(info.curv, f, (3, 3), seed=zlib.crc32(f"{op}/{inner}".encode()))
    # the rules prove what they should, and no more
    proved = info.curv in (AFFINE, CONVEX, CONCAVE)
    if inner == "neither" or (op == "MaxEntry" and inner == "concave nonpos") \
            or (op == "FroNorm" and inner == "convex, sign unknown"):
        assert not proved
    else:
        assert proved
    if info.sign == "nonneg":
        assert all(f(np.random.default_rng(k).normal(size=(3, 3))) >= -TOL for k in range(50))


@pytest.mark.parametrize("case", ["abstains: max of -|x|", "abstains: norm of x^2 - 1"])
def test_where_the_rules_abstain_the_function_is_neither(case):
    # max_ij(-|x_ij|) and ||X o X - J||_F: midpoints on both sides of the chord exist
    node, f = {
        "abstains: max of -|x|": (E.max_entry(E.neg(E.apply("abs", X))), lambda M: np.max(-np.abs(M))),
        "abstains: norm of x^2 - 1": (E.fro_norm(E.sub(E.ew(p0 ** 2, (X,), (3, 3)), E.const(1, (3, 3)))),
                                      lambda M: np.linalg.norm(M ** 2 - 1)),
    }[case]
    assert Rules(X).node(node).curv is None
    gaps = midpoint_gaps(f, (3, 3), np.random.default_rng(5), scale=1.0)
    assert gaps.min() < -TOL
    if case.startswith("abstains: norm"):
        # not concave either near the zeros of x^2 - 1
        assert gaps.max() > TOL or midpoint_gaps(f, (3, 3), np.random.default_rng(6), scale=0.6).max() > TOL
    else:
        assert gaps.max() > TOL


def test_products_u_transpose_u_and_one_moving_factor():
    uu = E.matmul(E.transpose(v), v)
    info = Rules(v).node(uu)
    assert (info.curv, info.sign) == (CONVEX, "nonneg")
    check_claim(info.curv, lambda u: (u.T @ u)[0, 0], (3, 1), seed=1)
    ax = E.trace(E.matmul(A, X, A))
    info = Rules(X).node(ax)
    a = np.random.default_rng(3).normal(size=(3, 3))
    assert info.curv == AFFINE
    check_claim(info.curv, lambda M: np.trace(a @ M @ a), (3, 3), seed=2)
    assert Rules(X).node(E.sum_all(E.matmul(X, X))).curv is None


def test_constant_signs_decide_the_sign_of_a_weighted_sum():
    # <A, |X|> is convex for A >= 0 entrywise and concave for A <= 0: A's sign comes
    # from its value, given as --let would give it
    f = E.inner(A, E.apply("abs", X))
    rng = np.random.default_rng(9)
    for sign, want in ((1, CONVEX), (-1, CONCAVE)):
        a = sign * np.abs(rng.integers(0, 4, size=(3, 3))).astype(object)
        a[0, 0] = sign
        info = Rules(X, {"A": a}).node(f)
        assert info.curv == want
        check_claim(want, lambda M: np.sum(np.asarray(a, dtype=float) * np.abs(M)), (3, 3), seed=4)
    assert Rules(X).node(f).curv is None            # A's sign unknown
    # the identity is nonnegative: <I, |X|>, the sum of |x_ii|, is convex
    info = Rules(X).node(E.inner(E.eye(3), E.apply("abs", X)))
    assert info.curv == CONVEX
    check_claim(info.curv, lambda M: np.sum(np.abs(np.diag(M))), (3, 3), seed=5)
