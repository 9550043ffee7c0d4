"""checking.reading: one equation -> a chain of limits, labels, gradients and expressions.

What a term is read as is checked by what follows from it: a limit's body, point and side
are evaluated by mpmath just beside the point and compared with the verdict the checker
gives the whole line; a Leibniz or nabla gradient is checked as the derivative the oracle
computes by differences."""
from __future__ import annotations

from fractions import Fraction as Fr

import mpmath as mp
import numpy as np
import pytest

from symderiv import syntax as S
from symderiv.checking.reading import Expr, Gradient, Label, Limit, Unreadable, increments, read, split_terms
from tests import check_oracle as O
from tests import oracle


def beside(fn, a, s):
    with mp.workdps(60):
        return fn(mp.mpf(a) + s * mp.mpf("1e-30"))


@pytest.mark.parametrize("text,var,point,side", [
    (r"\lim_{h \to 0^+} \frac{|h|}{h}", "h", Fr(0), "+"),
    (r"\lim_{h \to 0^-} \frac{|h|}{h}", "h", Fr(0), "-"),
    (r"\lim_{t \downarrow 1} t^2", "t", Fr(1), "+"),
    (r"\lim_{x \to \frac{1}{2}} x", "x", Fr(1, 2), None),
    (r"\lim_{h \to -3} h", "h", Fr(-3), None),
])
def test_limits_are_read_with_their_point_and_side(text, var, point, side):
    (t,) = read(text).terms
    assert isinstance(t, Limit) and (t.var, t.point, t.side) == (var, point, side)


@pytest.mark.parametrize("claim,fn,side", [
    (r"\lim_{h \to 0^+} \frac{|h|}{h} = 1", lambda h: abs(h) / h, 1),
    (r"\lim_{h \to 0^-} \frac{|h|}{h} = -1", lambda h: abs(h) / h, -1),
    (r"\lim_{h \to 0^+} \frac{\sigma(h)}{h} = 1", lambda h: max(h, 0) / h, 1),
    (r"\lim_{h \to 0^-} \frac{\sigma(h)}{h} = 0", lambda h: max(h, 0) / h, -1),
])
def test_a_limit_read_right_is_decided_as_the_oracle_says(claim, fn, side):
    (step,) = O.steps(f"$${claim}$$")
    value = float(claim.rsplit("=", 1)[1])
    assert abs(float(beside(fn, 0, side)) - value) < 1e-20
    assert step.verdict == "valid", step.reason
    wrong = claim.rsplit("=", 1)[0] + f"= {int(value) + 2}"
    assert O.steps(f"$${wrong}$$")[0].verdict == "invalid"


def test_a_two_sided_limit_that_does_not_exist_is_false():
    (step,) = O.steps(r"$$\lim_{h \to 0} \frac{|h|}{h} = 1$$")
    assert float(beside(lambda h: abs(h) / h, 0, 1)) != float(beside(lambda h: abs(h) / h, 0, -1))
    assert step.verdict == "invalid"


@pytest.mark.parametrize("text,var", [
    (r"\nabla_X f", "X"), (r"\frac{\partial f}{\partial x}", "x"), (r"\frac{d}{dx} x^2", "x"),
    (r"\frac{d|x|}{dx}", "x"), (r"\nabla f", None),
])
def test_gradients_name_what_is_differentiated_and_along_what(text, var):
    (t,) = read(text).terms
    assert isinstance(t, Gradient) and t.var == var


@pytest.mark.parametrize("claim,fn,grad,verdict", [
    (r"\frac{d}{dx} x^3 = 3x^2", lambda x: x ** 3, lambda x: 3 * x ** 2, "valid"),
    (r"\frac{d|x|}{dx} = \operatorname{sign}(x)", lambda x: abs(x), np.sign, "valid-where"),   # not at the kink 0
    (r"\frac{d}{dx} e^{2x} = 2e^{2x}", lambda x: np.exp(2 * x), lambda x: 2 * np.exp(2 * x), "valid"),
])
def test_a_leibniz_derivative_is_checked_as_that_derivative(claim, fn, grad, verdict):
    (step,) = O.steps(f"$${claim}$$")
    assert step.verdict == verdict, step.reason
    for x in (-1.3, 0.4, 2.1):
        assert oracle.numeric_gradient(lambda v: float(fn(v).sum()), np.array([x]))[0] == pytest.approx(grad(x), rel=1e-6)


def test_labels_chains_and_increments():
    chain = read(r"f'(x) = 2x = x + x")
    assert isinstance(chain.terms[0], Label) and chain.terms[0].parts() == ("f", 1, "x")
    assert chain.ops == ["=", "="] and all(isinstance(t, Expr) for t in chain.terms[1:])
    assert Label("g''(0)").parts() == ("g", 2, "0")
    assert read(r"&= x").terms[0] is None            # a row continuing the last chain
    text, found = increments(r"f(x + \Delta x) - f(x)")
    assert found == {"delta_x": "Δx"} and r"\delta_{x}" in text
    terms, ops = split_terms(r"a \le b < c")
    assert ops == ["<=", "<"] and terms == ["a", "b", "c"]
    assert isinstance(read(r"\lim_{h \to y} h").terms[0], Unreadable)
    assert isinstance(read("x").terms[0].term, S.Name)
