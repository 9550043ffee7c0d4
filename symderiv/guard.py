"""The one wall-clock limit: a last resort against a hang, not a bound answers depend on.

Every expensive step is bounded by a count of work (``bounds``), so the same input gives
the same output on any machine.  This guard is only behind them: if a whole request
still runs past ``seconds`` (a case no count foresaw), it stops with an error that names
the guard and the option that sets it, never with a changed answer.  It is the only
module that reads the clock.

A watchdog thread raises ``Expired`` in the thread doing the work (through
``PyThreadState_SetAsyncExc``), so it works off the main thread and without SIGALRM.
The exception lands between two bytecodes; a single long C call is not interrupted,
which the size limits checked before the work are for.  Nor is a lazy import of a C
extension (lazy_import.IMPORTING): NumPy half loaded cannot be loaded again in the same
process, so the shot waits until the import is done.
"""
from __future__ import annotations

import ctypes
import sys
import threading

from sympy.core.cache import clear_cache

from . import bounds
from .errors import InputError, Unsupported
from .lazy_import import IMPORTING

REQUEST_SECONDS = 300.0


class Expired(BaseException):
    """Raised in the working thread by the watchdog.  A BaseException, so that no
    ``except Exception`` on the way (a step's own failure handler) absorbs it."""


class GuardExpired(Unsupported):
    """The request ran past the wall-clock guard (exit 3)."""


def _raise_in(thread_id: int, exc) -> None:
    set_async = getattr(getattr(ctypes, "pythonapi", None), "PyThreadState_SetAsyncExc", None)
    if set_async is not None:   # (CPython; elsewhere there is no guard)
        set_async(ctypes.c_ulong(thread_id), ctypes.py_object(exc))


class _Watchdog:
    """Fires ``Expired`` into the working thread, and again every ``REFIRE_SECONDS`` until
    the work stops: an exception that lands inside a weakref callback or a ``__del__``
    (a garbage collection can run one at any bytecode) is printed and dropped by
    CPython, so a single shot can be lost."""

    REFIRE_SECONDS = 0.05

    def __init__(self, seconds: float):
        self.thread_id = threading.get_ident()
        self.done = False
        self.fired = False
        self.lock = threading.Lock()      # no exception is set once stop() has begun
        self.timer = self._timer(seconds)

    def _timer(self, seconds):
        timer = threading.Timer(seconds, self._fire)
        timer.daemon = True
        return timer

    def _fire(self):
        with self.lock:
            if self.done:
                return
            if not IMPORTING.get(self.thread_id):
                # (an import under way is let finish: see lazy_import.IMPORTING)
                self.fired = True
                _raise_in(self.thread_id, Expired)
            self.timer = self._timer(self.REFIRE_SECONDS)
            self.timer.start()

    def stop(self):
        with self.lock:
            self.done = True
            timer = self.timer
        timer.cancel()               # (a timer not yet running never fires after this)
        if timer is not threading.current_thread():
            try:
                timer.join()
            except RuntimeError:     # the exception landed while the timer was starting
                pass
        if self.fired:
            # An exception set but not yet delivered is delivered here, where run() catches
            # it.  (Clearing it instead, with a NULL exception, leaves CPython 3.11 checking
            # for it at every instruction from then on: everything after crawls.)
            for _ in range(1000):
                pass


def run(fn, seconds: float | None, what: str):
    """``fn()``, stopped with GuardExpired past ``seconds`` of wall-clock time (None: the
    default REQUEST_SECONDS; infinity: no guard)."""
    seconds = REQUEST_SECONDS if seconds is None else valid(seconds)
    if seconds == float("inf"):
        return fn()
    dog = _Watchdog(seconds)
    try:
        try:
            # started inside the try: on a busy machine the timer can fire before start() returns
            dog.timer.start()
            return fn()
        finally:
            dog.stop()
    except Expired:
        _stop_surely(dog)   # (a later shot may have landed inside the first stop)
        _recover()
        raise GuardExpired(f"{what} ran past the {seconds:g} s wall-clock guard (the last-resort limit "
                           "against a hang); give it more time with --timeout SECONDS") from None


def _stop_surely(dog: _Watchdog) -> None:
    while True:
        try:
            dog.stop()
            return
        except Expired:
            continue


def _recover() -> None:
    """The exception landed between two bytecodes of whatever was running, maybe inside a
    cache's own bookkeeping.  Caches are only speed: they are emptied, and the bounds
    start afresh, so the next request in this process is not the worse for it."""
    bounds.forget()
    clear_cache()
    for name, module in list(sys.modules.items()):
        if name == "symderiv" or name.startswith("symderiv."):
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()


def valid(seconds) -> float:
    """A --timeout value or a ``timeout=`` argument: a positive number of seconds."""
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not seconds > 0:
        raise InputError(f"--timeout expects a positive number of seconds, got {seconds!r}")
    return float(seconds)
