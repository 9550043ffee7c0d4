"""The public API's reuse of one analysis at several points (Analysis.at).

The global verdict, the routes and the curvature do not depend on the point, so
``analysis.at(p)`` reuses them; the answer at p must be exactly what a fresh
``analyze(text, at=p)`` gives, and right by the numeric oracle."""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pytest

from symderiv.api import analyze
from symderiv.errors import InputError, Unsupported
from tests import oracle

CASES = [
    # max(|x|, 2x^2): f = |x| near 0 (a tie on the kink of |x|), 2x^2 past |x| = 1/2
    (r"\max(|x|, 2x^2)", None, lambda v: max(abs(v[0]), 2 * v[0] ** 2), ["0", "1/2", "1/3", "-1/2", "2"]),
    # min(|x|, 2x^2): f = 2x^2 near 0, differentiable there with gradient 0
    (r"\min(|x|, 2x^2)", None, lambda v: min(abs(v[0]), 2 * v[0] ** 2), ["0", "1/2", "-1/4"]),
    (r"\max(|x|, |y|)", "x,y", lambda v: max(abs(v[0]), abs(v[1])), ["[0,0]", "[1,1]", "[1,-1]", "[2,1]"]),
]


def _same(a, b) -> bool:
    """Equal Clarke-set descriptions (dicts, lists and exact object arrays)."""
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(np.asarray(a, dtype=object), np.asarray(b, dtype=object))
    return a == b


def _frac(text):
    from fractions import Fraction
    return [float(Fraction(t)) for t in text.strip("[]").split(",")]


@pytest.mark.parametrize("tex,wrt,f,points", CASES, ids=[c[0] for c in CASES])
def test_at_reuses_the_analysis_and_answers_as_a_fresh_one(tex, wrt, f, points):
    first = analyze(tex, wrt=wrt, at=points[0])
    for p in points:
        again = first.at(p)
        fresh = analyze(tex, wrt=wrt, at=p)
        a, b = again.point, fresh.point
        assert a.differentiable == b.differentiable, p
        assert a.value == b.value
        if a.differentiable:
            assert np.array_equal(np.asarray(a.gradient, dtype=object), np.asarray(b.gradient, dtype=object))
        else:
            assert _same(a.subdifferential, b.subdifferential)
        assert again.verdict is first.verdict            # reused, not recomputed
        X = np.array(_frac(p))
        g = lambda v: f(np.ravel(v))
        if a.differentiable:
            G = np.asarray(a.gradient, dtype=float).ravel()
            for i in range(len(X)):
                E = np.zeros_like(X)
                E[i] = 1
                assert abs(oracle.one_sided(g, X, E) - G[i]) < 1e-4
                assert abs(oracle.one_sided(g, X, -E) + G[i]) < 1e-4
        else:
            slopes = []
            for i in range(len(X)):
                E = np.zeros_like(X)
                E[i] = 1
                slopes.append(oracle.one_sided(g, X, E) + oracle.one_sided(g, X, -E))
            # not differentiable: some axis has one-sided slopes that do not cancel, or (in
            # the plane, on a diagonal) a direction along which f'(p; D) + f'(p; -D) != 0
            dirs = [np.array(d, dtype=float) for d in ([1, 1], [1, -1])] if len(X) == 2 else []
            slopes += [oracle.one_sided(g, X, D) + oracle.one_sided(g, X, -D) for D in dirs]
            assert max(abs(s) for s in slopes) > 1e-3


def test_at_keeps_the_shape_and_needs_a_point():
    a = analyze(r"\max(|x|, |y|)", wrt="x,y", at="[0,0]")
    with pytest.raises(InputError, match="--at"):
        a.at("[0,0,0]")
    with pytest.raises(InputError, match="--at"):
        analyze(r"|x|").at("0")


def test_a_point_answer_the_global_verdict_contradicts_is_not_given():
    """clip(sgn(max(u, 0)), -2, 0) is 0 everywhere (sgn of a ReLU is 0 or 1, clipped to 0),
    so it is differentiable at u = 0 too; the point model once saw sgn's jump there and
    said 'not differentiable'.  Two of the tool's answers disagreeing is 'not decided'."""
    tex = r"\operatorname{clip}(\operatorname{sgn}(\max(\frac{1}{2}x + 2y - 2, 0)), -2, 0)"
    a = analyze(tex, wrt="x,y")
    assert a.verdict.differentiable_everywhere is True
    f = lambda v: min(max(float(np.sign(max(v[0] / 2 + 2 * v[1] - 2, 0.0))), -2.0), 0.0)  # noqa: E731
    rng = np.random.default_rng(3)
    for p in ([-4.0, 2.0], [-1.0, 1.25]):           # on the switch u = 0
        assert all(f(np.array(p) + 1e-6 * rng.uniform(-1, 1, 2)) == 0.0 for _ in range(50))
        with pytest.raises(Unsupported, match="not decided"):
            analyze(tex, wrt="x,y", at=str(p).replace(".0", ""))
