"""Canonical forms: equal mathematics builds equal nodes, rewrites keep the value (checked
against NumPy at random rational points); shapes are checked."""
import random
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from symderiv import expr as E
from symderiv.errors import InputError
from symderiv.evaluate import Evaluator

m, n, k = sp.symbols("m n k", positive=True, integer=True)
X = E.Sym("X", (m, n))
A = E.Sym("A", (k, m))
two = sp.Integer(2)


def test_trace_of_gram_is_squared_frobenius():
    r = E.apply("relu", X)
    assert E.trace(E.matmul(E.transpose(r), r)) == E.power(E.fro_norm(r), two)
    assert E.inner(r, r) == E.power(E.fro_norm(r), two)


def test_transposes_move_to_the_leaves():
    r = E.apply("relu", E.matmul(A, X))
    t = E.transpose(r)
    assert isinstance(t, E.Entrywise)
    assert t.args[0] == E.matmul(E.transpose(X), E.transpose(A))
    assert E.transpose(E.transpose(X)) == X
    assert E.sum_all(E.transpose(r)) == E.sum_all(r)


def test_entrywise_nodes_fuse_and_cancel():
    r = E.apply("relu", X)
    assert E.sub(r, r) == E.const(0, (m, n))
    f = E.sub(E.sum_all(r), E.sum_all(r))
    assert f == E.const(0)


def test_scalar_factors_leave_products():
    g = E.matmul(E.transpose(A), E.scale(E.const(2), E.apply("relu", E.matmul(A, X))))
    assert isinstance(g, E.Entrywise) and g.expr == 2 * E.placeholder(0)


def test_shape_errors_name_both_shapes():
    with pytest.raises(InputError, match="do not conform"):
        E.matmul(X, A)
    with pytest.raises(InputError, match="do not conform"):
        E.hadamard(X, A)


# ---------------------------------------------------------------- canonical forms keep the value
#
# Every rewrite a constructor makes (transposes pushed to the leaves, scalar factors pulled
# out of products, det/tr/sum/norm rules) must leave the value unchanged: each node below
# is evaluated exactly at random rational matrices and compared with NumPy computing the
# mathematics as written, without any rewriting.

q = sp.Integer
S3 = E.Sym("S", (q(3), q(3)))
T3 = E.Sym("T", (q(3), q(3)))
M23 = E.Sym("M", (q(2), q(3)))
v3 = E.Sym("v", (q(3), q(1)))
c1 = E.Sym("c", (q(1), q(1)))
relu_np = lambda a: np.maximum(a, 0)  # noqa: E731

VALUE_CASES = [
    ("transpose of relu(MS)", lambda: E.transpose(E.apply("relu", E.matmul(M23, S3))),
     lambda V: relu_np(V["M"] @ V["S"]).T),
    ("product with scalar factors", lambda: E.matmul(E.scale(c1, M23), E.scale(E.const(3), S3)),
     lambda V: (V["c"][0, 0] * V["M"]) @ (3 * V["S"])),
    ("det of a product", lambda: E.det(E.matmul(S3, T3)), lambda V: np.linalg.det(V["S"] @ V["T"])),
    ("det of a transpose", lambda: E.det(E.transpose(S3)), lambda V: np.linalg.det(V["S"].T)),
    ("det of an inverse", lambda: E.det(E.inverse(S3)), lambda V: np.linalg.det(np.linalg.inv(V["S"]))),
    ("det of a scaled matrix", lambda: E.det(E.scale(E.const(2), S3)), lambda V: np.linalg.det(2 * V["S"])),
    ("inverse of a scaled matrix", lambda: E.inverse(E.scale(c1, S3)), lambda V: np.linalg.inv(V["c"][0, 0] * V["S"])),
    ("inverse of an inverse", lambda: E.inverse(E.inverse(S3)), lambda V: V["S"]),
    ("transpose of an inverse", lambda: E.transpose(E.inverse(S3)), lambda V: np.linalg.inv(V["S"]).T),
    ("trace of a product", lambda: E.trace(E.matmul(E.transpose(M23), M23)), lambda V: np.trace(V["M"].T @ V["M"])),
    ("trace of an entrywise node", lambda: E.trace(E.apply("abs", S3)), lambda V: np.trace(np.abs(V["S"]))),
    ("trace of three factors", lambda: E.trace(E.matmul(S3, T3, S3)), lambda V: np.trace(V["S"] @ V["T"] @ V["S"])),
    ("sum of a transposed entrywise", lambda: E.sum_all(E.hadamard(E.transpose(S3), E.apply("relu", S3))),
     lambda V: np.sum(V["S"].T * relu_np(V["S"]))),
    ("norm of a scaled matrix", lambda: E.fro_norm(E.scale(c1, M23)), lambda V: np.linalg.norm(V["c"][0, 0] * V["M"])),
    ("norm of a transpose", lambda: E.fro_norm(E.transpose(E.matmul(M23, S3))), lambda V: np.linalg.norm(V["M"] @ V["S"])),
    ("even power of a norm", lambda: E.power(E.fro_norm(M23), q(4)), lambda V: np.linalg.norm(V["M"]) ** 4),
    ("half power of x^T x", lambda: E.power(E.matmul(E.transpose(v3), v3), sp.Rational(1, 2)),
     lambda V: np.linalg.norm(V["v"])),
    ("matrix powers", lambda: E.matmul(E.power(S3, q(2)), E.power(S3, q(-1))), lambda V: V["S"]),
    ("entry of a transpose", lambda: E.pick(E.transpose(E.matmul(M23, S3)), 2, 1), lambda V: (V["M"] @ V["S"]).T[2, 1]),
    ("entry of an entrywise node", lambda: E.pick(E.apply("relu", E.sub(M23, E.scale(c1, E.ones((q(2), q(3)))))), 1, 2),
     lambda V: relu_np(V["M"] - V["c"][0, 0])[1, 2]),
    ("largest entry of a transpose", lambda: E.max_entry(E.transpose(M23)), lambda V: V["M"].max()),
    ("ones vector products", lambda: E.matmul(E.ones((q(1), q(2))), M23, E.ones((q(3), q(1)))), lambda V: V["M"].sum()),
    ("divide by a scalar", lambda: E.divide(M23, c1), lambda V: V["M"] / V["c"][0, 0]),
    ("adjugate of a transpose", lambda: E.adjugate(E.transpose(S3)),
     lambda V: np.linalg.det(V["S"]) * np.linalg.inv(V["S"].T)),
    ("fused sums", lambda: E.fuse_sums(E.sub(E.sum_all(E.apply("relu", M23)), E.sum_all(E.apply("relu", E.neg(M23))))),
     lambda V: V["M"].sum()),
]


def _values(seed):
    rng = random.Random(seed)

    def mat(r, c):
        return np.array([[Fraction(rng.randint(-9, 9) * 2 + 1, rng.randint(1, 4)) for _ in range(c)] for _ in range(r)],
                        dtype=object)
    V = {"S": mat(3, 3), "T": mat(3, 3), "M": mat(2, 3), "v": mat(3, 1), "c": mat(1, 1)}
    return V


def _float(a):
    return np.array([[float(sp.N(x)) if isinstance(x, sp.Basic) else float(x) for x in row]
                     for row in np.asarray(a, dtype=object)])


@pytest.mark.parametrize("name,make,fn", VALUE_CASES, ids=[c[0] for c in VALUE_CASES])
def test_canonical_forms_keep_the_value(name, make, fn):
    for seed in range(2):
        V = _values(f"{name}/{seed}")
        got = _float(Evaluator(V, {})(make()))
        want = np.atleast_2d(np.asarray(fn({k: v.astype(float) for k, v in V.items()}), dtype=float))
        assert got.shape == want.shape, (got.shape, want.shape)
        assert np.allclose(got, want, rtol=1e-9, atol=1e-9), (name, got, want)


def test_constructors_refuse_what_has_no_meaning():
    with pytest.raises(InputError, match="non-square"):
        E.trace(M23)
    with pytest.raises(InputError, match="non-square"):
        E.det(M23)
    with pytest.raises(InputError, match="non-square"):
        E.inverse(M23)
    with pytest.raises(InputError, match="cannot add a scalar"):
        E.add(c1, M23)
    with pytest.raises(InputError):
        E.scale(M23, S3)


def test_traversal_helpers():
    f = E.fro_norm(E.matmul(M23, S3))
    order = E.walk(f)
    assert order[-1] == f and all(order.index(c) < order.index(n) for n in order for c in n.children())
    assert E.depends_on(f, S3) and not E.depends_on(f, T3)
    assert [s.name for s in E.symbols_of(f)] == ["M", "S"]
    g = E.substitute(f, {S3.key: E.eye(q(3))})
    V = _values("substitute")
    assert float(sp.N(Evaluator(V, {})(g)[0, 0])) == pytest.approx(np.linalg.norm(V["M"].astype(float)))
    # frame: one shared list of arguments, each node's entry over it
    a, b = E.apply("relu", M23), E.hadamard(M23, M23)
    args, (ea, eb) = E.frame(a, b)
    assert all(isinstance(x, sp.Expr) for x in (ea, eb)) and M23 in args
