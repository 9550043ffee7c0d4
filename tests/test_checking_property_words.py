"""checking.property_words: hypotheses stated in words ('assume $c$ is nonnegative', 'let
$y$ be a probability vector') are applied to the steps after them (issue 15: true steps
were called invalid by counterexamples that broke such a hypothesis).

Each true step is checked by NumPy at random points meeting the hypothesis (it holds
there) and at a point breaking it (it fails there, so the hypothesis was needed and the
checker must have used it); each false step's counterexample is reproduced by NumPy and
meets the hypothesis."""
from __future__ import annotations

import numpy as np
import pytest

from symderiv.checking.property_words import described
from tests import check_oracle as O

relu = lambda a: np.maximum(a, 0)  # noqa: E731
rng = np.random.default_rng(11)


def _simplex(n):
    y = rng.uniform(0, 1, n)
    return y / y.sum()


@pytest.mark.parametrize("opening", [
    "Assume $c$ is nonnegative.", "Let $c$ be non-negative.", "For nonnegative $c$,",
    "Suppose $c$ is positive.", "Let $c$ be a positive constant.", "Let $c \\ge 0$."])
def test_a_sign_in_words_is_applied(opening):
    step = O.steps(f"{opening} $$\\max(c x, 0) = c \\max(x, 0)$$")[-1]
    assert step.verdict == "valid-where", (opening, step.verdict, step.reason)
    for _ in range(100):    # the oracle: it holds for every c >= 0, and fails for some c < 0
        c, x = rng.uniform(0, 5), rng.uniform(-5, 5)
        assert abs(relu(c * x) - c * relu(x)) < 1e-12
    assert relu(-1 * 2.0) != -1 * relu(2.0)


def test_a_probability_vector_is_nonnegative_and_sums_to_one():
    post = ("Let $y$ be a probability vector. Then\n"
            "$$\\sum_i y_i (x_i - 1) = \\sum_i y_i x_i - 1$$\n"
            "and $$\\sum_i |y_i| = 1$$\n"
            "and $$\\sum_i |y_i| = 2$$\n")
    s1, s2, s3 = O.steps(post)
    assert s1.verdict == "valid-where" and s2.verdict == "valid-where", (s1.reason, s2.reason)
    for n in (1, 2, 3, 5):    # the oracle on the simplex
        y, x = _simplex(n), rng.normal(size=n)
        assert abs((y * (x - 1)).sum() - ((y * x).sum() - 1)) < 1e-12
        assert abs(np.abs(y).sum() - 1) < 1e-12
    # ... and off it both fail, so the hypothesis was used
    y = np.array([2.0, -3.0])
    assert abs((y * (1 - 1)).sum() - ((y * 1).sum() - 1)) > 0.5 and abs(np.abs(y).sum() - 1) > 0.5
    assert s3.verdict == "invalid"
    v = O.counterexample_is_real(s3, lambda v: np.abs(v["y"]).sum(), lambda v: 2.0)
    y = np.asarray(v["y"], dtype=float)
    assert (y >= 0).all() and abs(y.sum() - 1) < 1e-12      # the counterexample is a probability vector


def test_a_property_word_reaches_every_name_of_a_list():
    step = O.steps("Let $a$ and $b$ be nonnegative. Then $$|a b| = a b$$")[-1]
    assert step.verdict == "valid-where" and "a ≥ 0" in step.condition["text"] and "b ≥ 0" in step.condition["text"]
    a, b = rng.uniform(0, 3, 50), rng.uniform(0, 3, 50)
    assert np.allclose(np.abs(a * b), a * b) and abs(-1 * 2) != -1 * 2


def test_positive_definite_is_not_positive():
    # 'positive definite' says nothing entrywise: no condition A > 0 may be read from it
    prop, _ = described("A", "Let ", " be positive definite.")
    assert prop is None
    prop, _ = described("A", "Let ", " be positive semi-definite")
    assert prop is None
    prop, later = described("c", "Let ", " be positive.")
    assert prop is not None and later and prop.latex("c") == ["c > 0"]


def test_a_word_that_is_no_hypothesis_changes_nothing():
    # the step is false for some x, and no word bounds x: it stays invalid
    step = O.steps("Here $x$ is the input. $$|x| = x$$")[-1]
    assert step.verdict == "invalid"
    v = O.counterexample_is_real(step, lambda v: abs(v["x"]), lambda v: v["x"])
    assert v["x"] < 0
