"""The arbiter (symderiv/routes/arbiter.py): kinks that meet — ties of max/min on a kink of
an argument, kinks of kinks, products of kinks — settled by the exact directional test,
globally and with --at.  Every claim is cross-checked by the numeric oracle on a function
written by hand here."""
from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest

from symderiv import pointwise
from symderiv.api import analyze
from symderiv.routes import arbiter
from symderiv.cli import main
from symderiv.directional import PointTest
from symderiv.errors import Unsupported
from symderiv.render import spell
from tests import oracle

relu = lambda v: np.maximum(v, 0.0)          # noqa: E731


def f1(fn):
    return lambda v: float(fn(float(np.ravel(v)[0])))


def f2(fn):
    return lambda v: float(fn(*[float(t) for t in np.ravel(v)]))


# (latex, wrt, numeric f, differentiable everywhere?, the set's text or None, points with
#  the expected answer there: ("grad", G) or ("box", lo, hi) or ("hull", [G, ...]))
CASES = [
    (r"\max(|x|, 2x^2)", None, f1(lambda a: max(abs(a), 2 * a * a)), False, "x = 1/2 or x = -1/2 or x = 0",
     {"0": ("box", -1, 1), "1/2": ("box", 1, 2), "-1/2": ("box", -2, -1), "1/3": ("grad", 1)}),
    (r"\min(|x|, 2x^2)", None, f1(lambda a: min(abs(a), 2 * a * a)), False, "x = 1/2 or x = -1/2",
     {"0": ("grad", 0), "1/2": ("box", 1, 2), "1/4": ("grad", 1)}),
    (r"\max(|x|, x^2)", None, f1(lambda a: max(abs(a), a * a)), False, "x = 1 or x = -1 or x = 0",
     {"0": ("box", -1, 1), "1": ("box", 1, 2), "-1": ("box", -2, -1)}),
    (r"\min(|x|, |2x|)", None, f1(lambda a: min(abs(a), abs(2 * a))), False, "x = 0",
     {"0": ("box", -1, 1), "3": ("grad", 1)}),
    (r"||x| - 1|", None, f1(lambda a: abs(abs(a) - 1)), False, None,
     {"0": ("box", -1, 1), "1": ("box", -1, 1), "-1": ("box", -1, 1), "1/2": ("grad", -1)}),
    (r"\sigma(|x|-1)", None, f1(lambda a: max(abs(a) - 1, 0)), False, None,
     {"1": ("box", 0, 1), "-1": ("box", -1, 0), "0": ("grad", 0)}),
    (r"\max(x,0)|x|", None, f1(lambda a: max(a, 0) * abs(a)), True, None, {"0": ("grad", 0), "2": ("grad", 4)}),
    (r"\sigma(x)\sigma(-x)", None, f1(lambda a: max(a, 0) * max(-a, 0)), True, None, {"0": ("grad", 0)}),
    (r"\max(|x|, 2|x|)", None, f1(lambda a: max(abs(a), 2 * abs(a))), False, "x = 0", {"0": ("box", -2, 2)}),
    (r"\max(|x|,|y|)", "x,y", f2(lambda a, b: max(abs(a), abs(b))), False, None,
     {"[1,1]": ("hull", [[1, 0], [0, 1]]), "[0,0]": ("hull", [[1, 0], [-1, 0], [0, 1], [0, -1]]),
      "[2,1]": ("grad", [1, 0])}),
    (r"||x|-|y||", "x,y", f2(lambda a, b: abs(abs(a) - abs(b))), False, None,
     {"[0,0]": ("hull", [[1, 1], [1, -1], [-1, 1], [-1, -1]]), "[1,2]": ("grad", [-1, 1])}),
    (r"|x||y|", "x,y", f2(lambda a, b: abs(a) * abs(b)), False, None,
     {"[0,0]": ("grad", [0, 0]), "[0,1]": ("box", [-1, 0], [1, 0])}),
]


_ANALYSES: dict = {}


def _global(latex, wrt):
    # one analysis per function, shared by its tests (the suite's CPU budget)
    if (latex, wrt) not in _ANALYSES:
        _ANALYSES[latex, wrt] = analyze(latex, wrt=wrt)
    return _ANALYSES[latex, wrt]


def _at(a, at):
    """The answer at a point, by the functions `diff --at` runs on the global analysis
    (the local analysis, then the arbiter's check); test_the_shortcut_is_the_api checks
    that this is what the API prints."""
    value = np.array(json.loads(at) if at.startswith("[") else [Fraction(at)], dtype=object)
    value = np.array([Fraction(v) for v in value.ravel()], dtype=object).reshape(-1, 1)
    values = {a.problem.var.name: value}
    try:
        point = pointwise.at_point(a.verdict, values)
    except Unsupported:
        point = None
    point, arb = arbiter.settle_point(a.problem, a.verdict, values, point)
    return point, arb


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_global_verdict(case):
    latex, wrt, fn, everywhere, set_text, points = case
    a = _global(latex, wrt)
    assert a.verdict.differentiable_everywhere is everywhere
    text = spell.nondifferentiable_set(a.verdict, spell.notation(False, a))
    if set_text is not None:
        assert text == set_text
    # never a verdict that a route contradicts unless the arbiter settled it
    if a.agree is False:
        assert a.arbiter is not None and a.arbiter.settled
    rng = np.random.default_rng(3)
    # the set against the oracle: its points fail, and the tested points off it do not
    for p in (a.arbiter.points if a.arbiter is not None else []):
        value = [float(Fraction(s.strip())) for s in p.split("=")[1].strip(" ()").split(",")]
        if p in a.arbiter.failing:
            oracle.check_not_differentiable(fn, np.array(value), rng)
        else:
            G = oracle.numeric_gradient(fn, np.array(value))
            oracle.check_gradient(fn, np.array(value), G, rng)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_at_points(case):
    latex, wrt, fn, _, _, points = case
    rng = np.random.default_rng(7)
    a = _global(latex, wrt)
    for at, want in points.items():
        p, _ = _at(a, at)
        X = np.array([float(Fraction(t)) for t in at.strip("[]").split(",")])
        if want[0] == "grad":
            assert p.differentiable, (latex, at, p.reason)
            G = np.array([float(g) for g in p.gradient.flat])
            assert np.allclose(G, np.ravel(want[1]))
            oracle.check_gradient(fn, X, G, rng)
            continue
        assert not p.differentiable, (latex, at)
        oracle.check_not_differentiable(fn, X, rng)
        sub = p.subdifferential
        if want[0] == "box":
            assert sub["form"] == "box"
            lo = np.array([float(v) for v in sub["lower"].flat])
            hi = np.array([float(v) for v in sub["upper"].flat])
            assert np.allclose(lo, np.ravel(want[1])) and np.allclose(hi, np.ravel(want[2]))
            # the box's ends are the one-sided derivatives along the axes (the oracle's)
            for i in range(len(X)):
                E = np.zeros_like(X)
                E[i] = 1
                right, left = oracle.one_sided(fn, X, E), -oracle.one_sided(fn, X, -E)
                assert abs(min(left, right) - lo[i]) < 1e-6 and abs(max(left, right) - hi[i]) < 1e-6
        else:
            gens = sorted(tuple(float(v) for v in g.flat) for g in sub["generators"])
            assert gens == sorted(tuple(map(float, g)) for g in want[1])
            # support function >= f'(X; D) in every oracle direction (the Clarke property)
            for D in oracle.directions(X.shape, rng, 12):
                assert max(float(np.dot(g, D)) for g in gens) >= oracle.one_sided(fn, X, D) - 1e-6


def test_the_arbiter_says_which_test_decided(capsys):
    assert main([r"diff", r"\max(|x|, 2x^2)", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    arb = out["routes"]["arbiter"]
    assert out["routes"]["agree"] is False and arb["settled"] is True
    assert "directional" in arb["test"] and "x = 0" in arb["points"] and "x = 0" in arb["nondifferentiable_at"]
    assert out["nondifferentiable_set"]["text"] == "x = 1/2 or x = -1/2 or x = 0"
    assert main([r"diff", r"\max(|x|, 2x^2)"]) == 0
    text = capsys.readouterr().out
    assert "Arbiter (the routes disagree about a kink): settled by exact one-sided directional" in text
    # nothing to settle: null
    assert main([r"diff", r"\max(x, 0)", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["routes"]["arbiter"] is None


@pytest.mark.parametrize("latex,at,direction,fn", [
    (r"\max(|x|, 2x^2)", "0", "-1", f1(lambda a: max(abs(a), 2 * a * a))),
    (r"\min(|x|, 2x^2)", "1/2", "1", f1(lambda a: min(abs(a), 2 * a * a))),
    (r"\max(|x|,|y|)", "[1,1]", "[1/3,-2]", f2(lambda a, b: max(abs(a), abs(b)))),
    (r"\|X\|_F", "[[0,0],[0,0]]", "[[1,2],[2,-4]]", lambda v: float(np.linalg.norm(v))),
])
def test_direction_option(capsys, latex, at, direction, fn):
    wrt = ["--wrt", "x,y"] if "y" in latex else []
    assert main(["diff", latex, *wrt, "--at", at, "--direction", direction, "--format", "json"]) == 0
    got = json.loads(capsys.readouterr().out)["at"]
    assert got["direction"] == direction
    X = np.array(json.loads(at.replace("1/2", "0.5")) if at.startswith("[") else float(Fraction(at)), dtype=float)
    D = np.array(json.loads(direction.replace("1/3", "0.3333333333333333")) if direction.startswith("[")
                 else float(Fraction(direction)), dtype=float)
    want = oracle.one_sided(fn, X, D)
    assert abs(got["directional_derivative"] - want) < 1e-6
    assert Fraction(got["directional_derivative_exact"]) == Fraction(got["directional_derivative"]).limit_denominator(10 ** 6) \
        or "sqrt" in got["directional_derivative_exact"]


def test_direction_needs_a_point(capsys):
    assert main(["diff", r"|x|", "--direction", "1"]) == 2
    assert "--direction" in capsys.readouterr().err


def test_a_dispute_nothing_settles_is_not_decided(monkeypatch):
    """When the routes disagree and the exact test cannot decide, the answer is exit 3, never
    the kinks' verdict."""
    monkeypatch.setattr(arbiter, "decide_point", lambda *a, **k: PointTest(None, None, reason="forced"))
    with pytest.raises(Unsupported, match="not decided"):
        analyze(r"\max(|x|, 2x^2)")


@pytest.mark.parametrize("latex,wrt,at", [(r"\min(|x|, 2x^2)", None, "0"), (r"\max(|x|, 2x^2)", None, "0")])
def test_the_shortcut_is_the_api(latex, wrt, at):
    p, _ = _at(_global(latex, wrt), at)
    q = analyze(latex, wrt=wrt, at=at).point
    assert p.differentiable == q.differentiable and str(p.gradient) == str(q.gradient)
    assert str(p.subdifferential) == str(q.subdifferential)


def test_at_a_point_the_arbiter_corrects_the_kinks():
    p, arb = _at(_global(r"\min(|x|, 2x^2)", None), "0")
    assert p.differentiable and p.gradient[0, 0] == 0 and arb.overrode
    p, arb = _at(_global(r"\max(|x|, 2x^2)", None), "0")
    assert not p.differentiable and arb.overrode


# ---------------------------------------------------------------- found by the outside review

def test_one_sided_derivatives_at_a_tie_are_the_exact_tests():
    """max(|x|, x + y^2) at 0: along x, f(t, 0) = max(|t|, t) = |t|, so the one-sided
    slopes are -1 and 1 (the kinks' reading had said 1 and 3)."""
    f = lambda v: max(abs(v[0]), v[0] + v[1] ** 2)
    a = analyze(r"\max(|x|, x + y^2)", wrt="x,y", at="[0,0]")
    assert a.point.differentiable is False
    e = np.array([1.0, 0.0])
    rows = {tuple(r["entry"]): r for r in a.point.one_sided}
    row = rows[(0, 0)]
    assert abs(float(row["right"]) - oracle.one_sided(f, np.zeros(2), e)) < 1e-6
    assert abs(float(row["left"]) + oracle.one_sided(f, np.zeros(2), -e)) < 1e-6
    assert (1, 0) not in rows                  # along y both sides are 0
    assert abs(oracle.one_sided(f, np.zeros(2), np.array([0.0, 1.0]))) < 1e-6


@pytest.mark.parametrize("tex,wrt,at", [(r"x^{3/2}", None, "0"), (r"x^{3/2} + |y|", "x,y", "[0,1]")])
def test_a_point_on_the_edge_of_the_domain_stays_refused(tex, wrt, at):
    """x^{3/2} is a real function on x >= 0 only: at 0 there is no left side, so there is no
    two-sided derivative to give (the exact test had called it differentiable)."""
    with pytest.raises(Unsupported):
        analyze(tex, wrt=wrt, at=at)
    # while |x|^{3/2}, defined on both sides, is differentiable at 0 with gradient 0
    g = lambda v: abs(v[0]) ** 1.5
    b = analyze(r"|x|^{3/2}", at="0")
    assert b.point.differentiable and float(np.asarray(b.point.gradient, dtype=float).ravel()[0]) == 0
    for s in (1.0, -1.0):
        assert abs(oracle.one_sided(g, np.zeros(1), np.array([s]), h=1e-12)) < 1e-5


@pytest.mark.parametrize("tex,at,f", [
    (r"\max(\sin(\pi x), \cos(\pi x))", "1/4", lambda v: max(np.sin(np.pi * v[0]), np.cos(np.pi * v[0]))),
    (r"|\sin(\pi x)| + |x|", "0", lambda v: abs(np.sin(np.pi * v[0])) + abs(v[0])),
])
def test_switches_with_pi_in_their_slope_are_answered_not_crashed(tex, at, f):
    """Both were internal errors (a polynomial reading with no generators; a rational
    simplex handed pi).  At the point both are kinks: the one-sided slopes differ."""
    a = analyze(tex, at=at)
    assert a.verdict.differentiable_everywhere is False
    assert a.point.differentiable is False
    x = np.array([float(Fraction(at))])
    right = oracle.one_sided(f, x, np.array([1.0]), h=1e-7)
    left = -oracle.one_sided(f, x, np.array([-1.0]), h=1e-7)
    assert abs(right - left) > 0.5


def test_a_kink_that_cannot_be_evaluated_leaves_the_point_to_the_others():
    """max_i |x_i| at x = 0: the weight of each |x_i| is the argmax, undefined at the tie, so
    that kink cannot say whether it claims the point; the max's own kink (a tie) does, and
    decides it.  The arbiter used to give up on the whole point."""
    fn = f2(lambda a, b: max(abs(a), abs(b)))
    rng = np.random.default_rng(11)
    a = analyze(r"\max_{i} |x_{i}|", wrt="x", shape=(2, 1))
    assert a.arbiter is not None and a.arbiter.settled
    assert a.arbiter.failing == ["(x_1, x_2) = (0, 0)"]
    oracle.check_not_differentiable(fn, np.array([0.0, 0.0]), rng)
    # the kinks' claim point by point, against the oracle: ties of |x_1| and |x_2| fail,
    # points off them are differentiable with the gradient of the larger one
    for pt, fails in (([0, 0], True), ([1, -1], True), ([2, 1], False), ([0, 1], False)):
        claimed = arbiter.claimed_at(a.verdict, a.problem.var, {}, [Fraction(v) for v in pt], (2, 1))
        assert claimed is fails, pt
        X = np.array(pt, dtype=float)
        if fails:
            oracle.check_not_differentiable(fn, X, rng)
        else:
            oracle.check_gradient(fn, X, oracle.numeric_gradient(fn, X), rng)
    # and with --at: the Clarke set at 0 is the hull of ±e_1, ±e_2; f is convex, so the
    # set's support function is f'(0; D) itself
    p = analyze(r"\max_{i} |x_{i}|", wrt="x", at="[[0],[0]]").point
    assert not p.differentiable and p.subdifferential["form"] == "hull"
    gens = sorted(tuple(float(v) for v in g.flat) for g in p.subdifferential["generators"])
    assert gens == [(-1.0, 0.0), (0.0, -1.0), (0.0, 1.0), (1.0, 0.0)]
    X = np.zeros(2)
    for D in oracle.directions(X.shape, rng, 12):
        assert abs(max(float(np.dot(g, D)) for g in gens) - oracle.one_sided(fn, X, D)) < 1e-6
