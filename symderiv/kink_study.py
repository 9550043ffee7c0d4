"""What a node's ``kinks`` rule is handed (KinkStudy), and the exact decisions at the
kink of a norm where its argument is 0 and at a tie of the largest entry; the decisions
at the switches of an entrywise node are switch_kinks.py's."""
from __future__ import annotations

import sympy as sp

from . import expr as E
from .bounds import QUICK_CALLS, optional_step
from .kinks import EigenKink, Kink, MaxKink, NormKink
from .scalar import Prim, Sw, to_sign_form
from .signform import is_zero
from .switch_kinks import LIMIT_CALLS, MAX_ORDER, chain_to_f, decide_switches, decide_zero


_R = sp.Symbol("_R", real=True)


class KinkStudy:
    """What a node's ``kinks`` rule is handed: f's adjoints and the exact decisions about
    each kind of kink.  The node says where it is not smooth and which kind of kink that
    is; the study decides, for f, whether f's derivative jumps there."""

    def __init__(self, adj: dict, var: E.Sym, consumers: dict):
        self.adj, self.var, self.consumers = adj, var, consumers

    def switches(self, node: E.Entrywise) -> list:
        """The kinks on the switches u = 0 of an entrywise node's sign form."""
        return decide_switches(node, self.adj[node.key], self.var, self.consumers)

    def norm_at_zero(self, node: E.FroNorm) -> Kink:
        """The kink of a norm where its argument is 0."""
        return _norm_kink(node, self.adj[node.key], self.var, self.consumers)

    def ties(self, node: E.MaxEntry) -> Kink:
        """The kink of a largest entry where it is attained more than once."""
        return _weighted_kink(MaxKink, node, self.adj[node.key], "the weight of the max")

    def eigen_ties(self, node) -> Kink:
        """The kink of λ_max(M) (λ_min, a Ky Fan sum) where the eigenvalue is repeated."""
        return _weighted_kink(EigenKink, node, self.adj[node.key], "the weight of the eigenvalue")


def _flat_zero_edges(node: E.FroNorm):
    """‖g(U)‖ where g is 0 on a whole interval (ReLU on u ≤ 0, min(u, 0) on u ≥ 0, soft-
    thresholding on |u| ≤ λ): at a U whose entries all lie inside that interval f is 0
    nearby, so differentiable; it fails only where some entry of U sits on one of g's
    switches.  Returns (switches over the node's frame, frame) or None."""
    m = node.arg
    if not (isinstance(m, E.Entrywise) and m.args and not m.is_scalar):
        return None
    e = m.expr
    if not isinstance(e, Prim) or not e.args[0].free_symbols or any(not a.is_number for a in e.args[1:]):
        return None
    g = lambda v: type(e)(v, *e.args[1:])          # noqa: E731 - the profile of g along its argument
    v = sp.Dummy("v", real=True)
    try:
        roots = sorted({r for w in e.spec.switches(v, *e.args[1:]) for r in sp.solve(w, v) if r.is_number})
    except (NotImplementedError, TypeError, ValueError):
        return None
    if not roots:
        return None
    # two points inside each interval between (and beyond) the switches: g is one piece there
    bounds = [roots[0] - 3] + roots + [roots[-1] + 3]
    flat = any(g(a + (b - a) / 3) == 0 and g(a + 2 * (b - a) / 3) == 0 for a, b in zip(bounds, bounds[1:]))
    if not flat:
        return None             # zeros at points only (|u|): every zero of M is already an edge
    return tuple(sp.expand(w) for w in e.spec.switches(e.args[0], *e.args[1:])), m.args


def _norm_kink(node: E.FroNorm, adj: E.Node, var: E.Sym, consumers) -> Kink:
    """||M|| at M = 0: harmless exactly when the adjoint vanishes there."""
    on_set = _at_zero_of(adj, node, var)
    args, (a_expr,) = E.frame(on_set)
    a_on = to_sign_form(a_expr)
    k = NormKink(node=node, args=args, weight=a_on, strength=a_on)
    k.harmless = decide_zero(a_on, "the norm's weight")
    if not k.harmless:
        k.edge = _flat_zero_edges(node)
    if not k.harmless and _flat_at_its_zeros(node.arg, var):
        # ||g(X)|| with g' = 0 wherever g = 0 (X ⊙ max(X, 0), X ⊙ X): near a zero of the
        # norm's argument it is o(|D|), so f is differentiable there with gradient 0
        k.harmless = True
        k.note = ("the derivative of the norm's argument is 0 wherever the argument is 0, so f is "
                  "differentiable there (its gradient is 0 there)")
        k.order, k.order_exact = None, False
        return k
    if k.harmless and isinstance(node, E.PNorm):
        # the radial series below counts on r^2 = Σ m^2 being a polynomial, true of the
        # 2-norm only (||x||_3^2 is C^1, not C^2; ||x||_4^4 is a polynomial): the class
        # past C^1 is not decided for a p-norm
        k.order, k.order_exact = None, False
        return k
    # Radial order: near M = 0, f = h(r) with r = ||M||, and r^j is C^(j-1) for odd j.
    chain = chain_to_f(node, _R, consumers)
    if chain is None:
        k.order, k.order_exact = (1, True) if not k.harmless else (None, False)
        return k
    if k.harmless and any(E.depends_on(a, var) for a in _chain_args(node, consumers)):
        # f = h(r, other quantities that move with X): the radial series alone does not
        # give the class; the first order is still exact.
        k.order, k.order_exact = None, False
        return k
    r = sp.Symbol("_r", positive=True)
    h = chain.xreplace({_R: r})
    # r^j for even j is a polynomial in the entries (r^2 = Σ m^2), so only odd powers of a
    # series in r limit the class; a fractional power (r^(3/2)) has a derivative that blows
    # up at r = 0 instead, at the order where it first does
    polynomial = h.is_polynomial(r)
    for j in range(1, MAX_ORDER + 1):
        c = sp.diff(h, r, j)
        c = c.xreplace({r: 0}) if polynomial else optional_step(lambda: sp.limit(c, r, 0, "+"), calls=LIMIT_CALLS)
        if c is None:
            k.order, k.order_exact = None, False
            return k
        if c.has(sp.oo, -sp.oo, sp.zoo, sp.nan):
            k.order = j
            if j == 1:             # r^(1/2): the slope is infinite, f is not Lipschitz there
                k.harmless, k.unbounded = False, True
            return k
        if j % 2 and is_zero(to_sign_form(sp.expand(c))) is not True:
            k.order = j
            if j == 1:             # cos(‖X‖^(1/2)) = 1 - ‖X‖/2 + ...: a cone at 0
                k.harmless, k.slope = False, c
            return k
    k.order = None
    return k


def _flat_at_its_zeros(M: E.Node, var: E.Sym) -> bool:
    """Whether M = g(X) entrywise has g' = 0 (from both sides) at every zero of g: then
    ||M|| is differentiable where M = 0.  Decided piece by piece between the switches of
    g, which must have finitely many real roots; False when not shown."""
    if not (isinstance(M, E.Entrywise) and len(M.args) == 1 and M.args[0] == var):
        return False
    p = E.placeholder(0)
    g = to_sign_form(M.expr)
    atoms = sorted(g.atoms(Sw), key=sp.default_sort_key)
    roots = set()
    for a in atoms:
        found = optional_step(sp.solveset, a.args[0], p, sp.S.Reals, calls=QUICK_CALLS)
        if found is sp.S.EmptySet:
            continue
        if not isinstance(found, sp.FiniteSet):
            return False
        roots |= set(found)
    if len(roots) > 8 or any(not r.is_real for r in roots):
        return False
    cuts = sorted(roots, key=lambda r: float(r))
    edges = [-sp.oo] + cuts + [sp.oo]

    def piece(a, b):
        t = (a + b) / 2 if a.is_finite and b.is_finite else (b - 1 if a == -sp.oo and b.is_finite else
                                                              (a + 1 if a.is_finite else sp.Integer(0)))
        return sp.expand(g.xreplace({s: sp.sign(s.args[0].xreplace({p: t})) for s in atoms}))

    pieces = [piece(a, b) for a, b in zip(edges, edges[1:])]
    for (a, b), h in zip(zip(edges, edges[1:]), pieces):
        if h == 0:
            continue
        zeros = optional_step(sp.solveset, h, p, sp.Interval.open(a, b), calls=QUICK_CALLS)
        if zeros is sp.S.EmptySet:
            continue
        if not isinstance(zeros, sp.FiniteSet):
            return False
        if any(sp.simplify(sp.diff(h, p).xreplace({p: z})) != 0 for z in zeros):
            return False
    for r, left, right in zip(cuts, pieces, pieces[1:]):
        lv, rv = sp.simplify(left.xreplace({p: r})), sp.simplify(right.xreplace({p: r}))
        if lv != 0 and rv != 0:
            continue               # g is not 0 at this switch
        if lv != rv or any(sp.simplify(sp.diff(h, p).xreplace({p: r})) != 0 for h in (left, right)):
            return False
    return True


def _weighted_kink(kind, node, adj: E.Node, what: str) -> Kink:
    """A kink where something is attained twice (the largest entry, the largest
    eigenvalue): the gradient jumps between the tied pieces unless the weight ``adj`` of
    the node in f vanishes."""
    args, (a_expr,) = E.frame(adj)
    w = to_sign_form(a_expr)
    k = kind(node=node, args=args, weight=w, strength=w)
    k.harmless = decide_zero(w, what)
    k.order, k.order_exact = (1, True) if not k.harmless else (None, False)
    return k


def _at_zero_of(adj: E.Node, norm: E.FroNorm, var: E.Sym) -> E.Node:
    """The adjoint on the set M = 0.  When M = cX + B, that set is the point X = -B/c
    and everything the adjoint depends on can be evaluated there (tr(X) ||X|| is
    differentiable at 0 because its weight tr(X) vanishes with X)."""
    M = norm.arg
    zero = E.substitute(adj, {norm.key: E.const(0)})
    c, rest = _affine_in(M, var)
    if c is None:
        return zero
    point = E.scale(E.const(-1 / c), rest) if rest is not None else E.const(0, var.shape)
    return E.substitute(zero, {var.key: point})


def _affine_in(M: E.Node, var: E.Sym):
    """(c, B) with M = c var + B for a nonzero number c, or (None, None)."""
    if M == var:
        return sp.Integer(1), None
    if isinstance(M, E.Entrywise):
        ps = M.placeholders()
        vp = [p for p, a in zip(ps, M.args) if a == var]
        if len(vp) != 1 or any(E.depends_on(a, var) for a in M.args if a != var):
            return None, None
        c = sp.diff(M.expr, vp[0])
        if not c.is_number or c == 0 or sp.diff(M.expr, vp[0], 2) != 0:
            return None, None
        rest = E.ew(M.expr - c * vp[0], M.args, M.shape)
        return c, rest
    return None, None


def _chain_args(node, consumers):
    """The other arguments of the scalar nodes between ``node`` and f."""
    out, current = [], node
    while True:
        ups = consumers.get(current.key, [])
        if not ups:
            return out
        up = ups[0]
        out.extend(a for a in up.args if a != current)
        current = up


def consumers_of(f: E.Node) -> dict:
    users: dict[str, list] = {}
    for n in E.walk(f):
        for c in n.children():
            lst = users.setdefault(c.key, [])
            if n not in lst:
                lst.append(n)
    return users
