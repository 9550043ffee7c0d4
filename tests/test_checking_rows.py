"""checking.rows: a document -> equations, each with the conditions in force for it.

The conditions found (in the row, after a word, in the prose before a display) are
checked by their effect: the verdict under them is confirmed by the numeric oracle
(tests/check_oracle.py) at random points where the condition holds, and the condition
is shown to matter (the claim fails somewhere it does not hold)."""
from __future__ import annotations

import numpy as np
import pytest

from symderiv.checking.rows import equations, read_condition, split_condition
from tests import check_oracle as O

relu = lambda a: np.maximum(a, 0)  # noqa: E731
X1 = {"x": ()}


@pytest.mark.parametrize("row,eq,cond", [
    (r"\sigma(x) = x \quad (x \ge 0)", r"\sigma(x) = x", r"x \ge 0"),
    (r"|x| = -x \text{ for } x < 0", r"|x| = -x", "x < 0"),
    (r"\max(x, 1) = x \text{ if } x \ge 1", r"\max(x, 1) = x", r"x \ge 1"),
    (r"a = b", "a = b", None),
])
def test_split_condition(row, eq, cond):
    got_eq, got = split_condition(row)
    assert got_eq.strip() == eq and got == ([cond] if cond else [])


# a post, the NumPy sides of its one equation, the condition it must carry (as a
# predicate for the oracle), the verdict, and a point outside the condition where the
# claim fails (the condition is needed)
POSTS = [
    ("For $x > 0$ we obtain: $$|x| = x$$", lambda v: abs(v["x"]), lambda v: v["x"], lambda v: v["x"] > 0,
     "valid-where", -1.5),
    (r"$$\frac{|x|}{x} = \operatorname{sign}(x), \qquad x \ne 0$$", lambda v: np.abs(np.float64(v["x"])) / v["x"],
     lambda v: np.sign(v["x"]), lambda v: v["x"] != 0, "valid-where", 0.0),
    (r"$$\sigma(x) = x \quad (x \ge 0)$$", lambda v: relu(v["x"]), lambda v: v["x"], lambda v: v["x"] >= 0,
     "valid-where", -0.5),
    (r"$$|x| = -x \text{ for } x < 0$$", lambda v: abs(v["x"]), lambda v: -v["x"], lambda v: v["x"] < 0,
     "valid-where", 2.0),
    (r"$$\max(x, 1) = x \text{ if } x \ge 1$$", lambda v: max(v["x"], 1), lambda v: v["x"], lambda v: v["x"] >= 1,
     "valid-where", 0.5),
    (r"$$\max(x, 1) = x \text{ if } x \ge 0$$", lambda v: max(v["x"], 1), lambda v: v["x"], lambda v: v["x"] >= 0,
     "invalid", None),
]


@pytest.mark.parametrize("post,lhs,rhs,cond,verdict,outside", POSTS, ids=[p[0] for p in POSTS])
def test_conditions_reach_their_equation_and_decide_it(post, lhs, rhs, cond, verdict, outside):
    (eq,), blocks = equations(post)
    assert len(eq.conditions) == 1
    (step,) = O.steps(post)
    assert step.verdict == verdict, step.reason
    rng = np.random.default_rng(len(post))
    if verdict == "valid-where":
        O.holds_at_random(lhs, rhs, X1, rng, cond)
        v = {"x": outside}
        with np.errstate(all="ignore"):
            assert not cond(v) and not O.close(lhs(v), rhs(v))     # the condition is needed
    else:
        O.counterexample_is_real(step, lhs, rhs, cond)


def test_a_chain_of_rows_is_checked_link_by_link():
    post = r"$$\begin{aligned} \max(x,0)^2 &= x\max(x,0) \\ &= x^2 \end{aligned}$$"
    eqs, blocks = equations(post)
    assert blocks == 1 and len(eqs) == 2
    first, second = O.steps(post)
    rng = np.random.default_rng(3)
    assert first.verdict == "valid"
    O.holds_at_random(lambda v: relu(v["x"]) ** 2, lambda v: v["x"] * relu(v["x"]), X1, rng)
    assert second.verdict == "invalid"
    O.counterexample_is_real(second, lambda v: v["x"] * relu(v["x"]), lambda v: v["x"] ** 2)


def test_a_prose_condition_lasts_to_the_end_of_its_sentence():
    post = "For $x > 0$ we have $$|x| = x$$ and so on. Then $$|y| = y$$"
    first, second = equations(post)[0]
    assert [c.latex for c in first.conditions] == ["x > 0"] and second.conditions == []
    steps = O.steps(post)
    assert steps[1].verdict == "invalid"
    O.counterexample_is_real(steps[1], lambda v: abs(v["y"]), lambda v: v["y"])


@pytest.mark.parametrize("text,worded,is_condition", [
    ("x > 0", False, True), ("0 < x < 1", False, True), (r"\sigma(x) \ge 0", False, False),
    (r"\sigma(x) \ge 0", True, True), ("x = 0", False, True), ("a = b", False, False), ("a = b", True, False),
])
def test_read_condition(text, worded, is_condition):
    assert (read_condition(text, worded=worded) is not None) == is_condition
