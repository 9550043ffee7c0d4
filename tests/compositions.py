"""Random compositions of the primitives, each written twice: as LaTeX for symderiv and as
an exact evaluator written here, which shares nothing with the tool (not its parser, not
its table, not its evaluator).

A composition is a small tree: entrywise primitives (ReLU in its spellings, |.|, sign,
the step, the indicator, leaky ReLU, hinge, clip, ReLU6, soft thresholding, Huber, max,
min) nested up to three deep, joined by sums, differences, products, integer powers and
rational constants, over one scalar x or two scalars x, y, with now and then a sine or an
exponential on the outside.  Everything below a sine or an exponential is a piecewise
polynomial with rational coefficients, so the evaluator works in exact Fractions there
(and in 60-digit mpmath above it): a point on a switch is exactly on it, and a tie is an
exact tie.

The points are of three kinds, and each composition carries some of each:
  * ``planted``: the generator draws this point first and then builds the constants of
    some kinks so that their arguments sit on a breakpoint there (the argument of ReLU is
    0, of clip is lo or hi, of Huber is +-delta), and the arguments of some max/min tie
    there.  Kinks nested in kinks planted at the same point give ties on a kink, kinks of
    kinks and products of kinks.
  * ``switch`` / ``tie``: another point on one switch (or tie) of the composition, found by
    solving its argument where that argument is affine along a line and checked exactly.
  * ``random``: a random rational point.

The generator is deterministic: composition i is drawn from ``random.Random(SEED + i)``.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from fractions import Fraction as Fr
from typing import Callable

import mpmath

SEED = 20261207
COUNT = 500
MAX_KINKS = 4            # switches in one composition (the direct route splits 2^k cases)
DIGITS = 60              # mpmath precision above a sine or an exponential


# ---------------------------------------------------------------- numbers

def _mp(v):
    if isinstance(v, Fr):
        return mpmath.mpf(v.numerator) / v.denominator
    return v


def _both(a, b):
    """Exact while both are exact; 60-digit floats once either is not."""
    if isinstance(a, Fr) and isinstance(b, Fr):
        return a, b
    return _mp(a), _mp(b)


def add(a, b):
    a, b = _both(a, b)
    return a + b


def mul(a, b):
    a, b = _both(a, b)
    return a * b


def exp(a):
    with mpmath.workdps(DIGITS):
        return mpmath.exp(_mp(a)) if a != 0 else Fr(1)


def sin(a):
    with mpmath.workdps(DIGITS):
        return mpmath.sin(_mp(a)) if a != 0 else Fr(0)


def frac_tex(c: Fr) -> str:
    """A non-negative rational as LaTeX."""
    assert c >= 0
    if c.denominator == 1:
        return str(c.numerator)
    return rf"\frac{{{c.numerator}}}{{{c.denominator}}}"


def signed_tex(c: Fr) -> str:
    return ("-" if c < 0 else "") + frac_tex(abs(c))


def plus_const(tex: str, c: Fr) -> str:
    """tex + c, written as a person would."""
    if c == 0:
        return tex
    return f"{tex} {'-' if c < 0 else '+'} {frac_tex(abs(c))}"


# ---------------------------------------------------------------- the primitives, by hand

def relu(u):
    return u if u > 0 else Fr(0)


def sign(u):
    return Fr(1) if u > 0 else (Fr(-1) if u < 0 else Fr(0))


def step(u):                      # the Heaviside step with H(0) = 1/2
    return Fr(1) if u > 0 else (Fr(0) if u < 0 else Fr(1, 2))


def indicator(u):                 # 1[u > 0]: 0 on the switch
    return Fr(1) if u > 0 else Fr(0)


def leaky(u, alpha):
    return u if u > 0 else mul(alpha, u)


def hinge(u):
    return relu(add(Fr(1), mul(Fr(-1), u)))


def clip(u, lo, hi):
    return lo if u < lo else (hi if u > hi else u)


def soft(u, lam):
    if u > lam:
        return add(u, -lam)
    if u < -lam:
        return add(u, lam)
    return Fr(0)


def relu6(u):
    return clip(u, Fr(0), Fr(6))


def huber(u, d):
    if abs(u) <= d:
        return mul(mul(u, u), Fr(1, 2))
    return mul(d, add(abs(u), -d / 2))


# ---------------------------------------------------------------- trees

@dataclass
class Node:
    tex: str                      # LaTeX, safe to put in a sum (wrap it for a product)
    ev: Callable                  # env -> Fraction | mpf
    exact: bool = True            # no sine or exponential below: values are Fractions
    atom: bool = False            # safe in a product or under a power without parentheses
    kinks: int = 0
    # the switches inside: (kind, g) with g(env) = 0 exactly on that switch or tie
    zeros: list = field(default_factory=list)

    def wrapped(self) -> str:
        return self.tex if self.atom else rf"\left({self.tex}\right)"


@dataclass
class Composition:
    ident: str
    tex: str
    names: tuple                  # ('x',) or ('x', 'y')
    f: Callable                   # env -> exact value
    points: list                  # (kind, (Fraction, ...))
    depth: int
    primitives: tuple             # the primitive kinds it uses
    zeros: list = field(default_factory=list)    # (kind, g): g = 0 exactly on a switch or tie

    @property
    def wrt(self) -> str:
        return ",".join(self.names)

    def at_text(self, p) -> str:
        if len(p) == 1:
            return str(p[0])
        return "[" + ",".join(str(c) for c in p) + "]"

    def __call__(self, p):
        return self.f(dict(zip(self.names, p)))


def _rational(rng, lo=-4, hi=4, dens=(1, 2, 3, 4)) -> Fr:
    return Fr(rng.randint(lo * 4, hi * 4), 4) if rng.random() < 0.5 else Fr(rng.randint(lo, hi), rng.choice(dens))


class Generator:
    """Composition i: one tree over the variables, with kinks planted at the point p."""

    UNARY = ("relu", "abs", "sign", "step", "indicator", "leaky", "hinge", "clip", "soft", "relu6", "huber")
    WEIGHTS = (8, 6, 1, 1, 1, 3, 2, 3, 3, 2, 3)

    def __init__(self, rng: random.Random, names: tuple, p: dict):
        self.rng, self.names, self.p = rng, names, p
        self.used: list = []

    # -- leaves
    def leaf(self) -> Node:
        rng = self.rng
        coeffs = {n: rng.choice((1, 1, 1, -1, 2, -2, 3, Fr(1, 2))) if rng.random() < 0.8 else 0 for n in self.names}
        if all(c == 0 for c in coeffs.values()):
            coeffs[rng.choice(self.names)] = 1
        const = Fr(rng.randint(-3, 3), rng.choice((1, 1, 2))) if rng.random() < 0.4 else Fr(0)
        parts = []
        for n, c in coeffs.items():
            if c == 0:
                continue
            mag = abs(c)
            word = n if mag == 1 else (rf"\frac{{{mag.numerator}}}{{{mag.denominator}}}{n}"
                                       if isinstance(mag, Fr) and mag.denominator != 1 else f"{mag}{n}")
            parts.append(("-" if c < 0 else ("+" if parts else "")) + (" " if parts else "") + word)
        tex = plus_const(" ".join(parts).strip(), const)

        def ev(env, coeffs=coeffs, const=const):
            return sum((Fr(c) * env[n] for n, c in coeffs.items()), const)
        single = len([c for c in coeffs.values() if c != 0]) == 1 and const == 0 and \
            all(c in (0, 1) for c in coeffs.values())
        return Node(tex, ev, atom=single)

    def poly(self) -> Node:
        """A smooth quadratic: c L^2 or L L' with L, L' linear (a tie of |x| with 2x^2 at 0 is
        the class where a max of a kink and a smooth function goes wrong)."""
        rng = self.rng
        a = self.leaf()
        if rng.random() < 0.6:
            c = rng.choice((Fr(1), Fr(2), Fr(-1), Fr(1, 2), Fr(3)))
            lead = "-" if c == -1 else ("" if c == 1 else frac_tex(abs(c)) if c > 0 else "-" + frac_tex(abs(c)))
            return Node(rf"{lead}\left({a.tex}\right)^{{2}}", lambda env, g=a.ev, c=c: c * g(env) ** 2)
        b = self.leaf()
        return Node(rf"{a.wrapped()} \cdot {b.wrapped()}", lambda env, g=a.ev, h=b.ev: g(env) * h(env))

    # -- planting: a constant shift that puts g(p) on the breakpoint b
    def _shift(self, arg: Node, b: Fr, plant: bool) -> Node:
        if not plant or not arg.exact:
            return arg
        c = b - arg.ev(self.p)
        if c == 0:
            return arg
        return Node(plus_const(arg.tex, c), lambda env, g=arg.ev, c=c: add(g(env), c), True, False,
                    arg.kinks, list(arg.zeros))

    def unary(self, depth: int) -> Node:
        rng = self.rng
        kind = rng.choices(self.UNARY, self.WEIGHTS)[0]
        arg = self.node(depth - 1)
        plant = rng.random() < 0.65
        self.used.append(kind)
        if kind == "relu":
            a = self._shift(arg, Fr(0), plant)
            spelled = rng.choice((r"\max({0}, 0)", r"\max(0, {0})", r"\sigma({0})", r"\operatorname{{ReLU}}({0})",
                                  r"\left({0}\right)_+"))
            return self._kink(spelled.format(a.tex), lambda v: relu(v), a, [Fr(0)], atom=True)
        if kind == "abs":
            a = self._shift(arg, Fr(0), plant)
            return self._kink(rf"\left|{a.tex}\right|", abs, a, [Fr(0)], atom=True)
        if kind == "sign":
            a = self._shift(arg, Fr(0), plant)
            spelled = rng.choice((r"\operatorname{{sign}}({0})", r"\operatorname{{sgn}}({0})"))
            return self._kink(spelled.format(a.tex), sign, a, [Fr(0)], atom=True)
        if kind == "step":
            a = self._shift(arg, Fr(0), plant)
            return self._kink(rf"H({a.tex})", step, a, [Fr(0)], atom=True)
        if kind == "indicator":
            a = self._shift(arg, Fr(0), plant)
            return self._kink(rf"\mathbb{{1}}[{a.tex} > 0]", indicator, a, [Fr(0)], atom=True)
        if kind == "leaky":
            alpha = rng.choice((Fr(1, 10), Fr(1, 5), Fr(1, 2), Fr(2), Fr(1, 100)))
            a = self._shift(arg, Fr(0), plant)
            if alpha == Fr(1, 100) and rng.random() < 0.5:
                tex = rf"\operatorname{{LeakyReLU}}({a.tex})"           # PyTorch's default slope
            else:
                tex = rf"\operatorname{{LeakyReLU}}_{{{frac_tex(alpha)}}}({a.tex})"
            return self._kink(tex, lambda v, al=alpha: leaky(v, al), a, [Fr(0)], atom=True)
        if kind == "hinge":
            a = self._shift(arg, Fr(1), plant)
            return self._kink(rf"\operatorname{{hinge}}({a.tex})", hinge, a, [Fr(1)], atom=True)
        if kind == "clip":
            lo = Fr(rng.randint(-3, 1), rng.choice((1, 2)))
            hi = lo + Fr(rng.randint(1, 4), rng.choice((1, 2)))
            a = self._shift(arg, rng.choice((lo, hi)), plant)
            return self._kink(rf"\operatorname{{clip}}({a.tex}, {signed_tex(lo)}, {signed_tex(hi)})",
                              lambda v, lo=lo, hi=hi: clip(v, lo, hi), a, [lo, hi], atom=True)
        if kind == "soft":
            lam = rng.choice((Fr(1, 2), Fr(1), Fr(2), Fr(3, 2)))
            a = self._shift(arg, rng.choice((lam, -lam)), plant)
            return self._kink(rf"\operatorname{{soft}}_{{{frac_tex(lam)}}}({a.tex})",
                              lambda v, lam=lam: soft(v, lam), a, [lam, -lam], atom=True)
        if kind == "relu6":
            a = self._shift(arg, rng.choice((Fr(0), Fr(6))), plant)
            return self._kink(rf"\operatorname{{ReLU6}}({a.tex})", relu6, a, [Fr(0), Fr(6)], atom=True)
        assert kind == "huber"
        d = rng.choice((Fr(1), Fr(1, 2), Fr(2)))
        a = self._shift(arg, rng.choice((d, -d)), plant)
        return self._kink(rf"\operatorname{{Huber}}_{{{frac_tex(d)}}}({a.tex})",
                          lambda v, d=d: huber(v, d), a, [d, -d], atom=True)

    def _kink(self, tex, fn, a: Node, breaks, atom) -> Node:
        zeros = list(a.zeros)
        if a.exact:
            zeros += [("switch", lambda env, g=a.ev, b=b: g(env) - b) for b in breaks]
        return Node(tex, lambda env, g=a.ev: fn(g(env)), a.exact, atom, a.kinks + len(breaks), zeros)

    def binary(self, depth: int) -> Node:
        rng = self.rng
        kind = rng.choice(("max", "min"))
        self.used.append(kind)
        a = self.node(depth - 1)
        r = rng.random()
        b = self.node(depth - 1) if r < 0.4 else (self.leaf() if r < 0.7 else self.poly())
        if rng.random() < 0.65 and a.exact and b.exact:       # plant a tie at p
            b = self._shift(b, a.ev(self.p), True)
        zeros = list(a.zeros) + list(b.zeros)
        if a.exact and b.exact:
            zeros.append(("tie", lambda env, g=a.ev, h=b.ev: g(env) - h(env)))
        op = max if kind == "max" else min
        return Node(rf"\{kind}({a.tex}, {b.tex})", lambda env, g=a.ev, h=b.ev, op=op: op(*_both(g(env), h(env))),
                    a.exact and b.exact, True, a.kinks + b.kinks + 1, zeros)

    def smooth(self, depth: int) -> Node:
        """A sum, difference, product or power with at least one kink below."""
        rng = self.rng
        a = self.node(depth)
        how = rng.choice(("sum", "diff", "prod", "square", "cube", "scale"))
        if how in ("sum", "diff"):
            b = self.node(depth - 1) if rng.random() < 0.5 else self.leaf()
            s = Fr(1) if how == "sum" else Fr(-1)
            tex = f"{a.tex} {'+' if how == 'sum' else '-'} {b.wrapped() if how == 'diff' else b.tex}"
            return Node(tex, lambda env, g=a.ev, h=b.ev, s=s: add(g(env), mul(s, h(env))), a.exact and b.exact,
                        False, a.kinks + b.kinks, a.zeros + b.zeros)
        if how == "prod":
            b = self.leaf() if rng.random() < 0.7 else self.node(depth - 1)
            return Node(rf"{a.wrapped()} \cdot {b.wrapped()}", lambda env, g=a.ev, h=b.ev: mul(g(env), h(env)),
                        a.exact and b.exact, False, a.kinks + b.kinks, a.zeros + b.zeros)
        if how in ("square", "cube"):
            k = 2 if how == "square" else 3
            return Node(rf"{a.wrapped()}^{{{k}}}", lambda env, g=a.ev, k=k: _power(g(env), k),
                        a.exact, True, a.kinks, a.zeros)
        c = rng.choice((Fr(2), Fr(-1), Fr(3), Fr(1, 2), Fr(-3, 2)))
        lead = "-" if c == -1 else (("-" if c < 0 else "") + frac_tex(abs(c)) + r" \cdot ")
        return Node(f"{lead}{a.wrapped()}", lambda env, g=a.ev, c=c: mul(c, g(env)), a.exact, False, a.kinks, a.zeros)

    def node(self, depth: int) -> Node:
        """A tree whose kinks nest at most ``depth`` deep."""
        rng = self.rng
        if depth <= 0:
            return self.leaf()
        r = rng.random()
        if r < 0.55:
            return self.unary(depth)
        if r < 0.8:
            return self.binary(depth)
        return self.smooth(depth) if rng.random() < 0.7 else self.unary(depth)

    def outer(self, depth: int) -> Node:
        """The whole composition; a sine or an exponential outside now and then."""
        rng = self.rng
        top = self.node(depth)
        r = rng.random()
        if r < 0.03:
            self.used.append("exp")
            return Node(rf"\exp\left({top.tex}\right)", lambda env, g=top.ev: exp(g(env)), False, True,
                        top.kinks, top.zeros)
        if r < 0.06:
            self.used.append("sin")
            return Node(rf"\sin\left({top.tex}\right)", lambda env, g=top.ev: sin(g(env)), False, True,
                        top.kinks, top.zeros)
        if r < 0.14:                                      # plus a smooth term
            b = self.leaf()
            return Node(rf"{top.tex} + {b.wrapped()}^{{2}}", lambda env, g=top.ev, h=b.ev: add(g(env), _power(h(env), 2)),
                        top.exact, False, top.kinks, top.zeros)
        return top


def _power(v, k):
    if isinstance(v, Fr):
        return v ** k
    return v ** k


def _solve_on(zero, names, p, rng):
    """A point other than p where zero(.) = 0, if zero is affine along the line tried."""
    if len(names) == 1:
        base = {names[0]: p[names[0]] + Fr(rng.randint(1, 7), rng.choice((2, 3)))}
        trials = [(base, names[0])]
    else:
        x, y = names
        trials = []
        for free, solve in ((x, y), (y, x)):
            base = dict(p)
            base[free] = p[free] + Fr(rng.choice((-1, 1)) * rng.randint(1, 6), rng.choice((1, 2, 3)))
            trials.append((base, solve))
    for base, solve in trials:
        g0 = zero(base)
        g1 = zero({**base, solve: base[solve] + 1})
        if not isinstance(g0, Fr) or not isinstance(g1, Fr) or g1 == g0:
            continue
        t = -g0 / (g1 - g0)
        q = {**base, solve: base[solve] + t}
        if zero(q) == 0 and max(abs(v) for v in q.values()) <= 20 and q != p:
            return q
    return None


def _letters(tex: str) -> str:
    return re.sub(r"\\(operatorname|mathbb)\{[^}]*\}|\\[a-zA-Z]+", "", tex)


def composition(i: int) -> Composition:
    rng = random.Random(SEED + i)
    names = ("x",) if rng.random() < 0.5 else ("x", "y")
    for _ in range(50):
        p = {n: _rational(rng) for n in names}
        depth = rng.choice((1, 2, 2, 3))
        gen = Generator(rng, names, p)
        top = gen.outer(depth)
        # every variable written (the tool rejects --wrt naming a letter that is not)
        if 1 <= top.kinks <= MAX_KINKS and len(top.tex) <= 220 and all(n in _letters(top.tex) for n in names):
            break
    f = top.ev
    pt = lambda env: tuple(env[n] for n in names)  # noqa: E731
    points = [("planted", pt(p))]
    # one more point on a switch or a tie, solved exactly
    order = list(range(len(top.zeros)))
    rng.shuffle(order)
    for k in order:
        kind, zero = top.zeros[k]
        q = _solve_on(zero, names, p, rng)
        if q is not None:
            points.append((kind, pt(q)))
            break
    points.append(("random", pt({n: _rational(rng) + Fr(rng.randint(1, 97), 101) for n in names})))
    return Composition(f"c{i:03d}", top.tex, names, f, points, depth, tuple(gen.used), top.zeros)


def corpus(count: int = COUNT) -> list[Composition]:
    return [composition(i) for i in range(count)]
