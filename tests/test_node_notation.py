"""Each matrix operation's printed form (the ``# -- printing`` section of symderiv/nodes),
in text and LaTeX.  (A file of its own rather than more of test_nodes.py: another branch
extends that file at the same time.)

The printed strings are pinned, and every printed LaTeX form the parser can read is read
back and evaluated at a random rational point against the operation written with NumPy:
the notation must say the same function, not only look as it did.
"""
from __future__ import annotations

import random
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from symderiv import expr as E
from symderiv.build import build_expression
from symderiv.evaluate import Evaluator
from symderiv.nodes import MissingRule, Node
from symderiv.nodes.base import ATOM, Template
from symderiv.parse import parse
from symderiv.render.notation import Notation

TEXT, TEX = Notation(False), Notation(True)
X, A, Y = E.Sym("X", (3, 3)), E.Sym("A", (3, 3)), E.Sym("Y", (2, 3))
v, c = E.Sym("v", (3, 1)), E.Sym("c", (1, 1))
p0, p1 = E.placeholder(0), E.placeholder(1)
SHAPES = {"X": (3, 3), "A": (3, 3), "Y": (2, 3), "v": (3, 1), "c": (1, 1)}

# (node, text, LaTeX, NumPy oracle of the values by name, or None where the parser has no
# reading of the notation (adj, the one-hot argmax, unit matrices, entries) or the form
# alone does not say the size (J, I))
CASES = [
    (E.transpose(Y), "Y^T", r"Y^\top", lambda d: d["Y"].T),
    (E.matmul(A, X), "A X", "A X", lambda d: d["A"] @ d["X"]),
    (E.matmul(E.transpose(A), X), "A^T X", r"A^\top X", lambda d: d["A"].T @ d["X"]),
    (E.matmul(A, X, v), "A X v", "A X v", lambda d: d["A"] @ d["X"] @ d["v"]),
    (E.matmul(E.inverse(X), E.transpose(A)), "X^-1 A^T", r"X^{-1} A^\top",
     lambda d: np.linalg.inv(d["X"]) @ d["A"].T),
    (E.trace(X), "tr(X)", r"\operatorname{tr}\left(X\right)", lambda d: np.trace(d["X"])),
    (E.det(X), "det(X)", r"\det\left(X\right)", lambda d: np.linalg.det(d["X"])),
    (E.det(E.add(X, A)), "det(A + X)", r"\det\left(A + X\right)", lambda d: np.linalg.det(d["X"] + d["A"])),
    (E.inverse(X), "X^-1", "X^{-1}", lambda d: np.linalg.inv(d["X"])),
    (E.inverse(E.transpose(X)), "X^-T", r"X^{-\top}", lambda d: np.linalg.inv(d["X"].T)),
    (E.adjugate(X), "adj(X)", r"\operatorname{adj}\left(X\right)", None),
    (E.adjugate(E.transpose(X)), "adj(X)^T", r"\operatorname{adj}\left(X\right)^{\top}", None),
    (E.fro_norm(X), "‖X‖_F", r"\left\|X\right\|_F", lambda d: np.linalg.norm(d["X"])),
    (E.fro_norm(v), "‖v‖_2", r"\left\|v\right\|_2", lambda d: np.linalg.norm(d["v"])),
    (E.fro_norm(E.matmul(A, X)), "‖A X‖_F", r"\left\|A X\right\|_F", lambda d: np.linalg.norm(d["A"] @ d["X"])),
    (E.sum_all(X), "sum(X)", r"\mathbf{1}^\top X\,\mathbf{1}", lambda d: d["X"].sum()),
    (E.sum_all(E.ew(p0 ** 2, (X,), (3, 3))), "‖X‖_F^2", r"\left\|X\right\|_F^2", lambda d: (d["X"] ** 2).sum()),
    (E.inner(A, X), "⟨A, X⟩", r"\left\langle A, X\right\rangle", lambda d: (d["A"] * d["X"]).sum()),
    (E.sum_all(E.apply("abs", X)), "sum_ij |x_ij|", r"\sum_{i,j} \left|x_{ij}\right|", lambda d: abs(d["X"]).sum()),
    (E.max_entry(X), "max_ij x_ij", r"\max_{i,j} x_{ij}", lambda d: d["X"].max()),
    (E.max_entry(E.apply("abs", v)), "max_i |v_i|", r"\max_{i} \left|v_{i}\right|", None),
    (E.Argmax(X), "onehot(argmax X)", r"E_{\arg\max X}", None),
    (E.Unit(1, 2, (3, 3)), "e_23", "e_{23}", None),
    (E.Unit(1, 0, (3, 1)), "e_2", "e_{2}", None),
    (E.pick(v, 1, 0), "v_2", "v_{2}", None),
    (E.pick(X, 0, 1), "X_12", "X_{12}", None),
    (E.pick(v, 1, 0, "y"), "y", "y", None),
    (E.const(2, (3, 3)), "2 J", "2J", None),
    (E.eye(3), "I", "I", None),
    (E.apply("relu", X), "max(X, 0)", r"\max(X, 0)", lambda d: np.maximum(d["X"], 0)),
    (E.ew(sp.exp(p0), (c,), (3, 3)), "exp(c) J", r"\exp\left(c\right) J", None),
]
IDS = [f"{type(n).__name__}:{t}" for n, t, _, _ in CASES]


@pytest.mark.parametrize("node,text,latex,oracle", CASES, ids=IDS)
def test_each_operation_prints_itself(node, text, latex, oracle):
    assert TEXT.node(node) == text
    assert TEX.node(node) == latex


def _point(seed):
    rng = random.Random(seed)
    while True:
        vals = {}
        for name, shape in SHAPES.items():
            m = np.empty(shape, dtype=object)
            for idx in np.ndindex(shape):
                m[idx] = Fraction(rng.randint(-9, 9), rng.randint(1, 3))
            vals[name] = m
        floats = {k: np.asarray(m, dtype=float) for k, m in vals.items()}
        # keep away from singular matrices and ties of the largest entry
        if all(abs(np.linalg.det(floats[k])) > 0.5 for k in ("X", "A")):
            return vals, floats


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("node,text,latex,oracle", [k for k in CASES if k[3] is not None],
                         ids=[i for i, k in zip(IDS, CASES) if k[3] is not None])
def test_printed_latex_reads_back_as_the_same_function(node, text, latex, oracle, seed):
    # the names the form uses, and no other: x_{ij} must be read as X's entries
    shapes = {k: s for k, s in SHAPES.items() if k in latex or k.lower() + "_" in latex}
    back = build_expression(parse(latex).term, latex, shapes)
    vals, floats = _point(seed)
    got = np.asarray(Evaluator(vals, {})(back), dtype=float)
    want = np.asarray(oracle(floats), dtype=float)
    np.testing.assert_allclose(got.reshape(np.shape(want) or (1, 1)), want.reshape(np.shape(want) or (1, 1)),
                               rtol=1e-9, atol=1e-9)


def test_entries_are_named_by_the_leaves():
    assert TEXT.entry_of(X) == "x_ij" and TEX.entry_of(X) == "x_{ij}"
    assert TEXT.entry_of(E.transpose(X)) == "x_ji" and TEX.entry_of(E.transpose(X)) == "x_{ji}"
    assert TEXT.entry_of(v) == "v_i" and TEX.entry_of(E.transpose(v)) == "v_{i}"
    assert TEXT.entry_of(E.eye(3)) == "δ_ij" and TEX.entry_of(E.eye(3)) == r"\delta_{ij}"
    assert TEXT.entry_of(E.matmul(A, X)) == "(A X)_ij" and TEX.entry_of(E.matmul(A, X)) == r"\left(A X\right)_{ij}"


class _Plain:
    latex = False

    def child(self, node, need):
        return node


def test_a_template_fills_each_slot_once():
    # a child printed as x_{1} must not have its {1} filled by the second child
    t = Template("<{0}, {1}>", "", wrap=ATOM)
    assert t.fill(_Plain(), "x_{1}", "y") == ("<x_{1}, y>", ATOM)
    assert Template("{a} and {b}", "").fill(_Plain(), a="{b}", b="B")[0] == "{b} and B"


def test_an_operation_without_a_printed_form_fails_loudly():
    class Nameless(Node):
        shape = (2, 2)
    with pytest.raises(MissingRule, match="Nameless"):
        TEXT.node(Nameless())
