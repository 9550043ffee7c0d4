"""checking.world: what earlier lines defined, and how a term reads in their light.

A term read in a world (definitions substituted, bare σ applied to the variable, a
function applied to an argument) is built and evaluated exactly at random rational
points, and compared with the NumPy value of what the post means; checked posts whose
verdicts depend on the world are confirmed by the numeric oracle."""
from __future__ import annotations

import random
from fractions import Fraction as Fr

import numpy as np
import pytest

from symderiv import syntax as S
from symderiv.build import build
from symderiv.evaluate import Evaluator, bind_dims
from symderiv.checking.reading import read
from symderiv.checking.world import World, names_in, substitute_names
from tests import check_oracle as O

relu = lambda a: np.maximum(a, 0)  # noqa: E731


def term(text):
    return read(text).terms[0].term


def value(t, values, wrt="x"):
    prob = build(t, "", values={}, wrt=wrt)
    vals = {k: np.array(v, dtype=object) for k, v in values.items()}
    return float(Evaluator(vals, bind_dims(prob.f, vals))(prob.f)[0, 0])


def rand(rng):
    return Fr(rng.randint(-30, 30), rng.randint(1, 7))


def test_a_defined_function_applied_to_an_argument_is_its_body_there():
    w = World("x")
    w.define("f", ("x",), term(r"x^2 + |x|"), 0)
    read_term = w.read(term(r"f(x + h) - f(x)"))     # parsed as products f(x+h), resolved
    rng = random.Random(1)
    for _ in range(4):
        x, h = rand(rng), rand(rng)
        want = (float(x + h) ** 2 + abs(float(x + h))) - (float(x) ** 2 + abs(float(x)))
        assert value(read_term, {"x": [[x]], "h": [[h]]}) == pytest.approx(want, abs=1e-12)


def test_a_defined_name_stands_for_its_right_side():
    w = World("X")
    w.define("S", (), term(r"\operatorname{sign}(X)"), 0)
    t = w.read(term(r"\langle S, X\rangle"))
    rng = np.random.default_rng(2)
    for _ in range(3):
        X = rng.integers(-3, 4, (2, 2))
        got = value(t, {"X": X.astype(object)}, wrt="X")
        assert got == np.sum(np.sign(X) * X) == np.sum(np.abs(X))


def test_bare_sigma_is_relu_of_the_variable_unless_the_post_says_otherwise():
    w = World("X")
    t = w.read(term(r"\|\sigma\|_F^2"))
    X = np.array([[1, -2], [Fr(1, 2), 0]], dtype=object)
    assert value(t, {"X": X}, wrt="X") == pytest.approx(np.sum(relu(X.astype(float)) ** 2))
    # a post that compares σ with numbers uses it as a quantity (a noise level)
    q = World("X", quantities=frozenset({"sigma"}))
    assert q.read(term(r"\sigma")) == term(r"\sigma")


def test_rewrites_apply_assumed_claims_once():
    w = World("x").assuming([(term("|x|"), term("x"), 0)])
    t = w.read(term("|x| + |y|"))
    assert names_in(t) == {"x", "y"}
    rng = random.Random(3)
    for _ in range(3):
        x, y = rand(rng), rand(rng)
        assert value(t, {"x": [[x]], "y": [[y]]}) == pytest.approx(float(x) + abs(float(y)))


def test_substitute_names_replaces_parameters():
    t = substitute_names(term("x^2 + y"), {"x": term("a + 1")})
    assert names_in(t) == {"a", "y"}
    assert value(t, {"a": [[Fr(2)]], "y": [[Fr(5)]]}, wrt="a") == 14


def test_posts_whose_verdicts_turn_on_definitions():
    post = r"Let $f(x) = \max(x, 0)^2$. Then $$f(x) = x \max(x, 0)$$ and $$f(x) = x^2$$"
    steps = O.steps(post)
    verdicts = [s.verdict for s in steps]
    assert verdicts[0] == "definition"
    fx = lambda v: relu(v["x"]) ** 2  # noqa: E731
    rng = np.random.default_rng(4)
    by = {s.source: s for s in steps}
    ok = by[r"f(x) = x \max(x, 0)"]
    assert ok.verdict == "valid"
    O.holds_at_random(fx, lambda v: v["x"] * relu(v["x"]), {"x": ()}, rng)
    bad = by["f(x) = x^2"]
    assert bad.verdict == "invalid"
    O.counterexample_is_real(bad, fx, lambda v: v["x"] ** 2)


def test_a_power_of_a_defined_function_is_a_power_of_its_value():
    # F(x)^2, which the parser reads F·(x)^2: (x^3)^2 = x^6, never F·x^2 = x^5
    defn, claim, wrong = O.steps(r"Let $F(x) = x^3$. Then $$F(x)^2 = x^6$$ and $$F(x + 1)^2 = x^6$$")
    assert claim.verdict == "valid", claim.reason
    assert wrong.verdict == "invalid"
    v = O.counterexample_is_real(wrong, lambda v: (v["x"] + 1) ** 6, lambda v: v["x"] ** 6)
    for x in (-2.0, 0.5, 3.0):                     # the oracle: F(x)^2 is x^6, not x^5
        assert (x ** 3) ** 2 == x ** 6 and (x ** 3) * x ** 2 != x ** 6
    assert v is not None


def test_a_function_with_a_subscript_in_its_name_is_defined_and_applied():
    # soft-thresholding S_λ: its definition is a definition, not a false claim about a
    # matrix S_λ times z, and S_λ(2) is its value there
    post = (r"Let $S_\lambda(z) = \max(z - \lambda, 0) - \max(-z - \lambda, 0)$ with $\lambda > 0$. "
            r"Then $$S_\lambda(z) = \operatorname{sign}(z)\max(|z| - \lambda, 0)$$ and "
            r"$$S_{\lambda}(z) = z - \lambda$$")
    defn, same, wrong = O.steps(post)
    assert defn.verdict == "definition"
    assert same.verdict in ("valid", "valid-where"), same.reason
    assert wrong.verdict == "invalid"
    soft = lambda z, lam: max(z - lam, 0) - max(-z - lam, 0)  # noqa: E731
    rng = np.random.default_rng(5)
    for z, lam in zip(rng.uniform(-4, 4, 50), rng.uniform(0.01, 2, 50)):
        assert abs(soft(z, lam) - np.sign(z) * max(abs(z) - lam, 0)) < 1e-12
    v = O.counterexample_is_real(wrong, lambda v: soft(v["z"], v["λ"]), lambda v: v["z"] - v["λ"])
    assert v["λ"] > 0
