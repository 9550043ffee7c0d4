"""The internal representation of matrix expressions.

Two levels keep the size out of the cost:
  * matrix nodes that mix entries (products, transposes, traces, sums, norms) are
    explicit nodes with shapes whose sizes may be symbols;
  * everything that acts entry by entry (sums, scalings, Hadamard products, the
    primitives, smooth maps) is one ``Entrywise`` node: a SymPy scalar expression in
    placeholders, each bound to a node of the same shape or to a 1x1 node that is
    broadcast.  The scalar expression *is* the generic entry, so reasoning about it
    is reasoning about every entry at once, whatever m and n are.

Constructors canonicalise as they build (fuse entrywise nodes, push transposes to the
leaves, turn tr(A^T B) into <A, B>), so structurally equal inputs give equal nodes and
the same output, byte for byte.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Union

import sympy as sp

from .exact_numbers import as_sympy

from .errors import InputError, Unsupported
from .scalar import FUNCS

Dim = Union[int, sp.Expr]
Shape = tuple

SCALAR: Shape = (1, 1)


def placeholder(i: int) -> sp.Symbol:
    return _PLACEHOLDERS[i] if i < len(_PLACEHOLDERS) else sp.Symbol(f"_p{i}", real=True)


_PLACEHOLDERS = [sp.Symbol(f"_p{i}", real=True) for i in range(64)]


def placeholder_index(p: sp.Symbol) -> int:
    return int(p.name[2:])


def is_scalar_shape(shape: Shape) -> bool:
    return shape[0] == 1 and shape[1] == 1


class Node:
    """Base of the matrix-level nodes; immutable and compared structurally."""
    shape: Shape

    def children(self) -> tuple:
        return ()

    def rebuild(self, children: tuple) -> "Node":
        return self

    @cached_property
    def key(self) -> str:
        inner = ",".join(c.key for c in self.children())
        return f"{type(self).__name__}[{self._label()}]({inner})"

    def _label(self) -> str:
        return ""

    @property
    def is_scalar(self) -> bool:
        return is_scalar_shape(self.shape)

    def __lt__(self, other):
        return self.key < other.key

    def __eq__(self, other):
        return isinstance(other, Node) and self.key == other.key

    def __hash__(self):
        return hash(self.key)


@dataclass(frozen=True, eq=False)
class Sym(Node):
    """A named matrix, vector or scalar: the variable or a constant."""
    name: str
    shape: Shape
    latex_name: str = field(default="", compare=False)
    parts: tuple = field(default=(), compare=False)   # (x, y): scalars read as one vector

    def _label(self):
        return f"{self.name}:{self.shape}"


@dataclass(frozen=True, eq=False)
class Eye(Node):
    n: Dim

    @property
    def shape(self):
        return (self.n, self.n)

    def _label(self):
        return str(self.n)


@dataclass(frozen=True, eq=False)
class MatMul(Node):
    factors: tuple

    @property
    def shape(self):
        return (self.factors[0].shape[0], self.factors[-1].shape[1])

    def children(self):
        return self.factors

    def rebuild(self, children):
        return matmul(*children)


@dataclass(frozen=True, eq=False)
class Transpose(Node):
    arg: Node

    @property
    def shape(self):
        return (self.arg.shape[1], self.arg.shape[0])

    def children(self):
        return (self.arg,)

    def rebuild(self, children):
        return transpose(children[0])


@dataclass(frozen=True, eq=False)
class Trace(Node):
    arg: Node
    shape: Shape = SCALAR

    def children(self):
        return (self.arg,)

    def rebuild(self, children):
        return trace(children[0])


@dataclass(frozen=True, eq=False)
class SumAll(Node):
    """The sum of all entries, sum_{i,j} a_ij."""
    arg: Node
    shape: Shape = SCALAR

    def children(self):
        return (self.arg,)

    def rebuild(self, children):
        return sum_all(children[0])


@dataclass(frozen=True, eq=False)
class FroNorm(Node):
    """The Frobenius norm (the 2-norm for a vector), not squared: it has its own kink at 0."""
    arg: Node
    shape: Shape = SCALAR

    def children(self):
        return (self.arg,)

    def rebuild(self, children):
        return fro_norm(children[0])


@dataclass(frozen=True, eq=False)
class Inverse(Node):
    """M^{-1} of a square matrix: defined (and smooth) where det M != 0."""
    arg: Node

    @property
    def shape(self):
        return self.arg.shape

    def children(self):
        return (self.arg,)

    def rebuild(self, children):
        return inverse(children[0])


@dataclass(frozen=True, eq=False)
class Det(Node):
    """det M of a square matrix: a polynomial in the entries, so smooth everywhere."""
    arg: Node
    shape: Shape = SCALAR

    def children(self):
        return (self.arg,)

    def rebuild(self, children):
        return det(children[0])


@dataclass(frozen=True, eq=False)
class Adjugate(Node):
    """adj M, the transposed cofactor matrix.  It is det(M) M^-1 where M is invertible,
    but a polynomial in the entries: the gradient of det M, adj(M)^T, exists at singular
    M too, where det(M) M^-T has no value."""
    arg: Node

    @property
    def shape(self):
        return self.arg.shape

    def children(self):
        return (self.arg,)

    def rebuild(self, children):
        return adjugate(children[0])


@dataclass(frozen=True, eq=False)
class MaxEntry(Node):
    """The largest entry of a matrix: a kink wherever it is attained more than once."""
    arg: Node
    shape: Shape = SCALAR

    def children(self):
        return (self.arg,)

    def rebuild(self, children):
        return max_entry(children[0])


@dataclass(frozen=True, eq=False)
class Argmax(Node):
    """The matrix with a 1 where arg is largest (defined where that place is unique): the
    gradient of max_ij a_ij with respect to a."""
    arg: Node

    @property
    def shape(self):
        return self.arg.shape

    def children(self):
        return (self.arg,)

    def rebuild(self, children):
        return Argmax(children[0])


@dataclass(frozen=True, eq=False)
class Pick(Node):
    """One entry a_ij of a matrix, as a scalar: how several scalar variables (x, y) are
    read as the entries of one vector variable."""
    arg: Node
    i: int
    j: int
    label: str = field(default="", compare=False)
    shape: Shape = SCALAR

    def children(self):
        return (self.arg,)

    def rebuild(self, children):
        return pick(children[0], self.i, self.j, self.label)

    def _label(self):
        return f"{self.i},{self.j}"


@dataclass(frozen=True, eq=False)
class Unit(Node):
    """The matrix with a single 1 at (i, j): the gradient of a picked entry."""
    i: int
    j: int
    shape: Shape

    def _label(self):
        return f"{self.i},{self.j}:{self.shape}"


@dataclass(frozen=True, eq=False)
class Entrywise(Node):
    """expr(p0, p1, ...) applied entry by entry; p_k is bound to args[k]."""
    expr: sp.Expr
    args: tuple
    shape: Shape

    def children(self):
        return self.args

    def rebuild(self, children):
        return ew(self.expr, tuple(children), self.shape)

    def _label(self):
        return f"{sp.srepr(self.expr)}:{self.shape}"

    def placeholders(self):
        return [placeholder(i) for i in range(len(self.args))]


# ---------------------------------------------------------------- constructors

def _check_same(shape_a: Shape, shape_b: Shape, what: str):
    if shape_a != shape_b:
        raise InputError(f"{what}: shapes {fmt_shape(shape_a)} and {fmt_shape(shape_b)} do not conform")


def fmt_shape(shape: Shape) -> str:
    return f"{shape[0]}x{shape[1]}"


def const(value, shape: Shape = SCALAR) -> Node:
    return Entrywise(as_sympy(value), (), shape)


def ones(shape: Shape) -> Node:
    return const(1, shape)


def eye(n: Dim) -> Node:
    return Eye(n)


def ew(expr: sp.Expr, args: tuple, shape: Shape) -> Node:
    """An entrywise node in canonical form (fused, deduplicated, args sorted)."""
    expr = as_sympy(expr)
    used_now = expr.free_symbols
    args = tuple(a if placeholder(i) in used_now else None for i, a in enumerate(args))
    for a in args:
        if a is not None and a.shape != shape and not a.is_scalar:
            raise InputError(f"entrywise operation: shapes {fmt_shape(a.shape)} and {fmt_shape(shape)} do not conform")
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


def _shape_of(*nodes: Node) -> Shape:
    big = [n.shape for n in nodes if not n.is_scalar]
    if not big:
        return SCALAR
    for s in big[1:]:
        _check_same(big[0], s, "sum or entrywise product")
    return big[0]


def ew_map(fn, *nodes: Node) -> Node:
    """Apply a scalar function of placeholders entrywise, broadcasting 1x1 nodes."""
    shape = _shape_of(*nodes)
    ps = [placeholder(i) for i in range(len(nodes))]
    return ew(fn(*ps), tuple(nodes), shape)


def add(a: Node, b: Node) -> Node:
    if a.is_scalar != b.is_scalar and not _is_zero_fill(a) and not _is_zero_fill(b):
        raise InputError(f"cannot add a scalar and a {fmt_shape((b if a.is_scalar else a).shape)} matrix; write cJ for a constant matrix")
    return ew_map(lambda p, q: p + q, a, b)


def sub(a: Node, b: Node) -> Node:
    return add(a, neg(b))


def neg(a: Node) -> Node:
    return ew_map(lambda p: -p, a)


def hadamard(a: Node, b: Node) -> Node:
    _check_same(a.shape, b.shape, "Hadamard product")
    return ew_map(lambda p, q: p * q, a, b)


def scale(c: Node, a: Node) -> Node:
    if not c.is_scalar:
        raise InputError("scale: the factor is not a scalar")
    return ew_map(lambda p, q: p * q, c, a)


def divide(a: Node, c: Node) -> Node:
    if not c.is_scalar:
        raise Unsupported(f"division by a {fmt_shape(c.shape)} matrix (use an inverse)")
    return ew_map(lambda p, q: p / q, a, c)


def squared_norm_of(a: Node) -> Node | None:
    """M when the scalar a is ‖M‖² written out: Σ m_ij², x^T x, tr(X^T X) (read the same)."""
    if isinstance(a, SumAll) and isinstance(a.arg, Entrywise) and len(a.arg.args) == 1 \
            and a.arg.expr == placeholder(0) ** 2:
        return a.arg.args[0]
    if isinstance(a, MatMul) and len(a.factors) == 2 and a.factors[1].shape[1] == 1 \
            and transpose(a.factors[1]).key == a.factors[0].key:
        return a.factors[1]
    return None


def power(a: Node, k: sp.Expr) -> Node:
    """a**k for a scalar a (a matrix power needs a square matrix and is a product)."""
    if a.is_scalar and not k.is_Integer:
        M = squared_norm_of(a)
        if M is not None:          # (x^T x)^{1/2} is ‖x‖: defined at 0, with its kink there
            return power(fro_norm(M), 2 * k)
    if a.is_scalar:
        if isinstance(a, FroNorm) and k.is_Integer and k.is_even and k > 0:
            sq = sum_all(hadamard(a.arg, a.arg))
            return sq if k == 2 else ew_map(lambda p: p ** (k // 2), sq)
        return ew_map(lambda p: p ** k, a)
    if k.is_Integer and k > 0 and a.shape[0] == a.shape[1]:
        return matmul(*([a] * int(k)))
    if k.is_Integer and k < 0 and a.shape[0] == a.shape[1]:
        inv = inverse(a)
        return matmul(*([inv] * int(-k)))
    raise Unsupported(f"power {k} of a {fmt_shape(a.shape)} matrix")


def apply(name: str, *args: Node) -> Node:
    """A table primitive or smooth map applied entrywise."""
    from . import primitives
    spec = primitives.BY_NAME.get(name)
    if spec is not None:
        fn = FUNCS[name]
        return ew_map(lambda *ps: fn(*ps), *args)
    smooth = primitives.SMOOTH_BY_NAME[name]
    return ew_map(lambda p: smooth.build(p), *args)


def _is_zero_fill(n: Node) -> bool:
    return isinstance(n, Entrywise) and not n.args and n.expr == 0


def _scalar_factor(n: Node):
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


def matmul(*factors: Node) -> Node:
    flat: list[Node] = []
    for f in factors:
        flat.extend(f.factors if isinstance(f, MatMul) else (f,))
    for left, right in zip(flat, flat[1:]):
        if left.shape[1] != right.shape[0] and not left.is_scalar and not right.is_scalar:
            raise InputError(f"product: shapes {fmt_shape(left.shape)} and {fmt_shape(right.shape)} do not conform")
    coeffs: list[Node] = []
    mats: list[Node] = []
    eyes: list[Node] = []
    for f in flat:
        c, m = _scalar_factor(f)
        if c is not None:
            coeffs.append(c)
        if isinstance(m, Eye):
            eyes.append(m)
        elif m is not None:
            mats.append(m)
    if any(_is_zero_fill(m) for m in mats):
        big = [f for f in flat if not f.is_scalar]
        return const(0, (big[0].shape[0], big[-1].shape[1]) if big else SCALAR)
    if not mats:
        body = eyes[0] if eyes else const(1)
    elif len(mats) == 1:
        body = mats[0]
    else:
        body = _ones_sum(mats) or MatMul(tuple(mats))
    if not coeffs:
        return body
    c = coeffs[0]
    for d in coeffs[1:]:
        c = ew_map(lambda p, q: p * q, c, d)
    return scale(c, body) if not body.is_scalar else ew_map(lambda p, q: p * q, c, body)


def _ones_sum(mats: list) -> Node | None:
    """1^T v, v^T 1 and 1^T M 1 are the sum of the entries: written so, they meet the rules
    sums already have (a sum of convex entries is convex; its gradient is read entry by
    entry), where a product with a ones vector would be a product of two unknowns."""
    def is_ones(m):
        return isinstance(m, Entrywise) and not m.args and m.expr == 1
    rest = list(mats)
    left = is_ones(rest[0]) and rest[0].shape[0] == 1
    right = is_ones(rest[-1]) and rest[-1].shape[1] == 1
    rest = rest[int(left):len(rest) - int(right)]
    if not (left or right) or len(rest) != 1:
        return None
    (m,) = rest
    if (left and right) or (left and m.shape[1] == 1) or (right and m.shape[0] == 1):
        return sum_all(m)
    return None


def inverse(a: Node) -> Node:
    if a.shape[0] != a.shape[1]:
        raise InputError(f"the inverse of a non-square {fmt_shape(a.shape)} matrix")
    if a.is_scalar:
        return ew_map(lambda p: 1 / p, a)
    if isinstance(a, Inverse):
        return a.arg
    if isinstance(a, Eye):
        return a
    c, m = _scalar_factor(a)
    if c is not None and m is not None and not (isinstance(m, Entrywise) and not m.args):
        return ew_map(lambda p, q: q / p, c, inverse(m))
    return Inverse(a)     # (A^T)^-1 stays as it is: transposes live at the leaves


def adjugate(a: Node) -> Node:
    if a.shape[0] != a.shape[1]:
        raise InputError(f"the adjugate of a non-square {fmt_shape(a.shape)} matrix")
    if a.is_scalar:
        return const(1)
    if isinstance(a, Eye):
        return a
    return Adjugate(a)


def det(a: Node) -> Node:
    if a.shape[0] != a.shape[1]:
        raise InputError(f"the determinant of a non-square {fmt_shape(a.shape)} matrix")
    if a.is_scalar:
        return a
    if isinstance(a, Transpose):
        return det(a.arg)
    if isinstance(a, Eye):
        return const(1)
    if isinstance(a, Inverse):
        return ew_map(lambda p: 1 / p, det(a.arg))
    if isinstance(a, MatMul) and all(f.shape[0] == f.shape[1] for f in a.factors):
        # det(AB) = det(A) det(B) for square factors
        out = det(a.factors[0])
        for f in a.factors[1:]:
            out = ew_map(lambda p, q: p * q, out, det(f))
        return out
    c, m = _scalar_factor(a)
    if c is not None and m is not None and not (isinstance(m, Entrywise) and not m.args):
        n = a.shape[0]
        return ew_map(lambda p, q: p ** n * q, c, det(m))
    return Det(a)


def max_entry(a: Node) -> Node:
    if a.is_scalar:
        return a
    if isinstance(a, Transpose):
        return max_entry(a.arg)
    return MaxEntry(a)


def pick(a: Node, i: int, j: int, label: str = "") -> Node:
    if a.is_scalar:
        return a
    if isinstance(a, Transpose):
        return pick(a.arg, j, i, label)
    if isinstance(a, Entrywise):
        return ew(a.expr, tuple(pick(x, i, j, label) if not x.is_scalar else x for x in a.args), SCALAR)
    return Pick(a, i, j, label)


def transpose(a: Node) -> Node:
    if a.is_scalar or isinstance(a, Eye):
        return a
    if isinstance(a, Inverse):
        return Inverse(transpose(a.arg))
    if isinstance(a, Adjugate):
        return Adjugate(transpose(a.arg))
    if isinstance(a, Unit):
        return Unit(a.j, a.i, (a.shape[1], a.shape[0]))
    if isinstance(a, Transpose):
        return a.arg
    if isinstance(a, MatMul):
        return matmul(*[transpose(f) for f in reversed(a.factors)])
    if isinstance(a, Entrywise):
        return ew(a.expr, tuple(transpose(x) for x in a.args), (a.shape[1], a.shape[0]))
    return Transpose(a)


def trace(a: Node) -> Node:
    if a.shape[0] != a.shape[1]:
        raise InputError(f"trace of a non-square {fmt_shape(a.shape)} matrix")
    if a.is_scalar:
        return a
    if isinstance(a, Transpose):
        return trace(a.arg)
    if isinstance(a, Eye):
        return const(a.n)
    if isinstance(a, MatMul) and len(a.factors) == 2:
        # tr(A B) = <A^T, B>: the inner-product form is what the entrywise analysis reads.
        return sum_all(hadamard(transpose(a.factors[0]), a.factors[1]))
    if isinstance(a, Entrywise):
        return sum_all(hadamard(eye(a.shape[0]), a))
    c, m = _scalar_factor(a)
    if c is not None and m is not None:
        return ew_map(lambda p, q: p * q, c, trace(m))
    return Trace(a)


def _transposes(n: Node) -> int:
    return sum(isinstance(x, Transpose) for x in walk(n))


def _orient(a: Node) -> Node:
    """Of a and its transpose, the one with fewer transposes inside (then the smaller key):
    sums, traces and norms do not see the difference, so they take the canonical one."""
    t = transpose(a)
    return min((a, t), key=lambda x: (_transposes(x), x.key))


def sum_all(a: Node) -> Node:
    if a.is_scalar:
        return a
    if isinstance(a, Transpose):
        return sum_all(a.arg)
    if isinstance(a, Entrywise) and _transposes(a):
        o = _orient(a)
        if o is not a:
            return sum_all(o)
    if isinstance(a, Eye):
        return const(a.n)
    if isinstance(a, Entrywise):
        if all(x.is_scalar for x in a.args):
            return ew(a.expr * a.shape[0] * a.shape[1], a.args, SCALAR)
        c, m = _scalar_factor(a)
        if c is not None and m is not None and not (isinstance(m, Entrywise) and not m.args):
            return ew_map(lambda p, q: p * q, c, sum_all(m))
    return SumAll(a)


def fro_norm(a: Node) -> Node:
    if isinstance(a, Transpose):
        return fro_norm(a.arg)
    if isinstance(a, (Entrywise, MatMul)) and _transposes(a):
        o = _orient(a)
        if o is not a and o != a:
            return fro_norm(o)
    if a.is_scalar:
        return apply("abs", a)
    c, m = _scalar_factor(a)
    if c is not None and m is not None and not (isinstance(m, Entrywise) and not m.args):
        return ew_map(lambda p, q: p * q, apply("abs", c), fro_norm(m))
    return FroNorm(a)


def inner(a: Node, b: Node) -> Node:
    _check_same(a.shape, b.shape, "inner product")
    return sum_all(hadamard(a, b))


# ---------------------------------------------------------------- traversal

def frame(*nodes: Node):
    """Common placeholders for several nodes of one shape (1x1 ones broadcast).

    Returns (args, exprs): each node's entry as an expression over one shared list of
    argument nodes, so that facts about one entry of each can be combined.
    """
    shape = _shape_of(*nodes)
    tags = [sp.Dummy(f"t{i}") for i in range(len(nodes))]
    combined = ew(sum(t * placeholder(i) for i, t in enumerate(tags)), nodes, shape)
    if isinstance(combined, Entrywise):
        args, body = combined.args, combined.expr
    else:
        args, body = (combined,), placeholder(0) * sum(tags)
    return args, [sp.diff(body, t) for t in tags]


def walk(node: Node):
    """Every distinct node below (and including) ``node``, children before parents."""
    seen: dict[str, Node] = {}
    order: list[Node] = []
    stack = [(node, False)]
    while stack:
        n, done = stack.pop()
        if done:
            if n.key not in seen:
                seen[n.key] = n
                order.append(n)
            continue
        if n.key in seen:
            continue
        stack.append((n, True))
        for c in reversed(n.children()):
            stack.append((c, False))
    return order


def count_nodes(node: Node) -> int:
    return len(walk(node))


def substitute(node: Node, mapping: dict) -> Node:
    """Replace nodes (by key) and rebuild, re-canonicalising on the way up."""
    memo: dict[str, Node] = {}

    def go(n: Node) -> Node:
        if n.key in mapping:
            return mapping[n.key]
        if n.key in memo:
            return memo[n.key]
        kids = n.children()
        out = n.rebuild(tuple(go(c) for c in kids)) if kids else n
        memo[n.key] = out
        return out

    return go(node)


def depends_on(node: Node, var: Node) -> bool:
    return any(n == var for n in walk(node))


def symbols_of(node: Node) -> list:
    return sorted({n.key: n for n in walk(node) if isinstance(n, Sym)}.values(), key=lambda s: s.name)


# ---------------------------------------------------------------- the analysis form

def fuse_sums(node: Node) -> Node:
    """Merge sums over entries of same-shaped matrices into one sum, and split an entrywise
    body that mixes A and A^T into separately oriented parts first.

    sum(max(X,0)) - sum(max(-X,0)) and sum_ij (max(x_ij,0) - max(-x_ji,0)) are both
    sum(X): the kinks cancel only once both terms sit in one entry.  Display keeps the
    user's structure; the analysis works on this form."""
    memo: dict[str, Node] = {}

    def go(n: Node) -> Node:
        if n.key in memo:
            return memo[n.key]
        kids = tuple(go(c) for c in n.children())
        out = n.rebuild(kids) if kids else n
        if isinstance(out, SumAll):
            out = _split_aliases(out)
        if isinstance(out, Entrywise) and out.is_scalar:
            out = _merge_sums(out)
        memo[n.key] = out
        return out

    return go(node)


def _split_aliases(s: SumAll) -> Node:
    """sum(E[g(p) + h(q)]) with q bound to p's transpose: sum each part in its own
    orientation (sums do not see a transpose)."""
    a = s.arg
    if not isinstance(a, Entrywise) or not _transposes(a):
        return s
    body = sp.expand(a.expr)
    if not isinstance(body, sp.Add):
        return s
    parts: dict = {}
    for term in body.args:
        used = frozenset(i for i, ph in enumerate(a.placeholders()) if term.has(ph) and not a.args[i].is_scalar)
        parts.setdefault(used, []).append(term)
    if len(parts) < 2:
        return s
    sums = [sum_all(_orient(ew(sp.Add(*terms), a.args, a.shape))) for terms in parts.values()]
    total = sums[0]
    for x in sums[1:]:
        total = add(total, x)
    return total


def _merge_sums(n: Entrywise) -> Node:
    """c1 sum(M1) + c2 sum(M2) + rest -> sum(c1 M1 + c2 M2) + rest, for same-shaped M's."""
    ps = n.placeholders()
    sums = [(p, a) for p, a in zip(ps, n.args) if isinstance(a, SumAll)]
    if len(sums) < 2:
        return n
    body = sp.expand(n.expr)
    groups: dict = {}
    rest = sp.Integer(0)
    sum_ps = {p for p, _ in sums}
    for term in sp.Add.make_args(body):
        used = [p for p in sum_ps if term.has(p)]
        if len(used) == 1:
            coeff = sp.cancel(term / used[0])
            if not coeff.has(*sum_ps):
                arg = dict(sums)[used[0]].arg
                groups.setdefault(arg.shape, []).append((coeff, arg))
                continue
        rest += term
    if all(len(g) < 2 for g in groups.values()):
        return n
    pieces = [rest]
    extra_args = list(n.args)
    for shape, members in groups.items():
        if len(members) == 1:
            coeff, arg = members[0]
            extra_args.append(SumAll(arg) if not isinstance(arg, SumAll) else arg)
            pieces.append(coeff * placeholder(len(extra_args) - 1))
            continue
        # one entrywise body: coefficients are scalar expressions, broadcast over entries
        merged_terms = [ew(coeff * placeholder(len(n.args)), n.args + (arg,), shape) for coeff, arg in members]
        merged = merged_terms[0]
        for m in merged_terms[1:]:
            merged = add(merged, m)
        extra_args.append(sum_all(merged))
        pieces.append(placeholder(len(extra_args) - 1))
    return ew(sp.Add(*pieces), tuple(extra_args), SCALAR)
