"""routes: the sign identity (route 1, with its switch bookkeeping), the direct case split
(route 2), their comparison (routes/compare.py), the arbiter (routes/arbiter.py) and f
written entry by entry (routes/scalar_form.py).

Every gradient a route returns, read back or raw, is evaluated exactly at random
rational points off the kinks and compared with 60-digit one-sided differences of an
mpmath function written by hand; every boundary a route judges is a point where the
same oracle decides differentiability; the arbiter's failing points are checked the
same way."""
from __future__ import annotations

import random
from fractions import Fraction as Fr

import mpmath as mp
import numpy as np
import pytest
import sympy as sp

from symderiv import expr as E
from symderiv.analysis import analyse
from symderiv.build import build
from symderiv.evaluate import Evaluator
from symderiv.parse import parse
from symderiv.routes import arbiter, compare, direct, scalar_form, sign
from symderiv.routes.sign import name_switches, switches_in
from tests import oracle


def setup(latex, wrt=None):
    prob = build(parse(latex).term, latex, wrt=wrt)
    verdict = analyse(prob.f, prob.var)
    return prob, verdict, {"sign": sign.route(verdict), "direct": direct.route(verdict)}


def relu(a):
    return mp.mpf(0) if a < 0 else a


def H(a):
    return mp.mpf(1) if a > 0 else (mp.mpf(0) if a < 0 else mp.mpf("0.5"))


# latex, wrt, f over scalars (mpmath), points on its kinks (whether f is differentiable there is the oracle's)
CASES = [
    (r"|x|", None, lambda x: abs(x), [(0,)]),
    (r"x|x|", None, lambda x: x * abs(x), [(0,)]),
    (r"H(x) x^2", None, lambda x: H(x) * x ** 2, [(0,)]),
    (r"\max(x,0)^3", None, lambda x: relu(x) ** 3, [(0,)]),
    (r"|x - 1| + x^2", None, lambda x: abs(x - 1) + x ** 2, [(1,)]),
    (r"\sigma(x) - \sigma(-x)", None, lambda x: relu(x) - relu(-x), [(0,)]),
    (r"\max(x, 2)^2 - 4x", None, lambda x: max(x, 2) ** 2 - 4 * x, [(2,)]),
    (r"|x - y|", "x,y", lambda x, y: abs(x - y), [(Fr(1, 3), Fr(1, 3)), (-2, -2)]),
    (r"(x - y)|x - y| + y^2", "x,y", lambda x, y: (x - y) * abs(x - y) + y ** 2, [(Fr(1, 3), Fr(1, 3))]),
    (r"\max(x, y)", "x,y", lambda x, y: max(x, y), [(Fr(1, 2), Fr(1, 2))]),
]
IDS = [c[0] for c in CASES]


def values_at(prob, point):
    arr = np.array([[Fr(v)] for v in point], dtype=object).reshape(tuple(int(d) for d in prob.var.shape))
    return {prob.var.name: arr}


def fl(v):
    return float(sp.N(v)) if isinstance(v, sp.Basic) else float(v)


@pytest.mark.parametrize("latex,wrt,fn,kinks", CASES, ids=IDS)
def test_both_routes_gradients_match_the_oracle_off_the_kinks(latex, wrt, fn, kinks):
    prob, verdict, routes = setup(latex, wrt)
    n = len(kinks[0])
    rng = random.Random(latex)
    for _ in range(3):
        p = [Fr(rng.randint(-40, 40) * 2 + 1, 14) for _ in range(n)]
        ok, g = oracle.mp_differentiable(fn, p)
        assert ok, "the random point is on a kink"
        for r in routes.values():
            for G in (r.gradient, r.raw_gradient):
                got = [fl(v) for v in Evaluator(values_at(prob, p), {})(G).flat]
                assert np.allclose(got, g, atol=1e-12), (r.name, p, got, g)


@pytest.mark.parametrize("latex,wrt,fn,kinks", CASES, ids=IDS)
def test_every_boundary_verdict_is_the_oracles(latex, wrt, fn, kinks):
    prob, verdict, routes = setup(latex, wrt)
    want = {pt: oracle.mp_differentiable(fn, list(pt))[0] for pt in kinks}
    for r in routes.values():
        for pt, diff in want.items():
            # the boundaries through this point, by the switch's value there
            on = []
            for u, args, ok, branch in r.boundaries:
                val = Evaluator(values_at(prob, pt), {})(E.ew(u, args, (1, 1)))[0, 0]
                if val == 0:
                    on.append(ok)
            # no boundary through the point (the kinks cancelled) claims differentiability
            assert all(on) == diff, (r.name, pt, on, diff)


@pytest.mark.parametrize("latex,wrt,fn,kinks", CASES, ids=IDS)
def test_the_routes_agree_and_claimed_at_matches_the_oracle(latex, wrt, fn, kinks):
    prob, verdict, routes = setup(latex, wrt)
    agree, why = compare.compare_routes(verdict, routes)
    assert agree is True, why
    shape = tuple(int(d) for d in prob.var.shape)
    for pt in kinks:
        diff, _ = oracle.mp_differentiable(fn, list(pt))
        assert arbiter.claimed_at(verdict, prob.var, {}, [sp.Rational(v) for v in pt], shape) is (not diff)
    p = [Fr(5, 7) + k for k in range(len(kinks[0]))]     # off every kink of the cases
    assert oracle.mp_differentiable(fn, p)[0]
    assert arbiter.claimed_at(verdict, prob.var, {}, [sp.Rational(v) for v in p], shape) is False


def test_only_one_route_is_no_comparison():
    prob, verdict, routes = setup(r"|x|")
    assert compare.compare_routes(verdict, {"sign": routes["sign"]}) == (None, "only one route was run")


def test_where_kinks_meet_the_arbiter_overrides_a_shared_blind_spot():
    """max(|x|, 2x^2) is |x| near 0: route 1 reads every switch at 0 as harmless, so the
    routes disagree; the arbiter's failing points must be exactly the oracle's."""
    latex = r"\max(|x|, 2x^2)"
    fn = lambda x: max(abs(x), 2 * x ** 2)  # noqa: E731
    prob, verdict, routes = setup(latex)
    agree, _ = compare.compare_routes(verdict, routes)
    arb = arbiter.arbitrate(prob, verdict, agree, {})
    assert arb is not None and arb.settled and arb.changed
    for text in arb.points:
        x = Fr(text.split("=")[1].strip())
        diff, _ = oracle.mp_differentiable(fn, [x])
        assert (text in arb.failing) == (not diff), text
    # and every point where the oracle finds a kink was among those tested
    for x in (Fr(-1, 2), Fr(0), Fr(1, 2)):
        assert not oracle.mp_differentiable(fn, [x])[0]
        assert f"x = {x}" in arb.failing


def test_scalar_form_is_f_entry_by_entry():
    prob, verdict, _ = setup(r"\|\max(AX,0)\|_F^2 + \operatorname{tr}(X)")
    A = np.array([[1, -2], [0, 3]], dtype=object)
    S = scalar_form.scalar_form(verdict.f, prob.var, {"A": A, "X": np.zeros((2, 2), dtype=object)})
    assert S.shape == (2, 2) and S.names == ["X_11", "X_12", "X_21", "X_22"]
    rng = np.random.default_rng(2)
    for _ in range(3):
        X = rng.integers(-5, 6, (2, 2))
        want = np.sum(np.maximum(A.astype(float) @ X, 0) ** 2) + np.trace(X)
        got = S.F.xreplace(dict(zip(S.xs, [sp.Integer(int(v)) for v in X.flat])))
        assert float(got) == want
    # unknown constants or a large variable: no scalar form
    assert scalar_form.scalar_form(verdict.f, prob.var, {"X": np.zeros((2, 2), dtype=object)}) is None
    assert scalar_form.scalar_form(verdict.f, prob.var, {"A": np.zeros((5, 5), dtype=object),
                                                     "X": np.zeros((5, 5), dtype=object)}) is None


def test_switches_are_listed_once_and_named_by_shape():
    prob, verdict, _ = setup(r"\|\max(X,0)\|_F^2 + \sum_{i,j}|x_{ij} - 1| + \langle J, \max(X, 0)\rangle")
    sw = switches_in(verdict.f, prob.var)
    # max(X,0) twice is one switch; |X - 1| is another
    assert len(sw) == 2
    names = name_switches(sw)
    assert sorted(names.values()) == ["S", "S_2"]
    prob, verdict, _ = setup(r"|x| + |x - 1|")
    assert sorted(name_switches(switches_in(verdict.f, prob.var)).values()) == ["s", "s_2"]
    # each switch vanishes where the oracle sees a kink of f
    fn = lambda x: abs(x) + abs(x - 1)  # noqa: E731
    for key, u, args, shape in switches_in(verdict.f, prob.var):
        root = sp.solve(u, E.placeholder(0))[0]
        assert not oracle.mp_differentiable(fn, [Fr(int(root.p), int(root.q))])[0]


def test_route_steps_say_which_kinks_are_kinks():
    _, _, routes = setup(r"|x| + x|x|")
    text = " ".join(l.note for s in routes["sign"].steps for l in s.lines)
    assert "f has a kink there" in text
    titles = [s.title for s in routes["direct"].steps]
    assert titles[0] == "Case split" and titles[-1] == "Gradient"
