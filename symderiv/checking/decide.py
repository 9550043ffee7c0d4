"""Is lhs = rhs?  Symbolically first, then at exact points.

The symbolic test is the engine's: two entrywise expressions are equal off the kinks
iff their sign forms are (``is_zero(to_sign_form(a - b))``).  It is applied
  * to the generic entry, when the difference is one entrywise expression (a proof for
    every size at once; a disproof too when its arguments are independent variables);
  * otherwise entry by entry at one set of small distinct sizes, each entry over its own
    symbols, after a cheap search for a difference at simple points: off the kinks both
    sides are smooth, so one such point is a whole open set of them.
A symbolic "equal" is then tested on kink points, where sign forms say nothing; a
symbolic "different" or "don't know" is settled by a counterexample found at an exact
point (and a counterexample is only ever reported after an exact re-evaluation).

For steps with differentials the sides are region-wise derivatives; at a kink point
they are evaluated on the side the direction dX points to, which is the one-sided
directional derivative there, provided what was differentiated does not jump.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from .. import expr as E
from ..bounds import QUICK_CALLS, optional_step
from ..calculus import map_entrywise
from ..errors import SymderivError
from ..entries import entry_values
from ..nodes.entrywise import is_zero_fill
from ..scalar import Prim, Sw, to_sign_form
from ..signform import feasible_cells, is_zero, linear_solution
from .identity import zero_off_kinks
from .nodes import Built, difference
from .sample import (Point, Sampler, dim_symbols, evaluate, leaf_bounds, no_value, on_kink, one_sided_overrides,
                     outside, same, switch_nodes)
from ..evaluate import is_exact_zero

ENTRY_SIZES = (3, 2, 4, 5)       # the sizes m, n, p, ... take when entries are expanded
SYMBOLIC_CALLS = 10_000_000
MAX_POLYNOMIAL_KINKS = 40
FEW_KINKS = 8
MAX_HOLD_SWITCHES = 3


@dataclass
class Counterexample:
    point: Point
    lhs: object                 # value arrays (None where undefined)
    rhs: object
    note: str = ""              # e.g. 'S jumps there: dS does not exist'


@dataclass
class Outcome:
    verdict: str                          # valid | valid-where | invalid | unverified
    how: str                              # canonical | generic | entries | tested | ...
    counterexample: Counterexample | None = None
    switches: list = field(default_factory=list)   # u nodes: the kinks, for 'off the kinks'
    holds_on: list = field(default_factory=list)   # cells [(u node, sign), ...] where it holds
    tested: int = 0
    conditions: list = field(default_factory=list)  # stated (op, node)
    undefined: Counterexample | None = None        # a point where only one side has a real value


def symbolic(built: Built) -> tuple:
    """(holds off the kinks?, how it was decided, witness): None when undecided; the
    witness is a counterexample met on the way, at a point off the kinks."""
    left, right = built.sides
    if any(_undefined(n) for n in built.sides):
        return None, "undefined", None     # 1/0, or a derivative SymPy could only give as nan
    d = difference(left, right)
    if is_zero_fill(d):
        return True, "canonical", None
    if built.conditions:
        verdict, how = _under_conditions(d, built.conditions)
        if verdict is None and _by_entries_under(d, built.conditions):
            verdict, how = True, "entries"
        return verdict, how, None
    if isinstance(d, E.Entrywise):     # structural: one scalar body is the generic entry, for every size
        z = optional_step(lambda: is_zero(signs_of_factors(to_sign_form(d.expr))), calls=SYMBOLIC_CALLS)
        if z is True:
            return True, "generic", None
        if z is False and _independent(d.args):
            return False, "generic", None
    # Before expanding entries (the costly test), look for a difference at simple points:
    # off the kinks both sides are smooth, so one such point means an open set of them.
    witness = probe(built)
    if witness is not None:
        return False, "tested", witness
    return (*_by_entries(d), None)


def _undefined(node: E.Node) -> bool:
    """A nan or zoo that SymPy left in a scalar body (only entrywise nodes hold one)."""
    return any(isinstance(m, E.Entrywise) and m.expr.has(sp.nan, sp.zoo) for m in E.walk(node))


def probe(built: Built, count: int = 9):
    left, right = built.sides
    switches = switch_nodes([left, right])
    sampler = Sampler([left, right], built.conditions, [s.name for s in built.differentials.values()])
    for point in sampler.generic(count):
        if on_kink(point, switches):
            continue
        ok, lv, rv, note = compare_at(built, point)
        if ok is False:
            return Counterexample(point, lv, rv, note)
    return None


def _independent(args) -> bool:
    """Arguments that can take any values at once: distinct variables, each once."""
    names = []
    for a in args:
        # structural: a variable or its transpose is free; any other node ties its entries
        base = a.arg if isinstance(a, E.Transpose) else a
        if not isinstance(base, E.Sym):
            return False
        names.append(base.name)
    return len(names) == len(set(names))


def _by_entries(d: E.Node) -> tuple[bool | None, str]:
    """Every entry at one set of distinct small sizes (3×2, ...), each entry over its own
    symbols: equal sign forms there.  Sizes are kept small and distinct so that a
    transpose or a product in the wrong order shows."""
    dims = dim_symbols([d])
    assign = {s: ENTRY_SIZES[i % len(ENTRY_SIZES)] for i, s in enumerate(dims)}
    entries = optional_step(lambda: entry_values(d, assign), calls=SYMBOLIC_CALLS)
    if entries is None:
        return None, "entries"
    verdict, how = True, "entries"
    for e in entries:
        # past a few kinks the symbolic expansion runs into its work bound: test the
        # polynomial identity at integer points first (``identity``), expand only if it fails
        many = len(e.atoms(Prim, Sw)) > FEW_KINKS
        z = True if many and optional_step(lambda: zero_off_kinks(e), calls=SYMBOLIC_CALLS) is True else None
        if z is True:
            how = "identity"
        else:
            z = None if _too_big(e) else optional_step(lambda: is_zero(signs_of_factors(to_sign_form(e))),
                                                 calls=SYMBOLIC_CALLS)
        if z is False:
            return False, "entries"
        if z is None and not many and optional_step(lambda: zero_off_kinks(e), calls=SYMBOLIC_CALLS) is True:
            z, how = True, "identity"
        if z is not True:
            verdict = None
    return verdict, how


def _by_entries_under(d: E.Node, conditions) -> bool:
    """Zero on the set the stated conditions allow, entry by entry at small sizes?  Each
    equation's entries that are linear in an entry symbol are solved for it and
    substituted ('1ᵀy = 1': y_3 = 1 - y_1 - y_2), and a sign bound on a variable fixes
    the signs of its entries' switches ('y ≥ 0': sign(y_i) = 1 off the kinks), so a step
    that needs them is proved.  Only a proof: a condition of another form is left out,
    which tests a larger set than the post's (equal there is equal on it; a difference
    there proves nothing)."""
    equations = [c for op, c in conditions if op == "="]
    signs = {name: _bound_sign(bounds) for name, bounds in leaf_bounds(conditions).items()}
    signs = {name: s for name, s in signs.items() if s}
    if not equations and not signs:
        return False
    dims = dim_symbols([d] + equations)
    assign = {s: ENTRY_SIZES[i % len(ENTRY_SIZES)] for i, s in enumerate(dims)}
    got = optional_step(lambda: [entry_values(n, assign) for n in [d] + equations], calls=SYMBOLIC_CALLS)
    if got is None:
        return False
    entries, *stated = got
    subs: dict = {}
    for c in (c for each in stated for c in each):
        c = sp.expand(sp.Integer(c) if isinstance(c, int) else c).xreplace(subs)
        sol = linear_solution(c, sorted(c.free_symbols, key=sp.default_sort_key)) if not c.has(Prim, Sw) else None
        if sol is None:
            continue
        subs = {k: sp.expand(v.xreplace({sol[0]: sol[1]})) for k, v in subs.items()}
        subs[sol[0]] = sol[1]
    for e in entries:
        # the signs first, on the entries as they are: y_3 ≥ 0 still holds where y_3 is
        # written 1 - y_1 - y_2
        form = to_sign_form(e)
        fixed = {w: signs[_entry_of(w.args[0])] for w in form.atoms(Sw) if _entry_of(w.args[0]) in signs}
        form = sp.expand(form.xreplace(fixed).xreplace(subs))
        z = optional_step(lambda: is_zero(signs_of_factors(form)), calls=SYMBOLIC_CALLS)
        if z is not True:
            return False
    return True


def _bound_sign(bounds) -> int:
    """+1 when x op k keeps x positive off x = 0 (x ≥ 0, x > 1), -1 when negative, else 0."""
    if any(op in (">", ">=") and k >= 0 for op, k in bounds):
        return 1
    if any(op in ("<", "<=") and k <= 0 for op, k in bounds):
        return -1
    return 0


def _entry_of(u) -> str | None:
    """The variable whose entry the switch argument is ('y[1,0]' -> 'y'), or None."""
    if isinstance(u, sp.Symbol) and "[" in u.name:
        return u.name.partition("[")[0]
    return None


def _too_big(e: sp.Expr) -> bool:
    """Sign forms grow with 2^k cells where kinks sit inside a root or another smooth
    function (‖σ(X)‖_F); past a few such kinks, points decide instead."""
    kinks = e.atoms(Prim)
    wrapped = [f for f in sp.preorder_traversal(e)
               if (isinstance(f, sp.Pow) and not f.exp.is_Integer or isinstance(f, sp.Function)
                   and not isinstance(f, Prim)) and f.has(Prim)]
    # a polynomial in the kinks stays a polynomial in their signs, one term per product
    # (a ReLU layer's 4×2 entries of σ(WX) and H(WX) are 16): only the work bound limits it
    return len(kinks) > (3 if wrapped else MAX_POLYNOMIAL_KINKS)


def _under_conditions(d: E.Node, conditions) -> tuple[bool | None, str]:
    """Equal on the region the stated conditions allow (off its kinks)?  A condition
    x = c is substituted; inequalities select the sign cells of the step's switches that
    meet them, and each such cell is checked on its own."""
    try:
        args, exprs = E.frame(d, *[c for _, c in conditions])
    except SymderivError:      # shapes that do not frame together: points decide
        return None, "tested"
    if not _independent(args):
        return None, "tested"
    e, rest = exprs[0], list(zip([op for op, _ in conditions], exprs[1:]))
    ps = [E.placeholder(i) for i in range(len(args))]
    for op, c in [x for x in rest if x[0] == "="]:
        sol = linear_solution(sp.expand(c), ps)
        if sol is None:
            return None, "tested"
        e = e.xreplace({sol[0]: sol[1]})
        rest = [(o, x.xreplace({sol[0]: sol[1]})) for o, x in rest]
    e = signs_of_factors(to_sign_form(e))
    atoms = sorted(e.atoms(Sw), key=sp.default_sort_key)
    us = [a.args[0] for a in atoms]
    wanted = []
    for op, c in rest:
        c = sp.expand(to_sign_form(c))
        if op in ("=", "!=") or c.is_number:
            continue
        if c.has(Sw):
            return None, "tested"
        wanted.append((c, 1 if op in (">", ">=") else -1))
    if len(us) + len(wanted) > 6:
        return None, "tested"
    cells = feasible_cells(tuple(us + [c for c, _ in wanted]))
    # feasible_cells keeps every pattern of non-linear switches: a difference on one of
    # them proves nothing, since that pattern may not occur
    exact = all(_affine(u) for u in us + [c for c, _ in wanted])
    verdict, met = True, False
    for cell in cells:
        if any(cell[len(us) + k] != s for k, (_, s) in enumerate(wanted)):
            continue
        met = True
        z = optional_step(is_zero, sp.expand(e.xreplace(dict(zip(atoms, cell[:len(us)])))), calls=SYMBOLIC_CALLS)
        if z is False and not exact:
            z = None               # the cell may not occur ((α - 1)x > 0 with α < 1, x > 0)
        if z is False:
            return False, "cells"
        if z is not True:
            verdict = None
    if not met and wanted and all(op in (">", "<") for op, _ in rest if op not in ("=", "!=")):
        return None, "empty"       # 'for x > 0 and x < 0': a claim about no point at all
    return verdict, "cells"


def signs_of_factors(e: sp.Expr) -> sp.Expr:
    """sign(uv) written sign(u) sign(v): the sign of a product is the product of the
    signs, so |xy| = |x||y| and sign((α - 1)x) under α < 1 become decidable (each factor
    is a switch of its own, often linear where the product was not)."""
    def split(atom):
        u = atom.args[0]
        if len(u.free_symbols) < 2 or not u.is_polynomial():
            return atom
        found = optional_step(sp.factor_list, u, calls=QUICK_CALLS // 2)
        if found is None:
            return atom
        c, factors = found
        moving = [(f, k) for f, k in factors if f.free_symbols]
        if len(moving) < 2 and not (moving and moving[0][1] > 1):
            return atom
        out = sp.sign(c)
        for f, k in moving:
            out *= Sw(f) ** (k % 2)        # sign(f)^2 = 1 off the kink
        return out
    atoms = e.atoms(Sw)
    return e.xreplace({a: split(a) for a in atoms}) if atoms else e


def _affine(u: sp.Expr) -> bool:
    free = sorted(u.free_symbols, key=sp.default_sort_key)
    return not free or sp.Poly(u, *free).total_degree() <= 1


def holds_on(built: Built) -> list:
    """Where a false identity does hold: the sign cells (as [(u node, sign)]) on which the
    two sides agree, when there are a few switches of independent variables."""
    d = difference(*built.sides)
    # structural: the cells are those of one scalar body over independent variables
    if not isinstance(d, E.Entrywise) or not _independent(d.args):
        return []
    e = to_sign_form(d.expr)
    atoms = sorted(e.atoms(Sw), key=sp.default_sort_key)
    if not atoms or len(atoms) > MAX_HOLD_SWITCHES:
        return []
    us = tuple(a.args[0] for a in atoms)
    out = []
    for cell in feasible_cells(us):
        piece = sp.expand(e.xreplace(dict(zip(atoms, cell))))
        if optional_step(is_zero, piece, calls=QUICK_CALLS) is True:
            out.append([(E.ew(u, d.args, d.shape), s) for u, s in zip(us, cell)])
    return out if len(out) < len(feasible_cells(us)) else []


# ---- at points ------------------------------------------------------------------------------

def compare_at(built: Built, point: Point):
    """(equal?, lhs value, rhs value, note) at one point; equal is None where a side is not
    defined or not decidable there."""
    left, right = built.sides
    overrides = None
    if built.variables and point.kink:
        regions = [map_entrywise(a, to_sign_form) for a in built.differentiated]
        overrides = one_sided_overrides([left, right] + regions, point, built.variables, built.differentials)
        if overrides is None:
            return None, None, None, ""
        for a, region in zip(built.differentiated, regions):
            exact, limit = evaluate(a, point), evaluate(region, point, overrides)
            if exact is not None and limit is not None and same(exact, limit) is False:
                # the side with the differentials has no value (the derivative does not exist)
                lv, rv = evaluate(left, point, overrides), evaluate(right, point, overrides)
                dsyms = list(built.differentials.values())
                if any(E.depends_on(left, d) for d in dsyms) or not any(E.depends_on(right, d) for d in dsyms):
                    return False, None, rv, "jump"
                return False, lv, None, "jump"
    lv = evaluate(left, point, overrides)
    rv = evaluate(right, point, overrides)
    return same(lv, rv), lv, rv, ""


def satisfiable(built: Built) -> bool:
    """Whether some point meets every condition of the step (the sampler finds one)."""
    if not built.conditions:
        return True
    return next(iter(Sampler(list(built.sides), built.conditions, []).generic(count=8)), None) is not None


def decide(built: Built, generic: bool | None, how: str, witness: Counterexample | None = None) -> Outcome:
    left, right = built.sides
    # the kinks of what was differentiated count too, with the directions: d sign(x) = 0
    # has neither a kink nor dx left in its sides, yet sign jumps at 0 and has no
    # derivative there
    jumping = built.differentiated + list(built.differentials.values()) if built.variables else []
    switches = switch_nodes([left, right] + jumping)
    if how == "empty":
        return Outcome("unverified", how, None, switches, conditions=built.conditions)
    directions = [s.name for s in built.differentials.values()]
    sampler = Sampler([left, right] + jumping, built.conditions, directions)
    tested = 0
    if generic is True:
        for point in sampler.kinks(switches):
            ok, lv, rv, note = compare_at(built, point)
            tested += ok is not None
            undefined = [no_value(side, point) if v is None else False for side, v in ((left, lv), (right, rv))]
            outside_claim = any(no_value(a, point) for a in built.differentiated)   # log det X at det X = 0
            one_sided = undefined[0] != undefined[1] and (lv is None) != (rv is None)
            if ok is None and not outside_claim and (
                    built.variables and (one_sided or all(undefined))
                    or not built.variables and one_sided and switches and on_kink(point, switches)):
                # a derivative claim where what is differentiated has a value but a side has
                # none (d|x|/dx = x/|x| at 0, ∇‖X‖_F at 0, ∇ det X = det(X) X^{-T} at a
                # singular X): it holds only where both are defined.  So does an identity
                # whose one side has no value on a kink where the other has one (|x|/x =
                # sign x at 0); away from kinks (X X^{-1} = I at a singular X, which is no
                # kink) an identity holds on its domain, and stays valid
                return Outcome("valid-where", how, Counterexample(point, lv, rv, "undefined"), switches,
                               tested=tested, conditions=built.conditions)
            if ok is False:
                # 'at x = 0, d|x|/dx = 0': where the stated conditions leave no point off the
                # kinks, 'valid where x = 0 and x ≠ 0' holds nowhere; the claim is false
                # 'for z ≥ 0, g'(z) = z - v + λ' of g with a kink at 0: the stated condition
                # takes in the kink on its edge, so the claim is made there, where it fails
                verdict = "valid-where" if _off_kinks_allowed(sampler, switches) else "invalid"
                if built.variables and _on_closed_edge(built.conditions, point):
                    verdict = "invalid"
                return Outcome(verdict, how, Counterexample(point, lv, rv, note), switches,
                               tested=tested, conditions=built.conditions)
        return Outcome("valid", how, None, switches, tested=tested, conditions=built.conditions)
    found, at_kink, undefined = witness, None, None
    for point in (sampler.generic() if found is None else ()):
        if built.variables and on_kink(point, switches):
            continue               # region-wise derivatives are only compared off the kinks
        ok, lv, rv, note = compare_at(built, point)
        tested += ok is not None
        if ok is None and undefined is None and (lv is None) != (rv is None):
            if outside(left if lv is None else right, point):
                undefined = Counterexample(point, lv, rv)
        if ok is False:
            if not on_kink(point, switches):
                found = Counterexample(point, lv, rv, note)
                break
            at_kink = at_kink or Counterexample(point, lv, rv, note)
    if found is None and generic is False and at_kink is not None:
        found = at_kink
    if found is None and generic is False:
        for point in sampler.kinks(switches):
            ok, lv, rv, note = compare_at(built, point)
            if ok is False:
                found = Counterexample(point, lv, rv, note)
                break
    if found is not None:
        cells = holds_on(built) if not built.conditions else []
        return Outcome("invalid", how, found, switches, holds_on=cells, tested=tested,
                       conditions=built.conditions)
    if at_kink is not None:
        return Outcome("unverified", "kink-only", at_kink, switches, tested=tested, conditions=built.conditions)
    return Outcome("unverified", "undecided" if generic is None else "no-witness", None, switches,
                   tested=tested, conditions=built.conditions, undefined=undefined)


def _on_closed_edge(conditions, point) -> bool:
    """Whether the point is on the edge of a non-strict stated inequality (z = 0 of
    'z ≥ 0'): a point the claim's own condition names."""
    for op, c in conditions:
        if op in (">=", "<="):
            v = evaluate(c, point)
            if v is not None and all(is_exact_zero(x) for x in v.flat):
                return True
    return False


def _off_kinks_allowed(sampler: Sampler, switches) -> bool:
    """Whether the stated conditions allow a point off the kinks (points meet them by
    construction; without an equation among them, the off-kink points are dense)."""
    if not any(op == "=" for op, _ in sampler.conditions):
        return True
    return any(not on_kink(p, switches) for p in sampler.generic(12))


def quick(built: Built) -> bool | None:
    """Whether the step holds off the kinks, cheaply: for asking which earlier error a
    step builds on (symbolic, or a handful of generic points when that is undecided)."""
    try:
        generic, _, _ = symbolic(built)
    except (SymderivError, ValueError, TypeError):    # a hypothetical world the engine cannot read
        return None
    if generic is not None:
        return generic
    left, right = built.sides
    switches = switch_nodes([left, right])
    sampler = Sampler([left, right], built.conditions, [s.name for s in built.differentials.values()])
    agreed = 0
    for point in sampler.generic(8):
        if on_kink(point, switches):
            continue
        ok, *_ = compare_at(built, point)
        if ok is False:
            return False
        agreed += ok is True
    return True if agreed >= 4 else None
