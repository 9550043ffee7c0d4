"""Whether an entry's difference is 0 as a polynomial in the entries and the kinks' signs,
tested at random integers instead of expanded symbolically.

A step of a ReLU layer's derivation (tr(Eᵀ V dσ(WX)) = ...) has one kink per entry of WX,
and its difference, written with the sign identities, is a polynomial in the entries of
the matrices and in the signs s_u of the kinks' arguments.  Expanding it over symbols
costs seconds; at integer values of the entries the same polynomial has numbers for
coefficients and expands at once.  Each sign is a free variable with s² = 1, so the
difference reduced that way is a multilinear polynomial in the signs whose coefficients
are polynomials in the entries: if it is not identically 0, one coefficient is a nonzero
polynomial of degree d, and it vanishes at a uniformly random integer point of
[-N, N]^k with probability at most d/(2N + 1) (Schwartz–Zippel).  Three independent
points with N = 10^15 make the chance of a wrong "0" below 10^-20 for any d up to 10^8,
far beyond the degree of any derivation's entry.

The same holds for a rational function (an inverse, 1/det X): its difference is zero iff
the numerator over a common denominator is, a polynomial of bounded degree; a point where
a denominator vanishes is no evidence either way, and ends the test with no answer.

Treating the signs as independent asks more than the step needs (only the sign patterns
that occur matter), so "not 0" here proves nothing: only "0" is used, as a proof that the
two sides agree on every sign cell, i.e. off the kinks.
"""
from __future__ import annotations

import random

import sympy as sp

from ..scalar import Prim, Sw

N = 10 ** 15
TRIALS = 3
MAX_SWITCHES = 60


def zero_off_kinks(e: sp.Expr, seed: int = 2024) -> bool | None:
    """True when e is 0 as a polynomial in its entries and the signs of its kinks (see the
    module note); None when that is not shown or e is not such a polynomial."""
    signs: dict = {}
    form = _sign_polynomial(e, signs)
    if form is None or len(signs) > MAX_SWITCHES:
        return None
    entries = sorted(form.free_symbols - set(signs.values()), key=sp.default_sort_key)
    s = list(signs.values())
    rng = random.Random(seed)
    for _ in range(TRIALS):
        point = {x: sp.Integer(rng.randint(-N, N)) for x in entries}
        value = sp.expand(form.xreplace(point))
        if value.has(sp.zoo, sp.nan):
            return None            # a denominator vanished at this point: no conclusion
        if not s:
            if value != 0:
                return None
            continue
        reduced: dict = {}
        if not value.is_polynomial(*s):
            return None            # a sign in a denominator: not this test's form
        for monomial, c in sp.Poly(value, *s).terms():
            key = tuple(k % 2 for k in monomial)          # s^2 = 1
            reduced[key] = reduced.get(key, 0) + c
        if any(c != 0 for c in reduced.values()):
            return None
    return True


def _sign_polynomial(e: sp.Expr, signs: dict) -> sp.Expr | None:
    """e with each kink written by its sign identity, the sign of each (normalised)
    argument a fresh symbol; None outside polynomials of polynomial kinks."""
    if e.is_Symbol or e.is_Rational:
        return e
    if isinstance(e, (sp.Add, sp.Mul)):
        args = [_sign_polynomial(a, signs) for a in e.args]
        return None if any(a is None for a in args) else e.func(*args)
    if isinstance(e, sp.Pow) and e.exp.is_Integer:     # 1/det X too: a rational function
        base = _sign_polynomial(e.base, signs)
        return None if base is None else base ** e.exp
    if isinstance(e, Sw):         # the derivative of a kink carries its sign as is
        u = e.args[0]
        return None if u.has(Prim, Sw) or not u.is_polynomial() else _sign(u, signs)
    if isinstance(e, Prim):
        if any(a.has(Prim, Sw) or not a.is_polynomial() for a in e.args):
            return None            # a kink inside a kink: its sign is not one free variable
        return e.spec.sign_form(*e.args, S=lambda u: _sign(u, signs))
    return None


def _sign(u: sp.Expr, signs: dict) -> sp.Expr:
    """The sign of u: a number, or ± the symbol of u's primitive part (sign(2u) = sign(u),
    sign(-u) = -sign(u))."""
    u = sp.expand(u)
    if u.is_number:
        return sp.sign(u)
    content, part = u.as_content_primitive()
    flip = 1
    if part.could_extract_minus_sign():
        part, flip = sp.expand(-part), -1
    if content < 0:
        flip = -flip
    if part not in signs:
        signs[part] = sp.Dummy(f"s{len(signs)}")
    return flip * signs[part]
