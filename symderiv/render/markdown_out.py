"""Markdown with MathJax mathematics, as a math.SE answer is written: `diff --format
markdown`, `check --format markdown`, and the notebook display of both results.

Prose stays outside the mathematics (Markdown-escaped), words inside it are in
``\\text{}``, inline math is ``$...$`` and display math ``$$...$$``, and only
environments MathJax has are used (aligned, cases, bmatrix): no align*, no document.

This module is not ``symderiv/markdown.py``, which *reads* Markdown posts for `check`.
No mathematics happens here: formulas are spelled by render/spell.py and
render/notation.py in their LaTeX dialect, exactly as the JSON's ``latex`` fields are;
this module lays them out (a derivation's literal words go into ``\text{}``, comments go
below a display) and sets the formulas inside engine sentences ("S = sign(U)") as math.
"""
from __future__ import annotations

import re
from fractions import Fraction

import sympy as sp

from ..exact_numbers import as_sympy
from . import spell
from ..lazy_import import LazyModule
from .notation import GREEK_TEXT, Notation

np = LazyModule("numpy")

# ---- pieces ---------------------------------------------------------------------------------------

# Markdown reads these in prose as emphasis, code, a math delimiter or an escape.
_MD_SPECIAL = re.compile(r"([\\`*_$])")


def prose(text: str) -> str:
    """Plain text (an engine's sentence) as Markdown prose: nothing in it is read as markup."""
    return _MD_SPECIAL.sub(r"\\\1", text)


# Engine sentences are plain text with some mathematics in them ("write S = sign(U)",
# "dS = 2δ(U) ⊙ dU"); those runs go into math so that they are set as formulas, not roman.
_ATOM = re.compile(r"^(?:[±∇d]?\d*(?:[A-Za-z]|[α-ωΑ-Ω])(?:_[A-Za-z0-9]+)?(?:\([^()\s]*\))?"
                   r"|[±-]?\d+|(?:sign|sgn|max|min)\([^()\s]*\))$")
_OPS = {"=", "⊙", "≤", "≥", "≠", "<", ">", "+", "-", "−", "·"}
# math even with no relation around: ∇f, ±1, δ(U), sign(0), dS, a matrix's letter, f, λ
_ALONE = re.compile(r"^(?:∇[A-Za-z]|±\d+|\d*δ\([^()\s]*\)|(?:sign|sgn|max|min)\([^()\s]*\)|d?[B-HJ-Z]|f|[α-ωΑ-Ω])$")
_TEX = [("sign(", r"\operatorname{sign}("), ("sgn(", r"\operatorname{sgn}("), ("max(", r"\max("),
        ("min(", r"\min("), ("δ", r"\delta "), ("∇", r"\nabla "), ("±", r"\pm "), ("⊙", r"\odot"),
        ("≤", r"\le"), ("≥", r"\ge"), ("≠", r"\ne"), ("·", r"\cdot"), ("−", "-")] + \
    [(g, "\\" + name + " ") for name, g in GREEK_TEXT.items() if name not in ("varepsilon", "varphi")]


def _tex_token(tok: str) -> str:
    for a, b in _TEX:
        tok = tok.replace(a, b)
    return re.sub(r"_([A-Za-z0-9]{2,})", r"_{\1}", tok)


_LIST = re.compile(r"\[\[[^\[\]]*\](?:,\s*\[[^\[\]]*\])*\]")
_ENTRY = re.compile(r"^-?\d+(?:/\d+)?$")


def _matrix(text: str) -> str | None:
    """A nested list of numbers as the checker prints it ([[1, -2], [0, 3]]) as a bmatrix."""
    rows = [r.split(",") for r in re.findall(r"\[([^\[\]]*)\]", text)]
    if not rows or any(not _ENTRY.match(e.strip()) for r in rows for e in r):
        return None

    def entry(e):
        e = e.strip()
        if "/" not in e:
            return e
        num, den = e.split("/")
        return ("-" if num.startswith("-") else "") + rf"\frac{{{num.lstrip('-')}}}{{{den}}}"
    return r"\begin{bmatrix}" + r" \\ ".join(" & ".join(entry(e) for e in r) for r in rows) + r"\end{bmatrix}"


def sentence(text: str) -> str:
    """An engine's sentence as Markdown: its formulas ('S = sign(U)', '±1', '∇f',
    'X = [[2]]') in inline math, the rest escaped prose."""
    lists = []

    def stash(m):
        tex = _matrix(m.group(0))
        if tex is None:
            return m.group(0)
        lists.append(tex)
        return f"\x00{len(lists) - 1}\x00"
    return _sentence(_LIST.sub(stash, text).split(" "), lists)


def _sentence(toks: list, lists: list) -> str:
    def tex(tok):
        m = re.fullmatch(r"\x00(\d+)\x00", tok)
        return lists[int(m.group(1))] if m else _tex_token(tok)

    def atom(tok):
        return bool(_ATOM.match(tok) or re.fullmatch(r"\x00\d+\x00", tok))
    out, i = [], 0
    while i < len(toks):
        core, tail = _split_punct(toks[i])
        if atom(core):
            # the longest run atom (op atom)*, stopping after a token that ends a clause
            j, end_tail = i, tail
            while not end_tail and j + 2 < len(toks) and toks[j + 1] in _OPS:
                nxt, nxt_tail = _split_punct(toks[j + 2])
                if not atom(nxt):
                    break
                j, end_tail = j + 2, nxt_tail
            if j > i or _ALONE.match(core) or core.startswith("\x00"):
                body = " ".join(tex(t) for t in toks[i:j] + [_split_punct(toks[j])[0]])
                out.append(inline(body.replace("  ", " ").strip()) + prose(end_tail))
                i = j + 1
                continue
        # a list inside a word keeps its original spelling
        out.append(re.sub(r"\x00(\d+)\x00", lambda m: "$" + lists[int(m.group(1))] + "$", prose(toks[i])))
        i += 1
    return " ".join(out)


def capital(text: str) -> str:
    """The sentence with its first word capitalised, unless that word may be mathematics
    (df, x_ij): only a lower-case word of three letters or more is."""
    first = text.split(" ", 1)[0]
    return text[:1].upper() + text[1:] if re.fullmatch(r"[a-z]{3,}[.,:;]?", first) else text


def _split_punct(tok: str) -> tuple:
    core = tok.rstrip(".,;:")
    return core, tok[len(core):]


def mixed(text: str) -> str:
    """Prose with ``$...$`` math in it (a kink's story in its LaTeX dialect): the prose
    between the dollars is escaped for Markdown, the math is kept."""
    parts = text.split("$")
    if len(parts) % 2 == 0:             # an odd number of dollars: no math to trust
        return prose(text)
    return "".join(sentence(p) if i % 2 == 0 else f"${p}$" for i, p in enumerate(parts))


def text_in_math(words: str) -> str:
    """Words inside math: ``\\text{...}``, with what MathJax would read in it
    (braces, a dollar that opens math) kept out."""
    safe = words.replace("\\", "/").replace("{", "(").replace("}", ")").replace("$", "S")
    return r"\text{" + safe + "}"


def inline(tex: str) -> str:
    return f"${tex}$"


def display(tex: str) -> str:
    return f"$$\n{tex}\n$$"


def aligned(rows: list[str]) -> str:
    if len(rows) == 1:
        return rows[0].replace("&", "", 1) if _top_level_amp(rows[0]) else rows[0]
    return "\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}"


def _top_level_amp(row: str) -> bool:
    """Whether the row's first & is the alignment point (not a column of cases/bmatrix)."""
    depth = 0
    for i, ch in enumerate(row):
        if row.startswith(r"\begin", i):
            depth += 1
        elif row.startswith(r"\end", i):
            depth -= 1
        elif ch == "&" and depth == 0:
            return True
    return False


def number(v) -> str:
    if isinstance(v, Fraction):
        v = sp.Rational(v.numerator, v.denominator)
    return sp.latex(as_sympy(v))


def array(value, flat: bool = False) -> str:
    """An exact value or array in LaTeX (a 1x1 array as its number)."""
    if isinstance(value, np.ndarray):
        return spell.array_latex(value, flat)
    return number(value)


_WORD = re.compile(r"[A-Za-z]{2,}[.,:;]?$")


def literal(m, N: Notation, before_math: bool = False) -> str:
    """A literal piece of a derivation line ('slope of f from above', 'on', 'S') in
    LaTeX: its words in ``\\text{}``, its letters as math.  A piece that brings its own
    LaTeX (``\\nabla f``) is used as it is."""
    if m.text is None or m.latex != m.text:
        return spell.math(m, N)
    out, words = [], []
    for tok in m.text.split():
        if _WORD.match(tok):
            words.append(tok)
            continue
        if words:
            out.append(text_in_math(" ".join(words) + " "))
            words = []
        out.append(tok)
    if words:
        out.append(text_in_math((" " if out else "") + " ".join(words) + (" " if before_math else "")))
    return " ".join(out)


def _row(ln, N: Notation) -> str:
    lhs = literal(ln.lhs, N, before_math=not ln.rel) if ln.lhs.text is not None else spell.math(ln.lhs, N)
    rhs = spell.math(ln.rhs, N)
    if ln.rel:
        rel = {"=": "=", "<=": r"\le", ">=": r"\ge"}.get(ln.rel, ln.rel)
        return f"{lhs} &{rel} {rhs}".strip()
    # a line with no relation ('at x = 0'): aligned on the relation inside its right side
    for rel in (" = ", r" \le ", r" \ge ", r" \ne ", " > ", " < "):
        if rel in rhs and not rhs.startswith(r"\begin"):
            head, tail = rhs.split(rel, 1)
            return f"{lhs} {head} &{rel.strip()} {tail}"
    return f"{lhs} & {rhs}"


_ROMAN = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"]


def _label(k: int) -> str:
    return _ROMAN[k] if k < len(_ROMAN) else str(k + 1)


def step_block(st, N: Notation, index: int) -> list[str]:
    """One derivation step: its title and prose, its lines in one aligned display, and the
    comments below the display (each marked on its line when there are several lines),
    so that no comment runs beside an equation off the page."""
    head = f"**{index}. {sentence(st.title)}.**" + (f" {sentence(st.prose)}" if st.prose else "")
    out = [head]
    if not st.lines:
        return out
    rows, notes = [], []
    several = len(st.lines) > 1
    for ln in st.lines:
        row = _row(ln, N)
        if ln.note:
            if several:
                mark = _label(len(notes))
                row += rf" \qquad \text{{({mark})}}"
                notes.append(f"({mark}) {sentence(ln.note)}")
            else:
                notes.append(sentence(capital(ln.note)) + ".")
        rows.append(row)
    out += ["", display(aligned(rows))]
    if notes:
        out += ["", "  \n".join(notes)]
    return out


# ---- diff -----------------------------------------------------------------------------------------

def call(analysis, N: Notation) -> str:
    """f(X), or f(x, y) for a variable made of named scalars (its name is '(x, y)')."""
    name = N.name(analysis.problem.var.name)
    return "f" + name if name.startswith("(") and name.endswith(")") else f"f({name})"


def grad(analysis, N: Notation) -> str:
    return r"\nabla " + call(analysis, N)


def _var_kind(analysis, N: Notation) -> str:
    var = analysis.problem.var
    if var.is_scalar:
        return "a scalar"
    noun = "vector" if var.shape[1] == 1 else "matrix"
    article = "an" if str(var.shape[0])[:1] in "aefhilmnorsx8" else "a"
    return f"{article} {inline(N.shape(var.shape))} {noun}"


def smoothness(v) -> str:
    s = v.smoothness
    if s is None:
        return "not continuous"
    if s == "inf":
        return inline(r"C^\infty")
    if not v.smoothness_exact:
        return f"at least {inline(f'C^{{{s}}}')} (the exact class was not decided)"
    tail = spell._for_constants(v, Notation(True))
    return f"{inline(f'C^{{{s}}}')}, not {inline(f'C^{{{s + 1}}}')}" + mixed(tail)


def verdict_md(analysis) -> list[str]:
    v = analysis.verdict
    N = spell.notation(True, analysis)
    dom = spell.domain(v, N)
    on = f" on its domain, where {inline(dom)}" if dom else ""
    if v.differentiable_everywhere:
        out = [f"**Verdict.** $f$ is differentiable everywhere{on}."]
    else:
        out = [f"**Verdict.** $f$ is not differentiable where {inline(spell.nondifferentiable_set(v, N))}"
               + (f"; elsewhere it is differentiable{on}" if dom else "") + "."]
    where = "" if v.differentiable_everywhere else " (on the set where $f$ is differentiable)"
    out += ["", f"**Gradient**{where}:", "", display(f"{grad(analysis, N)} = {spell.gradient(v, N)}")]
    cont = {True: "continuous", False: "not continuous", None: "perhaps not continuous (not decided)"}[v.continuous]
    jumps = spell.jump_set(v, N) if v.continuous is False else None
    out += ["", f"**Class.** $f$ is {cont}" + (f" (it jumps where {inline(jumps)})" if jumps else "")
            + f"; smoothness: {smoothness(v)}."]
    h = spell.hessian(v, N)
    if h is not None and v.continuous:
        kinks = spell.gradient_kink_set(v, N)
        out += ["", "**Second order**, where $f$ is twice differentiable: " + inline(h)
                + (f"; the gradient is not differentiable where {inline(kinks)}." if kinks else ".")]
    conv = analysis.convexity
    word = {True: "convex", False: "not convex", None: "not decided"}[conv.convex]
    out += ["", f"**Convexity.** {word} ({sentence(conv.reason)})."]
    if conv.curvature is not None:
        out += ["", f"**Curvature.** {spell.curvature_phrase(conv, N)} ({sentence(conv.curvature.reason)})."]
    return out


def kinks_md(analysis) -> list[str]:
    N = spell.notation(True, analysis)
    if not analysis.verdict.kinks:
        return ["No primitive of $f$ has a kink that moves with the variable."]
    return ["- " + mixed(spell.kink_story(k, N)) for k in analysis.verdict.kinks]


def route_md(analysis, name: str) -> list[str]:
    r = analysis.routes.get(name)
    if r is None:
        return []
    N = spell.notation(True, analysis, r.switch_names)
    out = []
    for i, st in enumerate(r.steps, 1):
        out += step_block(st, N, i) + [""]
    return out[:-1]


def point_md(analysis) -> list[str]:
    p = analysis.point
    if p is None:
        return []
    var = analysis.problem.var
    flat = spell.is_flat_vector(var)
    N = spell.notation(True, analysis)
    name = N.name(var.name)
    here = analysis.values.get(var.name)
    at = array(here, flat) if here is not None else text_in_math(analysis.at_text)
    out = [f"**At the point** {inline(f'{name} = {at}')}: {inline(f'f = {number(p.value)}')}."]
    if p.differentiable:
        out += ["", "$f$ is differentiable here:", "", display(f"{grad(analysis, N)} = {array(p.gradient, flat)}")]
    else:
        clarke = p.clarke
        out += ["", "$f$ is not differentiable here."]
        if not clarke.exists:
            out += ["", f"There is no Clarke subdifferential: {sentence(clarke.reason)}."]
        elif not clarke.decided:
            out += ["", f"The Clarke subdifferential was not decided: {sentence(clarke.why)}."]
        else:
            out += ["", "Its Clarke subdifferential:", "",
                    display(rf"\partial {call(analysis, N)} = {clarke.to_latex(flat)}")]
            if p.one_sided:
                items = [f"entry {inline(_entry(o['entry']))}: left {inline(number(o['left']))}, "
                         f"right {inline(number(o['right']))}" for o in p.one_sided]
                out += ["", "One-sided derivatives along the axes (entries counted from 1): " + "; ".join(items) + "."]
    arb = analysis.point_arbiter
    if analysis.direction_text is not None and arb is not None:
        if arb.directional is not None:
            out += ["", f"Along {inline('D = ' + array(_direction(analysis), flat))}: "
                    + inline(f"f'({name}; D) = {number(arb.directional)}") + "."]
        else:
            out += ["", f"Along {inline('D = ' + array(_direction(analysis), flat))} there is no "
                    f"one-sided derivative ({sentence(arb.directional_reason)})."]
    if arb is not None and arb.overrode:
        out += ["", f"Decided by the arbiter ({prose(arb.test)}), which corrected the kinks' answer here."]
    return out


def _entry(entry) -> str:
    i, j = (tuple(entry) + (0,))[:2]
    return f"({i + 1}, {j + 1})"


def _direction(analysis):
    from ..values import load      # lazy: only a --direction needs it again
    return load(analysis.direction_text, "--direction")


def render(analysis) -> str:
    """`symderiv diff --format markdown`."""
    N = spell.notation(True, analysis)
    var = N.name(analysis.problem.var.name)
    out = [f"**Is** {inline(f'{call(analysis, N)} = {N.node(analysis.problem.f)}')} **differentiable?**", "",
           f"The variable is {inline(var)}, {_var_kind(analysis, N)}."]
    if analysis.notes:
        out += ["", "Read as: " + "; ".join(sentence(n) for n in analysis.notes) + "."]
    out += [""] + verdict_md(analysis)
    out += ["", "**Kinks.**", ""] + kinks_md(analysis)
    out += ["", "#### Route 1: the sign identity", ""] + route_md(analysis, "sign")
    if "direct" in analysis.routes:
        out += ["", "#### Route 2: the direct case split", ""] + route_md(analysis, "direct")
    agree = {True: "agree", False: "disagree", None: "could not be compared"}[analysis.agree]
    out += ["", f"The two routes {agree} ({sentence(analysis.agree_reason)})."]
    a = analysis.arbiter
    if a is not None:
        fails = " or ".join(a.failing) if a.failing else "none of them"
        out += ["", prose(f"Arbiter ({a.trigger}): settled by {a.test} at {', '.join(a.points)}; f is not "
                          f"differentiable at {fails}"
                          + (" (the kinks' verdict above was corrected to this)" if a.changed else "") + ".")]
    pm = point_md(analysis)
    if pm:
        out += [""] + pm
    ad = analysis.autodiff
    if ad is not None:
        line = f"Autodiff: {ad['message']}" if not ad["available"] else \
            f"Autodiff ({ad['framework']}): {ad['message']}"
        out += ["", prose(line)]
    return "\n".join(out) + "\n"


def summary_latex(analysis) -> str:
    """The answer at a glance as one MathJax display (the notebook's ``_repr_latex_``)."""
    v = analysis.verdict
    N = spell.notation(True, analysis)
    var = N.name(analysis.problem.var.name)
    rows = [rf"{call(analysis, N)} &= {N.node(analysis.problem.f)}"]
    if v.differentiable_everywhere:
        rows.append(r"& \text{differentiable everywhere}")
    else:
        rows.append(r"& \text{not differentiable where } " + spell.nondifferentiable_set(v, N))
    rows.append(rf"{grad(analysis, N)} &= {spell.gradient(v, N)}")
    s = v.smoothness
    cls = r"\text{not continuous}" if s is None else (
        r"C^\infty" if s == "inf" else (f"C^{{{s}}}" if v.smoothness_exact else rf"\text{{at least }} C^{{{s}}}"))
    word = {True: "convex", False: "not convex", None: "convexity not decided"}[analysis.convexity.convex]
    rows.append(rf"& {cls},\ \text{{{word}}}")
    p = analysis.point
    if p is not None:
        flat = spell.is_flat_vector(analysis.problem.var)
        here = analysis.values.get(analysis.problem.var.name)
        at = array(here, flat) if here is not None else text_in_math(analysis.at_text)
        if p.differentiable:
            rows.append(rf"\nabla f\big|_{{{var} = {at}}} &= {array(p.gradient, flat)}")
        elif p.clarke.exists and p.clarke.decided:
            rows.append(rf"\partial f\big|_{{{var} = {at}}} &= {p.clarke.to_latex(flat)}")
        else:
            rows.append(rf"& \text{{not differentiable at }} {var} = {at}")
    return "$$\n" + aligned(rows) + "\n$$"


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def short(analysis) -> str:
    """A one-line repr: <Analysis f=‖max(X, 0)‖_F^2: differentiable everywhere, ∇f = ..., C^1>."""
    v = analysis.verdict
    N = spell.notation(False, analysis)
    if v.differentiable_everywhere:
        verdict = "differentiable everywhere"
    else:
        verdict = "not differentiable where " + _clip(spell.nondifferentiable_set(v, N) or "", 60)
    s = v.smoothness
    cls = "not continuous" if s is None else ("C^∞" if s == "inf" else f"C^{s}")
    out = (f"<Analysis f={_clip(N.node(analysis.problem.f), 60)}: {verdict}, "
           f"∇f = {_clip(spell.gradient(v, N), 60)}, {cls}")
    p = analysis.point
    if p is not None:
        out += f"; at {_clip(analysis.at_text, 30)}: " + ("differentiable" if p.differentiable else "not differentiable")
    return out + ">"


# ---- check ----------------------------------------------------------------------------------------

MARK = {"definition": "·", "valid": "✓", "valid-where": "~", "invalid": "✗", "unverified": "?"}
WORD = {"definition": "definition", "valid": "valid", "valid-where": "valid where", "invalid": "invalid",
        "unverified": "unverified"}
MARK_TEX = {"definition": r"\mathrel{:=}", "valid": r"\checkmark", "valid-where": r"\sim",
            "invalid": r"\times", "unverified": "?"}


def _summary(report) -> str:
    counts = {}
    for s in report.steps:
        counts[s.verdict] = counts.get(s.verdict, 0) + 1
    return ", ".join(f"{n} {WORD[v]}" for v, n in sorted(counts.items(), key=lambda kv: list(MARK).index(kv[0])))


_FROM_GREEK = {g: name for name, g in GREEK_TEXT.items() if name not in ("varepsilon", "varphi")}


def _shown_name(name: str) -> str:
    """A name the checker shows (λ, x_ij, dX) in LaTeX."""
    base, _, sub = name.partition("_")
    base = _FROM_GREEK.get(base, base)
    return Notation(True).name(base + ("_" + sub if sub else ""))


def counterexample_md(c) -> str:
    matrices = getattr(c, "matrices", frozenset())
    values = ",\\ ".join(f"{_shown_name(k)} = {_side(v, k in matrices)}" for k, v in c.values.items())
    where = f"at {inline(values)} " if values else ""
    return (f"Counterexample: {where}the left side is {inline(_side(c.lhs, 'lhs' in matrices))} "
            f"and the right side is {inline(_side(c.rhs, 'rhs' in matrices))}.")


def _side(v, matrix: bool = False) -> str:
    """A value of a counterexample; a 1x1 matrix stays a matrix, as the reason calls it."""
    if v is None:
        return r"\text{undefined}"
    if isinstance(v, str):       # a limit's words ('does not exist') or a number the checker spelled
        m = re.fullmatch(r"(-?)(\d+)(?:/(\d+))?", v.strip())
        if v.strip() in ("∞", "-∞"):
            return v.strip().replace("∞", r"\infty")
        if m is None:
            return text_in_math(v)
        return m.group(1) + (rf"\frac{{{m.group(2)}}}{{{m.group(3)}}}" if m.group(3) else m.group(2))
    if matrix and isinstance(v, np.ndarray) and v.shape == (1, 1):
        return r"\begin{bmatrix}" + number(v[0, 0]) + r"\end{bmatrix}"
    return array(v)


def render_check(report) -> str:
    """`symderiv check --format markdown`: every step with its mark, condition,
    counterexample and reason."""
    var = f" (variable {inline(_shown_name(report.variable))})" if report.variable else ""
    out = [f"**{len(report.steps)} steps**{var}: {_summary(report)}.", "",
           "Marks: ✓ valid, ~ valid where a condition holds, ✗ invalid, ? unverified, · definition."]
    for s in report.steps:
        head = f"**{MARK[s.verdict]} Step {s.index}** ({WORD[s.verdict]}"
        if s.verdict == "valid-where" and s.condition:
            head += " " + inline(s.condition["latex"])
        head += f"; line {s.line}):"
        out += ["", head, "", display(" ".join(s.source.split())), "", sentence(capital(s.reason))
                + ("" if s.reason.endswith(".") else ".")]
        if s.counterexample is not None:
            out += ["", counterexample_md(s.counterexample)]
        if s.depends_on:
            steps = [str(d) for d in s.depends_on]
            out += ["", "Builds on step" + (f" {steps[0]}" if len(steps) == 1 else
                                            f"s {', '.join(steps[:-1])} and {steps[-1]}") + "."]
    first = report.first_error
    out += ["", f"**First error: step {first}.**" if first is not None else "**No step is false.**"]
    return "\n".join(out) + "\n"


def check_latex(report) -> str:
    """The checked steps as one MathJax display, a mark beside each (``_repr_latex_``)."""
    rows = []
    for s in report.steps:
        where = ""
        if s.verdict == "valid-where" and s.condition:
            where = rf"\ \text{{where }} {s.condition['latex']}"
        rows.append(rf"\text{{{s.index}.}} \quad & {' '.join(s.source.split())} && {MARK_TEX[s.verdict]}{where}")
    if not rows:
        return r"$$\text{no steps}$$"
    return "$$\n\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}\n$$"


def check_short(report) -> str:
    var = f" (variable {report.variable})" if report.variable else ""
    first = report.first_error
    tail = f"first error: step {first}" if first is not None else "no step is false"
    return f"<CheckReport {len(report.steps)} steps{var}: {_summary(report)}; {tail}>"
