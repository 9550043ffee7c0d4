"""A numeric oracle for the checker's verdicts on one step, knowing nothing of symderiv.

A step is given as two NumPy functions of a dict of named values (scalars as floats,
matrices as arrays) and, for a 'valid where', the condition as a predicate.  The oracle
samples random points (and points with exact zeros) to confirm 'valid', confirms that a
'valid where' holds where its condition does, and re-evaluates a counterexample the
checker shows: the two sides must differ there, and take the values it reports."""
from __future__ import annotations

import numpy as np
import sympy as sp

from symderiv import check


def steps(post: str) -> list:
    return check(post).steps


def number(v):
    if isinstance(v, np.ndarray):
        return np.asarray(v, dtype=object).astype(float)
    if isinstance(v, sp.Basic):
        return float(sp.N(v))
    return float(v)


def random_values(shapes: dict, rng, zeros=False) -> dict:
    out = {}
    for name, shape in shapes.items():
        a = rng.uniform(-3, 3, shape)
        if zeros:
            a[rng.random(shape) < 0.5] = 0
        out[name] = a if shape != () else float(a)
    return out


def close(a, b, tol=1e-7) -> bool:
    with np.errstate(all="ignore"):
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        return bool(a.shape == b.shape or a.size == 1 or b.size == 1) and bool(
            np.all(np.isfinite(a)) and np.all(np.isfinite(b)) and np.allclose(a, b, atol=tol, rtol=tol))


def holds_at_random(lhs, rhs, shapes, rng, cond=None, count=12, zeros=True):
    """lhs = rhs at random points where cond holds (a third of them with exact zeros)."""
    met = 0
    for k in range(count * 4):
        v = random_values(shapes, rng, zeros=zeros and k % 3 == 0)
        if cond is not None and not cond(v):
            continue
        met += 1
        assert close(lhs(v), rhs(v)), f"the oracle finds lhs {lhs(v)} != rhs {rhs(v)} at {v}"
        if met >= count:
            return
    assert met >= count // 2, "too few points meet the condition"


def fails_somewhere(lhs, rhs, shapes, rng, cond=None, count=60) -> dict:
    for _ in range(count):
        v = random_values(shapes, rng)
        if cond is not None and not cond(v):
            continue
        if not close(lhs(v), rhs(v)):
            return v
    raise AssertionError("the oracle finds no point where the two sides differ")


def counterexample_is_real(step, lhs, rhs, cond=None):
    """The checker's counterexample: numbers NumPy reproduces, sides that differ there."""
    c = step.counterexample
    assert c is not None, step.reason
    v = {k: number(x) for k, x in c.values.items()}
    if cond is not None:
        assert cond(v), f"the counterexample {v} does not meet the stated condition"
    left, right = lhs(v), rhs(v)
    assert not close(left, right), f"at {v} the oracle finds both sides {left}"
    if c.lhs is not None and not isinstance(c.lhs, str):
        assert close(number(c.lhs), left), (c.lhs, left)
    if c.rhs is not None and not isinstance(c.rhs, str):
        assert close(number(c.rhs), right), (c.rhs, right)
    return v
