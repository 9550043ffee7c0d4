"""entries: every entry of a matrix expression as a SymPy expression in the leaves'
entries.  Each expansion is substituted at random rational points and compared with the
same matrix computed by NumPy from the same numbers; where a kink cancels entry by entry
(parallel rows of A) the expansion's derivative is checked by central differences."""
from __future__ import annotations

import random
from fractions import Fraction as Fr

import numpy as np
import pytest
import sympy as sp

from symderiv import expr as E
from symderiv.entries import entry_values
from tests import oracle

m, n, k = sp.symbols("m n k", positive=True, integer=True)
X = E.Sym("X", (m, n))
A = E.Sym("A", (k, m))
S = E.Sym("S", (m, m))
relu = lambda a: np.maximum(a, 0)  # noqa: E731


def point(rng, **shapes):
    vals = {}
    for name, (r, c) in shapes.items():
        vals[name] = np.array([[Fr(rng.randint(-9, 9), rng.randint(1, 4)) for _ in range(c)] for _ in range(r)],
                              dtype=float)
    return vals


def substitute(exprs, vals):
    sub = {}
    for name, a in vals.items():
        for (i, j), v in np.ndenumerate(a):
            sub[sp.Symbol(f"{name}[{i},{j}]", real=True)] = sp.nsimplify(v, rational=True)
    return np.array([float(sp.N(e.xreplace(sub))) for e in exprs])


CASES = [
    ("product", lambda: E.matmul(A, X), lambda v: v["A"] @ v["X"]),
    ("transpose", lambda: E.transpose(E.matmul(A, X)), lambda v: (v["A"] @ v["X"]).T),
    ("trace", lambda: E.trace(E.matmul(E.transpose(X), X)), lambda v: np.trace(v["X"].T @ v["X"])),
    ("sum", lambda: E.sum_all(E.apply("relu", E.matmul(A, X))), lambda v: relu(v["A"] @ v["X"]).sum()),
    ("norm", lambda: E.fro_norm(X), lambda v: np.linalg.norm(v["X"])),
    ("pick", lambda: E.pick(E.matmul(A, X), 1, 0), lambda v: (v["A"] @ v["X"])[1, 0]),
    ("max entry", lambda: E.max_entry(X), lambda v: v["X"].max()),
    ("entrywise", lambda: E.hadamard(E.apply("abs", X), X), lambda v: np.abs(v["X"]) * v["X"]),
    ("det", lambda: E.det(S), lambda v: np.linalg.det(v["S"])),
    ("inverse", lambda: E.inverse(S), lambda v: np.linalg.inv(v["S"])),
    ("adjugate", lambda: E.adjugate(S), lambda v: np.linalg.det(v["S"]) * np.linalg.inv(v["S"])),
    ("identity", lambda: E.matmul(E.eye(m), S), lambda v: v["S"]),
]


@pytest.mark.parametrize("name,make,fn", CASES, ids=[c[0] for c in CASES])
def test_entries_agree_with_numpy(name, make, fn):
    rng = random.Random(name)
    node = make()
    exprs = entry_values(node, {m: 3, n: 2, k: 2})
    for _ in range(2):
        vals = point(rng, X=(3, 2), A=(2, 3), S=(3, 3))
        want = np.ravel(fn(vals))
        got = substitute(exprs, vals)
        assert got.shape == want.shape, (name, got.shape, want.shape)
        assert np.allclose(got, want, rtol=1e-10, atol=1e-10), (name, got, want)


def test_entries_are_row_major_over_named_entry_symbols():
    exprs = entry_values(X, {m: 2, n: 3})
    assert [str(e) for e in exprs] == [f"X[{i},{j}]" for i in range(2) for j in range(3)]
    assert all(e.is_real for e in exprs)


def test_symbolic_sizes_inside_an_entry_take_their_values():
    # the sum of the all-ones m x n matrix, at m = 3, n = 2
    (total,) = entry_values(E.sum_all(E.ones((m, n))), {m: 3, n: 2})
    assert total == 6


def test_parallel_rows_expand_to_entries_whose_kinks_cancel():
    """c^T max(Ax, 0) with rows a and -a of A and c = (1, -1) is max(u, 0) - max(-u, 0) = u:
    the expansion, fixed at these values, equals u everywhere (on the kink too) and its
    derivative off the kink is the constant (1, 2) that differences give across it."""
    x = E.Sym("x", (sp.Integer(2), sp.Integer(1)))
    Am = E.Sym("A", (sp.Integer(2), sp.Integer(2)))
    c = E.Sym("c", (sp.Integer(2), sp.Integer(1)))
    f = E.matmul(E.transpose(c), E.apply("relu", E.matmul(Am, x)))
    (e,) = entry_values(f, {})
    a = [[1, 2], [-1, -2]]
    sub = {sp.Symbol(f"A[{i},{j}]", real=True): a[i][j] for i in range(2) for j in range(2)}
    sub |= {sp.Symbol("c[0,0]", real=True): 1, sp.Symbol("c[1,0]", real=True): -1}
    g = e.xreplace(sub)
    x0, x1 = sp.Symbol("x[0,0]", real=True), sp.Symbol("x[1,0]", real=True)
    fn = lambda v: float(relu(np.array(a) @ v) @ np.array([1, -1]))  # noqa: E731
    rng = random.Random(4)
    pts = [(sp.Rational(rng.randint(-9, 9), 3), sp.Rational(rng.randint(-9, 9), 5)) for _ in range(6)]
    pts += [(sp.Integer(2), sp.Integer(-1)), (sp.Rational(-4, 3), sp.Rational(2, 3))]    # on the kink
    for p0, p1 in pts:
        assert g.xreplace({x0: p0, x1: p1}) == p0 + 2 * p1
        assert abs(float(g.xreplace({x0: p0, x1: p1})) - fn(np.array([float(p0), float(p1)]))) < 1e-12
    for p0, p1 in pts[:6]:
        if p0 + 2 * p1 != 0:
            grad = [sp.diff(g, v).xreplace({x0: p0, x1: p1}) for v in (x0, x1)]
            assert grad == [1, 2]
    oracle.check_gradient(fn, np.array([2.0, -1.0]), np.array([1.0, 2.0]), np.random.default_rng(0))
