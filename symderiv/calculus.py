"""Differentiation of matrix expressions, symbolically, in reverse and forward mode.

The adjoint of every node is itself a matrix expression, so the gradient comes out in
matrix notation (2 A^T max(AX, 0)), whatever the sizes.  Each operation declares its own
rule (``vjp`` and ``jvp`` in its module of ``symderiv.nodes``); this module walks the
expression and applies them.  How an entrywise node's
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
        for child, contribution in node.vjp(g, partial):
            if child.is_scalar and not contribution.is_scalar:
                # a 1x1 child broadcast over the node: the adjoint of a broadcast is the sum
                contribution = E.sum_all(contribution)
            push(child, contribution)
    return adj


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

    def go(n: E.Node) -> E.Node:
        if n.key in memo:
            return memo[n.key]
        out = direction if n == var else n.jvp(go, partial)
        memo[n.key] = out
        return out

    return go(node)
