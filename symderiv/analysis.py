"""The global verdict: where f is not differentiable, its gradient, its C^k class.

Every node that depends on the variable names its own kinks (``kinks``), handed a
KinkStudy (kink_study.py) that decides each exactly for f; here the kinks are gathered,
given the conditions where f fails, kept when they lie in f's domain (domain.py), and
summarised into continuity, differentiability and the C^k class.  Reading the verdict
again with the constants' values is given_values.py's.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import sympy as sp

from . import expr as E
from .bounds import QUICK_CALLS, charged, optional_step
from .calculus import adjoints, directional, map_entrywise
from .domain import domain_of
from .errors import Unsupported
from .kink_study import KinkStudy, consumers_of
from .kinks import Kink, variable_placeholders
from .naming import named
from .scalar import Prim, Sw, switches_of, to_sign_form
from .signform import INTEGER, nonzero_condition, prettify


@dataclass
class Verdict:
    f: E.Node
    var: E.Sym
    gradient: E.Node              # read back with the table's primitives
    gradient_sign: E.Node         # in sign form (canonical)
    adjoint: dict                 # node key -> adjoint (sign form)
    kinks: list = field(default_factory=list)
    continuous: bool = True
    differentiable_everywhere: bool = True
    smoothness: object = "inf"    # int, 'inf', or None when not continuous
    smoothness_exact: bool = True
    hessian: E.Node | None = None     # D -> d(grad f)[D] on the region where f is C^2
    partials: list = field(default_factory=list)   # for a variable (x, y): df/dx, df/dy
    domain: list = field(default_factory=list)     # (node, '>' | '!=') where f is defined and smooth
    notes: list = field(default_factory=list)
    # the kinks over f's own nodes, which the analysis at a point reads, when ``kinks`` was
    # replaced by the kinks of f written out entry by entry (entry_by_entry)
    point_kinks: list | None = None
    # (points where f fails that the kinks' set leaves out, points of that set where f is
    # differentiable), spelled: the arbiter's amendment of a set in the plane
    arbiter_amend: tuple | None = None

    @property
    def own_kinks(self) -> list:
        """The kinks over f's own nodes (what the routes and the analysis at a point read)."""
        return self.kinks if self.point_kinks is None else self.point_kinks

    @property
    def hessian_failing(self) -> list:
        """Kinks where f is differentiable but its gradient is not (order 2)."""
        return [k for k in self.kinks if k.continuous and k.harmless and k.order == 2]

    @property
    def failing(self) -> list:
        return [k for k in self.kinks if not (k.harmless and k.continuous)]


def pin_family(k: Kink, n: int) -> Kink:
    """One member of a family of kinks (x = π/2 + kπ), the integer k fixed to n."""
    at = {INTEGER: sp.Integer(n)}

    def pin(x):
        if isinstance(x, sp.Basic):
            return x.xreplace(at)
        if isinstance(x, (list, tuple)):
            return type(x)(pin(y) for y in x)
        return x
    fields = ("u", "jump", "strength", "weight", "slopes", "condition", "primitives",
              "order_condition", "branch", "entry", "slope")
    return replace(k, **{name: pin(getattr(k, name)) for name in fields if hasattr(k, name)})


DIRECTION = "D"
HESSIAN_CALLS = 15_000_000


@charged()      # (the same f at another point asks again; a step past its bound fails again at the same count)
def hessian_operator(G_sign: E.Node, var: E.Sym) -> E.Node | None:
    """D -> the derivative of the (region) gradient along D, read back: for the seed
    D -> 2 H(X) ⊙ D.  None when it cannot be formed."""
    D = E.Sym(DIRECTION, var.shape)

    def operator():
        H = directional(G_sign, var, D)
        return map_entrywise(H, lambda e: prettify(to_sign_form(e)))
    try:
        # shown, not used by the verdict: past its bound the output says it was not formed
        return optional_step(operator, calls=HESSIAN_CALLS)
    except (Unsupported, NotImplementedError):
        return None


def analyse(f: E.Node, var: E.Sym) -> Verdict:
    if not f.is_scalar:
        raise Unsupported(f"f is a {E.fmt_shape(f.shape)} matrix; symderiv analyses scalar-valued functions")
    if not E.depends_on(f, var):
        grad = E.const(0, var.shape)
        return Verdict(f=f, var=var, gradient=grad, gradient_sign=grad, adjoint={})
    domain = domain_of(f, var)
    f = E.fuse_sums(f)
    adj = adjoints(f)
    G = adj.get(var.key, E.const(0, var.shape))
    G_sign = map_entrywise(G, lambda e: to_sign_form(e))
    G_pretty = map_entrywise(G_sign, prettify)
    study = KinkStudy(adj, var, consumers_of(f))
    kinks: list[Kink] = []
    for n in E.walk(f):
        if n.key not in adj or not E.depends_on(n, var):
            continue
        try:
            kinks.extend(n.kinks(study))
        except Unsupported as exc:
            raise named(exc, E.frame(adj[n.key], n)[0]) from None
    for k in kinks:
        if not k.continuous:
            k.condition = _jump_condition(k, var)
        elif k.unbounded:
            k.condition = nonzero_condition(k.weight)
        elif not k.harmless:
            k.condition = nonzero_condition(k.failure_weight)
        if k.fails and k.condition is not None:
            k.condition = k.condition + k.moving_condition(var)
        elif not k.fails and k.order_condition is not None:
            k.order_condition = k.order_condition + k.moving_condition(var)   # x max(αx, x) at α = 1 is x^2
    kinks = [k for k in kinks if not k.outside(domain)]
    v = Verdict(f=f, var=var, gradient=G_pretty, gradient_sign=G_sign, adjoint=adj, kinks=kinks)
    v.domain = domain
    v.hessian = hessian_operator(G_sign, var)
    direct = any(c == var and not isinstance(n, E.Pick) for n in E.walk(f) for c in n.children())
    if var.parts and not direct:
        # one partial per scalar, where f reaches them one by one; where f uses the
        # stacked vector whole (‖(x, y)‖_2) the gradient is that vector's own
        for i in range(len(var.parts)):
            part = adj.get(E.Pick(var, i, 0).key, E.const(0))
            v.partials.append(map_entrywise(part, lambda e: prettify(to_sign_form(e))))
    summarise(v)
    return v


def summarise(v: Verdict):
    """Continuity, differentiability and the C^k class from the kinks."""
    kinks = v.kinks
    v.continuous = all(k.continuous for k in kinks)
    v.differentiable_everywhere = all(k.continuous and k.harmless for k in kinks)
    if not v.continuous:
        v.smoothness = None
    else:
        # a kink whose order is not known still bounds the class: f is differentiable
        # across it (order >= 2), nothing more, whatever the other kinks allow (the
        # switches of ||max(X,0)||_F^3 make it C^1, though its norm alone is C^2)
        known = [k.order for k in kinks if k.order is not None and k.order_exact]
        unknown = any(not k.order_exact for k in kinks)
        orders = known + ([2] if unknown else [])
        # exact all the same where a known kink already fails at order <= 2 (‖σ(X)‖_F is
        # exactly C^0 at its zero, whatever the order of its switches)
        exact = not unknown or bool(known) and min(known) <= 2
        if orders:
            v.smoothness = min(orders) - 1
        else:
            v.smoothness = "inf" if exact else None
        v.smoothness_exact = exact
        if not exact and v.smoothness is None:
            v.smoothness = 1 if v.differentiable_everywhere else 0
    if v.differentiable_everywhere and kinks and _smooth_everywhere(v.gradient_sign):
        # the gradient is continuous and equals one smooth expression off the kinks, a
        # dense set: so everywhere, and f is C^∞ (σ(x)ᵀσ(-x) = 0, whose kinks all cancel)
        v.smoothness, v.smoothness_exact = "inf", True


def _smooth_everywhere(node: E.Node) -> bool:
    """No switch, kink, norm or max in the node, and no root or power that could fail
    to be smooth where its base vanishes."""
    for n in E.walk(node):
        if isinstance(n, (E.FroNorm, E.PNorm, E.MaxEntry, E.Argmax, E.Pick)):
            return False
        if isinstance(n, E.Entrywise):
            e = n.expr
            if e.has(Sw, Prim, sp.Abs, sp.sign, sp.Heaviside, sp.Piecewise, sp.Max, sp.Min):
                return False
            if any(not p.exp.is_Integer for p in e.atoms(sp.Pow)):
                return False
    return True


def _jump_condition(k: Kink, var: E.Sym) -> list | None:
    """Where f fails on a switch it jumps across: where the jump J is not 0, and also where
    a smooth factor of J vanishes only simply (H(x) y at (0, 0)): J grows to first order
    along the switch there, so f's two smooth pieces have different gradients.  A square
    factor keeps its condition: H(x) y^2 is differentiable at (0, 0)."""
    cond = nonzero_condition(k.jump)
    if not cond:
        return cond
    V = set(variable_placeholders(k.args, var))
    atoms = switches_of(k.jump)
    names = {a: sp.Dummy() for a in atoms}
    factored = optional_step(sp.factor_list, sp.expand(k.jump).xreplace(names), calls=QUICK_CALLS)
    if factored is None:
        return cond
    simple = [fac for fac, mult in factored[1]
              if mult == 1 and not fac.has(*names.values()) and fac.free_symbols & V]
    if not simple:
        return cond
    drop = {sp.expand(f) for f in simple} | {sp.expand(-f) for f in simple}
    return [c for c in cond if not (isinstance(c, sp.Ne) and sp.expand(to_sign_form(c.lhs)) in drop)]
