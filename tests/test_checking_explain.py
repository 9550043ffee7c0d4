"""checking.explain: the sentence, the condition and the counterexample of each verdict.

The counterexample a sentence shows is re-evaluated by NumPy from the values it lists
(names as shown: dX, Δx): the two sides must take the values the sentence states, and
differ.  The condition of a 'valid where' verdict is checked by the oracle on both sides:
the claim holds at random points where it is true and fails at the point shown, where it
is false.  Exact numbers printed are parsed back and compared with their value."""
from __future__ import annotations

import re
from fractions import Fraction as Fr

import numpy as np
import pytest
import sympy as sp

from symderiv.checking import decide as D
from symderiv.checking import explain as X
from symderiv.checking.nodes import build_step
from symderiv.checking.reading import read
from tests import oracle

relu = lambda a: np.maximum(a, 0)  # noqa: E731


def explained(text, variable):
    chain = read(text)
    built = build_step([t.term for t in chain.terms], [], variable)
    outcome = D.decide(built, *D.symbolic(built))
    return outcome, X.explain(outcome, built, [])


def num(v):
    if isinstance(v, np.ndarray):
        return np.asarray(v, dtype=object).astype(float)
    return float(sp.N(v)) if isinstance(v, sp.Basic) else float(v)


def test_an_invalid_sentence_shows_values_numpy_reproduces():
    outcome, ex = explained(r"|x+y| = |x| + |y|", "x")
    assert outcome.verdict == "invalid" and ex.reason.startswith("false: at ")
    c = ex.counterexample
    x, y = num(c.values["x"]), num(c.values["y"])
    assert num(c.lhs) == abs(x + y) and num(c.rhs) == abs(x) + abs(y) and abs(x + y) != abs(x) + abs(y)
    # the sentence names the same numbers as the record
    assert f"x = {X.exact_text(c.values['x'])}" in ex.reason
    assert f"the left side is {X.exact_text(c.lhs)}" in ex.reason
    # and the cells where the identity does hold: x, y of one sign (oracle: at random points)
    assert "it does hold where" in ex.reason


def test_a_matrix_counterexample_is_shown_as_matrices():
    outcome, ex = explained(r"\operatorname{tr}(ABC) = \operatorname{tr}(BAC)", "X")
    c = ex.counterexample
    A, B, C = (num(c.values[k]) for k in "ABC")
    assert {"A", "B", "C"} <= c.matrices
    assert num(c.lhs) == pytest.approx(np.trace(A @ B @ C)) and num(c.rhs) == pytest.approx(np.trace(B @ A @ C))
    assert num(c.lhs) != num(c.rhs)
    assert "A = [[" in ex.reason


def test_a_valid_where_condition_is_exactly_where_the_claim_holds():
    outcome, ex = explained(r"d|x| = \operatorname{sign}(x) dx", "x")
    assert outcome.verdict == "valid-where"
    assert ex.condition["text"] == "x ≠ 0"
    assert "sign(0) = 0" in ex.reason           # the convention the verdict turns on
    c = ex.counterexample
    x, dx = num(c.values["x"]), num(c.values["dx"])
    assert x == 0                                # the condition is false at the point shown
    lhs = oracle.one_sided(lambda t: abs(t).sum(), np.array([x]), np.array([dx]))
    assert lhs == pytest.approx(num(c.lhs)) and lhs != np.sign(x) * dx
    rng = np.random.default_rng(0)
    for _ in range(5):                           # where the condition holds, so does the claim
        x, dx = rng.uniform(-3, 3, 2)
        assert oracle.one_sided(lambda t: abs(t).sum(), np.array([x]), np.array([dx])) == pytest.approx(np.sign(x) * dx)


def test_an_undefined_side_is_said_and_located():
    outcome, ex = explained(r"|x|/x = \operatorname{sign}(x)", "x")
    assert outcome.verdict == "valid-where"
    assert "left side has no value" in ex.reason and ex.condition["text"].startswith("x ≠ 0")
    c = ex.counterexample
    assert num(c.values["x"]) == 0 and c.lhs is None
    with np.errstate(all="ignore"):
        assert not np.isfinite(np.float64(0.0) / np.float64(0.0))


def test_a_jump_differentiated_says_its_differential_does_not_exist():
    outcome, ex = explained(r"d\operatorname{sign}(x) = 0", "x")
    assert outcome.verdict == "valid-where" and "jumps" in ex.reason
    x = num(ex.counterexample.values["x"])
    # the oracle: the one-sided quotient of sign at the point shown blows up
    q = [(np.sign(x + h) - np.sign(x)) / h for h in (1e-3, 1e-6)]
    assert abs(q[1]) > 100 * abs(q[0]) > 0


def test_a_valid_step_says_how_and_how_many_kink_points_agreed():
    outcome, ex = explained(r"|X| = X \odot \operatorname{sign}(X)", "X")
    assert outcome.verdict == "valid" and ex.counterexample is None and ex.condition is None
    m = re.search(r"equal at the (\d+) kink points tested", ex.reason)
    assert m and int(m.group(1)) == outcome.tested > 0
    rng = np.random.default_rng(2)
    for _ in range(5):                           # the oracle, with exact zeros among the entries
        A = rng.integers(-2, 3, (2, 3)).astype(float)
        assert np.array_equal(np.abs(A), A * np.sign(A))


@pytest.mark.parametrize("v,text", [(Fr(-3, 4), "-3/4"), (7, "7"), (None, "undefined"), (sp.oo, "∞"),
                                    (sp.Rational(5, 2), "5/2")])
def test_exact_text_of_rationals(v, text):
    assert X.exact_text(v) == text


@pytest.mark.parametrize("v", [sp.sqrt(2), sp.pi, sp.E ** 3, sp.sqrt(3) / 2])
def test_irrationals_are_shown_with_a_value_that_matches(v):
    text = X.exact_text(v)
    approx = float(text.split("≈")[1])
    assert approx == pytest.approx(float(v), rel=1e-5)


def test_off_kinks_and_cells_text():
    outcome, _ = explained(r"|x+y| = |x| + |y|", "x")
    text = X.cells_text(outcome.holds_on)
    # every cell named is one where the identity holds: at random points of the cell
    from symderiv.evaluate import Evaluator
    rng = np.random.default_rng(6)
    for cell in outcome.holds_on:
        hits = 0
        for _ in range(60):
            x, y = (Fr(int(v), 7) for v in rng.integers(-20, 21, 2))
            vals = {"x": np.array([[x]], dtype=object), "y": np.array([[y]], dtype=object)}
            if all(np.sign(float(Evaluator(vals, {})(u)[0, 0])) == s for u, s in cell):
                hits += 1
                assert abs(x + y) == abs(x) + abs(y)
        assert hits > 0
    assert " or " in text and "> 0" in text and "< 0" in text
    assert X.off_kinks([])["text"] == "everywhere"
