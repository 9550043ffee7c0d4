"""The API's docstring examples run (issue 14): what `help(symderiv.analyze)` shows is
what the API does.  The examples' answers are exact outputs of the engine; their
mathematics is checked by the numeric tests of tests/test_sympy_input.py."""
from __future__ import annotations

import doctest

import pytest

import symderiv
import symderiv.api


@pytest.mark.parametrize("module", [symderiv, symderiv.api], ids=["symderiv", "symderiv.api"])
def test_the_docstring_examples_run(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.attempted >= 5
    assert result.failed == 0


def test_help_shows_a_real_docstring():
    doc = symderiv.analyze.__doc__
    assert "see symderiv.api.analyze" not in doc
    for word in ("SymPy", "wrt", "at", "let", "gradient_sympy", "nondifferentiable_set_sympy", ">>>"):
        assert word in doc, word
