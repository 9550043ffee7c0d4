"""Where f is defined and smooth apart from its kinks: the domain the verdict is about."""
from __future__ import annotations

import sympy as sp

from . import expr as E
from .bounds import QUICK_CALLS, optional_step
from .scalar import Prim, Sw


def domain_of(f: E.Node, var: E.Sym) -> list:
    """Where f is defined and smooth apart from its kinks: (node, relation) pairs such as
    (det X, '!=') for an inverse, (u, '>') for log u or sqrt u, (u, '!=') for 1/u.  The
    verdict is about this set; points outside it are not in f's domain."""
    conds, seen = [], set()

    def add(node: E.Node, rel: str):
        key = (node.key, rel)
        if key not in seen:
            seen.add(key)
            conds.append((node, rel))

    for n in E.walk(f):
        if not E.depends_on(n, var):
            continue
        if isinstance(n, E.Inverse):
            add(E.det(n.arg), "!=")
        if not isinstance(n, E.Entrywise):
            continue
        for sub in sp.preorder_traversal(n.expr):
            if isinstance(sub, sp.log):
                base, rel = sub.args[0], ">"
            elif isinstance(sub, sp.Pow) and sub.exp.is_number and not (sub.exp.is_Integer and sub.exp >= 0):
                base = sub.base
                if sub.exp.is_Integer or (sub.exp < 0 and _nonnegative(base)):
                    rel = "!="
                elif sub.exp < 0:
                    rel = ">"
                elif _nonnegative(base) and (base.has(Prim, Sw) or not _may_vanish(base)):
                    continue     # sqrt|x| is defined everywhere; its kink at 0 is found as a kink
                elif base.is_Symbol and isinstance(n.args[E.placeholder_index(base)], (E.FroNorm, E.PNorm)):
                    continue     # ‖x‖^(1/2): defined everywhere; its cusp at 0 is the norm's kink
                else:
                    # sqrt(x) is defined at 0 but only on one side of it; sqrt((x-1)^2 + y^2)
                    # has a cone at (1, 0) that no table primitive marks: either way the
                    # verdict is about u > 0, and points where u = 0 are not analysed
                    rel = ">="
            else:
                continue
            if base.is_positive or not base.free_symbols:
                continue
            node = E.ew(base, n.args, n.shape)
            if E.depends_on(node, var):
                add(node, rel)
    return conds


def _may_vanish(u: sp.Expr) -> bool:
    """Whether a smooth u >= 0 may be 0 somewhere: False only when every real critical
    point of u has u > 0 (a polynomial >= 0 with no zero: x^2 - 2x + 2)."""
    free = sorted(u.free_symbols, key=sp.default_sort_key)
    if not u.is_polynomial(*free):
        return True
    crit = optional_step(sp.solve, [sp.diff(u, v) for v in free], free, dict=True, calls=QUICK_CALLS)
    if not crit:
        return True
    for c in crit:
        if any(not val.is_real for val in c.values()) or len(c) < len(free):
            return True
        if sp.expand(u.xreplace(c)).is_positive is not True:
            return True
    return False


def _nonnegative(e: sp.Expr) -> bool:
    """Structurally >= 0 wherever defined: |u|, relu(u), even powers, sqrt, and sums and
    products of such (SymPy's assumptions do not know the table's primitives)."""
    if e.is_nonnegative:
        return True
    if isinstance(e, Prim):
        return bool(e.spec.nonneg)
    if isinstance(e, sp.Pow):
        ex = e.exp
        return bool(ex.is_number and ((ex.is_Integer and ex % 2 == 0) or not ex.is_Integer or _nonnegative(e.base)))
    if isinstance(e, (sp.Add, sp.Mul)):
        return all(_nonnegative(a) for a in e.args)
    return False
