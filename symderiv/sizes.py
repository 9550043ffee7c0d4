"""How large a formula asks its numbers and polynomials to be, read off the syntax tree
before anything is built.

SymPy builds what it is given: ((x+1)^{1000})^{1000} is a polynomial of degree a
million (it ran to 2.3 GB), (10^{1000})^{1000} a number of a million digits, and neither
fails until long after the work started.  Two measures, each an upper bound computed
from the tree alone, decide instead, the same way on every machine:

- the degree: names count 1, numbers 0; sums take the largest, products add, a power
  multiplies by the size of its exponent, a function keeps its argument's degree;
- the digits of the constants: a numeral's digits (its exponent included), a scalar's
  value given with --let or --at its own; products add, a power multiplies.

A formula past either limit is refused naming the construct, its column and the limit
(exit 3: well-formed, but larger than the tool takes).
"""
from __future__ import annotations

import math
from dataclasses import fields
from fractions import Fraction

from . import fast_exact
from . import syntax as S
from .errors import Unsupported, shown_column

MAX_DEGREE = 100
MAX_DIGITS = 4000       # SymPy prints integers of up to 4300 digits; a margin below that
MAX_NUMERAL = 1000      # digits of one number as written (as values.MAX_DIGITS)


def _numeral_digits(text: str) -> int:
    body, _, exp = text.lower().partition("e")
    if len(exp.lstrip("+-")) > 6:
        return 10 ** 7
    return len(body.replace(".", "").lstrip("+-")) + (abs(int(exp)) if exp.strip("+-") else 0)


def _value_digits(value) -> int:
    """Digits of a value given for a name: the largest entry's numerator or denominator."""
    bits = fast_exact.max_bits(value)
    if bits is not None:
        return int(max(1, bits * 0.302)) + 1
    best = 1
    for v in getattr(value, "flat", [value]):
        if isinstance(v, Fraction):
            best = max(best, v.numerator.bit_length() * 0.302, v.denominator.bit_length() * 0.302)
        elif isinstance(v, int):
            best = max(best, v.bit_length() * 0.302)
    return int(best) + 1


def _constant(t: S.Term) -> float | None:
    """An upper bound on |t| for a constant exponent (Num, -k, p/q, k^m), None when t
    is not a number the tree spells out."""
    if isinstance(t, S.Num):
        if _numeral_digits(t.text) > 308:
            return math.inf
        return float(Fraction(t.text))
    if isinstance(t, S.Neg):
        inner = _constant(t.arg)
        return None if inner is None else -inner
    if isinstance(t, S.BinOp) and t.op in ("/", "*", "+", "-"):
        a, b = _constant(t.left), _constant(t.right)
        if a is None or b is None:
            return None
        try:
            return {"/": lambda: a / b if b else math.inf, "*": lambda: a * b,
                    "+": lambda: a + b, "-": lambda: a - b}[t.op]()
        except (OverflowError, ZeroDivisionError):
            return math.inf
    if isinstance(t, S.Pow):
        a, b = _constant(t.base), _constant(t.exp)
        if a is None or b is None:
            return None
        try:
            return abs(a) ** b if abs(a) != 0 else 0.0
        except (OverflowError, ZeroDivisionError):
            return math.inf
    return None


def _children(t: S.Term):
    for f in fields(t):
        v = getattr(t, f.name)
        items = v if isinstance(v, tuple) else (v,)
        for x in items:
            if isinstance(x, tuple):
                yield from (y for y in x if isinstance(y, S.Term))
            elif isinstance(x, S.Term):
                yield x


def _terms_in(obj):
    """The terms a parse result holds: a term, a statement's terms, or lists of them."""
    if isinstance(obj, S.Term):
        yield obj
    elif isinstance(obj, S.Statement):
        yield from (t for t in obj.terms if isinstance(t, S.Term))
    elif isinstance(obj, (tuple, list)):
        for x in obj:
            yield from _terms_in(x)


def check(term: S.Term | S.Statement, source: str, values: dict | None = None):
    """Refuse a tree whose degree or constants would be too large to build."""
    values = values or {}
    measured: dict[int, tuple] = {}
    # post-order without recursion (trees may be 500 deep)
    roots = list(_terms_in(term))
    stack = [(r, False) for r in roots]
    while stack:
        t, done = stack.pop()
        if not done:
            stack.append((t, True))
            stack.extend((c, False) for c in _children(t))
            continue
        if isinstance(t, S.Num) and _numeral_digits(t.text) > MAX_NUMERAL:
            start = t.span[0]
            raise Unsupported(f"the number {t.text[:20]}... at column {shown_column(start)} has more than {MAX_NUMERAL} digits "
                              "(a size limit)", column=start, source=source)
        deg, dig = _measure(t, [measured[id(c)] for c in _children(t)], values)
        if deg > MAX_DEGREE or dig > MAX_DIGITS:
            _refuse(t, source, deg > MAX_DEGREE)
        measured[id(t)] = (deg, dig)


def _measure(t: S.Term, kids: list, values: dict) -> tuple:
    if isinstance(t, S.Num):
        return 0, _numeral_digits(t.text)
    if isinstance(t, (S.Name, S.Entry)):
        name = t.name if isinstance(t, S.Name) else t.base
        value = values.get(name)
        if value is None and isinstance(t, S.Entry):
            value = values.get(name.upper()) if name.islower() else values.get(name.lower())
        return (0, _value_digits(value)) if value is not None else (1, 1)
    if not kids:
        return 0, 1
    degs = [k[0] for k in kids]
    digs = [k[1] for k in kids]
    if isinstance(t, S.Pow) or (isinstance(t, S.BinOp) and t.op == "hpow"):
        base, exp = (t.base, t.exp) if isinstance(t, S.Pow) else (t.left, t.right)
        k = _constant(exp)
        if k is None:            # e^{u}, or an exponent refused later as not a number
            return max(degs), max(digs)
        k = max(abs(k), 1.0)
        b_deg, b_dig = kids[0]
        return (b_deg * k if b_deg else 0), b_dig * k      # (0 * inf would be nan, which passes every test)
    if isinstance(t, S.BinOp) and t.op in ("*", "/", "hadamard", ":"):
        return sum(degs), sum(digs) + 1
    if isinstance(t, S.Inner):
        return sum(degs), sum(digs) + 1
    if isinstance(t, S.BinOp):
        return max(degs), max(digs) + 1
    return max(degs), max(digs) + 1


def _refuse(t: S.Term, source: str, degree: bool):
    start, end = getattr(t, "span", (0, 0))
    shown = source[start:end] if end > start else type(t).__name__
    if len(shown) > 40:
        shown = shown[:37] + "..."
    if degree:
        what = f"{shown} at column {shown_column(start)} has degree above {MAX_DEGREE} (a size limit)"
    else:
        what = f"{shown} at column {shown_column(start)} makes a number of more than {MAX_DIGITS} digits (a size limit)"
    raise Unsupported(what, column=start, source=source)
