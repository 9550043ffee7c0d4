"""Deterministic bounds: no output depends on the clock, the bounds work off the main
thread, a step past its count falls back the same way every time, and the one
wall-clock guard stops a runaway request with exit 3 naming --timeout."""
from __future__ import annotations

import json
import os
import pathlib
import re
import subprocess
import sys
import threading
import time

import pytest
import sympy as sp

import symderiv
from symderiv import analyze, bounds, guard
from symderiv.signform import read_back
from symderiv.checker import check
from symderiv.errors import BudgetExceeded
from symderiv.render import check_out, json_out, text
from symderiv.scalar import Sw

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "symderiv"
CORPUS = ROOT / "tests" / "check_corpus"

# The heaviest cases of the suite (the analyses the issue names and a ReLU network's
# derivation) and the seeds: what a bound would cut first.
ANALYSES = [
    (r"\|\max(X,0)\|_F^2", dict(wrt="X")),
    (r"\|\max(X,0)\|_F^2", dict(wrt="X", at="[[1,-2],[0,3]]")),
    (r"\sum_{i,j}\sin 2x_{ij} + \pi\|X\|_F^2", dict(wrt="X")),
    (r"\sum_{i=1}^n \log(1+\exp(-y_i x_i^\top w))", dict(wrt="w", let=["X=[[1,2],[3,-1],[0,1]]", "y=[1,-1,1]"])),
]
POSTS = ["seed_answer.md", "two_layer_relu.md"]


def _outputs() -> list[str]:
    out = []
    for expr, kw in ANALYSES:
        a = analyze(expr, **kw)
        out += [text.render(a), json_out.render(a)]
    for name in POSTS:
        r = check((CORPUS / name).read_text(encoding="utf-8"))
        out += [check_out.render_text(r), check_out.render_json(r)]
    return out


def test_no_output_depends_on_the_clock(monkeypatch):
    """The same analyses and checks, once as they are and once under a clock that runs
    100 times fast: byte-identical output.  (A time bound would have cut steps short.)"""
    plain = _outputs()
    start = {name: getattr(time, name)() for name in ("monotonic", "perf_counter", "time")}
    real = {name: getattr(time, name) for name in start}
    for name in start:
        monkeypatch.setattr(time, name, lambda name=name: start[name] + 100 * (real[name]() - start[name]))
    fast = _outputs()
    assert time.monotonic() - start["monotonic"] > 1.0     # the clock did run fast
    assert fast == plain


# (signal.signal(SIGINT, ...) in a worker reads no clock; alarms and interval timers do)
CLOCK = re.compile(r"\b(import time|from time|time\.(monotonic|perf_counter|time|process_time|thread_time)|"
                   r"datetime|signal\.(alarm|setitimer|getitimer)|setitimer|SIGALRM)\b")


def test_only_the_guard_reads_the_clock():
    readers = sorted(str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
                     if p.name != "guard.py" and CLOCK.search(p.read_text(encoding="utf-8")))
    assert readers == [], readers
    assert CLOCK.search("import time") and CLOCK.search("x = time.monotonic()")     # the pattern works
    # the guard waits on a timer thread; it never reads the time itself either
    assert "threading.Timer" in (PACKAGE / "guard.py").read_text(encoding="utf-8")


def _in_a_thread(fn):
    box = {}

    def run():
        try:
            box["value"] = fn()
        except BaseException as exc:   # noqa: BLE001 - handed back to the test
            box["error"] = exc
    t = threading.Thread(target=run)
    t.start()
    t.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


def test_the_bounds_work_in_a_worker_thread_and_give_the_same_output():
    expr, kw = ANALYSES[2]
    main_out = text.render(analyze(expr, **kw))
    post = (CORPUS / "seed_answer.md").read_text(encoding="utf-8")
    main_check = check_out.render_json(check(post))
    assert _in_a_thread(lambda: text.render(analyze(expr, **kw))) == main_out
    assert _in_a_thread(lambda: check_out.render_json(check(post))) == main_check

    # a bound counts in the thread it runs in, the same as in the main thread
    def work():
        with bounds.limited(10 ** 9, "counting") as block:
            _fib(18)
        return block.calls
    assert _in_a_thread(work) == work() > 1000
    assert _in_a_thread(lambda: bounds.optional_step(_fib, 18, calls=1000)) is None
    assert _in_a_thread(lambda: bounds.optional_step(_fib, 10, calls=1000)) == 89
    assert sys.gettrace() is None      # nothing left installed


def _fib(n):
    return 1 if n < 2 else _fib(n - 1) + _fib(n - 2)


def test_a_step_past_its_count_falls_back_the_same_way_every_time():
    with bounds.limited(10 ** 9, "counting") as block:
        _fib(15)
    # _fib(15) makes 2 * 987 - 1 calls; the block's own exit is one more
    assert block.calls == 1973 + 1
    # a limit one short of what the step needs: the fallback, every time; enough: the value
    assert [bounds.optional_step(_fib, 15, calls=1972) for _ in range(5)] == [None] * 5
    assert [bounds.optional_step(_fib, 15, calls=1973) for _ in range(5)] == [987] * 5
    # a bound past its count raises, naming what it bounded
    with pytest.raises(BudgetExceeded, match="counting needed more than 100 steps"):
        with bounds.limited(100, "counting"):
            _fib(15)
    # an outer bound that runs out inside an inner one is the outer's failure
    with pytest.raises(BudgetExceeded, match="outer"):
        with bounds.limited(200, "outer"):
            bounds.optional_step(_fib, 15, calls=10 ** 6)
    assert sys.gettrace() is None


def test_a_charged_cache_meets_a_bound_where_the_computation_would():
    """A cached value is charged the calls its computation made: with the cache warm or
    cold, a step fails and succeeds at the same limit (only the time differs)."""
    @bounds.charged()
    def fib(n):
        return _fib(n)
    with bounds.limited(10 ** 9, "counting") as cold:
        fib(15)
    with bounds.limited(10 ** 9, "counting") as warm:
        fib(15)
    assert warm.calls == cold.calls > 1973
    for limit in range(cold.calls - 4, cold.calls + 2):
        fib.cache_clear()
        first = bounds.optional_step(fib, 15, calls=limit)
        bounds.optional_step(fib, 15, calls=10 ** 9)                 # now cached with its count
        assert bounds.optional_step(fib, 15, calls=limit) == first
    assert bounds.optional_step(fib, 15, calls=cold.calls - 4) is None
    assert bounds.optional_step(fib, 15, calls=cold.calls) == 987
    # a value computed outside every bound has no count: inside one it is counted afresh
    fib.cache_clear()
    assert fib(15) == 987
    with bounds.limited(10 ** 9, "counting") as again:
        fib(15)
    assert again.calls == cold.calls
    assert sys.gettrace() is None


def test_an_optional_step_past_its_count_gives_the_exact_fallback(monkeypatch):
    x = sp.Symbol("x", real=True)
    form = sp.expand((1 + Sw(x)) * x)
    full = read_back.prettify(form)
    assert str(full) == "2*max(x, 0)"
    monkeypatch.setattr(read_back, "PRETTY_CALLS", 10)
    read_back._prettify.cache_clear()
    cut = [read_back.prettify(form) for _ in range(3)]
    assert cut == [read_back.tidy(form)] * 3
    assert cut[0] != full
    assert all(cut[0].subs(x, v) == full.subs(x, v) for v in (-2, sp.Rational(-1, 3), 0, sp.Rational(5, 7), 3))
    monkeypatch.undo()
    assert read_back.prettify(form) == full


CUT_CHECK = """
import sys
import symderiv.checker as C
from symderiv.render import check_out
C.STEP_CALLS, C.MIN_STEP_CALLS = 20_000, 1
sys.stdout.write(check_out.render_json(C.check(open(sys.argv[1], encoding="utf-8").read())))
"""


def test_a_check_step_past_its_count_is_unverified_with_the_reason():
    """Steps cut by a small count, in two fresh processes (different hash seeds): the same
    steps are cut, with the same reason, byte for byte.  (In one process SymPy's caches
    make repeated work cheaper, so it is fresh processes that must agree.)"""
    outs = [subprocess.run([sys.executable, "-c", CUT_CHECK, str(CORPUS / "seed_answer.md")], capture_output=True,
                           text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": seed},
                           timeout=300).stdout for seed in ("0", "1")]
    assert outs[0] == outs[1]
    steps = json.loads(outs[0])["steps"]
    cut = [s for s in steps if "needed more than 20,000 steps of work" in s["reason"]]
    assert cut and all(s["verdict"] == "unverified" for s in cut)
    assert {s["verdict"] for s in steps} <= {"unverified", "definition"}


def test_the_guard_fires_in_a_worker_thread_and_leaves_nothing_behind():
    expr, kw = ANALYSES[2]
    with pytest.raises(guard.GuardExpired, match="--timeout"):
        _in_a_thread(lambda: analyze(expr, timeout=0.01, **kw))
    # the guard's exception is spent: later work in this thread is not interrupted
    assert _in_a_thread(lambda: sum(_fib(12) for _ in range(200))) == 200 * 233
    with pytest.raises(guard.GuardExpired):
        check((CORPUS / "two_layer_relu.md").read_text(encoding="utf-8"), timeout=0.01)
    assert sum(_fib(12) for _ in range(200)) == 200 * 233
    # ... and the next request in the same thread runs as it would have
    assert bounds.optional_step(_fib, 15, calls=1973) == 987
    assert text.render(analyze(*ANALYSES[0][:1], **ANALYSES[0][1])) == text.render(analyze(ANALYSES[0][0], wrt="X"))
    with pytest.raises(symderiv.errors.InputError, match="--timeout"):
        analyze("x", timeout=0)


@pytest.mark.parametrize("args", [
    ["diff", r"\sum_{i,j}\sin 2x_{ij} + \pi\|X\|_F^2", "--timeout", "0.05"],
    ["derive", r"\sum_{i,j}\sin 2x_{ij} + \pi\|X\|_F^2", "--timeout", "0.05"],
    ["check", str(CORPUS / "two_layer_relu.md"), "--timeout", "0.2"],
], ids=["diff", "derive", "check"])
def test_the_guard_exits_3_naming_timeout(args):
    run = subprocess.run([sys.executable, "-m", "symderiv", *args], capture_output=True, text=True,
                         cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    assert run.returncode == 3, run
    assert run.stdout == ""
    assert run.stderr.startswith("error: ") and "wall-clock guard" in run.stderr and "--timeout SECONDS" in run.stderr
    assert "Traceback" not in run.stderr and run.stderr.count("\n") == 1


def test_a_bad_timeout_is_a_usage_error():
    from symderiv.cli import main
    assert main(["diff", "x", "--timeout", "soon"]) == 2
    assert main(["diff", "x", "--timeout", "-1"]) == 2


@pytest.mark.parametrize("args", [
    ["diff", r"\|\max(X,0)\|_F^2", "--wrt", "X", "--format", "json"],
    ["check", str(CORPUS / "seed_answer.md"), "--format", "json"],
], ids=["diff", "check"])
def test_the_output_is_the_same_under_every_hash_seed(args):
    outs = {subprocess.run([sys.executable, "-m", "symderiv", *args], capture_output=True, text=True, cwd=ROOT,
                           env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": seed},
                           timeout=300).stdout
            for seed in ("0", "1", "2")}
    assert len(outs) == 1 and outs != {""}
