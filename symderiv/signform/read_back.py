"""Reading a sign form back: with the table's primitives, and as conditions.

``prettify`` rewrites a sign form with the primitives whose kinks it has
((1+S(x))x -> 2 max(x,0)): a search over the table's readings, bounded in work, past
which the sign form itself (``tidy``: the shortest of a few exact rewritings) is
returned.  ``nonzero_condition`` reads where a sign form (a jump) is non-zero as a
conjunction of simple conditions (v >= 0, g != 0).
"""
from __future__ import annotations

import itertools
from functools import lru_cache

import sympy as sp

from .. import primitives
from ..bounds import QUICK_CALLS, charged, optional_step
from ..errors import Unsupported
from ..exact_numbers import as_sympy
from ..scalar import FUNCS, Sw, split, switches_of
from .switches import linear_solution
from .zero import is_zero, reduce_cells


def tidy(e: sp.Expr, *, thorough: bool = False) -> sp.Expr:
    """The shortest of a few exact rewritings of a smooth expression, each bounded."""
    return _tidy(as_sympy(e), thorough)


@charged()
def _tidy(e: sp.Expr, thorough: bool) -> sp.Expr:
    candidates = [e]
    # factoring a long polynomial in many arguments (a fused sum of twenty terms) costs
    # seconds and never gives a shorter sum: kept for small expressions
    small = len(e.free_symbols) <= 8 and len(sp.Add.make_args(e)) <= 16
    fns = (sp.factor_terms, sp.cancel) + ((sp.factor,) if small else ()) + ((sp.simplify,) if thorough else ())
    for fn in fns:
        r = optional_step(fn, e, calls=QUICK_CALLS)
        if r is not None:
            candidates.append(r)
    return min(candidates, key=_score)


class _Score:
    """The key (terms, jumps times their own variable, operations, printed length) of an
    expression, compared like that tuple; each part is computed only when the parts
    before it tie, since printing and counting operations dominate the cost of reading
    back and most comparisons are settled by the number of terms."""
    __slots__ = ("e", "parts")

    def __init__(self, e):
        self.e, self.parts = e, []

    def part(self, i):
        while len(self.parts) <= i:
            self.parts.append(_PARTS[len(self.parts)](self.e))
        return self.parts[i]

    def __lt__(self, other):
        for i in range(len(_PARTS)):
            a, b = self.part(i), other.part(i)
            if a != b:
                return a < b
        return False


def _score(e):
    return _Score(e)


@charged()
def _count_ops(e):
    return sp.count_ops(e)


@charged()
def _printed_length(e):
    return len(str(e))


@charged()
def _sign_with_own_argument(e) -> int:
    """How many jumps are multiplied by their own switch variable: x sign(x) should be
    read as |x|, and x + x sign(x) as 2 max(x, 0)."""
    count = 0
    for term in sp.Add.make_args(sp.expand(e)) if not e.has(*_prim_types()) else sp.Add.make_args(e):
        factors = sp.Mul.make_args(term)
        for f in factors:
            if isinstance(f, (FUNCS["sign"], FUNCS["heaviside"])):
                others = sp.Mul(*[g for g in factors if g is not f])
                if others.free_symbols & f.args[0].free_symbols:
                    count += 1
    return count


def _prim_types():
    return tuple(FUNCS.values())


_PARTS = (lambda e: len(sp.Add.make_args(e)), _sign_with_own_argument, _count_ops, _printed_length)


def _split_sides(u):
    """u = p - q with p the positively signed terms: max(p, q) reads u's kink back."""
    pos, neg = [], []
    for t in sp.Add.make_args(u):
        (neg if t.could_extract_minus_sign() else pos).append(t)
    return sp.Add(*pos), -sp.Add(*neg)


@lru_cache(maxsize=1024)
def _readings(u):
    """(call, sign form split (a, b) along Sw(u)) for every table primitive that has
    exactly the kink u = 0: the ways a single-switch sign form can be read back."""
    out = []
    p_side, q_side = _split_sides(u)
    for p in primitives.TABLE:
        if p.params:
            continue
        if p.arity == 1:
            calls = [(u,), (-u,)]
        elif p.arity == 2:
            calls = [(u, sp.Integer(0)), (-u, sp.Integer(0)), (p_side, q_side), (q_side, p_side)]
        else:
            continue
        for args in calls:
            if len(p.switches(*args)) != 1:
                continue
            form = sp.expand(p.sign_form(*args, S=Sw))
            try:
                a, b = split(form, Sw(u))
            except Unsupported:
                continue
            if b != 0:
                out.append((FUNCS[p.name](*args), a, b))
    return out


PRETTY_CALLS = 10_000_000


def prettify(form: sp.Expr) -> sp.Expr:
    """Rewrite a sign form with the table's primitives: (1+S(x))x -> 2 max(x,0).

    Reading back is a search over the table's readings; it is bounded in work (calls), and past
    the bound the sign form itself (sign(u) written out) is returned: still exact."""
    out = _read_back(sp.expand(form), PRETTY_CALLS)
    return out if out is not None else tidy(form)


@charged()
def _read_back(form: sp.Expr, calls: int):
    # (charged: a form that needs more than the bound fails again, at the same count,
    # without searching the readings again; _prettify keeps only the successes)
    return optional_step(_prettify, form, calls=calls)


@lru_cache(maxsize=2048)
def _prettify(form: sp.Expr) -> sp.Expr:
    form = reduce_cells(sp.expand(form))
    atoms = switches_of(form)
    if not atoms:
        return tidy(form)
    if len(atoms) > 5:
        return tidy(form)           # too many kinks to read back: keep the sign form
    if len(atoms) > 1:
        product = _factored(form, atoms)
        if product is not None:
            return product
    atom = atoms[0]
    u = atom.args[0]
    f0, f1 = split(form, atom)
    symmetric = _by_symmetry(f0, f1, u)
    best = None
    for call, a, b in _readings(u):
        split_ = _divide(f1, b, u)
        if split_ is None:
            continue
        coef, remainder = split_
        if coef == 0:
            continue
        # what the reading does not absorb stays with the sign: 2 max(x,0) + lambda sign(x)
        rest = sp.expand(f0 - coef * a + remainder * atom)
        cand = _prettify(rest) + _prettify(sp.expand(coef)) * call
        key = _score(cand)
        if best is None or key < best[0]:
            best = (key, cand)
    if symmetric is not None and (best is None or _negative_root(best[1]) or
                                  len(sp.Add.make_args(symmetric)) <= len(sp.Add.make_args(best[1]))):
        # |x|^(3/2)'s 3/2 sign(x) sqrt(|x|); but max(x,0)^(3/2)'s 3/2 sqrt(x) H(x) is shorter
        return symmetric
    if best is None:
        return _prettify(f0) + _prettify(f1) * FUNCS["sign"](u)
    return best[1]


def _negative_root(e) -> bool:
    """A fractional power of a negated argument, (-x)^(5/2)/x: real on its cell, but 0/0
    on the kink and hard to read; the symmetric reading has none."""
    return any(isinstance(t, sp.Pow) and not t.exp.is_Integer and t.base.could_extract_minus_sign()
               for t in sp.preorder_traversal(e))


def _by_symmetry(f0, f1, u):
    """A sign form with fractional powers, read as E(|x|) + sign(x) O(|x|) from its two
    cells: the gradient of |x|^(3/2) reads 3/2 sign(x) sqrt(|x|), not 3/2 sqrt(x) +
    3/2 ((-x)^(3/2)/x - sqrt(x)) H(-x).  Integer powers go back to x itself (|x|^2 = x^2,
    sign(x) |x| = x).  The readings of the table's primitives cannot absorb such terms."""
    if not any(isinstance(t, sp.Pow) and (not t.exp.is_Integer or t.exp < 0 and t.base.has(u))
               for f in (f0, f1) for t in sp.preorder_traversal(f)):
        return None                # a polynomial: the table's readings do better
    if (-u).is_Symbol:             # sign(-x) = -sign(x): the same form about x
        u, f1 = -u, -f1
    if not u.is_Symbol:
        return None
    t = sp.Dummy("t", positive=True)
    plus = sp.expand((f0 + f1).xreplace({u: t}))
    minus = sp.expand((f0 - f1).xreplace({u: -t}))
    even, odd = sp.expand((plus + minus) / 2), sp.expand((plus - minus) / 2)
    size, sgn = FUNCS["abs"](u), FUNCS["sign"](u)
    out = sp.Integer(0)
    for part, is_odd in ((even, False), (odd, True)):
        for term in sp.Add.make_args(part):
            c, k = term.as_coeff_exponent(t)
            if not c.has(t) and k.is_Integer and (k % 2 == 1) == is_odd:
                out += c * u ** k
            else:
                out += (sgn if is_odd else 1) * tidy(term).xreplace({t: size})
    # |x|^2 inside a root is x^2
    return out.replace(lambda e: isinstance(e, sp.Pow) and e.base == size and e.exp.is_Integer
                       and e.exp % 2 == 0, lambda e: u ** e.exp)


def _factored(form, atoms):
    """Read a product of kinked factors back factor by factor (cheap, and it keeps
    relu(x)*relu(y) from being searched as one four-term polynomial)."""
    names = [sp.Dummy() for _ in atoms]
    poly = form.xreplace(dict(zip(atoms, names)))
    fac = optional_step(sp.factor, poly, calls=QUICK_CALLS)
    if fac is None:
        return None
    factors = sp.Mul.make_args(fac)
    kinked = [f for f in factors if f.has(*names)]
    if len(kinked) < 2:
        return None
    back = dict(zip(names, atoms))
    # Group factors by the switches they carry; each group becomes one factor.
    groups: dict = {}
    plain = sp.Integer(1)
    for f in factors:
        carried = frozenset(n for n in names if f.has(n))
        if carried:
            groups.setdefault(carried, []).append(f)
        else:
            plain *= f
    if len(groups) < 2:
        return None
    out = sp.Integer(1)
    pending = [sp.expand(sp.Mul(*fs).xreplace(back)) for fs in groups.values()]
    # Smooth factors go with the first group that can absorb them as a kink argument.
    for i, g in enumerate(pending):
        u = switches_of(g)[0].args[0]
        q = sp.cancel(plain / u) if plain != 1 else None
        if q is not None and not sp.fraction(sp.together(q))[1].has(*u.free_symbols):
            pending[i] = sp.expand(g * u)
            plain = q
    for g in pending:
        out *= _prettify(g)
    return tidy(plain) * out


@charged()
def _divide(f1, b, u):
    """f1 = q*b + r with q regular on u = 0 and r free of u's leading variable; None if
    no such split is found."""
    if not b.has(*u.free_symbols):
        return sp.expand(f1 / b), sp.Integer(0)
    v = sorted(u.free_symbols, key=sp.default_sort_key)[0]
    try:
        q, r = sp.div(sp.Poly(f1, v), sp.Poly(b, v))
        q = sp.expand(q.as_expr())
        den = sp.fraction(sp.together(q))[1]
        if den.free_symbols & u.free_symbols and _vanishes_on(den, u):
            return None        # x sign(xy) is not |xy|/y: that is 0/0 where y = 0
        return q, sp.expand(r.as_expr())
    except (sp.PolynomialError, sp.GeneratorsNeeded, sp.CoercionFailed):
        coef = sp.cancel(f1 / b)
        den = sp.fraction(sp.together(coef))[1]
        if den.free_symbols & u.free_symbols and _vanishes_on(den, u):
            return None
        return coef, sp.Integer(0)


def _vanishes_on(den: sp.Expr, u: sp.Expr) -> bool:
    """Whether a denominator can vanish on u = 0 (then the rewrite would divide by 0)."""
    free = sorted(u.free_symbols, key=sp.default_sort_key)
    if not u.is_polynomial(*free) or sp.Poly(u, *free).total_degree() != 1:
        return True                # xy = 0 is two lines: y vanishes on one of them
    sol = linear_solution(u, free)
    if sol is None:
        return True
    v, value = sol
    restricted = sp.expand(den.xreplace({v: value}))
    # safe only if it is a nonzero constant there (y - x + 1 on x = y, not y on x = 0)
    return not (restricted.is_number and restricted != 0)


def _nonzero_on_cells(fac, atoms, names) -> bool:
    """Whether a factor is non-zero on every sign cell, as 1/sqrt(y) + (sqrt(y) -
    sqrt(-y)) H(-y)/... (that is 1/sqrt|y|) is: each cell is checked with the sign of its
    switch variable assumed.  Only switches of one variable each are read this way."""
    for signs in itertools.product((1, -1), repeat=len(atoms)):
        cell, assumed = {}, {}
        for atom, name, sign in zip(atoms, names, signs):
            u = atom.args[0]
            coeff, sym = u.as_coeff_Mul()
            if not (sym.is_Symbol and coeff.is_nonzero):
                return False
            cell[name] = sign
            assumed[sym] = sp.Dummy(positive=True) * sign * (1 if coeff > 0 else -1)
        on_cell = sp.expand(fac.xreplace(cell)).xreplace(assumed)
        if on_cell.is_zero is not False:
            return False
        # ... and it stays away from 0 as the cell's edge (where switches meet) is
        # approached: 2 sign(y) y is non-zero on both cells of y but tends to 0 at y = 0
        for d in assumed.values():
            d = next(iter(d.free_symbols))
            edge = optional_step(sp.limit, on_cell, d, 0, "+", calls=QUICK_CALLS)
            if edge is None or (not edge.has(sp.oo, -sp.oo, sp.zoo) and is_zero(edge) is not False):
                return False
    return True


def nonzero_condition(J: sp.Expr) -> list | None:
    """Where J != 0, as a conjunction of simple conditions ([] = everywhere, None = nowhere).

    J is a sign form; its factors are read as conditions: 1 + sign(v) != 0 is v >= 0,
    1 - sign(v) != 0 is v <= 0, a smooth factor g is g != 0, a constant is dropped.  The
    boundary v = 0 is included: there the switch meets another one, and the jump on the
    side v > 0 does not vanish as the point is approached (max(x, y, 0) jumps across x = 0
    for every y < 0, so it is not differentiable at the origin either); a factor that is
    0 on both sides of v = 0 excludes it again (v != 0 together with v >= 0 is v > 0).
    """
    J = sp.expand(J)
    if J == 0:
        return None
    if J.is_number:
        return []
    atoms = switches_of(J)
    names = [sp.Dummy() for _ in atoms]
    back = dict(zip(names, atoms))
    poly = J.xreplace(dict(zip(atoms, names)))
    if atoms and _nonzero_on_cells(poly, atoms, names):
        return []
    factored = optional_step(sp.factor_list, poly, calls=QUICK_CALLS)
    if factored is None:
        return _decided([sp.Ne(prettify(J), 0)])
    _, factors = factored
    out = []
    for fac, _power in factors:
        present = [n for n in names if fac.has(n)]
        if len(present) == 1 and sp.expand(fac - present[0]) in (1, -1):
            u = back[present[0]].args[0]
            out.append(u >= 0 if sp.expand(fac - present[0]) == 1 else u <= 0)
            continue
        if len(present) == 1 and sp.expand(fac + present[0]) in (1, -1):
            u = back[present[0]].args[0]
            out.append(u <= 0 if sp.expand(fac + present[0]) == 1 else u >= 0)
            continue
        if len(present) == 1 and fac in (present[0], -present[0]):
            continue   # sign(v) != 0 holds off v's own switch
        if present and _nonzero_on_cells(fac, [back[n] for n in present], present):
            continue
        out.append(sp.Ne(prettify(sp.expand(fac.xreplace(back))), 0))
    # v >= 0 and v != 0 is v > 0 (max(y, 0) != 0 is y > 0: on y = 0 it is 0 on both sides)
    def same(a, b):
        return sp.expand(a - b) == 0 or sp.expand(a + b) == 0
    nonzero = [c.lhs for c in out if isinstance(c, sp.Ne)]
    merged = []
    for c in out:
        if isinstance(c, (sp.GreaterThan, sp.LessThan)) and any(same(c.lhs, v) for v in nonzero):
            c = c.lhs > 0 if isinstance(c, sp.GreaterThan) else c.lhs < 0
        merged.append(c)
    strict = [c for c in merged if isinstance(c, (sp.StrictGreaterThan, sp.StrictLessThan))]
    return _decided([c for c in merged if not (isinstance(c, sp.Ne) and any(same(c.lhs, r.lhs) for r in strict))])


def _decided(conds: list) -> list | None:
    """A condition SymPy decides on its own (1/n != 0 for a size n; a jump -2α/(2α-2) +
    2/(2α-2) that is -1) is no condition: dropped when true, nowhere when false."""
    if any(c is sp.false for c in conds):
        return None
    return [c for c in conds if c is not sp.true]
