"""checking.primes: f'(x) = G and f'(a) = c after a line that defined f.

The claim at a number is checked against the two one-sided derivatives of the NumPy
twin of f at a, from mpmath at 60 digits (oracle.mp_directional): a true value must be
'valid', a wrong one 'invalid' with the value the oracle finds, and at a kink (the
one-sided derivatives differ) any value is 'invalid'.  The claim at the parameter is
checked as a gradient at random points."""
from __future__ import annotations

from fractions import Fraction as Fr

import mpmath as mp
import numpy as np
import pytest
import sympy as sp

from symderiv.checking.primes import derivative_claim
from symderiv.checking.reading import Gradient, Label, Limit, Unreadable, read
from symderiv.checking.world import World
from tests import check_oracle as O
from tests import oracle

relu = lambda t: max(t, 0)  # noqa: E731

# f in LaTeX, its mpmath twin, and points
FUNCTIONS = [
    ("x^3", lambda t: t ** 3, [Fr(2), Fr(-1, 2)]),
    ("|x|", lambda t: abs(t), [Fr(0), Fr(3, 2)]),
    (r"\max(x, 0)^2", lambda t: relu(t) ** 2, [Fr(0), Fr(-1)]),
    (r"|x - 1| + x^2", lambda t: abs(t - 1) + t ** 2, [Fr(1), Fr(0)]),
    (r"e^{x}", lambda t: mp.exp(t), [Fr(0)]),
]


def sides(fn, a):
    right = oracle.mp_directional(fn, [a], [1])
    left = -oracle.mp_directional(fn, [a], [-1])
    return float(right), float(left)


def latex_number(v: Fr) -> str:
    if v.denominator == 1:
        return str(v.numerator)
    body = rf"\frac{{{abs(v.numerator)}}}{{{v.denominator}}}"
    return "-" + body if v < 0 else body


@pytest.mark.parametrize("f,fn,points", FUNCTIONS, ids=[c[0] for c in FUNCTIONS])
def test_a_derivative_at_a_number_is_the_limit_of_the_quotient(f, fn, points):
    for a in points:
        right, left = sides(fn, a)
        kink = abs(right - left) > 1e-9
        value = Fr(right).limit_denominator(1000) if not kink else Fr(0)
        post = f"Let $f(x) = {f}$. Then $$f'({latex_number(a)}) = {latex_number(value)}$$"
        step = O.steps(post)[1]
        if kink:
            assert step.verdict == "invalid" and "does not exist" in step.reason, step.reason
            continue
        assert abs(float(value) - right) < 1e-12
        assert step.verdict == "valid", step.reason
        wrong = O.steps(f"Let $f(x) = {f}$. Then $$f'({latex_number(a)}) = {latex_number(value + 1)}$$")[1]
        assert wrong.verdict == "invalid"
        assert O.number(wrong.counterexample.lhs) == pytest.approx(right)


def test_a_derivative_at_the_parameter_is_a_gradient_claim():
    post = r"Let $f(x) = x|x| + x^3$. Then $$f'(x) = 2|x| + 3x^2$$ and $$f'(x) = 2x + 3x^2$$"
    defn, good, bad = O.steps(post)
    fn = lambda t: t * abs(t) + t ** 3  # noqa: E731
    assert good.verdict == "valid"
    rng = np.random.default_rng(1)
    for t in rng.uniform(-3, 3, 6):
        assert float(oracle.mp_directional(fn, [t], [1])) == pytest.approx(2 * abs(t) + 3 * t ** 2, abs=1e-9)
    assert bad.verdict == "invalid"
    v = O.number(bad.counterexample.values["x"])
    dx = O.number(bad.counterexample.values["dx"])
    slope = float(oracle.mp_directional(fn, [Fr(v).limit_denominator(10 ** 6)], [1]))
    assert slope * dx == pytest.approx(O.number(bad.counterexample.lhs))
    assert slope != pytest.approx(2 * v + 3 * v ** 2)


def test_builtin_derivatives():
    # sigma'(0) has no value: the one-sided derivatives of ReLU are 1 and 0
    (step,) = O.steps(r"$$\sigma'(0) = 0$$")
    assert step.verdict == "invalid"
    assert sides(relu, Fr(0)) == (1.0, 0.0)
    # tanh' = 1 - tanh^2 everywhere (the oracle at random points)
    (step,) = O.steps(r"$$\tanh'(x) = 1 - \tanh(x)^2$$")
    assert step.verdict == "valid"
    for t in (-2.0, 0.3, 1.7):
        assert float(oracle.mp_directional(mp.tanh, [t], [1])) == pytest.approx(1 - np.tanh(t) ** 2, abs=1e-12)


def test_derivative_claim_forms():
    world = World("x")
    world.define("f", ("x",), read("x^2").terms[0].term, 0)
    other = read("0").terms[0]
    assert isinstance(derivative_claim(Label("f'(x)"), other, world), Gradient)
    assert isinstance(derivative_claim(Label("f'(3)"), other, world), Limit)
    assert isinstance(derivative_claim(Label("f''(x)"), other, world), Unreadable)
    # an undefined name the tool does not know stays a label
    assert derivative_claim(Label("g'(x)"), other, world) is None


SPELLED_SIDES = [("f'_+({a})", "+"), ("f'_{{+}}({a})", "+"), ("f_+'({a})", "+"), ("f'({a}^+)", "+"),
                 ("f'({a}^{{+}})", "+"), ("f'_-({a})", "-"), ("f_{{-}}'({a})", "-"), ("f'({a}^-)", "-")]


@pytest.mark.parametrize("f,fn,points", FUNCTIONS, ids=[c[0] for c in FUNCTIONS])
def test_a_one_sided_derivative_is_the_limit_from_that_side(f, fn, points):
    # f'_+(a) and f'_-(a) exist at a kink, where f'(a) does not: each spelling is checked
    # against the oracle's one-sided slope there, true and off by one
    for a in points:
        right, left = sides(fn, a)
        for spelled, side in SPELLED_SIDES:
            value = Fr(right if side == "+" else left).limit_denominator(1000)
            assert abs(float(value) - (right if side == "+" else left)) < 1e-12
            label = spelled.format(a=latex_number(a))
            good = O.steps(f"Let $f(x) = {f}$. Then $$" + label + f" = {latex_number(value)}$$")[1]
            assert good.verdict == "valid", (label, good.reason)
            bad = O.steps(f"Let $f(x) = {f}$. Then $$" + label + f" = {latex_number(value + 1)}$$")[1]
            assert bad.verdict == "invalid", (label, bad.reason)
            assert O.number(bad.counterexample.lhs) == pytest.approx(float(value))


def test_a_one_sided_derivative_at_the_parameter_is_not_checked():
    world = World("x")
    world.define("f", ("x",), read("|x|").terms[0].term, 0)
    claim = derivative_claim(Label("f'_+(x)"), read("1").terms[0], world)
    assert isinstance(claim, Unreadable) and "at a number" in claim.reason
    assert Label("f'_+(0)").side() == "+" and Label("f'(0^-)").side() == "-" and Label("f'(0)").side() is None
