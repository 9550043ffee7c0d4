"""What the renderers print means what the engine computed.

The printed LaTeX of each gradient is parsed back by symderiv's own front end and
evaluated at random rational points next to the engine's gradient: precedence slips
(A^T A X ⊙ S for A^T (A X ⊙ S)) cannot survive this."""
from __future__ import annotations

import random
import re
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from symderiv import analyze
from symderiv import expr as E
from symderiv.build import build_expression
from symderiv.errors import SymderivError
from symderiv.evaluate import Evaluator
from symderiv.parse import parse
from symderiv.render.notation import Notation

CASES = [
    (r"\|\max(X,0)\|_F^2", {}, "[[1,2,3],[4,5,6]]"),
    (r"\|\sigma(AX)\|_F^2", {"A": "[[1,2],[0,-1],[3,1]]"}, "[[1,2],[3,4]]"),
    (r"\|AX-B\|_F^2", {"A": "[[1,2],[0,-1]]", "B": "[[1,0],[2,1]]"}, "[[1,2],[3,4]]"),
    (r"\sum_{i,j}|x_{ij}|", {}, "[[1,2],[3,4]]"),
    (r"\|X\|_F", {}, "[[1,2],[3,4]]"),
    (r"\|X\|_F^3", {}, "[[1,2],[3,4]]"),
    (r"\|\sigma(X)-Y\|_F^2", {"Y": "[[1,0],[2,1]]"}, "[[1,2],[3,4]]"),
    (r"\min(X, Y) : X", {"Y": "[[1,0],[2,1]]"}, "[[1,2],[3,4]]"),
    (r"\operatorname{tr}(X^TAX)", {"A": "[[1,2],[0,-1]]"}, "[[1,2],[3,4]]"),
    (r"\|\sigma(X)\|_F + \operatorname{tr}(X)", {}, "[[1,2],[3,4]]"),
    (r"\sum_{i,j}\max(0, 1 - x_{ij})", {}, "[[1,2],[3,4]]"),
    (r"\exp(\|X\|_F^2)", {}, "[[1,0],[0,1]]"),
    (r"\|\max(X,0)\|_F^2 + 3\sum_{i,j}|x_{ij}|", {}, "[[1,2],[3,4]]"),
    # fractional powers of kinks read back as E(|x|) + sign(x) O(|x|)
    (r"\sum_{i,j}|x_{ij}|^{3/2}", {}, "[[1,2],[3,4]]"),
    (r"|x|^{5/2} + x", {}, "2"),
    (r"\sqrt{x^2 + |x|}", {}, "2"),
]


def _random_values(shapes, rng):
    out = {}
    for name, shape in shapes.items():
        a = np.empty(shape, dtype=object)
        for idx in np.ndindex(shape):
            a[idx] = Fraction(rng.randint(-400, 400), rng.choice((3, 7, 11)))
        out[name] = a
    return out


@pytest.mark.parametrize("latex,lets,at", CASES, ids=[c[0] for c in CASES])
def test_printed_gradient_reads_back_to_the_same_function(latex, lets, at):
    a = analyze(latex, let=[f"{k}={v}" for k, v in lets.items()], at=at)
    G = a.verdict.gradient
    shapes = {s.name: tuple(int(d) for d in s.shape) for s in a.problem.symbols.values()}
    printed = Notation(True, a.problem.styles).node(G)
    parsed = parse(printed)
    back = build_expression(parsed.term, parsed.source, shapes)
    rng = random.Random(latex)
    compared = 0
    for _ in range(6):
        vals = _random_values(shapes, rng)
        try:
            want = Evaluator(vals, {})(G)
        except SymderivError:
            continue            # landed on a kink: try another point
        got = Evaluator(vals, {})(back)
        assert got.shape == want.shape or got.size == want.size == 1
        assert all(x == y for x, y in zip(np.asarray(got).flat, np.asarray(want).flat)), printed
        compared += 1
    assert compared >= 3


def test_a_number_spread_over_a_vector_shows_its_ones():
    a = analyze(r"x^T \mathbf 1 \mathbf 1^T x", wrt="x")
    assert Notation(False).node(a.verdict.gradient) == "2 sum(x) 1"
    assert Notation(True).node(a.verdict.gradient) == r"\left(2 \mathbf{1}^\top x\,\mathbf{1}\right) \mathbf{1}"
    x = np.array([[1.0], [2.0]])
    G = analyze(r"x^T \mathbf 1 \mathbf 1^T x", wrt="x", at="[1,2]").point.gradient
    assert np.allclose(np.asarray(G, float).reshape(2, 1), 2 * x.sum() * np.ones((2, 1)))


def test_a_condition_is_printed_with_its_grouping_and_without_ite():
    """piecewise_fold can leave ITE(c, a, b) in a condition (an internal AttributeError
    in the 500-composition run), and an or inside an and must keep its brackets: the
    printed condition is checked by reading it back as the same truth table."""
    x, y = sp.symbols("_p0 _p1", real=True)
    env = (E.Sym("x", (1, 1)), E.Sym("y", (1, 1)))
    cases = [sp.And(x > 0, sp.Or(y > 0, y < -1)),
             sp.ITE(x > 0, y > 0, y < 1),
             sp.Or(sp.And(x > 0, y > 0), x < -1)]
    for cond in cases:
        f = sp.Piecewise((x, cond), (0, True))
        printed = Notation(False).node(E.ew(f, env, (1, 1)))
        assert "ITE" not in printed and "rel_op" not in printed, printed
        # read the printed condition back: 'and'/'or'/'not' and the brackets as Python
        body = printed[printed.index("x if ") + 5: printed.index("; 0")]
        py = body.replace("≥", ">=").replace("≤", "<=").replace(" = ", " == ")
        for xv in (-2, -1, 0, 1, 2):
            for yv in (-2, -1, 0, 1, 2):
                want = bool(cond.subs({x: xv, y: yv}))
                got = _truth(py, xv, yv)
                assert got == want, (printed, xv, yv)


def _truth(py: str, xv, yv) -> bool:
    """Evaluate a printed condition over numbers by a tiny recursive reader (no eval)."""
    tokens = re.findall(r"\(|\)|and|or|not|[<>]=?|==|!=|-?\d+|[xy]", py)
    pos = 0

    def atom():
        nonlocal pos
        t = tokens[pos]
        if t == "(":
            pos += 1
            v = disj()
            pos += 1
            return v
        if t == "not":
            pos += 1
            return not atom()
        a = value(t)
        pos += 1
        op = tokens[pos]
        pos += 1
        b = value(tokens[pos])
        pos += 1
        return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b, "==": a == b, "!=": a != b}[op]

    def value(t):
        return {"x": xv, "y": yv}.get(t, None) if t in "xy" else int(t)

    def conj():
        nonlocal pos
        v = atom()
        while pos < len(tokens) and tokens[pos] == "and":
            pos += 1
            v = atom() and v
        return v

    def disj():
        nonlocal pos
        v = conj()
        while pos < len(tokens) and tokens[pos] == "or":
            pos += 1
            v = conj() or v
        return v

    return disj()
