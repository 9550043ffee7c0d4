"""Reading POINT and VALUE arguments: nested lists, numbers, or .npy/.json files.

Numbers are read exactly (0.1 is 1/10), so a point with a zero entry is a point on a
kink and never a float that merely looks like zero.  Nothing here evaluates code: the
text is tokenised by a small hand-written reader.
"""
from __future__ import annotations

import json
import os
import re
import stat
from fractions import Fraction

from .lazy_import import LazyModule
np = LazyModule("numpy")

from .errors import InputError, Unsupported

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
    pos = 0
    tokens = []
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            bad = text[pos:].lstrip()[:12]
            raise InputError(f"{what}: cannot read '{bad}' at column {len(text) - len(text[pos:].lstrip())}")
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


def _reject(name):
    raise ValueError(name)


def to_array(data, what: str) -> np.ndarray:
    """Exact numbers -> a 2-D object array: a scalar is 1x1, a flat list a column."""
    if isinstance(data, (int, Fraction)) and not isinstance(data, bool):
        out = np.empty((1, 1), dtype=object)
        out[0, 0] = data
        return out
    if not isinstance(data, list) or not data:
        raise InputError(f"{what}: expected a number or a non-empty list")
    if all(isinstance(x, (int, Fraction)) and not isinstance(x, bool) for x in data):
        out = np.empty((len(data), 1), dtype=object)
        for i, x in enumerate(data):
            out[i, 0] = x
        return out
    if all(isinstance(r, list) for r in data):
        width = len(data[0])
        if width == 0 or any(len(r) != width for r in data):
            raise InputError(f"{what}: rows of different lengths")
        if not all(isinstance(x, (int, Fraction)) and not isinstance(x, bool) for r in data for x in r):
            raise InputError(f"{what}: expected numbers in a list of rows")
        out = np.empty((len(data), width), dtype=object)
        out[:, :] = data
        return out
    raise InputError(f"{what}: mixes numbers and lists")


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
                raise InputError(f"{what}: {text} is not valid JSON ({exc.msg} at column {exc.pos})")
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
        conv = (lambda v: int(v)) if arr.dtype.kind in "iu" else (lambda v: _from_float(v, what))
        data = arr.tolist()
        if arr.ndim == 0:
            return to_array(conv(data), what)
        if arr.ndim == 1:
            return to_array([conv(v) for v in data], what)
        return to_array([[conv(v) for v in row] for row in data], what)
    return to_array(parse_literal(text, what), what)
