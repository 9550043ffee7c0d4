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
  # -- printing                ``printed``: the node in matrix notation, from a
                               ``Template`` or a method; render/notation.py does the
                               layout, the parentheses and the numbers.  A named
                               function (tr, det) also declares how it is read:
                               ``word``, ``spellings``, its shape rule, ``named``
  # -- curvature               ``curvature``: its DCP composition rule, which
                               convexity.py applies
  # -- kinks                   ``kinks``: where it is not smooth, as kink objects (the
                               exact decision of each kind is kink_study.KinkStudy's)

An operation of one argument subclasses ``Unary`` (or ``ScalarUnary`` when its value is
a scalar), which declares ``arg``, ``children`` and ``rebuild`` once; its module registers
the constructor with ``@constructs(Cls)``.

A rule an operation does not declare falls to the default here, which raises
``MissingRule`` naming the operation, so a new operation missing a rule fails loudly
instead of being read as something else.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Union

import sympy as sp

from ..errors import Unsupported
from .. import shapes
from ..named_functions import NAMED, named_spellings  # noqa: F401 (the package's names)
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


# Binding strength of a printed form: a sum needs parentheses as a factor, a product as
# the base of a power or a transpose.
SUM, PROD, ATOM = 1, 2, 3

# The curvature vocabulary of the composition rules (convexity.py), shared with the
# primitive table's strings.
CONST, AFFINE, CONVEX, CONCAVE = "constant", "affine", "convex", "concave"
INCR, DECR, ABS, SAME = "incr", "decr", "abs", "same"

_SLOT = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Template:
    """A printed form in both dialects: {0}, {1}, ... stand for the children, printed in
    parentheses when they bind less than ``wrap``; other {names} are filled by keyword.
    One pass fills every slot, so a child printed as x_{1} is never filled again."""
    text: str
    latex: str
    binds: int = ATOM
    wrap: int = 0

    def fill(self, pr, *children, **words) -> tuple:
        values = {str(i): pr.child(c, self.wrap) for i, c in enumerate(children)}
        values.update(words)
        fmt = self.latex if pr.latex else self.text
        return _SLOT.sub(lambda m: values.get(m.group(1), m.group(0)), fmt), self.binds




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

    #: A named function of one matrix (tr, det) declares its canonical word, the
    #: spellings the reader takes for it (tr, Tr, trace: \operatorname{tr}, \mathrm{Tr},
    #: tr X ...), what it asks of its argument and what it gives (shape inference), and
    #: ``named(arg)``, the node the builder makes of it.  Declaring ``word`` registers the
    #: class in NAMED, where the reader, the shape inference and the builder find it.
    word: str | None = None
    spellings: tuple = ()
    needs_square = False
    gives_scalar = False

    @classmethod
    def named(cls, arg: "Node") -> "Node":
        raise MissingRule(f"{cls.__name__} is not a named function")

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "word" in cls.__dict__ and cls.word:
            NAMED[cls.word] = cls

    #: the printed form when one template serves; else the class overrides ``printed``
    notation: Template | None = None
    #: printed as a name (X, λ): it ranks with the named scalars in a product (λ Σ|x_ij|)
    prints_as_name = False

    def printed(self, pr) -> tuple:
        """This node in matrix notation, as (text, binding strength).  ``pr`` is the printer:
        ``pr.latex`` the dialect, ``pr.child(node, need)`` a child printed in parentheses
        when it binds less than ``need``; the layout helpers are documented there."""
        if self.notation is None:
            self._missing("its printed form")
        return self.notation.fill(pr, *self.children())

    def printed_entry(self, pr, swapped: bool = False) -> str | None:
        """The generic entry (i, j) of this node when it has a name of its own (x_ij,
        δ_ij), else None (the printer writes (M)_ij); ``swapped`` asks for entry (j, i)."""
        return None

    # -- curvature

    #: The disciplined-convex rule, declared as the primitive table declares its own: the
    #: operation's curvature in its arguments (AFFINE, CONVEX, CONCAVE; None: no rule, the
    #: composition rules then say nothing), how it moves with each argument (INCR, DECR,
    #: ABS: nondecreasing in |arg|, so increasing where the argument is nonnegative and
    #: decreasing where it is nonpositive; one per child), and the sign of its value
    #: ('nonneg', 'nonpos'; SAME: its only argument's; None: unknown).
    curvature: str | None = None
    monotone: tuple = ()
    value_sign: str | None = None

    def convexity(self, rules) -> tuple:
        """(curvature, sign) of this node as a function of the variable.  The default is
        the composition of the declaration above, which ``rules.compose`` applies; an
        operation whose rule is not a plain composition (u^T u) overrides this, asking
        ``rules.of(child)`` for a child's (curvature, sign) and ``rules.moves(child)``
        whether the child depends on the variable."""
        return rules.compose(self)

    def constant_sign(self, given: dict) -> str | None:
        """The sign of this node where it does not depend on the variable, when known
        without a value ('nonneg', 'nonpos'); ``given`` holds the signs of the named
        constants that have values (--let)."""
        return None

    # -- kinks

    def kinks(self, kx) -> list:
        """Where this operation is not smooth, as the kink objects that describe it (none
        for a smooth one); ``kx`` is the KinkStudy of f (kink_study.py), which builds each
        kind and decides it exactly."""
        self._missing("its kinks")


@dataclass(frozen=True, eq=False)
class Unary(Node):
    """An operation of one matrix argument, ``arg`` (det M, tr M, M^-1, ...).

    It declares ``arg``, ``children`` and ``rebuild`` once.  ``rebuild`` goes through the
    operation's constructor function (``det()`` for ``Det``), so a rebuilt node is in
    normal form again; the module registers that function with ``@constructs(Det)``
    beside it.  An operation whose value is a scalar subclasses ``ScalarUnary``; any
    other declares its own ``shape`` (a property, usually ``self.arg.shape``).  Every
    other rule is the operation's own, as for any ``Node``.
    """
    arg: Node

    #: the constructor function in normal form, set by ``constructs``
    _construct = None

    def children(self):
        return (self.arg,)

    def rebuild(self, children):
        if type(self)._construct is None:
            # without it a rebuild would skip the normal form silently: fail loudly instead
            self._missing("its constructor (register it with @constructs)")
        return type(self)._construct(children[0])


@dataclass(frozen=True, eq=False)
class ScalarUnary(Unary):
    """A ``Unary`` whose value is a scalar (det M, tr M, ||M||_F, max_ij m_ij)."""
    shape: Shape = SCALAR


def constructs(cls):
    """Decorator: registers the decorated function as the constructor ``cls.rebuild``
    calls (``@constructs(Det)`` above ``def det(a)``); the function is returned unchanged."""
    def register(fn):
        cls._construct = staticmethod(fn)
        return fn
    return register


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
