"""LaTeX text -> syntax tree.

Three steps, each in one place:
  1. the text: macros expanded (macros.py), math delimiters ($...$, \\[...\\]) removed,
     whitespace made one-space-per-character so columns stay honest;
  2. the tokens: Lark's lexer cuts the text with the grammar's terminals, and the token
     stage below (``_Stage``) settles what a token means from its neighbours: whether a
     bar opens or closes, whether ``(`` applies a function, whether ``d`` is a differential;
  3. the tree: the LALR parser (grammar/latex.lark), then ``_Build`` turns Lark's tree into
     ``syntax`` nodes, one method per grammar rule.

Every failure is an ``InputError`` naming the construct and its column in ``source`` (the
text actually parsed).

Reading of a chain of conditions: ``a < x <= b`` becomes ``Rel('<=', Rel('<', a, x), b)``:
a Rel whose left operand is itself a Rel continues the chain from that Rel's right
operand, so the chain means ``a < x and x <= b``.
"""
from __future__ import annotations

import contextvars
import re
from dataclasses import dataclass, field
from pathlib import Path

from lark import Lark, Token, Transformer_NonRecursive, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, VisitError

from . import sizes
from . import syntax as S
from .errors import InputError, SymderivError, Unsupported
from .macros import expand
from .names import GREEK_NAMES
from .nodes import named_spellings
from .primitives import lookup

MAX_INPUT = 20_000
MAX_NESTING = 200           # delimiters open at once
MAX_TREE_DEPTH = 100        # deeper trees would overflow the recursion of whoever walks them (build, SymPy)

GRAMMAR = Path(__file__).parent / "grammar" / "latex.lark"

# Raw terminals that only the token stage sees: it consumes or rewrites them all.
STAGE_ONLY = ("BAR", "DBAR", "LVERT", "RVERT", "LVVERT", "RVVERT", "LEFT", "RIGHT", "BIG",
              "BEGIN", "END", "AMP", "LINEBREAK", "CMD", "STYLED")

# The front end's own function words, beside the primitive table's: the named matrix
# functions' spellings, declared by their node classes (tr, Tr -> trace), and the words
# read here only (logdet is log det; diag and vec are refused by name).
STRUCTURAL = {**named_spellings(), "logdet": "logdet", "diag": "diag", "Diag": "diag", "vec": "vec"}

REL_OPS = {"=": "=", "<": "<", r"\lt": "<", ">": ">", r"\gt": ">",
           r"\le": "<=", r"\leq": "<=", r"\leqslant": "<=",
           r"\ge": ">=", r"\geq": ">=", r"\geqslant": ">=",
           r"\ne": "!=", r"\neq": "!=", r"\approx": r"\approx"}

IF_WORDS = {"if", "for", "when", "whenever"}
# Subscripts of a norm that name Frobenius's: \|X\|_{\rm Fro}.
FRO_WORDS = {"Fro", "fro", "Frob", "frob", "Frobenius", "FRO"}
OTHERWISE_WORDS = {"otherwise", "else", "o.w.", "ow", "elsewhere", "o/w"}
FONT_STYLES = {"mathbf", "mathbb", "mathbbm", "mathsf", "mathit", "mathcal", "boldsymbol", "bm",
               "vec", "bf", "it", "sf", "cal"}
TEXT_STYLES = {"text", "textrm", "textnormal", "textit", "textbf", "textsf", "mbox"}
SWITCHES = {"rm", "tt", "bf", "it", "sf"}     # bare \rm if ... outside braces

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
# A parse error right after one of these means its operand is missing.
NEEDS_OPERAND = {"_PLUS", "_MINUS", "_SLASH", "_COLON", "_TIMES", "_HADAMARD", "REL", "_CARET",
                 "_UNDER", "_COMMA", "_FRAC", "_SQRT", "_AMP", "_IF", "_DIFF", "FUNC", "_SUM",
                 "_LPAR", "_LBRACK", "_LBRACE", "_LGROUP", "_LBAR", "_LNORM", "_LANGLE",
                 "_FUN_LPAR", "_FUN_LBRACE", "_FUN_LBRACK", "_CASES_BEGIN", "_ROWSEP"}
APPLY = {"_LPAR": "_FUN_LPAR", "_LBRACE": "_FUN_LBRACE", "_LBRACK": "_FUN_LBRACK"}

NOTE_SIGMA = r"\sigma applied to an argument: a function (ReLU unless --let binds it)"


def canonical(spelling: str) -> str | None:
    """The canonical function word for a spelling, or None when nobody knows it."""
    if spelling in STRUCTURAL:
        return STRUCTURAL[spelling]
    p = lookup(spelling)
    return p.name if p is not None else None


# ---- results ------------------------------------------------------------------------------

@dataclass
class Parsed:
    """An expression, the reading decisions a user should see, and the text parsed (macros
    expanded, math delimiters removed): error columns and spans index into ``source``."""
    term: S.Term
    notes: list = field(default_factory=list)
    source: str = ""


@dataclass
class ParsedStatement:
    """A statement, as ``Parsed`` is an expression."""
    statement: S.Statement
    notes: list = field(default_factory=list)
    source: str = ""


# ---- one parse -----------------------------------------------------------------------------

class _Run:
    """What one call to parse() shares between the token stage and the builder."""

    def __init__(self, source: str, statement: bool):
        self.source = source
        self.statement = statement
        self.notes: list[tuple[int, str]] = []
        self.tokens: list[Token] = []

    def note(self, pos: int, text: str):
        self.notes.append((pos, text))

    def error(self, message: str, pos: int) -> InputError:
        return InputError(f"{message} at column {pos}", column=pos, source=self.source)

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


_RUN: contextvars.ContextVar[_Run] = contextvars.ContextVar("symderiv_parse_run")


def _tok(type_: str, value: str, start: int, end: int) -> Token:
    return Token(type_, value, start_pos=start, line=1, column=start + 1,
                 end_line=1, end_column=end + 1, end_pos=end)


def _retype(tok: Token, type_: str, value: str | None = None) -> Token:
    return _tok(type_, str(tok) if value is None else value, tok.start_pos, tok.end_pos)


# ---- the token stage ------------------------------------------------------------------------

class _Stage:
    """Lark post-lexer: reads the whole token stream, settles each context-dependent token,
    and yields what the grammar's parser expects."""

    always_accept = STAGE_ONLY

    def process(self, stream):
        run = _RUN.get()
        toks = list(stream)
        toks = self._words(run, toks)
        toks = self._delimiters(run, toks)
        toks = self._scripts(run, toks)
        toks = self._applications(run, toks)
        run.tokens = toks
        yield from toks

    # -- commands and styled words --------------------------------------------------------

    def _words(self, run, toks):
        out = []
        i = 0
        while i < len(toks):
            t = toks[i]
            if t.type == "STYLED":
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
                    span = _tok("STYLED", word, t.start_pos, toks[j - 1].end_pos)
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
            return _retype(t, "LETTER", word)
        if word == "1" and style in FONT_STYLES:
            return _retype(t, "_ONE", "1")
        if re.fullmatch(r"[0-9]+(\.[0-9]+)?", word):
            return _retype(t, "NUM", word)
        g = re.fullmatch(r"\\([a-zA-Z]+)", word)
        if g and g.group(1) in GREEK_NAMES:
            if style == "operatorname" and g.group(1) != "sigma":
                return _retype(t, "FUNC", g.group(1))
            # \operatorname{\sigma} is \sigma: applied, or bare as the seed writes σ^T σ
            return _retype(t, "GREEK", word)
        if style in FONT_STYLES:
            raise run.error(f"unsupported \\{style}{{{word}}}", pos)
        if word in FRO_WORDS:
            return _retype(t, "FUNC", word)
        low = word.lower().rstrip(":,")
        if low in IF_WORDS:
            return _retype(t, "_IF", word)
        if low.rstrip(".") in OTHERWISE_WORDS or low in OTHERWISE_WORDS:
            return _retype(t, "_OTHERWISE", word)
        name = re.sub(r"\s+", "", word)        # arg\,max -> argmax
        # letters, then digits only at the end: ReLU6, log2 (not 2x, which is a product)
        if re.fullmatch(r"[a-zA-Z]+[0-9]*", name) and (
                style in ("operatorname", "mathrm", "rm") or canonical(name)):
            return _retype(t, "FUNC", name)
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
                out[top[2]] = _retype(out[top[2]], OPENER_OF[shape])
                tok = _retype(tok, CLOSER_OF[shape])
            out.append(tok)

        def in_cases():
            return any(e[0] == "env:cases" for e in stack)

        i = 0
        while i < n:
            t = toks[i]
            ty = t.type
            if ty in ("LEFT", "RIGHT", "BIG"):
                if i + 1 < n and toks[i + 1].type == "REL" and str(toks[i + 1]) in ("<", ">"):
                    # \left< A, B \right>: the angle brackets of plain TeX, not relations
                    toks[i + 1] = _retype(toks[i + 1], "_LANGLE" if str(toks[i + 1]) == "<" else "_RANGLE")
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
                span = _tok(d.type, str(d), t.start_pos, d.end_pos)
                shown = run.show(span)
                if side is None:
                    side = self._bar_side(out, stack, kind)
                if side == "open":
                    opener(kind, ty == "LEFT", _retype(span, OPENER_OF.get(kind, "_LPAR")), shown)
                else:
                    closer(kind, ty == "RIGHT", _retype(span, CLOSER_OF.get(kind, "_RPAR")), shown)
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
                    opener(kind, False, _retype(t, OPENER_OF[kind]), shown)
                else:
                    closer(kind, False, _retype(t, CLOSER_OF[kind]), shown)
            elif ty == "BEGIN":
                env = re.search(r"\{(.*)\}", str(t)).group(1)
                as_cases = env in ("cases", "cases*", "dcases", "rcases") or (
                    env in ("array", "matrix") and stack and stack[-1][0] == r"\{" and stack[-1][1])
                if not as_cases:
                    raise run.error(f"unsupported environment {env}", t.start_pos)
                stack.append(("env:cases", False, len(out), str(t), t.start_pos))
                out.append(_retype(t, "_CASES_BEGIN"))
                if env == "array":         # the column specification {ll}
                    i = self._skip_group(run, toks, i + 1)
                    continue
            elif ty == "END":
                env = re.search(r"\{(.*)\}", str(t)).group(1)
                if not stack or stack[-1][0] != "env:cases":
                    if stack:
                        raise unbalanced(stack[-1])
                    raise run.error(f"unbalanced {t}", t.start_pos)
                begin = stack.pop()
                if re.search(r"\{(.*)\}", begin[3]).group(1) != env:
                    raise run.error(f"{t} does not match {begin[3]}", t.start_pos)
                out.append(_retype(t, "_CASES_END"))
            elif ty == "AMP":
                if in_cases():
                    out.append(_retype(t, "_AMP"))
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
                    out.append(_retype(t, "_ROWSEP"))
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

    # -- script arguments: x^12, \frac12, \|x\|^2_2 ------------------------------------------------

    def _scripts(self, run, toks):
        toks = list(toks)
        # SymPy's entry {x}_{0,1}: the braced letter before a subscript is one token, so
        # that the grammar need not decide between a group and an entry at the brace
        i = 0
        while i + 3 < len(toks):
            a, b, c, d = toks[i:i + 4]
            if (a.type, b.type, c.type, d.type) == ("_LGROUP", "LETTER", "_RGROUP", "_UNDER"):
                toks[i:i + 3] = [_retype(b, "BRACED_LETTER")]
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
            toks[j:j + 1] = [_tok("NUM", num[0], p, p + 1), _tok("NUM", num[1:], p + 1, num.end_pos)]
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
            self._derivative_of_function(run, toks, i)
            if i in applied:
                t = _retype(t, APPLY[t.type])
            elif t.type == "FUNC" and str(t).startswith("\\"):
                t = _retype(t, "FUNC", str(t)[1:])
            elif t.type == "LETTER" and str(t) == "H" and opens and not scripted:
                t = _retype(t, "FUNC", "H")
            elif t.type == "GREEK" and str(t) in (r"\sigma", r"\theta") and opens and not scripted:
                t = _retype(t, "FUNC", str(t)[1:])
            elif t.type == "GREEK" and str(t) == r"\delta" and opens and not scripted and not self._bare(toks, t):
                # in this subject δ(x) is the Dirac delta (H' = δ), which no function is:
                # read as δ·x it would be silently wrong.  Where δ also stands alone it is
                # a number (Huber's δ(|r| - δ/2)), and δ(...) a product
                raise Unsupported(f"\\delta(...) at column {t.start_pos} is the Dirac delta, a distribution and not a "
                                  "function; symderiv works with functions (write \\delta\\cdot(...) for a product)",
                                  column=t.start_pos, source=run.source)
            elif t.type == "LETTER" and not scripted and self._function_word(run, toks, i, prev):
                word, j = self._letter_word(toks, i)
                shown = f"{word}(...)" if toks[j].type == "_LPAR" else word
                run.note(t.start_pos, f"{shown} read as the function {word}")
                t = _tok("FUNC", word, t.start_pos, toks[j - 1].end_pos)
                i = j - 1
                nxt = toks[j]
            elif (run.statement and t.type == "LETTER" and str(t) == "d" and not scripted
                  and nxt is not None and nxt.type in ("LETTER", "GREEK", "_LPAR", "FUNC", "_LBAR", "_LNORM", "_SUM")):
                # d\sum too (d\sum_{i,j} x_{ij}^2); where the post uses d as a number the
                # checker reads it back as a product (check._scalar_d)
                t = _retype(t, "_DIFF")
            elif t.type == "NUM" and str(t) == "1" and nxt is not None and nxt.type == "_UNDER" \
                    and not scripted:
                t = _retype(t, "_ONE")
            elif not scripted and self._indicator_head(run, toks, i):
                run.note(t.start_pos, f"{run.show(t)} before a condition read as an indicator "
                                      "(1 where the condition holds, 0 elsewhere)")
                t = _retype(t, "_ONE", "1")
            if t.type == "FUNC" and nxt is not None and nxt.type in ("_CARET", "_UNDER"):
                j = self._arg_end(toks, i + 2)
                if j < n and toks[j].type in APPLY:
                    applied.add(j)
            out.append(t)
            if nxt is not None and nxt.type in APPLY and (
                    t.type == "FUNC" or (t.type == "_ONE" and (
                        nxt.type != "_LPAR" or self._has_relation(toks, i + 1)))):
                out.append(_retype(nxt, APPLY[nxt.type]))
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
        transpose (or fail far from the cause)."""
        t = toks[i]
        if not (t.type == "FUNC" or (t.type == "GREEK" and str(t) in (r"\sigma", r"\theta"))):
            return
        j = i + 1
        if j < len(toks) and toks[j].type == "PRIME":
            j += 1
        elif j + 1 < len(toks) and toks[j].type == "_CARET" and toks[j + 1].type == "_PRIME_CMD":
            j += 2
        elif j + 3 < len(toks) and toks[j].type == "_CARET" and toks[j + 1].type == "_LGROUP" \
                and toks[j + 2].type == "_PRIME_CMD" and toks[j + 3].type == "_RGROUP":
            j += 4
        else:
            return
        if j < len(toks) and toks[j].type in APPLY:
            raise run.error(f"the derivative {run.text(t.start_pos, toks[j - 1].end_pos)} of a function is "
                            "not read as input (write the function itself: symderiv differentiates it)",
                            t.start_pos)

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


# ---- the parser, built once ---------------------------------------------------------------------

_PARSER: Lark | None = None


def _parser() -> Lark:
    """The LALR parser for grammar/latex.lark, built on first use and kept."""
    global _PARSER
    if _PARSER is None:
        _PARSER = Lark(GRAMMAR.read_text(encoding="utf-8"), parser="lalr", lexer="basic",
                       postlex=_Stage(), start=["start_expr", "start_statement"],
                       propagate_positions=True, maybe_placeholders=False)
    return _PARSER


# ---- Lark's tree -> syntax nodes ------------------------------------------------------------------

class _Indices(tuple):
    """The index letters of a \\sum (not a node: the sum rules consume it)."""


def _span(meta):
    return (meta.start_pos, meta.end_pos) if not getattr(meta, "empty", True) else (0, 0)


@v_args(inline=True, meta=True)
class _Build(Transformer_NonRecursive):
    """One method per grammar rule (or alias), each returning a syntax node."""

    def __init__(self, run: _Run):
        super().__init__()
        self.run = run
        self.numeric_bare = S.NodeTable()   # \sin 2 (a bare call of a leading factor) -> its note's index
        self.bare_calls = S.NodeTable()     # every bare call (\sin\cos 2x: the outer one) -> True

    def _error(self, message, pos):
        return self.run.error(message, pos)

    def _src(self, meta):
        return self.run.text(meta.start_pos, meta.end_pos)

    # entry points
    def start_expr(self, meta, term):
        return term

    def start_statement(self, meta, statement):
        return statement

    def statement(self, meta, *items):
        terms = items[0::2]
        ops = tuple(self._rel(r) for r in items[1::2])
        return S.Statement(tuple(terms), ops, _span(meta))

    def continued_statement(self, meta, *items):
        ops = tuple(self._rel(r) for r in items[0::2])
        return S.Statement((None,) + tuple(items[1::2]), ops, _span(meta))

    @staticmethod
    def _rel(tok):
        return REL_OPS[str(tok)]

    # arithmetic
    def add(self, meta, a, b):
        return S.BinOp("+", a, b, _span(meta))

    def sub(self, meta, a, b):
        return S.BinOp("-", a, b, _span(meta))

    def neg(self, meta, a):
        return S.Neg(a, _span(meta))

    def pos(self, meta, a):
        return a

    def juxt(self, meta, a, b):
        absorbed = self._absorb(a, b)
        return absorbed if absorbed is not None else S.BinOp("*", a, b, _span(meta))

    def _absorb(self, a, b):
        """\\sin 2x is sin(2x), as everyone reads it (not sin(2)·x): a bare function of a
        leading factor (a number, π, a scalar letter) takes the factors written right after
        it, letters, entries, powers, transposes, |.| and applied functions; \\sin 2 \\cdot x
        keeps sin(2)·x, and \\sin x \\cos y two factors.  \\sin^2 2x and \\sin\\cos 2x too."""
        if isinstance(a, S.BinOp) and a.op == "*":
            inner = self._absorb(a.right, b)
            return None if inner is None else S.BinOp("*", a.left, inner, (a.span[0], b.span[1]))
        if a in self.bare_calls and a not in self.numeric_bare and len(a.args) == 1 \
                and a.args[0] in self.numeric_bare:
            inner = self._absorb(a.args[0], b)    # \sin\cos 2x: the inner call takes x
            return None if inner is None else S.Call(a.name, a.spelling, (inner,), (a.span[0], b.span[1]))
        if a not in self.numeric_bare or not _absorbable(b):
            return None
        if isinstance(b, S.Call) and not self.run.text(*b.span).rstrip().endswith(")"):
            return None            # \sin x \cos y: the next function starts a factor of its own
        if self.run.text(a.span[1], b.span[0]).strip():
            return None            # \cdot, \times, or a bracket: the product is meant
        call = a.base if isinstance(a, S.Pow) else a
        (arg,) = call.args
        call = S.Call(call.name, call.spelling, (S.BinOp("*", arg, b, (arg.span[0], b.span[1])),),
                      (call.span[0], b.span[1]))
        out = S.Pow(call, a.exp, (a.span[0], b.span[1])) if isinstance(a, S.Pow) else call
        k = self.numeric_bare.pop(a)
        whole = self.run.text(a.span[0], b.span[1]).strip()
        asrc = self.run.text(arg.span[0], b.span[1]).strip()
        read = f"\\{call.spelling}({asrc})"
        if isinstance(a, S.Pow):
            read = f"({read})^{{{self.run.text(*a.exp.span)}}}"
        self.run.notes[k] = (a.span[0], f"{whole} read as {read}")
        self.numeric_bare[out] = k
        return out

    def div(self, meta, a, b):
        return S.BinOp("/", a, b, _span(meta))

    def hadamard(self, meta, a, b):
        return S.BinOp("hadamard", a, b, _span(meta))

    def frob(self, meta, a, b):
        return S.BinOp(":", a, b, _span(meta))

    def frac(self, meta, a, b):
        return S.BinOp("/", a, b, _span(meta))

    # scripts
    def power(self, meta, base, exp):
        # \|x\|^2_2 was reordered by the stage: the span covers both scripts
        span = (meta.start_pos, max(meta.end_pos, base.span[1]))
        if exp == S.Name("T"):
            return S.Transpose(base, span)
        if exp == S.Neg(S.Name("T")):
            return S.Transpose(S.Pow(base, S.Neg(S.Num("1")), span), span)
        if isinstance(base, S.Differential) and isinstance(base.arg, (S.Norm, S.Abs, S.Call)) \
                and base.span[1] == base.arg.span[1]:
            # d\|X\|_F^2, d\sigma(x)^2: the differential of the square, as a post means it
            # ((d x)^2 of a bare name stays a power of the differential)
            return S.Differential(S.Pow(base.arg, exp, (base.arg.span[0], span[1])), span)
        return S.Pow(base, exp, span)

    def transpose(self, meta, base):
        return S.Transpose(base, _span(meta))

    def inverse_transpose(self, meta, base):
        return S.Transpose(S.Pow(base, S.Neg(S.Num("1")), _span(meta)), _span(meta))

    def pospart(self, meta, base):
        self.run.note(meta.start_pos, f"{self._src(meta)} read as the positive part max(., 0)")
        return S.Call("relu", "(.)_+", (base,), _span(meta))

    def negpart(self, meta, base):
        self.run.note(meta.start_pos, f"{self._src(meta)} read as the negative part max(-(.), 0)")
        return S.Call("relu", "(.)_-", (S.Neg(base, base.span),), _span(meta))

    def prime_cmd(self, meta, base):
        self.run.note(meta.start_pos, f"{self._src(meta)} read as the transpose of "
                                      f"{self.run.text(meta.start_pos, base.span[1])}")
        return S.Transpose(base, _span(meta))

    def prime(self, meta, base, tick):
        src = self.run.text(meta.start_pos, tick.start_pos)
        if self.run.text(tick.end_pos, tick.end_pos + 1) == "(" and isinstance(base, S.Name):
            # H'(x), f'(x): the derivative of a function, applied; read as H^T (x) it
            # would be a silently wrong product
            raise Unsupported(f"{src}'(...) is a derivative of a function applied to an argument, which is not "
                              f"read inside a formula; write \\frac{{d}}{{dx}}{src}(x)",
                              column=meta.start_pos, source=self.run.source)
        self.run.note(meta.start_pos, f"{src}' read as the transpose of {src}")
        return S.Transpose(base, _span(meta))

    # names and numbers
    def letter(self, meta, tok):
        return S.Name(str(tok), _span(meta))

    def greek(self, meta, tok):
        return S.Name(str(tok).lstrip("\\"), _span(meta))

    def ones(self, meta):
        return S.Name("mathbf{1}", _span(meta))

    def number(self, meta, tok):
        return S.Num(str(tok), _span(meta))

    def subscripted(self, meta, base, sub):
        kind, parts = sub
        name = str(base).lstrip("\\")
        if kind == "one":
            return S.Name(f"{name}_{parts[0]}", _span(meta))
        if kind == "two":
            return S.Entry(name, parts, _span(meta))
        if kind == "minus":
            return self.negpart(meta, S.Name(name, (base.start_pos, base.end_pos)))
        self.run.note(meta.start_pos, f"{self._src(meta)} read as the positive part max(., 0)")
        return S.Call("relu", "(.)_+", (S.Name(name, (base.start_pos, base.end_pos)),), _span(meta))

    def braced_subscripted(self, meta, base, sub):
        kind, parts = sub
        if kind == "two" and all(p.isdigit() for p in parts):
            self.run.note(meta.start_pos, f"{self._src(meta)} read as an entry indexed from 0, as SymPy prints it")
            return S.Entry(str(base), parts, _span(meta), zero_based=True)
        return self.subscripted(meta, base, sub)

    def group_entry(self, meta, group, *indices):
        names = tuple(str(i).lstrip("\\") for i in indices)
        if len(names) == 1 and len(names[0]) == 2 and names[0].isdigit():
            names = (names[0][0], names[0][1])        # (AX)_{12}: the (1,2) entry
        return S.GroupEntry(group, names, _span(meta))

    def hadamard_power(self, meta, base, exp):
        return S.BinOp("hpow", base, exp, _span(meta))

    def sub_one(self, meta, a):
        return ("one", (str(a).lstrip("\\"),))

    def sub_two(self, meta, a, b):
        return ("two", (str(a).lstrip("\\"), str(b).lstrip("\\")))

    def sub_plus(self, meta):
        return ("plus", ())

    def sub_minus(self, meta):
        return ("minus", ())

    # functions
    def call(self, meta, func, *args):
        return self._call(meta, func, args)

    def call_bare(self, meta, func, arg):
        fsrc = self.run.show(func)
        asrc = self.run.text(func.end_pos, meta.end_pos).strip()
        self.run.note(meta.start_pos, f"{fsrc} {asrc} read as {fsrc}({asrc})")
        k = len(self.run.notes) - 1
        call = self._call(meta, func, (arg,))
        self.bare_calls[call] = True
        if _leading_factor(arg):
            self.numeric_bare[call] = k
        return call

    def call_bare_sum(self, meta, func, indices, body):
        fsrc = self.run.show(func)
        self.run.note(meta.start_pos, f"{fsrc} before \\sum read as {fsrc} of the whole sum")
        whole = self.bigsum(meta, indices, body)
        return self._call(meta, func, (S.Sum(whole.indices, whole.body, (func.end_pos, meta.end_pos), whole.upper),))

    def call_sub(self, meta, func, sub, *args):
        # the subscript is the primitive's trailing parameter, as symderiv itself prints it
        return self._call(meta, func, tuple(args) + (sub,))

    def call_power(self, meta, func, exp, *args):
        return self._power_of_call(meta, func, exp, args)

    def call_bare_power(self, meta, func, exp, arg):
        out = self._power_of_call(meta, func, exp, (arg,))
        if _leading_factor(arg):   # \sin^2 2x: (sin(2x))^2, like \sin 2x
            self.numeric_bare[out] = len(self.run.notes) - 1
        return out

    def _power_of_call(self, meta, func, exp, args):
        """\\tanh^2(x) is (\\tanh x)^2 by convention; \\sin^{-1} is the inverse function."""
        fsrc = self.run.show(func)
        if isinstance(exp, S.Neg):
            raise self._error(f"the inverse function {fsrc}^{{-1}} is not supported (a negative "
                              "exponent on a function name)", meta.start_pos)
        asrc = self.run.text(args[0].span[0], args[-1].span[1])
        esrc = self.run.text(*exp.span)
        self.run.note(meta.start_pos, f"{self._src(meta)} read as ({fsrc}({asrc}))^{{{esrc}}}")
        return S.Pow(self._call(meta, func, args), exp, _span(meta))

    def _call(self, meta, func, args):
        spelling = str(func)
        if spelling == "sigma":
            self.run.note(meta.start_pos, NOTE_SIGMA)
        elif spelling in ("H", "theta"):
            self.run.note(meta.start_pos, f"{self._src(meta)} read as the Heaviside step")
        return S.Call(canonical(spelling), spelling, tuple(args), _span(meta))

    def sqrt(self, meta, x):
        return S.Call("sqrt", "sqrt", (x,), _span(meta))

    def root(self, meta, n, x):
        return S.Pow(x, S.BinOp("/", S.Num("1"), n), _span(meta))

    # delimited forms
    def abs(self, meta, x):
        return S.Abs(x, _span(meta))

    def braced_bars(self, meta, x):
        # build decides: |{x}| of a scalar is |x|, of a square matrix SymPy's det
        return S.Call(None, "|{.}|", (x,), _span(meta))

    def norm(self, meta, x, kind=None):
        return S.Norm(x, self._norm_kind(kind), _span(meta))

    @staticmethod
    def _norm_kind(kind):
        """The subscript as build reads it: 'F', '2', 'inf', '*', ..., '' when none."""
        if kind is None:
            return ""
        if kind.type == "INFTY":
            return "inf"
        if str(kind) in FRO_WORDS:
            return "F"
        return str(kind)

    def inner(self, meta, a, b, kind=None):
        if kind is not None and self._norm_kind(kind) != "F":
            raise self._error(f"unknown inner product subscript '{self.run.show(kind)}' "
                              "(the Frobenius product is <A, B> or <A, B>_F)", kind.start_pos)
        return S.Inner(a, b, _span(meta))

    # sums
    def sumop(self, meta, *parts):
        for p in parts:
            if isinstance(p, S.Term) and not isinstance(p, S.Name):
                self._partial_sum(p, "upper")      # \sum_{i=1}^{2}: part of the entries
        uppers = tuple(p.name for p in parts if isinstance(p, S.Name))
        for p in parts:
            if isinstance(p, _Indices):
                out = _Indices(p)
                # \sum_{i=1}^n, \sum_{1 \le i \le n}, \sum_{i,j=1}^n (both to n): checked in build
                if len(uppers) == 1 and len(p) > 1:
                    uppers = uppers * len(p)
                out.upper = uppers if uppers and len(uppers) == len(p) else getattr(p, "upper", ())
                return out
        return _Indices(())

    def sum_sub(self, meta, *parts):
        letters = []
        for i, p in enumerate(parts):
            if isinstance(p, Token) and p.type == "REL":
                if str(p) != "=":
                    raise self._error(f"a \\sum subscript takes '=', not '{p}'", p.start_pos)
                low = parts[i + 1] if i + 1 < len(parts) else None
                if not (isinstance(low, S.Num) and low.text == "1"):
                    self._partial_sum(low, "lower")
                break
            letters.append(str(p))
        return _Indices(letters)

    def sum_sub_range(self, meta, low, rel1, letter, rel2, high):
        if str(rel1) not in ("<=", "\\le", "\\leq", "\\leqslant") or str(rel2) not in ("<=", "\\le", "\\leq", "\\leqslant"):
            raise self._error("an index range is written 1 \\le i \\le n", rel1.start_pos)
        if str(low) != "1":
            self._partial_sum(S.Num(str(low), (low.start_pos, low.end_pos)), "lower")
        if not isinstance(high, S.Name):
            self._partial_sum(high, "upper")
        out = _Indices([str(letter)])
        out.upper = (high.name,)
        return out

    def _partial_sum(self, bound, which: str):
        """A sum whose bounds are not 1 and a size (m, n) runs over part of the entries,
        which the engine does not represent: refused, never read as the whole sum."""
        pos = bound.span[0] if isinstance(bound, S.Term) else 0
        raise Unsupported(f"an index with the {which} bound '{self.run.text(*bound.span)}' at column {pos} runs over "
                          "part of the entries; symderiv sums (or takes the max) over all of them: write \\sum_{i,j} or "
                          "\\sum_{i=1}^{m}", column=pos, source=self.run.source)

    def bigsum(self, meta, indices, body):
        upper = getattr(indices, "upper", ())
        if isinstance(body, S.Sum):
            both = upper + body.upper if upper and body.upper else ()
            return S.Sum(tuple(indices) + body.indices, body.body, _span(meta), both)
        return S.Sum(tuple(indices), body, _span(meta), upper)

    def times_bigsum(self, meta, left, indices, body):
        s = self.bigsum(meta, indices, body)
        s = S.Sum(s.indices, s.body, (left.span[1], meta.end_pos), s.upper)
        return S.BinOp("*", left, s, _span(meta))

    def reduceop(self, meta, func, indices):
        word = canonical(str(func).lstrip("\\"))
        if word not in ("max", "min"):
            raise self._error(f"\\{str(func).lstrip(chr(92))} takes no index subscript; only \\max and \\min "
                              "reduce over indices", func.start_pos)
        return (word, indices)

    def bigreduce(self, meta, op, body):
        word, indices = op
        return S.Reduce(word, tuple(indices), body, _span(meta), getattr(indices, "upper", ()))

    def times_bigreduce(self, meta, left, op, body):
        r = self.bigreduce(meta, op, body)
        return S.BinOp("*", left, S.Reduce(r.op, r.indices, r.body, (left.span[1], meta.end_pos), r.upper),
                       _span(meta))

    # conditions
    def cond(self, meta, *items):
        rel = None
        left = items[0]
        for op_tok, right in zip(items[1::2], items[2::2]):
            op = REL_OPS[str(op_tok)]
            if op == r"\approx":
                raise self._error(r"\approx cannot be a condition", op_tok.start_pos)
            rel = S.Rel(op, rel if rel is not None else left, right,
                        (meta.start_pos, right.span[1] if right.span != (0, 0) else meta.end_pos))
        return rel

    def indicator(self, meta, cond):
        return S.Indicator(cond, _span(meta))

    def case_when(self, meta, value, cond):
        return (value, cond)

    def case_otherwise(self, meta, value):
        return (value, None)

    def cases(self, meta, *rows):
        return S.Cases(tuple(rows), _span(meta))

    def differential(self, meta, arg):
        return S.Differential(arg, _span(meta))

    def differential_sum(self, meta, indices, body):
        return S.Differential(self.bigsum(meta, indices, body), _span(meta))

    def differential_bare(self, meta, func, arg):
        return S.Differential(self._call(meta, func, (arg,)), _span(meta))


# ---- errors from Lark -----------------------------------------------------------------------------

def _absorbable(b) -> bool:
    """What a bare function's argument goes on with: x, x_i, x^2, x^T, |x|, σ(x) (a
    scalar letter; a matrix letter is a product with the value)."""
    if isinstance(b, (S.Pow, S.Transpose)):
        b = b.base if isinstance(b, S.Pow) else b.arg
    if isinstance(b, S.Name):
        return not b.name[:1].isupper()
    return isinstance(b, (S.Entry, S.Abs, S.Call))


def _leading_factor(t) -> bool:
    """A factor that the letters after it multiply inside a bare function: \\sin 2x,
    \\sin \\pi x, \\sin \\frac{\\pi}{2} x, \\sin a x are sin(2x), sin(πx), sin(πx/2), sin(ax)."""
    if isinstance(t, S.Num):
        return True
    if isinstance(t, S.Transpose):
        t = t.arg                  # \\exp x^T x: exp(x^T x)
    if isinstance(t, S.Name):
        return not t.name[:1].isupper()    # a scalar; \\tr AB stays as the note reads it
    if isinstance(t, S.Neg):
        return _leading_factor(t.arg)
    return isinstance(t, S.BinOp) and t.op in ("/", "*") and _leading_factor(t.left) and _leading_factor(t.right)


def _lark_error(run: _Run, e: UnexpectedInput) -> InputError:
    if isinstance(e, UnexpectedCharacters):
        pos = e.pos_in_stream
        ch = run.source[pos] if pos < len(run.source) else ""
        return run.error(f"unexpected character '{ch}'", pos)
    tok = getattr(e, "token", None)
    toks = run.tokens
    at_end = isinstance(e, UnexpectedEOF) or tok is None or tok.type == "$END"
    if at_end:
        prev = toks[-1] if toks else None
    else:
        idx = next((k for k, t in enumerate(toks)
                    if t.start_pos == tok.start_pos and t.type == tok.type), None)
        prev = toks[idx - 1] if idx else None
    if prev is not None and prev.type in NEEDS_OPERAND:
        what = "an argument" if prev.type in ("FUNC", "_FRAC", "_SQRT", "_CARET", "_UNDER") \
            else "an expression"
        if prev.type == "_UNDER" and not at_end and tok.type == "_PLUS":
            return run.error("unexpected '_+' (the positive part is written (x)_+)", prev.start_pos)
        return run.error(f"expected {what} after '{run.show(prev)}'", prev.start_pos)
    if at_end:
        last = toks[-1] if toks else None
        pos = last.end_pos if last is not None else 0
        return run.error("unexpected end of input", pos)
    shown = run.show(tok)
    if tok.type == "STAR":         # a token only for \|X\|_*; anywhere else a stray character
        return run.error("unexpected character '*'", tok.start_pos)
    expected = set(getattr(e, "expected", ()))
    if "REL" in expected and tok.type != "REL" and not {"_PLUS", "_MINUS", "_RPAR", "$END"} & expected:
        return run.error(f"expected a comparison (such as x > 0) before '{shown}'", tok.start_pos)
    if tok.type == "REL" and not run.statement:
        return run.error(f"unexpected relation '{shown}' in an expression", tok.start_pos)
    return run.error(f"unexpected '{shown}'", tok.start_pos)


# ---- text preparation -------------------------------------------------------------------------------

_WRAPPERS = ((r"$$", r"$$"), (r"\[", r"\]"), (r"\(", r"\)"), (r"$", r"$"),
             (r"\begin{equation}", r"\end{equation}"), (r"\begin{equation*}", r"\end{equation*}"),
             (r"\begin{displaymath}", r"\end{displaymath}"))


# \text{if $x > 0$}: math inside the words of a cases row.  It is lifted out in place,
# the same number of characters, so that columns in messages still point at the input.
_TEXT_MATH = re.compile(r"(\\(?:text|textrm|textnormal|textit|textbf|textsf|mbox)\s*\{)"
                        r"([^{}$]*)\$([^$]*)\$([\s,.;:]*)\}")


def _lift_text_math(m) -> str:
    opening, words, math, tail = m.groups()
    if words.strip():
        head = opening + words + "}"
    else:
        head = " " * (len(opening) + len(words) + 1)
    return head + math + " " + tail + " "


def _prepare(text, macros) -> str:
    if not isinstance(text, str):
        raise InputError("the input must be text")
    if len(text) > MAX_INPUT:
        raise InputError(f"input longer than {MAX_INPUT} characters at column {MAX_INPUT}", column=MAX_INPUT,
                         source=text)
    text = expand(text, macros)
    text = re.sub(r"\s", " ", text)        # one space per character keeps the columns
    text = _TEXT_MATH.sub(_lift_text_math, text)
    while True:
        before = text
        text = text.strip()
        text = re.sub(r"(?<!\\)(?<!\\left)(?<!\\right)[.,]\s*$", "", text).rstrip()
        for a, b in _WRAPPERS:
            if text.startswith(a) and text.endswith(b) and len(text) >= len(a) + len(b):
                inner = text[len(a):len(text) - len(b)]
                if a.startswith("$") and "$" in inner:
                    continue
                text = inner
                break
        if text == before:
            break
    if not text.strip():
        raise InputError("empty input at column 0", column=0, source=text)
    return text


def _check_depth(term, source: str = ""):
    """Refuse trees deeper than MAX_TREE_DEPTH (walked without recursion)."""
    stack = [(term, 1)]
    while stack:
        node, d = stack.pop()
        if d > MAX_TREE_DEPTH:
            col = getattr(node, "span", (0, 0))[0]
            raise InputError(f"the expression is nested more than {MAX_TREE_DEPTH} levels deep at column {col} "
                             "(a sum of n terms counts n levels; a size limit)", column=col, source=source)
        for v in vars(node).values() if isinstance(node, (S.Term, S.Statement)) else ():
            items = v if isinstance(v, tuple) else (v,)
            for x in items:
                if isinstance(x, tuple):
                    stack.extend((y, d + 1) for y in x if isinstance(y, S.Term))
                elif isinstance(x, S.Term):
                    stack.append((x, d + 1))


_MIXED_NORM = re.compile(r"(?:\\\||\\[rR]?Vert)\s*_\s*\{\s*([0-9a-zA-Z\\]+\s*,\s*[0-9a-zA-Z\\]+)\s*\}")
_SHIFTED_INDEX = re.compile(r"_\{\s*[a-zA-Z]\s*[+-]\s*[0-9a-zA-Z]\s*\}")


def _run(text, statement, macros):
    try:
        source = _prepare(text, macros)
    except SymderivError:
        raise
    except Exception as e:          # a bug must still not surface as a traceback
        raise InputError(f"could not read the formula ({type(e).__name__})") from None
    shifted = _SHIFTED_INDEX.search(source)
    if shifted:
        # well formed, and common (total variation), but a sum of neighbours is not a sum
        # over every entry: refused as unsupported, with the spelling that is analysed
        raise Unsupported(f"the shifted index {shifted.group(0).lstrip('_')} at column {shifted.start()} (a sum over "
                          "neighbouring entries) is not analysed; write it with a difference matrix D, "
                          "\\|Dx\\|_1 with --let D=[[-1,1,0],[0,-1,1]]", column=shifted.start(), source=source)
    mixed = _MIXED_NORM.search(source)
    if mixed:
        raise Unsupported(f"the mixed norm ||.||_{{{mixed.group(1)}}} at column {mixed.start()} is not analysed "
                          "(a norm of the columns' norms); the entrywise \\|W\\|_1 and \\|W\\|_F are",
                          column=mixed.start(), source=source)
    run = _Run(source, statement)
    token = _RUN.set(run)
    try:
        tree = _parser().parse(source, start="start_statement" if statement else "start_expr")
        result = _Build(run).transform(tree)
    except SymderivError:
        raise
    except UnexpectedInput as e:
        raise _lark_error(run, e) from None
    except VisitError as e:
        if isinstance(e.orig_exc, SymderivError):
            raise e.orig_exc from None
        raise InputError(f"could not read the formula ({type(e.orig_exc).__name__})",
                         source=source) from None
    except Exception as e:          # a bug must still not surface as a traceback
        raise InputError(f"could not read the formula ({type(e).__name__})", source=source) from None
    finally:
        _RUN.reset(token)
    _check_depth(result, source)
    sizes.check(result, source)
    return result, run


# ---- public API -------------------------------------------------------------------------------------

def parse(text: str, macros: dict | None = None) -> Parsed:
    """An expression: LaTeX math as written between dollar signs.

    ``macros`` (see ``macros.expand``) holds definitions made earlier in a document and
    receives the ones this text makes."""
    term, run = _run(text, False, macros)
    return Parsed(term, run.final_notes(), run.source)


def parse_statement(text: str, macros: dict | None = None) -> ParsedStatement:
    """A chain of relations ``a = b <= c``, one row of a derivation.

    Alignment marks ``&`` and a trailing ``\\\\`` are layout.  A ``d`` followed by a name
    or a parenthesised group is a differential (``dX``, ``d(X)``).  A row that starts with
    a relation continues the previous row's chain: its first term is None."""
    statement, run = _run(text, True, macros)
    return ParsedStatement(statement, run.final_notes(), run.source)


def split_rows(block: str) -> list[str]:
    """The rows of an aligned block (the inside of \\eqalign{...}, align*, aligned): split
    at the top-level \\\\, leaving the rows of a cases environment inside it together."""
    rows, depth, start = [], 0, 0
    for m in re.finditer(r"\\begin\s*\{[^{}]*\}|\\end\s*\{[^{}]*\}|\\\\|\\[{}]|\\.|[{}]", block):
        tok = m.group()
        if tok.startswith("\\begin") or tok == "{":
            depth += 1
        elif tok.startswith("\\end") or tok == "}":
            depth -= 1
        elif tok == "\\\\" and depth == 0:
            rows.append(block[start:m.start()])
            start = m.end()
    rows.append(block[start:])
    return [r.strip() for r in rows if r.strip()]


_SPLIT_SCAN = re.compile(r"\\left(?![a-zA-Z])\s*(?:\\[a-zA-Z]+|\\.|.)|\\right(?![a-zA-Z])\s*(?:\\[a-zA-Z]+|\\.|.)"
                         r"|\\begin\s*\{[^{}]*\}|\\end\s*\{[^{}]*\}|\\[{}]|\\langle|\\rangle"
                         r"|\\q?quad(?![a-zA-Z])|\\(?:leqslant|geqslant|leq|geq|le|ge|neq|ne|approx|lt|gt)"
                         r"(?![a-zA-Z])|\\[a-zA-Z]+|\\.|[{}()\[\],=<>]")


def split_equations(row: str) -> list[str]:
    """Split one row holding several equations (``S = s(X), \\qquad r(X) = ...``) at its
    top-level commas and quads, wherever the pieces on both sides hold a relation."""
    depth = 0
    cuts = []             # (start, end) of separator runs at depth 0
    rel_at = []           # positions of relations at depth 0
    for m in _SPLIT_SCAN.finditer(row):
        tok = m.group()
        if tok.startswith(("\\left", "\\begin")) or tok in ("{", "(", "[", "\\{", "\\langle"):
            depth += 1
        elif tok.startswith(("\\right", "\\end")) or tok in ("}", ")", "]", "\\}", "\\rangle"):
            depth -= 1
        elif depth == 0 and (tok == "," or re.fullmatch(r"\\q?quad", tok)):
            gap = row[cuts[-1][1]:m.start()] if cuts else None
            if cuts and gap is not None and re.fullmatch(r"(\s|\\[,;:! ]|~)*", gap):
                cuts[-1] = (cuts[-1][0], m.end())
            else:
                cuts.append((m.start(), m.end()))
        elif depth == 0 and (tok in ("=", "<", ">") or tok.lstrip("\\") in REL_NAMES):
            rel_at.append(m.start())
    pieces, start = [], 0
    for a, b in cuts:
        pieces.append((start, a, b))
        start = b
    pieces.append((start, len(row), len(row)))
    out = []          # (start, end) of equations
    for s, e, _ in pieces:
        has_rel = any(s <= p < e for p in rel_at)
        if out and not (out[-1][2] and has_rel):
            out[-1] = (out[-1][0], e, out[-1][2] or has_rel)
        else:
            out.append((s, e, has_rel))
    return [row[s:e].strip() for s, e, _ in out if row[s:e].strip()]


REL_NAMES = {"le", "leq", "leqslant", "ge", "geq", "geqslant", "ne", "neq", "approx", "lt", "gt"}
