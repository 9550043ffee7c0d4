"""The randomized polynomial identity test over kinks' signs (checking.identity).

Its "0" is used as a proof, so it is tried on identities that hold off the kinks and on
near misses that do not; the near misses must never come back as 0."""
from __future__ import annotations

import pytest
import sympy as sp

from symderiv.checking.identity import zero_off_kinks
from symderiv.scalar import FUNCS

x, y, z = sp.symbols("x y z", real=True)
relu, absf, sign, H = FUNCS["relu"], FUNCS["abs"], FUNCS["sign"], FUNCS["heaviside"]
mx = FUNCS["max"]


@pytest.mark.parametrize("e", [
    relu(x) ** 2 - x * relu(x),
    absf(x) ** 2 - x ** 2,
    relu(x) - relu(-x) - x,
    relu(x) * relu(-x),
    relu(2 * x - 2 * y) - 2 * relu(x - y),
    absf(x - y) - absf(y - x),
    mx(x, y) - (x + y + absf(x - y)) / 2,
    H(x) * x - relu(x),
    sign(x) * absf(x) - x,
    (relu(x * y + z) - z) ** 2 - (relu(x * y + z) - z) ** 2,
    sum(relu(x + k * y) ** 2 - (x + k * y) * relu(x + k * y) for k in range(1, 12)),
])
def test_identities_off_the_kinks_are_zero(e):
    assert zero_off_kinks(sp.expand(e)) is True


@pytest.mark.parametrize("e", [
    relu(x) - x,
    absf(x) - x,
    relu(x) ** 2 - x ** 2,
    H(x) - (1 + sign(x)),
    relu(x) * relu(y) - relu(x * y),
    absf(x * y) - absf(x) * absf(y),          # true, but only through sign(xy) = sign(x)sign(y)
    relu(x + y) - relu(x) - relu(y),
    x * y - y * x + 1,
])
def test_differences_that_are_not_zero_as_polynomials_are_never_called_zero(e):
    assert zero_off_kinks(e) is None


def test_outside_polynomials_of_kinks_it_says_nothing():
    assert zero_off_kinks(sp.exp(relu(x)) - 1 - relu(x)) is None
    # a kink inside a kink has no single free sign: not tested, even where it holds
    assert zero_off_kinks(relu(relu(x) - 1) - relu(1 - relu(x)) - relu(x) + 1) is None
    assert zero_off_kinks(relu(relu(x) - 1) - relu(x - 1)) is None
