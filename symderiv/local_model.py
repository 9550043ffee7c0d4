"""f near one point X0, to first order: the kinks active there, each switch as a term
J max(<r, D>, 0) with its jump J and its row r (the gradient of its switch), the norms
at their zero, ties of a max and jumps met there, and the overrides that put each
active switch on a chosen side, so that the gradient of any selection can be evaluated.  Rows are kept sparse (entry -> coefficient), so a large
point with many zeros costs what its active kinks cost, not their number times the size
of X.  The Clarke set is assembled from this model in clarke_at_point.py.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction

from .lazy_import import LazyModule
np = LazyModule("numpy")
import sympy as sp

from . import expr as E
from . import fast_exact
from .analysis import Verdict, pin_family
from .bounds import optional_step
from .calculus import adjoints, gradient, map_entrywise
from .errors import Unsupported
from .evaluate import Evaluator, bind_dims, scalar_eval, switch_key
from .exact_numbers import as_sympy
from .kinks import variable_placeholders
from .render.notation import node_text as _words     # how a refusal quotes a node
from .scalar import Sw, to_sign_form
from .signform import INTEGER


MAX_ENUMERATED = 10
LIMIT_CALLS = 5_000_000


@dataclass
class KinkTerm:
    """One active kink: its jump J and its row r (sparse: entry -> coefficient); where it
    sits (switch key, position, orientation) so that a side can be chosen for it."""
    J: object
    row: dict
    key: str = ""
    pos: tuple = ()
    orient: int = 1


def zeros(shape) -> np.ndarray:
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


def positive(c) -> bool:
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
        unit = zeros(self.ev.shape(node))
        unit[pos] = 1
        dense = Evaluator({**self.ev.values, "__W": unit}, self.ev.dims, self.ev.overrides)(g)
        return {idx: dense[idx] for idx in zip(*np.nonzero(dense != 0))}


class LocalModel:
    """The active kinks at one point, and the overrides that put each on a chosen side."""

    def __init__(self, v: Verdict, values: dict):
        self.v, self.var, self.values = v, v.var, values
        self.dims = bind_dims(v.f, values)
        self.ev = Evaluator(values, self.dims)
        self.shape = self.ev.shape(self.var)
        self.rows = _Rows(self.var, self.ev)
        self.items: list[KinkTerm] = []
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
        positions = fast_exact.Positions(on)
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
            if len(positions) > MAX_ENUMERATED:
                # a big point's many harmless kinks: every side set at once, none enumerated
                self.side(key, np.nonzero(on), orient, fshape)
                return
            for p in positions:
                self.side(key, p, orient, fshape)
                if len(positions) <= MAX_ENUMERATED:
                    # harmless alone, it still splits the cells where interacting kinks meet
                    row = self._row(coeffs, p)
                    if row:
                        self.quiet.append(KinkTerm(0, row, key, p, orient))
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
            self.items.append(KinkTerm(None if J is None else J[p], row, key, p, orient))

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
