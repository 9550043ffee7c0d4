"""When a post's own line takes over a name symderiv reads in a fixed way (σ, J, I).

By the conventions of the question, a bare σ is ReLU, J the all-ones matrix and I the
identity.  A post may mean something else, and says so by defining the name:
  * J(w) = ..., I(x) = ...: the all-ones and identity matrices take no argument, so a
    line that applies the name to a parameter defines a function (a cost J(θ));
  * σ(z) = ... with ``:=``, or with a smooth right side that is not a polynomial in z
    (σ(z) = 1/(1 + e^{-z})): ReLU has a kink, so no such formula can be a claim about it
    that a post would make; a polynomial or kinked right side (σ(x) = x, σ(X) = ½(S + J))
    stays a claim about ReLU, to be checked.
"""
from __future__ import annotations

from .. import syntax as S
from ..primitives import Smooth, lookup
from .world import names_in, transform

# The names symderiv reads in a fixed way (σ, J, I, the ones vector): a line about one of
# them is a claim unless it takes the name over.
SPECIAL = {"J", "I", "sigma", "mathbf{1}"}
NO_ARGUMENT = {"J", "I"}
KINKED = (S.Abs, S.Norm, S.Indicator, S.Cases, S.Reduce)


def may_redefine(name: str, params: tuple, body, op: str) -> bool:
    if len(params) != 1:
        return False
    if name in NO_ARGUMENT:
        return True
    if name != "sigma" or body is None:
        return False
    return op == ":=" or (not _kinked(body) and _transcendental(body, params[0]))


def _kinked(term) -> bool:
    found = []

    def visit(t):
        if isinstance(t, KINKED):
            found.append(t)
        elif isinstance(t, S.Call):
            word = lookup(t.name or t.spelling)
            if t.spelling == "sigma" or (word is not None and not isinstance(word, Smooth)):
                found.append(t)
        return None
    transform(term, visit)
    return bool(found)


def _transcendental(term, param: str) -> bool:
    """Whether the term uses its parameter through exp, log, a root or a division."""
    found = []

    def visit(t):
        if isinstance(t, S.Call) and isinstance(lookup(t.name or t.spelling), Smooth) and param in names_in(t):
            found.append(t)
        elif isinstance(t, S.Pow) and param in names_in(t) and not (
                isinstance(t.exp, S.Num) and t.exp.text.isdigit()):
            found.append(t)
        elif isinstance(t, S.BinOp) and t.op == "/" and param in names_in(t.right):
            found.append(t)
        return None
    transform(term, visit)
    return bool(found)
