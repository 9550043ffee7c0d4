"""Algebra on sign forms: deciding zero, solving a switch, and reading back.

A sign form (built by ``scalar.to_sign_form``) is a polynomial in switch atoms Sw(u)
with smooth coefficients.  Each thing the engine does with one is a module here:

  * ``zero``: whether a sign form is identically 0 off its switches (exactly, with a
    bounded effort), and which sign cells of its switches occur;
  * ``switches``: the solutions of a switch u = 0 for a variable, and a sign form
    restricted to one;
  * ``read_back``: a sign form written with the table's primitives again, and where a
    jump is non-zero as simple conditions.

The package's names are the engine's vocabulary for sign forms, so callers import
them from here.
"""
from .read_back import nonzero_condition, prettify, tidy
from .switches import INTEGER, branches, coincident, linear_solution, restrict, roots_of
from .zero import feasible_cells, is_zero, reduce_cells

__all__ = ["INTEGER", "branches", "coincident", "feasible_cells", "is_zero", "linear_solution",
           "nonzero_condition", "prettify", "reduce_cells", "restrict", "roots_of", "tidy"]
