"""checking.identity: the randomized identity test over kinks' signs, against NumPy.

Random polynomial expressions in ReLU, |.|, max, sign and H of affine arguments are
rewritten by exact identities (relu u = (u + |u|)/2, |u| = u sign u, max(a, b) =
(a + b + |a - b|)/2, H(u) u = relu u): each difference must be called 0, and NumPy must
find it 0 at random points.  The same difference with an extra kinked term must never be
called 0, and NumPy must find it nonzero at some random point (the test's "0" is a
proof, so a false "0" is the one error that matters)."""
from __future__ import annotations

import random

import numpy as np
import pytest
import sympy as sp

from symderiv.checking.identity import zero_off_kinks
from symderiv.scalar import FUNCS

x, y, z = sp.symbols("x y z", real=True)
relu, absf, sign, H, mx = FUNCS["relu"], FUNCS["abs"], FUNCS["sign"], FUNCS["heaviside"], FUNCS["max"]
NP = {"relu": lambda a: np.maximum(a, 0), "H": lambda a: np.heaviside(a, 0.5)}


def affine(rng):
    return sum(rng.randint(-3, 3) * v for v in (x, y, z)) + rng.randint(-2, 2)


def pair(rng):
    """(a term, the same term rewritten) in SymPy, and both forms as NumPy functions."""
    u, w = affine(rng), affine(rng)
    fu = sp.lambdify((x, y, z), u, "numpy")
    fw = sp.lambdify((x, y, z), w, "numpy")
    k = rng.randrange(4)
    if k == 0:
        return (relu(u), (u + absf(u)) / 2, lambda *p: NP["relu"](fu(*p)),
                lambda *p: (fu(*p) + np.abs(fu(*p))) / 2)
    if k == 1:
        return absf(u), u * sign(u), lambda *p: np.abs(fu(*p)), lambda *p: fu(*p) * np.sign(fu(*p))
    if k == 2:
        return (mx(u, w), (u + w + absf(u - w)) / 2, lambda *p: np.maximum(fu(*p), fw(*p)),
                lambda *p: (fu(*p) + fw(*p) + np.abs(fu(*p) - fw(*p))) / 2)
    return H(u) * u, relu(u), lambda *p: NP["H"](fu(*p)) * fu(*p), lambda *p: NP["relu"](fu(*p))


def composite(rng, parts=3):
    """A polynomial of a few such terms in both forms, SymPy and NumPy."""
    terms = [pair(rng) for _ in range(parts)]
    c = [rng.randint(-3, 3) or 1 for _ in terms]
    a = sum(ci * t[0] for ci, t in zip(c, terms)) * (terms[0][0] + x)
    b = sum(ci * t[1] for ci, t in zip(c, terms)) * (terms[0][1] + x)

    def fa(*p):
        return sum(ci * t[2](*p) for ci, t in zip(c, terms)) * (terms[0][2](*p) + p[0])

    def fb(*p):
        return sum(ci * t[3](*p) for ci, t in zip(c, terms)) * (terms[0][3](*p) + p[0])
    return a, b, fa, fb


@pytest.mark.parametrize("seed", range(6))
def test_rewritten_identities_are_zero_and_numpy_agrees(seed):
    rng = random.Random(seed)
    a, b, fa, fb = composite(rng)
    assert zero_off_kinks(sp.expand(a - b)) is True
    P = np.random.default_rng(seed).uniform(-3, 3, (25, 3))
    assert np.allclose([fa(*p) for p in P], [fb(*p) for p in P], atol=1e-9)


@pytest.mark.parametrize("seed", range(6))
def test_an_extra_kinked_term_is_never_called_zero(seed):
    rng = random.Random(100 + seed)
    a, b, fa, fb = composite(rng)
    bad = sp.expand(a - b + x * relu(x + y))              # an extra kinked term
    assert zero_off_kinks(bad) is None
    # NumPy: the whole difference is not zero at some random point
    P = np.random.default_rng(seed).uniform(-3, 3, (25, 3))
    assert np.any(np.abs([fa(*p) - fb(*p) + p[0] * max(p[0] + p[1], 0) for p in P]) > 1e-6)


def test_rational_functions():
    # relu(x) x / (x^2 + 1) written with |x|: a rational function whose denominator has
    # no kink and never vanishes, so the test's "0" is a proof
    e = sp.expand(relu(x) * x / (x ** 2 + y ** 2 + 1) - (x + absf(x)) * x / (2 * (x ** 2 + y ** 2 + 1)))
    assert zero_off_kinks(e) is True
    P = np.random.default_rng(0).uniform(-3, 3, (20, 2))
    assert np.allclose([max(a, 0) * a / (a * a + b * b + 1) for a, b in P],
                       [(a + abs(a)) * a / (2 * (a * a + b * b + 1)) for a, b in P])
    # a sign in a denominator is outside the test's form: no answer, even where it holds
    assert zero_off_kinks(sp.expand(1 / (x ** 2 + 1) - (absf(x) ** 2 + 1) ** -1)) is None
