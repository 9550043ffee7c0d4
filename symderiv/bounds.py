"""Deterministic work limits (sizes, counts), no clock.

SymPy's simplification, series and solving code can run for a very long time on unlucky
inputs, so every optional or expensive step runs inside a bound.  A bound here is a count
of work fixed before the step starts, never a time: the same input meets or misses it on
a fast machine, a slow one and a loaded one alike, so every answer is the same everywhere.

The measure is the number of Python function calls the thread makes inside the bounded
block.  A trace function (``sys.settrace``) counts them; it is installed only while a
bounded block runs, and as a global trace function that returns None it sees 'call'
events only (no line events).  ``sys.settrace`` is per thread, so a bound works in any
thread (a Jupyter kernel, a web server's worker) and needs no signal.  Nested blocks
share one counter: the work of an inner block is part of the outer one's.

The one wall-clock limit of a request is in ``guard``: a last resort against a hang,
not a bound any answer depends on.
"""
from __future__ import annotations

import sys
import threading

from .errors import BudgetExceeded

# Sizes, checked before the work starts.
MAX_INPUT_CHARS = 20_000
MAX_NODES = 5_000

# The defaults for one optional step (a prettier form, a factorisation, a limit).  A
# million calls is a fraction of a second to a few seconds of SymPy work; the limits at
# the call sites are set with a wide margin over what the heaviest passing cases need.
QUICK_CALLS = 4_500_000
STEP_CALLS = 9_000_000


class _Exhausted(BaseException):
    """Raised inside a bounded block by the counter.  A BaseException so that a library's
    ``except Exception`` does not absorb it and carry on unbounded."""


class _Counter:
    """One thread's count of calls and its stack of open blocks' ends."""

    def __init__(self):
        self.cell = [0, float("inf")]   # [calls so far, the nearest end]: read by the tracer
        self.ends: list[int] = []       # ends of the open blocks, innermost last
        self.previous = None            # a trace function that was there first (a debugger)
        cell = self.cell

        def count(frame, event, arg):
            cell[0] += 1
            if cell[0] > cell[1] and frame.f_code is not _EXIT:
                raise _Exhausted
            return None

        def count_and_chain(frame, event, arg):
            cell[0] += 1
            if cell[0] > cell[1] and frame.f_code is not _EXIT:
                raise _Exhausted
            return self.previous(frame, event, arg)

        self.count, self.count_and_chain = count, count_and_chain

    def install(self):
        sys.settrace(self.count if self.previous is None else self.count_and_chain)


_local = threading.local()


class limited:
    """``with limited(calls, what) as block:`` runs the block with at most ``calls``
    function calls; past them it raises BudgetExceeded naming ``what``.  ``block.calls``
    says how many the block used, once it ends."""

    def __init__(self, calls: int, what: str):
        self.limit, self.what, self.calls = max(int(calls), 0), what, 0

    def __enter__(self):
        previous = sys.gettrace()
        sys.settrace(None)        # our own bookkeeping is not the step's work
        c = getattr(_local, "counter", None)
        if c is None:
            c = _local.counter = _Counter()
        if not c.ends:
            c.previous = previous
        self.counter, self.start = c, c.cell[0]
        self.end = self.start + self.limit
        c.ends.append(self.end)
        c.cell[1] = min(c.ends)
        c.install()
        return self

    def __exit__(self, kind, exc, tb):
        # (the counter lets this method's own call through when the count is past an end:
        # a step that finished is not failed on the way out)
        sys.settrace(None)
        c = self.counter
        self.calls = c.cell[0] - self.start
        c.ends.pop()
        if c.ends:
            c.cell[1] = min(c.ends)
            c.install()          # the tracer unsets itself when it raises: put it back
        else:
            c.cell[1] = float("inf")
            sys.settrace(c.previous)
            c.previous = None
        if _usage is not None:
            _usage(self)
        if kind is _Exhausted and c.cell[0] > self.end:
            raise BudgetExceeded(f"{self.what} needed more than {self.limit:,} steps of work; "
                                 "the input is too large to decide here") from None
        # an outer block's end came first: its own exit decides
        return False


_EXIT = limited.__exit__.__code__


def forget() -> None:
    """Drop this thread's open blocks: the guard stopped the work inside them, maybe in
    the middle of a block's own bookkeeping, and the next request starts afresh."""
    c = getattr(_local, "counter", None)
    if c is not None and c.ends:
        sys.settrace(c.previous)
    _local.counter = None


def charged(maxsize: int = 4096):
    """A cache for a pure function that keeps the count as it would be without it.

    A hit inside a bounded block is charged the calls the first computation made (counted
    then), so whether this cache is warm or cold does not move the point where a bound
    is met: it saves time, not counted work.  (SymPy's own cache still makes a first
    computation in a warm process count fewer calls than in a fresh one.)  A value
    computed outside every block has no count; inside a block it is computed again
    (once) to learn it.  Hits outside every block are free.  The cache is emptied when
    full: that costs time only."""
    def wrap(fn):
        store: dict = {}

        def cached(*args):
            c = getattr(_local, "counter", None)
            tracing = c is not None and bool(c.ends)
            hit = store.get(args)
            if hit is not None and (hit[1] is not None or not tracing):
                if tracing:
                    c.cell[0] += hit[1]
                    if c.cell[0] > c.cell[1]:
                        raise _Exhausted
                return hit[0]
            start = c.cell[0] if tracing else None
            value = fn(*args)
            if len(store) >= maxsize:
                store.clear()
            store[args] = (value, c.cell[0] - start if tracing else None)
            return value
        cached.cache_clear = store.clear
        cached.__wrapped__ = fn
        cached.__name__ = fn.__name__
        cached.__doc__ = fn.__doc__
        return cached
    return wrap


# A calibration hook: a function given each finished Block, or None (the normal case).
_usage = None


def optional_step(fn, *args, calls: int = STEP_CALLS, **kwargs):
    """Call an optional step (a prettier form, a factorisation); None if it needs more
    than ``calls`` calls or SymPy declines it (a PolynomialError on a non-polynomial,
    say): callers always have an exact fallback, so an optional step may fail but never
    decide."""
    try:
        with limited(calls, getattr(fn, "__name__", "a step")):
            return fn(*args, **kwargs)
    except BudgetExceeded:
        return None
    except (ArithmeticError, ValueError, TypeError, NotImplementedError, AttributeError,
            RecursionError):
        return None
    except Exception as exc:   # noqa: BLE001 - SymPy's own error classes (PolynomialError, ...)
        if type(exc).__module__.startswith("sympy"):
            return None
        raise
