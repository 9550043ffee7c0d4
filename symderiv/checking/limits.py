"""One-variable limits with one-sided approaches: lim_{h -> a^+} A = lim_{h -> a^+} B = c.

Near a^± every switch of a piecewise expression keeps one sign, read from the leading
term of its argument at a (the value, else the first derivative times the side, ...).
Fixing those signs leaves a smooth expression whose limit SymPy's ``limit`` takes with
a direction.  Other symbols are parameters: a switch whose sign depends on them (sign(Δx))
stays a switch in the result, so a limit is a sign form in the parameters and two limits
compare the way any two sign forms do.

An increment Δx left free inside a limit over another variable (lim_{x -> 0+} of a
quotient in x and Δx, as blog posts write the derivative) is read as the post defines
it, infinitely small: it decides a switch's sign only when x alone does not.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import sympy as sp

from .. import expr as E
from ..bounds import optional_step
from ..scalar import Sw, to_sign_form
from ..signform import is_zero
from .sample import SIMPLE, OPS, leaf_bounds

LIMIT_CALLS = 3_000_000
MAX_ORDER = 4


class NoLimit(Exception):
    """The limit does not exist (one-sided limits differ, or it is infinite) or was not found."""

    def __init__(self, what: str, kind: str = "unknown"):
        super().__init__(what)
        self.what = what
        self.kind = kind          # 'differs' | 'infinite' | 'unknown'


@dataclass
class Side:
    expr: sp.Expr                         # primitive form, in real symbols
    limit: tuple | None = None            # (variable symbol, point, side) or None


@dataclass
class LimitOutcome:
    verdict: str
    how: str                               # near | values | differ | undecided | nolimit
    values: dict = field(default_factory=dict)   # symbol name -> Fraction
    lhs: object = None
    rhs: object = None
    infinitesimal: bool = False            # an increment was read as infinitely small
    near_differs: bool = False             # the two expressions differ near the limit point
    kinks: list = field(default_factory=list)     # parameter kinks, for 'valid where'
    message: str = ""


def to_sympy(node: E.Node) -> sp.Expr:
    """A scalar node over scalar variables as a SymPy expression in real symbols."""
    if isinstance(node, E.Sym) and node.is_scalar:
        return sp.Symbol(node.name, real=True)
    if isinstance(node, E.Entrywise) and node.is_scalar and all(
            isinstance(a, E.Sym) and a.is_scalar for a in node.args):
        return node.expr.xreplace({p: sp.Symbol(a.name, real=True) for p, a in zip(node.placeholders(), node.args)})
    raise ValueError("limits are checked for scalar expressions in scalar variables")


def _leading_sign(u: sp.Expr, v, a, s: int, small) -> sp.Expr:
    """sign(u) just beside a on side s (+1/-1), as a sign form in the parameters."""
    u0 = sp.expand(u.xreplace({d: 0 for d in small})) if small else u
    target = u0 if u0 != 0 else sp.expand(u)
    for k in range(MAX_ORDER):
        c = sp.expand(sp.diff(target, v, k).xreplace({v: a}))
        if c.has(sp.zoo, sp.nan, sp.oo):
            raise NoLimit(f"the kink at {u} = 0 cannot be placed near the limit point")
        if c != 0:
            return Sw(c) * s ** k
    raise NoLimit(f"the kink {u} = 0 runs along the approach")


def near(expr: sp.Expr, v, a, s: int, small=()) -> sp.Expr:
    """The expression just beside a on side s: every switch replaced by its sign there."""
    small = set(small) - {v}         # the limit's own variable is no infinitesimal beside it
    form = to_sign_form(expr)
    atoms = sorted(form.atoms(Sw), key=sp.default_sort_key)
    subs = {}
    for atom in atoms:
        if v in atom.args[0].free_symbols:
            subs[atom] = _leading_sign(atom.args[0], v, a, s, small)
    return sp.expand(form.xreplace(subs))


def one_sided(expr: sp.Expr, v, a, s: int, small=()) -> sp.Expr:
    smooth = near(expr, v, a, s, small)
    atoms = sorted(smooth.atoms(Sw), key=sp.default_sort_key)
    names = [sp.Dummy() for _ in atoms]
    plain = smooth.xreplace(dict(zip(atoms, names)))
    value = optional_step(sp.limit, plain, v, a, "+" if s > 0 else "-", calls=LIMIT_CALLS)
    if value is None or value.has(sp.Limit) or isinstance(value, sp.AccumBounds):
        raise NoLimit("SymPy could not take this limit")
    if value.has(sp.oo, -sp.oo, sp.zoo, sp.nan):
        raise NoLimit("the limit is infinite", "infinite")
    return sp.expand(value.xreplace(dict(zip(names, atoms))))


def limit(side: Side, small) -> sp.Expr:
    if side.limit is None:
        return to_sign_form(side.expr)
    v, a, direction = side.limit
    if direction is not None:
        return one_sided(side.expr, v, a, 1 if direction == "+" else -1, small)
    right = one_sided(side.expr, v, a, 1, small)
    left = one_sided(side.expr, v, a, -1, small)
    if is_zero(sp.expand(right - left)) is not True:
        raise NoLimit(f"the limit does not exist: from the right it is {sp.sstr(right)}, "
                      f"from the left {sp.sstr(left)}", "differs")
    return right


def _value_at(side: Side, small, point: dict):
    """The side at a parameter value on one of its kinks, taken afresh there: the limit's
    sign form in the parameters says nothing on their kinks."""
    if side.limit is None:
        return side.expr.xreplace(point)
    return limit(Side(side.expr.xreplace(point), side.limit), small)


def compare(left: Side, right: Side, small, conditions) -> LimitOutcome:
    bounds = {sp.Symbol(k, real=True): v for k, v in leaf_bounds(conditions).items()}
    # 'at x = 0, lim_{h→0⁻} (σ(x + h) - σ(x))/h = 1': the limit taken at that point
    fixed = {x: sp.Rational(k.numerator, k.denominator) for x, bs in bounds.items() for op, k in bs if op == "="}
    if fixed:
        left, right = (Side(s.expr.xreplace(fixed), s.limit) for s in (left, right))
    infinitesimal = bool(small) and any(s.limit is not None and s.limit[0] not in small for s in (left, right))
    near_differs = False
    if left.limit is not None and right.limit is not None and left.limit == right.limit and left.limit[2]:
        v, a, d = left.limit
        s = 1 if d == "+" else -1
        try:
            gap = near(left.expr, v, a, s, small) - near(right.expr, v, a, s, small)
            if is_zero(_assume(sp.expand(gap), bounds)) is True:
                return _on_kinks(LimitOutcome("valid", "near", infinitesimal=infinitesimal),
                                 left, right, small, bounds, None)
            near_differs = True
        except NoLimit:
            pass
    values = []
    for here, there in ((left, right), (right, left)):
        try:
            values.append(_assume(limit(here, small), bounds))
        except NoLimit as exc:
            if exc.kind == "unknown":
                return LimitOutcome("unverified", "nolimit", infinitesimal=infinitesimal, message=exc.what)
            try:
                other = _assume(limit(there, small), bounds)
            except NoLimit:
                other = None
            what = "∞" if exc.kind == "infinite" else "does not exist"
            pair = (what, other) if here is left else (other, what)
            return LimitOutcome("invalid", "nolimit", {}, *pair, infinitesimal, message=exc.what)
    lv, rv = values
    z = is_zero(sp.expand(to_sign_form(lv - rv)))
    if z is True:
        return _on_kinks(LimitOutcome("valid", "values", lhs=lv, infinitesimal=infinitesimal),
                         left, right, small, bounds, (lv, rv))
    point = _witness(lv, rv, bounds, exclude={left.limit[0] if left.limit else None,
                                               right.limit[0] if right.limit else None})
    if point is not None:
        values, a_val, b_val = point
        return LimitOutcome("invalid", "differ", values, a_val, b_val, infinitesimal, near_differs=near_differs)
    return LimitOutcome("unverified", "undecided", infinitesimal=infinitesimal)


def _on_kinks(outcome: LimitOutcome, left: Side, right: Side, small, bounds, values) -> LimitOutcome:
    """An equality of limits that holds for generic parameters, tested where a parameter
    sits on a kink (x = 0 in lim (σ(x+h) - σ(x))/h = H(x)): there it may fail, and a
    limit that does not exist there while the other side has a value is such a failure
    (the derivative of |x| is sign(x) only off x = 0)."""
    limit_vars = {s.limit[0] for s in (left, right) if s.limit}
    forms = [left.expr, right.expr] + (list(values) if values else [])
    for point in _parameter_kinks(forms, limit_vars, small, bounds):
        sides = []
        for side in (left, right):
            try:
                sides.append(_value_at(side, small, point))
            except NoLimit as exc:
                sides.append(exc)
        missing = [s for s in sides if isinstance(s, NoLimit)]
        if any(m.kind == "unknown" for m in missing):
            return LimitOutcome("unverified", "nolimit", infinitesimal=outcome.infinitesimal,
                                message=f"at {_point_text(point)} {missing[0].what}")
        if len(missing) == 2:
            continue               # neither side has a limit there: nothing to compare
        a, b = (_missing_text(s) if isinstance(s, NoLimit) else s for s in sides)
        if not missing:
            if a.free_symbols or b.free_symbols:
                continue
            if sp.nsimplify(a - b).is_zero is not False:
                continue
        where = {k.name: _exact(v) for k, v in point.items()}
        return LimitOutcome("valid-where", "kink", where, a, b, outcome.infinitesimal,
                            kinks=_kink_args(forms, limit_vars))
    return outcome


def _missing_text(exc: NoLimit) -> str:
    return "∞" if exc.kind == "infinite" else "does not exist"


def _point_text(point: dict) -> str:
    return ", ".join(f"{k.name} = {sp.sstr(v)}" for k, v in sorted(point.items(), key=lambda kv: kv[0].name))


def _exact(v):
    v = sp.nsimplify(v)
    return Fraction(int(v.p), int(v.q)) if v.is_Rational else v


def _kink_args(forms, limit_vars) -> list:
    out = []
    for f in forms:
        for atom in to_sign_form(f).atoms(Sw):
            w = atom.args[0]
            if not (w.free_symbols & limit_vars) and w not in out and -w not in out:
                out.append(w)
    return sorted(out, key=sp.default_sort_key)


def _parameter_kinks(forms, limit_vars, small, bounds):
    """Points on each kink w = 0 of the parameters, inside the stated bounds: every other
    parameter takes a simple allowed value and w = 0 is solved for one of them (its real
    roots: xy = 0 and x^2 = 1 are kinks as much as x + y = 0 is)."""
    params = set().union(*(f.free_symbols for f in forms)) - set(limit_vars) - set(small)
    for w in _kink_args(forms, limit_vars):
        for p in sorted(w.free_symbols & params, key=lambda s: s.name):
            others = {q: _simple(bounds.get(q)) for q in params if q != p}
            roots = optional_step(sp.solve, sp.expand(w.xreplace(others)), p, calls=LIMIT_CALLS) or []
            roots = [r for r in roots if r.is_real and not r.free_symbols]
            for r in sorted(roots, key=sp.default_sort_key)[:2]:
                point = {p: r, **others}
                if _within(point, bounds):
                    yield point
            if roots:
                break


def _simple(bs) -> sp.Expr:
    v = _allowed(1, bs)
    return sp.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else sp.Integer(v)


def _within(point: dict, bounds) -> bool:
    for sym, bs in bounds.items():
        if sym not in point:
            continue
        v = point[sym]
        for op, k in bs:
            d = sp.nsimplify(v - sp.Rational(k.numerator, k.denominator))
            if not OPS[op](d):
                return False
    return True


def _assume(e: sp.Expr, bounds) -> sp.Expr:
    """Fix the switches that stated conditions decide (x > 0 makes sign(x) = 1)."""
    subs = {}
    for atom in e.atoms(Sw):
        w = atom.args[0]
        for sym, bs in bounds.items():
            for op, k in bs:
                if op not in (">", ">=", "<", "<="):
                    continue
                s = 1 if op in (">", ">=") else -1
                if sp.expand(w - (sym - k)) == 0:
                    subs[atom] = s
                elif sp.expand(w + (sym - k)) == 0:
                    subs[atom] = -s
    return sp.expand(e.xreplace(subs)) if subs else e


def _witness(lv, rv, bounds, exclude):
    """Parameter values (simple first) where the two sides differ, exactly."""
    params = sorted((lv.free_symbols | rv.free_symbols) - set(exclude), key=lambda s: s.name)
    for t in range(len(SIMPLE)):
        values = {}
        for i, p in enumerate(params):
            values[p] = _allowed(SIMPLE[(t + 3 * i) % len(SIMPLE)], bounds.get(p))
        point = {p: sp.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else sp.Integer(v)
                 for p, v in values.items()}
        try:
            a, b = sp.nsimplify(lv.xreplace(point)), sp.nsimplify(rv.xreplace(point))
        except (ZeroDivisionError, TypeError):
            continue
        if not (a.is_number and b.is_number) or a.has(sp.zoo, sp.nan) or b.has(sp.zoo, sp.nan):
            continue
        if (a - b).is_zero is False:
            return {p.name: v for p, v in values.items()}, a, b
    return None


def _allowed(v, bs):
    if not bs:
        return v
    for cand in (v, -v, v + 1, Fraction(1, 2), 1, -1, 0):
        if all(OPS[op](cand - k) for op, k in bs):
            return cand
    return v
