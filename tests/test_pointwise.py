"""Points where the usual picture (one kink, finite slopes, a side to choose) breaks down.

Each claim is checked by the numeric oracle on a hand-written NumPy function; where
symderiv declines ("unverified", exit 3) the oracle shows why the question is delicate."""
from __future__ import annotations

import json

import numpy as np
import pytest

from symderiv.cli import main
from tests import oracle

relu = lambda a: np.maximum(a, 0)  # noqa: E731
step = lambda a: np.heaviside(a, 0.5)  # noqa: E731


def run(capsys, *args):
    code = main(["diff", *args, "--format", "json"])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 else err)


def diff_json(capsys, *args):
    code, d = run(capsys, *args)
    assert code == 0, d
    return d


def declined(capsys, *args, code=3) -> str:
    got, err = run(capsys, *args)
    assert got == code, err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
    return err


# ---------------------------------------------------------------- a switch seen transposed

@pytest.mark.parametrize("latex,point,fn", [
    (r"\max(x,0)^T x", [[1], [0], [-1]], lambda v: float(np.sum(relu(v) * v))),
    (r"\operatorname{tr}(X\max(X,0))", [[0, 1], [2, 0]], lambda X: float(np.trace(X @ relu(X)))),
    (r"\operatorname{tr}(\max(X,0) X)", [[0, -1], [3, 0]], lambda X: float(np.trace(relu(X) @ X))),
])
def test_a_kink_read_through_a_transpose_keeps_its_side(capsys, latex, point, fn):
    d = diff_json(capsys, latex, "--at", json.dumps(point))
    assert d["at"]["differentiable"] is True
    X = np.array(point, dtype=float)
    G = np.array(d["at"]["gradient"], float).reshape(X.shape)
    oracle.check_gradient(fn, X, G, np.random.default_rng(10))


# ---------------------------------------------------------------- jumps that start here

def test_a_jump_that_grows_from_zero_is_not_differentiable(capsys):
    d = diff_json(capsys, "H(x)y", "--wrt", "x,y", "--at", "[0,0]")
    assert d["nondifferentiable_set"]["text"] == "x = 0"
    at = d["at"]
    assert at["differentiable"] is False and at["subdifferential"] is None
    assert "not locally Lipschitz" in at["reason"]
    f = lambda v: float(step(v[0]) * v[1])  # noqa: E731
    oracle.check_not_differentiable(f, np.zeros(2), np.random.default_rng(11))


def test_a_jump_that_vanishes_to_second_order_is_decided_by_the_exact_test(capsys):
    # H(x) y^2 is differentiable at the origin (|f| <= y^2), though it jumps nearby:
    # the verdict's set must leave the origin out; at the point the kinks' analysis leaves
    # it open and the arbiter's exact test decides it (f'(0; D) = 0 for every D, the jump
    # multiplied by y^2, which vanishes to second order); it gives no Clarke set, and says
    # so with a described form marked undecided (null would claim f is not locally Lipschitz)
    d = diff_json(capsys, "H(x)y^2", "--wrt", "x,y")
    assert d["nondifferentiable_set"]["text"] == "x = 0 and y ≠ 0"
    f = lambda v: float(step(v[0]) * v[1] ** 2)  # noqa: E731
    oracle.check_gradient(f, np.zeros(2), np.zeros(2), np.random.default_rng(12))
    oracle.check_not_differentiable(f, np.array([0.0, 1.0]), np.random.default_rng(12))
    at = diff_json(capsys, "H(x)y^2", "--wrt", "x,y", "--at", "[0,0]")["at"]
    assert at["differentiable"] is True and at["gradient"] == [0, 0]
    assert at["subdifferential"] == {"form": "described", "text": "not decided: the exact test gives the gradient, "
                                     "not the set", "latex": r"\text{not decided: the exact test gives the "
                                     "gradient, not the set}", "decided": False}
    assert "not decided" in at["reason"]
    assert at["arbiter"]["overrode"] is True


# ---------------------------------------------------------------- fractional powers of kinks

def test_square_root_of_a_kink_has_no_clarke_set(capsys):
    d = diff_json(capsys, "|x|^{1/2}", "--at", "0")
    assert d["differentiable_everywhere"] is False and d["smoothness"] == 0
    assert d["nondifferentiable_set"]["text"] == "x = 0"
    assert d["at"]["differentiable"] is False and d["at"]["subdifferential"] is None
    f = lambda v: float(np.sqrt(np.abs(v)).sum())  # noqa: E731
    # the difference quotient grows like h^(-1/2): ten times smaller h, about three times larger
    q = [oracle.one_sided(f, np.zeros(1), np.ones(1), h) for h in (1e-4, 1e-6)]
    assert q[1] > 5 * q[0] > 0


def test_a_power_above_one_smooths_the_kink(capsys):
    d = diff_json(capsys, "|x|^{3/2}")
    assert d["differentiable_everywhere"] is True
    assert d["smoothness"] == 1
    assert d["routes"]["agree"] is True
    f = lambda v: float((np.abs(v) ** 1.5).sum())  # noqa: E731
    # the quotient at 0 is h^(1/2) from both sides: it tends to 0, the claimed gradient
    for h in (1e-8, 1e-10):
        assert abs(oracle.one_sided(f, np.zeros(1), np.ones(1), h)) < 3 * h ** 0.5
        assert abs(oracle.one_sided(f, np.zeros(1), -np.ones(1), h)) < 3 * h ** 0.5
    oracle.check_gradient(f, np.array([0.7]), np.array([1.5 * 0.7 ** 0.5]), np.random.default_rng(13))

@pytest.mark.parametrize("latex,point,fn", [
    (r"|x|^{3/2}", [0], lambda v: float((np.abs(v) ** 1.5).sum())),
    (r"\max(-x,0)^{3/2}", [0], lambda v: float((relu(-v) ** 1.5).sum())),
    (r"\max(-x,0)^{3/2}", [-4], lambda v: float((relu(-v) ** 1.5).sum())),
    (r"|x|^{5/2} + \max(x,0)^{3/2}", [0], lambda v: float((np.abs(v) ** 2.5 + relu(v) ** 1.5).sum())),
    (r"\sum_{i,j}|x_{ij}|^{3/2}", [[0, 1], [-4, 0]], lambda X: float((np.abs(X) ** 1.5).sum())),
])
def test_a_gradient_whose_sign_form_is_0_over_0_on_the_kink_is_still_given(capsys, latex, point, fn):
    # the sign form holds (-x)^(3/2)/x, which is 0/0 at x = 0; the gradient is continuous there
    d = diff_json(capsys, latex, "--at", json.dumps(point))
    assert d["at"]["differentiable"] is True
    X = np.array(point, dtype=float)
    G = np.array(d["at"]["gradient"], float).reshape(X.shape)
    # on the kink the quotient converges like h^(1/2), too slowly for the oracle's usual h:
    # each one-sided quotient along a unit direction is within 5 h^(1/2) of <G, D>
    for idx in np.ndindex(X.shape):
        for s in (1.0, -1.0):
            D = np.zeros_like(X)
            D[idx] = s
            for h in (1e-8, 1e-10):
                q = (fn(X + h * D) - fn(X)) / h
                assert abs(q - float(np.sum(G * D))) < 5 * h ** 0.5, (idx, s, h, q)
    assert "(-x)" not in d["gradient"]["text"]                  # read back as sign(x) sqrt|x|



def test_a_square_root_across_two_kinks(capsys):
    d = diff_json(capsys, r"\sqrt{|x|+|y|}", "--wrt", "x,y", "--at", "[0,1]")
    assert d["nondifferentiable_set"]["text"] == "x = 0 or y = 0"
    sub = d["at"]["subdifferential"]
    assert sub["form"] == "box" and sub["lower"] == [-0.5, 0.5] and sub["upper"] == [0.5, 0.5]
    f = lambda v: float(np.sqrt(np.abs(v[0]) + np.abs(v[1])))  # noqa: E731
    form = {"form": "box", "lower": np.array(sub["lower"]), "upper": np.array(sub["upper"])}
    oracle.check_clarke(f, np.array([0.0, 1.0]), form, np.random.default_rng(14), regular=False)
    origin = diff_json(capsys, r"\sqrt{|x|+|y|}", "--wrt", "x,y", "--at", "[0,0]")["at"]
    assert origin["differentiable"] is False and origin["subdifferential"] is None


def test_the_edge_of_a_domain_is_not_analysed(capsys):
    assert "unverified" in declined(capsys, r"\sqrt{x}", "--at", "0")
    assert "outside f's domain" in declined(capsys, r"\sqrt{x}", "--at", "-1", code=2)
    # |x|^(-1/2) is undefined at 0, so 0 is no kink of f: smooth on its whole domain
    d = diff_json(capsys, "|x|^{-1/2}", "--at", "-4")
    assert d["differentiable_everywhere"] is True and d["continuous"] is True
    f = lambda v: float((np.abs(v) ** -0.5).sum())  # noqa: E731
    oracle.check_gradient(f, np.array([-4.0]), np.array([d["at"]["gradient"]], float), np.random.default_rng(15))
    assert "outside f's domain" in declined(capsys, "|x|^{-1/2}", "--at", "0", code=2)


# ---------------------------------------------------------------- switches that are not linear

def test_a_product_switch_fails_only_where_its_gradient_does_not_vanish(capsys):
    d = diff_json(capsys, "|xy|", "--wrt", "x,y", "--at", "[0,0]")
    assert d["nondifferentiable_set"]["text"] == "x y = 0 and ∇(x y) ≠ 0"
    assert d["routes"]["agree"] is True
    f = lambda v: float(abs(v[0] * v[1]))  # noqa: E731
    assert d["at"]["gradient"] == [0, 0]
    oracle.check_gradient(f, np.zeros(2), np.zeros(2), np.random.default_rng(16))
    sub = diff_json(capsys, "|xy|", "--wrt", "x,y", "--at", "[0,1]")["at"]["subdifferential"]
    form = {"form": "box", "lower": np.array(sub["lower"], float), "upper": np.array(sub["upper"], float)}
    oracle.check_clarke(f, np.array([0.0, 1.0]), form, np.random.default_rng(16), regular=True)


def test_the_determinant_is_differentiated_at_singular_matrices(capsys):
    S = [[1, 2], [2, 4]]
    d = diff_json(capsys, r"\det(X)", "--at", json.dumps(S))
    assert d["differentiable_everywhere"] is True
    assert d["gradient"]["text"] == "adj(X)^T"
    assert d["at"]["gradient"] == [[4, -2], [-2, 1]]
    oracle.check_gradient(lambda X: float(np.linalg.det(X)), np.array(S, float),
                          np.array(d["at"]["gradient"], float), np.random.default_rng(17))
    a = diff_json(capsys, r"|\det(X)|", "--at", json.dumps(S))
    assert a["nondifferentiable_set"]["text"] == "det(X) = 0 and ∇(det(X)) ≠ 0"
    sub = a["at"]["subdifferential"]
    assert sub["form"] == "hull"
    form = {"form": "hull", "generators": [np.array(g, float) for g in sub["generators"]]}
    oracle.check_clarke(lambda X: float(abs(np.linalg.det(X))), np.array(S, float), form,
                        np.random.default_rng(17), regular=False)
    # at X = 0 the gradient of det vanishes too: |det X| = O(|X|^2) is differentiable there
    z = diff_json(capsys, r"|\det(X)|", "--at", "[[0,0],[0,0]]")["at"]
    assert z["differentiable"] is True and z["gradient"] == [[0, 0], [0, 0]]
    oracle.check_gradient(lambda X: float(abs(np.linalg.det(X))), np.zeros((2, 2)), np.zeros((2, 2)),
                          np.random.default_rng(17))


# ---------------------------------------------------------------- constants given values

def test_scalar_constants_are_numbers_before_the_analysis(capsys):
    d = diff_json(capsys, r"\operatorname{LeakyReLU}(x, a)", "--let", "a=1")
    assert d["differentiable_everywhere"] is True and d["smoothness"] == "inf"
    half = diff_json(capsys, r"\operatorname{LeakyReLU}(x, a)", "--let", "a=0.5", "--at", "0")["at"]
    sub = half["subdifferential"]
    assert sub["form"] == "box" and (sub["lower"], sub["upper"]) == (0.5, 1)
    f = lambda v: float(np.where(v > 0, v, 0.5 * v).sum())  # noqa: E731
    form = {"form": "box", "lower": np.array([[0.5]]), "upper": np.array([[1.0]])}
    oracle.check_clarke(f, np.zeros((1, 1)), form, np.random.default_rng(18), regular=True)


def test_a_class_that_depends_on_a_constant_says_so(capsys):
    code = main(["diff", r"\operatorname{LeakyReLU}(x, a)"])
    out, _ = capsys.readouterr()
    assert code == 0
    assert "smoothness: C^0, not C^1 (when a ≠ 1)" in out
    assert "one-sided slopes a and 1" in out
    for a, k in ((0.3, 0), (1.0, None)):
        f = lambda v, a=a: float(np.where(v > 0, v, a * v).sum())  # noqa: E731
        if k is None:
            oracle.check_gradient(f, np.zeros(1), np.ones(1), np.random.default_rng(19))
        else:
            oracle.check_class_at(f, np.zeros(1), np.ones(1), k)


# ---------------------------------------------------------------- a norm of X - B at its zero

def test_a_norm_of_the_variable_minus_a_constant_matrix_at_its_zero(capsys):
    B = [[1, -2], [0, 3]]
    d = diff_json(capsys, r"\|X-B\|_F", "--let", f"B={json.dumps(B)}", "--at", json.dumps(B))
    sub = d["at"]["subdifferential"]
    assert d["at"]["differentiable"] is False and sub["form"] == "ball" and sub["radius"] == 1
    Bf = np.array(B, dtype=float)
    f = lambda X: float(np.linalg.norm(X - Bf))  # noqa: E731
    form = {"form": "ball", "center": np.array(sub["center"], float).reshape(2, 2), "radius": 1.0}
    oracle.check_clarke(f, Bf, form, np.random.default_rng(18), regular=True)


@pytest.mark.parametrize("latex, point", [
    (r"\|X\odot\sigma(X)\|_F", "[[0,0],[0,0]]"),
    (r"\|X\odot\sigma(X)\|_F", "[[0,-1],[0,0]]"),
    (r"\|X\odot X\|_F", "[[0,0],[0,0]]"),
])
def test_a_clarke_set_of_one_point_is_differentiability(capsys, latex, point):
    # ‖M(X)‖ where M vanishes to second order: the Clarke set at its zero is {0}, and a
    # locally Lipschitz f with a one-point Clarke set is differentiable there
    at = diff_json(capsys, latex, "--wrt", "X", "--at", point)["at"]
    assert at["differentiable"] is True and at["gradient"] == [[0, 0], [0, 0]]
    X0 = np.array(json.loads(point), dtype=float)
    relu = lambda a: np.maximum(a, 0)   # noqa: E731
    f = (lambda X: np.linalg.norm(X * relu(X))) if "sigma" in latex else (lambda X: np.linalg.norm(X * X))
    rng = np.random.default_rng(5)
    for t in (1e-2, 1e-4):
        worst = max(abs(f(X0 + t * D) - f(X0)) / t for D in rng.normal(size=(100, 2, 2)))
        assert worst < 50 * t              # the quotient goes to 0 with t: the gradient is 0
