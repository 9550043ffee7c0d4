"""The nuclear norm ‖X‖_* and the spectral norm ‖X‖_2 of a matrix, checked by an
independent NumPy oracle (tests/oracle.py's difference quotients, NumPy's own SVD):

  * the gradient at a differentiable point against central differences;
  * where f is not differentiable, gradients sampled by differences at random nearby
    points each lie in the engine's Clarke set (its own characterisation, tested with
    NumPy), and, these functions being convex, the set's support function max <G, D>
    equals the numeric one-sided derivative (f(X + tD) - f(X))/t in 50 random directions;
  * the exact f'(X; D) of --direction against the same one-sided quotients;
  * the exact decisions: rank and the multiplicity of σ₁ from exact arithmetic (a point
    a float tolerance would misjudge is among the cases).
"""
from __future__ import annotations

import json

import numpy as np
import pytest
import sympy as sp

from symderiv.api import analyze
from tests.oracle import one_sided, numeric_gradient

RNG_SEED = 20261207


def nuc(X):
    return float(np.linalg.norm(np.asarray(X, dtype=float), "nuc"))


def spec(X):
    X = np.asarray(X, dtype=float)
    return float(np.linalg.norm(X, 2)) if min(X.shape) > 1 else float(np.linalg.norm(X))


def floats(a):
    return np.array([[float(sp.N(sp.sympify(v) if isinstance(v, str) else v, 30)) for v in row]
                     for row in np.asarray(a, dtype=object)])


def _point_text(X):
    return "[" + ",".join("[" + ",".join(str(v) for v in row) + "]" for row in X) + "]"


def at(tex, X, let=None, direction=None):
    return analyze(tex, at=_point_text(X), let=let,
                   direction=_point_text(direction) if direction is not None else None)


def check_gradient(tex, f, X, let=None):
    a = at(tex, X, let)
    p = a.point
    assert p.differentiable, p.reason
    G = np.array([[float(sp.N(sp.sympify(v), 30)) for v in row] for row in p.gradient.astype(object)])
    assert np.allclose(G, numeric_gradient(f, X), atol=1e-6), (G, numeric_gradient(f, X))
    return a


def check_clarke(tex, f, X, let=None, samples=12, directions=50, eps=1e-4, convex=True):
    """Not differentiable at X: nearby gradients lie in the set, and its support
    function is the numeric one-sided derivative (for a function that is not convex,
    at least it: f'(X; D) ≤ f°(X; D) = max <G, D> for every locally Lipschitz f)."""
    a = at(tex, X, let)
    p = a.point
    assert not p.differentiable
    sub = p.subdifferential
    X = np.asarray(X, dtype=float)
    rng = np.random.default_rng(RNG_SEED)
    dirs = [D for D in rng.integers(-4, 5, size=(directions,) + X.shape) if D.any()]
    supports = [float(sp.N(sub.support([sp.Integer(int(v)) for v in D.flat]), 30)) for D in dirs]
    for _ in range(samples):
        Y = X + eps * rng.standard_normal(X.shape)
        G = numeric_gradient(f, Y, h=1e-8)
        inside = sub.contains(G, tol=2e-3)
        if inside is None:
            # the set's own test does not decide (a map that is not onto): a point of a
            # convex set has <G, D> at most its support function in every direction
            inside = all(float(np.sum(G * D)) <= h + 2e-3 * (1 + abs(h)) for D, h in zip(dirs, supports))
        assert inside, (G, sub)
    for D, exact in zip(dirs, supports):
        numeric = one_sided(f, X, D, h=1e-6)
        if convex:
            assert abs(exact - numeric) < 1e-4 * (1 + abs(numeric)), (D, exact, numeric)
        else:
            assert exact >= numeric - 1e-4 * (1 + abs(numeric)), (D, exact, numeric)
    return a


def check_direction(tex, f, X, D, let=None):
    a = at(tex, X, let, direction=D)
    exact = a.point_arbiter.directional
    numeric = one_sided(f, np.asarray(X, dtype=float), np.asarray(D, dtype=float), h=1e-6)
    assert abs(float(sp.N(exact, 30)) - numeric) < 1e-5 * (1 + abs(numeric)), (exact, numeric)
    return exact


# ---------------------------------------------------------------- the global verdict

@pytest.mark.parametrize("tex", [r"\|X\|_*", r"\|X\|_{*}", r"\|X\|_{\mathrm{tr}}", r"\|X\|_{S_1}",
                                 r"\|X\|_{\text{nuc}}", r"\left\|X\right\|_*"])
def test_nuclear_spellings_and_verdict(tex):
    a = analyze(tex)
    v = a.verdict
    assert not v.differentiable_everywhere and v.continuous and v.smoothness == 0
    assert [k.kind for k in v.kinks] == ["spectral"]
    assert a.convexity.convex is True
    from symderiv.render import json_out
    assert json.loads(json_out.render(a))["nondifferentiable_set"]["text"] == "rank X < min(m, n)"
    # the verdict's claim checked by the oracle: at a random rank-1 3x2 point NumPy's
    # one-sided derivatives are not linear (f'(X; D) + f'(X; -D) > 0 for some D)
    rng = np.random.default_rng(1)
    X = np.outer(rng.standard_normal(3), rng.standard_normal(2))
    gaps = [one_sided(nuc, X, D) + one_sided(nuc, X, -D) for D in rng.standard_normal((20, 3, 2))]
    assert max(gaps) > 1e-3


@pytest.mark.parametrize("tex", [r"\|X\|_2", r"\|X\|_{op}", r"\|X\|_{\mathrm{op}}"])
def test_spectral_spellings_and_verdict(tex):
    a = analyze(tex)
    assert not a.verdict.differentiable_everywhere and a.verdict.smoothness == 0
    assert a.convexity.convex is True
    assert any("spectral norm" in n for n in a.notes)
    # σ₁ = σ₂ at the identity: NumPy's one-sided derivatives are not linear there
    rng = np.random.default_rng(2)
    gaps = [one_sided(spec, np.eye(2), D) + one_sided(spec, np.eye(2), -D) for D in rng.standard_normal((20, 2, 2))]
    assert max(gaps) > 1e-3


def test_vector_two_norm_stays_euclidean():
    a = analyze(r"\|x\|_2", wrt="x")
    assert [k.kind for k in a.verdict.kinks] == ["norm"]
    g = check_gradient(r"\|x\|_2", lambda v: float(np.linalg.norm(v)), [[3], [4]])
    assert g.point.gradient[0, 0] == sp.Rational(3, 5)


# ---------------------------------------------------------------- nuclear norm at points

def test_nuclear_gradient_full_rank_square():
    a = check_gradient(r"\|X\|_*", nuc, [[1, 2], [0, 4]])
    assert sp.simplify(sp.sympify(a.point.value) - sp.sqrt(29)) == 0


def test_nuclear_gradient_symmetric_psd_is_identity():
    a = check_gradient(r"\|X\|_*", nuc, [[3, 1], [1, 2]])
    assert all(a.point.gradient[i, j] == (1 if i == j else 0) for i in range(2) for j in range(2))


def test_nuclear_gradient_rectangular_wide_and_tall():
    check_gradient(r"\|X\|_*", nuc, [[1, 2, 3], [0, 1, 1]])
    check_gradient(r"\|X\|_*", nuc, [[1, 0], [2, 1], [3, 1]])


def test_nuclear_rank_deficient_square():
    a = check_clarke(r"\|X\|_*", nuc, [[1, 2], [2, 4]])
    assert a.point.subdifferential.form == "nuclear"


def test_nuclear_rank_one_rectangular():
    check_clarke(r"\|X\|_*", nuc, [[1, 2, 3], [2, 4, 6]])


def test_nuclear_rank_two_of_three():
    check_clarke(r"\|X\|_*", nuc, [[1, 0, 1], [0, 1, 1], [1, 1, 2]])


def test_nuclear_at_zero():
    a = check_clarke(r"\|X\|_*", nuc, [[0, 0], [0, 0]])
    assert a.point.value == 0


def test_nuclear_near_singular_decided_exactly():
    # det = 10^-12: full rank, though a float rank test at tolerance 1e-10 says rank 1
    X = [[1, 1], [1, 1 + sp.Rational(1, 10**12)]]
    a = analyze(r"\|X\|_*", at="[[1,1],[1,1.000000000001]]")
    assert a.point.differentiable
    assert np.linalg.matrix_rank(np.array(X, dtype=float), tol=1e-10) == 1


def test_nuclear_directional_derivatives():
    rng = np.random.default_rng(3)
    for X in ([[1, 2], [2, 4]], [[0, 0], [0, 0]], [[1, 0, 0], [0, 0, 0]], [[2, 1], [1, 3]]):
        for _ in range(3):
            D = rng.integers(-3, 4, size=np.shape(X)).tolist()
            check_direction(r"\|X\|_*", nuc, X, D)


# ---------------------------------------------------------------- spectral norm at points

def test_spectral_gradient_distinct():
    check_gradient(r"\|X\|_2", spec, [[3, 1], [1, 2]])
    check_gradient(r"\|X\|_2", spec, [[3, 1, 0], [1, 2, 1]])


def test_spectral_repeated_top():
    a = check_clarke(r"\|X\|_2", spec, [[1, 0], [0, 1]])
    assert a.point.subdifferential.form == "spectral_top"


def test_spectral_repeated_top_rotated_rectangular():
    # 5 times an orthogonal 2x2 block padded with a zero column: σ = (5, 5)
    check_clarke(r"\|X\|_2", spec, [[3, -4, 0], [4, 3, 0]])


def test_spectral_repeated_top_with_a_smaller_one():
    check_clarke(r"\|X\|_2", spec, [[2, 0, 0], [0, 2, 0], [0, 0, 1]])


def test_spectral_at_zero():
    a = check_clarke(r"\|X\|_2", spec, [[0, 0, 0], [0, 0, 0]])
    assert a.point.subdifferential.form == "nuclear_ball"


def test_spectral_simple_top_with_repeated_lower():
    # σ = (3, 1, 1): the top is simple, so differentiable
    check_gradient(r"\|X\|_2", spec, [[3, 0, 0], [0, 1, 0], [0, 0, 1]])


def test_spectral_directional_derivatives():
    rng = np.random.default_rng(4)
    for X in ([[1, 0], [0, 1]], [[0, 0], [0, 0]], [[2, 0, 0], [0, 2, 0], [0, 0, 1]]):
        for _ in range(3):
            D = rng.integers(-3, 4, size=np.shape(X)).tolist()
            check_direction(r"\|X\|_2", spec, X, D)


# ---------------------------------------------------------------- compositions

A = [[2, 1], [0, 1]]
B = [[1, 0], [1, 1]]


def test_affine_argument_gradient_and_direction():
    An, Bn = np.array(A, float), np.array(B, float)
    f = lambda X: nuc(An @ X - Bn)            # noqa: E731
    let = [f"A={json.dumps(A)}", f"B={json.dumps(B)}"]
    check_gradient(r"\|AX - B\|_*", f, [[1, 2], [3, 5]], let)
    # A X0 - B = [[1, 1], [1, 1]] has rank 1: f'(X; D) exact against the oracle
    X0 = np.linalg.solve(An, Bn + np.ones((2, 2)))
    X0r = [[sp.nsimplify(v) for v in row] for row in X0]
    assert all(v.is_Rational for row in X0r for v in row)
    pt = [[str(v) for v in row] for row in X0r]
    a = analyze(r"\|AX - B\|_*", at="[" + ",".join("[" + ",".join(r) + "]" for r in pt) + "]", let=let,
                direction="[[1,-1],[2,0]]")
    numeric = one_sided(f, X0, np.array([[1, -1], [2, 0]], float))
    assert abs(float(a.point_arbiter.directional) - numeric) < 1e-5
    assert not a.point.differentiable
    assert a.point.subdifferential.form == "mapped"
    check_clarke(r"\|AX - B\|_*", f, [[0, sp.Rational(-1, 2)], [2, 2]], let)


def test_right_factor_spectral_at_zero():
    R = [[1, 2, 0], [0, 1, 1]]
    Rn = np.array(R, float)
    f = lambda X: spec(X @ Rn)                # noqa: E731
    a = check_clarke(r"\|XA\|_2", f, [[0, 0], [0, 0]], [f"A={json.dumps(R)}"])
    assert a.point.subdifferential.inner.form == "nuclear_ball"


def test_shifted_argument_clarke_set():
    Bn = np.array(B, float)
    f = lambda X: nuc(X - Bn)                 # noqa: E731
    let = [f"B={json.dumps(B)}"]
    # X - B = [[1, 2], [2, 4]]: rank 1
    check_clarke(r"\|X - B\|_*", f, [[2, 2], [3, 5]], let)


def test_scaled_and_negated():
    check_clarke(r"3\|X\|_2", lambda X: 3 * spec(X), [[1, 0], [0, 1]])
    check_direction(r"-\|X\|_*", lambda X: -nuc(X), [[1, 2], [2, 4]], [[1, 0], [3, -1]])


def test_nuclear_plus_l1():
    f = lambda X: nuc(X) + 2 * np.abs(X).sum()        # noqa: E731
    check_gradient(r"\|X\|_* + \lambda \sum_{i,j} |x_{ij}|", f, [[1, 2], [3, -1]], ["lambda=2"])
    check_clarke(r"\|X\|_* + \lambda \sum_{i,j} |x_{ij}|", f, [[1, 2], [2, 4]], ["lambda=2"])


def test_spectral_of_relu():
    f = lambda X: spec(np.maximum(X, 0))             # noqa: E731
    check_gradient(r"\|\max(X,0)\|_2", f, [[3, -1], [1, 2]])
    check_direction(r"\|\max(X,0)\|_2", f, [[1, -1], [-2, 1]], [[1, 2], [-1, 3]])


def test_squared_nuclear_is_differentiable_at_zero():
    a = at(r"\|X\|_*^2", [[0, 0], [0, 0]])
    assert a.point.differentiable
    assert np.allclose(floats(a.point.gradient), numeric_gradient(lambda X: nuc(X) ** 2, np.zeros((2, 2))), atol=1e-5)
    # and not differentiable at a nonzero rank-deficient point
    check_clarke(r"\|X\|_*^2", lambda X: nuc(X) ** 2, [[1, 2], [2, 4]])


# ---------------------------------------------------------------- σ_max and σ_min spelled as calls

def smin(X):
    X = np.asarray(X, dtype=float)
    return float(np.linalg.svd(X, compute_uv=False)[-1]) if min(X.shape) > 1 else float(np.linalg.norm(X))


def test_sigma_max_spelling_is_the_spectral_norm():
    a = analyze(r"\sigma_{\max}(X)")
    assert a.verdict.kinks[0].node == analyze(r"\|X\|_2").verdict.kinks[0].node
    check_gradient(r"\sigma_{\max}(X)", spec, [[3, 1], [1, 2]])


def test_sigma_min_verdict():
    a = analyze(r"\sigma_{\min}(X)")
    assert not a.verdict.differentiable_everywhere
    assert a.convexity.convex is False
    # the oracle: σ_min is not convex (0 at diag(1, 0) and diag(0, 1), 1/2 at their midpoint)
    A, B = np.diag([1.0, 0.0]), np.diag([0.0, 1.0])
    assert smin((A + B) / 2) > (smin(A) + smin(B)) / 2 + 0.25


def test_sigma_min_gradient_and_direction():
    check_gradient(r"\sigma_{\min}(X)", smin, [[3, 1], [1, 2]])
    check_gradient(r"\sigma_{\min}(X)", smin, [[3, 0], [0, 1], [0, 0]])
    rng = np.random.default_rng(5)
    for X in ([[1, 2], [2, 4]], [[1, 0, 0], [0, 1, 0]], [[3, 0], [0, 0], [0, 0]], [[2, 0], [0, 2]]):
        for _ in range(3):
            D = rng.integers(-3, 4, size=np.shape(X)).tolist()
            check_direction(r"\sigma_{\min}(X)", smin, X, D)


def test_sigma_min_rank_deficient_and_repeated():
    a = check_clarke(r"\sigma_{\min}(X)", smin, [[1, 2], [2, 4]], convex=False)
    assert a.point.subdifferential.form == "nuclear_ball"
    check_clarke(r"\sigma_{\min}(X)", smin, [[3, 0], [0, 0], [0, 0]], convex=False)
    b = check_clarke(r"\sigma_{\min}(X)", smin, [[1, 0, 0], [0, 1, 0]], convex=False)
    assert b.point.subdifferential.form == "spectral_bottom"


# ---------------------------------------------------------------- Schatten p-norms

def schatten3(X):
    return float(np.sum(np.linalg.svd(np.asarray(X, dtype=float), compute_uv=False) ** 3) ** (1 / 3))


def test_schatten_verdict_and_special_cases():
    a = analyze(r"\|X\|_{S_3}")
    assert [k.kind for k in a.verdict.kinks] == ["spectral"] and a.convexity.convex is True
    assert type(analyze(r"\|X\|_{S_1}").verdict.kinks[0].node).__name__ == "NuclearNorm"
    assert [k.kind for k in analyze(r"\|X\|_{S_2}").verdict.kinks] == ["norm"]    # the Frobenius norm


def test_schatten_gradient_direction_and_zero():
    check_gradient(r"\|X\|_{S_3}", schatten3, [[1, 2], [0, 1]])
    # rank-deficient but nonzero: still differentiable for p > 1
    check_gradient(r"\|X\|_{S_3}", schatten3, [[1, 2], [2, 4]])
    check_direction(r"\|X\|_{S_3}", schatten3, [[1, 2], [2, 4]], [[1, 0], [3, -1]])
    a = check_clarke(r"\|X\|_{S_3}", schatten3, [[0, 0, 0], [0, 0, 0]])
    assert a.point.subdifferential.form == "schatten_ball"


# ---------------------------------------------------------------- Ky Fan norms

def kyfan2(X):
    return float(np.sum(np.linalg.svd(np.asarray(X, dtype=float), compute_uv=False)[:2]))


def test_ky_fan_verdict():
    a = analyze(r"\|X\|_{(2)}")
    assert a.convexity.convex is True and not a.verdict.differentiable_everywhere
    # k >= min(m, n) is the nuclear norm, k = 1 the spectral norm
    assert type(analyze(r"\|X\|_{(2)}", shape=(2, 3)).verdict.kinks[0].node).__name__ == "NuclearNorm"
    assert type(analyze(r"\|X\|_{(1)}").verdict.kinks[0].node).__name__ == "SpectralNorm"


def test_ky_fan_points():
    check_gradient(r"\|X\|_{(2)}", kyfan2, [[3, 0, 0], [0, 2, 0], [0, 0, 1]])
    check_gradient(r"\|X\|_{(2)}", kyfan2, [[3, 1, 0], [1, 2, 1], [0, 1, 1]])
    a = check_clarke(r"\|X\|_{(2)}", kyfan2, [[3, 0, 0], [0, 1, 0], [0, 0, 1]])
    assert a.point.subdifferential.form == "ky_fan"
    b = check_clarke(r"\|X\|_{(2)}", kyfan2, [[3, 0, 0], [0, 0, 0], [0, 0, 0]])
    assert b.point.subdifferential.form == "ky_fan_zero"
    rng = np.random.default_rng(6)
    for X in ([[3, 0, 0], [0, 1, 0], [0, 0, 1]], [[3, 0, 0], [0, 0, 0], [0, 0, 0]], [[1, 2, 3], [2, 4, 6], [1, 1, 1]]):
        for _ in range(2):
            check_direction(r"\|X\|_{(2)}", kyfan2, X, rng.integers(-3, 4, size=(3, 3)).tolist())


def test_argument_flat_at_the_point():
    # max(X, 0) = 0 on a neighbourhood of X < 0: f is 0 there, so differentiable with gradient 0,
    # though the spectral norm's argument is 0 (the oracle: central differences give 0)
    f = lambda X: spec(np.maximum(X, 0))             # noqa: E731
    a = at(r"\|\max(X,0)\|_2", [[-1, -1], [-2, -1]])
    assert a.point.differentiable
    assert np.allclose(floats(a.point.gradient), numeric_gradient(f, [[-1, -1], [-2, -1]]), atol=1e-9)


def test_quartic_spectrum_gradient_to_thirty_digits():
    # XᵀX has an irreducible quartic characteristic polynomial: the gradient U Vᵀ is given
    # to 40 digits; U Vᵀ of a square matrix of full rank is orthogonal, which checks the
    # digits independently of how they were computed
    X = [[1, 2, 0, 1], [0, 1, 3, 1], [2, 0, 1, 1], [1, 1, 1, 0]]
    a = check_gradient(r"\|X\|_*", nuc, X)
    G = sp.Matrix(4, 4, [sp.sympify(v) for v in a.point.gradient.flat])
    err = max(abs(v) for v in (G.T * G - sp.eye(4)))
    assert err < sp.Float("1e-30")
    # and the value is exact: the sum of the square roots of the quartic's roots
    assert abs(float(sp.N(sp.sympify(a.point.value), 30)) - nuc(X)) < 1e-12
