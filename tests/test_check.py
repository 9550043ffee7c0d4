"""The hand-derivation checker: the two seeds, a corpus of derivations with their expected
verdicts, the JSON contract, the output formats, and inputs that must fail cleanly.

Each corpus file in tests/check_corpus/ ends with an ``expect:`` line listing the verdict
of every step in order.  Counterexamples are re-checked here independently of the engine
where the mathematics is simple enough to write out (ReLU and sign on numbers)."""
from __future__ import annotations

import json
import pathlib
import re
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest

import symderiv
from symderiv.checker import check
from symderiv.cli import main
from symderiv.markdown import segments
from symderiv.render import check_out

CORPUS = pathlib.Path(__file__).resolve().parent / "check_corpus"
FILES = sorted(p for p in CORPUS.iterdir() if p.suffix in (".md", ".tex"))
VERDICTS = {"definition", "valid", "valid-where", "invalid", "unverified"}


def expected(path: pathlib.Path) -> list:
    m = re.search(r"expect:\s*([a-z][a-z\- ]*?)\s*(?:-->|$)", path.read_text(encoding="utf-8"), re.M)
    assert m, f"{path.name} has no expect: line"
    return m.group(1).split()


def report_of(name: str):
    return check((CORPUS / name).read_text(encoding="utf-8"))


def step_with(report, fragment: str):
    hits = [s for s in report.steps if fragment in " ".join(s.source.split())]
    assert len(hits) == 1, [s.source for s in report.steps]
    return hits[0]


def relu(v):
    return max(v, 0)


def sign(v):
    return (v > 0) - (v < 0)


def as_exact(v):
    assert isinstance(v, (int, Fraction)), f"not exact: {v!r}"
    return Fraction(v)


# ---- the corpus ---------------------------------------------------------------------------------

def test_the_corpus_is_large_and_varied():
    assert len(FILES) >= 25
    verdicts = [v for p in FILES for v in expected(p)]
    for v in VERDICTS:
        assert verdicts.count(v) >= 3, v
    texts = "".join(p.read_text(encoding="utf-8") for p in FILES)
    for construct in (r"\lim", "dX", "dx", r"\eqalign", "align*", r"\newcommand", r"\def", r"\qquad"):
        assert construct in texts, construct


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_corpus_verdicts(path):
    report = check(path.read_text(encoding="utf-8"))
    assert [s.verdict for s in report.steps] == expected(path)
    first = next((s.index for s in report.steps if s.verdict == "invalid"), None)
    assert report.first_error == first
    for s in report.steps:
        assert s.reason.strip(), s
        if s.verdict == "invalid":
            assert s.counterexample is not None, s
        if s.verdict == "valid-where":
            assert s.condition and s.condition["text"] and s.condition["latex"], s
        if s.verdict in ("valid", "definition"):
            assert s.counterexample is None
        assert all(k < s.index for k in s.depends_on)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_counterexamples_are_exact_and_really_differ(path):
    for s in check(path.read_text(encoding="utf-8")).steps:
        c = s.counterexample
        if c is None or s.verdict != "invalid" or not c.values:
            continue
        for v in c.values.values():
            for x in (v.flat if isinstance(v, np.ndarray) else [v]):
                as_exact(x)
        lhs, rhs = (np.asarray(x, dtype=object) for x in (c.lhs, c.rhs))
        assert lhs.shape == rhs.shape and (lhs != rhs).any(), s


# ---- seed 000: the answer with sigma(X) = (S + J)/2 -------------------------------------------------

def test_seed_answer_first_error_is_the_false_identity():
    r = report_of("seed_answer.md")
    bad = step_with(r, r"\frac 12\big(S+J\big)")
    assert r.first_error == bad.index
    assert bad.verdict == "invalid"
    X = bad.counterexample.values["X"]
    assert X.shape == (1, 1)
    x = as_exact(X[0, 0])
    # checked without the engine: max(x, 0) against (sign(x) + 1)/2
    assert bad.counterexample.lhs[0, 0] == relu(x)
    assert bad.counterexample.rhs[0, 0] == Fraction(sign(x) + 1, 2)
    assert relu(x) != Fraction(sign(x) + 1, 2)
    assert x == 2                         # the simplest point shows it


def test_seed_answer_errors_downstream_build_on_it():
    r = report_of("seed_answer.md")
    bad = step_with(r, r"\frac 12\big(S+J\big)")
    expansion = step_with(r, r"\frac 14\operatorname{trace}(S^TS)")
    differential = step_with(r, "df =")
    for s in (expansion, differential):
        assert s.verdict == "invalid"
        assert bad.index in s.depends_on
    x = as_exact(expansion.counterexample.values["X"][0, 0])
    assert expansion.counterexample.lhs == relu(x) ** 2
    # its own definitions are definitions, and sign's convention shows as valid-where
    assert [s.verdict for s in r.steps if "defines" in s.reason] == ["definition", "definition"]
    convention = step_with(r, r"\operatorname{sign}(\lambda)")
    assert convention.verdict == "valid-where" and "λ" in convention.condition["text"]


def test_the_corrected_identity_passes_and_so_does_the_derivation_built_on_it():
    r = report_of("relu_sign_identity_fixed.md")
    assert all(s.verdict in ("valid", "definition") for s in r.steps)
    assert r.first_error is None


# ---- seed 001: the blog's right-hand limit ----------------------------------------------------------

RIGHT_HAND = r"""And the right-hand limit is: \[ f'(x) = \lim_{x\rightarrow 0^+}\frac{max(0, x+\Delta x) – max(0,x)}{\Delta x}\\ = \lim_{x\rightarrow 0^+}\frac{x – \Delta x + x}{\Delta x} \\ = \frac{0 – \Delta x + 0}{\Delta x}\\ = 1\]"""


def test_blog_right_hand_limit_is_flagged_at_the_slip():
    r = check(RIGHT_HAND)
    slip = step_with(r, r"= \lim_{x\to 0^+}\frac{x - \Delta x + x}{\Delta x}")
    assert r.first_error == slip.index
    assert slip.verdict == "invalid"
    assert slip.counterexample.lhs == 1 and slip.counterexample.rhs == -1
    assert "near x → 0⁺" in slip.reason
    last = step_with(r, r"\Delta x} = 1")
    assert last.verdict == "invalid" and slip.index in last.depends_on


def test_blog_excerpt_only_the_right_hand_limit_is_wrong():
    r = report_of("blog_relu_limits.md")
    slip = step_with(r, r"= \lim_{x\to 0^+}\frac{x - \Delta x + x}{\Delta x}")
    assert r.first_error == slip.index
    left = step_with(r, r"\lim_{x\to 0^-}\frac{0 - 0}{\Delta x} = 0")
    assert left.verdict == "valid"
    assert step_with(r, "f(x) = 0").condition["text"] == "x = 0"


# ---- chosen verdicts, with their details ------------------------------------------------------------

def test_valid_where_off_the_kinks_names_the_kink_and_a_point_on_it():
    s = check(r"$$\operatorname{sign}(X)\odot\operatorname{sign}(X) = J$$").steps[0]
    assert s.verdict == "valid-where"
    assert s.condition["text"] == "no entry of X is 0"
    X = s.counterexample.values["X"]
    assert any(v == 0 for v in X.flat)


def test_stated_condition_makes_valid_where_and_is_needed():
    r = check(r"For $x \ge 0$, $$\sigma(x) = x$$ and for $x > 0$, $$|x| = x\operatorname{sign}(x)$$")
    first, second = r.steps
    assert first.verdict == "valid-where" and first.condition["latex"] == r"x \ge 0"
    assert second.verdict == "valid" and second.condition is None     # true without it


def test_a_false_step_says_where_it_does_hold():
    s = check(r"$$\sigma(x) = x$$").steps[0]
    assert s.verdict == "invalid"
    x = as_exact(s.counterexample.values["x"])
    assert relu(x) != x
    assert "x > 0" in s.reason


def test_wrong_chain_rule_counterexample_matches_a_difference_quotient():
    r = report_of("wrong_chain_rule.md")
    wrong = r.steps[1]
    assert wrong.verdict == "invalid"
    v = wrong.counterexample.values
    A, X, D = (np.vectorize(Fraction, otypes=[object])(v[k]) for k in ("A", "X", "dX"))

    def g(Y):
        return sum(relu(u) ** 2 for u in (A.dot(Y)).flat)

    # g is quadratic near a point off its kinks: the central difference is exact there
    t = Fraction(1, 10 ** 6)
    slope = (g(X + t * D) - g(X - t * D)) / (2 * t)
    assert slope == wrong.counterexample.lhs
    assert wrong.counterexample.rhs == 2 * sum(relu(u) * d for u, d in zip(A.dot(X).flat, D.flat))


def test_differential_of_a_kinked_function_is_valid_only_off_its_kink():
    r = report_of("abs_differential.md")
    dk = r.steps[1]
    assert dk.verdict == "valid-where" and dk.condition["text"] == "x ≠ 0"
    assert as_exact(dk.counterexample.values["x"]) == 0
    assert r.steps[3].verdict == "valid"              # x|x| is differentiable at 0


def test_limits_one_sided_two_sided_and_on_a_parameter_kink():
    r = report_of("limits_relu.md")
    assert [s.verdict for s in r.steps] == ["valid", "valid", "invalid", "valid-where"]
    assert "does not exist" in r.steps[2].reason
    assert r.steps[3].condition["text"] == "x ≠ 0"


def test_definitions_carry_into_later_steps():
    r = check(r"$$A = X^TX$$ $$\operatorname{tr}(A) = \|X\|_F^2$$ $$A = XX^T$$")
    assert [s.verdict for s in r.steps] == ["definition", "valid", "invalid"]


def test_chain_links_are_steps_and_a_continued_row_continues():
    r = check(r"$$\eqalign{ f &= \|X\|_F^2 \\ &= \operatorname{tr}(X^TX) \\ &= \operatorname{tr}(XX^T) }$$")
    assert [s.verdict for s in r.steps] == ["definition", "valid", "valid"]
    assert r.steps[2].source.startswith(r"\operatorname{tr}(X^TX) =")


def test_math_in_a_sentence_about_later_lines_is_prose():
    r = check(r"We want $\nabla f = G$ where $$f = \|X\|_F^2, \qquad G = 2X$$ and then $$\nabla f = G.$$")
    assert [s.verdict for s in r.steps] == ["definition", "definition", "valid"]


def test_a_differential_of_nothing_defined_is_unverified():
    s = check(r"$$df = 2x\,dx$$").steps[0]
    assert s.verdict == "unverified" and "differential of f, which no earlier line defines" in s.reason


def test_public_api_answers_twice():
    text = r"$$|x| = x\operatorname{sign}(x)$$"
    assert symderiv.check(text).steps[0].verdict == "valid"
    assert symderiv.check(text).steps[0].verdict == "valid"


# ---- output formats and the contract ---------------------------------------------------------------

def run(args, capsys):
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_json_follows_the_contract(capsys):
    code, out, err = run(["check", str(CORPUS / "seed_answer.md"), "--format", "json"], capsys)
    assert code == 0, err
    d = json.loads(out)
    assert set(d) >= {"steps", "first_error"}
    assert d["first_error"] == 3
    for s in d["steps"]:
        assert set(s) >= {"index", "source", "verdict", "condition", "counterexample", "reason", "depends_on"}
        assert s["verdict"] in VERDICTS
    bad = d["steps"][2]
    assert bad["counterexample"]["values"] == {"X": [[2]]}
    assert bad["counterexample"]["lhs"] == [[2]] and bad["counterexample"]["rhs"] == [[1]]
    assert bad["counterexample"]["exact"]["rhs"] == [["1"]]
    assert d["steps"][0]["condition"] == {"text": "λ ≠ 0", "latex": r"\lambda \neq 0"}
    assert d["steps"][5]["depends_on"] == [3, 5]


def test_exit_zero_with_invalid_steps_and_deterministic_output(capsys):
    args = ["check", str(CORPUS / "distributive_products.md"), "--format", "json"]
    first = run(args, capsys)
    second = run(args, capsys)
    assert first[0] == 0 and first[1] == second[1]
    r = subprocess.run([sys.executable, "-m", "symderiv", *args], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout == first[1]


def test_text_marks_every_step(capsys):
    code, out, _ = run(["check", str(CORPUS / "seed_answer.md")], capsys)
    assert code == 0
    marks = [line.split()[0] for line in out.splitlines() if re.match(r"^[·✓~✗?] \d+\.", line)]
    assert marks == ["~", "·", "✗", "·", "✗", "✗"]
    assert "First error: step 3." in out


def test_latex_annotates_the_derivation(capsys):
    code, out, _ = run(["check", str(CORPUS / "seed_answer.md"), "--format", "latex"], capsys)
    assert code == 0
    for env in ("align*", "enumerate"):
        assert out.count(rf"\begin{{{env}}}") == out.count(rf"\end{{{env}}}") == 1
    assert out.count(r"&& \times") == 3 and out.count(r"&& \mathrel{:=}") == 2
    assert r"\text{where } \lambda \neq 0" in out
    assert "Traceback" not in out


def test_standard_input(capsys, monkeypatch):
    import io
    monkeypatch.setattr(sys, "stdin", io.StringIO(r"$$\sigma(x) - \sigma(-x) = x$$"))
    code, out, _ = run(["check", "-", "--format", "json"], capsys)
    assert code == 0 and json.loads(out)["steps"][0]["verdict"] == "valid"


BAD = [
    (["check", "/nonexistent/answer.md"], 2, "cannot read"),
    (["check", "__NO_MATH__"], 2, "no math found"),
    (["check", "__NO_EQUATION__"], 2, "no equations to check"),
    (["check", "x.md", "--format", "yaml"], 2, "invalid choice"),
]


@pytest.mark.parametrize("args,code,message", BAD, ids=[str(i) for i in range(len(BAD))])
def test_bad_input_is_one_clear_error(capsys, tmp_path, args, code, message):
    args = list(args)
    if args[1] == "__NO_MATH__":
        (tmp_path / "a.md").write_text("Just prose, no formulas.", encoding="utf-8")
        args[1] = str(tmp_path / "a.md")
    if args[1] == "__NO_EQUATION__":
        (tmp_path / "b.md").write_text("Only $x_{ij}$ and $\\sigma(X)$ here.", encoding="utf-8")
        args[1] = str(tmp_path / "b.md")
    got, out, err = run(args, capsys)
    assert got == code and out == ""
    first = err.splitlines()[0]
    assert first.startswith("error: ") and message in first
    assert "Traceback" not in err


GARBAGE = [
    r"$$\frac{$$",
    r"$$ = = = $$",
    r"$$f = \left( x $$",
    r"$$\lim_{h \to y} h = 0$$",
    r"$$\def\a{\a} \a = 1$$",
    r"$$" + "(" * 300 + "x" + ")" * 300 + " = x$$",
    r"$$X = \begin{pmatrix} 1 \end{pmatrix}$$",
    "$" * 50,
    r"\[ x \]\[ = 2 \]",
]


@pytest.mark.parametrize("text", GARBAGE, ids=[str(i) for i in range(len(GARBAGE))])
def test_garbage_never_crashes(capsys, monkeypatch, text):
    import io
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    code, out, err = run(["check", "-", "--format", "json"], capsys)
    assert "Traceback" not in err and "internal" not in err
    assert code in (0, 2, 3)
    if code == 0:
        steps = json.loads(out)["steps"]
        assert all(s["verdict"] in ("unverified", "definition", "valid", "invalid", "valid-where") for s in steps)
        assert not any("internal" in s["reason"] for s in steps)
    else:
        assert err.startswith("error: ") and out == ""


# ---- the Markdown reader ---------------------------------------------------------------------------

def test_segments_find_math_and_leave_money_and_code_alone():
    text = "It costs \\$5. `$not math$` Then $x = 1$ and $$y = 2$$ and \\[z = 3\\] and \\(w\\)."
    kinds = [(s.kind, s.text) for s in segments(text) if s.kind != "prose"]
    assert kinds == [("inline", "x = 1"), ("display", "y = 2"), ("display", "z = 3"), ("inline", "w")]
    assert [s.kind for s in segments("a $ b\n\n c $ d")] == ["prose"]


def test_json_numbers_are_exact_strings_beside_floats():
    r = check(r"$$\|X+Y\|_F^2 = \|X\|_F^2 + \|Y\|_F^2$$")
    d = check_out.to_dict(r)["steps"][0]["counterexample"]
    assert isinstance(d["lhs"], int) and d["exact"]["lhs"] == str(d["lhs"])
