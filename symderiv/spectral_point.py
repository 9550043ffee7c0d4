"""f at one point where a singular-value norm is on its kink (spectral_kinks.py): the
Clarke set and the exact one-sided directional derivative.

Near the point f = w s(M(X)) + (the rest, differentiable there), with s the nuclear or
the spectral norm, w its weight in f.  For D ↦ f'(X; D):
    f'(X; D) = <G0, D> + w s'(M0; M'(D))
where G0 is the gradient of the rest and, exactly (M0 = U Σ Vᵀ):
    ‖·‖_*:  s'(M0; E) = tr(U_rᵀ E V_r) + ‖U₀ᵀ E V₀‖_*   (U₀, V₀ the null spaces of M0ᵀ, M0)
    ‖·‖_2:  s'(M0; E) = λ_max(sym(U₁ᵀ E V₁))            (σ₁ > 0 with multiplicity r)
            s'(0; E)  = ‖E‖_2
The Clarke set is G0 + w c ∂s(M0) where M = cX + B (the chain rule holds with equality:
M is affine and s is convex, so regular); for another argument the set is not computed.
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from . import expr as E
from . import singular_values as SV
from .calculus import directional
from .errors import Unsupported
from .evaluate import Evaluator, scalar_eval
from .exact_numbers import as_sympy
from .kink_study import _affine_in
from .sets import NuclearBall, NuclearSet, Point, SpectralTop, Undecided
from .spectral_kinks import on_kink


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
        self.parts = p = parts
        M0 = p.X
        if self.nuclear:
            self.polar = SV._polar_of(p) if p.rank else sp.zeros(*M0.shape)
            self.PL = SV.null_projector(M0.T)         # onto the null space of M0ᵀ (m×m)
            self.PR = SV.null_projector(M0)           # onto the null space of M0 (n×n)
        elif p.eig[0][0] != 0:
            sigma = p.sigma(0)
            basis = SV.orthonormal(p.proj[0])
            if p.left:
                self.U1 = basis
                self.V1 = (M0.T * basis / sigma).applyfunc(SV._tidy)
            else:
                self.V1 = basis
                self.U1 = (M0 * basis / sigma).applyfunc(SV._tidy)

    @property
    def zero(self) -> bool:
        return self.parts.eig[0][0] == 0

    def slope(self, Em: sp.Matrix) -> sp.Expr:
        """s'(M0; E), exactly."""
        if self.nuclear:
            rest = self.PL * Em * self.PR
            tail = 0 if all(v == 0 for v in rest) else SV.nuclear(rest)
            return sp.Add(*[a * b for a, b in zip(self.polar, Em)]) + tail
        if self.zero:
            return SV.spectral(Em)
        A = self.U1.T * Em * self.V1
        return SV.max_eigenvalue(((A + A.T) / 2).applyfunc(sp.expand))

    def clarke(self, center: np.ndarray, scale):
        if self.nuclear:
            c = center + SV.to_array(self.polar * as_sympy(scale))
            return NuclearSet(c, scale, SV.to_array(SV.orthonormal(self.PL)), SV.to_array(SV.orthonormal(self.PR)))
        if self.zero:
            return NuclearBall(center, scale)
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
    if c is None:
        reason = ("the Clarke set is not computed here: the norm's argument is not c·X + B in the variable "
                  "(f'(X; D) is exact)")
        sub = Undecided("the argument of the singular-value norm is not c·X + B in the variable", reason)
    else:
        sub = local.clarke(G0, _number(as_sympy(w) * as_sympy(c)))
    r = PointResult(value, False, None, sub, active=L.active)
    r.directional_at = at
    return r


def _number(v):
    from .nodes.exact import to_number
    return to_number(sp.expand(v))
