"""symderiv: is f differentiable, where does it fail, what is its gradient, and what
are its subgradients where it fails?

The public API is three functions; everything else is internal.

    analyze(expr, wrt=None, at=None, let=None, shape=None, route="both") -> Analysis
    derive(expr, wrt=None, let=None) -> str       # a LaTeX document
    check(text) -> ...                            # the hand-derivation checker
"""
__version__ = "0.1.0"

__all__ = ["analyze", "derive", "check", "__version__"]


def analyze(expr, **kwargs):
    """Analyse a LaTeX expression; see symderiv.api.analyze."""
    from .api import analyze as _analyze  # lazy: `import symderiv` (and --help) stays free of SymPy/NumPy
    return _analyze(expr, **kwargs)


def derive(expr, **kwargs) -> str:
    """The LaTeX document `symderiv derive` writes."""
    from .api import analyze as _analyze  # lazy: `import symderiv` (and --help) stays free of SymPy/NumPy
    from .render.latex import document    # lazy: likewise
    return document(_analyze(expr, **kwargs))


def check(text, **kwargs):
    """Check a hand derivation (Markdown or LaTeX text) step by step; see symderiv.checker.check.
    Returns a report whose ``steps`` carry the verdicts and whose ``first_error`` is the
    index of the first false step (or None)."""
    from .checker import check as _check  # lazy: `import symderiv` (and --help) stays free of SymPy/NumPy
    return _check(text, **kwargs)
