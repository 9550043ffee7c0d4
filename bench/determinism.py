"""Same input, same output, however busy the machine: a sha256 per CLI command.

Runs about twenty commands (the seeds in every format, derive, the checks of both seed
posts, and the slowest cases of the tests), each in a fresh process, and prints one line
per command: the sha256 of stdout + stderr + exit code, and the command.  Run it idle
and again with both cores busy (``yes > /dev/null &`` twice) and compare the files:

    python bench/determinism.py > idle.txt
    python bench/determinism.py > loaded.txt && diff idle.txt loaded.txt

Extra posts to check (``--post FILE``) are added to the list.  The time each command
took goes to stderr, never into the hashes.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CORPUS = os.path.join(ROOT, "tests", "check_corpus")
SEED = r"\|\max(X,0)\|_F^2"
SAMPLES = ["--let", "X=[[1,2],[3,-1],[0,1]]", "--let", "y=[1,-1,1]"]

COMMANDS = [
    ["diff", SEED, "--wrt", "X"],
    ["diff", SEED, "--wrt", "X", "--format", "json"],
    ["diff", SEED, "--wrt", "X", "--format", "latex"],
    ["diff", SEED, "--wrt", "X", "--at", "[[1,-2],[0,3]]", "--format", "json"],
    ["derive", SEED],
    ["check", os.path.join(CORPUS, "seed_answer.md")],
    ["check", os.path.join(CORPUS, "seed_answer.md"), "--format", "json"],
    ["check", os.path.join(CORPUS, "blog_relu_limits.md")],
    ["check", os.path.join(CORPUS, "blog_relu_limits.md"), "--format", "json"],
    ["check", os.path.join(CORPUS, "two_layer_relu.md"), "--format", "json"],
    ["diff", r"\sum_{i,j}\sin 2x_{ij} + \pi\|X\|_F^2", "--wrt", "X", "--format", "json"],
    ["diff", r"\sum_{i=1}^n \log(1+\exp(-y_i x_i^\top w))", "--wrt", "w", *SAMPLES, "--format", "json"],
    ["diff", r"\sum_i \max(0, 1 - y_i w^T x_i)", "--wrt", "w", *SAMPLES, "--at", "[1,0]", "--format", "json"],
    ["diff", r"\sqrt{|x|+|y|}", "--wrt", "x,y", "--at", "[0,1]", "--format", "json"],
    ["diff", r"\|\operatorname{soft}_{0.1}(X)\|_F", "--wrt", "X", "--format", "json"],
    ["diff", r"\max(x,\max(y,\max(z,0)))", "--wrt", "x,y,z", "--format", "json"],
    ["diff", r"\sigma(x)\sigma(y)\sigma(z)", "--wrt", "x,y,z", "--format", "json"],
    ["diff", r"\min(|x|,|y|)", "--wrt", "x,y", "--at", "[0,0]", "--format", "json"],
    ["diff", r"\max(|x|, 2x^2)", "--at", "0"],
    ["diff", r"\sum_i \max(0, \|a_i - p_i\|_2^2 - \|a_i - n_i\|_2^2 + 1)", "--wrt", "a",
     "--let", "p=[1,0,2]", "--let", "n=[0,1,0]", "--at", "[0,0,0]", "--format", "json"],
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--post", action="append", default=[], help="another post to check (repeatable)")
    args = ap.parse_args()
    env = {**os.environ, "PYTHONPATH": ROOT}
    commands = COMMANDS + [["check", p] for p in args.post]
    for cmd in commands:
        t = time.perf_counter()
        run = subprocess.run([sys.executable, "-m", "symderiv", *cmd], capture_output=True, cwd=ROOT, env=env)
        digest = hashlib.sha256(run.stdout + b"\0" + run.stderr + b"\0" + str(run.returncode).encode()).hexdigest()
        shown = " ".join(os.path.relpath(c, ROOT) if os.path.isabs(c) and c.startswith(ROOT) else c for c in cmd)
        print(f"{digest[:16]}  exit {run.returncode}  {shown}", flush=True)
        print(f"{time.perf_counter() - t:7.2f} s  {shown}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
