"""One entry a_ij of a matrix, as a scalar: how several scalar variables (x, y) are read
as the entries of one vector variable."""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from . import exact
from .base import SCALAR, Node, Shape
from .base import ATOM
from .base import AFFINE, INCR, SAME
from .entrywise import Entrywise, ew, scale
from .leaves import Unit
from .transpose import Transpose


@dataclass(frozen=True, eq=False)
class Pick(Node):
    """One entry a_ij of a matrix, as a scalar: how several scalar variables (x, y) are
    read as the entries of one vector variable."""
    arg: Node
    i: int
    j: int
    label: str = field(default="", compare=False)
    shape: Shape = SCALAR

    # -- shape and normal form

    def children(self):
        return (self.arg,)

    def rebuild(self, children):
        return pick(children[0], self.i, self.j, self.label)

    def _label(self):
        return f"{self.i},{self.j}"

    # -- derivative

    def vjp(self, g, partial):
        return [(self.arg, scale(g, Unit(self.i, self.j, self.arg.shape)))]

    def jvp(self, d, partial):
        # the direction's own component: dx, dy (not x, y again)
        return pick(d(self.arg), self.i, self.j, "d" + self.label if self.label else "")

    # -- exact value

    def value(self, ev):
        return exact.scalar(ev(self.arg)[self.i, self.j])

    # -- PyTorch

    def torch(self, tt):
        return tt(self.arg)[self.i:self.i + 1, self.j:self.j + 1]

    # -- entries

    def entries(self, ex, rows, cols):
        return sp.Matrix([[ex(self.arg)[self.i, self.j]]])

    # -- printing

    def printed(self, pr):
        if self.label:
            return pr.name(self.label), ATOM
        inner = pr.child(self.arg, ATOM)
        if self.arg.shape[1] == 1 and self.j == 0:       # an entry of a column vector: x_2
            return pr.subscript(inner, f"{self.i + 1}"), ATOM
        return pr.subscript(inner, f"{self.i + 1}{self.j + 1}"), ATOM

    # -- curvature

    # a linear map that keeps the entrywise order: it keeps curvature and sign
    curvature, monotone, value_sign = AFFINE, (INCR,), SAME

    # -- kinks

    def kinks(self, kx):
        return []       # linear: smooth everywhere


def pick(a: Node, i: int, j: int, label: str = "") -> Node:
    if a.is_scalar:
        return a
    if isinstance(a, Transpose):
        return pick(a.arg, j, i, label)
    if isinstance(a, Entrywise):
        return ew(a.expr, tuple(pick(x, i, j, label) if not x.is_scalar else x for x in a.args), SCALAR)
    return Pick(a, i, j, label)
