"""Macro expansion on the text, before parsing.

Posts define shorthands (``\\def\\t{\\operatorname{trace}}``) and then use them, so
the parser must see the text as TeX would after expansion.  Supported:
``\\def\\a{...}`` and ``\\def\\a#1#2{...}``, ``\\newcommand`` / ``\\renewcommand`` /
``\\providecommand`` (starred or not) with ``[n]`` arguments and an optional
``[default]`` for the first, ``\\DeclareMathOperator{\\tr}{tr}`` (starred or not, both
becoming ``\\operatorname{tr}``) and ``\\let\\a\\b``.  Definitions are removed from the
text; ``%`` comments are dropped.

Expansion is bounded (steps, output size, nesting depth) and a macro met again inside
its own expansion is an error naming it, so no input can make this loop.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import InputError

MAX_STEPS = 2000
MAX_OUTPUT = 50_000
MAX_DEPTH = 50

_DEFINERS = {"def", "gdef", "edef", "xdef", "newcommand", "renewcommand", "providecommand",
             "DeclareMathOperator", "let"}
_PLAIN = re.compile(r"[^\\%]+")
_CONTROL_WORD_END = re.compile(r"\\[a-zA-Z]+$")


@dataclass(frozen=True)
class Macro:
    name: str                   # without the backslash
    nargs: int
    body: str
    default: str | None = None  # \newcommand's optional first argument


class _Frame:
    """Pending text: the input, or one piece of an expansion.

    ``chain`` names the macros whose bodies this text came from; meeting one of them
    again is recursion.  ``origin`` is where, in the input, the outermost call was."""
    __slots__ = ("text", "pos", "chain", "origin")

    def __init__(self, text, chain=(), origin=0):
        self.text, self.pos, self.chain, self.origin = text, 0, chain, origin


class _Expander:
    def __init__(self, source: str, table: dict):
        self.source = source
        self.table = table
        self.stack = [_Frame(source)]
        self.out: list[str] = []
        self.out_len = 0
        self.steps = 0
        self.after_word = False     # last output was a control word: keep it apart from letters
        self.last_chain = ()        # chain of the frame the last character came from

    # -- reading across frames -------------------------------------------------------

    def _top(self):
        while self.stack and self.stack[-1].pos >= len(self.stack[-1].text):
            self.stack.pop()
        return self.stack[-1] if self.stack else None

    def _peek(self):
        f = self._top()
        return f.text[f.pos] if f else ""

    def _next(self):
        f = self._top()
        if not f:
            return ""
        c = f.text[f.pos]
        f.pos += 1
        self.last_chain = f.chain
        return c

    def _column(self):
        f = self._top()
        if f is None:
            return len(self.source)
        return f.pos if len(self.stack) == 1 else f.origin

    def _error(self, message, column=None):
        return InputError(message, column=self._column() if column is None else column,
                          source=self.source)

    def _skip_space(self):
        while self._peek().isspace():
            self._next()

    def _control_sequence(self):
        """After a backslash: the name of a control word (letters, within one frame, as TeX
        tokenised it) or a control symbol."""
        f = self._top()
        if not f:
            raise self._error("a lone backslash at the end of the input")
        c = f.text[f.pos]
        if not (c.isascii() and c.isalpha()):      # TeX's letters are a-z, A-Z: \σ is a control symbol
            f.pos += 1
            return c
        m = re.compile(r"[a-zA-Z]+").match(f.text, f.pos)
        f.pos = m.end()
        return m.group()

    def _group(self, what):
        """A balanced {...}, braces removed."""
        return "".join(t for t, _ in self._group_pieces(what))

    def _group_pieces(self, what):
        """A balanced {...}, braces removed, as (text, chain) pieces: each character keeps
        the chain of the frame it was read from, so that text an argument brings in from
        outside a macro is not mistaken for the macro's own body."""
        self._skip_space()
        if self._next() != "{":
            raise self._error(f"{what} needs a {{...}} argument")
        depth, pieces = 1, []

        def add(text):
            if pieces and pieces[-1][1] is self.last_chain:
                pieces[-1][0].append(text)
            else:
                pieces.append(([text], self.last_chain))

        while True:
            c = self._next()
            if c == "":
                raise self._error(f"unbalanced {{ in {what}")
            if c == "\\":
                add(c + self._next())
                continue
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    return [("".join(t), ch) for t, ch in pieces]
            add(c)

    def _argument(self, what):
        """One undelimited macro argument, a group or a single token, as (text, chain) pieces."""
        self._skip_space()
        c = self._peek()
        if c == "":
            raise self._error(f"{what} is missing an argument")
        if c == "{":
            return self._group_pieces(what)
        self._next()
        chain = self.last_chain
        if c == "\\":
            return [("\\" + self._control_sequence(), chain)]
        if c == "}":
            raise self._error(f"{what} is missing an argument")
        return [(c, chain)]

    def _bracket(self):
        """An optional [...] (None when absent)."""
        self._skip_space()
        if self._peek() != "[":
            return None
        self._next()
        buf = []
        while True:
            c = self._next()
            if c == "":
                raise self._error("unbalanced [ in a macro definition")
            if c == "]":
                return "".join(buf)
            buf.append(c)

    def _macro_name(self, what):
        """\\name or {\\name} as written after \\newcommand and \\DeclareMathOperator."""
        self._skip_space()
        braced = self._peek() == "{"
        if braced:
            self._next()
            self._skip_space()
        if self._next() != "\\":
            raise self._error(f"{what} must be followed by a \\name")
        name = self._control_sequence()
        if braced:
            self._skip_space()
            if self._next() != "}":
                raise self._error(f"{what}{{\\{name}}} is missing its closing brace")
        return name

    # -- definitions ------------------------------------------------------------------

    def _define(self, kind):
        if kind in ("def", "gdef", "edef", "xdef"):
            self._skip_space()
            if self._next() != "\\":
                raise self._error(f"\\{kind} must be followed by a \\name")
            name = self._control_sequence()
            params = []
            while self._peek() != "{":
                c = self._next()
                if c == "":
                    raise self._error(f"\\def\\{name} has no body")
                if c.isspace():
                    continue
                d = self._next()
                if c != "#" or d != str(len(params) + 1):
                    raise self._error(f"\\def\\{name}: only #1#2... parameters are supported")
                params.append(d)
            self.table[name] = Macro(name, len(params), self._group(f"\\def\\{name}"))
        elif kind in ("newcommand", "renewcommand", "providecommand"):
            if self._peek() == "*":
                self._next()
            name = self._macro_name(f"\\{kind}")
            n = self._bracket()
            try:
                nargs = int(n) if n is not None else 0
            except ValueError:
                raise self._error(f"\\{kind}{{\\{name}}}[{n}]: the number of arguments must be 0-9")
            if not 0 <= nargs <= 9:
                raise self._error(f"\\{kind}{{\\{name}}}[{n}]: the number of arguments must be 0-9")
            default = self._bracket() if nargs else None
            body = self._group(f"\\{kind}{{\\{name}}}")
            if not (kind == "providecommand" and name in self.table):
                self.table[name] = Macro(name, nargs, body, default)
        elif kind == "DeclareMathOperator":
            if self._peek() == "*":
                self._next()
            name = self._macro_name("\\DeclareMathOperator")
            word = self._group(f"\\DeclareMathOperator{{\\{name}}}")
            self.table[name] = Macro(name, 0, "\\operatorname{" + word + "}")
        else:  # \let\a\b  or  \let\a=\b
            self._skip_space()
            if self._next() != "\\":
                raise self._error("\\let must be followed by a \\name")
            name = self._control_sequence()
            self._skip_space()
            if self._peek() == "=":
                self._next()
            target = "".join(t for t, _ in self._argument(f"\\let\\{name}"))
            old = self.table.get(target[1:]) if target.startswith("\\") else None
            self.table[name] = old if old else Macro(name, 0, target)

    # -- expansion ----------------------------------------------------------------------

    def _expand(self, macro, frame, column):
        if macro.name in frame.chain:
            via = ", ".join("\\" + n for n in frame.chain[frame.chain.index(macro.name) + 1:])
            tail = f" (via {via})" if via else ""
            raise self._error(f"a macro \\{macro.name} expands to itself{tail}", column)
        if len(frame.chain) >= MAX_DEPTH:
            raise self._error(f"macros nested more than {MAX_DEPTH} deep at \\{macro.name}", column)
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise self._error(f"macro expansion took more than {MAX_STEPS} steps (at \\{macro.name})",
                              column)
        args = []
        what = f"\\{macro.name}"
        for i in range(macro.nargs):
            if i == 0 and macro.default is not None:
                opt = self._bracket()
                args.append([(macro.default if opt is None else opt, frame.chain)])
                continue
            args.append(self._argument(what))
        chain = frame.chain + (macro.name,)
        pieces, last = [], 0
        body = macro.body
        for m in re.finditer(r"#(#|[1-9])", body):
            pieces.append((body[last:m.start()], chain))
            if m.group(1) == "#":
                pieces.append(("#", chain))
            else:
                k = int(m.group(1))
                if k > macro.nargs:
                    raise self._error(f"\\{macro.name} uses #{k} but takes {macro.nargs} arguments",
                                      column)
                pieces.extend(args[k - 1])
            last = m.end()
        pieces.append((body[last:], chain))
        pending = sum(len(f.text) - f.pos for f in self.stack)
        size = self.out_len + pending + sum(len(t) for t, _ in pieces)
        if size > MAX_OUTPUT:
            raise self._error(f"macro expansion of \\{macro.name} grows past {MAX_OUTPUT} characters",
                              column)
        for text, ch in reversed(pieces):
            if text:
                self.stack.append(_Frame(text, ch, column))

    def _emit(self, text):
        if self.after_word and text[:1].isalpha():
            self.out.append(" ")
        self.out.append(text)
        self.out_len += len(text)
        self.after_word = bool(_CONTROL_WORD_END.search(text))

    def run(self) -> str:
        while True:
            f = self._top()
            if f is None:
                return "".join(self.out)
            m = _PLAIN.match(f.text, f.pos)
            if m:
                self._emit(m.group())
                f.pos = m.end()
                continue
            c = f.text[f.pos]
            column = f.pos if len(self.stack) == 1 else f.origin
            f.pos += 1
            if c == "%":            # a comment runs to the end of the line
                end = f.text.find("\n", f.pos)
                f.pos = len(f.text) if end < 0 else end + 1
                continue
            name = self._control_sequence()
            if name in _DEFINERS:
                self._define(name)
            elif name in self.table:
                self._expand(self.table[name], f, column)
            else:
                self._emit("\\" + name)


def expand(text: str, table: dict | None = None) -> str:
    """``text`` with its macro definitions removed and their uses expanded.

    ``table`` (name -> Macro) carries definitions from earlier blocks of a document and
    receives the new ones; without it only the definitions in ``text`` apply."""
    return _Expander(text, {} if table is None else table).run()
