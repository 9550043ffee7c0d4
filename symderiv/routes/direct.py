"""Route 2: the direct case split.

Every primitive becomes SymPy's own Piecewise; each entry function is split into its
cases, differentiated case by case, and at every boundary the one-sided limits of the
value and of the derivative (times the entry's weight in f) are computed from both
sides.  Equal limits mean no kink in f there.  The gradient comes out as a Piecewise
and is then read back in matrix notation.  This route shares no sign algebra with
route 1, so their agreement is a real check.
"""
from __future__ import annotations

import sympy as sp
from sympy.core.relational import Relational

from .. import expr as E
from ..analysis import Verdict
from ..bounds import optional_step
from ..calculus import adjoints, map_entrywise, piecewise_partial
from ..errors import Unsupported
from ..exact_numbers import as_sympy
from ..kinks import off_domain, variable_placeholders
from ..naming import named
from ..scalar import Prim, Sw, crossing_part, positive_parameters, to_piecewise, to_sign_form
from ..signform import branches, is_zero, prettify
from ..switch_kinks import LIMIT_CALLS
from .common import Line, Math, RouteResult, Step, lit

READ_BACK_CALLS = 3_000_000

T = sp.Symbol("_t", positive=True)
MAX_SIDE_ORDER = 8


def _limit_condition(cond, sign: int):
    """The truth of a condition as the moving entry tends to the boundary from one side."""
    if cond in (sp.true, sp.false) or isinstance(cond, bool):
        return cond
    if isinstance(cond, (sp.And, sp.Or)):
        return type(cond)(*[_limit_condition(c, sign) for c in cond.args])
    if isinstance(cond, sp.Not):
        return sp.Not(_limit_condition(cond.args[0], sign))
    if isinstance(cond, Relational):
        d = sp.expand(cond.lhs - cond.rhs)
        if not d.has(T):
            return cond
        d0 = sp.expand(d.xreplace({T: 0}))
        if d0 != 0:
            return cond.func(d0, 0)
        # d ~ c t^j with t > 0: the first derivative in t that is not 0 gives the side
        # ((x - 1)^3 > 0 just above x = 1: its third derivative); a symbolic c (y in t*y)
        # leaves its sign as the condition, which holds off the set where c is 0
        for j in range(1, MAX_SIDE_ORDER + 1):
            slope = sp.expand(sp.diff(d, T, j).xreplace({T: 0}))
            if slope.has(T):
                break
            if slope != 0:
                return cond.func(slope, 0)
        raise Unsupported("a boundary whose side cannot be decided")
    return cond


def _settle(e):
    if isinstance(e, sp.Piecewise):
        pieces = []
        for value, cond in e.args:
            c = _limit_condition(cond, 1)
            pieces.append((_settle(value), c))
        return sp.Piecewise(*pieces)
    if not isinstance(e, sp.Basic) or e.is_Atom:
        return e
    return e.func(*[_settle(a) for a in e.args])


def side_limit(e: sp.Expr, p: sp.Symbol, base: sp.Expr, coeff: sp.Expr, sign: int) -> sp.Expr:
    """lim e as p approaches base from the side where u = coeff * (p - base) has sign ``sign``."""
    # where du/dp has no fixed sign (u = x y, p = x) the sides are taken in p: the
    # comparisons made with them (equal values, equal slopes) do not depend on which is u > 0
    direction = sign * (-1 if coeff.is_negative else 1)
    moved = e.xreplace({p: base + direction * T})
    settled = _settle(moved)
    value = settled.xreplace({T: 0})
    if _infinite(value):
        # 0/0 at the boundary ((-x)^(3/2)/x at 0): take the limit itself, within a bound
        lim = optional_step(sp.limit, settled, T, 0, "+", calls=LIMIT_CALLS)
        if lim is not None and not isinstance(lim, sp.Limit):
            value = lim
    return sp.piecewise_fold(value)


def _boundaries(pw_expr, V):
    out, seen = [], set()
    for rel in sorted(pw_expr.atoms(Relational), key=sp.default_sort_key):
        u = sp.expand(rel.lhs - rel.rhs)
        if not (u.free_symbols & set(V)):
            continue
        # the switch as it is crossed: (x - 2)^2 is never crossed, (x - 1)^3 is x - 1
        u = crossing_part(u)
        if u is None or not (u.free_symbols & set(V)):
            continue
        k = sp.srepr(u) if not u.could_extract_minus_sign() else sp.srepr(-u)
        if k in seen:
            continue
        seen.add(k)
        out.append(u if not u.could_extract_minus_sign() else -u)
    return out


class TooManyCases(Exception):
    """The case split of one entry would have more pieces than it is worth writing out."""


MAX_CASE_KINKS = 4


def route(verdict: Verdict) -> RouteResult:
    f, var = verdict.f, verdict.var
    for n in E.walk(f):
        if isinstance(n, E.Entrywise) and E.depends_on(n, var):
            kinks = len(to_sign_form(n.expr).atoms(Sw)) if n.expr.has(Prim) else 0
            if kinks > MAX_CASE_KINKS:
                raise TooManyCases(f"the direct case split was not run: {kinks} kinks in one entry make "
                                   f"{2 ** kinks} cases; it is run for up to {MAX_CASE_KINKS} kinks")
    adj = adjoints(f, piecewise_partial)
    G_pw = adj.get(var.key, E.const(0, var.shape))
    # the read-back only shows the case split's gradient in the table's words; with many
    # kinks its sign form has 2^k cells, so past a bound the cases are shown as they are
    G_read = optional_step(lambda: map_entrywise(G_pw, lambda e: prettify(to_sign_form(e))),
                     calls=READ_BACK_CALLS) or G_pw
    steps: list[Step] = []
    boundaries = []
    for n in E.walk(f):
        if not isinstance(n, E.Entrywise) or n.key not in adj or not E.depends_on(n, var):
            continue
        args, (a_expr, n_expr) = E.frame(adj[n.key], n)
        try:
            _case_split(n, args, a_expr, n_expr, var, verdict.domain, steps, boundaries)
        except Unsupported as exc:
            raise named(exc, args) from None
    steps.append(Step("Gradient", "Assembled case by case, then read back:",
                      [Line(lit("∇f", r"\nabla f"), "=", Math(node=G_pw)),
                       Line(lit(""), "=", Math(node=G_read))]))
    return RouteResult("direct", G_read, G_pw, steps, boundaries)


def _case_split(n, args, a_expr, n_expr, var, domain, steps: list, boundaries: list):
    """The cases of one entrywise node, and the one-sided limits at each boundary."""
    # a primitive's parameter (Huber's δ) is positive, as its table entry assumes: the
    # one-sided limits at x = δ take the piece x^2/2 below only where -δ < δ
    positive = {p: sp.Symbol(p.name, positive=True) for p in positive_parameters(n_expr)}
    back = {v: k for k, v in positive.items()}
    a_expr, n_expr = a_expr.xreplace(positive), n_expr.xreplace(positive)
    V = variable_placeholders(args, var)
    pw = to_piecewise(n_expr)
    bnds = _boundaries(pw, V)
    if not bnds:
        return
    entry = Math(expr=n_expr, args=args, entry=True)
    steps.append(Step("Case split", "Each primitive replaced by its pieces:",
                      [Line(entry, "=", Math(expr=pw, args=args, entry=True))]))
    dlines = []
    for p in V:
        if not n_expr.has(p):
            continue
        d = piecewise_partial(n_expr, p)
        dlines.append(Line(Math(expr=p, args=args, entry=True, wrap=("∂/∂{}", r"\frac{\partial}{\partial {}}")),
                           "=", Math(expr=d, args=args, entry=True),
                           "case by case; on a boundary the piece SymPy picks is not a derivative"))
    steps.append(Step("Differentiate each case", "", dlines))
    a_pw = to_piecewise(a_expr)
    for u, (p, base) in [(u, b) for u in bnds for b in branches(u, V)]:
        if off_domain(args, n.shape, (p, base), domain):
            continue      # not in f's domain, or on its edge: no sides to compare (as route 1)
        coeff = sp.diff(u, p).xreplace({p: base})
        weighted = sp.expand(a_pw) * piecewise_partial(n_expr, p) / coeff
        v_plus = side_limit(pw, p, base, coeff, +1)
        v_minus = side_limit(pw, p, base, coeff, -1)
        at = to_piecewise(n_expr.xreplace({p: base}))
        d_plus = side_limit(weighted, p, base, coeff, +1)
        d_minus = side_limit(weighted, p, base, coeff, -1)
        a_plus = side_limit(a_pw, p, base, coeff, +1)
        cont = _same(v_plus, v_minus) and _same(v_plus, at)
        # f itself is continuous when neither the two sides nor the value on the
        # boundary differ, once weighted (sign(x)^2 is 1 on both sides and 0 at 0)
        f_cont = cont or (_same(sp.expand(a_plus) * (v_plus - v_minus), 0)
                          and _same(sp.expand(a_plus) * (at - v_plus), 0))
        unbounded = any(_infinite(d) for d in (d_plus, d_minus))
        smooth = f_cont and not unbounded and _same(d_plus, d_minus)
        boundaries.append((u.xreplace(back), args, smooth, (p, as_sympy(base).xreplace(back))))
        where = Math(expr=sp.Eq(u, 0) if sp.diff(u, p, 2) == 0 else sp.Eq(p, base), args=args, entry=True)
        above, below = (("from above", "from below") if coeff.is_positive or coeff.is_negative
                        else ("on one side", "on the other side"))   # du/dp changes sign
        lines = [
            Line(lit(f"value {above}"), "=", Math(expr=v_plus, args=args, entry=True)),
            Line(lit(f"value {below}"), "=", Math(expr=v_minus, args=args, entry=True)),
            Line(lit(f"slope of f {above}"), "=", _slope(d_plus, args)),
            Line(lit(f"slope of f {below}"), "=", _slope(d_minus, args)),
        ]
        verdict_text = ("equal: no kink of f here" if smooth else
                        ("the values differ: f jumps here" if not f_cont else
                         "unbounded: f is not differentiable here" if unbounded else
                         "the slopes differ: f has a kink here"))
        steps.append(Step("One-sided limits", "", [Line(lit("at"), "", where, verdict_text)] + lines))


def _infinite(e) -> bool:
    return as_sympy(e).has(sp.nan, sp.zoo, sp.oo, -sp.oo)


def _slope(d, args):
    # a fractional power of a kink (sqrt|x| at 0) has no finite one-sided slope
    return lit("unbounded", r"\text{unbounded}") if _infinite(d) else Math(expr=d, args=args, entry=True)


def _same(a, b) -> bool:
    z = is_zero(to_sign_form(sp.expand(a - b)) if not isinstance(a - b, sp.Piecewise) else to_sign_form(a - b))
    if z is None:
        raise Unsupported("could not decide whether two one-sided limits agree")
    return z
