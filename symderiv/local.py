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
zero contributes a ball.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Optional

import numpy as np
import sympy as sp

from .numbers import as_sympy

from . import expr as E
from .analysis import Verdict, variable_placeholders
from .calculus import adjoints, gradient, map_entrywise
from .errors import Unsupported
from .evaluate import Evaluator, bind_dims, scalar_eval, switch_key, to_number
from .scalar import to_sign_form

MAX_ENUMERATED = 10


@dataclass
class PointResult:
    value: object                              # f(X0)
    differentiable: bool
    gradient: Optional[np.ndarray]
    subdifferential: Optional[dict]
    reason: str = ""
    one_sided: list = field(default_factory=list)
    active: list = field(default_factory=list)  # human-readable active kinks


@dataclass
class _Item:
    key: str
    orient: int
    pos: tuple
    J: object
    row: np.ndarray
    where: str


def _frame_env(ev: Evaluator, args: tuple, shape) -> dict:
    env = {}
    for i, a in enumerate(args):
        v = ev(a)
        env[E.placeholder(i)] = np.full(shape, v[0, 0], dtype=object) if v.shape == (1, 1) and shape != (1, 1) else v
    return env


def _frame_shape(ev: Evaluator, args: tuple):
    big = [a for a in args if not a.is_scalar]
    return ev.shape(big[0]) if big else (1, 1)


def _broadcast(v, shape):
    if isinstance(v, np.ndarray):
        return np.array(np.broadcast_to(v, shape))
    return np.full(shape, v, dtype=object)


class _Rows:
    """grad_X of entry pos of a node, evaluated at the point (cached per node)."""

    def __init__(self, var: E.Sym, ev: Evaluator):
        self.var, self.ev = var, ev
        self.symbolic: dict[str, E.Node] = {}

    def __call__(self, node: E.Node, pos: tuple) -> np.ndarray:
        shape = self.ev.shape(self.var)
        if node == self.var:
            out = np.zeros(shape, dtype=object)
            out[pos] = 1
            return _zeros_int(out)
        if isinstance(node, E.Transpose) and node.arg == self.var:
            out = np.zeros(shape, dtype=object)
            out[pos[1], pos[0]] = 1
            return _zeros_int(out)
        g = self.symbolic.get(node.key)
        W = E.Sym("__W", node.shape)
        if g is None:
            g = map_entrywise(gradient(E.sum_all(E.hadamard(node, W)), self.var), to_sign_form)
            self.symbolic[node.key] = g
        unit = np.zeros(self.ev.shape(node), dtype=object)
        unit[pos] = 1
        unit = _zeros_int(unit)
        sub = Evaluator({**self.ev.values, "__W": unit}, self.ev.dims, self.ev.overrides)
        return sub(g)


def _zeros_int(a: np.ndarray) -> np.ndarray:
    for idx in zip(*np.nonzero(np.vectorize(lambda v: v is None or v == 0, otypes=[bool])(a))):
        a[idx] = 0
    return a


def at_point(v: Verdict, values: dict) -> PointResult:
    f, var = v.f, v.var
    dims = bind_dims(f, values)
    ev = Evaluator(values, dims)
    value = ev(f)[0, 0]
    shape = ev.shape(var)
    if not E.depends_on(f, var):
        zero = np.zeros(shape, dtype=object)
        return PointResult(value, True, _zeros_int(zero), {"form": "point", "value": _zeros_int(zero)})

    rows = _Rows(var, ev)
    items: list[_Item] = []
    overrides: dict[str, np.ndarray] = {}
    jumps, norms, active_text = [], [], []

    def set_side(key, pos, sign, fshape):
        arr = overrides.setdefault(key, np.full(fshape, None, dtype=object))
        arr[pos] = sign

    for k in v.kinks:
        if k.kind == "norm":
            if all(x == 0 for x in ev(k.node.arg).flat):
                env = _frame_env(ev, k.args, (1, 1))
                w = scalar_eval(k.weight, env, (1, 1), {}, k.args)
                w = _broadcast(w, (1, 1))[0, 0]
                active_text.append(("norm", k))
                if w != 0:
                    norms.append((k, w))
            continue
        fshape = _frame_shape(ev, k.args)
        env = _frame_env(ev, k.args, fshape)
        u = _broadcast(scalar_eval(k.u, env, fshape, {}, k.args), fshape)
        positions = [idx for idx in np.ndindex(fshape) if u[idx] == 0]
        if not positions:
            continue
        key, orient = switch_key(k.u, k.args)
        active_text.append(("switch", k, positions))
        if not k.continuous:
            gap = _broadcast(scalar_eval(k.jump, env, fshape, {}, k.args), fshape)
            if any(gap[p] != 0 for p in positions):
                jumps.append(k)
            continue
        if k.harmless:
            for p in positions:
                set_side(key, p, orient, fshape)
            continue
        try:
            J = _broadcast(scalar_eval(k.strength, env, fshape, {}, k.args), fshape)
        except Unsupported:
            raise Unsupported("several kinks meet at this point and interact; the local model is outside the exact class")
        V = variable_placeholders(k.args, var)
        for p in positions:
            set_side(key, p, -orient, fshape)
            if J[p] == 0:
                continue
            row = np.zeros(shape, dtype=object)
            row = _zeros_int(row)
            for ph in V:
                c = sp.diff(k.u, ph)
                c_val = _broadcast(scalar_eval(c, env, fshape, {}, k.args), fshape)[p]
                if c_val == 0:
                    continue
                node = k.args[E.placeholder_index(ph)]
                row = row + c_val * rows(node, p)
            items.append(_Item(key, orient, p, J[p], row, ""))

    if jumps:
        return PointResult(value, False, None, None,
                           reason="f jumps at this point, so it is not locally Lipschitz there and has no Clarke subdifferential",
                           active=active_text)

    ev_g = Evaluator(values, dims, overrides)
    if norms:
        skip = {k.node.key for k, _ in norms}
        G_rest = map_entrywise(adjoints(f, skip=skip).get(var.key, E.const(0, var.shape)), to_sign_form)
        base = _eval_gradient(ev_g, G_rest, shape)
    else:
        base = _eval_gradient(ev_g, v.gradient_sign, shape)

    base, merged = _merge(base, items)
    # A norm at the zero of an argument that does not move to first order (||max(X,0)||
    # at X < 0) contributes nothing: its set is w L^T(ball) with L = 0.
    norms = [(k, w) for k, w in norms if not _flat_at(k.node.arg, var, ev, shape)]
    if not merged and not norms:
        return PointResult(value, True, base, {"form": "point", "value": base}, active=active_text)

    if norms:
        others_active = merged or any(t[0] == "switch" for t in active_text)
        k, w = norms[0]
        c = _identity_scale(k.node.arg, var)
        if others_active or len(norms) > 1 or c is None:
            raise Unsupported("at this point a norm is at its zero together with other kinks (or of a "
                              "non-identity map of the variable); that Clarke set is not computed yet")
        radius = to_number(sp.Abs(as_sympy(w) * c))
        return PointResult(value, False, None, {"form": "ball", "center": base, "radius": radius},
                           reason="", active=active_text)

    units = [_unit(it.row) for it in merged]
    if all(u is not None for u in units) and len({u[0] for u in units}) == len(units):
        lower, upper = base.copy(), base.copy()
        one_sided = []
        for it, (pos, c) in zip(merged, units):
            right = base[pos] + it.J * max(c, 0)      # f'(X0; +E_pos)
            left = base[pos] - it.J * max(-c, 0)      # -f'(X0; -E_pos)
            lower[pos], upper[pos] = min(left, right), max(left, right)
            one_sided.append({"entry": list(pos), "left": left, "right": right})
        return PointResult(value, False, None, {"form": "box", "lower": lower, "upper": upper},
                           one_sided=one_sided, active=active_text)
    gens = _cell_gradients(base, merged)
    return PointResult(value, False, None, {"form": "hull", "generators": gens}, active=active_text)


def _eval_gradient(ev: Evaluator, G: E.Node, shape) -> np.ndarray:
    g = ev(G)
    if g.shape != shape:
        g = np.full(shape, g[0, 0], dtype=object)
    return g


def _unit(row: np.ndarray):
    nz = [(idx, row[idx]) for idx in np.ndindex(row.shape) if row[idx] != 0]
    return nz[0] if len(nz) == 1 else None


def _normalised(row: np.ndarray):
    nz = [row[idx] for idx in np.ndindex(row.shape) if row[idx] != 0]
    if not nz:
        return None, 0
    lead = nz[0]
    key = tuple(str(to_number(as_sympy(x) / as_sympy(lead))) if x != 0 else "0" for x in row.flat)
    return key, lead


def _merge(base: np.ndarray, items: list) -> tuple:
    """Merge parallel rows: J_b max(c<r,D>,0) = |c| J_b (max(<r,D>,0) - [c<0]<r,D>)."""
    groups: dict = {}
    order = []
    base = base.copy()
    for it in items:
        key, lead = _normalised(it.row)
        if key is None:
            continue
        if key not in groups:
            groups[key] = _Item(it.key, it.orient, it.pos, 0, it.row / lead if lead != 1 else it.row, it.where)
            groups[key].row = np.vectorize(lambda x: to_number(as_sympy(x) / as_sympy(lead)) if x != 0 else 0, otypes=[object])(it.row)
            order.append(key)
        g = groups[key]
        c = lead   # it.row = c * g.row
        if (c > 0) if isinstance(c, (int, Fraction)) else as_sympy(c).is_positive:
            g.J = g.J + it.J * c
        else:
            g.J = g.J - it.J * c
            base = base + it.J * c * g.row
    merged = [groups[k] for k in order if groups[k].J != 0]
    return _zeros_int(base), merged


def _cell_gradients(base: np.ndarray, items: list) -> list:
    K = len(items)
    if K > MAX_ENUMERATED:
        raise Unsupported(f"{K} interacting kinks at this point; more than {MAX_ENUMERATED} cannot be enumerated")
    gram = sp.Matrix(K, K, lambda a, b: sp.nsimplify(sum(x * y for x, y in zip(items[a].row.flat, items[b].row.flat))))
    independent = gram.rank() == K
    cs = sp.symbols(f"c0:{K}")
    gens, seen = [], set()
    for signs in itertools.product((0, 1), repeat=K):
        if not independent:
            from sympy.solvers.simplex import lpmax, InfeasibleLPError
            proj = gram * sp.Matrix(cs)
            cons = [(proj[a] >= 1) if s else (proj[a] <= -1) for a, s in enumerate(signs)]
            try:
                lpmax(sp.Integer(0), cons)
            except InfeasibleLPError:
                continue
        g = base.copy()
        for it, s in zip(items, signs):
            if s:
                g = g + it.J * it.row
        g = _zeros_int(g)
        key = tuple(str(x) for x in g.flat)
        if key not in seen:
            seen.add(key)
            gens.append(g)
    return gens


MAX_BASIS = 400


def _flat_at(M: E.Node, var: E.Sym, ev: Evaluator, shape) -> bool:
    """Whether M's derivative at the point is the zero map (exactly, on a basis)."""
    U = E.Sym("__U", M.shape)
    g = map_entrywise(gradient(E.sum_all(E.hadamard(M, U)), var), to_sign_form)
    mshape = ev.shape(M)
    if mshape[0] * mshape[1] > MAX_BASIS:
        return False
    for idx in np.ndindex(mshape):
        unit = _zeros_int(np.zeros(mshape, dtype=object))
        unit[idx] = 1
        try:
            val = Evaluator({**ev.values, "__U": unit}, ev.dims, ev.overrides)(g)
        except Unsupported:
            return False        # M itself has a kink here: not flat in the simple sense
        if any(v != 0 for v in val.flat):
            return False
    return True


def _identity_scale(M: E.Node, var: E.Sym):
    from .analysis import _affine_in
    c, _ = _affine_in(M, var)
    return c
