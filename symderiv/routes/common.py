"""What a derivation step is (prose plus formulas that a renderer can spell), and what a
route returns (``RouteResult``: its gradient, its steps, its verdict at each boundary).

Formulas hold nodes and scalar expressions, never strings of mathematics, so the same
step prints as text, as LaTeX, and in JSON without the routes knowing how.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from .. import expr as E


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
    boundaries: list               # (u, args, differentiable across u = 0: bool, branch (p, root) or None)
    switch_names: dict = field(default_factory=dict)
