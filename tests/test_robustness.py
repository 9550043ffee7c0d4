"""No input makes symderiv crash, hang, or run code from the input."""
from __future__ import annotations

import contextlib
import io
import pathlib
import random
import re

from symderiv.cli import main

ROOT = pathlib.Path(__file__).resolve().parent.parent

ATOMS = ["X", "x", "A", "Y", "J", "I", "2", "0", "1", r"\lambda", "y"]
UNARY = [r"\max({0},0)", r"\sigma({0})", "|{0}|", r"\operatorname{{sign}}({0})", r"\min({0}, 1)",
         r"\exp({0})", "({0})^2", "{0}^T", "-{0}", "H({0})", r"\|{0}\|_F", r"\|{0}\|_F^2",
         r"\operatorname{{tr}}({0})", r"\sum_{{i,j}}|x_{{ij}}|", r"\max({0}, {0})", "({0})_+", r"\tanh({0})"]
BINARY = ["{0}+{1}", "{0}-{1}", "{0}{1}", r"{0}\odot {1}", r"\langle {0}, {1}\rangle", "{0} : {1}",
          r"\frac{{{0}}}{{2}}"]
GARBAGE = ["\\", "{", "}", "|", "^", "_", "(", ")", "\\left", "\\frac", "&", "$", "\\def", "#1", "%"]


def _gen(rng, d):
    if d == 0 or rng.random() < 0.25:
        return rng.choice(ATOMS)
    if rng.random() < 0.6:
        return rng.choice(UNARY).format(_gen(rng, d - 1))
    return rng.choice(BINARY).format(_gen(rng, d - 1), _gen(rng, d - 1))


def _run(args):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    return code, out.getvalue(), err.getvalue()


def test_random_expressions_never_hit_an_internal_error():
    rng = random.Random(20261124)
    codes = set()
    for _ in range(60):
        expr = _gen(rng, 3)
        args = ["diff", expr, "--format", "json"]
        if re.search(r"(?<![a-z\\])X", expr):
            args += ["--wrt", "X", "--at", rng.choice(["[[0,1],[-1,2]]", "[[0,0],[0,0]]", "[[1,2],[3,4]]"])]
            for name, val in (("A", "[[1,0],[2,-1]]"), ("Y", "[[0,1],[0,0]]"), ("y", "0")):
                if re.search(rf"(?<![a-z\\]){name}(?![a-z])", expr):
                    args += ["--let", f"{name}={val}"]
        code, _, err = _run(args)
        codes.add(code)
        assert code in (0, 2, 3), err
        assert "internal" not in err and "Traceback" not in err, (expr, err)
    assert 0 in codes


def test_garbage_is_a_clean_input_error():
    rng = random.Random(7)
    for _ in range(80):
        text = "".join(rng.choice(GARBAGE + ATOMS) for _ in range(rng.randint(1, 12)))
        code, out, err = _run(["diff", text])
        assert code in (0, 2, 3)
        if code:
            assert err.startswith("error: ") and "internal" not in err and "Traceback" not in err, (text, err)


def test_self_referencing_macro_is_an_error_not_a_hang():
    code, _, err = _run(["diff", r"\def\a{\a\a}\a"])
    assert code == 2 and "macro" in err


def test_no_user_text_reaches_an_evaluator():
    """The source never calls eval/exec/sympify/parse_expr: user text is only ever tokenised."""
    pattern = re.compile(r"\b(eval|exec|sympify|parse_expr|literal_eval)\s*\(")
    offenders = []
    for path in (ROOT / "symderiv").rglob("*.py"):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line) and "def eval(" not in line:
                offenders.append(f"{path.name}:{n}: {line.strip()}")
    assert offenders == []
