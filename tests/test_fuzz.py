"""Fuzz: 2,080 generated and mutated inputs (tests/fuzz_inputs.py, a fixed seed) through
the parser, the builder and the whole command line, in child processes.

Each chunk asserts: no internal error (an exception that is not the project's own, the
CLI's "please report it", an exit code other than 0/2/3, an InputError that only wraps
a bug), every input inside its deterministic bounds (none reaches the wall-clock guard),
and the child's peak memory under 1 GB.  The
chunks are separate tests so that parallel workers can spread them.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests import fuzz_inputs as F

PEAK_KB = 1024 * 1024            # 1 GB, as ru_maxrss counts on Linux


def _run_chunk(chunk: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(F.ROOT), "PYTHONHASHSEED": "0"}
    done = subprocess.run([sys.executable, "-m", "tests.fuzz_inputs", str(chunk), "1"], cwd=F.ROOT, env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


@pytest.mark.parametrize("chunk", range(F.CHUNKS))
def test_fuzz_chunk_has_no_internal_error(chunk):
    report = _run_chunk(chunk)
    assert report["inputs"] == F.PER_CHUNK
    assert report["internal"] == [], json.dumps(report["internal"], indent=1)[:4000]
    assert report["max_rss_kb"] < PEAK_KB, report["max_rss_kb"]
    # every input ends inside its deterministic bounds: none reached the wall-clock guard
    # (the CPU time of the slowest input is reported, not asserted: no test depends on speed)
    assert report["guard_fired"] == [], report["guard_fired"]
    # the chunk reached every outcome: answers, input errors and refusals
    assert {"0", "2", "3"} <= set(report["exit_codes"]), report["exit_codes"]
    assert report["full_runs"] >= F.PER_CHUNK // 3


def test_the_fuzz_is_at_least_2000_inputs_and_the_same_every_run():
    assert F.CHUNKS * F.PER_CHUNK >= 2000
    assert F.inputs(3) == F.inputs(3)
    assert len(F.seeds()) >= 100           # the README's and the tests' formulas
    texts = [t for c in range(F.CHUNKS) for t, _ in F.inputs(c)]
    assert len(set(texts)) > 1500


def test_the_fuzz_would_see_an_internal_error(monkeypatch):
    """The detectors are live: a builder that raises a TypeError, and the CLI's report
    line, are both counted as internal errors."""
    import symderiv.build

    def broken(*args, **kwargs):
        raise TypeError("boom")
    monkeypatch.setattr(symderiv.build, "build", broken)
    why, fate = F._cheap("x^2")
    assert fate == "crashed" and "TypeError" in why
    assert F._internal(3, "error: could not analyse this input (internal KeyError: 1); please report it")
    assert F._internal(1, "")
    assert not F._internal(2, "error: unexpected '+' at column 2")
