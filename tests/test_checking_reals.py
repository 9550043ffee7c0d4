"""checking.reals: formulas are about real numbers.  Odd roots rewritten to the real
root are compared with mpmath's real cube/fifth roots (value and derivative, by
one-sided differences at 60 digits); the domain nodes of even roots and logarithms are
compared with where NumPy's real functions are finite."""
from __future__ import annotations

from fractions import Fraction as Fr

import mpmath as mp
import numpy as np
import pytest
import sympy as sp

from symderiv import expr as E
from symderiv.checking.reals import domain_nodes, inside, is_real, real_expr, real_roots
from symderiv.evaluate import Evaluator
from tests import oracle

x = sp.Symbol("x", real=True)
POINTS = [Fr(-27, 8), Fr(-1), Fr(-1, 5), Fr(2, 7), Fr(8), Fr(5, 3)]


def real_root(v, p, q):
    """v^(p/q) for odd q, over the reals (mpmath's power is complex for v < 0)."""
    r = mp.sign(v) * abs(v) ** (mp.mpf(1) / q)
    return r ** p


@pytest.mark.parametrize("p,q", [(1, 3), (2, 3), (-1, 3), (1, 5), (4, 5), (7, 3)])
def test_odd_roots_become_the_real_root(p, q):
    e = real_expr(x ** sp.Rational(p, q))
    for v in POINTS:
        got = e.subs(x, sp.Rational(v.numerator, v.denominator))
        assert got.is_real, (p, q, v, got)
        with mp.workdps(30):
            assert abs(float(sp.N(got, 30)) - float(real_root(mp.mpf(v.numerator) / v.denominator, p, q))) < 1e-12
    # the derivative of the rewritten form is the real root's derivative (off 0)
    d = sp.diff(e, x)
    for v in POINTS:
        want = oracle.mp_directional(lambda t: real_root(t, p, q), [v], [1])
        got = d.subs(x, sp.Rational(v.numerator, v.denominator))
        assert abs(float(sp.N(got, 30)) - float(want)) < 1e-9 * (1 + abs(float(want)))


def test_even_roots_and_nonnegative_bases_are_left_alone():
    assert real_expr(x ** sp.Rational(1, 2)) == x ** sp.Rational(1, 2)
    assert real_expr((x ** 2 + 1) ** sp.Rational(1, 3)) == (x ** 2 + 1) ** sp.Rational(1, 3)
    assert real_expr(x ** 3 + 1) == x ** 3 + 1
    # a negative number under an odd root: the real value, exactly
    assert real_expr(sp.Pow(sp.Integer(-8), sp.Rational(1, 3), evaluate=False)) == -2


def test_real_roots_rewrites_every_entrywise_node():
    X = E.Sym("X", (sp.Integer(2), sp.Integer(2)))
    node = E.sum_all(E.ew(E.placeholder(0) ** sp.Rational(1, 3), (X,), X.shape))
    v = np.array([[Fr(-8), Fr(1, 8)], [Fr(27), Fr(-1, 27)]], dtype=object)
    total = Evaluator({"X": v}, {})(real_roots(node))[0, 0]
    assert is_real(total)
    want = sum(float(real_root(mp.mpf(a.numerator) / a.denominator, 1, 3)) for a in v.flat)
    assert abs(float(sp.N(total)) - want) < 1e-12


def test_is_real_and_inside():
    assert is_real(np.array([[Fr(1, 2), 3], [sp.sqrt(2), sp.pi]], dtype=object))
    assert not is_real(sp.I)
    assert not is_real(np.array([[1, sp.zoo]], dtype=object))
    assert not is_real(sp.nan)
    assert inside(np.array([[0, Fr(1, 3)]], dtype=object), strict=False)
    assert not inside(np.array([[0, Fr(1, 3)]], dtype=object), strict=True)
    assert not inside(-sp.sqrt(2) + sp.Rational(141, 100), strict=False)     # 1.41 < sqrt 2


@pytest.mark.parametrize("expr,fn,strict", [
    (sp.sqrt(E.placeholder(0) - 1), lambda a: np.sqrt(a - 1), False),
    (sp.log(E.placeholder(0) + 2), lambda a: np.log(a + 2), True),
    ((E.placeholder(0) ** 2 - 1) ** sp.Rational(-1, 2), lambda a: (a * a - 1) ** -0.5, True),
])
def test_domain_nodes_are_where_the_real_formula_is_finite(expr, fn, strict):
    X = E.Sym("Xd", (sp.Integer(1), sp.Integer(1)))
    node = E.ew(expr, (X,), X.shape)
    (arg, got_strict), = domain_nodes(node)
    assert got_strict == strict
    for v in (Fr(-3), Fr(-2), Fr(-1), Fr(0), Fr(1, 2), Fr(1), Fr(3, 2), Fr(4)):
        val = Evaluator({"Xd": np.array([[v]], dtype=object)}, {})(arg)
        with np.errstate(all="ignore"):
            finite = bool(np.isfinite(fn(np.float64(v))))
        assert inside(val, strict) == finite, (expr, v)
