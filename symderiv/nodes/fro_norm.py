"""The Frobenius norm ||M||_F (the 2-norm of a vector), not squared: its own kink is at 0."""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..exact_numbers import as_sympy
from . import exact
from .base import Node, ScalarUnary, constructs
from .base import Template
from .base import ABS, CONVEX
from .entrywise import Entrywise, apply, ew_map, is_constant_fill, scalar_factor
from .matmul import MatMul
from .sum_all import inner
from .transpose import Transpose, orient, transposes


@dataclass(frozen=True, eq=False)
class FroNorm(ScalarUnary):
    """The Frobenius norm (the 2-norm for a vector), not squared: it has its own kink at 0."""
    # -- shape and normal form: ScalarUnary's (arg, a scalar; rebuilt by fro_norm())

    # -- derivative

    def vjp(self, g, partial):
        # d||M|| = <M, dM> / ||M||: a value only where M != 0 (the kink there is analysis's)
        return [(self.arg, ew_map(lambda a, m, r: a * m / r, g, self.arg, self))]

    def jvp(self, d, partial):
        return ew_map(lambda s, r: s / r, inner(self.arg, d(self.arg)), self)

    # -- exact value

    def value(self, ev):
        a = ev(self.arg)
        sq = exact.total(a * a)
        return exact.scalar(exact.to_number(sp.sqrt(as_sympy(sq))))

    # -- PyTorch

    def torch(self, tt):
        return tt.t.linalg.norm(tt(self.arg)).reshape(1, 1)

    # -- entries

    def entries(self, ex, rows, cols):
        return sp.Matrix([[sp.sqrt(sum(v ** 2 for v in ex(self.arg)))]])

    # -- printing

    notation = Template("‖{0}‖_{sub}", r"\left\|{0}\right\|_{sub}")

    def printed(self, pr):
        return self.notation.fill(pr, self.arg, sub="2" if self.arg.shape[1] == 1 else "F")

    # -- curvature

    # convex, nonnegative, and nondecreasing in the size of every entry
    curvature, monotone, value_sign = CONVEX, (ABS,), "nonneg"

    # -- kinks

    def kinks(self, kx):
        """A kink where the argument is 0: ||M|| is a cone there, smooth everywhere else."""
        return [kx.norm_at_zero(self)]


@constructs(FroNorm)
def fro_norm(a: Node) -> Node:
    if isinstance(a, Transpose):
        return fro_norm(a.arg)
    if isinstance(a, (Entrywise, MatMul)) and transposes(a):
        o = orient(a)
        if o is not a and o != a:
            return fro_norm(o)
    if a.is_scalar:
        return apply("abs", a)
    c, m = scalar_factor(a)
    if c is not None and m is not None and not is_constant_fill(m):
        return ew_map(lambda p, q: p * q, apply("abs", c), fro_norm(m))
    return FroNorm(a)
