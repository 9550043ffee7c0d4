"""A derivation's formulas are about real numbers.

SymPy's powers are complex: (-8)^(1/3) is 1 + √3 i, and log(-1) is iπ.  A post means the
real cube root (∛-8 = -2), and a square root or a logarithm of a negative number is
outside the formula's domain, not a complex value to compare.  So:
  * an odd root b^(p/q) (q odd) is rewritten as sign(b)^p |b|^(p/q), which is real for
    every real b and is the derivative's form too (d/dx of ∛x is ⅓|x|^(-2/3));
  * a value that is not a finite real number is no value: the side is undefined there,
    and the point decides nothing (``sample.evaluate`` returns None for it).
"""
from __future__ import annotations

from fractions import Fraction

from ..lazy_import import LazyModule
np = LazyModule("numpy")
import sympy as sp

from .. import expr as E
from ..calculus import map_entrywise
from ..exact_numbers import as_sympy


def real_roots(node: E.Node) -> E.Node:
    return map_entrywise(node, real_expr)


def real_expr(e: sp.Expr) -> sp.Expr:
    if not e.has(sp.Pow):
        return e
    return e.replace(_odd_root, _real_odd_root)


def _odd_root(a) -> bool:
    if not isinstance(a, sp.Pow):
        return False
    x = a.exp
    return bool(x.is_Rational and not x.is_Integer and x.q % 2 == 1 and a.base.is_nonnegative is not True)


def _real_odd_root(a: sp.Pow) -> sp.Expr:
    b, x = a.base, a.exp
    if b.is_number and b.is_negative:
        return (-1) ** int(x.p) * (-b) ** x
    return sp.sign(b) ** int(x.p) * sp.Abs(b) ** x


def is_real(value) -> bool:
    """Whether every entry is a finite real number (False where one is not, or is unknown
    to be: a point decides nothing there)."""
    for v in (value.flat if isinstance(value, np.ndarray) else [value]):
        if isinstance(v, (int, Fraction)):
            continue
        s = as_sympy(v)
        if s.has(sp.zoo, sp.oo, -sp.oo, sp.nan) or s.is_extended_real is not True:
            return False
    return True


_DOMAINS: dict = {}


def domain_nodes(node: E.Node) -> list:
    """(argument node, strict) for every even root (strict for a negative power) and every
    logarithm inside the node: it is defined only where each argument is ≥ 0 (> 0)."""
    if node.key in _DOMAINS:
        return _DOMAINS[node.key]
    out = []
    for m in E.walk(node):
        if not isinstance(m, E.Entrywise) or not m.args:
            continue
        for a in sp.preorder_traversal(m.expr):
            if isinstance(a, sp.Pow) and a.exp.is_Rational and not a.exp.is_Integer \
                    and a.base.is_nonnegative is not True:
                arg, strict = a.base, bool(a.exp < 0)
            elif isinstance(a, sp.log) and a.args[0].is_positive is not True:
                arg, strict = a.args[0], True
            else:
                continue
            try:
                out.append((E.ew(arg, m.args, m.shape), strict))
            except Exception:      # noqa: BLE001 - an argument the engine cannot frame: no check
                continue
    if len(_DOMAINS) > 2000:
        _DOMAINS.clear()
    _DOMAINS[node.key] = out
    return out


def inside(value, strict: bool) -> bool:
    """Whether every entry of an argument's value lies in the domain (≥ 0, or > 0)."""
    for v in (value.flat if isinstance(value, np.ndarray) else [value]):
        s = v if isinstance(v, (int, Fraction)) else as_sympy(v)
        ok = (s > 0) if strict else (s >= 0)
        if ok is not True and bool(ok) is not True:
            return False
    return True
