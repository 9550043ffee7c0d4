"""checking.decide: is lhs = rhs, symbolically and at exact points.

Each claim is given twice: as LaTeX for the checker, and as two NumPy functions of the
point (a differential d g is the one-sided difference quotient of g along dX, computed
by the oracle).  A 'valid' claim must hold at random points and at points with exact
zeros; an 'invalid' one must come with a counterexample at which the NumPy sides differ
and equal the values the checker reports; a 'valid where' one must hold at random points
and fail (or be undefined) at the kink point it reports."""
from __future__ import annotations

import numpy as np
import pytest

from symderiv.checking import decide as D
from symderiv.checking.nodes import build_step
from symderiv.checking.reading import read
from tests import oracle

relu = lambda a: np.maximum(a, 0)  # noqa: E731
H = lambda a: np.heaviside(a, 0.5)  # noqa: E731


def run(text, variable):
    chain = read(text)
    built = build_step([t.term for t in chain.terms], [], variable)
    generic, how, witness = D.symbolic(built)
    return built, D.decide(built, generic, how, witness)


def d(g):
    """The differential of g along dX: its one-sided directional derivative."""
    return lambda v: oracle.one_sided(lambda Y: np.asarray(g({**v, "X": Y, "x": Y}), dtype=float),
                                      v["X"] if "X" in v else v["x"], v["dX"] if "dX" in v else v["dx"])


# text, variable, lhs(v), rhs(v), expected verdict
CLAIMS = [
    (r"\max(X,0) + \min(X,0) = X", "X", lambda v: relu(v["X"]) + np.minimum(v["X"], 0), lambda v: v["X"], "valid"),
    (r"|X| = X \odot \operatorname{sign}(X)", "X", lambda v: np.abs(v["X"]), lambda v: v["X"] * np.sign(v["X"]), "valid"),
    (r"\operatorname{tr}(X^TX) = \|X\|_F^2", "X", lambda v: np.trace(v["X"].T @ v["X"]),
     lambda v: np.sum(v["X"] ** 2), "valid"),
    (r"\operatorname{tr}(ABC) = \operatorname{tr}(BAC)", "X", lambda v: np.trace(v["A"] @ v["B"] @ v["C"]),
     lambda v: np.trace(v["B"] @ v["A"] @ v["C"]), "invalid"),
    (r"|x+y| = |x| + |y|", "x", lambda v: np.abs(v["x"] + v["y"]), lambda v: np.abs(v["x"]) + np.abs(v["y"]),
     "invalid"),
    (r"\|X\|_F = \operatorname{tr}(X)", "X", lambda v: np.linalg.norm(v["X"]), lambda v: np.trace(v["X"]), "invalid"),
    (r"|x|/x = \operatorname{sign}(x)", "x", lambda v: np.abs(v["x"]) / v["x"], lambda v: np.sign(v["x"]),
     "valid-where"),
    (r"d\|X\|_F^2 = 2\operatorname{tr}(X^T dX)", "X", d(lambda v: np.sum(v["X"] ** 2)),
     lambda v: 2 * np.trace(v["X"].T @ v["dX"]), "valid"),
    (r"d(X^TX) = 2X^T dX", "X", None, lambda v: 2 * v["X"].T @ v["dX"], "invalid"),
    (r"d|x| = \operatorname{sign}(x) dx", "x", d(lambda v: np.abs(v["x"])), lambda v: np.sign(v["x"]) * v["dx"],
     "valid-where"),
    (r"d\sigma(x) = H(x) dx", "x", d(lambda v: relu(v["x"])), lambda v: H(v["x"]) * v["dx"], "valid-where"),
    (r"d\|\sigma(X)\|_F^2 = 2\langle \sigma(X), dX\rangle", "X", d(lambda v: np.sum(relu(v["X"]) ** 2)),
     lambda v: 2 * np.sum(relu(v["X"]) * v["dX"]), "valid"),
]


def as_float(values):
    return {k: np.asarray(a, dtype=object).astype(float) for k, a in values.items()}


def differential_lhs(text):
    # d(X^T X) along dX, for the one claim whose lhs is a matrix differential
    return lambda v: v["dX"].T @ v["X"] + v["X"].T @ v["dX"]


def random_point(built, rng, zeros=False):
    from symderiv.checking.sample import leaves
    v = {}
    for s in leaves(built.sides):
        shape = tuple(2 if not str(dim).isdigit() else int(str(dim)) for dim in s.shape)
        a = rng.uniform(-3, 3, shape)
        if zeros and not s.name.startswith("d"):
            a[rng.random(shape) < 0.5] = 0
        v[s.name] = a
    return v


@pytest.mark.parametrize("text,var,lhs,rhs,verdict", CLAIMS, ids=[c[0] for c in CLAIMS])
def test_verdicts_agree_with_numpy(text, var, lhs, rhs, verdict):
    lhs = lhs or differential_lhs(text)
    built, outcome = run(text, var)
    assert outcome.verdict == verdict, (outcome.verdict, outcome.how)
    rng = np.random.default_rng(len(text))
    if verdict in ("valid", "valid-where"):
        # random points: off the kinks almost surely, where every such claim holds
        for _ in range(5):
            v = random_point(built, rng)
            assert np.allclose(lhs(v), rhs(v), atol=1e-5), v
    if verdict == "valid":
        for _ in range(5):
            v = random_point(built, rng, zeros=True)
            with np.errstate(all="ignore"):
                assert np.allclose(lhs(v), rhs(v), atol=1e-5), v
        assert outcome.counterexample is None
        return
    cex = outcome.counterexample
    assert cex is not None
    v = as_float(cex.point.values)
    with np.errstate(all="ignore"):
        left, right = np.asarray(lhs(v), dtype=float), np.asarray(rhs(v), dtype=float)
    if verdict == "invalid":
        assert not np.allclose(left, right, atol=1e-5)
        # the reported values are the NumPy ones
        for got, want in ((cex.lhs, left), (cex.rhs, right)):
            assert np.allclose(np.asarray(got, dtype=object).astype(float).reshape(np.shape(want) or (1, 1)),
                               np.reshape(want, np.shape(want) or (1, 1)), atol=1e-5)
    else:
        # on a kink: the sides differ there, or one has no value
        assert cex.point.kink
        assert not (np.all(np.isfinite(left)) and np.all(np.isfinite(right)) and np.allclose(left, right, atol=1e-5))


def test_quick_answers_like_the_full_test_off_the_kinks():
    for text, var, verdict in [(r"\max(X,0) + \min(X,0) = X", "X", True),
                               (r"\operatorname{tr}(ABC) = \operatorname{tr}(BAC)", "X", False),
                               (r"|x+y| = |x| + |y|", "x", False)]:
        chain = read(text)
        assert D.quick(build_step([t.term for t in chain.terms], [], var)) is verdict


def test_a_false_identity_holds_on_the_cells_it_reports():
    """|x + y| = |x| + |y| holds exactly where x and y have the same sign: the cells
    reported must be those, checked at random points of each cell and outside them."""
    built, outcome = run(r"|x+y| = |x| + |y|", "x")
    assert outcome.verdict == "invalid" and outcome.holds_on
    from symderiv.evaluate import Evaluator
    rng = np.random.default_rng(1)
    for _ in range(40):
        x, y = rng.uniform(-3, 3, 2)
        from fractions import Fraction as Fr
        vals = {"x": np.array([[Fr(x).limit_denominator(1000)]], dtype=object),
                "y": np.array([[Fr(y).limit_denominator(1000)]], dtype=object)}
        inside = any(all(np.sign(float(Evaluator(vals, {})(u)[0, 0])) == s for u, s in cell)
                     for cell in outcome.holds_on)
        xf, yf = float(vals["x"][0, 0]), float(vals["y"][0, 0])
        assert inside == (abs(abs(xf + yf) - abs(xf) - abs(yf)) < 1e-12)
