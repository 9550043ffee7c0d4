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
        # a later assumption on a name replaces the earlier ones on it ('assume x > |y|',
        # later 'assume x > λ'), except a parameter's own range: 'let λ > 0 and assume
        # x > λ' keeps λ > 0
        mine = names(cond)
        self.conditions = [c for c in self.conditions if not (names(c) & mine) or names(c) < mine] \
            + [replace(cond, scope=scope)]

    def beside(self, local: list) -> list:
        """The standing conditions a line with its own ``local`` conditions keeps: all of
        them; those that speak of a local one's names are marked ``shadowed``, and the
        checker drops them only where the two clash ('assume x > |y| ... for x < 0': no
        point meets both).  'let λ > 0; for x > λ' keeps λ > 0, and 'let x > y; for x > 0'
        keeps x > y."""
        said = set().union(*(names(c) for c in local)) if local else set()
        return [replace(c, shadowed=True) if names(c) & said else c for c in self.conditions]
