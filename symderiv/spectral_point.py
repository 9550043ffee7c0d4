"""f at one point where a singular-value norm is on its kink (spectral_kinks.py): the
Clarke set and the exact one-sided directional derivative.

Near the point f = w s(M(X)) + (the rest, differentiable there), with s the nuclear or
the spectral norm, w its weight in f.  For D ↦ f'(X; D):
    f'(X; D) = <G0, D> + w s'(M0; M'(D))
where G0 is the gradient of the rest and, exactly (M0 = U Σ Vᵀ):
    ‖·‖_*:  s'(M0; E) = tr(U_rᵀ E V_r) + ‖U₀ᵀ E V₀‖_*   (U₀, V₀ the null spaces of M0ᵀ, M0)
    ‖·‖_2:  s'(M0; E) = λ_max(sym(U₁ᵀ E V₁))            (σ₁ > 0 with multiplicity r)
            s'(0; E)  = ‖E‖_2
    S_p:    s'(0; E)  = ‖E‖_{S_p}                      (its only kink, M0 = 0)
    (k):    s'(M0; E) = tr(U₊ᵀ E V₊) + (sum of the j largest eigenvalues of sym(U_*ᵀ E V_*))
            where σ_k = σ_(k+1) = σ* > 0 (U₊, V₊ the pairs above σ*, U_*, V_* those of σ*,
            j of which the k largest take), and tr(U_rᵀ E V_r) + ‖U₀ᵀ E V₀‖_(j) where σ* = 0
    σ_min:  s'(M0; E) = λ_min(sym(U_kᵀ E V_k))          (σ_k > 0 with multiplicity r)
            s'(M0; E) = σ_min(U₀ᵀ E V₀)                 (rank M0 < k)
The Clarke set is G0 + w c ∂s(M0) where M = cX + B (an affine M with an invertible
derivative: the chain rule holds with equality for any locally Lipschitz s), and
G0 + w M′*∂s(M0) where M = A X + B or X A + B (equality for the convex norms, which are
regular, whatever A is; for σ_min where A is invertible, so that M′ is onto); for another
argument the set is not computed.  ∂σ_min is {U_k T V_kᵀ : T ⪰ 0, tr T = 1} at a
repeated σ_k > 0 (a min of smooth functions ‖M v‖ over the unit v of that subspace) and
{U₀ W V₀ᵀ : ‖W‖_* ≤ 1} at rank M0 < k (the gradients u vᵀ of σ_min nearby, u and v unit
vectors of the null spaces, and their hull).
"""
from __future__ import annotations

import sympy as sp

from . import expr as E
from . import singular_values as SV
from .calculus import directional
from .errors import Unsupported
from .evaluate import Evaluator, scalar_eval
from .exact_numbers import as_sympy
from .kink_study import _affine_in
from .sets import KyFanSet, KyFanZero, Mapped, NuclearBall, SchattenBall, NuclearSet, Point, SpectralBottom, SpectralTop, Undecided
from .lazy_import import LazyModule
from .spectral_kinks import on_kink

np = LazyModule("numpy")


def activate(k, L) -> None:
    """Record the kink when the point is on it (exactly) and its weight in f is not 0."""
    from .local_model import _broadcast, _frame_env
    parts = SV.svd_parts(L.ev(k.node.arg))
    if not on_kink(k.node, parts):
        return
    L.active.append(("spectral", k))
    env = _frame_env(L.ev, k.args, (1, 1))
    w = _broadcast(scalar_eval(k.weight, env, (1, 1), {}, k.args), (1, 1))[0, 0]
    if w != 0:
        L.__dict__.setdefault("spectral", []).append((k, w, parts))
    else:
        # on its kink with weight 0 in f (‖X‖_*² at 0): no term, but its gradient node is
        # not defined here, so the rest of f's gradient is read without it
        L.__dict__.setdefault("spectral_quiet", []).append(k.node.key)


def _inner(G, D) -> sp.Expr:
    return sp.Add(*[as_sympy(g) * as_sympy(d) for g, d in zip(np.ravel(G), np.ravel(D))])


class _Local:
    """The norm's own pieces at M0: what its set and its directional derivative read."""

    def __init__(self, node, parts: SV.SVDParts):
        self.nuclear = isinstance(node, E.NuclearNorm)
        self.smallest = isinstance(node, E.SmallestSingular)
        self.schatten = node.p if isinstance(node, E.SchattenNorm) else None
        self.ky_fan = node.k if isinstance(node, E.KyFanNorm) else None
        self.parts = p = parts
        M0 = p.X
        if self.ky_fan:
            above, tie, self.j = SV.split_at(p, self.ky_fan)
            n = p.proj[0].shape[0]
            W = sp.zeros(n, n)
            for i in above:
                W += p.proj[i] / p.sigma(i)
            self.above = p.apply(W).applyfunc(SV._tidy)
            self.zero = p.eig[tie][0] == 0
            if self.zero:
                self.U0 = SV.orthonormal(SV.null_projector(M0.T))
                self.V0 = SV.orthonormal(SV.null_projector(M0))
            else:
                self.U1, self.V1 = self._bases(p, M0, tie)
        elif self.schatten:
            self.zero = True            # its only kink is at M = 0
        elif self.smallest:
            self.zero = p.rank < p.full
            if self.zero:
                self.U0 = SV.orthonormal(SV.null_projector(M0.T))
                self.V0 = SV.orthonormal(SV.null_projector(M0))
            else:
                self.U1, self.V1 = self._bases(p, M0, len(p.eig) - 1)
        elif self.nuclear:
            self.polar = SV._polar_of(p) if p.rank else sp.zeros(*M0.shape)
            self.PL = SV.null_projector(M0.T)         # onto the null space of M0ᵀ (m×m)
            self.PR = SV.null_projector(M0)           # onto the null space of M0 (n×n)
        else:
            self.zero = p.eig[0][0] == 0
            if not self.zero:
                self.U1, self.V1 = self._bases(p, M0, 0)

    @staticmethod
    def _bases(p, M0, i):
        """Orthonormal bases (U, V) of the singular subspaces of the i-th distinct singular
        value (> 0): one from the Gram matrix's projector, the other through M0."""
        sigma = p.sigma(i)
        basis = SV.orthonormal(p.proj[i])
        if p.left:
            return basis, (M0.T * basis / sigma).applyfunc(SV._tidy)
        return (M0 * basis / sigma).applyfunc(SV._tidy), basis

    def slope(self, Em: sp.Matrix) -> sp.Expr:
        """s'(M0; E), exactly."""
        if self.nuclear:
            rest = self.PL * Em * self.PR
            tail = 0 if all(v == 0 for v in rest) else SV.nuclear(rest)
            return sp.Add(*[a * b for a, b in zip(self.polar, Em)]) + tail
        if self.schatten:
            return SV.schatten(Em, self.schatten)
        if self.ky_fan:
            head = sp.Add(*[a * b for a, b in zip(self.above, Em)])
            if self.zero:
                if self.U0.shape[1] == 0 or self.V0.shape[1] == 0:
                    return head
                return head + SV.ky_fan(self.U0.T * Em * self.V0, self.j)
            A = self.U1.T * Em * self.V1
            return head + SV.top_eigen_sum(((A + A.T) / 2).applyfunc(sp.expand), self.j)
        if self.smallest and self.zero:
            if self.U0.shape[1] == 0 or self.V0.shape[1] == 0:
                return sp.Integer(0)
            return SV.smallest(self.U0.T * Em * self.V0)
        if self.zero:
            return SV.spectral(Em)
        A = self.U1.T * Em * self.V1
        S = ((A + A.T) / 2).applyfunc(sp.expand)
        # σ_min at a repeated value is the smallest of the compressed pair's: λ_min = -λ_max(-S)
        return -SV.max_eigenvalue(-S) if self.smallest else SV.max_eigenvalue(S)

    def clarke(self, center: np.ndarray, scale):
        if self.nuclear:
            c = center + SV.to_array(self.polar * as_sympy(scale))
            return NuclearSet(c, scale, SV.to_array(SV.orthonormal(self.PL)), SV.to_array(SV.orthonormal(self.PR)))
        if self.schatten:
            return SchattenBall(center, scale, self.schatten)
        if self.ky_fan:
            c = center + SV.to_array(self.above * as_sympy(scale))
            if self.zero:
                return KyFanZero(c, scale, SV.to_array(self.U0), SV.to_array(self.V0), self.j)
            return KyFanSet(c, scale, SV.to_array(self.U1), SV.to_array(self.V1), self.j)
        if self.smallest and self.zero:
            return NuclearBall(center, scale, SV.to_array(self.U0), SV.to_array(self.V0))
        if self.zero:
            return NuclearBall(center, scale)
        if self.smallest:
            return SpectralBottom(center, scale, SV.to_array(self.U1), SV.to_array(self.V1))
        return SpectralTop(center, scale, SV.to_array(self.U1), SV.to_array(self.V1))


def spectral_point(L, value):
    """The PointResult where a singular-value norm is active, or None where none is."""
    from .pointwise import PointResult
    terms = L.__dict__.get("spectral", [])
    quiet = L.__dict__.get("spectral_quiet", [])
    if not terms and not quiet:
        return None
    if len(terms) > 1 or L.items or L.norms or L.maxes or L.interacting or L.jumps or L.unbounded:
        raise Unsupported("unverified: at this point a singular-value norm is on its kink together with other "
                          "kinks; that Clarke set is not computed yet")
    if not terms:
        G = L.gradient(frozenset(quiet))
        r = PointResult(value, True, G, Point(G), active=L.active)
        r.directional_at = lambda D: _inner(G, D)
        return r
    k, w, parts = terms[0]
    G0 = L.gradient(frozenset({k.node.key} | set(quiet)))
    local = _Local(k.node, parts)
    M = k.node.arg
    Dsym = E.Sym("__D", L.var.shape)
    dM = directional(M, L.var, Dsym)

    def at(D) -> sp.Expr:
        D = np.reshape(np.asarray(D, dtype=object), L.shape)
        E_ = Evaluator({**L.values, "__D": D}, L.dims)(dM)
        return _inner(G0, D) + as_sympy(w) * local.slope(SV.matrix(E_))

    c, _ = _affine_in(M, L.var) if M != L.var else (sp.Integer(1), None)
    units = _units(L, dM)
    if c is None and all(all(v == 0 for v in E_) for E_ in units.values()):
        # M does not move to first order (‖max(X, 0)‖_2 at X < 0, where max(X, 0) = 0
        # nearby): w s(M) changes by O(|M(X + D) - M0|) = o(|D|), so f is differentiable
        r = PointResult(value, True, G0, Point(G0), active=L.active)
        r.directional_at = lambda D: _inner(G0, D)
        return r
    maps = None if c is not None else _one_sided_factor(M, L, units, local)
    if c is not None:
        sub = local.clarke(G0, _number(as_sympy(w) * as_sympy(c)))
    elif maps is not None:
        left, right = maps
        inner = local.clarke(np.zeros(L.ev.shape(M), dtype=object), _number(as_sympy(w)))
        sub = Mapped(G0, SV.to_array(left), SV.to_array(right), inner)
    else:
        reason = ("the Clarke set is not computed here: the norm's argument is not c·X + B, A X + B or X A + B "
                  "in the variable (f'(X; D) is exact)")
        sub = Undecided("the argument of the singular-value function is not c·X + B, A X + B or X A + B in the "
                        "variable", reason)
    r = PointResult(value, False, None, sub, active=L.active)
    r.directional_at = at
    return r


def _units(L, dM) -> dict:
    """M'(E_ij) for every unit matrix E_ij, exactly."""
    m, n = L.shape
    units = {}
    for i in range(m):
        for j in range(n):
            D = np.zeros((m, n), dtype=object)
            D[i, j] = 1
            units[i, j] = SV.matrix(Evaluator({**L.values, "__D": D}, L.dims)(dM))
    return units


def _one_sided_factor(M, L, units, local):
    """(L, R) with M'(D) = L D R where one of them is the identity (M = A X + B or
    X A + B, A constant), read off the exact derivative along the unit matrices; None
    otherwise.  For σ_min, which is not regular, the chain rule is an equality only where
    M' is onto, so L and R must then be square and invertible."""
    m, n = L.shape
    p, q = L.ev.shape(M)
    found = None
    if q == n:          # M'(D) = A D
        A = sp.Matrix(p, m, lambda r, i: units[i, 0][r, 0])
        if all(units[i, j] == A * sp.Matrix(m, n, lambda a, b: 1 if (a, b) == (i, j) else 0) for i, j in units):
            found = (A, sp.eye(n))
    if found is None and p == m:    # M'(D) = D A
        A = sp.Matrix(n, q, lambda j, c: units[0, j][0, c])
        if all(units[i, j] == sp.Matrix(m, n, lambda a, b: 1 if (a, b) == (i, j) else 0) * A for i, j in units):
            found = (sp.eye(m), A)
    if found is None:
        return None
    if local.smallest and not all(F.is_square and F.det() != 0 for F in found):
        return None
    return found


def _number(v):
    from .nodes.exact import to_number
    return to_number(sp.expand(v))
