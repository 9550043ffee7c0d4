"""The command line follows the contract: JSON fields, exit codes, one-line errors.

Every number asserted here is also checked against the numeric oracle."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from symderiv.cli import main
from tests import oracle

relu = lambda a: np.maximum(a, 0)  # noqa: E731


def run(args, capsys):
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def diff_json(capsys, *args):
    code, out, err = run(["diff", *args, "--format", "json"], capsys)
    assert code == 0, err
    return json.loads(out)


def test_seed_question(capsys):
    d = diff_json(capsys, r"\|\max(X,0)\|_F^2", "--wrt", "X")
    assert d["differentiable_everywhere"] is True
    assert d["nondifferentiable_set"] is None
    assert d["smoothness"] == 1
    assert d["convex"] is True
    assert d["continuous"] is True
    assert d["routes"]["agree"] is True
    assert d["gradient"]["text"] == "2 max(X, 0)"
    assert d["variable"] == {"name": "X", "shape": ["m", "n"]}
    for name in ("sign", "direct"):
        assert d["routes"][name]["steps"], name
        assert d["routes"][name]["gradient"]["text"] == "2 max(X, 0)"


def test_seed_at_a_point(capsys):
    d = diff_json(capsys, r"\|\max(X,0)\|_F^2", "--wrt", "X", "--at", "[[1,-2],[0,3]]")
    assert d["at"]["differentiable"] is True
    assert d["at"]["gradient"] == [[2, 0], [0, 6]]
    X = np.array([[1.0, -2.0], [0.0, 3.0]])
    oracle.check_gradient(lambda Y: np.sum(relu(Y) ** 2), X, np.array(d["at"]["gradient"]), np.random.default_rng(0))


def test_relu_at_its_kink(capsys):
    d = diff_json(capsys, r"\max(x,0)", "--wrt", "x", "--at", "0")
    at = d["at"]
    assert at["differentiable"] is False
    assert at["gradient"] is None
    assert at["subdifferential"] == {**at["subdifferential"], "form": "box", "lower": 0, "upper": 1}
    form = {"form": "box", "lower": np.array([[0.0]]), "upper": np.array([[1.0]])}
    f = lambda Y: float(relu(Y).sum())  # noqa: E731
    oracle.check_not_differentiable(f, np.zeros((1, 1)), np.random.default_rng(1))
    oracle.check_clarke(f, np.zeros((1, 1)), form, np.random.default_rng(1), regular=True)


def test_frobenius_norm_at_zero_is_the_unit_ball(capsys):
    d = diff_json(capsys, r"\|X\|_F", "--at", "[[0,0],[0,0]]")
    sub = d["at"]["subdifferential"]
    assert sub["form"] == "ball" and sub["radius"] == 1 and sub["center"] == [[0, 0], [0, 0]]
    form = {"form": "ball", "center": np.zeros((2, 2)), "radius": 1.0}
    oracle.check_clarke(lambda Y: np.linalg.norm(Y), np.zeros((2, 2)), form, np.random.default_rng(2), regular=True)


def test_sum_of_absolute_values_with_one_zero_entry(capsys):
    d = diff_json(capsys, r"\sum_{i,j}|x_{ij}|", "--at", "[[0,1],[-2,3]]")
    sub = d["at"]["subdifferential"]
    assert sub["form"] == "box"
    assert sub["lower"] == [[-1, 1], [-1, 1]]
    assert sub["upper"] == [[1, 1], [-1, 1]]
    form = {"form": "box", "lower": np.array(sub["lower"], float), "upper": np.array(sub["upper"], float)}
    X = np.array([[0.0, 1.0], [-2.0, 3.0]])
    oracle.check_clarke(lambda Y: np.sum(np.abs(Y)), X, form, np.random.default_rng(3), regular=True)


@pytest.mark.parametrize("expr,grad", [(r"\sigma(x) - \sigma(-x)", 1), (r"\sigma(x)\sigma(-x)", 0)])
def test_cancelling_kinks_are_smooth(capsys, expr, grad):
    d = diff_json(capsys, expr, "--at", "0")
    assert d["differentiable_everywhere"] is True
    assert d["gradient"]["text"] == str(grad)
    assert d["at"]["gradient"] == grad
    fn = (lambda Y: float(relu(Y).sum() - relu(-Y).sum())) if grad else (lambda Y: float(relu(Y).sum() * relu(-Y).sum()))
    oracle.check_gradient(fn, np.zeros((1, 1)), np.array([[grad]]), np.random.default_rng(4))


def test_text_and_latex_formats(capsys):
    code, out, _ = run(["diff", r"\|\max(X,0)\|_F^2"], capsys)
    assert code == 0
    assert "Verdict: differentiable everywhere." in out and "∇f(X) = 2 max(X, 0)" in out
    assert "C^1, not C^2" in out
    code, out, _ = run(["diff", r"\|\max(X,0)\|_F^2", "--format", "latex"], capsys)
    assert code == 0 and r"\nabla f(X) &= 2 \max(X, 0)" in out


def test_output_file(capsys, tmp_path):
    target = tmp_path / "out.json"
    code, out, _ = run(["diff", r"\|X\|_F", "--format", "json", "-o", str(target)], capsys)
    assert code == 0 and out == ""
    assert json.loads(target.read_text())["differentiable_everywhere"] is False


BAD = [
    (["diff", r"\foo(X)"], 2, "unknown command \\foo"),
    (["diff", r"\max(X,"], 2, "unbalanced"),
    (["diff", "X +"], 2, "expected an expression"),
    (["diff", r"\operatorname{foo}(X)"], 2, "unknown function foo"),
    (["diff", r"\|X\|_F", "--at", "[[1,2],[3]]"], 2, "rows of different lengths"),
    (["diff", r"\|X\|_F", "--at", "[[1,2],"], 2, "--at"),
    (["diff", r"\|X\|_F", "--at", "__import__('os').system('true')"], 2, "--at"),
    (["diff", r"\|AX\|_F", "--at", "[[1,2],[3,4]]"], 2, "A needs a value: --let A="),
    (["diff", r"\|X\|_F", "--shape", "two"], 2, "--shape"),
    (["diff", r"\|X\|_F", "--bogus"], 2, "unrecognized arguments"),
    (["diff", r"\|X\|_F", "--format", "yaml"], 2, "invalid choice"),
    (["diff", r"\operatorname{diag}(X)"], 3, "diag"),
    (["diff", "X"], 3, "not a scalar"),
    (["diff", r"\|A\|_F + \|B\|_F"], 2, "give --wrt"),
    (["diff", r"\|X\|_F", "--wrt", "Z"], 2, "no Z"),
    (["check", "/nonexistent/answer.md"], 2, "nonexistent"),
]


@pytest.mark.parametrize("args,code,message", BAD, ids=[" ".join(a[:2]) + f" [{i}]" for i, (a, _, _) in enumerate(BAD)])
def test_bad_input_is_one_clear_error(capsys, args, code, message):
    got, out, err = run(args, capsys)
    assert got == code
    assert out == ""
    first = err.splitlines()[0]
    assert first.startswith("error: ")
    assert message in first
    assert "Traceback" not in err


def test_no_traceback_from_a_real_process():
    r = subprocess.run([sys.executable, "-m", "symderiv", "diff", r"\|X\|_F", "--at", "[[1,"],
                       capture_output=True, text=True)
    assert r.returncode == 2
    assert r.stderr.startswith("error: ") and "Traceback" not in r.stderr


def test_version_and_help(capsys):
    code, out, _ = run(["--version"], capsys)
    assert code == 0 and out.startswith("symderiv ")
    code, out, _ = run(["diff", "--help"], capsys)
    assert code == 0 and "examples:" in out


def test_output_is_deterministic(capsys):
    args = ["diff", r"\|\sigma(AX)\|_F^2 + \sum_{i,j}|x_{ij}|", "--format", "json"]
    first = run(args, capsys)[1]
    second = run(args, capsys)[1]
    assert first == second
    r = subprocess.run([sys.executable, "-m", "symderiv", *args], capture_output=True, text=True)
    assert r.stdout == first


def test_shape_fixes_the_variable(capsys):
    d = diff_json(capsys, r"\|\sigma(AX)\|_F^2", "--shape", "2,3")
    assert d["variable"] == {"name": "X", "shape": [2, 3]}
    code, _, err = run(["diff", r"\|X\|_F", "--shape", "2,3", "--at", "[[1,2],[3,4]]"], capsys)
    assert code == 2 and "--shape" in err


def test_expressions_and_values_may_start_with_a_minus(capsys):
    d = diff_json(capsys, r"-\max(x,0)", "--at", "-1/2")
    assert d["at"]["gradient"] == 0 and d["at"]["value"] == 0


def test_no_command_is_one_error_line(capsys):
    assert main([]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and err.startswith("error: no command given")


def test_a_value_for_a_name_f_does_not_use_is_said_not_dropped(capsys):
    code, out, err = run(["diff", "x^2", "--let", "Y=[[1]]", "--at", "3", "--format", "json"], capsys)
    d = json.loads(out)
    assert code == 0 and "--let Y: Y does not occur in f, so its value is not used" in d["assumptions"]
    assert d["at"]["gradient"] == 6 and (3.0 + 1e-6) ** 2 - (3.0 - 1e-6) ** 2 == pytest.approx(12e-6)
