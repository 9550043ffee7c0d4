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
  Undecided(why, reason)           a Clarke set the engine could not decide (f'(p; D) exists
                                    in every direction, but whether f is locally Lipschitz
                                    around p may be open too): described, with "decided":
                                    false, not null, which the contract keeps for "not
                                    locally Lipschitz"
  NoClarkeSet(reason)              f is not locally Lipschitz here: JSON null, and the reason

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
