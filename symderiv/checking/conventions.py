"""The value a jump takes on its switch: H(0) and sign(0) are conventions.

A line stating H(0) = 1 where symderiv takes 1/2 is not false, only another convention;
the checker leaves it unverified and says so.
"""
from __future__ import annotations

from fractions import Fraction

from .. import syntax as S
from .reading import Expr

# The value a jump takes on its switch is a convention (H(0) = 1 in some texts, 1/2 in
# symderiv), and any value in the jump's range is one: a line stating it is not false.
CONVENTIONS = {"heaviside": (0, 1, Fraction(1, 2), "H"), "sign": (-1, 1, 0, "sign")}


def only_a_convention(left, right) -> str | None:
    """Why a step H(0) = v or sign(0) = v is only a convention (v in the jump's range, not
    symderiv's), or None."""
    for a, b in ((left, right), (right, left)):
        if not (isinstance(a, Expr) and isinstance(b, Expr) and isinstance(a.term, S.Call)
                and a.term.name in CONVENTIONS and len(a.term.args) == 1
                and isinstance(a.term.args[0], S.Num) and Fraction(a.term.args[0].text) == 0):
            continue
        value = _number_of(b.term)
        low, high, ours, shown = CONVENTIONS[a.term.name]
        if value is not None and low <= value <= high and value != ours:
            return (f"{shown}(0) is a convention, not a fact: this post takes {value}, symderiv takes {ours} "
                    "(its verdicts at the jump use its own)")
    return None


def _number_of(t) -> Fraction | None:
    if isinstance(t, S.Num):
        return Fraction(t.text)
    if isinstance(t, S.Neg):
        v = _number_of(t.arg)
        return None if v is None else -v
    if isinstance(t, S.BinOp) and t.op == "/":
        a, b = _number_of(t.left), _number_of(t.right)
        return None if a is None or not b else a / b
    return None
