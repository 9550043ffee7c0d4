"""Exact values as the operations compute them: 2-D NumPy object arrays of Python ints
and Fractions, with SymPy numbers only where a value is irrational (a norm, an exp), so
a kink is found by an exact comparison with 0, never by a float tolerance."""
from __future__ import annotations

from fractions import Fraction

from ..lazy_import import LazyModule
np = LazyModule("numpy")
import sympy as sp

from .. import fast_exact
from ..errors import Unsupported
from ..exact_numbers import as_sympy


class DivisionByZero(Unsupported):
    """A formula divides by zero at the point (the checker reads it as 'no value there')."""


def to_number(v):
    """A SymPy number as an int/Fraction when rational, else left as a SymPy number."""
    if isinstance(v, (int, Fraction)):
        return v
    v = as_sympy(v)
    if v.is_Integer:
        return int(v)
    if v.is_Rational:
        return Fraction(int(v.p), int(v.q))
    return v


def order_key(v):
    """A key that orders exact values as numbers (floats only to order irrationals)."""
    return v if isinstance(v, (int, Fraction)) else float(as_sympy(v))


def scalar(v) -> np.ndarray:
    """v as a 1x1 value."""
    out = np.empty((1, 1), dtype=object)
    out[0, 0] = to_number(v) if not isinstance(v, (int, Fraction)) else v
    return out


def total(a: np.ndarray):
    """The sum of the entries, exactly (starting from the int 0, as Python's sum does)."""
    fast = fast_exact.total(a)
    if fast is not None:
        return fast
    acc = 0
    for v in a.flat:
        acc = acc + v
    return acc


def product(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The matrix product, a 1x1 factor read as a scalar."""
    if a.shape == (1, 1) and b.shape != (1, 1) and a.shape[1] != b.shape[0]:
        return a[0, 0] * b
    if b.shape == (1, 1) and a.shape[1] != 1:
        return a * b[0, 0]
    if all(isinstance(v, int) for v in a.flat) and all(isinstance(v, int) for v in b.flat):
        big = max([abs(v) for v in a.flat] + [abs(v) for v in b.flat] + [1])
        if big * big * max(a.shape[1], 1) < 2 ** 62:
            # Exact in int64: the bound above rules out overflow.
            r = np.asarray(a, dtype=np.int64) @ np.asarray(b, dtype=np.int64)
            return np.vectorize(int, otypes=[object])(r)
    return a.dot(b)


def to_sympy_matrix(a: np.ndarray) -> sp.Matrix:
    return sp.Matrix(a.shape[0], a.shape[1], lambda i, j: as_sympy(a[i, j]))


def from_sympy_matrix(m: sp.Matrix, shape) -> np.ndarray:
    out = np.empty(shape, dtype=object)
    for idx in np.ndindex(shape):
        out[idx] = to_number(m[idx])
    return out
