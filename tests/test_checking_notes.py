"""checking.notes: justifications beside a step are layout, and a reason that is itself a
formula is checked as a claim of its own.

The step left after a note is removed must be checked as the formula it is (its verdict
confirmed by the numeric oracle); a reason given as a formula ('since |x| = x sign x') is
an aside, valid or invalid by the oracle too; words that are conditions or operators
are no notes."""
from __future__ import annotations

import numpy as np
import pytest

from symderiv.checking.notes import strip_notes
from symderiv.checking.rows import CONDITION_WORDS
from tests import check_oracle as O

relu = lambda a: np.maximum(a, 0)  # noqa: E731
X1 = {"x": ()}


@pytest.mark.parametrize("row,kept,asides", [
    (r"\max(x,0)^2 = x \max(x,0) \quad\text{(product rule)}", r"\max(x,0)^2 = x \max(x,0)", []),
    (r"a = b &&\text{by cyclicity}", "a = b", []),
    (r"a = b \quad (\text{Frobenius product})", "a = b", []),
    (r"a = b \qquad \text{since } |x| = x^2", "a = b", ["|x| = x^2"]),
    (r"a = b \quad\text{(since $|x|^2 = x^2$)}", "a = b", ["|x|^2 = x^2"]),
    # not notes: an operator written with \text, and a condition
    (r"a = \text{sign}(x)", r"a = \text{sign}(x)", []),
    (r"a = b \quad \text{for } x > 0", r"a = b \quad \text{for } x > 0", []),
])
def test_strip_notes(row, kept, asides):
    got, found = strip_notes(row, CONDITION_WORDS)
    assert got.strip() == kept and found == asides


def test_and_between_claims_separates_them():
    got, found = strip_notes(r"a = b \quad\text{and}\quad c = d", CONDITION_WORDS)
    assert "text" not in got and "a = b" in got and "c = d" in got and found == []


def test_a_noted_step_is_checked_as_its_formula():
    (step,) = O.steps(r"$$\max(x,0)^2 = x \max(x,0) \quad\text{(product rule)}$$")
    assert step.verdict == "valid"
    O.holds_at_random(lambda v: relu(v["x"]) ** 2, lambda v: v["x"] * relu(v["x"]), X1, np.random.default_rng(0))


@pytest.mark.parametrize("reason,rhs,verdict", [
    (r"|x| = x \operatorname{sign}(x)", lambda v: v["x"] * np.sign(v["x"]), "valid"),
    (r"|x| = x^2", lambda v: v["x"] ** 2, "invalid"),
])
def test_a_formula_given_as_a_reason_is_checked_as_an_aside(reason, rhs, verdict):
    main, aside = O.steps(rf"$$\max(x,0) = \frac{{x + |x|}}{{2}} \qquad \text{{since }} {reason}$$")
    assert main.verdict == "valid"
    rng = np.random.default_rng(1)
    O.holds_at_random(lambda v: relu(v["x"]), lambda v: (v["x"] + abs(v["x"])) / 2, X1, rng)
    assert aside.verdict == verdict
    if verdict == "valid":
        O.holds_at_random(lambda v: abs(v["x"]), rhs, X1, rng)
    else:
        O.counterexample_is_real(aside, lambda v: abs(v["x"]), rhs)


@pytest.mark.parametrize("close", [")", r"\text{)}", ")."])
def test_a_reason_in_parentheses_keeps_its_closing_parenthesis_out(close):
    # '\text{(since } A = B)': the ')' belongs to the note, not to the formula B; left on,
    # it made the false reason unreadable, so it came out 'unverified' instead of 'invalid'
    row = rf"\max(x,0) = \frac{{x + |x|}}{{2}} \quad\text{{(since }} |x|^2 = x^3{close}"
    assert strip_notes(row, CONDITION_WORDS)[1] == ["|x|^2 = x^3"]
    main, aside = O.steps(f"$${row}$$")
    assert main.verdict == "valid" and aside.verdict == "invalid"
    O.holds_at_random(lambda v: relu(v["x"]), lambda v: (v["x"] + abs(v["x"])) / 2, X1,
                      np.random.default_rng(2))
    O.counterexample_is_real(aside, lambda v: abs(v["x"]) ** 2, lambda v: v["x"] ** 3)
