"""The determinant det M and the adjugate adj M (the transposed cofactor matrix), one
family: adj(M)^T is the gradient of det M, and it exists where M^-1 does not."""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .. import shapes
from ..errors import Unsupported
from . import exact
from .base import Node, ScalarUnary, Template, Unary, constructs
from .entrywise import Entrywise, const, ew_map, is_constant_fill, scalar_factor, scale
from .inverse import Inverse, inverse
from .leaves import Eye
from .matmul import MatMul, matmul
from .matrix_trace import trace
from .transpose import Transpose, transpose


@dataclass(frozen=True, eq=False)
class Det(ScalarUnary):
    """det M of a square matrix: a polynomial in the entries, so smooth everywhere."""
    # -- shape and normal form: ScalarUnary's (arg, a scalar; rebuilt by det())

    # -- derivative

    def vjp(self, g, partial):
        # d det M = tr(adj(M) dM): the adjoint of M is g adj(M)^T, defined for singular M
        # too.  Where g carries 1/det M (log det M) the det cancels and M^-T reads better;
        # f's domain then already excludes the singular M.
        if _divides_by(g, self):
            cancelled = ew_map(lambda a, d: a * d, g, self)
            return [(self.arg, scale(cancelled, transpose(inverse(self.arg))))]
        return [(self.arg, scale(g, transpose(adjugate(self.arg))))]

    def jvp(self, d, partial):
        return trace(matmul(adjugate(self.arg), d(self.arg)))

    # -- exact value

    def value(self, ev):
        return exact.scalar(exact.to_number(exact.to_sympy_matrix(ev(self.arg)).det()))

    # -- PyTorch

    def torch(self, tt):
        return tt.t.linalg.det(tt(self.arg)).reshape(1, 1)

    # -- entries

    def entries(self, ex, rows, cols):
        return sp.Matrix([[ex(self.arg).det(method="berkowitz")]])

    # -- printing

    word, spellings = "det", ("det",)
    needs_square = gives_scalar = True

    @classmethod
    def named(cls, arg):
        return det(arg)

    notation = Template("det({0})", r"\det\left({0}\right)")

    # -- curvature

    # -- kinks

    def kinks(self, kx):
        return []       # a polynomial in the entries: smooth everywhere


@constructs(Det)
def det(a: Node) -> Node:
    shapes.require_square(a.shape, "the determinant")
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


def _divides_by(g: Node, node: Node) -> bool:
    """Whether g has ``node`` in a denominator (1/det M): f is then undefined where node = 0."""
    if not isinstance(g, Entrywise):
        return False
    mine = [p for p, a in zip(g.placeholders(), g.args) if a == node]
    return bool(mine) and any(isinstance(t, sp.Pow) and t.exp.is_negative and t.base.has(mine[0])
                              for t in sp.preorder_traversal(g.expr))


@dataclass(frozen=True, eq=False)
class Adjugate(Unary):
    """adj M, the transposed cofactor matrix.  It is det(M) M^-1 where M is invertible,
    but a polynomial in the entries: the gradient of det M, adj(M)^T, exists at singular
    M too, where det(M) M^-T has no value."""
    # -- shape and normal form (arg, children, rebuild by adjugate(): Unary's)

    @property
    def shape(self):
        return self.arg.shape

    def transposed(self):
        return Adjugate(transpose(self.arg))

    # -- derivative

    def vjp(self, g, partial):
        raise Unsupported("a function of adj(M): only its appearance in the gradient of det M is handled")

    def jvp(self, d, partial):
        # d adj(M) has no inverse-free closed form in matrix notation (adj(M) tr(M^-1 dM)
        # - M^-1 dM adj(M) holds only where M is invertible): not claimed for all M
        raise Unsupported("the derivative of adj(M) in matrix notation")

    # -- exact value

    def value(self, ev):
        a = ev(self.arg)
        M = exact.to_sympy_matrix(a)
        d = M.det()
        return exact.from_sympy_matrix(d * M.inv() if d != 0 else M.adjugate(), a.shape)

    # -- PyTorch

    def torch(self, tt):
        m = tt(self.arg)
        return tt.t.linalg.det(m) * tt.t.linalg.inv(m)

    # -- entries

    def entries(self, ex, rows, cols):
        return ex(self.arg).adjugate(method="berkowitz")

    # -- printing

    notation = Template("adj({0})", r"\operatorname{adj}\left({0}\right)")
    _of_transpose = Template("adj({0})^T", r"\operatorname{adj}\left({0}\right)^{\top}")

    def printed(self, pr):
        # adj(M^T) is printed as the transpose of adj(M): the gradient of det M
        if isinstance(self.arg, Transpose):
            return self._of_transpose.fill(pr, self.arg.arg)
        return self.notation.fill(pr, self.arg)

    # -- curvature

    # -- kinks

    def kinks(self, kx):
        return []       # a polynomial in the entries: smooth everywhere


@constructs(Adjugate)
def adjugate(a: Node) -> Node:
    shapes.require_square(a.shape, "the adjugate")
    if a.is_scalar:
        return const(1)
    if isinstance(a, Eye):
        return a
    return Adjugate(a)
