"""evaluate: exact values of matrix expressions at rational points.

Each node kind is evaluated exactly and compared with the same quantity computed in
floating point by NumPy; kinks are met exactly (a rational point on a switch is on it,
not near it), and a side chosen by an override must give the one-sided gradient that
differences from that side give."""
from __future__ import annotations

import random
from fractions import Fraction as Fr

import numpy as np
import pytest
import sympy as sp

from symderiv import calculus
from symderiv import expr as E
from symderiv.errors import InputError, Unsupported
from symderiv.evaluate import (DivisionByZero, Evaluator, bind_dims, is_exact_zero, scalar_eval, sign_of,
                               switch_key, to_number, truth)
from tests import oracle

m, n = sp.symbols("m n", positive=True, integer=True)
X = E.Sym("X", (m, n))
S2 = E.Sym("S", (sp.Integer(2), sp.Integer(2)))
relu = lambda a: np.maximum(a, 0)  # noqa: E731


def rat(shape, seed, den=5):
    rng = random.Random(seed)
    out = np.empty(shape, dtype=object)
    for idx in np.ndindex(shape):
        out[idx] = Fr(rng.randint(-4 * den, 4 * den), den)
    return out


def fl(a):
    return np.array([[float(sp.N(v)) if isinstance(v, sp.Basic) else float(v) for v in row] for row in a])


def ev_at(x, **more):
    values = {"X": x, **more}
    return Evaluator(values, {m: x.shape[0], n: x.shape[1]})


# node built with the constructors, the same value in NumPy floats
NODES = [
    ("frobenius", lambda: E.fro_norm(X), lambda x: np.linalg.norm(x)),
    ("trace of gram", lambda: E.trace(E.matmul(E.transpose(X), X)), lambda x: np.trace(x.T @ x)),
    ("sum of relu", lambda: E.sum_all(E.apply("relu", X)), lambda x: relu(x).sum()),
    ("sum of abs", lambda: E.sum_all(E.apply("abs", X)), lambda x: np.abs(x).sum()),
    ("max entry", lambda: E.max_entry(X), lambda x: x.max()),
    ("gram entry", lambda: E.pick(E.matmul(E.transpose(X), X), 0, 1), lambda x: (x.T @ x)[0, 1]),
    ("hadamard", lambda: E.sum_all(E.hadamard(X, E.apply("relu", X))), lambda x: (x * relu(x)).sum()),
]


@pytest.mark.parametrize("name,make,fn", NODES, ids=[c[0] for c in NODES])
def test_exact_values_match_floating_point(name, make, fn):
    for seed in range(3):
        x = rat((2, 3), f"{name}{seed}")
        got = ev_at(x)(make())
        assert got.shape == (1, 1)
        assert abs(float(sp.N(got[0, 0])) - float(fn(x.astype(float)))) < 1e-12


def test_values_stay_exact_rationals():
    x = rat((2, 3), "exact", den=7)
    v = ev_at(x)(E.trace(E.matmul(E.transpose(X), X)))[0, 0]
    assert isinstance(v, (int, Fr))
    assert v == sum(a * a for a in x.flat)
    # the norm of a matrix whose squares sum to 25 is exactly 5
    y = np.array([[Fr(3), Fr(0)], [Fr(0), Fr(4)]], dtype=object)
    assert ev_at(y)(E.fro_norm(X))[0, 0] == 5


def test_determinant_inverse_and_adjugate_are_exact():
    s = np.array([[Fr(2), Fr(1, 3)], [Fr(-1), Fr(5, 2)]], dtype=object)
    ev = Evaluator({"S": s}, {})
    d = ev(E.det(S2))[0, 0]
    assert d == Fr(2) * Fr(5, 2) + Fr(1, 3)
    inv = ev(E.inverse(S2))
    assert np.allclose(fl(inv), np.linalg.inv(s.astype(float)))
    assert all(isinstance(v, (int, Fr)) for v in inv.flat)
    adj = ev(E.adjugate(S2))
    assert np.allclose(fl(adj), float(d) * np.linalg.inv(s.astype(float)))


def test_a_singular_matrix_has_an_adjugate_but_no_inverse():
    s = np.array([[Fr(1), Fr(2)], [Fr(2), Fr(4)]], dtype=object)   # det 0 exactly
    ev = Evaluator({"S": s}, {})
    assert ev(E.det(S2))[0, 0] == 0
    adj = ev(E.adjugate(S2))
    # adj(S) S = det(S) I = 0, by exact products
    assert not (adj.dot(s) != 0).any()
    assert (fl(adj) == np.array([[4, -2], [-2, 1]])).all()
    with pytest.raises(DivisionByZero):
        ev(E.inverse(S2))


def test_argmax_is_the_gradient_of_the_largest_entry_and_refuses_a_tie():
    x = np.array([[Fr(1), Fr(7, 2), Fr(-2)], [Fr(3), Fr(0), Fr(1, 2)]], dtype=object)
    G = ev_at(x)(calculus.gradient(E.max_entry(X), X))
    num = oracle.numeric_gradient(lambda y: y.max(), x.astype(float))
    assert np.allclose(fl(G), num, atol=1e-6)
    tie = x.copy()
    tie[1, 0] = Fr(7, 2)
    assert ev_at(tie)(E.max_entry(X))[0, 0] == Fr(7, 2)
    with pytest.raises(Unsupported, match="more than once"):
        ev_at(tie)(calculus.gradient(E.max_entry(X), X))
    # the oracle agrees that the tie is a kink
    oracle.check_not_differentiable(lambda y: y.max(), tie.astype(float), np.random.default_rng(1))


def test_a_switch_exactly_on_its_kink_needs_a_side():
    x = np.array([[Fr(0), Fr(1)], [Fr(-2), Fr(3, 4)]], dtype=object)
    f = E.sum_all(E.apply("abs", X))
    G = calculus.gradient(f, X)
    with pytest.raises(Unsupported):
        ev_at(x)(G)
    # the value itself is fine at the kink
    assert ev_at(x)(f)[0, 0] == Fr(15, 4)


@pytest.mark.parametrize("side", [1, -1])
def test_an_override_gives_the_one_sided_gradient(side):
    x = np.array([[Fr(0), Fr(1)], [Fr(-2), Fr(3, 4)]], dtype=object)
    f = E.sum_all(E.apply("abs", X))
    G = calculus.gradient(f, X)
    ew = next(nd for nd in E.walk(G) if isinstance(nd, E.Entrywise) and nd.args)
    from symderiv.scalar import Sw
    sw = next(iter(ew.expr.atoms(Sw)))
    key, orient = switch_key(sw.args[0], ew.args)
    over = np.full((2, 2), None, dtype=object)
    over[0, 0] = side * orient
    g = fl(Evaluator({"X": x}, {m: 2, n: 2}, {key: over})(G))
    # the oracle: a one-sided difference in entry (0,0) from the chosen side
    E00 = np.zeros((2, 2))
    E00[0, 0] = side
    slope = side * oracle.one_sided(lambda y: np.abs(y).sum(), x.astype(float), E00)
    assert g[0, 0] == pytest.approx(slope, abs=1e-6)
    assert g[0, 1] == 1 and g[1, 0] == -1 and g[1, 1] == 1


def test_number_helpers_are_exact():
    assert to_number(sp.Rational(3, 6)) == Fr(1, 2) and isinstance(to_number(sp.Integer(4)), int)
    assert isinstance(to_number(sp.sqrt(2)), sp.Basic)
    assert is_exact_zero(Fr(0)) and is_exact_zero(sp.sqrt(2) ** 2 - 2) and not is_exact_zero(sp.Rational(1, 10**30))
    assert sign_of(Fr(-1, 10**40)) == -1 and sign_of(0) == 0
    assert sign_of(sp.pi - sp.Rational(355, 113)) == -1          # pi < 355/113 by 2.7e-7
    assert sign_of(sp.sqrt(2) - sp.Rational(99, 70)) == np.sign(np.sqrt(2) - 99 / 70)


def test_scalar_eval_and_truth_over_arrays():
    p = E.placeholder(0)
    env = {p: np.array([[Fr(-3, 2), Fr(0)], [Fr(1, 3), Fr(2)]], dtype=object)}
    e = sp.Piecewise((p ** 2, p > 0), (-p, True))
    got = scalar_eval(e, env, (2, 2), {}, (X,))
    a = env[p].astype(float)
    assert np.allclose(fl(got), np.where(a > 0, a ** 2, -a))
    t = truth(sp.And(p >= 0, p < 2), env, (2, 2), {}, (X,))
    assert (t == ((a >= 0) & (a < 2))).all()


def test_symbolic_sizes_inside_an_entry_take_their_values():
    # sum of the all-ones m x n matrix is m n
    J = E.ones((m, n))
    x = rat((3, 2), "J")
    assert ev_at(x)(E.sum_all(J))[0, 0] == 6


def test_bind_dims_reads_sizes_and_refuses_disagreement():
    A = E.Sym("A", (m, sp.Integer(2)))
    f = E.sum_all(E.matmul(A, E.Sym("Y", (sp.Integer(2), n))))
    assert bind_dims(f, {"A": np.zeros((3, 2), dtype=object), "Y": np.zeros((2, 4), dtype=object)}) == {m: 3, n: 4}
    with pytest.raises(InputError):
        bind_dims(f, {"A": np.zeros((3, 3), dtype=object)})
    g = E.sum_all(E.hadamard(X, E.Sym("B", (m, n))))
    with pytest.raises(InputError):
        bind_dims(g, {"X": np.zeros((2, 2), dtype=object), "B": np.zeros((3, 2), dtype=object)})


def test_a_missing_value_is_named():
    with pytest.raises(InputError, match="A needs a value"):
        ev_at(rat((2, 2), 0))(E.sum_all(E.matmul(E.Sym("A", (sp.Integer(2), m)), X)))
