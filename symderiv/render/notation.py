"""Matrix notation for nodes and entry notation for conditions, in LaTeX or text.

No mathematics happens here: the engine hands over nodes and scalar expressions in
their final form, and this module only spells them.  One printer serves both
dialects so that the text and LaTeX outputs cannot drift apart.
"""
from __future__ import annotations

import sympy as sp

from ..exact_numbers import as_sympy

from .. import expr as E
from sympy.core.relational import Relational

from ..evaluate import switch_key
from ..primitives import SMOOTH
from ..scalar import Prim, Sw
from ..signform import INTEGER

GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta", "vartheta",
    "iota", "kappa", "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi",
    "varphi", "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma",
    "Phi", "Psi", "Omega",
}
GREEK_TEXT = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ",
    "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "phi": "φ", "varphi": "φ", "chi": "χ",
    "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ",
    "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
}

# Binding strength of what a printer returns: a sum needs parentheses as a factor.
SUM, PROD, ATOM = 1, 2, 3


class Notation:
    def __init__(self, latex: bool, styles: dict | None = None, switch_names: dict | None = None):
        self.latex = latex
        self.styles = styles or {}
        # switch key -> display name (route 1 writes sign(X) as S)
        self.switch_names = switch_names or {}

    # ------------------------------------------------------------ names
    def name(self, raw: str) -> str:
        base, _, sub = raw.partition("_")
        if base in GREEK:
            head = "\\" + base if self.latex else GREEK_TEXT.get(base, base)
        elif base == "mathbf{1}":
            head = r"\mathbf{1}" if self.latex else "1"
        else:
            head = base
        if sub:
            return f"{head}_{{{sub}}}" if self.latex else f"{head}_{sub}"
        return head

    def dim(self, d) -> str:
        return str(d)

    def shape(self, shape) -> str:
        times = r" \times " if self.latex else "×"
        return f"{self.dim(shape[0])}{times}{self.dim(shape[1])}"

    # ------------------------------------------------------------ nodes
    def node(self, n: E.Node) -> str:
        return self._node(n)[0]

    def _node(self, n: E.Node):
        L = self.latex
        if isinstance(n, E.Sym):
            return self.name(n.name), ATOM
        if isinstance(n, E.Eye):
            return "I", ATOM
        if isinstance(n, E.Pick):
            if n.label:
                return self.name(n.label), ATOM
            inner = self._wrap(self._node(n.arg), ATOM)
            if n.arg.shape[1] == 1 and n.j == 0:          # an entry of a column vector: x_2
                return (f"{inner}_{{{n.i + 1}}}" if L else f"{inner}_{n.i + 1}"), ATOM
            return (f"{inner}_{{{n.i + 1}{n.j + 1}}}" if L else f"{inner}_{n.i + 1}{n.j + 1}"), ATOM
        if isinstance(n, E.Inverse):
            if isinstance(n.arg, E.Transpose):
                inner = self._wrap(self._node(n.arg.arg), ATOM)
                return (f"{inner}^{{-\\top}}" if L else f"{inner}^-T"), ATOM
            inner = self._wrap(self._node(n.arg), ATOM)
            return (f"{inner}^{{-1}}" if L else f"{inner}^-1"), ATOM
        if isinstance(n, E.Det):
            return (f"\\det\\left({self.node(n.arg)}\\right)" if L else f"det({self.node(n.arg)})"), ATOM
        if isinstance(n, E.Adjugate):
            # adj(M^T) is printed as the transpose of adj(M): the gradient of det M
            inner, flip = (n.arg.arg, True) if isinstance(n.arg, E.Transpose) else (n.arg, False)
            body = (f"\\operatorname{{adj}}\\left({self.node(inner)}\\right)" if L else f"adj({self.node(inner)})")
            if flip:
                body += "^{\\top}" if L else "^T"
            return body, ATOM
        if isinstance(n, E.MaxEntry):
            a = n.arg
            idx = "i" if a.shape[1] == 1 else ("i,j" if L else "ij")
            if isinstance(a, E.Entrywise) and a.args:
                body = self.entry(a.expr, a.args)
            else:
                body = self.entry_of(a)
            return (f"\\max_{{{idx}}} {body}" if L else f"max_{idx} {body}"), PROD
        if isinstance(n, E.Argmax):
            inner = self.node(n.arg)
            return (f"E_{{\\arg\\max {inner}}}" if L else f"onehot(argmax {inner})"), ATOM
        if isinstance(n, E.Unit):
            idx = f"{n.i + 1}" if n.shape[1] == 1 else f"{n.i + 1}{n.j + 1}"
            return (f"e_{{{idx}}}" if L else f"e_{idx}"), ATOM
        if isinstance(n, E.MatMul):
            # a Hadamard product or a scaled matrix inside a product needs parentheses
            parts = [self._wrap(self._node(f), ATOM) for f in n.factors]
            return ("" if L else "").join(_join_product(parts, L)), PROD
        if isinstance(n, E.Transpose):
            inner = self._wrap(self._node(n.arg), ATOM)
            return (f"{inner}^\\top" if L else f"{inner}^T"), ATOM
        if isinstance(n, E.Trace):
            return (f"\\operatorname{{tr}}\\left({self.node(n.arg)}\\right)" if L else f"tr({self.node(n.arg)})"), ATOM
        if isinstance(n, E.FroNorm):
            body = self.node(n.arg)
            sub = "2" if n.arg.shape[1] == 1 else "F"
            return (f"\\left\\|{body}\\right\\|_{sub}" if L else f"‖{body}‖_{sub}"), ATOM
        if isinstance(n, E.SumAll):
            return self._sum_all(n)
        if isinstance(n, E.Entrywise):
            if not n.args:
                return self._constant_fill(n)
            if not n.is_scalar and all(a.is_scalar for a in n.args):
                # a number spread over a matrix (the gradient 2 sum(x) 1 of sum(x)^2): the
                # ones say its shape, which the number alone would not
                body = self._wrap(self._expr(n.expr, n), PROD)
                ones = self._ones(n.shape)
                if self.latex:
                    body = f"\\left({body}\\right)" if " " in body else body
                    return f"{body} {ones}", PROD
                return f"{body} {ones}", PROD
            return self._expr(n.expr, n)
        raise TypeError(type(n).__name__)

    def _constant_fill(self, n: E.Entrywise):
        c = n.expr
        if n.is_scalar:
            return self._number(c)
        if c == 0:
            return "0", ATOM
        ones = self._ones(n.shape)
        if c == 1:
            return ones, ATOM
        num, _ = self._number(c)
        return f"{num}{ones}" if self.latex else f"{num} {ones}", PROD

    def _ones(self, shape) -> str:
        """J for a matrix of ones, the bold 1 for a vector of ones (1^T for a row)."""
        if shape[1] == 1 and shape[0] != 1:
            return r"\mathbf{1}" if self.latex else "1"
        if shape[0] == 1 and shape[1] != 1:
            return r"\mathbf{1}^\top" if self.latex else "1^T"
        return "J"

    def _number(self, c):
        if not c.is_Number and c.has(sp.pi):       # 2π, printed as the number it is
            return _Printer(self, (), False).print(c)
        if self.latex:
            return sp.latex(c), (SUM if c.is_Add or (c.is_number and c < 0) else ATOM)
        return sp.sstr(c), (SUM if c.is_Add or (c.is_number and c.is_negative) else ATOM)

    def _sum_all(self, n: E.SumAll):
        L = self.latex
        a = n.arg
        if isinstance(a, E.Entrywise) and a.args and isinstance(a.expr, sp.Pow) and a.expr.exp == 2:
            body = self.node(E.ew(a.expr.base, a.args, a.shape))
            sub = "2" if a.shape[1] == 1 and a.shape[0] != 1 else "F"
            return (f"\\left\\|{body}\\right\\|_{sub}^2" if L else f"‖{body}‖_{sub}^2"), ATOM
        if isinstance(a, E.Entrywise) and len(a.args) == 2 and a.expr == E.placeholder(0) * E.placeholder(1):
            x, y = (self.node(v) for v in a.args)
            return (f"\\left\\langle {x}, {y}\\right\\rangle" if L else f"⟨{x}, {y}⟩"), ATOM
        if isinstance(a, E.Entrywise) and a.args:
            body = self.entry(a.expr, a.args)
            idx = ("i" if a.shape[1] == 1 else "i,j") if L else ("i" if a.shape[1] == 1 else "ij")
            return (f"\\sum_{{{idx}}} {body}" if L else f"sum_{idx} {body}"), PROD
        body = self.node(a)
        return (f"\\mathbf{{1}}^\\top {body}\\,\\mathbf{{1}}" if L else f"sum({body})"), ATOM

    def _wrap(self, printed, need: int) -> str:
        text, strength = printed
        if strength >= need:
            return text
        return f"\\left({text}\\right)" if self.latex else f"({text})"

    # ------------------------------------------------------------ scalar expressions
    def _expr(self, e: sp.Expr, n: E.Entrywise | None, entry: bool = False, args: tuple = ()):
        """Print a scalar expression whose placeholders stand for n's arguments:
        in matrix notation (entry=False) or for one generic entry (entry=True)."""
        args = n.args if n is not None else args
        return _Printer(self, args, entry).print(e)

    def expr_node(self, e: sp.Expr, args: tuple) -> str:
        return _Printer(self, args, False).print(e)[0]

    def entry(self, e: sp.Expr, args: tuple) -> str:
        family = self._family(e, args)
        if family is not None:
            return family
        return _Printer(self, args, True).print(e)[0]

    def _family(self, e, args) -> str | None:
        """A family of zeros, x = a + k T for every integer k: 'x = π/2 + kπ, k ∈ ℤ'."""
        if not (isinstance(e, sp.Eq) and e.rhs.has(INTEGER) and not e.lhs.has(INTEGER)):
            return None
        step = sp.diff(e.rhs, INTEGER)
        offset = sp.expand(e.rhs - step * INTEGER)
        if step.has(INTEGER) or offset.has(INTEGER):
            return None

        def show(x):
            return _Printer(self, args, True).print(x)[0]
        term = "k" + ("" if step == 1 else show(step))
        value = term if offset == 0 else f"{show(offset)} + {term}"
        where = r",\ k \in \mathbb{Z}" if self.latex else ", k ∈ ℤ"
        return f"{show(e.lhs)} = {value}{where}"

    def entry_of(self, node: E.Node) -> str:
        """The generic (i,j) entry of a node: x_{ij}, x_{ji}, (AX)_{ij}, or a scalar."""
        L = self.latex
        if node.is_scalar:
            return self._wrap(self._node(node), ATOM)
        if isinstance(node, E.Sym):
            base = self.name(node.name.lower() if node.name.isupper() else node.name)
            idx = "i" if node.shape[1] == 1 else "ij"
            return f"{base}_{{{idx}}}" if L else f"{base}_{idx}"
        if isinstance(node, E.Transpose) and isinstance(node.arg, E.Sym):
            base = self.name(node.arg.name.lower() if node.arg.name.isupper() else node.arg.name)
            idx = "i" if node.arg.shape[1] == 1 else "ji"
            return f"{base}_{{{idx}}}" if L else f"{base}_{idx}"
        if isinstance(node, E.Eye):
            return r"\delta_{ij}" if L else "δ_ij"
        inner = self.node(node)
        idx = "i" if node.shape[1] == 1 else "ij"
        return f"\\left({inner}\\right)_{{{idx}}}" if L else f"({inner})_{idx}"


def node_text(node: E.Node) -> str:
    """A node in plain-text matrix notation: how the engine's refusals quote it."""
    return Notation(False).node(node)


def number_text(v: sp.Expr) -> str:
    """A SymPy number as a person writes it in text: e^3, π, √2."""
    return Notation(False).expr_node(v, ())


def spell(spec, args: list, latex: bool, styles: dict) -> str:
    """A primitive's spelling from the table, with its arguments filled in."""
    if latex:
        fmt = spec.latex.get(styles.get(spec.name)) or next(iter(spec.latex.values()))
    else:
        fmt = spec.text
    for i, a in enumerate(args):
        fmt = fmt.replace("{%d}" % i, a)
    return fmt


def _join_product(parts, latex):
    # A space also in LaTeX: A^\top X must not become the control word \topX.
    out = []
    for i, p in enumerate(parts):
        if i and (not latex or p[:1].isalpha() and parts[i - 1][-1:].isalpha() or parts[i - 1].endswith(("\\top", "}"))):
            out.append(" ")
        out.append(p)
    return out


class _Printer:
    def __init__(self, notation: Notation, args: tuple, entry: bool):
        self.n = notation
        self.args = args
        self.entry = entry
        self.L = notation.latex

    def _shape(self):
        big = [a.shape for a in self.args if not a.is_scalar]
        return big[0] if big else (1, 1)

    def is_matrix(self, e) -> bool:
        if self.entry:
            return False
        for s in e.free_symbols:
            if s.name.startswith("_p"):
                a = self.args[E.placeholder_index(s)]
                if not a.is_scalar:
                    return True
        return False

    def print(self, e):
        e = as_sympy(e)
        if e.is_Symbol and e.name.startswith("_p"):
            a = self.args[E.placeholder_index(e)]
            if self.entry:
                return self.n.entry_of(a), ATOM
            return self.n._node(a)
        if e.is_Number:
            return self.n._number(e)
        if e is sp.pi:
            return (r"\pi" if self.L else "π"), ATOM
        if e is sp.E:
            return "e", ATOM
        if e.is_Symbol:
            return self.n.name(e.name), ATOM
        if isinstance(e, sp.Add):
            return self._add(e)
        if isinstance(e, sp.Mul):
            return self._mul(e)
        if isinstance(e, sp.Pow):
            return self._pow(e)
        if isinstance(e, Sw):
            return self._switch(e)
        if isinstance(e, Prim):
            return spell(e.spec, [self.print(a)[0] for a in e.args], self.L, self.n.styles), ATOM
        if isinstance(e, sp.Piecewise):
            return self._piecewise(e)
        if isinstance(e, Relational):
            return self.condition(e), SUM
        if isinstance(e, (sp.And, sp.Or)):
            return self.condition(e), SUM
        if isinstance(e, sp.Abs):          # SymPy's own |y| (a root of x^2 = y^2 is x = |y|)
            inner = self.print(e.args[0])[0]
            return (rf"\left|{inner}\right|" if self.L else f"|{inner}|"), ATOM
        if isinstance(e, sp.Function):
            name = _function_name(type(e))
            inner = self.print(e.args[0])[0]
            if self.L:
                head = f"\\{name}" if name in LATEX_FUNCTIONS else rf"\operatorname{{{name}}}"
                return f"{head}\\left({inner}\\right)", ATOM
            return f"{name}({inner})", ATOM
        return (sp.latex(e) if self.L else sp.sstr(e)), ATOM

    def _switch(self, e: Sw):
        key, orient = switch_key(e.args[0], self.args)
        name = self.n.switch_names.get(key)
        if name is not None:
            text = name if not self.entry else (name.lower() + ("_{ij}" if self.L else "_ij"))
            return (text, ATOM) if orient == 1 else ("-" + text, SUM)
        inner = self.print(e.args[0])[0]
        return (f"\\operatorname{{sign}}\\left({inner}\\right)" if self.L else f"sign({inner})"), ATOM

    def _add(self, e):
        terms = sorted(e.args, key=_term_order)
        matrix = self.is_matrix(e)
        out = ""
        for i, t in enumerate(terms):
            coeff, _ = t.as_coeff_Mul()
            neg = coeff.is_number and coeff < 0
            if matrix and t.is_number:
                # a constant term of a matrix-valued sum is a multiple of J
                c = -t if neg else t
                ones = self.n._ones(self._shape())
                body = (ones, ATOM) if c == 1 else (f"{self.n._number(c)[0]} {ones}", PROD)
            else:
                body = self.print(-t if neg else t)
            text = body[0] if body[1] > SUM else (f"\\left({body[0]}\\right)" if self.L else f"({body[0]})")
            if i == 0:
                out = ("-" + text) if neg else text
            else:
                out += (" - " if neg else " + ") + text
        return out, SUM

    def _mul(self, e):
        coeff, _ = e.as_coeff_Mul()
        if coeff.is_number and coeff < 0:
            inner = self.print(-e)
            return "-" + (inner[0] if inner[1] > SUM else self._paren(inner[0])), SUM
        if coeff.is_Rational and not coeff.is_Integer and not self.entry:
            # (1/2) X ⊙ (S + J) rather than a fraction over everything
            rest = self.print(e / coeff)
            c = (rf"\frac{{{coeff.p}}}{{{coeff.q}}}" if self.L else f"{coeff.p}/{coeff.q}")
            return f"{c} {rest[0] if rest[1] > SUM else self._paren(rest[0])}", PROD
        num, den = sp.fraction(e)
        if den != 1 and not self.is_matrix(den):
            t, b = self.print(num), self.print(den)
            if self.L:
                return f"\\frac{{{t[0]}}}{{{b[0]}}}", ATOM
            top = t[0] if t[1] > SUM else self._paren(t[0])
            bottom = b[0] if b[1] >= ATOM else self._paren(b[0])
            return f"{top}/{bottom}", PROD
        factors = sp.Mul.make_args(e)
        # numbers, then named scalars (λ), then compound factors: λ Σ|x_ij|, not Σ|x_ij| λ
        scal = sorted((f for f in factors if not self.is_matrix(f)), key=self._factor_rank)
        mats = [f for f in factors if self.is_matrix(f)]
        head = " ".join(self._factor(f) for f in scal)
        if not mats:
            return head, PROD
        had = r" \odot " if self.L else " ⊙ "
        body = had.join(self._factor(f, ATOM if len(mats) > 1 else SUM + 1) for f in mats)
        if not head:
            return body, (PROD if len(mats) > 1 else self.print(mats[0])[1])
        return f"{head} {body}", PROD

    def _factor_rank(self, f) -> int:
        if f.is_Number:
            return 0
        if f.is_Symbol and f.name.startswith("_p"):
            a = self.args[E.placeholder_index(f)]
            return 1 if isinstance(a, E.Sym) else 2
        return 1 if f.is_Symbol else 2

    def _factor(self, f, need: int = SUM + 1) -> str:
        text, strength = self.print(f)
        return text if strength >= need else self._paren(text)

    def _paren(self, text):
        return f"\\left({text}\\right)" if self.L else f"({text})"

    def _pow(self, e):
        base, ex = e.base, e.exp
        if ex == -1:
            b = self.print(base)
            return (f"\\frac{{1}}{{{b[0]}}}" if self.L else f"1/{b[0] if b[1] >= ATOM else self._paren(b[0])}"), ATOM
        b = self.print(base)
        btext = b[0] if b[1] >= ATOM else self._paren(b[0])
        ex_text = sp.latex(ex) if self.L else sp.sstr(ex)
        if not self.L and not (ex.is_Integer and ex >= 0):
            ex_text = f"({ex_text})"       # |x|^(3/2), not |x|^3/2 (which reads as |x|^3 / 2)
        if self.is_matrix(base):
            return (f"{btext}^{{\\odot {ex_text}}}" if self.L else f"{btext}^⊙{ex_text}"), ATOM
        if ex == sp.Rational(1, 2):
            return (f"\\sqrt{{{b[0]}}}" if self.L else f"sqrt({b[0]})"), ATOM
        return (f"{btext}^{{{ex_text}}}" if self.L else f"{btext}^{ex_text}"), ATOM

    def _piecewise(self, e):
        rows = []
        for value, cond in e.args:
            v = self.print(value)[0]
            if cond == sp.true:
                c = r"\text{otherwise}" if self.L else "otherwise"
            else:
                c = self.condition(cond)
                c = (r"\text{if } " + c) if self.L else ("if " + c)
            rows.append((v, c))
        if self.L:
            body = r" \\ ".join(f"{v} & {c}" for v, c in rows)
            return f"\\begin{{cases}} {body} \\end{{cases}}", ATOM
        return "{ " + "; ".join(f"{v} {c}" for v, c in rows) + " }", ATOM

    def condition(self, cond) -> str:
        if isinstance(cond, sp.Not) and isinstance(cond.args[0], Relational):
            return self.condition(cond.args[0].negated)
        if isinstance(cond, sp.Not):
            inner = self.condition(cond.args[0])
            return (rf"\text{{not }}({inner})" if self.L else f"not ({inner})")
        if cond in (sp.true, sp.false):
            return ("\text{always}" if cond == sp.true else "\text{never}") if self.L else (
                "always" if cond == sp.true else "never")
        if isinstance(cond, sp.And):
            sep = r" \text{ and } " if self.L else " and "
            return sep.join(self.condition(c) for c in cond.args)
        if isinstance(cond, sp.Or):
            sep = r" \text{ or } " if self.L else " or "
            return sep.join(self.condition(c) for c in cond.args)
        ops_l = {">": ">", "<": "<", ">=": r"\ge", "<=": r"\le", "==": "=", "!=": r"\ne"}
        ops_t = {">": ">", "<": "<", ">=": "≥", "<=": "≤", "==": "=", "!=": "≠"}
        op = cond.rel_op
        lhs, rhs = cond.lhs, cond.rhs
        if rhs == 0 and isinstance(lhs, sp.Add):
            # x - a > 0 reads better as x > a, and x + 1 = 0 as x = -1
            consts = [t for t in lhs.args if t.is_number]
            terms = [t for t in lhs.args if not t.is_number]
            pos = [t for t in terms if not t.could_extract_minus_sign()]
            neg = [-t for t in terms if t.could_extract_minus_sign()]
            if pos and neg:
                lhs, rhs = sp.Add(*pos), sp.Add(*neg) - sp.Add(*consts)
            elif consts and len(terms) >= 1:
                lhs, rhs = sp.Add(*terms), -sp.Add(*consts)
                if lhs.could_extract_minus_sign() and op in ("==", "!="):
                    lhs, rhs = -lhs, -rhs
        elif rhs == 0 and lhs.could_extract_minus_sign() and op in ("==", "!="):
            lhs = -lhs
        text = f"{self.print(lhs)[0]} {(ops_l if self.L else ops_t)[op]} {self.print(rhs)[0]}"
        return text


def _is_digitish(text: str) -> bool:
    return text[:1].isdigit() or text.startswith(r"\frac")


def _term_order(t):
    # Stable and natural: positive terms first (J - X, not -X + J), constants last.
    coeff, _ = t.as_coeff_Mul()
    return (bool(coeff.is_number and coeff < 0), t.is_number, sp.default_sort_key(t))


# Function words LaTeX itself defines (\arctan, not \operatorname{arctan}).
LATEX_FUNCTIONS = frozenset({"exp", "log", "ln", "sin", "cos", "tan", "sinh", "cosh", "tanh", "arctan"})


def _function_name(cls) -> str:
    """The primitive table's name for a SymPy function class (arctan for SymPy's atan)."""
    for s in SMOOTH:
        if s.sympy is cls:
            return s.name
    return cls.__name__
