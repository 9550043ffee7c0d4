"""The leaves: a named matrix (Sym), the identity (Eye), and a unit matrix E_ij (Unit)."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..lazy_import import LazyModule
np = LazyModule("numpy")
import sympy as sp

from ..errors import InputError
from .base import Dim, Node, Shape
from .base import ATOM, Template
from .entrywise import const


@dataclass(frozen=True, eq=False)
class Sym(Node):
    """A named matrix, vector or scalar: the variable or a constant."""
    name: str
    shape: Shape
    latex_name: str = field(default="", compare=False)
    parts: tuple = field(default=(), compare=False)   # (x, y): scalars read as one vector

    # -- shape and normal form

    def _label(self):
        return f"{self.name}:{self.shape}"

    # -- derivative

    def vjp(self, g, partial):
        return []

    def jvp(self, d, partial):
        return const(0, self.shape)

    # -- exact value

    def value(self, ev):
        if self.name not in ev.values:
            raise InputError(f"{self.name} needs a value: --let {self.name}=...")
        return ev.values[self.name]

    # -- PyTorch

    def torch(self, tt):
        return tt.tensors[self.name]

    # -- entries

    def entries(self, ex, rows, cols):
        return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{self.name}[{i},{j}]", real=True))

    # -- printing

    prints_as_name = True

    def printed(self, pr):
        return pr.name(self.name), ATOM

    def printed_entry(self, pr, swapped=False):
        # X's entries are x_ij: the lower-case letter, as matrix texts write them
        base = pr.name(self.name.lower() if self.name.isupper() else self.name)
        return pr.subscript(base, "i" if self.shape[1] == 1 else ("ji" if swapped else "ij"))

    # -- curvature

    def constant_sign(self, given):
        return given.get(self.name)

    # -- kinks

    def kinks(self, kx):
        return []       # a leaf: the identity of its entries


@dataclass(frozen=True, eq=False)
class Eye(Node):
    n: Dim

    # -- shape and normal form

    @property
    def shape(self):
        return (self.n, self.n)

    def _label(self):
        return str(self.n)

    def transposed(self):
        return self

    # -- derivative

    def vjp(self, g, partial):
        return []

    def jvp(self, d, partial):
        return const(0, self.shape)

    # -- exact value

    def value(self, ev):
        k = ev.size(self.n)
        out = np.zeros((k, k), dtype=object)
        for i in range(k):
            out[i, i] = 1
        out[out == 0] = 0
        return out

    # -- PyTorch

    def torch(self, tt):
        return tt.t.eye(int(self.n), dtype=tt.t.float64)

    # -- entries

    def entries(self, ex, rows, cols):
        return sp.eye(rows)

    # -- printing

    notation = Template("I", "I")

    def printed_entry(self, pr, swapped=False):
        return pr.dialect("δ_ij", r"\delta_{ij}")      # symmetric: swapped changes nothing

    # -- curvature

    def constant_sign(self, given):
        return "nonneg"

    # -- kinks

    def kinks(self, kx):
        return []       # a constant


def eye(n: Dim) -> Node:
    return Eye(n)


@dataclass(frozen=True, eq=False)
class Unit(Node):
    """The matrix with a single 1 at (i, j): the gradient of a picked entry."""
    i: int
    j: int
    shape: Shape

    # -- shape and normal form

    def _label(self):
        return f"{self.i},{self.j}:{self.shape}"

    def transposed(self):
        return Unit(self.j, self.i, (self.shape[1], self.shape[0]))

    # -- derivative

    def vjp(self, g, partial):
        return []

    def jvp(self, d, partial):
        return const(0, self.shape)

    # -- exact value

    def value(self, ev):
        out = np.zeros(ev.shape(self), dtype=object)
        out[self.i, self.j] = 1
        return out

    # -- PyTorch

    # -- entries

    # -- printing

    def printed(self, pr):
        return pr.subscript("e", f"{self.i + 1}" if self.shape[1] == 1 else f"{self.i + 1}{self.j + 1}"), ATOM

    # -- curvature

    # -- kinks

    def kinks(self, kx):
        return []       # a constant
