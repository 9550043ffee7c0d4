"""The table is consistent with itself: pieces, sign rewrites and slopes say the same."""
import random

import pytest
import sympy as sp

from symderiv import primitives
from symderiv.scalar import FUNCS, Sw, to_piecewise, to_sign_form

PRIMS = list(primitives.TABLE)

# parameter values inside each primitive's stated domain (lo <= hi, thresholds > 0)
PARAMS = {"alpha": sp.Rational(1, 10), "lo": sp.Integer(-1), "hi": sp.Integer(2),
          "lambda": sp.Rational(1, 2), "delta": sp.Integer(1)}


def _params(p):
    return [PARAMS[name] for name in p.params]


def _args(p, rng):
    return [sp.Rational(rng.randint(-50, 50), rng.choice((3, 7))) for _ in range(p.arity)]


def _symbols(p):
    return list(sp.symbols(f"a0:{p.arity}", real=True))


@pytest.mark.parametrize("p", PRIMS, ids=lambda p: p.name)
def test_sign_rewrite_matches_pieces_off_switches(p):
    rng = random.Random(p.name)
    xs = _symbols(p)
    form = to_sign_form(FUNCS[p.name](*xs, *_params(p)))
    pieces = sp.Piecewise(*p.pieces(*xs, *_params(p)))
    checked = 0
    for _ in range(60):
        vals = _args(p, rng)
        point = dict(zip(xs, vals))
        if any(u.xreplace(point) == 0 for u in p.switches(*xs, *_params(p))):
            continue
        assert form.xreplace(point) == pieces.xreplace(point)
        checked += 1
    assert checked > 30


@pytest.mark.parametrize("p", PRIMS, ids=lambda p: p.name)
def test_numeric_value_comes_from_the_pieces(p):
    rng = random.Random(1 + len(p.name))
    xs = _symbols(p)
    for _ in range(20):
        vals = _args(p, rng)
        assert FUNCS[p.name](*vals, *_params(p)) == sp.Piecewise(*p.pieces(*xs, *_params(p))).xreplace(dict(zip(xs, vals)))


@pytest.mark.parametrize("p", PRIMS, ids=lambda p: p.name)
def test_declared_slopes_match_the_pieces(p):
    """The one-sided gradients declared next to each switch are those of the pieces."""
    xs = _symbols(p)
    rng = random.Random(7)
    for k, u in enumerate(p.switches(*xs, *_params(p))):
        declared = p.slopes(*xs, *_params(p))[k]
        pw = sp.Piecewise(*p.pieces(*xs, *_params(p)))
        # a point on the switch: solve u = 0 for the first argument it contains
        x0 = [x for x in xs if u.has(x)][0]
        others = {x: sp.Rational(rng.randint(-9, 9), 5) for x in xs if x != x0}
        base = sp.solve(sp.Eq(u.xreplace(others), 0), x0)[0]
        point = {**others, x0: base}
        step = sp.Rational(1, 10**6) * (1 if sp.diff(u, x0) > 0 else -1)
        sides = []
        for s in (-1, 1):
            near = dict(point)
            near[x0] = base + s * step         # on the u<0 (s=-1) or u>0 (s=+1) side
            # the piece that holds on that side, differentiated and taken to the switch
            piece = next(v for v, c in p.pieces(*xs, *_params(p))
                         if c is True or sp.sympify(c).xreplace(near) == sp.true)
            sides.append(tuple(sp.diff(piece, x).xreplace(point) for x in xs))
        if declared is None:
            left = pw.xreplace({**point, x0: base - step})
            right = pw.xreplace({**point, x0: base + step})
            assert abs(left - right) > sp.Rational(1, 100), "declared a jump, but the pieces are continuous"
            assert not p.continuous
        else:
            assert tuple(sp.sympify(v) for v in declared[0]) == sides[0]
            assert tuple(sp.sympify(v) for v in declared[1]) == sides[1]


@pytest.mark.parametrize("p", PRIMS, ids=lambda p: p.name)
def test_piecewise_route_reads_the_same_pieces(p):
    xs = _symbols(p)
    got = to_piecewise(FUNCS[p.name](*xs, *_params(p)))
    want = sp.piecewise_fold(sp.Piecewise(*p.pieces(*xs, *_params(p))))
    rng = random.Random(3)
    for _ in range(20):
        point = dict(zip(xs, _args(p, rng)))
        assert got.xreplace(point) == want.xreplace(point)


def test_sign_switch_algebra():
    x = sp.Symbol("x", real=True)
    assert Sw(-x) == -Sw(x)
    assert Sw(x) ** 2 == 1
    assert Sw(3 * x) == Sw(x)
    assert Sw(sp.Integer(-2)) == -1
    assert sp.diff(Sw(x), x) == 0


def test_lookup_names_and_aliases():
    assert primitives.lookup("ReLU").name == "relu"
    assert primitives.lookup("sgn").name == "sign"
    assert primitives.lookup("theta").name == "heaviside"
    assert primitives.lookup("nonsense") is None
