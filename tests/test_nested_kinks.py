"""A corpus of nested kinks, each checked against the numeric oracle.

Nested kinks are where a kink-by-kink reading goes wrong: a max whose arguments tie on a
kink of one of them (max(|x|, 2x^2) at 0 is |x| nearby), kinks of kinks (||x| - 1|),
products of kinks (|x| |y|), switches whose argument does not change sign or whose
gradient vanishes on it (max(x^2, 4x - 4) = x^2), and switches with infinitely many
zeros (|cos x|).

Every function is written twice: as LaTeX for symderiv and as a plain Python function
for the oracle (tests/oracle.py: one-sided difference quotients at 60 digits, at exact
points).  The truth at each point comes from the oracle, never from a stored answer:
  1. the verdict and the non-differentiable set: at each point, the tool's set (read
     from its kinks) and its answer at the point (``at=``) must say "not differentiable"
     exactly where the oracle finds a directional derivative that is not linear;
  2. where differentiable, the tool's gradient there equals the oracle's;
  3. at kink points, the Clarke set: in one variable its ends are the one-sided slopes,
     and nearby gradients on each side approach it; in two, the oracle's sampling test;
  4. the smoothness class: derivatives up to the claimed order agree from both sides at
     every point, and one order more jumps at some point (C^inf: none up to order 4).
A refusal (exit 3, Unsupported) is not wrong, but it must give a clear reason without
internal names, and only the cases listed in REFUSALS may refuse.
"""
from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field
from fractions import Fraction

import mpmath as mp
import numpy as np
import pytest
import sympy as sp

from symderiv import analyze
from symderiv import expr as E
from symderiv.errors import Unsupported
from symderiv.render import json_out, latex, text
from tests import oracle


def relu(t):
    return max(t, 0)


class _Float:
    """The namespace of the float versions (for the sampling Clarke test)."""
    sin, cos = staticmethod(math.sin), staticmethod(math.cos)


class _Mp:
    sin, cos = staticmethod(mp.sin), staticmethod(mp.cos)


@dataclass
class Case:
    name: str
    latex: str
    fn: object                  # fn(m, x) or fn(m, x, y); m has sin and cos
    points: list                # exact points (tuples of SymPy numbers): ties, switches
    wrt: str | None = None
    cls: str = ""               # the class, for the report
    off: list = field(default_factory=list)   # further points off the kinks

    @property
    def n(self) -> int:
        return 1 if self.wrt is None else len(self.wrt.split(","))


R = sp.Rational
PI = sp.pi


def P(*xs):
    return tuple(sp.sympify(x) for x in xs)


def pts(*xs):
    """One-variable points."""
    return [P(x) for x in xs]


CASES = [
    # ---- ties of max/min on a kink of one argument
    Case("max(|x|, 2x^2)", r"\max(|x|, 2x^2)", lambda m, x: max(abs(x), 2 * x ** 2),
         pts(0, R(1, 2), R(-1, 2), R(1, 4), 1), cls="tie"),
    Case("min(|x|, 2x^2)", r"\min(|x|, 2x^2)", lambda m, x: min(abs(x), 2 * x ** 2),
         pts(0, R(1, 2), R(-1, 2), R(-1, 3), 2), cls="tie"),
    Case("max(|x|, x^2)", r"\max(|x|, x^2)", lambda m, x: max(abs(x), x ** 2),
         pts(0, 1, -1, R(1, 2), R(-3, 2)), cls="tie"),
    Case("min(|x|, x^2)", r"\min(|x|, x^2)", lambda m, x: min(abs(x), x ** 2),
         pts(0, 1, -1, R(1, 3), R(5, 2)), cls="tie"),
    Case("max(|x|, x)", r"\max(|x|, x)", lambda m, x: max(abs(x), x),
         pts(0, 1, -1, R(2, 7)), cls="tie"),
    Case("min(|x|, x)", r"\min(|x|, x)", lambda m, x: min(abs(x), x),
         pts(0, 1, -1, R(2, 7)), cls="tie"),
    Case("min(|x|, -|x|)", r"\min(|x|, -|x|)", lambda m, x: min(abs(x), -abs(x)),
         pts(0, 1, -1), cls="tie"),
    Case("max(|x|, 0)", r"\max(|x|, 0)", lambda m, x: max(abs(x), 0),
         pts(0, 1, R(-1, 2)), cls="tie"),
    Case("min(|x|, 0)", r"\min(|x|, 0)", lambda m, x: min(abs(x), 0),
         pts(0, 1, R(-1, 2)), cls="tie"),
    Case("min(|x|, x/2)", r"\min(|x|, x/2)", lambda m, x: min(abs(x), x / 2),
         pts(0, 1, R(-1, 2)), cls="tie"),
    Case("max(|x|, 2x)", r"\max(|x|, 2x)", lambda m, x: max(abs(x), 2 * x),
         pts(0, 1, R(-1, 2)), cls="tie"),
    Case("max(relu(x), x^2)", r"\max(\sigma(x), x^2)", lambda m, x: max(relu(x), x ** 2),
         pts(0, 1, R(1, 2), R(-1, 2)), cls="tie"),
    Case("max(|x|, -x^2)", r"\max(|x|, -x^2)", lambda m, x: max(abs(x), -x ** 2),
         pts(0, 1, R(-1, 2)), cls="tie"),
    Case("min(relu(x), relu(-x))", r"\min(\sigma(x), \sigma(-x))", lambda m, x: min(relu(x), relu(-x)),
         pts(0, 1, R(-1, 2)), cls="tie"),
    # ---- kinks of kinks
    Case("||x| - 1|", r"||x| - 1|", lambda m, x: abs(abs(x) - 1), pts(0, 1, -1, R(1, 2), 2), cls="kink of kink"),
    Case("relu(|x| - 1)", r"\sigma(|x| - 1)", lambda m, x: relu(abs(x) - 1), pts(0, 1, -1, R(1, 2), 2),
         cls="kink of kink"),
    Case("|relu(x) - 1|", r"|\sigma(x) - 1|", lambda m, x: abs(relu(x) - 1), pts(0, 1, -1, R(1, 2), 2),
         cls="kink of kink"),
    Case("max(|x|, 1)", r"\max(|x|, 1)", lambda m, x: max(abs(x), 1), pts(0, 1, -1, R(1, 2), 2),
         cls="kink of kink"),
    Case("relu(-|x|)", r"\sigma(-|x|)", lambda m, x: relu(-abs(x)), pts(0, 1, -1), cls="kink of kink"),
    Case("(|x| - 1)^2", r"(|x| - 1)^2", lambda m, x: (abs(x) - 1) ** 2, pts(0, 1, -1, R(1, 3)),
         cls="kink of kink"),
    Case("||x| - |x - 1||", r"||x| - |x - 1||", lambda m, x: abs(abs(x) - abs(x - 1)),
         pts(0, 1, R(1, 2), R(1, 4), -1, 2), cls="kink of kink"),
    Case("relu(relu(x) - 1)", r"\sigma(\sigma(x) - 1)", lambda m, x: relu(relu(x) - 1), pts(0, 1, R(1, 2), 2),
         cls="kink of kink"),
    # ---- products of kinks
    Case("|x| relu(x)", r"|x|\sigma(x)", lambda m, x: abs(x) * relu(x), pts(0, 1, -1), cls="product"),
    Case("x|x|", r"x|x|", lambda m, x: x * abs(x), pts(0, 1, -1), cls="product"),
    Case("|x|^3", r"|x|^3", lambda m, x: abs(x) ** 3, pts(0, 1, -1), cls="product"),
    Case("relu(x) relu(-x)", r"\sigma(x)\sigma(-x)", lambda m, x: relu(x) * relu(-x), pts(0, 1, -1),
         cls="product"),
    Case("|x| |x - 1|", r"|x|\,|x - 1|", lambda m, x: abs(x) * abs(x - 1), pts(0, 1, R(1, 2), -1),
         cls="product"),
    Case("|x| sin x", r"|x|\sin x", lambda m, x: abs(x) * m.sin(x), pts(0, 1, -1), cls="product"),
    # ---- degenerate switches
    Case("max(x^2, 4x - 4)", r"\max(x^2, 4x - 4)", lambda m, x: max(x ** 2, 4 * x - 4), pts(2, 0, 1, 3),
         cls="degenerate"),
    Case("min(x^2, 2x - 1)", r"\min(x^2, 2x - 1)", lambda m, x: min(x ** 2, 2 * x - 1), pts(1, 0, 2),
         cls="degenerate"),
    Case("max((x-1)^2, 0) x", r"\max((x-1)^2, 0)\, x", lambda m, x: max((x - 1) ** 2, 0) * x, pts(1, 0, 2),
         cls="degenerate"),
    Case("max(x^4, 2x^2 - 1)", r"\max(x^4, 2x^2 - 1)", lambda m, x: max(x ** 4, 2 * x ** 2 - 1),
         pts(1, -1, 0, R(1, 2)), cls="degenerate"),
    Case("|x^2|", r"|x^2|", lambda m, x: abs(x ** 2), pts(0, 1), cls="degenerate"),
    Case("|x^3|", r"|x^3|", lambda m, x: abs(x ** 3), pts(0, 1, -1), cls="degenerate"),
    Case("max(x^3, 0)", r"\max(x^3, 0)", lambda m, x: max(x ** 3, 0), pts(0, 1, -1), cls="degenerate"),
    Case("|(x-1)^2| + |x|", r"|(x-1)^2| + |x|", lambda m, x: abs((x - 1) ** 2) + abs(x), pts(1, 0, 2),
         cls="degenerate"),
    Case("max(x, x^3)", r"\max(x, x^3)", lambda m, x: max(x, x ** 3), pts(0, 1, -1, R(1, 2)), cls="degenerate"),
    Case("|x^2 - 1|", r"|x^2 - 1|", lambda m, x: abs(x ** 2 - 1), pts(1, -1, 0, 2), cls="degenerate"),
    Case("max((x-1)^3, 0)", r"\max((x-1)^3, 0)", lambda m, x: max((x - 1) ** 3, 0), pts(1, 0, 2),
         cls="degenerate"),
    Case("|x| max(x^2, 0)", r"|x|\max(x^2, 0)", lambda m, x: abs(x) * max(x ** 2, 0), pts(0, 1, -1),
         cls="degenerate"),
    # ---- switches with infinitely many zeros
    Case("|cos x|", r"|\cos x|", lambda m, x: abs(m.cos(x)), [P(PI / 2), P(-PI / 2), P(3 * PI / 2), P(0), P(1)],
         cls="infinitely many zeros"),
    Case("|sin x|", r"|\sin x|", lambda m, x: abs(m.sin(x)), [P(0), P(PI), P(-2 * PI), P(1)],
         cls="infinitely many zeros"),
    Case("max(sin x, 0)", r"\max(\sin x, 0)", lambda m, x: max(m.sin(x), 0), [P(0), P(PI), P(-PI), P(2)],
         cls="infinitely many zeros"),
    Case("|sin 2x|", r"|\sin(2x)|", lambda m, x: abs(m.sin(2 * x)), [P(0), P(PI / 2), P(-PI / 2), P(PI), P(1)],
         cls="infinitely many zeros"),
    Case("sin(x)|sin x|", r"\sin(x)|\sin x|", lambda m, x: m.sin(x) * abs(m.sin(x)), [P(0), P(PI), P(1)],
         cls="infinitely many zeros"),
    Case("|sin x|^3", r"|\sin x|^3", lambda m, x: abs(m.sin(x)) ** 3, [P(0), P(PI), P(1)],
         cls="infinitely many zeros"),
    Case("|sin^3 x + sin^5 x|", r"|\sin(x)^3 + \sin(x)^5|", lambda m, x: abs(m.sin(x) ** 3 + m.sin(x) ** 5),
         [P(0), P(PI), P(1)], cls="infinitely many zeros"),
    Case("max(sin^2 x cos^3 x, 0)", r"\max(\sin(x)^2 \cos(x)^3, 0)", lambda m, x: max(m.sin(x) ** 2 * m.cos(x) ** 3, 0),
         [P(PI / 2), P(-PI / 2), P(0), P(1)], cls="infinitely many zeros"),
    Case("max(cos x, 1)", r"\max(\cos x, 1)", lambda m, x: max(m.cos(x), 1), [P(0), P(2 * PI), P(1)],
         cls="infinitely many zeros"),
    Case("x|cos x|", r"x|\cos x|", lambda m, x: x * abs(m.cos(x)), [P(PI / 2), P(-PI / 2), P(0), P(1)],
         cls="infinitely many zeros"),
    Case("|x| + |cos x|", r"|x| + |\cos x|", lambda m, x: abs(x) + abs(m.cos(x)), [P(0), P(PI / 2), P(1)],
         cls="infinitely many zeros"),
    Case("max(sin x, cos x)", r"\max(\sin x, \cos x)", lambda m, x: max(m.sin(x), m.cos(x)),
         [P(PI / 4), P(5 * PI / 4), P(0), P(1)], cls="infinitely many zeros"),
    # ---- two variables
    Case("|sin(x + y)|", r"|\sin(x + y)|", lambda m, x, y: abs(m.sin(x + y)),
         [P(0, 0), P(1, -1), P(PI / 2, PI / 2), P(1, 2)], wrt="x,y", cls="2D infinitely many zeros"),
    Case("min(relu(x), relu(y))", r"\min(\sigma(x), \sigma(y))", lambda m, x, y: min(relu(x), relu(y)),
         [P(0, 0), P(1, 1), P(0, 1), P(1, 0), P(-1, 1), P(-1, -2)], wrt="x,y", cls="2D tie"),
    Case("relu(x) |y|", r"\sigma(x)|y|", lambda m, x, y: relu(x) * abs(y),
         [P(0, 0), P(0, 1), P(1, 0), P(-1, 0), P(1, 1)], wrt="x,y", cls="2D product"),
    Case("max(|x|, |y|)", r"\max(|x|, |y|)", lambda m, x, y: max(abs(x), abs(y)),
         [P(0, 0), P(1, 1), P(1, -1), P(0, 1), P(1, 0), P(2, 1)], wrt="x,y", cls="2D"),
    Case("min(|x|, |y|)", r"\min(|x|, |y|)", lambda m, x, y: min(abs(x), abs(y)),
         [P(0, 0), P(1, 1), P(1, -1), P(0, 1), P(1, 0), P(2, 1)], wrt="x,y", cls="2D"),
    Case("||x| - |y||", r"||x| - |y||", lambda m, x, y: abs(abs(x) - abs(y)),
         [P(0, 0), P(1, 1), P(1, -1), P(0, 1), P(1, 0), P(2, 1)], wrt="x,y", cls="2D"),
    Case("|x + |y||", r"|x + |y||", lambda m, x, y: abs(x + abs(y)),
         [P(0, 0), P(-1, 1), P(-1, -1), P(0, 1), P(1, 0), P(2, 1)], wrt="x,y", cls="2D"),
    # route 2's Piecewise of this min once sent SymPy's Piecewise.eval into endless recursion
    Case("min(|-2x+3y|, relu(-2x+y))", r"\min(|-2x+3y|, \sigma(-2x+y))",
         lambda m, x, y: min(abs(-2 * x + 3 * y), relu(-2 * x + y)),
         [P(0, 0), P(3, 2), P(1, 2), P(-1, 0)], wrt="x,y", cls="2D tie", off=[P(-3, Fraction(-5, 2))]),
    Case("max(x, y, 0)", r"\max(x, y, 0)", lambda m, x, y: max(x, y, 0),
         [P(0, 0), P(1, 1), P(0, -1), P(-1, 0), P(1, -1), P(-1, -1)], wrt="x,y", cls="2D"),
    Case("|x| |y|", r"|x|\,|y|", lambda m, x, y: abs(x) * abs(y),
         [P(0, 0), P(0, 1), P(1, 0), P(1, 1)], wrt="x,y", cls="2D product"),
    Case("relu(x) relu(y)", r"\sigma(x)\sigma(y)", lambda m, x, y: relu(x) * relu(y),
         [P(0, 0), P(0, 1), P(1, 0), P(0, -1), P(-1, 0), P(1, 1)], wrt="x,y", cls="2D product"),
    Case("|x| + |y| - |x + y|", r"|x| + |y| - |x + y|", lambda m, x, y: abs(x) + abs(y) - abs(x + y),
         [P(0, 0), P(0, 1), P(1, 0), P(1, -1), P(1, 1), P(-1, 2)], wrt="x,y", cls="2D"),
    Case("max(|x|, y)", r"\max(|x|, y)", lambda m, x, y: max(abs(x), y),
         [P(0, 0), P(0, 1), P(0, -1), P(1, 1), P(-1, 1), P(2, 1)], wrt="x,y", cls="2D tie"),
    Case("|x^2 - y^2|", r"|x^2 - y^2|", lambda m, x, y: abs(x ** 2 - y ** 2),
         [P(0, 0), P(1, 1), P(1, -1), P(2, 1)], wrt="x,y", cls="2D degenerate"),
    Case("max(x^2, y^2)", r"\max(x^2, y^2)", lambda m, x, y: max(x ** 2, y ** 2),
         [P(0, 0), P(1, 1), P(1, -1), P(2, 1)], wrt="x,y", cls="2D degenerate"),
]

# Cases where a refusal (Unsupported) is the honest answer, with the words its reason
# must contain.  Every other case must be decided.
REFUSALS: dict[str, str] = {}


# ---------------------------------------------------------------- the oracle's side

def mp_of(v):
    with mp.workdps(oracle.MP_DPS + 10):
        return mp.mpf(str(sp.N(v, oracle.MP_DPS + 10)))


def mp_fn(case):
    return lambda *xs: case.fn(_Mp, *xs)


def float_fn(case):
    return lambda X: float(case.fn(_Float, *[float(v) for v in np.ravel(X)]))


def off_points(case, count=2):
    """A few rational points with odd denominators: generically off every kink."""
    rng = random.Random(zlib_key(case.name))
    return [tuple(sp.Rational(rng.randint(-40, 40), rng.choice((7, 11, 13))) for _ in range(case.n))
            for _ in range(count)]


def zlib_key(text: str) -> int:
    import zlib
    return zlib.crc32(text.encode())


def oracle_at(case, point):
    X = [mp_of(v) for v in point]
    return oracle.mp_differentiable(mp_fn(case), X)


def rational(point) -> bool:
    return all(v.is_Rational for v in point)


def point_text(point) -> str:
    return "[" + ",".join(str(v) for v in point) + "]" if len(point) > 1 else str(point[0])


# ---------------------------------------------------------------- the tool's side

PLACEHOLDER = re.compile(r"_p\d|_t\b|_S\b|_R\b|Dummy|_v\d")


def tool_value(arg, var, point):
    if isinstance(arg, E.Sym) and arg == var:
        return point[0]
    if isinstance(arg, E.Pick) and arg.arg == var:
        return point[arg.i]
    raise AssertionError(f"a kink over {arg!r}: the test reads kinks over the variable's entries only")


def in_tool_set(a, point) -> bool:
    """Whether the tool's non-differentiable set (its failing kinks: a switch equation and
    the conditions on it) contains the point, decided exactly with SymPy."""
    v = a.verdict
    for k in v.failing:
        assert k.kind == "switch", f"a {k.kind} kink in the corpus"
        env = {E.placeholder(i): tool_value(arg, v.var, point) for i, arg in enumerate(k.args)}
        eq = k.switch_eq
        gap = sp.simplify((eq.lhs - eq.rhs).xreplace(env))
        ints = [s for s in gap.free_symbols if s.is_integer]
        if ints:
            # a family x = c(k), k an integer: on it when some integer k solves it
            (n,) = ints
            sols = sp.solve(gap, n)
            if not any(s.is_integer for s in sols):
                continue
        elif gap != 0:
            continue
        conds = [c.xreplace(env) for c in (k.condition or [])]
        if k.critical and k.continuous:
            grads = [sp.diff(k.u, E.placeholder(i)).xreplace(env) for i in range(len(k.args))]
            if all(sp.simplify(g) == 0 for g in grads):
                continue
        if all(bool(sp.simplify(c)) for c in conds):
            return True
    return False


def analyze_or_refuse(case, **kw):
    try:
        return analyze(case.latex, wrt=case.wrt, **kw), None
    except Unsupported as exc:
        return None, str(exc)


def at_or_refuse(case, base, p):
    """The answer at p: the first point through analyze(at=...), the next ones through
    ``base.at`` (``base`` the first analysis made at a point), which reuses its global
    analysis and answers a point as analyze(at=...) does, the arbiter's check included."""
    if base is None:
        return analyze_or_refuse(case, at=point_text(p), route="sign")
    try:
        return base.at(point_text(p)), None
    except Unsupported as exc:
        return None, str(exc)


def check_refusal(case, reason):
    assert not PLACEHOLDER.search(reason), f"an internal name leaks into the reason: {reason}"
    assert case.name in REFUSALS, f"{case.name}: refused ({reason}), and the corpus expects a decision"
    assert REFUSALS[case.name] in reason, reason


# ---------------------------------------------------------------- the checks

def support(form, D):
    flat = {k: (np.asarray(v, dtype=float).ravel() if k in ("value", "lower", "upper", "center") else v)
            for k, v in form.items()}
    if form["form"] == "hull":
        flat["generators"] = [np.asarray(g, dtype=float).ravel() for g in form["generators"]]
    return oracle.support(flat, np.asarray(D, dtype=float))


def flat_form(form):
    out = dict(form)
    for key in ("value", "lower", "upper", "center"):
        if key in out:
            out[key] = np.asarray(out[key], dtype=float).ravel()
    if form["form"] == "hull":
        out["generators"] = [np.asarray(g, dtype=float).ravel() for g in form["generators"]]
    return out


def check_clarke(case, point, form):
    f = mp_fn(case)
    X = [mp_of(v) for v in point]
    if case.n == 1:
        lo, hi = oracle.one_d_clarke(f, X[0])
        got_hi, got_lo = support(form, [1]), -support(form, [-1])
        assert abs(got_hi - hi) < 1e-9 and abs(got_lo - lo) < 1e-9, (
            f"{case.name} at {point}: Clarke set [{got_lo}, {got_hi}], the one-sided slopes give [{lo}, {hi}]")
        # gradients just beside the point, on each side, lie in (and tend to) the set
        for side in (1, -1):
            near = [X[0] + side * mp.mpf("1e-12")]
            ok, g = oracle.mp_differentiable(f, near)
            assert ok, f"{case.name}: not differentiable just beside {point}"
            assert got_lo - 1e-6 <= g[0] <= got_hi + 1e-6, (
                f"{case.name}: the gradient {g[0]} beside {point} is outside [{got_lo}, {got_hi}]")
    else:
        oracle.check_clarke(float_fn(case), np.array([float(v) for v in point]), flat_form(form),
                            np.random.default_rng(zlib_key(case.name)), regular=False)


def check_smoothness(case, a, points):
    s = a.verdict.smoothness
    f = mp_fn(case)
    dirs = oracle.mp_probe_directions(case.n)[::2] if case.n > 1 else [[1]]
    if case.n > 1:
        dirs = dirs + [[1, 1], [1, -1]]
    if s is None:
        return
    top = 4 if s == "inf" else int(s)
    jumps = []
    for p in points:
        X = [mp_of(v) for v in p]
        for D in dirs:
            j = oracle.mp_jump_order(f, X, D, kmax=min(top + 1, 5) if s != "inf" else 4)
            assert j is None or j > top or (s != "inf" and not a.verdict.smoothness_exact), (
                f"{case.name}: claimed C^{s}, but derivative {j} jumps at {p} along {D}")
            if j is not None:
                jumps.append(j)
    if s != "inf" and a.verdict.smoothness_exact and s >= 1:
        assert top + 1 in jumps, f"{case.name}: claimed exactly C^{s}, but no derivative {top + 1} jumps at {points}"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_nested_kink(case):
    a, refused = analyze_or_refuse(case)
    if refused is not None:
        check_refusal(case, refused)
        return
    # the two routes may disagree only where a third, exact test settled the claim
    if a.agree is False:
        arbiter = getattr(a, "arbiter", None)
        assert getattr(arbiter, "settled", False), f"{case.name}: the routes disagree ({a.agree_reason}), unsettled"
    for out in (text.render(a), json_out.render(a), latex.fragment(a)):
        assert not PLACEHOLDER.search(out), f"{case.name}: an internal name in the output: {PLACEHOLDER.search(out)}"
    off = off_points(case)
    points = list(case.points) + off + list(case.off)
    asked = set(case.points) | set(off[:1]) | set(case.off)      # the tool is asked at these
    truth = {p: oracle_at(case, p) for p in points}
    # (1) the verdict, and the set point by point
    everywhere = all(ok for ok, _ in truth.values())
    assert a.verdict.differentiable_everywhere is everywhere, (
        f"{case.name}: differentiable everywhere = {a.verdict.differentiable_everywhere}, "
        f"the oracle: {[(str(p), ok) for p, (ok, _) in truth.items()]}")
    base = None
    for p, (ok, g) in truth.items():
        assert in_tool_set(a, p) is (not ok), (
            f"{case.name}: at {p} the oracle says differentiable={ok}, the tool's set says the opposite")
        if not rational(p) or p not in asked:
            continue
        # (the answer at a point does not depend on the routes, which the call above ran)
        here, refused = at_or_refuse(case, base, p)
        if refused is not None:
            assert not PLACEHOLDER.search(refused), refused
            assert case.name in REFUSALS, f"{case.name} at {p}: refused ({refused})"
            continue
        base = base or here
        r = here.point
        assert r.differentiable is ok, f"{case.name} at {p}: tool says differentiable={r.differentiable}, oracle {ok}"
        if ok:
            # (2) the gradient
            G = np.asarray(r.gradient, dtype=float).ravel()
            assert np.allclose(G, g, atol=1e-9), f"{case.name} at {p}: gradient {G.tolist()}, oracle {g}"
        else:
            # (3) the Clarke set
            assert r.subdifferential is not None, f"{case.name} at {p}: no Clarke set"
            check_clarke(case, p, r.subdifferential)
    # (4) the class
    check_smoothness(case, a, points)


def test_the_corpus_is_large_and_covers_every_class():
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)
    classes = {c.cls for c in CASES}
    for want in ("tie", "kink of kink", "product", "degenerate", "infinitely many zeros", "2D"):
        assert want in classes


# ---------------------------------------------------------------- refusals name the user's variables

@pytest.mark.parametrize("latex_text,wrt,words,fn", [
    # a switch SymPy cannot solve in closed form (x = sin x has only the root 0, but
    # solveset does not say so): refused, in the user's variable
    (r"\max(x - \sin x, 0)", None, "the switch x - sin(x) = 0 cannot be solved for x",
     lambda x: max(x - mp.sin(x), 0)),
    (r"\sum_{i,j}\max(x_{ij} - \sin(x_{ij}), 0)", "X", "the switch x_ij - sin(x_ij) = 0 cannot be solved for x_ij",
     lambda x: max(x - mp.sin(x), 0)),
    # zeros x = kπ where the switch's slope vanishes for even k only (sin x (1 - cos x)
    # is x^3/2 near 0, -2(x - π) near π): not decided family-wide
    (r"|\sin(x)(1 - \cos x)|", None, "whether the switch changes sign could not be decided", lambda x: abs(mp.sin(x) * (1 - mp.cos(x)))),
])
def test_a_refusal_names_the_users_variable(latex_text, wrt, words, fn):
    with pytest.raises(Unsupported) as info:
        analyze(latex_text, wrt=wrt)
    message = info.value.message
    assert words in message, message
    assert not PLACEHOLDER.search(message), message
    # the question is a real one: at 0 the oracle finds f differentiable, but a higher
    # derivative jumps (order 3: both switches vanish like x^3 there), so a reading of the
    # switch's first order alone would get the class wrong
    assert oracle.mp_differentiable(fn, [mp.mpf(0)])[0] is True
    assert oracle.mp_jump_order(fn, [mp.mpf(0)], [1]) == 3


def test_a_family_of_kinks_is_stated_in_closed_form():
    a = analyze(r"|\cos x|")
    v = a.verdict
    from symderiv.render import spell
    assert spell.nondifferentiable_set(v, spell.notation(False, a)) == "x = π/2 + kπ, k ∈ ℤ"
    assert spell.nondifferentiable_set(v, spell.notation(True, a)) == r"x = \frac{\pi}{2} + k\pi,\ k \in \mathbb{Z}"
    # the oracle: a kink at every member checked (slopes -1 and 1 at π/2 + kπ), none between
    f = lambda x: abs(mp.cos(x))  # noqa: E731
    for k in range(-3, 4):
        x = mp_of(PI / 2 + k * PI)
        assert in_tool_set(a, P(PI / 2 + k * PI))
        assert oracle.mp_differentiable(f, [x])[0] is False
        lo, hi = oracle.one_d_clarke(f, x)
        assert abs(lo + 1) < 1e-12 and abs(hi - 1) < 1e-12
        mid = P(k * PI)
        assert not in_tool_set(a, mid) and oracle.mp_differentiable(f, [mp_of(k * PI)])[0] is True


@pytest.mark.parametrize("latex_text,at,fn", [
    # a switch that touches 0 without changing sign is no kink of a continuous primitive,
    # but a jump of a discontinuous one still sits there: H(0) is not the limit 1
    (r"H((x-2)^2)", 2, lambda x: 1.0 if x != 2 else float(np.heaviside(0.0, 0.5))),
    (r"\operatorname{sign}(x^2)", 0, lambda x: float(np.sign(x * x))),
])
def test_a_touching_switch_of_a_jump_is_still_a_jump(latex_text, at, fn):
    a = analyze(latex_text)
    assert a.verdict.continuous is False
    assert [k.branch[1] for k in a.verdict.kinks if not k.continuous] == [at]
    # the oracle: the value at the point differs from the (equal) limits on both sides
    left, right, here = fn(at - 1e-9), fn(at + 1e-9), fn(at)
    assert left == right and here != left
    assert analyze(latex_text, at=str(at)).point.differentiable is False
