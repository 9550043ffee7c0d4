"""The routes' comparison, and the arbiter that settles a disputed kink claim.

The two routes read the same kinks and can share a blind spot: each kink is judged on
its own, so where switches of several kinks meet (a tie of max/min on a kink of one of
its arguments: max(|x|, 2x^2) at 0, where f = |x| nearby) every one of them can look
harmless while f is not differentiable.  The arbiter is a third, independent test: the
exact one-sided directional derivatives of f written out entry by entry
(directional.py), at the points concerned.  It runs when the routes disagree, when a
switch is degenerate (its gradient vanishes on it), or when switches of two or more
kinks meet at a point; it also checks every --at answer.  What it cannot settle is
"not decided", never a verdict one of the routes contradicts.
"""
from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field, replace
from fractions import Fraction

import numpy as np
import sympy as sp

from .. import bounds
from .. import expr as E
from ..analysis import Verdict, summarise
from ..calculus import map_entrywise
from ..directional import PointTest, _probe_directions, as_array, decide_point, sign_of
from ..entries import entry_values
from ..errors import SymderivError, Unsupported
from ..evaluate import Evaluator, bind_dims, switch_key
from ..exact_numbers import as_sympy, is_concrete
from ..kinks import SwitchKink
from ..local import PointResult
from ..sets import Box, Point, Undecided
from ..scalar import Sw, to_sign_form, positive_parameters

COMPARE_CALLS = 3_000_000
MAX_ENTRIES = 16            # the exact test writes f out entry by entry: small variables only
MAX_CANDIDATES = 40         # points the global arbiter tests
TEST = "exact one-sided directional derivatives f'(p; D) (forward directional chain rule), " \
       "linearity of D ↦ f'(p; D) decided over sign cells"


# ---------------------------------------------------------------- comparing the routes

def compare_routes(verdict: Verdict, routes: dict) -> tuple[bool | None, str]:
    """Do the two routes give the same gradient and the same verdict at every boundary?"""
    if "sign" not in routes or "direct" not in routes:
        return None, "only one route was run"
    s, d = routes["sign"], routes["direct"]
    same_gradient = _same_gradient(verdict, s.raw_gradient, d.raw_gradient)
    if same_gradient is False:
        return False, "the routes' gradients differ at a point off the kinks"
    s_b = {(switch_key(u, args)[0], str(b[1]) if b else ""): ok for u, args, ok, b in s.boundaries}
    d_b = {(switch_key(u, args)[0], str(b[1]) if b else ""): ok for u, args, ok, b in d.boundaries}
    for key in set(s_b) | set(d_b):
        if key in s_b and key in d_b and s_b[key] != d_b[key]:
            return False, "the routes disagree about a kink"
    if same_gradient is None:
        return None, "could not compare the gradients exactly"
    return True, "same gradient off the kinks and the same verdict at every boundary"


def _same_gradient(verdict: Verdict, g1: E.Node, g2: E.Node) -> bool | None:
    """Exact comparison at random rational points (with random values for every symbol
    and every symbolic size), away from the kinks: equal values at many generic points of
    two expressions built from polynomials and kinks means equal functions there."""
    a = map_entrywise(g1, to_sign_form)
    # a case split over k kinks has 2^k pieces: past a bound its sign form is not built,
    # and the pieces themselves are evaluated at the points below
    b = bounds.optional_step(lambda: map_entrywise(g2, to_sign_form), calls=COMPARE_CALLS) or g2
    if a.key == b.key:
        return True
    f = verdict.f
    rng = random.Random(11)
    syms = E.symbols_of(f)
    positive = _parameter_symbols(f)
    sizes = {}
    for s in syms:
        for d in s.shape:
            if not (is_concrete(d)):
                sizes.setdefault(d, rng.choice((2, 3)))
    tried = 0
    for _ in range(12):
        vals = {}
        for s in syms:
            shp = tuple(int(d) if is_concrete(d) else sizes[d] for d in s.shape)
            arr = np.empty(shp, dtype=object)
            for idx in np.ndindex(shp):
                num = rng.randint(1, 900) if s.name in positive else rng.randint(-900, 900)
                arr[idx] = Fraction(num, rng.choice((7, 11, 13)))
            vals[s.name] = arr
        try:
            ga = Evaluator(vals, sizes)(a)
            gb = Evaluator(vals, sizes)(b)
        except SymderivError:
            continue
        tried += 1
        if any(_differ(x, y) for x, y in zip(ga.flat, gb.flat)):
            return False
    return True if tried >= 3 else None


def _parameter_symbols(f: E.Node) -> set:
    """Names standing alone as a primitive's positive parameter (the δ of Huber_δ): the
    table's pieces assume it positive, so the routes are compared there (at δ < 0 Huber's
    pieces overlap, and the routes' forms part)."""
    return {n.args[E.placeholder_index(p)].name for n in E.walk(f) if isinstance(n, E.Entrywise)
            for p in positive_parameters(n.expr) if isinstance(n.args[E.placeholder_index(p)], E.Sym)}


def _differ(x, y) -> bool:
    """Rational values compare exactly.  Others (exp, log and roots of the rational point)
    compare at 60 digits: simplify on exp(40000/13) - exp(...) runs for minutes (the
    logistic loss did), while two gradients that differ as functions differ at a random
    point by far more than 10^-40 of their size."""
    if isinstance(x, (int, Fraction)) and isinstance(y, (int, Fraction)):
        return x != y
    a, b = as_sympy(x), as_sympy(y)
    if a == b:
        return False
    # each side on its own: evalf of the difference raises its precision to resolve
    # the cancellation, without end when the difference is 0
    va, vb = sp.N(a, 60), sp.N(b, 60)
    if not (va.is_Float or va.is_Integer or va.is_Rational) or not (vb.is_Float or vb.is_Integer or vb.is_Rational):
        return True
    gap = abs(va - vb)
    return bool(gap > max(abs(va), abs(vb), 1) * sp.Float("1e-40", 60))


# ---------------------------------------------------------------- f written out

@dataclass
class Scalar:
    """f as one SymPy expression in the variable's entries (every constant a number)."""
    F: sp.Expr
    xs: list
    shape: tuple
    names: list            # how each entry is spelled ('x', 'y', 'X_11')


def scalar_form(f: E.Node, var: E.Sym, values: dict) -> Scalar | None:
    """f entry by entry at a concrete, small shape of the variable, or None."""
    if not all(is_concrete(d) for d in var.shape):
        given = values.get(var.name)
        if given is None:
            return None
        shape = tuple(given.shape)
    else:
        shape = (int(var.shape[0]), int(var.shape[1]))
    if shape[0] * shape[1] > MAX_ENTRIES:
        return None
    others = [s for s in E.symbols_of(f) if s.name != var.name]
    if any(s.name not in values for s in others):
        return None
    dims = {}
    for s in E.symbols_of(f):
        arr = values.get(s.name)
        got = tuple(arr.shape) if arr is not None else shape
        for want, have in zip(s.shape, got):
            if not is_concrete(want):
                dims[want] = have
    try:
        (F,) = entry_values(f, dims)
    except (TypeError, SymderivError, ValueError):
        return None
    known = {sp.Symbol(f"{name}[{i},{j}]", real=True): as_sympy(v)
             for name, arr in values.items() if name != var.name for (i, j), v in np.ndenumerate(arr)}
    F = F.xreplace(known)
    xs = [sp.Symbol(f"{var.name}[{i},{j}]", real=True) for i, j in np.ndindex(shape)]
    if var.parts:
        names = [getattr(p, "name", str(p)) for p in var.parts]
    elif shape == (1, 1):
        names = [var.name]
    else:
        names = [f"{var.name}_{i + 1}{j + 1}" if shape[1] > 1 else f"{var.name}_{i + 1}" for i, j in np.ndindex(shape)]
    return Scalar(F, xs, shape, names)


def point_text(S: Scalar, point: list) -> str:
    vals = [sp.sstr(as_sympy(v)) for v in point]
    if len(vals) == 1:
        return f"{S.names[0]} = {vals[0]}"
    return f"({', '.join(S.names)}) = ({', '.join(vals)})"


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
    from ..analysis import Verdict as _V
    probe = _V(f=verdict_f(k), var=var, gradient=None, gradient_sign=None, adjoint={}, kinks=[k])
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


def settle_point(problem, verdict: Verdict, values: dict, point, direction=None):
    """Check the analysis at a point with the exact test; returns (PointResult, PointArbiter)."""
    S = scalar_form(verdict.f, problem.var, values)
    if S is None:
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
    for D in _probe_directions(len(G)):
        if sign_of(m.at(D) - sp.Add(*[g * d for g, d in zip(G, D)])) != 0:
            return False
    return True


def _consistent(sub, m, n: int) -> bool:
    """The support function of a Clarke set is at least f'(p; D) in every direction; checked
    exactly at the probe directions (a failure is a proof that the set is wrong).  A form
    whose support function is not computed is not checked."""
    for D in _probe_directions(n):
        have = sub.support(D)
        if have is None:
            return True
        if sign_of(have - m.at(D)) < 0:
            return False
    return True
