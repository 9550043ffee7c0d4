"""The trace tr(M) of a square matrix; tr(A B) is written as the inner product <A^T, B>."""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .. import shapes
from . import exact
from .base import Node, ScalarUnary, Template, constructs, AFFINE, INCR, SAME
from .entrywise import Entrywise, const, ew_map, hadamard, scalar_factor, scale
from .leaves import Eye, eye
from .matmul import MatMul
from .sum_all import sum_all
from .transpose import Transpose, transpose


@dataclass(frozen=True, eq=False)
class Trace(ScalarUnary):
    # -- shape and normal form: ScalarUnary's (arg, a scalar; rebuilt by trace())

    # -- derivative

    def vjp(self, g, partial):
        return [(self.arg, scale(g, eye(self.arg.shape[0])))]

    def jvp(self, d, partial):
        return trace(d(self.arg))

    # -- exact value

    def value(self, ev):
        a = ev(self.arg)
        return exact.scalar(sum((a[i, i] for i in range(a.shape[0])), 0))

    # -- PyTorch

    def torch(self, tt):
        return tt.t.trace(tt(self.arg)).reshape(1, 1)

    # -- entries

    def entries(self, ex, rows, cols):
        return sp.Matrix([[ex(self.arg).trace()]])

    # -- printing

    word, spellings = "trace", ("tr", "Tr", "trace", "Trace", "TR")
    needs_square = gives_scalar = True

    @classmethod
    def named(cls, arg):
        return trace(arg)

    notation = Template("tr({0})", r"\operatorname{tr}\left({0}\right)")

    # -- curvature

    # a linear map that keeps the entrywise order: it keeps curvature and sign
    curvature, monotone, value_sign = AFFINE, (INCR,), SAME

    # -- kinks

    def kinks(self, kx):
        return []       # linear: smooth everywhere


@constructs(Trace)
def trace(a: Node) -> Node:
    shapes.require_square(a.shape, "trace")
    if a.is_scalar:
        return a
    if isinstance(a, Transpose):
        return trace(a.arg)
    if isinstance(a, Eye):
        return const(a.n)
    if isinstance(a, MatMul) and len(a.factors) == 2:
        # tr(A B) = <A^T, B>: the inner-product form is what the entrywise analysis reads.
        return sum_all(hadamard(transpose(a.factors[0]), a.factors[1]))
    if isinstance(a, Entrywise):
        return sum_all(hadamard(eye(a.shape[0]), a))
    c, m = scalar_factor(a)
    if c is not None and m is not None:
        return ew_map(lambda p, q: p * q, c, trace(m))
    return Trace(a)
