"""Exact linear feasibility, in rational arithmetic.

The engine asks small questions of the form "is there x with A x <= b?" (which sign
cells occur, whether a point is a convex combination of others).  SymPy 1.14's
``lpmax`` can return an infeasible point instead of reporting infeasibility, so the
answer here comes from a small two-phase simplex over Fractions with Bland's rule (no
cycling), and a feasible answer is returned with its witness, re-checked exactly.
"""
from __future__ import annotations

from fractions import Fraction

import sympy as sp

from .errors import Unsupported


def _frac(v) -> Fraction:
    if isinstance(v, Fraction):
        return v
    if isinstance(v, int):
        return Fraction(v)
    if getattr(v, "is_Rational", False):        # SymPy rationals carry p and q
        return Fraction(int(v.p), int(v.q))
    # an irrational coefficient (a switch of sin(pi x) has slope pi): exact rational
    # simplex cannot take it, and a float one would guess
    raise Unsupported(f"not decided: the cells of these kinks have an irrational coefficient ({v})")


def feasible(A: list, b: list):
    """A point x (free variables) with A x <= b, or None when there is none."""
    m = len(A)
    n = len(A[0]) if m else 0
    A = [[_frac(v) for v in row] for row in A]
    b = [_frac(v) for v in b]
    # x = xp - xm, slack s >= 0; rows with b < 0 are negated and get an artificial variable
    cols = 2 * n + m
    rows, rhs, basis = [], [], []
    art = []
    for i in range(m):
        row = A[i] + [-v for v in A[i]] + [Fraction(int(k == i)) for k in range(m)]
        r = b[i]
        if r < 0:
            row = [-v for v in row]
            r = -r
            art.append(i)
        rows.append(row)
        rhs.append(r)
    # artificial columns for the negated rows
    total = cols + len(art)
    for i, row in enumerate(rows):
        row.extend(Fraction(int(j == i)) for j in art)
    for i in range(m):
        if i in art:
            basis.append(cols + art.index(i))
        else:
            basis.append(2 * n + i)
    # phase 1: minimise the sum of artificials
    cost = [Fraction(0)] * cols + [Fraction(1)] * len(art)
    if art and not _simplex(rows, rhs, basis, cost, total):
        return None
    if any(basis[i] >= cols and rhs[i] != 0 for i in range(m)):
        return None
    x = [Fraction(0)] * total
    for i, j in enumerate(basis):
        x[j] = rhs[i]
    point = [x[j] - x[n + j] for j in range(n)]
    for row, r in zip(A, b):            # the witness, re-checked
        if sum(a * v for a, v in zip(row, point)) > r:
            raise ArithmeticError("simplex returned a point outside the polyhedron")
    return point


def _simplex(rows, rhs, basis, cost, total) -> bool:
    """Minimise cost over the tableau in place (Bland's rule); True when the optimum is 0."""
    m = len(rows)
    for _ in range(10_000):
        # reduced costs
        duals = [cost[basis[i]] for i in range(m)]
        entering = None
        for j in range(total):
            if j in basis:
                continue
            red = cost[j] - sum(duals[i] * rows[i][j] for i in range(m))
            if red < 0:
                entering = j
                break
        if entering is None:
            value = sum(cost[basis[i]] * rhs[i] for i in range(m))
            return value == 0
        leave, best = None, None
        for i in range(m):
            a = rows[i][entering]
            if a > 0:
                ratio = rhs[i] / a
                if best is None or ratio < best or (ratio == best and basis[i] < basis[leave]):
                    leave, best = i, ratio
        if leave is None:
            return False          # unbounded in phase 1 cannot happen (cost >= 0); be safe
        pivot = rows[leave][entering]
        rows[leave] = [v / pivot for v in rows[leave]]
        rhs[leave] = rhs[leave] / pivot
        for i in range(m):
            if i != leave and rows[i][entering] != 0:
                factor = rows[i][entering]
                rows[i] = [a - factor * c for a, c in zip(rows[i], rows[leave])]
                rhs[i] = rhs[i] - factor * rhs[leave]
        basis[leave] = entering
    raise ArithmeticError("simplex did not terminate")


def strictly_feasible(A: list) -> bool:
    """Is there x with A x < 0 componentwise (an open cone)?  By scaling, A x <= -1."""
    return feasible(A, [-1] * len(A)) is not None


def in_hull(point: list, generators: list) -> bool:
    """Is point a convex combination of the generators (all vectors of equal length)?"""
    k = len(generators)
    A, b = [], []
    for i in range(len(point)):
        A.append([g[i] for g in generators])
        b.append(point[i])
        A.append([-g[i] for g in generators])
        b.append(-point[i])
    A.append([1] * k)
    b.append(1)
    A.append([-1] * k)
    b.append(-1)
    for j in range(k):
        A.append([-int(i == j) for i in range(k)])
        b.append(0)
    return feasible(A, b) is not None


def linear_rows(forms: list, xs: list):
    """(coefficients, constant) of each affine form over the symbols xs, or None when a
    form is not affine with rational coefficients."""
    out = []
    for u in forms:
        u = sp.expand(u)
        coeffs = [sp.diff(u, x) for x in xs]
        const = u.xreplace({x: sp.Integer(0) for x in xs})
        if not all(c.is_Rational for c in coeffs + [const]):
            return None
        out.append((coeffs, const))
    return out


def open_cell(forms: list, signs: list, xs: list, nonstrict: list = ()) -> bool | None:
    """Is {z : s_k u_k(z) > 0 for all k, and v(z) >= 0 for v in nonstrict} non-empty?
    Homogenised with t >= 1 so that strictness becomes a margin.  None if not affine."""
    rows = linear_rows(list(forms) + list(nonstrict), xs)
    if rows is None:
        return None
    A, b = [], []
    for (w, c), s in zip(rows[:len(forms)], signs):
        A.append([-s * v for v in w] + [-s * c])
        b.append(-1)
    for w, c in rows[len(forms):]:
        A.append([-v for v in w] + [-c])
        b.append(0)
    A.append([0] * len(xs) + [-1])
    b.append(-1)
    return feasible(A, b) is not None
