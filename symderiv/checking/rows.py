"""A document -> the equations to check, each with the conditions in force for it.

Layout is removed here (``\\eqalign``, ``aligned``, ``align*``, labels, tags), rows are
cut at ``\\\\`` and several equations in one row at top-level commas and quads.  A
condition reaches an equation in one of two ways:
  * written in its row: ``\\sigma(x) = x \\quad (x \\ge 0)``, ``... \\text{ for } x > 0``,
    ``..., \\qquad x \\ne 0``;
  * stated in the prose just before: "For $x > 0$ we obtain: $$...$$".  Such a condition
    holds until the sentence ends or the next displayed block is over, which is how a
    reader of the post takes it.
Macros (``\\def``, ``\\newcommand``) carry from block to block in one table, so a post
that defines ``\\s`` once in a hidden ``$...$`` block uses it everywhere after.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .. import syntax as S
from ..errors import SymderivError
from ..macros import expand
from ..markdown import segments
from ..parse import parse_statement, split_equations, split_rows
from .assumptions import STANDING_WORDS, Standing
from .assumptions import names as assumed_names
from .notes import strip_notes
from .property_words import Property, continuing, described
from .reading import top_level

# words after which a condition is said of the display before it alone ('$$...$$ needs
# $A = A^T$', 'provided $x > 0$'), and not carried on as a parameter's range
AFTER_WORDS = ("needs", "need", "requires", "require", "provided")
CONDITION_WORDS = ("for", "if", "when", "whenever", "where", "assuming", "assume", "suppose",
                   "with", "at", "on") + AFTER_WORDS
# words after which an equation between names is a hypothesis, not a claim or a definition
EQUATING_WORDS = ("at", "if", "when", "whenever", "assuming", "assume", "suppose", "given", "for", "on") + AFTER_WORDS
# words after which any equation is a hypothesis ('assume $\mathbf{1}^T y = 1$'), unless it
# puts a bare name on its left (which 'where $S = ...$' defines)
HYPOTHESIS_WORDS = ("assume", "assuming", "suppose", "given", "where", "with", "if", "whenever") + AFTER_WORDS
# words after which a condition speaks of the display before it, whatever follows
BACK_WORDS = ("where", "with", "whenever")
LAYOUT_ENVS = ("equation", "align", "alignat", "aligned", "alignedat", "gather", "gathered",
               "split", "multline", "eqnarray", "flalign", "displaymath", "math")
_DEFINERS = re.compile(r"\\(def|gdef|newcommand|renewcommand|providecommand|DeclareMathOperator|let)(?![a-zA-Z])")


@dataclass(frozen=True)
class Condition:
    latex: str                 # as written, macros expanded: 'x \ge 0'
    statement: S.Statement     # its parse: terms and inequality ops
    scope: str = "local"       # local (its row or sentence) | standing | carried: ``assumptions``
    shadowed: bool = False     # a standing one beside a local one on the same names: dropped if they clash


@dataclass
class Equation:
    text: str                  # one equation, macros expanded, layout removed
    line: int
    display: bool
    conditions: list = field(default_factory=list)
    error: str | None = None   # the block could not be read: why
    aside: bool = False        # a reason given beside a step ('\\text{since } A = B'): no chain goes on from it
    solving: bool = False      # in a sentence that solves an equation ('setting it to zero gives')


def normalise(text: str) -> str:
    """Typography a post carries that is not math: dashes, labels, tags, layout."""
    text = text.replace("\u2013", "-").replace("\u2014", "-").replace("\u2212", "-")
    text = text.replace("\u00a0", " ")
    # \rightarrow would read as \right followed by 'arrow' in the splitters of parse.py
    text = re.sub(r"\\(?:long)?rightarrow(?![a-zA-Z])\s*", r"\\to ", text)
    text = re.sub(r"\\(?:long)?leftarrow(?![a-zA-Z])\s*", r"\\gets ", text)
    text = re.sub(r"\\(label|tag\*?)\s*\{[^{}]*\}", " ", text)
    text = re.sub(r"\\(nonumber|notag)(?![a-zA-Z])", " ", text)
    text = re.sub(r"\\cr(?![a-zA-Z])", r"\\\\", text)        # plain TeX's row end (\eqalign{a \cr b})
    # \intertext{so that} between rows of align*: prose, and a row break
    text = re.sub(r"\\(?:short)?intertext\s*\{(?:[^{}]|\{[^{}]*\})*\}", r" \\\\ ", text)
    envs = "|".join(LAYOUT_ENVS)
    text = re.sub(r"\\begin\s*\{(?:" + envs + r")\*?\}(\s*\{\d+\})?", " ", text)
    text = re.sub(r"\\end\s*\{(?:" + envs + r")\*?\}", " ", text)
    return _unwrap_commands(text, ("eqalign", "eqalignno", "displaylines", "aligned"))


def _unwrap_commands(text: str, names) -> str:
    """\\eqalign{ rows } -> rows (a brace-matched argument)."""
    pattern = re.compile(r"\\(" + "|".join(names) + r")(?![a-zA-Z])\s*\{")
    while True:
        m = pattern.search(text)
        if not m:
            return text
        depth, i = 1, m.end()
        while i < len(text) and depth:
            if text[i] == "\\":
                i += 2
                continue
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        if depth:
            return text            # unbalanced: leave it for the parser to report
        text = text[:m.start()] + " " + text[m.end():i - 1] + " " + text[i:]


# ---- conditions --------------------------------------------------------------------------

_WORD = re.compile(r"\\(?:text|textrm|mbox|mathrm|textnormal|textit)\s*\{([^{}]*)\}|\{\\(?:rm|it)\s+([^{}]*)\}")
_TRAILING_GROUP = re.compile(r"(\\q?quad|,|\\[;,: ]|~)\s*(?P<open>(\\left)?\()(?P<cond>[^()]*)(\\right)?\)\s*[.,]?\s*$")


def split_condition(row: str) -> tuple[str, list[str]]:
    """(equation, conditions) for one row: a trailing 'for x > 0', '(x >= 0)' or ', x != 0'."""
    top = {pos for _, pos in top_level(row)}
    for m in _WORD.finditer(row):
        word = (m.group(1) or m.group(2) or "").strip().lower()
        first = word.split()[0] if word.split() else ""
        if first in CONDITION_WORDS and m.start() in top:
            rest = word[len(first):].strip()
            cond = (rest + " " if rest and not re.search(r"[a-z]{2,}", rest) else "") + row[m.end():]
            return row[:m.start()], [cond.strip()]
    m = _TRAILING_GROUP.search(row)
    if m and m.start("open") in top and _has_relation(m.group("cond")):
        return row[:m.start()], [m.group("cond")]
    return row, []


def _has_relation(text: str) -> bool:
    return bool(re.search(r"[<>=]|\\(le|leq|ge|geq|ne|neq|lt|gt|leqslant|geqslant)(?![a-zA-Z])", text)
                or _INTERVAL.match(text))


def read_condition(text: str, worded: bool = False, equating: bool = False,
                   hypothesis: bool = False) -> Condition | None:
    r"""A condition if ``text`` is one: a variable compared with a number (x > 0, 0 < x < 1,
    X >= 0, x = 0).  After a word such as 'for' or 'if' any inequality is one; without
    it, ``\sigma(x) >= 0`` is a claim, not a condition.  After 'at', 'if' or 'assume'
    (``equating``) an equation between names is one too: 'at $x = y$', 'assume $A = A^T$'
    (after 'let' or 'where' it would define the name instead)."""
    text = _interval(text)
    try:
        st = parse_statement(text, {}).statement
    except SymderivError:
        return None
    if not st.ops or st.terms[0] is None:
        return None
    simple = all(_is_bound(a, b) for a, b in zip(st.terms, st.terms[1:]))
    if all(op in ("<", "<=", ">", ">=", "!=") for op in st.ops) and (simple or worded):
        return Condition(text.strip(), st)
    if st.ops == ("=",) and (simple or equating and all(_named(t) for t in st.terms)):
        return Condition(text.strip(), st)
    if st.ops == ("=",) and hypothesis and not isinstance(st.terms[0], S.Name) \
            and not _FUNCTION_HEAD.match(text):
        # 'assume $\mathbf{1}^T y = 1$'; a name or a head f(X) on the left would be defined
        return Condition(text.strip(), st)
    return None


_FUNCTION_HEAD = re.compile(r"^\s*\\?[A-Za-z]+(_\{?\w+\}?)?\s*(\\left\s*)?\(")


def _named(t) -> bool:
    """A name, its transpose, or a number: the sides of an equation that locates a point."""
    if isinstance(t, S.Transpose):
        t = t.arg
    return isinstance(t, (S.Name, S.Entry, S.Num))


_INTERVAL = re.compile(r"^\s*(?P<v>[^\\]*?|\\[a-zA-Z]+(?:_\{?\w+\}?)?)\s*\\in\s*(?:\\left\s*)?(?P<l>[(\[])"
                       r"(?P<a>[^,]*),(?P<b>[^)\]]*?)\s*(?:\\right\s*)?(?P<r>[)\]])\s*$")
_INFINITE = re.compile(r"^\s*[+-]?\s*\\infty\s*$")


def _interval(text: str) -> str:
    """'\\alpha \\in (0,1)' -> '0 < \\alpha < 1'; '\\lambda \\in [0, \\infty)' -> '\\lambda \\ge 0'."""
    m = _INTERVAL.match(text)
    if m is None:
        return text
    v, a, b = m.group("v").strip(), m.group("a").strip(), m.group("b").strip()
    strict = {"(": "<", ")": "<", "[": r"\le", "]": r"\le"}
    lower = None if _INFINITE.match(a) else a + " " + strict[m.group("l")] + " "
    upper = None if _INFINITE.match(b) else " " + strict[m.group("r")] + " " + b
    if lower is None and upper is None:
        return text
    return f"{lower or ''}{v}{upper or ''}"


def _is_bound(a, b) -> bool:
    """x = 0, X > 0, 1 < x_{ij}: a variable on one side and a number on the other."""
    def number(t):
        return isinstance(t, S.Num) or (isinstance(t, S.Neg) and number(t.arg)) or (
            isinstance(t, S.BinOp) and t.op == "/" and number(t.left) and number(t.right))
    def variable(t):
        return isinstance(t, (S.Name, S.Entry)) and getattr(t, "name", None) not in ("J", "I")
    return (variable(a) and number(b)) or (number(a) and variable(b))


# ---- the document -------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"[.!?](\s|$)|\n\s*\n")
# 'i.e.' and 'e.g.' end no sentence: 'for $w < 1$ gives $w = 1/\lambda$, i.e. $$...$$'
_ABBREVIATIONS = re.compile(r"\b(i\.\s?e|e\.\s?g|cf|resp|viz|etc|vs)\.", re.I)


# a sentence that solves for the variable: its equations hold at the solution, not as identities
_SOLVING = re.compile(r"\b(setting|set|solving|solve|solves|solved|stationary|critical point|"
                      r"optimality|first-order condition|vanish(es)?)\b", re.I)


def _ends_sentence(prose: str) -> bool:
    return bool(_SENTENCE_END.search(_ABBREVIATIONS.sub(" ", prose)))


@dataclass
class _Sentence:
    """What the prose of the sentence being read has said so far."""
    text: str = ""                                   # its words, for '_SOLVING'
    stated: list = field(default_factory=list)       # conditions for the equations that follow
    last: list = field(default_factory=list)         # the equations just before: 'where $\delta > 0$' speaks of them
    tentative: list = field(default_factory=list)    # (condition, equations): 'for $x > 0$' after them, unless
    #                                                  a display follows in the sentence (then it is about that one)
    respectively: bool = False                       # 'For $x>0$ and $x<0$ respectively, $$a = b, \quad c = d$$'
    word: str = ""                                   # the word before the last inline condition ('for')
    opening: list = field(default_factory=list)      # 'For $0 < α < 1$, ...' opening it: for every display in it
    pending: list = field(default_factory=list)      # 'let $A$ and $B$ be symmetric': A, before 'symmetric'
    run: Property | None = None                      # 'for symmetric $A$ and $B$': B goes on the list
    opened: bool = False                             # ... capitalised: it opened the sentence


def equations(text: str) -> tuple[list[Equation], int]:
    """Every equation of the document in order, and how many math blocks it has."""
    macros: dict = {}
    out: list[Equation] = []
    standing = Standing()             # conditions for the rest of the post
    sentence = _Sentence()
    prose_before = ""
    blocks = 0
    segs = list(segments(text))
    for k, seg in enumerate(segs):
        if seg.kind == "prose":
            if _DEFINERS.search(seg.text):
                _learn_macros(seg.text, macros)
            after_display = k > 0 and segs[k - 1].kind == "display"
            if _ends_sentence(seg.text):
                sentence = _Sentence()
            elif after_display and sentence.opening and _CONTINUES.match(seg.text):
                # '... has $$a$$ and $$b$$': the sentence's opening condition goes on to b
                sentence.stated = list(sentence.opening)
            elif after_display:
                sentence.opening = []
            sentence.text += _SENTENCE_END.split(_ABBREVIATIONS.sub(" ", seg.text))[-1]
            sentence.respectively |= bool(re.search(r"\brespectively\b", seg.text, re.I))
            prose_before = seg.text
            continue
        blocks += 1
        try:
            body = normalise(expand(seg.text, macros))
        except SymderivError as exc:
            if seg.kind == "display":
                out.append(Equation(seg.text.strip(), seg.line, True, list(sentence.stated),
                                    error=f"the macros of this block cannot be expanded: {exc.message}"))
            continue
        if not body.strip():
            continue
        after = segs[k + 1].text if k + 1 < len(segs) and segs[k + 1].kind == "prose" else ""
        if seg.kind == "inline" and _described(body, prose_before, after, sentence, standing):
            continue
        if seg.kind == "inline" and _condition(body, prose_before, sentence, standing):
            continue
        if seg.kind == "display":
            for cond, eqs in sentence.tentative:
                for eq in eqs:
                    eq.conditions.remove(cond)
            sentence.tentative = []
        added = _equations(body, seg, sentence, standing)
        out += added
        if seg.kind == "display":
            sentence.stated, sentence.respectively = [], False
        if added or seg.kind == "display":
            sentence.last = added      # 'Let $\ell(x) = \max(\alpha x, x)$ with $\alpha < 1$.'
        prose_before, sentence.word = "", ""
    return out, blocks


# prose between two displays that goes on with the same sentence: 'and', 'or', ', so'
_CONTINUES = re.compile(r"^\s*(,\s*)?(and|or|so|hence|thus|then|while|whereas)\b\s*$", re.I)
_NAME = re.compile(r"[A-Za-z]|\\[a-zA-Z]+")


def _described(body: str, prose_before: str, after: str, sentence: _Sentence, standing: Standing) -> bool:
    """'for symmetric $A$', 'let $A$ be symmetric', '$y$ is a probability vector': the
    conditions the property means (``checking.property_words``), for the sentence (or,
    after 'let' or 'assume', for the rest of the post)."""
    name = body.strip()
    if not _NAME.fullmatch(name):
        return False
    continues = bool(re.match(r"\s*(,|and\b)", after))
    prop, later = described(name, prose_before, after)
    if prop is None:
        prop = continuing(name, prose_before, sentence.run)
    if prop is None:
        sentence.pending = sentence.pending + [name] if continues else []
        sentence.run = None
        return False
    names = [name] + ([n for n in sentence.pending if prop.names.fullmatch(n)] if later else [])
    sentence.pending, sentence.run = [], (prop if continues else None)
    standing_words = re.search(r"\b(let|assume|suppose|throughout)\b", sentence.text + " " + prose_before, re.I)
    for n in names:
        for text in prop.latex(n):
            cond = read_condition(text, worded=True, equating=prop.equating, hypothesis=True)
            if cond is None:
                continue
            if standing_words:
                standing.add(cond, "standing")
            else:
                sentence.stated = sentence.stated + [cond]
                if not sentence.last:  # 'For symmetric $A$, $$...$$ and $$...$$': for each display
                    sentence.opening = sentence.opening + [cond]
    return True


# nouns that may stand between a condition word and its formula, naming the quantity:
# 'with slope $0<a<1$', 'provided that $x > 0$'.  Only nouns: 'at some $x = 2$' or 'with a
# positive $x > 0$' in a sentence about testing is no condition of a display.
_NAMING = {"that", "slope", "slopes", "parameter", "parameters", "constant", "constants", "threshold",
           "rate", "weight", "weights", "margin", "leak"}
# 'needs', 'requires', 'provided' bind back only right after their display: '$$...$$ needs
# $A = A^T$', '$$...$$, which requires $x > 0$' (not 'a faster method needs ...')
_AFTER_ONLY = re.compile(r"\s*[,;]?\s*(?:(?:which|this|it|that|and|only|but)\s+)*(?:needs|need|requires|require|provided)"
                         r"(?:\s+that)?\s*$", re.I)


# quantifiers and kinds after 'for' (and the standing words): 'for all $x > 0$', 'for any
# real $x$', 'assume a positive $\lambda > 0$'; after 'with' or 'at' they describe a test
_QUANTIFYING = {"all", "any", "every", "each", "real", "positive", "negative", "nonzero", "non", "zero", "fixed",
                "given", "a", "an", "the", "some", "scalar", "scalars", "number", "numbers", "integer", "integers"}
_QUANTIFIED = ("for", "let", "assume", "suppose", "fix", "given", "throughout")


def _condition_word(prose: str) -> str:
    clause = re.split(r"[.;:!?]", prose[-80:])[-1]
    words = [w.lower() for w in re.findall(r"[A-Za-z]+", clause)]
    between = []
    for k in range(len(words) - 1, max(len(words) - 6, -1), -1):
        if words[k] in CONDITION_WORDS or words[k] in STANDING_WORDS:
            if all(w in _NAMING or words[k] in _QUANTIFIED and w in _QUANTIFYING for w in between):
                return words[k]
            break
        if words[k] not in _NAMING | _QUANTIFYING:
            break
        between.append(words[k])
    if _opening_clause(prose):
        return _opening_clause(prose)
    return _last_word(prose)


# 'When the margin is violated, $y w^Tx < 1$, we get': the clause that opens with the word
# names its condition in apposition, after a comma
_APPOSED = ("if", "when", "whenever")


def _opening_clause(prose: str) -> str:
    """The condition word opening the clause the prose ends, when the prose ends with the
    comma before an apposition ('When the margin is violated, '); '' otherwise."""
    if not prose.rstrip().endswith(","):
        return ""
    clause = re.split(r"[.;:!?]", prose[-80:])[-1]
    words = [w.lower() for w in re.findall(r"[A-Za-z]+", clause)]
    return words[0] if words and words[0] in _APPOSED and len(words) <= 8 else ""


def _condition(body: str, prose_before: str, sentence: _Sentence, standing: Standing) -> bool:
    """Read an inline formula as a condition of the prose, if it is one (and say so)."""
    word = _condition_word(prose_before)
    if word in AFTER_WORDS and not (sentence.last and _AFTER_ONLY.fullmatch(prose_before)):
        return False
    # 'for $x < 0$, $x = 0$ and $x > 0$': a comma or 'and' goes on with the list
    listed = (word in ("and", "or") and prose_before.strip().lower() == word
              or prose_before.strip() == ",") and sentence.word
    worded = bool(listed or word in CONDITION_WORDS or word in STANDING_WORDS)
    equating = (sentence.word if listed else word) in EQUATING_WORDS
    hypothesis = (sentence.word if listed else word) in HYPOTHESIS_WORDS
    cond = read_condition(body, worded=worded, equating=equating, hypothesis=hypothesis) \
        if _has_relation(body) else None
    if cond is None:
        return False
    if listed:                         # 'for $x > 0$ and $x < 0$': the list goes on, about
        word, opened = sentence.word, sentence.opened    # the same display as its first item
    else:
        opened = _capitalised(prose_before) or bool(_opening_clause(prose_before))
    sentence.word, sentence.opened = word, opened
    if word in STANDING_WORDS:
        standing.add(cond, "standing")
    elif word in CONDITION_WORDS:
        if not listed:             # a new condition on a name replaces the one carried on
            carried = {id(c) for c in sentence.opening}
            sentence.stated = [c for c in sentence.stated
                               if id(c) not in carried or not (assumed_names(c) & assumed_names(cond))]
        sentence.stated = sentence.stated + [cond]
        if opened and not sentence.last:
            sentence.opening = sentence.opening + [cond]
        if word in BACK_WORDS and re.match(r"\s*(let|assume|suppose|fix)\b", sentence.text, re.I):
            # 'Let $X$ be invertible with $\det X > 0$.': the sentence states a hypothesis
            # for the rest of the post, on the variable too
            standing.add(cond, "standing")
        elif word in BACK_WORDS:       # 'where $\lambda > 0$' states a parameter's range
            standing.add(cond, "carried")
        # '$$h(r) = ...$$ where $\delta > 0$' speaks of the display before it;
        # 'For $x < 0$ it is ...' (capitalised) opens a sentence about what follows
        if sentence.last and not opened:
            for eq in sentence.last:
                eq.conditions.append(cond)
            # '$$...$$ and for $x > 0$, $$...$$' may speak of the display after it; an
            # inline '$f(h)/h = 1$ for $h > 0$' right before its condition does not
            right_after = all(not eq.display for eq in sentence.last) and \
                re.fullmatch(r"\s*(for|if|when|whenever)\s*", prose_before, re.I)
            if word not in BACK_WORDS + AFTER_WORDS and not right_after:
                sentence.tentative.append((cond, sentence.last))
    return True


def _equations(body: str, seg, sentence: _Sentence, standing: Standing) -> list[Equation]:
    rows = list(_rows(body))
    stated = sentence.stated
    paired = sentence.respectively and len(stated) > 1 and len(stated) == sum(not a for _, _, a in rows)
    solving = bool(_SOLVING.search(sentence.text))
    added, k = [], 0
    for eq_text, conds, aside in rows:
        if paired:                     # the k-th condition is said of the k-th equation
            local = ([stated[k]] if not aside else []) + conds
            k += not aside
        else:
            local = list(stated) + conds
        added.append(Equation(eq_text, seg.line, seg.kind == "display", standing.beside(local) + local,
                              aside=aside, solving=solving))
    return added


def _rows(body: str):
    for row in split_rows(body):
        row, asides = strip_notes(row, CONDITION_WORDS)
        yield from _row(row)
        for text in asides:
            for eq_text, conds, _ in _row(text):
                yield eq_text, conds, True


def _row(row: str):
    eq, cond_texts = split_condition(row)
    conds = [c for c in (read_condition(t, worded=True) for t in cond_texts) if c is not None]
    pieces = split_equations(eq) if eq.strip() else []
    keep = []
    for piece in pieces:
        bare = _strip_word(piece)
        c = read_condition(bare, worded=bare != piece) if _has_relation(piece) else None
        if c is None:
            keep.append(piece)
        elif keep:
            conds.append(c)        # '..., \qquad x \ne 0' after an equation of the row
    for piece in keep:
        if _has_relation(piece) or "\\lim" in piece:
            yield piece.strip(), conds, False


def _strip_word(piece: str) -> str:
    m = _WORD.match(piece.strip())
    if m and (m.group(1) or m.group(2) or "").strip().lower() in CONDITION_WORDS:
        return piece.strip()[m.end():]
    return piece


def _capitalised(prose: str) -> bool:
    words = re.findall(r"[A-Za-z]+", prose[-40:])
    return bool(words) and words[-1][0].isupper()


def _last_word(prose: str) -> str:
    words = re.findall(r"[A-Za-z]+", prose[-40:])
    return words[-1].lower() if words else ""


def _learn_macros(prose: str, macros: dict):
    """Definitions in the prose of a .tex file (its preamble) count for the math after."""
    for m in _DEFINERS.finditer(prose):
        try:
            expand(prose[m.start():_definition_end(prose, m.end())], macros)
        except SymderivError:
            continue


def _definition_end(text: str, pos: int) -> int:
    """The end of one \\def/\\newcommand: after the last of its brace groups that follow."""
    i, groups = pos, 0
    while i < len(text):
        while i < len(text) and text[i] in " \t\n*":
            i += 1
        if i < len(text) and text[i] == "\\" and groups == 0:
            m = re.match(r"\\[a-zA-Z]+|\\.", text[i:])
            i += m.end() if m else 1
            continue
        if i < len(text) and text[i] == "[":
            j = text.find("]", i)
            i = len(text) if j < 0 else j + 1
            continue
        if i < len(text) and text[i] == "#":
            i += 2
            continue
        if i < len(text) and text[i] == "{":
            depth = 0
            while i < len(text):
                if text[i] == "\\":
                    i += 2
                    continue
                depth += {"{": 1, "}": -1}.get(text[i], 0)
                i += 1
                if depth == 0:
                    break
            groups += 1
            continue
        break
    return i
