"""Which lower-case letters are column vectors, guessed from how the input uses them
before shapes are inferred (x^T, A x, A x - b), with the coarse kinds of shapes.py;
the rest stay scalars.  Also x_1 beside a vector x, read as its first entry.
"""
from __future__ import annotations

import re

from . import primitives
from . import shapes as SH
from . import syntax as S
from .names import GREEK_NAMES


# a p-norm's subscript: \|x\|_3, \|x\|_{1.5}, \|x\|_{3/2}
_P_KIND = re.compile(r"[0-9]+(\.[0-9]+)?(/[0-9]+)?")


def guess_vectors(term: S.Term, b) -> set:
    """Lower-case letters that must be column vectors: transposed (x^T), multiplied on the
    left by a matrix (A x, x^T A x), or added to such a vector (A x - b).  The rest stay
    scalars, so max(x, 0) - max(-x, 0) keeps its scalar x."""
    vec: set = set()

    def name(t) -> str | None:
        # a letter, or a lower-case Greek name (θ^T x, ‖θ‖_2); σ is ReLU and π a number
        letter = len(t.name) == 1 if isinstance(t, S.Name) else False
        greek = isinstance(t, S.Name) and t.name in GREEK_NAMES and t.name not in ("sigma", "varsigma", "pi", "varpi")
        if isinstance(t, S.Name) and (letter or greek) and t.name.islower() and t.name not in b.values \
                and t.name not in b._entry_bases and b.special(t.name) is None and t.name != "e":
            return t.name
        return None

    def candidate(t) -> str | None:
        """The letter a transposed or multiplied term makes a vector: x, or x inside an
        entrywise map of it (σ(x)^T A σ(x), |x|^T A |x|)."""
        while _entrywise_of_one(t):
            t = t.args[0] if isinstance(t, S.Call) else t.arg
        return name(t)

    def additive(t, unwrap=True) -> list:
        """The letters a sum or difference is made of (w - v, 2w + b): each has its shape
        (and, with ``unwrap``, the letter inside an entrywise map, σ(x))."""
        if isinstance(t, S.BinOp) and t.op in ("+", "-"):
            return additive(t.left, unwrap) + additive(t.right, unwrap)
        if isinstance(t, S.Neg):
            return additive(t.arg, unwrap)
        if isinstance(t, S.BinOp) and t.op in ("*", "/") and isinstance(t.left if t.op == "*" else t.right, S.Num):
            return additive(t.right if t.op == "*" else t.left, unwrap)
        c = candidate(t) if unwrap else name(t)
        return [c] if c else []

    def kind(t) -> str:
        if isinstance(t, S.Name):
            if b.special(t.name) in ("ones", "eye"):
                return "matrix"
            if b.special(t.name) == "ones_vector":
                return "vector"
            if t.name in b.values:
                return SH.kind_of_shape(b.values[t.name].shape)
            if t.name[:1].isupper() or t.name in b._entry_bases:
                return "matrix"
            return "vector" if t.name in vec else "scalar"
        if isinstance(t, S.Transpose):
            c = candidate(t.arg)
            if c:
                vec.add(c)
            k = kind(t.arg)
            return SH.KIND_TRANSPOSE.get(k, k)
        if isinstance(t, S.Neg):
            return kind(t.arg)
        if _entrywise_of_one(t):
            return kind(t.args[0] if isinstance(t, S.Call) else t.arg)
        if isinstance(t, S.BinOp) and t.op == "*":
            ka = kind(t.left)
            c = candidate(t.right)
            if c and ka in ("matrix", "row"):
                vec.add(c)
            kc = kind(t.right)
            if ka == "scalar":
                return kc
            if kc == "scalar":
                return ka
            return SH.KIND_PRODUCT.get((ka, kc), "matrix")
        if isinstance(t, S.BinOp) and t.op == "hadamard":
            ka, kc = kind(t.left), kind(t.right)
            for side, other in ((t.left, kc), (t.right, ka)):
                c = candidate(side)
                if c and other in ("vector", "row"):
                    vec.add(c)             # y ⊙ (X w): y has the shape of X w
            return ka if ka != "scalar" else kc
        if isinstance(t, S.BinOp) and t.op in ("+", "-"):
            ka, kc = kind(t.left), kind(t.right)
            for side, other in ((t.left, kc), (t.right, ka)):
                c = candidate(side)
                if c and other == "vector":
                    vec.add(c)
            # only a bare name can have changed kind: re-reading whole sides would make a
            # long sum cost 2^terms
            ka = kind(t.left) if candidate(t.left) else ka
            kc = kind(t.right) if candidate(t.right) else kc
            return ka if ka != "scalar" else kc
        if isinstance(t, S.Norm) and (t.kind in ("2", "1", "inf", "") or _P_KIND.fullmatch(t.kind)):
            # ‖w - v‖_2, ‖w‖: nobody writes a norm of a number, so its letters are vectors
            vec.update(additive(t.arg))
        if isinstance(t, S.Inner) and not any(_differential(u) for u in (t.left, t.right)):
            # <w, x> of two letters is of two vectors; <G, dx>, the checker's reading of a
            # derivative claim, says nothing about shapes
            vec.update(additive(t.left, False) + additive(t.right, False))
        for v in t.__dict__.values() if isinstance(t, S.Term) else ():
            for x in (v if isinstance(v, tuple) else (v,)):
                if isinstance(x, S.Term):
                    kind(x)
                elif isinstance(x, tuple):
                    for y in x:
                        if isinstance(y, S.Term):
                            kind(y)
        return "scalar"

    for _ in range(4):            # to a fixed point: A x - b marks x, then b
        before = set(vec)
        kind(term)
        if vec == before:
            break
    return vec


def _entrywise_of_one(t) -> bool:
    """σ(u), |u|, exp(u): a map applied entry by entry to one argument, keeping its shape."""
    if isinstance(t, S.Abs):
        return True
    if isinstance(t, S.Call) and len(t.args) == 1:
        return t.spelling == "sigma" and t.name is None or primitives.lookup(t.name or "") is not None
    return False


def _differential(t) -> bool:
    """dx, dX or ∂0: a differential as written, or as the checker names it once lifted
    (parser names are one letter, Greek, or numbered, so 'dx' is never one)."""
    if isinstance(t, S.Differential):
        return True
    return isinstance(t, S.Name) and (t.name.startswith("∂") or t.name[:1] == "d" and len(t.name) > 1
                                      and t.name not in GREEK_NAMES and t.name[1:2] != "_")


def numbered_entries(term: S.Term, vectors: set, found: list) -> S.Term:
    """x_1 beside a vector x is its first entry (x^T x + 3 x_1), not a scalar of its own:
    the rewrite to the 0-based entry form keeps the letter lower-case."""
    def fn(t):
        if isinstance(t, S.Name) and "_" in t.name:
            base, _, k = t.name.partition("_")
            if base in vectors and k.isdigit() and int(k) >= 1:
                found.append(t.name)
                return S.Entry(base, (str(int(k) - 1), "0"), t.span, zero_based=True)
        return None
    return S.transform(term, fn)
