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
    from .api import analyze as _analyze
    return _analyze(expr, **kwargs)


def derive(expr, **kwargs) -> str:
    """The LaTeX document `symderiv derive` writes."""
    from .api import analyze as _analyze
    from .render.latex import document
    return document(_analyze(expr, **kwargs))


def check(text, **kwargs):
    from .errors import Unsupported
    raise Unsupported("the hand-derivation checker is not available in this version yet")
