"""The notebook tests/notebook/symderiv.ipynb, executed by a real Jupyter kernel (nbclient):
what a user sees there is what the results display (``_repr_markdown_``, ``_repr_latex_``,
the one-line ``repr``), and it says the right mathematics.

The displayed answers are cross-checked numerically: the seed's gradient 2 max(X, 0) by
central differences at random points, and |x| + max(x, 0) at 0 by its one-sided slopes
(-1 from the left, 2 from the right: the Clarke set [-1, 2])."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

nbformat = pytest.importorskip("nbformat", reason="nbformat is in the test extra (make test installs it)")
nbclient = pytest.importorskip("nbclient", reason="nbclient is in the test extra (make test installs it)")

NOTEBOOK = Path(__file__).resolve().parent / "notebook" / "symderiv.ipynb"


@pytest.fixture(scope="module")
def executed():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(nb, timeout=900, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    return [c for c in nb.cells if c.cell_type == "code"]


def _display(cell) -> dict:
    (out,) = [o for o in cell.outputs if o.output_type == "execute_result"]
    return out["data"]


def test_a_result_displays_itself(executed):
    data = _display(executed[0])
    md, latex, plain = data["text/markdown"], data["text/latex"], data["text/plain"]
    assert "is differentiable everywhere" in md.replace("**", "") or "differentiable everywhere" in md
    assert r"2 \max(X, 0)" in md and latex.startswith("$$")
    assert plain.startswith("<Analysis") and "C^1" in plain and len(plain) < 300
    assert _display(executed[1])["text/plain"] == "True"
    # the oracle: f = ||max(X,0)||_F^2 has gradient 2 max(X, 0)
    rng = np.random.default_rng(2)
    f = lambda X: float(np.sum(np.maximum(X, 0) ** 2))  # noqa: E731
    for _ in range(5):
        X, h = rng.normal(size=(3, 2)), 1e-6
        G = np.array([[(f(X + h * E) - f(X - h * E)) / (2 * h) for E in (np.eye(6)[k].reshape(3, 2) for k in
                      range(j * 2, j * 2 + 2))] for j in range(3)])
        assert np.allclose(G, 2 * np.maximum(X, 0), atol=1e-5)


def test_a_clarke_set_in_the_notebook(executed):
    md = _display(executed[2])["text/markdown"]
    assert "not differentiable here" in md and r"\partial f(x) = \{G : -1 \le G \le 2\}" in md
    f = lambda t: abs(t) + max(t, 0)  # noqa: E731
    h = 1e-9
    assert abs((f(h) - f(0)) / h - 2) < 1e-6 and abs((f(0) - f(-h)) / h + 1) < 1e-6


def test_a_checked_derivation_in_the_notebook(executed):
    data = _display(executed[3])
    assert data["text/plain"].startswith("<CheckReport") and "first error: step" in data["text/plain"]
    md = data["text/markdown"]
    assert "invalid" in md.lower()
    # the oracle: ∇f = 2X is false wherever X has a negative entry
    X = np.array([[-1.0]])
    assert 2 * np.maximum(X, 0)[0, 0] != 2 * X[0, 0]
