"""The largest entry max_ij a_ij, and its gradient where the place is unique: Argmax, the
matrix with a 1 there."""
from __future__ import annotations

from dataclasses import dataclass

from .base import SCALAR, Node, Shape
from .entrywise import const, scale
from .sum_all import inner
from .transpose import Transpose


@dataclass(frozen=True, eq=False)
class MaxEntry(Node):
    """The largest entry of a matrix: a kink wherever it is attained more than once."""
    arg: Node
    shape: Shape = SCALAR

    # -- shape and normal form

    def children(self):
        return (self.arg,)

    def rebuild(self, children):
        return max_entry(children[0])

    # -- derivative

    def vjp(self, g, partial):
        return [(self.arg, scale(g, Argmax(self.arg)))]

    def jvp(self, d, partial):
        return inner(Argmax(self.arg), d(self.arg))

    # -- exact value

    # -- PyTorch

    # -- entries

    # -- printing

    # -- curvature

    # -- kinks


def max_entry(a: Node) -> Node:
    if a.is_scalar:
        return a
    if isinstance(a, Transpose):
        return max_entry(a.arg)
    return MaxEntry(a)


@dataclass(frozen=True, eq=False)
class Argmax(Node):
    """The matrix with a 1 where arg is largest (defined where that place is unique): the
    gradient of max_ij a_ij with respect to a."""
    arg: Node

    # -- shape and normal form

    @property
    def shape(self):
        return self.arg.shape

    def children(self):
        return (self.arg,)

    def rebuild(self, children):
        return Argmax(children[0])

    # -- derivative

    # Argmax is locally constant where it is defined: nothing passes to its argument.
    def vjp(self, g, partial):
        return []

    def jvp(self, d, partial):
        return const(0, self.shape)

    # -- exact value

    # -- PyTorch

    # -- entries

    # -- printing

    # -- curvature

    # -- kinks
