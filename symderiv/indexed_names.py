"""Indexed names inside sums, rewritten before shapes are inferred: x_i as the i-th
entry of a vector x, x_{12} as an entry of X, and w^T x_i as a row of the data matrix X
(the i-th sample), as machine learning writes it.
"""
from __future__ import annotations

import dataclasses

from . import shapes as SH
from . import syntax as S
from .errors import Unsupported, shown_column


def vector_entries(term: S.Term) -> S.Term:
    """Inside a sum over i, the name x_i is the i-th entry of the vector x (the parser reads
    a one-letter subscript as part of the name, which is right everywhere else)."""

    def go(t, indices):
        if isinstance(t, (S.Sum, S.Reduce)):
            inner = indices | set(t.indices)
            return dataclasses.replace(t, body=go(t.body, inner))
        if isinstance(t, S.Name):
            base, _, sub = t.name.partition("_")
            if indices and sub in indices and len(base) == 1 and base.isalpha():
                return S.Entry(base, (sub,), t.span)
            if len(sub) == 2 and sub.isdigit() and len(base) == 1 and base.isalpha():
                return S.Entry(base, (sub[0], sub[1]), t.span)      # x_{12}: the (1,2) entry
            return t
        return _rebuild(t, lambda x: go(x, indices))

    return go(term, frozenset())


def sample_rows(term: S.Term, found: list) -> S.Term:
    """w^T x_i, x_i^T w, <w, x_i> inside a sum over i: x_i is the i-th sample, a vector,
    as machine learning writes it (\\sum_i \\max(0, 1 - y_i w^T x_i)); the samples are
    the rows of a data matrix X and the product is (Xw)_i.  Only the product of a sample
    with a vector of lower-case letters is read so; any other use of x_i stays an entry
    of a vector x (and a clash is refused by build)."""

    def sample(t, indices):
        if isinstance(t, S.Name):
            base, _, sub = t.name.partition("_")
            if sub in indices and len(base) == 1 and base.islower() and base.isalpha():
                return base, sub
        return None

    def vector(t, indices) -> bool:
        names = S.names_in(t)
        return bool(names) and all(n.isalpha() and n.islower() and not sample(S.Name(n), indices)
                                   for n in names) and not any(isinstance(x, S.Entry) for x in SH.entries(t))

    def row(base, sub, other, span, indices):
        found.append((base, sub))
        return S.GroupEntry(S.BinOp("*", S.Name(base.upper(), span), go(other, indices), span), (sub,), span)

    def pair(left, right, span, indices):
        if not isinstance(left, S.Transpose) or isinstance(right, S.Transpose):
            return None
        s = sample(right, indices)                        # w^T x_i
        if s and vector(left.arg, indices):
            return row(*s, left.arg, span, indices)
        s = sample(left.arg, indices)                     # x_i^T w
        if s and vector(right, indices):
            return row(*s, right, span, indices)
        return None

    def go(t, indices):
        if isinstance(t, (S.Sum, S.Reduce)):
            return dataclasses.replace(t, body=go(t.body, indices | set(t.indices)))
        if indices and isinstance(t, S.Inner):
            for a, b in ((t.left, t.right), (t.right, t.left)):
                s = sample(b, indices)
                if s and vector(a, indices):
                    return row(*s, a, t.span, indices)
        if indices and isinstance(t, S.BinOp) and t.op == "*" and sample(t.right, indices) \
                and isinstance(_last_factor(t.left), S.Name) and _last_factor(t.left).name[:1].isupper():
            # W x_i: a matrix times a sample is a vector per sample, beyond a sum of numbers
            raise Unsupported(f"{t.right.name} is a sample here (a matrix times it, at column {shown_column(t.span[0])}); sums "
                              "over samples are read in the forms w^T x_i and <w, x_i>; write the batch form with "
                              "the data matrix X, whose rows are the samples (W X^T for every W x_i)",
                              column=t.span[0])
        if indices and isinstance(t, S.BinOp) and t.op == "*":
            direct = pair(t.left, t.right, t.span, indices)
            if direct is not None:
                return direct
            if isinstance(t.left, S.BinOp) and t.left.op == "*":   # y_i w^T x_i: (y_i w^T) x_i
                last = pair(t.left.right, t.right, (t.left.right.span[0], t.span[1]), indices)
                if last is not None:
                    return S.BinOp("*", go(t.left.left, indices), last, t.span)
        return _rebuild(t, lambda x: go(x, indices))

    return go(term, frozenset())


def _last_factor(t):
    while isinstance(t, S.BinOp) and t.op == "*":
        t = t.right
    return t


def _rebuild(t, go):
    """t with go applied to each child term (in tuples too)."""
    if not isinstance(t, S.Term) or not dataclasses.is_dataclass(t):
        return t
    changes = {}
    for f in dataclasses.fields(t):
        v = getattr(t, f.name)
        if isinstance(v, S.Term):
            nv = go(v)
        elif isinstance(v, tuple):
            nv = tuple(go(x) if isinstance(x, S.Term) else
                       (tuple(go(y) if isinstance(y, S.Term) else y for y in x) if isinstance(x, tuple) else x)
                       for x in v)
        else:
            continue
        if nv is not v and nv != v:
            changes[f.name] = nv
    return dataclasses.replace(t, **changes) if changes else t
