"""Shapes: the one place that says which shapes an operation accepts and what it makes.

The rules (rows x columns; a size is an integer or a symbol such as n):
  * a product A B needs cols(A) = rows(B) and is rows(A) x cols(B);
  * a sum, a Hadamard product, a Frobenius or inner product needs equal shapes;
  * a scalar (1x1) broadcasts: beside a matrix in a sum or a product it takes its shape;
  * a transpose swaps rows and columns; a power, trace or determinant needs a square;
  * sizes nobody fixes stay symbolic, and two symbolic sizes that must agree are one.

Two ways in:
  * ``Inference``: pass 1 of the builder, over syntax terms.  Every size is a class of a
    union-find (``Sizes``); a rule unifies classes, so x^T A x makes A square and ties
    its size to x's.  A class pinned to an integer (by --let) refuses another integer.
    Errors name the column of the innermost term at fault.  The builder and the
    checker (``checking.nodes``) both use it, the checker for all terms of a step at
    once, so X has one shape on both sides.
  * ``require_same``, ``broadcast``, ``product``, ``require_square``,
    ``require_entrywise``, ``require_addable``, ``require_scalar``: the same rules on concrete shapes (sizes already known,
    integers or SymPy symbols), for the node constructors to call.

``kind_of_shape`` and ``KIND_PRODUCT`` are the coarse form of the rules (scalar, vector,
row, matrix) that the builder uses before any size is known, to decide which lower-case
letters are vectors.
"""
from __future__ import annotations

from fractions import Fraction

import sympy as sp

from . import syntax as S
from .errors import InputError, SymderivError, Unsupported
from .named_functions import NAMED


# ---------------------------------------------------------------- concrete shapes

def fmt(shape) -> str:
    """2x3, nx1: a shape as messages write it."""
    return f"{shape[0]}x{shape[1]}"


def is_scalar_shape(shape) -> bool:
    return shape[0] == 1 and shape[1] == 1


def require_same(a, b, what: str):
    """A sum, a Hadamard product, an inner product: equal shapes."""
    if a != b:
        raise InputError(f"{what}: shapes {fmt(a)} and {fmt(b)} do not conform")


def broadcast(*shapes):
    """The shape of an entrywise combination: that of its matrices (which must agree);
    scalars broadcast, so only scalars make a scalar."""
    big = [s for s in shapes if not is_scalar_shape(s)]
    if not big:
        return (1, 1)
    for s in big[1:]:
        require_same(big[0], s, "sum or entrywise product")
    return big[0]


def require_addable(a, b):
    """A sum: a scalar does not broadcast over a matrix there (a constant matrix is cJ)."""
    if is_scalar_shape(a) != is_scalar_shape(b):
        raise InputError(f"cannot add a scalar and a {fmt(b if is_scalar_shape(a) else a)} matrix; "
                         "write cJ for a constant matrix")


def require_scalar(shape, what: str):
    """A factor that scales: 1x1."""
    if not is_scalar_shape(shape):
        raise InputError(f"{what} is not a scalar")


def require_entrywise(arg, shape):
    """An argument of an entrywise node of ``shape``: that shape, or a broadcast scalar."""
    if arg != shape and not is_scalar_shape(arg):
        raise InputError(f"entrywise operation: shapes {fmt(arg)} and {fmt(shape)} do not conform")


def product(a, b):
    """The shape of the matrix product of a and b (a scalar factor scales)."""
    if is_scalar_shape(a):
        return b
    if is_scalar_shape(b):
        return a
    if a[1] != b[0]:
        raise InputError(f"product: shapes {fmt(a)} and {fmt(b)} do not conform")
    return (a[0], b[1])


def require_square(shape, what: str):
    """The inverse, adjugate, determinant, trace of a matrix: it must be square."""
    if shape[0] != shape[1]:
        raise InputError(f"{what} of a non-square {fmt(shape)} matrix")


# ---------------------------------------------------------------- kinds

def kind_of_shape(shape) -> str:
    """scalar, vector (a column) or matrix: what a given value's shape makes a name."""
    if shape == (1, 1):
        return "scalar"
    return "vector" if shape[1] == 1 else "matrix"


# The kind of a product of two non-scalar kinds (a scalar factor keeps the other's kind);
# a pair not listed is read as a matrix.
KIND_PRODUCT = {("matrix", "vector"): "vector", ("row", "matrix"): "row", ("row", "vector"): "scalar",
                ("vector", "row"): "matrix", ("matrix", "matrix"): "matrix"}
KIND_TRANSPOSE = {"vector": "row", "row": "vector"}


# ---------------------------------------------------------------- syntax helpers

def fixed(e: S.Entry) -> bool:
    """x_{12}, {x}_{0,1}: numeric indices name one entry (not a running index)."""
    return all(i.isdigit() for i in e.indices)


def entries(t):
    """The entries a sum's body ranges over: x_ij, and (AX)_ij (not looked into)."""
    if isinstance(t, (S.Entry, S.GroupEntry)):
        yield t
        return
    if isinstance(t, S.Term):
        for v in t.__dict__.values():
            if isinstance(v, S.Term):
                yield from entries(v)
            elif isinstance(v, tuple):
                for x in v:
                    if isinstance(x, S.Term):
                        yield from entries(x)
                    elif isinstance(x, tuple):
                        for y in x:
                            if isinstance(y, S.Term):
                                yield from entries(y)


def entry_text(e) -> str:
    base = e.base if isinstance(e, S.Entry) else "(...)"
    return f"{base}_{{{','.join(e.indices)}}}"


def is_one_term(t: S.Term) -> bool:
    return isinstance(t, S.Num) and Fraction(t.text) == 1


def has_reduce(t) -> bool:
    found = []
    S.transform(t, lambda u: found.append(u) if isinstance(u, S.Reduce) else None)
    return bool(found)


# ---------------------------------------------------------------- inference over syntax

# The letters free sizes are named by, in order: X is m×n, the next size p.
SIZE_LETTERS = ["m", "n", "p", "q", "r", "s", "k", "l"]


class Sizes:
    """Union-find over size variables; a class may be pinned to an integer."""

    def __init__(self):
        self.parent: dict[int, int] = {}
        self.value: dict[int, int] = {}
        self.counter = 0

    def new(self, value: int | None = None) -> int:
        self.counter += 1
        d = self.counter
        self.parent[d] = d
        if value is not None:
            self.value[d] = value
        return d

    def find(self, d: int) -> int:
        while self.parent[d] != d:
            self.parent[d] = self.parent[self.parent[d]]
            d = self.parent[d]
        return d

    def unify(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        va, vb = self.value.get(ra), self.value.get(rb)
        if va is not None and vb is not None and va != vb:
            return False
        root, child = (ra, rb) if ra < rb else (rb, ra)
        self.parent[child] = root
        known = va if va is not None else vb
        if known is not None:
            self.value[root] = known
        return True

    def get(self, d: int):
        return self.value.get(self.find(d))


class Inference:
    """Pass 1: a shape (two size classes) for every syntax term.

    ``reader`` is how the names of the text are read (the builder): it answers
    ``source``, ``values`` (name -> given 2-D value), ``special(name)`` ('ones', 'eye',
    'ones_vector' or None), ``kind_of(name)``, ``matrix_name(name, entry, indices)``,
    ``euler(term)``, ``function_word(call)``, and keeps ``ones_literals`` (the numbers 1
    read as an all-ones matrix).
    """

    def __init__(self, reader):
        self.b = reader
        self.dims = Sizes()
        self.one = self.dims.new(1)
        self.names: dict = {}            # name (or ('sum', id)) -> shape
        self.of = S.NodeTable()
        self.in_sum = 0

    # --- shapes
    def scalar(self):
        return (self.one, self.one)

    def fresh(self):
        return (self.dims.new(), self.dims.new())

    def sized(self, rows: int, cols: int):
        """A shape pinned to integers (a --shape hint)."""
        return (self.dims.new(rows), self.dims.new(cols))

    def name_shape(self, name: str, t: S.Term | None = None):
        """The shape of a name, made on its first use from what is known of it."""
        if name not in self.names:
            kind = self.b.kind_of(name)
            if kind == "scalar":
                self.names[name] = self.scalar()
            else:
                value = self.b.values.get(name)
                if value is not None:
                    self.names[name] = (self.dims.new(value.shape[0]), self.dims.new(value.shape[1]))
                elif kind == "vector":
                    self.names[name] = (self.dims.new(), self.one)
                else:
                    self.names[name] = self.fresh()
        return self.names[name]

    def bind(self, name: str, shape):
        """Give a name a shape made elsewhere (dX shaped as X)."""
        self.names[name] = shape

    def is_scalar(self, sh) -> bool:
        return self.dims.find(sh[0]) == self.dims.find(self.one) and self.dims.find(sh[1]) == self.dims.find(self.one)

    def show(self, sh) -> str:
        def one(d):
            v = self.dims.get(d)
            return str(v) if v is not None else "?"
        return f"{one(sh[0])}x{one(sh[1])}"

    def size(self, d, symbols: dict):
        """A size class as the nodes carry it: its integer, or its symbol in ``symbols``
        (from ``name_sizes``)."""
        r = self.dims.find(d)
        v = self.dims.get(r)
        return v if v is not None else symbols[r]

    # --- the rules
    def same(self, a, b, t: S.Term, what: str):
        ok = self.dims.unify(a[0], b[0]) and self.dims.unify(a[1], b[1])
        if not ok:
            raise InputError(f"{what}: shapes {self.show(a)} and {self.show(b)} do not conform",
                             column=t.span[0], source=self.b.source)

    def sum(self, a, c, t: S.Term):
        """a + c: a scalar broadcasts, else the shapes are one."""
        if self.is_scalar(a) and not self.is_scalar(c):
            return c
        if self.is_scalar(c) and not self.is_scalar(a):
            return a
        self.same(a, c, t, "sum")
        return a

    def product(self, a, c, t: S.Term):
        """a c: a scalar scales, else the inner sizes are one."""
        if self.is_scalar(a):
            return c
        if self.is_scalar(c):
            return a
        if not self.dims.unify(a[1], c[0]):
            raise InputError(f"product: shapes {self.show(a)} and {self.show(c)} do not conform",
                             column=t.span[0], source=self.b.source)
        return (a[0], c[1])

    @staticmethod
    def transpose(a):
        return (a[1], a[0])

    def square(self, a, t: S.Term, what: str, hint: str = ""):
        """a must be square: ``what`` names the operation in the refusal, ``hint`` follows it."""
        if not self.dims.unify(a[0], a[1]):
            raise InputError(f"{what} of a non-square {self.show(a)} matrix{hint}", column=t.span[0],
                             source=self.b.source)

    def common(self, shapes: list, t: S.Term, what: str):
        """Arguments of an entrywise function, rows of cases: the matrices share one shape,
        which is the result's; scalars broadcast."""
        big = [s for s in shapes if not self.is_scalar(s)]
        for s in big[1:]:
            self.same(big[0], s, t, what)
        return big[0] if big else self.scalar()

    def sides_conform(self, shapes: list) -> bool:
        """The sides of a relation: the matrix sides are made one shape (False if they
        cannot be).  A plain number beside a matrix is left for the nodes to judge: it may
        stand for a constant matrix."""
        big = [s for s in shapes if not self.is_scalar(s)]
        small = [s for s in shapes if self.is_scalar(s)]
        if big and small:
            return True
        for s in big[1:]:
            if not (self.dims.unify(big[0][0], s[0]) and self.dims.unify(big[0][1], s[1])):
                return False
        return True

    # --- symbolic sizes
    def name_sizes(self, preferred: str | None, letters: list) -> dict:
        """A symbol for every size class no integer fixes, the preferred name's first (so
        X is m×n): class root -> positive integer SymPy symbol.  Letters a name already
        uses are skipped."""
        dims = self.dims
        order = []
        names = list(self.names.items())
        names.sort(key=lambda kv: (kv[0] != preferred, str(kv[0])))
        for name, sh in names:
            for d in sh:
                r = dims.find(d)
                if r not in order:
                    order.append(r)
        for d in list(dims.parent):
            r = dims.find(d)
            if r not in order:
                order.append(r)
        symbols = {}
        i = 0
        taken = {n for n in self.names if isinstance(n, str)}
        for r in order:
            if dims.get(r) is not None:
                continue
            while letters[i % len(letters)] in taken and i < 100:
                i += 1
            name = letters[i % len(letters)] + ("" if i < len(letters) else str(i // len(letters)))
            symbols[r] = sp.Symbol(name, positive=True, integer=True)
            i += 1
        return symbols

    # --- the walk
    def infer(self, t: S.Term):
        try:
            sh = self._infer(t)
        except SymderivError as exc:
            if exc.column is None:          # the innermost term at fault names its column
                exc.column, exc.source = getattr(t, "span", (0, 0))[0], self.b.source
            raise
        self.of[t] = sh
        return sh

    def _infer(self, t: S.Term):
        b = self.b
        if isinstance(t, S.Num):
            return self.scalar()
        if isinstance(t, S.Name):
            special = b.special(t.name)
            if special in ("ones", "eye"):
                sh = self.fresh()
                if special == "eye":
                    self.dims.unify(sh[0], sh[1])
                return sh
            if special == "ones_vector":
                return (self.dims.new(), self.one)
            return self.name_shape(b.matrix_name(t.name), t)
        if isinstance(t, S.Entry) and fixed(t):
            name = t.base if t.zero_based else b.matrix_name(t.base, entry=True, indices=len(t.indices))
            self.name_shape(name, t)
            return self.scalar()
        if isinstance(t, S.Entry):
            if not self.in_sum:
                raise InputError(f"the entry {t.base}_{{{''.join(t.indices)}}} is only meaningful inside a sum over its indices",
                                 column=t.span[0], source=b.source)
            return self.scalar()
        if isinstance(t, S.GroupEntry):
            self.infer(t.arg)
            if not self.in_sum and not fixed(t):
                raise InputError(f"the entry (...)_{{{''.join(t.indices)}}} is only meaningful inside a sum over its "
                                 "indices", column=t.span[0], source=b.source)
            return self.scalar()
        if isinstance(t, S.Neg):
            return self.infer(t.arg)
        if isinstance(t, S.BinOp):
            a, c = self.infer(t.left), self.infer(t.right)
            if t.op in ("+", "-"):
                return self.sum(a, c, t)
            if t.op == "*":
                return self.product(a, c, t)
            if t.op in ("/", "hpow"):
                return a
            if t.op == "hadamard":
                self.same(a, c, t, "Hadamard product")
                return a
            if t.op == ":":
                a, c = self._ones_against(t.left, a, t.right, c)
                self.same(a, c, t, "Frobenius product")
                return self.scalar()
            raise Unsupported(f"the operator {t.op}")
        if isinstance(t, S.Pow):
            if b.euler(t.base):
                return self.infer(t.exp)
            a = self.infer(t.base)
            self.infer(t.exp)
            if not self.is_scalar(a):
                self.square(a, t, "a power", " (a transpose is written X^T)")
            return a
        if isinstance(t, S.Transpose):
            return self.transpose(self.infer(t.arg))
        if isinstance(t, S.Abs):
            return self.infer(t.arg)
        if isinstance(t, S.Norm):
            self.infer(t.arg)
            return self.scalar()
        if isinstance(t, S.Inner):
            a, c = self.infer(t.left), self.infer(t.right)
            a, c = self._ones_against(t.left, a, t.right, c)
            self.same(a, c, t, "inner product")
            return self.scalar()
        if isinstance(t, S.Call):
            shapes = [self.infer(a) for a in t.args]
            word = b.function_word(t)
            if word == "bars" and self.is_scalar(shapes[0]):
                return self.scalar()
            if word in ("logdet", "bars"):
                self.square(shapes[0], t, t.spelling)
                return self.scalar()
            named = NAMED.get(word)         # a matrix function's own shape rule (Node.word)
            if named is not None and named.needs_square:
                self.square(shapes[0], t, t.spelling)
            if named is not None and named.gives_scalar:
                return self.scalar()
            return self.common(shapes, t, f"{t.spelling}(...)")
        if isinstance(t, (S.Sum, S.Reduce)):
            return self._infer_sum(t)
        if isinstance(t, S.Indicator):
            return self._infer_cond(t.cond)
        if isinstance(t, S.Cases):
            shapes = []
            for value, cond in t.rows:
                shapes.append(self.infer(value))
                if cond is not None:
                    shapes.append(self._infer_cond(cond))
            return self.common(shapes, t, "cases")
        if isinstance(t, S.Rel):
            return self._infer_cond(t)
        raise Unsupported(f"{type(t).__name__} is not supported in a function to analyse")

    def _ones_against(self, left, a, right, c):
        """{\\tt1}:X, <1, X>: a number 1 paired with a matrix can only be the all-ones matrix
        (a scalar has no Frobenius product with a matrix)."""
        for term, mine, other in ((left, a, c), (right, c, a)):
            if is_one_term(term) and self.is_scalar(mine) and not self.is_scalar(other):
                self.of[term] = other
                self.b.ones_literals[term] = True
                return other, other
        return a, c

    def _infer_cond(self, c: S.Term):
        if isinstance(c, S.Rel):
            a = self.infer(c.left) if not isinstance(c.left, S.Rel) else self._infer_cond(c.left)
            d = self.infer(c.right)
            self.of[c] = a
            if self.is_scalar(a):
                return d
            if not self.is_scalar(d):
                self.same(a, d, c, "condition")
            return a
        return self.infer(c)

    def _infer_sum(self, t: S.Sum):
        # Entries inside the body bind their matrix; everything else must be scalar.
        idx = tuple(t.indices)
        for node in entries(t.body):
            if fixed(node):
                continue            # x_{12} inside a sum is one entry, not a running index
            if isinstance(node, S.GroupEntry):
                sh = self.infer(node.arg)
            else:
                name = self.b.matrix_name(node.base, entry=True, indices=len(node.indices))
                sh = self.name_shape(name, node)
            if len(node.indices) == 2 and len(idx) == 2:
                rows, cols = (sh[0], sh[1]) if node.indices == idx else (sh[1], sh[0])
                if set(node.indices) != set(idx):
                    raise InputError(f"the entry {entry_text(node)} uses indices the sum does not run over",
                                     column=node.span[0], source=self.b.source)
                key = ("sum", id(t))
                if key in self.names:
                    self.same(self.names[key], (rows, cols), node, "entries in one sum")
                else:
                    self.names[key] = (rows, cols)
            elif len(node.indices) == 1 and len(idx) == 1 and node.indices == idx:
                if not self.dims.unify(sh[1], self.one):
                    # x_i inside a sum: one index, so x is a vector; a given matrix is not one
                    raise InputError(f"the entry {entry_text(node)} has one index, so {node.base} is a vector, but "
                                     f"it is a {self.show(sh)} matrix here", column=node.span[0], source=self.b.source)
                key = ("sum", id(t))
                if key in self.names:
                    self.same(self.names[key], sh, node, "entries in one sum")
                else:
                    self.names[key] = sh
            else:
                if has_reduce(t.body):
                    raise Unsupported("a sum of maxima (or minima) over part of the indices, such as "
                                      "\\sum_i \\max_j x_{ij}, is not analysed; \\max_{i,j} and \\sum_{i,j} "
                                      "over every entry are", column=t.span[0], source=self.b.source)
                # \sum_j x_{1j}, \sum_i x_{ii}: a sum over one row or the diagonal, well formed
                # but not a sum over every entry, the only kind the engine represents
                raise Unsupported(f"the entry {entry_text(node)} does not run over all of the sum's indices "
                                  "(a sum over part of the entries, such as one row or the diagonal); write \\sum_{i,j} over "
                                  "every entry, or \\operatorname{tr} for the diagonal",
                                  column=node.span[0], source=self.b.source)
        self.in_sum += 1
        try:
            body = self.infer(t.body)
        finally:
            self.in_sum -= 1
        if not self.is_scalar(body):
            raise InputError("the body of a sum over entries must be a scalar expression in those entries",
                             column=t.body.span[0], source=self.b.source)
        self._bounded(t)
        return self.scalar()

    def _bounded(self, t: S.Sum):
        """\\sum_{i=1}^{n} with --let n=2: the sum runs to n, so n is the size it sums over;
        a given size that differs is a sum over part of the entries, refused as such."""
        whole = self.names.get(("sum", id(t)))
        if not getattr(t, "upper", ()) or whole is None:
            return
        dims = whole if len(t.indices) == 2 else whole[:1]
        for d, bound in zip(dims, t.upper):
            v = self.b.values.get(bound)
            if v is None or v.shape != (1, 1):
                continue
            n = v[0, 0]
            if not isinstance(n, (int, Fraction)) or n != int(n) or n < 1:
                raise Unsupported(f"the index runs to {bound} = {n}, which is not a size", column=t.span[0],
                                  source=self.b.source)
            if not self.dims.unify(d, self.dims.new(int(n))):
                raise Unsupported(f"the index runs to {bound} = {int(n)}, but the entries number "
                                  f"{self.dims.get(d)}: a sum (or max) over part of them, which symderiv does not "
                                  "represent", column=t.span[0], source=self.b.source)
