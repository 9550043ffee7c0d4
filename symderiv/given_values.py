"""The verdict read again with the values of the constants given with --let: kinks that
can never occur or are constant dropped, and conditions that involve only the constants
decided (specialise); f written out entry by entry where parallel rows make kinks cancel
(entry_by_entry)."""
from __future__ import annotations

from .lazy_import import LazyModule
np = LazyModule("numpy")
import sympy as sp

from . import expr as E
from .analysis import Verdict, analyse, summarise
from .bounds import optional_step
from .entries import entry_values
from .errors import SymderivError
from .evaluate import Evaluator, bind_dims, truth
from .exact_numbers import as_sympy
from .kinks import Kink


MAX_EXPANDED_ENTRIES = 64
EXPAND_CALLS = 8_000_000
# deciding from --let values whether a kink can occur: one symbol per entry of the variable
MAX_SYMBOLIC_ENTRIES = 64
OCCUR_CALLS = 2_000_000


def entry_by_entry(verdict: Verdict, f: E.Node, values: dict) -> Verdict | None:
    """With every constant given and a small variable, f written out in the variable's
    entries: rows of A that are parallel (c^T max(Ax, 0) with A = [[1, 1], [2, 2]]) make
    kinks that cancel, which the matrix form reads as separate.  The kinks found entry
    by entry replace the others where they show f smoother (``verdict`` is rewritten in
    place, its own kinks kept as ``point_kinks``); returns that analysis then.  ``f`` is
    the function as built, before ``analyse`` fused its sums."""
    var = verdict.var
    shape = var.shape
    if var.parts or not all(isinstance(d, int) for d in shape) or shape[0] * shape[1] > MAX_EXPANDED_ENTRIES:
        return None
    if any(s.name not in values for s in E.symbols_of(f) if s.name != var.name):
        return None
    if any(isinstance(n, (E.FroNorm, E.PNorm)) for n in E.walk(f)):
        return None                # written out, a norm is a root of kinks, which hides its kink

    # (kinks that fail, or that only limit the class: ‖max(Ax, 0)‖² with parallel rows)
    mixing = [k for k in verdict.kinks if (not (k.continuous and k.harmless) or k.order is not None
                                           or not k.order_exact) and k.mixes_products(var)]
    if not mixing:
        return None
    try:
        dims = bind_dims(f, {**values, var.name: np.zeros(shape, dtype=object)})
    except SymderivError:
        return None

    def expand():
        (F,) = entry_values(f, dims)
        known = {sp.Symbol(f"{name}[{i},{j}]", real=True): as_sympy(v)
                 for name, arr in values.items() for (i, j), v in np.ndenumerate(arr)}
        mine = {sp.Symbol(f"{var.name}[{i},{j}]", real=True): E.placeholder(k)
                for k, (i, j) in enumerate(np.ndindex(shape))}
        node = E.ew(F.xreplace(known).xreplace(mine), tuple(E.pick(var, i, j) for i, j in np.ndindex(shape)),
                    (1, 1))
        return analyse(node, var)
    try:
        better = optional_step(expand, calls=EXPAND_CALLS)
    except SymderivError:           # outside the exact class entry by entry: keep the matrix form's answer
        return None
    if better is None or better.domain:
        return None                # (‖max(Ax, 0)‖ written out is a root on a restricted domain)
    rank = {None: -1, "inf": 10 ** 6}

    def grade(v):
        return (bool(v.continuous), bool(v.differentiable_everywhere), rank.get(v.smoothness, v.smoothness))
    # the same f, read more finely: kept unless it says less than the matrix form did
    if all(b >= a for a, b in zip(grade(verdict), grade(better))):
        verdict.point_kinks, verdict.kinks = verdict.kinks, better.kinks
        summarise(verdict)
        if better.smoothness == "inf":
            verdict.smoothness, verdict.smoothness_exact = "inf", True
        verdict.notes.append("with the values given with --let, f was also written out entry by entry, "
                             "where kinks of parallel rows add up (or cancel): its kinks are read there")
        return better
    return None


def specialise(v: Verdict, values: dict) -> Verdict:
    """With values for the constants, decide the conditions that only involve them: for
    ||max(X,0) - Y||^2 with Y = 0 the condition y_ij != 0 never holds, so f is
    differentiable everywhere for that Y."""
    if not values:
        return v
    try:
        dims = bind_dims(v.f, values)
    except Exception:      # noqa: BLE001 - sizes that do not bind leave the verdict symbolic
        return v
    ev = Evaluator(values, dims)
    occurs = [(k, optional_step(_may_occur, k, v.var, values, dims, calls=OCCUR_CALLS)) for k in v.kinks]
    if any(o is not None for _, o in occurs):
        # ||Ax - b|| with b outside the range of A: Ax - b is never 0, so f has no kink;
        # with A = b = 0 the norm is 0 everywhere: a constant, smooth
        for k, o in occurs:
            if o == "flat":
                k.continuous, k.harmless, k.order, k.order_exact = True, True, None, True
                k.jump = sp.Integer(0)
                k.note = "with the given values its argument is 0 everywhere: the term is constant"
        v.kinks = [k for k, o in occurs if o is not False]
        summarise(v)
        v.notes.append("with the values given with --let some kinks never occur or are constant")
    changed = False
    for k in v.kinks:
        if k.harmless and k.continuous or not k.condition:
            continue
        used = set().union(*[c.free_symbols for c in k.condition])
        nodes = {ph: k.args[E.placeholder_index(ph)] for ph in used if ph.name.startswith("_p")}
        if any(E.depends_on(n, v.var) for n in nodes.values()):
            continue
        try:
            env = {ph: ev(n) for ph, n in nodes.items()}
            holds = []
            for c in k.condition:
                holds.append(np.asarray(truth(c, env, _common_shape(env), {}, k.args), dtype=bool))
        except Exception:  # noqa: BLE001 - a condition that cannot be evaluated stays symbolic
            continue
        where = holds[0]
        for h in holds[1:]:
            where = where & h
        if not np.any(where):
            if not k.continuous:
                k.continuous = True
                k.jump = sp.Integer(0)
            k.harmless = True
            k.note = "with the given values its condition never holds"
            changed = True
    if changed:
        v.continuous = all(k.continuous for k in v.kinks)
        v.differentiable_everywhere = all(k.continuous and k.harmless for k in v.kinks)
        if v.continuous and v.smoothness is None:
            v.smoothness_exact = False
        if v.differentiable_everywhere and v.smoothness == 0:
            orders = [k.order for k in v.kinks if not (k.harmless and k.continuous) and k.order]
            v.smoothness = (min(orders) - 1) if orders else 1
            v.smoothness_exact = False
        v.notes.append("the verdict uses the values given with --let")
    return v


def _may_occur(k: Kink, var: E.Sym, values: dict, dims: dict):
    """Whether the kink's switch can be 0 for some value of the variable, the constants
    having the given values: False when every entry of the switch is a nonzero constant,
    or identically 0 (the primitive then sits on its breakpoint on an open set, where f
    does not depend on its side), or when the norm's argument, affine in the variable, is
    never 0 (a linear system with no solution); "flat" when the norm's argument is 0
    everywhere.  None when not decided."""
    node = k.zero_of()
    if node is None or var.name in values or var.parts:
        return None
    try:
        shape = tuple(int(d) for d in Evaluator(values, dims).shape(var))
    except Exception:      # noqa: BLE001 - a size the values do not fix: nothing to decide
        return None
    if np.prod(shape) > MAX_SYMBOLIC_ENTRIES:
        return None        # one symbol per entry: for a 500×500 variable the kink stays
    entries = np.empty(shape, dtype=object)
    for idx in np.ndindex(shape):
        entries[idx] = sp.Symbol(f"_v{'_'.join(map(str, idx))}", real=True)
    try:
        u = Evaluator({**values, var.name: entries}, dims)(node)
    except Exception:      # noqa: BLE001 - what the evaluator cannot frame stays a kink
        return None
    us = [sp.expand(as_sympy(x)) for x in np.asarray(u).flat]
    if any(not e.is_polynomial() or sp.Poly(e, *entries.flat).total_degree() > 1 for e in us):
        return None        # not affine in the variable: left to the symbolic verdict
    return k.vanishing(us, entries)


def _common_shape(env: dict):
    for a in env.values():
        if a.shape != (1, 1):
            return a.shape
    return (1, 1)
