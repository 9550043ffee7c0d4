"""The spellings of the named matrix functions (tr, det), declared by their node classes
(Node.word, Node.spellings) and read by the parser, the shape inference and the builder
from the registry ``nodes.NAMED``; each reading is evaluated against NumPy at a random
rational point.
"""
from __future__ import annotations

import random
import zlib
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pytest

from symderiv import expr as E
from symderiv import latex_words as W
from symderiv import parse as P
from symderiv.build import build_expression
from symderiv.errors import InputError
from symderiv.evaluate import Evaluator
from symderiv.nodes import NAMED, SCALAR, Node, Shape, named_spellings

ORACLE = {"trace": np.trace, "det": np.linalg.det,
          "lambdamax": lambda x: np.linalg.eigvalsh(x)[-1], "lambdamin": lambda x: np.linalg.eigvalsh(x)[0],
          "kyfan": lambda x: np.sum(np.linalg.eigvalsh(x)[-2:])}
SYMMETRIC_ONLY = {"lambdamax", "lambdamin", "kyfan"}     # the eigenvalue functions: read at a symmetric point
EXTRA_ARGS = {"kyfan": ", 2"}                             # kyfan(X, k): the sum of the k largest


def point(seed, shape=(3, 3)):
    rng = random.Random(seed)
    m = np.empty(shape, dtype=object)
    for idx in np.ndindex(shape):
        m[idx] = Fraction(rng.randint(-9, 9), rng.randint(1, 3))
    return m


def read(latex, shapes):
    return build_expression(P.parse(latex).term, latex, shapes)


def test_the_reader_table_is_the_classes_declarations():
    assert set(NAMED) == {"trace", "det", "lambdamax", "lambdamin", "kyfan"}
    for word, cls in NAMED.items():
        assert cls.word == word and cls.spellings
        for s in cls.spellings:
            assert W.STRUCTURAL[s] == word and W.canonical(s) == word
    assert named_spellings().items() <= W.STRUCTURAL.items()


# every spelling in an operator name and in roman type; \det and \tr are LaTeX commands too
FORMS = [(form % (s, EXTRA_ARGS.get(w, "")), w) for s, w in sorted(named_spellings().items())
         for form in (r"\operatorname{%s}(X%s)", r"\mathrm{%s}\left(X%s\right)")] + \
        [(r"\det(X)", "det"), (r"\tr X", "trace")]


@pytest.mark.parametrize("latex,word", FORMS)
def test_each_spelling_reads_as_its_operation(latex, word):
    node = read(latex, {"X": (3, 3)})
    assert type(node) is NAMED[word]
    x = point(zlib.crc32(latex.encode()))
    if word in SYMMETRIC_ONLY:
        x = (x + x.T) * Fraction(1, 2)
    got = float(Evaluator({"X": x}, {})(node)[0, 0])
    np.testing.assert_allclose(got, ORACLE[word](np.asarray(x, dtype=float)), rtol=1e-12, atol=1e-12)


def test_a_square_argument_is_required_and_one_only():
    with pytest.raises(InputError, match="square|do not conform|conform"):
        read(r"\operatorname{tr}(Y)", {"Y": (2, 3)})
    with pytest.raises(InputError, match="trace takes one argument"):
        read(r"\operatorname{tr}(X, X)", {"X": (3, 3)})


def test_a_new_named_function_needs_only_its_class(monkeypatch):
    """A class declaring a word and spellings is read, shaped and built with no change
    to the reader, the shape inference or the builder (the reader's table is made when
    latex_words.py is imported, after every node module: here it is refreshed by hand)."""
    @dataclass(frozen=True, eq=False)
    class SumSquares(Node):
        arg: Node
        shape: Shape = SCALAR
        word, spellings = "sumsq", ("sumsq", "SumSq")
        gives_scalar = True

        @classmethod
        def named(cls, arg):
            return E.sum_all(E.ew(E.placeholder(0) ** 2, (arg,), arg.shape))

    try:
        assert NAMED["sumsq"] is SumSquares
        monkeypatch.setattr(W, "STRUCTURAL", {**W.STRUCTURAL, **named_spellings()})
        node = read(r"\operatorname{SumSq}(Y) + 1", {"Y": (2, 3)})
        y = point(4, (2, 3))
        got = float(Evaluator({"Y": y}, {})(node)[0, 0])
        np.testing.assert_allclose(got, (np.asarray(y, dtype=float) ** 2).sum() + 1, rtol=1e-12)
    finally:
        NAMED.pop("sumsq", None)
