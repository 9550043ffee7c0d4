"""Cases and indicators ({1 if x > 0; 0 otherwise}, 1[x > 0]) read into one piecewise
entrywise node: the rows' conditions, and whether together they cover every value.
"""
from __future__ import annotations

import sympy as sp

from . import expr as E
from . import shapes as SH
from . import syntax as S
from .errors import InputError, Unsupported


def read_cases(b, t: S.Term) -> E.Node:
    """A cases term or an indicator as one piecewise entrywise node (``b`` the builder)."""
    rows = [(S.Num("1"), t.cond), (S.Num("0"), None)] if isinstance(t, S.Indicator) else list(t.rows)
    values = [b.node(v) for v, _ in rows]
    conds = []
    for _, c in rows:
        conds.append(None if c is None else _condition(b, c))
    nodes = list(values)
    for c in conds:
        if c is not None:
            nodes.extend(side for _, side in c)
    big = next((n.shape for n in nodes if not n.is_scalar), None)
    if big is not None and b.in_index_body():
        # inside \sum_{i,j}: a constant row (1 otherwise, x_ij > 1) is a number per entry
        nodes = [E.const(n.expr, big) if n.is_scalar and isinstance(n, E.Entrywise) and not n.args else n
                 for n in nodes]
    args, exprs = E.frame(*nodes)
    vals = exprs[:len(values)]
    rest = exprs[len(values):]
    pieces, bounds = [], []
    for v, c in zip(vals, conds):
        if c is None:
            pieces.append((v, True))
            continue
        cond = sp.true
        for op, _ in c:
            diff = rest.pop(0)
            bounds.append(diff)
            cond = sp.And(cond, _relation(op, diff))
        pieces.append((v, cond))
    shape = SH.broadcast(*(n.shape for n in nodes))
    if pieces[-1][1] is not True:
        covers = _covers_everything([c for _, c in pieces])
        if covers is True:     # the last row holds wherever the others do not
            pieces[-1] = (pieces[-1][0], True)
        elif covers is False:
            on_edges = sp.Or(*(sp.Eq(d, 0) for d in dict.fromkeys(bounds)))
            if _covers_everything([c for _, c in pieces] + [on_edges]) is True \
                    and b.gap_on_edges([E.ew(d, args, shape) for d in dict.fromkeys(bounds)]):
                pieces[-1] = (pieces[-1][0], True)
            else:
                raise Unsupported("the cases leave some values undefined (no row holds there): add a row "
                                  "with \\text{otherwise}, or conditions that cover every value",
                                  column=t.span[0], source=b.source)
        else:
            b.note("cases that cover nothing else are undefined elsewhere")
            pieces.append((sp.nan, True))
    return E.ew(sp.Piecewise(*pieces), args, shape)


def _condition(b, c: S.Term) -> list:
    """A condition as [(op, node for lhs - rhs)], chains a < x <= b split in two."""
    if isinstance(c, S.Rel):
        if isinstance(c.left, S.Rel):
            inner = _condition(b, c.left)
            mid = c.left.right
            return inner + [(c.op, _minus(b.node(mid), b.node(c.right)))]
        return [(c.op, _minus(b.node(c.left), b.node(c.right)))]
    raise InputError("a condition must be a comparison such as x > 0", column=getattr(c, "span", (0, 0))[0], source=b.source)


def _minus(a: E.Node, b: E.Node) -> E.Node:
    """a - b for a condition: x_ij > 1 compares every entry with the number."""
    return E.ew_map(lambda p, q: p - q, a, b) if a.is_scalar != b.is_scalar else E.sub(a, b)


def _relation(op: str, d: sp.Expr):
    return {">": d > 0, ">=": d >= 0, "<": d < 0, "<=": d <= 0, "=": sp.Eq(d, 0), "!=": sp.Ne(d, 0)}[op]


def _covers_everything(conds) -> bool | None:
    """True when the conditions of the cases cover every real value (x > 0 and x <= 0
    do), False when they leave a gap (x > 0 and x < -1), None when not decided here."""
    whole = sp.Or(*conds)
    if whole == sp.true:
        return True
    if len(whole.free_symbols) != 1 or whole.atoms(sp.Function):
        return None
    try:
        return whole.as_set() == sp.S.Reals
    except Exception:           # noqa: BLE001 - SymPy cannot solve it: not decided
        return None
