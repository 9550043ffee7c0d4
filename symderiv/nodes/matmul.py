"""The matrix product A B C ..., kept flat, with its scalar factors pulled out in front."""
from __future__ import annotations

from dataclasses import dataclass

from .. import shapes
from . import exact
from .base import SCALAR, Node, ATOM, PROD, AFFINE, CONCAVE, CONST, CONVEX
from .entrywise import Entrywise, add, const, ew_map, is_zero_fill, scalar_factor, scale
from .leaves import Eye
from .sum_all import sum_all
from .transpose import Transpose, transpose


@dataclass(frozen=True, eq=False)
class MatMul(Node):
    factors: tuple

    # -- shape and normal form

    @property
    def shape(self):
        return (self.factors[0].shape[0], self.factors[-1].shape[1])

    def children(self):
        return self.factors

    def rebuild(self, children):
        return matmul(*children)

    def transposed(self):
        return matmul(*[transpose(f) for f in reversed(self.factors)])

    # -- derivative

    def vjp(self, g, partial):
        fs = self.factors
        out = []
        for i, fi in enumerate(fs):
            left = [transpose(x) for x in reversed(fs[:i])]
            right = [transpose(x) for x in reversed(fs[i + 1:])]
            out.append((fi, matmul(*left, g, *right)))
        return out

    def jvp(self, d, partial):
        out = const(0, self.shape)
        for i in range(len(self.factors)):
            d_i = d(self.factors[i])
            if is_zero_fill(d_i):
                continue
            fs = list(self.factors)
            fs[i] = d_i
            out = add(out, matmul(*fs))
        return out

    # -- exact value

    def value(self, ev):
        acc = ev(self.factors[0])
        for f in self.factors[1:]:
            acc = exact.product(acc, ev(f))
        return acc

    # -- PyTorch

    def torch(self, tt):
        acc = tt(self.factors[0])
        for f in self.factors[1:]:
            acc = acc @ tt(f)
        return acc

    # -- entries

    def entries(self, ex, rows, cols):
        out = ex(self.factors[0])
        for f in self.factors[1:]:
            g = ex(f)
            out = out * g if out.shape[1] == g.shape[0] else (out[0, 0] * g if out.shape == (1, 1) else out * g[0, 0])
        return out

    # -- printing

    def printed(self, pr):
        # a Hadamard product or a scaled matrix inside a product needs parentheses
        return pr.product([pr.child(f, ATOM) for f in self.factors]), PROD

    # -- curvature

    def convexity(self, rules):
        moving = [f for f in self.factors if rules.moves(f)]
        if len(moving) == 1 and rules.of(moving[0])[0] == AFFINE:
            return AFFINE, None                 # the other factors are constants
        if len(moving) == 1 and rules.of(moving[0])[0] in (CONVEX, CONCAVE) and all(
                rules.of(f)[1] in ("nonneg", "zero") for f in self.factors if f is not moving[0]):
            # each entry of A M B is a combination of M's entries with weights >= 0 (1^T |X|,
            # the column sums of the induced 1-norm): it keeps M's curvature
            curv, sign = rules.of(moving[0])
            return curv, sign if sign in ("nonneg", "nonpos") else None
        if len(self.factors) == 2 and self.is_scalar and isinstance(self.factors[0], Transpose) \
                and self.factors[0].arg == self.factors[1] and rules.of(self.factors[1])[0] in (CONST, AFFINE):
            return CONVEX, "nonneg"             # u^T u = ‖u‖² of an affine u
        return None, None

    # -- kinks

    def kinks(self, kx):
        return []       # bilinear in its factors: smooth everywhere


def matmul(*factors: Node) -> Node:
    flat: list[Node] = []
    for f in factors:
        flat.extend(f.factors if isinstance(f, MatMul) else (f,))
    for left, right in zip(flat, flat[1:]):
        shapes.product(left.shape, right.shape)
    coeffs: list[Node] = []
    mats: list[Node] = []
    eyes: list[Node] = []
    for f in flat:
        c, m = scalar_factor(f)
        if c is not None:
            coeffs.append(c)
        if isinstance(m, Eye):
            eyes.append(m)
        elif m is not None:
            mats.append(m)
    if any(is_zero_fill(m) for m in mats):
        big = [f for f in flat if not f.is_scalar]
        return const(0, (big[0].shape[0], big[-1].shape[1]) if big else SCALAR)
    if not mats:
        body = eyes[0] if eyes else const(1)
    elif len(mats) == 1:
        body = mats[0]
    else:
        body = _ones_sum(mats) or MatMul(tuple(mats))
    if not coeffs:
        return body
    c = coeffs[0]
    for d in coeffs[1:]:
        c = ew_map(lambda p, q: p * q, c, d)
    return scale(c, body) if not body.is_scalar else ew_map(lambda p, q: p * q, c, body)


def _ones_sum(mats: list) -> Node | None:
    """1^T v, v^T 1 and 1^T M 1 are the sum of the entries: written so, they meet the rules
    sums already have (a sum of convex entries is convex; its gradient is read entry by
    entry), where a product with a ones vector would be a product of two unknowns."""
    def is_ones(m):
        return isinstance(m, Entrywise) and not m.args and m.expr == 1
    rest = list(mats)
    left = is_ones(rest[0]) and rest[0].shape[0] == 1
    right = is_ones(rest[-1]) and rest[-1].shape[1] == 1
    rest = rest[int(left):len(rest) - int(right)]
    if not (left or right) or len(rest) != 1:
        return None
    (m,) = rest
    if (left and right) or (left and m.shape[1] == 1) or (right and m.shape[0] == 1):
        return sum_all(m)
    return None
