r"""The words a post uses to state a hypothesis about a name, and the conditions they mean.

"Let $A$ be symmetric", "for nonnegative $c$", "where $y$ is a probability vector": a
word before or after a bare name is a hypothesis on it, and the checker must judge the
steps under it (a counterexample that breaks it proves nothing).  Each entry below is one
property: the words that say it, which names it can qualify, and the conditions it
means, written in the LaTeX the condition reader reads.  The sentence logic (which
sentence or the rest of the post it holds for, a list of names 'A and B') is
``checking.rows``'s.

A property whose conditions the sampler cannot meet (an equation such as 1ᵀy = 1) still
matters: no point breaking it is offered as a counterexample, so the step is at worst
'unverified', never refuted by a point the post excluded.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# a matrix, a vector or a scalar: one letter, or a Greek letter's command
_ANY = re.compile(r"[A-Za-z]|\\[a-zA-Z]+")
_MATRIX = re.compile(r"[A-Z]")

# nouns a property word may stand before: 'nonnegative real numbers $a$ and $b$'
_NOUNS = r"(\s+(real\s+)?(number|numbers|scalar|scalars|vector|vectors|matrix|matrices|square matrix|" \
         r"entries|parameter|parameters|constant|constants|weights?))?"


@dataclass(frozen=True)
class Property:
    words: str                  # a regular expression for the word(s), without anchors
    names: re.Pattern           # the names it can qualify
    conditions: tuple           # LaTeX templates, {n} the name
    equating: bool = False      # its conditions are equations between names (A = A^T)

    def before(self) -> re.Pattern:
        """The word just before the name: 'for symmetric $A$', 'let nonnegative $c$'."""
        return re.compile(rf"\b({self.words}){_NOUNS}\s*$", re.I)

    def after(self) -> re.Pattern:
        """The word just after it: '$A$ is symmetric', '$y$ be a probability vector'."""
        return re.compile(rf"^\s*(is|be|are|being)?\s*(an?\s+|entrywise\s+|elementwise\s+)?({self.words})\b", re.I)

    def latex(self, name: str) -> list[str]:
        return [c.format(n=name) for c in self.conditions]


# Order matters where one wording contains another: 'positive definite' is not 'positive'
# (its conditions are not ones the sampler can read, so it is not a property here at all,
# and the lookahead keeps 'positive' from claiming it).
PROPERTIES = (
    Property("symmetric", _MATRIX, ("{n} = {n}^T",), equating=True),
    Property(r"non-?negative|nonneg", _ANY, (r"{n} \ge 0",)),
    Property(r"non-?positive", _ANY, (r"{n} \le 0",)),
    Property(r"(strictly\s+)?positive(?!\s+(semi-?)?definite)(?!\s*-)", _ANY, (r"{n} > 0",)),
    Property(r"(strictly\s+)?negative(?!\s+(semi-?)?definite)(?!\s*-)", _ANY, (r"{n} < 0",)),
    Property(r"probability\s+(vector|distribution)|distribution\s+over", _ANY,
             (r"{n} \ge 0", r"\sum_i {n}_i = 1")),
    Property(r"one-?hot(\s+vector)?", _ANY, (r"{n} \ge 0", r"\sum_i {n}_i = 1", r"{n} \odot {n} = {n}")),
    Property(r"unit(\s+|-)(norm\s+)?vector|unit(\s+|-)norm", _ANY, (r"\|{n}\|_2^2 = 1",)),
    Property(r"orthogonal(\s+matrix)?", _MATRIX, (r"{n}^T {n} = I",)),
)


def described(name: str, prose_before: str, after: str) -> tuple[Property | None, bool]:
    """The property a word beside ``name`` gives it, and whether the word comes after the
    name ('$A$ and $B$ are symmetric' then covers the names listed before as well)."""
    for p in PROPERTIES:
        if not p.names.fullmatch(name):
            continue
        if p.after().match(after):
            return p, True
        if p.before().search(prose_before):
            return p, False
    return None, False


def continuing(name: str, prose_before: str, run: Property | None) -> Property | None:
    """'for symmetric $A$ and $B$': the property of the run goes on to B."""
    joined = prose_before.strip().lower() in ("and", ",", "and,", ", and")
    if joined and run is not None and run.names.fullmatch(name):
        return run
    return None
