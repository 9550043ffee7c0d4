"""What a post's chains say about its names, read over the whole document before any
step is checked, and the reading of a step's sides in that light.

  * which names lines further down define (math in a sentence that speaks of one is
    prose, not a step), and whether a line about σ, J or I takes the name over;
  * which names vary (the derivation writes their differential) and which are used
    plainly (a df of an f never used plainly is undefined);
  * which built-in names a condition compares with a number (there, quantities);
  * whether ``d`` before a sum is a differential or the post's number d.
"""
from __future__ import annotations

from .. import syntax as S
from .reading import Expr, Gradient, Limit
from .redefine import SPECIAL, may_redefine
from .world import names_in, transform


def syntax_terms(term) -> list:
    """The syntax terms inside one term of a chain."""
    if isinstance(term, Expr):
        return [term.term]
    if isinstance(term, Gradient):
        return [term.of] + ([S.Name(term.var)] if term.var else [])
    if isinstance(term, Limit):
        return [term.body]
    return []


def left_name(term):
    """The name a line would define: f in 'f = ...' or 'f(x) = ...'."""
    if isinstance(term, Expr):
        if term.head is not None:
            return term.head[0]
        if isinstance(term.term, S.Name):
            return term.term.name
    return None


def defined_later(chains) -> list:
    """For each equation, the names that displayed lines after it put on their left."""
    out, later = [], set()
    for eq, chain in reversed(chains):
        out.append(set(later))
        if chain is not None and eq.display and chain.terms and chain.terms[0] is not None:
            name = left_name(chain.terms[0])
            if name in SPECIAL and not takes_over(chain):
                continue           # '\sigma(x) = (x + |x|)/2' is a claim about ReLU, not a definition
            if name is not None:
                later.add(name)
    return out[::-1]


def takes_over(chain) -> bool:
    """Whether a line 'σ(z) = ...' or 'J(w) = ...' defines the built-in name anew."""
    first, right = chain.terms[0], chain.terms[1] if len(chain.terms) > 1 else None
    params = first.head[1] if first.head is not None else ()
    body = right.term if isinstance(right, Expr) else None
    return may_redefine(left_name(first), params, body, chain.ops[0] if chain.ops else "=")


def uses(chain, names) -> bool:
    """Whether a chain uses one of ``names`` other than as the name it defines itself; the
    parameters of a function it defines are its own (w in 'f(w) = ‖Xw - y‖' is not the w a
    later line solves for)."""
    if not names:
        return False
    used, bound = set(), set()
    for i, t in enumerate(chain.terms):
        if isinstance(t, Expr):
            found = names_in(t.term)
            if i == 0 and t.head is not None:
                bound = {t.head[0], *t.head[1]}
            elif i == 0 and isinstance(t.term, S.Name):
                found -= {t.term.name}
            used |= found
        elif isinstance(t, Gradient):
            used |= names_in(t.of)
    return bool((used - bound) & names)


def differentiated(chains) -> set:
    """Names whose differential the derivation writes (dX, dY, dx_{ij}): they vary."""
    found = set()

    def visit(t):
        if isinstance(t, S.Differential):
            if isinstance(t.arg, S.Name):
                found.add(t.arg.name)
            elif isinstance(t.arg, S.Entry):
                found.add(t.arg.base.upper() if t.arg.base.islower() else t.arg.base)
        return None
    for _, chain in chains:
        for t in (chain.terms if chain else ()):
            if isinstance(t, Expr):
                transform(t.term, visit)
    return found


def plain_names(chains) -> set:
    """Names the derivation uses outside differentials (X in dX = ... X ...): a dY of such
    a name is a variable's differential; a df of an f never used plainly is undefined.  The
    f of a line 'f(w) = ...' is a function being named, not a use."""
    found = set()
    for _, chain in chains:
        for i, t in enumerate(chain.terms if chain else ()):
            if isinstance(t, Expr):
                bare = transform(t.term, lambda u: S.Num("0") if isinstance(u, S.Differential) else None)
                names = names_in(bare)
                if i == 0 and t.head is not None:
                    names -= {t.head[0]}
                found |= names
    return found


def quantities(eqs) -> frozenset:
    """Built-in names (σ) that a condition of the post compares with a number ('Let
    $\\sigma > 0$ be the noise level'): there they are quantities, not functions."""
    found = set()
    for eq in eqs:
        for c in eq.conditions:
            found |= {t.name for t in c.statement.terms if isinstance(t, S.Name)}
    return frozenset(found & SPECIAL)


def scalar_d(side, left, right, names: set):
    """d\\sum_i x_i is a differential unless the post uses d as a number ('let $d$ be the
    dimension', (d - 1)\\sum_i x_i on the other side): then it is d times the sum."""
    if not isinstance(side, Expr):
        return side
    terms = [s.term for s in (left, right) if isinstance(s, Expr)]
    if "d" not in names and not any("d" in names_in(t) for t in terms):
        return side

    def fn(t):
        if isinstance(t, S.Differential) and isinstance(t.arg, S.Sum):
            return S.BinOp("*", S.Name("d", (t.span[0], t.span[0] + 1)), t.arg, t.span)
        return None
    term = transform(side.term, fn)
    return side if term is side.term else Expr(term, side.latex, side.head)
