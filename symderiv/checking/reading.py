"""One equation -> a chain of terms joined by relations.

A chain ``a = b = c`` is cut at its top-level relations here rather than by the parser,
because a term may be something the expression grammar does not hold:
  * a limit ``\\lim_{h \\to 0^+} body`` (the head is read here, the body by the parser);
  * a label ``f'(x)``: a name for what follows (a prime in a post is a derivative at a
    point the prose names, not something to differentiate);
Everything else is parsed as a statement with one term, so that ``dX`` reads as a
differential.

An increment written ``\\Delta x`` is one symbol (``\\delta_{x}`` inside, shown as Δx):
read letter by letter it would be the product Δ·x, and x + Δ·x tends to 0 with x.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction

from .. import syntax as S
from ..errors import SymderivError
from ..latex_words import canonical
from ..parse import parse_statement

RELATIONS = {"=": "=", "<": "<", ">": ">", r"\le": "<=", r"\leq": "<=", r"\leqslant": "<=",
             r"\ge": ">=", r"\geq": ">=", r"\geqslant": ">=", r"\ne": "!=", r"\neq": "!=",
             r"\lt": "<", r"\gt": ">", r"\approx": "approx", ":=": ":=", r"\coloneqq": ":=",
             r"\triangleq": ":=", r"\equiv": "="}
_SCAN = re.compile(r"\\left(?![a-zA-Z])\s*(?:\\[a-zA-Z]+|\\.|.)|\\right(?![a-zA-Z])\s*(?:\\[a-zA-Z]+|\\.|.)"
                   r"|\\begin\s*\{[^{}]*\}|\\end\s*\{[^{}]*\}|\\[{}]|:="
                   r"|\\(?:leqslant|geqslant|leq|geq|le|ge|neq|ne|lt|gt|approx|coloneqq|triangleq|equiv)(?![a-zA-Z])"
                   r"|\\[a-zA-Z]+|\\.|[{}()\[\]=<>]")
_NAME = r"(?:[A-Za-z]|\\[A-Za-z]+)"
# a function's name may carry a subscript that is part of it: S_\lambda, f_1, S_{\lambda}
# (the parser reads them as the names S_lambda and f_1; g_{ij} stays an entry)
_FNAME = _NAME + r"(?:\s*_\s*(?:\{\s*(?:\\[A-Za-z]+|\d+)\s*\}|\\[A-Za-z]+|\d))?"
# f'(x), f''(0), f^{(2)}(x), and the one-sided f'_+(0), f_-'(0), f'(0^+), f'_{+}(0)
_SIDE = r"_\s*\{?\s*(?P<SIDE>[+-])\s*\}?"
_LABEL = re.compile(r"^\s*(?P<name>" + _FNAME + r")\s*(?:" + _SIDE.replace("SIDE", "side1") + r")?\s*"
                    r"(?P<marks>'+|\^\s*\{?\s*\\prime\s*\}?|\^\s*\{\s*\((?:\d+|[a-z])\)\s*\})"
                    r"\s*(?:" + _SIDE.replace("SIDE", "side2") + r")?"
                    r"\s*(?:\((?P<arg>[^()]*?)(?:\s*\^\s*\{?\s*(?P<side3>[+-])\s*\}?)?\s*\))?\s*$")
_HEAD = re.compile(r"^\s*(" + _FNAME + r")\s*(?:\\left\s*)?\(\s*(" + _FNAME + r"(?:\s*,\s*" + _FNAME + r")*)\s*(?:\\right\s*)?\)\s*$")
_LIMIT = re.compile(
    r"^\s*\\lim(?:\\limits)?\s*_\s*\{\s*(?P<var>\\delta_\{[a-zA-Z]\}|\\Delta_\{[a-zA-Z]\}|" + _NAME + r")\s*"
    r"(?P<arrow>\\to|\\rightarrow|\\longrightarrow|\\downarrow|\\searrow|\\uparrow|\\nearrow|->|→)\s*"
    r"(?P<point>[^{}^]*?|\\frac\s*\{[^{}]*\}\s*\{[^{}]*\}|\\frac\s*\d\d)\s*"
    r"(?:\^\s*\{?\s*(?P<side>[+-])\s*\}?|(?P<side2>[+-]))?\s*\}(?P<body>.*)$", re.S)
_D = r"(?:\\partial|d|\\mathrm\s*\{\s*d\s*\}|\\operatorname\s*\{\s*d\s*\})"
_ARG = r"(?:\s*\(\s*[A-Za-z]\s*\))?"
# the variable of a derivative: a letter, or one numbered scalar (∂/∂x_1, ∂/∂x_{2})
_VAR = r"[A-Za-z](?:_\s*(?:[0-9]|\{\s*[0-9]\s*\}))?"
_NABLA = re.compile(r"^\s*\\nabla\s*(?:_\s*\{?\s*(?P<var>[A-Za-z])\s*\}?)?\s*(?P<body>.+)$", re.S)
_RATIO = re.compile(r"^\s*\\[dt]?frac\s*\{\s*" + _D + r"\s*(?P<body>[A-Za-z]" + _ARG + r")\s*\}\s*\{\s*" + _D
                    + r"\s*(?P<var>" + _VAR + r")\s*\}\s*$")
_OPERATOR = re.compile(r"^\s*\\[dt]?frac\s*\{\s*" + _D + r"\s*\}\s*\{\s*" + _D + r"\s*(?P<var>" + _VAR
                       + r")\s*\}(?P<body>.+)$", re.S)
_PRIMED = re.compile(r"^\s*(?P<body>.*[)\]|])\s*'\s*$", re.S)
_FRAC_HEAD = re.compile(r"^\s*\\[dt]?frac\s*")
_FUNCTION = re.compile(r"^\s*(?P<f>[A-Za-z])" + _ARG + r"\s*$")
_INCREMENT = re.compile(r"\\Delta\s*([a-zA-Z])(?![a-zA-Z])")


@dataclass(frozen=True)
class Expr:
    term: S.Term
    latex: str
    head: tuple | None = None          # ('f', ('x',)) when written f(x): maybe a definition


@dataclass(frozen=True)
class Limit:
    var: str                           # the syntax name of the limit variable
    point: Fraction
    side: str | None                   # '+', '-', or None for two-sided
    body: S.Term
    latex: str


@dataclass(frozen=True)
class Label:
    latex: str

    def parts(self) -> tuple[str, int, str | None]:
        """(name, order, argument as written or None): f''(x) -> ('f', 2, 'x')."""
        m = _LABEL.match(self.latex)
        marks = m.group("marks")
        digits = re.search(r"\d+", marks)
        order = marks.count("'") or (1 if "prime" in marks else (int(digits.group()) if digits else 0))
        arg = m.group("arg")
        return _name(m.group("name")), order, arg.strip() if arg is not None else None

    def side(self) -> str | None:
        """'+' for a right derivative (f'_+(0), f'(0^+)), '-' for a left one, else None."""
        m = _LABEL.match(self.latex)
        return m.group("side1") or m.group("side2") or m.group("side3")


@dataclass(frozen=True)
class Gradient:
    """∇f, ∂f/∂X, d/dx body: a claim about a gradient, checked as df = <G, dX>."""
    of: S.Term                         # the name f, or the expression differentiated
    var: str | None                    # None: the derivation's variable (a bare \nabla f)
    latex: str
    index: str | None = None           # k of ∂f/∂x_k: the claim is said of every entry k


@dataclass(frozen=True)
class Scaled:
    """A formula with one gradient inside, ``rest + coef·∇f``: x - η∇f(x), ∇f(w) + λw.  The
    coefficient is a scalar the post names (η, λ, 2): the claim rest + c∇f = R is then
    c·df = <R - rest, dX>, checked like a gradient's."""
    rest: S.Term | None
    coef: S.Term
    grad: Gradient
    latex: str


@dataclass(frozen=True)
class Unreadable:
    latex: str
    reason: str


@dataclass
class Chain:
    terms: list                        # terms[0] is None for a row continuing the last chain
    ops: list
    increments: dict = field(default_factory=dict)    # syntax name -> shown name ('delta_x' -> 'Δx')


def increments(text: str) -> tuple[str, dict]:
    """``\\Delta x`` -> ``\\delta_{x}`` (a scalar), ``\\Delta X`` -> ``\\Delta_{X}`` (a matrix)."""
    found = {}

    def one(m):
        letter = m.group(1)
        greek = "delta" if letter.islower() else "Delta"
        found[f"{greek}_{letter}"] = f"Δ{letter}"
        return f"\\{greek}_{{{letter}}}"
    return _INCREMENT.sub(one, text), found


def restore_increments(text: str) -> str:
    """The increments as the post wrote them, for what a step shows: ``\\delta_{x}`` ->
    ``\\Delta x`` (the inverse of ``increments``)."""
    return re.sub(r"\\(?:delta|Delta)_\{([a-zA-Z])\}", r"\\Delta \1", text)


def top_level(text: str):
    """(token, start) for every token outside all groups, openers of top-level groups
    included: where a relation splits a chain, where a condition may start."""
    depth = 0
    for m in _SCAN.finditer(text):
        tok = m.group()
        if tok.startswith(("\\left", "\\begin")) or tok in ("{", "(", "[", "\\{"):
            if depth == 0:
                yield tok, m.start()
            depth += 1
        elif tok.startswith(("\\right", "\\end")) or tok in ("}", ")", "]", "\\}"):
            depth -= 1
        elif depth == 0:
            yield tok, m.start()


def split_terms(text: str) -> tuple[list[str], list[str]]:
    """The top-level terms and relations of an equation."""
    terms, ops, start = [], [], 0
    for tok, pos in top_level(text):
        if tok in RELATIONS:
            terms.append(text[start:pos])
            ops.append(RELATIONS[tok])
            start = pos + len(tok)
    terms.append(text[start:])
    return [_tidy(t) for t in terms], ops


def _tidy(t: str) -> str:
    """A term without the alignment marks and punctuation around it (an & inside a
    cases environment stays: it separates a value from its condition)."""
    t = re.sub(r"^(\s|&)+|(\s|&|\\[,;:!]|\\q?quad|~)+$", "", t)
    return re.sub(r"(?<!\\)(?<!\\right)(?<!\\left)[.,]\s*$", "", t).strip()


def read(text: str) -> Chain:
    text, incs = increments(text)
    texts, ops = split_terms(text)
    terms = []
    for i, t in enumerate(texts):
        if i == 0 and not t:
            terms.append(None)         # '&= ...' continues the previous row's chain
            continue
        terms.append(read_term(t))
    return Chain(terms, ops, incs)


def read_term(text: str):
    if not text:
        return Unreadable(text, "an empty side")
    if _LABEL.match(text):
        return Label(text)
    primed = _PRIMED.match(text)
    if primed and not re.search(r"(?<![\\A-Za-z])[A-Z]", primed.group("body")):
        # (x^2)', |x|', \sigma(x)': a derivative (of a matrix, (AX)' is a transpose), in
        # its one variable
        letters = set(re.findall(r"(?<![\\A-Za-z])[a-z](?![A-Za-z])", primed.group("body")))
        return _gradient_of(text, primed.group("body"), letters.pop() if len(letters) == 1 else None)
    if text.lstrip().startswith("\\lim"):
        return _limit(text)
    scaled = _with_gradient(text)
    if scaled is not None:
        return scaled
    gradient = _gradient(text)
    if gradient is not None:
        return gradient
    m = _HEAD.match(text)
    head = None
    if m:
        head = (_name(m.group(1)), tuple(_name(p.strip()) for p in m.group(2).split(",")))
        if len(head[1]) > 1 and not canonical(head[0]):
            # f(a, b): a function of several arguments, as a head only (\max(a, b) is max)
            return Expr(S.Call(None, head[0], tuple(S.Name(p) for p in head[1])), text, head)
    try:
        st = parse_statement(text, {}).statement
    except SymderivError as exc:
        return Unreadable(text, exc.message)
    if len(st.terms) != 1 or st.terms[0] is None:
        return Unreadable(text, "a relation inside a term")
    return Expr(st.terms[0], text, head)


_INNER_NABLA = re.compile(r"\\nabla\s*(?:_\s*\{?\s*(?P<var>[A-Za-z])\s*\}?)?\s*(?P<f>[A-Za-z])(?![A-Za-z])"
                          r"\s*(?P<arg>\(\s*[A-Za-z]\s*\))?")
# what may multiply a gradient inside a formula: numbers and the Greek letters of step sizes
# and penalties, scalars in every post that writes them there
_SCALAR_COEF = re.compile(r"(?:\\(?:alpha|beta|gamma|eta|lambda|mu|rho|tau|epsilon|varepsilon|kappa|nu|theta)"
                          r"(?![A-Za-z])|[0-9]+|\s|\\,)*")


def _balanced(text: str) -> bool:
    return all(text.count(a) == text.count(b) for a, b in ("()", "{}", "[]")) and "\\left" not in text


def _with_gradient(text: str):
    """x - \\eta\\nabla f(x), \\nabla f(w) + \\lambda w: one gradient of a named function as
    a term of a sum, times a scalar; None for anything else (a gradient alone, ∇f·v)."""
    if text.count("\\nabla") != 1:
        return None
    m = _INNER_NABLA.search(text)
    if m is None:
        return None
    before, after = text[:m.start()], text[m.end():].strip()
    head = re.fullmatch(r"(?P<pre>.*?)(?P<sign>[+-]?)(?P<coef>" + _SCALAR_COEF.pattern + r")", before, re.S)
    if head is None or (after and after[0] not in "+-"):
        return None
    pre, sign, coef = head.group("pre"), head.group("sign"), head.group("coef").strip()
    if pre.strip() and not sign or not _balanced(pre) or not _balanced(after):
        return None
    rest = (pre + " " + after).strip()
    if not rest:
        return None
    grad = _gradient_of(m.group(), m.group("f") + (m.group("arg") or ""), m.group("var"))
    if not isinstance(grad, Gradient):
        return None
    try:
        rest_term = parse_statement(rest.lstrip("+").strip(), {}).statement.terms
        coef_term = parse_statement(coef, {}).statement.terms if coef and coef != "\\," else (S.Num("1"),)
    except SymderivError:
        return None
    if len(rest_term) != 1 or len(coef_term) != 1:
        return None
    factor = S.Neg(coef_term[0]) if sign == "-" else coef_term[0]
    return Scaled(rest_term[0], factor, grad, text)


# ∂f/∂x_k with a letter k: the k-th entry of the gradient, for every k
_RATIO_ENTRY = re.compile(r"^\s*\\[dt]?frac\s*\{\s*\\partial\s*(?P<f>[A-Za-z])" + _ARG + r"\s*\}\s*\{\s*\\partial\s*"
                          r"(?P<var>[a-z])_\s*(?:(?P<k>[a-z])|\{\s*(?P<k2>[a-z])\s*\})\s*\}\s*$")


def _gradient(text: str):
    """∇f, ∇_X f(X), ∂f/∂X, df/dx, d/dx (expression), d(x^2)/dx: what is differentiated,
    along what."""
    entry = _RATIO_ENTRY.match(text)
    if entry and not canonical(entry.group("f")):
        return Gradient(S.Name(entry.group("f")), entry.group("var"), text, entry.group("k") or entry.group("k2"))
    m = _NABLA.match(text) or _RATIO.match(text) or _OPERATOR.match(text)
    if m is None:
        return _leibniz(text)
    return _gradient_of(text, m.group("body"), m.group("var"))


def _leibniz(text: str):
    """\\frac{d\\,x^2}{dx}, \\frac{d|x|}{dx}, \\frac{d\\sigma(x+1)}{dx}: the derivative of the
    expression on top (whose braces the patterns above cannot follow)."""
    m = _FRAC_HEAD.match(text)
    if m is None:
        return None
    top, end = _braced(text, m.end())
    if top is None:
        return None
    bottom, end = _braced(text, end)
    if bottom is None or text[end:].strip():
        return None
    var = re.fullmatch(r"\s*" + _D + r"\s*(?P<var>" + _VAR + r")\s*", bottom)
    body = re.fullmatch(r"\s*" + _D + r"(?P<body>(?:\\[,;!:]|\s)*\S.*)", top, re.S)
    if var is None or body is None:
        return None
    inner = re.sub(r"^(\\[,;!:]|\s)+", "", body.group("body"))
    return _gradient_of(text, inner, var.group("var"))


def _braced(text: str, start: int):
    """The contents of the brace group at ``start`` (after spaces) and the index after it."""
    i = start
    while i < len(text) and text[i].isspace():
        i += 1
    if i >= len(text) or text[i] != "{":
        return None, start
    depth = 0
    for j in range(i, len(text)):
        if text[j] == "{" and text[j - 1:j] != "\\":
            depth += 1
        elif text[j] == "}" and text[j - 1:j] != "\\":
            depth -= 1
            if depth == 0:
                return text[i + 1:j], j + 1
    return None, start


def _gradient_of(text: str, body: str, var):
    if var is not None:
        var = re.sub(r"[\s{}]", "", var)          # x_{1} -> x_1, the name the parser gives it
    f = _FUNCTION.match(body)
    if f and not canonical(f.group("f")):
        # f or f(X): the function's name, not a product f·X (H(x) is the step function)
        return Gradient(S.Name(f.group("f")), var, text)
    try:
        st = parse_statement(body, {}).statement
    except SymderivError as exc:
        return Unreadable(text, exc.message)
    if len(st.terms) != 1 or st.terms[0] is None:
        return Unreadable(text, "a relation inside a gradient")
    return Gradient(st.terms[0], var, text)


def _name(tex: str) -> str:
    # the parser's name: S_{\lambda} and S_\lambda are S_lambda
    return re.sub(r"[\\{}\s]", "", tex)


def _limit(text: str):
    m = _LIMIT.match(text)
    if not m:
        return Unreadable(text, r"a limit is read as \lim_{h \to a^+} with a number a")
    side = m.group("side") or m.group("side2")
    arrow = m.group("arrow")
    if arrow in (r"\downarrow", r"\searrow"):
        side = "+"
    elif arrow in (r"\uparrow", r"\nearrow"):
        side = "-"
    point = exact_number(m.group("point"))
    if point is None:
        return Unreadable(text, f"the limit point '{m.group('point').strip()}' is not a number")
    try:
        var = parse_statement(m.group("var"), {}).statement.terms[0]
        body = parse_statement(m.group("body"), {}).statement
    except SymderivError as exc:
        return Unreadable(text, exc.message)
    if not isinstance(var, S.Name) or len(body.terms) != 1 or body.terms[0] is None:
        return Unreadable(text, "the limit variable must be a single name")
    return Limit(var.name, point, side, body.terms[0], text)


def exact_number(text: str) -> Fraction | None:
    """A number as a post writes it (a limit point, the point of a derivative claim): an
    integer, a decimal, -a, or \\frac{p}{q}, read by pattern, not eval."""
    t = text.strip().replace(" ", "")
    neg = t.startswith("-")
    t = t.lstrip("+-")
    m = re.fullmatch(r"\\frac\{?(\d+)\}?\{?(\d+)\}?", t)
    try:
        if m:
            v = Fraction(int(m.group(1)), int(m.group(2)))
        elif re.fullmatch(r"\d+(\.\d+)?|\d+/\d+", t):
            v = Fraction(t)
        else:
            return None
    except ZeroDivisionError:
        return None
    return -v if neg else v
