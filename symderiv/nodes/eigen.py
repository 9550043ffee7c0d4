"""Symmetric variables (--symmetric X) and the extreme eigenvalues of a symmetric matrix.

A symmetric variable.  f restricted to the symmetric matrices is analysed as
f_s(Y) = f((Y + Yᵀ)/2) over all square Y: P(Y) = (Y + Yᵀ)/2 is the orthogonal
projection onto the symmetric matrices (trace inner product), a linear surjection, so
f_s is differentiable at a symmetric X exactly where f restricted to the symmetric
matrices is, its gradient there is the gradient in that space (for f smooth on all
matrices with gradient G it is P(G) = (G + Gᵀ)/2), and its Clarke set is that of the
restriction (the chain rule holds with equality through a surjective linear map).
``symmetric_variable`` rewrites f so; the output states the convention.

The extreme eigenvalues.  ``Eigen`` is λ_max(M) (``EigenMin`` λ_min(M)) of a matrix M known to be
symmetric (``is_symmetric``; anything else is refused, with the reason).  λ_max is
convex, λ_min concave; each is smooth where its eigenvalue is simple, with gradient
q qᵀ (``EigenProjector``: q the unit eigenvector), and has a kink (kinks.EigenKink)
where it is repeated.  At a point every decision is exact: the characteristic
polynomial, its squarefree factorisation and isolating intervals with rational ends
give the extreme eigenvalue, its multiplicity and its minimal polynomial; the projector
where it is simple is adj(λI - M)/p'(λ) reduced modulo that minimal polynomial (a
rational matrix, or one in a square root, or a polynomial in a CRootOf).  Where it is
repeated, the Clarke set is sets.EigenTop, {G0 + w A*(Q₁ T Q₁ᵀ) : T ⪰ 0, tr T = 1}.

The sum of the k largest eigenvalues.  ``KyFan`` (k a given integer) is convex, smooth where
λ_k > λ_k+1 with gradient the projector onto the top-k eigenspace (``TopProjector``: the
sum of the spectral projectors h(M)/q'(μ), q the squarefree characteristic polynomial,
h(t) = (q(t) - q(μ))/(t - μ)), and where λ_k = λ_k+1 its Clarke set is EigenTop with
0 ⪯ T ⪯ I and tr T = k - s (s eigenvalues above λ_k, whose projector is in G0).  Each
eigenvalue node answers ``tie(M)``: None where it is smooth at M, else what the set needs.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..errors import InputError, Unsupported
from ..exact_numbers import as_sympy
from . import exact
from ..lazy_import import LazyModule
from .base import SCALAR, Node, Shape, Template, CONVEX, CONCAVE, MissingRule

np = LazyModule("numpy")

CONVENTION = ("{X} ranges over symmetric matrices: directions and gradients are symmetric, and the "
              "gradient is taken with the trace inner product <A, B> = tr(AᵀB) (for f defined on all "
              "matrices with gradient G it is (G + Gᵀ)/2)")

CONVENTION_LATEX = (r"${X}$ ranges over symmetric matrices: directions and gradients are symmetric, and the "
                    r"gradient is taken with the trace inner product $\langle A, B\rangle = \operatorname{{tr}}"
                    r"(A^\top B)$ (for $f$ defined on all matrices with gradient $G$ it is $(G + G^\top)/2$).")


def symmetric_names(symmetric) -> tuple:
    """The names given to --symmetric (repeatable, or comma separated), or the API's
    ``symmetric=`` argument: True (the variable), a name, or several."""
    if symmetric in (None, False, (), []):
        return ()
    if symmetric is True:
        return (True,)
    items = [symmetric] if isinstance(symmetric, str) else list(symmetric)
    out = []
    for item in items:
        if item is True:
            out.append(True)
            continue
        for name in str(item).split(","):
            name = name.strip().lstrip("\\")
            if not name:
                raise InputError("--symmetric expects the name of the variable, e.g. --symmetric X")
            out.append(name)
    return tuple(out)


def _square_leaves(f, var):
    """f with the variable made square: a symbolic column size of the variable is renamed
    to its row size throughout (tr(AX) reads X as m x n until it is declared symmetric)."""
    import dataclasses
    from . import Entrywise, ew
    m, n = var.shape
    if m == n:
        return f, var
    if isinstance(n, sp.Symbol):
        rename = {n: m}
    elif isinstance(m, sp.Symbol):
        rename = {m: n}
    else:
        raise InputError(f"--symmetric {var.name}: {var.name} is {m}x{n}; a symmetric matrix is square")

    def size(d):
        return d.xreplace(rename) if isinstance(d, sp.Basic) else d

    memo = {}

    def go(node):
        if node.key in memo:
            return memo[node.key]
        kids = tuple(go(c) for c in node.children())
        if isinstance(node, Entrywise):
            out = ew(node.expr, kids, tuple(size(d) for d in node.shape))
        elif kids:
            out = node.rebuild(kids)
        else:
            # a leaf (a name, the identity): its sizes renamed
            changes = {}
            for fld in dataclasses.fields(node):
                v = getattr(node, fld.name)
                if isinstance(v, tuple) and fld.name == "shape":
                    changes[fld.name] = tuple(size(d) for d in v)
                elif isinstance(v, sp.Basic):
                    changes[fld.name] = size(v)
            out = dataclasses.replace(node, **changes) if changes else node
        memo[node.key] = out
        return out

    return go(f), go(var)


def symmetric_part(var):
    """(X + Xᵀ)/2, in the normal form the analysis reads."""
    from . import add, const, scale, transpose
    return scale(const(sp.Rational(1, 2)), add(var, transpose(var)))


def symmetric_variable(f, var, names: tuple):
    """(f, var, f_s): f and the variable with the variable square, and f_s = f((X + Xᵀ)/2),
    the function the analysis reads (see the module's docstring)."""
    from ..expr import substitute
    wanted = [n for n in names if n is not True and n != var.name]
    if wanted:
        raise InputError(f"--symmetric {wanted[0]}: {wanted[0]} is not the variable ({var.name}); "
                         "give a constant's value with --let (a symmetric value is read as symmetric)")
    if var.is_scalar:
        return f, var, f
    if var.shape[1] == 1 or var.shape[0] == 1 or var.parts:
        raise InputError(f"--symmetric {var.name}: {var.name} is a vector; a symmetric matrix is square")
    try:
        f, var = _square_leaves(f, var)
        return f, var, substitute(f, {var.key: symmetric_part(var)})
    except InputError:
        raise
    except Exception as exc:      # a shape rule of the rebuilt tree: X is not square in f
        raise InputError(f"--symmetric {var.name}: {var.name} cannot be square in f ({exc})") from None


def symmetric_witness(witness: dict) -> dict:
    """A convexity counterexample for f((X + Xᵀ)/2), its points A and B replaced by their
    symmetric parts (f takes the same values there, and the midpoint's part is the midpoint
    of the parts)."""
    from fractions import Fraction
    out = dict(witness)
    for key in ("A", "B"):
        v = out.get(key)
        if isinstance(v, np.ndarray) and v.ndim == 2 and v.shape[0] == v.shape[1]:
            out[key] = (v + v.T) * Fraction(1, 2)
            out[key] = np.vectorize(lambda x: int(x) if isinstance(x, Fraction) and x.denominator == 1
                                    else exact.to_number(x), otypes=[object])(out[key])
    return out


def require_symmetric(value: np.ndarray, option: str, name: str):
    """A point or direction of a symmetric variable must be a symmetric matrix (exactly)."""
    if value.shape[0] != value.shape[1]:
        raise InputError(f"{option}: {name} is declared symmetric (--symmetric), but the value given is "
                         f"{value.shape[0]}x{value.shape[1]}, not square")
    for i in range(value.shape[0]):
        for j in range(i):
            if value[i, j] != value[j, i]:
                raise InputError(f"{option}: {name} is declared symmetric (--symmetric), but the value given "
                                 f"is not symmetric: entry ({i + 1},{j + 1}) is {value[i, j]} and entry "
                                 f"({j + 1},{i + 1}) is {value[j, i]}")


# ---------------------------------------------------------------- exact spectra

_T = sp.Symbol("x")      # the characteristic polynomial's variable, as CRootOf prints it


def _rational_matrix(a) -> sp.Matrix:
    M = exact.to_sympy_matrix(np.asarray(a, dtype=object))
    if not all(v.is_Rational for v in M):
        raise Unsupported("unverified: the matrix whose eigenvalues are asked for has irrational entries "
                          "here; symderiv decides eigenvalues exactly for rational matrices only")
    if M != M.T:        # only a symmetric argument is built (is_symmetric); a guard, not a path
        raise Unsupported("the eigenvalue functions are defined here for symmetric matrices only")
    return M


@dataclass
class Extreme:
    """The largest (or smallest) eigenvalue of a rational symmetric matrix, exactly."""
    value: sp.Expr          # rational, a square-root expression, or a CRootOf
    multiplicity: int
    minpoly: sp.Poly        # irreducible over Q, with value a root
    charpoly: sp.Poly


def extreme(M: sp.Matrix, which: str) -> Extreme:
    """The extreme eigenvalue of M (which: 'max' or 'min'), its multiplicity and minimal
    polynomial, by exact root isolation (no float comparison)."""
    p = sp.Poly(M.charpoly(_T).as_expr(), _T, domain="QQ")
    _, factors = sp.sqf_list(p)
    square_free = sp.Poly(1, _T, domain="QQ")
    for fac, _k in factors:
        square_free = square_free * fac
    intervals = square_free.intervals()          # disjoint, rational ends, in increasing order
    (a, b), _ = intervals[-1] if which == "max" else intervals[0]
    a, b = sp.Rational(a), sp.Rational(b)
    for fac, k in factors:
        for g, _m in sp.factor_list(fac)[1]:
            g = sp.Poly(g, _T, domain="QQ")
            if _roots_in(g, a, b):
                return Extreme(_root(g, a, b), k, g, p)
    raise Unsupported("unverified: the extreme eigenvalue could not be isolated")   # pragma: no cover


def _roots_in(g: sp.Poly, a, b) -> int:
    if a == b:
        return int(g.eval(a) == 0)      # safe: Poly.eval at an exact number, no text
    return g.count_roots(a, b)


def _root(g: sp.Poly, a, b) -> sp.Expr:
    """The one root of the irreducible g in [a, b], exactly."""
    if a == b:
        return a
    below = g.count_roots(-sp.oo, a) if g.eval(a) != 0 else g.count_roots(-sp.oo, a) - 1  # safe: Poly.eval
    if g.degree() <= 2:
        return sp.real_roots(g)[below]
    return sp.CRootOf(g.as_expr(), below)


def _at_root(r: sp.Poly, ex: Extreme) -> sp.Expr:
    """r(λ) for a polynomial r, reduced modulo λ's minimal polynomial."""
    r = r.rem(ex.minpoly)
    return sp.expand(r.as_expr().xreplace({_T: ex.value})) if r.degree() > 0 else r.as_expr()


def projector(M: sp.Matrix, ex: Extreme) -> sp.Matrix:
    """q qᵀ for a simple eigenvalue: adj(λI - M)/p'(λ), reduced modulo the minimal polynomial."""
    n = M.shape[0]
    A = (_T * sp.eye(n) - M).adjugate()
    dp = ex.charpoly.diff(_T).rem(ex.minpoly)
    inv = sp.Poly(sp.invert(dp.as_expr(), ex.minpoly.as_expr(), _T), _T, domain="QQ") \
        if ex.minpoly.degree() > 1 else sp.Poly(1 / dp.eval(ex.value), _T, domain="QQ")  # safe: Poly.eval
    return sp.Matrix(n, n, lambda i, j: _at_root(sp.Poly(A[i, j], _T, domain="QQ") * inv, ex))


def eigenbasis(M: sp.Matrix, ex: Extreme) -> sp.Matrix:
    """A basis (as columns) of the eigenspace of a repeated extreme eigenvalue: rational
    where the eigenvalue is; refused where it is not rational."""
    if ex.minpoly.degree() != 1:
        raise Unsupported("unverified: the extreme eigenvalue is repeated and irrational here; symderiv "
                          "gives that Clarke set for a rational repeated eigenvalue only")
    vecs = (M - ex.value * sp.eye(M.shape[0])).nullspace()
    if len(vecs) != ex.multiplicity:        # pragma: no cover - symmetric: geometric = algebraic
        raise Unsupported("unverified: the eigenspace does not have the eigenvalue's multiplicity")
    return sp.Matrix.hstack(*vecs)


def extreme_of_pencil(H: sp.Matrix, gram: sp.Matrix, which: str) -> sp.Expr:
    """The extreme eigenvalue of Qᵀ H Q for Q = B R⁻¹ an orthonormalised basis B with Gram
    matrix BᵀB: the same as that of gram⁻¹ BᵀHB (similar matrices), a rational matrix."""
    return extreme(gram.inv() * H, which).value


def spectrum(M: sp.Matrix) -> list:
    """Every distinct eigenvalue of a rational matrix with real eigenvalues, largest first,
    as (value, multiplicity, minimal polynomial), exactly (as ``extreme``)."""
    p = sp.Poly(M.charpoly(_T).as_expr(), _T, domain="QQ")
    _, factors = sp.sqf_list(p)
    square_free = sp.Poly(1, _T, domain="QQ")
    for fac, _k in factors:
        square_free = square_free * fac
    out = []
    for (a, b), _ in reversed(square_free.intervals()):
        a, b = sp.Rational(a), sp.Rational(b)
        for fac, k in factors:
            found = [sp.Poly(g, _T, domain="QQ") for g, _m in sp.factor_list(fac)[1]]
            found = [g for g in found if _roots_in(g, a, b)]
            if found:
                out.append((_root(found[0], a, b), k, found[0]))
                break
    return out


def sum_largest(M: sp.Matrix, t: int, largest: bool = True) -> sp.Expr:
    """The sum of the t largest (smallest) eigenvalues of M, counted with multiplicity."""
    spec = spectrum(M)
    total, left = sp.Integer(0), t
    for value, mult, _g in (spec if largest else list(reversed(spec))):
        take = min(mult, left)
        total += take * value
        left -= take
        if left == 0:
            break
    return sp.expand(total)


def spectral_projector(M: sp.Matrix, mu: sp.Expr, g: sp.Poly) -> sp.Matrix:
    """The orthogonal projector onto the eigenspace of the eigenvalue mu (a root of the
    irreducible g) of a symmetric rational M: h(M)/q'(mu) for q the squarefree part of the
    characteristic polynomial (M's minimal polynomial) and h(t) = (q(t) - q(mu))/(t - mu),
    every coefficient reduced modulo g."""
    p = sp.Poly(M.charpoly(_T).as_expr(), _T, domain="QQ")
    q = sp.Poly(sp.quo(p, sp.gcd(p, p.diff(_T))), _T, domain="QQ")
    qs = q.all_coeffs()[::-1]
    d, n = q.degree(), M.shape[0]
    s = _T
    dq = q.diff(_T).rem(g)
    inv = sp.Poly(sp.invert(dq.as_expr(), g.as_expr(), _T), _T, domain="QQ") if g.degree() > 1 \
        else sp.Poly(1 / dq.eval(mu), _T, domain="QQ")   # safe: Poly.eval at an exact root
    P = sp.zeros(n, n)
    power = sp.eye(n)
    for j in range(d):
        c = sp.Poly(sum((qs[i] * s ** (i - 1 - j) for i in range(j + 1, d + 1)), sp.Integer(0)), _T, domain="QQ")
        c = (c * inv).rem(g)
        value = sp.expand(c.as_expr().xreplace({_T: mu})) if c.degree() > 0 else c.as_expr()
        if value != 0:
            P += value * power
        power = power * M
    return P.applyfunc(sp.expand)


def basis_of(M: sp.Matrix, mu: sp.Expr, g: sp.Poly, mult: int) -> sp.Matrix:
    """A rational basis (columns) of the eigenspace of a rational repeated eigenvalue."""
    if g.degree() != 1:
        raise Unsupported("unverified: the eigenvalue at the kink is repeated and irrational here; symderiv "
                          "gives that Clarke set for a rational repeated eigenvalue only")
    vecs = (M - mu * sp.eye(M.shape[0])).nullspace()
    if len(vecs) != mult:        # pragma: no cover - symmetric: geometric = algebraic
        raise Unsupported("unverified: the eigenspace does not have the eigenvalue's multiplicity")
    return sp.Matrix.hstack(*vecs)


@dataclass
class Tie:
    """Where an eigenvalue function is not differentiable, what its Clarke set needs: the
    basis B of the eigenspace at the kink, the trace t of T (0 ⪯ T, tr T = t; T ⪯ I too when
    ``upper``), the projector onto the eigenvalues above (or None), the eigenvalue."""
    basis: sp.Matrix
    trace: int
    upper: bool
    above: sp.Matrix | None
    value: sp.Expr


# ---------------------------------------------------------------- which matrices are symmetric

def is_symmetric(node, values: dict) -> bool:
    """Whether a matrix node is symmetric for every value of the variable: its transpose
    has the same normal form (X + Xᵀ, XᵀX, (X + Xᵀ)/2 for a --symmetric X), a constant
    given a symmetric value, or an entrywise map, sum or scaling of symmetric matrices."""
    from . import Entrywise, MatMul, Sym, Transpose, Eye, transpose
    if node.is_scalar:
        return True
    if node.shape[0] != node.shape[1]:
        return False
    if isinstance(node, Eye):
        return True
    if isinstance(node, Sym):
        v = values.get(node.name)
        return v is not None and v.shape[0] == v.shape[1] and all(
            v[i, j] == v[j, i] for i in range(v.shape[0]) for j in range(i))
    try:
        if transpose(node) == node:
            return True
    except Exception:       # noqa: BLE001 - a shape rule refusing the transpose: not shown symmetric
        return False
    if isinstance(node, Transpose):
        return is_symmetric(node.arg, values)
    if isinstance(node, Entrywise):
        return all(a.is_scalar or is_symmetric(a, values) for a in node.args)
    if isinstance(node, MatMul):
        fs = node.factors
        k = len(fs)
        # B S Bᵀ: a palindrome of transposes around a symmetric middle
        for i in range(k // 2):
            if transpose(fs[i]) != fs[k - 1 - i] and not (
                    is_symmetric(fs[i], values) and fs[i] == fs[k - 1 - i]):
                return False
        return k % 2 == 0 or is_symmetric(fs[k // 2], values)
    return False


def require_symmetric_arguments(f, values: dict):
    """Every eigenvalue function's argument must be known symmetric (see ``is_symmetric``)."""
    from . import walk
    from ..render.notation import node_text
    for n in walk(f):
        if isinstance(n, (Eigen, KyFan)) and not is_symmetric(n.arg, values):
            raise Unsupported(f"{n.name_text()} asks for the eigenvalues of {node_text(n.arg)}, which is not "
                              "known to be symmetric (a non-symmetric matrix may have complex eigenvalues, "
                              "and λ_max is defined here for symmetric matrices only); declare the variable "
                              "symmetric with --symmetric, or write a symmetric argument (X + Xᵀ, XᵀX, "
                              "A_0 + Σ x_i A_i with symmetric data given by --let)")


# ---------------------------------------------------------------- the nodes

@dataclass(frozen=True, eq=False)
class Eigen(Node):
    """λ_max(M) or λ_min(M) of a symmetric matrix M: a kink where it is repeated."""
    arg: Node
    which: str = "max"
    shape: Shape = SCALAR

    # -- shape and normal form

    def _label(self):
        return self.which

    def children(self):
        return (self.arg,)

    def rebuild(self, children):
        return eigen(children[0], self.which)

    def name_text(self) -> str:
        return f"λ_{self.which}"

    # -- derivative

    def vjp(self, g, partial):
        from .entrywise import scale
        return [(self.arg, scale(g, EigenProjector(self.arg, self.which)))]

    def jvp(self, d, partial):
        from .sum_all import inner
        return inner(EigenProjector(self.arg, self.which), d(self.arg))

    # -- exact value

    def value(self, ev):
        return exact.scalar(exact.to_number(extreme(_rational_matrix(ev(self.arg)), self.which).value))

    # -- PyTorch

    def torch(self, tt):
        w = tt.t.linalg.eigvalsh(tt(self.arg))
        return (w[-1] if self.which == "max" else w[0]).reshape(1, 1)

    # -- entries

    def entries(self, ex, rows, cols):
        # no closed form entry by entry in general (a root of the characteristic polynomial):
        # the exact tests that write f out decline, and the eigenvalue's own rules answer
        raise MissingRule("λ_max and λ_min are not written out entry by entry")

    # -- printing

    word = "lambdamax"
    spellings = ("lambdamax", "lmax", "eigmax", "maxeig")
    needs_square = gives_scalar = True

    @classmethod
    def named(cls, arg):
        return eigen(arg, "max")

    def printed(self, pr):
        t = Template("λ_" + self.which + "({0})", "\\lambda_{\\" + self.which + "}\\left({0}\\right)")
        return t.fill(pr, self.arg)

    # -- curvature

    # λ_max is convex in a symmetric argument (a max of linear functions q^T M q), λ_min
    # concave; neither is monotone entrywise, so only an affine argument composes
    monotone = (None,)

    @property
    def curvature(self):
        return CONVEX if self.which == "max" else CONCAVE

    # -- kinks

    def tie(self, M: sp.Matrix):
        """None where the eigenvalue is simple at the value M of the argument, else its Tie."""
        ex = extreme(M, self.which)
        if ex.multiplicity < 2:
            return None
        return Tie(eigenbasis(M, ex), 1, False, None, ex.value)

    def kinks(self, kx):
        """A kink where the extreme eigenvalue is repeated."""
        return [kx.eigen_ties(self)]


@dataclass(frozen=True, eq=False)
class EigenMin(Eigen):
    """λ_min(M): the same rules as λ_max's with the smallest eigenvalue (its own class, so
    the reader's word table maps lambdamin to the class of the node it builds)."""
    which: str = "min"
    word = "lambdamin"
    spellings = ("lambdamin", "lmin", "eigmin", "mineig")

    @classmethod
    def named(cls, arg):
        return eigen(arg, "min")


def eigen(a: Node, which: str = "max") -> Node:
    from .. import shapes
    shapes.require_square(a.shape, f"λ_{which}")
    if a.is_scalar:
        return a
    return Eigen(a) if which == "max" else EigenMin(a)


@dataclass(frozen=True, eq=False)
class EigenProjector(Node):
    """q qᵀ for the unit eigenvector q of the extreme eigenvalue of M (defined where that
    eigenvalue is simple): the gradient of λ_max(M) (or λ_min) with respect to M."""
    arg: Node
    which: str = "max"

    # -- shape and normal form

    @property
    def shape(self):
        return self.arg.shape

    def _label(self):
        return self.which

    def children(self):
        return (self.arg,)

    def rebuild(self, children):
        return EigenProjector(children[0], self.which)

    def transposed(self):
        return self             # symmetric

    # -- derivative

    # -- exact value

    def value(self, ev):
        M = _rational_matrix(ev(self.arg))
        ex = extreme(M, self.which)
        if ex.multiplicity > 1:
            raise Unsupported(f"the {'largest' if self.which == 'max' else 'smallest'} eigenvalue is repeated "
                              "here; the gradient is a set")
        return exact.from_sympy_matrix(projector(M, ex), M.shape)

    # -- PyTorch

    def torch(self, tt):
        _, V = tt.t.linalg.eigh(tt(self.arg))
        q = V[:, -1:] if self.which == "max" else V[:, :1]
        return q @ q.T

    # -- entries

    # -- printing

    def printed(self, pr):
        k = "1" if self.which == "max" else "n"
        t = Template(f"q_{k}({{0}}) q_{k}({{0}})^T", rf"q_{k}\left({{0}}\right) q_{k}\left({{0}}\right)^\top")
        return t.fill(pr, self.arg)

    # -- curvature

    # -- kinks

    def kinks(self, kx):
        # smooth where it is defined; where it is not (a repeated eigenvalue) the kink is
        # its Eigen node's, whose gradient it is
        return []


# ---------------------------------------------------------------- at a point (local_model, pointwise)

def eigen_tie(L, k):
    """The analysis at a point reads an eigenvalue function's kink: where it is tied there
    (``node.tie``) and its weight in f is not 0, the Clarke set is ``eigen_set``'s.  The
    local model keeps these in ``L.eigens`` as (kink, weight, Tie)."""
    M = _rational_matrix(L.ev(k.node.arg))
    tie = k.node.tie(M)
    if tie is None:
        return
    from ..local_model import _broadcast, _frame_env
    from ..evaluate import scalar_eval
    env = _frame_env(L.ev, k.args, (1, 1))
    w = _broadcast(scalar_eval(k.weight, env, (1, 1), {}, k.args), (1, 1))[0, 0]
    L.active.append(("eigen", k))
    if w != 0:
        if not hasattr(L, "eigens"):
            L.eigens = []
        L.eigens.append((k, w, tie))


def skipped(L) -> set:
    """The eigenvalue nodes whose gradient is a set at this point (left out of G0)."""
    return {k.node.key for k, *_ in getattr(L, "eigens", [])}


def eigen_set(base, merged, L):
    """G0 + w A*(Q₁ T Q₁ᵀ) over T ⪰ 0, tr T = 1: one repeated extreme eigenvalue of M(X),
    weight w in f, A* the adjoint of X -> M(X) at the point (its rows).  Returns
    (differentiable, gradient, set)."""
    from ..sets import EigenTop
    eigens = L.eigens
    if len(eigens) > 1 or merged or L.maxes or L.norms:
        raise Unsupported("unverified: at this point a repeated eigenvalue meets other kinks; that Clarke set "
                          "is not computed yet")
    k, w, tie = eigens[0]
    B = tie.basis
    n, r = B.shape
    # C_idx = Bᵀ R_idx B, R_idx[a, b] = dM_ab / dX_idx: G_idx = G0_idx + w <C_idx, S> for the
    # T = R S Rᵀ of the orthonormal basis Q = B R⁻¹ (Gram-Schmidt)
    R = {}
    for a in range(n):
        for b in range(n):
            for idx, c in L.rows(k.node.arg, (a, b)).items():
                R.setdefault(idx, sp.zeros(n, n))[a, b] += as_sympy(c)
    shape = L.shape
    coeffs = np.empty(shape, dtype=object)
    for idx in np.ndindex(shape):
        Ri = R.get(idx, sp.zeros(n, n))
        coeffs[idx] = B.T * (Ri + Ri.T) / 2 * B
    center = base
    if tie.above is not None:
        # the eigenvalues above the tie enter every element: G0 + w A*(P_above)
        center = base.copy()
        for idx in np.ndindex(shape):
            Ri = R.get(idx, sp.zeros(n, n))
            extra = sum((tie.above[a, b] * Ri[a, b] for a in range(n) for b in range(n)), sp.Integer(0))
            center[idx] = exact.to_number(sp.expand(as_sympy(center[idx]) + as_sympy(w) * extra))
    return False, None, EigenTop(center, w, B, coeffs, k.node.which, tie.value, identity=_is_identity(R, shape, n),
                                 trace=tie.trace, upper=tie.upper)


def _is_identity(R: dict, shape, n: int) -> bool:
    """Whether M(X) moves as X (or its symmetric part) does: then G = G0 + w Q T Qᵀ."""
    if tuple(shape) != (n, n):
        return False
    for idx in np.ndindex(shape):
        Ri = R.get(idx, sp.zeros(n, n))
        E = sp.zeros(n, n)
        E[idx] = 1
        if (Ri + Ri.T) - (E + E.T) != sp.zeros(n, n):
            return False
    return True


def directional(point, D: np.ndarray):
    """f'(X; D) exactly from the analysis at the point: <G, D> where f is differentiable,
    the eigenvalue's own formula where the Clarke set is EigenTop; None otherwise."""
    from ..sets import EigenTop
    sub = point.subdifferential
    Dl = [as_sympy(v) for v in np.asarray(D).flat]
    if point.differentiable and point.gradient is not None:
        return sp.expand(sp.Add(*[as_sympy(g) * d for g, d in zip(point.gradient.flat, Dl)]))
    if isinstance(sub, EigenTop):
        return sub.directional(Dl)
    return None


# ---------------------------------------------------------------- the sum of the k largest (Ky Fan)

def _top_count(spec: list, k: int) -> tuple:
    """(j, s): the distinct eigenvalue j holding the k-th largest, and how many lie above it."""
    s = 0
    for j, (_v, mult, _g) in enumerate(spec):
        if s + mult >= k:
            return j, s
        s += mult
    raise Unsupported(f"the sum of the {k} largest eigenvalues of a matrix with fewer eigenvalues")


@dataclass(frozen=True, eq=False)
class KyFan(Node):
    """The sum of the k largest eigenvalues of a symmetric M (k a given integer): convex,
    smooth where λ_k > λ_k+1 (gradient: the projector onto the top-k eigenspace), with a
    kink where λ_k = λ_k+1."""
    arg: Node
    k: int = 1
    shape: Shape = SCALAR
    which = "kyfan"

    # -- shape and normal form

    def _label(self):
        return str(self.k)

    def children(self):
        return (self.arg,)

    def rebuild(self, children):
        return ky_fan(children[0], self.k)

    def name_text(self) -> str:
        return f"the sum of the {self.k} largest eigenvalues"

    # -- derivative

    def vjp(self, g, partial):
        from .entrywise import scale
        return [(self.arg, scale(g, TopProjector(self.arg, self.k)))]

    def jvp(self, d, partial):
        from .sum_all import inner
        return inner(TopProjector(self.arg, self.k), d(self.arg))

    # -- exact value

    def value(self, ev):
        return exact.scalar(exact.to_number(sum_largest(_rational_matrix(ev(self.arg)), self.k)))

    # -- PyTorch

    def torch(self, tt):
        w = tt.t.linalg.eigvalsh(tt(self.arg))
        return w[-self.k:].sum().reshape(1, 1)

    # -- entries

    def entries(self, ex, rows, cols):
        raise MissingRule("the sum of the k largest eigenvalues is not written out entry by entry")

    # -- printing

    word = "kyfan"
    spellings = ("kyfan",)
    needs_square = gives_scalar = True
    arity = 2           # kyfan(M, k): the reader's \sum_{i=1}^{k} \lambda_i(M)

    @classmethod
    def named(cls, arg, k=None):
        from .entrywise import Entrywise
        if not (isinstance(k, Entrywise) and not k.args and k.expr.is_Integer and k.expr >= 1):
            raise Unsupported("the sum of the k largest eigenvalues needs k a given positive integer "
                              "(\\sum_{i=1}^{2} \\lambda_i(X))")
        return ky_fan(arg, int(k.expr))

    def printed(self, pr):
        t = Template("sum_{i≤" + str(self.k) + "} λ_i({0})",
                     "\\sum_{i=1}^{" + str(self.k) + "} \\lambda_i\\left({0}\\right)")
        return t.fill(pr, self.arg)

    # -- curvature

    # convex in a symmetric argument (a max of tr(Vᵀ M V) over orthonormal V), not monotone
    # entrywise: only an affine argument composes
    curvature, monotone = CONVEX, (None,)

    # -- kinks

    def tie(self, M: sp.Matrix):
        """None where λ_k > λ_k+1 at M, else its Tie: T in the eigenspace of λ_k, with
        0 ⪯ T ⪯ I and tr T = k - (the number of eigenvalues above λ_k)."""
        spec = spectrum(M)
        j, s = _top_count(spec, self.k)
        value, mult, g = spec[j]
        if s + mult == self.k:
            return None
        above = None
        if j > 0:
            above = sp.zeros(*M.shape)
            for v, _m, gi in spec[:j]:
                above += spectral_projector(M, v, gi)
        return Tie(basis_of(M, value, g, mult), self.k - s, True, above, value)

    def kinks(self, kx):
        """A kink where λ_k = λ_k+1."""
        return [kx.eigen_ties(self)]


def ky_fan(a: Node, k: int) -> Node:
    from .. import shapes
    shapes.require_square(a.shape, "the sum of the k largest eigenvalues")
    if a.is_scalar and k > 1:
        raise Unsupported(f"the sum of the {k} largest eigenvalues of a 1x1 matrix (it has one)")
    if k == 1:
        return eigen(a, "max")
    return KyFan(a, k)


@dataclass(frozen=True, eq=False)
class TopProjector(Node):
    """The projector onto the eigenspace of the k largest eigenvalues of M (defined where
    λ_k > λ_k+1): the gradient of their sum."""
    arg: Node
    k: int = 1

    @property
    def shape(self):
        return self.arg.shape

    def _label(self):
        return str(self.k)

    def children(self):
        return (self.arg,)

    def rebuild(self, children):
        return TopProjector(children[0], self.k)

    def transposed(self):
        return self

    def value(self, ev):
        M = _rational_matrix(ev(self.arg))
        spec = spectrum(M)
        j, s = _top_count(spec, self.k)
        if s + spec[j][1] != self.k:
            raise Unsupported(f"λ_{self.k} = λ_{self.k + 1} here; the gradient is a set")
        P = sp.zeros(*M.shape)
        for v, _m, g in spec[:j + 1]:
            P += spectral_projector(M, v, g)
        return exact.from_sympy_matrix(P.applyfunc(sp.expand), M.shape)

    def torch(self, tt):
        _, V = tt.t.linalg.eigh(tt(self.arg))
        Q = V[:, -self.k:]
        return Q @ Q.T

    def printed(self, pr):
        k = self.k
        t = Template(f"Q_{k}({{0}}) Q_{k}({{0}})^T", rf"Q_{k}\left({{0}}\right) Q_{k}\left({{0}}\right)^\top")
        return t.fill(pr, self.arg)

    def kinks(self, kx):
        # smooth where it is defined; where it is not (λ_k = λ_k+1) the kink is its KyFan's
        return []
