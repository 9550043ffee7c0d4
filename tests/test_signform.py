"""Sign forms: identities are decided exactly and read back with the table's names."""
import sympy as sp

from symderiv.scalar import FUNCS, to_sign_form
from symderiv.signform import feasible_cells, is_zero, nonzero_condition, prettify

x, y, a = sp.symbols("x y a", real=True)
R, A, M, H = FUNCS["relu"], FUNCS["abs"], FUNCS["max"], FUNCS["heaviside"]


def sf(e):
    return to_sign_form(e)


def test_identities_hold_off_the_kinks():
    assert is_zero(sf(R(x) - R(-x) - x)) is True
    assert is_zero(sf(R(x) * R(-x))) is True
    assert is_zero(sf(A(x) - R(x) - R(-x))) is True
    assert is_zero(sf(M(x, a) - x - R(a - x))) is True
    assert is_zero(sf(R(R(x) - 1) - R(x - 1))) is True      # needs the impossible cells


def test_non_identities_are_refuted_exactly():
    assert is_zero(sf(R(x) - x)) is False
    assert is_zero(sf(A(x) - x)) is False


def test_read_back():
    assert prettify(sf(2 * R(x))) == 2 * R(x)
    assert prettify(sf(sp.diff(sf(R(x) ** 2), x))) == 2 * R(x)
    assert prettify(sf(H(x) * H(x - 1))) == H(x - 1)
    assert prettify(sf(A(x) * A(y))) == A(x) * A(y)


def test_cells():
    assert len(feasible_cells((x, x - 1))) == 3
    assert len(feasible_cells((x, y))) == 4


def test_nonzero_condition():
    assert nonzero_condition(sp.Integer(2)) == []
    assert nonzero_condition(sp.Integer(0)) is None
    assert nonzero_condition(-2 * y) == [sp.Ne(y, 0)]
    assert nonzero_condition(sf(R(y))) == [y > 0]
