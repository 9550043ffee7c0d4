"""checking.redefine: a post's own line takes over σ, J or I only where no claim about
ReLU, the all-ones or the identity matrix could be meant.

Each reading is checked by its consequence, with the numeric oracle: where σ is taken
over (the logistic function), σ'(z) = σ(z)(1 - σ(z)) is valid, as differences of the
logistic function confirm; where it is not (σ(x) = x, σ(z) = z^2), the line is a claim
about ReLU, refuted by a counterexample the oracle reproduces with ReLU."""
from __future__ import annotations

import numpy as np
import pytest

from symderiv.checking.reading import read
from symderiv.checking.redefine import may_redefine
from tests import check_oracle as O
from tests import oracle

relu = lambda a: np.maximum(a, 0)  # noqa: E731
logistic = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731


def body(text):
    return read(text).terms[0].term


@pytest.mark.parametrize("name,params,rhs,op,want", [
    ("J", ("w",), r"\|w\|^2", "=", True),
    ("I", ("x",), "x^2", "=", True),
    ("sigma", ("z",), r"\frac{1}{1+e^{-z}}", "=", True),
    ("sigma", ("z",), "z^2", ":=", True),
    ("sigma", ("z",), "z^2", "=", False),            # a polynomial: a claim about ReLU
    ("sigma", ("x",), "x", "=", False),
    ("sigma", ("x",), r"\max(x, 0)", "=", False),     # kinked: a claim about ReLU
    ("sigma", ("x", "y"), "x", "=", False),
    ("f", ("x",), "e^x", "=", False),                # not a fixed name
])
def test_may_redefine(name, params, rhs, op, want):
    assert may_redefine(name, params, body(rhs), op) is want


def test_a_logistic_sigma_is_the_posts_own_function():
    defn, claim = O.steps(r"$$\sigma(z) = \frac{1}{1 + e^{-z}}$$ $$\sigma'(z) = \sigma(z)(1 - \sigma(z))$$")
    assert defn.verdict == "definition" and claim.verdict == "valid"
    for z in (-2.0, 0.0, 0.7, 3.0):
        g = oracle.numeric_gradient(lambda t: float(logistic(t).sum()), np.array([z]))[0]
        assert g == pytest.approx(logistic(z) * (1 - logistic(z)), abs=1e-8)


@pytest.mark.parametrize("post,rhs", [
    (r"$$\sigma(x) = x$$", lambda v: v["x"]),
    (r"$$\sigma(z) = z^2$$", lambda v: v["z"] ** 2),
])
def test_a_polynomial_sigma_is_a_claim_about_relu(post, rhs):
    (step,) = O.steps(post)
    assert step.verdict == "invalid"
    name = "x" if "x" in post else "z"
    O.counterexample_is_real(step, lambda v: relu(v[name]), rhs)


@pytest.mark.parametrize("template,fn,arg", [
    (r"Let $\sigma(z) := z^2$. $$\sigma(3) = {}$$", lambda z: z ** 2, 3),
    (r"$$I(x) = x^2$$ $$I(3) = {}$$", lambda x: x ** 2, 3),
    (r"$$J(w) = w^3 - w$$ $$J(2) = {}$$", lambda w: w ** 3 - w, 2),
])
def test_a_taken_over_name_is_evaluated_as_defined(template, fn, arg):
    value = fn(arg)                 # the definition, evaluated by Python (not ReLU, J or I)
    post = template.format(value)
    steps = O.steps(post)
    assert [s.verdict for s in steps] == ["definition", "valid"]
    wrong = post.replace(f"= {value}$$", f"= {value + 1}$$")
    assert O.steps(wrong)[1].verdict == "invalid"
