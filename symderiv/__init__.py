"""symderiv: is f differentiable, where does it fail, what is its gradient, and what
are its subgradients where it fails?

The public API is four functions; everything else is internal.

    analyze(expr, wrt=None, at=None, let=None, shape=None, route="both") -> Analysis
    derive(expr, wrt=None, let=None) -> str       # a LaTeX document
    check(text) -> ...                            # the hand-derivation checker
    check_many(posts, jobs=1) -> [...]            # check for many posts, in worker processes

``expr`` is LaTeX text or a SymPy object; points and values are text, numbers, nested
lists, NumPy arrays or SymPy matrices.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:                      # only for type checkers: the import below stays lazy
    from .api import Analysis

__version__ = "0.1.0"

__all__ = ["analyze", "derive", "check", "check_many", "__version__"]


def analyze(expr: Any, **kwargs: Any) -> Analysis:
    r"""Analyse a scalar function f of a matrix, vector or scalar variable.

    ``expr`` is LaTeX (as ``symderiv diff`` reads it, what ``sympy.latex`` prints
    included) or a SymPy expression: Abs, Max, Min, Heaviside, sign, Piecewise, exp, log,
    sin, ... of Symbols, and MatrixSymbol products, sums, transposes, Trace, Determinant,
    HadamardProduct and ``X.applyfunc(f)``.  A SymPy object is read by walking its tree,
    never through its printed text.

    Keywords: ``wrt`` (the variable: a name, a SymPy symbol, or a list of scalars),
    ``at`` (a point: text as --at reads it, a number, nested lists, a NumPy array or a
    SymPy matrix), ``direction`` (with ``at``: D for f'(X; D)), ``let`` (constants, a dict
    {name: value}), ``shape`` ((m, n); a MatrixSymbol with numeric sizes gives it),
    ``route`` ('both', 'sign' or 'direct'), ``timeout`` (seconds of the last-resort guard).

    The result's parts: ``differentiable_everywhere``, ``gradient_text``,
    ``gradient_latex``, ``gradient_sympy``, ``hessian_sympy``, ``nondifferentiable_set``
    and ``nondifferentiable_set_sympy`` (a SymPy boolean; ``false`` where f is
    differentiable everywhere), and with ``at``: ``point`` (value, gradient, Clarke
    subdifferential) and ``point_gradient_sympy``.

    >>> import sympy as sp
    >>> import symderiv
    >>> x, y = sp.symbols("x y")
    >>> a = symderiv.analyze(sp.Abs(x) * y, wrt=[x, y])
    >>> a.differentiable_everywhere, a.nondifferentiable_set
    (False, 'x = 0 and y ≠ 0')
    >>> a.nondifferentiable_set_sympy
    Eq(x, 0) & Ne(y, 0)
    >>> X = sp.MatrixSymbol("X", 2, 2)
    >>> b = symderiv.analyze(sp.Trace(X.applyfunc(sp.Abs)), at=[[0, -1], [1, 2]])
    >>> b.gradient_text
    'I ⊙ sign(X)'
    >>> b.nondifferentiable_set_sympy
    Eq(X[0, 0], 0) | Eq(X[1, 1], 0)
    >>> b.point.differentiable
    False
    >>> symderiv.analyze(r"\|\max(X,0)\|_F^2").gradient_sympy
    2*Lambda(_d, Max(0, _d)).(X)
    """
    from .api import analyze as _analyze  # lazy: `import symderiv` (and --help) stays free of SymPy/NumPy
    return _analyze(expr, **kwargs)


def derive(expr: Any, **kwargs: Any) -> str:
    r"""The LaTeX document ``symderiv derive`` writes: the derivation of f's gradient by
    both routes, where f is not differentiable, and its class.  ``expr`` and the keywords
    are those of ``analyze`` (LaTeX or a SymPy object).

    >>> import sympy as sp
    >>> import symderiv
    >>> doc = symderiv.derive(sp.Abs(sp.Symbol("x")))
    >>> doc.startswith(r"\documentclass")
    True
    """
    from .api import analyze as _analyze  # lazy: `import symderiv` (and --help) stays free of SymPy/NumPy
    from .render.latex import document    # lazy: likewise
    return document(_analyze(expr, **kwargs))


def check(text: str, **kwargs: Any) -> Any:
    r"""Check a hand derivation (Markdown or LaTeX text) step by step; see
    symderiv.checker.check.  Returns a report whose ``steps`` carry the verdicts and whose
    ``first_error`` is the index of the first false step (or None).

    >>> import symderiv
    >>> report = symderiv.check(r"$$f(x) = x^2$$ $$\nabla f(x) = 3x$$")
    >>> report.first_error is not None
    True
    """
    from .checker import check as _check  # lazy: `import symderiv` (and --help) stays free of SymPy/NumPy
    return _check(text, **kwargs)


def check_many(posts: Any, jobs: int | None = 1, **kwargs: Any) -> list:
    r"""``check`` for many posts, in ``jobs`` worker processes (None: one per core), the
    reports in the posts' order and the same for every ``jobs``.  Each post is a ``str``
    (its text) or a ``pathlib.Path`` (a file, read as ``symderiv check FILE`` reads it).
    Keywords: ``timeout`` (seconds of each post's guard), ``errors`` ("raise": the first
    failing post's InputError or Unsupported, once all are checked; "return": that
    error in the post's place); see symderiv.batch.

    >>> import symderiv
    >>> [r.first_error for r in symderiv.check_many([r"$$|x| = x$$", r"$$x^2 = x x$$"])]
    [1, None]
    """
    from .batch import check_many as _check_many  # lazy: `import symderiv` stays free of SymPy/NumPy
    return _check_many(posts, jobs=jobs, **kwargs)
