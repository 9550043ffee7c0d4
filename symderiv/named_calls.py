"""Calls f(a, ...) read into nodes: a primitive of the table (with its parameters and
their declared defaults), a matrix function that declares its spellings (symderiv/nodes),
and the few words read here (|A| as det A, logdet, max(u, 0) as ReLU, sqrt of a sum of
squares as a norm).
"""
from __future__ import annotations

from fractions import Fraction

import sympy as sp

from . import expr as E
from . import primitives
from . import syntax as S
from .errors import InputError, Unsupported
from .latex_words import canonical
from .scalar import Sw, prim
from .nodes import NAMED

STRUCTURAL_UNSUPPORTED = {"diag": "diag(.)", "vec": "vec(.)"}


def read_call(b, t: S.Call) -> E.Node:
    """A call f(a, ...) as a node (``b`` the builder): a primitive of the table, a matrix
    function that declares its spellings, or one of the few words read here."""
    if t.spelling.endswith("'"):
        return _derivative_of(b, t)
    word = b.function_word(t)
    if t.spelling in b.functions:
        b.note(f"\\{t.spelling} is {word} (--let {t.spelling}={word})")
    if word in ("max", "min") and len(t.args) > 2:
        # max(a, b, c) = max(max(a, b), c)
        inner = S.Call(t.name, t.spelling, t.args[:-1], t.span)
        return read_call(b, S.Call(t.name, t.spelling, (inner, t.args[-1]), t.span))
    if word in STRUCTURAL_UNSUPPORTED:
        raise Unsupported(f"{STRUCTURAL_UNSUPPORTED[word]} are not analysed yet", column=t.span[0], source=b.source)
    args = [b.node(a) for a in t.args]
    named = NAMED.get(word)
    if named is not None:
        # a matrix function that declares its spellings (symderiv/nodes: Node.word)
        arity = getattr(named, "arity", 1)
        if len(args) != arity:
            raise InputError(f"{word} takes one argument" if arity == 1 else f"{word} takes {arity} arguments",
                             column=t.span[0], source=b.source)
        return named.named(*args)
    if word == "bars":
        if args[0].is_scalar:
            return E.apply("abs", args[0])
        b.note("\\left|{A}\\right| of a square matrix read as det(A), as SymPy prints it")
        return E.det(args[0])
    if word == "logdet":
        if len(args) != 1:
            raise InputError(f"{t.spelling} takes one argument", column=t.span[0], source=b.source)
        return E.apply("log", E.det(args[0]))
    spec = primitives.lookup(word)
    if spec is None:
        raise InputError(f"unknown function {t.spelling}(...)", column=t.span[0], source=b.source)
    if isinstance(spec, primitives.Primitive):
        if word == "max" and len(args) == 2 and _is_zero_term(t.args[1]):
            return _relu(b, args[0], "max")
        if word == "max" and len(args) == 2 and _is_zero_term(t.args[0]):
            return _relu(b, args[1], "max")
        if word == "relu":
            style = "sigma" if t.spelling == "sigma" else ("max" if t.spelling in ("(.)_+", "(.)_-") else "relu")
            return _relu(b, args[0], style)
        args = _with_parameters(b, spec, args, t)
        if spec.note:
            b.note(f"convention: {spec.note}")
        if any(not a.is_scalar for a in args):
            b.note(f"{spec.name} is applied entrywise")
        return E.apply(spec.name, *args)
    if len(args) != 1:
        raise InputError(f"{t.spelling} takes one argument", column=t.span[0], source=b.source)
    if spec.name == "sqrt" and args[0].is_scalar:
        inner = args[0]
        M = E.squared_norm_of(inner)
        if M is not None:
            return E.fro_norm(M)
        stacked = _sum_of_squares_of_parts(inner)
        if stacked is not None:
            b.note("the square root of the sum of squares of the variables read as its 2-norm")
            return E.fro_norm(stacked)
    if not args[0].is_scalar:
        b.note(f"{spec.name} of a matrix is taken entrywise (not the matrix function)")
    return E.apply(spec.name, args[0])

def _derivative_of(b, t: S.Call) -> E.Node:
    """σ'(h) in a derivation (tokens reads it so only in statements): the entrywise
    derivative of the function's own scalar body, differentiated here, so σ' is H (with the
    engine's H(0) = 1/2, which the checker's kink points test) and tanh' is 1 - tanh^2."""
    base = t.spelling[:-1]
    if base.endswith("'"):
        raise Unsupported(f"{t.spelling}(...): only first derivatives of a function are read",
                          column=t.span[0], source=b.source)
    node = read_call(b, S.Call(canonical(base), base, t.args, t.span))
    if not (isinstance(node, E.Entrywise) and len(node.args) == 1):
        raise Unsupported(f"{t.spelling}(...): the derivative of a function that is not entrywise is not read",
                          column=t.span[0], source=b.source)
    # SymPy differentiates a primitive region by region, in the sign-form switch Sw(u); it
    # is written back as the primitive sign(u), so the kink stays visible to the checker
    # (an Sw in a body is no kink to it, and σ'(0) would pass as a value)
    d = sp.diff(node.expr, E.placeholder(0))
    d = d.replace(lambda a: isinstance(a, Sw), lambda a: prim("sign", a.args[0]))
    return E.ew(d, node.args, node.shape)


def _with_parameters(b, spec, args: list, t: S.Call) -> list:
    """Data arguments, then the parameters (alpha, bounds, thresholds): given, or the
    primitive's declared default, which a note then states."""
    total = spec.arity + len(spec.params)
    missing = spec.params[len(args) - spec.arity:] if len(args) >= spec.arity else spec.params
    if len(args) < spec.arity or len(args) > total or any(m not in spec.defaults for m in missing):
        want = f"{spec.arity}" + (f" (+ {', '.join(spec.params)})" if spec.params else "")
        raise InputError(f"{t.spelling} takes {want} argument(s), not {len(args)}",
                         column=t.span[0], source=b.source)
    for name in missing:
        args.append(E.const(spec.defaults[name]))
        b.note(f"{spec.name}: {name} = {spec.defaults[name]} (the default; give it as an argument)")
    for a in args[spec.arity:]:
        if not a.is_scalar:
            raise InputError(f"the parameters of {t.spelling} are scalars", column=t.span[0], source=b.source)
    given = [a.expr if isinstance(a, E.Entrywise) and not a.args else None for a in args[spec.arity:]]
    if spec.requires is not None and all(g is not None for g in given) and spec.requires(*given) is False:
        raise InputError(f"{t.spelling}: its parameters must satisfy {spec.note.split('assumes ')[-1]}",
                         column=t.span[0], source=b.source)
    return args

def _relu(b, a: E.Node, style: str) -> E.Node:
    b.styles.setdefault("relu", style)
    if not a.is_scalar:
        b.note("ReLU is applied entrywise")
    return E.apply("relu", a)


def _sum_of_squares_of_parts(node: E.Node):
    """sqrt(x^2 + y^2) with --wrt x,y: the radicand is the squared norm of the vector (x, y)."""
    if not (isinstance(node, E.Entrywise) and node.args and all(isinstance(a, E.Pick) for a in node.args)):
        return None
    vec = node.args[0].arg
    if not all(a.arg == vec and a.j == 0 for a in node.args) or len(node.args) != vec.shape[0] or vec.shape[1] != 1:
        return None
    if sp.expand(node.expr - sum(p ** 2 for p in node.placeholders())) != 0:
        return None
    return vec


def _is_zero_term(t: S.Term) -> bool:
    return isinstance(t, S.Num) and Fraction(t.text) == 0
