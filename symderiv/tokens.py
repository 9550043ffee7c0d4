"""The token stage: how LaTeX spellings become the tokens the grammar expects.

Lark's lexer cuts the text with the grammar's terminals (grammar/latex.lark); some tokens
cannot be classified by their spelling alone, and ``TokenStage``, Lark's post-lexer, settles
each from its neighbours: whether a bar opens or closes, whether ``(`` applies a function,
whether ``d`` is a differential, what a styled word (``\\mathrm{sign}``, ``{\\rm if}``) is.
It reads the whole stream in four passes (words, delimiters, scripts, applications) and
notes on the run (parse_run.py) every reading a user should see.  Before them, in an
expression with no backslash, a pass reads the text output's own notation (sum_ij, x_ij,
sum(X), { 1 if x > 0; 0 otherwise }); the words pass also reads the Unicode symbols the
text output prints (‖ ⊙ · ≤ ᵀ ² λ ...) as the LaTeX tokens they stand for.
"""
from __future__ import annotations

import re

from lark import Token
from lark.exceptions import UnexpectedCharacters

from .errors import Unsupported, shown_column
from .latex_words import (FONT_STYLES, FRO_WORDS, IF_WORDS, NORM_WORDS, OTHERWISE_WORDS, SWITCHES, TEXT_STYLES,
                          canonical)
from .names import GREEK_NAMES, GREEK_UNICODE
from .parse_run import CURRENT_RUN

MAX_NESTING = 200           # delimiters open at once

# Raw terminals that only the token stage sees: it consumes or rewrites them all.
STAGE_ONLY = ("BAR", "DBAR", "LVERT", "RVERT", "LVVERT", "RVVERT", "LEFT", "RIGHT", "BIG",
              "BEGIN", "END", "AMP", "LINEBREAK", "CMD", "STYLED", "UNICODE", "SEMI")

# A Unicode symbol of the text output -> the LaTeX token it stands for (type, value).
UNICODE_TOKENS = {"‖": ("DBAR", r"\|"), "⊙": ("_HADAMARD", r"\odot"), "∘": ("_HADAMARD", r"\circ"),
                  "·": ("_TIMES", r"\cdot"), "⋅": ("_TIMES", r"\cdot"), "×": ("_TIMES", r"\times"),
                  "≤": ("REL", r"\le"), "≥": ("REL", r"\ge"), "≠": ("REL", r"\ne"), "√": ("_SQRT", r"\sqrt"),
                  "∑": ("_SUM", r"\sum"), "⟨": ("_LANGLE", r"\langle"), "⟩": ("_RANGLE", r"\rangle"),
                  "∞": ("INFTY", r"\infty"), "−": ("_MINUS", "-")}
MATRIX_ENVS = {"matrix", "pmatrix", "bmatrix", "Bmatrix", "smallmatrix"}   # not vmatrix: bars mean det
SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")

OPENERS = {"_LPAR": "(", "_LBRACK": "[", "_LBRACE": r"\{", "_LGROUP": "{", "_LANGLE": "langle"}
CLOSERS = {"_RPAR": "(", "_RBRACK": "[", "_RBRACE": r"\{", "_RGROUP": "{", "_RANGLE": "langle"}
CLOSER_OF = {"(": "_RPAR", "[": "_RBRACK", r"\{": "_RBRACE", "{": "_RGROUP", "langle": "_RANGLE",
             "|": "_RBAR", "||": "_RNORM"}
OPENER_OF = {"(": "_LPAR", "[": "_LBRACK", r"\{": "_LBRACE", "{": "_LGROUP", "langle": "_LANGLE",
             "|": "_LBAR", "||": "_LNORM"}
# What a token after \left, \right or \big may be, as (kind, side): side None = either.
DELIMS = {"_LPAR": ("(", "open"), "_RPAR": ("(", "close"), "_LBRACK": ("[", "open"),
          "_RBRACK": ("[", "close"), "_LBRACE": (r"\{", "open"), "_RBRACE": (r"\{", "close"),
          "_LANGLE": ("langle", "open"), "_RANGLE": ("langle", "close"),
          "BAR": ("|", None), "LVERT": ("|", "open"), "RVERT": ("|", "close"),
          "DBAR": ("||", None), "LVVERT": ("||", "open"), "RVVERT": ("||", "close"),
          "_DOT": (".", None)}
# After these a bar closes what is open; after anything else it opens.
OPERAND_END = {"LETTER", "NUM", "GREEK", "INFTY", "_ONE", "PRIME", "_PRIME_CMD", "_TOP", "_RPAR", "_RBRACK",
               "_RBRACE", "_RGROUP", "_RBAR", "_RNORM", "_RANGLE", "_CASES_END"}
# What an argument written after a space may start with: sign x, tr X.
OPERAND_START = {"LETTER", "NUM", "GREEK", "FUNC", "_ONE", "_LGROUP", "_LBAR", "_LNORM", "_LANGLE",
                 "_FRAC", "_SQRT"}
APPLY = {"_LPAR": "_FUN_LPAR", "_LBRACE": "_FUN_LBRACE", "_LBRACK": "_FUN_LBRACK"}


# λ's subscripts that name an extreme eigenvalue (λ_1 the largest, λ_n the smallest)
EIGEN_SUBSCRIPTS = {"max": "lambdamax", "1": "lambdamax", "min": "lambdamin", "n": "lambdamin"}


def _eigen_word(word: str) -> str | None:
    """\\lambda_{max} (inside \\operatorname) as the eigenvalue function's word, or None."""
    m = re.fullmatch(r"\\lambda\s*_\s*(.*)", word)
    if not m:
        return None
    core = re.sub(r"\\(mathrm|rm|text|operatorname)|[{}\\\s]", "", m.group(1))
    return EIGEN_SUBSCRIPTS.get(core)


def make_token(type_: str, value: str, start: int, end: int) -> Token:
    return Token(type_, value, start_pos=start, line=1, column=start + 1,
                 end_line=1, end_column=end + 1, end_pos=end)


def retype(tok: Token, type_: str, value: str | None = None) -> Token:
    return make_token(type_, str(tok) if value is None else value, tok.start_pos, tok.end_pos)


# ---- the stage ------------------------------------------------------------------------------

class TokenStage:
    """Lark post-lexer: reads the whole token stream, settles each context-dependent token,
    and yields what the grammar's parser expects."""

    always_accept = STAGE_ONLY

    def process(self, stream):
        run = CURRENT_RUN.get()
        text_mode = not run.statement and "\\" not in run.source
        toks = self._lex(run, stream, text_mode)
        if text_mode:
            toks = self._text_notation(run, toks)
            stray = next((t for t in toks if t.type == "SEMI"), None)
            if stray is not None:
                raise run.error("unexpected character ';'", stray.start_pos)
        toks = self._words(run, toks)
        toks = self._delimiters(run, toks)
        toks = self._eigen_words(toks)
        toks = self._scripts(run, toks)
        toks = self._applications(run, toks)
        run.tokens = toks
        yield from toks

    @staticmethod
    def _lex(run, stream, text_mode):
        """The lexer's tokens.  ';' is a token only for the text output's cases: elsewhere
        the first one is the error it was before it had a terminal (also when the lexer
        stops at a character after it)."""
        toks = []
        try:
            for t in stream:
                if t.type == "SEMI" and not text_mode:
                    raise run.error("unexpected character ';'", t.start_pos)
                toks.append(t)
        except UnexpectedCharacters:
            stray = next((t for t in toks if t.type == "SEMI"), None)
            if stray is not None:
                raise run.error("unexpected character ';'", stray.start_pos) from None
            raise
        return toks

    # -- commands and styled words --------------------------------------------------------

    def _words(self, run, toks):
        out = []
        i = 0
        while i < len(toks):
            t = toks[i]
            if t.type == "UNICODE":
                out.extend(self._unicode(t))
            elif t.type == "STYLED":
                out.append(self._styled(run, t))
            elif t.type == "CMD":
                name = str(t)[1:]
                if name in SWITCHES:
                    # \rm if ...: the switch applies to the adjacent word after it
                    j = i + 1
                    while (j < len(toks) and toks[j].type in ("LETTER", "NUM")
                           and (j == i + 1 or toks[j].start_pos == toks[j - 1].end_pos)):
                        j += 1
                    if j == i + 1:
                        raise run.error(f"\\{name} must be followed by a word", t.start_pos)
                    word = "".join(str(x) for x in toks[i + 1:j])
                    span = make_token("STYLED", word, t.start_pos, toks[j - 1].end_pos)
                    out.append(self._classify(run, "rm", word, span))
                    i = j
                    continue
                if name in FONT_STYLES | TEXT_STYLES | {"mathrm", "operatorname"}:
                    raise run.error(f"unsupported argument of \\{name}", t.start_pos)
                raise run.error(f"unknown command {t}", t.start_pos)
            else:
                out.append(t)
            i += 1
        return out

    # -- the text output's own notation ------------------------------------------------------------

    def _text_notation(self, run, toks):
        """An expression with no backslash may be the text the tool prints, which writes
        sum_ij |x_ij| for \\sum_{i,j} |x_{ij}| and { 1 if x > 0; 0 otherwise } for cases:
        read those spellings as their LaTeX.  (TeX would read x_ij as x_i j; nobody writes
        that product without braces in a formula with no command at all.)"""
        toks = self._text_sums_and_subscripts(run, toks)
        return self._text_cases(run, toks)

    @staticmethod
    def _glued(toks, i, j):
        """Whether tokens i..j-1 are written with no space between them."""
        return all(toks[k].start_pos == toks[k - 1].end_pos for k in range(i + 1, j))

    def _text_sums_and_subscripts(self, run, toks):
        out = []
        ones_after: set = set()            # the ) of sum(...), after which the second 1 goes
        i = 0
        while i < len(toks):
            t = toks[i]
            if i - 1 in ones_after:
                p = toks[i - 1].end_pos
                out.append(make_token("_ONE", "1", p, p))
                ones_after.discard(i - 1)
            word = "".join(str(x) for x in toks[i:i + 3]) if i + 3 <= len(toks) else ""
            if (word == "sum" and all(x.type == "LETTER" for x in toks[i:i + 3]) and self._glued(toks, i, i + 3)
                    and (i == 0 or toks[i - 1].end_pos != t.start_pos or toks[i - 1].type != "LETTER")
                    and i + 3 < len(toks) and toks[i + 3].type == "_UNDER" and self._glued(toks, i, i + 4)):
                out.append(make_token("_SUM", r"\sum", t.start_pos, toks[i + 2].end_pos))
                i += 3
                continue
            if (word == "sum" and all(x.type == "LETTER" for x in toks[i:i + 3]) and self._glued(toks, i, i + 3)
                    and (i == 0 or toks[i - 1].end_pos != t.start_pos or toks[i - 1].type != "LETTER")
                    and i + 3 < len(toks) and toks[i + 3].type == "_LPAR" and self._glued(toks, i, i + 4)):
                # sum(X), the sum of X's entries, as 1^T (X) 1
                close = self._arg_end(toks, i + 3, "_LPAR", "_RPAR") - 1
                if close < len(toks) and toks[close].type == "_RPAR":
                    a, b = t.start_pos, toks[i + 2].end_pos
                    out += [make_token("_ONE", "1", a, b), make_token("_CARET", "^", a, b),
                            make_token("_TOP", r"\top", a, b)]
                    ones_after.add(close)
                    i += 3
                    continue
            word_after = "".join(str(x) for x in toks[i + 1:i + 4])
            if (t.type == "_UNDER" and out and out[-1].type in ("GREEK", "UNICODE") and word_after in ("max", "min")
                    and all(x.type == "LETTER" for x in toks[i + 1:i + 4]) and self._glued(toks, i, i + 4)
                    and not (i + 4 < len(toks) and toks[i + 4].type == "LETTER" and self._glued(toks, i, i + 5))):
                # λ_max(X), σ_min(X), as the tool prints them: \lambda_{\max}(X)
                a, b = toks[i + 1].start_pos, toks[i + 3].end_pos
                out += [t, make_token("_LGROUP", "{", a, a), make_token("FUNC", "\\" + word_after, a, b),
                        make_token("_RGROUP", "}", b, b)]
                i += 4
                continue
            if t.type == "_UNDER" and i + 1 < len(toks) and toks[i + 1].start_pos == t.end_pos:
                j = i + 1
                chars = []
                while j < len(toks) and toks[j].type in ("LETTER", "NUM") and self._glued(toks, i, j + 1):
                    chars += [(c, toks[j]) for c in str(toks[j])]
                    j += 1
                if len(chars) == 2 and all(c.isalnum() for c, _ in chars):
                    p, q = t.end_pos, toks[j - 1].end_pos
                    out.append(t)
                    out.append(make_token("_LGROUP", "{", p, p))
                    for k, (c, src) in enumerate(chars):
                        if k:
                            out.append(make_token("_COMMA", ",", p + k, p + k))
                        out.append(make_token("NUM" if c.isdigit() else "LETTER", c, p + k, p + k + 1))
                    out.append(make_token("_RGROUP", "}", q, q))
                    i = j
                    continue
            out.append(t)
            i += 1
        if len(toks) - 1 in ones_after:
            p = toks[-1].end_pos
            out.append(make_token("_ONE", "1", p, p))
        return out

    def _text_cases(self, run, toks):
        """{ v if c; w otherwise }: a brace group holding ';' and the word if, as cases."""
        def word_at(k, word):
            n = len(word)
            if k + n > len(toks) or not all(x is not None and x.type == "LETTER" for x in toks[k:k + n]):
                return False
            if "".join(str(x) for x in toks[k:k + n]) != word or not self._glued(toks, k, k + n):
                return False
            before = k == 0 or toks[k - 1].end_pos != toks[k].start_pos
            after = k + n == len(toks) or toks[k + n].start_pos != toks[k + n - 1].end_pos
            return before and after

        toks = list(toks)
        stack = []
        for k, t in enumerate(toks):
            if t is not None and t.type == "_LGROUP":
                stack.append(k)
            elif t is not None and t.type == "_RGROUP" and stack:
                start = stack.pop()
                depth, semis, ifs = 0, [], []
                for m in range(start + 1, k):
                    ty = toks[m].type if toks[m] is not None else None
                    if ty == "_LGROUP":
                        depth += 1
                    elif ty == "_RGROUP":
                        depth -= 1
                    elif depth == 0 and ty == "SEMI":
                        semis.append(m)
                    elif depth == 0 and word_at(m, "if"):
                        ifs.append(m)
                if not semis or not ifs:
                    continue
                toks[start] = retype(toks[start], "_CASES_BEGIN", r"\begin{cases}")
                toks[k] = retype(toks[k], "_CASES_END", r"\end{cases}")
                for m in semis:
                    toks[m] = retype(toks[m], "_ROWSEP", r"\\")
                for m in range(start + 1, k):
                    if toks[m] is None:
                        continue
                    if word_at(m, "if"):
                        toks[m] = make_token("_IF", "if", toks[m].start_pos, toks[m + 1].end_pos)
                        toks[m + 1] = None
                    elif toks[m] is not None and word_at(m, "otherwise"):
                        toks[m] = make_token("_OTHERWISE", "otherwise", toks[m].start_pos, toks[m + 8].end_pos)
                        for q in range(m + 1, m + 9):
                            toks[q] = None
        return [t for t in toks if t is not None]

    @staticmethod
    def _unicode(t):
        """The LaTeX tokens a Unicode symbol of the text output stands for, over its span:
        λ is \\lambda, Xᵀ is X^\\top, x² is x^{2}, x⁻¹ is x^{-1}."""
        ch, a, b = str(t), t.start_pos, t.end_pos
        if ch in GREEK_UNICODE:
            return [retype(t, "GREEK", "\\" + GREEK_UNICODE[ch])]
        if ch == "ᵀ":
            return [make_token("_CARET", "^", a, b), make_token("_TOP", r"\top", a, b)]
        if ch in UNICODE_TOKENS:
            return [retype(t, *UNICODE_TOKENS[ch])]
        # superscript digits, with an optional superscript minus
        digits = ch.lstrip("⁻").translate(SUPERSCRIPT_DIGITS)
        inner = [make_token("NUM", digits, a, b)]
        if ch.startswith("⁻"):
            inner.insert(0, make_token("_MINUS", "-", a, b))
        return [make_token("_CARET", "^", a, b), make_token("_LGROUP", "{", a, b), *inner,
                make_token("_RGROUP", "}", a, b)]

    @staticmethod
    def _one_cell(toks, i):
        """The index of the \\end closing the matrix environment begun at ``i`` when it holds
        one cell (no & and no \\\\ of its own), else None."""
        depth = 0
        for j in range(i + 1, len(toks)):
            ty = toks[j].type
            if ty == "BEGIN":
                depth += 1
            elif ty == "END":
                if depth == 0:
                    return j if j > i + 1 else None
                depth -= 1
            elif ty in ("AMP", "LINEBREAK") and depth == 0:
                return None
        return None

    def _styled(self, run, t):
        text = str(t)
        m = re.match(r"\{\s*\\([a-z]+)(.*)\}$", text, re.S)
        if m:                                   # {\rm word}
            style, arg = m.group(1), m.group(2)
        else:
            m = re.match(r"\\([a-zA-Z]+\*?)\s*(.*)$", text, re.S)
            style, arg = m.group(1), m.group(2)
            if arg.startswith("{"):
                arg = arg[1:-1]
        word = re.sub(r"\\[,;:! ]|\\q?quad(?![a-zA-Z])|~", " ", arg).strip()
        return self._classify(run, style.rstrip("*"), word, t)

    def _classify(self, run, style, word, t):
        """What a styled word is: a letter, a number, a function word, `if`, `otherwise`."""
        pos = t.start_pos
        if re.fullmatch(r"[a-zA-Z]", word):
            return retype(t, "LETTER", word)
        if word == "1" and style in FONT_STYLES:
            return retype(t, "_ONE", "1")
        if re.fullmatch(r"[0-9]+(\.[0-9]+)?", word):
            return retype(t, "NUM", word)
        eig = _eigen_word(word)
        if eig and style == "operatorname":         # \operatorname{\lambda_{max}}
            return retype(t, "FUNC", eig)
        g = re.fullmatch(r"\\([a-zA-Z]+)", word)
        if g and g.group(1) in GREEK_NAMES:
            if style == "operatorname" and g.group(1) != "sigma":
                return retype(t, "FUNC", g.group(1))
            # \operatorname{\sigma} is \sigma: applied, or bare as the seed writes σ^T σ
            return retype(t, "GREEK", word)
        if style in FONT_STYLES:
            raise run.error(f"unsupported \\{style}{{{word}}}", pos)
        if word in FRO_WORDS or word in NORM_WORDS:
            return retype(t, "FUNC", word)
        low = word.lower().rstrip(":,")
        if low in IF_WORDS:
            return retype(t, "_IF", word)
        if low.rstrip(".") in OTHERWISE_WORDS or low in OTHERWISE_WORDS:
            return retype(t, "_OTHERWISE", word)
        name = re.sub(r"\s+", "", word)        # arg\,max -> argmax
        # letters, then digits only at the end: ReLU6, log2 (not 2x, which is a product)
        if re.fullmatch(r"[a-zA-Z]+[0-9]*", name) and (
                style in ("operatorname", "mathrm", "rm") or canonical(name)):
            return retype(t, "FUNC", name)
        if style == "operatorname":
            raise run.error(f"unsupported operator name '{word}'", pos)
        raise run.error(f"unexpected text '{word}'", pos)

    # -- delimiters: \left \right \big, bars, environments, & and \\ -----------------------------

    def _delimiters(self, run, toks):
        out: list[Token] = []
        stack: list[tuple] = []       # (kind, is_left, index in out, shown, pos)
        n = len(toks)

        def opener(kind, is_left, tok, shown):
            if len(stack) >= MAX_NESTING:
                raise run.error("delimiters nested too deeply", tok.start_pos)
            stack.append((kind, is_left, len(out), shown, tok.start_pos))
            out.append(tok)

        def unbalanced(entry):
            kind, _, _, shown, pos = entry
            word = "unmatched" if kind in ("|", "||") else "unbalanced"
            return run.error(f"{word} {shown}", pos)

        def closer(kind, is_right, tok, shown):
            if not stack:
                raise run.error(f"unbalanced {shown}", tok.start_pos)
            top = stack[-1]
            # \left pairs with \right only, and ( with ), \left. with any \right
            if top[1] != is_right or (top[0] != kind and "." not in (top[0], kind)):
                raise unbalanced(top)
            stack.pop()
            if "." in (top[0], kind):
                # \left\{ ... \right. : the dot takes its partner's shape, except that a
                # half-open bar (an evaluation bar, \left. f \right|) is only a grouping
                shape = top[0] if kind == "." else kind
                if shape in (".", "|", "||"):
                    shape = "("
                out[top[2]] = retype(out[top[2]], OPENER_OF[shape])
                tok = retype(tok, CLOSER_OF[shape])
            out.append(tok)

        def in_cases():
            return any(e[0] == "env:cases" for e in stack)

        one_cell_ends: set = set()        # the \\end of a 1x1 matrix (see _one_cell)

        i = 0
        while i < n:
            t = toks[i]
            ty = t.type
            if ty in ("LEFT", "RIGHT", "BIG"):
                if i + 1 < n and toks[i + 1].type == "REL" and str(toks[i + 1]) in ("<", ">"):
                    # \left< A, B \right>: the angle brackets of plain TeX, not relations
                    toks[i + 1] = retype(toks[i + 1], "_LANGLE" if str(toks[i + 1]) == "<" else "_RANGLE")
                if i + 1 >= n or toks[i + 1].type not in DELIMS:
                    raise run.error(f"{t} must be followed by a delimiter", t.start_pos)
                d = toks[i + 1]
                kind, side = DELIMS[d.type]
                if ty == "BIG":
                    suffix = str(t)[-1]
                    side = {"l": "open", "r": "close"}.get(suffix, side)
                    if kind == ".":
                        raise run.error(f"{t} must be followed by a delimiter", t.start_pos)
                else:
                    side = "open" if ty == "LEFT" else "close"
                span = make_token(d.type, str(d), t.start_pos, d.end_pos)
                shown = run.show(span)
                if side is None:
                    side = self._bar_side(out, stack, kind)
                if side == "open":
                    opener(kind, ty == "LEFT", retype(span, OPENER_OF.get(kind, "_LPAR")), shown)
                else:
                    closer(kind, ty == "RIGHT", retype(span, CLOSER_OF.get(kind, "_RPAR")), shown)
                i += 2
                continue
            if ty in OPENERS:
                opener(OPENERS[ty], False, t, f"'{t}'" if ty != "_LANGLE" else str(t))
            elif ty in CLOSERS:
                if ty == "_RGROUP" and out and out[-1].type == "_LGROUP" and stack \
                        and stack[-1][2] == len(out) - 1:
                    stack.pop()             # {} is nothing in TeX
                    out.pop()
                else:
                    closer(CLOSERS[ty], False, t, f"'{t}'" if ty != "_RANGLE" else str(t))
            elif ty in ("BAR", "DBAR", "LVERT", "RVERT", "LVVERT", "RVVERT"):
                kind, side = DELIMS[ty]
                if side is None:
                    side = self._bar_side(out, stack, kind)
                shown = run.show(t)
                shown = f"'{shown}'" if shown in ("|", r"\|") else shown
                if side == "open":
                    opener(kind, False, retype(t, OPENER_OF[kind]), shown)
                else:
                    closer(kind, False, retype(t, CLOSER_OF[kind]), shown)
            elif ty == "BEGIN":
                env = re.search(r"\{(.*)\}", str(t)).group(1)
                as_cases = env in ("cases", "cases*", "dcases", "rcases") or (
                    env in ("array", "matrix") and stack and stack[-1][0] == r"\{" and stack[-1][1])
                if not as_cases and env in MATRIX_ENVS:
                    end = self._one_cell(toks, i)
                    if end is not None:
                        # a 1x1 matrix, as sympy.latex prints the product v^T A v made
                        # explicit: its one entry, in a group of its own
                        run.note(t.start_pos, "a 1×1 matrix read as its one entry")
                        opener("(", False, retype(t, "_LPAR", "("), str(t))
                        one_cell_ends.add(end)
                        i += 1
                        continue
                if not as_cases:
                    raise run.error(f"unsupported environment {env}", t.start_pos)
                stack.append(("env:cases", False, len(out), str(t), t.start_pos))
                out.append(retype(t, "_CASES_BEGIN"))
                if env == "array":         # the column specification {ll}
                    i = self._skip_group(run, toks, i + 1)
                    continue
            elif ty == "END" and i in one_cell_ends:
                closer("(", False, retype(t, "_RPAR", ")"), str(t))
            elif ty == "END":
                env = re.search(r"\{(.*)\}", str(t)).group(1)
                if not stack or stack[-1][0] != "env:cases":
                    if stack:
                        raise unbalanced(stack[-1])
                    raise run.error(f"unbalanced {t}", t.start_pos)
                begin = stack.pop()
                if re.search(r"\{(.*)\}", begin[3]).group(1) != env:
                    raise run.error(f"{t} does not match {begin[3]}", t.start_pos)
                out.append(retype(t, "_CASES_END"))
            elif ty == "AMP":
                if in_cases():
                    out.append(retype(t, "_AMP"))
                # elsewhere & is an alignment mark
            elif ty == "LINEBREAK":
                j = i + 1
                if j < n and toks[j].type == "_LBRACK":      # \\[2pt]
                    k = j + 1
                    while k < n and toks[k].type in ("NUM", "LETTER", "_MINUS"):
                        k += 1
                    if k < n and toks[k].type == "_RBRACK" and k > j + 1:
                        i = k
                if in_cases():
                    out.append(retype(t, "_ROWSEP"))
                elif any(x.type not in ("LINEBREAK", "AMP") for x in toks[i + 1:]):
                    raise run.error("line break \\\\ inside an expression", t.start_pos)
            else:
                out.append(t)
            i += 1
        if stack:
            raise unbalanced(stack[-1])
        return out

    @staticmethod
    def _bar_side(out, stack, kind):
        """A bar closes when an operand has just ended and a bar of its kind is open."""
        ends = bool(out) and out[-1].type in OPERAND_END
        # the sign of a positive or negative part, (x)_+ or x^-, ends its operand; any other
        # sign wants one
        if len(out) > 1 and out[-1].type in ("_PLUS", "_MINUS") and out[-2].type in ("_UNDER", "_CARET"):
            ends = True
        return "close" if ends and stack and stack[-1][0] == kind else "open"

    @staticmethod
    def _skip_group(run, toks, i):
        if i >= len(toks) or toks[i].type != "_LGROUP":
            return i
        depth = 0
        for j in range(i, len(toks)):
            depth += {"_LGROUP": 1, "_RGROUP": -1}.get(toks[j].type, 0)
            if depth == 0:
                return j + 1
        raise run.error("unbalanced '{'", toks[i].start_pos)

    # -- eigenvalues: \lambda_{\max}(X), \lambda_1(X), \lambda_n(X) ------------------------------------

    @staticmethod
    def _eigen_words(toks):
        r"""λ with a subscript max, min, 1 or n, applied to a bracket, is the eigenvalue function
        (\lambda_{\max}(X), \lambda_{\mathrm{max}}(X), \lambda_1(X)); a λ_1 not applied
        stays a name."""
        out = []
        i, n = 0, len(toks)
        while i < n:
            t = toks[i]
            ky = TokenStage._ky_fan(toks, i) if t.type == "_SUM" else None
            if ky is not None:
                out.extend(ky[0])
                i = ky[1]
                continue
            if t.type == "GREEK" and str(t) == r"\lambda" and i + 2 < n and toks[i + 1].type == "_UNDER":
                k = i + 2
                if toks[k].type == "_LGROUP":
                    m = k + 1
                    while m < n and toks[m].type != "_RGROUP":
                        m += 1
                    inner, end = toks[k + 1:m], m + 1
                else:
                    inner, end = toks[k:k + 1], k + 1
                word = EIGEN_SUBSCRIPTS.get("".join(str(x).lstrip("\\") for x in inner))
                if word and end < n and toks[end].type == "_LPAR":
                    out.append(make_token("FUNC", word, t.start_pos, toks[end - 1].end_pos))
                    i = end
                    continue
            out.append(t)
            i += 1
        return out

    @staticmethod
    def _ky_fan(toks, i):
        r"""\sum_{i=1}^{k} \lambda_i(M), k a numeral: the sum of the k largest eigenvalues, read
        as kyfan(M, k).  Returns (tokens, index after) or None."""
        types = [x.type for x in toks[i:i + 8]]
        if types[:7] != ["_SUM", "_UNDER", "_LGROUP", "LETTER", "REL", "NUM", "_RGROUP"] or \
                str(toks[i + 4]) != "=" or str(toks[i + 5]) != "1":
            return None
        index = str(toks[i + 3])
        j = i + 7
        if j >= len(toks) or toks[j].type != "_CARET":
            return None
        j += 1
        if j + 2 < len(toks) and toks[j].type == "_LGROUP" and toks[j + 1].type == "NUM" and toks[j + 2].type == "_RGROUP":
            k, j = toks[j + 1], j + 3
        elif j < len(toks) and toks[j].type == "NUM":
            k, j = toks[j], j + 1
        else:
            return None
        if not re.fullmatch(r"[1-9][0-9]*", str(k)):
            return None
        if j + 2 >= len(toks) or toks[j].type != "GREEK" or str(toks[j]) != r"\lambda" or toks[j + 1].type != "_UNDER":
            return None
        j += 2
        if toks[j].type == "LETTER" and str(toks[j]) == index:
            j += 1
        elif (j + 2 < len(toks) and toks[j].type == "_LGROUP" and toks[j + 1].type == "LETTER"
              and str(toks[j + 1]) == index and toks[j + 2].type == "_RGROUP"):
            j += 3
        else:
            return None
        if j >= len(toks) or toks[j].type != "_LPAR":
            return None
        depth, m = 0, j
        while m < len(toks):
            depth += {"_LPAR": 1, "_RPAR": -1}.get(toks[m].type, 0)
            if depth == 0:
                break
            m += 1
        if m >= len(toks):
            return None
        head = make_token("FUNC", "kyfan", toks[i].start_pos, toks[j - 1].end_pos)
        comma = make_token("_COMMA", ",", k.start_pos, k.start_pos)
        number = make_token("NUM", str(k), k.start_pos, k.end_pos)
        return [head] + list(toks[j:m]) + [comma, number, toks[m]], m + 1

    # -- script arguments: x^12, \frac12, \|x\|^2_2 ------------------------------------------------

    def _scripts(self, run, toks):
        toks = list(toks)
        # SymPy's entry {x}_{0,1}: the braced letter before a subscript is one token, so
        # that the grammar need not decide between a group and an entry at the brace
        i = 0
        while i + 3 < len(toks):
            a, b, c, d = toks[i:i + 4]
            if (a.type, b.type, c.type, d.type) == ("_LGROUP", "LETTER", "_RGROUP", "_UNDER"):
                toks[i:i + 3] = [retype(b, "BRACED_LETTER")]
            i += 1
        i = 0
        while i < len(toks):
            t = toks[i]
            if t.type == "_RNORM":
                self._sub_before_sup(toks, i + 1)
            if t.type in ("_CARET", "_UNDER"):
                self._glued_sign(run, toks, i)
                self._one_digit(run, toks, i + 1, t, toks[i - 1] if i else t)
            elif t.type == "_FRAC":         # \frac 12 is the idiom: no note
                j = self._one_digit(run, toks, i + 1, t)
                self._one_digit(run, toks, j, t)
            elif t.type == "_SQRT":
                j = i + 1
                if j < len(toks) and toks[j].type == "_LBRACK":
                    j = self._arg_end(toks, j, "_LBRACK", "_RBRACK")
                self._one_digit(run, toks, j, t)
            i += 1
        return toks

    @staticmethod
    def _arg_end(toks, j, open_="_LGROUP", close="_RGROUP"):
        """Index after the TeX argument that starts at j (a group or one token)."""
        if j >= len(toks):
            return j
        if toks[j].type != open_:
            return j + 1
        depth = 0
        for k in range(j, len(toks)):
            depth += {open_: 1, close: -1}.get(toks[k].type, 0)
            if depth == 0:
                return k + 1
        return len(toks)

    def _one_digit(self, run, toks, j, owner, noted=None):
        """TeX takes one character as an unbraced argument: x^12 is x^{1}2 (noted from the
        token ``noted`` on, when given)."""
        if j < len(toks) and toks[j].type == "NUM" and len(toks[j]) > 1:
            num = toks[j]
            if "." in num:
                raise run.error(f"write {{{num}}} in braces after '{run.show(owner)}'", num.start_pos)
            p = num.start_pos
            toks[j:j + 1] = [make_token("NUM", num[0], p, p + 1), make_token("NUM", num[1:], p + 1, num.end_pos)]
            if noted is not None:
                start = min(noted.start_pos, owner.start_pos)
                run.note(p, f"{run.text(start, num.end_pos)} read as "
                            f"{run.text(start, p)}{{{num[0]}}}{num[1:]}")
        return self._arg_end(toks, j)

    @staticmethod
    def _glued_sign(run, toks, i):
        """x^-1 means x^{-1} to whoever typed it, though TeX sets it as the negative part x^-
        times 1: refuse it rather than pick."""
        if i + 2 >= len(toks) or toks[i + 1].type not in ("_PLUS", "_MINUS"):
            return
        after = toks[i + 2]
        if after.type in ("NUM", "LETTER", "GREEK", "_LGROUP", "FUNC") \
                and after.start_pos == toks[i + 1].end_pos:
            script, sign = run.show(toks[i]), str(toks[i + 1])
            glued = run.text(toks[i].start_pos, after.end_pos)
            raise run.error(f"'{glued}' is ambiguous: write {script}{{{sign}{run.show(after)}}} for the "
                            f"script, or put a space after {script}{sign} for the "
                            f"{'positive' if sign == '+' else 'negative'} part", toks[i].start_pos)

    def _sub_before_sup(self, toks, j):
        """\\|x\\|^2_2 -> \\|x\\|_2^2, so the subscript stays with the norm."""
        if j < len(toks) and toks[j].type == "_CARET":
            a_end = self._arg_end(toks, j + 1)
            if a_end < len(toks) and toks[a_end].type == "_UNDER":
                b_end = self._arg_end(toks, a_end + 1)
                toks[j:b_end] = toks[a_end:b_end] + toks[j:a_end]

    # -- application: \max(, H(, \sigma(, max(, \mathbb 1[, 1_{, and d in statements -------------------

    def _applications(self, run, toks):
        out = []
        n = len(toks)
        applied = set()           # indices of the ( that applies \tanh^2 to its argument
        i = 0
        while i < n:
            t = toks[i]
            nxt = toks[i + 1] if i + 1 < n else None
            prev = out[-1] if out else None
            scripted = prev is not None and prev.type in ("_CARET", "_UNDER")
            opens = nxt is not None and nxt.type == "_LPAR"
            primed = self._derivative_of_function(run, toks, i)
            if primed is not None:
                t = make_token("FUNC", str(t).lstrip("\\") + "'", t.start_pos, toks[primed - 1].end_pos)
                i = primed - 1
                nxt = toks[primed]
            elif i in applied:
                t = retype(t, APPLY[t.type])
            elif t.type == "FUNC" and str(t).startswith("\\"):
                t = retype(t, "FUNC", str(t)[1:])
            elif t.type == "LETTER" and str(t) == "H" and opens and not scripted:
                t = retype(t, "FUNC", "H")
            elif t.type == "GREEK" and str(t) in (r"\sigma", r"\theta") and opens and not scripted:
                t = retype(t, "FUNC", str(t)[1:])
            elif t.type == "GREEK" and str(t) == r"\delta" and opens and not scripted and not self._bare(toks, t):
                # in this subject δ(x) is the Dirac delta (H' = δ), which no function is:
                # read as δ·x it would be silently wrong.  Where δ also stands alone it is
                # a number (Huber's δ(|r| - δ/2)), and δ(...) a product
                raise Unsupported(f"\\delta(...) at column {shown_column(t.start_pos)} is the Dirac delta, a distribution and not a "
                                  "function; symderiv works with functions (write \\delta\\cdot(...) for a product)",
                                  column=t.start_pos, source=run.source)
            elif t.type == "LETTER" and not scripted and self._function_word(run, toks, i, prev):
                word, j = self._letter_word(toks, i)
                shown = f"{word}(...)" if toks[j].type == "_LPAR" else word
                run.note(t.start_pos, f"{shown} read as the function {word}")
                t = make_token("FUNC", word, t.start_pos, toks[j - 1].end_pos)
                i = j - 1
                nxt = toks[j]
            elif (run.statement and t.type == "LETTER" and str(t) == "d" and not scripted
                  and nxt is not None and nxt.type in ("LETTER", "GREEK", "_LPAR", "FUNC", "_LBAR", "_LNORM", "_SUM")):
                # d\sum too (d\sum_{i,j} x_{ij}^2); where the post uses d as a number the
                # checker reads it back as a product (checking.chains.scalar_d)
                t = retype(t, "_DIFF")
            elif t.type == "NUM" and str(t) == "1" and nxt is not None and nxt.type == "_UNDER" \
                    and not scripted:
                t = retype(t, "_ONE")
            elif (t.type == "GREEK" and str(t) == r"\chi" and not scripted and nxt is not None
                  and nxt.type == "_UNDER" and i + 2 < n and toks[i + 2].type == "_LGROUP"
                  and (self._has_relation(toks, i + 2) or (
                      i + 3 < n and toks[i + 3].type in APPLY and self._has_relation(toks, i + 3)))):
                run.note(t.start_pos, "\\chi_{...} of a condition read as its indicator "
                                      "(1 where the condition holds, 0 elsewhere)")
                t = retype(t, "_ONE", "1")
            elif (t.type == "_LBRACK" and not scripted and self._has_relation(toks, i)
                  and not (prev is not None and prev.type == "_LGROUP" and len(out) > 1 and out[-2].type == "_UNDER")):
                # Iverson's bracket [x > 0]: a bracket holding a comparison is nothing else
                # (an interval or a function's argument holds none); it must give the same
                # kinks as H(x) and \mathbb{1}[x > 0].  (In 1_{[x > 0]} the subscript is the
                # indicator's own condition.)
                run.note(t.start_pos, "a bracket around a condition read as Iverson's indicator "
                                      "(1 where the condition holds, 0 elsewhere)")
                out.append(make_token("_ONE", "1", t.start_pos, t.start_pos))
                t = retype(t, "_FUN_LBRACK")
            elif not scripted and self._indicator_head(run, toks, i):
                run.note(t.start_pos, f"{run.show(t)} before a condition read as an indicator "
                                      "(1 where the condition holds, 0 elsewhere)")
                t = retype(t, "_ONE", "1")
            if t.type == "FUNC" and nxt is not None and nxt.type in ("_CARET", "_UNDER"):
                j = self._arg_end(toks, i + 2)
                if j < n and toks[j].type in APPLY:
                    applied.add(j)
            out.append(t)
            if nxt is not None and nxt.type in APPLY and (
                    t.type == "FUNC" or (t.type == "_ONE" and (
                        nxt.type != "_LPAR" or self._has_relation(toks, i + 1)))):
                out.append(retype(nxt, APPLY[nxt.type]))
                i += 1
            i += 1
        return out

    @staticmethod
    def _bare(toks, t) -> bool:
        """Whether the formula also uses the Greek letter of ``t`` without brackets after it."""
        for k, u in enumerate(toks):
            if u.type == t.type and str(u) == str(t) and (k + 1 >= len(toks) or toks[k + 1].type != "_LPAR"):
                return True
        return False

    @staticmethod
    def _derivative_of_function(run, toks, i):
        """\\sigma'(x), \\tanh'(x): Lagrange's derivative, which would otherwise be read as a
        transpose (or fail far from the cause).  In a statement: the index of the bracket
        after the marks (the function's derivative is applied there), else None."""
        t = toks[i]
        if not (t.type == "FUNC" or (t.type == "GREEK" and str(t) in (r"\sigma", r"\theta"))):
            return None
        j = i + 1
        if j < len(toks) and toks[j].type == "PRIME":
            j += 1
        elif j + 1 < len(toks) and toks[j].type == "_CARET" and toks[j + 1].type == "_PRIME_CMD":
            j += 2
        elif j + 3 < len(toks) and toks[j].type == "_CARET" and toks[j + 1].type == "_LGROUP" \
                and toks[j + 2].type == "_PRIME_CMD" and toks[j + 3].type == "_RGROUP":
            j += 4
        else:
            return None
        if j < len(toks) and toks[j].type in APPLY:
            if run.statement:
                # in a derivation σ'(h) is a factor of a backprop formula: read as the
                # function σ' (the builder differentiates σ's own body for it)
                return j
            raise run.error(f"the derivative {run.text(t.start_pos, toks[j - 1].end_pos)} of a function is "
                            "not read as input (write the function itself: symderiv differentiates it)",
                            t.start_pos)
        return None

    def _indicator_head(self, run, toks, i):
        """1[x>0], 1\\{x>0\\}, \\mathbb{I}[x>0], \\mathbb{I}_{x>0}: a 1 or a blackboard I right
        before a bracket that holds a comparison is an indicator, not a number or the identity."""
        t = toks[i]
        bold_i = t.type == "LETTER" and str(t) == "I" and run.show(t).startswith(("\\mathbb", "\\mathbbm"))
        if not (bold_i or (t.type == "NUM" and str(t) == "1")):
            return False
        j = i + 1
        if bold_i and j + 1 < len(toks) and toks[j].type == "_UNDER" and toks[j + 1].type == "_LGROUP":
            j += 1
        elif j >= len(toks) or toks[j].type not in APPLY:
            return False
        return self._has_relation(toks, j)

    def _function_word(self, run, toks, i, prev):
        """max(x,0), sign x, tanh^2(x) written without a backslash: a run of adjacent letters
        spelling a known function word is that function, never the product of its letters."""
        if prev is not None and prev.type == "LETTER" and prev.end_pos == toks[i].start_pos:
            return False
        word, j = self._letter_word(toks, i)
        if len(word) < 2 or not canonical(word):
            return False
        nxt = toks[j] if j < len(toks) else None
        if nxt is not None and (nxt.type in ("_LPAR", "_LBRACK", "_LBRACE", "_CARET") or (
                nxt.type in OPERAND_START and nxt.start_pos > toks[j - 1].end_pos)):
            return True
        raise run.error(f"'{word}' spells the function {word} but has no argument: write {word}(...), "
                        "or leave spaces between letters meant as a product", toks[i].start_pos)

    @staticmethod
    def _letter_word(toks, i):
        j = i + 1
        while j < len(toks) and toks[j].type == "LETTER" and toks[j].start_pos == toks[j - 1].end_pos:
            j += 1
        return "".join(str(x) for x in toks[i:j]), j

    @staticmethod
    def _has_relation(toks, j):
        depth = 0
        for k in range(j, len(toks)):
            ty = toks[k].type
            if ty in OPENERS or ty in ("_LBAR", "_LNORM"):
                depth += 1
            elif ty in CLOSERS or ty in ("_RBAR", "_RNORM"):
                depth -= 1
                if depth == 0:
                    return False
            elif ty == "REL" and depth == 1:
                return True
        return False


