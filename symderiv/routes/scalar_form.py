"""f written out entry by entry: one SymPy expression in the entries of a small variable,
every other symbol given a number.  The exact test of the arbiters (directional.py)
works on this form.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..lazy_import import LazyModule
np = LazyModule("numpy")
import sympy as sp

from .. import expr as E
from ..entries import entry_values
from ..errors import SymderivError
from ..exact_numbers import as_sympy, is_concrete

MAX_ENTRIES = 16            # the exact test writes f out entry by entry: small variables only

@dataclass
class Scalar:
    """f as one SymPy expression in the variable's entries (every constant a number)."""
    F: sp.Expr
    xs: list
    shape: tuple
    names: list            # how each entry is spelled ('x', 'y', 'X_11')


def scalar_form(f: E.Node, var: E.Sym, values: dict) -> Scalar | None:
    """f entry by entry at a concrete, small shape of the variable, or None."""
    if not all(is_concrete(d) for d in var.shape):
        given = values.get(var.name)
        if given is None:
            return None
        shape = tuple(given.shape)
    else:
        shape = (int(var.shape[0]), int(var.shape[1]))
    if shape[0] * shape[1] > MAX_ENTRIES:
        return None
    others = [s for s in E.symbols_of(f) if s.name != var.name]
    if any(s.name not in values for s in others):
        return None
    dims = {}
    for s in E.symbols_of(f):
        arr = values.get(s.name)
        got = tuple(arr.shape) if arr is not None else shape
        for want, have in zip(s.shape, got):
            if not is_concrete(want):
                dims[want] = have
    try:
        (F,) = entry_values(f, dims)
    except (TypeError, SymderivError, ValueError):
        return None
    known = {sp.Symbol(f"{name}[{i},{j}]", real=True): as_sympy(v)
             for name, arr in values.items() if name != var.name for (i, j), v in np.ndenumerate(arr)}
    F = F.xreplace(known)
    xs = [sp.Symbol(f"{var.name}[{i},{j}]", real=True) for i, j in np.ndindex(shape)]
    if var.parts:
        names = [getattr(p, "name", str(p)) for p in var.parts]
    elif shape == (1, 1):
        names = [var.name]
    else:
        names = [f"{var.name}_{i + 1}{j + 1}" if shape[1] > 1 else f"{var.name}_{i + 1}" for i, j in np.ndindex(shape)]
    return Scalar(F, xs, shape, names)


def point_text(S: Scalar, point: list) -> str:
    vals = [sp.sstr(as_sympy(v)) for v in point]
    if len(vals) == 1:
        return f"{S.names[0]} = {vals[0]}"
    return f"({', '.join(S.names)}) = ({', '.join(vals)})"

