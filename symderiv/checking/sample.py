"""Exact test points for a step: random small shapes, small rationals, and kinks.

Every value is an int or a Fraction and every evaluation is exact (``evaluate``), so a
difference found here is a real counterexample, never float noise.  Points come in two
kinds:
  * generic points, simplest first (1×1 with small integers, then 2×2, then random
    shapes), where a counterexample is easiest to read;
  * kink points: entries set to exactly 0, and for every switch u of the step (the
    argument of a sign, of a max, ...) points placed on u = 0 by solving for one entry.
Stated conditions (x > 0, X ≥ 0, x = 0) are met by construction when they bound one
variable, and by rejection otherwise.

Values come from the engine (its Evaluator, the nodes' own ``value`` rules).  The
matrix nodes are looked into in one way only, on purpose: an entrywise node's scalar
body (``expr`` over placeholders bound to ``args``) is where the switches, the sizes
that survive in a value and the affine pieces a point is solved from are read, and a
variable (``Sym``) is what a point assigns.
"""
from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from fractions import Fraction

from ..lazy_import import LazyModule
np = LazyModule("numpy")
import sympy as sp

from .. import expr as E
from ..calculus import directional, map_entrywise
from ..errors import SymderivError
from ..evaluate import DivisionByZero, Evaluator, is_exact_zero, sign_of, switch_key
from ..exact_numbers import as_sympy, is_concrete
from ..nodes.entrywise import is_constant_fill
from ..scalar import Prim, Sw, jump_switches, to_sign_form
from .reals import domain_nodes, inside, is_real

SIMPLE = [1, 2, -1, 3, -2, Fraction(1, 2), -3, Fraction(-3, 2), 4, Fraction(5, 3)]
INTS = [1, 2, 3, -1, -2, -3]
POOL = [1, 2, 3, -1, -2, -3, Fraction(1, 2), Fraction(-1, 2), Fraction(3, 2), Fraction(-5, 3), 5, -4]
REJECTION_TRIES = 40
SIGNED_POINTS = 24
KINKED = (Prim, Sw, sp.Abs, sp.sign, sp.Heaviside, sp.Piecewise, sp.Max, sp.Min, sp.floor, sp.ceiling)
MAGNITUDES = (1, 2, 3, Fraction(1, 2))
OPS = {">": lambda v: v > 0, ">=": lambda v: v >= 0, "<": lambda v: v < 0, "<=": lambda v: v <= 0,
        "=": lambda v: v == 0, "!=": lambda v: v != 0}


@dataclass
class Point:
    values: dict        # Sym name -> 2-D object array of ints / Fractions
    dims: dict          # size symbol -> int
    kink: bool = False  # placed on a kink on purpose


def leaves(nodes) -> list:
    found = {}
    for n in nodes:
        for s in E.symbols_of(n):
            found.setdefault(s.name, s)
    return [found[k] for k in sorted(found)]


def dim_symbols(nodes) -> list:
    found = set()
    for n in nodes:
        for m in E.walk(n):
            for d in m.shape:
                if not is_concrete(d):
                    found |= as_sympy(d).free_symbols
            if isinstance(m, E.Entrywise):
                # a size that only survives in a value (tr(J^T J) = m n)
                found |= {s for s in m.expr.free_symbols if s.is_integer and s.is_positive}
    return sorted(found, key=lambda s: s.name)


def dim_floors(nodes) -> dict:
    """size symbol -> the least size the fixed entries ask of it (x_3 of x in R^n: n >= 3)."""
    floors: dict = {}
    for n in nodes:
        for m in E.walk(n):
            if isinstance(m, E.Pick):
                for d, k in zip(m.arg.shape, (m.i, m.j)):
                    if not is_concrete(d) and as_sympy(d).is_Symbol:
                        floors[as_sympy(d)] = max(floors.get(as_sympy(d), 1), k + 1)
    return floors


def switch_nodes(nodes) -> list:
    """u for every switch sign(u) of the nodes' sign forms, as nodes, deduplicated."""
    found = {}
    for n in nodes:
        for m in E.walk(n):
            if not isinstance(m, E.Entrywise) or not m.args or not m.expr.has(*KINKED):
                continue           # smooth: no switch (and no costly expansion to find none)
            # jumps first: sign(x)^2 has no switch left in its sign form, yet jumps at 0
            us = jump_switches(m.expr) + [a.args[0] for a in to_sign_form(m.expr).atoms(Sw)]
            for w in us:
                u = E.ew(w, m.args, m.shape)
                if not is_constant_fill(u):       # a switch u that is constant never switches
                    found.setdefault(u.key, u)
    return [found[k] for k in sorted(found)]


def evaluate(node: E.Node, point: Point, overrides: dict | None = None):
    """The node's value at the point, or None where it is not defined (or not exactly, or
    not as a real number: ``reals``)."""
    value = _value(node, point, overrides)
    return None if value is None or outside(node, point, value) else value


def _value(node, point, overrides=None):
    try:
        return Evaluator(point.values, point.dims, overrides)(_sized(node, point.dims))
    except (SymderivError, ZeroDivisionError, TypeError, ValueError, ArithmeticError):
        return None


def no_value(node: E.Node, point: Point) -> bool:
    """Whether the node has no value at the point: a division by zero (|x|/x at 0), or a
    value that is not real or is outside a root's or a log's domain."""
    try:
        value = Evaluator(point.values, point.dims, None)(_sized(node, point.dims))
    except (ZeroDivisionError, DivisionByZero):
        return True
    except (SymderivError, TypeError, ValueError, ArithmeticError):
        return False               # not evaluated: nothing known
    return outside(node, point, value)


def outside(node: E.Node, point: Point, value=None) -> bool:
    """Whether the node has no real value at the point: a value that is not a finite real,
    or an argument outside the domain of a root or a log (√x √y at x, y < 0 is real)."""
    value = _value(node, point) if value is None else value
    if value is None:
        return False               # not evaluated: nothing known about the domain
    if not is_real(value):
        return True
    for arg, strict in domain_nodes(node):
        a = evaluate(arg, point)
        if a is not None and not inside(a, strict):
            selected = _selected(node, point)
            return selected is None or any(
                (b := evaluate(arg2, point)) is not None and not inside(b, strict2)
                for arg2, strict2 in domain_nodes(selected))
    return False


def _selected(node: E.Node, point: Point):
    """A scalar sign form with its switches read at the point: (1 - sign x)(-x)^{3/2}
    at x = 1 is no root of a negative number, the piece is not selected there (the
    derivative of |x|^{3/2} is defined everywhere).  None where that cannot be read."""
    if not (isinstance(node, E.Entrywise) and node.args and all(a.shape == (1, 1) for a in node.args)):
        return None
    env = {}
    for i, a in enumerate(node.args):
        v = evaluate(a, point)
        if v is None:
            return None
        env[E.placeholder(i)] = as_sympy(np.asarray(v, dtype=object).flat[0])
    switches = {w: w.xreplace(env) for w in node.expr.atoms(sp.sign, sp.Heaviside, Sw)}
    if not switches or not all(v.is_number for v in switches.values()):
        return None
    return E.ew(node.expr.xreplace(switches), node.args, node.shape)


def _sized(node: E.Node, dims: dict) -> E.Node:
    """The node with its size symbols given values inside entrywise expressions too (the
    sum of a constant matrix is m*n): the engine's Evaluator binds them in shapes only."""
    sizes = {d: sp.Integer(v) for d, v in dims.items()}
    if not sizes or not any(isinstance(m, E.Entrywise) and m.expr.free_symbols & set(sizes)
                            for m in E.walk(node)):
        return node
    return map_entrywise(node, lambda e: e.xreplace(sizes))


def same(a, b) -> bool | None:
    """Exact equality of two values (None when SymPy cannot decide an irrational one)."""
    if a is None or b is None:
        return None
    a = np.asarray(a, dtype=object)
    b = np.asarray(b, dtype=object)
    if a.shape != b.shape:
        if a.shape == (1, 1):
            a = np.full(b.shape, a[0, 0], dtype=object)
        elif b.shape == (1, 1):
            b = np.full(a.shape, b[0, 0], dtype=object)
        else:
            return False
    verdict = True
    for x, y in zip(a.flat, b.flat):
        try:
            z = is_exact_zero(x - y)
        except (TypeError, ValueError):
            return None
        if not z:
            if isinstance(x, (int, Fraction)) and isinstance(y, (int, Fraction)):
                return False
            d = as_sympy(x - y)
            if d.is_zero is False:
                return False
            verdict = None
    return verdict


def on_kink(point: Point, switches: list) -> bool:
    for u in switches:
        v = evaluate(u, point)
        if v is None or any(is_exact_zero(x) for x in v.flat):
            return True
    return False


class Sampler:
    """Points for one step.  ``directions`` are the dX's: they are never put on a kink."""

    def __init__(self, nodes, conditions=(), directions=(), seed: int = 7):
        self.leaves = leaves(list(nodes) + [c for _, c in conditions])
        self.dims = dim_symbols(list(nodes) + [c for _, c in conditions])
        self.floors = dim_floors(list(nodes) + [c for _, c in conditions])
        self.conditions = list(conditions)
        self.directions = set(directions)
        self.bounds = leaf_bounds(self.conditions)
        self.totals = leaf_totals(self.conditions)
        self.rng = random.Random(seed)

    # -- shapes and values ---------------------------------------------------------------

    def _sizes(self, mode):
        if mode == "one":
            sizes = {d: 1 for d in self.dims}
        elif mode == "two":
            sizes = {d: 2 for d in self.dims}
        else:
            sizes = {d: self.rng.choice((1, 2, 3)) for d in self.dims}
        # x_2, entry 2 of a vector x of size n, needs n >= 2 (drawn first, so the
        # random sequence is the same with or without such an entry)
        return {d: max(v, self.floors.get(d, 1)) for d, v in sizes.items()}

    def _shape(self, sym, dims):
        return tuple(int(d) if is_concrete(d) else int(as_sympy(d).xreplace(
            {k: sp.Integer(v) for k, v in dims.items()})) for d in sym.shape)

    def _value(self, name, pick):
        allowed = self.bounds.get(name)
        if allowed and self.rng.random() < 0.5:
            # inside the bounds by construction: 0 < α < 1 would otherwise meet the pool at
            # 1/2 only, the one value where (1 - α) = α and a false identity may hold
            return _satisfying(allowed, self.rng)
        for _ in range(50):
            v = pick(name)
            if allowed is None or all(OPS[op](v - k) for op, k in allowed):
                return v
        return _satisfying(allowed, self.rng)

    def _fill(self, dims, pick) -> Point:
        """A point with every entry drawn by ``pick(name)`` (within the variable's bounds)."""
        values = {}
        for s in self.leaves:
            shape = self._shape(s, dims)
            arr = np.empty(shape, dtype=object)
            for idx in np.ndindex(shape):
                arr[idx] = self._value(s.name, pick)
            values[s.name] = arr
        for name, total in self.totals:
            values[name] = _with_total(values[name], total, self.rng)
        return Point(values, dims)

    def _accept(self, point) -> bool:
        for op, c in self.conditions:
            v = evaluate(c, point)
            if v is None or not all(OPS[op](sign_of(x)) for x in v.flat):
                return False
        return True

    def _first_accepted(self, make):
        for _ in range(REJECTION_TRIES):
            p = make()
            if self._accept(p):
                return p
        return None

    def _random(self, name):
        return self.rng.choice(POOL)

    # -- the two kinds of points ------------------------------------------------------------

    def generic(self, count: int = 20):
        """Simple points first (1×1, small integers in a fixed order), then 2×2, then
        random shapes.  A few may sit on a kink by chance: fine for a counterexample, and
        checked before a point is called generic."""
        order = {s.name: k for k, s in enumerate(self.leaves)}
        for t in range(count):
            if t < 5:
                dims = self._sizes("one")
                # each variable walks the simple values at its own offset, so that the first
                # points are not all x = y; under conditions, random picks meet them sooner
                simple = self._simple(order, t)
                pick = simple if t == 0 or not self.conditions else self._random
                p = self._first_accepted(lambda: self._fill(dims, pick)) or (
                    self._first_accepted(lambda: self._fill(dims, self._random)) if t == 0 else None)
            else:
                # 2×2 with small integers (readable), then random shapes and fractions
                dims = self._sizes("two" if t < 9 else "random")
                pick = self._small_int if t < 9 else self._random
                p = self._first_accepted(lambda: self._fill(dims, pick))
            if p is not None:
                yield p

    @staticmethod
    def _simple(order, t):
        return lambda name: SIMPLE[(t + 3 * order[name]) % len(SIMPLE)]

    def _small_int(self, name):
        return self.rng.choice(INTS)

    def kinks(self, switches, count: int = 14):
        """Points with exact zeros (all of them first), then points placed on each switch."""
        def zero_heavy(share):
            def pick(name):
                if name in self.directions:
                    return self.rng.choice(POOL)
                return 0 if self.rng.random() < share else self.rng.choice(POOL[:6])
            return pick
        for t in range(count):
            dims = self._sizes("one" if t < 2 else ("two" if t < 5 else "random"))
            p = self._first_accepted(lambda: self._fill(dims, zero_heavy(1.0 if t in (0, 2) else 0.5)))
            if p is not None:
                p.kink = True
                yield p
        for u in switches:
            for t in range(3):
                dims = self._sizes("one" if t == 0 else ("two" if t == 1 else "random"))
                p = self._first_accepted(lambda: self._aim(self._fill(dims, self._random), u))
                if p is not None:
                    p.kink = True
                    yield p
        yield from self._signed_kinks(switches)

    def _signed_kinks(self, switches):
        """On each switch, with the other variables in every pattern of signs (1×1): a kink
        may matter only where a parameter is negative (δ|r| at r = 0 for δ < 0), which
        random picks can miss."""
        names = [s.name for s in self.leaves if s.name not in self.directions]
        width = min(len(names), 3)
        patterns = list(itertools.product((1, -1), repeat=width))
        budget = SIGNED_POINTS
        for u in switches:
            for signs in patterns:
                if budget <= 0:
                    return
                budget -= 1

                def pick(name, signs=signs):
                    if name not in names:
                        return self.rng.choice(POOL)
                    return signs[names.index(name) % width] * self.rng.choice(MAGNITUDES)
                p = self._first_accepted(lambda: self._aim(self._fill(self._sizes("one"), pick), u))
                if p is not None:
                    p.kink = True
                    yield p

    def _aim(self, point: Point, u: E.Node) -> Point:
        """Move one variable so that some entries of u are exactly 0."""
        if isinstance(u, E.Sym) and u.name not in self.directions and u.name in point.values:
            return self._set_some(point, u.name, np.zeros(point.values[u.name].shape, dtype=object))
        if not isinstance(u, E.Entrywise):
            return point
        for k, arg in enumerate(u.args):
            if not isinstance(arg, E.Sym) or arg.name in self.directions:
                continue
            p = E.placeholder(k)
            coeff = sp.diff(u.expr, p)
            rest = sp.expand(u.expr - coeff * p)
            if not coeff.is_number or coeff == 0 or rest.has(p):
                continue
            target = evaluate(E.ew(-rest / coeff, u.args, u.shape), point)
            current = point.values.get(arg.name)
            if target is None or current is None:
                continue
            if target.shape != current.shape:
                if target.shape != (1, 1):
                    continue
                target = np.full(current.shape, target[0, 0], dtype=object)
            if not all(isinstance(v, (int, Fraction)) for v in target.flat):
                continue
            return self._set_some(point, arg.name, target)
        return point

    def _set_some(self, point: Point, name: str, target) -> Point:
        """The point with some entries of one variable (at least one) taken from target."""
        current = point.values[name]
        mask = [self.rng.random() < 0.6 for _ in range(current.size)]
        mask[self.rng.randrange(current.size)] = True
        new = current.copy()
        for i, idx in enumerate(np.ndindex(current.shape)):
            if mask[i]:
                new[idx] = target[idx]
        values = dict(point.values)
        values[name] = new
        return Point(values, point.dims)


def leaf_bounds(conditions) -> dict:
    """Conditions that bound one variable entry by entry: name -> [(op, k)] for x op k."""
    out: dict = {}
    for op, c in conditions:
        if isinstance(c, E.Sym):
            out.setdefault(c.name, []).append((op, 0))
            continue
        if not (isinstance(c, E.Entrywise) and len(c.args) == 1 and isinstance(c.args[0], E.Sym)):
            continue
        p = E.placeholder(0)
        a = sp.diff(c.expr, p)
        rest = sp.expand(c.expr - a * p)
        if not (a.is_Rational and a != 0 and rest.is_Rational):
            continue
        k = -rest / a
        k = Fraction(int(k.p), int(k.q))
        flipped = {">": "<", ">=": "<=", "<": ">", "<=": ">=", "=": "=", "!=": "!="}[op] if a < 0 else op
        out.setdefault(c.args[0].name, []).append((flipped, k))
    return out


def leaf_totals(conditions) -> list:
    """Conditions that fix the sum of one variable's entries (1ᵀy = 1): [(name, total)].
    Random points almost never meet such an equation; ``_with_total`` makes them."""
    out = []
    for op, c in conditions:
        if op != "=" or not (isinstance(c, E.Entrywise) and len(c.args) == 1 and isinstance(c.args[0], E.SumAll)
                             and isinstance(c.args[0].arg, E.Sym)):
            continue
        p = E.placeholder(0)
        a = sp.diff(c.expr, p)
        rest = sp.expand(c.expr - a * p)
        if a.is_Rational and a != 0 and rest.is_Rational:
            k = -rest / a
            out.append((c.args[0].arg.name, Fraction(int(k.p), int(k.q))))
    return out


def _with_total(arr, total, rng):
    """The entries scaled to sum to ``total`` where that keeps their signs, else one entry
    moved: exact, and still random (the other conditions are checked after)."""
    s = sum(arr.flat)
    out = arr.copy()
    if s != 0 and Fraction(total) / Fraction(s) > 0:
        for idx in np.ndindex(arr.shape):
            out[idx] = arr[idx] * Fraction(total) / Fraction(s)
    else:
        idx = list(np.ndindex(arr.shape))[rng.randrange(arr.size)]
        out[idx] = arr[idx] + Fraction(total) - Fraction(s)
    return out


SHARES = (Fraction(1, 2), Fraction(1, 4), Fraction(3, 4), Fraction(1, 3), Fraction(2, 3), Fraction(1, 5))
STEPS_OUT = (1, Fraction(1, 2), 2, 3)


def _satisfying(allowed, rng=None):
    """A value meeting every bound x op k, exact (a float would leave the exact
    arithmetic): somewhere inside an interval, or a step beyond a one-sided bound."""
    for op, k in allowed:
        if op == "=":
            return k
    lo = max([k for op, k in allowed if op in (">", ">=")], default=None)
    hi = min([k for op, k in allowed if op in ("<", "<=")], default=None)
    if lo is not None and hi is not None:
        share = rng.choice(SHARES) if rng is not None else SHARES[0]
        return Fraction(lo) + (Fraction(hi) - Fraction(lo)) * share
    step = rng.choice(STEPS_OUT) if rng is not None else 1
    if lo is not None:
        return lo + step
    if hi is not None:
        return hi - step
    return 1


def one_sided_overrides(nodes, point: Point, variables, dsyms) -> dict | None:
    """Switch sides for evaluating region-wise derivatives at a kink point along the
    direction the point gives dX: a switch u that is 0 there takes the sign u has just
    after, on the ray X + t dX (t -> 0+).  None when that sign is not decided to first
    order (the ray runs along the kink)."""
    overrides: dict = {}
    for n in nodes:
        for m in E.walk(n):
            if not isinstance(m, E.Entrywise) or not m.args:
                continue
            for atom in m.expr.atoms(Sw):
                u = atom.args[0]
                key, orient = switch_key(u, m.args)
                u_node = E.ew(u, m.args, m.shape)
                val = evaluate(u_node, point)
                if val is None:
                    return None
                zeros = [idx for idx in np.ndindex(val.shape) if is_exact_zero(val[idx])]
                if not zeros:
                    continue
                du_node = E.const(0, u_node.shape)
                for v in variables:
                    if E.depends_on(u_node, v):
                        du_node = E.add(du_node, directional(u_node, v, dsyms[v.name]))
                du = evaluate(du_node, point)
                if du is None:
                    return None
                over = overrides.get(key)
                if over is None or over.shape != val.shape:
                    over = np.full(val.shape, None, dtype=object)
                for idx in zeros:
                    d = du[idx] if du.shape == val.shape else du[0, 0]
                    s = sign_of(d)
                    if s == 0:
                        return None
                    over[idx] = s * orient
                overrides[key] = over
    return overrides
