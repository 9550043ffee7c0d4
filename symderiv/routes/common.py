"""What a derivation step is: prose plus formulas that a renderer can spell.

Formulas hold nodes and scalar expressions, never strings of mathematics, so the same
step prints as text, as LaTeX, and in JSON without the routes knowing how.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from .. import expr as E
from ..evaluate import switch_key
from ..scalar import Sw, to_sign_form


@dataclass(frozen=True)
class Math:
    """Something to spell: a node (matrix notation), a scalar expression over ``args``
    (matrix notation, or one generic entry when ``entry``), or literal text/LaTeX."""
    node: E.Node | None = None
    expr: sp.Expr | None = None
    args: tuple = ()
    entry: bool = False
    text: str | None = None
    latex: str | None = None
    wrap: tuple | None = None      # (text format, LaTeX format) around the spelled math, "{}"


def lit(text: str, latex: str | None = None) -> Math:
    return Math(text=text, latex=latex if latex is not None else text)


@dataclass
class Line:
    lhs: Math
    rel: str
    rhs: Math
    note: str = ""


@dataclass
class Step:
    title: str
    prose: str = ""
    lines: list = field(default_factory=list)


@dataclass
class RouteResult:
    name: str
    gradient: E.Node               # read back with the table's primitives
    raw_gradient: E.Node           # as the route produced it (sign form / Piecewise)
    steps: list
    boundaries: list               # (switch key, differentiable across it: bool)
    switch_names: dict = field(default_factory=dict)


def switches_in(f: E.Node, var: E.Sym) -> list:
    """(key, u, args, shape) for every switch of f that moves with var, in a stable order."""
    from ..analysis import variable_placeholders
    seen, out = set(), []
    for n in E.walk(f):
        if not isinstance(n, E.Entrywise):
            continue
        V = set(variable_placeholders(n.args, var))
        form = to_sign_form(n.expr)
        for atom in sorted(form.atoms(Sw), key=sp.default_sort_key):
            u = atom.args[0]
            if not (u.free_symbols & V):
                continue
            key, orient = switch_key(u, n.args)
            if key in seen:
                continue
            seen.add(key)
            out.append((key, u if orient == 1 else -u, n.args, n.shape))
    return out


def name_switches(switches: list) -> dict:
    """S, S_2, S_3, ... for matrices of signs; s, s_2 for scalars."""
    names = {}
    for i, (key, u, args, shape) in enumerate(switches):
        base = "S" if not E.is_scalar_shape(shape) else "s"
        names[key] = base if i == 0 else f"{base}_{i + 1}"
    return names
