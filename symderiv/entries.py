"""Every entry of a matrix expression as a SymPy expression in its leaves' entries.

The checker expands both sides of a step this way at small concrete sizes, and the
analysis expands f when --let fixes every constant and the variable is small: kinks of
bound rows that cancel (c^T max(Ax, 0) with parallel rows of A) only show entry by entry.
"""
from __future__ import annotations

import sympy as sp

from . import expr as E
from .exact_numbers import as_sympy, is_concrete


def entry_values(node: E.Node, dims: dict) -> list:
    """Every entry of the node at the given sizes, over one symbol per variable entry."""
    cache: dict = {}
    sizes = {k: sp.Integer(v) for k, v in dims.items()}

    def size(d):
        return int(d) if is_concrete(d) else int(as_sympy(d).xreplace({k: sp.Integer(v) for k, v in dims.items()}))

    def go(n):
        if n.key in cache:
            return cache[n.key]
        r, c = size(n.shape[0]), size(n.shape[1])
        if isinstance(n, E.Sym):
            out = sp.Matrix(r, c, lambda i, j: sp.Symbol(f"{n.name}[{i},{j}]", real=True))
        elif isinstance(n, E.Eye):
            out = sp.eye(r)
        elif isinstance(n, E.MatMul):
            out = go(n.factors[0])
            for f in n.factors[1:]:
                g = go(f)
                out = out * g if out.shape[1] == g.shape[0] else (out[0, 0] * g if out.shape == (1, 1) else out * g[0, 0])
        elif isinstance(n, E.Transpose):
            out = go(n.arg).T
        elif isinstance(n, E.Trace):
            out = sp.Matrix([[go(n.arg).trace()]])
        elif isinstance(n, E.SumAll):
            out = sp.Matrix([[sum(go(n.arg))]])
        elif isinstance(n, E.FroNorm):
            out = sp.Matrix([[sp.sqrt(sum(v ** 2 for v in go(n.arg)))]])
        elif isinstance(n, E.Det):
            out = sp.Matrix([[go(n.arg).det(method="berkowitz")]])
        elif isinstance(n, E.Adjugate):
            out = go(n.arg).adjugate(method="berkowitz")
        elif isinstance(n, E.Inverse):
            m = go(n.arg)
            out = m.adjugate(method="berkowitz") / m.det(method="berkowitz")
        elif isinstance(n, E.MaxEntry):
            # the largest entry as nested max(a, b) of the table: equal entries merge
            # (max(u, u) = u), which is how ties of identical rows cancel
            from .scalar import FUNCS
            vals = list(dict.fromkeys(go(n.arg)))
            top = vals[0]
            for v in vals[1:]:
                top = FUNCS["max"](top, v)
            out = sp.Matrix([[top]])
        elif isinstance(n, E.Entrywise):
            args = [go(a) for a in n.args]
            ps = n.placeholders()

            def entry(i, j):
                binding = {p: (a[0, 0] if a.shape == (1, 1) else a[i, j]) for p, a in zip(ps, args)}
                return n.expr.xreplace({**sizes, **binding})
            out = sp.Matrix(r, c, entry)
        else:
            raise TypeError(type(n).__name__)
        cache[n.key] = out
        return out

    return list(go(node))
