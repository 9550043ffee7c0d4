"""The p-norm ||x||_p = (sum_i |x_i|^p)^(1/p) of a vector, for a given number p > 1 other
than 2 (||x||_1 is read as sum_i |x_i|, ||x||_inf as max_i |x_i| and ||x||_2 as the
Frobenius norm, all from the engine's own nodes).  Its only kink is at x = 0, like the
2-norm's; its Clarke set there is the unit ball of the dual norm ||.||_q, 1/p + 1/q = 1
(clarke_at_point.norm_set)."""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..exact_numbers import as_sympy
from ..scalar import FUNCS
from . import exact
from .base import SCALAR, Node, Shape
from .base import Template
from .base import ABS, CONVEX
from .entrywise import ew_map
from .sum_all import inner
from .transpose import Transpose


@dataclass(frozen=True, eq=False)
class PNorm(Node):
    """||M||_p of the entries of M (a vector), p > 1 a given rational number, p != 2."""
    arg: Node
    p: sp.Rational
    shape: Shape = SCALAR

    # -- shape and normal form

    def children(self):
        return (self.arg,)

    def rebuild(self, children):
        return p_norm(children[0], self.p)

    def _label(self) -> str:
        return str(self.p)

    # -- derivative

    def _slope(self) -> Node:
        """d||M||_p / dM = sign(M) |M|^(p-1) / ||M||_p^(p-1), where M != 0."""
        k = self.p - 1
        return ew_map(lambda m, r: FUNCS["sign"](m) * FUNCS["abs"](m) ** k / r ** k, self.arg, self)

    def vjp(self, g, partial):
        return [(self.arg, ew_map(lambda a, s: a * s, g, self._slope()))]

    def jvp(self, d, partial):
        return inner(self._slope(), d(self.arg))

    # -- exact value

    def value(self, ev):
        total = sp.Add(*[sp.Abs(as_sympy(v)) ** self.p for v in ev(self.arg).flat])
        return exact.scalar(exact.to_number(total ** (1 / self.p)))

    # -- PyTorch

    def torch(self, tt):
        return tt.t.linalg.vector_norm(tt(self.arg), ord=float(self.p)).reshape(1, 1)

    # -- entries

    def entries(self, ex, rows, cols):
        return sp.Matrix([[sp.Add(*[FUNCS["abs"](v) ** self.p for v in ex(self.arg)]) ** (1 / self.p)]])

    # -- printing

    notation = Template("‖{0}‖_{sub}", r"\left\|{0}\right\|_{sub}")

    def printed(self, pr):
        p = self.p
        sub = str(p) if p.is_Integer else pr.dialect(f"{{{p}}}", rf"{{{p.p}/{p.q}}}")
        return self.notation.fill(pr, self.arg, sub=sub)

    # -- curvature

    # a norm: convex, nonnegative, and nondecreasing in the size of every entry
    curvature, monotone, value_sign = CONVEX, (ABS,), "nonneg"

    # -- kinks

    def kinks(self, kx):
        """A kink where the argument is 0; elsewhere ||x||_p is C^1 (its gradient
        sign(x) |x|^(p-1) / ||x||_p^(p-1) is continuous for p > 1)."""
        return [kx.norm_at_zero(self)]


def p_norm(a: Node, p) -> Node:
    p = sp.Rational(p)
    if isinstance(a, Transpose):
        return p_norm(a.arg, p)
    if a.is_scalar:
        return ew_map(lambda v: FUNCS["abs"](v), a)
    return PNorm(a, p)
