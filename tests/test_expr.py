"""Canonical forms: equal mathematics builds equal nodes; shapes are checked."""
import pytest
import sympy as sp

from symderiv import expr as E
from symderiv.errors import InputError

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
