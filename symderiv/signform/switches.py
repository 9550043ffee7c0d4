"""Solving a switch u = 0 for a variable, and a sign form restricted to it.

A linear switch has one solution; a smooth one one per real root, each crossed
transversally; a periodic one one per family of roots, written with the integer
``INTEGER``.  ``restrict`` puts a solution into a sign form (the other switches take
their values there) and ``coincident`` notices two switches that are the same
hypersurface.
"""
from __future__ import annotations

import sympy as sp

from ..bounds import QUICK_CALLS, optional_step
from ..errors import Unsupported
from ..scalar import Sw, to_sign_form
from .zero import is_zero


def linear_solution(u: sp.Expr, variables) -> tuple[sp.Symbol, sp.Expr] | None:
    """Solve u = 0 for the first variable placeholder u is linear in with a constant
    nonzero coefficient; None when u does not depend on the variables that way."""
    for v in variables:
        if not u.has(v):
            continue
        coeff = sp.diff(u, v)
        if coeff.has(v) or coeff.has(Sw):
            continue
        if coeff.is_zero:
            continue
        # cancel: x - (αx - x)/(α - 1) is 0, which expand alone leaves as three terms
        return v, sp.expand(sp.cancel(v - u / coeff))
    return None


# the integer that numbers the zeros of a switch with infinitely many (x = pi/2 + k pi)
INTEGER = sp.Symbol("k", integer=True)
MAX_ROOT_ORDER = 8


# The exact arithmetic at the roots of a switch (their minimal polynomials, the signs of
# the jumps there) grows quickly with the degree: |x^2 - (x+1)^20| spent minutes there.
MAX_SWITCH_DEGREE = 8


def branches(u: sp.Expr, variables, *, touching: bool = False) -> list:
    """The ways the switch u = 0 can be solved for one variable placeholder: (p, value)
    pairs.  A linear u has one; a smooth u (exp(x) - 1, x^2 - 1) one per real root; a
    periodic one (cos x) one per family of roots, its value written with the integer
    ``INTEGER`` (x = pi/2 + k pi).  Each root must be crossed transversally (du/dp != 0
    there, for every k of a family).  A root where u touches 0 without changing sign
    (a zero of even order: cos(x) - 1 at 2 k pi) is no switch: both sides select the same
    piece, so it is left out, unless ``touching`` asks for it (a jump of a discontinuous
    primitive, H(cos x - 1), still sits there).  A root crossed with a vanishing gradient
    that the sign form did not already reduce is not decided."""
    lin = linear_solution(u, variables)
    if lin is not None:
        return [lin]
    for v in variables:
        if not u.has(v) or u.has(Sw):
            continue
        if u.is_polynomial(v) and sp.degree(u, v) > MAX_SWITCH_DEGREE:
            raise Unsupported(f"not decided: the switch {u} = 0 has degree {sp.degree(u, v)} in {v}; switches "
                              f"of degree up to {MAX_SWITCH_DEGREE} are solved (a size limit: the exact "
                              "arithmetic at the roots of a higher degree is out of reach)")
        roots = optional_step(sp.solveset, u, v, sp.S.Reals, calls=QUICK_CALLS)
        found = roots_of(roots)
        if found is None:
            raise Unsupported(f"not decided: the switch {u} = 0 cannot be solved for {v} in closed form")
        out = []
        for r in found:
            order = _root_order(u, v, r)
            if order is None:
                raise Unsupported(f"not decided: at the zeros {v} = {r} of the switch {u}, whether the switch "
                                  "changes sign could not be decided (its derivatives there vanish for some "
                                  "of them, or could not be decided)")
            if order % 2 == 0:
                if touching:
                    out.append((v, sp.expand(r)))
                continue
            if order > 1:
                raise Unsupported(f"not decided: the switch {u} = 0 is crossed at {v} = {r} with a vanishing "
                                  f"gradient (a zero of order {order}); symderiv does not decide such a "
                                  "crossing unless the switch is a polynomial")
            out.append((v, sp.expand(r)))
        return out
    raise Unsupported(f"the kink {u} = 0 is not a smooth function of the variable's entries")


def roots_of(roots) -> list | None:
    """The real roots as a list: numbers or expressions, and one value per family of
    roots with the integer INTEGER in it (families a + n T with equally spaced offsets
    are merged: cos x = 0 at pi/2 + 2n pi and 3 pi/2 + 2n pi is pi/2 + k pi).  None when
    the set is not a finite union of points and arithmetic families."""
    if roots is None:
        return None
    parts = list(roots.args) if isinstance(roots, sp.Union) else [roots]
    points, families = [], []
    for part in parts:
        if isinstance(part, sp.FiniteSet):
            if any(not r.is_real for r in part):
                return None
            points.extend(part)
        elif isinstance(part, sp.ImageSet) and part.base_sets == (sp.S.Integers,) and len(part.lamda.variables) == 1:
            n = part.lamda.variables[0]
            body = sp.expand(part.lamda.expr)
            step = sp.diff(body, n)
            offset = sp.expand(body - step * n)
            if step.has(n) or not step.is_number or step == 0 or not offset.is_real:
                return None
            families.append((offset, abs(step)))
        elif part is sp.S.EmptySet:
            continue
        else:
            return None
    families = _merge_families(families)
    if points and families:
        return None                # a point among a family (x sin x at 0): not read as one
    out = sorted(points, key=sp.default_sort_key)
    out += [sp.expand(a + INTEGER * T) for a, T in families]
    return out


def _merge_families(families: list) -> list:
    """{a_j + n T} with offsets a_j = a_0 + j T/m (mod T) for j < m is {a_0 + k T/m}
    (the offsets may share a symbolic part: sin(x + y) = 0 at x = -y + k pi)."""
    if len(families) < 2:
        return [(_least_offset(a, T), T) for a, T in families]
    steps = {T for _, T in families}
    base = families[0][0]
    shifts = [sp.simplify(a - base) for a, _ in families]
    if len(steps) != 1 or any(not d.is_number for d in shifts):
        return families
    (T,) = steps
    m = len(families)
    shifts = sorted((_least_offset(d, T) for d in shifts), key=lambda d: float(d))
    gap = T / m
    if all(sp.simplify(b - a - gap) == 0 for a, b in zip(shifts, shifts[1:])):
        return [(sp.expand(_least_offset(base + shifts[0], gap)), gap)]
    return families


def _least_offset(a, T):
    """a reduced into [0, T) (its numeric part, when a has a symbolic one: -y + 3pi/2
    with T = pi is -y + pi/2)."""
    if not T.is_number:
        return a
    number, rest = sp.expand(a).as_independent(*a.free_symbols, as_Add=True) if a.free_symbols else (a, 0)
    if not number.is_number:
        return a
    return sp.expand(number - T * sp.floor(number / T) + rest)


def _root_order(u, v, r) -> int | None:
    """The order of the zero of u at v = r (1: a simple zero, crossed transversally), or
    None when not decided.  For a family of roots (r has INTEGER) each derivative must be
    0 for every k, or non-zero for every k: SymPy's assumptions decide that
    ((-1)^k != 0), never a sample of k."""
    family = r.has(INTEGER)
    for j in range(1, MAX_ROOT_ORDER + 1):
        d = sp.diff(u, v, j).xreplace({v: r})
        d = sp.simplify(d) if family else d
        if family:
            if d.is_zero is False:
                return j
            if is_zero(d) is True:
                continue
            return None
        z = is_zero(d)
        if z is False:
            # a generic witness: where it vanishes (x^2 - y^2 at y = 0) the kink is
            # marked critical by the analysis
            return j
        if z is None:
            return None
    return None


def restrict(expr: sp.Expr, u: sp.Expr, variables, branch=None) -> sp.Expr:
    """expr on the switch u = 0 (other switches take their values there); ``branch``
    picks the root when u = 0 has several."""
    if branch is None:
        sol = linear_solution(u, variables)
        if sol is None:
            raise Unsupported(f"the kink {u} = 0 is not linear in the variable")
        branch = sol
    v, value = branch
    return sp.expand(to_sign_form(expr.xreplace({v: value})))


def coincident(expr: sp.Expr) -> bool:
    """Whether restricting produced Sw(0): two switches that are the same hypersurface."""
    return any(a.args[0] == 0 for a in expr.atoms(Sw))
