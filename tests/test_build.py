"""build: from the syntax tree to the matrix expression (names, shapes, meanings).

Each reading is checked by value: the built expression is evaluated exactly at random
rational values of every name (sizes chosen for the symbolic dimensions) and compared
with a NumPy function written by hand for what the notation means; the gradient of the
built expression is compared with central differences of that NumPy function, so a
misread (a transpose lost, an entry of the wrong matrix, a sum over the wrong index)
fails even where the value happens to agree."""
from __future__ import annotations

import random
from fractions import Fraction as Fr

import numpy as np
import pytest
import sympy as sp

from symderiv import calculus
from symderiv import expr as E
from symderiv.build import Problem, build, build_expression
from symderiv.errors import InputError, SymderivError, Unsupported
from symderiv.evaluate import Evaluator
from symderiv.parse import parse
from tests import oracle

relu = lambda a: np.maximum(a, 0)  # noqa: E731
SIZES = {"m": 3, "n": 2, "p": 4, "q": 2, "r": 3}


def make(latex, **kw) -> Problem:
    return build(parse(latex).term, latex, **kw)


def concrete(d) -> bool:
    return isinstance(d, int) or getattr(d, "is_Integer", False)


def random_values(prob: Problem, rng, lets=None):
    """Random rationals for every name, sized by SIZES (the symbolic sizes' values)."""
    lets = lets or {}
    dims = {}
    for s in E.symbols_of(prob.f):
        for d in s.shape:
            if not concrete(d):
                dims[d] = SIZES[str(d)]
    values = {}
    for s in E.symbols_of(prob.f):
        if s.name in lets:
            values[s.name] = np.array(lets[s.name], dtype=object)
            continue
        shape = tuple(int(d) if concrete(d) else dims[d] for d in s.shape)
        values[s.name] = np.array([[Fr(rng.randint(-12, 12) * 2 + 1, 8) for _ in range(shape[1])]
                                   for _ in range(shape[0])], dtype=object)
    return values, dims


def fl(v):
    return float(sp.N(v)) if isinstance(v, sp.Basic) else float(v)


# latex, build kwargs, variable name, NumPy meaning over the named values (floats)
READINGS = [
    (r"\sum_{i,j}|x_{ij}|", {}, "X", lambda v: np.abs(v["X"]).sum()),
    (r"|x_1| + 2|x_2|", {}, "x", lambda v: abs(v["x"][0, 0]) + 2 * abs(v["x"][1, 0])),
    (r"\langle J, X\rangle", {}, "X", lambda v: v["X"].sum()),
    (r"\operatorname{tr}(X)", {}, "X", lambda v: np.trace(v["X"])),
    (r"x^T A x", {}, "x", lambda v: (v["x"].T @ v["A"] @ v["x"])[0, 0]),
    (r"\|AX\|_F^2", {}, "X", lambda v: np.sum((v["A"] @ v["X"]) ** 2)),
    (r"\mathbf{1}^T x", {}, "x", lambda v: v["x"].sum()),
    (r"\max_{i,j} x_{ij}", {}, "X", lambda v: v["X"].max()),
    (r"\|X\|_F^2 + \operatorname{tr}(IX)", {}, "X", lambda v: np.sum(v["X"] ** 2) + np.trace(v["X"])),
    (r"\|\sigma(X)\|_F^2", {}, "X", lambda v: np.sum(relu(v["X"]) ** 2)),
    (r"\langle A, X\rangle", {}, "X", lambda v: np.sum(v["A"] * v["X"])),
    (r"\langle X^\top, B\rangle", {}, "X", lambda v: np.sum(v["X"].T * v["B"])),
    (r"(X^TX)_{12}", {}, "X", lambda v: (v["X"].T @ v["X"])[0, 1]),
    (r"\sum_i \max(0, 1 - (Xw)_i)", {"wrt": "w"}, "w", lambda v: relu(1 - v["X"] @ v["w"]).sum()),
    (r"\log\sum_j \exp(x_j)", {}, "x", lambda v: np.log(np.exp(v["x"]).sum())),
    (r"e^{x} + x^2", {}, "x", lambda v: np.exp(v["x"][0, 0]) + v["x"][0, 0] ** 2),
    (r"\frac{\lambda}{2}\|X\|_F^2", {}, "X", lambda v: v["lambda"][0, 0] / 2 * np.sum(v["X"] ** 2)),
    (r"(x^T y)^2", {"wrt": "y"}, "y", lambda v: (v["x"].T @ v["y"])[0, 0] ** 2),
    (r"\langle A, \max(A, X)\rangle", {}, "X", lambda v: np.sum(v["A"] * np.maximum(v["A"], v["X"]))),
]


@pytest.mark.parametrize("latex,kw,var,fn", READINGS, ids=[r[0] for r in READINGS])
def test_the_built_expression_means_what_the_notation_says(latex, kw, var, fn):
    prob = make(latex, **kw)
    assert prob.var.name == var and prob.f.is_scalar
    rng = random.Random(latex)
    for _ in range(2):
        values, dims = random_values(prob, rng)
        ev = Evaluator(values, dims)
        got = fl(ev(prob.f)[0, 0])
        floats = {k: v.astype(float) for k, v in values.items()}
        assert got == pytest.approx(float(fn(floats)), rel=1e-12, abs=1e-12)
        # the gradient too: a reading that agreed in value by accident differs here
        G = np.array([[fl(x) for x in row] for row in ev(calculus.gradient(prob.f, prob.var))])

        def f_of(Y):
            return float(fn({**floats, var: Y}))
        num = oracle.numeric_gradient(f_of, floats[var])
        assert np.allclose(G, num, rtol=1e-6, atol=1e-6), (latex, G, num)


def test_several_scalars_stack_into_one_vector_variable():
    prob = make(r"H(x)y + x^2 y", wrt="x,y")
    assert prob.var.shape == (2, 1) and prob.var.parts == ("x", "y")
    assert any("the vector (x, y)" in n for n in prob.notes)
    v = np.array([[Fr(3, 2)], [Fr(-2, 3)]], dtype=object)
    val = Evaluator({prob.var.name: v}, {})(prob.f)[0, 0]
    assert val == 1 * Fr(-2, 3) + Fr(9, 4) * Fr(-2, 3)      # H(3/2) = 1
    with pytest.raises(InputError):
        make(r"x + y", wrt="x,x")
    with pytest.raises(InputError, match="no z"):
        make(r"x + y", wrt="x,z")


def test_values_fix_sizes_and_kinds():
    A = np.array([[1, 2, 0], [0, 1, 1]], dtype=object)
    prob = make(r"\|AX\|_F^2", values={"A": A})
    assert prob.var.name == "X" and prob.var.shape[0] == 3      # A X conforms: X has 3 rows
    assert not getattr(prob.var.shape[1], "is_Integer", False)   # its columns stay symbolic
    lam = np.array([[Fr(1, 2)]], dtype=object)
    prob = make(r"\lambda x^2", values={"lambda": lam})
    assert prob.var.name == "x"
    x = np.array([[Fr(3)]], dtype=object)
    assert Evaluator({"x": x, "lambda": lam}, {})(prob.f)[0, 0] == Fr(9, 2)


def test_a_shape_hint_fixes_the_variable_and_nonscalar_results_are_refused():
    prob = make(r"\|x\|_F^2", wrt="x", shape=(2, 3))
    assert prob.var.shape == (2, 3)
    with pytest.raises(Unsupported, match="not a scalar"):
        make(r"x", wrt="x", shape=(2, 3))
    with pytest.raises(Unsupported, match="not a scalar"):
        make(r"AX")


def test_sizes_unify_across_the_expression():
    # A is 2x3, so AX makes X 3 x n and XA makes n = 2: X is 3x2, fixed by A alone
    A = np.array([[1, 2, 0], [0, -1, 1]], dtype=object)
    prob = make(r"\|AX\|_F^2 + \|XA\|_F^2", values={"A": A})
    assert prob.var.shape == (3, 2)
    X = np.array([[Fr(1, 2), 1], [0, -2], [3, Fr(1, 3)]], dtype=object)
    got = fl(Evaluator({"A": A, "X": X}, {})(prob.f)[0, 0])
    Af, Xf = A.astype(float), X.astype(float)
    assert got == pytest.approx(np.sum((Af @ Xf) ** 2) + np.sum((Xf @ Af) ** 2))
    # a matrix and a vector in separate terms keep separate sizes
    prob = make(r"\langle A, X\rangle + x^T x")
    x = next(s for s in E.symbols_of(prob.f) if s.name == "x")
    assert x.shape[1] == 1 and x.shape[0] not in prob.var.shape


@pytest.mark.parametrize("latex,kw,match", [
    (r"\langle A, X\rangle", {"values": {"A": np.zeros((2, 3), dtype=object)}, "wrt": "X", "shape": (3, 3)},
     "do not conform"),
    (r"\operatorname{tr}(AX)", {"values": {"A": np.zeros((2, 3), dtype=object), "X": np.zeros((2, 3), dtype=object)},
                                "wrt": "A"}, "do not conform"),
    (r"x^T A x + \operatorname{tr}(A X)", {"values": {"X": np.zeros((2, 3), dtype=object)}, "wrt": "x"}, "non-square"),
])
def test_inconsistent_shapes_are_refused(latex, kw, match):
    with pytest.raises(InputError, match=match):
        make(latex, **kw)


def test_which_variable_needs_wrt_when_the_choice_is_open():
    with pytest.raises(InputError, match="which variable"):
        make(r"a b + c")
    with pytest.raises(InputError, match="no z"):
        make(r"x^2", wrt="z")
    assert make(r"a b + c", wrt="b").var.name == "b"


def test_division_by_zero_and_complex_constants_are_input_errors():
    with pytest.raises(InputError, match="divides by zero"):
        make(r"\frac{x}{0}")
    with pytest.raises(InputError, match="real"):
        make(r"x + \sqrt{-1}")


def test_build_expression_pins_names_to_shapes():
    latex = r"A^T \max(AX, 0)"
    node = build_expression(parse(latex).term, latex, {"A": (3, 2), "X": (2, 2)})
    assert node.shape == (2, 2)
    rng = np.random.default_rng(4)
    A = rng.integers(-3, 4, (3, 2)).astype(object)
    X = rng.integers(-3, 4, (2, 2)).astype(object)
    got = Evaluator({"A": A, "X": X}, {})(node).astype(float)
    assert np.allclose(got, A.astype(float).T @ relu(A.astype(float) @ X.astype(float)))


@pytest.mark.parametrize("latex,shapes,oracle_f", [
    (r"\max_{i}\left|v_{i}\right|", {"v": (3, 1)}, lambda V: np.abs(V["v"]).max()),
    (r"\max_i |v_i|", {"v": (3, 1)}, lambda V: np.abs(V["v"]).max()),
    (r"\max_{i,j} |x_{ij}|", {"x": (2, 2)}, lambda V: np.abs(V["x"]).max()),
    (r"\min_i v_i", {"v": (3, 1)}, lambda V: V["v"].min()),
    (r"\sum_i |v_i|", {"v": (3, 1)}, lambda V: np.abs(V["v"]).sum()),
])
def test_build_expression_reads_entries_of_a_vector(latex, shapes, oracle_f):
    # build_expression skipped what build decides first (v_i is an entry of the vector v):
    # \max_{i}\left|v_{i}\right| raised an AttributeError instead of being read back
    node = build_expression(parse(latex).term, latex, shapes)
    assert node.shape == (1, 1)
    rng = np.random.default_rng(11)
    for _ in range(4):
        vals = {k: rng.integers(-5, 6, s).astype(object) for k, s in shapes.items()}
        got = float(Evaluator(vals, {})(node)[0, 0])
        assert got == pytest.approx(float(oracle_f({k: v.astype(float) for k, v in vals.items()})))


def test_cases_ask_the_builder_whether_they_sit_in_an_index_body():
    # cases.py read the builder's private _entry_nodes; it asks in_index_body() instead.
    # A cases term in \sum_{i,j} is one number per entry (the count of entries above 1)
    import ast
    import inspect
    from symderiv import build as B, cases
    tree = ast.parse(inspect.getsource(cases))
    private = [n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)
               and isinstance(n.value, ast.Name) and n.value.id == "b" and n.attr.startswith("_")]
    assert private == []
    asked = []

    class Recording(B.Builder):
        def in_index_body(self):
            asked.append(super().in_index_body())
            return asked[-1]

    latex = r"\sum_{i,j} \begin{cases} 1 & x_{ij} > 1 \\ 0 & \text{otherwise} \end{cases} + \begin{cases} x_{11} & x_{11} > 0 \\ 0 & \text{otherwise} \end{cases}"
    old, B.Builder = B.Builder, Recording
    try:
        prob = make(latex, wrt="X")
    finally:
        B.Builder = old
    assert asked == [True]          # the second cases term has no matrix in it: not asked
    rng = random.Random(3)
    for _ in range(4):
        values, dims = random_values(prob, rng)
        Xf = values["X"].astype(float)
        got = fl(Evaluator(values, dims)(prob.f)[0, 0])
        assert got == pytest.approx((Xf > 1).sum() + max(Xf[0, 0], 0))
