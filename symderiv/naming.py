"""How the engine names, in a message, the entries its formulas are written over.

Formulas inside the engine are written over placeholders (_p0, _p1, ...) bound to the
nodes of a frame; a user reads x, y, x_ij.  Every refusal that quotes a formula passes
through ``named`` before it leaves the engine.
"""
from __future__ import annotations

import re

from . import expr as E
from .errors import SymderivError

_PLACEHOLDER = re.compile(r"\b_p(\d+)\b")


def entry_name(node: E.Node) -> str:
    """How a placeholder's node is named to a user: x, y, x_ij, x_ji, x_i."""
    if isinstance(node, E.Pick):
        return node.label or f"{entry_name(node.arg)}[{node.i + 1},{node.j + 1}]"
    if isinstance(node, E.Transpose) and isinstance(node.arg, E.Sym):
        return entry_name(node.arg)[:-2] + "_ji" if node.arg.shape[1] != 1 else entry_name(node.arg)
    if isinstance(node, E.Sym):
        if node.is_scalar:
            return node.name
        base = node.name.lower() if node.name.isupper() else node.name
        return f"{base}_i" if node.shape[1] == 1 else f"{base}_ij"
    return "an entry of an argument"


def named(exc: SymderivError, args: tuple) -> SymderivError:
    """The same refusal, with the frame's placeholders (_p0) replaced by the entries they
    stand for: a user reads 'the switch x**2 - 4*x + 4', never '_p0**2 - 4*_p0 + 4'."""
    def name(m):
        i = int(m.group(1))
        return entry_name(args[i]) if i < len(args) else "an entry"
    message = _PLACEHOLDER.sub(name, exc.message)
    if message == exc.message:
        return exc
    return type(exc)(message, column=exc.column, source=exc.source)
