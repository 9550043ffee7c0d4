"""The engine's nodes -> SymPy objects, for results read from Python (api.Analysis).

A scalar node becomes a SymPy expression; a matrix node a SymPy matrix expression over
MatrixSymbol (MatMul, MatAdd, Transpose, Trace, HadamardProduct, HadamardPower, and an
entrywise map of one matrix as ElementwiseApplyFunction, as ``X.applyfunc`` makes).  The
table's primitives become SymPy's own functions where SymPy has them (Max, Min, Abs,
sign, Heaviside) and a Piecewise of the table's pieces otherwise.  Where a node has no
SymPy counterpart (an entrywise map of two matrices that is no sum or product, the
adjugate of a symbolic matrix, the largest entry), ``node`` returns None: the strings
beside it still say what it is.
"""
from __future__ import annotations

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.hadamard import HadamardPower, HadamardProduct

from . import expr as E
from .nodes.base import placeholder
from .scalar import is_prim


class NotFormed(Exception):
    """A node with no SymPy counterpart."""


_OWN = {"relu": lambda u: sp.Max(u, 0), "abs": sp.Abs, "sign": sp.sign,
        "heaviside": lambda u: sp.Heaviside(u, sp.Rational(1, 2)), "max": sp.Max, "min": sp.Min}


def node(n: E.Node, symbols: dict | None = None):
    """The SymPy object for node ``n`` (None when it has none).  ``symbols``: name -> the
    user's own Symbol or MatrixSymbol, so that results are written in the same symbols
    (with the same assumptions) as the input."""
    try:
        return _Writer(symbols or {}).node(n)
    except NotFormed:
        return None


def scalar(expr: sp.Expr) -> sp.Expr:
    """A scalar expression with the table's primitives written as SymPy functions."""
    if is_prim(expr):
        args = [scalar(a) for a in expr.args]
        own = _OWN.get(expr.spec.name)
        if own is not None:
            return own(*args)
        return sp.Piecewise(*expr.spec.pieces(*args))
    if not expr.args:
        return expr
    return expr.func(*[scalar(a) for a in expr.args])


class _Writer:
    def __init__(self, symbols: dict):
        self.symbols = symbols

    def node(self, n: E.Node):
        kind = type(n).__name__
        method = getattr(self, "_" + kind, None)
        if method is None:
            raise NotFormed(kind)
        return method(n)

    def _Sym(self, n):
        if n.parts:
            return sp.Matrix([self._scalar_symbol(p) for p in n.parts])
        if n.is_scalar:
            return self._scalar_symbol(n.name)
        own = self.symbols.get(n.name)
        if isinstance(own, sp.MatrixSymbol):
            return own
        return sp.MatrixSymbol(n.name, *n.shape)

    def _scalar_symbol(self, name):
        own = self.symbols.get(name)
        return own if isinstance(own, sp.Symbol) else sp.Symbol(name)

    def _Pick(self, n):
        return self.node(n.arg)[n.i, n.j]

    def _Unit(self, n):
        rows, cols = n.shape
        if not (isinstance(rows, int) and isinstance(cols, int)):
            raise NotFormed("Unit")
        out = sp.zeros(rows, cols)
        out[n.i, n.j] = 1
        return out

    def _Eye(self, n):
        return sp.Identity(n.n)

    def _MatMul(self, n):
        return _times(*[self.node(f) for f in n.factors])

    def _Transpose(self, n):
        return self.node(n.arg).T

    def _Trace(self, n):
        arg = self.node(n.arg)
        return arg.trace() if isinstance(arg, sp.MatrixBase) else sp.Trace(arg)

    def _Det(self, n):
        arg = self.node(n.arg)
        return arg.det() if isinstance(arg, sp.MatrixBase) else sp.Determinant(arg)

    def _Adjugate(self, n):
        arg = self.node(n.arg)
        if isinstance(arg, sp.MatrixBase):
            return arg.adjugate()
        if all(getattr(d, "is_Integer", False) or isinstance(d, int) for d in arg.shape):
            # SymPy has no symbolic adjugate; of numeric size it is the explicit one
            return arg.as_explicit().adjugate()
        raise NotFormed("Adjugate")

    def _Inverse(self, n):
        arg = self.node(n.arg)
        return arg.inv() if isinstance(arg, sp.MatrixBase) else sp.Inverse(arg)

    def _FroNorm(self, n):
        arg = self.node(n.arg)
        return sp.sqrt(_scalar_of(sp.Trace(arg.T * arg) if not isinstance(arg, sp.MatrixBase)
                                  else (arg.T * arg).trace()))

    def _SumAll(self, n):
        arg = self.node(n.arg)
        if isinstance(arg, sp.MatrixBase):
            return sum(arg)
        i, j = sp.Dummy("i", integer=True), sp.Dummy("j", integer=True)
        rows, cols = arg.shape
        return sp.Sum(arg[i, j], (i, 0, rows - 1), (j, 0, cols - 1))

    def _Entrywise(self, n):
        args = [self.node(a) for a in n.args]
        expr = scalar(n.expr)
        if n.is_scalar:
            return expr.xreplace({placeholder(k): _scalar_of(a) for k, a in enumerate(args)})
        shape = n.shape
        matrices = {placeholder(k): a for k, a in enumerate(args) if _is_matrix(a)}
        scalars = {placeholder(k): _scalar_of(a) for k, a in enumerate(args) if not _is_matrix(a)}
        return _entrywise(expr.xreplace(scalars), matrices, shape)


def _is_matrix(a) -> bool:
    return getattr(a, "is_Matrix", False) and tuple(a.shape) != (1, 1)


def _scalar_of(a):
    """A 1x1 matrix (a product u^T v, an explicit [[x]]) as its one entry."""
    if getattr(a, "is_Matrix", False):
        if tuple(a.shape) == (1, 1):
            return a[0, 0]
        raise NotFormed("a matrix where a scalar is expected")
    return a


def _times(*factors):
    explicit = [f for f in factors if isinstance(f, sp.MatrixBase)]
    if len(explicit) == len(factors):
        out = factors[0]
        for f in factors[1:]:
            out = out * f
        return out
    return sp.MatMul(*factors).doit(deep=False) if len(factors) > 1 else factors[0]


def _entrywise(expr, matrices: dict, shape):
    """expr over placeholders bound to matrices, as a matrix expression: sums, scalings,
    Hadamard products and powers as themselves, a function of one matrix as its applyfunc."""
    used = [p for p in matrices if expr.has(p)]
    if not used:
        if expr == 0:
            return sp.ZeroMatrix(*shape)
        return expr * sp.OneMatrix(*shape)
    if expr in matrices:
        return matrices[expr]
    if isinstance(expr, sp.Add):
        return sp.MatAdd(*[_entrywise(a, matrices, shape) for a in expr.args]).doit(deep=False)
    if isinstance(expr, sp.Mul):
        const = sp.Mul(*[a for a in expr.args if not any(a.has(p) for p in used)])
        parts = [_entrywise(a, matrices, shape) for a in expr.args if any(a.has(p) for p in used)]
        body = parts[0] if len(parts) == 1 else HadamardProduct(*parts)
        return body if const == 1 else const * body
    if isinstance(expr, sp.Pow) and not any(expr.exp.has(p) for p in used) and expr.exp.is_Integer:
        return HadamardPower(_entrywise(expr.base, matrices, shape), expr.exp)
    if len(used) == 1:
        p = used[0]
        d = sp.Dummy("d")
        return ElementwiseApplyFunction(sp.Lambda(d, expr.xreplace({p: d})), matrices[p])
    raise NotFormed("an entrywise map of several matrices")


def condition(kinks, symbols: dict | None = None):
    """Where the kinks fail, as a SymPy boolean (an Or of Eq(u, 0) and the kinks' own
    conditions), entry by entry when the matrices have numeric sizes; None when a kink
    is over matrices of symbolic size or has no switch expression."""
    w = _Writer(symbols or {})
    parts = []
    try:
        for k in kinks:
            if k.u is None:
                return None
            args = [w.node(a) for a in k.args]
            big = [a for a in args if _is_matrix(a)]
            conds = [sp.Eq(k.u, 0)] + [c if isinstance(c, sp.Basic) and c.is_Relational else sp.Eq(c, 0)
                                        for c in (k.condition or [])]
            whole = sp.And(*[scalar(c) for c in conds])
            if not big:
                parts.append(whole.xreplace({placeholder(i): _scalar_of(a) for i, a in enumerate(args)}))
                continue
            rows, cols = big[0].shape
            if not (rows.is_Integer and cols.is_Integer) if isinstance(rows, sp.Basic) else not isinstance(rows, int):
                return None
            for i in range(int(rows)):
                for j in range(int(cols)):
                    at = {placeholder(t): (a[i, j] if _is_matrix(a) else _scalar_of(a)) for t, a in enumerate(args)}
                    parts.append(whole.xreplace(at))
    except NotFormed:
        return None
    return sp.Or(*parts) if parts else sp.false
