"""Route 1: the sign identity.

Every primitive is rewritten with S = sign(U) (max(X,0) = 1/2 (S + J) ⊙ X, |X| = S ⊙ X,
...), f becomes a polynomial in the S's (S ⊙ S = J off the kinks), and df is taken
with S held fixed.  The terms in dS = 2 δ(U) ⊙ dU are then examined: each is
multiplied by a factor that either vanishes where U = 0 (x δ(x) = 0, and the term
drops) or does not (and f jumps).  Finally the gradient's dependence on S is read on
each switch: where it vanishes the gradient is continuous across the kink.
"""
from __future__ import annotations

import sympy as sp

from .. import expr as E
from ..analysis import Verdict
from ..calculus import map_entrywise
from ..evaluate import switch_key
from ..kinks import SwitchKink, variable_placeholders
from ..scalar import FUNCS, Prim, Sw, to_sign_form
from ..signform import tidy
from .common import Line, Math, RouteResult, Step, lit


def switches_in(f: E.Node, var: E.Sym) -> list:
    """(key, u, args, shape) for every switch of f that moves with var, in a stable order."""
    seen, out = set(), []
    for n in E.walk(f):
        if not isinstance(n, E.Entrywise):
            continue
        V = set(variable_placeholders(n.args, var))
        form = to_sign_form(n.expr)
        for atom in sorted(form.atoms(Sw), key=sp.default_sort_key):
            u = atom.args[0]
            if not (u.free_symbols & V):
                continue
            key, orient = switch_key(u, n.args)
            if key in seen:
                continue
            seen.add(key)
            out.append((key, u if orient == 1 else -u, n.args, n.shape))
    return out


def name_switches(switches: list) -> dict:
    """S, S_2, S_3, ... for matrices of signs; s, s_2 for scalars."""
    names = {}
    for i, (key, u, args, shape) in enumerate(switches):
        base = "S" if not E.is_scalar_shape(shape) else "s"
        names[key] = base if i == 0 else f"{base}_{i + 1}"
    return names


def _display(e: sp.Expr) -> sp.Expr:
    """A sign form as a person would write it: factored where that is shorter."""
    return tidy(sp.expand(e))


def _applications(f: E.Node, var: E.Sym):
    """Each distinct primitive application in f that moves with var, with its frame."""
    seen, out = set(), []
    for n in E.walk(f):
        if not isinstance(n, E.Entrywise) or not E.depends_on(n, var):
            continue
        for sub in sp.preorder_traversal(n.expr):
            if isinstance(sub, Prim):
                key = (sp.srepr(sub), tuple(a.key for a in n.args))
                if key not in seen:
                    seen.add(key)
                    out.append((sub, n))
    return out


def _holds_at_kink(p: Prim) -> bool:
    """Whether the rewrite gives the right value on the switch for any value of sign(0)."""
    d = [sp.Dummy(real=True) for _ in p.args]
    s = sp.Symbol("s")
    form = p.spec.sign_form(*d, S=lambda u: s)
    for u in p.spec.switches(*d):
        free = [x for x in d if u.has(x)]
        if not free:
            continue
        x0 = free[0]
        sol = sp.solve(sp.Eq(u, 0), x0)
        if not sol:
            continue
        at = form.xreplace({x0: sol[0]})
        if sp.expand(at).has(s):
            return False
        truth = type(p)(*[sol[0] if x == x0 else x for x in d])
        if sp.expand(at - truth) != 0:
            return False
    return True


def route(verdict: Verdict) -> RouteResult:
    f, var = verdict.f, verdict.var
    switches = switches_in(f, var)
    names = name_switches(switches)
    steps: list[Step] = []

    apps = _applications(f, var)
    if not apps:
        steps.append(Step("No kinks", "f has no non-smooth primitive that depends on the variable; "
                          "its gradient is the ordinary one."))
    else:
        lines = []
        for key, u, args, shape in switches:
            lines.append(Line(lit(names[key]), "=", Math(expr=_sign_call(u), args=args)))
        for p, n in apps:
            form = _display(p.spec.sign_form(*p.args, S=Sw))
            note = ("for every value of sign(0): the rewrite has the right value on the switch too"
                    if _holds_at_kink(p) else "off the switch only")
            lines.append(Line(Math(expr=p, args=n.args), "=", Math(expr=form, args=n.args), note))
        steps.append(Step("Sign identity",
                          "Write each sign matrix as S = sign(U), entrywise, and rewrite every primitive with it.",
                          lines))

        f_sign = map_entrywise(f, lambda e: _display(to_sign_form(e)))
        steps.append(Step("f in sign form",
                          "Substitute; off the kinks every entry of S is ±1, so S ⊙ S = J.",
                          [Line(lit("f"), "=", Math(node=f_sign))]))

        g_disp = map_entrywise(verdict.gradient_sign, _display)
        steps.append(Step("Differentiate with S fixed",
                          "Where no entry of any U is 0, S is locally constant and dS = 0:",
                          [Line(lit("∇f", r"\nabla f"), "=", Math(node=g_disp))]))

        delta_lines, jump_lines = [], []
        for k in verdict.own_kinks:
            if not isinstance(k, SwitchKink):      # the sign identity is about the switches S
                continue
            u_math = Math(expr=k.switch_eq, args=k.args, entry=True)
            if k.continuous:
                delta_lines.append(Line(lit("on"), "", u_math,
                                        "the factor multiplying dS = 2δ(U) ⊙ dU vanishes here: the δ-terms drop"))
                if k.harmless:
                    jump_lines.append(Line(lit("jump of ∇f across", r"\text{jump of }\nabla f\text{ across }"), "",
                                           Math(expr=k.switch_eq, args=k.args, entry=True),
                                           "0: the part of ∇f that multiplies S vanishes on the switch"))
                elif k.unbounded:
                    jump_lines.append(Line(lit("∇f near", r"\nabla f\text{ near }"), "",
                                           Math(expr=k.switch_eq, args=k.args, entry=True),
                                           "unbounded on both sides: f is not differentiable there"))
                else:
                    jump_lines.append(Line(lit("jump of ∇f across", r"\text{jump of }\nabla f\text{ across }"), "",
                                           Math(expr=k.switch_eq, args=k.args, entry=True),
                                           "does not vanish: f has a kink there"))
                    jump_lines.append(Line(lit("J"), "=", Math(expr=k.strength, args=k.args, entry=True),
                                           "times the gradient of the switch"))
            else:
                delta_lines.append(Line(lit("on"), "", u_math,
                                        "the factor multiplying dS does not vanish: f itself jumps here"))
                jump_lines.append(Line(lit("jump of f"), "=", Math(expr=k.jump, args=k.args, entry=True)))
        if delta_lines:
            steps.append(Step("The terms in dS",
                              "As a distribution dS = 2δ(U) ⊙ dU; each such term carries a factor evaluated on U = 0.",
                              delta_lines))
        if jump_lines:
            steps.append(Step("Where S jumps", "Compare ∇f on the two sides of each switch.", jump_lines))

    steps.append(Step("Gradient", "Read back with the primitives:",
                      [Line(lit("∇f", r"\nabla f"), "=", Math(node=verdict.gradient))]))
    boundaries = [(k.u, k.args, k.continuous and k.harmless, k.branch) for k in verdict.own_kinks
                  if isinstance(k, SwitchKink)]
    return RouteResult("sign", verdict.gradient, verdict.gradient_sign, steps, boundaries, names)


def _sign_call(u):
    return FUNCS["sign"](u)
