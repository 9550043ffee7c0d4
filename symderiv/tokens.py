"""The token stage: how LaTeX spellings become the tokens the grammar expects.

Lark's lexer cuts the text with the grammar's terminals (grammar/latex.lark); some tokens
cannot be classified by their spelling alone, and ``TokenStage``, Lark's post-lexer, settles
each from its neighbours: whether a bar opens or closes, whether ``(`` applies a function,
whether ``d`` is a differential, what a styled word (``\\mathrm{sign}``, ``{\\rm if}``) is.
It reads the whole stream in four passes (words, delimiters, scripts, applications) and
notes on the run (parse_run.py) every reading a user should see.
"""
from __future__ import annotations

import re

from lark import Token

from .errors import Unsupported
from .latex_words import (FONT_STYLES, FRO_WORDS, IF_WORDS, NORM_WORDS, OTHERWISE_WORDS, SWITCHES, TEXT_STYLES,
                          canonical)
from .names import GREEK_NAMES
from .parse_run import CURRENT_RUN

MAX_NESTING = 200           # delimiters open at once

# Raw terminals that only the token stage sees: it consumes or rewrites them all.
STAGE_ONLY = ("BAR", "DBAR", "LVERT", "RVERT", "LVVERT", "RVVERT", "LEFT", "RIGHT", "BIG",
              "BEGIN", "END", "AMP", "LINEBREAK", "CMD", "STYLED")

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
                if not as_cases:
                    raise run.error(f"unsupported environment {env}", t.start_pos)
                stack.append(("env:cases", False, len(out), str(t), t.start_pos))
                out.append(retype(t, "_CASES_BEGIN"))
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
            self._derivative_of_function(run, toks, i)
            if i in applied:
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
                raise Unsupported(f"\\delta(...) at column {t.start_pos} is the Dirac delta, a distribution and not a "
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


