"""The internal representation of matrix expressions, and what works across operations.

Two levels keep the size out of the cost:
  * matrix nodes that mix entries (products, transposes, traces, sums, norms) are
    explicit nodes with shapes whose sizes may be symbols;
  * everything that acts entry by entry (sums, scalings, Hadamard products, the
    primitives, smooth maps) is one ``Entrywise`` node: a SymPy scalar expression in
    placeholders, each bound to a node of the same shape or to a 1x1 node that is
    broadcast.  The scalar expression *is* the generic entry, so reasoning about it
    is reasoning about every entry at once, whatever m and n are.

Each operation is declared once, in its own module of ``symderiv.nodes``, with its
constructor; this module re-exports them under the names the engine has always used,
and holds what spans several operations (powers, traversal, substitution, the fused
analysis form).

Constructors canonicalise as they build (fuse entrywise nodes, push transposes to the
leaves, turn tr(A^T B) into <A, B>), so structurally equal inputs give equal nodes and
the same output, byte for byte.
"""
from __future__ import annotations

import sympy as sp

from .errors import Unsupported
# Every operation and its constructor, as symderiv/nodes/__init__.py lists them: a new
# operation is declared there once, and reaches every ``E.name`` caller from there.
from .nodes import *  # noqa: F401,F403
# the names this module's own functions use, spelled out for readers and linters
from .nodes import Entrywise, FroNorm, MatMul, Node, SumAll, Sym, add, ew, ew_map, fmt_shape, fro_norm, \
    hadamard, inverse, matmul, placeholder, sum_all, transpose, walk
from .nodes.entrywise import shape_of as _shape_of       # build.py reads it as E._shape_of
from .nodes.transpose import orient as _orient, transposes as _transposes


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
