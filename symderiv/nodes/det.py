"""The determinant det M and the adjugate adj M (the transposed cofactor matrix), one
family: adj(M)^T is the gradient of det M, and it exists where M^-1 does not."""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import InputError
from .base import SCALAR, Node, Shape, fmt_shape
from .entrywise import const, ew_map, is_constant_fill, scalar_factor
from .inverse import Inverse
from .leaves import Eye
from .matmul import MatMul
from .transpose import Transpose, transpose


@dataclass(frozen=True, eq=False)
class Det(Node):
    """det M of a square matrix: a polynomial in the entries, so smooth everywhere."""
    arg: Node
    shape: Shape = SCALAR

    # -- shape and normal form

    def children(self):
        return (self.arg,)

    def rebuild(self, children):
        return det(children[0])

    # -- derivative

    # -- exact value

    # -- PyTorch

    # -- entries

    # -- printing

    # -- curvature

    # -- kinks


def det(a: Node) -> Node:
    if a.shape[0] != a.shape[1]:
        raise InputError(f"the determinant of a non-square {fmt_shape(a.shape)} matrix")
    if a.is_scalar:
        return a
    if isinstance(a, Transpose):
        return det(a.arg)
    if isinstance(a, Eye):
        return const(1)
    if isinstance(a, Inverse):
        return ew_map(lambda p: 1 / p, det(a.arg))
    if isinstance(a, MatMul) and all(f.shape[0] == f.shape[1] for f in a.factors):
        # det(AB) = det(A) det(B) for square factors
        out = det(a.factors[0])
        for f in a.factors[1:]:
            out = ew_map(lambda p, q: p * q, out, det(f))
        return out
    c, m = scalar_factor(a)
    if c is not None and m is not None and not is_constant_fill(m):
        n = a.shape[0]
        return ew_map(lambda p, q: p ** n * q, c, det(m))
    return Det(a)


@dataclass(frozen=True, eq=False)
class Adjugate(Node):
    """adj M, the transposed cofactor matrix.  It is det(M) M^-1 where M is invertible,
    but a polynomial in the entries: the gradient of det M, adj(M)^T, exists at singular
    M too, where det(M) M^-T has no value."""
    arg: Node

    # -- shape and normal form

    @property
    def shape(self):
        return self.arg.shape

    def children(self):
        return (self.arg,)

    def rebuild(self, children):
        return adjugate(children[0])

    def transposed(self):
        return Adjugate(transpose(self.arg))

    # -- derivative

    # -- exact value

    # -- PyTorch

    # -- entries

    # -- printing

    # -- curvature

    # -- kinks


def adjugate(a: Node) -> Node:
    if a.shape[0] != a.shape[1]:
        raise InputError(f"the adjugate of a non-square {fmt_shape(a.shape)} matrix")
    if a.is_scalar:
        return const(1)
    if isinstance(a, Eye):
        return a
    return Adjugate(a)
