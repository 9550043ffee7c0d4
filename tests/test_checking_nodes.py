"""checking.nodes: the terms of one step become engine nodes with shapes shared between
the sides, and the differential of a compound expression becomes its directional
derivative along dX.  The built sides are evaluated exactly at random rational points
and compared with NumPy; a differential side is compared with the one-sided difference
quotient of the NumPy function along the same dX."""
from __future__ import annotations

import random
from fractions import Fraction as Fr

import numpy as np
import pytest
import sympy as sp

from symderiv import expr as E
from symderiv.checking.nodes import ShapeMismatch, build_step, difference
from symderiv.checking.reading import read
from symderiv.checking.sample import Point, dim_symbols, evaluate
from symderiv.parse import parse
from tests import oracle

relu = lambda a: np.maximum(a, 0)  # noqa: E731


def built_of(text, variable="X", conditions=()):
    chain = read(text)
    conds = [(op, parse(a).term, parse(b).term) for op, a, b in conditions]
    return build_step([t.term for t in chain.terms], conds, variable)


def point_for(built, rng, size=2):
    dims = {dim: size for dim in dim_symbols(built.sides)}
    values = {}
    for node in built.sides + [c for _, c in built.conditions]:
        for s in E.symbols_of(node):
            shape = tuple(int(dim) if getattr(dim, "is_Integer", False) or isinstance(dim, int) else dims[dim]
                          for dim in s.shape)
            values.setdefault(s.name, np.array([[Fr(rng.randint(-20, 20), 7) for _ in range(shape[1])]
                                                for _ in range(shape[0])], dtype=object))
    return Point(values, dims)


def fl(a):
    return np.array([[float(sp.N(v)) if isinstance(v, sp.Basic) else float(v) for v in row]
                     for row in np.asarray(a, dtype=object)])


# a step whose left side is a differential; the function differentiated, in NumPy
DIFFERENTIALS = [
    (r"d\|X\|_F^2 = 0", lambda X: np.sum(X ** 2)),
    (r"d(X^TX) = 0", lambda X: X.T @ X),
    (r"d\|\sigma(X)\|_F^2 = 0", lambda X: np.sum(relu(X) ** 2)),
    (r"d\operatorname{tr}(X^3) = 0", lambda X: np.trace(X @ X @ X)),
    (r"d\|X\|_F = 0", lambda X: np.linalg.norm(X)),
]


@pytest.mark.parametrize("text,g", DIFFERENTIALS, ids=[c[0] for c in DIFFERENTIALS])
def test_a_differential_is_the_directional_derivative_along_dX(text, g):
    built = built_of(text)
    assert [v.name for v in built.variables] == ["X"] and built.differentials["X"].name == "dX"
    assert len(built.differentiated) == 1
    rng = random.Random(text)
    for _ in range(3):
        pt = point_for(built, rng)
        got = fl(evaluate(built.sides[0], pt))
        X, dX = fl(pt.values["X"]), fl(pt.values["dX"])
        want = oracle.one_sided(lambda Y: np.asarray(g(Y), dtype=float), X, dX)
        assert np.allclose(got.reshape(np.shape(want) or (1, 1)), np.reshape(want, np.shape(want) or (1, 1)),
                           atol=1e-5), (got, want)


def test_both_sides_share_their_shapes():
    built = built_of(r"\operatorname{tr}(X^T A X) = \langle X, A X\rangle")
    left, right = built.sides
    X_l = {s.name: s for s in E.symbols_of(left)}
    X_r = {s.name: s for s in E.symbols_of(right)}
    assert X_l["X"].shape == X_r["X"].shape and X_l["A"].shape == X_r["A"].shape
    pt = point_for(built, random.Random(1))
    a, b = fl(evaluate(left, pt)), fl(evaluate(right, pt))
    X, A = fl(pt.values["X"]), fl(pt.values["A"])
    assert a[0, 0] == pytest.approx(np.trace(X.T @ A @ X)) and b[0, 0] == pytest.approx(np.sum(X * (A @ X)))


def test_a_scalar_with_variables_beside_a_matrix_is_a_mismatch():
    # X^T X is n x n; the scalar x is no constant matrix, so the two cannot be compared
    built = built_of(r"X^T X = x")
    assert built.sides[0].shape[0] == built.sides[0].shape[1] and built.sides[1].is_scalar
    with pytest.raises(ShapeMismatch):
        difference(*built.sides)


def test_a_number_beside_a_matrix_stands_for_a_constant_matrix():
    built = built_of(r"X - X = 0")
    pt = point_for(built, random.Random(2))
    diff = difference(*built.sides)
    value = np.asarray(evaluate(diff, pt), dtype=object)
    assert value.size >= 1 and all(v == 0 for v in value.flat)
    # and a nonzero number beside a matrix is compared entry by entry
    built = built_of(r"X - X + J = 1")
    value = np.asarray(evaluate(difference(*built.sides), point_for(built, random.Random(3))), dtype=object)
    assert value.shape == (2, 2) and all(v == 0 for v in value.flat)


def test_conditions_become_nodes_compared_with_zero():
    built = built_of(r"|x| = x", "x", conditions=[(">", "x", "1")])
    (op, c), = built.conditions
    assert op == ">"
    for v in (Fr(-2), Fr(1), Fr(5, 2)):
        val = evaluate(c, Point({"x": np.array([[v]], dtype=object)}, {}))[0, 0]
        assert val == v - 1


def test_entries_of_a_differential_belong_to_dX():
    built = built_of(r"d\sum_{i,j} x_{ij}^2 = 2\sum_{i,j} x_{ij} dx_{ij}")
    assert built.differentials["X"].name == "dX"
    rng = random.Random(4)
    for _ in range(2):
        pt = point_for(built, rng)
        a, b = fl(evaluate(built.sides[0], pt)), fl(evaluate(built.sides[1], pt))
        X, dX = fl(pt.values["X"]), fl(pt.values["dX"])
        want = oracle.one_sided(lambda Y: np.sum(Y ** 2), X, dX)
        assert a[0, 0] == pytest.approx(want, abs=1e-5) and b[0, 0] == pytest.approx(want, abs=1e-5)


def test_odd_roots_in_a_step_are_real():
    built = built_of(r"x^{1/3} = x", "x")
    val = evaluate(built.sides[0], Point({"x": np.array([[Fr(-8)]], dtype=object)}, {}))
    assert val is not None and fl(val)[0, 0] == pytest.approx(np.cbrt(-8.0))


def test_x_1_beside_the_vector_x_is_its_entry_in_check_as_in_diff():
    # diff reads x_1 beside a vector x as entry 1 of x; the checker read it as a scalar of
    # its own, so (x + x)_1 = 2 x_1 was 'invalid' at x = [[1]], x_1 = 3
    from symderiv.api import analyze
    from tests import check_oracle as O
    valid, wrong = O.steps("$$ (x + x)_1 = 2 x_1 $$\n$$ (3 x)_1 = 2 x_1 + x_2 $$\n")
    assert valid.verdict == "valid" and wrong.verdict == "invalid"
    rng = np.random.default_rng(4)
    O.holds_at_random(lambda v: (v["x"] + v["x"])[0], lambda v: 2 * v["x"][0], {"x": (3,)}, rng)
    assert O.fails_somewhere(lambda v: 3 * v["x"][0], lambda v: 2 * v["x"][0] + v["x"][1], {"x": (3,)}, rng)
    # the counterexample is a vector with at least two entries, where NumPy sees the sides differ
    x = np.asarray(O.number(wrong.counterexample.values["x"]), dtype=float).ravel()
    assert x.size >= 2 and not O.close(3 * x[0], 2 * x[0] + x[1])
    # diff: x_1 + x^T x is read through the entries of x too; its gradient is e_1 + 2x
    f = lambda X: X[0, 0] + float((X.T @ X)[0, 0])  # noqa: E731
    X = np.array([[1.0], [0.0], [-2.0]])
    a = analyze(r"x_1 + x^T x", wrt="x", at="[1,0,-2]")
    G = np.asarray(O.number(a.point.gradient), dtype=float).reshape(3, 1)
    np.testing.assert_allclose(G, oracle.numeric_gradient(f, X), atol=1e-5)


def test_x_1_and_x_2_without_the_vector_x_stay_scalars_in_a_step():
    # a partial derivative along x_1 is about the scalars x_1, x_2: read as entries of a
    # default vector x, the step lost its variable and came out 'invalid'
    from tests import check_oracle as O
    step, = O.steps(r"$$\frac{\partial}{\partial x_1}\max(x_1,x_2) = H(x_1-x_2)$$")
    assert step.verdict == "valid-where"
    for x1, x2 in ((2.0, -1.0), (-0.5, 0.25), (3.0, 1.0)):
        slope = (max(x1 + 1e-7, x2) - max(x1 - 1e-7, x2)) / 2e-7
        assert slope == pytest.approx(1.0 if x1 > x2 else 0.0, abs=1e-6)
