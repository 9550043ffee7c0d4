"""The table of entrywise primitives.

Every primitive symderiv knows is declared here, once, with everything the rest of
the engine needs: its pieces, its switches (the breakpoints, as expressions whose zero
is a breakpoint), its one-sided slopes at each switch, its sign-identity rewrite, its
LaTeX and text spellings, the names the parser accepts for it, and its curvature and
monotonicity for the convexity rules.  Adding a primitive means adding one entry; no
other module names a primitive.

Conventions shared by all entries:
  * ``S(u)`` stands for sign(u) on the open set u != 0, with S(u)**2 == 1 there.  A
    sign rewrite only has to be right off the switches; the values *on* a switch come
    from ``pieces``.
  * ``slopes(*args)[k] = (left, right)``: the gradient of the primitive with respect to
    its data arguments on the side u_k < 0 and on the side u_k > 0, next to switch k
    (it may depend on the parameters: leaky ReLU's left slope is alpha).  ``None`` marks
    a jump (the primitive is not continuous across that switch).
  * ``params`` are trailing scalar arguments (alpha, bounds, thresholds); ``defaults``
    gives the value a spelling without them means (PyTorch's 0.01 for leaky ReLU).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

import sympy as sp

half = sp.Rational(1, 2)
NONNEG = {"nonneg", "zero"}
NONPOS = {"nonpos", "zero"}


@dataclass(frozen=True)
class Primitive:
    name: str
    arity: int
    pieces: Callable[..., list]
    switches: Callable[..., tuple]
    sign_form: Callable[..., sp.Expr]
    slopes: Callable[..., tuple]
    latex: dict            # style -> format string over the arguments' LaTeX
    text: str              # format string over the arguments' text
    aliases: tuple = ()    # LaTeX command names or words the parser maps to this primitive
    continuous: bool = True
    curvature: Optional[str] = None      # 'convex' | 'concave' | 'affine' | None
    monotone: tuple = ()                 # per data argument: 'incr' | 'decr' | None
    nonneg: bool = False                 # output is >= 0 everywhere
    # the output's sign from the arguments' signs ('nonneg' | 'nonpos' | None each)
    output_sign: Optional[Callable[..., Optional[str]]] = None
    params: tuple = ()                   # names of trailing scalar parameters
    # the parameters' domain, checked when they are numbers: (*params) -> bool
    requires: Optional[Callable] = None
    # how PyTorch spells it, for the autodiff cross-check: (torch, *tensor args) -> tensor
    torch: Optional[Callable] = None
    note: str = ""                       # a convention the output should state
    defaults: dict = field(default_factory=dict)

    @property
    def positive_parameter(self) -> bool:
        """One parameter whose domain is the positive numbers (Huber's δ); a leaky slope or
        clip's bounds may be negative."""
        if self.requires is None or len(self.params) != 1:
            return False
        try:
            return self.requires(sp.Integer(1)) is True and self.requires(sp.Integer(-1)) is False
        except TypeError:
            return False


def _relu_pieces(u):
    return [(u, u > 0), (sp.Integer(0), True)]


TABLE: tuple[Primitive, ...] = (
    Primitive(
        name="relu", arity=1,
        torch=lambda t, u: t.relu(u),
        pieces=_relu_pieces,
        switches=lambda u: (u,),
        sign_form=lambda u, S: half * (1 + S(u)) * u,
        slopes=lambda u: (((0,), (1,)),),
        latex={"max": r"\max({0}, 0)", "sigma": r"\sigma({0})", "relu": r"\operatorname{ReLU}({0})"},
        text="max({0}, 0)",
        aliases=("relu", "ReLU", "RELU", "Relu"),
        curvature="convex", monotone=("incr",), nonneg=True,
    ),
    Primitive(
        name="abs", arity=1,
        torch=lambda t, u: t.abs(u),
        pieces=lambda u: [(u, u >= 0), (-u, True)],
        switches=lambda u: (u,),
        sign_form=lambda u, S: S(u) * u,
        slopes=lambda u: (((-1,), (1,)),),
        latex={"default": r"\left|{0}\right|"},
        text="|{0}|",
        aliases=("abs",),
        curvature="convex", monotone=(None,), nonneg=True,
    ),
    Primitive(
        name="sign", arity=1,
        torch=lambda t, u: t.sign(u),
        pieces=lambda u: [(sp.Integer(1), u > 0), (sp.Integer(-1), u < 0), (sp.Integer(0), True)],
        switches=lambda u: (u,),
        sign_form=lambda u, S: S(u),
        slopes=lambda u: (None,),
        latex={"default": r"\operatorname{sign}({0})"},
        text="sign({0})",
        aliases=("sign", "sgn"),
        continuous=False, monotone=("incr",),
        note="sign(0) = 0",
    ),
    Primitive(
        name="heaviside", arity=1,
        torch=lambda t, u: t.heaviside(u, t.full_like(u, 0.5)),
        pieces=lambda u: [(sp.Integer(1), u > 0), (half, sp.Eq(u, 0)), (sp.Integer(0), True)],
        switches=lambda u: (u,),
        sign_form=lambda u, S: half * (1 + S(u)),
        slopes=lambda u: (None,),
        latex={"default": r"H({0})"},
        text="H({0})",
        aliases=("H", "theta", "Heaviside", "heaviside", "step"),
        continuous=False, monotone=("incr",), nonneg=True,
        note="H(0) = 1/2",
    ),
    Primitive(
        name="max", arity=2,
        torch=lambda t, a, b: t.maximum(a, b),
        pieces=lambda a, b: [(a, a > b), (b, True)],
        switches=lambda a, b: (a - b,),
        sign_form=lambda a, b, S: half * (a + b) + half * S(a - b) * (a - b),
        slopes=lambda a, b: (((0, 1), (1, 0)),),
        latex={"default": r"\max({0}, {1})"},
        text="max({0}, {1})",
        aliases=("max",),
        curvature="convex", monotone=("incr", "incr"),
        output_sign=lambda a, b: "nonneg" if {a, b} & NONNEG else ("nonpos" if {a, b} <= NONPOS else None),
    ),
    Primitive(
        name="min", arity=2,
        torch=lambda t, a, b: t.minimum(a, b),
        pieces=lambda a, b: [(a, a < b), (b, True)],
        switches=lambda a, b: (a - b,),
        sign_form=lambda a, b, S: half * (a + b) - half * S(a - b) * (a - b),
        slopes=lambda a, b: (((1, 0), (0, 1)),),
        latex={"default": r"\min({0}, {1})"},
        text="min({0}, {1})",
        aliases=("min",),
        curvature="concave", monotone=("incr", "incr"),
        output_sign=lambda a, b: "nonpos" if {a, b} & NONPOS else ("nonneg" if {a, b} <= NONNEG else None),
    ),
)

TABLE = TABLE + (
    Primitive(
        name="leaky_relu", arity=1, params=("alpha",), defaults={"alpha": sp.Rational(1, 100)},
        torch=lambda t, u, a: t.where(u > 0, u, a * u),
        pieces=lambda u, a: [(u, u > 0), (a * u, True)],
        switches=lambda u, a: (u,),
        sign_form=lambda u, a, S: half * (1 + S(u)) * u + half * (1 - S(u)) * a * u,
        slopes=lambda u, a: (((a,), (1,)),),
        latex={"default": r"\operatorname{LeakyReLU}_{{1}}({0})"},
        text="leaky_relu({0}; {1})",
        aliases=("leaky_relu", "LeakyReLU", "leakyrelu", "lrelu", "leaky"),
        monotone=("incr",),
    ),
    Primitive(
        name="hinge", arity=1,
        torch=lambda t, u: t.relu(1 - u),
        pieces=lambda u: [(1 - u, u < 1), (sp.Integer(0), True)],
        switches=lambda u: (1 - u,),
        sign_form=lambda u, S: half * (1 + S(1 - u)) * (1 - u),
        slopes=lambda u: (((0,), (-1,)),),
        latex={"default": r"\operatorname{hinge}({0})"},
        text="hinge({0})",
        aliases=("hinge", "Hinge"),
        curvature="convex", monotone=("decr",), nonneg=True,
    ),
    Primitive(
        name="clip", arity=1, params=("lo", "hi"),
        torch=lambda t, u, lo, hi: t.clamp(u, lo, hi),
        pieces=lambda u, lo, hi: [(lo, u < lo), (hi, u > hi), (u, True)],
        switches=lambda u, lo, hi: (u - lo, u - hi),
        sign_form=lambda u, lo, hi, S: lo + half * (1 + S(u - lo)) * (u - lo) - half * (1 + S(u - hi)) * (u - hi),
        slopes=lambda u, lo, hi: (((0,), (1,)), ((1,), (0,))),
        latex={"default": r"\operatorname{clip}({0}, {1}, {2})"},
        text="clip({0}, {1}, {2})",
        aliases=("clip", "clamp", "Clip", "Clamp"),
        monotone=("incr",),
        note="clip(x, lo, hi) assumes lo <= hi",
        requires=lambda lo, hi: bool(lo <= hi),
    ),
    Primitive(
        name="soft_threshold", arity=1, params=("lambda",),
        torch=lambda t, u, l: t.sign(u) * t.relu(t.abs(u) - l),
        pieces=lambda u, l: [(u - l, u > l), (u + l, u < -l), (sp.Integer(0), True)],
        switches=lambda u, l: (u - l, u + l),
        sign_form=lambda u, l, S: half * (1 + S(u - l)) * (u - l) + half * (1 - S(u + l)) * (u + l),
        slopes=lambda u, l: (((0,), (1,)), ((1,), (0,))),
        latex={"default": r"\operatorname{soft}_{{1}}({0})"},
        text="soft({0}; {1})",
        aliases=("soft_threshold", "soft", "softthreshold", "shrink", "prox"),
        monotone=("incr",),
        note="the soft threshold assumes lambda >= 0",
        requires=lambda l: bool(l >= 0),
    ),
    Primitive(
        name="relu6", arity=1,
        torch=lambda t, u: t.nn.functional.relu6(u),
        pieces=lambda u: [(sp.Integer(0), u < 0), (sp.Integer(6), u > 6), (u, True)],
        switches=lambda u: (u, u - 6),
        sign_form=lambda u, S: half * (1 + S(u)) * u - half * (1 + S(u - 6)) * (u - 6),
        slopes=lambda u: (((0,), (1,)), ((1,), (0,))),
        latex={"default": r"\operatorname{ReLU6}({0})"},
        text="relu6({0})",
        aliases=("relu6", "ReLU6", "Relu6"),
        monotone=("incr",), nonneg=True,
    ),
    Primitive(
        name="huber", arity=1, params=("delta",), defaults={"delta": sp.Integer(1)},
        torch=lambda t, u, d: t.where(t.abs(u) <= d, u * u / 2, d * (t.abs(u) - d / 2)),
        pieces=lambda u, d: [(d * (u - d / 2), u > d), (-d * (u + d / 2), u < -d), (u ** 2 / 2, True)],
        switches=lambda u, d: (u - d, u + d),
        sign_form=lambda u, d, S: (u ** 2 / 2 + half * (1 + S(u - d)) * (d * (u - d / 2) - u ** 2 / 2)
                                   + half * (1 - S(u + d)) * (-d * (u + d / 2) - u ** 2 / 2)),
        slopes=lambda u, d: (((d,), (d,)), ((-d,), (-d,))),
        latex={"default": r"\operatorname{Huber}_{{1}}({0})"},
        text="huber({0}; {1})",
        aliases=("huber", "Huber"),
        curvature="convex", monotone=(None,), nonneg=True,
        note="the Huber loss assumes delta > 0",
        requires=lambda d: bool(d > 0),
    ),
)

BY_NAME: dict[str, Primitive] = {p.name: p for p in TABLE}


@dataclass(frozen=True)
class Smooth:
    """An entrywise smooth map (kept apart: it has no switches)."""
    name: str
    build: Callable[[sp.Expr], sp.Expr]
    aliases: tuple
    curvature: Optional[str] = None
    monotone: Optional[str] = None
    entire: bool = True            # defined and smooth on all of R
    sympy: Optional[type] = None   # the SymPy class build() produces, to recognise it
    torch: Optional[Callable] = None


SMOOTH: tuple[Smooth, ...] = (
    Smooth("exp", sp.exp, ("exp",), "convex", "incr", sympy=sp.exp, torch=lambda t, u: t.exp(u)),
    Smooth("sin", sp.sin, ("sin",), sympy=sp.sin, torch=lambda t, u: t.sin(u)),
    Smooth("cos", sp.cos, ("cos",), sympy=sp.cos, torch=lambda t, u: t.cos(u)),
    Smooth("tanh", sp.tanh, ("tanh",), None, "incr", sympy=sp.tanh, torch=lambda t, u: t.tanh(u)),
    Smooth("sinh", sp.sinh, ("sinh",), None, "incr", sympy=sp.sinh, torch=lambda t, u: t.sinh(u)),
    Smooth("cosh", sp.cosh, ("cosh",), "convex", None, sympy=sp.cosh, torch=lambda t, u: t.cosh(u)),
    Smooth("arctan", sp.atan, ("arctan", "atan"), None, "incr", sympy=sp.atan, torch=lambda t, u: t.atan(u)),
    Smooth("sigmoid", lambda u: 1 / (1 + sp.exp(-u)), ("sigmoid",), None, "incr"),
    Smooth("softplus", lambda u: sp.log(1 + sp.exp(u)), ("softplus",), "convex", "incr"),
    Smooth("log", sp.log, ("log", "ln"), "concave", "incr", entire=False, sympy=sp.log,
           torch=lambda t, u: t.log(u)),
    Smooth("sqrt", sp.sqrt, ("sqrt",), "concave", "incr", entire=False),
)

SMOOTH_BY_NAME: dict[str, Smooth] = {s.name: s for s in SMOOTH}


def lookup(word: str):
    """The primitive or smooth map a parser word names, or None."""
    for p in TABLE:
        if word == p.name or word in p.aliases:
            return p
    for s in SMOOTH:
        if word == s.name or word in s.aliases:
            return s
    return None
