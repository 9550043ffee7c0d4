"""Benchmark: `symderiv check --jobs 2` over the corpus of posts against one process per
post (issue 16: at least 1.7x the throughput).

    python bench/check_jobs.py [--out bench/results.json]

One process per post is what checking a corpus cost before `check FILE...`: a shell
loop of `symderiv check FILE --format json`, each paying the interpreter, the imports
and the grammar.  `--jobs 2` checks the same posts in two warm workers.  Each side is
run once (the machine may be shared); the answers of the two are compared, post by
post, so the ratio is between runs that gave the same output.  `--out` merges the
numbers into that file under "check_jobs" (bench/run.py calls `measure` for `make bench`).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CORPUS = os.path.join(ROOT, "tests", "check_corpus")
CLI = [sys.executable, "-m", "symderiv", "check"]


def _run(args) -> subprocess.CompletedProcess:
    return subprocess.run(CLI + args, cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": ROOT})


def measure(jobs: int = 2) -> dict:
    posts = sorted(os.path.join("tests", "check_corpus", name) for name in os.listdir(CORPUS))
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else None

    t = time.perf_counter()
    alone = {}
    for post in posts:
        r = _run([post, "--format", "json"])
        if r.returncode != 0:
            raise SystemExit(f"check {post} failed: {r.stderr}")
        alone[post] = json.loads(r.stdout)
    one_per_post = time.perf_counter() - t

    t = time.perf_counter()
    r = _run(posts + ["--jobs", str(jobs)])
    pooled = time.perf_counter() - t
    if r.returncode != 0:
        raise SystemExit(f"check --jobs {jobs} failed: {r.stderr}")
    lines = [json.loads(s) for s in r.stdout.splitlines()]
    for d in lines[:-1]:
        same = {k: v for k, v in d.items() if k not in ("file", "error", "exit_code")}
        if same != alone[d["file"]]:
            raise SystemExit(f"--jobs {jobs} and the single-file command differ on {d['file']}")

    return {"posts": len(posts), "steps": lines[-1]["steps"],
            "one_process_per_post_seconds": one_per_post, f"jobs_{jobs}_seconds": pooled,
            "throughput_ratio": one_per_post / pooled,
            "load_average_before": load_before, "cpus": os.cpu_count()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--out", help="merge the numbers into this JSON file under \"check_jobs\"")
    args = ap.parse_args()
    result = measure(args.jobs)
    print(json.dumps({"check_jobs": result}, indent=2))
    if args.out:
        try:
            with open(args.out, encoding="utf-8") as fh:
                data = json.load(fh)
        except FileNotFoundError:
            data = {}
        data["check_jobs"] = result
        with open(args.out, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2)
            fh.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
