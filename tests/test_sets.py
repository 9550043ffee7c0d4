"""The Clarke-set forms (symderiv/sets.py) answer for themselves, checked by the oracle.

Each case takes the set the engine computes at a kink and checks the form's own answers
against a plain NumPy function: gradients sampled just beside the point (one-sided
differences, tests/oracle.py) lie in it by its contains(G); its support function
bounds every one-sided derivative f'(p; D) and is reached by some nearby gradient (the
set is not too big); exact points on and off its faces are told apart by the exact
contains(G); its JSON is the contract's dict."""
from __future__ import annotations

import json
from fractions import Fraction as Fr

import numpy as np
import pytest
import sympy as sp

from symderiv import sets
from symderiv.api import analyze
from tests import oracle

relu = lambda v: np.maximum(v, 0)  # noqa: E731


def _exact(rows) -> np.ndarray:
    a = np.empty((len(rows), len(rows[0])), dtype=object)
    for idx in np.ndindex(a.shape):
        a[idx] = rows[idx[0]][idx[1]]
    return a


def _beside(f, X, rng, count=120, radius=1e-5):
    """Gradients at random points just beside X (where f is differentiable)."""
    out = []
    for _ in range(count):
        Y = X + radius * rng.uniform(-1, 1, X.shape)
        G = oracle.clean_gradient(f, Y, h=radius * 1e-3)
        if G is not None:
            out.append(G)
    return out


def _float_support(form, D) -> float:
    return float(form.support(list(sp.nsimplify(d) for d in np.ravel(D))))


# name, latex, wrt, the point, a NumPy f of the flat point, the class of the form, JSON of it
CASES = [
    ("box", r"|x| + 2|y|", "x,y", "[0,0]", lambda v: abs(v[0]) + 2 * abs(v[1]), sets.Box,
     {"form": "box", "lower": [-1, -2], "upper": [1, 2], "lower_exact": ["-1", "-2"], "upper_exact": ["1", "2"]}),
    ("hull", r"\max(x, y)", "x,y", "[1,1]", lambda v: max(v[0], v[1]), sets.Hull,
     {"form": "hull", "generators": [[0, 1], [1, 0]]}),
    ("ball", r"\|X\|_F", "X", "[[0,0],[0,0]]", lambda v: float(np.linalg.norm(v)), sets.Ball,
     {"form": "ball", "center": [[0, 0], [0, 0]], "radius": 1, "radius_exact": "1"}),
    ("scaled-ball", r"\|\max(X,0)\|_F", "X", "[[0,0],[0,0]]", lambda v: float(np.linalg.norm(relu(v))),
     sets.ScaledBall, None),
]


@pytest.mark.parametrize("name, tex, wrt, at, f, cls, want", CASES, ids=[c[0] for c in CASES])
def test_a_form_holds_the_gradients_beside_the_kink_and_bounds_f_prime(name, tex, wrt, at, f, cls, want):
    p = analyze(tex, wrt=wrt, at=at).point
    form = p.subdifferential
    assert not p.differentiable and type(form) is cls
    X = np.array(json.loads(at), dtype=float).ravel()
    flat = X.shape[0] if "," in wrt else None
    rng = np.random.default_rng(7)
    grads = _beside(f, X, rng)
    assert len(grads) > 60
    probes = oracle.directions(X.shape, rng, 12)
    # the limiting gradients along each probe, which reach the set's faces
    for D in probes:
        G = oracle.clean_gradient(f, X + 1e-5 * (D / np.abs(D).max() + 0.01 * rng.uniform(-1, 1, X.shape)), 1e-9)
        if G is not None:
            grads.append(G)
    for G in grads:
        assert form.contains(G.reshape(form.shape()), 1e-6), (name, G)
    for D in probes:
        d = oracle.one_sided(f, X, D)
        s = _float_support(form, D) if form.support([0] * X.size) is not None else None
        if s is not None:
            # f is convex in every case here, so its Clarke set is the subdifferential:
            # the support function is f'(p; D) itself, and some gradient beside p reaches it
            assert abs(d - s) < 1e-4 * (1 + np.abs(D).max()), (name, D, d, s)
            best = max(float(np.dot(G, D)) for G in grads)
            assert best > s - 0.05 * (1 + np.abs(D).sum()), (name, D, best, s)
    if want is not None:
        assert form.to_json(flat is not None) == want
    if flat is not None:
        assert form.to_json(True) == json.loads(json.dumps(form.to_json(True)))


def test_exact_membership_tells_a_face_from_just_outside():
    box = analyze(r"|x| + 2|y|", wrt="x,y", at="[0,0]").point.subdifferential
    assert box.contains(_exact([[1], [Fr(-2)]]))               # a corner
    assert box.contains(_exact([[Fr(1, 3)], [2]]))             # on a face
    assert not box.contains(_exact([[Fr(1) + Fr(1, 10**12)], [0]]))
    hull = analyze(r"\max(x, y)", wrt="x,y", at="[1,1]").point.subdifferential
    assert hull.contains(_exact([[Fr(1, 2)], [Fr(1, 2)]]))
    assert not hull.contains(_exact([[Fr(1, 2)], [Fr(1, 2) + Fr(1, 10**9)]]))    # off the segment
    assert not hull.contains(_exact([[1], [1]]))
    ball = analyze(r"\|X\|_F", wrt="X", at="[[0,0],[0,0]]").point.subdifferential
    assert ball.contains(_exact([[Fr(3, 5), 0], [0, Fr(4, 5)]]))                 # on the sphere
    assert ball.contains(_exact([[sp.sqrt(2) / 2, 0], [0, sp.sqrt(2) / 2]]))     # exactly, with roots
    assert not ball.contains(_exact([[Fr(3, 5), 0], [0, Fr(4, 5) + Fr(1, 10**12)]]))
    cone = analyze(r"\|\max(X,0)\|_F", wrt="X", at="[[0,0],[0,0]]").point.subdifferential
    assert cone.contains(_exact([[Fr(3, 5), 0], [0, Fr(4, 5)]]))
    assert not cone.contains(_exact([[Fr(-1, 10**9), 0], [0, 0]]))              # the sign constraint
    # and the oracle agrees on the float side: the function's gradient beside 0 is >= 0
    G = oracle.clean_gradient(lambda v: float(np.linalg.norm(relu(v))), np.array([[1e-5, -1e-5], [2e-5, 0.5e-5]]),
                              1e-9)
    assert G is not None and cone.contains(G, 1e-6) and cone.contains(-G, 1e-6) is False


def test_one_point_and_the_forms_that_collapse_to_it():
    p = analyze(r"\|X\|_F^2", wrt="X", at="[[1,2],[3,4]]").point
    assert p.differentiable and type(p.subdifferential) is sets.Point
    X = np.array([[1.0, 2.0], [3.0, 4.0]])
    G = oracle.numeric_gradient(lambda v: float(np.sum(v * v)), X)
    assert p.subdifferential.contains(G, 1e-6)
    assert p.subdifferential.contains(_exact([[2, 4], [6, 8]]))
    assert not p.subdifferential.contains(_exact([[2, 4], [6, Fr(8) + Fr(1, 10**9)]]))
    # a box, a ball, a hull with one element are that element
    g = _exact([[1, 2]])
    assert sets.Box(g, g.copy()).singleton() is g
    assert sets.Ball(g, 0).singleton() is g and sets.Ball(g, Fr(1, 2)).singleton() is None
    assert sets.Hull([g, g.copy()]).singleton() is g


def test_no_clarke_set_where_f_jumps_and_an_undecided_one_is_not_null():
    # H(x) at 0 jumps: not locally Lipschitz, the contract's null with a reason
    p = analyze(r"H(x)", wrt="x", at="0").point
    assert p.subdifferential is None and type(p.clarke) is sets.NoClarkeSet
    assert p.clarke.to_json(False) is None and p.clarke.reason == p.reason and not p.clarke.exists
    step = lambda v: float(v[0] > 0)  # noqa: E731
    assert abs(step(np.array([1e-9])) - step(np.array([-1e-9]))) == 1.0      # the oracle sees the jump
    # H(x) y^2 at 0: the exact test gives the gradient, not the set
    p = analyze(r"H(x)y^2", wrt="x,y", at="[0,0]").point
    form = p.subdifferential
    assert type(form) is sets.Undecided and not form.decided and form.contains(_exact([[0, 0]])) is None
    assert form.to_json(True) == {"form": "described", "text": form.text, "latex": form.latex, "decided": False}
    assert form.text.startswith("not decided: ") and form.latex.startswith(r"\text{not decided: ")
    f = lambda v: float(v[0] > 0) * v[1] ** 2  # noqa: E731
    assert abs(oracle.one_sided(f, np.zeros(2), np.array([1.0, 1.0]))) < 1e-6  # f'(0; D) = 0: the gradient 0


def test_words_and_the_mapping_view():
    box = sets.Box(_exact([[Fr(-1, 2), 0]]), _exact([[1, 0]]))
    assert box.to_text(False) == "the box [[-1/2, 0]] ≤ G ≤ [[1, 0]] (entrywise)"
    assert box.to_latex(False) == (r"\{G : \begin{bmatrix}- \frac{1}{2} & 0\end{bmatrix} \le G \le "
                                   r"\begin{bmatrix}1 & 0\end{bmatrix}\}")
    ball = sets.Ball(_exact([[0, 1]]), Fr(1, 2))
    assert ball.to_text(False) == "the ball ‖G - [[0, 1]]‖_F ≤ 1/2"
    assert ball.to_json(False) == {"form": "ball", "center": [[0, 1]], "radius": 0.5, "radius_exact": "1/2"}
    hull = sets.Hull([_exact([[1, 0]]), _exact([[0, 1]])])
    assert hull.to_text(False) == "the convex hull of [[1, 0]]; [[0, 1]]"
    assert hull.to_latex(False).startswith(r"\operatorname{conv}\{")
    # the fields under the contract's names, exact
    assert box["form"] == "box" and box.get("form") == "box" and set(box) == {"form", "lower", "upper"}
    assert box == sets.Box(_exact([[Fr(-1, 2), 0]]), _exact([[1, 0]])) and box != ball
    # the support function is max <G, D> over the set: at D = (1, 1), 1 for the box,
    # 1 + 1/sqrt(2) for the ball, 1 for the hull
    assert box.support([1, 1]) == 1
    assert sp.simplify(ball.support([1, 1]) - (1 + sp.sqrt(2) / 2)) == 0
    assert hull.support([1, 1]) == 1
