"""An exact numeric oracle for functions given as exact evaluators (tests/compositions.py).

It knows nothing of symderiv.  At a rational point p the one-sided difference quotient
(f(p + hD) - f(p))/h is computed in exact rational arithmetic (60-digit mpmath above a
sine or an exponential) with h = 10^-20 and again with h = 10^-26: on a piece that is a
polynomial the two agree to about 10^-20, across a jump they differ by a factor 10^6.
So the quotient is f'(p; D) to about 20 digits when it exists, and its absence is seen.
The kinks of the compositions sit at rationals with small denominators (or at algebraic
numbers of small height), so no other kink lies within 10^-12 of a point tested.

From the one-sided derivatives along the axes and a few fixed rational directions it
decides differentiability (f'(p; .) linear), and from gradients sampled at points
10^-12 away in many directions it checks a claimed Clarke set from inside (every nearby
gradient is in the set) and from outside (the set's support in each direction is reached
by a nearby gradient).
"""
from __future__ import annotations

import math
from fractions import Fraction as Fr

import mpmath
import numpy as np

from tests import oracle as float_oracle

H1 = Fr(1, 10 ** 20)
H2 = Fr(1, 10 ** 26)
NEAR = Fr(1, 10 ** 12)           # how far from p the nearby gradients are sampled
NEAR_H1 = Fr(1, 10 ** 30)
NEAR_H2 = Fr(1, 10 ** 36)
TOL = 1e-9                       # relative: an O(h) error is ~1e-18, a kink's jump ~1e-3 or more

AXES = {1: [(1,), (-1,)], 2: [(1, 0), (-1, 0), (0, 1), (0, -1)]}
# directions for the nearby samples and the support probes in the plane: every (a, b)
# with |a|, |b| <= 8 in lowest terms (about 2 degrees apart), refined where neighbours differ
RING = sorted({(a // math.gcd(a, b), b // math.gcd(a, b)) for a in range(-8, 9) for b in range(-8, 9)
               if (a, b) != (0, 0)}, key=lambda d: math.atan2(d[1], d[0]))
# f'(p; .) is tested for linearity along the whole ring, not a handful of directions: a kink
# of a kink can make f'(p; .) non-linear on a thin cone only (soft(max(3x - 2y, y - 2x) - 1)
# is 0 except between the rays y = 3x/2 and y = 2x, 7 degrees apart, which twenty fixed
# directions missed)
DIRECTIONS = {1: AXES[1], 2: AXES[2] + [d for d in RING if d not in AXES[2]]}
REFINE = 8


def to_mp(v):
    if isinstance(v, Fr):
        return mpmath.mpf(v.numerator) / v.denominator
    if isinstance(v, int):
        return mpmath.mpf(v)
    return mpmath.mpf(v)


def exact(v):
    """A number symderiv returned, as a Fraction, or as a 60-digit mpf when irrational."""
    import sympy as sp
    if isinstance(v, (bool, np.bool_)):
        raise TypeError(f"a boolean where a number was expected: {v!r}")
    if isinstance(v, (int, np.integer)):
        return Fr(int(v))
    if isinstance(v, Fr):
        return v
    if isinstance(v, float):
        return Fr(v)
    s = sp.sympify(v)
    if s.is_Rational:
        return Fr(int(s.p), int(s.q))
    with mpmath.workdps(60):
        return mpmath.mpf(str(sp.N(s, 60)))


def close(a, b, tol=TOL) -> bool:
    with mpmath.workdps(60):
        a, b = to_mp(a), to_mp(b)
        return abs(a - b) <= tol * (1 + abs(a) + abs(b))


def _shift(p, d, h):
    return tuple(pi + h * di for pi, di in zip(p, d))


def _quotient(f, p, fp, d, h):
    with mpmath.workdps(60):
        fq = f(_shift(p, d, h))
        if isinstance(fq, Fr) and isinstance(fp, Fr):
            return (fq - fp) / h
        return (to_mp(fq) - to_mp(fp)) / to_mp(h)


class Probe:
    """f near the point p: one-sided derivatives, the oracle's verdict, nearby gradients."""

    def __init__(self, f, p):
        self.f, self.p = f, tuple(Fr(c) for c in p)
        self.n = len(self.p)
        self.fp = f(self.p)
        self._dd = {}

    def dd(self, d, p=None, fp=None, h1=H1, h2=H2):
        """f'(p; d), or None where the quotient does not settle (a jump, an unbounded slope)."""
        p = self.p if p is None else p
        fp = self.fp if fp is None else fp
        key = (p, d, h1)
        if key not in self._dd:
            q1, q2 = _quotient(self.f, p, fp, d, h1), _quotient(self.f, p, fp, d, h2)
            self._dd[key] = q2 if close(q1, q2, 1e-6) else None
        return self._dd[key]

    def directional(self) -> dict:
        return {d: self.dd(d) for d in DIRECTIONS[self.n]}

    def verdict(self):
        """(True, g) when f'(p; .) is linear, g its gradient; else (False, why)."""
        dds = self.directional()
        missing = [d for d, v in dds.items() if v is None]
        if missing:
            return False, f"no finite one-sided derivative along {missing[0]} (f jumps or is unbounded there)"
        g = tuple(dds[tuple(1 if j == i else 0 for j in range(self.n))] for i in range(self.n))
        for d, v in dds.items():
            want = sum(gi * di for gi, di in zip(g, d))
            if not close(v, want):
                return False, f"f'(p; {d}) = {float(v):.12g}, but the axes give {float(want):.12g}"
        return True, g

    def jumps_nearby(self) -> bool:
        """f is not locally Lipschitz at p: it jumps at p or at sampled points beside it."""
        if any(v is None for v in self.directional().values()):
            return True
        for u in (RING if self.n == 2 else AXES[1]):
            q = _shift(self.p, u, NEAR)
            fq = self.f(q)
            if any(self.dd(e, q, fq, NEAR_H1, NEAR_H2) is None for e in AXES[self.n]):
                return True
        return False

    def gradient_beside(self, u):
        """The gradient at p + 10^-12 u, or None when that point is on a kink."""
        q = _shift(self.p, u, NEAR)
        fq = self.f(q)
        out = []
        for i in range(self.n):
            e = tuple(1 if j == i else 0 for j in range(self.n))
            a = self.dd(e, q, fq, NEAR_H1, NEAR_H2)
            b = self.dd(tuple(-c for c in e), q, fq, NEAR_H1, NEAR_H2)
            if a is None or b is None or not close(a, -b):
                return None
            out.append(tuple([float(to_mp(a))]))
        return tuple(x[0] for x in out)

    def nearby_gradients(self) -> list:
        """Gradients at points 10^-12 from p, in every direction of RING (1D: both sides).
        Between two neighbouring directions whose gradients differ the direction is split
        (their mediant, exactly) up to REFINE times, so that a thin cone of another piece
        between them is found; a sample on a kink is left out."""
        if self.n == 1:
            return [g for g in (self.gradient_beside(u) for u in AXES[1]) if g is not None]
        found = {}

        def grad(u):
            if u not in found:
                found[u] = self.gradient_beside(u)
            return found[u]

        def split(u, v, depth):
            gu, gv = grad(u), grad(v)
            if depth == 0 or (gu is not None and gv is not None and all(abs(a - b) <= 1e-9 * (1 + abs(a))
                                                                          for a, b in zip(gu, gv))):
                return
            m = (u[0] + v[0], u[1] + v[1])
            split(u, m, depth - 1)
            split(m, v, depth - 1)

        for u, v in zip(RING, RING[1:] + RING[:1]):
            split(u, v, REFINE)
        return [g for g in found.values() if g is not None]


# ---------------------------------------------------------------- Clarke sets

def _arr(v, n):
    return np.asarray([float(to_mp(exact(x))) for x in np.ravel(np.asarray(v, dtype=object))], dtype=float).reshape(n)


def float_form(sub: dict, n: int) -> dict:
    """A Clarke set from symderiv (exact entries, variable-shaped) as flat float arrays."""
    form = {"form": sub["form"]}
    for k in ("value", "lower", "upper", "center"):
        if k in sub:
            form[k] = _arr(sub[k], n)
    if "generators" in sub:
        form["generators"] = [_arr(g, n) for g in sub["generators"]]
    if "radius" in sub:
        form["radius"] = float(to_mp(exact(sub["radius"])))
    return form


def support(form: dict, d) -> float:
    return float_oracle.support(form, np.asarray(d, dtype=float))


def _in_hull(G, gens, tol) -> bool:
    """G in the convex hull of gens (points of the line or the plane), to within tol: by
    the hull's edges (Andrew's monotone chain), exact in geometry where Frank-Wolfe is slow
    on an edge."""
    pts = sorted({tuple(float(c) for c in g) for g in gens})
    G = tuple(float(c) for c in G)
    if len(G) == 1:
        return min(p[0] for p in pts) - tol <= G[0] <= max(p[0] for p in pts) + tol

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    def seg_dist(a, b):
        ab = (b[0] - a[0], b[1] - a[1])
        L = ab[0] ** 2 + ab[1] ** 2
        t = 0.0 if L == 0 else max(0.0, min(1.0, ((G[0] - a[0]) * ab[0] + (G[1] - a[1]) * ab[1]) / L))
        return math.hypot(G[0] - a[0] - t * ab[0], G[1] - a[1] - t * ab[1])

    lower, upper = [], []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    hull = lower[:-1] + upper[:-1]
    if len(hull) <= 2:                      # a point or a segment
        a, b = hull[0], hull[-1]
        return seg_dist(a, b) <= tol
    inside = all(cross(hull[i], hull[(i + 1) % len(hull)], G) >= 0 for i in range(len(hull)))
    return inside or min(seg_dist(hull[i], hull[(i + 1) % len(hull)]) for i in range(len(hull))) <= tol


def _contains(form: dict, G, tol) -> bool:
    if form["form"] == "hull":
        return _in_hull(G, form["generators"], tol)
    return float_oracle.contains(form, np.asarray(G), tol=tol)


def clarke_problems(probe: Probe, sub: dict) -> list[str]:
    """What is wrong with the claimed Clarke set at probe.p (empty when nothing is)."""
    n = probe.n
    if sub["form"] not in ("point", "box", "hull", "ball"):
        return [f"a Clarke set of form {sub['form']!r} for a function of {n} scalars"]
    form = float_form(sub, n)
    out = []
    # the Clarke directional derivative is the set's support function, and it bounds
    # every one-sided derivative from above
    for d, v in probe.directional().items():
        if v is not None and float(to_mp(v)) > support(form, d) + 1e-7 * (1 + abs(float(to_mp(v)))):
            out.append(f"f'(p; {d}) = {float(to_mp(v)):.10g} exceeds the set's support {support(form, d):.10g}")
    grads = probe.nearby_gradients()
    if len(grads) < (1 if n == 1 else len(RING) // 3):
        return out + [f"only {len(grads)} clean gradients beside p (oracle inconclusive)"]
    for G in grads:
        if not _contains(form, G, 1e-7 * (1 + max(abs(c) for c in G))):
            out.append(f"the gradient {list(G)} beside p is outside the claimed set")
            break
    probes = AXES[1] if n == 1 else RING
    for d in probes:
        best = max(float(np.dot(G, d)) for G in grads)
        if best < support(form, d) - 1e-6 * (1 + abs(best)):
            out.append(f"the set's support along {d} is {support(form, d):.10g}, but no gradient beside p "
                       f"reaches more than {best:.10g}: the set is too big")
            break
    return out
