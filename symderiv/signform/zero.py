"""Deciding whether a sign form is zero, exactly and with a bounded effort.

Because Sw(u)**2 = 1 and Sw(-u) = -Sw(u) are built in, two functions that agree off
their kinks have sign forms that expand to the same polynomial once the coefficients
are simplified; ``is_zero`` decides that.  When some sign cells cannot occur (x < 0 and
x > 1) the identity is checked cell by cell: ``feasible_cells`` says which occur (exact
LPs), and ``reduce_cells`` drops the switches a form does not depend on once the others
are known.
"""
from __future__ import annotations

import itertools
import random
from functools import lru_cache

import sympy as sp

from ..bounds import QUICK_CALLS, optional_step
from ..lp import open_cell
from ..scalar import Sw, switches_of


def _random_point(symbols, rng):
    # Wide, odd-denominator rationals: they avoid the kinks of small-integer switches.  An
    # integer symbol (the k of a family of zeros x = pi/2 + k pi) gets an integer.
    return {s: (sp.Integer(rng.randint(-97, 97)) if s.is_integer else
                sp.Rational(rng.randint(-997, 997), rng.choice((7, 11, 13, 17, 19)))) for s in symbols}


def is_zero(e: sp.Expr, *, calls: int = 4_000_000) -> bool | None:
    """True if e is identically 0 off the switches, False if not, None if undecided.

    'False' is only returned with an exact witness (a rational point where e != 0);
    'True' only from an exact symbolic reduction.
    """
    e = sp.expand(e)
    if e == 0:
        return True
    free = sorted(e.free_symbols, key=sp.default_sort_key)
    rng = random.Random(1234)
    for _ in range(4):
        point = _random_point(free, rng)
        try:
            value = e.xreplace(point)
            value = value.doit() if value.has(sp.Derivative) else value
        except (ZeroDivisionError, TypeError):
            continue
        if value.has(Sw) or not value.is_number:
            continue
        # at an algebraic value (the roots of a switch of high degree) SymPy's is_zero may
        # compute a minimal polynomial of that degree: bounded, and undecided past it
        zero = optional_step(lambda: value.is_zero, calls=QUICK_CALLS)
        if zero is False:
            return False
        if zero is None:
            v = optional_step(lambda: sp.nsimplify(sp.simplify(value)) != 0, calls=QUICK_CALLS)
            if v:
                return False
    reduced = optional_step(lambda: sp.expand(sp.cancel(e)), calls=calls)
    if reduced == 0:
        return True
    atoms = switches_of(e)
    if atoms:
        # The sign form is canonical only for independent switches; when some sign
        # cells cannot occur (x < 0 and x > 1), check the identity cell by cell.
        us = tuple(a.args[0] for a in atoms)
        cells = feasible_cells(us)
        pieces = [sp.expand(e.xreplace(dict(zip(atoms, c)))) for c in cells]
        if all(_smooth_zero(p, calls) for p in pieces):
            return True
        # a non-zero polynomial on a cell that occurs (an open set: the switches are affine,
        # so the cell is exactly feasible) is non-zero somewhere on it: an exact witness
        if all(_affine(u) for u in us) and any(p != 0 and p.is_polynomial() for p in pieces):
            return False
        return None
    return True if _smooth_zero(e, calls) else None


def _affine(u: sp.Expr) -> bool:
    free = sorted(u.free_symbols, key=sp.default_sort_key)
    return not free or (u.is_polynomial(*free) and sp.Poly(u, *free).total_degree() <= 1)


def _smooth_zero(e, calls) -> bool:
    e = sp.expand(e)
    if e == 0:
        return True
    r = optional_step(lambda: sp.expand(sp.cancel(e)), calls=calls)
    if r == 0:
        return True
    return optional_step(lambda: sp.simplify(e), calls=calls) == 0


MAX_CELL_SWITCHES = 6


@lru_cache(maxsize=512)
def feasible_cells(us: tuple) -> list:
    """The sign patterns of the switches u_k that some point realises (exact LPs).

    Conservative: when a switch is not linear, every pattern is kept, which can only
    make a later identity harder to prove, never prove a false one."""
    allcells = list(itertools.product((1, -1), repeat=len(us)))
    if len(us) > MAX_CELL_SWITCHES:
        return allcells
    xs = sorted(set().union(*[u.free_symbols for u in us]), key=sp.default_sort_key)
    out = []
    for cell in allcells:
        ok = open_cell(list(us), list(cell), xs)
        if ok is not False:          # None (not affine) keeps the cell
            out.append(cell)
    return out


def reduce_cells(form: sp.Expr) -> sp.Expr:
    """Drop switches the function does not depend on once impossible cells are ignored:
    H(x) H(x - 1) is H(x - 1), because x > 1 already forces x > 0."""
    atoms = switches_of(form)
    if len(atoms) < 2 or len(atoms) > 4:
        return form
    us = tuple(a.args[0] for a in atoms)
    cells = feasible_cells(us)
    if not cells or len(cells) == 2 ** len(atoms):
        return form
    values = {c: sp.expand(form.xreplace(dict(zip(atoms, c)))) for c in cells}
    for k in range(len(atoms)):
        groups: dict = {}
        for c, v in values.items():
            groups.setdefault(c[:k] + c[k + 1:], []).append(v)
        if not all(all(is_zero(v - vs[0]) is True for v in vs[1:]) for vs in groups.values()):
            continue
        rest = atoms[:k] + atoms[k + 1:]
        total = sp.Integer(0)
        for pattern in itertools.product((1, -1), repeat=len(rest)):
            if pattern in groups:
                val = groups[pattern][0]
            else:
                near = min(groups, key=lambda g: sum(a != b for a, b in zip(g, pattern)))
                val = groups[near][0]
            ind = sp.Integer(1)
            for a, sgn in zip(rest, pattern):
                ind *= sp.Rational(1, 2) * (1 + sgn * a)
            total += ind * val
        return reduce_cells(sp.expand(total))
    return form
