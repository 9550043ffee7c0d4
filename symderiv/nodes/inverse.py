"""The inverse M^-1 of a square matrix: defined (and smooth) where det M != 0."""
from __future__ import annotations

from dataclasses import dataclass

from .. import shapes
from . import exact
from .base import Node, ATOM, Template, Unary, constructs
from .entrywise import ew_map, is_constant_fill, neg, scalar_factor
from .leaves import Eye
from .matmul import matmul
from .transpose import Transpose, transpose


@dataclass(frozen=True, eq=False)
class Inverse(Unary):
    """M^{-1} of a square matrix: defined (and smooth) where det M != 0."""
    # -- shape and normal form (arg, children, rebuild by inverse(): Unary's)

    @property
    def shape(self):
        return self.arg.shape

    def transposed(self):
        return Inverse(transpose(self.arg))

    # -- derivative

    def vjp(self, g, partial):
        # d(M^-1) = -M^-1 dM M^-1, so the adjoint of M is -M^-T G M^-T
        t = transpose(self)
        return [(self.arg, neg(matmul(t, g, t)))]

    def jvp(self, d, partial):
        return neg(matmul(self, d(self.arg), self))

    # -- exact value

    def value(self, ev):
        a = ev(self.arg)
        M = exact.to_sympy_matrix(a)
        if M.det() == 0:
            raise exact.DivisionByZero("the matrix is singular at this point: its inverse is not defined")
        return exact.from_sympy_matrix(M.inv(), a.shape)

    # -- PyTorch

    def torch(self, tt):
        return tt.t.linalg.inv(tt(self.arg))

    # -- entries

    def entries(self, ex, rows, cols):
        m = ex(self.arg)
        return m.adjugate(method="berkowitz") / m.det(method="berkowitz")

    # -- printing

    notation = Template("{0}^-1", "{0}^{-1}", wrap=ATOM)
    _of_transpose = Template("{0}^-T", r"{0}^{-\top}", wrap=ATOM)

    def printed(self, pr):
        if isinstance(self.arg, Transpose):         # (A^T)^-1 is written A^-T
            return self._of_transpose.fill(pr, self.arg.arg)
        return self.notation.fill(pr, self.arg)

    # -- curvature

    # -- kinks

    def kinks(self, kx):
        return []       # smooth on its domain, det != 0 (domain.domain_of)


@constructs(Inverse)
def inverse(a: Node) -> Node:
    shapes.require_square(a.shape, "the inverse")
    if a.is_scalar:
        return ew_map(lambda p: 1 / p, a)
    if isinstance(a, Inverse):
        return a.arg
    if isinstance(a, Eye):
        return a
    c, m = scalar_factor(a)
    if c is not None and m is not None and not is_constant_fill(m):
        return ew_map(lambda p, q: q / p, c, inverse(m))
    return Inverse(a)     # (A^T)^-1 stays as it is: transposes live at the leaves
