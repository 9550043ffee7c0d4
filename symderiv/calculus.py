"""Reverse-mode differentiation of matrix expressions, symbolically.

The adjoint of every node is itself a matrix expression, so the gradient comes out in
matrix notation (2 A^T max(AX, 0)), whatever the sizes.  How an entrywise node's
scalar expression is differentiated is the one thing the two routes do differently,
so it is a parameter:
  * ``sign_partial``: differentiate the sign form with the switches held fixed (route 1);
  * ``piecewise_partial``: differentiate SymPy's Piecewise pieces (route 2).
Both are region-wise derivatives: at a switch neither is a derivative, and the
analysis, not this module, decides what happens there.
"""
from __future__ import annotations

from typing import Callable

import sympy as sp

from . import expr as E
from .errors import Unsupported
from .scalar import to_piecewise, to_sign_form


def sign_partial(e: sp.Expr, p: sp.Symbol) -> sp.Expr:
    return sp.expand(sp.diff(to_sign_form(e), p))


def piecewise_partial(e: sp.Expr, p: sp.Symbol) -> sp.Expr:
    return sp.piecewise_fold(sp.diff(to_piecewise(e), p))


Partial = Callable[[sp.Expr, sp.Symbol], sp.Expr]


def adjoints(f: E.Node, partial: Partial = sign_partial, skip=frozenset()) -> dict[str, E.Node]:
    """The adjoint (df/dnode, laid out like the node) of every node below f.

    Nodes in ``skip`` pass nothing down: the gradient of f without their contribution
    (used at the zero of a norm, where that contribution is a set, not a value)."""
    if not f.is_scalar:
        raise ValueError("adjoints of a non-scalar")
    order = E.walk(f)
    adj: dict[str, E.Node] = {f.key: E.const(1)}

    def push(node: E.Node, contribution: E.Node):
        if node.key in adj:
            adj[node.key] = E.add(adj[node.key], contribution)
        else:
            adj[node.key] = contribution

    for node in reversed(order):
        g = adj.get(node.key)
        if g is None or node.key in skip:
            continue
        if isinstance(node, E.Entrywise):
            for k, (arg, p) in enumerate(zip(node.args, node.placeholders())):
                d = E.ew(partial(node.expr, p), node.args, node.shape)
                local = E.hadamard(g, d) if g.shape == d.shape else E.ew_map(lambda a, b: a * b, g, d)
                if arg.is_scalar and not node.is_scalar:
                    push(arg, E.sum_all(local))
                else:
                    push(arg, local)
        elif isinstance(node, E.MatMul):
            fs = node.factors
            for i, fi in enumerate(fs):
                left = [E.transpose(x) for x in reversed(fs[:i])]
                right = [E.transpose(x) for x in reversed(fs[i + 1:])]
                push(fi, E.matmul(*left, g, *right))
        elif isinstance(node, E.Transpose):
            push(node.arg, E.transpose(g))
        elif isinstance(node, E.Trace):
            push(node.arg, E.scale(g, E.eye(node.arg.shape[0])))
        elif isinstance(node, E.SumAll):
            push(node.arg, E.scale(g, E.ones(node.arg.shape)))
        elif isinstance(node, E.FroNorm):
            push(node.arg, E.ew_map(lambda a, m, r: a * m / r, g, node.arg, node))
        elif isinstance(node, E.Pick):
            push(node.arg, E.scale(g, E.Unit(node.i, node.j, node.arg.shape)))
        elif isinstance(node, E.MaxEntry):
            push(node.arg, E.scale(g, E.Argmax(node.arg)))
        elif isinstance(node, E.Inverse):
            # d(M^-1) = -M^-1 dM M^-1, so the adjoint of M is -M^-T G M^-T
            t = E.transpose(node)
            push(node.arg, E.neg(E.matmul(t, g, t)))
        elif isinstance(node, E.Det):
            # d det M = tr(adj(M) dM): the adjoint of M is g adj(M)^T, defined for singular M
            # too.  Where g carries 1/det M (log det M) the det cancels and M^-T reads better;
            # f's domain then already excludes the singular M.
            if _divides_by(g, node):
                cancelled = E.ew_map(lambda a, d: a * d, g, node)
                push(node.arg, E.scale(cancelled, E.transpose(E.inverse(node.arg))))
            else:
                push(node.arg, E.scale(g, E.transpose(E.adjugate(node.arg))))
        elif isinstance(node, E.Adjugate):
            raise Unsupported("a function of adj(M): only its appearance in the gradient of det M is handled")
    return adj


def _divides_by(g: E.Node, node: E.Node) -> bool:
    """Whether g has ``node`` in a denominator (1/det M): f is then undefined where node = 0."""
    if not isinstance(g, E.Entrywise):
        return False
    mine = [p for p, a in zip(g.placeholders(), g.args) if a == node]
    return bool(mine) and any(isinstance(t, sp.Pow) and t.exp.is_negative and t.base.has(mine[0])
                              for t in sp.preorder_traversal(g.expr))


def gradient(f: E.Node, var: E.Sym, partial: Partial = sign_partial) -> E.Node:
    adj = adjoints(f, partial)
    return adj.get(var.key, E.const(0, var.shape))


def map_entrywise(node: E.Node, fn) -> E.Node:
    """Rebuild ``node`` with ``fn`` applied to every entrywise expression."""
    memo: dict[str, E.Node] = {}

    def go(n: E.Node) -> E.Node:
        if n.key in memo:
            return memo[n.key]
        kids = tuple(go(c) for c in n.children())
        if isinstance(n, E.Entrywise):
            out = E.ew(fn(n.expr), kids, n.shape)
        else:
            out = n.rebuild(kids) if kids else n
        memo[n.key] = out
        return out

    return go(node)


def directional(node: E.Node, var: E.Sym, direction: E.Node, partial: Partial = sign_partial) -> E.Node:
    """Forward mode: the derivative of ``node`` along ``direction`` (a node shaped like var)."""
    memo: dict[str, E.Node] = {}

    def zero(n):
        return E.const(0, n.shape)

    def go(n: E.Node) -> E.Node:
        if n.key in memo:
            return memo[n.key]
        if n == var:
            out = direction
        elif isinstance(n, (E.Sym, E.Eye, E.Unit, E.Argmax)):
            out = zero(n)           # Argmax is locally constant where it is defined
        elif isinstance(n, E.MaxEntry):
            out = E.inner(E.Argmax(n.arg), go(n.arg))
        elif isinstance(n, E.Inverse):
            out = E.neg(E.matmul(n, go(n.arg), n))
        elif isinstance(n, E.Det):
            out = E.trace(E.matmul(E.adjugate(n.arg), go(n.arg)))
        elif isinstance(n, E.Adjugate):
            # d adj(M) has no inverse-free closed form in matrix notation (adj(M) tr(M^-1 dM)
            # - M^-1 dM adj(M) holds only where M is invertible): not claimed for all M
            raise Unsupported("the derivative of adj(M) in matrix notation")
        elif isinstance(n, E.Pick):
            # the direction's own component: dx, dy (not x, y again)
            out = E.pick(go(n.arg), n.i, n.j, "d" + n.label if n.label else "")
        elif isinstance(n, E.Entrywise):
            out = zero(n)
            for arg, p in zip(n.args, n.placeholders()):
                d_arg = go(arg)
                if _is_zero(d_arg):
                    continue
                d = E.ew(partial(n.expr, p), n.args, n.shape)
                out = E.add(out, E.ew_map(lambda a, b: a * b, d, d_arg))
        elif isinstance(n, E.MatMul):
            out = zero(n)
            for i in range(len(n.factors)):
                d_i = go(n.factors[i])
                if _is_zero(d_i):
                    continue
                fs = list(n.factors)
                fs[i] = d_i
                out = E.add(out, E.matmul(*fs))
        elif isinstance(n, E.Transpose):
            out = E.transpose(go(n.arg))
        elif isinstance(n, E.Trace):
            out = E.trace(go(n.arg))
        elif isinstance(n, E.SumAll):
            out = E.sum_all(go(n.arg))
        elif isinstance(n, E.FroNorm):
            out = E.ew_map(lambda s, r: s / r, E.inner(n.arg, go(n.arg)), n)
        else:
            raise NotImplementedError(type(n).__name__)
        memo[n.key] = out
        return out

    return go(node)


def _is_zero(n: E.Node) -> bool:
    return isinstance(n, E.Entrywise) and not n.args and n.expr == 0
