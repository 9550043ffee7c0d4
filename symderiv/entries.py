"""Every entry of a matrix expression as a SymPy expression in its leaves' entries.

The checker expands both sides of a step this way at small concrete sizes, and the
analysis expands f when --let fixes every constant and the variable is small: kinks of
bound rows that cancel (c^T max(Ax, 0) with parallel rows of A) only show entry by entry.
Each operation writes its own entries (``entries`` in its module of ``symderiv.nodes``);
this module fixes the sizes and walks the expression.
"""
from __future__ import annotations

import sympy as sp

from . import expr as E
from .exact_numbers import as_sympy, is_concrete


class _Entries:
    """A node's entries at fixed sizes, cached per node; ``sizes`` maps size symbols to
    their values (an entrywise body may hold a size: the sum of J is m n)."""

    def __init__(self, dims: dict):
        self.dims = dims
        self.sizes = {k: sp.Integer(v) for k, v in dims.items()}
        self.cache: dict = {}

    def size(self, d) -> int:
        return int(d) if is_concrete(d) else int(as_sympy(d).xreplace(self.sizes))

    def __call__(self, n: E.Node) -> sp.Matrix:
        if n.key not in self.cache:
            self.cache[n.key] = n.entries(self, self.size(n.shape[0]), self.size(n.shape[1]))
        return self.cache[n.key]


def entry_values(node: E.Node, dims: dict) -> list:
    """Every entry of the node at the given sizes, over one symbol per variable entry."""
    return list(_Entries(dims)(node))
