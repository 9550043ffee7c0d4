"""Each matrix operation's own rules (symderiv/nodes), checked one operation at a time
against an independent NumPy oracle at small concrete sizes and random rational points:

  * the exact value against the same function written with NumPy;
  * the reverse rule (vjp) against central differences of <G, op(children)>;
  * the forward rule (jvp) against central differences along a random direction;
  * the PyTorch form and the entries (as SymPy expressions) against the same NumPy value.

The oracle functions below are written by hand with NumPy and know nothing of symderiv.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from symderiv import autodiff, expr as E
from symderiv.calculus import adjoints, piecewise_partial, sign_partial
from symderiv.entries import entry_values
from symderiv.errors import Unsupported
from symderiv.evaluate import Evaluator
from symderiv.nodes import MissingRule

H = 1e-6
TOL = 1e-6
SEEDS = range(4)
p0, p1 = E.placeholder(0), E.placeholder(1)


def rational_matrix(rng, shape, avoid=None):
    """A random matrix of small rationals; resampled while ``avoid`` says it is bad (a tie
    of the largest entry, an exact 0 under a kink, a nearly singular matrix)."""
    while True:
        m = np.empty(shape, dtype=object)
        for idx in np.ndindex(shape):
            m[idx] = Fraction(rng.randint(-12, 12), rng.randint(1, 4))
        if avoid is None or not avoid(np.asarray(m, dtype=float)):
            return m


def floats(a) -> np.ndarray:
    return np.vectorize(lambda v: float(v) if isinstance(v, (int, Fraction)) else float(sp.N(v)),
                        otypes=[float])(np.asarray(a, dtype=object))


def ill_conditioned(m):
    return abs(np.linalg.det(m)) < 0.5 or np.linalg.cond(m) > 50


def tied_max(m):
    return np.sum(m == m.max()) > 1


def has_zero(m):
    return bool(np.any(m == 0))


# Each case: name -> (children as (name, shape) pairs, build(child Syms) -> node,
# numpy(child arrays) -> array, avoid(array) -> a bad point for this operation).
X23, Y23, X33 = ("X", (2, 3)), ("Y", (2, 3)), ("X", (3, 3))
CASES = {
    "Transpose": ([X23], lambda X: E.transpose(X), lambda X: X.T, None),
    "MatMul": ([("A", (2, 3)), ("B", (3, 4))], lambda A, B: E.matmul(A, B), lambda A, B: A @ B, None),
    "MatMul3": ([("A", (2, 3)), ("B", (3, 3)), ("C", (3, 2))], lambda A, B, C: E.matmul(A, B, C),
                lambda A, B, C: A @ B @ C, None),
    "Trace": ([X33], lambda X: E.trace(X), lambda X: np.array([[np.trace(X)]]), None),
    "SumAll": ([X23], lambda X: E.sum_all(X), lambda X: np.array([[X.sum()]]), None),
    "FroNorm": ([X23], lambda X: E.fro_norm(X), lambda X: np.array([[np.linalg.norm(X)]]), None),
    "Inverse": ([X33], lambda X: E.inverse(X), np.linalg.inv, ill_conditioned),
    "Det": ([X33], lambda X: E.det(X), lambda X: np.array([[np.linalg.det(X)]]), ill_conditioned),
    "MaxEntry": ([X23], lambda X: E.max_entry(X), lambda X: np.array([[X.max()]]), tied_max),
    "Argmax": ([X23], lambda X: E.Argmax(X), lambda X: (X == X.max()).astype(float), tied_max),
    "Pick": ([X23], lambda X: E.pick(X, 1, 2, "x"), lambda X: X[1:2, 2:3], None),
    "Entrywise": ([X23, Y23], lambda X, Y: E.ew(sp.sin(p0) * p1 + p0 ** 2, (X, Y), (2, 3)),
                  lambda X, Y: np.sin(X) * Y + X ** 2, None),
    "Entrywise-broadcast": ([("c", (1, 1)), X23], lambda c, X: E.ew(p0 * sp.exp(p1 / 8) + p0 ** 2, (c, X), (2, 3)),
                            lambda c, X: c[0, 0] * np.exp(X / 8) + c[0, 0] ** 2, None),
    "Entrywise-kink": ([X23], lambda X: E.apply("relu", X), lambda X: np.maximum(X, 0), has_zero),
    "Entrywise-max": ([X23, Y23], lambda X, Y: E.apply("max", X, Y), np.maximum,
                      lambda m: has_zero(m) or len(set(m.ravel())) < m.size),
}


def node_type(name: str) -> str:
    return name.split("-")[0].rstrip("0123456789")


def setup(name, seed):
    specs, build, oracle, avoid = CASES[name]
    rng = random.Random(f"{name}:{seed}")
    syms = [E.Sym(n, s) for n, s in specs]
    if name == "Entrywise-max":
        # distinct entries keep X - Y off its kink
        vals = {n: rational_matrix(rng, s) for n, s in specs}
        while has_zero(np.asarray(vals["X"], dtype=float) - np.asarray(vals["Y"], dtype=float)):
            vals = {n: rational_matrix(rng, s) for n, s in specs}
    else:
        vals = {n: rational_matrix(rng, s, avoid) for n, s in specs}
    node = build(*syms)
    return node, syms, vals, oracle, rng


def value(node, vals):
    return floats(Evaluator(vals, {})(node))


def numpy_f(oracle, syms, vals):
    return lambda **over: oracle(*[over.get(s.name, np.asarray(vals[s.name], dtype=float)) for s in syms])


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", sorted(CASES))
def test_each_operation_builds_its_own_node(name, seed):
    node, *_ = setup(name, seed)
    assert type(node).__name__ == node_type(name)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", sorted(CASES))
def test_exact_value_against_numpy(name, seed):
    node, syms, vals, oracle, _ = setup(name, seed)
    got = value(node, vals)
    want = numpy_f(oracle, syms, vals)()
    assert got.shape == np.shape(want)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def numeric_vjp(f, G, X):
    """d<G, f(X)>/dX by central differences."""
    out = np.zeros_like(X)
    for idx in np.ndindex(X.shape):
        D = np.zeros_like(X)
        D[idx] = H
        out[idx] = (np.sum(G * f(X + D)) - np.sum(G * f(X - D))) / (2 * H)
    return out


@pytest.mark.parametrize("partial", [sign_partial, piecewise_partial], ids=["sign", "piecewise"])
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", sorted(CASES))
def test_reverse_rule_against_differences(name, seed, partial):
    node, syms, vals, oracle, rng = setup(name, seed)
    g = E.Sym("G", node.shape)
    vals = {**vals, "G": rational_matrix(rng, node.shape)}
    G = np.asarray(vals["G"], dtype=float)
    f = numpy_f(oracle, syms, vals)
    got = {s.key: np.zeros(s.shape) for s in syms}
    for child, contribution in node.vjp(g, partial):
        c = value(contribution, vals)
        # a 1x1 child broadcast over the node: the traversal sums its contribution
        got[child.key] += c.sum() if child.is_scalar and c.shape != (1, 1) else c
    for s in syms:
        want = numeric_vjp(lambda X: f(**{s.name: X}), G, np.asarray(vals[s.name], dtype=float))
        np.testing.assert_allclose(got[s.key], want, rtol=TOL, atol=TOL, err_msg=s.name)


@pytest.mark.parametrize("partial", [sign_partial, piecewise_partial], ids=["sign", "piecewise"])
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", sorted(CASES))
def test_forward_rule_against_differences(name, seed, partial):
    node, syms, vals, oracle, rng = setup(name, seed)
    dirs = {s.key: E.Sym("D" + s.name, s.shape) for s in syms}
    for s in syms:
        vals["D" + s.name] = rational_matrix(rng, s.shape)
    asked = []

    def d(child):
        asked.append(child)
        return dirs[child.key]
    got = value(node.jvp(d, partial), vals)
    f = numpy_f(oracle, syms, vals)
    plus = {s.name: np.asarray(vals[s.name], dtype=float) + H * np.asarray(vals["D" + s.name], dtype=float)
            for s in syms}
    minus = {s.name: np.asarray(vals[s.name], dtype=float) - H * np.asarray(vals["D" + s.name], dtype=float)
             for s in syms}
    want = (f(**plus) - f(**minus)) / (2 * H)
    np.testing.assert_allclose(got, np.broadcast_to(want, got.shape), rtol=TOL, atol=TOL)
    assert all(c in syms for c in asked)


def test_log_det_cancels_the_determinant():
    """The Det rule's second form: where the adjoint carries 1/det M, M^-T (log det)."""
    rng = random.Random(7)
    X = E.Sym("X", (3, 3))
    vals = {"X": rational_matrix(rng, (3, 3), lambda m: ill_conditioned(m) or np.linalg.det(m) <= 0)}
    f = E.apply("log", E.det(X))
    grad = adjoints(f)[X.key]
    assert any(isinstance(n, E.Inverse) for n in E.walk(grad))
    Xf = np.asarray(vals["X"], dtype=float)
    want = numeric_vjp(lambda M: np.array([[np.log(np.linalg.det(M))]]), np.ones((1, 1)), Xf)
    np.testing.assert_allclose(value(grad, vals), want, rtol=TOL, atol=TOL)


def test_broadcast_adjoint_is_the_sum():
    """The traversal sums a contribution laid out like the node for a broadcast 1x1 child:
    d/dc sum(c X o X) = sum(X o X)."""
    rng = random.Random(3)
    c, X = E.Sym("c", (1, 1)), E.Sym("X", (2, 3))
    vals = {"c": rational_matrix(rng, (1, 1)), "X": rational_matrix(rng, (2, 3))}
    f = E.sum_all(E.ew(p0 * p1 ** 2, (c, X), (2, 3)))
    got = value(adjoints(f)[c.key], vals)
    Xf = np.asarray(vals["X"], dtype=float)
    assert got.shape == (1, 1)
    np.testing.assert_allclose(got[0, 0], np.sum(Xf * Xf), rtol=1e-12)


def test_leaves_have_no_derivative_of_their_own():
    for leaf in (E.Sym("X", (2, 3)), E.Eye(3), E.Unit(0, 1, (2, 3))):
        assert leaf.vjp(E.Sym("G", leaf.shape), sign_partial) == []
        assert leaf.jvp(lambda c: pytest.fail("a leaf asked for a derivative"), sign_partial) == E.const(0, leaf.shape)


def test_leaf_values_against_numpy():
    vals = {"X": rational_matrix(random.Random(1), (2, 3))}
    np.testing.assert_array_equal(value(E.Sym("X", (2, 3)), vals), np.asarray(vals["X"], dtype=float))
    np.testing.assert_array_equal(value(E.Eye(3), vals), np.eye(3))
    want = np.zeros((2, 3))
    want[1, 0] = 1
    np.testing.assert_array_equal(value(E.Unit(1, 0, (2, 3)), vals), want)


def test_adjugate_value_and_its_refused_derivative():
    rng = random.Random(5)
    X = E.Sym("X", (3, 3))
    node = E.adjugate(X)
    for singular in (False, True):
        m = rational_matrix(rng, (3, 3), ill_conditioned)
        if singular:
            m[2] = m[0] + m[1]           # rank 2: adj M is still defined (and rank 1)
        Mf = np.asarray(m, dtype=float)
        # adj M = the transposed cofactor matrix, written out entry by entry
        cof = np.array([[(-1) ** (i + j) * np.linalg.det(np.delete(np.delete(Mf, i, 0), j, 1)) for j in range(3)]
                        for i in range(3)])
        np.testing.assert_allclose(value(node, {"X": m}), cof.T, atol=1e-9)
    with pytest.raises(Unsupported):
        node.vjp(E.Sym("G", (3, 3)), sign_partial)
    with pytest.raises(Unsupported):
        node.jvp(lambda c: c, sign_partial)


def test_a_missing_rule_fails_loudly_naming_the_operation():
    @dataclass(frozen=True, eq=False)
    class Spectral(E.Node):
        arg: E.Node
        shape: tuple = (1, 1)

    node = Spectral(E.Sym("X", (2, 2)))
    for ask in (lambda: node.vjp(E.const(1), sign_partial), lambda: node.jvp(lambda c: c, sign_partial),
                lambda: node.value(None), lambda: node.torch(None), lambda: node.entries(None, 1, 1)):
        with pytest.raises(MissingRule, match="Spectral"):
            ask()


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch", reason="PyTorch is not installed (the [autodiff] extra; `make test` "
                                               "installs it)")


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", sorted(set(CASES) - {"Argmax"}))
def test_pytorch_form_against_numpy(name, seed, torch):
    node, syms, vals, oracle, _ = setup(name, seed)
    tensors = {n: torch.tensor(np.asarray(v, dtype=float), dtype=torch.float64) for n, v in vals.items()}
    got = autodiff._Torch(torch, tensors)(node).detach().numpy()
    want = numpy_f(oracle, syms, vals)()
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_argmax_and_unit_have_no_pytorch_form(torch):
    tt = autodiff._Torch(torch, {"X": torch.zeros(2, 3, dtype=torch.float64)})
    for node in (E.Argmax(E.Sym("X", (2, 3))), E.Unit(0, 1, (2, 3))):
        with pytest.raises(Unsupported, match=f"no PyTorch spelling for {type(node).__name__}"):
            tt(node)


@pytest.mark.parametrize("seed", SEEDS[:2])
@pytest.mark.parametrize("name", sorted(set(CASES) - {"Argmax"}))
def test_entries_against_numpy(name, seed):
    """Every entry as a SymPy expression in the leaves' entries, then the point put in."""
    node, syms, vals, oracle, _ = setup(name, seed)
    point = {sp.Symbol(f"{n}[{i},{j}]", real=True): sp.Rational(v.numerator, v.denominator)
             for n, arr in vals.items() for (i, j), v in np.ndenumerate(arr)}
    got = [float(sp.N(e.xreplace(point))) for e in entry_values(node, {})]
    want = numpy_f(oracle, syms, vals)()
    np.testing.assert_allclose(np.reshape(got, np.shape(want)), want, rtol=1e-12, atol=1e-12)


def test_entries_at_symbolic_sizes():
    """Sizes are fixed by ``dims``; a size inside an entrywise body takes its value too."""
    m = sp.Symbol("m", positive=True, integer=True)
    X = E.Sym("X", (m, 2))
    assert entry_values(E.sum_all(E.ones((m, 2))), {m: 3}) == [6]
    got = entry_values(E.trace(E.matmul(E.transpose(X), X)), {m: 2})
    want = sum(sp.Symbol(f"X[{i},{j}]", real=True) ** 2 for i in range(2) for j in range(2))
    assert sp.expand(got[0] - want) == 0


def test_argmax_and_unit_have_no_entries():
    for node in (E.Argmax(E.Sym("X", (2, 3))), E.Unit(0, 1, (2, 3))):
        with pytest.raises(MissingRule, match=type(node).__name__):
            entry_values(node, {})


# The one-argument operations share their arg, children and rebuild (nodes.base.Unary).
UNARY = ["Trace", "SumAll", "FroNorm", "Inverse", "Det", "MaxEntry", "Argmax"]


@pytest.mark.parametrize("seed", SEEDS[:2])
@pytest.mark.parametrize("name", UNARY)
def test_unary_operations_rebuild_through_their_constructor(name, seed):
    from symderiv.nodes.base import Unary
    node, syms, vals, oracle, rng = setup(name, seed)
    assert isinstance(node, Unary) and node.children() == (node.arg,)
    # rebuilt over X^T, the node goes through its constructor: the same value as the
    # operation applied to X^T, checked against NumPy at a point of X
    flipped = node.rebuild((E.transpose(node.arg),))
    assert type(flipped).__name__ in (node_type(name), "Transpose")
    want = np.asarray(oracle(np.asarray(vals["X"], dtype=float).T), dtype=float)
    np.testing.assert_allclose(value(flipped, vals), want, rtol=1e-12)
    if name in ("Det", "Trace", "SumAll", "FroNorm", "MaxEntry"):
        # the normal form takes the transpose off (det X^T = det X ...): a rebuild does too
        assert flipped == node


def test_a_unary_operation_without_a_constructor_fails_loudly():
    from symderiv.nodes.base import ScalarUnary

    @dataclass(frozen=True, eq=False)
    class Spectral(ScalarUnary):
        pass

    node = Spectral(E.Sym("X", (2, 2)))
    assert node.shape == (1, 1) and node.children() == (node.arg,)
    with pytest.raises(MissingRule, match="Spectral"):
        node.rebuild((E.Sym("Y", (2, 2)),))
