"""The hand-derivation checker: a post or a .tex file -> a verdict for every step.

A step is one relation of a chain (``a = b = c`` is two steps), one per row of an aligned
block.  A fresh name on the left (``S = sign(X)``, ``f(x) = ...``) is a definition; a label
``f'(x)`` names what follows; every other step is a claim, checked in the light of the
definitions before it:
  * an equality of expressions (``checking.decide``), with any differentials (``dS``,
    ``df``) replaced by directional derivatives along dX;
  * a step with limits (``checking.limits``).
Verdicts: definition, valid, valid-where (with the condition), invalid (with an exact
counterexample) and unverified (with the reason).  A step that is false is traced back
to the earlier false steps it builds on (``depends_on``): those of its own chain, and
those whose claim, taken as true, would make it hold.

This module wires the document's steps together; the pieces it uses (reading a row,
what the chains say about names, deciding an equality, explaining a verdict) live in
``symderiv.checking``.
"""
from __future__ import annotations

import re
from fractions import Fraction
from dataclasses import dataclass, field, replace

from .lazy_import import numpy_errors_ignored
import sympy as sp

from . import bounds, guard
from . import syntax as S
from .checking import decide as D
from .checking import explain as X
from .checking import limits as L
from .checking.nodes import ShapeMismatch, build_step
from .checking.reading import Expr, Gradient, Label, Limit, Scaled, Unreadable, read, restore_increments
from .checking.assumptions import names as assumed_names
from .checking.chains import (defined_later, differentiated, plain_names, quantities, scalar_d, syntax_terms,
                              uses)
from .checking.conventions import only_a_convention
from .checking.primes import STEP_NAMES, derivative_claim
from .checking.redefine import SPECIAL, may_redefine
from .checking.rows import equations
from .checking.variable import choose as choose_variable
from .checking.world import SIGMOID, World, names_in, names_the_sigmoid, substitute_names, transform
from .errors import BudgetExceeded, InputError, SymderivError, Unsupported
from .latex_words import canonical

MAX_CHARS = 200_000
MAX_EQUATIONS = 400
# Work, counted in function calls (bounds): one step may use STEP_CALLS; the steps share
# CHECK_CALLS, and past it the rest are unverified while what was decided is kept (the
# wall-clock guard, guard.REQUEST_SECONDS, is only a last resort behind them).
STEP_CALLS = 12_000_000
CHECK_CALLS = 60_000_000
MIN_STEP_CALLS = 500_000
OP_TEX = {"=": "=", "<": "<", ">": ">", "<=": r"\le", ">=": r"\ge", "!=": r"\ne", ":=": ":=",
          "approx": r"\approx"}


@dataclass
class Step:
    index: int
    source: str
    verdict: str
    reason: str
    condition: dict | None = None
    counterexample: X.Cex | None = None
    depends_on: list = field(default_factory=list)
    line: int = 0
    chain: int = 0
    claim: tuple | None = field(default=None, repr=False)     # (left, right, conditions) terms


@dataclass(repr=False)     # the field-by-field repr lists every step; see __repr__
class Report:
    steps: list
    variable: str | None
    blocks: int

    @property
    def first_error(self) -> int | None:
        return next((s.index for s in self.steps if s.verdict == "invalid"), None)

    def __repr__(self) -> str:
        """One line: how many steps of each verdict, and the first error."""
        from .render import markdown_out      # lazy: the renderers load only when shown
        return markdown_out.check_short(self)

    def _repr_markdown_(self) -> str:
        """Jupyter's rich display: what `check --format markdown` prints."""
        from .render import markdown_out      # lazy: the renderers load only when shown
        return markdown_out.render_check(self)

    def _repr_latex_(self) -> str:
        """The steps as one math display, a mark beside each."""
        from .render import markdown_out      # lazy: the renderers load only when shown
        return markdown_out.check_latex(self)


def check(text: str, *, timeout: float | None = None) -> Report:
    """``timeout``: seconds for the wall-clock guard (default guard.REQUEST_SECONDS), a
    last resort against a hang; no verdict depends on it."""
    if not isinstance(text, str):
        raise InputError("the input must be text")
    if len(text) > MAX_CHARS:
        raise InputError(f"the input is longer than {MAX_CHARS} characters")
    with numpy_errors_ignored():
        return guard.run(_Checker(text).run, timeout, "checking the derivation")


class _Checker:
    def __init__(self, text: str):
        self.text = text
        self.used = 0                   # calls the steps have used so far
        self.steps: list[Step] = []
        self.seen: set = set()          # names used in displayed equations so far
        self.introduced: set = set()    # names a factorisation brought in (X = U Σ V^T)
        self.mentioned: set = set()     # ... and in equations inside sentences
        self.opaque: dict = {}          # a name whose defining line could not be read -> that step

    # -- the document ------------------------------------------------------------------

    def run(self) -> Report:
        eqs, blocks = equations(self.text)
        if len(eqs) > MAX_EQUATIONS:
            raise Unsupported(f"the document has {len(eqs)} equations; the checker reads at most {MAX_EQUATIONS}")
        if blocks == 0:
            raise InputError("no math found: put the derivation between $...$, $$...$$ or \\[...\\]")
        chains = [(eq, read(eq.text) if eq.error is None else None) for eq in eqs]
        self.world = World(choose_variable(chains), quantities=quantities(eqs))
        if names_the_sigmoid(self.text):
            from .parse import parse
            self.world.define("sigma", ("t",), parse(SIGMOID).term, 0)
        self.varying = differentiated(chains)
        self.plain = plain_names(chains)
        last, chain_id = None, 0
        later = defined_later(chains)
        for k, (eq, chain) in enumerate(chains):
            if chain is not None and not eq.display and (
                    any(isinstance(t, Unreadable) for t in chain.terms) or uses(chain, later[k])):
                # math in a sentence that is not a formula we read, or that speaks of what
                # a later line defines ('we want $\nabla f = G$'): prose, not a step
                continue
            if chain is None:
                self._add(eq.text, "unverified", eq.error, eq, chain_id)
                continue
            unbalanced = _unbalanced(eq.text) if not chain.ops and eq.display else None
            if unbalanced:         # '\frac{x = 2x': the relation is swallowed by a group that never closes
                self._add(restore_increments(eq.text), "unverified", f"cannot read it: {unbalanced}", eq, chain_id)
                continue
            terms = list(chain.terms)
            aside = eq.aside and terms[0] is not None     # a reason beside a step: its own chain
            if terms[0] is None:
                if last is None:
                    self._add(restore_increments(eq.text), "unverified", "this row continues a chain, but nothing comes before it",
                              eq, chain_id)
                    continue
                terms[0] = last
            elif not aside:
                chain_id += 1
            link_id = -(k + 1) if aside else chain_id
            given = self._given(eq.conditions, terms)
            for i, op in enumerate(chain.ops):
                self._link(terms[i], op, terms[i + 1], i == 0 and chain.terms[0] is not None,
                           given, eq, chain, link_id)
            if not aside:
                last = terms[-1]
            for t in terms:
                if isinstance(t, Expr):
                    bucket = self.seen if eq.display else self.mentioned
                    bucket |= names_in(t.term)
        if not self.steps:
            raise InputError("no equations to check: the math has no relation such as a = b")
        self._dependencies()
        return Report(self.steps, self.world.variable, blocks)

    def _given(self, conditions, terms) -> list:
        """The conditions a chain is checked under: its own, and the post's standing
        assumptions on names the chain uses (a carried 'where' only where it bounds a
        parameter, not a name the derivation differentiates: ``checking.assumptions``)."""
        used = set()
        for t in terms:
            for part in syntax_terms(t):
                used |= names_in(self.world.read(part))
        moving = {self.world.variable, *self.varying} | {p for d in self.world.defs.values() for p in d.params}
        kept = []
        for c in conditions:
            mine = assumed_names(c)
            if c.scope != "local" and not _touches(mine, used):
                continue
            if c.scope == "carried" and mine & moving:
                continue
            kept.append(c)
        return kept

    def _add(self, source, verdict, reason, eq, chain_id, **kw) -> Step:
        step = Step(len(self.steps) + 1, source, verdict, reason, line=eq.line, chain=chain_id, **kw)
        self.steps.append(step)
        return step

    # -- one link of a chain ---------------------------------------------------------------

    def _link(self, left, op, right, first, given, eq, chain, chain_id):
        source = restore_increments(f"{left.latex} {OP_TEX.get(op, op)} {right.latex}")
        left, right = (scalar_d(side, left, right, self.seen | self.mentioned) for side in (left, right))
        if isinstance(left, Label):
            left = derivative_claim(left, right, self.world) or left
        if first:
            defined = self._definition(left, op, right, eq.display)
            if defined is not None:
                self._add(source, "definition", defined, eq, chain_id)
                return
        if op not in ("=", ":="):
            self._add(source, "unverified", f"only equalities are checked, not '{OP_TEX.get(op, op)}'", eq, chain_id)
            return
        variables, prefix = None, ""
        if isinstance(left, Gradient) and isinstance(right, Limit):
            left = self._quotient_limit(left)
        elif isinstance(right, Gradient) and isinstance(left, Limit):
            right = self._quotient_limit(right)
        if isinstance(left, Scaled) or isinstance(right, Scaled):
            left, right, variables = self._scaled_differentials(left, right)
            if variables:
                prefix = f"checked as c·df = ⟨the rest, d{variables[0]}⟩ for the gradient inside: "
        elif isinstance(left, Gradient) or isinstance(right, Gradient):
            left, right, variables = self._as_differentials(left, right)
            if variables:
                prefix = f"checked as the differential d(.) = ⟨gradient, d{variables[0]}⟩: "
        for side in (left, right):
            if isinstance(side, Unreadable):
                self._add(source, "unverified", f"cannot read '{restore_increments(side.latex)}': {side.reason}", eq, chain_id)
                return
            if isinstance(side, Label):
                self._add(source, "unverified", f"'{side.latex}' is read as a label, so there is nothing to compare",
                          eq, chain_id)
                return
        convention = only_a_convention(left, right)
        if convention:
            self._add(source, "unverified", convention, eq, chain_id)
            return
        hidden = sorted({n for side in (left, right) if isinstance(side, Expr) for n in names_in(side.term)}
                        & set(self.opaque))
        if hidden:
            n = hidden[0]
            self._add(source, "unverified", f"{X.shown_name(n)} is defined at step {self.opaque[n]} in a form "
                      "the checker could not read", eq, chain_id)
            return
        bound = min(STEP_CALLS, CHECK_CALLS - self.used)
        if bound < MIN_STEP_CALLS:
            self._add(source, "unverified", f"not checked: the steps before it used the {CHECK_CALLS:,} steps of "
                      "work the checker gives a whole derivation", eq, chain_id)
            return
        block = bounds.limited(bound, "this step")
        try:
            with block:
                if isinstance(left, Limit) or isinstance(right, Limit):
                    self._limit_step(source, left, right, given, eq, chain, chain_id)
                else:
                    self._equality(source, left, right, given, eq, chain_id, variables, prefix)
        except BudgetExceeded:
            self._add(source, "unverified", f"deciding this step needed more than {bound:,} steps of work", eq,
                      chain_id)
        except ShapeMismatch as exc:
            if eq.solving:         # w = (X^T X + λI)^{-1} X^T y: a solution, where w's shape is the post's
                self._add(source, "unverified", "read as an equation the sentence solves, not an identity", eq,
                          chain_id)
            else:
                self._add(source, "unverified", "the two sides have different shapes (" + " and ".join(exc.shapes)
                          + ")", eq, chain_id)
        except SymderivError as exc:
            self._add(source, "unverified", f"outside what the checker reads: {exc.message}", eq, chain_id)
        except RecursionError:
            self._add(source, "unverified", "the expression is nested too deeply to check", eq, chain_id)
        except Exception as exc:   # noqa: BLE001 - one step's failure must not lose the others
            self._add(source, "unverified", f"the checker failed on this step (internal {type(exc).__name__}: "
                      f"{exc}); please report it", eq, chain_id)
        finally:
            self.used += block.calls

    def _definition(self, left, op, right, display: bool) -> str | None:
        if isinstance(right, Unreadable):
            # reported as unreadable, not taken as a definition; but the name is the post's
            # own now, and a later df compared as if f were a free letter would be a false
            # 'invalid' (f = \t(\r^T\r) unread, then df = ...)
            if isinstance(left, Expr):
                name = left.head[0] if left.head is not None else (
                    left.term.name if isinstance(left.term, S.Name) else None)
                if name is not None and name not in self.world.defs and name != self.world.variable \
                        and name not in SPECIAL and not canonical(name):
                    self.opaque[name] = len(self.steps) + 1
            return None
        if isinstance(left, Label):
            return f"names the expression on the right ('{left.latex}' is read as a label, not differentiated)"
        if not isinstance(left, Expr):
            return None
        body = self.world.read(right.term) if isinstance(right, Expr) else None
        used = names_in(right.term) if isinstance(right, Expr) else set()
        if left.head is not None:
            name, params = left.head
            fresh = self._fresh(name, used - set(params), op, display, params, right.term if isinstance(right, Expr) else None)
            if fresh and all(p not in self.world.defs for p in params):
                if body is not None:
                    self.world.define(name, params, body, len(self.steps) + 1)
                    self.opaque.pop(name, None)
                return f"defines {X.shown_name(name)}({', '.join(X.shown_name(p) for p in params)})"
        if isinstance(left.term, S.Name) and self._fresh(left.term.name, used, op, display):
            if body is not None:
                self.world.define(left.term.name, (), body, len(self.steps) + 1)
                self.opaque.pop(left.term.name, None)
            return f"defines {X.shown_name(left.term.name)}"
        new = sorted(n for n in used if n not in self.seen | self.mentioned | set(self.world.defs)
                     and n != self.world.variable and n not in SPECIAL and not canonical(n))
        if not display and isinstance(left.term, S.Name) and len(new) >= 2:
            # 'write $X = U\Sigma V^T$ for the SVD': names that only this line brings in
            # (it factors X into them), not a claim about names the post already has
            self.introduced |= set(new)
            return (f"introduces {', '.join(X.shown_name(n) for n in new)} "
                    f"(it writes {X.shown_name(left.term.name)} in terms of them)")
        return None

    def _fresh(self, name, used, op, display, params=(), body=None) -> bool:
        """A name a line may define: new, or only mentioned in passing in a sentence before
        a displayed line defines it ('we want $\\nabla f = G$ where $$f = ...$$').  A
        built-in name (σ, J) only where the line takes it over (``checking.redefine``)."""
        if name in SPECIAL and not may_redefine(name, params, body, op):
            return False
        if name == self.world.variable or name in used or canonical(name):
            return False
        seen = self.seen if display else self.seen | self.mentioned
        return op == ":=" or (name not in seen and name not in self.world.defs)

    def _variables(self) -> list:
        """The derivation's variable, then every other name whose differential it takes."""
        rest = sorted(v for v in self.varying if v not in self.world.defs and v != self.world.variable)
        return [self.world.variable] + rest if self.world.variable else rest

    def _read_conditions(self, world, conds):
        return [(op, world.read(a), world.read(b)) for op, a, b in conds]

    def _scaled_differentials(self, left, right):
        """rest + c∇f = R (x - η∇f(x) = ..., ∇f(w) + λw = ...) is c·df = <R - rest, dX>:
        the gradient's claim with what stands beside it moved over, nothing divided by c."""
        scaled, other = (left, right) if isinstance(left, Scaled) else (right, left)
        if not isinstance(other, Expr):
            why = Unreadable(scaled.latex, "a gradient inside a formula is compared only with a formula")
            return (why, right, None) if scaled is left else (left, why, None)
        var = scaled.grad.var or self.world.variable
        if var is None:
            why = Unreadable(scaled.latex, "which variable? write \\nabla_X f")
            return (why, right, None) if scaled is left else (left, why, None)
        d = S.BinOp("*", scaled.coef, S.Differential(scaled.grad.of))
        inner = S.Inner(S.BinOp("-", other.term, scaled.rest), S.Differential(S.Name(var)))
        pair = (Expr(d, scaled.latex), Expr(inner, other.latex))
        return (pair if scaled is left else pair[::-1]) + ([var],)

    def _as_differentials(self, left, right):
        """∇f = G is the claim df = <G, dX> with only X varying (∂f/∂A holds X fixed)."""
        grad, other = (left, right) if isinstance(left, Gradient) else (right, left)
        if not isinstance(other, Expr):
            return left, right, None
        if grad.index is not None:
            # ∂f/∂x_k = e^{x_k} / Σ_i e^{x_i} for every k is ∇f = e^x / Σ_i e^{x_i}: the
            # entries with the free index k are the whole vectors, entry by entry
            term = _whole_vectors(other.term, grad.index)
            if grad.index in names_in(term):
                why = Unreadable(other.latex, f"the index {grad.index} is used otherwise than as an entry")
                return (left, why, None) if grad is left else (why, right, None)
            other = Expr(term, other.latex)
            left, right = (grad, other) if grad is left else (other, grad)
        var = grad.var or self.world.variable
        if grad.var is None and var is not None:
            # a bare ∇‖X‖_F in a post whose variable is x: the step's own letter, when it
            # has one and not the post's (differentiated in x, ‖X‖_F would be constant)
            mine = {n for n in names_in(self.world.read(grad.of)) | names_in(self.world.read(other.term))
                    if n not in SPECIAL and not canonical(n) and n not in self.world.defs}
            if mine and var not in mine:
                if len(mine) != 1:
                    return Unreadable(grad.latex, f"which variable? {X.shown_name(var)} is not in this step; "
                                      "write \\nabla_X f"), right, None
                (var,) = mine
        if var is None:
            return Unreadable(grad.latex, "which variable? write \\nabla_X f or \\partial f / \\partial X"), right, None
        entry = re.fullmatch(r"([A-Za-z])_\d", var)
        step_names = names_in(self.world.read(grad.of)) | names_in(self.world.read(other.term))
        if entry and any(_whole_of(n, entry.group(1)) for n in step_names):
            # ∂‖x‖²/∂x_1 beside the whole x: a partial along one entry of a vector, which the
            # differential of x_1 alone (a free scalar) would get wrong
            return Unreadable(grad.latex, f"a partial derivative along one entry of the vector "
                              f"{entry.group(1)} is not read; write the gradient \\nabla_{entry.group(1)}"), right, None
        if self._scalar_for_a_matrix(other.term, var):
            # ∇_W (u^T W x) = u^T x: read as <G, dW> it would make W 1×1 and hold there
            why = Unreadable(grad.latex, f"the claimed gradient is a scalar, but {X.shown_name(var)} is not: a "
                             "gradient has the shape of its variable")
            return (why, right, None) if grad is left else (left, why, None)
        d = S.Differential(grad.of)
        inner = S.Inner(other.term, S.Differential(S.Name(var)))
        pair = (Expr(d, grad.latex), Expr(inner, other.latex))
        return (pair if grad is left else pair[::-1]) + ([var],)

    def _scalar_for_a_matrix(self, term, var: str) -> bool:
        """Whether the term is 1×1 while the variable, as the post uses it, is not."""
        try:
            built = build_step([self.world.read(term), self.world.read(S.Name(var))], [], [var],
                               quantities=self.world.quantities)
        except (SymderivError, ShapeMismatch):
            return False
        G, V = built.sides
        return G.is_scalar and not V.is_scalar

    def _quotient_limit(self, grad: Gradient):
        """d/dx f beside a limit: by definition, lim_{h→0} (f(x + h) - f(x))/h, which the
        limit side is then compared with (two-sided, so a kink makes it not exist)."""
        var = grad.var or self.world.variable
        if var is None:
            return Unreadable(grad.latex, "which variable? write \\frac{d}{dx}")
        body = self.world.read(grad.of)
        d = self.world.defs.get(grad.of.name) if isinstance(grad.of, S.Name) else None
        param = d.params[0] if d is not None and len(d.params) == 1 else var
        h = next(n for n in STEP_NAMES if n not in names_in(body) | {var, param})
        moved = substitute_names(body, {param: S.BinOp("+", S.Name(var), S.Name(h))})
        here = substitute_names(body, {param: S.Name(var)})
        return Limit(h, Fraction(0), None, S.BinOp("/", S.BinOp("-", moved, here), S.Name(h)), grad.latex)

    def _undefined(self, terms) -> str | None:
        """A differential df of an f that no line defines (and that is not a variable)."""
        found = []

        def visit(t):
            if isinstance(t, S.Differential) and isinstance(t.arg, S.Name):
                n = t.arg.name
                if n not in self.world.defs and n != self.world.variable and n not in self.plain:
                    found.append(n)
            return None
        for t in terms:
            transform(t, visit)
        return found[0] if found else None

    def _equality(self, source, left, right, given, eq, chain_id, variables=None, prefix=""):
        conds = _conditions(given)
        w = self.world
        if variables and len(variables) == 1 and w.is_quantity(variables[0]):
            # ∂L/∂a with a = σ(h) defined earlier: L read in terms of a
            w = w.holding(variables[0])
            if not any(w.folded(t.term) for t in (left, right) if isinstance(t.term, S.Differential)):
                self._add(source, "unverified", f"{X.shown_name(variables[0])} is a quantity defined earlier, and "
                          "the function differentiated is not written in terms of it", eq, chain_id)
                return
        sides = [w.read(left.term), w.read(right.term)]
        missing = self._undefined(sides)
        if missing is not None:
            name = X.shown_name(missing)
            self._add(source, "unverified", f"d{name} is the differential of {name}, which no earlier line defines",
                      eq, chain_id)
            return
        built = build_step(sides, self._read_conditions(w, conds), variables or self._variables(), source,
                           w.quantities)
        if any(c.shadowed for c in given) and not D.satisfiable(built):
            # 'assume x > |y|', then 'for x < 0': the local condition speaks instead of the
            # standing one it contradicts
            given = [c for c in given if not c.shadowed]
            conds = _conditions(given)
            built = build_step(sides, self._read_conditions(w, conds), variables or self._variables(), source,
                               w.quantities)
        outcome = D.decide(built, *D.symbolic(built))
        stated = given
        if (built.conditions or built.symmetric) and outcome.verdict in ("valid", "valid-where", "unverified"):
            # does it need the stated condition at all?  (a hypothesis A = A^T is built into
            # the sides, so without it the step is built again)
            free = replace(built, conditions=[]) if not built.symmetric else build_step(
                sides, [], variables or self._variables(), source, w.quantities)
            plain = D.decide(free, *D.symbolic(free))
            if plain.verdict == "valid":
                outcome, stated = plain, []
            elif outcome.verdict == "valid":
                outcome.verdict = "valid-where"
        ex = X.explain(outcome, built, stated)
        used = (names_in(left.term) | names_in(right.term)) & self.introduced
        if outcome.verdict == "invalid" and used:
            # ‖X‖² = tr(Σ^T Σ) holds for the SVD, not for any Σ: the relation that ties the
            # names to X is not one the checker uses, so a counterexample proves nothing
            self._add(source, "unverified", f"uses {', '.join(sorted(X.shown_name(n) for n in used))}, which the "
                      "post ties to other names by a factorisation the checker does not use", eq, chain_id)
            return
        if outcome.verdict == "invalid" and eq.solving:
            # 'setting it to zero gives $w = 1/\lambda$': an equation that holds at its
            # solution, which no identity test can confirm or refute
            self._add(source, "unverified", "read as an equation the sentence solves, not an identity (as an "
                      f"identity it fails: {ex.reason.removeprefix('false: ')})", eq, chain_id)
            return
        self._add(source, outcome.verdict, prefix + ex.reason, eq, chain_id, condition=ex.condition,
                  counterexample=ex.counterexample, claim=(left.term, right.term, conds))

    def _limit_step(self, source, left, right, given, eq, chain, chain_id):
        conds = _conditions(given)
        w = self.world
        bodies = [w.read(s.body if isinstance(s, Limit) else s.term) for s in (left, right)]
        built = build_step(bodies, self._read_conditions(w, conds), self._variables(), source, w.quantities)
        try:
            exprs = [L.to_sympy(n) for n in built.sides]
        except ValueError as exc:
            self._add(source, "unverified", str(exc), eq, chain_id)
            return
        sides = []
        for s, e in zip((left, right), exprs):
            if isinstance(s, Limit):
                sides.append(L.Side(e, (_symbol(s.var), _rational(s.point), s.side)))
            else:
                sides.append(L.Side(e))
        small = {_symbol(n) for n in chain.increments}
        outcome = L.compare(sides[0], sides[1], small, built.conditions)
        stated = given
        if built.conditions and outcome.verdict == "valid":
            if L.compare(sides[0], sides[1], small, []).verdict == "valid":
                stated = []            # it holds without the condition
            else:
                outcome.verdict = "valid-where"
        ex = X.explain_limit(outcome, left, right, built, stated)
        self._add(source, outcome.verdict, ex.reason, eq, chain_id, condition=ex.condition,
                  counterexample=ex.counterexample)

    # -- which earlier errors a step builds on ---------------------------------------------------

    def _dependencies(self):
        """An earlier false step counts for a later one when it is an earlier link of the
        same chain (the chain's conclusion inherits it), or when taking its claim as true
        makes the later step hold (the later step was derived from it)."""
        false = [s for s in self.steps if s.verdict == "invalid"]
        for step in self.steps:
            chained = {s.index for s in false if s.chain == step.chain and s.index < step.index}
            derived, repeated, together = set(), set(), False
            if step.verdict == "invalid" and step.claim is not None:
                earlier = [s for s in false if s.index < step.index and _rewritable(s)]
                repeated = {s.index for s in earlier if self._same_claim(s, step)}
                earlier = [s for s in earlier if s.index not in repeated]
                derived = {s.index for s in earlier if self._holds_assuming(step, [s])}
                if not derived and len(earlier) > 1 and self._holds_assuming(step, earlier):
                    derived, together = {s.index for s in earlier}, True
            step.depends_on = sorted(chained | derived | repeated)
            if repeated:
                step.reason += f"; it repeats the claim of {_steps(repeated)}"
            if derived:
                which = _steps(derived) if together else _steps(derived, "or")
                step.reason += f"; it would hold if {which} were true: it builds on that error"
            elif chained and step.verdict != "invalid":
                step.reason += f"; the chain it continues already went wrong at {_steps(chained)}"

    def _same_claim(self, a: Step, b: Step) -> bool:
        read = self.world.read
        return {read(a.claim[0]), read(a.claim[1])} == {read(b.claim[0]), read(b.claim[1])}

    def _holds_assuming(self, step: Step, assumed) -> bool:
        w = self.world
        rewrites = [(w.read(s.claim[0]), w.read(s.claim[1]), s.index) for s in assumed]
        hyp = w.assuming(rewrites)
        left, right, conds = step.claim
        bound = min(STEP_CALLS, CHECK_CALLS - self.used)
        if bound < MIN_STEP_CALLS:
            return False
        block = bounds.limited(bound, "a dependency")
        try:
            with block:
                real = build_step([w.read(left), w.read(right)], self._read_conditions(w, conds),
                                  self._variables(), quantities=w.quantities)
                if D.quick(real) is True:
                    return False   # false only on its kinks: no earlier claim is why
                built = build_step([hyp.read(left), hyp.read(right)], self._read_conditions(hyp, conds),
                                   self._variables(), quantities=hyp.quantities)
                return D.quick(built) is True
        except (SymderivError, ShapeMismatch):
            return False
        finally:
            self.used += block.calls


def _unbalanced(text: str) -> str | None:
    """What is unbalanced in a row ('an unclosed {'), or None."""
    depth = 0
    for i, ch in enumerate(text):
        if ch in "{}" and text[i - 1:i] == "\\":
            continue
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return "a '}' closes no group"
    return "a '{' is never closed" if depth else None


def _steps(indices, word: str = "and") -> str:
    ks = sorted(indices)
    if len(ks) == 1:
        return f"step {ks[0]}"
    if word == "or":
        return " or ".join(f"step {k}" for k in ks)
    return "steps " + ", ".join(str(k) for k in ks[:-1]) + f" and {ks[-1]}"


def _rewritable(step: Step) -> bool:
    """A false claim worth assuming: its left side is a compound expression (assuming
    'x = 2' would rewrite every x)."""
    return step.claim is not None and not isinstance(step.claim[0], (S.Name, S.Num))


def _whole_vectors(term, index: str):
    """x_k -> x wherever k is free (not the index of a sum around it)."""
    def go(t):
        if isinstance(t, (S.Sum, S.Reduce)):
            return t if index in t.indices else replace(t, body=go(t.body))
        if isinstance(t, S.Name):
            base, _, sub = t.name.partition("_")
            return S.Name(base, t.span) if sub == index and len(base) == 1 else t
        return transform(t, lambda u: go(u) if u is not t else None)
    return go(term)


def _conditions(conditions) -> list:
    out = []
    for c in conditions:
        st = c.statement
        for i, op in enumerate(st.ops):
            out.append((op, st.terms[i], st.terms[i + 1]))
    return out


def _symbol(name: str):
    return sp.Symbol(name, real=True)


def _rational(v):
    return sp.Rational(v.numerator, v.denominator)


def _touches(assumed: set, used: set) -> bool:
    """Whether an assumption speaks of a name the step uses: the same name, or the whole
    vector of an entry ('let $y \\ge 0$' bounds the y_i of a sum over i, and 'assume
    $y_i \\ge 0$' the y of a later step)."""
    return bool(assumed & used) or any(_whole_of(u, a) or _whole_of(a, u) for a in assumed for u in used)


def _whole_of(name: str, base: str) -> bool:
    """Whether a name in a step stands for all of x, or for any of its entries: x, X, or
    an entry x_i with a running index (x_2 beside x_1 is another scalar)."""
    if name in (base, base.upper()):
        return True
    head, _, sub = name.partition("_")
    return head in (base, base.upper()) and bool(sub) and not sub.isdigit()
