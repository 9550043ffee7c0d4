"""A module imported on first use: ``np = LazyModule("numpy")`` at the top of a module
costs nothing until some line uses ``np.<name>``.

NumPy takes about 0.07 s of CPU to import, a tenth of a cold `symderiv diff`, and a
question without a point (`diff` of a formula, `derive`) never uses it.  Each name is looked up in the real
module once and then kept on the stand-in, so later uses cost what a module attribute does.
Only attribute access is supported: the stand-in is not the module (no ``isinstance``
of it, no passing it where a module is expected).
"""
from __future__ import annotations

import contextlib
import contextvars
import importlib
import sys
import threading

# Set inside ``numpy_errors_ignored`` when NumPy was not loaded on entry: a list that
# receives NumPy's previous error state if NumPy is loaded inside the block.
_QUIET: contextvars.ContextVar = contextvars.ContextVar("symderiv_numpy_quiet", default=None)


# thread id -> how many imports that thread has under way here.  The wall-clock guard
# (guard.py) holds its shot while the count is above 0: an exception that lands inside a
# C extension's import leaves it half loaded, and NumPy cannot be imported again in the
# same process ("cannot load module more than once per process").
IMPORTING: dict = {}


class LazyModule:
    def __init__(self, name: str):
        self._lazy_name = name

    def __getattr__(self, attr: str):
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)      # copy, pickle and friends probe these; the module is not needed
        module = _import_whole(self._lazy_name)
        pending = _QUIET.get()
        if self._lazy_name == "numpy" and pending is not None and not pending:
            pending.append(module.seterr(all="ignore"))
        value = getattr(module, attr)
        setattr(self, attr, value)
        return value

    def __repr__(self) -> str:
        return f"<lazy module {self._lazy_name!r}>"


def _import_whole(name: str):
    me = threading.get_ident()
    IMPORTING[me] = IMPORTING.get(me, 0) + 1
    try:
        return importlib.import_module(name)
    finally:
        IMPORTING[me] -= 1


@contextlib.contextmanager
def numpy_errors_ignored():
    """``np.errstate(all="ignore")`` for the block, without importing NumPy for it: if NumPy
    is first loaded inside the block, through a LazyModule, its error state is set to
    "ignore" then and put back when the block ends."""
    if "numpy" in sys.modules:
        with sys.modules["numpy"].errstate(all="ignore"):
            yield
        return
    pending: list = []
    token = _QUIET.set(pending)
    try:
        yield
    finally:
        _QUIET.reset(token)
        if pending:
            outer = _QUIET.get()
            if outer is not None and not outer:
                outer.append(pending[0])    # an enclosing block still wants "ignore": it restores
            else:
                sys.modules["numpy"].seterr(**pending[0])
