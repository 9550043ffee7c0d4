"""Fixes found by the issue-15 corpus (tests/check_corpus_15), one test each, every verdict
cross-checked by NumPy independently of symderiv."""
from __future__ import annotations

import numpy as np

from symderiv.checker import check

rng = np.random.default_rng(15)


def verdicts(post):
    return [s.verdict for s in check(post).steps]


# ---- a defined function's indexed parameter follows its argument -------------------------------

def _f_sum(x):
    return np.sum(x)


def _f_sq(x):
    return np.sum(x ** 2)


def test_an_entry_of_the_parameter_is_the_entry_of_the_argument():
    # f(x + y) of f(x) = sum_i x_i is f(x) + f(y); it was read f(x) (y dropped), a true step
    # called invalid with a counterexample that did not mention y
    for _ in range(20):
        x, y = rng.normal(size=4), rng.normal(size=4)
        assert np.isclose(_f_sum(x + y), _f_sum(x) + _f_sum(y))
    assert verdicts(r"Let $f(x) = \sum_{i=1}^n x_i$. Then $$f(x + y) = f(x) + f(y)$$") == ["definition", "valid"]
    # with squares it is false, and the counterexample names y
    x, y = rng.normal(size=4), rng.normal(size=4)
    assert not np.isclose(_f_sq(x + y), _f_sq(x) + _f_sq(y))
    step = check(r"Let $f(x) = \sum_{i=1}^n x_i^2$. Then $$f(x + y) = f(x) + f(y)$$").steps[-1]
    assert step.verdict == "invalid" and "y" in step.counterexample.values
    vals = {k: np.asarray(v, dtype=float) for k, v in step.counterexample.values.items()}
    assert not np.isclose(_f_sq(vals["x"] + vals["y"]), _f_sq(vals["x"]) + _f_sq(vals["y"]))


def test_a_subscripted_name_outside_a_sum_is_not_an_entry():
    # x_0 in f(x) = (x - x_0)^2 is a fixed point, not an entry of x: f(y) = (y - x_0)^2
    post = r"Let $f(x) = (x - x_0)^2$. Then $$f(y) = y^2 - 2x_0y + x_0^2$$"
    y, x0 = rng.normal(), rng.normal()
    assert np.isclose((y - x0) ** 2, y * y - 2 * x0 * y + x0 * x0)
    assert verdicts(post) == ["definition", "valid"]
