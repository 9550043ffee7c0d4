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
