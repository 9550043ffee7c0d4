"""Assumptions a post states once and keeps for the rest of it.

"Fix $\\delta > 0$.", "Let $\\lambda > 0$", "Assume $\\sigma > 0$ throughout": a hypothesis
after such a word holds from there to the end of the post, not only to the end of its
sentence.  A condition after "where" or "with" that closes the sentence of a displayed
line ("$$h(r) = ...$$ where $\\delta > 0$") is said of that line; it is carried on to the
lines after it as well, and the checker keeps it there only where it bounds a parameter,
not the variable the derivation differentiates (``scope == "carried"``: a case such as
"where $x > 0$" stays with its own line).

A later assumption on the same names replaces an earlier one, and a condition stated for
one sentence or row overrides the standing ones on its names ("For $\\delta < 0$, ...").
"""
from __future__ import annotations

from dataclasses import replace

from .world import names_in

STANDING_WORDS = ("fix", "let", "assume", "suppose", "given", "throughout")


def names(cond) -> set:
    out = set()
    for t in cond.statement.terms:
        out |= names_in(t)
    return out


class Standing:
    def __init__(self):
        self.conditions: list = []

    def add(self, cond, scope: str):
        mine = names(cond)
        self.conditions = [c for c in self.conditions if not _replaced(names(c), mine)] + [replace(cond, scope=scope)]

    def beside(self, local: list) -> list:
        """The standing conditions a line with its own ``local`` conditions keeps: all but
        those a local one speaks of again ('assume x > |y| ... for x < 0').  A local
        condition that only brings in a standing one's parameter keeps it: 'let λ > 0;
        for x > λ' is about x and still has λ > 0."""
        said = [names(c) for c in local]
        return [c for c in self.conditions if not any(_replaced(names(c), s) for s in said)]


def _replaced(old: set, new: set) -> bool:
    """Whether a condition on the names ``new`` takes the place of one on ``old``: when they
    share a name, unless ``old`` is only a parameter of the new one (λ > 0 beside x > λ)."""
    return bool(old & new) and not old < new
