"""Conversions between the number types the engine uses internally.

Only ints, Fractions and SymPy objects pass through here: text never does (user text
is tokenised by the grammar and the value reader), so nothing can be evaluated.
"""
from __future__ import annotations

from fractions import Fraction

import sympy as sp


def as_sympy(v) -> sp.Basic:
    if isinstance(v, sp.Basic):
        return v
    if isinstance(v, bool):
        return sp.Integer(int(v))
    if isinstance(v, int):
        return sp.Integer(v)
    if isinstance(v, Fraction):
        return sp.Rational(v.numerator, v.denominator)
    raise TypeError(f"not an internal number: {type(v).__name__}")


def is_concrete(d) -> bool:
    """A size that is a known integer (as opposed to a symbol such as m)."""
    return isinstance(d, int) or as_sympy(d).is_Integer is True
