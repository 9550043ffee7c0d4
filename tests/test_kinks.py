"""The kink kinds (symderiv/kinks.py) answer for themselves, checked by the oracle.

For a switch, a norm at its zero and a tied max: the kink's class, where it lies and
where f fails on it (text and LaTeX), its JSON item; and what it says of a point
(fails_at) against one-sided difference quotients of a plain NumPy f at points on the
failing set (f'(p; D) + f'(p; -D) != 0 somewhere) and just off it (f'(p; D) = <G, D>
with G from central differences)."""
from __future__ import annotations

import numpy as np
import pytest
from fractions import Fraction as Fr

from symderiv import kinks as K
from symderiv.api import analyze
from symderiv.evaluate import Evaluator, bind_dims
from symderiv.render import spell
from tests import oracle


def _at(verdict, point):
    """An evaluator holding the variable at an exact point."""
    arr = np.empty(np.shape(point), dtype=object)
    for idx in np.ndindex(arr.shape):
        arr[idx] = Fr(point[idx]).limit_denominator(1000)
    vals = {verdict.var.name: arr}
    return Evaluator(vals, bind_dims(verdict.f, vals))


def _oracle_fails(f, X, rng) -> bool:
    """The oracle's word at X: True where f is not differentiable."""
    try:
        oracle.check_not_differentiable(f, X, rng)
        return True
    except AssertionError:
        oracle.check_gradient(f, X, oracle.numeric_gradient(f, X), rng)
        return False


# tex, wrt, f of an array shaped like the variable, class, where it lies (text, LaTeX),
# where f fails (text), points on the failing set, points off it
CASES = [
    ("abs", r"|x| + |y|", "x,y", lambda v: abs(v[0, 0]) + abs(v[1, 0]), K.SwitchKink,
     ("x = 0", "x = 0"), "x = 0", [[[0], [1]], [[0], [-3]]], [[[1], [2]], [[-0.5], [0.25]]]),
    ("product", r"|x y|", "x,y", lambda v: abs(v[0, 0] * v[1, 0]), K.SwitchKink,
     ("x y = 0", "x y = 0"), "x y = 0 and ∇(x y) ≠ 0", [[[0], [1]], [[2], [0]]], [[[1], [1]], [[0], [0]]]),
    ("relu", r"\sum_{i,j} \max(x_{ij}, 0)", "X", lambda v: float(np.sum(np.maximum(v, 0))), K.SwitchKink, None, None,
     [[[0, 1], [1, 1]], [[1, 1], [1, 0]]], [[[1, 2], [-1, 3]]]),
    ("norm", r"\|X\|_F", "X", lambda v: float(np.linalg.norm(v)), K.NormKink,
     ("X = 0", "X = 0"), "X = 0", [[[0, 0], [0, 0]]], [[[0, 1], [0, 0]], [[1, -1], [2, 0]]]),
    ("max", r"\max_{i,j} x_{ij}", "X", lambda v: float(np.max(v)), K.MaxKink,
     ("the largest entry of X is attained more than once",
      r"\text{the largest entry of } X \text{ is attained more than once}"),
     "the largest entry of X is attained more than once", [[[1, 1], [0, 0]], [[0, 2], [-1, 2]]],
     [[[1, 2], [0, 0]], [[0, 0], [0, 1]]]),
]


@pytest.mark.parametrize("name, tex, wrt, f, cls, place, where, on, off", CASES, ids=[c[0] for c in CASES])
def test_a_kink_says_where_it_is_and_where_f_fails(name, tex, wrt, f, cls, place, where, on, off):
    a = analyze(tex, wrt=wrt)
    v = a.verdict
    failing = v.failing
    assert failing and all(type(k) is cls for k in failing), [type(k).__name__ for k in v.kinks]
    N, L = spell.notation(False, a), spell.notation(True, a)
    k = failing[0]
    if place is not None:
        assert (k.place(N), k.place(L)) == place
        assert k.where(N) == where
    item = k.to_json(N, L)
    assert item["kind"] == cls.kind and item["differentiable"] is False and item["fails"]["text"] == k.where(N)
    assert item["where"] == {"text": k.place(N), "latex": k.place(L)}
    assert k.story(N).endswith(".") and k.story(L).count("$") % 2 == 0
    rng = np.random.default_rng(3)
    for point, want in [(p, True) for p in on] + [(p, False) for p in off]:
        X = np.array(point, dtype=float)
        assert _oracle_fails(f, X, rng) is want, (name, point)
        ev = _at(v, X)
        said = any(kk.fails_at(ev, v.var) for kk in failing)
        assert said is want, (name, point, said)


def test_a_switch_that_moves_only_for_some_constants():
    # max(a x, x) switches where (a - 1) x = 0: for a = 1 that is every x, and f = x is smooth
    a = analyze(r"\max(a x, x)", wrt="x")
    (k,) = a.verdict.failing
    assert k.where(spell.notation(False, a)) == "a x = x and a ≠ 1"
    smooth = analyze(r"\max(a x, x)", wrt="x", let=["a=1"], at="0").point
    kinked = analyze(r"\max(a x, x)", wrt="x", let=["a=3"], at="0").point
    rng = np.random.default_rng(5)
    f1 = lambda v: max(v[0, 0], v[0, 0])  # noqa: E731
    f3 = lambda v: max(3 * v[0, 0], v[0, 0])  # noqa: E731
    assert smooth.differentiable and not _oracle_fails(f1, np.zeros((1, 1)), rng)
    assert not kinked.differentiable and _oracle_fails(f3, np.zeros((1, 1)), rng)
    # the Clarke set [1, 3]: the one-sided slopes along the axis
    assert kinked.subdifferential.contains(np.array([[2]], dtype=object))
    assert oracle.one_sided(f3, np.zeros((1, 1)), np.ones((1, 1))) == pytest.approx(3)
    assert -oracle.one_sided(f3, np.zeros((1, 1)), -np.ones((1, 1))) == pytest.approx(1)


def test_a_harmless_switch_and_a_norm_outside_the_domain():
    # ‖max(X, 0)‖²: the switch's weight 2 max(x_ij, 0) is 0 on it, so f is differentiable
    a = analyze(r"\|\max(X,0)\|_F^2", wrt="X")
    (k,) = a.verdict.kinks
    assert type(k) is K.SwitchKink and not k.fails and "f is differentiable there" in k.story(spell.notation(False, a))
    assert "fails" not in k.to_json(spell.notation(False, a), spell.notation(True, a))
    f = lambda v: float(np.sum(np.maximum(v, 0) ** 2))  # noqa: E731
    X = np.array([[0.0, 1.0], [-2.0, 0.0]])
    oracle.check_gradient(f, X, 2 * np.maximum(X, 0), np.random.default_rng(9))
    # 1/‖X‖_F is not defined at X = 0: its norm's zero is outside the domain, no kink of f
    b = analyze(r"1/\|X\|_F", wrt="X")
    assert not any(type(k) is K.NormKink for k in b.verdict.kinks)


def test_the_analysis_at_a_point_reads_a_max_before_its_arguments_kinks():
    # max_i |x_i| at 0: the tie folds the kinks of |x_i| into the max's set
    assert K.MaxKink.read_first and not K.SwitchKink.read_first and not K.NormKink.read_first
    p = analyze(r"\max_{i,j} |x_{ij}|", wrt="X", at="[[0,0],[0,0]]").point
    f = lambda v: float(np.max(np.abs(v)))  # noqa: E731
    # the Clarke set is the l1 unit ball: every gradient beside 0 (±E_ij) lies in it, and
    # its support along D is max |D_ij|, which is f'(0; D)
    form = p.subdifferential
    assert not p.differentiable and len(form.generators) == 8
    rng = np.random.default_rng(2)
    seen = 0
    for _ in range(40):
        G = oracle.clean_gradient(f, 1e-5 * rng.uniform(-1, 1, (2, 2)), 1e-9)
        if G is not None:
            seen += 1
            assert form.contains(G, 1e-6)
    assert seen > 20
    for D in ([[1, 0], [0, 0]], [[1, 1], [0, -1]], [[-2, 1], [0.5, 0]], [[0.5, -3], [1, 1]]):
        Dm = np.array(D, dtype=float)
        assert float(form.support([Fr(d).limit_denominator(100) for d in Dm.flat])) == pytest.approx(
            oracle.one_sided(f, np.zeros((2, 2)), Dm), abs=1e-6)


@pytest.mark.parametrize("a", [Fr(3), Fr(-2), Fr(1, 2)])
def test_the_jump_of_max_ax_x_is_printed_simplified(a):
    # The gradient of max(a x, x) jumps by J grad(a x - x) across x = 0; the recorded text
    # said "2a/(2a - 2) - 2/(2a - 2)", which is 1.  The oracle: the one-sided slopes of f at
    # 0 on the side where a x - x > 0 and where it is < 0, their difference over (a - 1).
    k, = analyze(r"\max(a x, x)", wrt="x").verdict.failing
    assert k.strength == 1
    text = k.story(spell.notation(False, analyze(r"\max(a x, x)", wrt="x")))
    assert "jumps by 1 times ∇(a x - x)" in text and "2 a" not in text
    f = lambda v: max(float(a) * v[0, 0], v[0, 0])  # noqa: E731
    up = np.ones((1, 1)) * (1 if a > 1 else -1)          # the side where a x - x > 0
    slope_pos = oracle.one_sided(f, np.zeros((1, 1)), up) * up[0, 0]
    slope_neg = -oracle.one_sided(f, np.zeros((1, 1)), -up) * up[0, 0]
    assert (slope_pos - slope_neg) / float(a - 1) == pytest.approx(1, abs=1e-6)
