"""One parse in progress: the text read, the reading decisions noted for the user, the
tokens the stage settled, and errors located in that text.

The token stage (tokens.py), the tree builder (tree_to_syntax.py) and the translation of
Lark's errors (parse.py) all work on the same run.
"""
from __future__ import annotations

import contextvars

from lark import Token

from .errors import InputError, shown_column


class ParseRun:
    """What one call to parse() shares between the token stage and the builder."""

    def __init__(self, source: str, statement: bool):
        self.source = source
        self.statement = statement
        self.notes: list[tuple[int, str]] = []
        self.tokens: list[Token] = []

    def note(self, pos: int, text: str):
        self.notes.append((pos, text))

    def error(self, message: str, pos: int) -> InputError:
        return InputError(f"{message} at column {shown_column(pos)}", column=pos, source=self.source)

    def text(self, start: int, end: int) -> str:
        return self.source[start:end]

    def show(self, tok: Token) -> str:
        """A token as the user wrote it."""
        return self.source[tok.start_pos:tok.end_pos] or str(tok)

    def final_notes(self) -> list[str]:
        seen, out = set(), []
        for _, text in sorted(self.notes, key=lambda n: n[0]):
            if text not in seen:
                seen.add(text)
                out.append(text)
        return out



# Lark calls the post-lexer with the token stream alone, and the parser is built once for
# every parse: the stage finds the run in progress here (a context variable, so that
# parses in other threads do not see it).
CURRENT_RUN: contextvars.ContextVar[ParseRun] = contextvars.ContextVar("symderiv_parse_run")
