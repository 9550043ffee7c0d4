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

Rows are kept sparse (entry -> coefficient), so a large point with many zeros costs
what its active kinks cost, not their number times the size of X.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Optional

import numpy as np
import sympy as sp

from . import expr as E
from .analysis import Verdict, pin_family, variable_placeholders
from .calculus import adjoints, gradient, map_entrywise
from .errors import InputError, Unsupported
from .bounds import optional_step
from .evaluate import Evaluator, bind_dims, scalar_eval, switch_key, to_number
from .exact_numbers import as_sympy
from .render.notation import node_text as _words     # how a refusal quotes a node
from .scalar import to_sign_form
from .sets import Ball, Box, ClarkeSet, Hull, NoClarkeSet, Point, ScaledBall
from .signform import INTEGER

MAX_ENUMERATED = 10
LIMIT_CALLS = 5_000_000
MAX_BASIS = 400


@dataclass
class PointResult:
    value: object                              # f(X0)
    differentiable: bool
    gradient: Optional[np.ndarray]
    subdifferential: Optional[ClarkeSet]       # None where f is not locally Lipschitz
    reason: str = ""
    one_sided: list = field(default_factory=list)
    active: list = field(default_factory=list)  # the kinks active here, for the report

    @property
    def clarke(self) -> ClarkeSet:
        """The Clarke set, or the form that says there is none, and why."""
        return self.subdifferential if self.subdifferential is not None else NoClarkeSet(self.reason)


@dataclass
class _Item:
    """One active kink: its jump J and its row r (sparse: entry -> coefficient); where it
    sits (switch key, position, orientation) so that a side can be chosen for it."""
    J: object
    row: dict
    key: str = ""
    pos: tuple = ()
    orient: int = 1


def _zeros(shape) -> np.ndarray:
    return np.zeros(shape, dtype=object)        # object zeros are the int 0


def _full(shape, v) -> np.ndarray:
    return np.full(shape, v, dtype=object)


def _broadcast(v, shape) -> np.ndarray:
    if isinstance(v, np.ndarray):
        return v if v.shape == tuple(shape) else np.array(np.broadcast_to(v, shape))
    return _full(shape, v)


def _frame_shape(ev: Evaluator, args: tuple):
    big = [a for a in args if not a.is_scalar]
    return ev.shape(big[0]) if big else (1, 1)


def _frame_env(ev: Evaluator, args: tuple, shape, only=None) -> dict:
    """Values of the frame's placeholders (``only`` those given: the rest may not even be
    defined at this point, like the argmax of a tied max)."""
    env = {}
    for i, a in enumerate(args):
        if only is not None and E.placeholder(i) not in only:
            continue
        v = ev(a)
        env[E.placeholder(i)] = _full(shape, v[0, 0]) if v.shape == (1, 1) and shape != (1, 1) else v
    return env


def family_members(k, ev: Evaluator, fshape) -> list:
    """The kink family x = a + kT pinned to each integer k whose member passes through an
    entry of the point (exactly: k = (x - a)/T must be an integer)."""
    p, value = k.branch
    step = sp.diff(value, INTEGER)
    offset = sp.expand(value - step * INTEGER)
    used = {p} | (offset.free_symbols - {INTEGER})
    env = {ph: np.broadcast_to(np.asarray(v, dtype=object), fshape) for ph, v in
           _frame_env(ev, k.args, fshape, used).items()}
    ks = set()
    for pos in np.ndindex(fshape):
        here = {ph: as_sympy(env[ph][pos]) for ph in env}
        n = sp.simplify((here[p] - offset.xreplace(here)) / step)
        if n.is_integer:
            ks.add(int(n))
    return [pin_family(k, n) for n in sorted(ks)]


def _finite(c) -> bool:
    return isinstance(c, (int, Fraction)) or as_sympy(c).is_finite is True


def _positive(c) -> bool:
    return c > 0 if isinstance(c, (int, Fraction)) else bool(as_sympy(c).is_positive)


class _Rows:
    """grad_X of one entry of a node at the point, as a sparse row (cached per node)."""

    def __init__(self, var: E.Sym, ev: Evaluator):
        self.var, self.ev = var, ev
        self.symbolic: dict[str, E.Node] = {}

    def __call__(self, node: E.Node, pos: tuple) -> dict:
        if node == self.var:
            return {pos: 1}
        if isinstance(node, E.Transpose) and node.arg == self.var:
            return {(pos[1], pos[0]): 1}
        g = self.symbolic.get(node.key)
        if g is None:
            W = E.Sym("__W", node.shape)
            g = map_entrywise(gradient(E.sum_all(E.hadamard(node, W)), self.var), to_sign_form)
            self.symbolic[node.key] = g
        unit = _zeros(self.ev.shape(node))
        unit[pos] = 1
        dense = Evaluator({**self.ev.values, "__W": unit}, self.ev.dims, self.ev.overrides)(g)
        return {idx: dense[idx] for idx in zip(*np.nonzero(dense != 0))}


class _Local:
    """The active kinks at one point, and the overrides that put each on a chosen side."""

    def __init__(self, v: Verdict, values: dict):
        self.v, self.var, self.values = v, v.var, values
        self.dims = bind_dims(v.f, values)
        self.ev = Evaluator(values, self.dims)
        self.shape = self.ev.shape(self.var)
        self.rows = _Rows(self.var, self.ev)
        self.items: list[_Item] = []
        self.overrides: dict[str, np.ndarray] = {}
        self.jumps, self.norms, self.maxes, self.active = [], [], [], []
        self.near_jumps: list = []     # f is continuous here but jumps arbitrarily close by
        self.unbounded: list = []      # a partial derivative of f is infinite here
        self.interacting = False
        self.quiet: list = []          # active kinks that are harmless on their own
        self.inner_kinks: list = []

    def side(self, key, pos, sign, fshape):
        arr = self.overrides.get(key)
        if arr is None:
            arr = self.overrides[key] = _full(fshape, None)
        arr[pos] = sign

    def collect(self):
        for k in self.v.own_kinks:
            if k.read_first:
                k.activate(self)
        # kinks of a tied max's own argument are folded into the max's set (max_i |x_i| at 0);
        # where the max is not tied its argmax is defined and they are ordinary kinks
        self.inside_max = {k.node.arg.key for k, _, _ in self.maxes}
        for k in self.v.own_kinks:
            if not k.read_first:
                k.activate(self)

    def max_tie(self, k):
        a = self.ev(k.node.arg)
        top = max(a.flat, key=lambda v: v if isinstance(v, (int, Fraction)) else float(as_sympy(v)))
        ties = [idx for idx in np.ndindex(a.shape) if a[idx] == top]
        if len(ties) < 2:
            return
        env = _frame_env(self.ev, k.args, (1, 1))
        w = _broadcast(scalar_eval(k.weight, env, (1, 1), {}, k.args), (1, 1))[0, 0]
        self.active.append(("max", k, ties))
        if w != 0:
            self.maxes.append((k, w, ties))

    def norm_zero(self, k):
        if any(x != 0 for x in self.ev(k.node.arg).flat):
            return
        env = _frame_env(self.ev, k.args, (1, 1))
        self.active.append(("norm", k))
        if k.unbounded:            # ‖X‖^(1/2) at 0: an infinite slope, no Clarke set
            self.unbounded.append(k)
            return
        try:
            w = _broadcast(scalar_eval(k.weight, env, (1, 1), {}, k.args), (1, 1))[0, 0]
        except Unsupported:
            w = None
        if k.slope is not None and (w is None or w == 0 or not _finite(w)):
            w = k.slope            # h'(0+) of f = h(‖M‖): cos(‖X‖^(1/2)) has slope -1/2 at 0
        if w is None:
            raise Unsupported("unverified: the weight of the norm in f is 0/0 at its zero")
        if w != 0:
            self.norms.append((k, w))

    def switch(self, k):
        if k.branch is not None and k.branch[1].has(INTEGER):
            # a family of zeros (sin x = 0 at x = kπ): the members this point is on
            for member in family_members(k, self.ev, _frame_shape(self.ev, k.args)):
                self.switch(member)
            return
        fshape = _frame_shape(self.ev, k.args)
        needed = k.u.free_symbols | (k.branch[1].free_symbols | {k.branch[0]} if k.branch else set())
        u = _broadcast(scalar_eval(k.u, _frame_env(self.ev, k.args, fshape, needed), fshape, {}, k.args), fshape)
        if not (u == 0).any():
            return
        if k.node.key in self.inside_max:
            self.active.append(("switch", k, list(zip(*np.nonzero(u == 0)))))
            self.inner_kinks.append((k, list(zip(*np.nonzero(u == 0)))))
            return
        env = _frame_env(self.ev, k.args, fshape)
        on = u == 0
        if k.branch is not None and sp.diff(k.u, k.branch[0], 2) != 0:
            # a non-linear switch has one kink per root: keep the points on this one
            p, value = k.branch
            at = _broadcast(scalar_eval(value, env, fshape, {}, k.args), fshape) if value.free_symbols else value
            on = on & (env[p] == at)
        positions = list(zip(*np.nonzero(on)))
        if not positions:
            return
        key, orient = switch_key(k.u, k.args)
        self.active.append(("switch", k, positions))
        if not k.continuous:
            gap = _broadcast(scalar_eval(k.jump, env, fshape, {}, k.args), fshape)
            if any(gap[p] != 0 for p in positions):
                self.jumps.append(k)
            else:
                self._jump_nearby(k, env, fshape, positions)
            return
        if k.unbounded:
            self._unbounded(k, env, fshape, positions)
            return
        coeffs = []
        for ph in variable_placeholders(k.args, self.var):
            c = _broadcast(scalar_eval(sp.diff(k.u, ph), env, fshape, {}, k.args), fshape)
            coeffs.append((k.args[E.placeholder_index(ph)], c))
        if k.harmless:
            for p in positions:
                self.side(key, p, orient, fshape)
                if len(positions) <= MAX_ENUMERATED:
                    # harmless alone, it still splits the cells where interacting kinks meet
                    row = self._row(coeffs, p)
                    if row:
                        self.quiet.append(_Item(0, row, key, p, orient))
            return
        J = _either_side(k.strength, env, fshape, k.args)
        if J is not None and not all(_finite(J[p]) for p in positions):
            # finite away from here, unbounded here: sqrt(|x| + |y|) at (0, 0)
            self._unbounded(k, env, fshape, positions)
            return
        if J is None:
            self.interacting = True      # J depends on the side of another kink here
        for p in positions:
            row = self._row(coeffs, p)
            if not row:
                # u does not move to first order here: it is 0 on a neighbourhood (x_ii - x_ii
                # on the diagonal), so its sign is 0, as on any cell where u vanishes
                self.side(key, p, 0, fshape)
                continue
            self.side(key, p, -orient, fshape)       # G- : every active switch on its negative side
            if J is not None and J[p] == 0:
                continue
            self.items.append(_Item(None if J is None else J[p], row, key, p, orient))

    def _jump_nearby(self, k, env, fshape, positions):
        """The jump across the switch is 0 here but not nearby (H(x) y at (0, 0)).  f is then
        not locally Lipschitz; and when the jump grows to first order along the switch, the
        two smooth pieces of f have different gradients here, so f is not differentiable."""
        slopes = [_broadcast(scalar_eval(sp.diff(k.jump, ph), env, fshape, {}, k.args), fshape)
                  for ph in variable_placeholders(k.args, self.var)]
        if len(positions) == 1 and any(s[positions[0]] != 0 for s in slopes):
            self.near_jumps.append(k)
            return
        raise Unsupported(f"unverified: f jumps across {_words(k.node)}'s switch at points arbitrarily "
                          "close to this one, and the jump vanishes here to second order; symderiv "
                          "does not decide differentiability there")

    def _unbounded(self, k, env, fshape, positions):
        """A fractional power of a kink (sqrt|x| at 0): f is not differentiable here when its
        partial derivative across the switch is infinite, which an exact one-sided limit of
        the entry's difference quotient decides (y sqrt|x| at (0, 0) is differentiable)."""
        p, base = k.branch
        moving = k.args[E.placeholder_index(p)]
        undecided = Unsupported("unverified: a derivative of f is unbounded near this point (a "
                                "fractional power of a kink); symderiv does not decide it here")
        one_entry = moving in (self.var, E.transpose(self.var)) or (
            isinstance(moving, E.Pick) and moving.arg == self.var)
        if len(positions) != 1 or not one_entry:
            raise undecided
        pos = positions[0]
        weight = _broadcast(scalar_eval(k.weight, env, fshape, {}, k.args), fshape)[pos]
        here = {ph: as_sympy(env[ph][pos]) for ph in env if ph != p}
        t = sp.Symbol("t", positive=True)
        entry = to_sign_form(k.entry).xreplace(here)
        at = as_sympy(base).xreplace(here)
        for side in (1, -1):
            quotient = (entry.xreplace({p: at + side * t}) - entry.xreplace({p: at})) / t
            lim = optional_step(sp.limit, quotient, t, 0, "+", calls=LIMIT_CALLS)
            if lim is not None and lim.has(sp.oo, -sp.oo, sp.zoo) and weight != 0:
                self.unbounded.append(k)
                return
        raise undecided

    def _row(self, coeffs, p) -> dict:
        row: dict = {}
        for node, c in coeffs:
            if c[p] == 0:
                continue
            for idx, val in self.rows(node, p).items():
                row[idx] = row.get(idx, 0) + c[p] * val
        return {i: x for i, x in row.items() if x != 0}

    def gradient(self, skip=frozenset()) -> np.ndarray:
        """The gradient with every active switch on its chosen side."""
        ev = Evaluator(self.values, self.dims, self.overrides)
        if skip:
            G = map_entrywise(adjoints(self.v.f, skip=skip).get(self.var.key, E.const(0, self.var.shape)), to_sign_form)
        else:
            G = self.v.gradient_sign
        quiet = {a[1].node.key for a in self.active if a[0] == "norm"} - {k.node.key for k, _ in self.norms}
        try:
            g = ev(G)
        except Unsupported:
            # The sign form can be 0/0 on a kink ((-x)^(3/2)/x for |x|^(3/2) at 0).  Where
            # every active kink is harmless the gradient is continuous there, so the
            # read-back formula (3/2 sign(x) sqrt|x|), finite at the kink, gives its value.
            if skip or self.items or self.jumps or self.unbounded or self.interacting:
                raise
            try:
                g = Evaluator(self.values, self.dims)(self.v.gradient)
            except Unsupported:
                if not quiet:
                    raise
                return self.gradient(frozenset(quiet))      # cos(‖X‖_F) at 0: see below
        if not skip and quiet and any(not _finite(x) for x in np.ravel(g)):
            # ‖X‖^(3/2) at X = 0: the formula is 0/0, but a norm at its zero with weight 0
            # in f contributes nothing to the gradient there; the rest is read without it
            return self.gradient(frozenset(quiet))
        return g if g.shape == self.shape else _full(self.shape, g[0, 0])


def _either_side(e: sp.Expr, env: dict, fshape, args) -> np.ndarray:
    """Evaluate e where some of its own switches may sit exactly on their kink: if the
    value is the same for every choice of their sides (max(y,0) at y = 0 is 0 both ways),
    that is its value; otherwise None: the kinks interact here."""
    from .scalar import Sw
    try:
        return _broadcast(scalar_eval(e, env, fshape, {}, args), fshape)
    except Unsupported:
        pass
    zero_atoms = []
    for atom in sorted(e.atoms(Sw), key=sp.default_sort_key):
        u = _broadcast(scalar_eval(atom.args[0], env, fshape, {}, args), fshape)
        if (u == 0).any():
            zero_atoms.append((atom, u))
    if len(zero_atoms) > 8:
        return None
    values = []
    for signs in itertools.product((1, -1), repeat=len(zero_atoms)):
        over = {}
        for (atom, u), sign in zip(zero_atoms, signs):
            key, orient = switch_key(atom.args[0], args)
            arr = _full(fshape, None)
            arr[u == 0] = sign * orient
            over[key] = arr
        values.append(_broadcast(scalar_eval(e, env, fshape, over, args), fshape))
    if any(a != b for other in values[1:] for a, b in zip(values[0].flat, other.flat)):
        return None              # the value depends on the sides of other kinks: they interact
    return values[0]


def at_point(v: Verdict, values: dict) -> PointResult:
    r = _at_point(v, values)
    if not r.differentiable and r.subdifferential is not None:
        g = r.subdifferential.singleton()
        if g is not None:
            # a locally Lipschitz f whose Clarke set is one point is (strictly)
            # differentiable there: ‖X ⊙ σ(X)‖_F at 0 has the ball of radius 0
            r.differentiable, r.gradient, r.subdifferential = True, g, Point(g)
    return r


def _at_point(v: Verdict, values: dict) -> PointResult:
    if not E.depends_on(v.f, v.var):
        ev = Evaluator(values, bind_dims(v.f, values))
        zero = _zeros(ev.shape(v.var))
        return PointResult(ev(v.f)[0, 0], True, zero, Point(zero))
    L = _Local(v, values)
    shown = {"!=": "≠", ">=": "≥"}
    domain = ", ".join(f"{_words(n)} {shown.get(r, r)} 0" for n, r in v.domain)
    edge = []
    try:
        for node, rel in v.domain:
            vals = L.ev(node)
            if rel == ">=" and all(x == 0 or _positive(x) for x in vals.flat) and any(x == 0 for x in vals.flat):
                edge.append(_words(node))
            elif not all((_positive(x) if rel in (">", ">=") else x != 0) for x in vals.flat):
                raise Unsupported(f"{_words(node)} {'=' if rel == '!=' else '<' if rel == '>=' else '≤'} 0 here")
        value = L.ev(v.f)[0, 0]
    except Unsupported as exc:
        raise InputError(f"--at: the point is outside f's domain ({exc.message}); the domain is where {domain}") from None
    if edge:
        raise Unsupported(f"unverified: {', '.join(edge)} has a zero entry here, where a root or fractional "
                          "power of it is not smooth (sqrt(x) is defined on one side of 0 only; "
                          "sqrt((x-1)^2 + y^2) has a cone at its zero); symderiv does not analyse such points")
    L.collect()
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
    skip = {k.node.key for k, _ in L.norms} | {k.node.key for k, _, _ in L.maxes}
    units = [_unit(it.row) for it in L.items]
    separable = all(u is not None for u in units) and len({u[0] for u in units}) == len(units)
    if L.interacting or (not separable and 1 < len(L.items) <= MAX_ENUMERATED):
        # exact for any arrangement: the selections of the cells that occur (the additive
        # model below is for many independent kinks, where enumerating would not scale)
        if skip:
            raise Unsupported("unverified: at this point interacting kinks meet a norm or a max; "
                              "that Clarke set is not computed yet")
        return _selections(value, L)
    base = L.gradient(skip)
    base, merged = _merge(base, L.items)
    if L.maxes:
        return PointResult(value, *_max_set(base, merged, L), active=L.active)
    # A norm at the zero of an argument that does not move to first order (||max(X,0)||
    # at X < 0) contributes nothing: its set is w L^T(ball) with L = 0.
    norms = [(k, w) for k, w in L.norms if not _flat_at(k.node.arg, L)]
    if not merged and not norms:
        return PointResult(value, True, base, Point(base), active=L.active)
    if norms:
        return PointResult(value, False, None, _norm_set(base, merged, norms, L), active=L.active)
    units = [_unit(it.row) for it in merged]
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
    return PointResult(value, False, None, Hull(_cell_gradients(base, merged)),
                       active=L.active)


def _selections(value, L: _Local) -> PointResult:
    """Kinks that interact (a jump that depends on the side of another kink, as in
    max(|x|, |y|) at 0): the Clarke set of a piecewise-smooth function is the hull of the
    gradients of the selections whose sign cells occur around the point (Scholtes)."""
    items = L.items + L.quiet
    if len(items) > MAX_ENUMERATED:
        raise Unsupported(f"unverified: {len(items)} interacting kinks at this point; more than "
                          f"{MAX_ENUMERATED} cannot be enumerated")
    from .lp import strictly_feasible
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
        return PointResult(value, True, gens[0], Point(gens[0]), active=L.active)
    return PointResult(value, False, None, Hull(gens), active=L.active)


def _unit(row: dict):
    return next(iter(row.items())) if len(row) == 1 else None


def _normalised(row: dict):
    """(a key shared by all rows parallel to this one, the factor c with row = c * unit)."""
    lead = row[min(row)]
    key = tuple(sorted((idx, str(to_number(as_sympy(x) / as_sympy(lead)))) for idx, x in row.items()))
    return key, lead


def _merge(base: np.ndarray, items: list) -> tuple:
    """Merge parallel rows: J_b max(c<r,D>,0) = |c| J_b (max(<r,D>,0) - [c<0]<r,D>)."""
    groups: dict = {}
    order = []
    base = base.copy()
    for it in items:
        key, lead = _normalised(it.row)
        if key not in groups:
            unit_row = {idx: to_number(as_sympy(x) / as_sympy(lead)) for idx, x in it.row.items()}
            groups[key] = _Item(0, unit_row)
            order.append(key)
        g = groups[key]
        if _positive(lead):
            g.J = g.J + it.J * lead
        else:
            g.J = g.J - it.J * lead
            for idx, x in g.row.items():
                base[idx] = base[idx] + it.J * lead * x
    return base, [groups[k] for k in order if groups[k].J != 0]


def _cell_gradients(base: np.ndarray, items: list) -> list:
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
    from .lp import in_hull
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
    from .lp import strictly_feasible
    rows = []
    for a, s in enumerate(signs):
        sign = 1 if s else -1
        rows.append([-sign * gram[a, b] for b in range(gram.shape[1])])
    return strictly_feasible(rows)


# ---------------------------------------------------------------- ties of a max

def _max_set(base, merged, L: _Local):
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

def _flat_at(M: E.Node, L: _Local) -> bool:
    """Whether M's derivative at the point is the zero map (exactly, on a basis)."""
    mshape = L.ev.shape(M)
    if mshape[0] * mshape[1] > MAX_BASIS:
        return False
    U = E.Sym("__U", M.shape)
    g = map_entrywise(gradient(E.sum_all(E.hadamard(M, U)), L.var), to_sign_form)
    for idx in np.ndindex(mshape):
        unit = _zeros(mshape)
        unit[idx] = 1
        try:
            val = Evaluator({**L.ev.values, "__U": unit}, L.ev.dims, L.ev.overrides)(g)
        except Unsupported:
            return False        # M itself kinks here: not flat in the simple sense
        if any(x != 0 for x in val.flat):
            return False
    return True


def _norm_set(base, merged, norms, L: _Local) -> ClarkeSet:
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
    scale = _zeros(L.shape)
    cone = _zeros(L.shape)
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
    flip = -1 if not _positive(w) else 1
    cone = cone * flip
    if not any(c != 0 for c in cone.flat) and len({abs(as_sympy(s)) for s in scale.flat}) == 1:
        r = to_number(abs(as_sympy(scale.flat[0])) * as_sympy(radius))
        return Ball(base, r)
    text, latex = _cone_ball_words(scale, cone, radius)
    return ScaledBall(text, latex, base, scale, cone, radius)


def _entry_slopes(M: E.Node, L: _Local):
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
    from .scalar import Sw
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
