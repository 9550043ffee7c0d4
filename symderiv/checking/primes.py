"""``f'(x) = ...`` where an earlier line defined f: a claim about f's derivative.

Where f is not defined, a prime names what follows (a blog's ``f'(x) = \\lim ...``), and
reading.Label keeps it a label.  Where f is defined, the line is the most common way a post
states a derivative, and it is checked:
  * at the parameter, ``f'(x) = G`` is the claim df = G dx (a Gradient along x);
  * at a number, ``f'(a) = c`` is the claim lim_{h→0} (f(a+h) - f(a))/h = c, so a kink at
    a makes it false (the limit does not exist there);
  * higher derivatives and other arguments are left unverified, with the reason.
"""
from __future__ import annotations

import re
from fractions import Fraction

from .. import syntax as S
from ..latex_words import canonical
from .reading import Expr, Gradient, Label, Limit, Unreadable, exact_number
from .world import World, names_in, substitute_names

STEP_NAMES = ("h", "t", "s", "k", "u", "v")


def derivative_claim(label: Label, other, world: World):
    """The claim a label makes beside ``other``, or None when it stays a label."""
    name, order, arg = label.parts()
    d = world.defs.get(name)
    if not isinstance(other, Expr):
        return None
    if d is None:
        return _builtin_claim(name, order, arg, label, world)
    params = d.params or ((world.variable,) if world.variable else ())
    if len(params) != 1:
        return None
    if order != 1:
        return Unreadable(label.latex, "only first derivatives f' are checked")
    p = params[0]
    side = label.side()
    if side is not None and (arg is None or arg.lstrip("\\") == p):
        return Unreadable(label.latex, f"a one-sided derivative is checked at a number (f'_{side}(0)), not at {p}")
    if arg is None or arg.lstrip("\\") == p:
        return Gradient(S.Name(name), p, label.latex)
    a = exact_number(arg)
    if a is None:
        return Unreadable(label.latex, f"a derivative at '{arg}' is not checked: write it at {p} or at a number")
    h = next(n for n in STEP_NAMES if n not in names_in(d.body) | names_in(other.term) | {p})
    at = lambda x: substitute_names(d.body, {p: x})       # noqa: E731
    quotient = S.BinOp("/", S.BinOp("-", at(S.BinOp("+", _term(a), S.Name(h))), at(_term(a))), S.Name(h))
    # one-sided: the limit from that side, h -> 0^+ (or 0^-), which exists at a kink
    return Limit(h, Fraction(0), side, quotient, label.latex)


def _term(v: Fraction) -> S.Term:
    whole = S.Num(str(abs(v.numerator))) if v.denominator == 1 else S.BinOp(
        "/", S.Num(str(abs(v.numerator))), S.Num(str(v.denominator)))
    return S.Neg(whole) if v < 0 else whole


def _builtin_claim(name, order, arg, label: Label, world: World):
    """σ'(x), \\tanh'(x), σ'(0): the derivative of a function the tool knows (σ is ReLU
    unless the post defines it), checked like any other; None for a name it does not know."""
    sigma = name == "sigma"
    if name in world.quantities or not (sigma or canonical(name) is not None):
        return None
    if order != 1:
        return Unreadable(label.latex, "only first derivatives f' are checked")

    def at(x):
        return S.Call(None if sigma else canonical(name), name, (x,))
    if arg is None or re.fullmatch(r"[A-Za-z]", arg):
        p = arg or world.variable
        return Gradient(at(S.Name(p)), p, label.latex) if p else None
    a = exact_number(arg)
    if a is None:
        return Unreadable(label.latex, f"a derivative at '{arg}' is not checked: write it at a variable or a number")
    quotient = S.BinOp("/", S.BinOp("-", at(S.BinOp("+", _term(a), S.Name("h"))), at(_term(a))), S.Name("h"))
    return Limit("h", Fraction(0), None, quotient, label.latex)
