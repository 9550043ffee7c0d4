"""The arbiter: a third, independent test that settles a disputed kink claim.

The two routes read the same kinks and can share a blind spot: each kink is judged on
its own, so where switches of several kinks meet (a tie of max/min on a kink of one of
its arguments: max(|x|, 2x^2) at 0, where f = |x| nearby) every one of them can look
harmless while f is not differentiable.  The arbiter tests the exact one-sided
directional derivatives of f written out entry by entry (scalar_form.py, directional.py)
at the points concerned.  ``arbitrate`` runs when the routes disagree (compare.py), when a
switch is degenerate (its gradient vanishes on it), or when switches of two or more
kinks meet at a point, and corrects the kinks where the test finds them wrong;
``settle_point`` checks every --at answer.  What it cannot settle is "not decided",
never a verdict one of the routes contradicts.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace

from ..lazy_import import LazyModule
np = LazyModule("numpy")
import sympy as sp

from .. import expr as E
from ..analysis import Verdict, summarise
from ..clarke_at_point import _extreme
from ..convex_pieces import nested_piece_gradients
from ..directional import as_array, decide_point, probe_directions, sign_of
from ..errors import SymderivError, Unsupported
from ..evaluate import Evaluator, bind_dims
from ..exact_numbers import as_sympy
from ..kinks import SwitchKink
from ..pointwise import PointResult
from ..scalar import Sw, to_sign_form
from ..sets import Box, Hull, Point, Undecided
from .scalar_form import MAX_ENTRIES, Scalar, point_text, scalar_form

MAX_CANDIDATES = 40         # points the global arbiter tests
TEST = "exact one-sided directional derivatives f'(p; D) (forward directional chain rule), " \
       "linearity of D ↦ f'(p; D) decided over sign cells"


# ---------------------------------------------------------------- the global arbiter

@dataclass
class Arbiter:
    settled: bool
    test: str
    points: list                      # the points tested, spelled
    reason: str = ""
    failing: list = field(default_factory=list)    # spelled points where f is not differentiable
    changed: bool = False             # the verdict was corrected
    trigger: str = ""


def _switch_arguments(F: sp.Expr) -> list:
    form = to_sign_form(F)
    return sorted({a.args[0] for a in form.atoms(Sw)}, key=sp.default_sort_key)


def _real_roots(u: sp.Expr, x) -> list | None:
    """The real zeros of a switch argument in one variable, exactly, or None (infinitely
    many, or not found in closed form)."""
    num = sp.numer(sp.together(u))
    if num.is_polynomial(x):
        if sp.expand(num) == 0:
            return None
        return sorted(set(sp.real_roots(sp.Poly(num, x))), key=lambda r: sp.N(r, 30))
    # not a polynomial (cos x): its zeros are not listed here (no clock-bounded solve)
    return None


def arbitrate(problem, verdict: Verdict, agree: bool | None, values: dict, why: str = "") -> Arbiter | None:
    """Settle the kink claims where they need it; corrects the verdict when the exact test
    finds it wrong.  None when nothing needed settling (or f is not written out)."""
    if agree is False and "gradients differ" in why:
        # a dispute off the kinks is not one the kink points can settle
        return Arbiter(False, TEST, [], trigger="the routes' gradients differ off the kinks",
                       reason="the arbiter settles kink claims, not the gradient on the smooth region")
    S = scalar_form(verdict.f, problem.var, values)
    if S is not None and len(S.xs) == 2 and verdict.kinks:
        return _arbitrate_plane(problem, verdict, agree, values, S)
    if S is None or len(S.xs) != 1 or not verdict.kinks:
        if agree is False:
            return Arbiter(False, TEST, [], reason="the routes disagree about a kink and f could not be written "
                                                   "out in one variable for the exact test", trigger="routes")
        return None
    x = S.xs[0]
    try:
        us = _switch_arguments(S.F)
    except SymderivError:
        us = []
    roots = {}
    unknown = []
    for u in us:
        r = _real_roots(u, x)
        if r is None:
            unknown.append(u)
            continue
        roots[u] = r
    meet = {}
    for u, rs in roots.items():
        for r in rs:
            meet.setdefault(r, []).append(u)
    trigger = ""
    if agree is False:
        trigger = "the routes disagree about a kink"
    else:
        for r, here in meet.items():
            if len(here) > 1:
                trigger = "switches of several kinks meet at " + point_text(S, [r])
                break
            if sp.diff(here[0], x).xreplace({x: r}) == 0:
                trigger = "a switch is degenerate (its gradient vanishes on it) at " + point_text(S, [r])
                break
    if not trigger:
        return None
    points = sorted(meet, key=lambda r: sp.N(r, 30))
    spelled = [point_text(S, [r]) for r in points]
    if not points:
        return Arbiter(False, TEST, [], trigger=trigger, reason="no point where a switch vanishes to test")
    if unknown:
        return Arbiter(False, TEST, spelled, trigger=trigger,
                       reason="a switch has zeros the exact test cannot list (" + sp.sstr(unknown[0]) + " = 0)")
    if len(points) > MAX_CANDIDATES:
        return Arbiter(False, TEST, spelled[:MAX_CANDIDATES], trigger=trigger,
                       reason=f"more than {MAX_CANDIDATES} points to test")
    failing, jumps = [], []
    for r in points:
        t = decide_point(S.F, S.xs, [r])
        if t.differentiable is None:
            return Arbiter(False, TEST, spelled, trigger=trigger,
                           reason=f"at {point_text(S, [r])}: {t.reason}")
        if t.differentiable is False:
            failing.append(r)
            if not t.lipschitz:
                jumps.append(r)
    arb = Arbiter(True, TEST, spelled, failing=[point_text(S, [r]) for r in failing], trigger=trigger)
    arb.changed = _correct(verdict, S, failing, jumps, problem.var, values, points)
    return arb


def _correct(verdict: Verdict, S: Scalar, failing: list, jumps: list, var: E.Sym, values: dict,
             candidates: list) -> bool:
    """Make the kinks say what the exact test found at the candidate points (one variable:
    every place f can fail): a kink pinned to each failing point they missed, a point
    excluded from a kink that claimed it wrongly."""
    changed = False
    _own_copies(verdict)
    for r in candidates:
        claimed = claimed_at(verdict, var, values, [r], S.shape)
        fails = r in failing
        if claimed is None:
            raise Unsupported(f"not decided: the kinks' claim at {point_text(S, [r])} could not be evaluated")
        if fails and not claimed:
            _pin(verdict, var, values, [r], S, r in jumps)
            changed = True
        elif claimed and not fails:
            for k in verdict.failing:
                if _covers(k, var, values, [r], S.shape):
                    ph = k.u.free_symbols
                    roots = _real_roots(k.u, next(iter(ph))) if len(ph) == 1 else None
                    if roots is not None and set(roots) <= set(candidates) and not (set(roots) & set(failing)):
                        # every point of this kink's switch is one where f is differentiable
                        k.harmless, k.condition, k.order, k.order_exact = True, None, None, False
                        k.decided_by = "f is differentiable here: the exact one-sided directional derivatives are linear"
                    else:
                        k.condition = list(k.condition or []) + _at(k, var, values, [r], S.shape, sp.Ne)
            changed = True
    if changed:
        summarise(verdict)
    return changed


def _own_copies(verdict: Verdict):
    """The analysis at a point and the routes keep reading the kinks of f's own nodes; the
    corrected copies are the global verdict's."""
    if verdict.point_kinks is None:
        verdict.point_kinks = verdict.kinks
        verdict.kinks = [replace(k) for k in verdict.kinks]


DECIDED = ("f is not differentiable here: the exact one-sided directional derivatives f'(p; D) are not "
           "linear in D (several kinks meet here, and each alone looks harmless)")


def _pin(verdict: Verdict, var, values, point, S, jump: bool):
    """A copy of a kink whose switch passes through the point, restricted to it."""
    for k in verdict.kinks:
        if isinstance(k, SwitchKink) and _covers(k, var, values, point, S.shape, failing_only=False):
            cond = _at(k, var, values, point, S.shape, sp.Eq)
            if len(cond) == 1 and k.u.free_symbols == {cond[0].lhs} and \
                    _real_roots(k.u, cond[0].lhs) == [cond[0].rhs]:
                cond = []           # the switch is that one point: saying it twice reads badly
            extra = replace(k, harmless=False, continuous=not jump, order=1, order_exact=True, unbounded=False,
                            condition=cond, decided_by=DECIDED,
                            primitives=list(k.primitives))
            if jump:
                extra.order, extra.jump = None, sp.Integer(1)
            verdict.kinks.append(extra)
            return
    raise Unsupported(f"not decided: the exact test finds f not differentiable at {point_text(S, point)}, "
                      "where no kink's switch passes")


def _at(k, var, values, point, shape, rel) -> list:
    """Conditions over the kink's placeholders that pin (Eq) or exclude (Ne) the point."""
    arr = np.empty(shape, dtype=object)
    for n, idx in enumerate(np.ndindex(shape)):
        arr[idx] = as_sympy(point[n])
    ev = Evaluator({**values, var.name: arr}, bind_dims(verdict_f(k), {**values, var.name: arr}))
    out = []
    for i, a in enumerate(k.args):
        if E.depends_on(a, var) and a.is_scalar:
            out.append(rel(E.placeholder(i), as_sympy(ev(a)[0, 0])))
    if not out:
        raise Unsupported("not decided: the point cannot be written over the kink's arguments")
    if rel is sp.Ne and len(out) > 1:
        raise Unsupported("not decided: a point in the plane cannot be excluded from a kink's set")
    return out


def verdict_f(k):
    return E.ew(k.u, k.args, k.node.shape)


def _covers(k, var, values, point, shape, failing_only=True) -> bool:
    probe = Verdict(f=verdict_f(k), var=var, gradient=None, gradient_sign=None, adjoint={}, kinks=[k])
    if not failing_only:
        k = replace(k, harmless=False, condition=[])
        probe.kinks = [k]
    return bool(claimed_at(probe, var, values, point, shape))


MAX_PLANE_DEGREE = 2         # switch curves intersected exactly: conics and lines


def _plane_candidates(S: Scalar, with_switch_points: bool):
    """Points of the plane where the kinks can interact: where two switch curves meet, where
    a switch is degenerate (u = 0 and grad u = 0), and (when the routes disagree) rational
    points on each switch.  (points, reason) with points None when they cannot be listed."""
    x, y = S.xs
    try:
        us = _switch_arguments(S.F)
    except SymderivError as exc:
        return None, exc.message
    polys = []
    for u in us:
        num = sp.expand(sp.numer(sp.together(u)))
        if not num.is_polynomial(x, y) or sp.Poly(num, x, y).total_degree() > MAX_PLANE_DEGREE:
            return None, f"the switch {sp.sstr(u)} = 0 is not a line or a conic"
        polys.append(num)
    found = []

    def add(sols):
        for sol in sols:
            pt = (sp.nsimplify(sol[0]) if sol[0].is_Float else sol[0], sol[1])
            if all(v.is_real for v in pt) and pt not in found:
                found.append(pt)
    meets = {}
    for a, b in itertools.combinations(polys, 2):
        if sp.gcd(a, b).free_symbols:
            continue              # curves sharing a component: each is tested on its points below
        sols = sp.solve([a, b], [x, y], dict=True)
        pts = [(sol.get(x), sol.get(y)) for sol in sols]
        if any(v is None or v.free_symbols for pt in pts for v in pt):
            return None, "two switches meet along a curve the exact test cannot list"
        add(pts)
        for pt in pts:
            meets[pt] = meets.get(pt, 0) + 1
    for a in polys:
        sols = sp.solve([a, sp.diff(a, x), sp.diff(a, y)], [x, y], dict=True)
        pts = [(sol.get(x), sol.get(y)) for sol in sols]
        add([pt for pt in pts if not any(v is None or v.free_symbols for v in pt)])
    if with_switch_points:
        for a in polys:
            for c in (sp.Rational(1, 3), sp.Rational(-7, 5)):
                for var, other in ((x, y), (y, x)):
                    if not a.has(var):
                        continue
                    roots = sp.Poly(a.xreplace({other: c}), var).real_roots() if a.xreplace({other: c}).has(var) else []
                    add([(r, c) if var == x else (c, r) for r in roots])
                    break
    return found, ""


def _arbitrate_plane(problem, verdict: Verdict, agree, values: dict, S: Scalar) -> Arbiter | None:
    found, why = _plane_candidates(S, agree is False)
    if found is None:
        if agree is False:
            return Arbiter(False, TEST, [], reason=why, trigger="the routes disagree about a kink")
        return None
    if agree is False and not found:
        return Arbiter(False, TEST, [], trigger="the routes disagree about a kink",
                       reason="no point where switches meet to test")
    if agree is False:
        trigger = "the routes disagree about a kink"
    elif found:
        trigger = "switches of several kinks meet at " + point_text(S, list(found[0]))
    else:
        return None
    if len(found) > MAX_CANDIDATES:
        return Arbiter(False, TEST, [], trigger=trigger, reason=f"more than {MAX_CANDIDATES} points to test")
    spelled = [point_text(S, list(pt)) for pt in found]
    failing, extra, cleared, jumps = [], [], [], []
    for pt in found:
        t = decide_point(S.F, S.xs, list(pt))
        if t.differentiable is None:
            return Arbiter(False, TEST, spelled, trigger=trigger, reason=f"at {point_text(S, list(pt))}: {t.reason}")
        claimed = claimed_at(verdict, problem.var, values, pt, S.shape)
        if claimed is None:
            return Arbiter(False, TEST, spelled, trigger=trigger,
                           reason=f"the kinks' claim at {point_text(S, list(pt))} could not be evaluated")
        if not t.differentiable:
            failing.append(point_text(S, list(pt)))
            if not claimed:
                extra.append(pt)
                if not t.lipschitz:
                    jumps.append(pt)
        elif claimed:
            cleared.append(point_text(S, list(pt)))
    arb = Arbiter(True, TEST, spelled, failing=failing, trigger=trigger)
    if extra or cleared:
        arb.changed = True
        _own_copies(verdict)
        for pt in extra:
            _pin(verdict, problem.var, values, list(pt), S, pt in jumps)
        verdict.arbiter_amend = ([], cleared)
        summarise(verdict)
    return arb


def claimed_at(verdict: Verdict, var: E.Sym, values: dict, point, shape) -> bool | None:
    """Does the kinks' verdict put the point in the set where f is not differentiable?
    True when some kink claims it; None when none does but a kink's place or condition
    cannot be evaluated there."""
    arr = np.empty(shape, dtype=object)
    for k, idx in enumerate(np.ndindex(shape)):
        arr[idx] = as_sympy(point[k])
    vals = {**values, var.name: arr}
    try:
        ev = Evaluator(vals, bind_dims(verdict.f, vals))
    except (SymderivError, TypeError, ValueError, IndexError):
        return None
    undecided = False
    for k in verdict.failing:
        try:
            claims = k.fails_at(ev, var)
        except (SymderivError, TypeError, ValueError, IndexError):
            # the set is the union of the kinks' sets: one kink that cannot be evaluated here
            # (|x_i| under a max, whose weight is the argmax, undefined at the tie) leaves
            # the point to the others
            claims = None
        if claims:
            return True
        if claims is None:
            undecided = True
    return None if undecided else False


# ---------------------------------------------------------------- the arbiter at a point

@dataclass
class PointArbiter:
    settled: bool
    test: str
    overrode: bool = False
    reason: str = ""
    directional: object = None        # f'(p; D) with --direction
    directional_reason: str = ""


def settle_point(problem, verdict: Verdict, values: dict, point, direction=None, convex: bool = False):
    """Check the analysis at a point with the exact test; returns (PointResult, PointArbiter).
    ``convex``: f is proved convex (convexity.decide only says so with a proof), so where the exact test
    finds f'(p; ·) piecewise linear its Clarke set is the hull of the pieces' gradients
    (the subdifferential of a convex f is that of its directional derivative at 0)."""
    S = scalar_form(verdict.f, problem.var, values)
    if S is None:
        exact_slope = getattr(point, "directional_at", None)
        if direction is not None and exact_slope is not None:
            # a singular-value norm's own exact f'(X; D) (spectral_point.py)
            arb = PointArbiter(False, TEST, reason="f is not written out entry by entry here")
            arb.directional = exact_slope(direction)
            return point, arb
        if direction is not None:
            raise Unsupported("the exact directional derivative needs a variable of at most "
                              f"{MAX_ENTRIES} entries with every constant given")
        return point, PointArbiter(False, TEST, reason="f is not written out entry by entry here")
    p = [as_sympy(v) for v in np.asarray(values[problem.var.name]).flat]
    t = decide_point(S.F, S.xs, p)
    arb = PointArbiter(t.differentiable is not None, t.test, reason=t.reason)
    if direction is not None:
        D = [as_sympy(v) for v in np.asarray(direction).flat]
        if len(D) != len(p):
            raise Unsupported("--direction must have the shape of the point")
        if t.map is not None:
            arb.directional = t.map.at(D)
        elif not t.lipschitz:
            arb.directional_reason = t.reason
        else:
            raise Unsupported(f"f'(X; D) is not decided here: {t.reason}")
    shape = S.shape
    one = len(p) == 1
    if point is None:
        # the kinks' analysis could not answer here: the exact test may
        # (not where f has no directional derivative: the edge of a domain, sqrt(x) at 0, stays refused)
        if t.differentiable is None or not t.lipschitz:
            return None, arb
        point = PointResult(t.value, not t.differentiable, None, None,
                            reason="the Clarke set is not decided here")
        hull = _convex_hull_of_pieces(t, shape, convex)
        if hull is not None:
            point.differentiable, point.subdifferential, point.reason = False, hull, ""
            point.one_sided = _axis_slopes(t.map, shape, len(p))
            return point, arb
    if t.differentiable is None:
        # the exact test cannot decide: the analysis stands only where f'(p; ·) does not refute it
        if t.map is not None and point.differentiable and point.gradient is not None:
            G = [as_sympy(v) for v in point.gradient.flat]
            if not _matches(t.map, G):
                raise Unsupported("not decided: the analysis at this point says differentiable, but its gradient "
                                  f"does not give the exact one-sided directional derivatives ({t.reason})")
        return point, arb
    if t.differentiable:
        G = as_array(t.gradient, shape)
        same = point.differentiable and point.gradient is not None and all(
            sign_of(as_sympy(a) - b) == 0 for a, b in zip(point.gradient.flat, t.gradient))
        if same:
            return point, arb
        arb.overrode = True
        point.differentiable, point.gradient = True, G
        point.one_sided = []
        if one:
            point.subdifferential = Point(G)
        else:
            point.reason = "the Clarke set is not decided here (the exact test gives the gradient, not the set)"
            point.subdifferential = Undecided("the exact test gives the gradient, not the set", point.reason)
        return point, arb
    # not differentiable
    if not t.lipschitz:
        if point.differentiable or point.subdifferential is not None:
            arb.overrode = True
        point.differentiable, point.gradient, point.subdifferential = False, None, None
        point.reason = t.reason + "; it has no Clarke subdifferential"
        return point, arb
    if one:
        right, left = t.map.at([1]), -t.map.at([-1])
        lo, hi = (left, right) if sign_of(right - left) >= 0 else (right, left)
        box = Box(as_array([lo], shape), as_array([hi], shape))
        was = point.subdifferential
        ok = (not point.differentiable and isinstance(was, Box) and sign_of(as_sympy(was.lower.flat[0]) - lo) == 0
              and sign_of(as_sympy(was.upper.flat[0]) - hi) == 0)
        if not ok:
            arb.overrode = True
            point.differentiable, point.gradient, point.subdifferential = False, None, box
            point.one_sided = [{"entry": [0, 0], "left": left, "right": right}]
        return point, arb
    # the one-sided derivatives along the axes are the exact test's own (the kinks' reading of
    # them can miss a tie: max(|x|, x + y^2) at 0 has -1 and 1 along x)
    point.one_sided = _axis_slopes(t.map, shape, len(p))
    hull = _convex_hull_of_pieces(t, shape, convex)
    if point.differentiable and hull is not None:
        arb.overrode = True
        point.differentiable, point.gradient, point.subdifferential = False, None, hull
        point.reason = ""
        return point, arb
    if point.differentiable:
        arb.overrode = True
        point.differentiable, point.gradient = False, None
        point.reason = "f is not differentiable here (D ↦ f'(p; D) is not linear); its Clarke set is not decided"
        point.subdifferential = Undecided("the exact test shows f'(p; D) is not linear in D, "
                                          "but does not give the set", point.reason)
        return point, arb
    if point.subdifferential is not None and not _consistent(point.subdifferential, t.map, len(p)):
        arb.overrode = True
        point.reason = ("the Clarke set is not decided here: the one the kinks give has a support function "
                        "below the exact f'(p; D) in some direction")
        point.subdifferential = Undecided("the set the kinks give has a support function below the exact "
                                          "f'(p; D) in some direction", point.reason)
    return point, arb


def _convex_hull_of_pieces(t, shape, convex: bool):
    """For a convex f not differentiable at p whose f'(p; ·) is piecewise linear: the
    Clarke set, the hull of the gradients of f'(p; ·)'s pieces; else None."""
    if not convex or t.differentiable is not False or not t.lipschitz or t.map is None:
        return None
    gens = t.generators or nested_piece_gradients(t.map.h, t.map.ds)
    if not gens:
        return None
    gens = _extreme([as_array(g, shape) for g in gens])
    return Hull(gens) if len(gens) > 1 else None


def _axis_slopes(m, shape, n: int) -> list:
    """f'(p; e_i) and -f'(p; -e_i) along each axis where they differ, exactly."""
    out = []
    for i in range(n):
        e = [sp.Integer(1 if j == i else 0) for j in range(n)]
        right, left = m.at(e), -m.at([-v for v in e])
        if sign_of(right - left) != 0:
            r, c = np.unravel_index(i, tuple(shape))
            out.append({"entry": [int(r), int(c)], "left": left, "right": right})
    return out


def _matches(m, G) -> bool:
    for D in probe_directions(len(G)):
        if sign_of(m.at(D) - sp.Add(*[g * d for g, d in zip(G, D)])) != 0:
            return False
    return True


def _consistent(sub, m, n: int) -> bool:
    """The support function of a Clarke set is at least f'(p; D) in every direction; checked
    exactly at the probe directions (a failure is a proof that the set is wrong).  A form
    whose support function is not computed is not checked."""
    for D in probe_directions(n):
        have = sub.support(D)
        if have is None:
            return True
        if sign_of(have - m.at(D)) < 0:
            return False
    return True
