"""Exact values of big points at NumPy speed, where integers allow it.

A point's value is an object array of exact numbers (ints, Fractions, SymPy numbers).
Where every entry of such an array is a Python int of moderate size, the same exact
answers come from an int64 array: a sign, a sum, a maximum or a list of the entries
computed in C, not by a Python call per entry.  Each helper here answers None (or the
caller's exact path runs) as soon as that cannot hold: a Fraction, a SymPy number, or an
int so large that int64 arithmetic could overflow.  The results are Python ints again,
so what is printed is byte for byte what the per-entry path prints.  Positions lists
the entries of a mask on demand (a big point has many entries on a kink), and
remembering() lets a reader that changes no array (the JSON writer) ask twice for free.
"""
from __future__ import annotations

from collections.abc import Sequence
from contextlib import contextmanager

from .lazy_import import LazyModule

np = LazyModule("numpy")

# Entries are taken into int64 only below this bound: a sum of up to 2^31 of them, or a
# product of two, is then checked against the same bound before it is computed in int64.
SAFE = 2 ** 31
# Below this many entries the per-entry path is as fast: small points take it unchanged.
MIN_FAST = 1024


_memo: dict | None = None


@contextmanager
def remembering():
    """Within the block, ints() answers again for an array it has seen from memory: for
    code that only reads its arrays (the JSON writer lists one gradient three times)."""
    global _memo
    old, _memo = _memo, {}
    try:
        yield
    finally:
        _memo = old


def ints(a) -> np.ndarray | None:
    """The int64 array of an object array whose entries are all Python ints with
    |x| < SAFE; None otherwise (and for small arrays, which gain nothing)."""
    if not isinstance(a, np.ndarray) or a.dtype != object or a.size < MIN_FAST:
        return None
    if _memo is not None:
        hit = _memo.get(id(a))
        if hit is not None and hit[0] is a:
            return hit[1]
    b = _ints(a)
    if _memo is not None:
        _memo[id(a)] = (a, b)          # a is kept alive, so its id is not reused meanwhile
    return b


def _ints(a: np.ndarray) -> np.ndarray | None:
    # a type test, not equality: Fraction(2, 1), sympy's Integer(2) and True stay on the
    # exact path, so no value changes its type on the way through (astype alone would
    # truncate 1/2 to 0 and read π as 3)
    if set(map(type, a.flat)) != {int}:          # a.flat: no list of a million pointers
        return None
    try:
        b = a.astype(np.int64)
    except OverflowError:
        return None
    if b.size and (b.max() >= SAFE or b.min() <= -SAFE):
        return None
    return b


def to_objects(b: np.ndarray) -> np.ndarray:
    """An int64 array back as an object array of Python ints (what the exact path holds)."""
    return b.astype(object)


def signs(a) -> np.ndarray | None:
    """The entrywise sign (-1, 0, 1 as Python ints) of an all-int array; None otherwise."""
    b = ints(a)
    if b is None:
        return None
    # b is ints()'s own copy, signed in place unless remembering() may hand it out again
    return to_objects(np.sign(b, out=b if _memo is None else None))


def total(a) -> int | None:
    """The exact sum of an all-int array; None otherwise."""
    b = ints(a)
    if b is None:
        return None
    # |sum| < size * SAFE <= 2^62 for up to 2^31 entries: no int64 overflow
    if b.size >= 2 ** 31:
        return None
    return int(b.sum())


def max_bits(a) -> int | None:
    """The largest bit length of the entries of an all-int array; None otherwise."""
    b = ints(a)
    if b is None:
        return None
    return int(np.abs(b).max()).bit_length() if b.size else 0


def numbers(a) -> list | None:
    """The entries of an all-int array as nested lists of Python ints; None otherwise.
    Within remembering() the same list is handed out again for the same array (the JSON
    of a gradient and of its Clarke point is one list, not two)."""
    if _memo is not None:
        hit = _memo.get(("numbers", id(a)))
        if hit is not None and hit[0] is a:
            return hit[1]
    b = ints(a)
    out = None if b is None else b.tolist()
    if _memo is not None:
        _memo[("numbers", id(a))] = (a, out)
    return out


class Positions(Sequence):
    """The positions of the True entries of a mask, as the tuples list(zip(*np.nonzero(m)))
    would hold, made on demand: a big point has hundreds of thousands of entries on a kink,
    and the list of their tuples would outweigh the point itself."""

    def __init__(self, mask: np.ndarray):
        self._idx = np.nonzero(mask)

    def __len__(self):
        return len(self._idx[0])

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return tuple(ix[i] for ix in self._idx)

    def __iter__(self):
        return zip(*self._idx)


def exact_strings(a) -> list | None:
    """The entries of an all-int array as nested lists of their decimal strings."""
    b = ints(a)
    return None if b is None else b.astype(str).tolist()
