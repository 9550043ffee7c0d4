"""The LaTeX the tool writes reads like a paper (issue 14): every derivation document and
the `derive` output of varied expressions compile with pdflatex with no overfull line and
no word set in math italics.  Breaking formulas changes their layout only: each document's
gradient is the analysis's once the layout is removed, and for the scalar expressions that
gradient is checked against finite differences of f written by hand (tests/oracle.py).
That the text and JSON answers are untouched is tests/test_replay.py's check."""
from __future__ import annotations

import os
import pathlib
import re
import shutil
import subprocess

import numpy as np
import pytest

import symderiv
from symderiv.render.latex import prose

ROOT = pathlib.Path(__file__).resolve().parent.parent

# (expression, wrt, keywords): the seed, norms, sums, max/min, the spectral functions and
# the scalar primitives with kinks (Huber, soft thresholding, clip, leaky ReLU, hinge)
EXPRESSIONS = [
    (r"\|\max(X,0)\|_F^2", "X", {}),
    (r"|x|", "x", {}),
    (r"\max(x, y)", "x", {}),
    (r"\|X\|_*", "X", {}),
    (r"\lambda_{\max}(X)", "X", {"symmetric": True}),
    (r"\|\sigma(AX)\|_F^2", "X", {}),
    (r"\sum_{i,j}|x_{ij}|", "X", {}),
    (r"\operatorname{Huber}(x, 1)", "x", {}),
    (r"\operatorname{soft}(x, 1)", "x", {}),
    (r"\operatorname{clip}(x, -1, 1)", "x", {}),
    (r"\max(|x|, 2x^2)", "x", {}),
    (r"\sqrt{x^2+y^2}", "x", {}),
    (r"\|\max(X,0) - Y\|_F^2", "X", {}),
    (r"\max_{i,j} x_{ij}", "X", {}),
    (r"\frac{1}{n}\sum_{i=1}^{n}\max(0,1-y_i x_i^T w)", "w", {}),
    (r"\langle A, |X| \rangle", "X", {}),
    (r"\max(x, 0)^{3/2}", "x", {}),
    (r"\|X\|_2", "X", {}),
    (r"\exp(\|\sigma(X)\|_F^2)", "X", {}),
]


def _generator():
    import importlib.util
    spec = importlib.util.spec_from_file_location("derivations_generate", ROOT / "derivations" / "generate.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


GEN = _generator()


def _documents():
    out = [pytest.param(lambda n=name: (ROOT / "derivations" / n).read_text(encoding="utf-8"), id=name)
           for name in sorted(GEN.DOCUMENTS)]
    out += [pytest.param(lambda e=e, w=w, k=k: symderiv.derive(e, wrt=w, **k), id=f"derive {e}")
            for e, w, k in EXPRESSIONS]
    return out


# Commands whose argument is text (its words are not math italics) or a name set upright.
_TEXT_ARG = {"text", "intertext", "textbf", "textit", "emph", "mbox", "paragraph", "section", "subsection",
             "item", "textrm"}
_NAME_ARG = {"operatorname", "mathrm", "begin", "end", "usepackage", "documentclass", "mathbf", "mathbb",
             "mathcal", "DeclareMathOperator"}


def _arg(s: str, i: int) -> tuple[str, int]:
    """The balanced {...} argument starting at s[i] (after an optional *), and where it ends."""
    while i < len(s) and s[i] in "* ":
        i += 1
    if i >= len(s) or s[i] != "{":
        return "", i
    depth, j = 0, i
    while j < len(s):
        if s[j] == "\\":
            j += 2
            continue
        depth += {"{": 1, "}": -1}.get(s[j], 0)
        j += 1
        if depth == 0:
            break
    return s[i + 1:j - 1], j


def italic_words(src: str, math: bool = False) -> list[str]:
    """Runs of 3+ letters set in math italics: inside math, outside \\text{} and the like,
    not a command."""
    found, run, i = [], "", 0
    display_envs = ("align*", "align", "equation*", "equation", "multline*", "gather*")

    def end_run():
        nonlocal run
        if math and len(run) >= 3:
            found.append(run)
        run = ""

    while i < len(src):
        c = src[i]
        if c == "\\":
            end_run()
            m = re.match(r"\\([A-Za-z]+)", src[i:])
            if not m:
                two = src[i:i + 2]
                if two in (r"\[", r"\("):
                    math = True
                elif two in (r"\]", r"\)"):
                    math = False
                i += 2
                continue
            name = m.group(1)
            i += len(m.group())
            if name in _TEXT_ARG:
                arg, i = _arg(src, i)
                found += italic_words(arg, False)
            elif name in _NAME_ARG:
                arg, i = _arg(src, i)
                if name == "begin" and arg in display_envs:
                    math = True
                elif name == "end" and arg in display_envs:
                    math = False
            continue
        if c == "$":
            end_run()
            math = not math
        elif c.isalpha():
            run += c
            i += 1
            continue
        else:
            end_run()
        i += 1
    end_run()
    return found


def test_the_scanner_finds_words_in_math_italics():
    assert italic_words(r"$on x_{ij} = 0$") == []       # two letters: a name, not a word
    assert italic_words(r"\begin{align*} value from above &= 0 \end{align*}") == ["value", "from", "above"]
    assert italic_words(r"\begin{align*} \text{value from above} &= \operatorname{sign}(x) \end{align*}") == []
    assert italic_words(r"the text, $\max(x, 0)$ and \text{a $fxy$}") == ["fxy"]


def test_prose_sets_the_mathematics_in_a_sentence_in_math():
    assert prose("Write each sign matrix as S = sign(U), entrywise.") == \
        r"Write each sign matrix as $S = \operatorname{sign}(U)$, entrywise."
    assert prose("As a distribution dS = 2δ(U) ⊙ dU; each term") == \
        r"As a distribution $dS = 2\delta (U) \odot dU$; each term"
    assert prose("f in sign form") == r"$f$ in sign form"


def _pdflatex_or_skip():
    if shutil.which("pdflatex") is None:
        if os.environ.get("SYMDERIV_REQUIRE_PDFLATEX"):
            pytest.fail("pdflatex is required here (SYMDERIV_REQUIRE_PDFLATEX) but not installed")
        pytest.skip("pdflatex is not installed: the typesetting of the LaTeX output is not checked here")


@pytest.mark.parametrize("make", _documents())
def test_document_typesets_cleanly(make, tmp_path):
    src = make()
    words = italic_words(src)
    assert not words, f"words set in math italics: {sorted(set(words))}"
    _pdflatex_or_skip()
    (tmp_path / "doc.tex").write_text(src, encoding="utf-8")
    r = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=120)
    log = (tmp_path / "doc.log").read_text(encoding="latin-1")
    assert r.returncode == 0, r.stdout[-2000:]
    over = [m.group() for m in re.finditer(r"Overfull \\hbox.*\n(.*\n){0,3}", log)]
    assert not over, "overfull lines:\n" + "\n".join(over)


def _flat(tex: str) -> str:
    """A formula with its layout removed: line breaks, alignment points, indents, spaces."""
    return re.sub(r"\\\\|&|\\quad|\s", "", tex)


@pytest.mark.parametrize("expr,wrt,kw", EXPRESSIONS, ids=[e for e, _, _ in EXPRESSIONS])
def test_the_document_shows_the_gradient_unchanged(expr, wrt, kw):
    """Breaking a formula across lines changes its layout only: the document's gradient
    line is the analysis's gradient once the layout is removed."""
    grad = symderiv.analyze(expr, wrt=wrt, **kw).gradient_latex
    doc = symderiv.derive(expr, wrt=wrt, **kw)
    m = re.search(r"\\nabla f\(([^()]*)\) &= (.*?)\\end\{align\*\}", doc, re.S)
    assert m, "the document states no gradient"
    assert _flat(m.group(2)) == _flat(grad)


# The gradients those documents show, checked against finite differences of f written
# by hand (tests/oracle.py), at points off the kinks.
HAND = {
    r"|x|": np.abs,
    r"\operatorname{Huber}(x, 1)": lambda x: np.where(np.abs(x) <= 1, x * x / 2, np.abs(x) - 0.5),
    r"\operatorname{soft}(x, 1)": lambda x: np.sign(x) * np.maximum(np.abs(x) - 1, 0),
    r"\operatorname{clip}(x, -1, 1)": lambda x: np.clip(x, -1, 1),
    r"\max(|x|, 2x^2)": lambda x: np.maximum(np.abs(x), 2 * x * x),
    r"\max(x, 0)^{3/2}": lambda x: np.maximum(x, 0) ** 1.5,
}


@pytest.mark.parametrize("expr", sorted(HAND))
def test_the_documented_gradient_is_the_derivative(expr):
    import sympy as sp
    from tests import oracle
    r = symderiv.analyze(expr, wrt="x")
    assert _flat(r.gradient_latex) in _flat(symderiv.derive(expr, wrt="x"))
    x_ = sp.Symbol("x")
    # exact evaluation: NumPy would read sqrt(x) H(x) at x < 0 as nan, not 0
    g = lambda v: complex(sp.N(r.gradient_sympy.subs(x_, sp.Rational(str(v))))).real   # noqa: E731
    for x in (-2.3, -1.4, -0.7, -0.3, 0.2, 0.45, 0.8, 1.6, 3.1):
        num = oracle.numeric_gradient(lambda v: HAND[expr](v), np.array(x))
        assert abs(float(g(x)) - float(num)) < 1e-5, (x, g(x), num)
