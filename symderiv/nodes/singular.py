"""The singular-value functions of a matrix: the nuclear norm ‖M‖_* = Σ σ_i(M), the
spectral norm ‖M‖_2 = σ₁(M) and the smallest singular value σ_min(M) = σ_k(M), k = min(m, n),
with their gradients where they exist, Polar (U Vᵀ, the nuclear norm's, where M has full
rank), TopPair (u₁v₁ᵀ, the spectral norm's, where σ₁ is simple and positive) and
BottomPair (u_k v_kᵀ, σ_min's, where σ_k is simple and positive); the Schatten norms
‖M‖_{S_p} (integer p > 2; SchattenGrad where M ≠ 0) and the Ky Fan norms ‖M‖_(k) (the k
largest; KyFanGrad U_k V_kᵀ where σ_k > σ_(k+1)).  Values are exact (singular_values.py); the kinks are
spectral_kinks.py's.  A vector (m×1 or 1×n) never reaches these nodes: both norms of a
vector (and its one singular value) are its Euclidean norm, FroNorm."""
from __future__ import annotations

from dataclasses import dataclass

from .. import singular_values as SV
from . import exact
from .base import SCALAR, Node, Shape, Template, CONVEX, PROD
from .entrywise import scale
from .sum_all import inner
from .transpose import Transpose


class _SingularNorm(Node):
    """What the singular-value functions share: one argument, a scalar nonnegative value,
    a gradient node; the two norms are convex (σ_min overrides that)."""
    arg: Node
    shape: Shape = SCALAR
    #: the gradient node where it exists
    gradient_node: type = None

    # -- shape and normal form

    def children(self):
        return (self.arg,)

    # -- derivative

    def vjp(self, g, partial):
        # d s(M) = <∇s(M), dM> where s is differentiable (the kink's set is the analysis's)
        return [(self.arg, scale(g, self.gradient_node(self.arg)))]

    def jvp(self, d, partial):
        return inner(self.gradient_node(self.arg), d(self.arg))

    # -- entries

    def entries(self, ex, rows, cols):
        # no closed form entry by entry: the exact point test reads the node's own rules
        self._missing("its entries", f"{type(self).__name__} is not written out entry by entry")

    # -- curvature

    # convex and nonnegative; not monotone in the entries, so the composition rules
    # certify it of an affine argument only
    curvature, monotone, value_sign = CONVEX, (None,), "nonneg"

    # -- kinks

    def kinks(self, kx):
        from ..spectral_kinks import spectral_kink
        return [spectral_kink(self, kx)]


@dataclass(frozen=True, eq=False)
class NuclearNorm(_SingularNorm):
    """‖M‖_* = Σ σ_i(M): not differentiable where rank M < min(m, n)."""
    arg: Node
    shape: Shape = SCALAR

    @property
    def gradient_node(self):
        return Polar

    def rebuild(self, children):
        return nuclear_norm(children[0])

    # -- exact value

    def value(self, ev):
        return exact.scalar(exact.to_number(SV.nuclear(ev(self.arg))))

    # -- PyTorch

    def torch(self, tt):
        return tt.t.linalg.matrix_norm(tt(self.arg), ord="nuc").reshape(1, 1)

    # -- printing

    notation = Template("‖{0}‖_*", r"\left\|{0}\right\|_*")


@dataclass(frozen=True, eq=False)
class SpectralNorm(_SingularNorm):
    """‖M‖_2 = σ₁(M): not differentiable where σ₁(M) = σ₂(M) or M = 0."""
    arg: Node
    shape: Shape = SCALAR

    @property
    def gradient_node(self):
        return TopPair

    def rebuild(self, children):
        return spectral_norm(children[0])

    # -- exact value

    def value(self, ev):
        return exact.scalar(exact.to_number(SV.spectral(ev(self.arg))))

    # -- PyTorch

    def torch(self, tt):
        return tt.t.linalg.matrix_norm(tt(self.arg), ord=2).reshape(1, 1)

    # -- printing

    notation = Template("‖{0}‖_2", r"\left\|{0}\right\|_2")


@dataclass(frozen=True, eq=False)
class SmallestSingular(_SingularNorm):
    """σ_min(M) = σ_k(M), k = min(m, n): not differentiable where it is 0 or repeated.
    Neither convex nor concave (σ_min of [[x, 0], [0, 1]] is min(|x|, 1))."""
    arg: Node
    shape: Shape = SCALAR

    @property
    def gradient_node(self):
        return BottomPair

    def rebuild(self, children):
        return smallest_singular(children[0])

    # -- exact value

    def value(self, ev):
        return exact.scalar(exact.to_number(SV.smallest(ev(self.arg))))

    # -- PyTorch

    def torch(self, tt):
        return tt.t.linalg.svdvals(tt(self.arg))[-1].reshape(1, 1)

    # -- printing

    notation = Template("σ_min({0})", r"\sigma_{\min}({0})")

    # -- curvature

    # no composition rule: σ_min is neither convex nor concave
    curvature, monotone = None, (None,)


@dataclass(frozen=True, eq=False)
class SchattenNorm(_SingularNorm):
    """‖M‖_{S_p} = (Σ σ_i^p)^(1/p) for an integer p > 2 (p = 1, 2, ∞ are the nuclear,
    Frobenius and spectral norms): differentiable wherever M ≠ 0 (Σ σ_i^p is, for p > 1)."""
    arg: Node
    p: int = 3
    shape: Shape = SCALAR

    @property
    def gradient_node(self):
        p = self.p
        return lambda a: SchattenGrad(a, p)

    def _label(self):
        return str(self.p)

    def rebuild(self, children):
        return schatten_norm(children[0], self.p)

    # -- exact value

    def value(self, ev):
        return exact.scalar(exact.to_number(SV.schatten(ev(self.arg), self.p)))

    # -- PyTorch

    def torch(self, tt):
        return (tt.t.linalg.svdvals(tt(self.arg)) ** self.p).sum().pow(1.0 / self.p).reshape(1, 1)

    # -- printing

    notation = Template("‖{0}‖_S{p}", r"\left\|{0}\right\|_{S_{p}}")

    def printed(self, pr):
        return self.notation.fill(pr, self.arg, p=str(self.p))


@dataclass(frozen=True, eq=False)
class KyFanNorm(_SingularNorm):
    """‖M‖_(k) = σ₁ + ... + σ_k, for k < min(m, n) (else the nuclear norm): not
    differentiable where σ_k(M) = σ_(k+1)(M)."""
    arg: Node
    k: int = 1
    shape: Shape = SCALAR

    @property
    def gradient_node(self):
        k = self.k
        return lambda a: KyFanGrad(a, k)

    def _label(self):
        return str(self.k)

    def rebuild(self, children):
        return ky_fan(children[0], self.k)

    def value(self, ev):
        return exact.scalar(exact.to_number(SV.ky_fan(ev(self.arg), self.k)))

    def torch(self, tt):
        return tt.t.linalg.svdvals(tt(self.arg))[:self.k].sum().reshape(1, 1)

    notation = Template("‖{0}‖_({k})", r"\left\|{0}\right\|_{({k})}")

    def printed(self, pr):
        return self.notation.fill(pr, self.arg, k=str(self.k))


class _Factor(Node):
    """A gradient of a singular-value function: shaped like its argument, defined where
    the function is differentiable."""
    arg: Node

    # -- shape and normal form

    @property
    def shape(self):
        return self.arg.shape

    def children(self):
        return (self.arg,)

    # -- derivative (its own derivative is the Hessian's, which is not formed)

    # -- kinks

    def kinks(self, kx):
        # defined and smooth where its norm is differentiable; where it is not, the kink
        # is the norm's, whose gradient it is
        return []


@dataclass(frozen=True, eq=False)
class Polar(_Factor):
    """U Vᵀ of the SVD M = U Σ Vᵀ (M(MᵀM)^(-1/2)): the gradient of ‖M‖_* where M has full rank."""
    arg: Node

    def rebuild(self, children):
        return Polar(children[0])

    def value(self, ev):
        return SV.to_array(SV.polar(ev(self.arg)))

    def torch(self, tt):
        U, _, Vh = tt.t.linalg.svd(tt(self.arg), full_matrices=False)
        return U @ Vh

    notation = Template("polar({0})", r"\operatorname{polar}({0})")


@dataclass(frozen=True, eq=False)
class TopPair(_Factor):
    """u₁v₁ᵀ for the top singular pair of M: the gradient of ‖M‖_2 where σ₁ is simple and > 0."""
    arg: Node

    def rebuild(self, children):
        return TopPair(children[0])

    def value(self, ev):
        return SV.to_array(SV.top_pair(ev(self.arg)))

    def torch(self, tt):
        U, _, Vh = tt.t.linalg.svd(tt(self.arg), full_matrices=False)
        return U[:, :1] @ Vh[:1, :]

    notation = Template("u₁v₁ᵀ({0})", r"u_1 v_1^\top({0})")


@dataclass(frozen=True, eq=False)
class BottomPair(_Factor):
    """u_k v_kᵀ for the smallest singular pair of M: the gradient of σ_min(M) where σ_k is
    simple and > 0."""
    arg: Node

    def rebuild(self, children):
        return BottomPair(children[0])

    def value(self, ev):
        return SV.to_array(SV.bottom_pair(ev(self.arg)))

    def torch(self, tt):
        U, _, Vh = tt.t.linalg.svd(tt(self.arg), full_matrices=False)
        return U[:, -1:] @ Vh[-1:, :]

    notation = Template("u_k v_kᵀ({0})", r"u_k v_k^\top({0})")


@dataclass(frozen=True, eq=False)
class SchattenGrad(_Factor):
    """U Σ^(p-1) Vᵀ / ‖M‖_{S_p}^(p-1): the gradient of the Schatten p-norm where M ≠ 0."""
    arg: Node
    p: int = 3

    def _label(self):
        return str(self.p)

    def rebuild(self, children):
        return SchattenGrad(children[0], self.p)

    def value(self, ev):
        return SV.to_array(SV.schatten_gradient(ev(self.arg), self.p))

    def torch(self, tt):
        U, S, Vh = tt.t.linalg.svd(tt(self.arg), full_matrices=False)
        norm = (S ** self.p).sum().pow(1.0 / self.p)
        return U @ tt.t.diag(S ** (self.p - 1)) @ Vh / norm ** (self.p - 1)

    notation = Template("U Σ^{p1} Vᵀ/‖{0}‖_S{p}^{p1}", r"\frac{U \Sigma^{{p1}} V^\top}{\left\|{0}\right\|_{S_{p}}^{{p1}}}",
                        binds=PROD)

    def printed(self, pr):
        return self.notation.fill(pr, self.arg, p=str(self.p), p1=str(self.p - 1))


@dataclass(frozen=True, eq=False)
class KyFanGrad(_Factor):
    """U_k V_kᵀ over the k largest singular pairs: the Ky Fan norm's gradient where σ_k > σ_(k+1)."""
    arg: Node
    k: int = 1

    def _label(self):
        return str(self.k)

    def rebuild(self, children):
        return KyFanGrad(children[0], self.k)

    def value(self, ev):
        return SV.to_array(SV.ky_fan_gradient(ev(self.arg), self.k))

    def torch(self, tt):
        U, _, Vh = tt.t.linalg.svd(tt(self.arg), full_matrices=False)
        return U[:, :self.k] @ Vh[:self.k, :]

    notation = Template("U_{k} V_{k}ᵀ({0})", r"U_{{k}} V_{{k}}^\top({0})")

    def printed(self, pr):
        return self.notation.fill(pr, self.arg, k=str(self.k))


def _vector(a: Node) -> bool:
    return a.shape[0] == 1 or a.shape[1] == 1


def nuclear_norm(a: Node) -> Node:
    from .fro_norm import fro_norm
    if _vector(a):
        return fro_norm(a)          # one singular value: the Euclidean norm
    if isinstance(a, Transpose):
        return nuclear_norm(a.arg)  # σ(Mᵀ) = σ(M)
    return NuclearNorm(a)


def spectral_norm(a: Node) -> Node:
    from .fro_norm import fro_norm
    if _vector(a):
        return fro_norm(a)
    if isinstance(a, Transpose):
        return spectral_norm(a.arg)
    return SpectralNorm(a)


def smallest_singular(a: Node) -> Node:
    from .fro_norm import fro_norm
    if _vector(a):
        return fro_norm(a)
    if isinstance(a, Transpose):
        return smallest_singular(a.arg)
    return SmallestSingular(a)


def schatten_norm(a: Node, p: int) -> Node:
    from .fro_norm import fro_norm
    if p == 1:
        return nuclear_norm(a)
    if p == 2 or _vector(a):
        return fro_norm(a)
    if isinstance(a, Transpose):
        return schatten_norm(a.arg, p)
    return SchattenNorm(a, p)


def ky_fan(a: Node, k: int) -> Node:
    from .fro_norm import fro_norm
    if _vector(a):
        return fro_norm(a)
    if k == 1:
        return spectral_norm(a)
    if all(isinstance(d, int) for d in a.shape) and k >= min(a.shape):
        return nuclear_norm(a)
    if isinstance(a, Transpose):
        return ky_fan(a.arg, k)
    return KyFanNorm(a, k)


__all__ = ["KyFanNorm", "KyFanGrad", "ky_fan", "SchattenNorm", "SchattenGrad", "schatten_norm", "NuclearNorm", "SpectralNorm", "SmallestSingular", "Polar", "TopPair", "BottomPair", "nuclear_norm",
           "spectral_norm", "smallest_singular"]
