"""Justifications written beside a step: layout, not part of the formula.

Lecture notes and answers annotate their steps: ``\\quad\\text{(product rule)}``,
``&&\\text{by cyclicity}``, ``\\quad (\\text{Frobenius product})``.  Such a note is
removed from the row.  A note that goes on with a formula (``\\qquad\\text{since } A = B``)
states that formula as the reason for the step: it is kept as a claim of its own, an
aside, which does not continue the step's chain.

A note is only recognised after layout (a quad, an alignment mark, a thin space or a
comma) and at the top level of the row; a ``\\text{...}`` that starts with a condition
word (for, if, where, ...) is a condition, read by ``rows.split_condition``.
"""
from __future__ import annotations

import re

from .reading import top_level

_TEXT_HEAD = re.compile(r"\\(?:text|textrm|mbox|textnormal|textit|textbf)\s*\{")
_APPLIED = re.compile(r"^\s*(\(|_|\^|\\left|\{)")       # \text{sign}(x): an operator, not a note
_LAYOUT_BEFORE = re.compile(r"(\\q?quad|&|\\[,;: ]|~|,)\s*$")
_PAREN_NOTE = re.compile(r"(\\q?quad|&|\\[,;: ]|~)\s*(\\left\s*)?\(\s*\\(?:text|textrm|mbox|textit)\s*\{[^{}]*\}\s*(\\right\s*)?\)"
                         r"\s*[.,;]?\s*$")
_AND = re.compile(r"(\\q?quad|,|\\[,;: ]|~)\s*\\(?:text|textrm|mbox|textnormal)\s*\{\s*and\s*\}")
_CLOSE = re.compile(r"(\\right\s*\)|\)|\\(?:text|textrm|mbox|textnormal)\s*\{\s*\)\s*\})\s*$")
_RELATION = re.compile(r"(?<!\\)[=<>]|\\(le|leq|ge|geq|ne|neq|lt|gt|approx|equiv)(?![a-zA-Z])")


def strip_notes(row: str, condition_words) -> tuple[str, list[str]]:
    """(the row without its notes, the formulas its notes give as reasons)."""
    # 'a = b \quad\text{and}\quad c = d' states two claims: 'and' is a separator, no note
    row = _AND.sub(r" \\qquad ", row)
    m = _PAREN_NOTE.search(row)
    if m and m.start() in _top(row):
        row = row[:m.start()]
    top = _top(row)
    for start, end, words in _texts(row):
        words = words.strip()
        first = words.split()[0].lower().lstrip("(") if words.split() else ""
        if first in condition_words or start not in top or _APPLIED.match(row[end:]):
            continue
        before = row[:start]
        if not _LAYOUT_BEFORE.search(before) or not _RELATION.search(before):
            continue               # text inside the formula, or the row's own first words
        rest = row[end:].strip()
        rest = re.sub(r"[.,;]\s*$", "", rest).strip()
        if words.count("(") > words.count(")"):
            # '\text{(since } A = B)': the note opened a parenthesis that the formula
            # closes; left on, the ')' makes the reason unreadable ('unverified')
            rest = re.sub(r"[.,;]\s*$", "", _CLOSE.sub("", rest)).strip()
        # '\text{since } A = B' gives its reason after the note, '\text{(since $A = B$)}' inside
        inside = [f for f in re.findall(r"\$([^$]+)\$", words) if _RELATION.search(f)]
        asides = ([rest] if _RELATION.search(rest) else []) + inside
        return _trim(before), asides
    return row, []


def _texts(row: str):
    """(start, end, contents) of every \\text{...} in the row, braces inside included."""
    for m in _TEXT_HEAD.finditer(row):
        depth, i = 0, m.end() - 1
        for j in range(i, len(row)):
            if row[j] == "{" and row[j - 1] != "\\":
                depth += 1
            elif row[j] == "}" and row[j - 1] != "\\":
                depth -= 1
                if depth == 0:
                    yield m.start(), j + 1, row[i + 1:j]
                    break


def _top(row: str) -> set:
    return {pos for _, pos in top_level(row)}


def _trim(text: str) -> str:
    return re.sub(r"(\s|&|\\[,;: ]|\\q?quad|~|,)+$", "", text)
