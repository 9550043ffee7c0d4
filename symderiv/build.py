"""From the syntax tree to the internal representation: names, shapes, meanings.

The front end decides about meaning here and in the modules the builder calls, and
every decision that a user could disagree with is written to ``notes`` so that the
output shows how the input was read (upper-case letters are matrices, J is all-ones,
\\sigma is ReLU, ...).  Before shapes are inferred, indexed names inside sums are
rewritten (indexed_names.py) and ``guess_vectors`` (vector_letters.py) guesses which
lower-case letters are vectors with the coarse kinds of shapes.py.  Shapes are then
inferred in a first pass (``shapes.Inference``, by unification over size variables;
sizes nobody fixes stay symbolic, m, n, p, ..., so the analysis does not depend on
them).  The second pass (``Builder.node``) makes the engine's nodes; calls f(a, ...)
are read by named_calls.py, cases and indicators into piecewise nodes by cases.py.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction

from .lazy_import import LazyModule
np = LazyModule("numpy")
import sympy as sp

from . import expr as E
from . import shapes as SH
from . import sizes
from . import syntax as S
from .cases import read_cases
from .errors import InputError, SymderivError, Unsupported
from .indexed_names import sample_rows, vector_entries
from .latex_words import canonical
from .latex_words import MAX_SCHATTEN, NUCLEAR_KINDS, SPECTRAL_KINDS
from .named_calls import read_call
from .vector_letters import guess_vectors, numbered_entries

@dataclass
class Problem:
    f: E.Node
    var: E.Sym
    symbols: dict                    # name -> E.Sym
    notes: list = field(default_factory=list)
    styles: dict = field(default_factory=dict)     # primitive name -> LaTeX style
    dims: dict = field(default_factory=dict)       # dim symbol -> int (from values)


# ---------------------------------------------------------------- builder

class Builder:
    def __init__(self, source: str, values: dict, wrt: str | None, shape: tuple | None,
                 functions: dict | None = None):
        self.source = source
        self.values = dict(values)            # name -> 2-D object array
        self.wrt = wrt
        self.shape_hint = shape
        self.functions = functions or {}      # 'sigma' -> table word
        self.notes: list[str] = []
        self.styles: dict[str, str] = {}
        self._dims = None
        self.ones_literals = S.NodeTable()   # Num 1 read as all-ones (see shapes.Inference._ones_against)

    def note(self, text: str):
        if text not in self.notes:
            self.notes.append(text)

    # --- names
    def special(self, name: str):
        if name in self.values:
            return None
        if name == "J":
            return "ones"
        if name == "I":
            return "eye"
        if name == "mathbf{1}":
            return "ones_vector"
        return None

    def euler(self, t: S.Term) -> bool:
        """e in e^{...} is Euler's number unless the user gave e a value or asked for it."""
        return isinstance(t, S.Name) and t.name == "e" and "e" not in self.values and self.wrt != "e"

    def kind_of(self, name: str) -> str:
        if name in self.values:
            return SH.kind_of_shape(self.values[name].shape)
        if self.wrt == name and self.shape_hint is not None:
            return SH.kind_of_shape(self.shape_hint)
        if name[:1].isupper():
            return "matrix"
        if name in self._entry_bases:
            return "matrix"
        if name in self.vector_names or name in getattr(self, "_vector_bases", ()):
            return "vector"
        if name in getattr(self, "_fixed_bases", ()):
            return "matrix"          # {x}_{0,0}: SymPy's entry of the matrix symbol x
        return "scalar"

    def matrix_name(self, name: str, entry: bool = False, indices: int = 2) -> str:
        """Entries x_ij refer to X: an entry's lower-case base names the upper-case matrix,
        unless the lower-case letter itself was given a matrix value.  An entry with one
        index, x_i, is an entry of the vector x itself."""
        if entry and indices == 2 and name.islower() and name not in self.values:
            return name.upper()
        return name

    def function_word(self, t: S.Call):
        if t.name:
            return t.name
        if t.spelling.endswith("'"):
            # σ'(h) in a derivation: its shape is its argument's, as for σ (named_calls
            # differentiates the function's body)
            base = t.spelling[:-1]
            return self.function_word(S.Call(canonical(base), base, t.args, t.span)) + "'"
        if t.spelling == "|{.}|":
            return "bars"
        if t.spelling == "sigma":
            return self.functions.get("sigma", "relu")
        if t.spelling in self.functions:
            return self.functions[t.spelling]
        raise InputError(f"unknown function {t.spelling}(...)", column=t.span[0], source=self.source)

    # --- the two passes
    #: x_1, x_2 with no x beside them are entries of the default variable x (diff reads
    #: |x_1| + |x_2| so); the checker turns it off: there they may be scalars of their
    #: own (a partial derivative along x_1), and x_1 is an entry only beside the vector x
    default_x_entries = True

    def prepare(self, terms: list) -> list:
        """What is decided before shapes are inferred, over all the terms that share names
        (one expression, or both sides of a derivation step): which letters are matrices
        through their entries, which are vectors.  Returns the terms rewritten (x_i of a
        vector x becomes an entry)."""
        samples: list = []
        terms = [vector_entries(sample_rows(t, samples)) for t in terms]
        for base, sub in dict.fromkeys(samples):
            left = [e for t in terms for e in SH.entries(t) if isinstance(e, S.Entry) and e.base == base]
            if left:
                raise Unsupported(f"{base}_{sub} is read as a sample (a row of the data matrix {base.upper()}) "
                                  f"in products with a vector, and as a number elsewhere; write the samples "
                                  f"as rows of {base.upper()}: (X w)_{sub}", column=left[0].span[0], source=self.source)
            self.note(f"{base}_{sub} is the {sub}-th sample: {base}_{sub}^T is row {sub} of the data matrix "
                      f"{base.upper()}, so w^T {base}_{sub} = (X w)_{sub}")
        entries = [e for t in terms for e in SH.entries(t) if isinstance(e, S.Entry) and not SH.fixed(e)]
        self._fixed_bases = {e.base for t in terms for e in SH.entries(t)
                             if isinstance(e, S.Entry) and SH.fixed(e) and e.zero_based}
        self._entry_bases = {self.matrix_name(e.base, entry=True).lower() for e in entries if len(e.indices) == 2}
        self._entry_bases |= {e.base for e in entries if e.base.isupper()}
        self._vector_bases = {e.base for e in entries if len(e.indices) == 1 and e.base.islower()}
        self.vector_names = set()
        for t in terms:
            self.vector_names |= guess_vectors(t, self)
        named = set().union(*(S.names_in(t) for t in terms)) if terms else set()
        numbered = {n.partition("_")[0] for n in named if re.fullmatch(r"[a-z]_\d+", n)}
        # x_1 beside a bare x, or x_1, x_2 with --wrt x: entries of the vector x
        both = {b for b in numbered if (b in named or b == self.wrt) and b not in self.values}
        if self.default_x_entries and self.wrt is None and "x" in numbered and not {"X", "x"} & named \
                and "x" not in self.values:
            both.add("x")          # |x_1| + |x_2|: the default variable x, through its entries
        self._through_entries = both - self.vector_names     # vectors known only by x_1, x_2
        self.vector_names |= both
        vectors = self.vector_names | {n for n, v in self.values.items()
                                       if n.islower() and v.shape[1] == 1 and v.shape[0] > 1}
        if vectors:
            found: list = []
            terms = [numbered_entries(t, vectors, found) for t in terms]
            for name in sorted(set(found)):
                base, _, k = name.partition("_")
                self.note(f"{name} is entry {k} of the vector {base}")
        return terms

    def build(self, term: S.Term) -> Problem:
        (term,) = self.prepare([term])
        for name in sorted(self.vector_names - self._through_entries):
            if name not in self.values:
                self.note(f"{name} is a column vector (it is transposed or multiplied by a matrix)")
        if self.wrt and "," in self.wrt:
            return self._build_stacked(term)
        self.start_shapes()
        if self.wrt and self.shape_hint is not None:
            self.shapes.bind(self.wrt, self.shapes.sized(*self.shape_hint))
        self.shapes.infer(term)
        self.finish_shapes()
        f = self.node(term)
        var = self._variable(f)
        if not f.is_scalar:
            raise Unsupported(f"the expression is a {E.fmt_shape(f.shape)} matrix, not a scalar; "
                              "symderiv analyses scalar-valued functions (take a norm, a trace or a sum)")
        return Problem(f=f, var=var, symbols=self.symbols, notes=self.notes, styles=self.styles)

    def _build_stacked(self, term: S.Term) -> Problem:
        """--wrt x,y: several scalars read as the entries of one vector variable (x, y)."""
        names = [w.strip().lstrip("\\") for w in self.wrt.split(",") if w.strip()]
        if len(set(names)) != len(names) or len(names) < 2:
            raise InputError(f"--wrt {self.wrt}: give distinct names separated by commas")
        label = "(" + ", ".join(names) + ")"
        self.stacked = (E.Sym(label, (len(names), 1), parts=tuple(names)), names)
        self.wrt = None
        self.start_shapes()
        for n in names:
            if self.kind_of(n) != "scalar":
                raise InputError(f"--wrt {','.join(names)}: {n} is not a scalar")
        self.shapes.infer(term)
        self.finish_shapes()
        f = self.node(term)
        missing = [n for n in names if n not in self.symbols]
        if missing:
            raise InputError(f"--wrt: the expression has no {missing[0]}")
        for n in names:
            del self.symbols[n]
        var = self.stacked[0]
        self.symbols[var.name] = var
        if not f.is_scalar:
            raise Unsupported(f"the expression is a {E.fmt_shape(f.shape)} matrix, not a scalar")
        self.note(f"the variable is the vector {label} of the scalars {', '.join(names)}")
        return Problem(f=f, var=var, symbols=self.symbols, notes=self.notes, styles=self.styles)

    def start_shapes(self) -> SH.Inference:
        """Pass 1 begins: a fresh shape inference reading names as this builder does.
        Give it every term that shares names (``infer``), then call ``finish_shapes``."""
        self.shapes = SH.Inference(self)
        return self.shapes

    def finish_shapes(self):
        """Pass 1 ends: every size no integer fixes gets its symbol, the variable's first
        (X is m×n), and pass 2 (``node``) starts from no symbols."""
        preferred = self.wrt or ("X" if "X" in self.shapes.names else None)
        self.dim_symbol = self.shapes.name_sizes(preferred, SH.SIZE_LETTERS)
        self.symbols: dict[str, E.Sym] = {}

    def dim(self, d):
        return self.shapes.size(d, self.dim_symbol)

    def shape_of(self, t) -> tuple:
        sh = self.shapes.of[t]
        return (self.dim(sh[0]), self.dim(sh[1]))

    def sym(self, name: str) -> E.Node:
        stacked = getattr(self, "stacked", None)
        if stacked is not None and name in stacked[1]:
            self.symbols[name] = None      # marks it as used
            return E.pick(stacked[0], stacked[1].index(name), 0, name)
        if name not in self.symbols:
            sh = self.shapes.names[name]
            shape = (self.dim(sh[0]), self.dim(sh[1]))
            self.symbols[name] = E.Sym(name, shape)
        return self.symbols[name]

    def _variable(self, f: E.Node) -> E.Sym:
        names = sorted(self.symbols)
        if self.wrt:
            want = self.wrt
            if want not in self.symbols and want.upper() in self.symbols and want.upper() in self._entry_bases:
                want = want.upper()
            if want not in self.symbols:
                raise InputError(f"--wrt {self.wrt}: the expression has no {self.wrt}")
            return self.symbols[want]
        for cand in ("X", "x"):
            if cand in self.symbols:
                return self.symbols[cand]
        if len(names) == 1:
            return self.symbols[names[0]]
        if not names:
            raise InputError("the expression has no variable to differentiate by (--wrt names one)")
        raise InputError(f"which variable? the expression has {', '.join(names)}: give --wrt")

    # --- pass 2
    def node(self, t: S.Term) -> E.Node:
        """The node for ``t``; an error raised while building it names t's column unless a
        part of t already named its own."""
        try:
            out = self._node(t)
        except SymderivError as exc:
            if exc.column is None:
                exc.column, exc.source = t.span[0], self.source
            raise
        if isinstance(out, E.Entrywise) and out.expr.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
            raise InputError("this divides by zero (SymPy reads it as an infinite constant)",
                             column=t.span[0], source=self.source)
        if isinstance(out, E.Entrywise) and out.expr.has(sp.I):
            raise InputError("this has a constant that is not a real number (such as \\sqrt{-1} or \\log(-1)); "
                             "symderiv works over the reals", column=t.span[0], source=self.source)
        if isinstance(out, E.Pick) and all(isinstance(d, int) for d in out.arg.shape) and (
                out.i >= out.arg.shape[0] or out.j >= out.arg.shape[1]):
            name = out.arg.name if isinstance(out.arg, E.Sym) else "the matrix"
            raise InputError(f"the entry ({out.i + 1},{out.j + 1}) of {name} is outside its "
                             f"{E.fmt_shape(out.arg.shape)} shape", column=t.span[0], source=self.source)
        return out

    def _node(self, t: S.Term) -> E.Node:
        if isinstance(t, S.Entry) and SH.fixed(t):
            name = t.base if t.zero_based else self.matrix_name(t.base, entry=True, indices=len(t.indices))
            i, j = (int(k) - (0 if t.zero_based else 1) for k in t.indices)
            if i < 0 or j < 0:
                raise InputError(f"entry indices start at 1: {t.base}_{{{','.join(t.indices)}}}",
                                 column=t.span[0], source=self.source)
            return E.pick(self.sym(name), i, j)
        if isinstance(t, S.Entry):
            return self._entry_nodes[t]
        if isinstance(t, S.GroupEntry):
            if not SH.fixed(t):
                return self._entry_nodes[t]
            whole = self.node(t.arg)
            at = [int(k) - 1 for k in t.indices] + ([0] if len(t.indices) == 1 else [])
            if min(at) < 0 or any(isinstance(d, int) and k >= d for k, d in zip(at, whole.shape)):
                raise InputError(f"the entry {SH.entry_text(t)} is outside the {E.fmt_shape(whole.shape)} matrix",
                                 column=t.span[0], source=self.source)
            return E.pick(whole, at[0], at[1])
        if isinstance(t, S.Num):
            if t in self.ones_literals:
                self.note("1 paired with a matrix in A:B or <A, B> read as the all-ones matrix")
                return E.ones(self.shape_of(t))
            return E.const(_number(t.text, t, self.source))
        if isinstance(t, S.Name) and t.name == "pi" and "pi" not in self.values and self.wrt != "pi":
            self.note("\\pi is the number π")
            return E.const(sp.pi)
        if isinstance(t, S.Name):
            special = self.special(t.name)
            if special == "ones":
                self.note("J is the all-ones matrix")
                return E.ones(self.shape_of(t))
            if special == "eye":
                self.note("I is the identity matrix")
                return E.eye(self.shape_of(t)[0])
            if special == "ones_vector":
                return E.ones(self.shape_of(t))
            if t.name == "sigma" and "sigma" not in self.values:
                raise InputError("\\sigma without an argument: write \\sigma(X)", column=t.span[0], source=self.source)
            return self.sym(self.matrix_name(t.name))
        if isinstance(t, S.Neg):
            return E.neg(self.node(t.arg))
        if isinstance(t, S.BinOp):
            a, b = self.node(t.left), self.node(t.right)
            if t.op in ("+", "-"):
                if a.is_scalar != b.is_scalar:
                    if not self._entry_nodes:
                        self.note("a scalar added to a matrix is added to every entry")
                    fn = (lambda p, q: p + q) if t.op == "+" else (lambda p, q: p - q)
                    return E.ew_map(fn, a, b)
                return E.add(a, b) if t.op == "+" else E.sub(a, b)
            if t.op == "*":
                if a.is_scalar or b.is_scalar or self._entry_nodes:
                    # inside a sum over entries a product of entries is entrywise
                    return E.ew_map(lambda p, q: p * q, a, b)
                return E.matmul(a, b)
            if t.op == "/":
                return E.divide(a, b)
            if t.op == "hpow":
                k = self._exponent(t.right)
                return E.ew_map(lambda p: p ** k, a)
            if t.op == "hadamard":
                return E.hadamard(a, b)
            if t.op == ":":
                return E.inner(a, b)
        if isinstance(t, S.Pow):
            if self.euler(t.base):
                return self._exp(t)
            base = self.node(t.base)
            k = self._exponent(t.exp)
            if self._entry_nodes and not base.is_scalar:
                return E.ew_map(lambda p: p ** k, base)   # a power of an entry
            return E.power(base, k)
        if isinstance(t, S.Transpose):
            return E.transpose(self.node(t.arg))
        if isinstance(t, S.Abs):
            a = self.node(t.arg)
            if not a.is_scalar:
                self.note("|A| of a matrix is taken entrywise")
            return E.apply("abs", a)
        if isinstance(t, S.Norm):
            return self._norm(t)
        if isinstance(t, S.Inner):
            return E.inner(self.node(t.left), self.node(t.right))
        if isinstance(t, S.Call):
            return read_call(self, t)
        if isinstance(t, S.Sum):
            return self._sum(t)
        if isinstance(t, S.Reduce):
            return self._reduce(t)
        if isinstance(t, (S.Indicator, S.Cases)):
            return read_cases(self, t)
        raise Unsupported(f"{type(t).__name__} in a function to analyse")

    def _norm(self, t: S.Norm) -> E.Node:
        a = self.node(t.arg)
        kind = t.kind
        if self._entry_nodes and self.shapes.is_scalar(self.shapes.of[t.arg]) and not a.is_scalar:
            # ‖x_i‖ inside a sum over i: the norm of one entry, a number, is its absolute
            # value; the node stands for all entries at once, whose norm is another thing
            return E.apply("abs", a)
        is_vector = a.shape[1] == 1 or a.shape[0] == 1
        p = _norm_exponent(kind)
        if p in (1, 2):
            kind = str(p)           # \|x\|_{2.0}, \|X\|_{1/1}: the 2- and 1-norms below
        if kind == "F":
            return E.fro_norm(a)
        if kind in NUCLEAR_KINDS:
            return E.nuclear_norm(a)
        if kind == "sigma_min":            # \sigma_{\min}(X), read as a norm (tree_to_syntax)
            return E.smallest_singular(a)
        kyfan = re.fullmatch(r"\(([0-9]+)\)", kind)
        if kyfan and 1 <= int(kyfan.group(1)) <= MAX_SCHATTEN:
            return E.ky_fan(a, int(kyfan.group(1)))
        schatten = re.fullmatch(r"S_([0-9]+)", kind)
        if schatten and 1 <= int(schatten.group(1)) <= MAX_SCHATTEN:
            return E.schatten_norm(a, int(schatten.group(1)))
        if kind in SPECTRAL_KINDS or kind == "2" and not is_vector:
            if not is_vector:
                self.note("||A||_2 = σ_max(A) of a matrix is its spectral norm (the largest singular value)")
            return E.spectral_norm(a)
        if kind in ("", "2"):
            if kind == "" and not is_vector:
                self.note("||A|| of a matrix read as the Frobenius norm")
            return E.fro_norm(a)
        if kind == "1":
            if not is_vector:
                self.note(INDUCED_NOTES["1"])
                return E.max_entry(E.matmul(E.ones((1, a.shape[0])), E.apply("abs", a)))
            return E.sum_all(E.apply("abs", a))
        if kind == "inf":
            if not is_vector:
                self.note(INDUCED_NOTES["inf"])
                return E.max_entry(E.matmul(E.apply("abs", a), E.ones((a.shape[1], 1))))
            return E.max_entry(E.apply("abs", a))
        if p is not None and is_vector and p > 1:
            return E.p_norm(a, p)
        if p is not None and p < 1:
            raise Unsupported(f"||.||_{kind} with p < 1 is not a norm (not convex); write the sum "
                              f"\\sum_i |x_i|^{{{kind}}} if that is meant", column=t.span[0], source=self.source)
        if p is not None:
            raise Unsupported(f"the induced {kind}-norm ||A||_{kind} of a matrix (only p = 1, 2 and \\infty are "
                              "analysed)", column=t.span[0], source=self.source)
        what = {"*": "the nuclear norm ||.||_*"}.get(kind, f"the norm ||.||_{kind}")
        if len(kind) == 1 and kind.isalpha():
            what += " with a letter for p (write the number, as in \\|x\\|_3)"
        raise Unsupported(what, column=t.span[0], source=self.source)

    def _exp(self, t: S.Pow) -> E.Node:
        u = self.node(t.exp)
        self.note("e^{u} read as \\exp(u), e being Euler's number")
        if not u.is_scalar and not self._entry_nodes:
            # the convention of the matrix-calculus literature this tool serves
            self.note("e^{A} of a matrix is taken entrywise (not the matrix exponential)")
        return E.apply("exp", u)

    def _exponent(self, t: S.Term) -> sp.Expr:
        if isinstance(t, S.Num):
            k = _number(t.text, t, self.source)
            if abs(k) > MAX_EXPONENT:
                # 2^{10^9} has a billion bits: a size limit, said as one
                raise Unsupported(f"the exponent {t.text} is larger than {MAX_EXPONENT} (a size limit)",
                                  column=t.span[0], source=self.source)
            return k
        if isinstance(t, S.Neg):
            return -self._exponent(t.arg)
        if isinstance(t, S.BinOp) and t.op == "/":
            return self._exponent(t.left) / self._exponent(t.right)
        raise Unsupported("an exponent that is not a number", column=t.span[0], source=self.source)

    def _reduce(self, t: S.Reduce) -> E.Node:
        """max_{i,j} of an entrywise body: the largest entry (min as -max(-.))."""
        body = self._entrywise_body(t)
        if t.op == "max":
            return E.max_entry(body)
        return E.neg(E.max_entry(E.neg(body)))

    def _sum(self, t: S.Sum) -> E.Node:
        return E.sum_all(self._entrywise_body(t))

    def _entrywise_body(self, t) -> E.Node:
        """The body of a sum or a reduction over indices, with each entry replaced by its
        whole matrix: an entrywise expression whose entries are then summed or maximised."""
        entries = [e for e in SH.entries(t.body) if not SH.fixed(e)]
        if not entries:
            raise Unsupported("a sum or max over indices whose body has no entries", column=t.span[0], source=self.source)
        binding: dict = {}
        for e in entries:
            if isinstance(e, S.GroupEntry):
                node = self.node(e.arg)
            else:
                node = self.sym(self.matrix_name(e.base, entry=True, indices=len(e.indices)))
            if len(e.indices) == 2 and e.indices != tuple(t.indices):
                node = E.transpose(node)
            binding[e] = node
        for e in dict.fromkeys(e for e in entries if isinstance(e, S.Entry)):
            whole = self.matrix_name(e.base, entry=True, indices=len(e.indices))
            if len(e.indices) == 2:
                self.note(f"{e.base}_{''.join(e.indices)} is the ({e.indices[0]},{e.indices[1]}) entry of {whole}")
            else:
                self.note(f"{e.base}_{e.indices[0]} is the {e.indices[0]}-th entry of the vector {whole}")
        saved = self._entry_nodes
        self._entry_nodes = {**saved, **binding}
        try:
            return self.node(t.body)
        finally:
            self._entry_nodes = saved

    _entry_nodes: dict = {}

    def in_index_body(self) -> bool:
        """Whether the term being built sits in the body of a sum or a max over indices
        (\\sum_{i,j} ...), where each entry x_ij stands for its whole matrix: a constant
        there is a number per entry."""
        return bool(self._entry_nodes)

    def gap_on_edges(self, edges: list) -> bool:
        """Cases that leave out only their rows' edges ({1 if x > 0; 0 if x < 0}, no row
        at x = 0): a function to analyse must say its value there, so no (False).  The
        checker, which reads such a line as a claim off the edges, says yes."""
        return False


MAX_EXPONENT = 1000

# On a matrix ||A||_1 and ||A||_inf are the induced (operator) norms, as NumPy and MATLAB
# compute them; the reading is said in words because the entrywise sum is also in use.
INDUCED_NOTES = {
    "1": "||A||_1 of a matrix is the induced 1-norm, max_j sum_i |a_ij| (the largest column "
         "absolute sum, as NumPy and MATLAB); the entrywise sum is \\sum_{i,j}|a_{ij}|",
    "inf": "||A||_inf of a matrix is the induced inf-norm, max_i sum_j |a_ij| (the largest row "
           "absolute sum, as NumPy and MATLAB); the entrywise max is \\max_{i,j}|a_{ij}|",
}


def _norm_exponent(kind: str):
    """The number p of a norm subscript ('3', '1.5', '3/2'), or None when it is not one."""
    num, _, den = kind.partition("/")
    try:
        v = Fraction(num) / Fraction(den or 1)
    except (ValueError, ZeroDivisionError):
        return None
    return sp.Rational(v.numerator, v.denominator)


def _number(text: str, t, source) -> sp.Expr:
    try:
        v = Fraction(text)         # a numeral the grammar matched; Fraction only reads numbers
    except (TypeError, ValueError, ZeroDivisionError):
        raise InputError(f"not a number: {text}", column=t.span[0], source=source)
    return sp.Rational(v.numerator, v.denominator)


def build(parsed_term: S.Term, source: str, *, values: dict | None = None, wrt: str | None = None,
          shape: tuple | None = None, functions: dict | None = None) -> Problem:
    # scalars given values become numbers: their digits count (x^{1000} at x = 10^{999})
    sizes.check(parsed_term, source, values)
    b = Builder(source, values or {}, wrt, shape, functions)
    return b.build(parsed_term)


def build_expression(parsed_term: S.Term, source: str, shapes: dict) -> E.Node:
    """A matrix-valued expression with the given names pinned to concrete shapes (used to
    read back what the renderers print)."""
    values = {name: np.zeros(shape, dtype=object) for name, shape in shapes.items()}
    b = Builder(source, values, None, None)
    # what build() decides first (v_i of the vector v is its entry): without it a
    # subscripted letter met a builder that had not decided it (an AttributeError)
    (term,) = b.prepare([parsed_term])
    b._entry_bases = set()
    b.start_shapes().infer(term)
    b.finish_shapes()
    return b.node(term)
