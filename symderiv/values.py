"""Reading POINT and VALUE arguments: nested lists, numbers, or .npy/.json files.

Numbers are read exactly (0.1 is 1/10), so a point with a zero entry is a point on a
kink and never a float that merely looks like zero.  An entry may name π (pi/2, \\pi,
π): it is then the exact SymPy number a + b*pi, so cos(π/2) is 0, exactly.  Nothing
here evaluates code: the text is tokenised by small hand-written readers.
"""
from __future__ import annotations

import json
import os
import re
import stat
from fractions import Fraction

import sympy as sp

from .lazy_import import LazyModule
np = LazyModule("numpy")

from .errors import InputError, Unsupported, shown_column
from .exact_numbers import as_sympy

_TOKEN = re.compile(r"\s*(?:(?P<num>[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?(?:/\d+)?)|(?P<punct>[\[\](),]))")
MAX_ENTRIES = 4_000_000
# Digits of one number, exponent included: 1e1000 has 1001.  Checked on the text before the
# number is built, so 1e9999999 is refused at once (built, it takes minutes and megabytes).
MAX_DIGITS = 1000
# A .json or .npy point file is read whole: its size is checked before it is opened.
MAX_FILE_BYTES = 64 * 1024 * 1024
_NUMERAL = re.compile(r"[+-]?(?P<int>\d*)(?:\.(?P<frac>\d*))?(?:[eE](?P<exp>[+-]?\d+))?")


def _shown(text: str) -> str:
    return text if len(text) <= 24 else text[:20] + "..."


def _digits(text: str) -> int:
    """How many decimal digits the number written ``text`` has, from its text alone."""
    total = 0
    for part in text.split("/"):
        m = _NUMERAL.fullmatch(part.strip())
        if m is None:
            return 0                      # not a numeral: Fraction says so below
        exp = m.group("exp") or "0"
        if len(exp.lstrip("+-")) > 6:
            return 10 ** 7
        total += len(m.group("int") or "") + len(m.group("frac") or "") + abs(int(exp))
    return total


def _number(text: str, what: str = "a value"):
    if _digits(text) > MAX_DIGITS:
        raise Unsupported(f"{what}: the number {_shown(text)} has more than {MAX_DIGITS} digits (a size limit)")
    try:
        v = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise InputError(f"{what}: not a number: {_shown(text)}")
    return int(v) if v.denominator == 1 else v


def parse_literal(text: str, what: str):
    """A number or nested list (JSON or Python syntax) -> nested Python lists of exact numbers."""
    # JSON is the common case and json's C parser is fast on big points; it runs no code,
    # and floats are read from their digits, exactly.
    try:
        return json.loads(text, parse_float=lambda t: _number(t, what), parse_int=lambda t: _number(t, what),
                          parse_constant=_reject)
    except (ValueError, RecursionError):
        pass
    if _PI.search(text):
        return _PiReader(text, what).read()
    pos = 0
    tokens = []
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            bad = text[pos:].lstrip()[:12]
            raise InputError(f"{what}: cannot read '{bad}' at column {shown_column(len(text) - len(text[pos:].lstrip()))}")
        tokens.append(m.group("num") if m.group("num") is not None else m.group("punct"))
        pos = m.end()
        if len(tokens) > 4 * MAX_ENTRIES:
            raise Unsupported(f"{what}: more than {MAX_ENTRIES} entries (a size limit)")
    if not tokens:
        raise InputError(f"{what}: empty value")
    i = 0

    def value():
        nonlocal i
        if i >= len(tokens):
            raise InputError(f"{what}: ends early")
        t = tokens[i]
        if t in "[(":
            close = "]" if t == "[" else ")"
            i += 1
            items = []
            while True:
                if i < len(tokens) and tokens[i] == close:
                    i += 1
                    return items
                items.append(value())
                if i < len(tokens) and tokens[i] == ",":
                    i += 1
                    continue
                if i < len(tokens) and tokens[i] == close:
                    i += 1
                    return items
                raise InputError(f"{what}: expected ',' or '{close}'")
        if t in "]),":
            raise InputError(f"{what}: unexpected '{t}'")
        i += 1
        return _number(t, what)

    out = value()
    if i != len(tokens):
        raise InputError(f"{what}: unexpected text after the value")
    return out


_PI = re.compile(r"pi(?![A-Za-z])|π")
_PI_TOKEN = re.compile(r"\s*(?:(?P<num>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)"
                       r"|(?P<pi>\\pi(?![A-Za-z])|pi(?![A-Za-z])|π)|(?P<op>[\[\](),+\-*/]))")


class _PiReader:
    """A point with π in it (pi/2, 3\\pi/4 - 1, [π, -pi/3]): each entry a + b π with
    rational a and b, read by a small recursive parser that builds nothing but Fractions
    (no eval, no sympify).  Lists are written with [ ]; ( ) groups.  An entry with b = 0
    is an int or Fraction as elsewhere; else the SymPy number a + b*pi, exact, so a kink
    at cos(π/2) = 0 is decided exactly."""

    def __init__(self, text: str, what: str):
        self.what, self.tokens, self.i = what, [], 0
        pos = 0
        while pos < len(text):
            m = _PI_TOKEN.match(text, pos)
            if not m or m.end() == pos:
                if not text[pos:].strip():
                    break
                col = len(text) - len(text[pos:].lstrip())
                raise InputError(f"{what}: cannot read '{text[col:col + 12]}' at column {shown_column(col)}")
            kind = m.lastgroup
            self.tokens.append((kind, m.group(kind)))
            pos = m.end()
            if len(self.tokens) > 4 * MAX_ENTRIES:
                raise Unsupported(f"{what}: more than {MAX_ENTRIES} entries (a size limit)")

    def read(self):
        what = self.what
        if not self.tokens:
            raise InputError(f"{what}: empty value")
        out = self._value()
        if self.i != len(self.tokens):
            raise InputError(f"{what}: unexpected text after the value")
        return out

    def _peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else (None, None)

    def _take(self, op: str) -> bool:
        if self._peek() == ("op", op):
            self.i += 1
            return True
        return False

    def _value(self):
        what = self.what
        if self._take("["):
            items = []
            if self._take("]"):
                return items
            while True:
                items.append(self._value())
                if self._take(","):
                    continue
                if self._take("]"):
                    return items
                raise InputError(f"{what}: expected ',' or ']'")
        a, b = self._sum()
        if b == 0:
            return int(a) if a.denominator == 1 else a
        return as_sympy(a) + as_sympy(b) * sp.pi

    def _sum(self):
        a, b = self._product()
        while self._peek() in (("op", "+"), ("op", "-")):
            sign = 1 if self.tokens[self.i][1] == "+" else -1
            self.i += 1
            c, d = self._product()
            a, b = a + sign * c, b + sign * d
        return a, b

    def _product(self):
        what = self.what
        a, b = self._factor()
        while True:
            kind, t = self._peek()
            if (kind, t) in (("op", "*"), ("op", "/")):
                self.i += 1
                c, d = self._factor()
            elif kind in ("num", "pi") or (kind, t) == ("op", "("):
                t = "*"                      # 3 pi, 3\pi: a product written without *
                c, d = self._factor()
            else:
                return a, b
            if t == "*":
                if b and d:
                    raise Unsupported(f"{what}: a power of π is not a point this reader takes "
                                      "(each entry is a + b π, a and b rational)")
                a, b = a * c, a * d + b * c
            else:
                if d or c == 0:
                    raise InputError(f"{what}: divides by {'π' if d else 'zero'} "
                                     "(each entry is a + b π, a and b rational)")
                a, b = a / c, b / c
            self._size(a, b)

    def _factor(self):
        what = self.what
        kind, t = self._peek()
        self.i += 1
        if kind == "num":
            v = Fraction(_number(t, self.what))
            return v, Fraction(0)
        if kind == "pi":
            return Fraction(0), Fraction(1)
        if t in ("-", "+"):
            a, b = self._factor()
            return (-a, -b) if t == "-" else (a, b)
        if t == "(":
            a, b = self._sum()
            if not self._take(")"):
                raise InputError(f"{what}: expected ')'")
            return a, b
        raise InputError(f"{what}: ends early" if kind is None else f"{what}: unexpected '{t}'")

    def _size(self, a: Fraction, b: Fraction):
        what = self.what
        # products of numerals grow: each entry stays within the digits one numeral may have
        bits = max(abs(x.numerator).bit_length() + x.denominator.bit_length() for x in (a, b))
        if bits > 4 * MAX_DIGITS:
            raise Unsupported(f"{what}: a number with more than {MAX_DIGITS} digits (a size limit)")


def _reject(name):
    raise ValueError(name)


def to_array(data, what: str) -> np.ndarray:
    """Exact numbers -> a 2-D object array: a scalar is 1x1, a flat list a column."""
    if _is_exact(data):
        out = np.empty((1, 1), dtype=object)
        out[0, 0] = data
        return out
    if not isinstance(data, list) or not data:
        raise InputError(f"{what}: expected a number or a non-empty list")
    if all(_is_exact(x) for x in data):
        out = np.empty((len(data), 1), dtype=object)
        for i, x in enumerate(data):
            out[i, 0] = x
        return out
    if all(isinstance(r, list) for r in data):
        width = len(data[0])
        if width == 0 or any(len(r) != width for r in data):
            raise InputError(f"{what}: rows of different lengths")
        if not all(_is_exact(x) for r in data for x in r):
            raise InputError(f"{what}: expected numbers in a list of rows")
        out = np.empty((len(data), width), dtype=object)
        out[:, :] = data
        return out
    raise InputError(f"{what}: mixes numbers and lists")


def _is_exact(x) -> bool:
    """An exact number of a point: an int, a Fraction, or a + b*pi (read with π)."""
    return (isinstance(x, (int, Fraction)) and not isinstance(x, bool)) or isinstance(x, sp.Expr)


def _from_float(x, what: str):
    # The shortest decimal that prints as x: 0.1 stays 1/10, not its binary expansion.
    return _number(repr(float(x)), what)


def regular_file(path: str, prefix: str = "") -> os.stat_result:
    """A file to read, refused before it is opened when it is no regular file (a FIFO
    would block, /dev/zero never ends); ``prefix`` names the option it came with."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise InputError(f"{prefix}cannot read {path}: {exc.strerror}")
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{prefix}{path} is not a regular file")
    return st


def _point_file(path: str, what: str) -> int:
    """The size of a point file: a regular file no larger than MAX_FILE_BYTES."""
    st = regular_file(path, f"{what}: ")
    if st.st_size > MAX_FILE_BYTES:
        raise InputError(f"{what}: {path} is larger than {MAX_FILE_BYTES} bytes (a size limit)")
    return st.st_size


def load(text: str, what: str) -> np.ndarray:
    """A POINT/VALUE argument: literal text, or a path to a .npy or .json file."""
    if text.endswith((".npy", ".json")) and not text.lstrip().startswith(("[", "(")):
        if not os.path.lexists(text):
            raise InputError(f"{what}: no such file {text}")
        _point_file(text, what)
        if text.endswith(".json"):
            try:
                with open(text, "rb") as fh:
                    raw = fh.read(MAX_FILE_BYTES + 1)
            except OSError as exc:
                raise InputError(f"{what}: cannot read {text}: {exc.strerror}")
            if len(raw) > MAX_FILE_BYTES:         # it grew since it was measured
                raise InputError(f"{what}: {text} is larger than {MAX_FILE_BYTES} bytes (a size limit)")
            try:
                data = json.loads(raw.decode("utf-8"), parse_float=lambda t: _number(t, what),
                                  parse_int=lambda t: _number(t, what), parse_constant=_reject)
            except json.JSONDecodeError as exc:
                raise InputError(f"{what}: {text} is not valid JSON ({exc.msg} at column {shown_column(exc.pos)})")
            except (ValueError, RecursionError) as exc:
                raise InputError(f"{what}: {text} is not valid JSON ({exc.__class__.__name__})")
            return to_array(data, what)
        try:
            arr = np.load(text, allow_pickle=False)
        except (ValueError, OSError, EOFError):
            raise InputError(f"{what}: {text} is not a readable .npy file")
        if not isinstance(arr, np.ndarray) or arr.dtype.kind not in "iuf" or arr.ndim > 2:
            raise InputError(f"{what}: {text} must hold a real array of at most 2 dimensions")
        if arr.size == 0:
            raise InputError(f"{what}: {text} holds an empty array")
        if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
            raise InputError(f"{what}: {text} holds a value that is not a finite number (inf or nan)")
        fast = _npy_ints(arr)
        if fast is not None:
            return fast
        conv = (lambda v: int(v)) if arr.dtype.kind in "iu" else (lambda v: _from_float(v, what))
        data = arr.tolist()
        if arr.ndim == 0:
            return to_array(conv(data), what)
        if arr.ndim == 1:
            return to_array([conv(v) for v in data], what)
        return to_array([[conv(v) for v in row] for row in data], what)
    return to_array(parse_literal(text, what), what)


def _npy_ints(arr: np.ndarray):
    """An integer .npy array (or a float one whose entries are all whole numbers below
    2^53, each of which the per-entry reading takes to the same int: 3.0 and -0.0 are 3
    and 0) as the 2-D object array of Python ints, built in C; None otherwise."""
    if arr.dtype.kind == "f":
        if arr.dtype.itemsize > 8 or not np.all((np.abs(arr) < 2.0 ** 53) & (arr == np.floor(arr))):
            return None
        arr = arr.astype(np.int64)
    elif arr.dtype.kind == "u" and arr.dtype.itemsize == 8:
        return None                       # past int64: the per-entry path reads them
    out = arr.astype(np.int64, copy=False).astype(object)
    return out.reshape(1, 1) if out.ndim == 0 else out.reshape(-1, 1) if out.ndim == 1 else out


def _exact(x, what: str):
    """One entry of a Python, NumPy or SymPy value as an exact number."""
    if isinstance(x, bool) or (hasattr(x, "dtype") and x.dtype.kind == "b"):
        raise InputError(f"{what}: expected numbers, got a truth value")
    if isinstance(x, (int, Fraction)):
        return x
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, (float, np.floating)):
        if not np.isfinite(x):
            raise InputError(f"{what}: holds a value that is not a finite number (inf or nan)")
        return _from_float(x, what)
    import sympy as sp                    # lazy: reading a CLI point needs no SymPy
    if isinstance(x, sp.Basic):
        if isinstance(x, sp.Integer):
            return int(x)
        if isinstance(x, sp.Rational):
            return Fraction(int(x.p), int(x.q))
        if isinstance(x, sp.Float) and x.is_finite:
            return _from_float(float(x), what)
        raise InputError(f"{what}: the entry {type(x).__name__} is not a number (a point holds "
                         "integers, fractions or floats)")
    raise InputError(f"{what}: expected numbers, got {type(x).__name__}")


def from_object(obj, what: str) -> np.ndarray:
    """A point or value given from Python: a number, nested lists or tuples of numbers, a
    NumPy array or a SymPy matrix (or a text, read as the CLI reads it).  Floats are read
    as the shortest decimal that prints them, as a .npy file is."""
    if isinstance(obj, str):
        return load(obj, what)
    import sympy as sp                    # lazy: see _exact
    if isinstance(obj, sp.MatrixBase):
        if obj.rows == 0 or obj.cols == 0:
            raise InputError(f"{what}: an empty matrix")
        return to_array([[_exact(obj[i, j], what) for j in range(obj.cols)] for i in range(obj.rows)], what)
    if isinstance(obj, np.ndarray):
        if obj.ndim > 2:
            raise InputError(f"{what}: an array of at most 2 dimensions, got {obj.ndim}")
        if obj.size == 0:
            raise InputError(f"{what}: an empty array")
        obj = obj.tolist() if obj.dtype != object else [list(r) if obj.ndim == 2 else r for r in obj] \
            if obj.ndim else obj.item()

    def walk(x, depth):
        if isinstance(x, (list, tuple, np.ndarray)):
            if depth >= 2:
                raise InputError(f"{what}: nested more than two levels (a point is a matrix at most)")
            return [walk(y, depth + 1) for y in x]
        return _exact(x, what)
    return to_array(walk(obj, 0), what)


def spell(value: np.ndarray) -> str:
    """The text of an exact 2-D value as --at reads it: a column as a flat list, a 1x1 as a number."""
    def num(x):
        return str(x)
    if value.shape == (1, 1):
        return num(value[0, 0])
    if value.shape[1] == 1:
        return "[" + ", ".join(num(x) for x in value[:, 0]) + "]"
    return "[" + ", ".join("[" + ", ".join(num(x) for x in row) + "]" for row in value) + "]"
