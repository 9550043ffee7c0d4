"""The base of every matrix operation, and the protocol each one answers.

Each operation is one class in its own module of this package (or a tight family, such
as det and adj), holding everything the engine asks of it, in a fixed order of sections
marked by one comment line each:

  # -- shape and normal form   shape, children, rebuild, how a transpose passes into it;
                               the constructor that builds it in normal form sits beside
                               the class (``matmul()`` next to ``MatMul``)
  # -- derivative              ``vjp`` (reverse mode) and ``jvp`` (forward mode)
  # -- exact value             ``value`` at a point, exactly
  # -- PyTorch                 ``torch``: the same value as a PyTorch tensor
  # -- entries                 ``entries``: every entry as a SymPy expression
  # -- printing                (still in render/notation.py)
  # -- curvature               (still in convexity.py)
  # -- kinks                   ``kinks``: where it is not smooth, as kink objects (the
                               exact decision of each kind is analysis.KinkStudy's)

A rule an operation does not declare falls to the default here, which raises
``MissingRule`` naming the operation, so a new operation missing a rule fails loudly
instead of being read as something else.
"""
from __future__ import annotations

from functools import cached_property
from typing import Union

import sympy as sp

from ..errors import Unsupported
from .. import shapes
# the package's names for the shape helpers, kept for the E.fmt_shape callers
from ..shapes import fmt as fmt_shape, is_scalar_shape  # noqa: F401

Dim = Union[int, sp.Expr]
Shape = tuple

SCALAR: Shape = (1, 1)


class MissingRule(Unsupported, NotImplementedError):
    """An operation without a rule for one of the engine's questions.  It is Unsupported
    (the user is told) and NotImplementedError (optional steps that try a rule and fall
    back on failure treat it as a declined step, as they did before the rules moved)."""


def placeholder(i: int) -> sp.Symbol:
    return _PLACEHOLDERS[i] if i < len(_PLACEHOLDERS) else sp.Symbol(f"_p{i}", real=True)


_PLACEHOLDERS = [sp.Symbol(f"_p{i}", real=True) for i in range(64)]


def placeholder_index(p: sp.Symbol) -> int:
    return int(p.name[2:])


class Node:
    """Base of the matrix-level nodes; immutable and compared structurally (by ``key``)."""
    shape: Shape

    # -- shape and normal form

    def children(self) -> tuple:
        return ()

    def rebuild(self, children: tuple) -> "Node":
        """The same operation over new children, through its constructor (so in normal form)."""
        return self

    def transposed(self) -> "Node | None":
        """This node's transpose in normal form, when a transpose passes into it
        ((M^-1)^T = (M^T)^-1); None keeps the transpose outside, as a Transpose node."""
        return None

    @cached_property
    def key(self) -> str:
        inner = ",".join(c.key for c in self.children())
        return f"{type(self).__name__}[{self._label()}]({inner})"

    def _label(self) -> str:
        return ""

    @property
    def is_scalar(self) -> bool:
        return shapes.is_scalar_shape(self.shape)

    def __lt__(self, other):
        return self.key < other.key

    def __eq__(self, other):
        return isinstance(other, Node) and self.key == other.key

    def __hash__(self):
        return hash(self.key)

    def _missing(self, what: str, message: str | None = None):
        raise MissingRule(message or f"{type(self).__name__} has no rule for {what}")

    # -- derivative

    def vjp(self, g: "Node", partial) -> list:
        """Reverse mode: given g, the adjoint of this node (df/dnode laid out like it), the
        pairs (child, contribution to the child's adjoint), in the order they are added.
        ``partial(expr, p)`` differentiates an entrywise body (the route's choice)."""
        self._missing("its derivative (reverse mode)")

    def jvp(self, d, partial) -> "Node":
        """Forward mode: the derivative of this node along a direction, given ``d(child)``,
        the derivative of a child along it (computed on demand, so a rule that does not
        need a child's derivative never asks for it)."""
        self._missing("its derivative (forward mode)")

    # -- exact value

    def value(self, ev):
        """The exact value at a point (a 2-D object array of ints, Fractions and SymPy
        numbers); ``ev(child)`` is a child's value, ``ev.size(d)`` a size's value."""
        self._missing("its exact value", f"cannot evaluate {type(self).__name__}")

    # -- PyTorch

    def torch(self, tt):
        """The value as a float64 PyTorch tensor; ``tt(child)`` is a child's tensor, ``tt.t``
        the torch module."""
        self._missing("PyTorch", f"no PyTorch spelling for {type(self).__name__}")

    # -- entries

    def entries(self, ex, rows: int, cols: int):
        """Every entry as a SymPy Matrix (rows x cols) in the leaves' entry symbols;
        ``ex(child)`` is a child's Matrix, ``ex.sizes`` the size symbols' values."""
        self._missing("its entries")

    # -- printing

    # -- curvature

    # -- kinks

    def kinks(self, kx) -> list:
        """Where this operation is not smooth, as the kink objects that describe it (none
        for a smooth one); ``kx`` is the analysis's KinkStudy of f, which builds each
        kind and decides it exactly."""
        self._missing("its kinks")


def walk(node: Node):
    """Every distinct node below (and including) ``node``, children before parents."""
    seen: dict[str, Node] = {}
    order: list[Node] = []
    stack = [(node, False)]
    while stack:
        n, done = stack.pop()
        if done:
            if n.key not in seen:
                seen[n.key] = n
                order.append(n)
            continue
        if n.key in seen:
            continue
        stack.append((n, True))
        for c in reversed(n.children()):
            stack.append((c, False))
    return order
