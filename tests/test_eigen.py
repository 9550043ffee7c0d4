"""Symmetric variables (--symmetric X), the extreme eigenvalues of symmetric matrices and the
sum of the k largest (Ky Fan).

Every claim is checked against an independent NumPy oracle written here: gradients by
central differences along symmetric directions with the trace inner product, Clarke sets
by sampling gradients at random nearby symmetric points, and support functions against
numeric one-sided directional derivatives in random symmetric directions.
"""
from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest

from symderiv.api import analyze
from symderiv.cli import main
from symderiv.errors import InputError

RNG = np.random.default_rng(20261207)


def _floats(a) -> np.ndarray:
    return np.array([[float(v) for v in row] for row in np.asarray(a, dtype=object)], dtype=float)


def sym_dir(n: int, rng=RNG) -> np.ndarray:
    A = rng.standard_normal((n, n))
    return (A + A.T) / 2


def sym_basis(n: int):
    """An orthonormal basis of the symmetric n x n matrices (trace inner product)."""
    out = []
    for i in range(n):
        for j in range(i, n):
            E = np.zeros((n, n))
            if i == j:
                E[i, i] = 1
            else:
                E[i, j] = E[j, i] = 1 / np.sqrt(2)
            out.append(E)
    return out


def sym_gradient(f, X, h=1e-6) -> np.ndarray:
    """The gradient of f restricted to the symmetric matrices, by central differences
    along an orthonormal basis of that space (trace inner product)."""
    X = np.asarray(X, dtype=float)
    G = np.zeros_like(X)
    for E in sym_basis(X.shape[0]):
        G += (f(X + h * E) - f(X - h * E)) / (2 * h) * E
    return G


def one_sided(f, X, D, h=1e-6) -> float:
    fx = f(X)
    d1 = (f(X + h * D) - fx) / h
    d2 = (f(X + h / 2 * D) - fx) / (h / 2)
    return 2 * d2 - d1


def _run(capsys, *argv):
    code = main(["diff", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


# ---------------------------------------------------------------- --symmetric X on functions of all matrices

A23 = np.array([[1, 2], [3, 4]], dtype=float)


@pytest.mark.parametrize("expr, let, at, fn", [
    (r"\operatorname{tr}(AX)", ["A=[[1,2],[3,4]]"], "[[1,2],[2,1]]", lambda X: np.trace(A23 @ X)),
    (r"\|X\|_F^2", [], "[[1,-2],[-2,3]]", lambda X: np.sum(X * X)),
    (r"\|\max(X,0)\|_F^2", [], "[[1,-2],[-2,3]]", lambda X: np.sum(np.maximum(X, 0) ** 2)),
    (r"\operatorname{tr}(X^T A X)", ["A=[[1,2],[3,4]]"], "[[1,1],[1,-1]]", lambda X: np.trace(X.T @ A23 @ X)),
    (r"\sum_{i,j} x_{ij}^3", [], "[[1,1/2,0],[1/2,2,-1],[0,-1,3]]", lambda X: np.sum(X ** 3)),
])
def test_symmetric_gradient_matches_differences(expr, let, at, fn):
    a = analyze(expr, let=let, at=at, symmetric=("X",))
    assert a.point.differentiable
    G = _floats(a.point.gradient)
    X = _floats(json.loads(at.replace("1/2", "0.5")))
    assert np.allclose(G, G.T)
    assert np.allclose(G, sym_gradient(fn, X), atol=1e-6)


def test_symmetric_trace_AX_symbolic():
    a = analyze(r"\operatorname{tr}(AX)", symmetric=True)
    from symderiv.render import text
    out = text.render(a)
    assert "∇f(X) = 1/2 A + 1/2 A^T" in out
    assert "ranges over symmetric matrices" in out
    # the oracle: at random symmetric X and data A the formula is the symmetric gradient
    A = RNG.standard_normal((3, 3))
    X = sym_dir(3)
    assert np.allclose((A + A.T) / 2, sym_gradient(lambda Y: np.trace(A @ Y), X), atol=1e-6)


def test_symmetric_json_states_convention(capsys):
    code, out, _ = _run(capsys, r"\|X\|_F^2", "--symmetric", "X", "--at", "[[1,2],[2,0]]", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["variable"]["symmetric"] is True
    assert "trace inner product" in doc["variable"]["convention"]
    assert np.allclose(np.array(doc["at"]["gradient"]), sym_gradient(lambda X: np.sum(X * X), np.array([[1., 2], [2, 0]])))


def test_symmetric_kink_restricted_space():
    # |x_12| - |x_21| is 0 on symmetric matrices: smooth there, though not on all matrices
    a = analyze(r"|x_{12}| - |x_{21}|", symmetric=("X",), at="[[1,0],[0,1]]")
    assert a.point.differentiable
    assert all(float(v) == 0 for v in a.point.gradient.flat)
    f = lambda X: abs(X[0, 1]) - abs(X[1, 0])       # noqa: E731
    for _ in range(20):
        D = sym_dir(2)
        assert abs(one_sided(f, np.eye(2), D)) < 1e-6


@pytest.mark.parametrize("option, value", [("--at", "[[1,2],[3,1]]"), ("--direction", "[[0,1],[0,0]]")])
def test_symmetric_refuses_nonsymmetric_values(capsys, option, value):
    argv = [r"\|X\|_F^2", "--symmetric", "X", "--at", "[[1,2],[2,1]]"]
    if option == "--at":
        argv[-1] = value
    else:
        argv += ["--direction", value]
    code, _, err = _run(capsys, *argv)
    assert code == 2
    assert option in err and "not symmetric" in err


# ---------------------------------------------------------------- λ_max, λ_min: the oracle

def lam_max(X):
    return np.linalg.eigvalsh((X + X.T) / 2)[-1]


def lam_min(X):
    return np.linalg.eigvalsh((X + X.T) / 2)[0]


def _num(v) -> float:
    from symderiv.exact_numbers import as_sympy
    return float(as_sympy(v).evalf(40))


def _grad(a) -> np.ndarray:
    return np.array([[_num(v) for v in row] for row in a.point.gradient], dtype=float)


def _X(text: str) -> np.ndarray:
    return np.array(json.loads(text), dtype=float)


def nearby_gradients(fn, X, count=30, eps=1e-4, which=-1):
    """Gradients q qᵀ at random symmetric points near X whose extreme eigenvalue is simple
    (the oracle's own eigenvectors)."""
    out = []
    while len(out) < count:
        Y = X + eps * sym_dir(X.shape[0])
        w, V = np.linalg.eigh(Y)
        gap = (w[-1] - w[-2]) if which == -1 else (w[1] - w[0])
        if gap < 1e-7:
            continue
        q = V[:, which]
        G = np.outer(q, q)
        # the oracle checks its own gradient by central differences
        assert np.allclose(G, sym_gradient(fn, Y, h=1e-8), atol=1e-4)
        out.append(G)
    return out


@pytest.mark.parametrize("expr, at, fn", [
    (r"\lambda_{\max}(X)", "[[2,1],[1,2]]", lam_max),
    (r"\lambda_1(X)", "[[3,0,0],[0,1,0],[0,0,2]]", lam_max),                   # diagonal
    (r"\lambda_{\max}(X)", "[[1,2,0],[2,1,1],[0,1,2]]", lam_max),              # a cubic's root
    (r"\lambda_{\min}(X)", "[[2,1],[1,-1]]", lam_min),                         # a square root
    (r"\lambda_n(X)", "[[1,2,0],[2,1,1],[0,1,2]]", lam_min),
    (r"\operatorname{\lambda_{max}}(X)", "[[0,1],[1,0]]", lam_max),
    (r"\lambda_{\mathrm{max}}(X) + \|X\|_F^2", "[[1,1],[1,-1]]", lambda X: lam_max(X) + np.sum(X * X)),
])
def test_eigen_gradient_where_simple(expr, at, fn):
    a = analyze(expr, symmetric=True, at=at)
    assert a.point.differentiable
    G = _grad(a)
    X = _X(at)
    assert np.allclose(G, G.T)
    assert np.allclose(G, sym_gradient(fn, X), atol=1e-6)
    assert abs(_num(a.point.value) - fn(X)) < 1e-12


def test_eigen_value_exact_digits():
    # the largest root of the characteristic polynomial, exact: checked to 30 digits
    import mpmath
    a = analyze(r"\lambda_{\max}(X)", symmetric=True, at="[[1,2,0],[2,1,1],[0,1,2]]")
    from symderiv.exact_numbers import as_sympy
    v = as_sympy(a.point.value).evalf(40)
    mpmath.mp.dps = 50
    M = mpmath.matrix([[1, 2, 0], [2, 1, 1], [0, 1, 2]])
    top = max(mpmath.eigsy(M)[0])
    assert abs(float(v - top.__float__())) < 1e-15
    assert abs(mpmath.mpf(str(v)) - top) < mpmath.mpf(10) ** -30


REPEATED = [
    (r"\lambda_{\max}(X)", "[[1,0],[0,1]]", lam_max, -1, 1),
    (r"\lambda_{\max}(X)", "[[0,0],[0,0]]", lam_max, -1, 1),                               # zero matrix
    (r"\lambda_{\max}(X)", "[[0,0,0],[0,0,0],[0,0,0]]", lam_max, -1, 1),
    (r"\lambda_{\max}(X)", "[[1,1,0],[1,1,0],[0,0,2]]", lam_max, -1, 1),                   # not diagonal
    (r"\lambda_{\max}(X)", "[[2,0,0],[0,2,0],[0,0,1]]", lam_max, -1, 1),                   # diagonal
    (r"\lambda_{\min}(X)", "[[1,0,0],[0,3,0],[0,0,1]]", lam_min, 0, 1),
    (r"\lambda_{\max}(X)", "[[2,-1,-1],[-1,2,-1],[-1,-1,2]]", lam_max, -1, 1),             # triple 0 / double 3
]


@pytest.mark.parametrize("expr, at, fn, which, w", REPEATED)
def test_eigen_clarke_set_where_repeated(expr, at, fn, which, w):
    from symderiv.sets import EigenTop
    a = analyze(expr, symmetric=True, at=at)
    X = _X(at)
    assert not a.point.differentiable
    S = a.point.subdifferential
    assert isinstance(S, EigenTop) and S.identity
    doc = S.to_json(False)
    assert doc["form"] == "eigen_top"
    Q = np.array(doc["basis"], dtype=float)
    lam = doc["eigenvalue"]
    # the basis: orthonormal eigenvectors of the repeated eigenvalue, as many as its multiplicity
    w_all = np.linalg.eigvalsh(X)
    assert doc["multiplicity"] == int(np.sum(np.abs(w_all - lam) < 1e-9)) >= 2
    assert np.allclose(Q.T @ Q, np.eye(Q.shape[1]))
    assert np.allclose(X @ Q, lam * Q)
    # gradients sampled near the point lie in the set: T = Q₁ᵀ G Q₁ is PSD with trace 1 and G = Q₁ T Q₁ᵀ
    for G in nearby_gradients(fn, X, which=which):
        T = Q.T @ G @ Q
        assert abs(np.trace(T) - 1) < 1e-3
        assert np.linalg.eigvalsh(T)[0] > -1e-3
        assert np.allclose(Q @ T @ Q.T, G, atol=2e-3)
        assert S.contains(G, tol=2e-3)
    # the support function max <G, D> = λ_max(Q₁ᵀ D Q₁) (λ_min: its own) against one-sided differences
    for _ in range(50):
        D = sym_dir(X.shape[0])
        have = _num(S.support([v for v in D.flat]))
        assert abs(have - one_sided(fn, X, D)) < 1e-5 or which == 0
        if which == -1:
            assert abs(have - np.linalg.eigvalsh(Q.T @ D @ Q)[-1]) < 1e-9


def test_eigen_min_directional_is_not_the_support():
    # λ_min is concave: f'(X; D) = λ_min(Q₁ᵀ D Q₁), the support function is -f'(X; -D)
    at = "[[1,0,0],[0,3,0],[0,0,1]]"
    a = analyze(r"\lambda_{\min}(X)", symmetric=True, at=at)
    S = a.point.subdifferential
    X = _X(at)
    for _ in range(50):
        D = sym_dir(3)
        Dl = [v for v in D.flat]
        assert abs(_num(S.directional(Dl)) - one_sided(lam_min, X, D)) < 1e-5
        assert abs(_num(S.support(Dl)) + one_sided(lam_min, X, -D)) < 1e-5


def test_eigen_exact_symmetric_membership():
    from fractions import Fraction as F
    a = analyze(r"\lambda_{\max}(X)", symmetric=True, at="[[1,1,0],[1,1,0],[0,0,2]]")
    S = a.point.subdifferential
    # q qᵀ for q = (1/2, 1/2, 1/√2) lies in the set; (1, 0, 0) e eᵀ does not (not in the eigenspace)
    q = np.array([0.5, 0.5, np.sqrt(0.5)])
    assert S.contains(np.outer(q, q), tol=1e-9)
    inside = np.array([[F(1, 4), F(1, 4), 0], [F(1, 4), F(1, 4), 0], [0, 0, F(1, 2)]], dtype=object)
    outside = np.array([[1, 0, 0], [0, 0, 0], [0, 0, 0]], dtype=object)
    assert S.contains(inside) is True
    assert S.contains(outside) is False
    P = np.array([[0.25, 0.25, 0], [0.25, 0.25, 0], [0, 0, 0.5]])
    assert np.allclose(_floats(inside), P)
    assert np.linalg.eigvalsh(P)[0] >= -1e-12 and abs(np.trace(P) - 1) < 1e-12


@pytest.mark.parametrize("at, D", [
    ("[[1,0,0],[0,1,0],[0,0,0]]", "[[1,2,0],[2,-1,0],[0,0,5]]"),
    ("[[0,0],[0,0]]", "[[1,3],[3,-2]]"),
    ("[[2,1],[1,2]]", "[[1,3],[3,-2]]"),
])
def test_eigen_directional_exact(capsys, at, D):
    code, out, err = _run(capsys, r"\lambda_{\max}(X)", "--symmetric", "X", "--at", at, "--direction", D,
                          "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    got = doc["at"]["directional_derivative"]
    assert abs(got - one_sided(lam_max, _X(at), _X(D))) < 1e-5


# ---------------------------------------------------------------- the affine pencil A_0 + Σ x_i A_i

PENCIL = ["A_0=[[1,0],[0,1]]", "A_1=[[1,0],[0,-1]]", "A_2=[[0,1],[1,0]]"]
A0, A1, A2 = (np.array(v, dtype=float) for v in ([[1, 0], [0, 1]], [[1, 0], [0, -1]], [[0, 1], [1, 0]]))


def pencil(x):
    x = np.asarray(x, dtype=float).ravel()
    return np.linalg.eigvalsh(A0 + x[0] * A1 + x[1] * A2)[-1]


def test_pencil_gradient_where_simple():
    a = analyze(r"\lambda_{\max}(A_0 + x_1 A_1 + x_2 A_2)", let=PENCIL, at="[1,2]")
    assert a.point.differentiable
    G = _grad(a).ravel()
    x = np.array([1.0, 2.0])
    h = 1e-6
    num = [(pencil(x + h * e) - pencil(x - h * e)) / (2 * h) for e in np.eye(2)]
    assert np.allclose(G, num, atol=1e-6)
    # the gradient entries are q₁ᵀ A_i q₁
    w, V = np.linalg.eigh(A0 + A1 + 2 * A2)
    q = V[:, -1]
    assert np.allclose(G, [q @ A1 @ q, q @ A2 @ q])


def test_pencil_clarke_set_where_repeated():
    a = analyze(r"\lambda_{\max}(A_0 + x_1 A_1 + x_2 A_2)", let=PENCIL, at="[0,0]")
    assert not a.point.differentiable
    S = a.point.subdifferential
    assert S.to_json(True)["form"] == "eigen_top" and not S.identity
    x0 = np.zeros(2)
    dirs = [RNG.standard_normal(2) for _ in range(60)]
    for d in dirs:
        have = _num(S.support(list(d)))
        assert abs(have - one_sided(pencil, x0, d)) < 1e-5
    # gradients sampled nearby satisfy <G, d> <= σ(d) in every direction: they lie in the set
    h = 1e-7
    for _ in range(20):
        y = 1e-3 * RNG.standard_normal(2)
        G = np.array([(pencil(y + h * e) - pencil(y - h * e)) / (2 * h) for e in np.eye(2)])
        for d in dirs:
            assert G @ d <= _num(S.support(list(d))) + 1e-5


def test_pencil_global_verdict_and_convexity():
    a = analyze(r"\lambda_{\max}(A_0 + x_1 A_1 + x_2 A_2)", let=PENCIL)
    from symderiv.render import text
    out = text.render(a)
    assert "not differentiable where λ_1(A_0 + x_1 A_1 + x_2 A_2) = λ_2(A_0 + x_1 A_1 + x_2 A_2)" in out
    assert a.convexity.convex is True
    assert a.verdict.smoothness == 0 and a.verdict.continuous
    for _ in range(200):            # midpoint convexity, numerically
        u, v = RNG.standard_normal(2) * 3, RNG.standard_normal(2) * 3
        assert pencil((u + v) / 2) <= (pencil(u) + pencil(v)) / 2 + 1e-12


# ---------------------------------------------------------------- symmetric arguments without --symmetric

def test_eigen_of_symmetric_expressions():
    a = analyze(r"\lambda_{\max}(X + X^T)", at="[[1,2],[0,1]]")
    G = _grad(a)
    f = lambda X: np.linalg.eigvalsh(X + X.T)[-1]      # noqa: E731
    X = _X("[[1,2],[0,1]]")
    from tests.oracle import numeric_gradient
    assert np.allclose(G, numeric_gradient(f, X), atol=1e-6)
    a = analyze(r"\lambda_{\max}(X^T X)", at="[[1,2],[0,1]]")
    g = lambda X: np.linalg.eigvalsh(X.T @ X)[-1]     # noqa: E731
    assert np.allclose(_grad(a), numeric_gradient(g, X), atol=1e-5)


@pytest.mark.parametrize("expr, let", [(r"\lambda_{\max}(X)", []), (r"\lambda_{\max}(AX)", ["A=[[1,2],[3,4]]"]),
                                        (r"\lambda_{\max}(A + x_1 B)", ["A=[[1,2],[3,4]]", "B=[[0,1],[1,0]]"])])
def test_eigen_of_nonsymmetric_refused(capsys, expr, let):
    # a symmetric point does not make the variable symmetric: refused with and without one
    argv = [expr] + [x for item in let for x in ("--let", item)]
    code, _, err = _run(capsys, *argv, "--at", "[[1,0],[0,1]]" if "x_1" not in expr else "[1,2]")
    assert code == 3 and "not known to be symmetric" in err
    code, _, err = _run(capsys, *argv)
    assert code == 3
    assert "not known to be symmetric" in err and "--symmetric" in err
    # the oracle: such an argument can have complex eigenvalues
    A = np.array([[0.0, 1.0], [-1.0, 0.0]])
    assert np.iscomplexobj(np.linalg.eigvals(A)) and np.abs(np.linalg.eigvals(A).imag).max() > 0


def test_eigen_global_verdict_words():
    a = analyze(r"\lambda_{\max}(X)", symmetric=True)
    from symderiv.render import text
    out = text.render(a)
    assert "not differentiable where λ_1(" in out and "the largest eigenvalue is repeated" in out
    assert a.convexity.convex is True and a.verdict.smoothness == 0
    b = analyze(r"\lambda_{\min}(X)", symmetric=True)
    assert b.convexity.convex is False
    wit = b.convexity.witness
    A, B = _floats(wit["A"]), _floats(wit["B"])
    assert np.allclose(A, A.T) and np.allclose(B, B.T)
    assert lam_min((A + B) / 2) > (lam_min(A) + lam_min(B)) / 2     # concave, not convex, at the witness


# ---------------------------------------------------------------- the sum of the k largest eigenvalues (Ky Fan)

def ky2(X):
    return np.sum(np.linalg.eigvalsh((X + X.T) / 2)[-2:])


@pytest.mark.parametrize("at", ["[[1,2,0],[2,1,1],[0,1,2]]",          # distinct, cubic roots
                                "[[2,0,0],[0,2,0],[0,0,1]]",          # λ1 = λ2 > λ3: still smooth
                                "[[3,1,0],[1,3,0],[0,0,1]]"])
def test_ky_fan_gradient_where_smooth(at):
    a = analyze(r"\sum_{i=1}^{2}\lambda_i(X)", symmetric=True, at=at)
    X = _X(at)
    assert a.point.differentiable
    G = _grad(a)
    assert np.allclose(G, sym_gradient(ky2, X), atol=1e-6)
    # the projector onto the top-2 eigenspace (oracle: NumPy's eigenvectors)
    w, V = np.linalg.eigh(X)
    assert np.allclose(G, V[:, -2:] @ V[:, -2:].T, atol=1e-12)


@pytest.mark.parametrize("at", ["[[3,0,0],[0,1,0],[0,0,1]]",          # λ1 > λ2 = λ3
                                "[[1,0,0],[0,1,0],[0,0,1]]",          # all equal
                                "[[2,1,0],[1,2,0],[0,0,1]]"])
def test_ky_fan_clarke_set_where_tied(at):
    a = analyze(r"\sum_{i=1}^{2}\lambda_i(X)", symmetric=True, at=at)
    X = _X(at)
    assert not a.point.differentiable
    S = a.point.subdifferential
    doc = S.to_json(False)
    assert doc["form"] == "eigen_top" and doc["which"] == "kyfan" and doc["upper"] is True
    Q, C = np.array(doc["basis"], dtype=float), np.array(doc["center"], dtype=float)
    for _ in range(30):                      # gradients nearby: top-2 projectors at simple points
        Y = X + 1e-4 * sym_dir(3)
        w, V = np.linalg.eigh(Y)
        if w[1] - w[0] < 1e-7:
            continue
        G = V[:, -2:] @ V[:, -2:].T
        assert np.allclose(G, sym_gradient(ky2, Y, h=1e-8), atol=1e-4)
        T = Q.T @ (G - C) @ Q
        ev = np.linalg.eigvalsh(T)
        assert abs(np.trace(T) - doc["trace"]) < 1e-3 and ev[0] > -1e-3 and ev[-1] < 1 + 1e-3
        assert np.allclose(C + Q @ T @ Q.T, G, atol=2e-3)
        assert S.contains(G, tol=2e-3)
    for _ in range(50):                      # support function = one-sided derivative (convex)
        D = sym_dir(3)
        assert abs(_num(S.support([v for v in D.flat])) - one_sided(ky2, X, D)) < 1e-5


def test_ky_fan_directional_and_refusals(capsys):
    code, out, err = _run(capsys, r"\sum_{i=1}^{2}\lambda_i(X)", "--symmetric", "X", "--at", "[[3,0,0],[0,1,0],[0,0,1]]",
                          "--direction", "[[1,0,1],[0,0,2],[1,2,-1]]", "--format", "json")
    assert code == 0, err
    got = json.loads(out)["at"]["directional_derivative"]
    assert abs(got - one_sided(ky2, _X("[[3,0,0],[0,1,0],[0,0,1]]"), _X("[[1,0,1],[0,0,2],[1,2,-1]]"))) < 1e-6
    code, _, err = _run(capsys, r"\sum_{i=1}^{2}\lambda_i(X)")
    assert code == 3 and "not known to be symmetric" in err
    a = analyze(r"\sum_{i=1}^{2}\lambda_i(X)", symmetric=True)
    assert a.convexity.convex is True and a.verdict.smoothness == 0
    for _ in range(100):                     # midpoint convexity, numerically
        A, B = sym_dir(3) * 3, sym_dir(3) * 3
        assert ky2((A + B) / 2) <= (ky2(A) + ky2(B)) / 2 + 1e-12


def test_autodiff_compare_reads_the_symmetric_space():
    from symderiv.autodiff import compare
    a = analyze(r"\operatorname{tr}(AX)", symmetric=True, let=["A=[[1,2],[3,4]]"], at="[[1,0],[0,1]]")
    out = compare(a)
    assert out["available"] and out["in_clarke_set"] is True
    assert np.allclose(out["gradient"], sym_gradient(lambda X: np.trace(A23 @ X), np.eye(2)))
    b = analyze(r"\lambda_{\max}(X)", symmetric=True, at="[[1,0],[0,1]]")
    out = compare(b)
    G = np.asarray(out["gradient"], dtype=float)
    T = G       # Q₁ = I here: PyTorch's choice must be PSD with trace 1
    assert out["in_clarke_set"] is True and abs(np.trace(T) - 1) < 1e-9 and np.linalg.eigvalsh(T)[0] > -1e-9
