"""The largest entry max_ij a_ij, and its gradient where the place is unique: Argmax, the
matrix with a 1 there."""
from __future__ import annotations

from dataclasses import dataclass

from ..lazy_import import LazyModule
np = LazyModule("numpy")
import sympy as sp

from ..errors import Unsupported
from ..scalar import FUNCS
from . import exact
from .base import Node, ScalarUnary, Unary, constructs
from .base import PROD, Template
from .base import CONVEX, INCR
from .entrywise import Entrywise, const, scale
from .sum_all import inner
from .transpose import Transpose


@dataclass(frozen=True, eq=False)
class MaxEntry(ScalarUnary):
    """The largest entry of a matrix: a kink wherever it is attained more than once."""
    # -- shape and normal form: ScalarUnary's (arg, a scalar; rebuilt by max_entry())

    # -- derivative

    def vjp(self, g, partial):
        return [(self.arg, scale(g, Argmax(self.arg)))]

    def jvp(self, d, partial):
        return inner(Argmax(self.arg), d(self.arg))

    # -- exact value

    def value(self, ev):
        return exact.scalar(max(ev(self.arg).flat, key=exact.order_key))

    # -- PyTorch

    def torch(self, tt):
        return tt(self.arg).max().reshape(1, 1)

    # -- entries

    def entries(self, ex, rows, cols):
        # the largest entry as nested max(a, b) of the table: equal entries merge
        # (max(u, u) = u), which is how ties of identical rows cancel
        vals = list(dict.fromkeys(ex(self.arg)))
        top = vals[0]
        for v in vals[1:]:
            top = FUNCS["max"](top, v)
        return sp.Matrix([[top]])

    # -- printing

    notation = Template("max_{idx} {body}", r"\max_{{idx}} {body}", binds=PROD)

    def printed(self, pr):
        a = self.arg
        idx = "i" if a.shape[1] == 1 else pr.dialect("ij", "i,j")
        if isinstance(a, Entrywise) and a.args:
            body = pr.entry(a.expr, a.args)
        elif a.shape[0] == 1 and a.shape[1] != 1 and a.printed_entry(pr) is None:
            # a row (1^T |X|, the column sums of the induced 1-norm) is indexed by its column
            inner = pr.node(a)
            idx, body = "j", (rf"\left({inner}\right)_{{j}}" if pr.latex else f"({inner})_j")
        else:
            body = pr.entry_of(a)
        return self.notation.fill(pr, idx=idx, body=body)

    # -- curvature

    # the largest entry is convex and increasing in every entry
    curvature, monotone = CONVEX, (INCR,)

    # -- kinks

    def kinks(self, kx):
        """A kink wherever the largest entry is attained more than once (max(a, b) at a = b)."""
        return [kx.ties(self)]


@constructs(MaxEntry)
def max_entry(a: Node) -> Node:
    if a.is_scalar:
        return a
    if isinstance(a, Transpose):
        return max_entry(a.arg)
    return MaxEntry(a)


@dataclass(frozen=True, eq=False)
class Argmax(Unary):
    """The matrix with a 1 where arg is largest (defined where that place is unique): the
    gradient of max_ij a_ij with respect to a."""
    # -- shape and normal form (arg, children, rebuild: Unary's)

    @property
    def shape(self):
        return self.arg.shape

    # -- derivative

    # Argmax is locally constant where it is defined: nothing passes to its argument.
    def vjp(self, g, partial):
        return []

    def jvp(self, d, partial):
        return const(0, self.shape)

    # -- exact value

    def value(self, ev):
        a = ev(self.arg)
        top = max(a.flat, key=exact.order_key)
        where = [idx for idx in np.ndindex(a.shape) if a[idx] == top]
        if len(where) > 1:
            raise Unsupported("the largest entry is attained more than once here; the gradient is a set")
        out = np.zeros(a.shape, dtype=object)
        out[where[0]] = 1
        return out

    # -- PyTorch

    # -- entries

    # -- printing

    notation = Template("onehot(argmax {0})", r"E_{\arg\max {0}}")

    # -- curvature

    # -- kinks

    def kinks(self, kx):
        # locally constant where it is defined; where it is not (the ties), the kink is
        # its MaxEntry's, whose gradient it is
        return []


# Argmax has no normal form of its own: a rebuild makes the node as it is
constructs(Argmax)(Argmax)
