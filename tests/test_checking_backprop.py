"""Backprop as posts write it (issue 15): ∂L/∂a for a quantity a = σ(h) the post defined
is L differentiated in a with the rest fixed (checking.world.World.holding), and σ'(h)
inside a formula is the derivative of the function's own body (named_calls), with σ'
of a function the post defines itself left unverified.

Every verdict is cross-checked by NumPy: the true chain's gradients by central
differences at random points, the planted errors by the same differences disagreeing."""
from __future__ import annotations

import numpy as np
import pytest

from symderiv.cli import main
from tests import check_oracle as O
from tests.oracle import numeric_gradient

rng = np.random.default_rng(21)

NET = (r"Consider $L(W_1, W_2) = \frac12\|W_2 \sigma(W_1 x) - y\|_2^2$ where $\sigma$ is the ReLU. "
       r"Let $h = W_1 x$, $a = \sigma(h)$ and $r = W_2 a - y$. Then" "\n")


def _loss_in_a(W2, a, y):
    return 0.5 * np.sum((W2 @ a - y) ** 2)


def _loss_in_h(W2, h, y):
    return 0.5 * np.sum((W2 @ np.maximum(h, 0) - y) ** 2)


def test_the_oracle_agrees_with_the_true_chain():
    for _ in range(20):
        W2, a, y = rng.normal(size=(3, 2)), rng.normal(size=(2, 1)), rng.normal(size=(3, 1))
        r = W2 @ a - y
        assert np.allclose(numeric_gradient(lambda v: _loss_in_a(W2, v, y), a), W2.T @ r, atol=1e-6)
        h = rng.normal(size=(2, 1))
        r = W2 @ np.maximum(h, 0) - y
        assert np.allclose(numeric_gradient(lambda v: _loss_in_h(W2, v, y), h), (W2.T @ r) * (h > 0), atol=1e-6)


@pytest.mark.parametrize("claim,expected", [
    (r"\frac{\partial L}{\partial a} = W_2^T r", "valid"),
    (r"\frac{\partial L}{\partial a} = 2W_2^T r", "invalid"),
    (r"\frac{\partial L}{\partial h} = (W_2^T r) \odot \sigma'(h)", "valid-where"),
    (r"\frac{\partial L}{\partial h} = (W_2^T r) \odot H(h)", "valid-where"),
    (r"\frac{\partial L}{\partial h} = W_2^T r", "invalid"),
    (r"\frac{\partial L}{\partial W_1} = \left((W_2^T r) \odot \sigma'(h)\right) x^T", "valid-where"),
])
def test_a_backprop_step_through_a_defined_quantity(claim, expected):
    step = O.steps(NET + f"$${claim}$$")[-1]
    assert step.verdict == expected, (claim, step.verdict, step.reason)
    if expected == "invalid":
        # the oracle: the numeric gradient differs from the claim at a random point
        assert step.counterexample is not None
        W2, y = rng.normal(size=(3, 2)), rng.normal(size=(3, 1))
        if "2W_2" in claim:
            a = rng.normal(size=(2, 1))
            numeric = numeric_gradient(lambda u: _loss_in_a(W2, u, y), a)
            assert not np.allclose(numeric, 2 * W2.T @ (W2 @ a - y))
        else:
            h = np.array([[1.0], [-1.0]])              # one entry off, where ReLU is flat
            numeric = numeric_gradient(lambda u: _loss_in_h(W2, u, y), h)
            assert not np.allclose(numeric, W2.T @ (W2 @ np.maximum(h, 0) - y))


def test_not_written_in_terms_of_the_quantity_is_unverified():
    # L written with max(W_1 x, 0), a defined as σ(W_1 x): the same function, another
    # spelling; L is not read in terms of a, so nothing is claimed about ∂L/∂a
    post = (r"Let $L = \frac12\|W_2 \max(W_1 x, 0) - y\|_2^2$ and $a = \sigma(W_1 x)$. Then "
            r"$$\frac{\partial L}{\partial a} = W_2^T (W_2 a - y)$$")
    step = O.steps(post)[-1]
    assert step.verdict == "unverified" and "not written in terms of it" in step.reason, step.reason
    # (the claim is true: the oracle's gradient in a is W_2^T (W_2 a - y); an 'invalid' would be a false alarm)
    W2, y, a = rng.normal(size=(3, 2)), rng.normal(size=(3, 1)), np.abs(rng.normal(size=(2, 1)))
    assert np.allclose(numeric_gradient(lambda u: _loss_in_a(W2, u, y), a), W2.T @ (W2 @ a - y), atol=1e-6)


def test_the_derivative_of_a_function_the_post_defines_is_not_guessed():
    post = (r"Let $\sigma(z) = \frac{1}{1+e^{-z}}$ and $f(x) = \sigma(x)^2$. Then "
            r"$$f'(x) = 2\sigma(x)\sigma'(x)$$")
    step = O.steps(post)[-1]
    # read as ReLU's derivative it would be 'invalid'; the post's σ is the sigmoid
    assert step.verdict == "unverified" and "post's own" in step.reason


def test_a_builtin_derivative_inside_a_formula():
    step = O.steps(r"$$\frac{d}{dx}\tanh(x)^2 = 2\tanh(x)\tanh'(x)$$")[-1]
    assert step.verdict == "valid", step.reason
    for x in rng.uniform(-3, 3, 10):
        num = (np.tanh(x + 1e-6) ** 2 - np.tanh(x - 1e-6) ** 2) / 2e-6
        assert abs(num - 2 * np.tanh(x) * (1 - np.tanh(x) ** 2)) < 1e-6


def test_diff_still_refuses_a_derivative_as_input(capsys):
    # outside a derivation, σ'(x) as the function to analyse is refused (write σ itself)
    assert main(["diff", r"\sigma'(x)"]) == 2
    assert "derivative" in capsys.readouterr().err
