"""Spelling the pieces of an analysis that every output format shows."""
from __future__ import annotations

import math as _math
from fractions import Fraction

from ..lazy_import import LazyModule
np = LazyModule("numpy")
import sympy as sp

from ..exact_numbers import as_sympy, is_concrete

from .. import expr as E
from .. import fast_exact
from ..errors import Unsupported
from ..kinks import quantifier, variable_placeholders
from ..routes.common import Line, Math
from .notation import Notation


def notation(latex: bool, analysis, switch_names: dict | None = None) -> Notation:
    return Notation(latex, analysis.problem.styles, switch_names, getattr(analysis, "aliases", None))


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


# Prose for LaTeX: the characters TeX reads as commands escaped, and the Unicode the notes
# print set in math (pdflatex stops at a Unicode character it has no glyph for, and OT1
# text sets < and > as ¡ and ¿).
_TEX_PROSE = {
    "_": r"\_", "%": r"\%", "&": r"\&", "#": r"\#", "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}",
    "^": r"\^{}", "~": r"\~{}", "$": r"\$", "<": r"$<$", ">": r"$>$", "|": r"$|$",
    "∇": r"$\nabla$", "⊙": r"$\odot$", "±": r"$\pm$", "≠": r"$\ne$", "‖": r"$\|$", "≤": r"$\le$", "≥": r"$\ge$",
    "⪰": r"$\succeq$", "⪯": r"$\preceq$", "×": r"$\times$", "−": r"$-$", "·": r"$\cdot$", "∈": r"$\in$",
    "√": r"$\surd$", "→": r"$\to$", "↓": r"$\downarrow$", "∞": r"$\infty$", "∘": r"$\circ$", "⟨": r"$\langle$",
    "⟩": r"$\rangle$", "∑": r"$\sum$", "∂": r"$\partial$", "ᵀ": r"$^\top$", "⁻": r"$^{-}$", "¹": r"$^1$",
    "²": r"$^2$", "³": r"$^3$", "₀": r"$_0$", "₁": r"$_1$", "₂": r"$_2$", "₃": r"$_3$", "ₖ": r"$_k$", "…": r"\dots{}",
    "–": "--", "—": "---", "’": "'", "“": "``", "”": "''", "⁺": r"$^+$",
}
_GREEK = {"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "varepsilon", "ζ": "zeta", "η": "eta",
          "θ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu", "ξ": "xi", "π": "pi",
          "ρ": "rho", "σ": "sigma", "τ": "tau", "υ": "upsilon", "φ": "phi", "χ": "chi", "ψ": "psi", "ω": "omega",
          "Γ": "Gamma", "Δ": "Delta", "Θ": "Theta", "Λ": "Lambda", "Ξ": "Xi", "Π": "Pi", "Σ": "Sigma",
          "Φ": "Phi", "Ψ": "Psi", "Ω": "Omega"}
_TEX_PROSE.update({c: rf"$\{name}$" for c, name in _GREEK.items()})


def _tex_text(s: str) -> str:
    """Prose for LaTeX: special characters escaped, a user's own command shown verbatim."""
    return "".join(_TEX_PROSE.get(c, c) for c in s)


def tex_text(s: str) -> str:
    return _tex_text(s)


def kink_where(k, N: Notation) -> str:
    """Where a kink family fails, e.g. 'x_ij = 0 and y_ij ≠ 0 for some i, j'."""
    return k.where(N)


def kink_switch(k, N: Notation) -> str:
    return k.place(N)


def kink_story(k, N: Notation) -> str:
    """Where a primitive fails, and what that does to f, in a sentence or two."""
    return k.story(N)


def _m(text: str, N: Notation) -> str:
    return f"${text}$" if N.latex else text


def _or(N: Notation) -> str:
    return r" \text{ or } " if N.latex else " or "


def _and(N: Notation) -> str:
    return r" \text{ and } " if N.latex else " and "


def domain(verdict, N: Notation) -> str | None:
    """The set the verdict is about, when f is not defined (or not smooth) everywhere."""
    if not verdict.domain:
        return None
    # '>=': f is defined on the edge too (sqrt x at 0), but the verdict is about the interior
    return _sign_conditions(verdict.domain, {">": (">", ">"), ">=": (">", ">"), "!=": ("≠", r"\ne")}, N)


def _sign_conditions(conds, rel: dict, N: Notation) -> str:
    """'x > 0 and y_ij ≥ 0 for all i, j': each (node, relation) against 0, in ``rel``'s symbols."""
    parts = []
    for node, r in conds:
        symbol = rel[r][1] if N.latex else rel[r][0]
        if node.is_scalar:
            parts.append(f"{N.node(node)} {symbol} 0")
        else:
            body = N.entry(node.expr, node.args) if isinstance(node, E.Entrywise) else N.entry_of(node)
            every = (r" \text{ for all } i" if N.latex else " for all i") + ("" if node.shape[1] == 1 else ", j")
            parts.append(f"{body} {symbol} 0{every}")
    return _and(N).join(parts)


def curvature_domain(conds, N: Notation) -> str | None:
    """The set a curvature verdict holds on (convex on x ≥ 0), with its closed edges."""
    if not conds:
        return None
    return _sign_conditions(conds, {">": (">", ">"), ">=": ("≥", r"\ge")}, N)


def curvature_condition(c, N: Notation) -> str | None:
    """The parameter signs under which an undecided curvature is settled: λ ≥ 0."""
    if c is None or c.condition is None:
        return None
    rel = {">=": ("≥", r"\ge"), "<=": ("≤", r"\le")}
    return _and(N).join(f"{N.node(p)} {rel[r][1] if N.latex else rel[r][0]} 0" for p, r in c.condition[1])


def curvature_phrase(conv, N: Notation) -> str:
    """'concave on x ≥ 0', 'convex', 'convex for λ ≥ 0', or 'not decided'."""
    c = conv.curvature
    if c is not None and c.condition is not None:
        where = curvature_condition(c, N)
        return f"{c.condition[0]} for " + (f"${where}$" if N.latex else where) + ", else not decided"
    if c is None or c.curvature is None:
        return "not decided"
    where = curvature_domain(c.domain, N)
    if where is None:
        return c.curvature
    return f"{c.curvature} on {where}" if not N.latex else f"{c.curvature} on ${where}$"


def nondifferentiable_set(verdict, N: Notation) -> str | None:
    failing = verdict.failing
    extra, cleared = verdict.arbiter_amend or ([], [])
    if not failing and not extra:
        return None
    joiner = _or(N)
    seen, parts = set(), []
    for k in failing:
        s = kink_where(k, N)
        if s not in seen:
            seen.add(s)
            parts.append(s)
    parts += extra          # points the exact test found (routes/compare.py)
    out = joiner.join(parts)
    if cleared:
        out += (r" \text{ (except at } " + r" \text{, } ".join(cleared) + r"\text{)}") if N.latex else \
            " (except at " + ", ".join(cleared) + ")"
    return out


def jump_set(verdict, N: Notation) -> str | None:
    """Where f jumps: 'x = 0 and λ < 0' (with symbolic constants, only for some of them)."""
    joiner = _or(N)
    parts = []
    for k in verdict.kinks:
        if not k.continuous:
            s = kink_where(k, N)
            if s not in parts:
                parts.append(s)
    return joiner.join(parts) if parts else None


def gradient_kink_set(verdict, N: Notation) -> str | None:
    """Where f is differentiable but its gradient is not (its second derivative jumps)."""
    joiner = _or(N)
    parts = []
    for k in verdict.hessian_failing:
        text = k.where_gradient_kinks(N)
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
        joiner = _and(N)
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
        return v.numerator if v.denominator == 1 else _float(v)
    v = as_sympy(v)
    if v.is_Integer:
        return int(v)
    return _float(v)


def _float(v) -> float:
    """A non-integer as a JSON number; past a double's range (10^308) there is none, and
    Infinity is no JSON: refused, with where the exact value is printed."""
    try:
        out = float(v)
    except OverflowError:
        out = _math.inf
    if _math.isinf(out) or _math.isnan(out):
        raise Unsupported("a value at the point is beyond the range of a JSON number (about 10^308); "
                          "--format text prints it exactly")
    return out


def exact(v) -> str:
    if isinstance(v, (int, Fraction)):
        return str(v)
    return sp.sstr(v)


def shaped(arr: np.ndarray, flat_vector: bool, fn=number):
    if arr.shape == (1, 1):
        return fn(arr[0, 0])
    # a big all-int array: number() keeps ints and exact() is str(), so both are listed in C
    fast = fast_exact.numbers(arr) if fn is number else fast_exact.exact_strings(arr) if fn is exact else None
    if fast is not None:
        return [row[0] for row in fast] if flat_vector and arr.shape[1] == 1 else fast
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
