"""Recorded outputs of a few hundred commands, replayed byte for byte by tests/test_replay.py.

The redesign of issue 12 changes no behaviour; this is how that is shown.  The commands are
chosen, not hand-written: every LaTeX expression the tests spell (read from their source
with `ast`, never run), analysed in text, JSON and LaTeX, at concrete points suited to the
variable's shape, with `--let` where the tests bind constants; `derive` of the documents'
expressions; `check` of every corpus post in text and JSON.  Errors are outputs too.

    python -m tests.replay --write      # record (only after a deliberate change of output)
    python -m tests.replay --rerecord   # the recorded commands' new outputs, the same commands

``--write`` chooses the commands afresh from today's tests (new expressions come in);
``--rerecord`` keeps the recorded commands and records their outputs again, so that a
deliberate change of output is reviewed as a diff of outputs alone.
"""
from __future__ import annotations

import ast
import contextlib
import io
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "replay_golden.jsonl"
SOURCES = ("test_analysis.py", "test_cli.py", "test_pointwise.py", "test_matrix_calculus.py",
           "test_render.py", "test_spellings.py", "test_nested_kinks.py", "test_arbiter.py")
MAX_EXPRESSIONS = 150
POINTS = {0: ["0", "3/2", "-1"], 1: ["[1,0,-2]"], 2: ["[[1,-2],[0,3]]", "[[0,0],[0,0]]"]}


def run(argv: list[str]) -> str:
    """What the command prints (stdout, then stderr) and its exit code, as one string."""
    from symderiv.cli import main
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return f"{out.getvalue()}--- stderr\n{err.getvalue()}--- exit {code}\n"


def _expressions() -> list[str]:
    """The LaTeX strings the tests spell: string constants that look like a formula."""
    seen = set()
    for name in SOURCES:
        tree = ast.parse((ROOT / "tests" / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                s = node.value
                if 2 < len(s) <= 120 and "\n" not in s and ("\\" in s or "^" in s) and " & " not in s:
                    seen.add(s)
    return sorted(seen)[:MAX_EXPRESSIONS]


def _shape_rank(expr: str) -> int | None:
    """0, 1 or 2 for the inferred variable's shape, None when diff refuses the expression."""
    text = run(["diff", expr, "--format", "json"])
    body = text.split("--- stderr\n")[0]
    try:
        shape = json.loads(body)["variable"]["shape"]
    except (ValueError, KeyError, TypeError):
        return None
    return len(shape) if isinstance(shape, list) else 0


def commands() -> list[list[str]]:
    cmds: list[list[str]] = []
    for i, expr in enumerate(_expressions()):
        cmds.append(["diff", expr])
        if i % 2 == 0:
            cmds.append(["diff", expr, "--format", "json"])
        if i % 3 == 0:
            cmds.append(["diff", expr, "--format", "latex"])
        rank = _shape_rank(expr)
        if rank is not None and i % 2 == 1:
            for p in POINTS.get(rank, [])[: 1 + (i % 4 == 1)]:
                cmds.append(["diff", expr, "--at", p, "--format", "json" if i % 3 else "text"])
    for expr, let, at in [(r"\|\sigma(AX)\|_F^2", "A=[[1,2],[0,1]]", "[[1,0],[0,-1]]"),
                          (r"\|\sigma(AX)\|_F^2", "A=[[1,2],[0,1]]", "[[0,0],[0,0]]"),
                          (r"\langle A, |X|\rangle", "A=[[1,-1],[2,0]]", "[[0,1],[-1,0]]"),
                          (r"\|Ax-b\|_2", "A=[[1,0],[0,1]]", "[1,2]"),
                          (r"\sigma(x)^T A\sigma(x)", "A=[[2,1],[1,2]]", "[0,1]")]:
        cmds.append(["diff", expr, "--let", let, "--at", at])
        cmds.append(["diff", expr, "--let", let, "--at", at, "--format", "json"])
    for expr in (r"\|\max(X,0)\|_F^2", r"\sum_{i,j}|x_{ij}|", r"\|X\|_F", r"\max_{i,j} x_{ij}",
                 r"\|\max(X,0) - Y\|_F^2", r"\|\sigma(AX)\|_F^2", r"\max(x, 0)", r"\max(|x|, 2x^2)",
                 r"\operatorname{Huber}(x, 1)", r"\sqrt{x^2+y^2}"):
        cmds.append(["derive", expr])
    for post in sorted((ROOT / "tests" / "check_corpus").iterdir()):
        rel = str(post.relative_to(ROOT))
        cmds.append(["check", rel])
        cmds.append(["check", rel, "--format", "json"])
    return cmds


def record() -> list[dict]:
    return [{"argv": argv, "output": run(argv)} for argv in commands()]


def load() -> list[dict]:
    return [json.loads(line) for line in GOLDEN.read_text(encoding="utf-8").splitlines()]


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    if "--write" in sys.argv or "--rerecord" in sys.argv:
        import os
        os.chdir(ROOT)
        rows = record() if "--write" in sys.argv else [{"argv": r["argv"], "output": run(r["argv"])} for r in load()]
        GOLDEN.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        print(f"{len(rows)} commands recorded in {GOLDEN.relative_to(ROOT)}")
