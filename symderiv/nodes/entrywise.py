"""Everything that acts entry by entry, as one node: a SymPy scalar expression in
placeholders p0, p1, ..., each bound to an argument node of the same shape or to a 1x1
node that is broadcast.  The scalar expression *is* the generic entry, so reasoning about
it is reasoning about every entry at once, whatever the sizes are.

Sums, scalings, Hadamard products, the table's primitives and the smooth maps are all
built here, fused into one node (``ew``)."""
from __future__ import annotations

from dataclasses import dataclass

from ..lazy_import import LazyModule
np = LazyModule("numpy")
import sympy as sp

from .. import primitives, shapes
from ..errors import Unsupported
from ..exact_numbers import as_sympy, is_concrete
from ..scalar import FUNCS
from .base import _PLACEHOLDERS, SCALAR, Node, Shape, placeholder
from .transpose import transpose


@dataclass(frozen=True, eq=False)
class Entrywise(Node):
    """expr(p0, p1, ...) applied entry by entry; p_k is bound to args[k]."""
    expr: sp.Expr
    args: tuple
    shape: Shape

    # -- shape and normal form

    def children(self):
        return self.args

    def rebuild(self, children):
        return ew(self.expr, tuple(children), self.shape)

    def transposed(self):
        return ew(self.expr, tuple(transpose(x) for x in self.args), (self.shape[1], self.shape[0]))

    def _label(self):
        return f"{sp.srepr(self.expr)}:{self.shape}"

    def placeholders(self):
        return [placeholder(i) for i in range(len(self.args))]

    # -- derivative

    def vjp(self, g, partial):
        # A 1x1 argument broadcast over a matrix node gets a contribution laid out like the
        # node; the traversal sums it (calculus.adjoints), as the adjoint of a broadcast is.
        out = []
        for arg, p in zip(self.args, self.placeholders()):
            d = ew(partial(self.expr, p), self.args, self.shape)
            out.append((arg, hadamard(g, d) if g.shape == d.shape else ew_map(lambda a, b: a * b, g, d)))
        return out

    def jvp(self, d, partial):
        out = const(0, self.shape)
        for arg, p in zip(self.args, self.placeholders()):
            d_arg = d(arg)
            if is_zero_fill(d_arg):
                continue
            dp = ew(partial(self.expr, p), self.args, self.shape)
            out = add(out, ew_map(lambda a, b: a * b, dp, d_arg))
        return out

    # -- exact value

    def value(self, ev):
        shape = ev.shape(self)
        env = {}
        for p, a in zip(self.placeholders(), self.args):
            v = ev(a)
            env[p] = np.full(shape, v[0, 0], dtype=object) if v.shape == (1, 1) and shape != (1, 1) else v
        body = self.expr
        if ev.dims and body.free_symbols - set(env):
            # symbolic sizes inside an entry (the sum of J is m n): their values here
            body = body.xreplace({k: sp.Integer(v) for k, v in ev.dims.items()})
        val = ev.scalar(body, env, shape, self.args)
        if not isinstance(val, np.ndarray):
            val = np.full(shape, val, dtype=object)
        return val

    # -- PyTorch

    def torch(self, tt):
        t = tt.t
        env = {p: tt(a) for p, a in zip(self.placeholders(), self.args)}
        shape = tuple(int(d) for d in self.shape) if all(is_concrete(d) for d in self.shape) else None
        val = tt.scalar(self.expr, env)
        if not isinstance(val, t.Tensor):
            val = t.tensor(float(val), dtype=t.float64)
        if shape is not None and tuple(val.shape) != shape:
            val = val * t.ones(shape, dtype=t.float64)
        return val

    # -- entries

    def entries(self, ex, rows, cols):
        args = [ex(a) for a in self.args]
        ps = self.placeholders()

        def entry(i, j):
            binding = {p: (a[0, 0] if a.shape == (1, 1) else a[i, j]) for p, a in zip(ps, args)}
            return self.expr.xreplace({**ex.sizes, **binding})
        return sp.Matrix(rows, cols, entry)

    # -- printing

    def printed(self, pr):
        if not self.args:
            return pr.constant_fill(self.expr, self.shape)
        if not self.is_scalar and all(a.is_scalar for a in self.args):
            # a number spread over a matrix (the gradient 2 sum(x) 1 of sum(x)^2): the
            # ones say its shape, which the number alone would not
            return pr.spread(pr.expr(self.expr, self.args), self.shape)
        return pr.expr(self.expr, self.args)

    # -- curvature

    def convexity(self, rules):
        # the generic entry's own composition: the scalar rules of convexity.py
        return rules.scalar(self.expr, self.args)

    def constant_sign(self, given):
        if not self.args and self.expr.is_number:
            return "nonneg" if self.expr >= 0 else "nonpos"
        return None

    # -- kinks

    def kinks(self, kx):
        """A kink on every switch u = 0 of the entry's sign form (|u|, max(u, 0), H(u), ...);
        between its switches the entry is one smooth expression."""
        return kx.switches(self)


def const(value, shape: Shape = SCALAR) -> Node:
    return Entrywise(as_sympy(value), (), shape)


def ones(shape: Shape) -> Node:
    return const(1, shape)


def ew(expr: sp.Expr, args: tuple, shape: Shape) -> Node:
    """An entrywise node in canonical form (fused, deduplicated, args sorted)."""
    expr = as_sympy(expr)
    used_now = expr.free_symbols
    args = tuple(a if placeholder(i) in used_now else None for i, a in enumerate(args))
    for a in args:
        if a is not None:
            shapes.require_entrywise(a.shape, shape)
    # 1. inline nested entrywise nodes (of this shape, or 1x1 broadcasts)
    subs = {}
    flat: list[Node] = []
    for i, a in enumerate(args):
        p = placeholder(i)
        if a is None:
            continue
        if isinstance(a, Entrywise) and (a.shape == shape or a.is_scalar):
            tmp = [sp.Dummy() for _ in a.args]
            subs[p] = a.expr.xreplace({placeholder(j): tmp[j] for j in range(len(a.args))})
            for j, inner in enumerate(a.args):
                flat.append((tmp[j], inner))
        else:
            t = sp.Dummy()
            subs[p] = t
            flat.append((t, a))
    body = expr.xreplace(subs)
    # 2. deduplicate and order the arguments canonically
    distinct = sorted({n.key: n for _, n in flat}.values(), key=lambda n: n.key)
    used = body.free_symbols
    distinct = [n for n in distinct if any(t in used for t, m in flat if m == n)]
    index = {n.key: k for k, n in enumerate(distinct)}
    body = body.xreplace({t: placeholder(index[n.key]) for t, n in flat if n.key in index})
    if len(body.free_symbols & set(_PLACEHOLDERS[:len(distinct)])) < len(distinct):
        # merging equal arguments can make some vanish (relu(p0) - relu(p1) -> 0)
        return ew(body, tuple(distinct), shape)
    # 3. collapse the trivial cases
    if not distinct:
        return Entrywise(body, (), shape)
    if body == placeholder(0) and len(distinct) == 1 and distinct[0].shape == shape:
        return distinct[0]
    return Entrywise(body, tuple(distinct), shape)


def ew_map(fn, *nodes: Node) -> Node:
    """Apply a scalar function of placeholders entrywise, broadcasting 1x1 nodes."""
    shape = shapes.broadcast(*(n.shape for n in nodes))
    ps = [placeholder(i) for i in range(len(nodes))]
    return ew(fn(*ps), tuple(nodes), shape)


def add(a: Node, b: Node) -> Node:
    if not is_zero_fill(a) and not is_zero_fill(b):     # a zero fill adds to any shape
        shapes.require_addable(a.shape, b.shape)
    return ew_map(lambda p, q: p + q, a, b)


def sub(a: Node, b: Node) -> Node:
    return add(a, neg(b))


def neg(a: Node) -> Node:
    return ew_map(lambda p: -p, a)


def hadamard(a: Node, b: Node) -> Node:
    shapes.require_same(a.shape, b.shape, "Hadamard product")
    return ew_map(lambda p, q: p * q, a, b)


def scale(c: Node, a: Node) -> Node:
    shapes.require_scalar(c.shape, "scale: the factor")
    return ew_map(lambda p, q: p * q, c, a)


def divide(a: Node, c: Node) -> Node:
    if not c.is_scalar:
        raise Unsupported(f"division by a {shapes.fmt(c.shape)} matrix (use an inverse)")
    return ew_map(lambda p, q: p / q, a, c)


def apply(name: str, *args: Node) -> Node:
    """A table primitive or smooth map applied entrywise."""
    spec = primitives.BY_NAME.get(name)
    if spec is not None:
        fn = FUNCS[name]
        return ew_map(lambda *ps: fn(*ps), *args)
    smooth = primitives.SMOOTH_BY_NAME[name]
    return ew_map(lambda p: smooth.build(p), *args)


def is_zero_fill(n: Node) -> bool:
    return isinstance(n, Entrywise) and not n.args and n.expr == 0


def is_constant_fill(n: Node) -> bool:
    """A matrix of one constant (cJ): the normal forms leave it to the entrywise rules."""
    return isinstance(n, Entrywise) and not n.args


def scalar_factor(n: Node):
    """Split n = c * M with c scalar (a 1x1 node or None) and M the matrix part."""
    if n.is_scalar:
        return n, None
    if isinstance(n, Entrywise):
        ps = n.placeholders()
        big = [p for p, a in zip(ps, n.args) if not a.is_scalar]
        if not big and n.args == ():
            if n.expr == 1:
                return None, n
            return const(n.expr), ones(n.shape)
        if not big:
            # a broadcast scalar expression: c * J
            return ew(n.expr, n.args, SCALAR), ones(n.shape)
        # factor_terms keeps 2*(a - b) together; SymPy would distribute the 2 on rebuild
        coeff, rest = sp.factor_terms(n.expr).as_independent(*big, as_Add=False)
        if coeff != 1 and rest != 1:
            return ew(coeff, n.args, SCALAR), ew(rest, n.args, n.shape)
    return None, n
