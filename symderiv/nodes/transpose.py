"""The transpose.  Transposes live at the leaves: ``transpose()`` asks the node whether a
transpose passes into it (``Node.transposed``) and wraps it in a Transpose node only
where none does (a named matrix, a sum of its entries' ...)."""
from __future__ import annotations

from dataclasses import dataclass

from .base import Node, walk
from .base import ATOM, Template
from .base import AFFINE, INCR, SAME


@dataclass(frozen=True, eq=False)
class Transpose(Node):
    arg: Node

    # -- shape and normal form

    @property
    def shape(self):
        return (self.arg.shape[1], self.arg.shape[0])

    def children(self):
        return (self.arg,)

    def rebuild(self, children):
        return transpose(children[0])

    def transposed(self):
        return self.arg

    # -- derivative

    def vjp(self, g, partial):
        return [(self.arg, transpose(g))]

    def jvp(self, d, partial):
        return transpose(d(self.arg))

    # -- exact value

    def value(self, ev):
        return ev(self.arg).T.copy()

    # -- PyTorch

    def torch(self, tt):
        return tt(self.arg).T

    # -- entries

    def entries(self, ex, rows, cols):
        return ex(self.arg).T

    # -- printing

    notation = Template("{0}^T", r"{0}^\top", wrap=ATOM)

    def printed_entry(self, pr, swapped=False):
        return self.arg.printed_entry(pr, not swapped)

    # -- curvature

    # a linear map that keeps the entrywise order: it keeps curvature and sign
    curvature, monotone, value_sign = AFFINE, (INCR,), SAME

    # -- kinks

    def kinks(self, kx):
        return []       # linear: smooth everywhere


def transpose(a: Node) -> Node:
    if a.is_scalar:
        return a
    pushed = a.transposed()
    return Transpose(a) if pushed is None else pushed


def transposes(n: Node) -> int:
    return sum(isinstance(x, Transpose) for x in walk(n))


def orient(a: Node) -> Node:
    """Of a and its transpose, the one with fewer transposes inside (then the smaller key):
    sums, traces and norms do not see the difference, so they take the canonical one."""
    t = transpose(a)
    return min((a, t), key=lambda x: (transposes(x), x.key))
