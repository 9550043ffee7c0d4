"""checking.limits: one-variable limits with one-sided approaches.

Every limit the module takes is compared with the expression evaluated by mpmath at 60
digits just beside the point (10^-25 and 10^-30 away: where the limit exists the two
agree to ~10^-25, where it is infinite or does not exist they do not settle); limits
that depend on a parameter are checked at random parameter values off its kinks, and
the 'valid where' points on a kink are checked by the same oracle there."""
from __future__ import annotations

import random
from fractions import Fraction as Fr

import mpmath as mp
import pytest
import sympy as sp

from symderiv.checking import limits as L
from symderiv.scalar import FUNCS

h, x = sp.symbols("h x", real=True)
relu, ab, sg, H, mx = FUNCS["relu"], FUNCS["abs"], FUNCS["sign"], FUNCS["heaviside"], FUNCS["max"]

# the same functions over mpmath numbers, written out
M = {"relu": lambda a: max(a, 0), "abs": abs, "sign": lambda a: mp.sign(a),
     "H": lambda a: mp.mpf(1) if a > 0 else (mp.mpf(0) if a < 0 else mp.mpf(1) / 2), "max": max, "sin": mp.sin}


def near_value(fn, a, s):
    """fn just beside a on side s, or None when the quotient does not settle."""
    with mp.workdps(60):
        v1 = fn(mp.mpf(a) + s * mp.mpf("1e-25"))
        v2 = fn(mp.mpf(a) + s * mp.mpf("1e-30"))
        if abs(v1 - v2) > mp.mpf("1e-20") * (1 + abs(v1)):
            return None
        return v2


def fl(e):
    return float(sp.N(e, 30))


# expression in h, its mpmath twin, and the point
ONE = [
    (relu(h) / h, lambda t: M["relu"](t) / t, 0),
    (ab(h) / h, lambda t: abs(t) / t, 0),
    (sp.sin(h) / h, lambda t: mp.sin(t) / t, 0),
    ((ab(1 + h) - 1) / h, lambda t: (abs(1 + t) - 1) / t, 0),
    (h * sg(h), lambda t: t * mp.sign(t), 0),
    (H(h), lambda t: M["H"](t), 0),
    (mx(h, h ** 2) / h, lambda t: max(t, t ** 2) / t, 0),
    (ab(h - 2) / (h - 2), lambda t: abs(t - 2) / (t - 2), 2),
    ((relu(h - 1) ** 2 + h) / h, lambda t: (max(t - 1, 0) ** 2 + t) / t, 1),
]


@pytest.mark.parametrize("expr,fn,a", ONE, ids=[str(c[0]) for c in ONE])
@pytest.mark.parametrize("s", [1, -1])
def test_one_sided_limits_match_values_beside_the_point(expr, fn, a, s):
    got = L.one_sided(expr, h, a, s)
    want = near_value(fn, a, s)
    assert want is not None
    assert abs(fl(got) - float(want)) < 1e-12, (expr, s, got, want)


@pytest.mark.parametrize("expr,fn,a", ONE, ids=[str(c[0]) for c in ONE])
def test_two_sided_limits_exist_exactly_when_the_sides_agree(expr, fn, a):
    right, left = near_value(fn, a, 1), near_value(fn, a, -1)
    agree = abs(right - left) < 1e-15
    try:
        got = L.limit(L.Side(expr, (h, sp.Integer(a), None)), ())
    except L.NoLimit as exc:
        assert not agree and exc.kind == "differs", (expr, right, left)
        return
    assert agree and abs(fl(got) - float(right)) < 1e-12


@pytest.mark.parametrize("expr,fn", [(1 / h, lambda t: 1 / t), (ab(h) ** sp.Rational(1, 2) / h,
                                                                  lambda t: mp.sqrt(abs(t)) / t)])
def test_infinite_limits_are_no_limit(expr, fn):
    assert near_value(fn, 0, 1) is None             # the oracle: it does not settle
    with pytest.raises(L.NoLimit) as info:
        L.limit(L.Side(expr, (h, sp.Integer(0), "+")), ())
    assert info.value.kind == "infinite"


def test_a_limit_with_a_parameter_is_right_at_random_parameters():
    # (relu(x + h) - relu(x))/h from the right: H-like in x, sign(x)/2 + 1/2 off x = 0
    expr = (relu(x + h) - relu(x)) / h
    got = L.one_sided(expr, h, 0, 1)
    rng = random.Random(3)
    for _ in range(6):
        xv = Fr(rng.choice([-1, 1]) * rng.randint(1, 40), rng.randint(1, 9))
        want = near_value(lambda t: (M["relu"](mp.mpf(xv.numerator) / xv.denominator + t)
                                     - M["relu"](mp.mpf(xv.numerator) / xv.denominator)) / t, 0, 1)
        assert abs(fl(got.subs(x, sp.Rational(xv.numerator, xv.denominator))) - float(want)) < 1e-12


def test_the_derivative_of_relu_is_H_off_its_kink_only():
    outcome = L.compare(L.Side((relu(x + h) - relu(x)) / h, (h, sp.Integer(0), None)), L.Side(H(x), None), (), [])
    assert outcome.verdict == "valid-where" and outcome.values == {"x": Fr(0)}
    # the oracle at x = 0: the one-sided quotients are 1 and 0, so there is no limit
    q = lambda t: (M["relu"](t) - 0) / t  # noqa: E731
    assert near_value(q, 0, 1) == 1 and near_value(q, 0, -1) == 0
    # and at x = 0 the claimed H(0) = 1/2 matches neither side
    assert outcome.rhs == sp.Rational(1, 2)


def test_a_wrong_limit_gets_a_witness_the_oracle_confirms():
    outcome = L.compare(L.Side(((x + h) ** 2 - x ** 2) / h, (h, sp.Integer(0), None)), L.Side(3 * x, None), (), [])
    assert outcome.verdict == "invalid"
    xv = outcome.values["x"]
    with mp.workdps(60):
        X = mp.mpf(xv.numerator) / xv.denominator
        lim = near_value(lambda t: ((X + t) ** 2 - X ** 2) / t, 0, 1)
        assert abs(lim - 3 * X) > 1e-6
        assert abs(float(lim) - float(outcome.lhs)) < 1e-12 and float(outcome.rhs) == float(3 * X)


def test_the_near_form_replaces_every_switch_by_its_sign_beside_the_point():
    e = ab(h) + relu(h - 1) + sg(h + 2) * h
    right = L.near(e, h, 0, 1)
    left = L.near(e, h, 0, -1)
    # beside 0: |h| = +-h, relu(h - 1) = 0, sign(h + 2) = 1
    assert sp.expand(right - 2 * h) == 0 and sp.expand(left) == 0
    for s, form in ((1, right), (-1, left)):
        t = sp.Rational(s, 10 ** 6)
        assert float(form.subs(h, t)) == pytest.approx(float(e.subs(h, t)), abs=1e-15)
