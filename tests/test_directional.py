"""The exact one-sided directional derivative (symderiv/directional.py) against an
independent oracle: one-sided difference quotients in 60-digit arithmetic (mpmath), of
functions written by hand here, at kinks, ties, points on switches and off them."""
from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp

from symderiv.directional import NotLipschitz, decide_point, directional_derivative, sign_of
from symderiv.routes.scalar_form import scalar_form
from symderiv.scalar import FUNCS
from tests import oracle

x, y = sp.symbols("x y", real=True)
R = sp.Rational
mpmath.mp.dps = 60
T = mpmath.mpf("1e-25")


def quotient(fn, p, D):
    """(f(p + tD) - f(p))/t at t = 1e-25, 60 digits: for these piecewise smooth functions
    the error is O(t) (a second-order term), far below the 1e-15 the tests ask."""
    p = [mpmath.mpf(sp.Rational(v).p) / sp.Rational(v).q if isinstance(v, (int, sp.Rational)) else mpmath.mpf(sp.N(v, 70))
         for v in p]
    D = [mpmath.mpf(sp.Rational(v).p) / sp.Rational(v).q for v in D]
    moved = [a + T * d for a, d in zip(p, D)]
    return (fn(*moved) - fn(*p)) / T


m = mpmath
relu = lambda u: FUNCS["relu"](u)                                   # noqa: E731
mrelu = lambda u: u if u > 0 else mpmath.mpf(0)                     # noqa: E731

ONE = [
    # (name, SymPy f, mpmath f, points)
    ("max(|x|, 2x^2)", FUNCS["max"](sp.Abs(x), 2 * x ** 2), lambda a: max(abs(a), 2 * a * a), [0, R(1, 2), R(-1, 2), R(1, 3)]),
    ("min(|x|, 2x^2)", FUNCS["min"](sp.Abs(x), 2 * x ** 2), lambda a: min(abs(a), 2 * a * a), [0, R(1, 2), R(-1, 2)]),
    ("max(|x|, x^2)", sp.Max(sp.Abs(x), x ** 2), lambda a: max(abs(a), a * a), [0, 1, -1]),
    ("||x| - 1|", sp.Abs(sp.Abs(x) - 1), lambda a: abs(abs(a) - 1), [0, 1, -1, R(1, 2)]),
    ("relu(|x| - 1)", relu(sp.Abs(x) - 1), lambda a: mrelu(abs(a) - 1), [0, 1, -1]),
    ("max(x,0)|x|", relu(x) * sp.Abs(x), lambda a: mrelu(a) * abs(a), [0, R(2, 3)]),
    ("relu(x) relu(-x)", relu(x) * relu(-x), lambda a: mrelu(a) * mrelu(-a), [0]),
    ("relu(x) - relu(-x)", relu(x) - relu(-x), lambda a: mrelu(a) - mrelu(-a), [0]),
    ("x sign(x)", x * FUNCS["sign"](x), lambda a: a * mpmath.sign(a), [0, R(-3, 7)]),
    ("huber(x; 1)", FUNCS["huber"](x, 1), lambda a: a * a / 2 if abs(a) <= 1 else abs(a) - mpmath.mpf(1) / 2, [1, -1, 0]),
    ("leaky(x; 1/10)", FUNCS["leaky_relu"](x, R(1, 10)), lambda a: a if a > 0 else a / 10, [0]),
    ("clip(x, -1, 2)", FUNCS["clip"](x, -1, 2), lambda a: min(max(a, -1), 2), [-1, 2, 0]),
    ("soft(x; 1)", FUNCS["soft_threshold"](x, 1), lambda a: mpmath.sign(a) * mrelu(abs(a) - 1), [1, -1, 0]),
    ("relu6(x)", FUNCS["relu6"](x), lambda a: min(mrelu(a), 6), [0, 6]),
    ("hinge(x)", FUNCS["hinge"](x), lambda a: mrelu(1 - a), [1]),
    ("|x - sqrt 2|", sp.Abs(x - sp.sqrt(2)), lambda a: abs(a - mpmath.sqrt(2)), [sp.sqrt(2)]),
    ("exp(|x|) sin(x)", sp.exp(sp.Abs(x)) * sp.sin(x), lambda a: mpmath.exp(abs(a)) * mpmath.sin(a), [0, R(1, 5)]),
    ("max(x^2, 4x - 4)", FUNCS["max"](x ** 2, 4 * x - 4), lambda a: max(a * a, 4 * a - 4), [2]),
    ("|x|^3", sp.Abs(x) ** 3, lambda a: abs(a) ** 3, [0]),
    ("max(|x|, 2|x|)", FUNCS["max"](sp.Abs(x), 2 * sp.Abs(x)), lambda a: max(abs(a), 2 * abs(a)), [0]),
]


@pytest.mark.parametrize("name,F,fn,points", ONE, ids=[c[0] for c in ONE])
def test_one_variable_against_quotients(name, F, fn, points):
    for p in points:
        for D in (1, -1, R(3, 7), R(-5, 2)):
            got = directional_derivative(F, [x], [p], [D])
            assert not got.has(sp.Float), got                    # exact, never a float
            want = quotient(fn, [p], [D])
            assert abs(mpmath.mpf(sp.N(got, 70)) - want) < mpmath.mpf("1e-15"), (name, p, D, got, want)


TWO = [
    ("max(|x|, |y|)", FUNCS["max"](sp.Abs(x), sp.Abs(y)), lambda a, b: max(abs(a), abs(b)), [(1, 1), (0, 0), (1, -1), (2, 1)]),
    ("||x| - |y||", sp.Abs(sp.Abs(x) - sp.Abs(y)), lambda a, b: abs(abs(a) - abs(b)), [(0, 0), (1, 1), (0, 1)]),
    ("|x||y|", sp.Abs(x) * sp.Abs(y), lambda a, b: abs(a) * abs(b), [(0, 0), (0, 1), (1, 0)]),
    ("|x| + |y| - |x + y|", sp.Abs(x) + sp.Abs(y) - sp.Abs(x + y), lambda a, b: abs(a) + abs(b) - abs(a + b), [(0, 0), (1, -1)]),
    ("max(0, min(y, x^2 - y))", sp.Max(0, sp.Min(y, x ** 2 - y)), lambda a, b: max(0, min(b, a * a - b)), [(0, 0), (1, R(1, 2))]),
    ("relu(x - y) relu(y - x)", relu(x - y) * relu(y - x), lambda a, b: mrelu(a - b) * mrelu(b - a), [(1, 1)]),
    ("sqrt(x^2 + y^2)", sp.sqrt(x ** 2 + y ** 2), lambda a, b: mpmath.sqrt(a * a + b * b), [(0, 0), (3, 4)]),
    ("x |y|", x * sp.Abs(y), lambda a, b: a * abs(b), [(1, 0), (0, 0)]),
    ("max(x, y, 0)", FUNCS["max"](FUNCS["max"](x, y), 0), lambda a, b: max(a, b, 0), [(0, 0), (1, 1)]),
]
DIRS = [(1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (1, -1), (R(2, 3), R(-5, 7)), (R(-3, 11), R(13, 4))]


@pytest.mark.parametrize("name,F,fn,points", TWO, ids=[c[0] for c in TWO])
def test_two_variables_against_quotients(name, F, fn, points):
    for p in points:
        for D in DIRS:
            got = directional_derivative(F, [x, y], list(p), list(D))
            want = quotient(fn, list(p), list(D))
            assert abs(mpmath.mpf(sp.N(got, 70)) - want) < mpmath.mpf("1e-15"), (name, p, D, got, want)


def _numpy(fn):
    return lambda v: float(fn(*[mpmath.mpf(float(t)) for t in np.ravel(v)]))


@pytest.mark.parametrize("name,F,fn,points", ONE + TWO, ids=[c[0] for c in ONE + TWO])
def test_the_point_test_agrees_with_the_oracle(name, F, fn, points):
    """Differentiable iff D ↦ f'(p; D) is linear: the gradient is checked in every oracle
    direction, and a claim of 'not differentiable' needs a direction where
    f'(p; D) + f'(p; -D) != 0."""
    xs = [x] if F.free_symbols <= {x} else [x, y]
    rng = np.random.default_rng(5)
    f = _numpy(fn)
    for p in points:
        p = p if isinstance(p, tuple) else (p,)
        t = decide_point(F, xs, list(p))
        P = np.array([float(sp.N(v)) for v in p])
        if t.differentiable:
            oracle.check_gradient(f, P, np.array([float(g) for g in t.gradient]), rng)
        elif t.differentiable is False:
            oracle.check_not_differentiable(f, P, rng)
        else:
            pytest.fail(f"{name} at {p}: not decided ({t.reason})")


def test_a_jump_has_no_directional_derivative():
    with pytest.raises(NotLipschitz):
        directional_derivative(FUNCS["sign"](x), [x], [0], [1])
    t = decide_point(FUNCS["heaviside"](x) * y, [x, y], [0, 1])
    assert t.differentiable is False and not t.lipschitz


def test_an_infinite_slope_is_reported_not_guessed():
    with pytest.raises(NotLipschitz):
        directional_derivative(sp.sqrt(sp.Abs(x)), [x], [0], [1])


def test_a_jump_that_cancels_is_not_decided_rather_than_guessed():
    # H(x) + H(-x) is 1 off 0 and 1 at 0 (H(0) = 1/2): the test does not claim either way
    t = decide_point(FUNCS["heaviside"](x) + FUNCS["heaviside"](-x), [x], [0])
    assert t.differentiable is None and t.reason


def test_a_small_matrix_through_the_engine():
    """|det X| and ||max(X, 0)||_F written out entry by entry (2x2): f'(X; D) at singular
    points and at X = 0 against quotients of hand-written NumPy/mpmath functions."""
    from symderiv.parse import parse
    from symderiv.build import build
    cases = [
        (r"|\det(X)|", lambda a, b, c, d: abs(a * d - b * c), [(1, 2, 2, 4), (0, 0, 0, 0), (1, 0, 0, 1)]),
        (r"\|\max(X,0)\|_F", lambda a, b, c, d: mpmath.sqrt(sum(mrelu(v) ** 2 for v in (a, b, c, d))),
         [(0, 0, 0, 0), (1, -1, 0, 2), (-1, 0, 0, -2)]),
        (r"\max(X_{11}, X_{22}) + |X_{12} - X_{21}|", lambda a, b, c, d: max(a, d) + abs(b - c),
         [(1, 2, 2, 1), (0, 0, 0, 0)]),
    ]
    dirs = [(1, 0, 0, 0), (0, -1, 0, 0), (1, 1, -1, 1), (R(1, 3), R(-2, 5), R(7, 2), -1)]
    for latex, fn, points in cases:
        parsed = parse(latex)
        problem = build(parsed.term, parsed.source, values={"X": np.zeros((2, 2), dtype=object)}, wrt="X",
                        shape=None, functions={})
        S = scalar_form(problem.f, problem.var, {"X": np.zeros((2, 2), dtype=object)})
        assert S is not None and len(S.xs) == 4
        for p in points:
            for D in dirs:
                got = directional_derivative(S.F, S.xs, list(p), list(D))
                want = quotient(fn, list(p), list(D))
                assert abs(mpmath.mpf(sp.N(got, 70)) - want) < mpmath.mpf("1e-15"), (latex, p, D, got, want)


def test_linearity_is_decided_exactly_not_by_sampling():
    # max(x, y) + min(x, y) = x + y: linear on every cell, though each term is not
    F = FUNCS["max"](x, y) + FUNCS["min"](x, y)
    t = decide_point(F, [x, y], [1, 1])
    assert t.differentiable is True and t.gradient == [1, 1]
    # |x + y| - |x| at (0, 0): the cells x > 0 > x + y make it non-linear
    t = decide_point(sp.Abs(x + y) - sp.Abs(x), [x, y], [0, 0])
    assert t.differentiable is False


def test_sign_of_decides_near_zero_algebraic_numbers_exactly():
    """A sign is certified, never recognised from digits: sqrt(2) - 665857/470832 is
    -1.6e-12 (a convergent of sqrt 2), and a sum of nested roots that is exactly 0 is 0."""
    near = sp.sqrt(2) - sp.Rational(665857, 470832)
    with mpmath.workdps(60):
        assert mpmath.sqrt(2) - mpmath.mpf(665857) / 470832 < 0
    assert sign_of(near) == -1
    assert sign_of(-near) == 1
    assert sign_of(sp.sqrt(2) + sp.sqrt(3) - sp.sqrt(5 + 2 * sp.sqrt(6))) == 0
    assert sign_of(sp.sqrt(8) - 2 * sp.sqrt(2) - sp.Rational(1, 10**30)) == -1
