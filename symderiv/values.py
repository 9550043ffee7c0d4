"""Reading POINT and VALUE arguments: nested lists, numbers, or .npy/.json files.

Numbers are read exactly (0.1 is 1/10), so a point with a zero entry is a point on a
kink and never a float that merely looks like zero.  Nothing here evaluates code: the
text is tokenised by a small hand-written reader.
"""
from __future__ import annotations

import json
import os
import re
from fractions import Fraction

import numpy as np

from .errors import InputError

_TOKEN = re.compile(r"\s*(?:(?P<num>[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?(?:/\d+)?)|(?P<punct>[\[\](),]))")
MAX_ENTRIES = 4_000_000


def _number(text: str):
    try:
        v = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise InputError(f"not a number: {text}")
    return int(v) if v.denominator == 1 else v


def parse_literal(text: str, what: str):
    """A number or nested list (JSON or Python syntax) -> nested Python lists of exact numbers."""
    # JSON is the common case and json's C parser is fast on big points; it runs no code,
    # and floats are read from their digits, exactly.
    try:
        return json.loads(text, parse_float=_number, parse_constant=_reject)
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
            raise InputError(f"{what}: too large")
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
        return _number(t)

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


def _from_float(x):
    # The shortest decimal that prints as x: 0.1 stays 1/10, not its binary expansion.
    return _number(repr(float(x)))


def load(text: str, what: str) -> np.ndarray:
    """A POINT/VALUE argument: literal text, or a path to a .npy or .json file."""
    if text.endswith((".npy", ".json")) and not text.lstrip().startswith(("[", "(")):
        if not os.path.isfile(text):
            raise InputError(f"{what}: no such file {text}")
        if text.endswith(".json"):
            try:
                with open(text) as fh:
                    data = json.load(fh, parse_float=_number, parse_int=_number)
            except (ValueError, OSError) as exc:
                raise InputError(f"{what}: {text} is not valid JSON ({exc.__class__.__name__})")
            return to_array(data, what)
        try:
            arr = np.load(text, allow_pickle=False)
        except (ValueError, OSError):
            raise InputError(f"{what}: {text} is not a readable .npy file")
        if arr.dtype.kind not in "iuf" or arr.ndim > 2:
            raise InputError(f"{what}: {text} must hold a real array of at most 2 dimensions")
        conv = (lambda v: int(v)) if arr.dtype.kind in "iu" else _from_float
        data = arr.tolist()
        if arr.ndim == 0:
            return to_array(conv(data), what)
        if arr.ndim == 1:
            return to_array([conv(v) for v in data], what)
        return to_array([[conv(v) for v in row] for row in data], what)
    return to_array(parse_literal(text, what), what)
