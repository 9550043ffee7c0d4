"""LaTeX text -> syntax tree: the public entry points (parse, parse_statement, and the
splitting of a block into rows and equations), and the steps around the parser.

Three steps:
  1. the text (here): macros expanded (macros.py), math delimiters ($...$, \\[...\\])
     removed, whitespace made one-space-per-character so columns stay honest;
  2. the tokens: Lark's lexer cuts the text with the grammar's terminals, and the token
     stage (tokens.py) settles what a token means from its neighbours;
  3. the tree: the LALR parser (grammar/latex.lark, built once here), then
     tree_to_syntax.py turns Lark's tree into ``syntax`` nodes, one method per grammar rule.

Every failure is an ``InputError`` naming the construct and its column in ``source`` (the
text actually parsed); Lark's own errors are translated here into such messages.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from lark import Lark
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, VisitError

from . import parse_tables, sizes
from . import syntax as S
from .errors import InputError, SymderivError, Unsupported, shown_column
from .macros import expand
from .parse_run import CURRENT_RUN, ParseRun
from .tree_to_syntax import SyntaxBuilder

MAX_INPUT = 20_000
MAX_TREE_DEPTH = 100        # deeper trees would overflow the recursion of whoever walks them (build, SymPy)

GRAMMAR = parse_tables.GRAMMAR

# A parse error right after one of these means its operand is missing.
NEEDS_OPERAND = {"_PLUS", "_MINUS", "_SLASH", "_COLON", "_TIMES", "_HADAMARD", "REL", "_CARET",
                 "_UNDER", "_COMMA", "_FRAC", "_SQRT", "_AMP", "_IF", "_DIFF", "FUNC", "_SUM",
                 "_LPAR", "_LBRACK", "_LBRACE", "_LGROUP", "_LBAR", "_LNORM", "_LANGLE",
                 "_FUN_LPAR", "_FUN_LBRACE", "_FUN_LBRACK", "_CASES_BEGIN", "_ROWSEP"}


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


# ---- the parser, built once ---------------------------------------------------------------------

_PARSER: Lark | None = None


def _parser() -> Lark:
    """The LALR parser for grammar/latex.lark, loaded on first use and kept; its tables are
    computed ahead (parse_tables.py), not in every process."""
    global _PARSER
    if _PARSER is None:
        _PARSER = parse_tables.parser()
    return _PARSER


# ---- errors from Lark -----------------------------------------------------------------------------

def _lark_error(run: ParseRun, e: UnexpectedInput) -> InputError:
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
        raise InputError(f"input longer than {MAX_INPUT} characters at column {shown_column(MAX_INPUT)}", column=MAX_INPUT,
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
        raise InputError(f"empty input at column {shown_column(0)}", column=0, source=text)
    return text


def _check_depth(term, source: str = ""):
    """Refuse trees deeper than MAX_TREE_DEPTH (walked without recursion)."""
    stack = [(term, 1)]
    while stack:
        node, d = stack.pop()
        if d > MAX_TREE_DEPTH:
            col = getattr(node, "span", (0, 0))[0]
            raise InputError(f"the expression is nested more than {MAX_TREE_DEPTH} levels deep at column {shown_column(col)} "
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
        raise Unsupported(f"the shifted index {shifted.group(0).lstrip('_')} at column {shown_column(shifted.start())} (a sum over "
                          "neighbouring entries) is not analysed; write it with a difference matrix D, "
                          "\\|Dx\\|_1 with --let D=[[-1,1,0],[0,-1,1]]", column=shifted.start(), source=source)
    mixed = _MIXED_NORM.search(source)
    if mixed:
        raise Unsupported(f"the mixed norm ||.||_{{{mixed.group(1)}}} at column {shown_column(mixed.start())} is not analysed "
                          "(a norm of the columns' norms); the entrywise \\|W\\|_1 and \\|W\\|_F are",
                          column=mixed.start(), source=source)
    run = ParseRun(source, statement)
    token = CURRENT_RUN.set(run)
    try:
        tree = _parser().parse(source, start="start_statement" if statement else "start_expr")
        result = SyntaxBuilder(run).transform(tree)
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
        CURRENT_RUN.reset(token)
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
