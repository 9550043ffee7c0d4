"""The autodiff cross-check: PyTorch's conventions at kinks against the exact answer.

PyTorch is installed by `make test` (the [autodiff] extra), so these run on CI; where it
is absent (after `make demo` alone) the tests that need it are skipped, saying why."""
from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from symderiv import analyze
from symderiv import autodiff
from tests import oracle


needs_torch = pytest.mark.skipif(importlib.util.find_spec("torch") is None,
                                 reason="PyTorch is not installed (the [autodiff] extra; `make test` installs it)")


def _compare(latex, at, lets=()):
    a = analyze(latex, at=at, let=list(lets))
    a.autodiff = autodiff.compare(a)
    return a


@needs_torch
def test_pytorch_is_wrong_where_kinks_cancel():
    """relu(x) - relu(-x) is x: derivative 1 at 0; PyTorch's relu'(0) = 0 gives 0."""
    a = _compare(r"\sigma(x) - \sigma(-x)", "0")
    ad = a.autodiff
    assert ad["available"] is True
    assert float(ad["gradient"].ravel()[0]) == 0.0
    assert a.point.differentiable and a.point.gradient[0, 0] == 1
    assert ad["in_clarke_set"] is False
    oracle.check_gradient(lambda X: float(np.maximum(X, 0).sum() - np.maximum(-X, 0).sum()),
                          np.zeros((1, 1)), np.ones((1, 1)), np.random.default_rng(0))


@needs_torch
@pytest.mark.parametrize("latex,at,lets", [
    (r"\max(x,0)", "0", ()),
    (r"|x|", "0", ()),
    (r"\|X\|_F", "[[0,0],[0,0]]", ()),
    (r"\sum_{i,j}|x_{ij}|", "[[0,1],[-2,3]]", ()),
    (r"\|\sigma(AX)\|_F^2", "[[1,-1],[0,2]]", ("A=[[1,2],[3,4]]",)),
    (r"\|\max(X,0)\|_F^2", "[[1,-2],[0,3]]", ()),
])
def test_pytorch_conventions_that_land_in_the_clarke_set(latex, at, lets):
    a = _compare(latex, at, lets)
    assert a.autodiff["in_clarke_set"] is True, a.autodiff


@needs_torch
def test_differentiable_points_agree_with_pytorch():
    a = _compare(r"\|\sigma(AX)\|_F^2", "[[1,-1],[0,2]]", ("A=[[1,2],[3,4]]",))
    assert np.allclose(a.autodiff["gradient"], np.asarray(a.point.gradient, dtype=float))


def test_without_pytorch_the_check_says_so(monkeypatch):
    monkeypatch.setattr(autodiff, "available", lambda: None)
    a = _compare(r"\max(x,0)", "0")
    assert a.autodiff["available"] is False and "not installed" in a.autodiff["message"]
