"""Clarke subdifferentials at a point, one class per form the contract names.

Each form answers for itself: its JSON (exactly the contract's dict), its words in text
and in LaTeX, whether a given G belongs to it, its support function max <G, D> (what
the arbiter checks against the exact f'(p; D)), and its one element when it has only one.

  Point(value)                     {G0}
  Box(lower, upper)                {G : lower <= G <= upper entrywise}
  Hull(generators)                 conv{G1, ..., Gk}
  Ball(center, radius)             {G : ||G - C||_F <= r}
  Described(text, latex, center)   a set none of the four forms expresses, in words
  ScaledBall(text, latex, center, scale, sign, radius)
                                   {C + scale ⊙ U : ||U||_F <= r, U >= 0 where sign = 1,
                                    U <= 0 where sign = -1}: a described form (its JSON has
                                    "form": "described", "kind": "scaled-ball")
  NormBall(center, radius, q)      {G : ||G - C||_q <= r}: the unit ball of the dual norm of a
                                    p-norm at its zero (1/p + 1/q = 1); described, with
                                    "kind": "norm-ball", "q" and "radius"
  Undecided(why, reason)           a Clarke set the engine could not decide (f'(p; D) exists
                                    in every direction, but whether f is locally Lipschitz
                                    around p may be open too): described, with "decided":
                                    false, not null, which the contract keeps for "not
                                    locally Lipschitz"
  NoClarkeSet(reason)              f is not locally Lipschitz here: JSON null, and the reason
  EigenTop(...)                    {G0 + w A*(Q₁ T Q₁ᵀ) : T ⪰ 0, tr T = 1}: a repeated extreme
                                    eigenvalue ("form": "eigen_top", with the basis Q₁)
  SpectralTop(center, scale, U1, V1)   {G0 + s U1 T V1ᵀ : T ⪰ 0, tr T = 1} ("spectral_top")
  NuclearSet(center, scale, U0, V0)    {G0 + s U0 Z V0ᵀ : ‖Z‖_2 ≤ 1} ("nuclear")
  SpectralBottom(center, scale, U1, V1)  the same set for σ_min at a repeated value ("spectral_bottom")
  NuclearBall(center, scale[, U0, V0]) {G0 + s W : ‖W‖_* ≤ 1}, or {G0 + s U0 W V0ᵀ : ‖W‖_* ≤ 1} ("nuclear_ball")
  Mapped(center, L, R, inner)          {C + Lᵀ S Rᵀ : S ∈ inner} ("mapped": ‖A X − B‖_*)
  SchattenBall(center, scale, p)       {G0 + s W : ‖W‖_{S_q} ≤ 1}, 1/p + 1/q = 1 ("schatten_ball")
  KyFanSet(center, scale, U, V, j)     {G0 + s U T Vᵀ : 0 ⪯ T ⪯ I, tr T = j} ("ky_fan")
  KyFanZero(center, scale, U0, V0, j)  {G0 + s U0 W V0ᵀ : ‖W‖_2 ≤ 1, ‖W‖_* ≤ j} ("ky_fan_zero")

Arrays are numpy object arrays of exact numbers (int, Fraction, SymPy), shaped like the
variable.  A form also reads as the mapping {"form": ..., field: exact value} the engine
passed around before the forms were classes, so code that reads a field by its contract
name (sub["lower"], sub.get("form")) needs no class.
"""
from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import ClassVar

from .lazy_import import LazyModule
np = LazyModule("numpy")
import sympy as sp

from .directional import sign_of, support as hull_support
from .exact_numbers import as_sympy
from .lp import in_hull
from .render.spell import array_latex, array_text, exact, number, shaped


def _same(a, b) -> bool:
    return np.shape(a) == np.shape(b) and all(x - y == 0 for x, y in zip(np.ravel(a), np.ravel(b)))


def _floats(a) -> np.ndarray:
    return np.asarray(a, dtype=float)


class ClarkeSet(Mapping):
    """A Clarke subdifferential at one point (a compact convex set of gradients)."""
    form: ClassVar[str] = ""
    decided: ClassVar[bool] = True
    exists: ClassVar[bool] = True      # False only where f is not locally Lipschitz
    reason: str | None = None          # why there is no set, or why it is not decided

    def fields(self) -> dict:
        """The exact fields, under the contract's names."""
        raise NotImplementedError

    def to_json(self, flat: bool) -> dict | None:
        raise NotImplementedError

    def to_text(self, flat: bool) -> str:
        raise NotImplementedError

    def to_latex(self, flat: bool) -> str:
        raise NotImplementedError

    def sentence(self, flat: bool) -> str:
        """The line of the text report that gives the set."""
        return f"Clarke subdifferential: {self.to_text(flat)}"

    def contains(self, G, tol: float | None = None) -> bool | None:
        """Whether G lies in the set: exactly for exact G (tol None); for a float G within
        tol.  None where the set is not known well enough to say."""
        raise NotImplementedError

    def support(self, D: list):
        """max <G, D> over the set, exactly; None when this form does not compute it."""
        return None

    def singleton(self):
        """The only element, when the set has one, else None."""
        return None

    def shape(self) -> tuple:
        raise NotImplementedError

    # the mapping view
    def __getitem__(self, key):
        return self.fields()[key]

    def __iter__(self):
        return iter(self.fields())

    def __len__(self):
        return len(self.fields())

    def __eq__(self, other):
        if not isinstance(other, ClarkeSet) or type(self) is not type(other):
            return NotImplemented
        a, b = self.fields(), other.fields()
        if a.keys() != b.keys():
            return False
        for key in a:
            x, y = a[key], b[key]
            if isinstance(x, list):
                if len(x) != len(y) or not all(_same(p, q) for p, q in zip(x, y)):
                    return False
            elif isinstance(x, np.ndarray):
                if not _same(x, y):
                    return False
            elif x != y:
                return False
        return True

    __hash__ = None

    def __repr__(self):
        return repr(self.fields())


class Point(ClarkeSet):
    form = "point"

    def __init__(self, value):
        self.value = value

    def fields(self):
        return {"form": "point", "value": self.value}

    def shape(self):
        return np.shape(self.value)

    def to_json(self, flat):
        return {"form": "point", "value": shaped(self.value, flat)}

    def to_text(self, flat):
        return f"the one gradient {array_text(self.value, flat)}"

    def to_latex(self, flat):
        return r"\{" + array_latex(self.value, flat) + r"\}"

    def contains(self, G, tol=None):
        if tol is not None:
            return bool(np.allclose(_floats(self.value), _floats(G).reshape(self.shape()), atol=tol))
        return all(sign_of(as_sympy(g) - as_sympy(v)) == 0 for g, v in zip(np.ravel(G), self.value.flat))

    def support(self, D):
        return sp.Add(*[as_sympy(g) * d for g, d in zip(self.value.flat, D)])

    def singleton(self):
        return self.value


class Box(ClarkeSet):
    form = "box"

    def __init__(self, lower, upper):
        self.lower, self.upper = lower, upper

    def fields(self):
        return {"form": "box", "lower": self.lower, "upper": self.upper}

    def shape(self):
        return np.shape(self.lower)

    def to_json(self, flat):
        return {"form": "box", "lower": shaped(self.lower, flat), "upper": shaped(self.upper, flat),
                "lower_exact": shaped(self.lower, flat, exact),
                "upper_exact": shaped(self.upper, flat, exact)}

    def to_text(self, flat):
        return f"the box {array_text(self.lower, flat)} ≤ G ≤ {array_text(self.upper, flat)} (entrywise)"

    def to_latex(self, flat):
        return rf"\{{G : {array_latex(self.lower, flat)} \le G \le {array_latex(self.upper, flat)}\}}"

    def contains(self, G, tol=None):
        if tol is not None:
            g = _floats(G).reshape(self.shape())
            return bool(np.all(g >= _floats(self.lower) - tol) and np.all(g <= _floats(self.upper) + tol))
        return all(sign_of(as_sympy(g) - as_sympy(lo)) >= 0 and sign_of(as_sympy(hi) - as_sympy(g)) >= 0
                   for g, lo, hi in zip(np.ravel(G), self.lower.flat, self.upper.flat))

    def support(self, D):
        return sp.Add(*[max(as_sympy(lo) * d, as_sympy(hi) * d, key=lambda v: v)
                        for lo, hi, d in zip(self.lower.flat, self.upper.flat, D)])

    def singleton(self):
        return self.lower if _same(self.lower, self.upper) else None


class Hull(ClarkeSet):
    form = "hull"

    def __init__(self, generators: list):
        self.generators = generators

    def fields(self):
        return {"form": "hull", "generators": self.generators}

    def shape(self):
        return np.shape(self.generators[0])

    def to_json(self, flat):
        return {"form": "hull", "generators": [shaped(g, flat) for g in self.generators]}

    def to_text(self, flat):
        return "the convex hull of " + "; ".join(array_text(g, flat) for g in self.generators)

    def to_latex(self, flat):
        return r"\operatorname{conv}\{" + ", ".join(array_latex(g, flat) for g in self.generators) + r"\}"

    def contains(self, G, tol=None):
        gens = [list(np.ravel(g)) for g in self.generators]
        if tol is not None:
            # a float G is read as a nearby rational, so that float noise does not push a
            # point on a face outside; the generators are read exactly
            point = [Fraction(float(v)).limit_denominator(10**6) for v in np.ravel(G)]
            gens = [[v if isinstance(v, (int, Fraction)) else Fraction(float(v)).limit_denominator(10**9)
                     for v in g] for g in gens]
            return in_hull(point, [[Fraction(v) for v in g] for g in gens])
        return in_hull([as_sympy(v) for v in np.ravel(G)], [[as_sympy(v) for v in g] for g in gens])

    def support(self, D):
        return hull_support([list(g.flat) for g in self.generators], D)

    def singleton(self):
        first = self.generators[0] if self.generators else None
        if first is not None and all(_same(g, first) for g in self.generators):
            return first
        return None


class Ball(ClarkeSet):
    form = "ball"

    def __init__(self, center, radius):
        self.center, self.radius = center, radius

    def fields(self):
        return {"form": "ball", "center": self.center, "radius": self.radius}

    def shape(self):
        return np.shape(self.center)

    def to_json(self, flat):
        return {"form": "ball", "center": shaped(self.center, flat), "radius": number(self.radius),
                "radius_exact": exact(self.radius)}

    def to_text(self, flat):
        return f"the ball ‖G - {array_text(self.center, flat)}‖_F ≤ {exact(self.radius)}"

    def to_latex(self, flat):
        return (rf"\{{G : \|G - {array_latex(self.center, flat)}\|_F \le "
                rf"{sp.latex(as_sympy(self.radius))}\}}")

    def contains(self, G, tol=None):
        if tol is not None:
            g = _floats(G).reshape(self.shape())
            return bool(np.linalg.norm(g - _floats(self.center)) <= float(self.radius) + tol)
        d2 = sp.Add(*[(as_sympy(g) - as_sympy(c)) ** 2 for g, c in zip(np.ravel(G), self.center.flat)])
        return sign_of(as_sympy(self.radius) ** 2 - d2) >= 0

    def support(self, D):
        return sp.Add(*[as_sympy(c) * d for c, d in zip(self.center.flat, D)]) + \
            as_sympy(self.radius) * sp.sqrt(sp.Add(*[as_sympy(d) ** 2 for d in D]))

    def singleton(self):
        return self.center if self.radius == 0 else None


class Described(ClarkeSet):
    """A set none of the four forms expresses, given in words (with its center G0)."""
    form = "described"

    def __init__(self, text: str, latex: str, center):
        self.text, self.latex, self.center = text, latex, center

    def fields(self):
        return {"form": "described", "text": self.text, "latex": self.latex, "center": self.center}

    def shape(self):
        return np.shape(self.center)

    def to_json(self, flat):
        return {"form": "described", "text": self.text, "latex": self.latex,
                "center": shaped(self.center, flat)}

    def to_text(self, flat):
        return f"{self.text}, where G0 = {array_text(self.center, flat)}"

    def to_latex(self, flat):
        return rf"{self.latex}, \text{{ where }} G_0 = {array_latex(self.center, flat)}"

    def contains(self, G, tol=None):
        return None


class ScaledBall(Described):
    """{C + c ⊙ U : ||U||_F <= r, U >= 0 where sign = 1, U <= 0 where sign = -1}: a norm at
    its zero whose argument's entries have one-sided slopes (||max(X,0)||_F at X = 0)."""

    def __init__(self, text, latex, center, scale, sign, radius):
        super().__init__(text, latex, center)
        self.scale, self.sign, self.radius = scale, sign, radius

    def fields(self):
        return {**super().fields(), "kind": "scaled-ball", "scale": self.scale, "sign": self.sign,
                "radius": self.radius}

    def to_json(self, flat):
        return {**super().to_json(flat), "kind": "scaled-ball", "scale": shaped(self.scale, flat),
                "sign": shaped(self.sign, flat), "radius": number(self.radius)}

    def contains(self, G, tol=None):
        if tol is not None:
            V = _floats(G).reshape(self.shape()) - _floats(self.center)
            c, sign = _floats(self.scale), _floats(self.sign)
            if np.any(np.abs(V[c == 0]) > tol):
                return False
            U = np.where(c != 0, V / np.where(c == 0, 1, c), 0)
            return bool(np.all(U[sign > 0] >= -tol) and np.all(U[sign < 0] <= tol)
                        and np.linalg.norm(U) <= float(self.radius) + tol)
        total = sp.Integer(0)
        for g, c0, c, s in zip(np.ravel(G), self.center.flat, self.scale.flat, self.sign.flat):
            v = as_sympy(g) - as_sympy(c0)
            if c == 0:
                if sign_of(v) != 0:
                    return False
                continue
            u = v / as_sympy(c)
            if (s == 1 and sign_of(u) < 0) or (s == -1 and sign_of(u) > 0):
                return False
            total += u ** 2
        return sign_of(as_sympy(self.radius) ** 2 - total) >= 0


class NormBall(Described):
    """{G : ||G - C||_q <= r} (entries of G - C as one vector), 1 < q < inf: the Clarke set of
    r ||x||_p at x = 0, q the dual exponent p / (p - 1)."""

    def __init__(self, center, radius, q):
        self.radius, self.q = radius, sp.Rational(q)
        qt = _exponent_text(self.q)
        pt = _exponent_text(self.q / (self.q - 1))
        text = f"the ball ‖G - G0‖_{qt} ≤ {exact(radius)} (‖·‖_{qt} is the dual norm of ‖·‖_{pt})"
        latex = (rf"\{{G : \|G - G_0\|_{{{sp.latex(self.q)}}} \le {sp.latex(as_sympy(radius))}\}}"
                 rf"\ \text{{(the dual norm of }} \|\cdot\|_{{{sp.latex(self.q / (self.q - 1))}}}\text{{)}}")
        super().__init__(text, latex, center)

    def fields(self):
        return {**super().fields(), "kind": "norm-ball", "q": self.q, "radius": self.radius}

    def to_json(self, flat):
        return {**super().to_json(flat), "kind": "norm-ball", "q": number(self.q), "q_exact": exact(self.q),
                "radius": number(self.radius), "radius_exact": exact(self.radius)}

    def contains(self, G, tol=None):
        q = self.q
        if tol is not None:
            v = _floats(G).reshape(self.shape()) - _floats(self.center)
            return bool(np.sum(np.abs(v) ** float(q)) ** (1 / float(q)) <= float(self.radius) + tol)
        total = sp.Add(*[sp.Abs(as_sympy(g) - as_sympy(c)) ** q for g, c in zip(np.ravel(G), self.center.flat)])
        return sign_of(as_sympy(self.radius) ** q - total) >= 0

    def support(self, D):
        # max <G - C, D> over ||G - C||_q <= r is r ||D||_p, p the dual of q
        p = self.q / (self.q - 1)
        return sp.Add(*[as_sympy(c) * d for c, d in zip(self.center.flat, D)]) + \
            as_sympy(self.radius) * sp.Add(*[sp.Abs(as_sympy(d)) ** p for d in D]) ** (1 / p)

    def singleton(self):
        return self.center if self.radius == 0 else None


def _exponent_text(q) -> str:
    return str(q) if q.is_Integer else f"{{{q}}}"


class Undecided(ClarkeSet):
    """The Clarke set was not decided here (why says why; reason is the point's sentence)."""
    form = "described"
    decided = False

    def __init__(self, why: str, reason: str):
        self.why, self.reason = why, reason

    def fields(self):
        return {"form": "described", "text": self.text, "latex": self.latex, "decided": False}

    @property
    def text(self) -> str:
        return f"not decided: {self.why}"

    @property
    def latex(self) -> str:
        return r"\text{not decided: " + _tex_words(self.why) + "}"

    def to_json(self, flat):
        return self.fields()

    def to_text(self, flat):
        return self.text

    def to_latex(self, flat):
        return self.latex

    def contains(self, G, tol=None):
        return None


class NoClarkeSet(ClarkeSet):
    """f is not locally Lipschitz here: there is no Clarke set (JSON null, with the reason)."""
    form = "none"
    exists = False

    def __init__(self, reason: str):
        self.reason = reason

    def fields(self):
        return {}

    def to_json(self, flat):
        return None

    def to_text(self, flat):
        return f"no Clarke subdifferential: {self.reason}"

    def sentence(self, flat):
        return self.to_text(flat)

    def to_latex(self, flat):
        return r"\text{no Clarke subdifferential: " + _tex_words(self.reason) + "}"

    def contains(self, G, tol=None):
        return False


def _tex_words(s: str) -> str:
    """Prose inside \\text{...}: the characters LaTeX reads as commands escaped."""
    repl = {"_": r"\_", "%": r"\%", "&": r"\&", "#": r"\#", "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}",
            "^": r"\^{}", "~": r"\~{}", "$": r"\$"}
    return "".join(repl.get(c, c) for c in s)


# ---------------------------------------------------------------- spectral forms

def _exact_direction(d) -> sp.Expr:
    """A direction's entry as an exact number (a float is read as the binary fraction it is)."""
    return sp.Rational(float(d)) if isinstance(d, (float, np.floating)) else as_sympy(d)


def _sym_matrix(a) -> sp.Matrix:
    a = np.asarray(a, dtype=object)
    return sp.Matrix(a.shape[0], a.shape[1], lambda i, j: as_sympy(a[i, j]))


def _obj(m: sp.Matrix) -> np.ndarray:
    out = np.empty(m.shape, dtype=object)
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            out[i, j] = sp.nsimplify(m[i, j]) if m[i, j].is_Rational else sp.radsimp(m[i, j])
    return out


class EigenTop(ClarkeSet):
    """f = (smooth) + w λ_max(M(X)) where the largest eigenvalue of M is repeated (λ_min:
    the smallest), with eigenspace basis Q₁ (orthonormal, r columns):
        {G0 + w A*(Q₁ T Q₁ᵀ) : T ⪰ 0 (r x r), tr T = 1},
    A* the adjoint of the derivative of X -> M(X) at the point; where M moves as X does
    (M = X, or X symmetric) that is {G0 + w Q₁ T Q₁ᵀ}.  In general entry idx of G is
    G0_idx + w tr(K_idx T) with K_idx = Q₁ᵀ sym(dM/dX_idx) Q₁ (JSON "coefficients").

    Internally the eigenspace is held by an exact rational basis B (Q₁ = B L⁻ᵀ for the
    Cholesky factor L of BᵀB), so the support function and f'(X; D) are extreme
    eigenvalues of rational matrices, decided exactly (nodes/eigen.py)."""
    form = "eigen_top"

    def __init__(self, center, weight, B, coeffs, which, eigenvalue, identity: bool, trace: int = 1,
                 upper: bool = False):
        self.center, self.weight, self.B, self.coeffs = center, weight, B, coeffs
        self.which, self.eigenvalue, self.identity = which, eigenvalue, identity
        # tr T = trace, and T ⪯ I when upper (the sum of the k largest eigenvalues, at a tie
        # of λ_k and λ_k+1: T is the part of the top-k projector inside the tied eigenspace)
        self.trace, self.upper = trace, upper
        self.gram = B.T * B
        L = self.gram.cholesky(hermitian=False)
        self.Linv = L.inv()
        self.Q = B * self.Linv.T

    @property
    def multiplicity(self) -> int:
        return self.B.shape[1]

    def _K(self, idx) -> sp.Matrix:
        return self.Linv * self.coeffs[idx] * self.Linv.T

    def fields(self):
        out = {"form": "eigen_top", "which": self.which, "eigenvalue": self.eigenvalue,
               "multiplicity": self.multiplicity, "center": self.center, "weight": self.weight,
               "basis": _obj(self.Q), "trace": self.trace, "upper": self.upper}
        if not self.identity:
            out["coefficients"] = [_obj(self._K(idx)) for idx in np.ndindex(self.shape())]
        return out

    def shape(self):
        return np.shape(self.center)

    def to_json(self, flat):
        out = {"form": "eigen_top", "which": self.which,
               "eigenvalue": number(self.eigenvalue), "eigenvalue_exact": exact(self.eigenvalue),
               "multiplicity": self.multiplicity, "center": shaped(self.center, flat),
               "weight": number(self.weight), "weight_exact": exact(self.weight),
               "basis": shaped(_obj(self.Q), False), "basis_exact": shaped(_obj(self.Q), False, exact),
               "trace": self.trace, "upper": self.upper,
               "map": "identity" if self.identity else "coefficients"}
        if not self.identity:
            out["coefficients"] = [shaped(_obj(self._K(idx)), False) for idx in np.ndindex(self.shape())]
        return out

    def _lam(self, latex: bool) -> str:
        if self.which == "kyfan":
            return r"\lambda_k" if latex else "λ_k"
        if latex:
            return r"\lambda_{\max}" if self.which == "max" else r"\lambda_{\min}"
        return "λ_max" if self.which == "max" else "λ_min"

    def to_text(self, flat):
        Q = array_text(_obj(self.Q), False)
        w = exact(self.weight)
        body = "G0 + w Q₁ T Q₁ᵀ" if self.identity else "G0 + w A*(Q₁ T Q₁ᵀ), i.e. G_k = G0_k + w tr(K_k T)"
        cond = f"0 ⪯ T ⪯ I, tr T = {self.trace}" if self.upper else f"T ⪰ 0, tr T = {self.trace}"
        word = {"max": "largest eigenvalue", "min": "smallest eigenvalue"}.get(self.which, "eigenvalue at the tie")
        return (f"{{{body} : {cond}}} (the "
                f"{word} {self._lam(False)} = {exact(self.eigenvalue)} has multiplicity {self.multiplicity}; "
                f"Q₁ = {Q} is an orthonormal basis of its eigenspace), where G0 = {array_text(self.center, flat)}"
                f", w = {w}" + ("" if self.identity else "; K_k = Q₁ᵀ sym(∂M/∂x_k) Q₁ are given in the JSON"))

    def to_latex(self, flat):
        Q = array_latex(_obj(self.Q), False)
        body = r"G_0 + w\, Q_1 T Q_1^\top" if self.identity else r"G_0 + w\, \mathcal{A}^*(Q_1 T Q_1^\top)"
        cond = (rf"0 \preceq T \preceq I,\ \operatorname{{tr}} T = {self.trace}" if self.upper
                else rf"T \succeq 0,\ \operatorname{{tr}} T = {self.trace}")
        return (rf"\{{{body} : {cond}\}},\ Q_1 = {Q},\ "
                rf"G_0 = {array_latex(self.center, flat)},\ w = {sp.latex(as_sympy(self.weight))}")

    def _H(self, D: list) -> sp.Matrix:
        r = self.multiplicity
        H = sp.zeros(r, r)
        for d, idx in zip(D, np.ndindex(self.shape())):
            if d != 0:
                H += _exact_direction(d) * self.coeffs[idx]
        return H

    def _base(self, D) -> sp.Expr:
        return sp.Add(*[as_sympy(c) * _exact_direction(d) for c, d in zip(self.center.flat, D)])

    def _part(self, D, largest: bool):
        """The sum of the trace's number of largest (smallest) eigenvalues of Q₁ᵀ dM[D] Q₁,
        computed as those of gram⁻¹ BᵀdM[D]B (similar), a rational matrix."""
        from .nodes.eigen import sum_largest
        return sum_largest(self.gram.inv() * self._H(D), self.trace, largest)

    def directional(self, D: list):
        """f'(X; D) = <G0, D> + w λ'(M; dM[D]): λ_max'(M; E) = λ_max(Q₁ᵀ E Q₁), λ_min alike, and
        for the sum of the k largest the sum of the trace's number of largest of Q₁ᵀ E Q₁."""
        part = self._part(D, self.which != "min")
        return sp.expand(self._base(D) + as_sympy(self.weight) * part)

    def support(self, D):
        w = as_sympy(self.weight)
        return sp.expand(self._base(D) + w * self._part(D, w > 0))

    def contains(self, G, tol=None):
        if not self.identity:
            return None
        w = as_sympy(self.weight)
        if tol is not None:
            Q = np.array(self.Q.evalf(30).tolist(), dtype=float)
            V = (_floats(G).reshape(self.shape()) - _floats(self.center)) / float(w)
            T = Q.T @ V @ Q
            ev = np.linalg.eigvalsh((T + T.T) / 2)
            return bool(np.allclose(Q @ T @ Q.T, V, atol=tol) and abs(np.trace(T) - self.trace) <= tol
                        and ev[0] >= -tol and (not self.upper or ev[-1] <= 1 + tol))
        V = (_sym_matrix(np.asarray(G, dtype=object).reshape(self.shape())) - _sym_matrix(self.center)) / w
        Gi = self.gram.inv()
        S = Gi * self.B.T * V * self.B * Gi
        if any(sign_of(v) != 0 for v in (self.B * S * self.B.T - V)):
            return False
        if sign_of((self.gram * S).trace() - self.trace) != 0:
            return False
        from .nodes.eigen import extreme
        if not all(v.is_Rational for v in S) or sign_of(extreme(S, "min").value) < 0:
            return False
        # T = Lᵀ S L is similar to S gram: T ⪯ I iff its largest eigenvalue is at most 1
        return not self.upper or sign_of(extreme(S * self.gram, "max").value - 1) <= 0


# ---------------------------------------------------------------- singular-value forms
#
# The Clarke sets of the singular-value norms (spectral_point.py), each a center G0 (the
# gradient of the rest of f) plus a scale s (the norm's weight in f times the slope of its
# argument) times the norm's own set at the point.  Bases are orthonormal columns, exact.

def _num_array(a) -> np.ndarray:
    """An exact array shown with 12 significant digits (the exact values are in *_exact)."""
    out = np.empty(np.shape(a), dtype=object)
    for idx in np.ndindex(np.shape(a)):
        v = as_sympy(a[idx])
        out[idx] = v if v.is_Rational else sp.Float(sp.N(v, 12), 12)
    return out


def _plain(a) -> list:
    return [[number(v) for v in row] for row in a]


def _exact_rows(a) -> list:
    return [[exact(v) for v in row] for row in a]


def _frob(G, H) -> sp.Expr:
    return sp.Add(*[as_sympy(g) * as_sympy(h) for g, h in zip(np.ravel(G), np.ravel(H))])


def _mat(a) -> sp.Matrix:
    a = np.asarray(a, dtype=object)
    return sp.Matrix(a.shape[0], a.shape[1], [as_sympy(v) for v in a.flat])


class SpectralTop(ClarkeSet):
    """{G0 + s U₁ T V₁ᵀ : T ⪰ 0, tr T = 1}: the spectral norm where its largest singular
    value σ₁ > 0 has multiplicity r (U₁ m×r, V₁ n×r the top singular vectors)."""
    form = "spectral_top"
    which = "top"

    def __init__(self, center, scale, U1, V1):
        self.center, self.scale, self.U1, self.V1 = center, scale, U1, V1

    def fields(self):
        return {"form": self.form, "center": self.center, "scale": self.scale, "U1": self.U1, "V1": self.V1}

    def shape(self):
        return np.shape(self.center)

    def to_json(self, flat):
        return {"form": self.form, "center": shaped(self.center, flat), "scale": number(self.scale),
                "scale_exact": exact(self.scale), "U1": _plain(self.U1), "V1": _plain(self.V1),
                "U1_exact": _exact_rows(self.U1), "V1_exact": _exact_rows(self.V1)}

    def to_text(self, flat):
        return (f"{{G0 + s U1 T V1ᵀ : T ⪰ 0, tr T = 1}} (the {self.which} singular value has multiplicity "
                f"{np.shape(self.U1)[1]}), where G0 = {array_text(self.center, flat)}, s = {exact(self.scale)}, "
                f"U1 ≈ {array_text(_num_array(self.U1), False)}, V1 ≈ {array_text(_num_array(self.V1), False)}")

    def to_latex(self, flat):
        return (rf"\{{G_0 + s\, U_1 T V_1^\top : T \succeq 0,\ \operatorname{{tr}} T = 1\}}, \text{{ where }} "
                rf"G_0 = {array_latex(self.center, flat)},\ s = {sp.latex(as_sympy(self.scale))},\ "
                rf"U_1 = {array_latex(self.U1, False)},\ V_1 = {array_latex(self.V1, False)}")

    def contains(self, G, tol=None):
        if tol is None:
            return None
        s = float(self.scale)
        U1, V1 = _floats(self.U1), _floats(self.V1)
        W = (_floats(G).reshape(self.shape()) - _floats(self.center)) / s
        T = U1.T @ W @ V1
        if np.linalg.norm(U1 @ T @ V1.T - W) > tol or np.linalg.norm(T - T.T) > tol:
            return False
        return bool(abs(np.trace(T) - 1) <= tol and np.linalg.eigvalsh((T + T.T) / 2).min() >= -tol)

    def support(self, D):
        from .singular_values import max_eigenvalue
        Dm = _mat(np.reshape(np.asarray(D, dtype=object), self.shape()))
        s = as_sympy(self.scale)
        A = _mat(self.U1).T * Dm * _mat(self.V1)
        S = ((A + A.T) / 2).applyfunc(sp.expand)
        top = max_eigenvalue(S) if sign_of(s) > 0 else -max_eigenvalue(-S)
        return _frob(self.center, np.asarray(D, dtype=object)) + s * top

    def singleton(self):
        if np.shape(self.U1)[1] == 1:
            return self.center + np.asarray(_mat(self.U1) * _mat(self.V1).T * as_sympy(self.scale), dtype=object)
        return None


class SpectralBottom(SpectralTop):
    """The same set for σ_min where its value σ_k > 0 is repeated (U₁, V₁ then span the
    singular subspaces of σ_k): {G0 + s U₁ T V₁ᵀ : T ⪰ 0, tr T = 1}."""
    form = "spectral_bottom"
    which = "smallest"


class NuclearSet(ClarkeSet):
    """{G0 + s U₀ Z V₀ᵀ : ‖Z‖₂ ≤ 1}: the nuclear norm where M has rank r < min(m, n);
    G0 holds s U_r V_rᵀ, and U₀ (m×(m-r)), V₀ (n×(n-r)) are orthonormal bases of the null
    spaces of Mᵀ and M.  With s = 1 and G0 = U Vᵀ it is {U Vᵀ + W : Uᵀ W = 0, W V = 0, ‖W‖₂ ≤ 1}."""
    form = "nuclear"

    def __init__(self, center, scale, U0, V0):
        self.center, self.scale, self.U0, self.V0 = center, scale, U0, V0

    def fields(self):
        return {"form": "nuclear", "center": self.center, "scale": self.scale, "U0": self.U0, "V0": self.V0}

    def shape(self):
        return np.shape(self.center)

    def to_json(self, flat):
        return {"form": "nuclear", "center": shaped(self.center, flat), "scale": number(self.scale),
                "scale_exact": exact(self.scale), "U0": _plain(self.U0), "V0": _plain(self.V0),
                "U0_exact": _exact_rows(self.U0), "V0_exact": _exact_rows(self.V0)}

    def to_text(self, flat):
        return (f"{{G0 + s U0 Z V0ᵀ : ‖Z‖_2 ≤ 1}}, where G0 = {array_text(self.center, flat)}, "
                f"s = {exact(self.scale)}, U0 ≈ {array_text(_num_array(self.U0), False)}, "
                f"V0 ≈ {array_text(_num_array(self.V0), False)}")

    def to_latex(self, flat):
        return (rf"\{{G_0 + s\, U_0 Z V_0^\top : \|Z\|_2 \le 1\}}, \text{{ where }} "
                rf"G_0 = {array_latex(self.center, flat)},\ s = {sp.latex(as_sympy(self.scale))},\ "
                rf"U_0 = {array_latex(self.U0, False)},\ V_0 = {array_latex(self.V0, False)}")

    def contains(self, G, tol=None):
        if tol is None:
            return None
        s = float(self.scale)
        U0, V0 = _floats(self.U0).reshape(self.shape()[0], -1), _floats(self.V0).reshape(self.shape()[1], -1)
        W = (_floats(G).reshape(self.shape()) - _floats(self.center)) / s
        Z = U0.T @ W @ V0
        if np.linalg.norm(U0 @ Z @ V0.T - W) > tol:
            return False
        return bool(Z.size == 0 or np.linalg.norm(Z, 2) <= 1 + tol)

    def support(self, D):
        from .singular_values import nuclear
        Dm = _mat(np.reshape(np.asarray(D, dtype=object), self.shape()))
        U0, V0 = _mat(self.U0), _mat(self.V0)
        inner = 0 if U0.shape[1] == 0 or V0.shape[1] == 0 else nuclear(U0.T * Dm * V0)
        return _frob(self.center, np.asarray(D, dtype=object)) + abs(as_sympy(self.scale)) * inner

    def singleton(self):
        return self.center if np.shape(self.U0)[1] == 0 or np.shape(self.V0)[1] == 0 else None


class NuclearBall(ClarkeSet):
    """{G0 + s W : ‖W‖_* ≤ 1}: the spectral norm at M = 0 (the unit ball of its dual norm);
    with bases, {G0 + s U₀ W V₀ᵀ : ‖W‖_* ≤ 1}: σ_min where rank M < min(m, n) (U₀, V₀
    orthonormal bases of the null spaces of Mᵀ and M)."""
    form = "nuclear_ball"

    def __init__(self, center, scale, U0=None, V0=None):
        self.center, self.scale, self.U0, self.V0 = center, scale, U0, V0

    def fields(self):
        out = {"form": "nuclear_ball", "center": self.center, "scale": self.scale}
        if self.U0 is not None:
            out.update(U0=self.U0, V0=self.V0)
        return out

    def shape(self):
        return np.shape(self.center)

    def to_json(self, flat):
        out = {"form": "nuclear_ball", "center": shaped(self.center, flat), "scale": number(self.scale),
               "scale_exact": exact(self.scale)}
        if self.U0 is not None:
            out.update(U0=_plain(self.U0), V0=_plain(self.V0), U0_exact=_exact_rows(self.U0),
                       V0_exact=_exact_rows(self.V0))
        return out

    def to_text(self, flat):
        if self.U0 is None:
            return f"{{G0 + s W : ‖W‖_* ≤ 1}}, where G0 = {array_text(self.center, flat)}, s = {exact(self.scale)}"
        return (f"{{G0 + s U0 W V0ᵀ : ‖W‖_* ≤ 1}}, where G0 = {array_text(self.center, flat)}, "
                f"s = {exact(self.scale)}, U0 ≈ {array_text(_num_array(self.U0), False)}, "
                f"V0 ≈ {array_text(_num_array(self.V0), False)}")

    def to_latex(self, flat):
        if self.U0 is None:
            return (rf"\{{G_0 + s W : \|W\|_* \le 1\}}, \text{{ where }} G_0 = {array_latex(self.center, flat)},\ "
                    rf"s = {sp.latex(as_sympy(self.scale))}")
        return (rf"\{{G_0 + s\, U_0 W V_0^\top : \|W\|_* \le 1\}}, \text{{ where }} "
                rf"G_0 = {array_latex(self.center, flat)},\ s = {sp.latex(as_sympy(self.scale))},\ "
                rf"U_0 = {array_latex(self.U0, False)},\ V_0 = {array_latex(self.V0, False)}")

    def _bases(self):
        m, n = self.shape()
        if self.U0 is None:
            return np.eye(m), np.eye(n)
        return _floats(self.U0).reshape(m, -1), _floats(self.V0).reshape(n, -1)

    def contains(self, G, tol=None):
        if tol is None:
            return None
        U0, V0 = self._bases()
        W = (_floats(G).reshape(self.shape()) - _floats(self.center)) / float(self.scale)
        Z = U0.T @ W @ V0
        if np.linalg.norm(U0 @ Z @ V0.T - W) > tol:
            return False
        return bool(Z.size == 0 or np.linalg.norm(Z, "nuc") <= 1 + tol)

    def support(self, D):
        from .singular_values import spectral
        Dm = _mat(np.reshape(np.asarray(D, dtype=object), self.shape()))
        if self.U0 is not None:
            U0, V0 = _mat(self.U0), _mat(self.V0)
            if U0.shape[1] == 0 or V0.shape[1] == 0:
                return _frob(self.center, np.asarray(D, dtype=object))
            Dm = U0.T * Dm * V0
        return _frob(self.center, np.asarray(D, dtype=object)) + abs(as_sympy(self.scale)) * spectral(Dm)


class Mapped(ClarkeSet):
    """{C + Lᵀ S Rᵀ : S ∈ inner}: the set of a singular-value function of M = L X R + B
    (‖A X − B‖_*: L = A, R = I), where ``inner`` is the function's own set at M (centered
    at 0, scaled by its weight in f): the chain rule ∂f = G0 + M′* ∂s.  Membership is
    tested where L and R are square and invertible (else None); the support function is
    <C, D> + inner's support at L D R."""
    form = "mapped"

    def __init__(self, center, left, right, inner: ClarkeSet):
        self.center, self.left, self.right, self.inner = center, left, right, inner

    def fields(self):
        return {"form": "mapped", "center": self.center, "left": self.left, "right": self.right,
                "set": self.inner.fields()}

    def shape(self):
        return np.shape(self.center)

    def to_json(self, flat):
        return {"form": "mapped", "center": shaped(self.center, flat), "left": _plain(self.left),
                "right": _plain(self.right), "left_exact": _exact_rows(self.left),
                "right_exact": _exact_rows(self.right), "set": self.inner.to_json(False)}

    def to_text(self, flat):
        return (f"{{C + Lᵀ S Rᵀ : S ∈ S0}}, where C = {array_text(self.center, flat)}, "
                f"L = {array_text(self.left, False)}, R = {array_text(self.right, False)}, and S0 = "
                f"{self.inner.to_text(False)}")

    def to_latex(self, flat):
        return (rf"\{{C + L^\top S R^\top : S \in S_0\}}, \text{{ where }} C = {array_latex(self.center, flat)},\ "
                rf"L = {array_latex(self.left, False)},\ R = {array_latex(self.right, False)},\ "
                rf"S_0 = {self.inner.to_latex(False)}")

    def contains(self, G, tol=None):
        if tol is None:
            return None
        L, R = _floats(self.left), _floats(self.right)
        if L.shape[0] != L.shape[1] or R.shape[0] != R.shape[1]:
            return None
        if abs(np.linalg.det(L)) < 1e-12 or abs(np.linalg.det(R)) < 1e-12:
            return None
        V = _floats(G).reshape(self.shape()) - _floats(self.center)
        S = np.linalg.solve(L.T, np.linalg.solve(R, V.T).T)
        return self.inner.contains(S, tol)

    def support(self, D):
        Dm = _mat(np.reshape(np.asarray(D, dtype=object), self.shape()))
        inner = self.inner.support(list(_mat(self.left) * Dm * _mat(self.right)))
        return None if inner is None else _frob(self.center, np.asarray(D, dtype=object)) + inner


class SchattenBall(ClarkeSet):
    """{G0 + s W : ‖W‖_{S_q} ≤ 1}, 1/p + 1/q = 1: the Schatten p-norm at M = 0 (the unit
    ball of its dual norm)."""
    form = "schatten_ball"

    def __init__(self, center, scale, p: int):
        self.center, self.scale, self.p = center, scale, p

    @property
    def q(self):
        return sp.Rational(self.p, self.p - 1)

    def fields(self):
        return {"form": "schatten_ball", "center": self.center, "scale": self.scale, "q": self.q}

    def shape(self):
        return np.shape(self.center)

    def to_json(self, flat):
        return {"form": "schatten_ball", "center": shaped(self.center, flat), "scale": number(self.scale),
                "scale_exact": exact(self.scale), "q": number(self.q), "q_exact": exact(self.q)}

    def to_text(self, flat):
        return (f"{{G0 + s W : ‖W‖_S{exact(self.q)} ≤ 1}} (the dual Schatten norm, q = {exact(self.q)}), "
                f"where G0 = {array_text(self.center, flat)}, s = {exact(self.scale)}")

    def to_latex(self, flat):
        return (rf"\{{G_0 + s W : \|W\|_{{S_{{{sp.latex(self.q)}}}}} \le 1\}}, \text{{ where }} "
                rf"G_0 = {array_latex(self.center, flat)},\ s = {sp.latex(as_sympy(self.scale))}")

    def contains(self, G, tol=None):
        if tol is None:
            return None
        W = (_floats(G).reshape(self.shape()) - _floats(self.center)) / float(self.scale)
        q = float(self.q)
        return bool(np.sum(np.linalg.svd(W, compute_uv=False) ** q) ** (1 / q) <= 1 + tol)

    def support(self, D):
        from .singular_values import schatten
        Dm = _mat(np.reshape(np.asarray(D, dtype=object), self.shape()))
        return _frob(self.center, np.asarray(D, dtype=object)) + abs(as_sympy(self.scale)) * schatten(Dm, self.p)


class KyFanSet(ClarkeSet):
    """{G0 + s U T Vᵀ : 0 ⪯ T ⪯ I, tr T = j}: the Ky Fan k-norm where σ_k = σ_(k+1) > 0
    (U, V the singular subspaces of that value, j of whose copies the k largest take; G0
    holds s U₊V₊ᵀ of the pairs above it)."""
    form = "ky_fan"

    def __init__(self, center, scale, U, V, j: int):
        self.center, self.scale, self.U, self.V, self.j = center, scale, U, V, j

    def fields(self):
        return {"form": "ky_fan", "center": self.center, "scale": self.scale, "U": self.U, "V": self.V,
                "trace": self.j}

    def shape(self):
        return np.shape(self.center)

    def to_json(self, flat):
        return {"form": "ky_fan", "center": shaped(self.center, flat), "scale": number(self.scale),
                "scale_exact": exact(self.scale), "U": _plain(self.U), "V": _plain(self.V),
                "U_exact": _exact_rows(self.U), "V_exact": _exact_rows(self.V), "trace": self.j}

    def to_text(self, flat):
        return (f"{{G0 + s U T Vᵀ : 0 ⪯ T ⪯ I, tr T = {self.j}}}, where G0 = {array_text(self.center, flat)}, "
                f"s = {exact(self.scale)}, U ≈ {array_text(_num_array(self.U), False)}, "
                f"V ≈ {array_text(_num_array(self.V), False)}")

    def to_latex(self, flat):
        return (rf"\{{G_0 + s\, U T V^\top : 0 \preceq T \preceq I,\ \operatorname{{tr}} T = {self.j}\}}, "
                rf"\text{{ where }} G_0 = {array_latex(self.center, flat)},\ s = {sp.latex(as_sympy(self.scale))},\ "
                rf"U = {array_latex(self.U, False)},\ V = {array_latex(self.V, False)}")

    def contains(self, G, tol=None):
        if tol is None:
            return None
        U, V = _floats(self.U), _floats(self.V)
        W = (_floats(G).reshape(self.shape()) - _floats(self.center)) / float(self.scale)
        T = U.T @ W @ V
        if np.linalg.norm(U @ T @ V.T - W) > tol or np.linalg.norm(T - T.T) > tol:
            return False
        ev = np.linalg.eigvalsh((T + T.T) / 2)
        return bool(abs(np.trace(T) - self.j) <= tol and ev.min() >= -tol and ev.max() <= 1 + tol)

    def support(self, D):
        from .singular_values import top_eigen_sum
        Dm = _mat(np.reshape(np.asarray(D, dtype=object), self.shape()))
        s = as_sympy(self.scale)
        A = _mat(self.U).T * Dm * _mat(self.V)
        S = ((A + A.T) / 2).applyfunc(sp.expand)
        top = top_eigen_sum(S, self.j) if sign_of(s) > 0 else -top_eigen_sum(-S, self.j)
        return _frob(self.center, np.asarray(D, dtype=object)) + s * top


class KyFanZero(ClarkeSet):
    """{G0 + s U₀ W V₀ᵀ : ‖W‖₂ ≤ 1, ‖W‖_* ≤ j}: the Ky Fan k-norm where σ_k = 0 (rank r < k,
    j = k - r; U₀, V₀ the null spaces of Mᵀ and M; G0 holds s U_r V_rᵀ)."""
    form = "ky_fan_zero"

    def __init__(self, center, scale, U0, V0, j: int):
        self.center, self.scale, self.U0, self.V0, self.j = center, scale, U0, V0, j

    def fields(self):
        return {"form": "ky_fan_zero", "center": self.center, "scale": self.scale, "U0": self.U0, "V0": self.V0,
                "bound": self.j}

    def shape(self):
        return np.shape(self.center)

    def to_json(self, flat):
        return {"form": "ky_fan_zero", "center": shaped(self.center, flat), "scale": number(self.scale),
                "scale_exact": exact(self.scale), "U0": _plain(self.U0), "V0": _plain(self.V0),
                "U0_exact": _exact_rows(self.U0), "V0_exact": _exact_rows(self.V0), "bound": self.j}

    def to_text(self, flat):
        return (f"{{G0 + s U0 W V0ᵀ : ‖W‖_2 ≤ 1, ‖W‖_* ≤ {self.j}}}, where G0 = {array_text(self.center, flat)}, "
                f"s = {exact(self.scale)}, U0 ≈ {array_text(_num_array(self.U0), False)}, "
                f"V0 ≈ {array_text(_num_array(self.V0), False)}")

    def to_latex(self, flat):
        return (rf"\{{G_0 + s\, U_0 W V_0^\top : \|W\|_2 \le 1,\ \|W\|_* \le {self.j}\}}, \text{{ where }} "
                rf"G_0 = {array_latex(self.center, flat)},\ s = {sp.latex(as_sympy(self.scale))},\ "
                rf"U_0 = {array_latex(self.U0, False)},\ V_0 = {array_latex(self.V0, False)}")

    def contains(self, G, tol=None):
        if tol is None:
            return None
        m, n = self.shape()
        U0, V0 = _floats(self.U0).reshape(m, -1), _floats(self.V0).reshape(n, -1)
        W = (_floats(G).reshape(self.shape()) - _floats(self.center)) / float(self.scale)
        Z = U0.T @ W @ V0
        if np.linalg.norm(U0 @ Z @ V0.T - W) > tol:
            return False
        if Z.size == 0:
            return True
        sv = np.linalg.svd(Z, compute_uv=False)
        return bool(sv.max() <= 1 + tol and sv.sum() <= self.j + tol)

    def support(self, D):
        from .singular_values import ky_fan
        Dm = _mat(np.reshape(np.asarray(D, dtype=object), self.shape()))
        U0, V0 = _mat(self.U0), _mat(self.V0)
        inner = 0 if U0.shape[1] == 0 or V0.shape[1] == 0 else ky_fan(U0.T * Dm * V0, self.j)
        return _frob(self.center, np.asarray(D, dtype=object)) + abs(as_sympy(self.scale)) * inner
