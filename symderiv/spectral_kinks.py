"""The kink of a singular-value function (nodes/singular.py): its kind, SpectralKink, and
the exact decision of it for f.

  ‖M‖_*       is differentiable exactly where M has full rank (gradient U Vᵀ, the polar factor)
  ‖M‖_2       is differentiable exactly where σ₁(M) is simple and positive (gradient u₁v₁ᵀ)
  σ_min(M)    is differentiable exactly where σ_k(M) is simple and positive (gradient u_k v_kᵀ)
  ‖M‖_{S_p}   (integer p > 2) is differentiable exactly where M ≠ 0 (gradient U Σ^(p-1) Vᵀ/‖M‖^(p-1))
  ‖M‖_(k)     is differentiable exactly where σ_k(M) > σ_(k+1)(M) (gradient U_k V_kᵀ)

All are Lipschitz and directionally differentiable everywhere, so on the kink f
fails exactly where the norm's weight in f (its adjoint) is not 0, as for the Frobenius
norm at its zero (kink_study.py).  At a point the exact test of whether the point is on
the kink is singular_values.py's; the analysis there is spectral_point.py's.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from . import expr as E
from .kinks import Kink, _and, _m, _pick
from .nodes.base import ATOM
from .scalar import to_sign_form
from .switch_kinks import decide_zero


@dataclass
class SpectralKink(Kink):
    """A singular-value norm where its gradient is not defined (rank M < min(m, n) for the
    nuclear norm; σ₁(M) = σ₂(M) or M = 0 for the spectral norm)."""
    kind: ClassVar[str] = "spectral"

    @property
    def nuclear(self) -> bool:
        return isinstance(self.node, E.NuclearNorm)

    @property
    def smallest(self) -> bool:
        return isinstance(self.node, E.SmallestSingular)

    @property
    def schatten(self) -> bool:
        return isinstance(self.node, E.SchattenNorm)

    @property
    def ky_fan(self) -> bool:
        return isinstance(self.node, E.KyFanNorm)

    def place(self, N) -> str:
        M = N.child(self.node.arg, ATOM)
        if self.nuclear:
            m, n = self.node.arg.shape
            if isinstance(m, int) and isinstance(n, int):
                low = str(min(m, n))
            elif m == n:
                low = str(m)
            else:
                low = _pick(N, f"min({m}, {n})", rf"\min({m}, {n})")
            return _pick(N, f"rank {M} < {low}", rf"\operatorname{{rank}} {M} < {low}")
        if self.schatten:
            return f"{N.node(self.node.arg)} = 0"
        if self.ky_fan:
            k = self.node.k
            return _pick(N, f"σ_{k}({M}) = σ_{k + 1}({M})", rf"\sigma_{{{k}}}({M}) = \sigma_{{{k + 1}}}({M})")
        if self.smallest:
            return _pick(N, f"σ_min({M}) = 0 or σ_min({M}) is repeated",
                         rf"\sigma_{{\min}}({M}) = 0 \text{{ or }} \sigma_{{\min}}({M}) \text{{ is repeated}}")
        return _pick(N, f"σ₁({M}) = σ₂({M}) or {M} = 0",
                     rf"\sigma_1({M}) = \sigma_2({M}) \text{{ or }} {M} = 0")

    def where(self, N) -> str:
        conds = [N.entry(c, self.args) for c in (self.condition or [])]
        if not conds:
            return self.place(N)
        head = self.place(N) if self.nuclear or self.schatten else f"({self.place(N)})"    # an 'or' inside an 'and'
        return _and(N).join([head] + conds)

    def story(self, N) -> str:
        where = _m(self.place(N), N)
        M = N.node(self.node.arg)
        polar = _pick(N, f"polar({M}) = U Vᵀ", rf"\operatorname{{polar}}({M}) = U V^\top")
        svd = _pick(N, f"{N.child(self.node.arg, ATOM)} = U Σ Vᵀ",
                    rf"{N.child(self.node.arg, ATOM)} = U \Sigma V^\top")
        what = (f"the nuclear norm has a kink: its gradient {_m(polar, N)}, from the SVD {_m(svd, N)}, "
                f"exists only where {_m(M, N)} has full rank" if self.nuclear else
                "the Schatten norm has a kink (a cone): its gradient U Σ^(p-1) Vᵀ/‖M‖^(p-1) exists only where "
                "its argument is not 0" if self.schatten else
                f"the Ky Fan norm has a kink: its gradient U_k V_kᵀ (k = {getattr(self.node, 'k', '')}) exists "
                "only where σ_k > σ_(k+1)" if self.ky_fan else
                "the smallest singular value has a kink: its gradient u_k v_kᵀ exists only where it is simple "
                "and positive" if self.smallest else
                "the spectral norm has a kink: its gradient u₁v₁ᵀ exists only where the largest singular "
                "value is simple and positive")
        if self.harmless:
            return f"Where {where}, {what}, but its weight in f vanishes there, so f has no kink."
        return (f"Where {where}, {what}; it enters f with weight {_m(N.entry(self.weight, self.args), N)}: "
                f"f is not differentiable there.")

    def fails_at(self, ev, var):
        if self.condition:
            return None
        from . import singular_values as SV
        return on_kink(self.node, SV.svd_parts(ev(self.node.arg)))

    def activate(self, L):
        from .spectral_point import activate
        activate(self, L)


def on_kink(node, parts) -> bool:
    """Whether the singular values in ``parts`` put the node on its kink, exactly."""
    if isinstance(node, E.NuclearNorm):
        return parts.rank < parts.full
    if isinstance(node, E.SchattenNorm):
        return parts.eig[0][0] == 0
    if isinstance(node, E.KyFanNorm):
        from .singular_values import split_at
        return split_at(parts, node.k)[1] is not None
    if isinstance(node, E.SmallestSingular):
        return parts.rank < parts.full or parts.eig[-1][1] > 1
    return parts.eig[0][0] == 0 or parts.eig[0][1] > 1


def spectral_kink(node, kx) -> Kink:
    """The kink of a singular-value norm, decided for f: harmless exactly where its weight
    in f vanishes identically."""
    args, (a_expr,) = E.frame(kx.adj[node.key])
    w = to_sign_form(a_expr)
    k = SpectralKink(node=node, args=args, weight=w, strength=w)
    k.harmless = decide_zero(w, "the weight of the singular-value norm")
    k.order, k.order_exact = (1, True) if not k.harmless else (None, False)
    return k
