"""`symderiv check FILE... --jobs N` and `symderiv.check_many` (issue 16).

The verdicts themselves are checked against the oracles in test_check.py and the replay;
here every batch result is compared with what the single-file command gives for the same
file (its JSON, or its error line and exit code), and the output with N=1 and N=2
workers byte for byte."""
from __future__ import annotations

import contextlib
import io
import json
import os
import pathlib
import subprocess
import sys

import pytest

import symderiv
from symderiv import batch
from symderiv.cli import MAX_CHECK_BYTES, main
from symderiv.errors import InputError, Unsupported
from symderiv.render.check_out import to_dict

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "check_corpus"
# a few posts of the corpus with every verdict between them, kept small so the test is quick
POSTS = ["abs_sign.md", "product_rule.md", "unverified_cases.md", "relu_scalar_differential.md",
         "trace_cyclic.tex", "limits_smooth_square.md"]


def single(argv) -> tuple[int, str, str]:
    """The command run in this process, as tests/replay.py runs it."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def cli(*args, stdin: str | None = None) -> subprocess.CompletedProcess:
    """The command in a process of its own: the pool is real, and standard error is no
    terminal (so no progress bar)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "symderiv", "check", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("posts")
    (tmp / "no_math.md").write_text("A post with no formula at all.\n")
    (tmp / "not_utf8.md").write_bytes(b"$$x = \xff$$\n")
    (tmp / "too_big.md").write_text("$x = x$ " * (MAX_CHECK_BYTES // 8 + 1))
    (tmp / "many.md").write_text("".join(f"$$a_{{{k}}} = a_{{{k}}}$$\n" for k in range(401)))   # past MAX_EQUATIONS
    names = ([str(CORPUS / p) for p in POSTS[:3]] + [str(tmp / "no_math.md"), str(tmp / "missing.md")]
             + [str(CORPUS / p) for p in POSTS[3:]] + [str(tmp / "not_utf8.md"), str(tmp / "too_big.md"),
                                                       str(tmp / "many.md"), str(tmp)])
    return names


@pytest.fixture(scope="module")
def runs(files):
    return {n: cli(*files, "--jobs", str(n)) for n in (1, 2)}


def test_jobs_1_and_2_give_the_same_bytes(runs):
    one, two = runs[1], runs[2]
    assert one.stdout == two.stdout
    assert (one.returncode, two.returncode) == (2, 2)     # some files were bad input
    assert one.stderr == two.stderr == ""                  # no progress bar off a terminal, no traceback


def test_each_line_is_what_the_single_file_command_gives(runs, files):
    lines = [json.loads(s) for s in runs[2].stdout.splitlines()]
    assert len(lines) == len(files) + 1
    assert [d["file"] for d in lines[:-1]] == files            # input order
    for d in lines[:-1]:
        code, out, err = single(["check", d["file"], "--format", "json"])
        assert d["exit_code"] == code, d["file"]
        if code == 0:
            assert d["error"] is None
            expected = json.loads(out)
            assert {k: v for k, v in d.items() if k not in ("file", "error", "exit_code")} == expected
        else:
            assert out == ""
            assert d["steps"] is None and d["first_error"] is None
            assert err == f"error: {d['error']}\n", d["file"]
    codes = {pathlib.Path(d["file"]).name: d["exit_code"] for d in lines[:-1]}
    assert codes["missing.md"] == codes["no_math.md"] == codes["not_utf8.md"] == codes["too_big.md"] == 2
    assert codes["many.md"] == 3
    assert all(codes[p] == 0 for p in POSTS)


def test_the_summary_line_counts_the_lines(runs, files):
    lines = [json.loads(s) for s in runs[1].stdout.splitlines()]
    total, body = lines[-1], lines[:-1]
    verdicts = [s["verdict"] for d in body if d["steps"] for s in d["steps"]]
    assert total == {"summary": True, "files": len(files), "checked": len(POSTS), "failed": len(files) - len(POSTS),
                     "steps": len(verdicts), "verdicts": {v: verdicts.count(v) for v in batch.VERDICTS},
                     "with_first_error": sum(d["first_error"] is not None for d in body)}
    assert set(verdicts) == set(batch.VERDICTS)       # the posts chosen cover every verdict


def test_every_post_of_the_corpus_is_what_it_is_alone():
    """The whole corpus through one warm process: each post as a fresh process checks it
    (the caches emptied between posts keep the counted work, so the bounds, the same)."""
    posts = sorted(CORPUS.iterdir())
    reports = symderiv.check_many(posts, jobs=1)
    for path, report in zip(posts, reports):
        code, out, err = single(["check", str(path), "--format", "json"])
        assert code == 0, err
        assert to_dict(report) == json.loads(out), path.name


def test_all_checked_is_exit_0_and_unsupported_alone_is_3(files):
    ok = cli(str(CORPUS / POSTS[0]), str(CORPUS / POSTS[1]), "--jobs", "2")
    assert ok.returncode == 0, ok.stderr
    assert [json.loads(s)["exit_code"] for s in ok.stdout.splitlines()[:-1]] == [0, 0]
    many = next(f for f in files if f.endswith("many.md"))
    unsupported = cli(str(CORPUS / POSTS[0]), many)
    assert unsupported.returncode == 3
    assert json.loads(unsupported.stdout.splitlines()[1])["error"].startswith(f"{many}: the document has 401 equations")


def test_standard_input_is_one_of_the_files():
    text = (CORPUS / POSTS[0]).read_text()
    r = cli("-", str(CORPUS / POSTS[1]), stdin=text)
    assert r.returncode == 0, r.stderr
    first = json.loads(r.stdout.splitlines()[0])
    assert first["file"] == "-"
    code, out, _ = single(["check", str(CORPUS / POSTS[0]), "--format", "json"])
    assert {k: v for k, v in first.items() if k not in ("file", "error", "exit_code")} == json.loads(out)


@pytest.mark.parametrize("argv, message", [
    (["a.md", "b.md", "--format", "text"], "error: --format text is for one file"),
    (["a.md", "--jobs", "0"], "error: --jobs expects a positive number"),
    (["-", "-", "--jobs", "2"], "error: standard input (-) can be read only once"),
    (["a.md", "b.md", "--timeout", "0"], "error: --timeout expects a positive number"),
])
def test_command_errors_are_one_line(argv, message):
    code, out, err = single(["check", *argv])
    assert code == 2 and out == ""
    assert err.startswith(message) and err.count("\n") == 1, err


def test_one_file_with_jobs_gives_a_json_line():
    code, out, err = single(["check", str(CORPUS / POSTS[0]), "--jobs", "1"])
    assert code == 0, err
    lines = [json.loads(s) for s in out.splitlines()]
    assert len(lines) == 2 and lines[1]["summary"] is True
    _, alone, _ = single(["check", str(CORPUS / POSTS[0]), "--format", "json"])
    assert {k: v for k, v in lines[0].items() if k not in ("file", "error", "exit_code")} == json.loads(alone)


def test_check_many_takes_texts_and_paths_in_order():
    paths = [CORPUS / p for p in POSTS[:3]]
    texts = [p.read_text() for p in paths]
    mixed = [texts[0], paths[1], texts[2]]
    one = symderiv.check_many(mixed, jobs=1)
    two = symderiv.check_many(mixed, jobs=2)
    for path, a, b in zip(paths, one, two):
        expected = to_dict(symderiv.check(path.read_text()))
        assert to_dict(a) == to_dict(b) == expected, path.name


def test_check_many_errors_raise_or_take_their_place(files):
    missing = pathlib.Path(next(f for f in files if f.endswith("missing.md")))
    posts = [CORPUS / POSTS[0], missing, "$$x^2 = (-x)^2$$", "no math"]
    with pytest.raises(InputError, match="missing.md: No such file"):
        symderiv.check_many(posts)
    got = symderiv.check_many(posts, jobs=2, errors="return")
    assert isinstance(got[1], InputError) and isinstance(got[3], InputError)
    assert str(got[3]) == "post 4: no math found: put the derivation between $...$, $$...$$ or \\[...\\]"
    assert to_dict(got[2]) == to_dict(symderiv.check(posts[2]))
    assert to_dict(got[0]) == to_dict(symderiv.check((CORPUS / POSTS[0]).read_text()))
    many = pathlib.Path(next(f for f in files if f.endswith("many.md")))
    assert isinstance(symderiv.check_many([many], errors="return")[0], Unsupported)
    with pytest.raises(InputError, match="expected text"):
        symderiv.check_many([b"bytes"])


def test_the_progress_bar_is_for_a_terminal_only():
    class Tty(io.StringIO):
        def isatty(self):
            return True
    tty, log = Tty(), io.StringIO()
    for stream in (tty, log):
        p = batch.Progress(4, stream)
        for k in range(5):
            p.show(k)
        p.close()
    assert log.getvalue() == ""
    assert "checked 2/4" in tty.getvalue() and "[" + "#" * batch.Progress.WIDTH + "] checked 4/4" in tty.getvalue()
    assert tty.getvalue().endswith("\r\033[K")         # the bar is wiped, leaving the terminal clean


def test_a_worker_that_dies_loses_no_result(monkeypatch):
    """A post that kills its worker process is that post's error line; the others around
    it are checked as usual (the pool's workers are forked, so they see the patch)."""
    import multiprocessing
    if multiprocessing.get_start_method() != "fork":
        monkeypatch.setattr(batch, "ProcessPoolExecutor", _forking_pool())
    real = batch.check_one

    def dying(name, text, timeout, error=None):
        if text == "die":
            os._exit(9)
        return real(name, text, timeout, error)
    monkeypatch.setattr(batch, "check_one", dying)
    items = [batch.Item("a", "$$x^2 = x x$$"), batch.Item("b", "die"), batch.Item("c", "$$|x| = x$$")]
    got = list(batch.results(items, jobs=2))
    assert got[1] == ("error", "the worker process checking this post stopped (killed, or out of memory)", 3)
    for k in (0, 2):
        assert got[k][0] == "ok"
        assert to_dict(got[k][1]) == to_dict(symderiv.check(items[k].text))


def _forking_pool():
    import functools
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    return functools.partial(ProcessPoolExecutor, mp_context=multiprocessing.get_context("fork"))
