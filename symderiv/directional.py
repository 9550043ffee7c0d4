"""The exact one-sided directional derivative f'(p; D) = lim_{t↓0} (f(p + tD) - f(p))/t.

This is the arbiter's independent test.  It does not reuse the kink analysis: it walks
f written entry by entry (a scalar SymPy expression in the variable's entries, the
table's primitives as functions) with the forward directional chain rule, which is
exact for compositions of locally Lipschitz, directionally differentiable maps.  Every
node carries its value at p and its directional derivative as an expression in direction
symbols d_i:
  * smooth g(u):        g'(u(p)) u'
  * |u| at u(p) = 0:    |u'|;  elsewhere sign(u(p)) u'
  * max/min at a tie:   max/min of the tied arguments' u'; elsewhere the larger's (smaller's)
  * a table primitive at a breakpoint c:  its right slope times u' where u' > 0, its left
    slope where u' < 0 (slopes read from the table's pieces)
  * sqrt(sum of squares) at 0 (a norm written out): sqrt(sum (u_k')^2)
  * a jump (sign, step) at its switch: no derivative; only its limit along the ray
    survives, where a factor that vanishes at p multiplies it (x sign(x) = |x|).
So D ↦ f'(p; D) comes out piecewise linear in d (or a norm of a linear map), and f is
differentiable at p iff that map is linear, which is decided with the exact zero test
over sign cells (signform.is_zero), never by sampling alone; sampling only supplies
exact witnesses of non-linearity.  All arithmetic is exact (Rationals, algebraic numbers).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache

from .lazy_import import LazyModule
np = LazyModule("numpy")
import sympy as sp

from .errors import Unsupported
from .exact_numbers import as_sympy
from .scalar import FUNCS, Prim, Sw, to_sign_form
from .signform import feasible_cells, is_zero

KINKED = (Prim, sp.Abs, sp.Max, sp.Min, sp.sign, sp.Heaviside, sp.Piecewise, Sw)


class NotDecided(Unsupported):
    """The exact test cannot settle this point (a sign it cannot decide, a form it does not know)."""


class NotLipschitz(Unsupported):
    """f has no finite one-sided directional derivative here (a jump, or an infinite slope)."""


@dataclass
class _Val:
    value: sp.Expr                 # at p
    der: sp.Expr | None            # f'(p; d) in the direction symbols; None where the node jumps at p
    limit: sp.Expr | None = None   # lim_{t↓0} node(p + t d) where it jumps (else the value)
    jump_used: bool = False        # a jump was absorbed by a factor vanishing at p


def direction_symbols(n: int) -> list:
    return [sp.Symbol(f"d{i}", real=True) for i in range(n)]


def sign_of(v: sp.Expr) -> int:
    """The exact sign of a constant (rational, algebraic, or a transcendental the evaluator
    certifies); NotDecided when it cannot be certified."""
    v = as_sympy(v)
    if v.is_Rational:
        return 1 if v > 0 else (-1 if v < 0 else 0)
    if v.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        raise NotLipschitz("an infinite or undefined value at the point")
    if v.is_zero:
        return 0
    pos = v.is_positive
    if pos is True:
        return 1
    if v.is_negative is True:
        return -1
    # simplify only rewrites exactly; a zero is then proved by the minimal polynomial, never
    # recognised from digits (nsimplify would call a tiny non-zero algebraic number 0)
    s = sp.simplify(v)
    if s == 0:
        return 0
    if s.is_algebraic:
        try:
            if sp.minimal_polynomial(s, sp.Dummy()).is_Symbol:
                return 0
        except (NotImplementedError, ValueError):
            pass
    if s.is_positive is True:
        return 1
    if s.is_negative is True:
        return -1
    raise NotDecided(f"cannot decide the sign of {v} exactly")


class _Walker:
    def __init__(self, xs: list, point: list, ds: list):
        self.env = dict(zip(xs, point))
        self.grad = dict(zip(xs, ds))
        self.cache: dict = {}

    def __call__(self, e: sp.Expr) -> _Val:
        hit = self.cache.get(e)
        if hit is None:
            hit = self.cache[e] = self._go(e)
        return hit

    def _smooth(self, e) -> _Val | None:
        """A subtree with no kink: its ordinary gradient at p, where that is finite."""
        if e.has(*KINKED):
            return None
        free = [x for x in self.env if x in e.free_symbols]
        if any(isinstance(t, sp.Pow) and not t.exp.is_integer and t.base.xreplace(self.env) == 0
               for t in sp.preorder_traversal(e)):
            return None      # a root at its zero: the edge of a domain, or a cone (see _pow)
        value = e.xreplace(self.env)
        if value.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
            return None
        der = sp.Integer(0)
        for x in free:
            g = sp.diff(e, x).xreplace(self.env)
            if g.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
                return None
            der += g * self.grad[x]
        return _Val(value, sp.expand(der))

    def _go(self, e) -> _Val:
        if e.is_Number:
            return _Val(e, sp.Integer(0))
        if e.is_Symbol:
            if e not in self.env:
                raise NotDecided(f"{e} has no value at the point")
            return _Val(self.env[e], self.grad[e])
        quick = self._smooth(e)
        if quick is not None:
            return quick
        if isinstance(e, sp.Add):
            return self._add([self(a) for a in e.args])
        if isinstance(e, sp.Mul):
            acc = self(e.args[0])
            for a in e.args[1:]:
                acc = self._mul(acc, self(a))
            return acc
        if isinstance(e, sp.Pow):
            return self._pow(e)
        if isinstance(e, sp.Abs):
            a = self(e.args[0])
            if a.der is None:
                return _Val(abs(a.value), None, sp.Abs(a.limit))
            s = sign_of(a.value)
            return _Val(abs(a.value), sp.Abs(a.der) if s == 0 else s * a.der, jump_used=a.jump_used)
        if isinstance(e, (sp.Max, sp.Min)):
            return self._extreme([self(a) for a in e.args], isinstance(e, sp.Max))
        if isinstance(e, (sp.sign, sp.Heaviside)):
            return self._jump(e.func, self(e.args[0]), e.args[1:])
        if isinstance(e, Prim):
            return self._prim(e)
        if isinstance(e, sp.Function) and len(e.args) == 1:
            return self._unary(e)
        raise NotDecided(f"the exact directional test does not know {type(e).__name__}")

    # ---------------------------------------------------------------- rules

    def _add(self, parts: list) -> _Val:
        value = sp.Add(*[p.value for p in parts])
        used = any(p.jump_used for p in parts)
        if any(p.der is None for p in parts):
            lim = sp.Add(*[p.value if p.der is not None else p.limit for p in parts])
            return _Val(value, None, lim, used)
        return _Val(value, sp.Add(*[p.der for p in parts]), None, used)

    def _mul(self, a: _Val, b: _Val) -> _Val:
        value = a.value * b.value
        used = a.jump_used or b.jump_used
        if a.der is not None and b.der is not None:
            return _Val(value, a.der * b.value + a.value * b.der, None, used)
        if a.der is None and b.der is None:
            raise NotDecided("a product of two functions that jump at the point")
        if a.der is None:
            a, b = b, a
        # b jumps at p, a is continuous: a b is continuous at p only where a(p) = 0, and
        # then (a b)(p + t d)/t -> a'(d) * (b's limit along d)
        if sign_of(a.value) == 0:
            absorbed = sp.expand(a.der) != 0
            return _Val(sp.Integer(0), a.der * b.limit, None, used or absorbed)
        return _Val(value, None, a.value * b.limit, used)

    def _pow(self, e) -> _Val:
        base, k = e.args
        if k.free_symbols & set(self.env):
            return self(sp.exp(k * sp.log(base)))
        if not k.is_number:
            raise NotDecided(f"the exponent {k} has no value")
        b = self(base)
        if b.der is None:
            return _Val(b.value ** k, None, b.limit ** k)
        s = sign_of(b.value)
        if s != 0:
            if s < 0 and not k.is_integer:
                raise NotDecided("a fractional power of a negative number")
            return _Val(b.value ** k, k * b.value ** (k - 1) * b.der, jump_used=b.jump_used)
        if k.is_integer and k > 0:
            return _Val(sp.Integer(0), b.der if k == 1 else sp.Integer(0), jump_used=b.jump_used)
        if k.is_integer or k < 0:
            raise NotLipschitz("f divides by zero at the point")
        if k > 1:
            # a fractional power is real only where its base is >= 0: x^{3/2} at 0 is on the
            # edge of its domain, with no side to the left, so no two-sided answer there
            if base.is_nonnegative is not True and not _absolute(base):
                raise NotDecided(f"the point is on the edge of the domain of {e} (its base vanishes here "
                                 "and is not known to stay >= 0 beside it)")
            return _Val(sp.Integer(0), sp.Integer(0), jump_used=b.jump_used)
        if k == sp.Rational(1, 2) and isinstance(base, sp.Add) and all(
                isinstance(t, sp.Pow) and t.exp == 2 for t in base.args):
            # a norm written out: sqrt(sum u_k^2) at u = 0 moves like ||u'||
            parts = [self(t.base) for t in base.args]
            if all(p.der is not None and sign_of(p.value) == 0 for p in parts):
                return _Val(sp.Integer(0), sp.sqrt(sp.Add(*[p.der ** 2 for p in parts])),
                            jump_used=any(p.jump_used for p in parts))
        q = base.args[0].exp if isinstance(base, sp.Add) and isinstance(base.args[0], sp.Pow) else None
        if q is not None and q.is_positive and all(isinstance(t, sp.Pow) and t.exp == q and _absolute(t.base)
                                                   for t in base.args):
            # a p-norm written out, to a power s: (sum |u_k|^p)^(s/p) = ||u||_p^s at u = 0
            # moves like ||u'||_p for s = 1, is o(|D|) for s > 1, and has an infinite slope
            # for s < 1 (where the factor of D is 0 to first order, that is a genuine cusp)
            parts = [self(t.base.args[0]) for t in base.args]
            if all(p.der is not None and sign_of(p.value) == 0 for p in parts):
                used = any(p.jump_used for p in parts)
                s = k * q
                if s == 1:
                    return _Val(sp.Integer(0), sp.Add(*[sp.Abs(p.der) ** q for p in parts]) ** k, jump_used=used)
                if s > 1:
                    return _Val(sp.Integer(0), sp.Integer(0), jump_used=used)
                if any(sp.expand(p.der) != 0 for p in parts):
                    raise NotLipschitz(f"{e} has an infinite one-sided slope at the point "
                                       "(a root of a norm at its zero)")
        if sp.expand(b.der) == 0:
            raise NotDecided(f"a root of a function that vanishes to higher order at the point ({e})")
        raise NotLipschitz(f"{e} has an infinite one-sided slope at the point (a root at its zero)")

    def _unary(self, e) -> _Val:
        a = self(e.args[0])
        z = sp.Dummy(real=True)
        g = e.func(z)
        if a.der is None:
            return _Val(e.func(a.value), None, e.func(a.limit), a.jump_used)
        value = g.xreplace({z: a.value})
        slope = sp.diff(g, z).xreplace({z: a.value})
        if value.has(sp.zoo, sp.nan, sp.oo, -sp.oo) or slope.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
            raise NotLipschitz(f"{e.func.__name__} is not differentiable (or not defined) at the point")
        return _Val(value, slope * a.der, jump_used=a.jump_used)

    def _extreme(self, parts: list, is_max: bool) -> _Val:
        if any(p.der is None for p in parts):
            op = sp.Max if is_max else sp.Min
            return _Val(op(*[p.value for p in parts]), None,
                        op(*[p.value if p.der is not None else p.limit for p in parts]))
        best = parts[0]
        tied = [parts[0]]
        for p in parts[1:]:
            s = sign_of(p.value - best.value)
            if (s > 0) == is_max and s != 0:
                best, tied = p, [p]
            elif s == 0:
                tied.append(p)
        op = sp.Max if is_max else sp.Min
        used = any(p.jump_used for p in tied)
        der = tied[0].der if len(tied) == 1 else op(*[p.der for p in tied])
        return _Val(best.value, der, jump_used=used)

    def _jump(self, func, a: _Val, extra) -> _Val:
        value = func(a.value, *extra)
        if a.der is None:
            return _Val(value, None, func(a.limit, *extra))
        if sign_of(a.value) != 0:
            return _Val(value, sp.Integer(0), jump_used=a.jump_used)
        if sp.expand(a.der) == 0:
            raise NotDecided("a jump whose switch does not move to first order along any direction")
        # sign and step are unchanged by positive scaling: along d the limit is their value at u'(d)
        return _Val(value, None, func(a.der, *extra))

    def _prim(self, e) -> _Val:
        spec = e.spec
        data = [self(a) for a in e.args[:spec.arity]]
        params = [self(a) for a in e.args[spec.arity:]]
        if any(p.der is None or sp.expand(p.der) != 0 for p in params):
            raise NotDecided(f"{spec.name}'s parameter moves with the variable")
        pv = [p.value for p in params]
        vals = [d.value for d in data]
        value = e.func(*vals, *pv)
        if any(d.der is None for d in data):
            limits = [d.value if d.der is not None else d.limit for d in data]
            return _Val(value, None, e.func(*limits, *pv))
        used = any(d.jump_used for d in data)
        if spec.name in ("max", "min"):
            out = self._extreme(data, spec.name == "max")
            return _Val(value, out.der, jump_used=out.jump_used)
        if spec.arity != 1:
            raise NotDecided(f"the exact directional test does not know {spec.name}")
        u, du = vals[0], data[0].der
        left, right = _one_sided_slopes(spec.name, u, tuple(pv))
        if left is None or right is None:
            if sp.expand(du) == 0:
                raise NotDecided("a jump whose switch does not move to first order along any direction")
            return _Val(value, None, _ray_limit(spec.name, u, du, pv))
        if left == right:
            return _Val(value, right * du, jump_used=used)
        return _Val(value, sp.Piecewise((right * du, du > 0), (left * du, True)), jump_used=used)


@lru_cache(maxsize=1024)
def _absolute(e) -> bool:
    """|u|, as SymPy's Abs or the table's abs: a base that is >= 0 everywhere."""
    return isinstance(e, sp.Abs) or (isinstance(e, Prim) and e.spec.name == "abs")


def _one_sided_slopes(name: str, c: sp.Expr, params: tuple):
    """(left, right) derivative of the table's primitive at c, from its pieces; None for a
    side where it jumps (the limit of its value differs from its value at c)."""
    spec = FUNCS[name].spec
    h = sp.Symbol("h", positive=True)
    out = []
    at_c = FUNCS[name](c, *params)
    for side in (-1, 1):
        # the piece that holds on (c, c + eps) (or (c - eps, c)): the first whose condition
        # is true at c + side*h for every small h > 0
        piece = None
        for value, cond in spec.pieces(c + side * h, *params):
            held = _holds_near_zero(cond, h)
            if held:
                piece = value
                break
        if piece is None:
            raise NotDecided(f"cannot tell which piece of {name} holds next to {c}")
        if sp.expand(piece.xreplace({h: 0}) - at_c) != 0:
            out.append(None)
            continue
        out.append(sp.expand(sp.diff(piece, h) * side).xreplace({h: 0}))
    return tuple(out)


def _holds_near_zero(cond, h) -> bool:
    """A condition in h (a polynomial comparison) that holds for every small h > 0."""
    if cond is True or cond == sp.true:
        return True
    if cond is False or cond == sp.false:
        return False
    if isinstance(cond, sp.And):
        return all(_holds_near_zero(c, h) for c in cond.args)
    if isinstance(cond, sp.Or):
        return any(_holds_near_zero(c, h) for c in cond.args)
    if isinstance(cond, sp.Eq):
        return sp.expand(cond.lhs - cond.rhs) == 0
    if isinstance(cond, sp.Ne):
        return sp.expand(cond.lhs - cond.rhs) != 0
    diff = sp.expand(cond.lhs - cond.rhs)
    poly = sp.Poly(diff, h)
    coeffs = list(reversed(poly.all_coeffs()))     # lowest order first
    lead = next((c for c in coeffs if sign_of(c) != 0), sp.Integer(0))
    s = sign_of(lead) if lead != 0 else 0
    if isinstance(cond, sp.StrictGreaterThan):
        return s > 0
    if isinstance(cond, sp.GreaterThan):
        return s >= 0
    if isinstance(cond, sp.StrictLessThan):
        return s < 0
    if isinstance(cond, sp.LessThan):
        return s <= 0
    raise NotDecided(f"cannot read the condition {cond}")


def _ray_limit(name, u, du, params):
    """A jumping primitive's limit along a ray from its switch: its value just right of u
    where u' > 0, just left where u' < 0."""
    spec = FUNCS[name].spec
    h = sp.Symbol("h", positive=True)
    sides = []
    for side in (1, -1):
        for value, cond in spec.pieces(u + side * h, *params):
            if _holds_near_zero(cond, h):
                sides.append(sp.expand(value).xreplace({h: 0}))
                break
        else:
            raise NotDecided(f"cannot tell which piece of {name} holds next to {u}")
    return sp.Piecewise((sides[0], du > 0), (sides[1], True))


# ---------------------------------------------------------------- the public tests

@dataclass
class DirectionalMap:
    """D ↦ f'(p; D), as an expression in the direction symbols."""
    value: sp.Expr
    h: sp.Expr
    ds: list
    jump_used: bool = False

    def at(self, D) -> sp.Expr:
        out = self.h.xreplace({d: as_sympy(v) for d, v in zip(self.ds, D)})
        out = _settle(out)
        return out


def _settle(e):
    """Evaluate the Piecewise/Max/Abs of numbers exactly (SymPy leaves some unevaluated
    when the numbers are algebraic)."""
    e = as_sympy(e)
    if isinstance(e, sp.Piecewise):
        for value, cond in e.args:
            c = cond
            if c not in (sp.true, sp.false, True, False):
                rel = c
                diff = sp.expand(rel.lhs - rel.rhs)
                s = sign_of(diff)
                c = {sp.StrictGreaterThan: s > 0, sp.GreaterThan: s >= 0,
                     sp.StrictLessThan: s < 0, sp.LessThan: s <= 0}.get(type(rel))
                if c is None:
                    raise NotDecided(f"cannot read {rel}")
            if c is True or c == sp.true:
                return _settle(value)
        raise NotDecided("no piece holds")
    if isinstance(e, (sp.Max, sp.Min)):
        vals = [_settle(a) for a in e.args]
        best = vals[0]
        for v in vals[1:]:
            s = sign_of(v - best)
            if (s > 0 and isinstance(e, sp.Max)) or (s < 0 and isinstance(e, sp.Min)):
                best = v
        return best
    if isinstance(e, sp.Abs):
        v = _settle(e.args[0])
        return v * sign_of(v)
    if e.args and not e.is_Number:
        return e.func(*[_settle(a) for a in e.args])
    return e


def directional_map(F: sp.Expr, xs: list, point: list) -> DirectionalMap:
    """f'(p; ·) for the scalar F over the symbols xs at the exact point."""
    ds = direction_symbols(len(xs))
    point = [as_sympy(v) for v in point]
    out = _Walker(list(xs), point, ds)(F)
    if out.der is None:
        lim = out.limit - out.value
        z = _zero_map(lim, ds)
        if z is False:
            raise NotLipschitz("f jumps at this point (its limit along some ray differs from its value), "
                               "so it has no directional derivative and is not locally Lipschitz there")
        raise NotDecided("a jump meets this point and the exact test cannot tell whether f is continuous here")
    return DirectionalMap(out.value, out.der, ds, out.jump_used)


def directional_derivative(F: sp.Expr, xs: list, point: list, direction: list) -> sp.Expr:
    """f'(p; D), exact."""
    return directional_map(F, xs, point).at(direction)


def _zero_map(g: sp.Expr, ds: list) -> bool | None:
    """Is the map D ↦ g(D) identically zero?  False only with an exact witness; True only
    from the exact sign-cell test (or from g having no direction left in it)."""
    g = as_sympy(g)
    for D in probe_directions(len(ds)):
        v = _settle(g.xreplace(dict(zip(ds, D))))
        if sign_of(v) != 0:
            return False
    if not (g.free_symbols & set(ds)):
        return sign_of(g) == 0
    if _has_root(g):
        return None                # a norm: zero at every probe, but the sign-cell test does not apply
    form = to_sign_form(g)
    return is_zero(form)


def _has_root(g) -> bool:
    return any(p.exp.is_Rational and not p.exp.is_integer and (p.base.free_symbols)
               for p in as_sympy(g).atoms(sp.Pow))


def probe_directions(n: int) -> list:
    """A fixed list of rational directions: the axes, their sums and differences, and a
    few odd-denominator ones that avoid the switches of small-integer forms."""
    out = []
    for i in range(n):
        for s in (1, -1):
            out.append([s if k == i else 0 for k in range(n)])
    for i, j in itertools.combinations(range(n), 2):
        for s in (1, -1):
            out.append([1 if k == i else (s if k == j else 0) for k in range(n)])
    seeds = [(3, 7), (-5, 11), (13, -2), (-17, -19), (23, 5)]
    for a, b in seeds:
        out.append([sp.Rational(a * (k + 1), b * (k + 2) + k) for k in range(n)])
    return out


@dataclass
class PointTest:
    """The exact test's answer at one point."""
    value: sp.Expr
    differentiable: bool | None
    gradient: list | None = None            # entries of ∇f(p), in the order of xs
    reason: str = ""
    map: DirectionalMap | None = None
    lipschitz: bool = True
    generators: list | None = None          # gradients of the linear pieces of f'(p; ·)
    test: str = "exact one-sided directional derivatives"


def decide_point(F: sp.Expr, xs: list, point: list) -> PointTest:
    """Differentiable at p iff D ↦ f'(p; D) is linear (f locally Lipschitz, or f jumps)."""
    try:
        m = directional_map(F, xs, point)
    except NotLipschitz as exc:
        value = _value_or_none(F, xs, point)
        return PointTest(value, False, reason=exc.message, lipschitz=False)
    except Unsupported as exc:         # NotDecided, or a bound of the sign-form machinery
        return PointTest(None, None, reason=exc.message)
    n = len(xs)
    units = [[1 if k == i else 0 for k in range(n)] for i in range(n)]
    try:
        grad = [m.at(e) for e in units]
        g = m.h - sp.Add(*[gi * d for gi, d in zip(grad, m.ds)])
        linear = _zero_map(g, m.ds)
    except Unsupported as exc:
        return PointTest(m.value, None, reason=exc.message, map=m)
    if linear is False:
        gens = None
        try:
            gens = _piece_gradients(m)
        except Unsupported:
            pass
        return PointTest(m.value, False, reason="D ↦ f'(p; D) is not linear", map=m, generators=gens)
    if linear is None:
        return PointTest(m.value, None, reason="could not decide exactly whether D ↦ f'(p; D) is linear", map=m)
    if m.jump_used:
        return PointTest(m.value, None, map=m,
                         reason="f'(p; D) is linear, but a jump meets the point (a factor vanishing there "
                                "multiplies it), and that does not prove f differentiable")
    return PointTest(m.value, True, grad, map=m, generators=[grad])


def _value_or_none(F, xs, point):
    try:
        v = F.xreplace(dict(zip(xs, [as_sympy(p) for p in point])))
        return None if v.has(sp.zoo, sp.nan, sp.oo, -sp.oo) else v
    except (TypeError, ValueError):
        return None


MAX_CELL_SWITCHES = 8


def _piece_gradients(m: DirectionalMap) -> list | None:
    """The gradients of the linear pieces of a piecewise linear f'(p; ·): one per sign cell
    of its (linear) switches that occurs.  None where f'(p; ·) is not piecewise linear."""
    if _has_root(m.h):
        return None
    form = sp.expand(to_sign_form(m.h))
    atoms = sorted(form.atoms(Sw), key=sp.default_sort_key)
    if len(atoms) > MAX_CELL_SWITCHES:
        return None
    us = tuple(a.args[0] for a in atoms)
    if any(sp.Poly(u, *m.ds).total_degree() > 1 for u in us):
        return None
    out = []
    for cell in feasible_cells(us):
        lin = sp.expand(form.xreplace(dict(zip(atoms, cell))))
        g = [sp.expand(sp.diff(lin, d)) for d in m.ds]
        if g not in out:
            out.append(g)
    return out


def support(generators: list, D: list) -> sp.Expr:
    """max over the generators of <G, D>."""
    return max((sp.Add(*[as_sympy(g) * as_sympy(d) for g, d in zip(G, D)]) for G in generators),
               key=lambda v: v)


def as_array(entries: list, shape) -> np.ndarray:
    out = np.empty(shape, dtype=object)
    for k, idx in enumerate(np.ndindex(shape)):
        out[idx] = entries[k]
    return out
