"""The singular values of a matrix of exact numbers, decided exactly.

Everything here is exact SymPy arithmetic: the squared singular values are the roots of
the characteristic polynomial of the smaller Gram matrix (XᵀX or XXᵀ, rational when X is),
found with their multiplicities by SymPy's real-root isolation (a squarefree
factorisation, so a repeated root is counted, never guessed from digits); the projectors
onto the singular subspaces are Sylvester's formula over the distinct roots, so their
entries lie in the field the roots generate; where a root has no radical form (an
irreducible cubic or worse), the gradients are computed from it held to DIGITS + 20
digits and given to DIGITS.  No float tolerance decides anything: rank, multiplicity and
order are read from the exact roots.

  spectrum(X)          the distinct squared singular values, largest first, with multiplicities
  svd_parts(X)         the same with the spectral projectors of the Gram matrix
  polar(X)             U Vᵀ (X of full rank): the gradient of the nuclear norm
  top_pair(X)          u₁v₁ᵀ (σ₁ simple and > 0): the gradient of the spectral norm
  nuclear(A), spectral(A), schatten(A, p), smallest(A)   the values, exactly
  schatten_gradient(X, p)   U Σ^(p-1) Vᵀ / ‖X‖_{S_p}^(p-1) (X ≠ 0); bottom_pair(X) u_k v_kᵀ
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .errors import Unsupported
from .lazy_import import LazyModule
from .exact_numbers import as_sympy

np = LazyModule("numpy")

_LAM = sp.Symbol("_lam")
DIGITS = 40        # the digits of a value that has no closed form (a root of a cubic or worse)
MAX_SIDE = 8       # the characteristic polynomial of a larger Gram matrix is not formed


def matrix(a) -> sp.Matrix:
    """An object array (or a Matrix) of exact numbers as a SymPy Matrix."""
    if isinstance(a, sp.MatrixBase):
        return sp.Matrix(a)
    a = np.asarray(a, dtype=object)
    return sp.Matrix(a.shape[0], a.shape[1], [as_sympy(v) for v in a.flat])


def to_array(M: sp.Matrix) -> np.ndarray:
    from .nodes.exact import to_number
    out = np.empty(M.shape, dtype=object)
    for i in range(M.shape[0]):
        for j in range(M.shape[1]):
            out[i, j] = to_number(_tidy(M[i, j]))
    return out


def _tidy(v: sp.Expr) -> sp.Expr:
    """A canonical exact form: rational numbers stay rational; radicals are denested
    where SymPy can do so exactly (radsimp and sqrtdenest only rewrite identities)."""
    if v.has(sp.Float):
        return sp.N(v, DIGITS)      # computed from roots held to DIGITS + 20 digits (_approx)
    v = sp.expand(v)
    if v.is_Rational or v.has(sp.CRootOf) or sp.count_ops(v) > 60:
        # a root of an irreducible cubic or worse has no radicals to denest, and on a long
        # expression the rewriting costs more than it saves: the expanded form is kept
        return v
    try:
        w = sp.radsimp(v)
        w = sp.sqrtdenest(w)
        return sp.expand(w)
    except (TypeError, ValueError, NotImplementedError):     # pragma: no cover - SymPy's own limits
        return v


def _eigen(M: sp.Matrix) -> list:
    """The distinct eigenvalues of a symmetric matrix of exact numbers, largest first,
    with their multiplicities: [(λ, k), ...]."""
    if M.shape[0] > MAX_SIDE:
        raise Unsupported(f"the spectrum of a matrix with more than {MAX_SIDE} rows or columns is not computed")
    if all(v.is_Rational for v in M):
        poly = sp.Poly(M.charpoly(_LAM).as_expr(), _LAM)
        roots = sp.real_roots(poly)            # sorted, each root as often as its multiplicity
        if len(roots) != M.shape[0]:
            raise Unsupported("a symmetric matrix with a non-real eigenvalue (impossible): not computed")
        out: list = []
        for r in reversed(roots):
            if out and out[-1][0] == r:
                out[-1] = (r, out[-1][1] + 1)
            else:
                out.append((r, 1))
        return out
    # algebraic entries: SymPy's own exact eigenvalues, ordered by exact sign tests
    from .directional import sign_of
    vals = M.eigenvals(multiple=False)
    items = [(sp.simplify(v), k) for v, k in vals.items()]
    merged: list = []
    for v, k in items:
        for i, (w, j) in enumerate(merged):
            if sign_of(v - w) == 0:
                merged[i] = (w, j + k)
                break
        else:
            merged.append((v, k))
    from functools import cmp_to_key
    return sorted(merged, key=cmp_to_key(lambda a, b: sign_of(b[0] - a[0])))


def max_eigenvalue(M: sp.Matrix) -> sp.Expr:
    """The largest eigenvalue of a symmetric matrix of exact numbers, exactly."""
    if M.shape == (1, 1):
        return M[0, 0]
    if M.shape == (2, 2):
        a, b, c = M[0, 0], M[0, 1], M[1, 1]
        return (a + c) / 2 + sp.sqrt(((a - c) / 2) ** 2 + b ** 2)
    return _eigen(M)[0][0]


@dataclass
class SVDParts:
    """X (m×n) through its smaller Gram matrix: ``left`` says the Gram matrix is XXᵀ
    (m < n), else XᵀX; ``eig`` the distinct squared singular values, largest first, with
    multiplicities; ``proj`` the Gram matrix's spectral projector for each."""
    X: sp.Matrix
    left: bool
    eig: list
    proj: list

    @property
    def rank(self) -> int:
        return sum(k for lam, k in self.eig if lam != 0)

    @property
    def full(self) -> int:
        return min(self.X.shape)

    def sigma(self, i: int) -> sp.Expr:
        return sp.sqrt(_approx(self.eig[i][0]))

    def apply(self, P: sp.Matrix) -> sp.Matrix:
        """X P for P on the column side, P X for P on the row side: the part of X that P keeps."""
        return P * self.X if self.left else self.X * P


def _approx(lam: sp.Expr) -> sp.Expr:
    """An eigenvalue as the projectors use it: exact when it is rational or a radical; a
    root of an irreducible cubic or worse (CRootOf) to DIGITS + 20 digits, since its exact
    arithmetic grows without bound.  Every decision (rank, multiplicity, which value is
    largest) reads the exact roots, never these numbers."""
    return sp.Float(lam.evalf(DIGITS + 20), DIGITS + 20) if lam.has(sp.CRootOf) else lam


def svd_parts(X) -> SVDParts:
    X = matrix(X)
    left = X.shape[0] < X.shape[1]
    G = X * X.T if left else X.T * X
    eig = _eigen(G)
    proj = []
    n = G.shape[0]
    for i, (lam, _) in enumerate(eig):
        P = sp.eye(n)
        for j, (mu, _) in enumerate(eig):
            if j != i:
                P = P * (G - _approx(mu) * sp.eye(n)) / (_approx(lam) - _approx(mu))
        proj.append(P.applyfunc(sp.expand))
    return SVDParts(X, left, eig, proj)


def polar(X) -> sp.Matrix:
    """U Vᵀ = X (XᵀX)^(-1/2) (or (XXᵀ)^(-1/2) X), where X has full rank."""
    s = svd_parts(X)
    if s.rank < s.full:
        raise Unsupported("the matrix does not have full rank here; the nuclear norm's gradient is a set")
    return _polar_of(s)


def _polar_of(s: SVDParts) -> sp.Matrix:
    """U_r V_rᵀ over the nonzero singular values."""
    n = s.proj[0].shape[0] if s.proj else 0
    inv = sp.zeros(n, n)
    for (lam, _), P in zip(s.eig, s.proj):
        if lam != 0:
            inv += P / sp.sqrt(_approx(lam))
    return s.apply(inv).applyfunc(_tidy)


def top_pair(X) -> sp.Matrix:
    """u₁v₁ᵀ, where the largest singular value is simple and positive."""
    s = svd_parts(X)
    if s.eig[0][0] == 0:
        raise Unsupported("the matrix is 0 here; the spectral norm's gradient is a set")
    if s.eig[0][1] > 1 and min(s.X.shape) > 1:
        raise Unsupported("the largest singular value is repeated here; the spectral norm's gradient is a set")
    return s.apply(s.proj[0] / s.sigma(0)).applyfunc(_tidy)


def bottom_pair(X) -> sp.Matrix:
    """u_k v_kᵀ for the smallest singular value σ_k, k = min(m, n), where it is simple and positive."""
    s = svd_parts(X)
    if s.eig[-1][0] == 0 or s.rank < s.full:
        raise Unsupported("the smallest singular value is 0 here; its gradient is a set")
    if s.eig[-1][1] > 1:
        raise Unsupported("the smallest singular value is repeated here; its gradient is a set")
    return s.apply(s.proj[-1] / s.sigma(len(s.eig) - 1)).applyfunc(_tidy)


def smallest(A) -> sp.Expr:
    """σ_k(A), k = min(m, n), exactly (0 where A does not have full rank)."""
    s = svd_parts(A)
    return _tidy(sp.sqrt(s.eig[-1][0]))


def schatten(A, p) -> sp.Expr:
    """‖A‖_{S_p} = (Σ σ_i^p)^(1/p), exactly."""
    s = svd_parts(A)
    p = sp.Rational(p)
    return _tidy(sp.Add(*[k * lam ** (p / 2) for lam, k in s.eig]) ** (1 / p))


def schatten_gradient(X, p) -> sp.Matrix:
    """U Σ^(p-1) Vᵀ / ‖X‖_{S_p}^(p-1), where X ≠ 0."""
    s = svd_parts(X)
    if s.eig[0][0] == 0:
        raise Unsupported("the matrix is 0 here; the Schatten norm's gradient is a set")
    p = sp.Rational(p)
    n = s.proj[0].shape[0]
    W = sp.zeros(n, n)
    for (lam, _), P in zip(s.eig, s.proj):
        if lam != 0:           # X P = 0 on the null space: those terms vanish
            W += P * _approx(lam) ** ((p - 2) / 2)
    norm = sp.Add(*[k * _approx(lam) ** (p / 2) for lam, k in s.eig]) ** (1 / p)
    return (s.apply(W) / norm ** (p - 1)).applyfunc(_tidy)


def ky_fan(A, k: int) -> sp.Expr:
    """The sum of the k largest singular values, exactly."""
    s = svd_parts(A)
    total, left = sp.Integer(0), k
    for lam, mult in s.eig:
        take = min(mult, left)
        total += take * sp.sqrt(lam)
        left -= take
        if not left:
            break
    return _tidy(total)


def split_at(s: SVDParts, k: int):
    """(the groups wholly among the k largest, the group that σ_k shares with σ_(k+1) or
    None, how many of that group the k largest take)."""
    above, count = [], 0
    for i, (lam, mult) in enumerate(s.eig):
        if count + mult <= k:
            above.append(i)
            count += mult
            if count == k:
                return above, None, 0
        else:
            return above, i, k - count
    return above, None, 0


def ky_fan_gradient(X, k: int) -> sp.Matrix:
    """U_k V_kᵀ, where σ_k > σ_(k+1)."""
    s = svd_parts(X)
    above, tie, _ = split_at(s, k)
    if tie is not None:
        raise Unsupported("σ_k = σ_(k+1) here; the Ky Fan norm's gradient is a set")
    n = s.proj[0].shape[0]
    W = sp.zeros(n, n)
    for i in above:
        W += s.proj[i] / s.sigma(i)
    return s.apply(W).applyfunc(_tidy)


def top_eigen_sum(S: sp.Matrix, j: int) -> sp.Expr:
    """The sum of the j largest eigenvalues of a symmetric matrix of exact numbers."""
    if j == S.shape[0]:
        return S.trace()
    if S.shape == (2, 2) and j == 1:
        return max_eigenvalue(S)
    total, left = sp.Integer(0), j
    for lam, mult in _eigen(S):
        take = min(mult, left)
        total += take * lam
        left -= take
        if not left:
            break
    return total


def nuclear(A) -> sp.Expr:
    s = svd_parts(A)
    return _tidy(sp.Add(*[k * sp.sqrt(lam) for lam, k in s.eig]))


def spectral(A) -> sp.Expr:
    s = svd_parts(A)
    return _tidy(sp.sqrt(s.eig[0][0]))


def orthonormal(P: sp.Matrix) -> sp.Matrix:
    """An orthonormal basis (as columns) of the range of a projector, exactly
    (Gram-Schmidt on its columns); a matrix with 0 columns when P = 0."""
    cols = [P[:, j] for j in range(P.shape[1])]
    basis = []
    for c in cols:
        v = c
        for b in basis:
            v = v - (b.T * c)[0, 0] * b
        v = v.applyfunc(lambda e: sp.simplify(e))
        if all(e == 0 for e in v):
            continue
        norm = sp.sqrt(sp.simplify((v.T * v)[0, 0]))
        basis.append(v.applyfunc(lambda e: _tidy(e / norm)))
        if len(basis) == P.rank(simplify=True):
            break
    return sp.Matrix.hstack(*basis) if basis else sp.zeros(P.shape[0], 0)


def null_projector(A: sp.Matrix) -> sp.Matrix:
    """The orthogonal projector onto the null space of A, exactly (rational for rational A)."""
    N = A.nullspace(simplify=True)
    if not N:
        return sp.zeros(A.shape[1], A.shape[1])
    B = sp.Matrix.hstack(*N)
    return (B * (B.T * B).inv() * B.T).applyfunc(sp.simplify)
