"""What the earlier lines of a derivation defined, and how a term reads in their light.

Names keep the conventions of the post: a bare ``\\sigma`` is the matrix σ(X) of the
question (X being the variable), a name introduced by ``S = sign(X)`` stands for its
right side from then on, and ``f(x) = ...`` defines a function that later lines apply
(``f(x + \\Delta x)``, which the parser reads as the product f·(x + Δx) since it cannot
know f is a function).

A world can also take some false claims as true (``rewrites``): the checker asks whether
a later step would hold in such a world to tell which earlier errors it builds on.
Everything here works on syntax trees, before shapes or meanings are decided.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from .. import syntax as S
from ..syntax import names_in, transform  # noqa: F401 - used here and by the checker's modules


@dataclass(frozen=True)
class Definition:
    name: str
    params: tuple            # () for a plain name, ('x',) for f(x) = ...
    body: S.Term             # already read in the world of its line
    step: int


def _bracketed(product: S.BinOp) -> bool:
    """Whether the right factor of a product was written in brackets, g(X) rather than
    g\\,dg: the product's span runs past its right factor only where a bracket closes."""
    return product.span[1] > product.right.span[1]


def substitute_names(term, mapping: dict, bound: frozenset = frozenset()):
    """Replace names by terms (a function's parameters by its arguments).  Inside a sum
    or a max over i, x_i of a parameter x is the entry i of the argument: f(x + c1) of
    f(x) = \\log\\sum_i e^{x_i} has (x + c1)_i there; left alone, x_i kept speaking of x
    and f(x + c1) was read f(x).  An x_0 outside such a sum is a name of its own."""
    def fn(t):
        if isinstance(t, S.Name):
            if t.name in mapping:
                return mapping[t.name]
            base, _, index = t.name.partition("_")
            if index in bound and base in mapping:
                arg = mapping[base]
                if isinstance(arg, S.Name):
                    return S.Name(f"{arg.name}_{index}", t.span)
                return S.GroupEntry(arg, (index,), t.span)
            return None
        if isinstance(t, (S.Sum, S.Reduce)):
            return replace(t, body=substitute_names(t.body, mapping, bound | frozenset(t.indices)))
        return None
    return transform(term, fn)


def entrywise_quotients(body, param: str):
    """A function defined on numbers, σ(t) = 1/(1 + e^{-t}), applied to a vector acts entry
    by entry: a quotient whose denominator holds the parameter becomes the numerator times
    the denominator's entrywise inverse (a division by a vector would be refused), the same
    number where the argument is one."""
    def fn(t):
        if isinstance(t, S.BinOp) and t.op == "/" and param in names_in(t.right):
            num, den = entrywise_quotients(t.left, param), entrywise_quotients(t.right, param)
            inverse = S.BinOp("hpow", den, S.Neg(S.Num("1")), t.span)
            return S.BinOp("hadamard" if param in names_in(t.left) else "*", num, inverse, t.span)
        return None
    return transform(body, fn)


# 'where $\sigma$ is the logistic sigmoid', 'the sigmoid $\sigma$': σ named in words is
# σ(t) = 1/(1 + e^{-t}), not the ReLU a bare σ is in this tool
_SIGMOID_WORDS = re.compile(r"\$\s*\\sigma\s*\$\s*(?:is|denotes|be)\s+the\s+(?:logistic\s+)?(?:sigmoid|logistic function)"
                            r"|(?:logistic|sigmoid)\s+(?:function\s+)?\$\s*\\sigma\s*\$", re.I)
SIGMOID = r"1/(1 + e^{-t})"


# the post writes σ's formula itself ('$$\sigma(z) = \frac{1}{1+e^{-z}}$$'): that line defines it
_SIGMA_WRITTEN = re.compile(r"(?:^|\$|\\\[|&|\n)\s*\\sigma\s*\(\s*[a-z]\s*\)\s*:?=")


def names_the_sigmoid(text: str) -> bool:
    """Whether σ is the sigmoid by the post's words alone (no line of it defines σ)."""
    return bool(_SIGMOID_WORDS.search(text)) and not _SIGMA_WRITTEN.search(text)


# functions ML posts use without defining them, as the formula of their parameter q (exp(q)
# rather than e^q, which a square q would make the matrix exponential)
_KNOWN_BODIES = {"softmax": r"\frac{\exp(q)}{\mathbf{1}^T \exp(q)}"}


def _known_body(name: str) -> S.Term:
    from ..parse import parse            # lazy: the parser imports the checker's modules
    return parse(_KNOWN_BODIES[name]).term


@dataclass
class World:
    variable: str | None                       # 'X' or 'x': what a bare \sigma is applied to
    defs: dict = field(default_factory=dict)   # name -> Definition
    rewrites: tuple = ()                       # ((pattern, replacement, step), ...)
    quantities: frozenset = frozenset()        # names the post compares with numbers (σ > 0)
    folds: tuple = ()                          # ((term, name), ...): see ``holding``

    def assuming(self, rewrites) -> "World":
        return World(self.variable, self.defs, tuple(rewrites), self.quantities, self.folds)

    def holding(self, name: str) -> "World":
        """The world of ∂L/∂a where a = σ(h) is a quantity the post defined (backprop):
        a is a variable of its own, and wherever what it stands for occurs (in L, in
        r = W a - y) it is read as a, so L is differentiated in a with the rest fixed."""
        d = self.defs[name]
        defs = {k: v for k, v in self.defs.items() if k != name}
        return World(self.variable, defs, self.rewrites, self.quantities, self.folds + ((d.body, S.Name(name)),))

    def is_quantity(self, name: str) -> bool:
        """A name an earlier line defined as a quantity (a = σ(h)), not a function."""
        d = self.defs.get(name)
        return d is not None and not d.params

    def folded(self, term) -> bool:
        """Whether reading ``term`` meets what a held quantity stands for."""
        found = []
        resolved = self._resolve(term)
        for pattern, name in self.folds:
            transform(resolved, lambda t, p=pattern: found.append(t) if t == p else None)
        return bool(found)

    def define(self, name: str, params: tuple, body: S.Term, step: int):
        self.defs[name] = Definition(name, params, body, step)

    def is_function(self, name: str) -> bool:
        d = self.defs.get(name)
        return d is not None and len(d.params) == 1

    # -- reading a term -------------------------------------------------------------

    def read(self, term):
        """The term with bare \\sigma resolved, definitions substituted, and (in a
        hypothetical world) the assumed claims applied."""
        term = self._resolve(term)
        for pattern, name in self.folds:
            term = transform(term, lambda t, p=pattern, n=name: n if t == p else None)
        # one pass, after the definitions are in: a replacement is never rewritten again
        for pattern, replacement, _ in self.rewrites:
            term = transform(term, lambda t, p=pattern, r=replacement: r if t == p else None)
        return term

    def _resolve(self, term):
        def fn(t):
            if isinstance(t, S.BinOp) and t.op == "*":
                applied = self._apply(t)
                if applied is not None:
                    return applied
            if isinstance(t, S.Call) and t.spelling.endswith("'") and (
                    t.spelling.rstrip("'") in self.defs or t.spelling.rstrip("'") in self.quantities):
                # σ'(h) where the post defines σ itself (a sigmoid): the builder would take
                # the derivative of the tool's σ, ReLU, which is another function.  A call
                # no builder knows: the step that uses it is 'unverified', naming it
                return S.Call(None, f"{t.spelling} (of the post's own {t.spelling.rstrip(chr(39))})", t.args, t.span)
            if isinstance(t, S.Call) and t.name is None and t.spelling in _KNOWN_BODIES and len(t.args) == 1 \
                    and t.spelling not in self.defs:
                # softmax(z) is e^z / 1ᵀe^z: the builder knows no softmax, and posts on
                # softmax regression use it without defining it
                return substitute_names(_known_body(t.spelling), {"q": self._resolve(t.args[0])})
            if isinstance(t, S.Call) and t.name is None and self.is_function(t.spelling) and len(t.args) == 1:
                d = self.defs[t.spelling]        # σ(z) where the post defined σ itself
                return substitute_names(entrywise_quotients(d.body, d.params[0]),
                                        {d.params[0]: self._resolve(t.args[0])})
            if isinstance(t, S.Name):
                d = self.defs.get(t.name)
                if d is not None and t.name == "sigma" and len(d.params) == 1 and self.variable is not None:
                    return substitute_names(d.body, {d.params[0]: S.Name(self.variable, t.span)})
                if d is not None:
                    return d.body
                if t.name == "sigma" and self.variable is not None and "sigma" not in self.quantities:
                    return S.Call(None, "sigma", (S.Name(self.variable, t.span),), t.span)
            return None
        return transform(term, fn)

    def _apply(self, t: S.BinOp):
        """f(arg) read as a product f·arg, when f is a defined function of one argument;
        also 2 f(arg), whose product tree is (2·f)·arg."""
        left, right = t.left, t.right
        prefix = None
        if isinstance(left, S.BinOp) and left.op == "*" and isinstance(left.right, S.Name):
            prefix, left = left.left, left.right
        if not (isinstance(left, S.Name) and self.is_function(left.name)):
            return None
        d = self.defs[left.name]
        if isinstance(right, S.Pow) and right.span[0] < right.base.span[0]:
            # f(x)^2, parsed f·(x)^2: the power is of f's value, not of its argument
            applied = substitute_names(entrywise_quotients(d.body, d.params[0]), {d.params[0]: self._resolve(right.base)})
            body = S.Pow(applied, self._resolve(right.exp), right.span)
        elif _bracketed(t):
            body = substitute_names(entrywise_quotients(d.body, d.params[0]), {d.params[0]: self._resolve(right)})
        else:
            return None
        if prefix is None:
            return body
        return S.BinOp("*", self._resolve(prefix), body, t.span)
