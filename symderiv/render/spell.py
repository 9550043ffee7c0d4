"""Spelling the pieces of an analysis that every output format shows."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import sympy as sp

from ..exact_numbers import as_sympy, is_concrete

from .. import expr as E
from ..routes.common import Line, Math
from .notation import Notation


def notation(latex: bool, analysis, switch_names: dict | None = None) -> Notation:
    return Notation(latex, analysis.problem.styles, switch_names)


def math(m: Math, N: Notation) -> str:
    if m.text is not None or m.latex is not None:
        out = (m.latex if N.latex else m.text) or ""
    elif m.node is not None:
        out = N.node(m.node)
    elif m.entry:
        out = N.entry(m.expr, m.args)
    else:
        out = N.expr_node(m.expr, m.args)
    if m.wrap:
        out = (m.wrap[1] if N.latex else m.wrap[0]).replace("{}", out, 1)
    return out


def line(ln: Line, N: Notation) -> str:
    lhs, rhs = math(ln.lhs, N), math(ln.rhs, N)
    rel = ln.rel
    body = f"{lhs} {rel} {rhs}".strip() if rel else f"{lhs} {rhs}".strip()
    if ln.note:
        body += (rf" \quad\text{{({_tex_text(ln.note)})}}" if N.latex else f"   ({ln.note})")
    return body


def _tex_text(s: str) -> str:
    """Prose for LaTeX: special characters escaped, a user's own command shown verbatim."""
    repl = {"∇": r"$\nabla$", "δ": r"$\delta$", "⊙": r"$\odot$", "±": r"$\pm$", "≠": r"$\ne$",
            "_": r"\_", "%": r"\%", "&": r"\&", "#": r"\#", "\\": r"\textbackslash{}",
            "{": r"\{", "}": r"\}", "^": r"\^{}", "~": r"\~{}", "$": r"\$", "‖": r"$\|$", "σ": r"$\sigma$"}
    return "".join(repl.get(c, c) for c in s)


def tex_text(s: str) -> str:
    return _tex_text(s)


def quantifier(args: tuple, latex: bool, off_diagonal: bool = False) -> str:
    big = [a for a in args if not a.is_scalar]
    if not big:
        return ""
    vector = all(a.shape[1] == 1 for a in big)
    if vector:
        return r" \text{ for some } i" if latex else " for some i"
    if off_diagonal:
        return r" \text{ for some } i \ne j" if latex else " for some i ≠ j"
    return r" \text{ for some } i, j" if latex else " for some i, j"


def _tie(k, N: Notation) -> str:
    a = k.node.arg
    what = N.node(a)
    return (rf"\text{{the largest entry of }} {what} \text{{ is attained more than once}}" if N.latex
            else f"the largest entry of {what} is attained more than once")


def _edge(k, N: Notation) -> str:
    """Where a norm of a map flat on an interval fails: 'x_ij = 0 for some i, j'."""
    switches, args = k.edge
    either = (r" \text{ or } " if N.latex else " or ").join(N.entry(sp.Eq(w, 0), args) for w in switches)
    return either + quantifier(args, N.latex)


def kink_where(k, N: Notation) -> str:
    """Where a kink family fails, e.g. 'x_ij = 0 and y_ij ≠ 0 for some i, j'."""
    if k.kind == "max":
        conds = [N.entry(c, k.args) for c in (k.condition or [])]
        joiner = r" \text{ and } " if N.latex else " and "
        return joiner.join([_tie(k, N)] + conds)
    if k.kind == "norm":
        base = f"{N.node(k.node.arg)} = 0"
        conds = [N.entry(c, k.args) for c in (k.condition or [])]
        joiner = r" \text{ and } " if N.latex else " and "
        if k.edge is not None:
            conds.append(_edge(k, N))
        return joiner.join([base] + conds)
    parts = [N.entry(k.switch_eq, k.args)]
    parts += [N.entry(c, k.args) for c in (k.condition or [])]
    if k.critical and k.continuous:
        # where grad u = 0 on u = 0 the kink vanishes to second order (|x y| at the origin)
        u = N.entry(k.u, k.args)
        parts.append(rf"\nabla ({u}) \ne 0" if N.latex else f"∇({u}) ≠ 0")
    joiner = r" \text{ and } " if N.latex else " and "
    return joiner.join(parts) + quantifier(k.args, N.latex, getattr(k, "off_diagonal", False))


def kink_switch(k, N: Notation) -> str:
    if k.kind == "max":
        return _tie(k, N)
    if k.kind == "norm":
        return f"{N.node(k.node.arg)} = 0"
    return N.entry(k.switch_eq, k.args) + quantifier(k.args, N.latex, k.off_diagonal)


def _m(text: str, N: Notation) -> str:
    return f"${text}$" if N.latex else text


def _slopes(slopes, N: Notation, args=()) -> str:
    left, right = slopes
    def one(g):
        shown = [N.entry(x, args) if isinstance(x, sp.Basic) and x.free_symbols else str(x) for x in g]
        return shown[0] if len(g) == 1 else "(" + ", ".join(shown) + ")"
    return f"{_m(one(left), N)} and {_m(one(right), N)}"


def kink_story(k, N: Notation) -> str:
    """Where a primitive fails, and what that does to f, in a sentence or two."""
    if k.kind == "max":
        where = _m(_tie(k, N), N) if N.latex else _tie(k, N)
        if k.harmless:
            return f"Where {where}, the max switches between entries, but its weight in f vanishes: no kink of f."
        return (f"Where {where}, the max switches between the tied entries and enters f with weight "
                f"{_m(N.entry(k.weight, k.args), N)}: f is not differentiable there.")
    if k.kind == "norm":
        where = _m(f"{N.node(k.node.arg)} = 0", N)
        if k.harmless and k.note:
            return f"At {where}: {k.note}."
        if k.harmless:
            return f"At {where} the norm has a kink, but its weight in f vanishes there, so f has none."
        story = (f"At {where} the norm has a kink, and it enters f with weight {_m(N.entry(k.weight, k.args), N)}: "
                 "f is not differentiable there")
        if k.edge is not None:
            story += (f" if {_m(_edge(k, N), N)}; where no entry is on a switch, the "
                      "argument of the norm stays 0 nearby, so f is 0 there and differentiable")
        return story + "."
    place = _m(N.entry(k.switch_eq, k.args), N)
    some = quantifier(k.args, False, k.off_diagonal).strip()
    where = f"Where {place}" + (f" ({some})" if some else "")
    if not k.continuous:
        return f"{where}, f jumps by {_m(N.entry(k.jump, k.args), N)}: it is not continuous there."
    parts = []
    for call, slopes, weight, w_on in k.primitives:
        text = _m(N.entry(call, k.args), N)
        if slopes is not None and len(slopes[0]) == 1:
            text += f" has one-sided slopes {_slopes(slopes, N, k.args)}"
        else:
            text += " switches between its arguments"
        if w_on is not None:
            if sp.expand(weight - w_on) == 0:
                text += f" and enters f with weight {_m(N.entry(w_on, k.args), N)}"
            else:
                text += (f" and enters f with weight {_m(N.entry(weight, k.args), N)}, which is "
                         f"{_m(N.entry(w_on, k.args), N)} there")
        parts.append(text)
    head = f"{where}, " + ("; ".join(parts) if parts else "a primitive switches") + "."
    if k.unbounded:
        return (head + " A fractional power of it makes the one-sided derivatives of f unbounded "
                f"there: f is not differentiable where {_m(kink_where(k, N), N)}.")
    if k.harmless:
        return head + " So the gradient of f does not jump there: f is differentiable there."
    return (head + f" So the gradient of f jumps by {_m(N.entry(k.strength, k.args), N)}{_direction(k, N)}: "
            f"f is not differentiable where {_m(kink_where(k, N), N)}.")


def _direction(k, N: Notation) -> str:
    """'in entry (i, j)' when the switch is an entry of the variable itself."""
    if k.u.is_Symbol:
        node = k.args[E.placeholder_index(k.u)]
        if isinstance(node, E.Sym):
            if node.is_scalar:
                return ""
            return " in entry (i, j)" if node.shape[1] != 1 else " in entry i"
    grad = _m(r"\nabla_X (" + N.entry(k.u, k.args) + ")" if N.latex else "∇(" + N.entry(k.u, k.args) + ")", N)
    return f" times {grad}"


def domain(verdict, N: Notation) -> str | None:
    """The set the verdict is about, when f is not defined (or not smooth) everywhere."""
    if not verdict.domain:
        return None
    # '>=': f is defined on the edge too (sqrt x at 0), but the verdict is about the interior
    rel = {">": (">", ">"), ">=": (">", ">"), "!=": ("≠", r"\ne")}
    parts = []
    for node, r in verdict.domain:
        symbol = rel[r][1] if N.latex else rel[r][0]
        if node.is_scalar:
            parts.append(f"{N.node(node)} {symbol} 0")
        else:
            body = N.entry(node.expr, node.args) if isinstance(node, E.Entrywise) else N.entry_of(node)
            every = (r" \text{ for all } i" if N.latex else " for all i") + ("" if node.shape[1] == 1 else ", j")
            parts.append(f"{body} {symbol} 0{every}")
    joiner = r" \text{ and } " if N.latex else " and "
    return joiner.join(parts)


def nondifferentiable_set(verdict, N: Notation) -> str | None:
    failing = verdict.failing
    if not failing:
        return None
    joiner = r" \text{ or } " if N.latex else " or "
    seen, parts = set(), []
    for k in failing:
        s = kink_where(k, N)
        if s not in seen:
            seen.add(s)
            parts.append(s)
    return joiner.join(parts)


def jump_set(verdict, N: Notation) -> str | None:
    """Where f jumps: 'x = 0 and λ < 0' (with symbolic constants, only for some of them)."""
    joiner = r" \text{ or } " if N.latex else " or "
    parts = []
    for k in verdict.kinks:
        if not k.continuous:
            s = kink_where(k, N)
            if s not in parts:
                parts.append(s)
    return joiner.join(parts) if parts else None


def gradient_kink_set(verdict, N: Notation) -> str | None:
    """Where f is differentiable but its gradient is not (its second derivative jumps)."""
    joiner = r" \text{ or } " if N.latex else " or "
    parts = []
    for k in verdict.hessian_failing:
        if k.kind != "switch":     # ‖X‖_F^(3/2) at X = 0
            text = f"{N.node(k.node.arg)} = 0" if k.kind == "norm" else _tie(k, N)
            if text not in parts:
                parts.append(text)
            continue
        conds = [N.entry(k.switch_eq, k.args)] + [N.entry(c, k.args) for c in (k.order_condition or [])]
        text = (r" \text{ and } " if N.latex else " and ").join(conds) + quantifier(k.args, N.latex)
        if text not in parts:
            parts.append(text)
    return joiner.join(parts) if parts else None


def hessian(verdict, N: Notation) -> str | None:
    if verdict.hessian is None:
        return None
    arrow = r" \mapsto " if N.latex else " ↦ "
    return f"D{arrow}{N.node(verdict.hessian)}"


def smoothness_phrase(verdict) -> str:
    s = verdict.smoothness
    if s is None:
        return "not continuous"
    if s == "inf":
        return "C^∞"
    if not verdict.smoothness_exact:
        return f"at least C^{s} (the exact class was not decided)"
    return f"C^{s}, not C^{s + 1}" + _for_constants(verdict, Notation(False))


def smoothness_latex(verdict) -> str:
    s = verdict.smoothness
    if s is None:
        return "not continuous"
    if s == "inf":
        return r"$C^\infty$"
    if not verdict.smoothness_exact:
        return rf"at least $C^{{{s}}}$ (the exact class was not decided)"
    return rf"$C^{{{s}}}$, not $C^{{{s + 1}}}$" + _for_constants(verdict, Notation(True))


def _for_constants(verdict, N: Notation) -> str:
    """' (when a ≠ 1)' where every failing kink fails only for some values of the
    constants (leaky_relu(x; a) is smooth for a = 1): the class is then conditional."""
    from ..analysis import variable_placeholders
    conds = []
    for k in verdict.kinks:
        if (k.continuous and k.harmless) or not k.condition:
            if k.continuous and k.harmless:
                continue
            return ""
        V = set(variable_placeholders(k.args, verdict.var))
        free = set().union(*[c.free_symbols for c in k.condition])
        if not free or free & V:
            return ""
        joiner = r" \text{ and } " if N.latex else " and "
        some = quantifier(k.args, N.latex, k.off_diagonal)
        conds.append(_m(joiner.join(N.entry(c, k.args) for c in k.condition) + some, N))
    if not conds:
        return ""
    return " (when " + " or ".join(dict.fromkeys(conds)) + ")"


# ---------------------------------------------------------------- numbers

def number(v):
    """A JSON number for an exact value (ints stay ints)."""
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int):
        return v
    if isinstance(v, Fraction):
        return v.numerator if v.denominator == 1 else float(v)
    v = as_sympy(v)
    if v.is_Integer:
        return int(v)
    return float(v)


def exact(v) -> str:
    if isinstance(v, (int, Fraction)):
        return str(v)
    return sp.sstr(v)


def shaped(arr: np.ndarray, flat_vector: bool, fn=number):
    if arr.shape == (1, 1):
        return fn(arr[0, 0])
    if flat_vector and arr.shape[1] == 1:
        return [fn(v) for v in arr[:, 0]]
    return [[fn(v) for v in row] for row in arr]


def array_text(arr: np.ndarray, flat_vector: bool) -> str:
    def fmt(v):
        return str(v) if isinstance(v, (int, Fraction)) else sp.sstr(v)
    data = shaped(arr, flat_vector, fmt)
    if isinstance(data, str):
        return data
    if data and isinstance(data[0], list):
        return "[" + ", ".join("[" + ", ".join(r) + "]" for r in data) + "]"
    return "[" + ", ".join(data) + "]"


def array_latex(arr: np.ndarray, flat_vector: bool) -> str:
    def fmt(v):
        return sp.latex(sp.nsimplify(v) if isinstance(v, Fraction) else as_sympy(v))
    if arr.shape == (1, 1):
        return fmt(arr[0, 0])
    rows = [" & ".join(fmt(v) for v in row) for row in arr]
    return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"


def shape_of(var: E.Sym):
    return [int(d) if is_concrete(d) else str(d) for d in var.shape]


def is_flat_vector(var: E.Sym) -> bool:
    return var.shape[1] == 1 and var.shape[0] != 1 and (bool(var.parts) or var.name[:1].islower())


def gradient(verdict, N: Notation) -> str:
    """The gradient in matrix notation, or its components for a variable (x, y)."""
    if verdict.partials:
        return "(" + ", ".join(N.node(p) for p in verdict.partials) + ")"
    return N.node(verdict.gradient)
