"""Shape rules (symderiv/shapes.py): products, sums, Hadamard products, transposes,
scalars that broadcast, symbolic sizes, and refusals that name their column.

The oracle is NumPy: every shape the rules give is the shape NumPy computes for arrays
of those sizes (symbolic sizes instantiated with random integers), and every product the
rules refuse is one NumPy refuses too.
"""
from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy as sp

from symderiv import shapes as SH
from symderiv.build import build
from symderiv.checking.nodes import ShapeMismatch, build_step, difference
from symderiv.errors import InputError
from symderiv.parse import parse, parse_statement

RNG = np.random.default_rng(12)
SMALL = [(1, 1), (1, 3), (3, 1), (2, 3), (3, 2), (3, 3)]


def numpy_shape(op, a, b):
    """The shape NumPy gives, or None where NumPy refuses."""
    x, y = RNG.standard_normal(a), RNG.standard_normal(b)
    try:
        return op(x, y).shape
    except ValueError:
        return None


def concrete(shape, sizes: dict):
    """A shape with its symbolic sizes replaced by integers."""
    return tuple(int(d.subs(sizes)) if isinstance(d, sp.Basic) else d for d in shape)


def problem(text, **kwargs):
    p = parse(text)
    return build(p.term, p.source, **kwargs), p.source


def given(*shape):
    return np.zeros(shape, dtype=object)


# ---- the rules on concrete shapes, against NumPy ------------------------------------------

@pytest.mark.parametrize("a,b", list(itertools.product(SMALL, SMALL)))
def test_product_conforms_exactly_where_numpy_multiplies(a, b):
    scalar = SH.is_scalar_shape(a) or SH.is_scalar_shape(b)
    want = numpy_shape(np.multiply if scalar else np.matmul, a, b)
    if want is None:
        with pytest.raises(InputError, match=r"product: shapes .* do not conform"):
            SH.product(a, b)
    else:
        assert SH.product(a, b) == want


@pytest.mark.parametrize("a,b", list(itertools.product(SMALL, SMALL)))
def test_sums_and_hadamard_products_take_the_matrix_shape_and_broadcast_scalars(a, b):
    ok = a == b or SH.is_scalar_shape(a) or SH.is_scalar_shape(b)
    if not ok:
        with pytest.raises(InputError, match="do not conform"):
            SH.broadcast(a, b)
        with pytest.raises(InputError, match="Hadamard product: shapes"):
            SH.require_same(a, b, "Hadamard product")
        return
    # NumPy broadcasts more than the rules allow (1x3 + 3x1); where the rules accept, NumPy
    # agrees on the result
    assert SH.broadcast(a, b) == numpy_shape(np.add, a, b) == numpy_shape(np.multiply, a, b)


def test_square_and_entrywise_refusals_name_the_shape():
    with pytest.raises(InputError, match="the inverse of a non-square 2x3 matrix"):
        SH.require_square((2, 3), "the inverse")
    SH.require_square((3, 3), "the inverse")
    np.linalg.inv(RNG.standard_normal((3, 3)))           # NumPy inverts the square one
    with pytest.raises(np.linalg.LinAlgError):
        np.linalg.inv(RNG.standard_normal((2, 3)))
    with pytest.raises(InputError, match="entrywise operation: shapes 3x2 and 2x3"):
        SH.require_entrywise((3, 2), (2, 3))
    SH.require_entrywise((1, 1), (2, 3))                  # a scalar argument broadcasts


def kind(shape) -> str:
    """The oracle's own reading of a shape (NumPy keeps rows apart from matrices)."""
    return {(True, True): "scalar", (False, True): "vector", (True, False): "row"}.get(
        (shape[0] == 1, shape[1] == 1), "matrix")


def test_kinds_of_products_are_numpys():
    n, m = 3, 4
    example = {"scalar": (1, 1), "vector": (n, 1), "row": (1, n), "matrix": (n, n)}
    for (ka, kb), k in SH.KIND_PRODUCT.items():
        a, b = example[ka], example[kb]
        if ka == "vector" and kb == "row":
            b = (1, m)
        out = numpy_shape(np.matmul, a, b)
        assert kind(out) == k, (ka, kb, out)
    for k, t in SH.KIND_TRANSPOSE.items():
        assert kind(RNG.standard_normal(example[k]).T.shape) == t
    # a given value is a scalar, a (column) vector or a matrix
    assert [SH.kind_of_shape(s) for s in ((1, 1), (3, 1), (1, 3), (2, 3))] == ["scalar", "vector", "matrix", "matrix"]


# ---- inference over a formula: symbolic sizes -----------------------------------------------

def test_a_quadratic_form_makes_a_square_matrix_of_the_vectors_size():
    p, _ = problem(r"x^T A x")
    x, A = p.symbols["x"].shape, p.symbols["A"].shape
    assert A[0] == A[1] == x[0] and x[1] == 1 and isinstance(A[0], sp.Symbol)
    n = int(RNG.integers(2, 6))
    xs, As = (RNG.standard_normal(concrete(s, {A[0]: n})) for s in (x, A))
    assert (xs.T @ As @ xs).shape == (1, 1)


def test_a_trace_of_a_product_ties_the_inner_and_outer_sizes():
    p, _ = problem(r"\operatorname{tr}(A B) + \|X\|_F^2", wrt="X")
    A, B = p.symbols["A"].shape, p.symbols["B"].shape
    assert (A[0], A[1]) == (B[1], B[0]) and A[0] != A[1]       # m×n and n×m, m, n free
    sizes = {A[0]: int(RNG.integers(2, 5)), A[1]: int(RNG.integers(5, 8))}
    As, Bs = (RNG.standard_normal(concrete(s, sizes)) for s in (A, B))
    assert np.trace(As @ Bs) == pytest.approx(np.trace(Bs @ As))


def test_a_hadamard_product_with_its_transpose_makes_the_matrix_square():
    p, _ = problem(r"\|X \odot X^T\|_F^2")
    X = p.symbols["X"].shape
    assert X[0] == X[1]
    Xs = RNG.standard_normal(concrete(X, {X[0]: 4}))
    assert (Xs * Xs.T).shape == Xs.shape


def test_a_given_size_flows_through_the_products():
    p, _ = problem(r"\|A X\|_F^2", values={"A": given(2, 3)})
    assert p.symbols["X"].shape[0] == 3 and isinstance(p.symbols["X"].shape[1], sp.Symbol)
    assert (RNG.standard_normal((2, 3)) @ RNG.standard_normal((3, 5))).shape == (2, 5)


def test_free_sizes_are_named_m_n_with_the_variable_first():
    p, _ = problem(r"\|X\|_F^2 + \operatorname{tr}(A)", wrt="X")
    assert [str(d) for d in p.symbols["X"].shape] == ["m", "n"]
    assert str(p.symbols["A"].shape[0]) == "p"


# ---- refusals name the column of the term at fault --------------------------------------------

def test_a_product_that_cannot_conform_names_its_column():
    text = r"\|X\|_F^2 + \operatorname{tr}(A B)"
    with pytest.raises(InputError, match=r"product: shapes 2x3 and 2x3 do not conform") as e:
        problem(text, values={"A": given(2, 3), "B": given(2, 3)}, wrt="X")
    source = parse(text).source
    assert e.value.column == source.index("A B")
    assert numpy_shape(np.matmul, (2, 3), (2, 3)) is None


def test_a_hadamard_product_of_two_given_shapes_names_its_column():
    text = r"x + \mathbf{1}^T (A \odot B) \mathbf{1}"
    with pytest.raises(InputError, match="Hadamard product: shapes 2x3 and 3x2 do not conform") as e:
        problem(text, values={"A": given(2, 3), "B": given(3, 2)}, wrt="x")
    assert e.value.column == parse(text).source.index("A \\odot")
    assert numpy_shape(np.multiply, (2, 3), (3, 2)) is None


def test_a_trace_of_a_non_square_variable_names_its_column():
    text = r"x^2 + \operatorname{tr}(X)"
    with pytest.raises(InputError, match="non-square 2x3 matrix") as e:
        problem(text, wrt="X", shape=(2, 3))
    assert e.value.column == parse(text).source.index(r"\operatorname")
    with pytest.raises(np.linalg.LinAlgError):
        np.linalg.eigvals(RNG.standard_normal((2, 3)))    # tr X = the sum of X's eigenvalues: a square


def test_a_matrix_power_of_a_non_square_matrix_is_refused_with_the_hint():
    with pytest.raises(InputError, match=r"a power of a non-square 2x3 matrix \(a transpose is written X\^T\)"):
        problem(r"\|A^2\|_F^2 + x", values={"A": given(2, 3)}, wrt="x")
    with pytest.raises(np.linalg.LinAlgError):
        np.linalg.matrix_power(RNG.standard_normal((2, 3)), 2)


# ---- the checker's sides go through the same inference ------------------------------------

def sides(text):
    st = parse_statement(text)
    return list(st.statement.terms), st.source


def test_the_sides_of_a_step_share_shapes():
    terms, source = sides(r"A X = (X^T A^T)^T")
    built = build_step(terms, [], "X", source)
    left, right = (n.shape for n in built.sides)
    assert left == right and all(isinstance(d, sp.Symbol) for d in left) and left[0] != left[1]
    A, X = RNG.standard_normal((3, 4)), RNG.standard_normal((4, 2))
    assert np.allclose(A @ X, (X.T @ A.T).T)


def test_sides_that_cannot_conform_are_a_shape_mismatch():
    inference = SH.Inference(None)
    a, b, free = inference.sized(2, 3), inference.sized(3, 2), inference.fresh()
    assert not inference.sides_conform([a, b])
    assert inference.sides_conform([a, free])            # the free side becomes 2x3
    assert inference.show(free) == "2x3"
    assert inference.sides_conform([inference.scalar(), b])   # a number beside a matrix: later
    assert numpy_shape(np.add, (2, 3), (3, 2)) is None
    terms, source = sides(r"x x^T = x^T x")
    built = build_step(terms, [], "x", source)           # n×n and 1×1: n stays free, judged later
    assert built.sides[0].shape[0] == built.sides[0].shape[1]
    with pytest.raises(ShapeMismatch):
        difference(*built.sides)
