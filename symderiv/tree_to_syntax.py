"""Lark's parse tree -> ``syntax`` nodes: ``SyntaxBuilder`` has one method per grammar rule
(or alias) of grammar/latex.lark, each returning a node with its span in the text parsed.

Reading decisions a user should see (\\sin 2x as sin(2x), x_+ as the positive part, a
bare call) are noted on the run (parse_run.py); constructs that are well formed but not
analysed (a partial sum, the derivative of a function applied) are refused here as
``Unsupported`` at their column.

Reading of a chain of conditions: ``a < x <= b`` becomes ``Rel('<=', Rel('<', a, x), b)``:
a Rel whose left operand is itself a Rel continues the chain from that Rel's right
operand, so the chain means ``a < x and x <= b``.
"""
from __future__ import annotations

from lark import Token, Transformer_NonRecursive, v_args

from . import syntax as S
from .errors import Unsupported, shown_column
from .latex_words import FRO_WORDS, GREEK_SUBSCRIPT_CALLS, REL_OPS, canonical
from .parse_run import ParseRun

NOTE_SIGMA = r"\sigma applied to an argument: a function (ReLU unless --let binds it)"


class _Indices(tuple):
    """The index letters of a \\sum (not a node: the sum rules consume it)."""


def _span(meta):
    return (meta.start_pos, meta.end_pos) if not getattr(meta, "empty", True) else (0, 0)


@v_args(inline=True, meta=True)
class SyntaxBuilder(Transformer_NonRecursive):
    """One method per grammar rule (or alias), each returning a syntax node."""

    def __init__(self, run: ParseRun):
        super().__init__()
        self.run = run
        self.numeric_bare = S.NodeTable()   # \sin 2 (a bare call of a leading factor) -> its note's index
        self.bare_calls = S.NodeTable()     # every bare call (\sin\cos 2x: the outer one) -> True

    def _error(self, message, pos):
        return self.run.error(message, pos)

    def _src(self, meta):
        return self.run.text(meta.start_pos, meta.end_pos)

    # entry points
    def start_expr(self, meta, term):
        return term

    def start_statement(self, meta, statement):
        return statement

    def statement(self, meta, *items):
        terms = items[0::2]
        ops = tuple(self._rel(r) for r in items[1::2])
        return S.Statement(tuple(terms), ops, _span(meta))

    def continued_statement(self, meta, *items):
        ops = tuple(self._rel(r) for r in items[0::2])
        return S.Statement((None,) + tuple(items[1::2]), ops, _span(meta))

    @staticmethod
    def _rel(tok):
        return REL_OPS[str(tok)]

    # arithmetic
    def add(self, meta, a, b):
        return S.BinOp("+", a, b, _span(meta))

    def sub(self, meta, a, b):
        return S.BinOp("-", a, b, _span(meta))

    def neg(self, meta, a):
        return S.Neg(a, _span(meta))

    def pos(self, meta, a):
        return a

    def juxt(self, meta, a, b):
        absorbed = self._absorb(a, b)
        return absorbed if absorbed is not None else S.BinOp("*", a, b, _span(meta))

    def _absorb(self, a, b):
        """\\sin 2x is sin(2x), as everyone reads it (not sin(2)·x): a bare function of a
        leading factor (a number, π, a scalar letter) takes the factors written right after
        it, letters, entries, powers, transposes, |.| and applied functions; \\sin 2 \\cdot x
        keeps sin(2)·x, and \\sin x \\cos y two factors.  \\sin^2 2x and \\sin\\cos 2x too."""
        if isinstance(a, S.BinOp) and a.op == "*":
            inner = self._absorb(a.right, b)
            return None if inner is None else S.BinOp("*", a.left, inner, (a.span[0], b.span[1]))
        if a in self.bare_calls and a not in self.numeric_bare and len(a.args) == 1 \
                and a.args[0] in self.numeric_bare:
            inner = self._absorb(a.args[0], b)    # \sin\cos 2x: the inner call takes x
            return None if inner is None else S.Call(a.name, a.spelling, (inner,), (a.span[0], b.span[1]))
        if a not in self.numeric_bare or not _absorbable(b):
            return None
        if isinstance(b, S.Call) and not self.run.text(*b.span).rstrip().endswith(")"):
            return None            # \sin x \cos y: the next function starts a factor of its own
        if self.run.text(a.span[1], b.span[0]).strip():
            return None            # \cdot, \times, or a bracket: the product is meant
        call = a.base if isinstance(a, S.Pow) else a
        (arg,) = call.args
        call = S.Call(call.name, call.spelling, (S.BinOp("*", arg, b, (arg.span[0], b.span[1])),),
                      (call.span[0], b.span[1]))
        out = S.Pow(call, a.exp, (a.span[0], b.span[1])) if isinstance(a, S.Pow) else call
        k = self.numeric_bare.pop(a)
        whole = self.run.text(a.span[0], b.span[1]).strip()
        asrc = self.run.text(arg.span[0], b.span[1]).strip()
        read = f"\\{call.spelling}({asrc})"
        if isinstance(a, S.Pow):
            read = f"({read})^{{{self.run.text(*a.exp.span)}}}"
        self.run.notes[k] = (a.span[0], f"{whole} read as {read}")
        self.numeric_bare[out] = k
        return out

    def div(self, meta, a, b):
        return S.BinOp("/", a, b, _span(meta))

    def hadamard(self, meta, a, b):
        return S.BinOp("hadamard", a, b, _span(meta))

    def frob(self, meta, a, b):
        return S.BinOp(":", a, b, _span(meta))

    def frac(self, meta, a, b):
        return S.BinOp("/", a, b, _span(meta))

    # scripts
    def power(self, meta, base, exp):
        # \|x\|^2_2 was reordered by the stage: the span covers both scripts
        span = (meta.start_pos, max(meta.end_pos, base.span[1]))
        if exp == S.Name("T"):
            return S.Transpose(base, span)
        if exp == S.Neg(S.Name("T")):
            return S.Transpose(S.Pow(base, S.Neg(S.Num("1")), span), span)
        if isinstance(base, S.Differential) and isinstance(base.arg, (S.Norm, S.Abs, S.Call)) \
                and base.span[1] == base.arg.span[1]:
            # d\|X\|_F^2, d\sigma(x)^2: the differential of the square, as a post means it
            # ((d x)^2 of a bare name stays a power of the differential)
            return S.Differential(S.Pow(base.arg, exp, (base.arg.span[0], span[1])), span)
        return S.Pow(base, exp, span)

    def transpose(self, meta, base):
        return S.Transpose(base, _span(meta))

    def inverse_transpose(self, meta, base):
        return S.Transpose(S.Pow(base, S.Neg(S.Num("1")), _span(meta)), _span(meta))

    def pospart(self, meta, base):
        self.run.note(meta.start_pos, f"{self._src(meta)} read as the positive part max(., 0)")
        return S.Call("relu", "(.)_+", (base,), _span(meta))

    def negpart(self, meta, base):
        self.run.note(meta.start_pos, f"{self._src(meta)} read as the negative part max(-(.), 0)")
        return S.Call("relu", "(.)_-", (S.Neg(base, base.span),), _span(meta))

    def prime_cmd(self, meta, base):
        self.run.note(meta.start_pos, f"{self._src(meta)} read as the transpose of "
                                      f"{self.run.text(meta.start_pos, base.span[1])}")
        return S.Transpose(base, _span(meta))

    def prime(self, meta, base, tick):
        src = self.run.text(meta.start_pos, tick.start_pos)
        if self.run.text(tick.end_pos, tick.end_pos + 1) == "(" and isinstance(base, S.Name):
            # H'(x), f'(x): the derivative of a function, applied; read as H^T (x) it
            # would be a silently wrong product
            raise Unsupported(f"{src}'(...) is a derivative of a function applied to an argument, which is not "
                              f"read inside a formula; write \\frac{{d}}{{dx}}{src}(x)",
                              column=meta.start_pos, source=self.run.source)
        self.run.note(meta.start_pos, f"{src}' read as the transpose of {src}")
        return S.Transpose(base, _span(meta))

    # names and numbers
    def letter(self, meta, tok):
        return S.Name(str(tok), _span(meta))

    def greek(self, meta, tok):
        return S.Name(str(tok).lstrip("\\"), _span(meta))

    def ones(self, meta):
        return S.Name("mathbf{1}", _span(meta))

    def number(self, meta, tok):
        return S.Num(str(tok), _span(meta))

    def subscripted(self, meta, base, sub):
        kind, parts = sub
        name = str(base).lstrip("\\")
        if kind == "one":
            return S.Name(f"{name}_{parts[0]}", _span(meta))
        if kind == "two":
            return S.Entry(name, parts, _span(meta))
        if kind == "minus":
            return self.negpart(meta, S.Name(name, (base.start_pos, base.end_pos)))
        self.run.note(meta.start_pos, f"{self._src(meta)} read as the positive part max(., 0)")
        return S.Call("relu", "(.)_+", (S.Name(name, (base.start_pos, base.end_pos)),), _span(meta))

    def braced_subscripted(self, meta, base, sub):
        kind, parts = sub
        if kind == "two" and all(p.isdigit() for p in parts):
            self.run.note(meta.start_pos, f"{self._src(meta)} read as an entry indexed from 0, as SymPy prints it")
            return S.Entry(str(base), parts, _span(meta), zero_based=True)
        return self.subscripted(meta, base, sub)

    def group_entry(self, meta, group, *indices):
        names = tuple(str(i).lstrip("\\") for i in indices)
        if len(names) == 1 and len(names[0]) == 2 and names[0].isdigit():
            names = (names[0][0], names[0][1])        # (AX)_{12}: the (1,2) entry
        return S.GroupEntry(group, names, _span(meta))

    def hadamard_power(self, meta, base, exp):
        return S.BinOp("hpow", base, exp, _span(meta))

    def sub_one(self, meta, a):
        return ("one", (str(a).lstrip("\\"),))

    def sub_two(self, meta, a, b):
        return ("two", (str(a).lstrip("\\"), str(b).lstrip("\\")))

    def sub_plus(self, meta):
        return ("plus", ())

    def sub_minus(self, meta):
        return ("minus", ())

    # functions
    def call(self, meta, func, *args):
        return self._call(meta, func, args)

    def call_bare(self, meta, func, arg):
        fsrc = self.run.show(func)
        asrc = self.run.text(func.end_pos, meta.end_pos).strip()
        self.run.note(meta.start_pos, f"{fsrc} {asrc} read as {fsrc}({asrc})")
        k = len(self.run.notes) - 1
        call = self._call(meta, func, (arg,))
        self.bare_calls[call] = True
        if _leading_factor(arg):
            self.numeric_bare[call] = k
        return call

    def call_bare_sum(self, meta, func, indices, body):
        fsrc = self.run.show(func)
        self.run.note(meta.start_pos, f"{fsrc} before \\sum read as {fsrc} of the whole sum")
        whole = self.bigsum(meta, indices, body)
        return self._call(meta, func, (S.Sum(whole.indices, whole.body, (func.end_pos, meta.end_pos), whole.upper),))

    def call_sub(self, meta, func, sub, *args):
        # the subscript is the primitive's trailing parameter, as symderiv itself prints it
        return self._call(meta, func, tuple(args) + (sub,))

    def call_greek_sub(self, meta, greek, func, *args):
        # σ_max(X) is the spectral norm; σ_min(X) is read through the same norm syntax
        # under its own subscript word, which build._norm turns into its node (it is a
        # scalar of one matrix argument, as a norm is, to the shape rules)
        word = f"{str(greek).lstrip(chr(92))}_{func}"
        if word not in GREEK_SUBSCRIPT_CALLS:
            raise self._error(f"unknown function \\{word}(...)", meta.start_pos)
        if len(args) != 1:
            raise self._error(f"\\{word} takes one argument", meta.start_pos)
        return S.Norm(args[0], GREEK_SUBSCRIPT_CALLS[word], _span(meta))

    def call_power(self, meta, func, exp, *args):
        return self._power_of_call(meta, func, exp, args)

    def call_bare_power(self, meta, func, exp, arg):
        out = self._power_of_call(meta, func, exp, (arg,))
        if _leading_factor(arg):   # \sin^2 2x: (sin(2x))^2, like \sin 2x
            self.numeric_bare[out] = len(self.run.notes) - 1
        return out

    def _power_of_call(self, meta, func, exp, args):
        """\\tanh^2(x) is (\\tanh x)^2 by convention; \\sin^{-1} is the inverse function."""
        fsrc = self.run.show(func)
        if isinstance(exp, S.Neg):
            raise self._error(f"the inverse function {fsrc}^{{-1}} is not supported (a negative "
                              "exponent on a function name)", meta.start_pos)
        asrc = self.run.text(args[0].span[0], args[-1].span[1])
        esrc = self.run.text(*exp.span)
        self.run.note(meta.start_pos, f"{self._src(meta)} read as ({fsrc}({asrc}))^{{{esrc}}}")
        return S.Pow(self._call(meta, func, args), exp, _span(meta))

    def _call(self, meta, func, args):
        spelling = str(func)
        if spelling == "sigma":
            self.run.note(meta.start_pos, NOTE_SIGMA)
        elif spelling in ("H", "theta"):
            self.run.note(meta.start_pos, f"{self._src(meta)} read as the Heaviside step")
        return S.Call(canonical(spelling), spelling, tuple(args), _span(meta))

    def sqrt(self, meta, x):
        return S.Call("sqrt", "sqrt", (x,), _span(meta))

    def root(self, meta, n, x):
        return S.Pow(x, S.BinOp("/", S.Num("1"), n), _span(meta))

    # delimited forms
    def abs(self, meta, x):
        return S.Abs(x, _span(meta))

    def braced_bars(self, meta, x):
        # build decides: |{x}| of a scalar is |x|, of a square matrix SymPy's det
        return S.Call(None, "|{.}|", (x,), _span(meta))

    def norm(self, meta, x, kind=None):
        return S.Norm(x, self._norm_kind(kind), _span(meta))

    def norm_word(self, meta, x, *letters):
        return S.Norm(x, "".join(str(t) for t in letters), _span(meta))

    def norm_kyfan(self, meta, x, k):
        return S.Norm(x, f"({k})", _span(meta))

    def norm_indexed(self, meta, x, letter, index):
        return S.Norm(x, f"{letter}_{self._norm_kind(index)}", _span(meta))

    def norm_ratio(self, meta, num, den):
        # \|x\|_{3/2}: the exponent as one numeral token, which build reads as p = 3/2
        return Token("NUM", f"{num}/{den}", num.start_pos)

    @staticmethod
    def _norm_kind(kind):
        """The subscript as build reads it: 'F', '2', 'inf', '*', ..., '' when none."""
        if kind is None:
            return ""
        if kind.type == "INFTY":
            return "inf"
        if str(kind) in FRO_WORDS:
            return "F"
        return str(kind)

    def inner(self, meta, a, b, kind=None):
        if kind is not None and self._norm_kind(kind) != "F":
            raise self._error(f"unknown inner product subscript '{self.run.show(kind)}' "
                              "(the Frobenius product is <A, B> or <A, B>_F)", kind.start_pos)
        return S.Inner(a, b, _span(meta))

    # sums
    def sumop(self, meta, *parts):
        for p in parts:
            if isinstance(p, S.Term) and not isinstance(p, S.Name):
                self._partial_sum(p, "upper")      # \sum_{i=1}^{2}: part of the entries
        uppers = tuple(p.name for p in parts if isinstance(p, S.Name))
        for p in parts:
            if isinstance(p, _Indices):
                out = _Indices(p)
                # \sum_{i=1}^n, \sum_{1 \le i \le n}, \sum_{i,j=1}^n (both to n): checked in build
                if len(uppers) == 1 and len(p) > 1:
                    uppers = uppers * len(p)
                out.upper = uppers if uppers and len(uppers) == len(p) else getattr(p, "upper", ())
                return out
        return _Indices(())

    def sum_sub(self, meta, *parts):
        letters = []
        for i, p in enumerate(parts):
            if isinstance(p, Token) and p.type == "REL":
                if str(p) != "=":
                    raise self._error(f"a \\sum subscript takes '=', not '{p}'", p.start_pos)
                low = parts[i + 1] if i + 1 < len(parts) else None
                if not (isinstance(low, S.Num) and low.text == "1"):
                    self._partial_sum(low, "lower")
                break
            letters.append(str(p))
        return _Indices(letters)

    def sum_sub_range(self, meta, low, rel1, letter, rel2, high):
        if str(rel1) not in ("<=", "\\le", "\\leq", "\\leqslant") or str(rel2) not in ("<=", "\\le", "\\leq", "\\leqslant"):
            raise self._error("an index range is written 1 \\le i \\le n", rel1.start_pos)
        if str(low) != "1":
            self._partial_sum(S.Num(str(low), (low.start_pos, low.end_pos)), "lower")
        if not isinstance(high, S.Name):
            self._partial_sum(high, "upper")
        out = _Indices([str(letter)])
        out.upper = (high.name,)
        return out

    def _partial_sum(self, bound, which: str):
        """A sum whose bounds are not 1 and a size (m, n) runs over part of the entries,
        which the engine does not represent: refused, never read as the whole sum."""
        pos = bound.span[0] if isinstance(bound, S.Term) else 0
        raise Unsupported(f"an index with the {which} bound '{self.run.text(*bound.span)}' at column {shown_column(pos)} runs over "
                          "part of the entries; symderiv sums (or takes the max) over all of them: write \\sum_{i,j} or "
                          "\\sum_{i=1}^{m}", column=pos, source=self.run.source)

    def bigsum(self, meta, indices, body):
        upper = getattr(indices, "upper", ())
        if isinstance(body, S.Sum):
            both = upper + body.upper if upper and body.upper else ()
            return S.Sum(tuple(indices) + body.indices, body.body, _span(meta), both)
        return S.Sum(tuple(indices), body, _span(meta), upper)

    def times_bigsum(self, meta, left, indices, body):
        s = self.bigsum(meta, indices, body)
        s = S.Sum(s.indices, s.body, (left.span[1], meta.end_pos), s.upper)
        return S.BinOp("*", left, s, _span(meta))

    def reduceop(self, meta, func, indices):
        word = canonical(str(func).lstrip("\\"))
        if word not in ("max", "min"):
            raise self._error(f"\\{str(func).lstrip(chr(92))} takes no index subscript; only \\max and \\min "
                              "reduce over indices", func.start_pos)
        return (word, indices)

    def bigreduce(self, meta, op, body):
        word, indices = op
        return S.Reduce(word, tuple(indices), body, _span(meta), getattr(indices, "upper", ()))

    def times_bigreduce(self, meta, left, op, body):
        r = self.bigreduce(meta, op, body)
        return S.BinOp("*", left, S.Reduce(r.op, r.indices, r.body, (left.span[1], meta.end_pos), r.upper),
                       _span(meta))

    # conditions
    def cond(self, meta, *items):
        rel = None
        left = items[0]
        for op_tok, right in zip(items[1::2], items[2::2]):
            op = REL_OPS[str(op_tok)]
            if op == r"\approx":
                raise self._error(r"\approx cannot be a condition", op_tok.start_pos)
            rel = S.Rel(op, rel if rel is not None else left, right,
                        (meta.start_pos, right.span[1] if right.span != (0, 0) else meta.end_pos))
        return rel

    def emap(self, meta, var, body, arg):
        """(d \\mapsto f(d))_{\\circ}(X), SymPy's X.applyfunc(f): f's body with X for d, its
        products and powers of d taken entry by entry (d \\sin d is X \\odot \\sin X)."""
        name = str(var)
        self.run.note(meta.start_pos, f"({name} \\mapsto ...)_\\circ read as the map applied to each entry")

        def has(t):
            return name in S.names_in(t)

        def go(t):
            if isinstance(t, S.Name) and t.name == name:
                return arg
            if isinstance(t, S.Call) and t.spelling == "|{.}|" and has(t):
                # SymPy's bars \left|{d}\right| of the scalar d: its absolute value, not
                # the determinant the same bars of a matrix would be
                return S.Abs(S.transform(t.args[0], go), t.span)
            if isinstance(t, S.BinOp) and t.op == "*" and has(t.left) and has(t.right):
                return S.BinOp("hadamard", S.transform(t.left, go), S.transform(t.right, go), t.span)
            if isinstance(t, S.Pow) and has(t.base) and not has(t.exp):
                return S.BinOp("hpow", S.transform(t.base, go), t.exp, t.span)
            if isinstance(t, (S.Entry, S.Sum, S.Reduce)) and has(t):
                raise self._error(f"an entry or a sum over the variable {name} of an entrywise map", t.span[0])
            return None
        return S.transform(body, go)

    def indicator(self, meta, cond):
        return S.Indicator(cond, _span(meta))

    def case_when(self, meta, value, cond):
        return (value, cond)

    def case_otherwise(self, meta, value):
        return (value, None)

    def cases(self, meta, *rows):
        return S.Cases(tuple(rows), _span(meta))

    def differential(self, meta, arg):
        return S.Differential(arg, _span(meta))

    def differential_sum(self, meta, indices, body):
        return S.Differential(self.bigsum(meta, indices, body), _span(meta))

    def differential_bare(self, meta, func, arg):
        return S.Differential(self._call(meta, func, (arg,)), _span(meta))


# ---- what a bare function's argument takes in ----------------------------------------------------

def _absorbable(b) -> bool:
    """What a bare function's argument goes on with: x, x_i, x^2, x^T, |x|, σ(x) (a
    scalar letter; a matrix letter is a product with the value)."""
    if isinstance(b, (S.Pow, S.Transpose)):
        b = b.base if isinstance(b, S.Pow) else b.arg
    if isinstance(b, S.Name):
        return not b.name[:1].isupper()
    return isinstance(b, (S.Entry, S.Abs, S.Call))


def _leading_factor(t) -> bool:
    """A factor that the letters after it multiply inside a bare function: \\sin 2x,
    \\sin \\pi x, \\sin \\frac{\\pi}{2} x, \\sin a x are sin(2x), sin(πx), sin(πx/2), sin(ax)."""
    if isinstance(t, S.Num):
        return True
    if isinstance(t, S.Transpose):
        t = t.arg                  # \\exp x^T x: exp(x^T x)
    if isinstance(t, S.Name):
        return not t.name[:1].isupper()    # a scalar; \\tr AB stays as the note reads it
    if isinstance(t, S.Neg):
        return _leading_factor(t.arg)
    return isinstance(t, S.BinOp) and t.op in ("/", "*") and _leading_factor(t.left) and _leading_factor(t.right)

