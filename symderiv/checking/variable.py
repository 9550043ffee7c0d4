"""Which name a derivation differentiates with respect to: its variable.

Every other name is held fixed in a line such as ``df = ...`` unless the post writes its
differential.  The post says which name varies in one of these ways, most explicit first:
  * it defines a function and then differentiates it: ``f(w) = ‖Xw - y‖²`` followed by
    ``df``, ``∇f`` or ``f'`` makes w the variable, and the data X, y constants;
  * it names the variable of a gradient: ``∇_w f``, ``∂f/∂W``, ``d/dx``;
  * it writes the differential of a name it does not define (``dw``);
and otherwise, as in the question symderiv was built for, the variable is X if the post
mentions X, else x.
"""
from __future__ import annotations

from .. import syntax as S
from .reading import Expr, Gradient, Label, Limit
from .world import names_in, transform


def choose(chains) -> str | None:
    heads: dict = {}             # function name -> its parameters, first definition first
    defined: set = set()         # names a line puts on its left
    differentiated: set = set()  # f in df, ∇f, f'
    wrt: list = []               # subscripts of gradients
    written: list = []           # names whose differentials are written
    names: set = set()
    for _, chain in chains:
        if chain is None:
            continue
        first = chain.terms[0]
        if isinstance(first, Expr) and chain.ops and chain.ops[0] in ("=", ":="):
            if first.head is not None:
                heads.setdefault(first.head[0], first.head[1])
                defined.add(first.head[0])
            elif isinstance(first.term, S.Name):
                defined.add(first.term.name)
        for t in chain.terms:
            if isinstance(t, Gradient):
                if t.var:
                    wrt.append(t.var)
                if isinstance(t.of, S.Name):
                    differentiated.add(t.of.name)
                names |= names_in(t.of)
            elif isinstance(t, Label):
                name, _, arg = t.parts()
                differentiated.add(name)
                if arg is not None and arg.isalpha():
                    names.add(arg)        # σ'(x) = 1 mentions x, though its right side does not
            elif isinstance(t, Expr):
                names |= names_in(t.term)
                for n in _differentials(t.term):
                    differentiated.add(n)
                    if n not in written:
                        written.append(n)
            elif isinstance(t, Limit):
                names |= names_in(t.body)
    for f, params in heads.items():
        if f in differentiated and len(params) >= 1:
            return params[0]
    # ∂L/∂a where the post defines a = σ(h) (backprop): a is held as a variable in that
    # step only, never the post's variable, or its own definition would be checked as a claim
    free_wrt = [w for w in wrt if w not in defined]
    if free_wrt:
        return free_wrt[0]
    fallback = "X" if "X" in names else ("x" if "x" in names else None)
    free = [n for n in written if n not in defined]
    if free and fallback not in free:
        return free[0]
    return fallback


def _differentials(term) -> list:
    found = []

    def visit(t):
        if isinstance(t, S.Differential) and isinstance(t.arg, S.Name):
            found.append(t.arg.name)
        return None
    transform(term, visit)
    return found
