"""The cold start against its floor: the seed question in a fresh process against
`python -c "import sympy"` in the same environment (issue 16: at most 1.5x).

Both commands run alternately, so a change in the machine's load hits both alike; each
number is the median of ``runs`` fresh processes, after one discarded run of each (which
writes the bytecode caches, as a user's installed package has them: PYTHONDONTWRITEBYTECODE
is removed from the children's environment).  Wall-clock time is what a user waits for;
CPU time (user + system of the child) is what a loaded machine disturbs least.

    python bench/cold_start.py [--runs N] [--root DIR] [--out FILE]

``--root`` measures another checkout (for a before/after comparison) with this Python.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

SEED = ["diff", r"\|\max(X,0)\|_F^2", "--wrt", "X", "--format", "json"]


def _once(cmd, cwd, env):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=env, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(runs: int = 5, root: str = ROOT) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    cmds = {"import sympy": [sys.executable, "-c", "import sympy"],
            "symderiv diff seed --format json": [sys.executable, "-m", "symderiv"] + SEED}
    for cmd in cmds.values():                   # discarded: writes the bytecode caches
        _once(cmd, root, env)
    samples = {name: [] for name in cmds}
    for _ in range(runs):
        for name, cmd in cmds.items():
            samples[name].append(_once(cmd, root, env))
    out = {name: {"wall_seconds": round(statistics.median(s[0] for s in runs_), 4),
                  "cpu_seconds": round(statistics.median(s[1] for s in runs_), 4)}
           for name, runs_ in samples.items()}
    floor, seed = out["import sympy"], out["symderiv diff seed --format json"]
    out["ratio_to_import_sympy"] = {"wall": round(seed["wall_seconds"] / floor["wall_seconds"], 2),
                                    "cpu": round(seed["cpu_seconds"] / floor["cpu_seconds"], 2)}
    out["runs"] = runs
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--root", default=ROOT)
    ap.add_argument("--out")
    args = ap.parse_args()
    result = measure(args.runs, os.path.abspath(args.root))
    text = json.dumps(result, indent=2) + "\n"
    if args.out:
        with open(args.out, "w") as fh:
            fh.write(text)
    print(text, end="")


if __name__ == "__main__":
    main()
