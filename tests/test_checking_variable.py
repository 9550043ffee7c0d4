"""checking.variable: which name a derivation differentiates with respect to.

The choice is checked by its consequence: a differential or gradient claim that holds
for the chosen variable (the others held fixed) is confirmed by one-sided differences of
the NumPy function in that variable alone, and a claim that would hold only if another
name were the variable is refuted the same way."""
from __future__ import annotations

import numpy as np
import pytest

from symderiv import check
from symderiv.checking.reading import read
from symderiv.checking.variable import choose
from tests import check_oracle as O
from tests import oracle

A = np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 1.0]])
Y = np.array([[1.0], [-2.0], [0.5]])


def chains(*texts):
    return [(i, read(t)) for i, t in enumerate(texts)]


@pytest.mark.parametrize("texts,want", [
    ((r"f(w) = \|Xw - y\|^2", r"df = 2(Xw - y)^T X dw"), "w"),
    ((r"\nabla_w \|Xw\|^2 = 2X^T X w",), "w"),
    ((r"d(a^T x) = a^T dx",), "x"),
    ((r"d\|A X\|_F^2 = 2\langle AX, A\,dX\rangle",), "X"),
    ((r"g = \|X\|_F^2 + x",), "X"),
    ((r"z = d t + dt",), "t"),
])
def test_choose(texts, want):
    assert choose(chains(*texts)) == want


def test_a_defined_function_makes_its_parameter_the_variable_and_the_data_fixed():
    r = check(r"$$f(w) = \|Xw - y\|^2$$ $$df = 2(Xw - y)^T X\, dw$$")
    assert r.variable == "w"
    _, good = r.steps
    assert good.verdict == "valid"
    f = lambda w: float(np.sum((A @ w - Y) ** 2))  # noqa: E731
    rng = np.random.default_rng(0)
    for _ in range(3):
        w, dw = rng.standard_normal((2, 1)), rng.standard_normal((2, 1))
        assert oracle.one_sided(f, w, dw) == pytest.approx((2 * (A @ w - Y).T @ A @ dw).item(), rel=1e-6)


def test_a_written_differential_makes_a_name_vary_too():
    """Once the post writes dX, X varies with w: df then has both terms, and the line
    with the dw term alone is refuted by the oracle's quotient along (dX, dw)."""
    r = check(r"$$f(w) = \|Xw - y\|^2$$ $$df = 2(Xw - y)^T X\, dw$$ $$df = 2(Xw - y)^T (dX\, w + X\, dw)$$")
    _, partial, total = r.steps
    assert (partial.verdict, total.verdict) == ("invalid", "valid")
    c = partial.counterexample
    v = {k: O.number(x) for k, x in c.values.items()}
    g = lambda M, w: float(np.sum((M @ w - v["y"]) ** 2))  # noqa: E731
    quotient = oracle.one_sided(lambda Z: g(Z[:, :-1], Z[:, -1:]), np.hstack([v["X"], v["w"]]),
                                np.hstack([v["dX"], v["dw"]]))
    assert quotient == pytest.approx(O.number(c.lhs), rel=1e-6)
    assert quotient != pytest.approx((2 * (v["X"] @ v["w"] - v["y"]).T @ v["X"] @ v["dw"]).item(), rel=1e-3)
    # the total differential, at random points of every size the oracle tries
    rng = np.random.default_rng(5)
    for m, n in ((1, 1), (3, 2)):
        M, w, y, dM, dw = (rng.standard_normal(s) for s in ((m, n), (n, 1), (m, 1), (m, n), (n, 1)))

        def joint(z, m=m, n=n, y=y):        # f of X and w packed in one vector
            return float(np.sum((z[:m * n].reshape(m, n) @ z[m * n:].reshape(n, 1) - y) ** 2))
        q = oracle.one_sided(joint, np.concatenate([M.ravel(), w.ravel()]), np.concatenate([dM.ravel(), dw.ravel()]))
        assert q == pytest.approx((2 * (M @ w - y).T @ (dM @ w + M @ dw)).item(), rel=1e-5)


def test_the_subscript_of_a_gradient_names_the_variable():
    (step,) = check(r"$$\nabla_w \|Xw\|^2 = 2X^T X w$$").steps
    assert step.verdict == "valid"
    g = lambda w: float(np.sum((A @ w) ** 2))  # noqa: E731
    w = np.array([[0.3], [-1.2]])
    assert np.allclose(oracle.numeric_gradient(g, w), 2 * A.T @ A @ w, atol=1e-5)


def test_the_gradient_in_the_other_name_is_refuted():
    # the gradient of ||Xw||^2 in X is 2 X w w^T, not 2 X^T X w: with X the variable, false
    (step,) = check(r"$$\nabla_X \|Xw\|^2 = 2X^T X w$$").steps
    assert step.verdict == "invalid"
    w = np.array([[0.3], [-1.2]])
    G = oracle.numeric_gradient(lambda M: float(np.sum((M @ w) ** 2)), A)
    assert np.allclose(G, 2 * A @ w @ w.T, atol=1e-5)
    c = step.counterexample
    assert c is not None and "dX" in c.values
