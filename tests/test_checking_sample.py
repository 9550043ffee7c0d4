"""checking.sample: exact test points, kink points, and values at them.

The points are checked for what they promise (conditions met, switches exactly 0, every
entry exact), values at them against NumPy evaluated from the same numbers, 'no value'
against where NumPy's real formula is not finite, and the one-sided overrides against
the sign a switch takes a small step along the direction (by evaluating it there)."""
from __future__ import annotations

from fractions import Fraction as Fr

import numpy as np
import pytest
import sympy as sp

from symderiv import calculus
from symderiv import expr as E
from symderiv.checking.sample import (Point, Sampler, evaluate, leaf_bounds, no_value, on_kink,
                                      one_sided_overrides, same)
from symderiv.evaluate import Evaluator

m, n = sp.symbols("m n", positive=True, integer=True)
X = E.Sym("X", (m, n))
x = E.Sym("x", (sp.Integer(1), sp.Integer(1)))
y = E.Sym("y", (sp.Integer(1), sp.Integer(1)))
p0, p1 = E.placeholder(0), E.placeholder(1)
relu = lambda a: np.maximum(a, 0)  # noqa: E731


def floats(a):
    return np.asarray(a, dtype=object).astype(float)


def test_generic_points_are_exact_and_values_match_numpy():
    f = E.sum_all(E.hadamard(E.apply("relu", X), X))
    seen_shapes = set()
    for pt in Sampler([f], seed=3).generic(12):
        v = pt.values["X"]
        assert all(isinstance(a, (int, Fr)) for a in v.flat)
        seen_shapes.add(v.shape)
        got = evaluate(f, pt)[0, 0]
        assert float(got) == pytest.approx(float(np.sum(relu(floats(v)) * floats(v))), abs=1e-12)
    assert (1, 1) in seen_shapes and (2, 2) in seen_shapes


def test_conditions_bounding_a_variable_are_met():
    cond_pos = E.ew(p0 - 1, (x,), x.shape)             # x - 1 > 0
    cond_neg = E.ew(2 - p0, (y,), y.shape)             # 2 - y >= 0
    conds = [(">", cond_pos), (">=", cond_neg)]
    assert leaf_bounds(conds) == {"x": [(">", Fr(1))], "y": [("<=", Fr(2))]}
    f = E.ew(p0 * p1, (x, y), (1, 1))
    pts = list(Sampler([f], conds, seed=1).generic(15)) + list(Sampler([f], conds, seed=1).kinks([], 6))
    assert len(pts) >= 10
    for pt in pts:
        assert pt.values["x"][0, 0] > 1 and pt.values["y"][0, 0] <= 2


def test_kink_points_sit_exactly_on_the_switches():
    u = E.ew(p0 - 2 * p1 + Fr(1, 3), (x, y), (1, 1))  # the switch x - 2y + 1/3 = 0
    f = E.ew(sp.Abs(p0 - 2 * p1 + sp.Rational(1, 3)), (x, y), (1, 1))
    on = 0
    for pt in Sampler([f], seed=5).kinks([u], 6):
        assert pt.kink
        uv = pt.values["x"][0, 0] - 2 * pt.values["y"][0, 0] + Fr(1, 3)
        if uv == 0:
            on += 1
            assert on_kink(pt, [u])
            # the value of |u| there is exactly 0 (NumPy agrees to rounding)
            assert evaluate(f, pt)[0, 0] == 0
    assert on >= 3


def test_no_value_where_the_real_formula_is_not_finite():
    f = E.ew(sp.Abs(p0) / p0, (x,), (1, 1))
    g = E.ew(sp.sqrt(p0), (x,), (1, 1))
    h = E.ew(sp.log(p0), (x,), (1, 1))
    for v in (Fr(-2), Fr(0), Fr(1, 3)):
        pt = Point({"x": np.array([[v]], dtype=object)}, {})
        with np.errstate(all="ignore"):
            a = float(v)
            for node, fn in ((f, lambda t: abs(t) / t), (g, np.sqrt), (h, np.log)):
                finite = bool(np.isfinite(fn(np.float64(a))))
                assert no_value(node, pt) == (not finite), (node, v)
                assert (evaluate(node, pt) is None) == (not finite)


def test_same_is_exact_equality():
    assert same(np.array([[Fr(1, 3)]], dtype=object), np.array([[Fr(2, 6)]], dtype=object)) is True
    assert same(np.array([[Fr(1, 3)]], dtype=object), np.array([[Fr(1, 3) + Fr(1, 10 ** 30)]], dtype=object)) is False
    assert same(np.array([[sp.sqrt(2) ** 2]], dtype=object), np.array([[2]], dtype=object)) is True
    # a scalar against a matrix compares with every entry
    assert same(np.array([[5]], dtype=object), np.full((2, 2), 5, dtype=object)) is True
    assert same(np.zeros((2, 1), dtype=object), np.zeros((1, 2), dtype=object)) is False
    assert same(None, np.zeros((1, 1))) is None


def test_sizes_inside_entries_take_their_values():
    f = E.sum_all(E.ones((m, n)))
    pt = Point({}, {m: 2, n: 3})
    assert evaluate(f, pt)[0, 0] == 6


@pytest.mark.parametrize("d", [Fr(1), Fr(-1, 2)])
def test_one_sided_overrides_take_the_side_the_direction_leads_to(d):
    """At X with a zero entry, the region-wise derivative of relu along dX is evaluated
    with the switch on the side X + t dX enters; compare with the one-sided quotient."""
    f = E.sum_all(E.apply("relu", X))
    D = E.Sym("dX", (m, n))
    deriv = calculus.directional(f, X, D)
    Xv = np.array([[Fr(0), Fr(2)], [Fr(-1), Fr(0)]], dtype=object)
    Dv = np.array([[d, Fr(1)], [Fr(3), -d]], dtype=object)
    pt = Point({"X": Xv, "dX": Dv}, {m: 2, n: 2})
    over = one_sided_overrides([deriv], pt, [X], {"X": D})
    assert over is not None
    got = Evaluator(pt.values, pt.dims, over)(deriv)[0, 0]
    t = 1e-7
    fx = relu(floats(Xv)).sum()
    quotient = (relu(floats(Xv) + t * floats(Dv)).sum() - fx) / t
    assert float(got) == pytest.approx(quotient, abs=1e-6)
