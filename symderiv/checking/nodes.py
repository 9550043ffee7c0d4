"""Syntax terms of one step -> engine nodes, with shapes shared between the sides.

All terms of a step (its two sides, its conditions, the arguments of its differentials)
go through one shape inference, so X has the same m×n on both sides and dX has X's
shape.  Sizes nobody fixes stay symbolic, which is what lets a proof about the generic
entry hold for every size.

Differentials: ``dX`` of a variable is a matrix of its own (shaped like X).  ``dS`` of
anything else (a name the derivation defined, ``d(X^T X)``, ``df``) is replaced by the
directional derivative of that expression along the variables' differentials, computed
region-wise (``calculus.directional`` with the sign forms held fixed): exact off the
kinks, and examined separately on them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import expr as E
from .. import syntax as S
from ..build import Builder
from ..calculus import directional
from ..errors import SymderivError
from .reals import real_roots
from .world import names_in, transform

DIFF_PREFIX = "d"          # dX: never a parser name (those are one letter, Greek, or x_1)
HOLE = "∂"                 # the differential of a compound expression, before substitution


@dataclass
class Built:
    sides: list                                   # one node per side
    conditions: list = field(default_factory=list)  # (op, node c): the condition is c op 0
    variables: list = field(default_factory=list)   # Syms whose differentials appear
    differentials: dict = field(default_factory=dict)   # variable name -> its dX Sym
    differentiated: list = field(default_factory=list)  # nodes whose differentials were taken
    shown: dict = field(default_factory=dict)        # Sym name -> how to show it
    symmetric: set = field(default_factory=set)      # names stood in for by (A + A^T)/2
    edges: list = field(default_factory=list)        # the edges of cases no row covers (≠ 0 in conditions)


class ShapeMismatch(Exception):
    def __init__(self, shapes):
        super().__init__("different shapes")
        self.shapes = shapes


class _Builder(Builder):
    """The engine's builder, told that dX is a matrix like X, that the entries dx_{ij}
    belong to dX, and (``one_J``) that every J of a step is the same all-ones matrix: a
    derivation writes tr(J^T J) meaning the J of the line before, not one of any size."""

    default_x_entries = False      # x_1 is an entry of x only where the vector x is written

    def __init__(self, source: str, entry_names: dict, one_J: bool, quantities=frozenset()):
        super().__init__(source, {}, None, None)
        self.entry_names = entry_names
        self.one_J = one_J
        self.quantities = quantities      # names the post uses as numbers (a noise level σ)

    edges: list = []

    def gap_on_edges(self, edges: list) -> bool:
        # σ'(x) = {1 if x > 0; 0 if x < 0}: the claim is made where a row holds, so the
        # step is checked where no edge is 0 (and says so: valid where x ≠ 0)
        self.edges = self.edges + edges
        return True

    def matrix_name(self, name: str, *args, **kwargs) -> str:
        entry = kwargs.get("entry", args[0] if args else False)
        if entry and name in self.entry_names:
            return self.entry_names[name]
        return super().matrix_name(name, *args, **kwargs)

    def special(self, name: str):
        if name == "J" and self.one_J:
            return None            # shaped once, as a name; node() below makes it all-ones
        return super().special(name)

    def node(self, t):
        if isinstance(t, S.Name) and t.name in self.quantities:
            return self.sym(self.matrix_name(t.name))
        if self.one_J and isinstance(t, S.Name) and t.name == "J":
            self.note("J is the all-ones matrix")
            return E.ones(self.shape_of(t))
        return super().node(t)


def build_step(sides: list, conditions: list, variables, source: str = "", quantities=frozenset()) -> Built:
    """``sides``: syntax terms; ``conditions``: (op, left, right) syntax triples;
    ``variables``: the names that vary (their differentials dX, dY may be taken), the
    derivation's own variable first."""
    variables = [v for v in ([variables] if isinstance(variables, str) else (variables or [])) if v]
    try:
        return _build(sides, conditions, variables, source, True, quantities)
    except SymderivError:
        # J of two different sizes in one step: then each J takes its own
        return _build(sides, conditions, variables, source, False, quantities)


def _symmetric(conditions) -> tuple[set, list]:
    """The names a hypothesis A = A^T makes symmetric, and the other conditions."""
    names, rest = set(), []
    for op, a, b in conditions:
        pair = (a, b) if isinstance(b, S.Transpose) else (b, a)
        if op == "=" and isinstance(pair[0], S.Name) and isinstance(pair[1], S.Transpose) \
                and isinstance(pair[1].arg, S.Name) and pair[1].arg.name == pair[0].name:
            names.add(pair[0].name)
        else:
            rest.append((op, a, b))
    return names, rest


def _symmetrize(t, names: set):
    """A -> (A + A^T)/2 for each symmetric A: the claim is then about every symmetric
    matrix at once, for any value the sampler gives A, and a symbolic proof covers them."""
    def fn(u):
        if isinstance(u, S.Name) and u.name in names:
            return S.BinOp("/", S.BinOp("+", u, S.Transpose(u, u.span), u.span), S.Num("2"), u.span)
        return None
    return transform(t, fn)


def _build(sides, conditions, doc_variables, source, one_J, quantities) -> Built:
    symmetric, conditions = _symmetric(conditions)
    if symmetric:
        sides = [_symmetrize(t, symmetric) for t in sides]
        conditions = [(op, _symmetrize(a, symmetric), _symmetrize(b, symmetric)) for op, a, b in conditions]
    holes: list = []              # (hole name, argument term)
    leaf_diffs: dict = {}         # variable name -> its dX name
    entry_names: dict = {}

    def lift(t):
        if not isinstance(t, S.Differential):
            return None
        arg = t.arg
        base, _, sub = arg.name.partition("_") if isinstance(arg, S.Name) else ("", "", "")
        if len(base) == 1 and base.islower() and len(sub) == 1 and sub.isalpha():
            # dx_i inside \sum_i: the i-th entry of dx, the differential of the vector x
            # (read as a scalar of its own it was tied to nothing: d\sum_i x_i^2 = 0)
            leaf_diffs[base] = DIFF_PREFIX + base
            return S.Entry(DIFF_PREFIX + base, (sub,), t.span)
        if isinstance(arg, S.Name):
            leaf_diffs[arg.name] = DIFF_PREFIX + arg.name
            return S.Name(DIFF_PREFIX + arg.name, t.span)
        if isinstance(arg, S.Entry):
            matrix = arg.base.upper() if arg.base.islower() else arg.base
            entry_names[DIFF_PREFIX + arg.base] = DIFF_PREFIX + matrix
            leaf_diffs[matrix] = DIFF_PREFIX + matrix
            return S.Entry(DIFF_PREFIX + arg.base, arg.indices, t.span)
        name = f"{HOLE}{len(holes)}"
        holes.append((name, arg))
        return S.Name(name, t.span)

    sides = [transform(s, lift) for s in sides]
    conds = [(op, transform(a, lift), transform(b, lift)) for op, a, b in conditions]
    # Differentials of compound expressions are taken along every variable they contain
    if holes:
        inside = set().union(*(names_in(a) for _, a in holes))
        for v in doc_variables:
            if v in inside or v == doc_variables[0]:
                leaf_diffs.setdefault(v, DIFF_PREFIX + v)
    b = _Builder(source, entry_names, one_J, quantities)
    every = list(sides) + [x for _, a, c in conds for x in (a, c)] + [a for _, a in holes]
    # the terms as the builder rewrote them (x_1 beside the vector x is its entry 1, as
    # diff reads it), back in the order they were handed over
    prepared = iter(b.prepare(every))
    sides = [next(prepared) for _ in sides]
    conds = [(op, next(prepared), next(prepared)) for op, _, _ in conds]
    holes = [(name, next(prepared)) for name, _ in holes]
    shapes = b.start_shapes()
    for var, dname in leaf_diffs.items():
        shapes.bind(dname, shapes.name_shape(var))
    for name, arg in holes:
        shapes.bind(name, shapes.infer(arg))
    _tie(shapes, [shapes.infer(s) for s in sides])
    for _, a, c in conds:
        _tie(shapes, [shapes.infer(a), shapes.infer(c)])
    b.finish_shapes()
    nodes = [b.node(s) for s in sides]
    cond_nodes = [(op, difference(b.node(a), b.node(c))) for op, a, c in conds]
    cond_nodes += [("!=", e) for e in b.edges]
    variables = [b.sym(v) for v in leaf_diffs if v in b.shapes.names]
    dsyms = {v.name: b.sym(leaf_diffs[v.name]) for v in variables}
    mapping, differentiated = {}, []
    for name, arg in holes:
        a = b.node(arg)
        differentiated.append(a)
        d = E.const(0, a.shape)
        for v in variables:
            if E.depends_on(a, v):
                d = E.add(d, directional(a, v, dsyms[v.name]))
        mapping[b.sym(name).key] = d
    if mapping:
        nodes = [E.substitute(n, mapping) for n in nodes]
    made = {d: v for v, d in leaf_diffs.items()}
    shown = {s.name: _show(s.name, made) for s in b.symbols.values()}
    nodes = [real_roots(n) for n in nodes]
    cond_nodes = [(op, real_roots(c)) for op, c in cond_nodes]
    differentiated = [real_roots(a) for a in differentiated]
    return Built(nodes, cond_nodes, variables, dsyms, differentiated, shown, symmetric, b.edges)


def _tie(shapes, sides: list):
    """Sides must conform (a plain number beside a matrix is judged once the nodes exist:
    it may stand for a constant matrix)."""
    if not shapes.sides_conform(sides):
        raise ShapeMismatch([shapes.show(x) for x in sides])


def difference(left: E.Node, right: E.Node) -> E.Node:
    """left - right, a plain number standing for a constant matrix beside a matrix."""
    if left.is_scalar != right.is_scalar:
        if E.symbols_of(left if left.is_scalar else right):
            raise ShapeMismatch([E.fmt_shape(left.shape), E.fmt_shape(right.shape)])
    return E.ew_map(lambda p, q: p - q, left, right)


def _show(name: str, made: dict) -> str:
    """How a counterexample names a symbol: dX, Δx, λ."""
    if name in made:
        return "d" + _show(made[name], {})
    if name.startswith(("delta_", "Delta_")):
        return "Δ" + name.split("_", 1)[1]
    return name
