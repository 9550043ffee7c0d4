"""The kinds of kink a verdict is made of, each a class that answers for itself.

  SwitchKink   an entrywise primitive at a switch u = 0 of one of its entries (|x| at x = 0)
  NormKink     an unsquared norm ||M|| at M = 0
  MaxKink      the largest entry max_ij a_ij where it is attained more than once
  EigenKink    λ_max(M) (or λ_min) of a symmetric M where that eigenvalue is repeated
  SpectralKink (spectral_kinks.py) a singular-value function where its gradient is not
               defined (‖X‖_* where rank X < min(m, n), ‖X‖_2 where σ₁ = σ₂ or X = 0, ...)

A kink knows where it lies and where f fails on it (in text or LaTeX, through the
notation it is given), the sentence that explains what it does to f, which of its
numbers says whether f fails, whether a point is on its failing set, and which step of
the analysis at a point reads it (the Clarke set is assembled in clarke_at_point.py from the
kinks active there).  The exact decisions (switch_kinks.py, kink_study.py) fill the
fields; the output formats and the routes ask the kink, not its kind.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Optional

from .lazy_import import LazyModule
np = LazyModule("numpy")
import sympy as sp

from . import expr as E
from .directional import sign_of
from .evaluate import truth
from .exact_numbers import as_sympy
from .scalar import Sw, to_sign_form
from .signform import prettify


def variable_placeholders(args: tuple, var: E.Sym) -> list:
    """Placeholders bound to something that depends on var, the variable itself first."""
    scored = []
    for i, a in enumerate(args):
        if E.depends_on(a, var):
            rank = 0 if a == var else (1 if isinstance(a, E.Transpose) and a.arg == var else 2)
            scored.append((rank, i))
    return [E.placeholder(i) for _, i in sorted(scored)]


# ---------------------------------------------------------------- words shared by the kinds

def _pick(N, text: str, latex: str) -> str:
    return latex if N.latex else text


def _and(N) -> str:
    return _pick(N, " and ", r" \text{ and } ")


def _m(text: str, N) -> str:
    """Math inside a sentence: $...$ in LaTeX."""
    return f"${text}$" if N.latex else text


def quantifier(args: tuple, latex: bool, off_diagonal: bool = False) -> str:
    """' for some i, j' when the kink's frame has a matrix (or vector) in it."""
    big = [a for a in args if not a.is_scalar]
    if not big:
        return ""
    vector = all(a.shape[1] == 1 for a in big)
    if vector:
        return r" \text{ for some } i" if latex else " for some i"
    if off_diagonal:
        return r" \text{ for some } i \ne j" if latex else " for some i ≠ j"
    return r" \text{ for some } i, j" if latex else " for some i, j"


def _slopes(slopes, N, args=()) -> str:
    left, right = slopes

    def one(g):
        shown = [N.entry(x, args) if isinstance(x, sp.Basic) and x.free_symbols else str(x) for x in g]
        return shown[0] if len(g) == 1 else "(" + ", ".join(shown) + ")"
    return f"{_m(one(left), N)} and {_m(one(right), N)}"


# ---------------------------------------------------------------- the kinds

@dataclass
class Kink:
    """One family of kinks: a place where a primitive of f is not smooth, with what the
    analysis found it does to f.  The fields marked (switch) are read for switches only;
    a norm or a max leaves them at their defaults (the routes' comparison still reads the
    switch of any failing kink, so they stay on the base)."""
    kind: ClassVar[str] = ""            # the JSON name of the kind
    read_first: ClassVar[bool] = False  # the analysis at a point reads these before the others
    node: E.Node = None                 # the node that kinks
    args: tuple = ()                    # the frame the expressions below are written over
    u: Optional[sp.Expr] = None         # (switch) the switch, over the frame's placeholders
    jump: sp.Expr = sp.Integer(0)       # (switch) f's own jump on the switch (0: continuous)
    strength: sp.Expr = sp.Integer(0)   # J on the switch: the gradient jumps by J grad(u)
    weight: sp.Expr = sp.Integer(0)     # the adjoint a on the switch
    continuous: bool = True
    harmless: bool = True
    order: Optional[int] = None         # f - (one side) vanishes to this order; None = inf
    order_exact: bool = True
    slopes: tuple = ()                  # (switch) (left, right) of the entry's dF/du on it
    condition: list | None = None       # where on the kink f fails (conjunction; [] = all of it)
    primitives: list = field(default_factory=list)   # (switch) (call, table slopes, weight in f on it)
    order_condition: list | None = None  # where on the kink the order is exactly ``order``
    branch: tuple | None = None         # (switch) (p, value): the root of u = 0 this kink is about
    off_diagonal: bool = False          # (switch) the switch vanishes identically on i = j
    critical: bool = False              # (switch) u not linear in the variable: grad u may vanish on u = 0
    unbounded: bool = False             # the one-sided derivatives blow up there (sqrt|x| at 0)
    entry: sp.Expr | None = None        # (switch) the node's entry over ``args``, for exact limits
    note: str = ""
    decided_by: str = ""                # the arbiter's sentence when the exact test settled this kink

    @property
    def fails(self) -> bool:
        """f is not differentiable somewhere on this kink."""
        return not (self.harmless and self.continuous)

    @property
    def failure_weight(self) -> sp.Expr:
        """The number whose zeros are where the kink does not fail (for a continuous kink)."""
        return self.strength

    # where
    def place(self, N) -> str:
        """Where the kink lies, e.g. 'x_ij = 0 for some i, j'."""
        raise NotImplementedError

    def where(self, N) -> str:
        """Where f fails on it, e.g. 'x_ij = 0 and y_ij ≠ 0 for some i, j'."""
        raise NotImplementedError

    def where_gradient_kinks(self, N) -> str:
        """Where f is differentiable on it but its gradient is not (an order-2 kink)."""
        return self.place(N)

    def story(self, N) -> str:
        """What the primitive does there and what that does to f, in a sentence or two."""
        raise NotImplementedError

    def to_json(self, N_text, N_latex) -> dict:
        item = {"where": {"text": self.place(N_text), "latex": self.place(N_latex)},
                "kind": self.kind, "continuous": self.continuous,
                "differentiable": self.continuous and self.harmless, "order": self.order}
        if self.fails:
            item["fails"] = {"text": self.where(N_text), "latex": self.where(N_latex)}
        return item

    # the analysis
    def moving_condition(self, var: E.Sym) -> list:
        """A condition under which the kink moves with the variable at all (max(αx, x) fails
        only for α ≠ 1); [] when there is none to add."""
        return []

    def outside(self, domain: list) -> bool:
        """The kink lies where f is not analysed (outside its domain), so it is no kink of f."""
        return False

    def zero_of(self) -> E.Node | None:
        """The node whose zero entries are the kink, when there is one."""
        return None

    def vanishing(self, us: list, entries) -> object:
        """From the zero node's entries, affine in the variable's entries: False when they
        are never 0 together, 'flat' when always, None when not decided."""
        return None

    def fails_at(self, ev, var: E.Sym) -> bool | None:
        """Is the point the evaluator holds on the set where f fails on this kink?  None
        when it cannot be told there."""
        raise NotImplementedError

    def mixes_products(self, var: E.Sym) -> bool:
        """The kink reads a product of the variable (A x), whose rows another kink may share."""
        return False

    def activate(self, L) -> None:
        """Hand the kink to the step of the analysis at a point that reads its kind."""
        raise NotImplementedError


@dataclass
class SwitchKink(Kink):
    """An entrywise primitive at u = 0 (one root of it, for a non-linear u)."""
    kind: ClassVar[str] = "switch"

    @property
    def switch_eq(self):
        """Where the kink is: u = 0, or p = value for one root of a non-linear u."""
        if self.branch is not None and sp.diff(self.u, self.branch[0], 2) != 0:
            return sp.Eq(self.branch[0], self.branch[1])
        return sp.Eq(self.u, 0)

    def place(self, N):
        return N.entry(self.switch_eq, self.args) + quantifier(self.args, N.latex, self.off_diagonal)

    def where(self, N):
        parts = [N.entry(self.switch_eq, self.args)]
        parts += [N.entry(c, self.args) for c in (self.condition or [])]
        if self.critical and self.continuous:
            # where grad u = 0 on u = 0 the kink vanishes to second order (|x y| at the origin)
            u = N.entry(self.u, self.args)
            parts.append(rf"\nabla ({u}) \ne 0" if N.latex else f"∇({u}) ≠ 0")
        return _and(N).join(parts) + quantifier(self.args, N.latex, self.off_diagonal)

    def where_gradient_kinks(self, N):
        conds = [N.entry(self.switch_eq, self.args)] + [N.entry(c, self.args) for c in (self.order_condition or [])]
        return _and(N).join(conds) + quantifier(self.args, N.latex)

    def story(self, N):
        place = _m(N.entry(self.switch_eq, self.args), N)
        some = quantifier(self.args, False, self.off_diagonal).strip()
        where = f"Where {place}" + (f" ({some})" if some else "")
        if self.decided_by:
            return f"{where}" + (f" and {_m(' and '.join(N.entry(c, self.args) for c in self.condition), N)}"
                                 if self.condition else "") + f": {self.decided_by}."
        if not self.continuous:
            return f"{where}, f jumps by {_m(N.entry(self.jump, self.args), N)}: it is not continuous there."
        parts = []
        for call, slopes, weight, w_on in self.primitives:
            text = _m(N.entry(call, self.args), N)
            if slopes is not None and len(slopes[0]) == 1:
                text += f" has one-sided slopes {_slopes(slopes, N, self.args)}"
            else:
                text += " switches between its arguments"
            if w_on is not None:
                if sp.expand(weight - w_on) == 0:
                    text += f" and enters f with weight {_m(N.entry(w_on, self.args), N)}"
                else:
                    text += (f" and enters f with weight {_m(N.entry(weight, self.args), N)}, which is "
                             f"{_m(N.entry(w_on, self.args), N)} there")
            parts.append(text)
        head = f"{where}, " + ("; ".join(parts) if parts else "a primitive switches") + "."
        if self.unbounded:
            return (head + " A fractional power of it makes the one-sided derivatives of f unbounded "
                    f"there: f is not differentiable where {_m(self.where(N), N)}.")
        if self.harmless:
            return head + " So the gradient of f does not jump there: f is differentiable there."
        return (head + f" So the gradient of f jumps by {_m(N.entry(self.strength, self.args), N)}"
                f"{self._direction(N)}: f is not differentiable where {_m(self.where(N), N)}.")

    def _direction(self, N) -> str:
        """'in entry (i, j)' when the switch is an entry of the variable itself."""
        if self.u.is_Symbol:
            node = self.args[E.placeholder_index(self.u)]
            if isinstance(node, E.Sym):
                if node.is_scalar:
                    return ""
                return " in entry (i, j)" if node.shape[1] != 1 else " in entry i"
        u = N.entry(self.u, self.args)
        grad = _m(r"\nabla_X (" + u + ")" if N.latex else "∇(" + u + ")", N)
        return f" times {grad}"

    def moving_condition(self, var):
        """max(αx, x) switches where (α - 1)x = 0, which for α = 1 is every x, and f = x is
        smooth there: a switch whose slope along the variable is a constant c fails only
        where c != 0.  Read when the variable enters the switch as itself, entry by entry."""
        V = variable_placeholders(self.args, var)
        if len(V) != 1 or self.args[E.placeholder_index(V[0])] != var:
            return []
        c = sp.expand(sp.diff(self.u, V[0]))
        if c.is_number or c.free_symbols & set(V) or c.has(Sw):
            return []
        ne = sp.Ne(c, 0)
        return [prettify(ne)] if ne not in (sp.true, sp.false) else []

    def outside(self, domain):
        """A switch on which f is not defined (|x|^(-1/2) or log|x| at x = 0) is no kink of
        f: some domain condition's expression is identically 0 there."""
        return off_domain(self.args, self.node.shape, self.branch, domain)

    def zero_of(self):
        return E.ew(self.u, self.args, self.node.shape)

    def vanishing(self, us, entries):
        return False if all(e.is_number for e in us) else None

    def fails_at(self, ev, var):
        u = ev(E.ew(self.u, self.args, self.node.shape))
        on = np.vectorize(lambda v: sign_of(as_sympy(v)) == 0, otypes=[bool])(u)
        if self.critical:
            # a non-linear switch claims only where its gradient does not vanish (x y = 0 and
            # ∇(x y) ≠ 0): where every partial is 0 the kink says nothing
            moving = np.zeros(on.shape, dtype=bool)
            for i, a in enumerate(self.args):
                if E.depends_on(a, var):
                    g = ev(E.ew(sp.diff(self.u, E.placeholder(i)), self.args, self.node.shape))
                    moving |= np.vectorize(lambda v: sign_of(as_sympy(v)) != 0, otypes=[bool])(g)
            on &= moving
        if self.branch is not None and sp.diff(self.u, self.branch[0], 2) != 0:
            # one root of a non-linear u (the kink says p = value, as switch_eq does); for a
            # u linear in p the kink is all of u = 0 (x y = 0 is x = 0 or y = 0)
            b = ev(E.ew(self.branch[0] - self.branch[1], self.args, self.node.shape))
            on &= np.vectorize(lambda v: sign_of(as_sympy(v)) == 0, otypes=[bool])(b)
        for c in (self.condition or []):
            used = c.free_symbols
            env = {ph: ev(self.args[E.placeholder_index(ph)]) for ph in used if ph.name.startswith("_p")}
            held = truth(c, env, on.shape, {}, self.args)
            on &= np.broadcast_to(held, on.shape)
        return bool(np.any(on))

    def mixes_products(self, var):
        # a switch of A x, or of x^T, which another kink reads as x: their jumps add up
        used = self.u.free_symbols if self.u is not None else set()
        return any(E.placeholder(i) in used and any(isinstance(m, (E.MatMul, E.Transpose)) and E.depends_on(m, var)
                                                    for m in E.walk(a)) for i, a in enumerate(self.args))

    def activate(self, L):
        L.switch(self)


@dataclass
class NormKink(Kink):
    """||M|| at M = 0: harmless exactly when its weight in f vanishes there."""
    kind: ClassVar[str] = "norm"
    slope: sp.Expr | None = None        # h'(0+) in f = h(‖M‖), where the weight's formula is 0/0
    edge: tuple | None = None           # a norm of g(U) with g flat at 0: (g's switches, U's frame); f fails
                                        # only where some entry of U is on one (‖σ(X)‖ at X < 0 is smooth)

    @property
    def failure_weight(self):
        return self.weight

    def place(self, N):
        return f"{N.node(self.node.arg)} = 0"

    def _edge(self, N) -> str:
        """Where a norm of a map flat on an interval fails: 'x_ij = 0 for some i, j'."""
        switches, args = self.edge
        either = _pick(N, " or ", r" \text{ or } ").join(N.entry(sp.Eq(w, 0), args) for w in switches)
        return either + quantifier(args, N.latex)

    def where(self, N):
        conds = [N.entry(c, self.args) for c in (self.condition or [])]
        if self.edge is not None:
            conds.append(self._edge(N))
        return _and(N).join([self.place(N)] + conds)

    def story(self, N):
        where = _m(self.place(N), N)
        if self.harmless and self.note:
            return f"At {where}: {self.note}."
        if self.harmless:
            return f"At {where} the norm has a kink, but its weight in f vanishes there, so f has none."
        story = (f"At {where} the norm has a kink, and it enters f with weight "
                 f"{_m(N.entry(self.weight, self.args), N)}: f is not differentiable there")
        if self.edge is not None:
            story += (f" if {_m(self._edge(N), N)}; where no entry is on a switch, the "
                      "argument of the norm stays 0 nearby, so f is 0 there and differentiable")
        return story + "."

    def outside(self, domain):
        # a norm's zero outside f's domain (1/||X||) is not a kink of f
        return self.node.key in {node.key for node, _ in domain}

    def zero_of(self):
        return self.node.arg

    def vanishing(self, us, entries):
        if all(e == 0 for e in us):
            return "flat"      # ‖A x‖ with A = 0: the norm is 0 everywhere, a constant
        return False if not sp.linsolve(us, *entries.flat) else None

    def fails_at(self, ev, var):
        if self.condition:
            return None
        return all(sign_of(as_sympy(v)) == 0 for v in ev(self.node.arg).flat)

    def activate(self, L):
        L.norm_zero(self)


class _Tied:
    """A kink where something is attained twice (the largest entry, the largest
    eigenvalue): it lies where ``_tie`` says, under the kink's own conditions."""

    def place(self, N):
        return self._tie(N)

    def where(self, N):
        conds = [N.entry(c, self.args) for c in (self.condition or [])]
        return _and(N).join([self._tie(N)] + conds)


@dataclass
class MaxKink(_Tied, Kink):
    """max_ij a_ij where the largest entry is attained more than once."""
    kind: ClassVar[str] = "max"
    # a tied max's set takes in the kinks of its own argument (max_i |x_i| at 0), so the
    # analysis at a point reads the maxes first
    read_first: ClassVar[bool] = True

    def _tie(self, N) -> str:
        what = N.node(self.node.arg)
        return (rf"\text{{the largest entry of }} {what} \text{{ is attained more than once}}" if N.latex
                else f"the largest entry of {what} is attained more than once")

    def story(self, N):
        where = _m(self._tie(N), N)
        if self.harmless:
            return f"Where {where}, the max switches between entries, but its weight in f vanishes: no kink of f."
        return (f"Where {where}, the max switches between the tied entries and enters f with weight "
                f"{_m(N.entry(self.weight, self.args), N)}: f is not differentiable there.")

    def fails_at(self, ev, var):
        if self.condition:
            return None
        vals = [as_sympy(v) for v in ev(self.node.arg).flat]
        top = vals[0]
        for v in vals[1:]:
            if sign_of(v - top) > 0:
                top = v
        return sum(1 for v in vals if sign_of(v - top) == 0) > 1

    def mixes_products(self, var):
        # a tie of the largest entry of A x, whose rows may be the same
        return any(isinstance(m, E.MatMul) and E.depends_on(m, var) for m in E.walk(self.node.arg))

    def activate(self, L):
        L.max_tie(self)


def off_domain(args: tuple, shape: tuple, branch: tuple, domain: list) -> bool:
    """Whether the root p = value of a switch over ``args`` lies where f is not analysed:
    where a domain condition's expression is identically 0.  That is outside the domain
    for log u, 1/u, u^(-1/2), and on its edge for sqrt(u) (|sqrt(x)| at x = 0: the verdict
    is about u > 0, and the side u < 0 does not exist, so there is no kink to compare)."""
    index = {a.key: i for i, a in enumerate(args)}
    p, value = branch
    for node, rel in domain:
        if node.shape != shape:
            continue
        if isinstance(node, E.Sym) and node.key in index:       # |x|/x: x ≠ 0
            expr = E.placeholder(index[node.key])
        elif isinstance(node, E.Entrywise) and all(a.key in index for a in node.args):
            expr = node.expr.xreplace({E.placeholder(i): E.placeholder(index[a.key])
                                       for i, a in enumerate(node.args)})
        else:
            continue
        if sp.expand(to_sign_form(expr.xreplace({p: value}))) == 0:
            return True
    return False


@dataclass
class EigenKink(_Tied, Kink):
    """λ_max(M) (λ_min(M)) where the largest (smallest) eigenvalue of M is repeated:
    there its gradient q qᵀ is not defined (it depends on the choice of q in the
    eigenspace), and f fails unless the weight of the eigenvalue in f vanishes."""
    kind: ClassVar[str] = "eigen"

    def _tie(self, N) -> str:
        what = N.node(self.node.arg)
        if self.node.which == "kyfan":
            k = self.node.k
            return (rf"\lambda_{{{k}}}({what}) = \lambda_{{{k + 1}}}({what})" if N.latex
                    else f"λ_{k}({what}) = λ_{k + 1}({what})")
        if self.node.which == "max":
            return rf"\lambda_1({what}) = \lambda_2({what})" if N.latex else f"λ_1({what}) = λ_2({what})"
        return (rf"\lambda_{{n-1}}({what}) = \lambda_n({what})" if N.latex
                else f"λ_(n-1)({what}) = λ_n({what})")

    def story(self, N):
        where = _m(self._tie(N), N)
        if self.node.which == "kyfan":
            k = self.node.k
            if self.harmless:
                return f"Where {where}, the weight of the sum of the {k} largest eigenvalues in f vanishes: no kink of f."
            return (f"Where {where}, the sum of the {k} largest eigenvalues has a kink (which eigenvectors of "
                    f"the tied eigenvalue count among the top {k} is not fixed; where λ_{k} > λ_{k + 1} its gradient "
                    f"is the projector onto the top-{k} eigenspace); it enters f with weight "
                    f"{_m(N.entry(self.weight, self.args), N)}: f is not differentiable there.")
        word = "largest" if self.node.which == "max" else "smallest"
        grad = "q_1 q_1^T" if self.node.which == "max" else "q_n q_n^T"
        grad = _m(grad.replace("^T", r"^\top") if N.latex else grad.replace("_1", "₁").replace("^T", "ᵀ"), N)
        if self.harmless:
            return (f"Where {where} (the {word} eigenvalue is repeated), its weight in f vanishes: "
                    "no kink of f.")
        extreme = "max" if self.node.which == "max" else "min"
        M = N.child(self.node.arg, 2)          # in parentheses unless it binds as a product
        qMq = _m(rf"q^\top {M} q" if N.latex else f"qᵀ {M} q", N)
        qq = _m(r"q q^\top" if N.latex else "qqᵀ", N)
        return (f"Where {where}, the {word} eigenvalue is repeated: it is the {extreme} of the linear "
                f"functions {qMq} over the unit vectors q of its eigenspace, whose gradients {qq} differ, so it "
                f"has a kink there (where it is simple its gradient is {grad}); it enters f with weight "
                f"{_m(N.entry(self.weight, self.args), N)}: f is not differentiable there.")

    def fails_at(self, ev, var):
        if self.condition:
            return None
        from .nodes.eigen import _rational_matrix, extreme
        return extreme(_rational_matrix(ev(self.node.arg)), self.node.which).multiplicity > 1

    def mixes_products(self, var):
        return False

    def activate(self, L):
        from .nodes.eigen import eigen_tie
        eigen_tie(L, self)
