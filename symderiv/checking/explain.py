"""The sentences of the verdicts, and the exact data a counterexample carries.

The deciding modules return structure (which test settled it, the point, the kinks); this
module turns it into the one sentence a person can act on, and into the condition and
counterexample records of the contract.  Printing of nodes is the renderers' notation.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from ..lazy_import import LazyModule
np = LazyModule("numpy")
import sympy as sp

from .. import expr as E
from ..exact_numbers import as_sympy
from ..render.notation import Notation, number_text
from ..scalar import FUNCS
from .decide import Outcome
from .nodes import Built
from .reading import Limit
from .sample import leaves

TEXT, TEX = Notation(latex=False), Notation(latex=True)


@dataclass
class Cex:
    """A counterexample: values of the variables, and of the two sides there (exact)."""
    values: dict           # shown name -> int / Fraction / SymPy number, or a 2-D array
    lhs: object            # same kinds; None where a side is undefined
    rhs: object
    matrices: frozenset = frozenset()   # names (and 'lhs'/'rhs') that are matrices


@dataclass
class Explained:
    reason: str
    condition: dict | None = None      # {'text', 'latex'}
    counterexample: Cex | None = None


def shown_name(name: str, built: Built | None = None) -> str:
    return TEXT.name(built.shown.get(name, name) if built is not None else name)


def exact_text(v) -> str:
    if isinstance(v, (int, Fraction)):
        return str(v)
    if v is None:
        return "undefined"
    if isinstance(v, str):
        return v
    v = as_sympy(v)
    if v.has(sp.zoo, sp.nan):
        return "undefined"
    if v in (sp.oo, -sp.oo):
        return "∞" if v == sp.oo else "-∞"
    if v.is_Rational:
        return sp.sstr(v)
    text = number_text(v)
    return f"{text} ≈ {float(v):.6g}" if v.is_real and v.is_number else text


def value_text(v, matrix: bool) -> str:
    if v is None:
        return "undefined"
    if isinstance(v, np.ndarray):
        if v.shape == (1, 1) and not matrix:
            return exact_text(v[0, 0])
        return "[" + ", ".join("[" + ", ".join(exact_text(x) for x in row) + "]" for row in v) + "]"
    return exact_text(v)


def counterexample(outcome: Outcome, built: Built) -> Cex | None:
    c = outcome.counterexample
    if c is None:
        return None
    directions = {d.name for d in built.differentials.values()}
    # what was differentiated too: where sign(x) jumps, x = 0 is the point to show
    syms = sorted(leaves(list(built.sides) + built.differentiated + [n for _, n in built.conditions]),
                  key=lambda s: s.name in directions)
    values, matrices = {}, set()
    for s in syms:
        arr = c.point.values.get(s.name)
        if arr is None:
            continue
        if s.name in built.symmetric:      # the step saw (A + A^T)/2: show that matrix
            arr = _symmetric_part(arr)
        key = shown_name(s.name, built)
        if s.is_scalar:
            values[key] = arr[0, 0]
        else:
            values[key] = arr
            matrices.add(key)
    if not matrices:               # tr(J^T J) = 6: the sizes are the point
        for d, v in sorted(c.point.dims.items(), key=lambda kv: str(kv[0])):
            values[str(d)] = v
    left, right = built.sides
    lhs = _side(c.lhs, left)
    rhs = _side(c.rhs, right)
    if not left.is_scalar:
        matrices.add("lhs")
    if not right.is_scalar:
        matrices.add("rhs")
    return Cex(values, lhs, rhs, frozenset(matrices))


def _hold(given) -> str:
    # 'although y ≥ 0 and sum_i y_i = 1 hold there': the conditions are joined by 'and'
    return "hold" if " and " in given["text"] else "holds"


def _symmetric_part(arr):
    out = np.empty(arr.shape, dtype=object)
    for i, j in np.ndindex(arr.shape):
        half = Fraction(arr[i, j] + arr[j, i]) / 2
        out[i, j] = half.numerator if half.denominator == 1 else half
    return out


def _side(v, node):
    if v is None:
        return None
    if node.is_scalar and isinstance(v, np.ndarray) and v.shape == (1, 1):
        return v[0, 0]
    return v


def point_text(cex: Cex) -> str:
    return ", ".join(f"{k} = {value_text(v, k in cex.matrices)}" for k, v in cex.values.items())


def at(cex: Cex) -> str:
    """'at X = [[2]] ' (nothing when the sides are constants)."""
    return f"at {point_text(cex)} " if cex.values else ""


# ---- kinks and conditions ---------------------------------------------------------------------

def off_kinks(switches) -> dict:
    """'where no entry of X is 0' for the kinks of a step."""
    texts, texs = [], []
    for u in switches:
        if u.is_scalar:
            texts.append(f"{TEXT.node(u)} ≠ 0")
            texs.append(f"{TEX.node(u)} \\neq 0")
        else:
            texts.append(f"no entry of {TEXT.node(u)} is 0")
            texs.append(f"{TEX.entry_of(u)} \\neq 0 \\text{{ for all }} i, j")
    if not texts:
        return {"text": "everywhere", "latex": r"\text{everywhere}"}
    return {"text": " and ".join(texts), "latex": r" \text{ and } ".join(texs)}


def stated(conditions) -> dict | None:
    """The conditions the derivation states for a step, as it wrote them."""
    if not conditions:
        return None
    return {"text": " and ".join(_tex_to_text(c.latex) for c in conditions),
            "latex": r" \text{ and } ".join(c.latex for c in conditions)}


def _tex_to_text(tex: str) -> str:
    out = tex
    for a, b in ((r"\geq", "≥"), (r"\leq", "≤"), (r"\ge", "≥"), (r"\le", "≤"), (r"\neq", "≠"),
                 (r"\ne", "≠"), (r"\lt", "<"), (r"\gt", ">")):
        out = out.replace(a, b)
    out = re.sub(r"\\([a-zA-Z]+)", lambda m: TEXT.name(m.group(1)), out)     # \delta -> δ
    return " ".join(out.replace("{", "").replace("}", "").split())


def join(a: dict | None, b: dict | None) -> dict | None:
    if a is None or b is None:
        return a or b
    return {"text": f"{a['text']} and {b['text']}", "latex": f"{a['latex']} \\text{{ and }} {b['latex']}"}


def cells_text(cells) -> str:
    """Where an identity holds, from its sign cells: 'x_ij < 0 for every i, j'."""
    parts, matrix = [], False
    for cell in cells:
        conj = []
        for u, s in cell:
            matrix |= not u.is_scalar
            name = TEXT.entry_of(u) if not u.is_scalar else TEXT.node(u)
            conj.append(f"{name} {'>' if s > 0 else '<'} 0")
        parts.append(" and ".join(conj))
    text = " or ".join(parts)
    return text + (" (entry by entry)" if matrix else "")


# ---- sentences ---------------------------------------------------------------------------------

HOW = {
    "canonical": "the two sides are the same expression once written in canonical form",
    "generic": "the generic entries of the two sides agree (equal sign forms)",
    "entries": "the two sides agree entry by entry (equal sign forms, with each size set to a small number of its own: 3, 2, 4, 5)",
    "cells": "the two sides agree on each sign region the condition allows",
    "identity": ("the two sides agree entry by entry as polynomials in the entries and the signs of the kinks "
                 "(each size set to a small number of its own; a randomized identity test at three integer points, wrong with "
                 "probability below 10^-20)"),
}


def _conventions(built: Built) -> str:
    """Where a verdict turns on the value of a jump at its switch, say which was used."""
    used = set()
    for n in built.sides:
        for m in E.walk(n):
            if isinstance(m, E.Entrywise):
                used |= {f.func for f in m.expr.atoms(FUNCS["sign"], FUNCS["heaviside"])}
    said = []
    if FUNCS["sign"] in used:
        said.append("sign(0) = 0")
    if FUNCS["heaviside"] in used:
        said.append("H(0) = 1/2")
    return f" (symderiv takes {' and '.join(said)}; a post's own convention may differ there)" if said else ""


def explain(outcome: Outcome, built: Built, conditions) -> Explained:
    cex = counterexample(outcome, built)
    given = stated(conditions)
    if built.edges:               # cases that say nothing on their edges: claimed off them
        given = join(given, off_kinks(built.edges))
    how = HOW.get(outcome.how, "the two sides agree")
    if outcome.verdict == "valid":
        if outcome.switches:
            how += f", and they are equal at the {outcome.tested} kink points tested"
        return Explained(how)
    if outcome.verdict == "valid-where" and outcome.counterexample is None:
        source = "the condition stated for it" if conditions else "where a row of its cases holds"
        return Explained(f"holds where {given['text']} ({source}): {how}", given)
    if outcome.verdict == "valid-where" and outcome.counterexample.note == "undefined":
        side = "neither side has a value" if cex.lhs is None and cex.rhs is None else (
            f"the {'left' if cex.lhs is None else 'right'} side has no value while the other has one")
        defined = {"text": "both sides are defined", "latex": r"\text{both sides are defined}"}
        where = join(given, off_kinks(outcome.switches) if outcome.switches else defined)
        return Explained(f"equal where both sides are defined, but {at(cex)}{side} (a division by zero, or a "
                         "point outside a domain)", where, cex)
    if outcome.verdict == "valid-where":
        where = join(given, off_kinks(outcome.switches))
        if outcome.counterexample.note == "jump":
            fail = f"{at(cex)}a quantity differentiated here jumps, so its differential does not exist"
        else:
            fail = (f"{at(cex)}the left side is {value_text(cex.lhs, 'lhs' in cex.matrices)} "
                    f"and the right side is {value_text(cex.rhs, 'rhs' in cex.matrices)}")
        return Explained(f"equal off the kinks (their sign forms agree), but not on them: {fail}{_conventions(built)}",
                         where, cex)
    if outcome.verdict == "invalid" and outcome.counterexample.note == "jump":
        reason = f"false: {at(cex)}a quantity differentiated here jumps, so its derivative does not exist"
        if given:
            reason += f", although {given['text']} {_hold(given)} there"
        return Explained(reason, None, cex)
    if outcome.verdict == "invalid":
        reason = (f"false: {at(cex)}the left side is {value_text(cex.lhs, 'lhs' in cex.matrices)} "
                  f"and the right side is {value_text(cex.rhs, 'rhs' in cex.matrices)}")
        if given:
            reason += f", although {given['text']} {_hold(given)} there"
        if outcome.holds_on:
            reason += f"; it does hold where {cells_text(outcome.holds_on)}, but not in general"
        return Explained(reason, None, cex)
    if outcome.how == "kink-only":
        return Explained(f"not decided: equal at the generic points tested, but {at(cex)}the left side is "
                         f"{value_text(cex.lhs, 'lhs' in cex.matrices)} and the right side "
                         f"{value_text(cex.rhs, 'rhs' in cex.matrices)}, and the symbolic test was inconclusive",
                         None, cex)
    if outcome.undefined is not None:
        u = outcome.undefined
        side = "left" if u.lhs is None else "right"
        where = counterexample(Outcome("", "", u), built)
        agree = (f"the two sides agree at the {outcome.tested} points tested where both are defined, "
                 "which is not a proof" if outcome.tested else "no point was found where both sides are defined")
        return Explained(f"not decided: {at(where)}the {side} side has no real value (outside its domain, "
                         f"or a division by zero); {agree}")
    if outcome.how == "empty":
        return Explained(f"not checked: the conditions stated for it ({given['text']}) never hold together, "
                         "so the step says nothing")
    if outcome.how == "no-witness":
        return Explained("the sign forms of the two sides differ, but no exact point where they differ was found "
                         f"in {outcome.tested} tries")
    return Explained(f"the symbolic test was inconclusive; the two sides agree at the {outcome.tested} "
                     "points tested, which is not a proof")


# ---- limits ------------------------------------------------------------------------------------

def _approach(limit) -> str:
    var = TEXT.name(_shown_symbol(limit.var))
    point = exact_text(limit.point)
    return f"{var} → {point}" + {"+": "⁺", "-": "⁻", None: ""}[limit.side]


def _shown_symbol(name: str) -> str:
    if name.startswith(("delta_", "Delta_")):
        return "Δ" + name.split("_", 1)[1]
    return name


def _limit_value(e) -> str:
    e = as_sympy(e)
    text = sp.sstr(e.xreplace({s: sp.Symbol(TEXT.name(_shown_symbol(s.name))) for s in e.free_symbols}))
    return text.replace("**", "^").replace("*", "·")


def _is(v) -> str:
    """'is 0', or 'does not exist' for a limit that has no value there."""
    if isinstance(v, str) and v == "does not exist":
        return v
    return f"is {exact_text(v)}"


def _limit_tex(e) -> str:
    e = as_sympy(e)
    return sp.latex(e.xreplace({s: sp.Symbol(TEX.name(_shown_symbol(s.name))) for s in e.free_symbols}))


def explain_limit(outcome, left, right, built: Built, conditions) -> Explained:
    note = (" (Δx is read as an infinitely small increment, as the post defines it)"
            if outcome.infinitesimal else "")
    lim = left if isinstance(left, Limit) else right
    where = stated(conditions)
    if outcome.verdict == "valid":
        if outcome.how == "near":
            reason = f"the two expressions agree near {_approach(lim)}, so their limits do"
        else:
            reason = f"both sides equal {_limit_value(outcome.lhs)}" + (f" as {_approach(lim)}" if lim else "")
        return Explained(reason + note, where)
    if outcome.verdict == "invalid" and outcome.how == "differ":
        values = {TEXT.name(_shown_symbol(k)): v for k, v in outcome.values.items()}
        cex = Cex(values, outcome.lhs, outcome.rhs)
        head = "false: "
        if outcome.near_differs:
            head += f"near {_approach(lim)} the two expressions differ, and so do their limits: "
        reason = (f"{head}{at(cex)}the left side is {exact_text(outcome.lhs)} and the right side is "
                  f"{exact_text(outcome.rhs)}")
        return Explained(reason + note, None, cex)
    if outcome.verdict == "valid-where" and outcome.how != "kink":
        return Explained(f"holds where {where['text']}, the condition stated for it: both sides then equal "
                         f"{_limit_value(outcome.lhs) if outcome.lhs is not None else 'the same limit'}" + note, where)
    if outcome.verdict == "valid-where":
        values = {TEXT.name(_shown_symbol(k)): v for k, v in outcome.values.items()}
        cex = Cex(values, outcome.lhs, outcome.rhs)
        cond = {"text": " and ".join(f"{_limit_value(w)} ≠ 0" for w in outcome.kinks),
                "latex": r" \text{ and } ".join(rf"{_limit_tex(w)} \neq 0" for w in outcome.kinks)}
        return Explained(f"holds except on the kinks of the parameters: {at(cex)}the left side "
                         f"{_is(outcome.lhs)} and the right side {_is(outcome.rhs)}" + note,
                         join(where, cond), cex)
    if outcome.verdict == "invalid":
        cex = Cex({}, _limit_value(outcome.lhs) if outcome.lhs is not None and not isinstance(outcome.lhs, str)
                  else outcome.lhs,
                  _limit_value(outcome.rhs) if outcome.rhs is not None and not isinstance(outcome.rhs, str)
                  else outcome.rhs)
        return Explained(f"false: {outcome.message}" + note, None, cex)
    if outcome.how == "nolimit":
        return Explained(f"not decided: {outcome.message}" + note)
    return Explained("not decided: the two limits could not be compared exactly" + note)
