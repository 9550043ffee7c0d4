"""signform.switches: the solutions of a switch u = 0, and a sign form restricted to one.

Each root is checked numerically (NumPy floats, independent of SymPy's solver): u is 0
there and, for a switch, changes sign across it; a touching zero keeps its sign.  A
restriction is checked against the original function evaluated on the switch."""
import numpy as np
import pytest
import sympy as sp

from symderiv.errors import Unsupported
from symderiv.scalar import FUNCS, to_sign_form
from symderiv.signform import INTEGER, branches, coincident, restrict

x, y = sp.symbols("x y", real=True)
R, H = FUNCS["relu"], FUNCS["heaviside"]
STEP = 1e-6


def _roots(u, variables, **kw):
    """Every root as a float, a family expanded for k = -3..3."""
    out = []
    for v, r in branches(u, variables, **kw):
        ks = range(-3, 4) if r.has(INTEGER) else [0]
        out += [(v, float(r.xreplace({INTEGER: k}))) for k in ks]
    return out


def _crosses(u, v, r):
    f = sp.lambdify(v, u, "numpy")
    assert abs(f(r)) < 1e-9
    return np.sign(f(r - STEP)) * np.sign(f(r + STEP)) < 0


def test_a_polynomial_switch_has_one_branch_per_real_root_each_crossed():
    found = _roots(x ** 2 - 1, [x])
    assert sorted(r for _, r in found) == [-1.0, 1.0]
    assert all(_crosses(x ** 2 - 1, v, r) for v, r in found)


def test_a_periodic_switch_is_one_family_whose_members_are_all_crossed():
    found = branches(sp.cos(x), [x])
    assert len(found) == 1 and found[0][1].has(INTEGER)
    roots = [r for _, r in _roots(sp.cos(x), [x])]
    assert np.allclose(np.diff(roots), np.pi)               # every zero, none skipped
    assert all(_crosses(sp.cos(x), x, r) for r in roots)


def test_a_touching_zero_is_no_switch_unless_asked_for():
    u = sp.cos(x) - 1
    assert branches(u, [x]) == []
    roots = [r for _, r in _roots(u, [x], touching=True)]
    f = sp.lambdify(x, u, "numpy")
    assert roots and all(abs(f(r)) < 1e-9 and f(r - 1e-3) < 0 and f(r + 1e-3) < 0 for r in roots)


def test_a_linear_switch_is_solved_for_its_first_variable():
    (v, value), = branches(2 * x - 3 * y + 1, [x, y])
    assert v == x
    for yv in (-2.0, 0.5, 3.0):
        assert abs(2 * float(value.subs(y, yv)) - 3 * yv + 1) < 1e-12


def test_a_switch_past_the_degree_bound_is_not_decided():
    with pytest.raises(Unsupported, match="degree 9"):
        branches(x ** 9 - 2, [x])


def test_restrict_agrees_with_the_function_on_the_switch():
    f = R(x) * y + x ** 2
    on = restrict(to_sign_form(f), x - y, [x])
    def g(xv, yv):                      # f in floats, written independently
        return max(xv, 0.0) * yv + xv ** 2
    for yv in (sp.Rational(3, 2), sp.Rational(-2), sp.Rational(5, 7)):
        assert abs(float(on.subs(y, yv)) - g(float(yv), float(yv))) < 1e-12


def test_coincident_switches_are_noticed():
    assert coincident(restrict(to_sign_form(H(x - y) * x), x - y, [x])) is True
    assert coincident(restrict(to_sign_form(H(y - 2 * x) * x), x - y, [x])) is False
