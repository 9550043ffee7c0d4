"""LaTeX output: the fragment of `diff --format latex` and the document of `derive`.

Typeset as an author would: prose in text and every formula in math.  The engine's notes
and titles are Unicode prose with mathematics in it ("write S = sign(U)"), so `prose`
sets the mathematical runs of a sentence in $...$; words a formula carries (the
literals "on", "value from above") go into \\text{}; a note beside an equation is set
below it with \\intertext, where it can wrap; and a formula too long for the line is
displayed, or broken at its top-level + and relations.
"""
from __future__ import annotations

import re

from . import spell
from .spell import tex_text

# ------------------------------------------------------------------ prose with mathematics

# Two-letter (and one-letter) English words: every other short token of the engine's prose
# is a name (S, dS, x_ij) and goes into math.
_SHORT_WORDS = {"a", "an", "as", "at", "be", "by", "do", "if", "in", "is", "it", "no", "of", "on", "or",
                "so", "to", "up", "we", "us", "e.g", "i.e"}
# Letter runs that are functions when a parenthesis follows (sign(U)), set upright.
_TEX_FUNCTIONS = {"max", "min", "exp", "log", "det", "sin", "cos", "tan", "sinh", "cosh", "tanh", "sup",
                  "inf", "lim", "arg", "ln"}
_MATH_CHARS = {
    "∇": r"\nabla ", "⊙": r"\odot ", "±": r"\pm ", "≠": r"\ne ", "‖": r"\|", "≤": r"\le ", "≥": r"\ge ",
    "⪰": r"\succeq ", "⪯": r"\preceq ", "×": r"\times ", "−": "-", "·": r"\cdot ", "∈": r"\in ",
    "√": r"\surd ", "→": r"\to ", "↓": r"\downarrow ", "∞": r"\infty ", "∘": r"\circ ", "⟨": r"\langle ",
    "⟩": r"\rangle ", "∑": r"\sum ", "∂": r"\partial ", "ᵀ": r"^\top ", "⁻": "^{-}", "¹": "^1", "²": "^2",
    "³": "^3", "₀": "_0", "₁": "_1", "₂": "_2", "₃": "_3", "ₖ": "_k", "⁺": "^+", "…": r"\dots ",
    "%": r"\%", "#": r"\#", "&": r"\&", "$": r"\$", "~": r"\sim ", "{": r"\{", "}": r"\}",
}
_MATH_CHARS.update({c: rf"\{name} " for c, name in spell._GREEK.items()})
_LEAD = "([\"'“"
_TRAIL = ".,;:!?)\"'”"


def _is_word(core: str, first: bool) -> bool:
    """A token of English, not mathematics."""
    if "\\" in core:
        return True                     # a user's own command, shown verbatim
    if core.lower() in _SHORT_WORDS and not (core == "A" and not first):
        return True
    for m in re.finditer(r"[A-Za-z]{3,}", core):
        after = core[m.end():m.end() + 1]
        if not (after == "(" or (after in ("_", "^") and m.group().lower() in _TEX_FUNCTIONS)):
            return True
    return False


def _math_token(tok: str) -> str:
    """A Unicode formula of the engine's prose as LaTeX math."""
    out = []
    i = 0
    while i < len(tok):
        m = re.match(r"[A-Za-z]{2,}(?=\()", tok[i:])
        if m:
            name = m.group()
            out.append(rf"\{name}" if name in _TEX_FUNCTIONS else rf"\operatorname{{{name}}}")
            i += len(name)
            continue
        m = re.match(r"([_^])([A-Za-z0-9]+)", tok[i:])
        if m:
            script = m.group(2)
            if script.isalpha() and len(script) >= 3:      # σ_max: a word, set upright
                script = rf"\{script}" if script in _TEX_FUNCTIONS else rf"\mathrm{{{script}}}"
            out.append(f"{m.group(1)}{{{script}}}")
            i += len(m.group())
            continue
        c = tok[i]
        if tok.startswith("||", i):
            out.append(r"\|")
            i += 2
            continue
        out.append(_MATH_CHARS.get(c, c))
        i += 1
    return "".join(out).strip()


def prose(s: str) -> str:
    """Unicode prose for LaTeX: words as text, the mathematics in it in $...$."""
    out, run = [], []

    def flush():
        if run:
            out.append("$" + " ".join(run) + "$")
            run.clear()

    tokens = re.split(r"(\s+)", s)
    first = True
    for tok in tokens:
        if not tok:
            continue
        if tok.isspace():
            if not run:
                out.append(tok)
            continue
        lead = ""
        while tok and tok[0] in _LEAD and len(tok) > 1:
            lead, tok = lead + tok[0], tok[1:]
        trail = ""
        while tok and tok[-1] in _TRAIL and not (tok[-1] == ")" and tok.count("(") >= tok.count(")")):
            trail, tok = tok[-1] + trail, tok[:-1]
        if not tok or _is_word(tok, first):
            if run:
                flush()
                out.append(" ")
            out.append(tex_text(lead + tok + trail))
        else:
            if lead:
                if run:
                    flush()
                    out.append(" ")
                out.append(tex_text(lead))
            run.append(_math_token(tok))
            if trail:
                flush()
                out.append(tex_text(trail))
        first = trail.endswith((".", "!", "?", ":"))
    flush()
    return "".join(out).rstrip() if s.rstrip() == s else "".join(out)


def _split_top(m: str, pieces: tuple) -> list[str]:
    """Split a LaTeX formula at the given separators where they stand at its top level
    (outside braces and \\left...\\right pairs)."""
    out, depth, start, i = [], 0, 0, 0
    while i < len(m):
        if m.startswith(r"\left", i) and not m[i + 5:i + 6].isalpha():
            depth += 1
            i += 5
            continue
        if m.startswith(r"\right", i) and not m[i + 6:i + 7].isalpha():
            depth -= 1
            i += 6
            continue
        if m.startswith(r"\begin{", i):
            depth += 1
        elif m.startswith(r"\end{", i):
            depth -= 1
        c = m[i]
        if c == "\\":
            i += 2
            continue
        if c in "{(":
            depth += 1
        elif c in "})":
            depth -= 1
        elif depth == 0:
            for p in pieces:
                if m.startswith(p, i):
                    out.append(m[start:i])
                    start = i
                    i += len(p)
                    break
            else:
                i += 1
            continue
        i += 1
    out.append(m[start:])
    return out


def _text_pieces(m: str) -> list[tuple[bool, str]]:
    """A formula cut at its top-level \\text{...}: (is_text, piece) in order."""
    out, depth, start, i = [], 0, 0, 0
    while i < len(m):
        if m.startswith(r"\left", i) and not m[i + 5:i + 6].isalpha():
            depth += 1
        elif m.startswith(r"\right", i) and not m[i + 6:i + 7].isalpha():
            depth -= 1
        if depth == 0 and m.startswith(r"\text{", i):
            j, d = i + 6, 1
            while j < len(m) and d:
                d += {"{": 1, "}": -1}.get(m[j], 0) if m[j - 1] != "\\" else 0
                j += 1
            out.append((False, m[start:i]))
            out.append((True, m[i + 6:j - 1]))
            start = i = j
            continue
        c = m[i]
        if c == "\\":
            i += 2
            continue
        depth += {"{": 1, "}": -1}.get(c, 0)
        i += 1
    out.append((False, m[start:]))
    return [(t, p) for t, p in out if t or p.strip()]


# A formula set inline is at most this long (its source without \text{} words, a rough
# measure of its width); longer ones are displayed.
_INLINE_MAX = 35
# A displayed line is broken when its source is longer than this.
_DISPLAY_MAX = 58


def _visible(m: str) -> int:
    """A rough width of a formula: its source without commands and braces."""
    m = re.sub(r"\\(left|right|operatorname|mathrm|text|quad|qquad|,|;)\b", "", m)
    m = re.sub(r"\\begin\{cases\}|\\end\{cases\}", "", m)
    m = re.sub(r"\\[A-Za-z]+", "x", m)
    # a binary operator or relation is about twice as wide as a letter with its spacing
    return len(re.sub(r"[{}\s&]", "", m)) + len(re.findall(r"[-+=<>]|\\(?:le|ge|ne|odot|cdot|mapsto)\b", m))


def inline(m: str) -> str:
    """A formula inside a sentence: its words (top-level \\text{}) set as prose, so the
    line can break between them."""
    parts = []
    for is_text, piece in _text_pieces(m):
        if is_text:
            parts.append(piece)
        else:
            p = piece.strip().rstrip(",").strip()
            lead = " " if piece[:1].isspace() else ""
            trail = "," if piece.strip().endswith(",") else ""
            trail += " " if piece[-1:].isspace() else ""
            parts.append(f"{lead}${p}${trail}" if p else lead + trail)
    return re.sub(r"  +", " ", "".join(parts))


def in_sentence(m: str, end: str = "", display: bool = False) -> str:
    """A formula inside a sentence, ending it with `end`; displayed when it is long."""
    if not display and _visible(re.sub(r"\\text\{[^{}]*\}", "", m)) <= _INLINE_MAX:
        return inline(m) + end
    rows = _split_top(m, (r"\text{ or }", r"\text{ and }"))
    if len(rows) == 1:
        rows = _break(m)
    body = " \\\\\n&".join(r.strip() for r in rows)
    if len(rows) == 1:
        return "\n\\[\n" + body + end + "\n\\]\n"
    return "\n\\begin{align*}\n&" + body + (r"\text{" + end + "}" if end and end not in ".,;" else end) + \
        "\n\\end{align*}\n"


def _break(m: str, width: int = _DISPLAY_MAX) -> list[str]:
    """A long formula as lines no longer than `width`, broken before a top-level + or -
    (or a relation), each line after the first beginning with its operator."""
    pieces = _split_top(m, (" + ", " - ", " = ", r" \le ", r" \ge "))
    rows, cur = [], ""
    for p in pieces:
        if cur and _visible(cur + p) > width:
            rows.append(cur)
            cur = r"\quad " + p.strip()
        else:
            cur += p
    rows.append(cur)
    return rows


def _break_cases(m: str, width: int) -> str:
    """A cases environment whose conditions are too long: each condition broken at its
    top-level "and" onto lines of its own."""
    def fix(match):
        body = match.group(1)
        lines = []
        for case in _split_top(body, (r" \\ ",)):
            case = case.strip()
            case = case[2:].strip() if case.startswith("\\\\") else case
            val, _, cond = case.partition(" & ")
            chunks, cur = [], ""
            for p in _split_top(cond, (r" \text{ and } ",)):
                if cur and _visible(cur + p) > width:
                    chunks.append(cur)
                    cur = r"\quad " + p.strip()
                else:
                    cur += p
            chunks.append(cur)
            lines.append(f"{val} & " + r" \\ & ".join(chunks) if cond else val)
        return r"\begin{cases} " + r" \\ ".join(lines) + r" \end{cases}"
    return re.sub(r"\\begin\{cases\}(.*?)\\end\{cases\}", fix, m)


def _words(text: str) -> str:
    """Words a formula carries, as \\text{} (with the names in them in math)."""
    return r"\text{" + prose(text) + "}"


def _side(m, N) -> str:
    out = spell.math(m, N)
    if m.text is not None and m.latex == m.text and re.search(r"[A-Za-z]{2,}", m.text) \
            and m.text not in {"∇f"}:
        return _words(m.text)
    return out


def _row(ln, N) -> str:
    lhs, rhs = _side(ln.lhs, N), _side(ln.rhs, N)
    rel = ln.rel
    if not rel and lhs.endswith("}") and not lhs.endswith(" }") and lhs.startswith(r"\text{") and rhs:
        lhs = lhs[:-1] + " }"            # "at x = 0": the word and the formula apart
    if rel:
        head, tail = lhs, f"{rel} {rhs}"
    else:
        body = f"{lhs} {rhs}".strip()
        for r in (" = ", r" \le ", r" \ge ", " < ", " > "):
            if r in body:
                head, tail = body.split(r, 1)
                tail = r.strip() + " " + tail
                break
        else:
            head, tail = "", body
    if _visible(head + tail) <= _DISPLAY_MAX:
        return f"{head} &{tail}"
    if r"\begin{cases}" in tail:
        return f"{head} &" + _break_cases(tail, _DISPLAY_MAX // 2)
    rows = _break(tail, _DISPLAY_MAX - min(_visible(head), 30))
    return f"{head} &" + " \\\\\n&".join(rows)


def _align(rows: list[tuple[str, str]]) -> str:
    """Rows (formula, note) as one align*; a note is set below its row, where it wraps."""
    if not rows:
        return ""
    body, after = [], ""
    for i, (row, note) in enumerate(rows):
        body.append(row)
        if note:
            text = "(" + prose(note) + ")"
            if i + 1 < len(rows):
                body[-1] += " \\\\\n" + r"\intertext{" + text + "}"
            else:
                after = text + "\n"
        elif i + 1 < len(rows):
            body[-1] += " \\\\"
    return "\\begin{align*}\n" + "\n".join(body) + "\n\\end{align*}\n" + after


def _story(s: str) -> str:
    """A sentence of the engine's that is already LaTeX in its $...$: the prose between
    them set as `prose` does, each formula's words pulled out of math."""
    parts = re.split(r"(?<!\\)\$", s)
    out = []
    for i, p in enumerate(parts):
        if i % 2:
            out.append(inline(p))
        else:
            out.append(prose(p))
    return "".join(out)


def verdict_block(analysis) -> str:
    v = analysis.verdict
    N = spell.notation(True, analysis)
    var = N.name(analysis.problem.var.name)
    out = []
    dom = spell.domain(v, N)
    if v.differentiable_everywhere:
        out.append(r"\textbf{Verdict:} $f$ is differentiable everywhere"
                   + (" on its domain, where " + in_sentence(dom, ".") if dom else "."))
    else:
        where = spell.nondifferentiable_set(v, N)
        if dom:
            out.append(r"\textbf{Verdict:} $f$ is not differentiable where " + in_sentence(where, ";")
                       + " elsewhere it is differentiable on its domain, where " + in_sentence(dom, "."))
        else:
            out.append(r"\textbf{Verdict:} $f$ is not differentiable where " + in_sentence(where, "."))
    # the gradient displayed in the verdict's paragraph: a blank line before a display
    # would set an empty paragraph above it
    out[-1] += "\n" + _align([(_row_text(rf"\nabla f({var})", spell.gradient(v, N)), "")]).rstrip()
    cont = {True: "continuous", False: "not continuous"}[v.continuous]
    out.append(f"$f$ is {cont}; smoothness: {spell.smoothness_latex(v)}.")
    h = spell.hessian(v, N)
    if h is not None and v.continuous:
        where = spell.gradient_kink_set(v, N)
        out.append("Second order, where $f$ is twice differentiable: "
                   + (in_sentence(h, ";", display=True) + "the gradient is not differentiable where " + in_sentence(where, ".")
                      if where else in_sentence(h, ".", display=True)))
    conv = analysis.convexity
    word = {True: "convex", False: "not convex", None: "convexity not decided"}[conv.convex]
    out.append(f"Convexity: {word} ({prose(conv.reason)}).")
    if conv.curvature is not None:
        out.append(f"Curvature: {_story(spell.curvature_phrase(conv, N))} ({prose(conv.curvature.reason)}).")
    return "\n\n".join(out) + "\n"


def _row_text(head: str, tail: str) -> str:
    if _visible(head + tail) <= _DISPLAY_MAX:
        return f"{head} &= {tail}"
    if r"\begin{cases}" in tail:
        return f"{head} &= " + _break_cases(tail, _DISPLAY_MAX // 2)
    return f"{head} &= " + " \\\\\n&".join(_break(tail, _DISPLAY_MAX - min(_visible(head), 30)))


def route_block(analysis, name: str) -> str:
    r = analysis.routes.get(name)
    if r is None:
        return ""
    N = spell.notation(True, analysis, r.switch_names)
    out = []
    for i, st in enumerate(r.steps, 1):
        out.append(rf"\paragraph{{{i}. {prose(st.title)}.}} {prose(st.prose)}".rstrip())
        out.append(_align([(_row(ln, N), ln.note) for ln in st.lines]))
    return "\n".join(out)


def kinks_block(analysis) -> str:
    v = analysis.verdict
    N = spell.notation(True, analysis)
    if not v.kinks:
        return "No primitive of $f$ has a kink that moves with the variable.\n"
    items = [r"\item " + _story(spell.kink_story(k, N)) for k in v.kinks]
    return "\n".join([r"\begin{itemize}"] + items + [r"\end{itemize}"]) + "\n"


def fragment(analysis) -> str:
    N = spell.notation(True, analysis)
    var = N.name(analysis.problem.var.name)
    out = [_align([(_row_text(f"f({var})", N.node(analysis.problem.f)), "")])]
    if getattr(analysis, "symmetric", False):
        from ..nodes.eigen import CONVENTION_LATEX
        out.append(CONVENTION_LATEX.format(X=var) + "\n")
    out += [verdict_block(analysis),
            r"\paragraph{Kinks.}", kinks_block(analysis),
            r"\paragraph{Route 1: the sign identity.}", route_block(analysis, "sign")]
    if "direct" in analysis.routes:
        out += [r"\paragraph{Route 2: the direct case split.}", route_block(analysis, "direct")]
    agree = {True: "agree", False: "disagree", None: "could not be compared"}[analysis.agree]
    out.append(f"The two routes {agree} ({prose(analysis.agree_reason)}).\n")
    return _tidy("\n".join(out))


def document(analysis) -> str:
    N = spell.notation(True, analysis)
    var = N.name(analysis.problem.var.name)
    f_tex = N.node(analysis.problem.f)
    v = analysis.verdict
    title = "differentiable everywhere" if v.differentiable_everywhere else "not differentiable everywhere"
    heading = rf"Is $f({var}) = {f_tex}$ differentiable?" if _visible(f_tex) <= 40 else \
        rf"Is $f({var})$ differentiable?"
    parts = [
        r"\documentclass[11pt]{article}",
        r"\usepackage{amsmath,amssymb}",
        r"\allowdisplaybreaks",
        r"\emergencystretch=2em",
        r"\begin{document}",
        rf"\section*{{{heading}}}",
    ]
    if _visible(f_tex) > 40:
        parts.append(_align([(_row_text(f"f({var})", f_tex), "")]).rstrip())
    parts += [
        f"Generated by symderiv. The answer: $f$ is {title}.",
        "",
        r"\subsection*{How the input was read}",
    ]
    var_node = analysis.problem.var
    if var_node.is_scalar:
        kind = "a scalar"
    else:
        noun = "vector" if var_node.shape[1] == 1 else "matrix"
        article = "an" if str(var_node.shape[0])[:1] in "aefhilmnorsx8" else "a"
        kind = f"{article} ${N.shape(var_node.shape)}$ {noun}"
    items = [rf"\item The variable is ${var}$, {kind}."] + [rf"\item {prose(n)}." for n in analysis.notes]
    parts += [r"\begin{itemize}"] + items + [r"\end{itemize}"]
    parts += [r"\subsection*{Answer}", verdict_block(analysis)]
    parts += [r"\subsection*{Route 1: the sign identity}", route_block(analysis, "sign")]
    if "direct" in analysis.routes:
        parts += [r"\subsection*{Route 2: the direct case split}", route_block(analysis, "direct")]
    parts += [r"\subsection*{Where the primitives fail, and what that does to $f$}", kinks_block(analysis)]
    agree = {True: "agree", False: "disagree", None: "could not be compared"}[analysis.agree]
    parts += [r"\subsection*{The two routes}", f"The two routes {agree}: {prose(analysis.agree_reason)}."]
    parts += [r"\end{document}", ""]
    return _tidy("\n".join(parts))


def _tidy(tex: str) -> str:
    """No spaces at the ends of lines (a sentence that runs into a display leaves one)."""
    return re.sub(r"[ \t]+\n", "\n", tex)
