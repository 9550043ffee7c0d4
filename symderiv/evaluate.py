"""Exact evaluation of matrix expressions at a point.

Each operation computes its own value (``value`` in its module of ``symderiv.nodes``);
the Evaluator caches values per node and evaluates entrywise bodies.  Values are NumPy
object arrays of Python ints and Fractions, so a kink is detected by
an exact comparison with 0, never by a float tolerance; SymPy numbers appear only
where a value is irrational (a norm, an exp).  Switch signs can be overridden entry
by entry, which is how the gradient of each selection function next to a kink is
evaluated.
"""
from __future__ import annotations

from fractions import Fraction

from .lazy_import import LazyModule
np = LazyModule("numpy")
import sympy as sp
from .exact_numbers import as_sympy, is_concrete
from sympy.core.relational import Relational

from . import expr as E
from . import fast_exact
from .errors import InputError, Unsupported
from .nodes.exact import DivisionByZero, to_number
from .naming import named
from .scalar import Prim, Sw


def is_exact_zero(v) -> bool:
    if isinstance(v, (int, Fraction)):
        return v == 0
    return as_sympy(v).is_zero is True


def sign_of(v) -> int:
    if isinstance(v, (int, Fraction)):
        return (v > 0) - (v < 0)
    v = as_sympy(v)
    if v.is_zero:
        return 0
    if v.is_positive:
        return 1
    if v.is_negative:
        return -1
    raise Unsupported(f"cannot decide the sign of {v} exactly")


def switch_key(u: sp.Expr, args: tuple) -> tuple[str, int]:
    """A name for the switch u (over ``args``) that does not depend on placeholder
    numbering, and the orientation (+1/-1) of u relative to that name."""
    named = {E.placeholder(i): sp.Symbol("N" + a.key, real=True) for i, a in enumerate(args)}
    canon = Sw(u.xreplace(named))
    if isinstance(canon, Sw):
        return sp.srepr(canon.args[0]), 1
    if isinstance(canon, sp.Mul) and canon.args[0] == -1:
        return sp.srepr(canon.args[1].args[0]), -1
    return sp.srepr(canon), 1


def _transposed_override(u, args, overrides, orient):
    """The side chosen for the same switch seen through a transposed frame: transpose
    pushes into entrywise maps, so max(x,0)^T x carries the switch of x over x^T."""
    flipped = tuple(a if a is None else E.transpose(a) for a in args)
    if flipped == args:
        return None, orient
    key, forient = switch_key(u, flipped)
    over = overrides.get(key)
    return (None, orient) if over is None else (over.T, forient)


class Evaluator:
    """Evaluates nodes at one point; values are cached per node."""

    def __init__(self, values: dict[str, np.ndarray], dims: dict, overrides: dict | None = None):
        self.values = values           # Sym name -> 2-D object array
        self.dims = dims               # symbolic size -> int
        self.overrides = overrides or {}   # switch key -> object array of +-1 / None
        self.cache: dict[str, np.ndarray] = {}

    def size(self, d):
        if isinstance(d, int):
            return d
        d = as_sympy(d)
        if d.is_Integer:
            return int(d)
        v = d.xreplace({k: sp.Integer(val) for k, val in self.dims.items()})
        if not v.is_Integer:
            raise InputError(f"the size {d} is not known at this point: give --shape or values")
        return int(v)

    def shape(self, node):
        return (self.size(node.shape[0]), self.size(node.shape[1]))

    def __call__(self, node: E.Node) -> np.ndarray:
        hit = self.cache.get(node.key)
        if hit is not None:
            return hit
        out = self._eval(node)
        self.cache[node.key] = out
        return out

    def _eval(self, n: E.Node) -> np.ndarray:
        return n.value(self)

    def scalar(self, e: sp.Expr, env: dict, shape, args: tuple):
        """An entrywise body over the arguments' values, with this point's switch sides."""
        return scalar_eval(e, env, shape, self.overrides, args)


def scalar_eval(e: sp.Expr, env: dict, shape, overrides: dict, args: tuple):
    """Evaluate a scalar SymPy expression over arrays (entry by entry, exactly)."""

    def go(x):
        if x in env:
            return env[x]
        if x.is_Integer:
            return int(x)
        if x.is_Rational:
            return Fraction(int(x.p), int(x.q))
        if x.is_number and not x.free_symbols:
            return x
        if isinstance(x, sp.Add):
            acc = go(x.args[0])
            for a in x.args[1:]:
                acc = acc + go(a)
            return acc
        if isinstance(x, sp.Mul):
            acc = go(x.args[0])
            for a in x.args[1:]:
                acc = acc * go(a)
            return acc
        if isinstance(x, sp.Pow):
            base, ex = go(x.base), x.exp
            if ex.is_Integer:
                k = int(ex)
                if k >= 0:
                    return base ** k
                return _elementwise(lambda v: _inverse(v) ** (-k), base)
            return _elementwise(lambda v: to_number(sp.Pow(as_sympy(v), ex)), base)
        if isinstance(x, Sw):
            u = go(x.args[0])
            s = np.asarray(_signs(u), dtype=object)
            # a fresh array of the frame's shape is written in below as it is; else a copy
            s = s if s.shape == tuple(shape) and s is not u else np.array(np.broadcast_to(s, shape))
            key, orient = switch_key(x.args[0], args)
            over = overrides.get(key)
            if over is None and overrides:
                over, orient = _transposed_override(x.args[0], args, overrides, orient)
            if over is not None and over.shape == (1, 1) and s.shape != (1, 1):
                # a switch of scalars, broadcast over a matrix: one side for every entry
                over = np.full(s.shape, over[0, 0], dtype=object)
            chosen = np.zeros(s.shape, dtype=bool)
            if over is not None:
                chosen = np.asarray(over != None, dtype=bool)  # noqa: E711 (object array)
                s[chosen] = over[chosen] * orient
            if np.any((s == 0) & ~chosen):
                raise Unsupported("a switch is exactly on its kink where a side had to be chosen")
            return s
        if isinstance(x, Prim):
            vals = [go(a) for a in x.args]
            dummies = [sp.Dummy(real=True) for _ in x.args]
            pieces = x.spec.pieces(*dummies)
            return _select(pieces, dict(zip(dummies, vals)), shape, overrides, args)
        if isinstance(x, sp.Piecewise):
            return _select(list(x.args), env, shape, overrides, args, outer=go)
        if isinstance(x, (sp.Function,)) and len(x.args) == 1:
            inner = go(x.args[0])
            fn = x.func
            return _elementwise(lambda v: to_number(fn(as_sympy(v))), inner)
        raise Unsupported(f"cannot evaluate {x}")

    try:
        return go(e)
    except Unsupported as exc:
        raise named(exc, args) from None


# Points outside f's domain are refused before evaluating, so a 0/0 here is a formula's
# removable singularity on a kink ((-x)^(3/2)/x at x = 0), whose limit is not taken.
ZERO_DIVISION = ("unverified: a formula of the gradient is 0/0 at this point (a removable singularity "
                 "on a kink); symderiv does not take that limit here")


def _inverse(v):
    if isinstance(v, (int, Fraction)):
        if v == 0:
            raise DivisionByZero(ZERO_DIVISION)
        return Fraction(1, 1) / v
    v = as_sympy(v)
    if v.is_zero:
        raise DivisionByZero(ZERO_DIVISION)
    return to_number(1 / v)


def _signs(a):
    """sign_of entry by entry; in C where every entry is a moderate int (fast_exact)."""
    fast = fast_exact.signs(a)
    return fast if fast is not None else _elementwise(sign_of, a)


def _elementwise(fn, a):
    if isinstance(a, np.ndarray):
        return np.vectorize(fn, otypes=[object])(a)
    return fn(a)


def truth(cond, local, shape, overrides, args):
    if cond is True or cond == sp.true:
        return np.ones(shape, dtype=bool)
    if cond is False or cond == sp.false:
        return np.zeros(shape, dtype=bool)
    if isinstance(cond, Relational):
        d = scalar_eval(cond.lhs - cond.rhs, local, shape, overrides, args)
        s = _signs(d)
        s = np.broadcast_to(np.asarray(s, dtype=object), shape)
        op = cond.rel_op
        # s holds the ints -1, 0, 1 (sign_of's), so one comparison of the array decides
        table = {">": lambda v: v > 0, ">=": lambda v: v >= 0, "<": lambda v: v < 0,
                 "<=": lambda v: v <= 0, "==": lambda v: v == 0, "!=": lambda v: v != 0}
        return np.asarray(table[op](s), dtype=bool)
    if isinstance(cond, sp.And):
        out = np.ones(shape, dtype=bool)
        for c in cond.args:
            out &= truth(c, local, shape, overrides, args)
        return out
    if isinstance(cond, sp.Or):
        out = np.zeros(shape, dtype=bool)
        for c in cond.args:
            out |= truth(c, local, shape, overrides, args)
        return out
    if isinstance(cond, sp.Not):
        return ~truth(cond.args[0], local, shape, overrides, args)
    raise Unsupported(f"cannot evaluate the condition {cond}")


def _select(pieces, local, shape, overrides, args, outer=None):
    out = np.empty(shape, dtype=object)
    done = np.zeros(shape, dtype=bool)
    for value, cond in pieces:
        mask = truth(cond, local, shape, overrides, args) & ~done
        if mask.any():
            v = (outer or (lambda z: scalar_eval(z, local, shape, overrides, args)))(as_sympy(value))
            v = np.broadcast_to(np.asarray(v, dtype=object), shape) if isinstance(v, np.ndarray) else np.full(shape, v, dtype=object)
            out[mask] = v[mask]
            done |= mask
    if not done.all():
        raise Unsupported("a piecewise definition does not cover this point")
    return out


def bind_dims(f: E.Node, values: dict[str, np.ndarray]) -> dict:
    """Symbolic sizes fixed by the shapes of the given values."""
    dims: dict = {}
    for s in E.symbols_of(f):
        if s.name not in values:
            continue
        got = values[s.name].shape
        for want, have in zip(s.shape, got):
            if is_concrete(want):
                if int(want) != have:
                    raise InputError(f"{s.name} is {E.fmt_shape(s.shape)} but the value given for it "
                                     f"(--at or --let {s.name}) is {have_shape(got)}")
            else:
                prev = dims.get(want)
                if prev is not None and prev != have:
                    raise InputError(f"the size {want} is {prev} from one value and {have} from {s.name} "
                                     "(the values given with --at and --let disagree)")
                dims[want] = have
    return dims


def have_shape(shape) -> str:
    return f"{shape[0]}x{shape[1]}"
