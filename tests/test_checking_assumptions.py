"""checking.assumptions: conditions a post states once and keeps ("Fix δ > 0", "Let λ > 0",
"Assume a > 0 throughout").

Each standing condition is checked by its effect: a claim true only under it is 'valid
where' it holds, which the oracle confirms at random points meeting it, and the same claim
without the assumption is refuted by a counterexample the oracle reproduces (so the
assumption was needed and was applied).  Replacement and shadowing follow the module."""
from __future__ import annotations

import numpy as np
import pytest

from symderiv.checking.assumptions import Standing, names
from symderiv.checking.rows import read_condition
from tests import check_oracle as O

relu = lambda a: np.maximum(a, 0)  # noqa: E731
SCALARS = {"x": (), "lam": ()}


def lam_x(v):
    return v["λ"] if "λ" in v else v["lam"]


@pytest.mark.parametrize("opening", ["Let $\\lambda > 0$. Then", "Fix $\\lambda > 0$.", "Assume $\\lambda > 0$ throughout."])
def test_a_standing_condition_reaches_later_displays(opening):
    claim = r"$$\max(\lambda x, 0) = \lambda \max(x, 0)$$"
    lhs = lambda v: relu(lam_x(v) * v["x"])  # noqa: E731
    rhs = lambda v: lam_x(v) * relu(v["x"])  # noqa: E731
    (step,) = O.steps(f"{opening} {claim}")
    assert step.verdict == "valid-where" and step.condition["text"] == "λ > 0"
    O.holds_at_random(lhs, rhs, SCALARS, np.random.default_rng(1), cond=lambda v: v["lam"] > 0)
    (bare,) = O.steps(claim)
    assert bare.verdict == "invalid"
    v = O.counterexample_is_real(bare, lhs, rhs)
    assert v["λ"] < 0                      # the assumption excludes exactly such points


def test_it_holds_for_every_later_display():
    post = r"Assume $a > 0$ throughout. $$|a| = a$$ Later, $$|a x| = a|x|$$"
    steps = O.steps(post)
    assert [s.verdict for s in steps] == ["valid-where", "valid-where"]
    rng = np.random.default_rng(2)
    O.holds_at_random(lambda v: abs(v["a"]), lambda v: v["a"], {"a": ()}, rng, cond=lambda v: v["a"] > 0)
    O.holds_at_random(lambda v: abs(v["a"] * v["x"]), lambda v: v["a"] * abs(v["x"]), {"a": (), "x": ()}, rng,
                      cond=lambda v: v["a"] > 0)


def test_a_local_condition_on_the_same_name_overrides_it():
    (step,) = O.steps(r"Assume $a > 0$. For $a < 0$, $$|a| = -a$$")
    assert step.verdict == "valid-where" and step.condition["text"] == "a < 0"
    O.holds_at_random(lambda v: abs(v["a"]), lambda v: -v["a"], {"a": ()}, np.random.default_rng(3),
                      cond=lambda v: v["a"] < 0)


def cond(text):
    return read_condition(text, worded=True, equating=True)


def test_standing_replaces_and_shadows_by_name():
    s = Standing()
    s.add(cond("x > 0"), "standing")
    s.add(cond(r"\lambda > 0"), "standing")
    s.add(cond("x < 1"), "standing")           # a later assumption on x replaces x > 0
    assert [c.latex for c in s.conditions] == [r"\lambda > 0", "x < 1"]
    assert all(c.scope == "standing" for c in s.conditions)
    kept = s.beside([cond("x > 2")])
    assert [(c.latex, c.shadowed) for c in kept] == [(r"\lambda > 0", False), ("x < 1", True)]
    assert names(cond(r"x > \lambda")) == {"x", "lambda"}
    # 'let λ > 0 and assume x > λ' keeps λ > 0: a condition on fewer names stays
    s = Standing()
    s.add(cond(r"\lambda > 0"), "standing")
    s.add(cond(r"x > \lambda"), "standing")
    assert [c.latex for c in s.conditions] == [r"\lambda > 0", r"x > \lambda"]


def test_a_condition_on_a_vector_reaches_the_entries_of_a_sum():
    # 'let y >= 0' speaks of the y_i in a sum over i: a counterexample must keep y >= 0
    true = O.steps("Let $y \\ge 0$. Then $$\\sum_i |y_i| = \\sum_i y_i$$")[-1]
    assert true.verdict != "invalid", true.reason
    rng = np.random.default_rng(3)
    for _ in range(50):     # the oracle: it holds at every y >= 0, and fails at some y with a negative entry
        y = rng.uniform(0, 5, size=rng.integers(1, 5))
        assert abs(np.abs(y).sum() - y.sum()) < 1e-12
    assert np.abs([-1.0, 2.0]).sum() != sum([-1.0, 2.0])

    false = O.steps("Let $y \\ge 0$. Then $$\\sum_i |y_i - 1| = \\sum_i y_i - 1$$")[-1]
    assert false.verdict == "invalid", false.reason
    v = O.counterexample_is_real(false, lambda v: np.abs(v["y"] - 1).sum(), lambda v: v["y"].sum() - 1)
    assert (np.asarray(v["y"], dtype=float) >= 0).all()     # the hypothesis holds at the counterexample
