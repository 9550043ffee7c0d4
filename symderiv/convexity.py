"""Convexity: disciplined-convex composition rules, and an exact counterexample search.

The rules (curvature and monotonicity of each primitive, from the table, and of each
matrix operation, declared in its node class; signs of the arguments) can only prove
convexity.  Non-convexity is proved by a witness: two points A, B with
f((A+B)/2) > (f(A) + f(B))/2, checked in exact rational arithmetic.
When neither succeeds the answer is None, with the reason.

``decide`` also attaches the finer curvature verdict of curvature.py (convex, concave,
affine, neither, and where), and takes from it a proof of convexity on the whole space
that these rules alone missed (log-sum-exp, a quadratic form with PSD data).
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction

from .lazy_import import LazyModule
np = LazyModule("numpy")
import sympy as sp

from .exact_numbers import as_sympy, is_concrete

from . import expr as E
from . import primitives
from .domain import domain_of
from .bounds import optional_step
from .calculus import map_entrywise
from .nodes.base import ABS, AFFINE, CONCAVE, CONST, CONVEX, DECR, INCR, SAME
from .errors import SymderivError
from .evaluate import Evaluator
from .scalar import Prim, Sw, to_sign_form
from .signform import prettify

MAX_SEARCH_ENTRIES = 144


@dataclass(frozen=True)
class Info:
    curv: str | None          # None: unknown
    sign: str | None = None   # 'nonneg' | 'nonpos' | None


def _add(a: str | None, b: str | None):
    if a is None or b is None:
        return None
    if a == CONST:
        return b
    if b == CONST:
        return a
    if a == AFFINE:
        return b
    if b == AFFINE:
        return a
    return a if a == b else None


def _neg(c):
    return {CONVEX: CONCAVE, CONCAVE: CONVEX}.get(c, c)


def _sign_add(a, b):
    if a == "zero":
        return b
    if b == "zero":
        return a
    return a if a == b else None


class Rules:
    def __init__(self, var: E.Sym, values: dict | None = None):
        self.var = var
        self.memo: dict[str, Info] = {}
        # the signs of constants given with --let (A >= 0 entrywise makes <A, |X|> convex)
        self.signs = {}
        for name, arr in (values or {}).items():
            if all(v >= 0 for v in arr.flat):
                self.signs[name] = "nonneg" if any(v != 0 for v in arr.flat) else "zero"
            elif all(v <= 0 for v in arr.flat):
                self.signs[name] = "nonpos"

    def node(self, n: E.Node) -> Info:
        hit = self.memo.get(n.key)
        if hit is None:
            hit = self._node(n)
            self.memo[n.key] = hit
        return hit

    def _node(self, n: E.Node) -> Info:
        if not E.depends_on(n, self.var):
            return Info(CONST, n.constant_sign(self.signs))
        if n == self.var:
            return Info(AFFINE)
        return Info(*n.convexity(self))

    # What a node's curvature rule may ask (the curvature section of symderiv/nodes).
    def of(self, child: E.Node) -> tuple:
        """A child's (curvature, sign)."""
        info = self.node(child)
        return info.curv, info.sign

    def moves(self, child: E.Node) -> bool:
        return E.depends_on(child, self.var)

    def scalar(self, e: sp.Expr, args: tuple) -> tuple:
        """(curvature, sign) of a scalar expression in placeholders bound to ``args``."""
        info = _scalar(e, {E.placeholder(i): self.node(a) for i, a in enumerate(args)},
                       self.hook(args))
        return info.curv, info.sign

    def hook(self, args: tuple):
        """A finer rule for subexpressions of an entry over ``args`` (see ``_scalar``);
        these rules have none."""
        return None

    def compose(self, n: E.Node) -> tuple:
        """(curvature, sign) of an operation from its declared curvature, monotonicity and
        sign, composed with its arguments' as the primitives are."""
        if n.curvature is None and n.value_sign != SAME:
            return None, n.value_sign           # no rule: the arguments need not be read
        args = [self.node(c) for c in n.children()]
        sign = args[0].sign if n.value_sign == SAME else n.value_sign
        if n.curvature is None:
            return None, sign
        if all(a.curv == CONST for a in args):
            return CONST, sign
        if n.curvature == AFFINE:
            # a linear map: each argument's curvature, flipped where it decreases
            curv = CONST
            for a, mono in zip(args, n.monotone):
                part = a.curv if mono == INCR else (_neg(a.curv) if mono == DECR else
                                                    (a.curv if a.curv in (CONST, AFFINE) else None))
                curv = _add(curv, part)
            return curv, sign
        # nondecreasing in |u| is increasing where u >= 0 and decreasing where u <= 0
        monotone = [{"nonneg": INCR, "nonpos": DECR}.get(a.sign) if mono == ABS else mono
                    for a, mono in zip(args, n.monotone)]
        info = _compose(n.curvature, monotone, args, sign)
        return info.curv, info.sign


def _scalar(e: sp.Expr, infos: dict, hook=None) -> Info:
    """``hook(e)``: an Info for a subexpression that a finer rule settles (curvature.py's
    exact tests), or None to apply the composition rules."""
    if e in infos:
        return infos[e]
    if hook is not None and not e.is_number:
        found = hook(e, infos)
        if found is not None:
            return found
    if e.is_number:
        if not e.is_real:
            return Info(None)
        return Info(CONST, "zero" if e == 0 else ("nonneg" if e > 0 else "nonpos"))
    if isinstance(e, sp.Add):
        out = _scalar(e.args[0], infos, hook)
        for a in e.args[1:]:
            b = _scalar(a, infos, hook)
            out = Info(_add(out.curv, b.curv), _sign_add(out.sign, b.sign))
        return out
    if isinstance(e, sp.Mul):
        parts = [_scalar(a, infos, hook) for a in e.args]
        moving = [p for p in parts if p.curv != CONST]
        consts = [p for p in parts if p.curv == CONST]
        signs = [p.sign for p in parts]
        sign = None
        if "zero" in signs:
            sign = "zero"
        elif all(s is not None for s in signs):
            sign = "nonpos" if sum(s == "nonpos" for s in signs) % 2 else "nonneg"
        if not moving:
            return Info(CONST, sign)
        if len(moving) > 1:
            return Info(None, sign)
        m = moving[0]
        if any(c.sign is None for c in consts):
            return Info(AFFINE if m.curv == AFFINE else None, sign)
        if any(c.sign == "zero" for c in consts):
            return Info(CONST, "zero")
        negative = sum(c.sign == "nonpos" for c in consts) % 2 == 1
        return Info(_neg(m.curv) if negative else m.curv, sign)
    if isinstance(e, sp.Pow):
        base = _scalar(e.base, infos, hook)
        k = e.exp
        if base.curv == CONST:
            return Info(CONST)
        if not k.is_number:
            return Info(None)
        if k == 1:
            return base
        if k.is_Integer and k.is_even and k > 0:
            if base.curv == AFFINE:
                return Info(CONVEX, "nonneg")
            if base.curv == CONVEX and base.sign in ("nonneg", "zero"):
                return Info(CONVEX, "nonneg")
            if base.curv == CONCAVE and base.sign in ("nonpos", "zero"):
                return Info(CONVEX, "nonneg")
            return Info(None, "nonneg")
        if k > 1 and base.sign == "nonneg" and base.curv in (AFFINE, CONVEX):
            return Info(CONVEX, "nonneg")
        if 0 < k < 1 and base.sign == "nonneg" and base.curv in (AFFINE, CONCAVE):
            return Info(CONCAVE, "nonneg")
        return Info(None)
    if isinstance(e, Prim):
        spec = e.spec
        args = [_scalar(a, infos, hook) for a in e.args]
        if all(a.curv == CONST for a in args):
            return Info(CONST)
        sign = "nonneg" if spec.nonneg else (spec.output_sign(*[a.sign for a in args]) if spec.output_sign else None)
        return _compose(spec.curvature, spec.monotone, args, sign)
    for s in primitives.SMOOTH:
        # matched by its whole shape, not its head: softplus is log(1 + e^u), and log|x|
        # read as softplus would be called convex
        found = e.match(s.build(_W))
        if found and _W in found and s.build(found[_W]) == e:
            return _compose(s.curvature, (s.monotone,), [_scalar(found[_W], infos, hook)],
                            "nonneg" if s.name in ("exp", "softplus", "sigmoid") else None)
    return Info(None)


_W = sp.Wild("_w")


def _compose(curv, monotone, args, sign):
    if curv is None:
        return Info(None, sign)
    ok = True
    for a, mono in zip(args, monotone):
        if a.curv in (CONST, AFFINE):
            continue
        if curv == CONVEX:
            ok &= (a.curv == CONVEX and mono == "incr") or (a.curv == CONCAVE and mono == "decr")
        else:
            ok &= (a.curv == CONCAVE and mono == "incr") or (a.curv == CONVEX and mono == "decr")
    return Info(curv if ok else None, sign)


# the piece-by-piece test of one entry function: past this, a midpoint counterexample is
# looked for instead (sin(2x) cos(x) took the whole 5 s it once had)
UNIVARIATE_CALLS = 5_000_000


@dataclass
class Convexity:
    convex: bool | None
    reason: str
    witness: dict | None = None
    curvature: object = None      # curvature.Curvature: convex, concave, affine or neither, and where


def decide(f: E.Node, var: E.Sym, values: dict | None = None, dims: dict | None = None,
           seed: int = 7, continuous: bool = True, constant_gradient: bool = False) -> Convexity:
    """``constant_gradient``: f is differentiable everywhere and its gradient does not
    depend on the variable, so f is affine (σ(x)ᵀσ(-x), whose kinks all cancel, is 0).
    The answer carries the curvature (curvature.py) beside the convexity verdict; where
    the curvature proves f convex on the whole space, an undecided verdict becomes true."""
    from .curvature import Curvature, curvature
    out = _decide(f, var, values, dims, seed, continuous, constant_gradient)
    if out.convex is True:
        kind = "affine" if "affine" in out.reason or "constant" in out.reason else "convex"
        out.curvature = Curvature(kind, out.reason)
        if kind == "convex":
            # f may still be affine: the finer rules tell (a sum of max(x,0) and -max(-x,0) is x)
            finer = curvature(f, var, values or {}, dims or {}, out, seed, continuous)
            if finer.curvature == "affine" and finer.domain is None:
                out.curvature = finer
        return out
    out.curvature = curvature(f, var, values or {}, dims or {}, out, seed, continuous)
    c = out.curvature
    if c.domain is None and c.curvature in ("convex", "affine"):
        if out.convex is False:     # the two analyses contradict: say nothing rather than one of them
            out.curvature = Curvature(None, "the curvature rules and a counterexample disagree")
        else:
            out.convex, out.reason = True, c.reason
    elif c.curvature == "neither" and out.convex is None:
        out.convex, out.reason, out.witness = False, "exact midpoint counterexample", c.witnesses["convex"]
    return out


def _decide(f, var, values, dims, seed, continuous, constant_gradient) -> Convexity:
    f = E.fuse_sums(f)
    info = Rules(var, values).node(f)
    if info.curv in (CONST, AFFINE, CONVEX):
        return Convexity(True, f"composition rules: f is {info.curv} in {var.name}")
    if domain_of(f, var):
        # on a restricted domain (det X > 0 is not even convex) a midpoint test says little
        return Convexity(None, "f is defined on a restricted domain; the composition rules do not decide")
    # The rules read the expression as written; kinks that cancel (max(x,0) - max(-x,0)
    # is x) only show once f is put in canonical form.
    # (the canonical form agrees with f off its switches only: a removable jump such as
    # sign(x)^2 at 0 would vanish from it, so it is used only for a continuous f)
    canonical = _canonical(f) if continuous else None
    if canonical is not None and canonical != f:
        info2 = Rules(var, values).node(canonical)
        if info2.curv in (CONST, AFFINE, CONVEX):
            return Convexity(True, f"composition rules on the simplified form: f is {info2.curv} in {var.name}")
        if info.curv is None:
            info = info2
    if constant_gradient:
        return Convexity(True, f"f is affine: it is differentiable everywhere with a gradient that does not depend on {var.name}")
    uni = _univariate(f, var) if continuous else None
    if uni is not None:
        verdict, where = optional_step(_convex_univariate, *uni, calls=UNIVARIATE_CALLS) or (None, None)
        if verdict is True:
            return Convexity(True, "f is a sum of one convex function of each entry (checked piece by piece and at every kink)")
        if verdict is False:
            witness = _witness_around(f, var, where, values or {}, dims or {})
            if witness is not None:
                return Convexity(False, "exact midpoint counterexample where the entry function is not convex", witness)
    witness = _counterexample(f, var, values or {}, dims or {}, seed)
    if witness is not None:
        return Convexity(False, "exact midpoint counterexample", witness)
    if info.curv == CONCAVE:
        return Convexity(None, "the rules prove f concave; no counterexample to convexity was found")
    return Convexity(None, "the composition rules do not decide, and no counterexample was found")


def _univariate(f, var):
    """(g, p) when f = sum_ij g(x_ij), or f = g(x) for a scalar x."""
    node = f.arg if isinstance(f, E.SumAll) else f
    if isinstance(node, E.Entrywise) and node.args == (var,):
        return node.expr, E.placeholder(0)
    return None


def _convex_univariate(g, p, interval=None) -> bool | None:
    """Exact: a piecewise-smooth g on an interval (default R) is convex iff it is
    continuous, convex on each piece (g'' >= 0 there) and its slope does not drop at any
    kink.  (On a closed end of the interval g is continuous, as it is wherever defined,
    so convexity on the interior carries to it.)"""
    lo, hi = (-sp.oo, sp.oo) if interval is None else (interval.start, interval.end)
    F = to_sign_form(g)
    atoms = sorted(F.atoms(Sw), key=sp.default_sort_key)
    points = set()
    for a in atoms:
        u = a.args[0]
        if u.free_symbols != {p} or sp.diff(u, p, 2) != 0:
            return None
        points.add(sp.solve(u, p)[0])
    cuts = sorted(c for c in points if lo < c < hi)
    bounds = [lo] + cuts + [hi]

    def piece(lo, hi):
        if lo == -sp.oo and hi == sp.oo:
            c = sp.Integer(0)
        elif lo == -sp.oo:
            c = hi - 1
        elif hi == sp.oo:
            c = lo + 1
        else:
            c = (lo + hi) / 2
        signs = {a: (1 if a.args[0].xreplace({p: c}) > 0 else -1) for a in atoms}
        return sp.expand(F.xreplace(signs))

    pieces = [piece(lo, hi) for lo, hi in zip(bounds, bounds[1:])]
    for (lo, hi), q in zip(zip(bounds, bounds[1:]), pieces):
        bad = sp.solveset(sp.diff(q, p, 2) < 0, p, sp.Interval.open(lo, hi))
        if bad != sp.S.EmptySet:
            if isinstance(bad, sp.Interval):
                return False, _inside(bad)
            return None
    for b, left, right in zip(cuts, pieces, pieces[1:]):
        if sp.simplify(left.xreplace({p: b}) - right.xreplace({p: b})) != 0:
            return False, b
        if sp.simplify(sp.diff(right, p).xreplace({p: b}) - sp.diff(left, p).xreplace({p: b})) < 0:
            return False, b
    return True, None


def _inside(interval):
    lo, hi = interval.start, interval.end
    if lo.is_finite and hi.is_finite:
        return (lo + hi) / 2
    if lo.is_finite:
        return lo + 1
    if hi.is_finite:
        return hi - 1
    return sp.Integer(0)


def _witness_around(f, var, c, values, dims):
    """f = sum g(x_ij) with g not convex near c: the constant matrices (c -+ h) J are a
    midpoint counterexample for some h, checked exactly."""
    c = as_sympy(c)
    if not c.is_Rational:
        return None
    c = Fraction(int(c.p), int(c.q))
    shape = tuple(int(d) for d in _concrete(var.shape, dims))
    for k in range(0, 12):
        h = Fraction(1, 2 ** k)
        A = np.full(shape, c - h, dtype=object)
        B = np.full(shape, c + h, dtype=object)
        M = np.full(shape, c, dtype=object)
        try:
            fa, fb, fm = (_value(f, var, Z, values, dims) for Z in (A, B, M))
        except SymderivError:
            continue
        if (as_sympy(fm) - (as_sympy(fa) + as_sympy(fb)) / 2).is_positive:
            return {"A": A, "B": B, "f(A)": fa, "f(B)": fb, "f((A+B)/2)": fm}
    return None


def _concrete(shape, dims):
    return [d if is_concrete(d) else dims.get(d, 1) for d in shape]


def _canonical(f):
    try:
        return map_entrywise(f, lambda e: prettify(to_sign_form(e)))
    except SymderivError:
        return None


def _counterexample(f, var, values, dims, seed):
    """Search small rational points for f((A+B)/2) > (f(A)+f(B))/2, exactly."""
    others = [s for s in E.symbols_of(f) if s != var and s.name not in values]
    if others:
        return None   # the answer would depend on their values
    rng = random.Random(seed)
    sizes = {}
    for d in list(var.shape):
        if not (is_concrete(d)):
            sizes[d] = dims.get(d, 2)
    base_dims = {**{k: v for k, v in dims.items()}, **sizes}
    def size(d):
        return int(d) if is_concrete(d) else base_dims[d]
    shape = (size(var.shape[0]), size(var.shape[1]))
    if shape[0] * shape[1] > MAX_SEARCH_ENTRIES or any(v.size > MAX_SEARCH_ENTRIES for v in values.values()):
        return None     # a witness search at this size would cost more than the answer is worth
    for trial in range(40):
        A = _random_matrix(shape, rng, trial)
        B = _random_matrix(shape, rng, trial + 1)
        M = (A + B) * Fraction(1, 2)
        try:
            fa = _value(f, var, A, values, base_dims)
            fb = _value(f, var, B, values, base_dims)
            fm = _value(f, var, M, values, base_dims)
        except SymderivError:
            continue
        if (as_sympy(fm) - (as_sympy(fa) + as_sympy(fb)) / 2).is_positive:
            return {"A": A, "B": B, "f(A)": fa, "f(B)": fb, "f((A+B)/2)": fm}
    return None


def _random_matrix(shape, rng, trial):
    pool = [0, 1, -1, 2, -2, 3, -3, Fraction(1, 2), Fraction(-1, 2)]
    out = np.empty(shape, dtype=object)
    for idx in np.ndindex(shape):
        out[idx] = rng.choice(pool)
    return out


def _value(f, var, X, values, dims):
    ev = Evaluator({**values, var.name: X}, dims)
    return ev(f)[0, 0]
