"""The tool's own output as input (issue 14): the text it prints for f and for the
gradient (‖ ⊙ ᵀ ≤ ≥ ≠ √ · ⟨⟩ ², the Greek letters, sum_ij, { 1 if x > 0; 0 otherwise })
reads back to the same function.

For every README example of `diff` and for a list of recorded inputs, the printed
f(X) = ... line is fed back and must give the same analysis: the JSON output compared
field by field, apart from the reading notes (which quote the text read) and the
expression's own spelling (the printer orders factors canonically: (x^T B x)(c^T x)
prints as c^T x x^T B x).  The printed gradient is read back inside <G, D> against the
LaTeX gradient the JSON gives, which the reader reads already: the two analyses agree.
Every gradient compared here is also checked against central differences of a NumPy
function written by hand.
"""
from __future__ import annotations

import json
import re
import shlex
from dataclasses import replace

import numpy as np
import pytest

from symderiv.api import analyze
from symderiv.render import json_out, text
from tests import docs


def _readme_cases():
    out = []
    for m in docs.blocks(docs.README.read_text(encoding="utf-8")):
        argv = shlex.split(m["cmd"])
        if argv[1] != "diff" or "[exit" in m["body"]:
            continue
        opts = {}
        rest = argv[3:]
        for k, v in zip(rest[0::2], rest[1::2]):
            if k in ("--wrt", "--at", "--route"):
                opts[k[2:]] = v
            elif k == "--symmetric":
                opts["symmetric"] = (v,)
        out.append((argv[2], opts))
    return out


README_CASES = _readme_cases()

# Recorded inputs (tests/replay_golden.jsonl) whose printed f uses the Unicode and text forms.
RECORDED = [
    (r"\|X\|_F^2", {}), (r"\frac{1}{2}\|X\|_F^2", {}), (r"\|X + J\|_F^2", {}), (r"\|x\|_2^3", {}),
    (r"\cos(\|X\|_F)", {}), (r"\exp(\|\max(X,0)\|_F^2)", {}), (r"\lambda\|X\|_F^2", {"wrt": "X"}),
    (r"\langle A, X\rangle + \frac{\lambda}{2}\|X\|_F^2", {"wrt": "X"}), (r"\langle A, |X|\rangle", {"wrt": "X"}),
    (r"\langle A, \mathbb{I}[X > 0]\rangle", {"wrt": "X"}), (r"\mathbb{1}_{x\ge 0}", {}), (r"\mathbb{1}[x \le 1]", {}),
    (r"\langle J, \exp(X)\rangle", {}), (r"\langle J, X\rangle", {}), (r"\log\sum_i e^{x_i}", {}),
    (r"\langle J, \max(A,X)\rangle", {"wrt": "X"}), (r"A:\max(X,0)", {"wrt": "X"}), (r"\sin(\pi x) + x^2 \pi", {}),
    (r"(X^TX)_{12}", {}), (r"\|\sigma(AX)\|_F^2", {"wrt": "X"}), (r"-\log\det(X) + \sum_{i,j}|x_{ij}|", {}),
    (r"\frac{1}{n}\|Xw - y\|_1", {"wrt": "w"}), (r"\mathbf{1}^T\max(Ax - b, 0)", {"wrt": "x"}),
    (r"\sigma(x)^T A\sigma(x)", {"wrt": "x"}), (r"(x^T B x)(c^T x)", {"wrt": "x"}),
    (r"\mathbb{1}_{x \ne 0} x^2", {}), (r"\operatorname{tr}(X^T (A \odot \max(X, 0)))", {"wrt": "X"}),
    (r"\|\max(X,0) \odot A\|_F", {"wrt": "X"}), (r"\|(A \odot X) B\|_F^2", {"wrt": "X"}),
]

CASES = README_CASES + RECORDED
IDS = [c[0] + " " + " ".join(f"{k}={v}" for k, v in c[1].items()) for c in CASES]


def _printed(a, prefix: str) -> str:
    """The text after 'f(X) = ' (or '∇f(X) = ') in the text output, without a trailing remark."""
    for line in text.render(a).splitlines():
        m = re.match(rf"\s*{re.escape(prefix)}\([^=]*\) = (.*?)(?:   \(.*)?$", line)
        if m:
            return m.group(1)
    raise AssertionError(f"no {prefix}(...) line")


def _fields(a) -> dict:
    out = json.loads(json_out.render(a))
    out.pop("assumptions")
    out.pop("expression")
    return out


def _plain(a):
    """The analysis printed with the table's own spellings (σ prints as max(., 0) once read back)."""
    return replace(a, problem=replace(a.problem, styles={}))


@pytest.mark.parametrize("tex,opts", CASES, ids=IDS)
def test_the_printed_f_reads_back_to_the_same_analysis(tex, opts):
    a = analyze(tex, **opts)
    f_text = _printed(a, "f")
    assert "\\" not in f_text
    b = analyze(f_text, **opts)
    assert _fields(_plain(a)) == _fields(b), f_text


def test_the_cases_cover_the_unicode_the_output_prints():
    printed = " ".join(_printed(analyze(t, **o), "f") for t, o in CASES)
    for symbol in ("‖", "⊙", "λ", "≥", "≤", "≠", "π", "sum_ij", "if", "otherwise"):
        assert symbol in printed, symbol
    assert len(RECORDED) >= 20 and len(README_CASES) >= 4


# (LaTeX, options, the gradient's variable shape, f in NumPy) for the gradient read-back
GRADIENTS = [
    (r"\|\max(X,0)\|_F^2", {"wrt": "X", "shape": (2, 3)}, lambda M: np.sum(np.maximum(M, 0) ** 2)),
    (r"\lambda\|X\|_F^2", {"wrt": "X", "shape": (2, 2), "let": ["lambda=3"]}, lambda M: 3 * np.sum(M * M)),
    (r"\exp(\|X\|_F)", {"shape": (2, 2)}, lambda M: np.exp(np.linalg.norm(M))),
    (r"\langle A, |X|\rangle", {"wrt": "X", "shape": (2, 2), "let": ["A=[[1,2],[3,4]]"]},
     lambda M: np.sum(np.array([[1, 2], [3, 4]]) * abs(M))),
    (r"\sin(\pi x) + x^2 \pi", {}, lambda M: np.sin(np.pi * M[0, 0]) + np.pi * M[0, 0] ** 2),
    (r"\|x\|_2^3", {"shape": (3, 1)}, lambda M: np.linalg.norm(M) ** 3),
    (r"\sqrt{1 + x^2}", {}, lambda M: np.sqrt(1 + M[0, 0] ** 2)),
]


@pytest.mark.parametrize("tex,opts,f", GRADIENTS, ids=[g[0] for g in GRADIENTS])
def test_the_printed_gradient_reads_back_as_the_latex_gradient(tex, opts, f):
    a = analyze(tex, **opts)
    g_text = _printed(a, "∇f")
    g_latex = json.loads(json_out.render(a))["gradient"]["latex"]
    shape = opts.get("shape", (1, 1))
    var = a.problem.var.name
    # <G, D> with D a constant of the gradient's shape: a scalar that holds all of G
    lets = list(opts.get("let", [])) + ["D=" + json.dumps(np.arange(1, shape[0] * shape[1] + 1)
                                                          .reshape(shape).tolist())]
    shape_opt = {"shape": opts["shape"]} if "shape" in opts else {}
    t = analyze(rf"\langle {g_text}, D\rangle" if shape != (1, 1) else f"D ({g_text})", wrt=var, let=lets, **shape_opt)
    lx = analyze(rf"\langle {g_latex}, D\rangle" if shape != (1, 1) else f"D ({g_latex})", wrt=var, let=lets,
                 **shape_opt)
    assert _fields(t) == _fields(lx), g_text
    # and the gradient is right: at a random point, against central differences
    rng = np.random.default_rng(7)
    P = rng.normal(size=shape)
    at = analyze(tex, at=json.dumps(P.tolist()), **{k: v for k, v in opts.items() if k != "shape"})
    G = np.array(at.point.gradient, dtype=float).reshape(shape)
    N = np.zeros(shape)
    for idx in np.ndindex(shape):
        E = np.zeros(shape)
        E[idx] = 1e-6
        N[idx] = (f(P + E) - f(P - E)) / 2e-6
    assert np.allclose(G, N, atol=1e-5)
