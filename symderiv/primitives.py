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
  * ``slopes[k] = (left, right)``: the gradient of the primitive with respect to its
    data arguments on the side u_k < 0 and on the side u_k > 0, next to switch k.
    ``None`` marks a jump (the primitive is not continuous across that switch).
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
    slopes: tuple
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
    note: str = ""                       # a convention the output should state
    defaults: dict = field(default_factory=dict)


def _relu_pieces(u):
    return [(u, u > 0), (sp.Integer(0), True)]


TABLE: tuple[Primitive, ...] = (
    Primitive(
        name="relu", arity=1,
        pieces=_relu_pieces,
        switches=lambda u: (u,),
        sign_form=lambda u, S: half * (1 + S(u)) * u,
        slopes=(((0,), (1,)),),
        latex={"max": r"\max({0}, 0)", "sigma": r"\sigma({0})", "relu": r"\operatorname{ReLU}({0})"},
        text="max({0}, 0)",
        aliases=("relu", "ReLU", "RELU", "Relu"),
        curvature="convex", monotone=("incr",), nonneg=True,
    ),
    Primitive(
        name="abs", arity=1,
        pieces=lambda u: [(u, u >= 0), (-u, True)],
        switches=lambda u: (u,),
        sign_form=lambda u, S: S(u) * u,
        slopes=(((-1,), (1,)),),
        latex={"default": r"\left|{0}\right|"},
        text="|{0}|",
        aliases=("abs",),
        curvature="convex", monotone=(None,), nonneg=True,
    ),
    Primitive(
        name="sign", arity=1,
        pieces=lambda u: [(sp.Integer(1), u > 0), (sp.Integer(-1), u < 0), (sp.Integer(0), True)],
        switches=lambda u: (u,),
        sign_form=lambda u, S: S(u),
        slopes=(None,),
        latex={"default": r"\operatorname{sign}({0})"},
        text="sign({0})",
        aliases=("sign", "sgn"),
        continuous=False, monotone=("incr",),
        note="sign(0) = 0",
    ),
    Primitive(
        name="heaviside", arity=1,
        pieces=lambda u: [(sp.Integer(1), u > 0), (half, sp.Eq(u, 0)), (sp.Integer(0), True)],
        switches=lambda u: (u,),
        sign_form=lambda u, S: half * (1 + S(u)),
        slopes=(None,),
        latex={"default": r"H({0})"},
        text="H({0})",
        aliases=("H", "theta", "Heaviside", "heaviside", "step"),
        continuous=False, monotone=("incr",), nonneg=True,
        note="H(0) = 1/2",
    ),
    Primitive(
        name="max", arity=2,
        pieces=lambda a, b: [(a, a > b), (b, True)],
        switches=lambda a, b: (a - b,),
        sign_form=lambda a, b, S: half * (a + b) + half * S(a - b) * (a - b),
        slopes=(((0, 1), (1, 0)),),
        latex={"default": r"\max({0}, {1})"},
        text="max({0}, {1})",
        aliases=("max",),
        curvature="convex", monotone=("incr", "incr"),
        output_sign=lambda a, b: "nonneg" if {a, b} & NONNEG else ("nonpos" if {a, b} <= NONPOS else None),
    ),
    Primitive(
        name="min", arity=2,
        pieces=lambda a, b: [(a, a < b), (b, True)],
        switches=lambda a, b: (a - b,),
        sign_form=lambda a, b, S: half * (a + b) - half * S(a - b) * (a - b),
        slopes=(((1, 0), (0, 1)),),
        latex={"default": r"\min({0}, {1})"},
        text="min({0}, {1})",
        aliases=("min",),
        curvature="concave", monotone=("incr", "incr"),
        output_sign=lambda a, b: "nonpos" if {a, b} & NONPOS else ("nonneg" if {a, b} <= NONNEG else None),
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


SMOOTH: tuple[Smooth, ...] = (
    Smooth("exp", sp.exp, ("exp",), "convex", "incr"),
    Smooth("sin", sp.sin, ("sin",)),
    Smooth("cos", sp.cos, ("cos",)),
    Smooth("tanh", sp.tanh, ("tanh",), None, "incr"),
    Smooth("sigmoid", lambda u: 1 / (1 + sp.exp(-u)), ("sigmoid",), None, "incr"),
    Smooth("softplus", lambda u: sp.log(1 + sp.exp(u)), ("softplus",), "convex", "incr"),
    Smooth("log", sp.log, ("log", "ln"), "concave", "incr", entire=False),
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
