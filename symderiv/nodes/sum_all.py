"""The sum of all entries, sum_ij a_ij, and the inner product <A, B> = sum(A o B)."""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from . import exact
from .. import shapes
from .base import SCALAR, Node, ScalarUnary, PROD, Template, constructs, placeholder, AFFINE, INCR, SAME
from .entrywise import Entrywise, const, ew, ew_map, hadamard, is_constant_fill, ones, scalar_factor, scale
from .leaves import Eye
from .transpose import Transpose, orient, transposes


@dataclass(frozen=True, eq=False)
class SumAll(ScalarUnary):
    """The sum of all entries, sum_{i,j} a_ij."""
    # -- shape and normal form: ScalarUnary's (arg, a scalar; rebuilt by sum_all())

    # -- derivative

    def vjp(self, g, partial):
        return [(self.arg, scale(g, ones(self.arg.shape)))]

    def jvp(self, d, partial):
        return sum_all(d(self.arg))

    # -- exact value

    def value(self, ev):
        return exact.scalar(exact.total(ev(self.arg)))

    # -- PyTorch

    def torch(self, tt):
        return tt(self.arg).sum().reshape(1, 1)

    # -- entries

    def entries(self, ex, rows, cols):
        return sp.Matrix([[sum(ex(self.arg))]])

    # -- printing

    notation = Template("sum({0})", r"\mathbf{1}^\top {0}\,\mathbf{1}")
    _squared_norm = Template("‖{0}‖_{sub}^2", r"\left\|{0}\right\|_{sub}^2")
    _inner = Template("⟨{0}, {1}⟩", r"\left\langle {0}, {1}\right\rangle")
    _sum = Template("sum_{idx} {body}", r"\sum_{{idx}} {body}", binds=PROD)

    def printed(self, pr):
        a = self.arg
        if not (isinstance(a, Entrywise) and a.args):
            return self.notation.fill(pr, a)
        if a.expr.is_Pow and a.expr.exp == 2:
            sub = "2" if a.shape[1] == 1 and a.shape[0] != 1 else "F"
            return self._squared_norm.fill(pr, ew(a.expr.base, a.args, a.shape), sub=sub)
        if len(a.args) == 2 and a.expr == placeholder(0) * placeholder(1):
            return self._inner.fill(pr, *a.args)
        idx = "i" if a.shape[1] == 1 else pr.dialect("ij", "i,j")
        return self._sum.fill(pr, idx=idx, body=pr.entry(a.expr, a.args))

    # -- curvature

    # a linear map that keeps the entrywise order: it keeps curvature and sign
    curvature, monotone, value_sign = AFFINE, (INCR,), SAME

    # -- kinks

    def kinks(self, kx):
        return []       # linear: smooth everywhere


@constructs(SumAll)
def sum_all(a: Node) -> Node:
    if a.is_scalar:
        return a
    if isinstance(a, Transpose):
        return sum_all(a.arg)
    if isinstance(a, Entrywise) and transposes(a):
        o = orient(a)
        if o is not a:
            return sum_all(o)
    if isinstance(a, Eye):
        return const(a.n)
    if isinstance(a, Entrywise):
        if all(x.is_scalar for x in a.args):
            return ew(a.expr * a.shape[0] * a.shape[1], a.args, SCALAR)
        c, m = scalar_factor(a)
        if c is not None and m is not None and not is_constant_fill(m):
            return ew_map(lambda p, q: p * q, c, sum_all(m))
    return SumAll(a)


def inner(a: Node, b: Node) -> Node:
    shapes.require_same(a.shape, b.shape, "inner product")
    return sum_all(hadamard(a, b))
