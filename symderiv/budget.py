"""Time and size bounds for expensive steps.

SymPy's simplification and series code can run for a very long time on unlucky
inputs; every such call goes through ``deadline`` so that a user sees a clear error
instead of a hang.  The timer is SIGALRM-based, so it only arms in the main thread;
elsewhere (a server thread, say) the bound falls back to the caller's own limits.
"""
from __future__ import annotations

import contextlib
import signal
import threading
import time

from .errors import BudgetExceeded

# Whole-request limit and the default for a single optional simplification.
REQUEST_SECONDS = 60.0
STEP_SECONDS = 2.0
MAX_INPUT_CHARS = 20_000
MAX_NODES = 5_000

_stack: list[float] = []   # absolute deadlines, innermost last


class _Expired(Exception):
    pass


def _arm():
    if not _stack:
        signal.setitimer(signal.ITIMER_REAL, 0)
        return
    remaining = min(_stack) - time.monotonic()
    signal.setitimer(signal.ITIMER_REAL, max(remaining, 1e-4))


def _on_alarm(signum, frame):
    raise _Expired()


@contextlib.contextmanager
def deadline(seconds: float, what: str):
    """Run the block with a time bound; raise BudgetExceeded naming ``what`` past it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGALRM)
    signal.signal(signal.SIGALRM, _on_alarm)
    mine = time.monotonic() + seconds
    _stack.append(mine)
    _arm()
    try:
        yield
    except _Expired:
        # Only the innermost expired bound turns into an error here; an outer one
        # that fired while we were inside keeps propagating as itself.
        if min(_stack) >= mine - 1e-9 and time.monotonic() >= mine - 1e-3:
            raise BudgetExceeded(f"{what} took longer than {seconds:g} s; the input is too large to decide here") from None
        raise
    finally:
        _stack.remove(mine)
        _arm()
        if not _stack:
            signal.signal(signal.SIGALRM, previous)


def attempt(fn, *args, seconds: float = STEP_SECONDS, **kwargs):
    """Call an optional step (a prettier form, a factorisation); None if it runs past its
    bound or SymPy declines it (a PolynomialError on a non-polynomial, say): callers
    always have an exact fallback, so an optional step may fail but never decide."""
    try:
        with deadline(seconds, getattr(fn, "__name__", "a step")):
            return fn(*args, **kwargs)
    except BudgetExceeded:
        return None
    except _Expired:
        raise
    except (ArithmeticError, ValueError, TypeError, NotImplementedError, AttributeError,
            RecursionError) as exc:
        if isinstance(exc, (BudgetExceeded,)):
            return None
        return None
    except Exception as exc:   # noqa: BLE001 - SymPy's own error classes (PolynomialError, ...)
        if type(exc).__module__.startswith("sympy"):
            return None
        raise
