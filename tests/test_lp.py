"""lp: exact rational feasibility, against independent exact enumeration.

A nonempty polyhedron {x : A x <= b} in the plane whose A has rank 2 has a vertex, so
feasibility is decided by trying every intersection of two constraint lines, in
Fractions; a point lies in the convex hull of plane points iff it is a convex
combination of at most three of them (Carathéodory), decided the same way; an open
cone in the plane is nonempty iff a fine fan of exact rational directions meets it
(small integer rows leave it at least a degree wide)."""
from __future__ import annotations

import itertools
import random
from fractions import Fraction as Fr

import pytest
import sympy as sp

from symderiv import lp
from symderiv.errors import Unsupported


def solve2(a, b, r, s):
    """The x with a.x = r and b.x = s (None when a, b are parallel)."""
    det = a[0] * b[1] - a[1] * b[0]
    if det == 0:
        return None
    return [Fr(r * b[1] - s * a[1], det), Fr(a[0] * s - b[0] * r, det)]


def satisfies(A, b, x):
    return all(sum(Fr(ai) * xi for ai, xi in zip(row, x)) <= bi for row, bi in zip(A, b))


def vertex_feasible(A, b) -> bool:
    return any((x := solve2(A[i], A[j], b[i], b[j])) is not None and satisfies(A, b, x)
               for i, j in itertools.combinations(range(len(A)), 2))


def random_system(rng, rows):
    while True:
        A = [[rng.randint(-3, 3), rng.randint(-3, 3)] for _ in range(rows)]
        if any(solve2(A[i], A[j], 0, 0) is not None for i, j in itertools.combinations(range(rows), 2)):
            return A, [rng.randint(-4, 4) for _ in range(rows)]


def test_feasibility_agrees_with_vertex_enumeration():
    rng = random.Random(12)
    seen = {True: 0, False: 0}
    for _ in range(150):
        A, b = random_system(rng, rng.randint(2, 5))
        x = lp.feasible(A, b)
        want = vertex_feasible(A, b)
        assert (x is not None) == want, (A, b, x)
        if x is not None:
            assert all(isinstance(v, Fr) for v in x) and satisfies(A, b, x)
        seen[want] += 1
    assert min(seen.values()) >= 20          # both answers were exercised


def test_feasible_takes_sympy_rationals_and_refuses_irrationals():
    x = lp.feasible([[sp.Rational(1, 2), 0], [0, sp.Integer(-1)]], [sp.Rational(1, 3), 0])
    assert x is not None and x[0] / 2 <= Fr(1, 3) and -x[1] <= 0
    with pytest.raises(Unsupported, match="irrational"):
        lp.feasible([[sp.pi, 1]], [0])


def test_an_empty_system_and_degenerate_equalities():
    assert lp.feasible([], []) == []
    # x = 1/3 and y = -2 as pairs of inequalities: the only point
    A = [[3, 0], [-3, 0], [0, 1], [0, -1]]
    assert lp.feasible(A, [1, -1, -2, 2]) == [Fr(1, 3), Fr(-2)]
    assert lp.feasible(A, [1, -2, -2, 2]) is None and not vertex_feasible(A, [1, -2, -2, 2])


def caratheodory(point, gens) -> bool:
    """point in conv(gens) in the plane: a convex combination of <= 3 generators."""
    p = [Fr(v) for v in point]
    for g in gens:
        if [Fr(v) for v in g] == p:
            return True
    for g, h in itertools.combinations(gens, 2):
        d = [Fr(h[0] - g[0]), Fr(h[1] - g[1])]
        r = [p[0] - g[0], p[1] - g[1]]
        if d[0] * r[1] - d[1] * r[0] == 0 and d != [0, 0]:
            t = (r[0] * d[0] + r[1] * d[1]) / (d[0] ** 2 + d[1] ** 2)
            if 0 <= t <= 1:
                return True
    for g, h, k in itertools.combinations(gens, 3):
        # barycentric coordinates of p in the triangle g h k
        l = solve2([h[0] - g[0], k[0] - g[0]], [h[1] - g[1], k[1] - g[1]], p[0] - g[0], p[1] - g[1])
        if l is not None and l[0] >= 0 and l[1] >= 0 and l[0] + l[1] <= 1:
            return True
    return False


def test_hull_membership_agrees_with_caratheodory():
    rng = random.Random(5)
    seen = {True: 0, False: 0}
    for _ in range(120):
        gens = [[rng.randint(-3, 3), rng.randint(-3, 3)] for _ in range(rng.randint(1, 4))]
        p = [Fr(rng.randint(-6, 6), 2), Fr(rng.randint(-6, 6), 2)]
        got = lp.in_hull(p, gens)
        want = caratheodory(p, gens)
        assert got == want, (p, gens)
        seen[want] += 1
    assert min(seen.values()) >= 10


def test_hull_in_one_and_three_dimensions():
    assert lp.in_hull([Fr(1, 2)], [[0], [1]]) and not lp.in_hull([Fr(3, 2)], [[0], [1]])
    cube = [[a, b, c] for a in (0, 1) for b in (0, 1) for c in (0, 1)]
    assert lp.in_hull([Fr(1, 3), Fr(1, 2), Fr(2, 3)], cube)
    assert not lp.in_hull([Fr(1, 3), Fr(1, 2), Fr(-1, 100)], cube)


FAN = [(Fr(a), Fr(b)) for a in range(-40, 41) for b in range(-40, 41)
       if (a, b) != (0, 0) and max(abs(a), abs(b)) == 40]     # 320 directions on a square


def cone_by_fan(A) -> bool:
    return any(all(r[0] * d[0] + r[1] * d[1] < 0 for r in A) for d in FAN)


def test_open_cones_agree_with_a_fan_of_directions():
    rng = random.Random(3)
    seen = {True: 0, False: 0}
    for _ in range(150):
        A = [[rng.randint(-2, 2), rng.randint(-2, 2)] for _ in range(rng.randint(1, 4))]
        want = cone_by_fan(A)
        assert lp.strictly_feasible(A) == want, A
        seen[want] += 1
    assert min(seen.values()) >= 20


def test_open_cells_of_affine_forms():
    x, y = sp.symbols("x y", real=True)
    # x > 0, y > 0, x + y < 1: nonempty, (1/3, 1/3) is inside
    forms, signs = [x, y, x + y - 1], [1, 1, -1]
    assert lp.open_cell(forms, signs, [x, y]) is True
    assert all(s * u.subs({x: sp.Rational(1, 3), y: sp.Rational(1, 3)}) > 0 for u, s in zip(forms, signs))
    # x > 0, y > 0, x + y < 0: the three add to 0 > 0, a Farkas certificate of emptiness
    assert lp.open_cell([x, y, x + y], [1, 1, -1], [x, y]) is False
    # x > 1 with 2 - x >= 0 is open and nonempty (3/2), but x > 2 with 2 - x >= 0 is empty
    assert lp.open_cell([x - 1], [1], [x], nonstrict=[2 - x]) is True
    assert lp.open_cell([x - 2], [1], [x], nonstrict=[2 - x]) is False
    # a form that is not affine is not decided
    assert lp.open_cell([x * y], [1], [x, y]) is None


def test_open_cells_agree_with_an_exact_grid_both_ways():
    """A grid point in the cell proves it nonempty; lp saying 'empty' must then be wrong.
    The cases are fat (coefficients in [-2, 2], constants in [-2, 2]) so a grid of step
    1/4 over [-6, 6]^2 meets every nonempty cell."""
    x, y = sp.symbols("x y", real=True)
    rng = random.Random(8)
    grid = [(Fr(i, 4), Fr(j, 4)) for i in range(-24, 25) for j in range(-24, 25)]
    seen = {True: 0, False: 0}
    for _ in range(60):
        rows = [(rng.randint(-2, 2), rng.randint(-2, 2), rng.randint(-2, 2)) for _ in range(rng.randint(1, 3))]
        rows = [r for r in rows if r[:2] != (0, 0)] or [(1, 0, 0)]
        signs = [rng.choice((1, -1)) for _ in rows]
        got = lp.open_cell([a * x + b * y + c for a, b, c in rows], signs, [x, y])
        found = any(all(s * (a * px + b * py + c) > 0 for (a, b, c), s in zip(rows, signs)) for px, py in grid)
        assert got == found, (rows, signs)
        seen[found] += 1
    assert min(seen.values()) >= 5


def test_linear_rows_reads_affine_forms():
    x, y = sp.symbols("x y", real=True)
    rows = lp.linear_rows([3 * x - y / 2 + 1, sp.Integer(4)], [x, y])
    assert rows == [([3, sp.Rational(-1, 2)], 1), ([0, 0], 4)]
    assert lp.linear_rows([sp.sin(x)], [x]) is None


def test_feasibility_in_three_dimensions_agrees_with_vertex_enumeration():
    """A rank-3 system in space is feasible iff some intersection of three of its planes
    satisfies every row (exact Fractions, by Cramer's rule)."""
    def solve3(rows, rhs):
        det = lambda M: (M[0][0] * (M[1][1] * M[2][2] - M[1][2] * M[2][1])  # noqa: E731
                         - M[0][1] * (M[1][0] * M[2][2] - M[1][2] * M[2][0])
                         + M[0][2] * (M[1][0] * M[2][1] - M[1][1] * M[2][0]))
        d = det(rows)
        if d == 0:
            return None
        out = []
        for k in range(3):
            Mk = [[rhs[i] if j == k else rows[i][j] for j in range(3)] for i in range(3)]
            out.append(Fr(det(Mk), d))
        return out

    rng = random.Random(30)
    seen = {True: 0, False: 0}
    for _ in range(120):
        m = rng.randint(3, 6)
        A = [[rng.randint(-2, 2) for _ in range(3)] for _ in range(m)]
        b = [rng.randint(-3, 3) for _ in range(m)]
        vertices = [solve3([A[i] for i in idx], [b[i] for i in idx]) for idx in itertools.combinations(range(m), 3)]
        if all(v is None for v in vertices):
            continue          # rank < 3: no vertex to enumerate
        want = any(v is not None and satisfies(A, b, v) for v in vertices)
        x = lp.feasible(A, b)
        assert (x is not None) == want, (A, b)
        if x is not None:
            assert satisfies(A, b, x)
        seen[want] += 1
    assert min(seen.values()) >= 15
