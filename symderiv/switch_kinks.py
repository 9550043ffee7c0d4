"""The exact decision at each switch u = 0 of an entrywise node: does f's derivative jump?

With the node's entry written F = F0 + sign(u) F1 (its sign form) and a its adjoint
(df/d entry), on the switch
  * f itself jumps where a * F1 != 0                     (not continuous),
  * else f's gradient jumps by J * grad(u), J = 2 a dF1/du  (a kink that survives),
  * else the kink is harmless: this is why ||max(X,0)||^2 is differentiable.
Kinks whose rows are parallel in one entry have already been merged by the sign form
(sign(-u) = -sign(u)), which is how max(x,0) - max(-x,0) = x comes out smooth.
The C^k class comes from the order to which f's jump vanishes along the normal.
"""
from __future__ import annotations

import itertools

import sympy as sp

from . import expr as E
from .bounds import QUICK_CALLS, optional_step
from .errors import Unsupported
from .exact_numbers import as_sympy
from .kinks import Kink, SwitchKink, variable_placeholders
from .scalar import Prim, Sw, jump_switches, split, switch, switches_of, to_sign_form
from .signform import INTEGER, branches, coincident, is_zero, nonzero_condition, prettify, restrict


MAX_ORDER = 8
LIMIT_CALLS = 3_000_000         # one one-sided limit where substituting gives 0/0


def _on_switch(expr: sp.Expr, atom: Sw, u: sp.Expr, V, branch=None) -> sp.Expr:
    """expr restricted to u = 0, requiring it to be the same from both sides."""
    plus = restrict(expr.xreplace({atom: sp.Integer(1)}), u, V, branch)
    minus = restrict(expr.xreplace({atom: sp.Integer(-1)}), u, V, branch)
    if coincident(plus) or coincident(minus):
        raise Unsupported("unverified: two kinks of one entry lie on the same hypersurface in a way the sign form did not merge")
    if is_zero(plus - minus) is not True:
        raise Unsupported("unverified: an adjoint jumps on a switch it depends on; the composite is outside the exact class")
    return plus


def decide_zero(e: sp.Expr, what: str) -> bool:
    z = is_zero(e)
    if z is None:
        # is_zero answers off the switches; sign(w) of a w >= 0 everywhere is 1 there
        # (on the switch u = 0 of max(x^2 + y^2, |z|), sign(x^2 + y^2 - z) becomes
        # sign(x^2 + y^2), whose zeros lie on that other switch, decided as its own kink)
        definite = {a: sp.Integer(1 if a.args[0].is_nonnegative else -1) for a in e.atoms(Sw)
                    if a.args[0].is_nonnegative or a.args[0].is_nonpositive}
        if definite:
            z = is_zero(e.xreplace(definite))
    if z is None and _nonzero_somewhere(e):
        z = False
    if z is None:
        raise Unsupported(f"unverified: could not decide whether {what} vanishes: {e}")
    return z


_PROBES = (1, -1, 2, -2, sp.Rational(1, 2), sp.Rational(-1, 2), 3, -3)


def _nonzero_somewhere(e: sp.Expr) -> bool:
    """An exact witness that e is not 0 off the switches: a rational point, on none of
    e's switches, where e != 0 (is_zero tries a few random points only; the jump of the
    gradient of max(x^2, |y|, z) on z = y is nonzero only where y > x^2)."""
    free = sorted(e.free_symbols, key=sp.default_sort_key)
    if not free or len(free) > 4 or any(not s.is_real for s in free):
        return False
    atoms = e.atoms(Sw)
    for k, values in enumerate(itertools.product(_PROBES, repeat=len(free))):
        if k >= 600:
            break
        point = dict(zip(free, (sp.Integer(v) if isinstance(v, int) else v for v in values)))
        if any(a.args[0].xreplace(point) == 0 for a in atoms):
            continue
        value = e.xreplace(point)
        if value.is_number and value.is_zero is False:
            return True
    return False


def decide_switches(node: E.Entrywise, adj: E.Node, var: E.Sym, consumers) -> list:
    args, (a_expr, n_expr) = E.frame(adj, node)
    V = variable_placeholders(args, var)
    F = to_sign_form(n_expr)
    a_sign = to_sign_form(a_expr)
    out = []
    seen = set()
    for atom in switches_of(F):
        u = atom.args[0]
        if not (u.free_symbols & set(V)):
            continue
        seen.add(sp.srepr(atom))
        for branch in branches(u, V):
            k = _switch_kink(node, args, F, atom, u, V, branch, a_sign, n_expr, var, consumers)
            if k.continuous:
                _removable_jump(k, F, n_expr, u, V, branch, a_sign)
            out.append(k)
    # Jumps hidden from the sign form: sign(x)**2 is 1 off the switch and 0 on it.
    for u in jump_switches(n_expr):
        if not (u.free_symbols & set(V)) or sp.srepr(Sw(u)) in seen or sp.srepr(-Sw(u)) in seen:
            continue
        for branch in branches(u, V, touching=True):
            p, value = branch
            limit = restrict(F, u, V, branch)
            at = to_sign_form(n_expr.xreplace({p: value}))
            a_on = restrict(a_sign, u, V, branch)
            gap = sp.expand(a_on * (at - limit))
            if not decide_zero(gap, "a removable jump"):
                out.append(SwitchKink(node=node, args=args, u=u, jump=gap, weight=a_on,
                                continuous=False, harmless=False, order=0, branch=branch,
                                note="the value on the switch differs from the limits on both sides"))
    return out


def _removable_jump(k: Kink, F, n_expr, u, V, branch, a_sign):
    """Both sides meet, but the value on the switch is another ({x^2 if x > 1; x if x < 1;
    2 if x = 1}): the sign form, which is about the sides, cannot see it."""
    p, value = branch
    on = optional_step(lambda: to_sign_form(n_expr.xreplace({p: value})), calls=QUICK_CALLS)
    if on is None or on.has(sp.nan, sp.zoo):
        return
    limit = restrict(F, u, V, branch)
    gap = sp.expand(restrict(a_sign, u, V, branch) * (on - limit))
    if not decide_zero(gap, "a removable jump"):
        k.continuous, k.harmless, k.order, k.jump = False, False, 0, gap
        k.note = "the value on the switch differs from the limits on both sides"


def _switch_kink(node, args, F, atom, u, V, branch, a_sign, n_expr, var, consumers) -> Kink:
    """One switch (one root of it, when u = 0 has several), decided exactly."""
    p, _ = branch
    F0, F1 = split(F, atom)
    a_on = _on_switch(a_sign, atom, u, V, branch)
    k = SwitchKink(node=node, args=args, u=u, weight=a_on, branch=branch, entry=n_expr)
    k.critical = _critical(u, args, V, var, branch)
    F1_on = restrict(F1, u, V, branch)
    if coincident(F1_on):
        raise Unsupported("unverified: two kinks of one entry coincide; cannot separate them")
    k.jump = sp.expand(2 * a_on * F1_on)
    if not decide_zero(k.jump, "the jump of f"):
        k.continuous = False
        k.harmless = False
        k.order = 0
        return k
    du = sp.diff(u, p)
    lam_on = restrict(sp.expand(sp.diff(F1, p) / du), u, V, branch)
    dF0_on = restrict(sp.expand(sp.diff(F0, p) / du), u, V, branch)
    k.slopes = (sp.expand(dF0_on - lam_on), sp.expand(dF0_on + lam_on))
    if any(_undefined(e) for e in k.slopes):
        # 0/0 on the switch ((-x)^(3/2)/x at 0): the slopes are one-sided limits
        k.slopes = tuple(_one_sided(sp.expand(sp.diff(F0 + side * F1, p) / du), u, p, branch, side)
                         for side in (-1, 1))
        lam_on = sp.expand((k.slopes[1] - k.slopes[0]) / 2)
    k.strength = _combined(sp.expand(2 * a_on * lam_on))
    if any(_undefined(e) for e in (k.strength, *k.slopes)):
        # a fractional power of a kink (sqrt|x|): no finite one-sided slopes to compare
        k.unbounded, k.harmless, k.order, k.slopes, k.entry = True, False, 1, (), n_expr
        k.primitives = _primitives_on(n_expr, atom, u, V, a_sign, branch)
        k.off_diagonal = _vanishes_on_diagonal(u, args, var)
        return k
    k.harmless = decide_zero(k.strength, "the jump of the gradient")
    k.primitives = _primitives_on(n_expr, atom, u, V, a_sign, branch)
    k.order, k.order_exact = _order(node, F0, F1, u, p, V, args, var, consumers, k)
    k.off_diagonal = _vanishes_on_diagonal(u, args, var)
    return k


def _combined(e: sp.Expr) -> sp.Expr:
    """e with its fractions over one denominator and cancelled, when that is shorter.
    expand() leaves a sum of fractions apart: the jump of max(a x, x) came out as
    2a/(2a - 2) - 2/(2a - 2), which is 1.  Only such sums are tried (other forms print as
    they always did), inside a bound."""
    if not (e.is_Add and any(sp.fraction(t)[1] != 1 for t in e.args)):
        return e
    c = optional_step(lambda: sp.cancel(sp.together(e)), calls=QUICK_CALLS)
    if c is None or sp.count_ops(c) >= sp.count_ops(e):
        return e
    return c


def _critical(u, args, V, var, branch) -> bool:
    """Whether grad u may vanish somewhere on u = 0 (x y at the origin, det X at rank
    n - 2).  There a continuous kink of f vanishes to second order and f is differentiable,
    so the failing set is u = 0 with grad u != 0.  Not so when u is linear in the variable,
    or linear in arguments that are, with a non-zero slope on this root (x^2 - 1 at x = 1)."""
    moving = [p for p in V if u.has(p)]
    if not all(_linear_node(args[E.placeholder_index(p)], var) for p in moving):
        return True
    poly = optional_step(sp.Poly, u, *moving, calls=QUICK_CALLS) if moving else None
    if not moving or (poly is not None and poly.total_degree() <= 1
                      and not any(c.has(*V) for c in poly.coeffs())):
        return False
    p, value = branch
    slope_on = sp.diff(u, p).xreplace({p: value})
    if value.has(INTEGER):
        # a family of roots (cos x = 0 at pi/2 + k pi): branches() already proved the
        # slope there non-zero for every integer k
        return False
    return not (slope_on.is_number and slope_on != 0)


def _linear_node(n: E.Node, var: E.Sym) -> bool:
    if not E.depends_on(n, var) or n == var:
        return True
    if isinstance(n, (E.Transpose, E.Pick, E.Trace, E.SumAll)):
        return _linear_node(n.children()[0], var)
    if isinstance(n, E.MatMul):
        moving = [f for f in n.factors if E.depends_on(f, var)]
        return len(moving) == 1 and _linear_node(moving[0], var)
    if isinstance(n, E.Entrywise):
        V = [p for p, a in zip(n.placeholders(), n.args) if E.depends_on(a, var)]
        poly = optional_step(sp.Poly, n.expr, *V, calls=QUICK_CALLS)
        return (poly is not None and poly.total_degree() <= 1 and not any(c.has(*V) for c in poly.coeffs())
                and all(_linear_node(a, var) for a in n.args if E.depends_on(a, var)))
    return False


def _undefined(e) -> bool:
    return as_sympy(e).has(sp.nan, sp.zoo, sp.oo, -sp.oo)


def _one_sided(expr, u, p, branch, side):
    """lim expr as u -> 0 from the side ``side``; nan when SymPy cannot take it in its bound."""
    _, base = branch
    du = sp.diff(u, p).xreplace({p: base})
    if not (du.is_number and du != 0):
        return sp.nan
    t = sp.Symbol("_t", positive=True)
    lim = optional_step(sp.limit, to_sign_form(expr.xreplace({p: base + side * t / du})), t, 0, "+",
                  calls=LIMIT_CALLS)
    return sp.nan if lim is None or isinstance(lim, sp.Limit) else sp.expand(to_sign_form(lim))


def _limit_at_0(expr, t, side):
    tp = sp.Symbol("_tp", positive=True)
    lim = optional_step(sp.limit, expr.xreplace({t: side * tp}), tp, 0, "+", calls=LIMIT_CALLS)
    return sp.nan if lim is None or isinstance(lim, sp.Limit) else lim


def _vanishes_on_diagonal(u, args, var) -> bool:
    """x_ij - x_ji is identically 0 where i = j: there the switch is no kink at all."""
    mine = [E.placeholder(i) for i, a in enumerate(args) if a == var]
    theirs = [E.placeholder(i) for i, a in enumerate(args) if a == E.transpose(var) and a != var]
    if not mine or not theirs:
        return False
    return sp.expand(u.xreplace({theirs[0]: mine[0]})) == 0


def _primitives_on(n_expr, atom, u, V, a_sign, branch=None) -> list:
    """The primitives that switch on u = 0, each with its own one-sided slopes (from the
    table) and the weight with which it enters f there: max(x,0) has slopes 0 and 1,
    but in ||max(X,0)||^2 its weight 2 max(x,0) is 0 on the switch."""
    out, seen = [], set()
    for sub in sp.preorder_traversal(n_expr):
        if not isinstance(sub, Prim) or sp.srepr(sub) in seen:
            continue
        seen.add(sp.srepr(sub))
        own = [to_sign_form(w) for w in sub.spec.switches(*sub.args)]
        index = next((i for i, w in enumerate(own) if switch(w) in (atom, -atom)), None)
        if index is None:
            continue
        d = sp.Dummy(real=True)
        weight = sp.diff(n_expr.xreplace({sub: d}), d).xreplace({d: sub})
        w_full = sp.expand(sp.Mul(to_sign_form(sp.expand(weight)), a_sign))   # SymPy's 0, not int 0
        try:
            w_on = _on_switch(w_full, atom, u, V, branch)
        except Unsupported:
            w_on = None
        out.append((sub, sub.spec.slopes(*sub.args)[index], prettify(w_full), w_on))
    return out


def _order(node, F0, F1, u, p, V, args, var, consumers, kink):
    """How fast f's jump across the switch vanishes along the normal: f is C^(order-1).

    Exact when f reaches this node only through sums of its entries and scalar
    functions of those sums (the sums-of-entrywise-terms class and its smooth
    compositions); elsewhere one knows only the first order.
    """
    if not kink.harmless:
        return 1, True
    _, base = kink.branch
    t = sp.Symbol("_t", real=True)
    # p moves across the switch (transversally: du/dp != 0 there); everything else stays.
    path = {p: base + t / sp.diff(u, p).xreplace({p: base})}
    upstream = _scalar_upstream(node, consumers)
    if upstream is None or upstream[0] is None:
        return None, False
    H, S = upstream
    plus = sp.expand((F0 + F1).xreplace(path))
    minus = sp.expand((F0 - F1).xreplace(path))
    mid = restrict(F0 + F1, u, V, kink.branch)
    h_plus, h_minus = H.xreplace({S: S + plus - mid}), H.xreplace({S: S + minus - mid})
    delta = h_plus - h_minus
    for k in range(0, MAX_ORDER + 1):
        coeff = sp.diff(delta, t, k).xreplace({t: 0}) if k else delta.xreplace({t: 0})
        if _undefined(coeff):
            # pieces that are not smooth across the switch (|x|^(3/2)): compare the
            # one-sided k-th derivatives, each a limit from its own side
            sides = [_limit_at_0(sp.diff(h, t, k), t, side) for h, side in ((h_plus, 1), (h_minus, -1))]
            if any(_undefined(c) for c in sides):
                kink.order_condition = None
                return k, True
            coeff = sides[0] - sides[1]
        coeff = to_sign_form(sp.expand(coeff))
        if is_zero(coeff) is not True:
            # where this coefficient vanishes the jump is of higher order still
            kink.order_condition = None if coeff.has(S) else nonzero_condition(coeff)
            return k, True
    return None, True


def _scalar_upstream(node: E.Node, consumers):
    """If f = H(sum(node), other scalars) with H built from scalar entrywise nodes only
    (or f = H(node) for a scalar node), return (H as an expression in S, S), where the
    symbol S stands for sum(node) (resp. node)."""
    users = consumers.get(node.key, [])
    S = sp.Symbol("_S", real=True)
    if node.is_scalar and (not users or (len(users) == 1 and isinstance(users[0], E.Entrywise)
                                         and users[0].is_scalar)):
        return chain_to_f(node, S, consumers), S
    if len(users) == 1 and isinstance(users[0], E.SumAll):
        chain = chain_to_f(users[0], S, consumers)
        return (chain, S) if chain is not None else None
    return None


def chain_to_f(start: E.Node, symbol: sp.Symbol, consumers):
    """f as an expression in ``symbol`` standing for ``start``'s value, when f reaches
    start only through scalar entrywise nodes; None otherwise."""
    expr_of, current = symbol, start
    while True:
        ups = consumers.get(current.key, [])
        if not ups:
            return expr_of
        if len(ups) != 1 or not isinstance(ups[0], E.Entrywise) or not ups[0].is_scalar:
            return None
        up = ups[0]
        expr_of = up.expr.xreplace({E.placeholder(up.args.index(current)): expr_of})
        current = up
