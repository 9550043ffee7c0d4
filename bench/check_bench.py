"""Benchmark: `symderiv check` on an 8-step derivation, cold (a fresh process each run).

    python bench/check_bench.py [--runs 7] [--out FILE.json]

Cold is what a user waits for: interpreter start, imports (SymPy, NumPy, Lark), the
grammar, and the checking itself.  The derivation mixes what the checker does: the seed
answer's false identity and the steps built on it (with their dependency search), a
definition, a differential checked off and on the kinks, and a chain of equalities.
The target is under 2 s.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

DERIVATION = r"""
$ \def\s{\operatorname{sign}} \def\t{\operatorname{trace}} $
$$\eqalign{ S &= \s(X), \qquad \sigma(X) &= \frac 12\big(S+J\big) \\ }$$
$$\eqalign{ f &= \t(\sigma^T\sigma) \\
  &= \frac 14\t(S^TS) + \frac 12\t(J^TS) + \frac 14\t(J^TJ) \\
 df &= \frac 12\t\!\Big((S+J)^TdS\Big) \\ }$$
$$ g = \|\sigma(X)\|_F^2, \qquad dg = 2\langle\sigma(X), dX\rangle = 2\operatorname{tr}\big(\sigma(X)^T dX\big) $$
"""
STEPS = 8


def once() -> float:
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "symderiv", "check", "-", "--format", "json"], input=DERIVATION,
                       cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": ROOT})
    elapsed = time.perf_counter() - t
    if r.returncode != 0:
        raise SystemExit(f"check failed: {r.stderr}")
    steps = json.loads(r.stdout)["steps"]
    if len(steps) != STEPS:
        raise SystemExit(f"expected {STEPS} steps, got {len(steps)}")
    return elapsed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--out", help="also write the numbers to this JSON file")
    args = ap.parse_args()
    times = [once() for _ in range(args.runs)]
    result = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                          "platform": platform.platform()},
              "check_8_steps_cold_seconds": {"median": statistics.median(times), "max": max(times),
                                             "min": min(times), "runs": args.runs}}
    print(json.dumps(result, indent=2))
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            json.dump(result, fh, indent=2)
            fh.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
