"""Math blocks out of a post or a .tex file, with the prose between them kept.

A hand derivation arrives as a Markdown post pasted from a Q&A site or a blog, or as a
LaTeX file.  The checker needs the math in order, knowing which blocks are displayed
(derivation lines) and which sit inline in a sentence (often only a condition such as
"for $x > 0$"), and the prose around them, which carries such conditions.

Recognised delimiters: ``$$...$$``, ``\\[...\\]``, ``\\(...\\)``, ``$...$`` and the
display environments of LaTeX (equation, align, gather, multline, eqnarray, with or
without a star).  ``\\$`` is a dollar sign, and code (fenced or in backticks) is prose.
An opening delimiter that is never closed is prose too: a stray dollar in a post is
more likely money than math.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

DISPLAY_ENVS = ("equation", "align", "alignat", "gather", "multline", "eqnarray", "flalign",
                "displaymath", "math")

_OPENERS = re.compile(
    r"(?P<fence>^```|^~~~)"
    r"|(?P<code>`+)"
    r"|(?P<esc>\\\$)"
    r"|(?P<dd>\$\$)"
    r"|(?P<d>\$)"
    r"|(?P<bracket>\\\[)"
    r"|(?P<paren>\\\()"
    r"|(?P<env>\\begin\s*\{(?P<name>(?:" + "|".join(DISPLAY_ENVS) + r")\*?)\})",
    re.M)


@dataclass(frozen=True)
class Segment:
    kind: str          # 'prose', 'inline' or 'display'
    text: str          # for math: what is between the delimiters
    start: int         # offset in the input
    line: int          # 1-based line of ``start``


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def segments(text: str) -> list[Segment]:
    """The input cut into prose and math, in order."""
    out: list[Segment] = []
    pos = 0
    prose_start = 0

    def prose_until(end):
        if end > prose_start:
            out.append(Segment("prose", text[prose_start:end], prose_start, _line_of(text, prose_start)))

    while True:
        m = _OPENERS.search(text, pos)
        if m is None:
            break
        kind = m.lastgroup
        if kind == "esc":
            pos = m.end()
            continue
        if kind == "fence":
            # a fenced code block is prose up to its closing fence
            close = text.find("\n" + m.group(), m.end())
            pos = len(text) if close < 0 else close + 1 + len(m.group())
            continue
        if kind == "code":
            close = text.find(m.group(), m.end())
            pos = m.end() if close < 0 else close + len(m.group())
            continue
        if kind == "env":
            name = m.group("name")
            closing = re.compile(r"\\end\s*\{" + re.escape(name) + r"\}")
            c = closing.search(text, m.end())
            if c is None:
                pos = m.end()
                continue
            # the environment's own rows are kept: the row splitter reads them
            body, inner_kind, end = text[m.start():c.end()], "display", c.end()
        else:
            closer = {"dd": "$$", "d": "$", "bracket": r"\]", "paren": r"\)"}[kind]
            c = _find_closer(text, m.end(), closer)
            if c is None:
                pos = m.end()
                continue
            body, end = text[m.end():c], c + len(closer)
            inner_kind = "inline" if kind in ("d", "paren") else "display"
        prose_until(m.start())
        out.append(Segment(inner_kind, body, m.start(), _line_of(text, m.start())))
        pos = prose_start = end
    prose_until(len(text))
    return out


def _find_closer(text: str, start: int, closer: str) -> int | None:
    """Where ``closer`` first occurs unescaped after ``start``; an inline $ does not run
    across a blank line (that is prose with a stray dollar)."""
    i = start
    while True:
        j = text.find(closer, i)
        if j < 0:
            return None
        if closer == "$" and "\n\n" in text[start:j]:
            return None
        if closer == "$" and j == start:
            return None          # '$$' was matched earlier; an empty $ $ is no math
        if j > 0 and text[j - 1] == "\\" and closer.startswith("$"):
            i = j + 1
            continue
        return j


def math_blocks(text: str) -> list[Segment]:
    return [s for s in segments(text) if s.kind != "prose"]
