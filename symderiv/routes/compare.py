"""The routes' comparison: do the sign route and the direct route give the same gradient
off the kinks, and the same verdict at every boundary?  Where they disagree, the arbiter
(arbiter.py) settles the kink claims.
"""
from __future__ import annotations

import random
from fractions import Fraction

from ..lazy_import import LazyModule
np = LazyModule("numpy")
import sympy as sp

from .. import bounds
from .. import expr as E
from ..analysis import Verdict
from ..calculus import map_entrywise
from ..errors import SymderivError
from ..evaluate import Evaluator, switch_key
from ..exact_numbers import as_sympy, is_concrete
from ..scalar import to_sign_form, positive_parameters

COMPARE_CALLS = 3_000_000


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
