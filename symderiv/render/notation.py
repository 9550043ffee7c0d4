"""Matrix notation for nodes and entry notation for conditions, in LaTeX or text.

No mathematics happens here: the engine hands over nodes and scalar expressions in
their final form, and this module only spells them.  Each matrix operation declares
its own notation (``printed``, in the printing section of its node class); this printer
walks the tree and does the rest: the dialect, parentheses, numbers, layout.  One
printer serves both dialects so that the text and LaTeX outputs cannot drift apart.
"""
from __future__ import annotations

import sympy as sp

from ..exact_numbers import as_sympy

from .. import expr as E
from ..nodes.base import ATOM, PROD, SUM
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
    # Each node declares its own printed form (its ``printed``, in symderiv/nodes); this
    # printer walks the tree and supplies the dialect, parentheses, numbers and layout.
    def node(self, n: E.Node) -> str:
        return self._node(n)[0]

    def _node(self, n: E.Node):
        return n.printed(self)

    def child(self, n: E.Node, need: int = 0) -> str:
        """A child node printed, in parentheses when it binds less than ``need``."""
        return self._wrap(self._node(n), need)

    def dialect(self, text: str, latex: str) -> str:
        return latex if self.latex else text

    def subscript(self, base: str, sub: str) -> str:
        return f"{base}_{{{sub}}}" if self.latex else f"{base}_{sub}"

    def product(self, parts: list) -> str:
        """Matrix factors, already printed, written side by side."""
        return "".join(_join_product(parts, self.latex))

    def expr(self, e: sp.Expr, args: tuple):
        """A scalar expression in placeholders bound to ``args``, in matrix notation."""
        return _Printer(self, args, False).print(e)

    def constant_fill(self, c, shape):
        """A matrix of one number: 0, J, 2J (the number alone for a scalar)."""
        if shape[0] == 1 and shape[1] == 1:
            return self._number(c)
        if c == 0:
            return "0", ATOM
        ones = self.ones(shape)
        if c == 1:
            return ones, ATOM
        num, _ = self._number(c)
        return f"{num}{ones}" if self.latex else f"{num} {ones}", PROD

    def spread(self, printed, shape):
        """A scalar spread over a matrix of ``shape``: its printed form times the ones."""
        body = self._wrap(printed, PROD)
        if self.latex and " " in body:
            body = f"\\left({body}\\right)"
        return f"{body} {self.ones(shape)}", PROD

    def ones(self, shape) -> str:
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

    def _wrap(self, printed, need: int) -> str:
        text, strength = printed
        if strength >= need:
            return text
        return f"\\left({text}\\right)" if self.latex else f"({text})"

    # ------------------------------------------------------------ scalar expressions
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
        if node.is_scalar:
            return self._wrap(self._node(node), ATOM)
        own = node.printed_entry(self)
        if own is not None:
            return own
        inner = self.node(node)
        idx = "i" if node.shape[1] == 1 else "ij"
        return f"\\left({inner}\\right)_{{{idx}}}" if self.latex else f"({inner})_{idx}"


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
                ones = self.n.ones(self._shape())
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
            return 1 if self.args[E.placeholder_index(f)].prints_as_name else 2
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
        if isinstance(cond, sp.logic.boolalg.BooleanFunction) and not isinstance(cond, (sp.And, sp.Or)):
            # ITE(c, a, b), Xor, Implies (piecewise_fold can leave an ITE in a condition):
            # written with and, or, not, which is all a reader is shown
            return self.condition(cond.to_nnf())
        if isinstance(cond, sp.And):
            sep = r" \text{ and } " if self.L else " and "
            # "and" binds tighter than "or": an or inside an and is bracketed
            return sep.join(f"({self.condition(c)})" if isinstance(c, sp.Or) else self.condition(c)
                            for c in cond.args)
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
