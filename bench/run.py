"""Benchmarks: `make bench` writes bench/results.json.

Speed is measured here, not in timed tests.  Each case is run in a fresh process where
"cold" matters (the CLI start-up), and in-process otherwise, median of several runs.
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
sys.path.insert(0, ROOT)

CLI = [sys.executable, "-m", "symderiv"]
BIG = "[" + ",".join("[" + ",".join(str((i * 31 + j * 17) % 7 - 3) for j in range(500)) + "]" for i in range(500)) + "]"


def cold(args, runs=5):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(CLI + args, cwd=ROOT, check=True, capture_output=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def warm(fn, runs=5):
    fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


BIG_FILE = os.path.join(HERE, "point_500x500.json")

# A smooth-and-kinked loss in 30 symbols (X and 29 constants), for the "under 1 s"
THIRTY = " + ".join(
    [r"\operatorname{tr}(A_{%d} X B_{%d})" % (k, k) for k in range(1, 6)]
    + [r"\|A_{%d} X - B_{%d}\|_F^2" % (k, k) for k in range(6, 10)]
    + [r"\operatorname{tr}(X^T D_1 X D_2)"]
    + [r"c_{%d}\operatorname{tr}(X^T C_{%d} X)" % (k, k) for k in range(1, 5)]
    + [r"\lambda\sum_{i,j}|x_{ij}|"])


def first_call(expr):
    """In a fresh interpreter: the first analysis after import (SymPy's caches empty)."""
    code = ("import time; from symderiv import analyze; t = time.perf_counter(); "
            f"analyze({expr!r}, wrt='X'); print(time.perf_counter() - t)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True)
    return float(out.stdout)


# Runs a command in a fresh process and reports its wall time, CPU time and peak memory:
# the wrapper's only child is the command, so RUSAGE_CHILDREN's maxrss is the command's.
_MEASURE = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
            "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); w = time.perf_counter() - t; "
            "r = resource.getrusage(resource.RUSAGE_CHILDREN); "
            "print(w, r.ru_utime + r.ru_stime, r.ru_maxrss)")


def measured(cmd):
    out = subprocess.run([sys.executable, "-c", _MEASURE] + cmd, cwd=ROOT, check=True, capture_output=True, text=True)
    wall, cpu, rss_kb = out.stdout.split()
    return {"wall_seconds": round(float(wall), 3), "cpu_seconds": round(float(cpu), 3),
            "peak_rss_mb": round(int(rss_kb) / 1024, 1)}


def big_point(n: int) -> dict:
    """Issue 16's big point: the seed at an n x n integer .npy point (a seventh of its
    entries exactly on the kink) as `diff --format json`, against bench/numpy_big_point.py
    doing the same job; ratios > 1 mean symderiv is slower or bigger."""
    import tempfile
    import numpy as np
    with tempfile.TemporaryDirectory() as tmp:
        point = os.path.join(tmp, "big.npy")
        i, j = np.indices((n, n))
        np.save(point, ((i * 31 + j * 17) % 7 - 3).astype(np.int64))
        tool = measured(CLI + ["diff", r"\|\max(X,0)\|_F^2", "--wrt", "X", "--at", point, "--format", "json",
                               "-o", os.path.join(tmp, "tool.json")])
        tool["json_mb"] = round(os.path.getsize(os.path.join(tmp, "tool.json")) / 2 ** 20, 1)
        ref = measured([sys.executable, os.path.join(HERE, "numpy_big_point.py"), point, os.path.join(tmp, "np.json")])
        ref["json_mb"] = round(os.path.getsize(os.path.join(tmp, "np.json")) / 2 ** 20, 1)
    return {"size": f"{n}x{n}", "symderiv": tool, "numpy": ref,
            "time_ratio": round(tool["wall_seconds"] / ref["wall_seconds"], 2),
            "cpu_ratio": round(tool["cpu_seconds"] / ref["cpu_seconds"], 2),
            "memory_ratio": round(tool["peak_rss_mb"] / ref["peak_rss_mb"], 2)}


def warm_query(runs: int = 20) -> dict:
    """Issue 14: the seed question asked again in a warm process, through the API and
    through the page's endpoint (`symderiv serve` on loopback), median of ``runs`` each."""
    import threading
    import urllib.request

    from symderiv import analyze, serve
    from symderiv.render import json_out
    seed = r"\|\max(X,0)\|_F^2"

    def api():
        json_out.render(analyze(seed, wrt="X"))
    api()                                  # warm: imports, grammar, caches
    api_times = []
    for _ in range(runs):
        t = time.perf_counter()
        api()
        api_times.append(time.perf_counter() - t)
    server = serve.make_server("127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    body = json.dumps({"expr": seed, "wrt": "X"}).encode()

    def page():
        req = urllib.request.Request(f"http://{host}:{port}/api/diff", data=body,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=600) as r:
            r.read()
    page()
    page_times = []
    for _ in range(runs):
        t = time.perf_counter()
        page()
        page_times.append(time.perf_counter() - t)
    server.shutdown()
    return {"runs": runs, "api_median_seconds": round(statistics.median(api_times), 4),
            "page_median_seconds": round(statistics.median(page_times), 4)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(HERE, "results.json"))
    ap.add_argument("--big-size", type=int, default=2000, help="the big point's side (issue 16: 2000)")
    ap.add_argument("--only", choices=("big_point", "warm_query"), help="run one case and merge it into --out")
    args = ap.parse_args()
    if args.only is not None:
        results = {}
        if os.path.exists(args.out):
            with open(args.out) as fh:
                results = json.load(fh)
        results[args.only] = big_point(args.big_size) if args.only == "big_point" else warm_query()
        with open(args.out, "w") as fh:
            json.dump(results, fh, indent=2)
            fh.write("\n")
        print(json.dumps(results[args.only], indent=2))
        return
    with open(BIG_FILE, "w") as fh:
        fh.write(BIG)
    from symderiv import analyze
    from symderiv.parse import parse
    sys.path.insert(0, HERE)
    import check_jobs                 # bench/check_jobs.py: also run alone, it writes its own entry

    import cold_start                   # bench/cold_start.py (this directory is on sys.path)

    results = {
        "cold_start": cold_start.measure(),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "cold_cli_seconds": {
            "diff seed (text)": cold(["diff", r"\|\max(X,0)\|_F^2", "--wrt", "X"]),
            "diff seed --at (json)": cold(["diff", r"\|\max(X,0)\|_F^2", "--wrt", "X", "--at", "[[1,-2],[0,3]]",
                                           "--format", "json"]),
            "--version": cold(["--version"]),
            "diff sum abs --at a 500x500 file (json)": cold(["diff", r"\sum_{i,j}|x_{ij}|", "--at", BIG_FILE,
                                                            "--format", "json"], runs=3),
            "diff relu of AX squared, 500x500 A and point": cold(["diff", r"\|\sigma(AX)\|_F^2", "--at", BIG_FILE,
                                                                  "--let", "A=" + BIG_FILE, "--route", "sign"], runs=3),
            # the routes' comparison once took 60 s here (exp of large rationals)
            "diff logistic loss over samples (text)": cold(["diff", r"\sum_i \log(1+\exp(-y_i x_i^\top w))",
                                                            "--wrt", "w"]),
            "diff hinge loss over samples --at (json)": cold(["diff", r"\sum_i \max(0, 1 - y_i w^T x_i)", "--wrt", "w",
                                                              "--let", "X=[[1,2],[3,-1],[0,1]]", "--let", "y=[1,-1,1]",
                                                              "--at", "[1,0]", "--format", "json"]),
        },
        "warm_seconds": {
            "parse a typical formula": warm(lambda: parse(r"\left\|\sigma(AX) - Y\right\|_F^2 + \lambda\sum_{i,j}|x_{ij}|")),
            "analyze seed": warm(lambda: analyze(r"\|\max(X,0)\|_F^2", wrt="X")),
            "analyze sum abs at a 50x50 point": warm(lambda: analyze(
                r"\sum_{i,j}|x_{ij}|", at="[" + ",".join("[" + ",".join(str((i * 7 + j) % 5 - 2) for j in range(50)) + "]"
                                                         for i in range(50)) + "]"), runs=3),
        },
        "point_500x500_seconds": {name: warm(lambda e=expr, l=lets: analyze(e, at=BIG, let=l, route="sign"), runs=3)
                                  for name, expr, lets in [
                                      ("seed", r"\|\max(X,0)\|_F^2", []),
                                      ("sum abs (many zeros)", r"\sum_{i,j}|x_{ij}|", []),
                                      ("relu of AX squared", r"\|\sigma(AX)\|_F^2", ["A=" + BIG]),
                                      ("relu minus target", r"\|\sigma(X)-Y\|_F^2", ["Y=" + BIG]),
                                  ]},
        "thirty_symbols_seconds": {
            "cold CLI (process start to output)": cold(["diff", THIRTY, "--wrt", "X"], runs=3),
            "first analysis in a fresh process": statistics.median(first_call(THIRTY) for _ in range(3)),
            "warm analysis": warm(lambda: analyze(THIRTY, wrt="X"), runs=3),
        },
        # the analysis is symbolic in the sizes: fixing them to bigger values must not cost more
        "sizes_seconds": {f"{m}x{n}": warm(lambda m=m, n=n: analyze(r"\|\sigma(AX)\|_F^2 + \sum_{i,j}|x_{ij}|",
                                                                     shape=(m, n), route="sign"), runs=3)
                          for m, n in [(2, 3), (50, 60), (5000, 6000)]},
        # `check --jobs 2` over the corpus of posts against one process per post (issue 16)
        "check_jobs": check_jobs.measure(),
        "big_point": big_point(args.big_size),
        # the seed asked again in a warm process, through the API and through the page (issue 14)
        "warm_query": warm_query(),
    }
    os.remove(BIG_FILE)
    with open(args.out, "w") as fh:
        json.dump(results, fh, indent=2)
        fh.write("\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
