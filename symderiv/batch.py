"""Many posts at once: ``symderiv check FILE... --jobs N`` and ``symderiv.check_many``.

Each post is checked as ``symderiv check FILE`` checks it alone (the same reading, size
limits, work bounds and wall-clock guard, the same error messages), by a pool of worker
processes that import the engine once and then check post after post.  The results come
back in input order whatever the number of workers, so the output is the same bytes for
``--jobs 1`` and ``--jobs 8``.

Why every post starts from empty caches: the work bounds count Python function calls
(``bounds``), and a warm SymPy cache makes the same computation count fewer calls.  A
post checked after another in the same worker would then meet a bound a little later
than it does alone, and which posts share a worker depends on N.  Emptying the caches
before each post (what the guard does after it stops a request) keeps each post's count
to that of a fresh process; the imports and the grammar, the costly part of a cold
start, stay warm.

JSON lines (``symderiv check A B ...``): one object per file, in input order,

    {"file": NAME, "steps": [...], "first_error": ..., "variable": ..., "error": null, "exit_code": 0}

where ``steps``, ``first_error`` and ``variable`` are those of ``check FILE --format
json``; a file that could not be checked (unreadable, too big, no math, past a bound)
has ``"steps": null, "first_error": null, "variable": null``, ``error`` the message the
single-file command prints (without its ``error:`` prefix) and ``exit_code`` that
command's exit code (2 bad input, 3 outside what the checker can do).  The last line is
the summary: ``{"summary": true, "files": ..., "checked": ..., "failed": ...,
"steps": ..., "verdicts": {...}, "with_first_error": ...}``.
"""
from __future__ import annotations

import collections
import json
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

# How many posts may be handed to the pool ahead of the one printed next: enough to keep
# every worker busy behind a slow post, few enough that a corpus of thousands is not all
# held in memory at once.
AHEAD_PER_WORKER = 8

VERDICTS = ("definition", "valid", "valid-where", "invalid", "unverified")


class Item:
    """One post to check: a file name (``-`` for standard input, read by the caller) or a
    text given directly (``name`` is then what the output calls it)."""

    __slots__ = ("name", "text", "error")

    def __init__(self, name: str, text: str | None = None, error: tuple | None = None):
        # error: ("error", message, exit code) when the caller already failed to read it
        self.name, self.text, self.error = name, text, error


def default_jobs(count: int) -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, count))


# ---- one post, in whichever process checks it ---------------------------------------------

def _warm() -> None:
    """A worker's start: the engine imported once, for every post it checks."""
    from . import checker, guard                      # noqa: F401 - the import is the point
    from .render import check_out                     # noqa: F401 - likewise
    from .parse import parse                          # the grammar's tables, built once per process
    parse("x")


def _warm_worker() -> None:
    import signal
    # Ctrl-C is the parent's to handle (it stops the pool): a worker ignores it rather
    # than print a traceback of its own
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _warm()


def _fresh() -> None:
    """Empty caches and bounds before a post (the module docstring says why)."""
    from . import guard
    guard._recover()          # (the same reset the guard makes after stopping a request)


def check_one(name: str, text: str | None, timeout: float | None, error: tuple | None = None):
    """("ok", report) or ("error", message, exit code) for one post; never raises
    for a post's own failure (a KeyboardInterrupt still stops the run)."""
    # (the single-file command's reading and error lines, so that a line says what it says)
    from .cli import check_report, failure       # lazy: cli loads this module only for many files
    if error is not None:
        return error
    _fresh()
    try:
        return ("ok", check_report(name, text, timeout))
    except Exception as exc:   # noqa: BLE001 - every failure is a line, as main() makes it one
        message, code = failure(exc)
        return ("error", message[len("error: "):] if message.startswith("error: ") else message, code)


def _check_in_worker(name, text, timeout, error):
    result = check_one(name, text, timeout, error)
    if result[0] == "ok":
        try:          # a report is sent back pickled: one that cannot be is this post's error
            import pickle
            pickle.dumps(result[1])
        except Exception as exc:   # noqa: BLE001
            return ("error", f"could not analyse this input (internal {type(exc).__name__}: {exc}); "
                             "please report it", 3)
    return result


# ---- many posts -----------------------------------------------------------------------------

def results(items, jobs: int = 1, timeout: float | None = None):
    """The results of ``check_one`` for ``items`` (Item), yielded in input order.

    ``jobs == 1`` checks in this process; more starts a pool of that many workers.  A
    worker that dies (killed, out of memory) loses no result: the posts it left
    unfinished are checked again, each in a pool of its own, and one that kills its worker
    again is reported as that post's error."""
    items = list(items)
    if jobs <= 1 or len(items) == 0:
        for item in items:
            yield check_one(item.name, item.text, timeout, item.error)
        return
    yield from _pooled(items, jobs, timeout)


def _pooled(items, jobs, timeout):
    pending = collections.deque()          # (index, future), in input order
    queue = iter(enumerate(items))
    broken = False
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_warm_worker)
    try:
        def submit_more():
            while len(pending) < jobs * AHEAD_PER_WORKER:
                nxt = next(queue, None)
                if nxt is None:
                    return
                k, item = nxt
                try:
                    pending.append((k, pool.submit(_check_in_worker, item.name, item.text, timeout, item.error)))
                except BrokenProcessPool:      # (the item is checked alone, below)
                    pending.append((k, None))
                    raise
        try:
            submit_more()
        except BrokenProcessPool:
            broken = True
        while pending:
            k, future = pending.popleft()
            try:
                if future is None:
                    raise BrokenProcessPool
                result = future.result()
            except BrokenProcessPool:
                broken = True
                result = _alone(items[k], timeout)
            yield result
            if not broken:
                try:
                    submit_more()
                except BrokenProcessPool:
                    broken = True
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    for _, item in queue:          # left when the pool broke: each checked alone
        yield _alone(item, timeout)


def _alone(item, timeout):
    """One post in a pool of its own, after a worker died with it (or beside it)."""
    with ProcessPoolExecutor(max_workers=1, initializer=_warm_worker) as pool:
        try:
            return pool.submit(_check_in_worker, item.name, item.text, timeout, item.error).result()
        except BrokenProcessPool:
            return ("error", "the worker process checking this post stopped (killed, or out of memory)", 3)


# ---- the command's JSON lines ----------------------------------------------------------------

def line(name: str, result) -> dict:
    if result[0] == "ok":
        from .render.check_out import to_dict      # lazy: only the batch needs it here
        return {"file": name, **to_dict(result[1]), "error": None, "exit_code": 0}
    return {"file": name, "steps": None, "first_error": None, "variable": None, "error": result[1],
            "exit_code": result[2]}


def summary(lines) -> dict:
    verdicts = dict.fromkeys(VERDICTS, 0)
    checked = [d for d in lines if d["error"] is None]
    for d in checked:
        for s in d["steps"]:
            verdicts[s["verdict"]] = verdicts.get(s["verdict"], 0) + 1
    return {"summary": True, "files": len(lines), "checked": len(checked), "failed": len(lines) - len(checked),
            "steps": sum(verdicts.values()), "verdicts": verdicts,
            "with_first_error": sum(d["first_error"] is not None for d in checked)}


def exit_code(lines) -> int:
    """0 when every file was checked (invalid steps are answers), else 2 when some file
    was bad input, else 3 (some file is outside what the checker can do)."""
    codes = {d["exit_code"] for d in lines}
    return 0 if codes <= {0} else 2 if 2 in codes else 3


class Progress:
    """``checked 12/40`` redrawn in place on a terminal's standard error, and nothing
    elsewhere (a log or a pipe gets only the results)."""

    WIDTH = 30

    def __init__(self, total: int, stream=None):
        self.total, self.stream = total, stream if stream is not None else sys.stderr
        isatty = getattr(self.stream, "isatty", None)
        self.on = bool(isatty and isatty())

    def show(self, done: int):
        if self.on:
            filled = self.WIDTH * done // max(self.total, 1)
            self.stream.write(f"\r[{'#' * filled}{'.' * (self.WIDTH - filled)}] checked {done}/{self.total}")
            self.stream.flush()

    def close(self):
        """Wipe the bar (also before a result line: on a terminal that shows both streams,
        the line then starts at the left margin)."""
        if self.on:
            self.stream.write("\r\033[K")
            self.stream.flush()


def run_lines(items, jobs: int, timeout: float | None, out) -> int:
    """The command: JSON lines to ``out``, flushed one by one; returns the exit code."""
    progress = Progress(len(items))
    lines = []
    progress.show(0)
    try:
        for item, result in zip(items, results(items, jobs, timeout)):
            d = line(item.name, result)
            lines.append(d)
            progress.close()
            _put(out, d)
            progress.show(len(lines))
    finally:
        progress.close()
    _put(out, summary(lines))
    return exit_code(lines)


def _put(out, d: dict) -> None:
    try:
        out.write(json.dumps(d, ensure_ascii=False) + "\n")
    except UnicodeEncodeError:    # a stream whose encoding has no ∇: the same JSON, escaped
        out.write(json.dumps(d) + "\n")
    out.flush()


# ---- the Python API --------------------------------------------------------------------------

def check_post(post, timeout: float | None = None, name: str | None = None) -> dict:
    """One post's line of ``symderiv check FILE...`` as a dict (plain JSON data, cheap to
    send between machines): the function to map over a corpus with a distributed engine
    (the README's Dask recipe).  ``post``: a ``str`` (its text; ``name`` names it,
    default "post") or an ``os.PathLike`` (a file, read as the command reads it).  Like
    each post of the command, it starts from empty caches, so a worker that checks many
    posts answers each as a fresh process would."""
    if isinstance(post, os.PathLike):
        name = os.fspath(post) if name is None else name
        return line(name, check_one(os.fspath(post), None, timeout))
    if not isinstance(post, str):
        raise TypeError(f"expected text (str) or a path (os.PathLike), got {type(post).__name__}")
    name = "post" if name is None else name
    return line(name, check_one(name, post, timeout))


def check_many(posts, jobs: int | None = 1, timeout: float | None = None, errors: str = "raise") -> list:
    """The reports of ``symderiv.check`` for many posts, in their order.

    ``posts``: each a ``str`` (the text of a post) or an ``os.PathLike`` such as
    ``pathlib.Path`` (a file, read as ``symderiv check FILE`` reads it; wrap names from
    ``glob`` in ``Path``).  ``jobs``: worker processes (1: in this process; None: one per
    core).  ``errors="raise"`` raises the first post's error (an InputError or
    Unsupported, in input order) once all are checked; ``errors="return"`` puts the error
    in that post's place in the list instead."""
    from .errors import InputError, Unsupported
    if errors not in ("raise", "return"):
        raise ValueError("errors must be 'raise' or 'return'")
    items = []
    for k, p in enumerate(posts):
        if isinstance(p, os.PathLike):
            items.append(Item(os.fspath(p)))
        elif isinstance(p, str):
            items.append(Item(f"post {k + 1}", p))
        else:
            raise InputError(f"post {k + 1}: expected text (str) or a path (os.PathLike), got {type(p).__name__}")
    jobs = default_jobs(len(items)) if jobs is None else int(jobs)
    out = []
    for result in results(items, jobs, timeout):
        if result[0] == "ok":
            out.append(result[1])
        else:
            out.append((InputError if result[2] == 2 else Unsupported)(result[1]))
    if errors == "raise":
        first = next((r for r in out if isinstance(r, Exception)), None)
        if first is not None:
            raise first
    return out
