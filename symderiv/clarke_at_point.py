"""The Clarke set at a point, assembled from the local model's active kinks
(local_model.py): the hull of the selections' gradients over the sign cells that occur
(enumerated, or found by exact LPs when rows are dependent), parallel rows merged into
one term, a max tied between entries, and an unsquared norm at its zero (a ball, cut by
sign constraints where its argument kinks there too).
"""
from __future__ import annotations

import itertools
from fractions import Fraction

from .lazy_import import LazyModule
np = LazyModule("numpy")
import sympy as sp

from . import expr as E
from .calculus import gradient, map_entrywise
from .errors import Unsupported
from .evaluate import Evaluator, to_number
from .exact_numbers import as_sympy
from .local_model import MAX_ENUMERATED, KinkTerm, LocalModel, positive, zeros
from .lp import in_hull, strictly_feasible
from .scalar import Sw, to_sign_form
from .sets import Ball, ClarkeSet, Hull, NormBall, Point, ScaledBall


MAX_BASIS = 400


def selections(L: LocalModel) -> tuple:
    """Kinks that interact (a jump that depends on the side of another kink, as in
    max(|x|, |y|) at 0): the Clarke set of a piecewise-smooth function is the hull of the
    gradients of the selections whose sign cells occur around the point (Scholtes).
    Returns (differentiable, gradient, Clarke set)."""
    items = L.items + L.quiet
    if len(items) > MAX_ENUMERATED:
        raise Unsupported(f"unverified: {len(items)} interacting kinks at this point; more than "
                          f"{MAX_ENUMERATED} cannot be enumerated")
    support = sorted({idx for it in items for idx in it.row})
    gens, seen = [], set()
    for signs in itertools.product((1, -1), repeat=len(items)):
        rows = [[-s * it.row.get(idx, 0) for idx in support] for it, s in zip(items, signs)]
        if not strictly_feasible(rows):
            continue
        for it, s in zip(items, signs):
            L.overrides[it.key][it.pos] = s * it.orient
        g = L.gradient()
        key = tuple(str(x) for x in g.flat)
        if key not in seen:
            seen.add(key)
            gens.append(g)
    gens = _extreme(gens)
    if len(gens) == 1:
        return True, gens[0], Point(gens[0])
    return False, None, Hull(gens)


def unit_of(row: dict):
    return next(iter(row.items())) if len(row) == 1 else None


def _normalised(row: dict):
    """(a key shared by all rows parallel to this one, the factor c with row = c * unit)."""
    lead = row[min(row)]
    key = tuple(sorted((idx, str(to_number(as_sympy(x) / as_sympy(lead)))) for idx, x in row.items()))
    return key, lead


def merge_parallel(base: np.ndarray, items: list) -> tuple:
    """Merge parallel rows: J_b max(c<r,D>,0) = |c| J_b (max(<r,D>,0) - [c<0]<r,D>)."""
    groups: dict = {}
    order = []
    base = base.copy() if items else base      # written into only when there are rows to merge
    for it in items:
        key, lead = _normalised(it.row)
        if key not in groups:
            unit_row = {idx: to_number(as_sympy(x) / as_sympy(lead)) for idx, x in it.row.items()}
            groups[key] = KinkTerm(0, unit_row)
            order.append(key)
        g = groups[key]
        if positive(lead):
            g.J = g.J + it.J * lead
        else:
            g.J = g.J - it.J * lead
            for idx, x in g.row.items():
                base[idx] = base[idx] + it.J * lead * x
    return base, [groups[k] for k in order if groups[k].J != 0]


def cell_gradients(base: np.ndarray, items: list) -> list:
    K = len(items)
    if K > MAX_ENUMERATED:
        raise Unsupported(f"{K} interacting kinks at this point; more than {MAX_ENUMERATED} cannot be enumerated")
    gram = sp.Matrix(K, K, lambda a, b: as_sympy(sum((items[a].row[i] * items[b].row[i]
                                                       for i in items[a].row if i in items[b].row), 0)))
    independent = gram.rank() == K
    cs = sp.symbols(f"c0:{K}")
    gens, seen = [], set()
    for signs in itertools.product((0, 1), repeat=K):
        if not independent and not _cell_occurs(gram, cs, signs):
            continue
        g = base.copy()
        for it, s in zip(items, signs):
            if s:
                for idx, x in it.row.items():
                    g[idx] = g[idx] + it.J * x
        key = tuple(str(x) for x in g.flat)
        if key not in seen:
            seen.add(key)
            gens.append(g)
    # with independent rows every cell's gradient is a vertex of the zonotope already
    return gens if independent else _extreme(gens)


def _extreme(gens: list) -> list:
    """Drop generators that are convex combinations of the others (exact LPs): the hull
    is then given by its vertices."""
    if len(gens) > 32 or not all(isinstance(v, (int, Fraction)) for g in gens for v in g.flat):
        return gens
    keep = list(gens)
    for g in list(gens):
        others = [h for h in keep if h is not g]
        if others and in_hull(list(g.flat), [list(h.flat) for h in others]):
            keep = others
    return keep


def _cell_occurs(gram, cs, signs) -> bool:
    """Is there a direction D with sign(<r_a, D>) = signs_a for every a?  With D in the
    rows' span, D = sum c_b r_b, that is an exact LP in c (Gordan's alternative)."""
    rows = []
    for a, s in enumerate(signs):
        sign = 1 if s else -1
        rows.append([-sign * gram[a, b] for b in range(gram.shape[1])])
    return strictly_feasible(rows)


# ---------------------------------------------------------------- ties of a max

def max_set(base, merged, L: LocalModel):
    """w max_k a_k(X) at a tie: the hull of G + w grad a_k over the tied k."""
    if len(L.maxes) > 1 or L.norms:
        raise Unsupported("unverified: at this point a max over entries is tied together with other kinks; "
                          "that Clarke set is not computed yet")
    k, w, ties = L.maxes[0]
    inner = [(kk, pp) for kk, pp in L.inner_kinks if kk.node == k.node.arg]
    if inner:
        # max of regular entry functions: Clarke = hull of the union of their own sets
        slopes = _entry_slopes(k.node.arg, L)
        if slopes is None:
            raise Unsupported("unverified: at this point a max is tied where its argument kinks, and the argument is "
                              "not an entrywise function of the variable; not computed yet")
        steps = []
        for pos in ties:
            left, right = slopes[pos]
            if as_sympy(left) > as_sympy(right):
                raise Unsupported("unverified: at this point a max is tied where an entry has a concave kink; "
                                  "the max is not regular there and its Clarke set is not computed yet")
            steps += [(pos, left), (pos, right)]
        base = L.gradient({k.node.key} | {kk.node.key for kk, _ in inner})
        rows = [(pos, {pos: c}) for pos, c in steps]
    else:
        rows = [(pos, L.rows(k.node.arg, pos)) for pos in ties]
    if merged and not inner:
        raise Unsupported("unverified: at this point a max over entries is tied together with other kinks; "
                          "that Clarke set is not computed yet")
    gens, seen = [], set()
    for pos, row in rows:
        g = base.copy()
        for idx, x in row.items():
            g[idx] = g[idx] + w * x
        key = tuple(str(x) for x in g.flat)
        if key not in seen:
            seen.add(key)
            gens.append(g)
    if len(gens) == 1:
        return True, gens[0], Point(gens[0])
    return False, None, Hull(gens)


# ---------------------------------------------------------------- norms at their zero

def flat_at(M: E.Node, L: LocalModel) -> bool:
    """Whether M's derivative at the point is the zero map (exactly, on a basis)."""
    mshape = L.ev.shape(M)
    if mshape[0] * mshape[1] > MAX_BASIS:
        return False
    U = E.Sym("__U", M.shape)
    g = map_entrywise(gradient(E.sum_all(E.hadamard(M, U)), L.var), to_sign_form)
    for idx in np.ndindex(mshape):
        unit = zeros(mshape)
        unit[idx] = 1
        try:
            val = Evaluator({**L.ev.values, "__U": unit}, L.ev.dims, L.ev.overrides)(g)
        except Unsupported:
            return False        # M itself kinks here: not flat in the simple sense
        if any(x != 0 for x in val.flat):
            return False
    return True


def norm_set(base, merged, norms, L: LocalModel) -> ClarkeSet:
    """w ||M(X)|| at M(X0) = 0, with M entrywise in X: f'(X0; D) = <G, D> + w ||L(D)||
    where L(D)_ij = r_ij max(D_ij, 0) + l_ij min(D_ij, 0) from the entry's one-sided
    slopes.  Equal slopes give a ball (scaled per entry); a one-sided entry (l = 0 < r,
    as max(x, 0) at 0) cuts it to a half-space in that entry."""
    if len(norms) > 1 or merged:
        raise Unsupported("unverified: at this point several norms, or a norm and other kinks, are active together; "
                          "that Clarke set is not computed yet")
    k, w = norms[0]
    M = k.node.arg
    slopes = _entry_slopes(M, L)
    if slopes is None:
        raise Unsupported("unverified: at this point a norm is at its zero and its argument is not an entrywise "
                          "function of the variable; that Clarke set is not computed yet")
    scale = zeros(L.shape)
    cone = zeros(L.shape)
    for idx in np.ndindex(L.shape):
        left, right = slopes[idx]
        # the norm only sees |L(D)|: what matters per entry is each side's magnitude
        if left == right or left == -right:
            scale[idx] = abs(right)
        elif left == 0:
            scale[idx], cone[idx] = abs(right), 1       # L moves only for D > 0: G >= 0 there
        elif right == 0:
            scale[idx], cone[idx] = abs(left), -1       # only for D < 0: G <= 0 there
        else:
            raise Unsupported("unverified: at this point a norm's argument has an asymmetric kink; that Clarke set "
                              "is not computed yet")
    radius = to_number(abs(as_sympy(w)))
    if isinstance(k.node, E.PNorm):
        # w ||L(D)||_p with L(D) = c D, one c for every entry: the support function of the
        # dual ball {G : ||G - G0||_q <= |w c|}
        if any(c != 0 for c in cone.flat) or len({abs(as_sympy(c)) for c in scale.flat}) != 1:
            raise Unsupported("unverified: at this point a p-norm's argument has entries with different "
                              "slopes; that Clarke set is not computed yet")
        p = k.node.p
        return NormBall(base, to_number(abs(as_sympy(scale.flat[0])) * as_sympy(radius)), p / (p - 1))
    flip = -1 if not positive(w) else 1
    cone = cone * flip
    if not any(c != 0 for c in cone.flat) and len({abs(as_sympy(s)) for s in scale.flat}) == 1:
        r = to_number(abs(as_sympy(scale.flat[0])) * as_sympy(radius))
        return Ball(base, r)
    text, latex = _cone_ball_words(scale, cone, radius)
    return ScaledBall(text, latex, base, scale, cone, radius)


def _entry_slopes(M: E.Node, L: LocalModel):
    """One-sided slopes (left, right) of each entry of M = e(X) at the point, or None
    when M is not an entrywise function of the variable alone."""
    # constants may be scalars or matrices of the variable's shape (X - B)
    if not (isinstance(M, E.Entrywise) and M.args and L.var in M.args and all(
            a == L.var or not E.depends_on(a, L.var) and (a.is_scalar or a.shape == L.var.shape) for a in M.args)):
        if M == L.var:
            return {idx: (1, 1) for idx in np.ndindex(L.shape)}
        return None
    p = next(ph for ph, a in zip(M.placeholders(), M.args) if a == L.var)
    X0 = L.values[L.var.name]
    consts = {ph: L.ev(a) for ph, a in zip(M.placeholders(), M.args) if a != L.var}
    t = sp.Symbol("_t", positive=True)
    form = to_sign_form(M.expr)
    out = {}
    for idx in np.ndindex(L.shape):
        expr = form.xreplace({k: as_sympy(v[0, 0] if v.shape == (1, 1) else v[idx]) for k, v in consts.items()})
        x0 = as_sympy(X0[idx])
        sides = []
        for s in (-1, 1):
            moved = _settle_signs(expr.xreplace({p: x0 + s * t}), t)
            sides.append(to_number(s * sp.diff(moved, t).xreplace({t: 0})))
        out[idx] = (sides[0], sides[1])
    return out


def _settle_signs(e, t):
    """Each sign(u(t)) as t -> 0+: the sign of u(0), or of u'(0) when u(0) = 0."""
    subs = {}
    for atom in e.atoms(Sw):
        u = atom.args[0]
        u0 = sp.expand(u.xreplace({t: 0}))
        if u0 != 0:
            subs[atom] = sp.sign(u0)
        else:
            subs[atom] = sp.sign(sp.diff(u, t).xreplace({t: 0}))
    return e.xreplace(subs)


def _cone_ball_words(scale, cone, radius) -> tuple[str, str]:
    """Words for {G0 + c ⊙ U : ||U||_F <= r, U >= 0 on K+, U <= 0 on K-}."""
    entries = list(np.ndindex(scale.shape))
    zero = [e for e in entries if scale[e] == 0]
    plus = [e for e in entries if scale[e] != 0 and cone[e] == 1]
    minus = [e for e in entries if scale[e] != 0 and cone[e] == -1]
    nonzero = {str(scale[e]) for e in entries if scale[e] != 0}

    def where(es):
        return "every entry" if len(es) == len(entries) else ", ".join(f"({i},{j})" for i, j in es)

    if len(nonzero) == 1:
        c = next(e for e in entries if scale[e] != 0)
        r = to_number(as_sympy(radius) * abs(as_sympy(scale[c])))
        parts_t = [f"||G - G0||_F <= {r}"]
        parts_l = [rf"\|G - G_0\|_F \le {sp.latex(as_sympy(r))}"]
        for es, rel_t, rel_l in ((plus, ">= 0", r"\ge 0"), (minus, "<= 0", r"\le 0"), (zero, "= 0", "= 0")):
            if es:
                parts_t.append(f"(G - G0)_ij {rel_t} at {where(es)}")
                parts_l.append(rf"(G - G_0)_{{ij}} {rel_l} \text{{ at {where(es)}}}")
        return "{G : " + ", ".join(parts_t) + "}", r"\{G : " + r",\ ".join(parts_l) + r"\}"
    return ("{G0 + c ⊙ U : ||U||_F <= r, U_ij >= 0 where sign = 1, U_ij <= 0 where sign = -1} "
            f"(r = {radius}; c and sign entrywise, given beside)",
            r"\{G_0 + c \odot U : \|U\|_F \le r,\ U_{ij} \ge 0 \text{ where } s_{ij} = 1,\ "
            r"U_{ij} \le 0 \text{ where } s_{ij} = -1\}")
