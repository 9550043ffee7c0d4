"""Output of `symderiv check`: text, JSON (the contract's fields) and annotated LaTeX.

No mathematics here: the report carries verdicts, sentences and exact values; this
module only lays them out.
"""
from __future__ import annotations

import json
from fractions import Fraction

from ..lazy_import import LazyModule
np = LazyModule("numpy")
import sympy as sp

from ..exact_numbers import as_sympy
from .spell import tex_text

MARK = {"definition": "·", "valid": "✓", "valid-where": "~", "invalid": "✗", "unverified": "?"}
MARK_TEX = {"definition": r"\mathrel{:=}", "valid": r"\checkmark", "valid-where": r"\sim",
            "invalid": r"\times", "unverified": "?"}
WORD = {"definition": "definition", "valid": "valid", "valid-where": "valid where", "invalid": "invalid",
        "unverified": "unverified"}
UNICODE_TEX = {"≥": r"$\ge$", "≤": r"$\le$", "≠": r"$\ne$", "λ": r"$\lambda$", "Δ": r"$\Delta$",
               "→": r"$\to$", "⁺": r"$^+$", "⁻": r"$^-$", "×": r"$\times$", "⟨": r"$\langle$",
               "⟩": r"$\rangle$", "‖": r"$\|$", "σ": r"$\sigma$", "⊙": r"$\odot$", "·": r"$\cdot$",
               "<": r"$<$", ">": r"$>$", "|": r"$|$"}


# ---- numbers ------------------------------------------------------------------------------------

def _number(v):
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int):
        return v
    if isinstance(v, Fraction):
        return v.numerator if v.denominator == 1 else float(v)
    v = as_sympy(v)
    if v.is_Integer:
        return int(v)
    if v.is_number and v.is_extended_real and v.is_finite:
        return float(v)
    return _exact(v)           # complex, infinite or symbolic: JSON has no number for it


def _exact(v):
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, (int, Fraction)):
        return str(v)
    return sp.sstr(as_sympy(v))


def _shaped(v, fn):
    if isinstance(v, np.ndarray):
        return [[fn(x) for x in row] for row in v]
    return fn(v)


def counterexample_json(c) -> dict | None:
    if c is None:
        return None
    return {
        "values": {k: _shaped(v, _number) for k, v in c.values.items()},
        "lhs": _shaped(c.lhs, _number),
        "rhs": _shaped(c.rhs, _number),
        "exact": {"values": {k: _shaped(v, _exact) for k, v in c.values.items()},
                  "lhs": _shaped(c.lhs, _exact), "rhs": _shaped(c.rhs, _exact)},
    }


# ---- JSON -----------------------------------------------------------------------------------------

def to_dict(report) -> dict:
    return {
        "steps": [{
            "index": s.index,
            "source": s.source,
            "verdict": s.verdict,
            "condition": s.condition,
            "counterexample": counterexample_json(s.counterexample),
            "reason": s.reason,
            "depends_on": list(s.depends_on),
            "line": s.line,
        } for s in report.steps],
        "first_error": report.first_error,
        "variable": report.variable,
    }


def render_json(report) -> str:
    return json.dumps(to_dict(report), indent=2, ensure_ascii=False) + "\n"


# ---- text -----------------------------------------------------------------------------------------

def render_text(report) -> str:
    counts = {}
    for s in report.steps:
        counts[s.verdict] = counts.get(s.verdict, 0) + 1
    summary = ", ".join(f"{n} {WORD[v]}" for v, n in sorted(counts.items(), key=lambda kv: list(MARK).index(kv[0])))
    var = f" (variable {report.variable})" if report.variable else ""
    out = [f"{len(report.steps)} steps{var}: {summary}", ""]
    for s in report.steps:
        out.append(f"{MARK[s.verdict]} {s.index}. {' '.join(s.source.split())}    [line {s.line}]")
        head = WORD[s.verdict]
        if s.verdict == "valid-where" and s.condition:
            head += " " + s.condition["text"]
        out.append(f"     {head}: {s.reason}")
    out.append("")
    first = report.first_error
    out.append(f"First error: step {first}." if first is not None else "No step is false.")
    return "\n".join(out) + "\n"


# ---- LaTeX ----------------------------------------------------------------------------------------

def _prose(text: str) -> str:
    return "".join(UNICODE_TEX.get(c, None) or tex_text(c) for c in text)


def render_latex(report) -> str:
    """The derivation as an align* with a mark beside every step, and the reasons below."""
    rows = []
    for s in report.steps:
        mark = MARK_TEX[s.verdict]
        where = ""
        if s.verdict == "valid-where" and s.condition:
            where = rf"\ \text{{where }} {s.condition['latex']}"
        rows.append(rf"  \text{{{s.index}.}} \quad & {' '.join(s.source.split())} && {mark}{where}")
    out = [r"% symderiv check: \checkmark valid, \sim valid where, \times invalid, ? unverified, := definition",
           r"% (amsmath for align*, amssymb for \checkmark)",
           r"\begin{align*}", " \\\\\n".join(rows), r"\end{align*}", r"\begin{enumerate}"]
    for s in report.steps:
        out.append(rf"  \item[{s.index}.] \textbf{{{WORD[s.verdict]}}}: {_prose(s.reason)}")
    out.append(r"\end{enumerate}")
    first = report.first_error
    out.append(f"First error: step {first}." if first is not None else "No step is false.")
    return "\n".join(out) + "\n"
