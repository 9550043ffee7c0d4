"""Our grammar against latex2sympy2, an independent reader of scalar LaTeX.

latex2sympy2 knows no matrix notation, and two of its readings differ from what a post
means, which is why the front end does not hand it user text: ``\\log`` is read as the
base-10 logarithm, and ``\\lim_{h\\to 0}`` as the limit from the right (SymPy's default
direction), so that lim |h|/h "exists".  Both are pinned below, so a new version that
changes them is noticed.  On the scalar spellings where the two conventions agree, each
formula is read by both and the two readings must have the same value at random rational
points, some of them on kinks.
"""
from __future__ import annotations

import math
import random
from fractions import Fraction as Fr

import numpy as np
import pytest
import sympy as sp

import latex2sympy2                       # a test dependency (pyproject: the test extra)

from symderiv.build import build
from symderiv.evaluate import Evaluator
from symderiv.exact_numbers import as_sympy
from symderiv.parse import parse

SHARED = [
    r"\frac{x^2}{2}+\sin(x)\cos(y)",
    r"\sqrt{x^2+y^2}",
    r"|x - y|",
    r"\left|x\right| + \left|y\right|",
    r"e^{x}\cos(y)",
    r"\exp(-x^2) y",
    r"\tanh(x) - \tanh(y)",
    r"\max(x, y)",
    r"\min(x,0)",
    r"\max(x, 0)^2 + \min(y, 0)^2",
    r"x\cdot y - |x y|",
    r"\dfrac{x}{1+y^2}",
    r"x^{\frac{3}{2}} + y^{2}",
    r"\arctan(x) + \cosh(y)",
    r"\frac{|x|}{1 + x^2}",
    r"(x - y)^3 - 3x",
    r"\max(x, y) + \min(x, y) - x - y",
    r"\sqrt{1 + x^2}\,\sin(y)",
    r"\frac{1}{2}\max(0, 1 - x y)^2",
    r"|x|^3 + |y|",
]
POINTS = [Fr(0), Fr(1), Fr(-1), Fr(1, 2), Fr(-3, 2), Fr(2), Fr(5, 3), Fr(-7, 4)]


def ours(tex: str, x: Fr, y: Fr) -> float:
    parsed = parse(tex)
    values = {k: np.full((1, 1), v, dtype=object) for k, v in (("x", x), ("y", y))
              if k in _names(tex)}
    problem = build(parsed.term, parsed.source, values=values, wrt="x" if "x" in values else "y")
    v = Evaluator(values, {})(problem.f)[0, 0]
    return float(v) if isinstance(v, (int, Fr)) else float(sp.N(as_sympy(v), 30))


def theirs(tex: str, x: Fr, y: Fr) -> float:
    e = latex2sympy2.latex2sympy(tex)
    sub = {s: sp.Rational(x.numerator, x.denominator) if s.name == "x" else sp.Rational(y.numerator, y.denominator)
           for s in e.free_symbols}
    return float(sp.N(e.xreplace(sub), 30))


def _names(tex: str) -> set:
    e = latex2sympy2.latex2sympy(tex)
    return {s.name for s in e.free_symbols}


@pytest.mark.parametrize("tex", SHARED)
def test_both_readers_give_the_same_function(tex):
    assert _names(tex) <= {"x", "y"}, tex          # the other reader saw the same variables
    rng = random.Random(tex)
    pairs = [(Fr(0), Fr(0))] + [(rng.choice(POINTS), rng.choice(POINTS)) for _ in range(6)]
    for x, y in pairs:
        if "frac{3}{2}" in tex and x < 0:
            continue                                  # x^(3/2) has no real value there
        a, b = ours(tex, x, y), theirs(tex, x, y)
        assert math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12), (tex, x, y, a, b)


def test_where_latex2sympy2_means_something_else():
    # \log is base 10 there; ours is the natural logarithm, as in analysis and ML
    log = latex2sympy2.latex2sympy(r"\log(x)")
    assert sp.simplify(log.subs(log.free_symbols.pop(), 100) - 2) == 0
    assert ours(r"\log(x)", Fr(100), Fr(0)) == pytest.approx(math.log(100))
    # a two-sided limit read as the right-hand one: lim |h|/h does not exist, yet it gives 1
    lim = latex2sympy2.latex2sympy(r"\lim_{h\to 0}\frac{|h|}{h}")
    assert isinstance(lim, sp.Limit) and str(lim.args[3]) == "+"
    assert lim.doit() == 1
