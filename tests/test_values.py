"""POINT and VALUE arguments are read exactly, and bad ones are clear errors."""
from fractions import Fraction

import numpy as np
import pytest

from symderiv.errors import InputError
from symderiv.values import load


def test_nested_lists_are_exact():
    a = load("[[1,-2],[0,3]]", "--at")
    assert a.shape == (2, 2) and a[0, 1] == -2 and isinstance(a[0, 0], int)
    b = load("[[0.1, 1/3], (2e-1, -4)]", "--at")
    assert b[0, 0] == Fraction(1, 10) and b[0, 1] == Fraction(1, 3) and b[1, 0] == Fraction(1, 5)


def test_scalars_and_vectors():
    assert load("0", "--at").shape == (1, 1)
    assert load("-2.5", "--at")[0, 0] == Fraction(-5, 2)
    v = load("[1, 2, 3]", "--at")
    assert v.shape == (3, 1)


def test_files(tmp_path):
    p = tmp_path / "x.npy"
    np.save(p, np.array([[0.1, 2.0], [3.0, -1.0]]))
    a = load(str(p), "--at")
    assert a[0, 0] == Fraction(1, 10) and a[1, 1] == -1
    j = tmp_path / "x.json"
    j.write_text("[[0.5, 1], [2, 0]]")
    b = load(str(j), "--at")
    assert b[0, 0] == Fraction(1, 2)


@pytest.mark.parametrize("bad", ["", "[[1,2],[3]]", "[1,[2]]", "[1,2", "abc", "[1;2]", "__import__('os')",
                                 "[[1,2],,[3,4]]", "1/0", "missing.npy"])
def test_malformed_values_are_input_errors(bad):
    with pytest.raises(InputError):
        load(bad, "--at")


PI = __import__("sympy").pi
HALF, THIRD = Fraction(1, 2), Fraction(1, 3)


@pytest.mark.parametrize("text,a,b", [
    ("pi/2", 0, HALF), (r"\pi/2", 0, HALF), ("π/2", 0, HALF), ("3pi/4 - 1", -1, Fraction(3, 4)),
    ("-2*pi", 0, -2), ("(1 + pi)/3", THIRD, THIRD), ("0.5 pi", 0, HALF),
])
def test_points_with_pi_are_exact(text, a, b):
    import mpmath
    import sympy as sp
    v = load(text, "--at")[0, 0]
    # exactly a + b*pi with rational a, b: no float inside, and equal to 40 digits to
    # the same number built by mpmath
    assert isinstance(v, sp.Expr) and not v.atoms(sp.Float) and v.free_symbols == set()
    assert sp.expand(v - (sp.Rational(a) + sp.Rational(b) * PI)) == 0
    mpmath.mp.dps = 40
    mp = lambda q: mpmath.mpf(Fraction(q).numerator) / Fraction(q).denominator  # noqa: E731
    want = mp(a) + mp(b) * mpmath.pi
    assert abs(mpmath.mpf(sp.N(v, 50)) - want) < mpmath.mpf("1e-35")


def test_points_with_pi_in_lists_and_bad_ones():
    import sympy as sp
    a = load("[pi, -pi/3, 1/2]", "--at")
    assert a.shape == (3, 1) and a[0, 0] == sp.pi and a[1, 0] == -sp.pi / 3 and a[2, 0] == Fraction(1, 2)
    with pytest.raises(InputError, match="divides by π"):
        load("1/pi", "--at")
    with pytest.raises(InputError):
        load("pi +", "--at")
    with pytest.raises(InputError):
        load("pi; __import__('os')", "--at")       # read, never evaluated
    from symderiv.errors import Unsupported
    with pytest.raises(Unsupported, match="power of π"):
        load("pi*pi", "--at")


def test_abs_cos_at_half_pi_has_the_clarke_set_minus_one_to_one():
    # |cos x| at x = π/2: cos(π/2) = 0 exactly, so the kink is decided there.  The oracle:
    # one-sided difference quotients of |cos x| at π/2, with mpmath at 40 digits
    import mpmath
    from symderiv.api import analyze
    p = analyze(r"|\cos x|", at="pi/2").point
    assert not p.differentiable
    mpmath.mp.dps = 40
    x0, h = mpmath.pi / 2, mpmath.mpf("1e-15")
    right = (abs(mpmath.cos(x0 + h)) - abs(mpmath.cos(x0))) / h
    left = (abs(mpmath.cos(x0)) - abs(mpmath.cos(x0 - h))) / h
    assert abs(right - 1) < 1e-12 and abs(left + 1) < 1e-12
    # the Clarke set of a 1-D function at a kink is [min slope, max slope] = [-1, 1]
    for g, inside in ((-1, True), (0, True), (1, True), (Fraction(11, 10), False), (Fraction(-11, 10), False)):
        assert p.subdifferential.contains(np.array([[g]], dtype=object)) is inside
