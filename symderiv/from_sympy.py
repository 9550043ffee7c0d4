"""SymPy objects -> the syntax tree the LaTeX reader produces (syntax.py).

A SymPy expression is read by walking its tree, node by node, into the same ``syntax``
terms that tree_to_syntax.py makes from LaTeX; from there the builder (build.py) decides
shapes and meanings exactly as it does for text.  Nothing here prints the object and
reads the text back (no str(), sympify or parse_expr): a SymPy tree already says what
each part is, and a printed form would lose that (sympy.latex prints sign(x) and
Heaviside(x) in words the reader must guess at).

What is read: numbers (Float as the shortest decimal that prints it, so 0.1 is 1/10),
Symbol, pi and E, Add, Mul, Pow, Abs, Max, Min, Heaviside, sign, Piecewise, exp, log,
sqrt, the trigonometric and hyperbolic functions the engine knows, relations inside a
Piecewise; MatrixSymbol, MatMul, MatAdd, MatPow, Transpose, Inverse, Trace,
Determinant, HadamardProduct, HadamardPower, an entry X[i, j] with numbers for indices,
Identity, and ElementwiseApplyFunction (``X.applyfunc(sin)``), whose body is applied
entry by entry.  Anything else is refused by name.
"""
from __future__ import annotations

from fractions import Fraction

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.hadamard import HadamardPower, HadamardProduct
from sympy.matrices.expressions.matexpr import MatrixElement

from . import syntax as S
from .errors import InputError, Unsupported

# SymPy function class -> (canonical word, spelling) as the reader gives them.
_CALLS = {
    sp.exp: ("exp", "exp"), sp.sin: ("sin", "sin"), sp.cos: ("cos", "cos"),
    sp.tanh: ("tanh", "tanh"), sp.sinh: ("sinh", "sinh"), sp.cosh: ("cosh", "cosh"),
    sp.atan: ("arctan", "arctan"), sp.sign: ("sign", "sign"), sp.Heaviside: ("heaviside", "H"),
}
_RELATIONS = {sp.StrictGreaterThan: ">", sp.GreaterThan: ">=", sp.StrictLessThan: "<",
              sp.LessThan: "<=", sp.Equality: "=", sp.Unequality: "!="}
MAX_DEPTH = 100             # as parse.MAX_TREE_DEPTH: deeper trees overflow whoever walks them


def is_sympy(obj) -> bool:
    """Whether ``obj`` is a SymPy expression (or matrix expression) to read with ``to_term``."""
    return isinstance(obj, sp.Basic)


def to_term(obj) -> S.Term:
    """The syntax tree of a SymPy expression (see the module docstring for what is read)."""
    if not isinstance(obj, sp.Basic):
        raise InputError(f"expected a SymPy expression, got {type(obj).__name__}")
    if isinstance(obj, (sp.MatrixBase,)):
        raise InputError("an explicit SymPy Matrix is not a function to analyse: build f from "
                         "MatrixSymbol objects (its value at a point goes in at=...)")
    return _Reader().term(obj, 0)


def name_of(obj) -> str:
    """The name a SymPy symbol (Symbol or MatrixSymbol) stands for, as the reader spells it."""
    if isinstance(obj, (sp.Symbol, sp.MatrixSymbol)):
        return _name(obj.name)
    raise InputError(f"expected a Symbol or MatrixSymbol, got {type(obj).__name__}")


def _name(text: str) -> str:
    """A SymPy symbol name as the reader's Name: a letter or Greek word, with an optional
    subscript of letters and digits (x_1, lambda, sigma_2); anything else is refused, as the
    reader would refuse its LaTeX."""
    from .names import GREEK_NAMES
    base, _, sub = text.partition("_")
    ok_base = (len(base) == 1 and base.isascii() and base.isalpha()) or base in GREEK_NAMES
    ok_sub = not sub or (sub.isascii() and sub.isalnum())
    if not (ok_base and ok_sub):
        raise InputError(f"the SymPy symbol name '{text}' is not one symderiv reads: use a letter or a "
                         "Greek letter's name, with an optional subscript such as x_1")
    return text


def _num(value) -> S.Term:
    """An exact number as the reader writes it: a numeral, a fraction, or its negation."""
    frac = Fraction(value)
    body: S.Term = S.Num(str(abs(frac.numerator)))
    if frac.denominator != 1:
        body = S.BinOp("/", body, S.Num(str(frac.denominator)))
    return S.Neg(body) if frac < 0 else body


class _Reader:
    def __init__(self):
        self.bound: dict = {}            # a Lambda's variable -> the matrix its body is applied to

    def term(self, e, depth: int) -> S.Term:
        if depth > MAX_DEPTH:
            raise InputError(f"the expression is nested more than {MAX_DEPTH} levels deep (a size limit)")
        d = depth + 1
        if e in self.bound:
            return self.bound[e]
        if isinstance(e, sp.Integer):
            return _num(int(e))
        if isinstance(e, sp.Rational):
            return _num(Fraction(int(e.p), int(e.q)))
        if isinstance(e, sp.Float):
            if not e.is_finite:
                raise InputError("the expression has a constant that is not a finite real number")
            return _num(Fraction(repr(float(e))))
        if e is sp.pi:
            return S.Name("pi")
        if e is sp.E:
            return S.Call("exp", "exp", (S.Num("1"),))
        if e in (sp.oo, -sp.oo, sp.zoo, sp.nan) or e is sp.I:
            raise InputError("the expression has a constant that is not a finite real number; "
                             "symderiv works over the reals")
        if isinstance(e, (sp.Symbol, sp.MatrixSymbol)):
            return S.Name(_name(e.name))
        if isinstance(e, (sp.Add, sp.MatAdd)):
            return self._sum(e, d)
        if isinstance(e, (sp.Mul, sp.MatMul)):
            return self._product(e, d)
        if isinstance(e, sp.Pow):
            return self._power(e.base, e.exp, d, matrix=False)
        if isinstance(e, sp.MatPow):
            return self._power(e.base, e.exp, d, matrix=True)
        if isinstance(e, sp.Inverse):
            return S.Pow(self.term(e.arg, d), S.Neg(S.Num("1")))
        if isinstance(e, sp.Transpose):
            return S.Transpose(self.term(e.arg, d))
        if isinstance(e, sp.Trace):
            return S.Call("trace", "tr", (self.term(e.arg, d),))
        if isinstance(e, sp.Determinant):
            return S.Call("det", "det", (self.term(e.arg, d),))
        if isinstance(e, HadamardProduct):
            return self._fold("hadamard", [self.term(a, d) for a in e.args])
        if isinstance(e, HadamardPower):
            return S.BinOp("hpow", self.term(e.base, d), self.term(e.exp, d))
        if isinstance(e, sp.Identity):
            return S.Name("I")
        if isinstance(e, MatrixElement):
            return self._entry(e)
        if isinstance(e, ElementwiseApplyFunction):
            return self._elementwise(e, d)
        if isinstance(e, sp.Abs):
            return S.Abs(self.term(e.args[0], d))
        if isinstance(e, (sp.Max, sp.Min)):
            word = "max" if isinstance(e, sp.Max) else "min"
            return S.Call(word, word, tuple(self.term(a, d) for a in _ordered(e.args)))
        if isinstance(e, sp.Heaviside):
            # SymPy's second argument is its value at 0; the engine's step is H(0) = 1/2
            # (a value at a single point changes no derivative where one exists, but it is f)
            if len(e.args) > 1 and e.args[1] != sp.Rational(1, 2):
                raise Unsupported(f"Heaviside with the value {e.args[1]} at 0: symderiv's step has H(0) = 1/2")
            return S.Call("heaviside", "H", (self.term(e.args[0], d),))
        if isinstance(e, sp.log):
            if len(e.args) != 1:
                raise Unsupported("a logarithm to another base: write log(x)/log(b)")
            return S.Call("log", "log", (self.term(e.args[0], d),))
        if isinstance(e, sp.Piecewise):
            return self._piecewise(e, d)
        if isinstance(e, sp.Function) and type(e) in _CALLS:
            name, spelling = _CALLS[type(e)]
            return S.Call(name, spelling, tuple(self.term(a, d) for a in e.args))
        if isinstance(e, tuple(_RELATIONS)):
            return S.Rel(_RELATIONS[type(e)], self.term(e.lhs, d), self.term(e.rhs, d))
        raise Unsupported(f"the SymPy object {type(e).__name__} is not read by symderiv (it reads "
                          "Abs, Max, Min, Heaviside, sign, Piecewise, exp, log, sin, cos, tanh, ... of "
                          "Symbols, and MatrixSymbol products, sums, Transpose, Trace, HadamardProduct "
                          "and applyfunc)")

    # -- sums and products ------------------------------------------------------------------

    def _sum(self, e, d) -> S.Term:
        out = None
        for a in _ordered(e.args):
            negative, magnitude = _split_sign(a)
            t = self.term(magnitude, d)
            if out is None:
                out = S.Neg(t) if negative else t
            else:
                out = S.BinOp("-" if negative else "+", out, t)
        return out

    def _product(self, e, d) -> S.Term:
        negative, magnitude = _split_sign(e)
        if negative:
            return S.Neg(self.term(magnitude, d))
        args = list(e.args)
        if isinstance(e, sp.Mul):
            # commutative scalar factors: numbers first, then the rest in SymPy's order
            args = _ordered(args)
        num, den = [], []
        for a in args:
            if isinstance(a, sp.Pow) and a.exp.is_Number and a.exp < 0 and not isinstance(e, sp.MatMul):
                den.append(self.term(a.base if a.exp == -1 else sp.Pow(a.base, -a.exp, evaluate=False), d))
            elif isinstance(a, sp.Rational) and not isinstance(a, sp.Integer) and a.p == 1:
                den.append(S.Num(str(int(a.q))))
            else:
                num.append(self.term(a, d))
        top = self._fold("*", num) if num else S.Num("1")
        return S.BinOp("/", top, self._fold("*", den)) if den else top

    def _power(self, base, exp, d, matrix: bool) -> S.Term:
        if base is sp.E:
            return S.Call("exp", "exp", (self.term(exp, d),))
        if exp == sp.Rational(1, 2) and not matrix:
            return S.Call("sqrt", "sqrt", (self.term(base, d),))
        if exp.is_Number and exp < 0 and not matrix:
            inner = self.term(base, d) if exp == -1 else self._power(base, -exp, d, matrix)
            return S.BinOp("/", S.Num("1"), inner)
        return S.Pow(self.term(base, d), self.term(exp, d))

    @staticmethod
    def _fold(op, terms) -> S.Term:
        out = terms[0]
        for t in terms[1:]:
            out = S.BinOp(op, out, t)
        return out

    # -- matrices ---------------------------------------------------------------------------

    def _entry(self, e) -> S.Term:
        parent, i, j = e.args
        if not isinstance(parent, sp.MatrixSymbol) or not (i.is_Integer and j.is_Integer):
            raise Unsupported("an entry X[i, j] is read only of a MatrixSymbol at numeric indices")
        return S.Entry(_name(parent.name), (str(int(i)), str(int(j))), zero_based=True)

    def _elementwise(self, e, d) -> S.Term:
        """f applied to each entry of X: the body of f's Lambda with its variable standing
        for X, its products and powers taken entry by entry."""
        fn, arg = e.function, e.expr
        target = self.term(arg, d)
        if not isinstance(fn, sp.Lambda):
            if isinstance(fn, type) and issubclass(fn, sp.Function):
                var = sp.Dummy("d")
                fn = sp.Lambda(var, fn(var))
            else:
                raise Unsupported("applyfunc with a function that is not a SymPy Lambda or function class")
        if len(fn.variables) != 1:
            raise Unsupported("applyfunc with a function of more than one variable")
        var = fn.variables[0]
        return _Entrywise(self, var, target).term(fn.expr, d)

    # -- piecewise --------------------------------------------------------------------------

    def _piecewise(self, e, d) -> S.Term:
        rows = []
        for value, cond in e.args:
            if cond is sp.true:
                rows.append((self.term(value, d), None))
                break
            rows.append((self.term(value, d), self._condition(cond, d)))
        return S.Cases(tuple(rows))

    def _condition(self, cond, d) -> S.Term:
        if isinstance(cond, tuple(_RELATIONS)):
            return S.Rel(_RELATIONS[type(cond)], self.term(cond.lhs, d), self.term(cond.rhs, d))
        if isinstance(cond, sp.And) and len(cond.args) == 2:
            chain = _chain(cond)
            if chain is not None:
                (op1, a, b), (op2, _, c) = chain
                return S.Rel(op2, S.Rel(op1, self.term(a, d), self.term(b, d)), self.term(c, d))
        raise Unsupported(f"the Piecewise condition {type(cond).__name__} is not read: symderiv reads a "
                          "comparison such as x > 0, or a chain a < x <= b")


class _Entrywise(_Reader):
    """The body of an elementwise map: its variable is the matrix, and a product or power
    of parts that hold the variable is taken entry by entry (sin(d) d is sin(X) ⊙ X)."""

    def __init__(self, outer: _Reader, var, target: S.Term):
        super().__init__()
        self.bound = {**outer.bound, var: target}
        self.var = var

    def _product(self, e, d) -> S.Term:
        negative, magnitude = _split_sign(e)
        if negative:
            return S.Neg(self.term(magnitude, d))
        const = [a for a in _ordered(e.args) if not a.has(self.var)]
        varying = [a for a in _ordered(e.args) if a.has(self.var)]
        parts = []
        if const:
            parts.append(super()._product(sp.Mul(*const, evaluate=False), d) if len(const) > 1
                         else self.term(const[0], d))
        if varying:
            parts.append(self._fold("hadamard", [self.term(a, d) for a in varying]))
        return self._fold("*", parts)

    def _power(self, base, exp, d, matrix: bool) -> S.Term:
        if base.has(self.var) and not exp.has(self.var) and base is not sp.E and exp != sp.Rational(1, 2):
            return S.BinOp("hpow", self.term(base, d), self.term(exp, d))
        if exp.has(self.var) and base is not sp.E:
            raise Unsupported("an entrywise power with the variable in the exponent (write it with exp)")
        return super()._power(base, exp, d, matrix)

    def _sum(self, e, d) -> S.Term:
        if any(not a.has(self.var) for a in e.args):
            raise Unsupported("an elementwise map that adds a constant (d + c) is not read: a constant "
                              "added to every entry has no matrix spelling here")
        return super()._sum(e, d)


def _split_sign(e):
    """(True, -e) when e is written with a leading minus (a negative coefficient), else (False, e)."""
    if isinstance(e, sp.Number):
        return (True, -e) if e < 0 else (False, e)
    if isinstance(e, (sp.Mul, sp.MatMul)):
        coeff = e.args[0]
        if isinstance(coeff, sp.Number) and coeff < 0:
            rest = e.args[1:]
            cls = type(e)
            if coeff == -1:
                out = rest[0] if len(rest) == 1 else cls(*rest, evaluate=False) if cls is sp.Mul \
                    else cls(*rest)
            else:
                out = cls(-coeff, *rest, evaluate=False) if cls is sp.Mul else cls(-coeff, *rest)
            return True, out
    return False, e


def _ordered(args):
    """Numbers first, then SymPy's own order of the arguments: a stable reading, the same
    for the same object."""
    nums = [a for a in args if isinstance(a, sp.Number)]
    return nums + [a for a in args if not isinstance(a, sp.Number)]


def _chain(cond):
    """a < x, x <= b (SymPy's And of a chain) as ((op, a, x), (op, x, b)), or None."""
    rels = []
    for r in cond.args:
        if not isinstance(r, tuple(_RELATIONS)) or _RELATIONS[type(r)] not in ("<", "<="):
            rels2 = None
            if isinstance(r, (sp.StrictGreaterThan, sp.GreaterThan)):
                rels2 = ("<" if isinstance(r, sp.StrictGreaterThan) else "<=", r.rhs, r.lhs)
            if rels2 is None:
                return None
            rels.append(rels2)
        else:
            rels.append((_RELATIONS[type(r)], r.lhs, r.rhs))
    (o1, a1, b1), (o2, a2, b2) = rels
    if b1 == a2:
        return (o1, a1, b1), (o2, a2, b2)
    if b2 == a1:
        return (o2, a2, b2), (o1, a1, b1)
    return None
