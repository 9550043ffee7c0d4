"""`--format markdown` typeset by real MathJax, and saying what the JSON says.

Every $...$ and $$...$$ of `diff --format markdown` (varied expressions, points at
kinks, symbolic sizes), of `check --format markdown` (every post of tests/check_corpus)
and of the notebook displays (_repr_latex_) is typeset by the mathjax-full npm package
under node (tests/mathjax/check_math.js: TeX input with the base and ams packages, as on
math.SE); an <merror> node anywhere fails the test.  The mathematics shown is compared
with the JSON of the same analysis, and the numbers at the points (gradients, Clarke
sets, counterexamples) are checked by the independent numeric oracles.

node_modules is not committed: the first run installs the locked mathjax-full with
`npm ci` in tests/mathjax (`make mathjax` does the same).
"""
from __future__ import annotations

import fcntl
import json
import re
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from symderiv import analyze, check
from symderiv.cli import main
from symderiv.render import check_out, json_out, markdown_out

from . import check_oracle, oracle

MATHJAX = Path(__file__).parent / "mathjax"
CORPUS = sorted((Path(__file__).parent / "check_corpus").iterdir())


# ---- MathJax under node --------------------------------------------------------------------------

def _install():
    """npm ci once, under a lock (parallel test workers share the folder)."""
    if (MATHJAX / "node_modules" / "mathjax-full" / "package.json").is_file():
        return
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        pytest.fail("node and npm are needed to typeset the Markdown with MathJax "
                    "(Debian: apt-get install nodejs npm), then `make mathjax`")
    with open(MATHJAX / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (MATHJAX / "node_modules" / "mathjax-full" / "package.json").is_file():
            return
        done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=MATHJAX, capture_output=True,
                              text=True, timeout=600)
        if done.returncode != 0:
            pytest.fail(f"npm ci in {MATHJAX} failed (is the npm registry reachable?):\n{done.stderr[-2000:]}")


def typeset(docs: list[str]) -> list[dict]:
    """MathJax's verdict on each Markdown document: formula count and error nodes."""
    _install()
    done = subprocess.run([shutil.which("node"), "check_math.js"], input="\n\f\n".join(docs), cwd=MATHJAX,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert len(out) == len(docs)
    return out


def test_the_mathjax_check_finds_errors():
    """The script is not blind: an unknown command, an environment MathJax lacks and an
    unclosed dollar are each reported; good math and an escaped dollar are not."""
    docs = [r"a $\frac{1}{2}$ and $$\begin{aligned} a &= b \\ c &= d \end{aligned}$$ cost \$5",
            r"$\foo{x}$", r"$$\begin{document} x \end{document}$$", r"$x^2 and more"]
    got = typeset(docs)
    assert got[0] == {"formulas": 2, "displays": 1, "errors": []}
    assert [len(g["errors"]) for g in got[1:]] == [1, 1, 1]
    assert "foo" in got[1]["errors"][0]["message"]


# ---- the diff cases -------------------------------------------------------------------------------

def _relu_norm2(X):
    return float(np.sum(np.maximum(X, 0) ** 2))


# (expression, keyword arguments of analyze, NumPy f of the point for the oracle or None)
DIFF = [
    (r"\|\max(X,0)\|_F^2", {}, None),
    (r"\|\max(X,0)\|_F^2", {"at": "[[1,-2],[0,3]]"}, _relu_norm2),
    (r"|x|", {"at": "0"}, lambda X: float(np.abs(X).sum())),
    (r"\max(x,y)", {"wrt": "x,y", "at": "[0,0]"}, lambda X: float(max(X[0, 0], X[1, 0]))),
    (r"\sum_{i,j}|x_{ij}|", {"at": "[[0,1],[-2,3]]"}, lambda X: float(np.abs(X).sum())),
    (r"\|AX-B\|_F^2", {"let": ["A=[[1,2],[0,1]]", "B=[[1,0],[2,1]]"], "at": "[[1,0],[0,-1]]"},
     lambda X: float(np.sum((np.array([[1, 2], [0, 1]]) @ X - np.array([[1, 0], [2, 1]])) ** 2))),
    (r"\operatorname{sign}(x)", {"at": "0"}, None),          # no Clarke set: f jumps
    (r"\|X\|_F", {"at": "[[0,0],[0,0]]"}, lambda X: float(np.linalg.norm(X))),
    (r"\operatorname{tr}(X^T X)", {}, None),
    (r"H(x)", {}, None),
    (r"\max(|x|, 2x^2)", {"at": "0"}, lambda X: float(max(abs(X[0, 0]), 2 * X[0, 0] ** 2))),
    (r"\sqrt{x^2+y^2}", {"wrt": "x,y", "at": "[0,0]"}, lambda X: float(np.hypot(X[0, 0], X[1, 0]))),
    (r"\langle A, \max(X,0)\rangle", {}, None),                 # symbolic A: a conditional verdict
    (r"x|x|", {"at": "0"}, lambda X: float(X[0, 0] * abs(X[0, 0]))),
    (r"\|\max(X,0)\|_F", {"at": "[[0,0],[0,0]]"}, lambda X: float(np.linalg.norm(np.maximum(X, 0)))),
    (r"\max(x,0)", {"at": "0", "direction": "1"}, lambda X: float(max(X[0, 0], 0))),
    (r"\|x\|_2", {"shape": (3, 1)}, None),
    (r"\min(X, 1) : X", {"at": "[[1,2],[0,1]]"}, lambda X: float(np.sum(X * np.minimum(X, 1)))),
    (r"\sum_{i,j}|x_{ij}|^{3/2}", {}, None),
    (r"\|\max(X,0)\|_F^2", {"at": "[[1,-2],[3,1/2]]"}, _relu_norm2),
]
IDS = [f"{i}:{e}" for i, (e, _, _) in enumerate(DIFF)]


@pytest.fixture(scope="module")
def diffs():
    out = []
    for expr, kwargs, f in DIFF:
        a = analyze(expr, **kwargs)
        out.append({"analysis": a, "md": markdown_out.render(a), "json": json.loads(json_out.render(a)),
                    "latex": a._repr_latex_(), "f": f, "kwargs": kwargs})
    return out


@pytest.fixture(scope="module")
def diff_typeset(diffs):
    docs = [d["md"] for d in diffs] + [d["latex"] for d in diffs]
    return typeset(docs)


def test_diff_markdown_typesets_without_errors(diffs, diff_typeset):
    for (expr, _, _), got in zip(DIFF, diff_typeset):
        assert got["formulas"] >= 10 and got["displays"] >= 3, expr
        assert got["errors"] == [], (expr, got["errors"])
    for (expr, _, _), got in zip(DIFF, diff_typeset[len(DIFF):]):      # _repr_latex_: one display
        assert got["displays"] == got["formulas"] == 1 and got["errors"] == [], (expr, got)


ALLOWED_ENVIRONMENTS = {"aligned", "cases", "array", "bmatrix"}


def _math_of(md: str) -> list[str]:
    """The formulas of a Markdown text, as the node script finds them (escapes skipped)."""
    out, i = [], 0
    while i < len(md):
        if md[i] == "\\":
            i += 2
            continue
        if md[i] != "$":
            i += 1
            continue
        close = "$$" if md.startswith("$$", i) else "$"
        end = md.index(close, i + len(close))
        out.append(md[i + len(close):end])
        i = end + len(close)
    return out


def _prose_of(md: str) -> str:
    return re.sub(r"\$\$.*?\$\$|\$[^$]*\$", " ", md, flags=re.S)


@pytest.mark.parametrize("k", range(len(DIFF)), ids=IDS)
def test_diff_markdown_is_markdown_not_latex(diffs, k):
    md = diffs[k]["md"]
    envs = set(re.findall(r"\\begin\{([^}]*)\}", md))
    assert envs <= ALLOWED_ENVIRONMENTS, envs
    prose = _prose_of(md)
    for command in (r"\paragraph", r"\textbf", r"\section", r"\item", r"\hbox", r"\documentclass", r"\nabla",
                    r"\delta", r"\odot"):
        assert command not in prose, command          # LaTeX commands belong inside math only
    for formula in _math_of(md):
        for text in re.findall(r"\\text\{([^{}]*)\}", formula):
            assert "$" not in text and "\\" not in text, text     # MathJax would read math there


def _number(t: str) -> Fraction | float:
    """A number as the renderers spell it: 3, -2, \\frac{1}{2}, -\\frac{3}{2}, \\sqrt{2}."""
    t = t.strip()
    if t.startswith("-"):
        return -_number(t[1:])
    if re.fullmatch(r"\d+", t):
        return Fraction(int(t))
    m = re.fullmatch(r"\\frac\{(\d+)\}\{(\d+)\}", t)
    if m:
        return Fraction(int(m.group(1)), int(m.group(2)))
    m = re.fullmatch(r"(\d*)\s*\\sqrt\{(\d+)\}", t)
    if m:
        return int(m.group(1) or 1) * float(np.sqrt(int(m.group(2))))
    m = re.fullmatch(r"\\frac\{\\sqrt\{(\d+)\}\}\{(\d+)\}", t)
    if m:
        return float(np.sqrt(int(m.group(1)))) / int(m.group(2))
    raise AssertionError(f"not a number the test reads: {t!r}")


def _value(t: str):
    """A number or a bmatrix of numbers, as a float array (a number as a 1x1 array)."""
    t = t.strip()
    m = re.fullmatch(r"\\begin\{bmatrix\}(.*)\\end\{bmatrix\}", t, re.S)
    if m:
        return np.array([[float(_number(e)) for e in row.split("&")] for row in m.group(1).split(r"\\")])
    return np.array([[float(_number(t))]])


def _json_array(v) -> np.ndarray:
    a = np.asarray(v, dtype=float)
    return a.reshape(-1, 1) if a.ndim == 1 else a.reshape(a.shape if a.ndim == 2 else (1, 1))


def _shaped_form(sub: dict, shape) -> dict:
    """A JSON Clarke set with its arrays shaped like the point (a vector's are flat lists)."""
    out = dict(sub)
    for key in ("value", "lower", "upper", "center", "scale", "sign"):
        if key in out:
            out[key] = np.asarray(out[key], dtype=float).reshape(shape)
    if "generators" in out:
        out["generators"] = [np.asarray(g, dtype=float).reshape(shape) for g in out["generators"]]
    return out


def _display_after(md: str, head: str, section: str = "") -> str:
    """The right side of the first display 'head = ...' after the line ``section``."""
    md = md[md.index(section):] if section else md
    m = re.search(r"\$\$\n" + re.escape(head) + r" = (.*?)\n\$\$", md, re.S)
    assert m, f"no display of {head}"
    return m.group(1)


@pytest.mark.parametrize("k", range(len(DIFF)), ids=IDS)
def test_diff_markdown_says_what_the_json_says(diffs, k):
    d = diffs[k]
    md, js, a = d["md"], d["json"], d["analysis"]
    N = markdown_out.spell.notation(True, a)
    # the gradient, the verdict, the class and the curvature: the JSON's own spelling
    assert _display_after(md, markdown_out.grad(a, N)) == js["gradient"]["latex"]
    verdict = next(ln for ln in md.splitlines() if ln.startswith("**Verdict.**"))
    if js["differentiable_everywhere"]:
        assert verdict.startswith("**Verdict.** $f$ is differentiable everywhere")
        assert js["nondifferentiable_set"] is None
    else:
        assert verdict.startswith(f"**Verdict.** $f$ is not differentiable where "
                                  f"${js['nondifferentiable_set']['latex']}$")
    s = js["smoothness"]
    if s is None:
        assert "$f$ is not continuous" in md
    elif s == "inf":
        assert r"$C^\infty$" in md
    else:
        assert f"$C^{{{s}}}$" in md and (not js["smoothness_exact"] or f"not $C^{{{s + 1}}}$" in md)
    word = {True: "convex", False: "not convex", None: "not decided"}[js["convex"]]
    assert f"**Convexity.** {word} (" in md
    for route in ("sign", "direct"):
        if route in js["routes"]:
            last = js["routes"][route]["steps"][-1]["lines"][-1]["latex"]
            assert re.split(r"(?:^| )= ", last)[-1] in md       # each route's gradient is shown
    # the one-line repr and the notebook's displays are the same answer
    r = repr(a)
    assert r.startswith("<Analysis f=") and len(r) < 300 and "\n" not in r
    assert ("differentiable everywhere" in r) == js["differentiable_everywhere"]
    assert a._repr_markdown_() == md
    assert js["gradient"]["latex"] in d["latex"]


@pytest.mark.parametrize("k", [k for k, (_, kw, _) in enumerate(DIFF) if "at" in kw], ids=lambda k: IDS[k])
def test_diff_markdown_at_a_point_matches_json_and_oracle(diffs, k):
    d = diffs[k]
    md, at, f = d["md"], d["json"]["at"], d["f"]
    a = d["analysis"]
    N = markdown_out.spell.notation(True, a)
    X = _json_array(json.loads(d["kwargs"]["at"].replace("1/2", "0.5")))
    rng = np.random.default_rng(7)
    if at["differentiable"]:
        assert "$f$ is differentiable here:" in md
        G = _value(_display_after(md, markdown_out.grad(a, N), "**At the point**"))
        assert np.allclose(G, _json_array(at["gradient"]))
        oracle.check_gradient(f, X, G, rng)
        return
    assert "$f$ is not differentiable here." in md
    sub = at["subdifferential"]
    if sub is None:                                      # f jumps: no Clarke set, and the reason
        assert "There is no Clarke subdifferential:" in md and f is None
        return
    shown = _display_after(md, r"\partial " + markdown_out.call(a, N), "**At the point**")
    if sub["form"] == "box":
        m = re.fullmatch(r"\\\{G : (.*) \\le G \\le (.*)\\\}", shown)
        assert m, shown
        assert np.allclose(_value(m.group(1)), _json_array(sub["lower"]))
        assert np.allclose(_value(m.group(2)), _json_array(sub["upper"]))
    elif sub["form"] == "ball":
        m = re.fullmatch(r"\\\{G : \\\|G - (.*)\\\|_F \\le (.*)\\\}", shown)
        assert m, shown
        assert np.allclose(_value(m.group(1)), _json_array(sub["center"]))
        assert np.isclose(float(_number(m.group(2))), sub["radius"])
    elif sub["form"] == "hull":
        gens = re.findall(r"\\begin\{bmatrix\}.*?\\end\{bmatrix\}", shown)
        assert len(gens) == len(sub["generators"])
        for g, want in zip(gens, sub["generators"]):
            assert np.allclose(_value(g), _json_array(want))
    else:                                                # described: the JSON's own LaTeX
        assert sub["latex"] in shown
    oracle.check_not_differentiable(f, X, rng)
    oracle.check_clarke(f, X, _shaped_form(sub, X.shape), rng, regular=bool(d["json"]["convex"]))
    if "directional_derivative" in at:
        m = re.search(r"f'\(x; D\) = ([^$]*)\$", md)
        assert m and float(_number(m.group(1))) == at["directional_derivative"]
        assert np.isclose(oracle.one_sided(f, X, np.ones_like(X)), at["directional_derivative"], atol=1e-6)


def test_cli_markdown_is_the_renderer(capsys):
    """The command line prints exactly the renderer's text, and JSON for the same input
    still parses (the new choice leaves the others as they were)."""
    expr = r"\|\max(X,0)\|_F^2"
    assert main(["diff", expr, "--format", "markdown"]) == 0
    assert capsys.readouterr().out == markdown_out.render(analyze(expr))
    post = Path(__file__).parent / "check_corpus" / "seed_answer.md"
    assert main(["check", str(post), "--format", "markdown"]) == 0
    assert capsys.readouterr().out == markdown_out.render_check(check(post.read_text()))


# ---- check ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def checks():
    out = []
    for path in CORPUS:
        report = check(path.read_text(encoding="utf-8"))
        out.append({"path": path, "report": report, "md": markdown_out.render_check(report),
                    "json": json.loads(check_out.render_json(report)), "latex": report._repr_latex_()})
    return out


def test_check_markdown_of_the_corpus_typesets_without_errors(checks):
    got = typeset([c["md"] for c in checks] + [c["latex"] for c in checks if c["report"].steps])
    for c, g in zip(checks, got):
        assert g["errors"] == [], (c["path"].name, g["errors"])
        assert g["displays"] >= len(c["report"].steps), c["path"].name
    for g in got[len(checks):]:
        assert g["errors"] == [] and g["displays"] == 1


def _steps_of(md: str) -> list[str]:
    return re.split(r"\n(?=\*\*\S+ Step \d+\*\*)", md)[1:]


def test_check_markdown_says_what_the_json_says(checks):
    assert len(checks) >= 30
    for c in checks:
        md, js = c["md"], c["json"]
        blocks = _steps_of(md)
        assert len(blocks) == len(js["steps"]), c["path"].name
        for block, step in zip(blocks, js["steps"]):
            mark = markdown_out.MARK[step["verdict"]]
            assert block.startswith(f"**{mark} Step {step['index']}** ({markdown_out.WORD[step['verdict']]}")
            assert f"$$\n{' '.join(step['source'].split())}\n$$" in block
            if step["verdict"] == "valid-where" and step["condition"]:
                assert f"${step['condition']['latex']}$" in block.splitlines()[0]
            cex = step["counterexample"]
            line = next((ln for ln in block.splitlines() if ln.startswith("Counterexample:")), None)
            assert (line is None) == (cex is None), (c["path"].name, step["index"])
            if cex is not None:
                _same_counterexample(line, cex)
        first = js["first_error"]
        assert (f"**First error: step {first}.**" if first is not None else "**No step is false.**") in md
        r = repr(c["report"])
        assert r.startswith(f"<CheckReport {len(js['steps'])} steps") and "\n" not in r
        assert c["report"]._repr_markdown_() == md


def _exact(v):
    if isinstance(v, list):
        return np.array([[float(Fraction(x)) for x in row] for row in v])
    return float(Fraction(v))


def _same_counterexample(line: str, cex: dict):
    """The values and both sides shown are the JSON's exact ones."""
    formulas = re.findall(r"\$([^$]*)\$", line)
    exact = cex["exact"]
    values = list(exact["values"].items())
    if values:
        shown = formulas.pop(0).split(r",\ ")
        assert len(shown) == len(values)
        for s, (_, want) in zip(shown, values):
            got = _value(s.split(" = ", 1)[1])
            assert np.allclose(got, np.array(_exact(want), dtype=float).reshape(got.shape))
    for s, want in zip(formulas, (exact["lhs"], exact["rhs"])):
        if isinstance(want, str) and not re.fullmatch(r"-?\d+(/\d+)?", want):
            assert s in (rf"\text{{{want}}}", want.replace("∞", r"\infty"))   # 'does not exist', ∞
            continue
        got = _value(s)
        assert np.allclose(got, np.array(_exact(want) if isinstance(want, list) else float(Fraction(want)),
                                         dtype=float).reshape(got.shape))


def test_a_counterexample_as_shown_is_real(checks):
    """seed_answer.md's step 3 claims ReLU(X) = (S + J)/2 with S = sign(X): the oracle,
    at the values read back from the Markdown, finds the two sides apart and equal to the
    sides shown."""
    c = next(c for c in checks if c["path"].name == "seed_answer.md")
    step = c["report"].steps[2]
    line = next(ln for ln in _steps_of(c["md"])[2].splitlines() if ln.startswith("Counterexample:"))
    values, lhs, rhs = re.findall(r"\$([^$]*)\$", line)
    X = _value(values.split(" = ", 1)[1])
    left, right = np.maximum(X, 0), (np.sign(X) + 1) / 2
    assert not check_oracle.close(left, right)
    assert check_oracle.close(left, _value(lhs)) and check_oracle.close(right, _value(rhs))
    check_oracle.counterexample_is_real(step, lambda v: np.maximum(v["X"], 0), lambda v: (np.sign(v["X"]) + 1) / 2)


def test_always_and_never_are_words_in_latex():
    """A condition that is always (or never) true is spelled \\text{always}: the string
    once lacked its r prefix, so \\t became a tab and MathJax set 'ext{always}' in italics."""
    import sympy as sp
    from symderiv.render.notation import Notation, _Printer
    printer = _Printer(Notation(True), (), True)
    assert printer.condition(sp.true) == r"\text{always}"
    assert printer.condition(sp.false) == r"\text{never}"
    assert typeset([f"${printer.condition(sp.true)}$"])[0]["errors"] == []
