"""The linear pieces of a piecewise linear f'(p; ·) whose switches are nested.

``directional._piece_gradients`` enumerates the sign cells of switches that are linear in
the direction D.  A max of sums of absolute values (the induced norms ‖X‖_1 and ‖X‖_∞ at a
tie, or at 0) has switches inside switches: max(|d_1| + |d_2|, |d_3| + |d_4|) switches on
|d_1| + |d_2| - |d_3| - |d_4|, which is linear only once the inner signs are fixed.  Here
the inner signs are fixed first, cell by cell (each cell checked to be open by an exact
LP), which makes the outer switches linear in turn.  The gradients found are those of
f'(p; ·) on open cells, so for a convex f their hull is the Clarke set at p.
"""
from __future__ import annotations

import sympy as sp

from .errors import Unsupported
from .lp import linear_rows, open_cell
from .scalar import Sw, to_sign_form

MAX_CELLS = 2048


def nested_piece_gradients(h: sp.Expr, ds: list) -> list | None:
    """The gradients (lists in the order of ds) of h's pieces on its open cells, or None
    when a switch stays non-linear or the cells are too many to enumerate."""
    try:
        form = sp.expand(to_sign_form(h))
    except Unsupported:
        return None
    out: list = []
    budget = [MAX_CELLS]

    def go(form, forms, signs) -> bool:
        budget[0] -= 1
        if budget[0] < 0:
            return False
        atoms = sorted(form.atoms(Sw), key=sp.default_sort_key)
        if not atoms:
            g = [sp.expand(sp.diff(form, d)) for d in ds]
            if any(e.free_symbols & set(ds) for e in g):
                return False            # not piecewise linear
            if g not in out:
                out.append(g)
            return True
        flat = [a for a in atoms if not a.args[0].atoms(Sw) and linear_rows([a.args[0]], ds) is not None]
        if not flat:
            return False
        a = flat[0]
        for s in (1, -1):
            ok = open_cell(forms + [a.args[0]], signs + [s], ds)
            if ok is None:
                return False
            if ok and not go(sp.expand(form.xreplace({a: s})), forms + [a.args[0]], signs + [s]):
                return False
        return True

    try:
        done = go(form, [], [])
    except Unsupported:
        return None
    return out if done and out else None
