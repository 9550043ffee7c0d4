"""The verdict at one point: differentiable or not, the gradient, the Clarke set.

Near a point X0 the composite f is, to first order,
    f'(X0; D) = <G-, D> + sum_a J_a max(<r_a, D>, 0),
one term a per active kink (a switch of one entry that is exactly 0 at X0): r_a is
the gradient of that switch, J_a the jump of the gradient across it, and G- the
gradient of the selection with every active switch on its negative side.  f is
differentiable at X0 iff, after merging parallel rows, every J_a is 0.  The Clarke
set is G- plus the hull of sum_a J_a [sigma_a = +] r_a over the sign cells sigma that
occur: every cell when the rows are independent (a box for rows that are distinct
coordinate directions, a zonotope otherwise), the cells found by a small exact LP
when the rows are dependent (|x| + |y| - |x + y| at 0).  An unsquared norm at its
zero contributes a ball (or a ball cut by sign constraints, when its argument kinks
there too: ||max(X,0)||_F at X = 0 has {G >= 0, ||G||_F <= 1}).

The first-order model (the active kinks, their rows and jumps) is local_model.py's, the
assembly of the Clarke set clarke_at_point.py's; here the point is checked against f's
domain, the cases with no Clarke set are named, and the pieces are put together.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from .lazy_import import LazyModule
np = LazyModule("numpy")

from . import expr as E
from .analysis import Verdict
from .clarke_at_point import cell_gradients, flat_at, max_set, merge_parallel, norm_set, selections, unit_of
from .errors import InputError, Unsupported
from .evaluate import Evaluator, bind_dims
from .nodes import eigen
from .local_model import MAX_ENUMERATED, LocalModel, positive, zeros
from .render.notation import node_text as _words     # how a refusal quotes a node
from .exact_numbers import as_sympy
from .sets import Box, ClarkeSet, Hull, NoClarkeSet, Point
from .spectral_point import spectral_point


@dataclass
class PointResult:
    value: object                              # f(X0)
    differentiable: bool
    gradient: Optional[np.ndarray]
    subdifferential: Optional[ClarkeSet]       # None where f is not locally Lipschitz
    reason: str = ""
    one_sided: list = field(default_factory=list)
    active: list = field(default_factory=list)  # the kinks active here, for the report
    # D -> the exact f'(X; D), where the exact test cannot write f out entry by entry (a
    # singular-value norm: spectral_point.py); None elsewhere
    directional_at: object = None

    @property
    def clarke(self) -> ClarkeSet:
        """The Clarke set, or the form that says there is none, and why."""
        return self.subdifferential if self.subdifferential is not None else NoClarkeSet(self.reason)


def at_point(v: Verdict, values: dict) -> PointResult:
    r = _at_point(v, values)
    if not r.differentiable and r.subdifferential is not None:
        g = r.subdifferential.singleton()
        if g is not None:
            # a locally Lipschitz f whose Clarke set is one point is (strictly)
            # differentiable there: ‖X ⊙ σ(X)‖_F at 0 has the ball of radius 0
            r.differentiable, r.gradient, r.subdifferential = True, g, Point(g)
    if r.differentiable and r.gradient is not None and r.directional_at is None and _spectral(v.f):
        G = r.gradient
        r.directional_at = lambda D: sum((as_sympy(g) * as_sympy(d) for g, d in zip(G.flat, np.ravel(D))),
                                         as_sympy(0))
    return r


def _spectral(f) -> bool:
    return any(isinstance(n, (E.NuclearNorm, E.SpectralNorm, E.SmallestSingular, E.SchattenNorm, E.KyFanNorm))
               for n in E.walk(f))


def _at_point(v: Verdict, values: dict) -> PointResult:
    if not E.depends_on(v.f, v.var):
        ev = Evaluator(values, bind_dims(v.f, values))
        zero = zeros(ev.shape(v.var))
        return PointResult(ev(v.f)[0, 0], True, zero, Point(zero))
    L = LocalModel(v, values)
    shown = {"!=": "≠", ">=": "≥"}
    domain = ", ".join(f"{_words(n)} {shown.get(r, r)} 0" for n, r in v.domain)
    edge = []
    try:
        for node, rel in v.domain:
            vals = L.ev(node)
            if rel == ">=" and all(x == 0 or positive(x) for x in vals.flat) and any(x == 0 for x in vals.flat):
                edge.append(_words(node))
            elif not all((positive(x) if rel in (">", ">=") else x != 0) for x in vals.flat):
                raise Unsupported(f"{_words(node)} {'=' if rel == '!=' else '<' if rel == '>=' else '≤'} 0 here")
        value = L.ev(v.f)[0, 0]
    except Unsupported as exc:
        raise InputError(f"--at: the point is outside f's domain ({exc.message}); the domain is where {domain}") from None
    if edge:
        raise Unsupported(f"unverified: {', '.join(edge)} has a zero entry here, where a root or fractional "
                          "power of it is not smooth (sqrt(x) is defined on one side of 0 only; "
                          "sqrt((x-1)^2 + y^2) has a cone at its zero); symderiv does not analyse such points")
    L.collect()
    spectral = spectral_point(L, value)
    if spectral is not None:
        return spectral
    if L.jumps:
        return PointResult(value, False, None, None,
                           reason="f jumps at this point, so it is not locally Lipschitz there and has no "
                                  "Clarke subdifferential", active=L.active)
    if L.near_jumps:
        return PointResult(value, False, None, None,
                           reason="f is continuous here but jumps at points arbitrarily close (across "
                                  f"{_words(L.near_jumps[0].node)}'s switch, by an amount that grows from 0 "
                                  "here), so it is not differentiable and not locally Lipschitz here: it has "
                                  "no Clarke subdifferential", active=L.active)
    if L.unbounded:
        return PointResult(value, False, None, None,
                           reason="a one-sided partial derivative of f is infinite here (a fractional power "
                                  "of a kink), so f is not differentiable and not locally Lipschitz here: "
                                  "it has no Clarke subdifferential", active=L.active)
    skip = {k.node.key for k, _ in L.norms} | {k.node.key for k, _, _ in L.maxes} | eigen.skipped(L)
    units = [unit_of(it.row) for it in L.items]
    separable = all(u is not None for u in units) and len({u[0] for u in units}) == len(units)
    if L.interacting or (not separable and 1 < len(L.items) <= MAX_ENUMERATED):
        # exact for any arrangement: the selections of the cells that occur (the additive
        # model below is for many independent kinks, where enumerating would not scale)
        if skip:
            raise Unsupported("unverified: at this point interacting kinks meet a norm or a max; "
                              "that Clarke set is not computed yet")
        return PointResult(value, *selections(L), active=L.active)
    base = L.gradient(skip)
    base, merged = merge_parallel(base, L.items)
    if L.maxes:
        return PointResult(value, *max_set(base, merged, L), active=L.active)
    if eigen.skipped(L):
        return PointResult(value, *eigen.eigen_set(base, merged, L), active=L.active)
    # A norm at the zero of an argument that does not move to first order (||max(X,0)||
    # at X < 0) contributes nothing: its set is w L^T(ball) with L = 0.
    norms = [(k, w) for k, w in L.norms if not flat_at(k.node.arg, L)]
    if not merged and not norms:
        return PointResult(value, True, base, Point(base), active=L.active)
    if norms:
        return PointResult(value, False, None, norm_set(base, merged, norms, L), active=L.active)
    units = [unit_of(it.row) for it in merged]
    if all(u is not None for u in units) and len({u[0] for u in units}) == len(units):
        lower, upper = base.copy(), base.copy()
        one_sided = []
        for it, (pos, c) in zip(merged, units):
            right = base[pos] + it.J * max(c, 0)      # f'(X0; +E_pos)
            left = base[pos] - it.J * max(-c, 0)      # -f'(X0; -E_pos)
            lower[pos], upper[pos] = min(left, right), max(left, right)
            one_sided.append({"entry": [int(pos[0]), int(pos[1])], "left": left, "right": right})
        return PointResult(value, False, None, Box(lower, upper),
                           one_sided=one_sided, active=L.active)
    return PointResult(value, False, None, Hull(cell_gradients(base, merged)),
                       active=L.active)
