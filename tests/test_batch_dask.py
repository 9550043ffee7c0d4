"""The README's recipe past one machine: `symderiv.batch.check_post` mapped over the
corpus of posts with Dask, on a local cluster of two worker processes (issue 16).

The verdicts are checked against the oracles elsewhere (test_check.py, the replay); here
the cluster's answers must be those of the same posts checked in this process.  Dask is
a test extra (pyproject's `test`); without it this test is skipped and says why."""
from __future__ import annotations

import pathlib

import pytest

distributed = pytest.importorskip(
    "dask.distributed", reason="dask[distributed] is not installed (pip install -e '.[test]' brings it)")

import symderiv                                    # noqa: E402 - after the skip
from symderiv.batch import check_post              # noqa: E402
from symderiv.render.check_out import to_dict      # noqa: E402

CORPUS = pathlib.Path(__file__).resolve().parent / "check_corpus"


def test_a_local_dask_cluster_gives_the_in_process_verdicts():
    posts = sorted(CORPUS.iterdir())
    texts = [p.read_text(encoding="utf-8") for p in posts]
    # the recipe as the README gives it: worker processes of one thread each
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        futures = client.map(check_post, texts, [None] * len(texts), [p.name for p in posts], pure=False)
        lines = client.gather(futures)
        workers = {w for who in client.who_has(futures).values() for w in who}
    assert len(workers) == 2                       # both workers took part
    assert [d["file"] for d in lines] == [p.name for p in posts]
    for post, text, d in zip(posts, texts, lines):
        assert d["error"] is None, (post.name, d["error"])
        here = to_dict(symderiv.check(text))
        assert [s["verdict"] for s in d["steps"]] == [s["verdict"] for s in here["steps"]], post.name
        assert {k: v for k, v in d.items() if k not in ("file", "error", "exit_code")} == here, post.name
