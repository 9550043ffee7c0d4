"""Scalar SymPy machinery built from the primitive table.

Three representations of the same scalar function are used by the engine:
  * primitive form: the table's functions applied as written (``Relu(x)**2``);
  * sign form: every primitive replaced by its sign-identity rewrite, a polynomial in
    switch atoms ``Sw(u)`` = sign(u) whose coefficients are smooth.  It is exact off the
    switches and canonical there, so it is where equalities are decided (route 1);
  * piecewise form: every primitive replaced by its pieces (route 2), built with SymPy's
    own Piecewise machinery so that the two routes share as little code as possible.
"""
from __future__ import annotations

import itertools
from functools import lru_cache

import sympy as sp
from sympy.polys.polyerrors import BasePolynomialError

from .exact_numbers import as_sympy

from . import primitives
from sympy.core.relational import Relational
from sympy.logic.boolalg import Boolean

from .bounds import charged
from .errors import Unsupported
from .lp import open_cell

MAX_NESTED_SWITCHES = 6


class Sw(sp.Function):
    """sign(u) on the open set u != 0: a region-wise constant, so its derivative is 0.

    ``Sw(u)**2`` reduces to 1 and ``Sw(-u)`` to ``-Sw(u)``: both hold off the switch,
    which is the only place a sign form claims anything.  ``Sw(0)`` stays unevaluated
    on purpose: it marks two switches that coincide, which the caller must handle.
    """
    nargs = 1
    is_real = True

    @classmethod
    def eval(cls, u):  # safe: SymPy's Function.eval hook, not Python's eval
        if u.is_Number:
            if u.is_positive:
                return sp.Integer(1)
            if u.is_negative:
                return sp.Integer(-1)
            return None
        if u.is_positive:
            return sp.Integer(1)
        if u.is_negative:
            return sp.Integer(-1)
        if u.could_extract_minus_sign():
            return -cls(-u)
        content, rest = u.as_content_primitive()
        if content.is_positive and content != 1:
            return cls(rest)
        if u.is_Mul:
            keep = [f for f in u.args if not f.is_positive]
            if len(keep) < len(u.args):
                return cls(sp.Mul(*keep))
        if u.is_Pow and u.exp.is_Integer and u.exp.is_odd and u.exp > 0:
            return cls(u.base)
        if u.is_Pow and u.exp.is_Integer and u.exp.is_even and u.exp > 0 and u.base.is_real:
            return sp.Integer(1)       # sin(x)^2 >= 0: the same sign on both sides of its zeros
        odd = odd_part(u)
        if odd is not None:
            return cls(odd)
        return None

    def fdiff(self, argindex=1):
        return sp.Integer(0)

    def _eval_power(self, exponent):
        if exponent.is_Integer:
            return sp.Integer(1) if exponent.is_even else self
        return None

    def _latex(self, printer, exp=None):
        body = r"\operatorname{sign}\left(%s\right)" % printer._print(self.args[0])
        return body if exp is None else r"%s^{%s}" % (body, exp)

    def _sympystr(self, printer):
        return "sign(%s)" % printer._print(self.args[0])


MAX_ODD_PART_DEGREE = 12


@lru_cache(maxsize=4096)
def odd_part(u: sp.Expr):
    """A switch with the same sign as u wherever u != 0, with no repeated factor: for a
    polynomial u = c f1^m1 f2^m2 ... (square-free factors fi) it is c times the fi of odd
    multiplicity.  A factor of even multiplicity does not change sign across its zeros,
    so it is no switch at all there: max(x^2, 4x - 4) switches on (x - 2)^2, which is
    >= 0, and f = x^2 on both sides; one of odd multiplicity is crossed as the factor
    itself is ((x - 1)^3 -> x - 1), whose gradient does not vanish there.  None when u
    is not a polynomial of degree >= 2, or has no repeated factor (nothing to reduce)."""
    if not u.free_symbols or u.has(Sw):
        return None
    try:
        # a polynomial in its entries, or in smooth real functions of them (sin(x)^3 +
        # sin(x)^5 = sin(x)^3 (1 + sin(x)^2) is crossed as sin x): the factorisation is an
        # identity of the generators as symbols, so of the functions too
        poly = sp.Poly(u)
    except BasePolynomialError:     # not a polynomial, or no generators SymPy can pick (pi k)
        return None
    gens = poly.gens
    if any(g.is_real is not True or g.has(Sw) for g in gens):
        return None
    if poly.total_degree() < 2 or poly.total_degree() > MAX_ODD_PART_DEGREE:
        return None
    try:
        coeff, factors = sp.sqf_list(u, *gens)
    except BasePolynomialError:     # generators SymPy reads as dependent (exp(x) and exp(2x))
        return None
    if all(m == 1 for _, m in factors):
        return None
    out = sp.Mul(coeff, *[f for f, m in factors if m % 2 == 1])
    return sp.expand(out)


def crossing_part(u: sp.Expr):
    """The argument of a switch that changes sign exactly where sign(u) does, or None
    when sign(u) is the same on both sides of every zero of u (u = (x - 2)^2): x^3 and
    (x - 1)^3 are crossed as x and x - 1, whose gradients do not vanish there."""
    if u.is_Pow and u.exp.is_Integer and u.exp > 0:
        return None if u.exp.is_even else crossing_part(u.base)
    odd = odd_part(u)
    if odd is None:
        return u
    return None if odd.is_number else odd


class Prim(sp.Function):
    """Base of the table's functions.  Subclasses carry ``spec``."""
    spec: primitives.Primitive
    is_real = True

    @classmethod
    def eval(cls, *args):  # safe: SymPy's Function.eval hook, not Python's eval
        if len(args) != cls.spec.arity + len(cls.spec.params):
            return None
        if all(a.is_number and a.is_real is True for a in args):
            for value, cond in cls.spec.pieces(*args):
                if cond is True or cond == sp.true:
                    return as_sympy(value)
                if cond is False or cond == sp.false:
                    continue
                return None
        return None

    def fdiff(self, argindex=1):
        # The region-wise derivative: differentiate the sign rewrite with the switch
        # held fixed.  At a switch this is *not* a derivative; analysis examines those.
        dummies = [sp.Dummy(real=True) for _ in self.args]
        form = self.spec.sign_form(*dummies, S=Sw)
        d = sp.diff(form, dummies[argindex - 1])
        return d.xreplace(dict(zip(dummies, self.args)))

    def _latex(self, printer, exp=None):
        style = getattr(printer, "_symderiv_styles", {}).get(self.spec.name)
        fmt = self.spec.latex.get(style) or next(iter(self.spec.latex.values()))
        body = fmt
        for i, a in enumerate(self.args):
            body = body.replace("{%d}" % i, printer._print(a))
        return body if exp is None else r"\left(%s\right)^{%s}" % (body, exp)

    def _sympystr(self, printer):
        body = self.spec.text
        for i, a in enumerate(self.args):
            body = body.replace("{%d}" % i, printer._print(a))
        return body


def _make(spec: primitives.Primitive):
    # A distinct class name: SymPy's printers dispatch on names such as "Abs".
    name = "".join(part.capitalize() for part in spec.name.split("_")) + "Fn"
    return type(name, (Prim,), {"spec": spec, "nargs": spec.arity + len(spec.params)})


FUNCS: dict[str, type] = {p.name: _make(p) for p in primitives.TABLE}


def prim(name: str, *args) -> sp.Expr:
    return FUNCS[name](*args)


def is_prim(e) -> bool:
    return isinstance(e, Prim)


# ---------------------------------------------------------------- sign form

def sign_cells(inner: list, what: str = "one entry"):
    """(indicator, {atom: sign}) for every sign pattern of the switch atoms ``inner``:
    the indicator is prod (1 + s_k S_k)/2, 1 on that cell and 0 on the others."""
    if len(inner) > MAX_NESTED_SWITCHES:
        raise Unsupported(f"too many nested kinks in {what} to enumerate their cells")
    for signs in itertools.product((1, -1), repeat=len(inner)):
        ind = sp.Integer(1)
        for atom, s in zip(inner, signs):
            ind *= sp.Rational(1, 2) * (1 + s * atom)
        yield ind, dict(zip(inner, signs))


def positive_parameters(expr: sp.Expr) -> set:
    """The placeholders standing as a primitive's positive parameter (the δ of Huber_δ)."""
    return {p for call in expr.atoms(Prim) if call.spec.positive_parameter
            for p in call.args[call.spec.arity:] if p.is_Symbol and p.name.startswith("_p")}


def switch(u: sp.Expr) -> sp.Expr:
    """Sw(u) for a u that may itself contain switches (a nested kink).

    On each sign cell of the inner switches u is smooth, so sign(u) is the sum over
    cells of the cell's indicator times a plain switch of that cell's u.
    """
    u = sp.expand(u)
    inner = sorted(u.atoms(Sw), key=sp.default_sort_key)
    if not inner:
        return Sw(u)
    total = sp.Integer(0)
    for ind, cell in sign_cells(inner):
        cell_u = sp.expand(u.xreplace(cell))
        # On a cell where u is identically 0 the primitive sits on its breakpoint on an
        # open set: sign(0) = 0 there, which every table rewrite turns into its value at 0.
        total += ind * (sp.Integer(0) if cell_u == 0 else _on_cell(cell_u, cell))
    return sp.expand(total)


def _on_cell(u: sp.Expr, cell: dict) -> sp.Expr:
    """sign(u) on a cell whose inner switches have known signs.  Where u is a multiple c·v
    of an inner switch's argument v (|leaky_α(x)|: u = αx on the cell x < 0), sign(u) is
    sign(c) times the cell's sign of v: the switch is v's own, not a second one at the same
    place that the analysis would take for another (and call harmless)."""
    for atom, value in cell.items():
        v = atom.args[0]
        q = sp.cancel(u / v)
        if q != 0 and not (q.free_symbols & v.free_symbols) and not q.has(Sw):
            return switch(q) * value
    return switch(u)


def indicator(cond) -> sp.Expr:
    """The sign-form indicator of a condition on linear expressions."""
    if cond is True or cond == sp.true:
        return sp.Integer(1)
    if cond is False or cond == sp.false:
        return sp.Integer(0)
    if isinstance(cond, (sp.StrictGreaterThan, sp.GreaterThan, sp.StrictLessThan, sp.LessThan)):
        d = sp.expand(to_sign_form(cond.lhs - cond.rhs))
        inner = sorted(d.atoms(Sw), key=sp.default_sort_key)
        if inner:
            # decide the comparison cell by cell: where d is a constant it is simply true or false
            total = sp.Integer(0)
            for ind, cell in sign_cells(inner, "one condition"):
                total += ind * indicator(cond.func(sp.expand(d.xreplace(cell)), 0))
            return sp.expand(total)
        if d.is_number:
            return sp.Integer(1) if cond.func(d, 0) == sp.true else sp.Integer(0)
        sign = 1 if isinstance(cond, (sp.StrictGreaterThan, sp.GreaterThan)) else -1
        return sp.Rational(1, 2) * (1 + sign * switch(d))
    if isinstance(cond, sp.Eq):
        return sp.Integer(0)          # a null set: it only fixes values on a switch
    if isinstance(cond, sp.Ne):
        return sp.Integer(1)
    if isinstance(cond, sp.And):
        out = sp.Integer(1)
        for c in cond.args:
            out *= indicator(c)
        return out
    if isinstance(cond, sp.Or):
        out = sp.Integer(1)
        for c in cond.args:
            out *= 1 - indicator(c)
        return 1 - out
    if isinstance(cond, sp.Not):
        return 1 - indicator(cond.args[0])
    raise Unsupported(f"cannot read the condition {cond} as a sign pattern")


def _piecewise_sign_form(pw: sp.Piecewise) -> sp.Expr:
    total = sp.Integer(0)
    rest = sp.Integer(1)
    for value, cond in pw.args:
        ind = indicator(cond)
        total += rest * ind * to_sign_form(value)
        rest = rest * (1 - ind)
    return total


@lru_cache(maxsize=4096)
def to_sign_form(expr: sp.Expr) -> sp.Expr:
    """Rewrite every primitive (and SymPy's own kinked functions) by its sign identity."""
    if not isinstance(expr, sp.Basic) or expr.is_Atom:
        return expr
    if not expr.has(Prim, Sw, sp.Piecewise, sp.Abs, sp.sign, sp.Heaviside, sp.Max, sp.Min):
        return expr                # smooth: nothing to rewrite (and expanding (1 + u^2)^-2 costs)
    if isinstance(expr, Sw):
        return switch(to_sign_form(expr.args[0]))
    if isinstance(expr, sp.Piecewise):
        return sp.expand(_piecewise_sign_form(expr))
    if isinstance(expr, (Relational, Boolean)):
        return expr
    args = [to_sign_form(a) for a in expr.args]
    if isinstance(expr, Prim):
        return sp.expand(expr.spec.sign_form(*args, S=switch))
    if isinstance(expr, sp.Abs):
        return sp.expand(switch(args[0]) * args[0])
    if isinstance(expr, sp.sign):
        return switch(args[0])
    if isinstance(expr, sp.Heaviside):
        return sp.Rational(1, 2) * (1 + switch(args[0]))
    if isinstance(expr, (sp.Max, sp.Min)):
        name = "max" if isinstance(expr, sp.Max) else "min"
        acc = args[0]
        for a in args[1:]:
            acc = sp.expand(primitives.BY_NAME[name].sign_form(acc, a, S=switch))
        return acc
    polynomial = isinstance(expr, (sp.Add, sp.Mul)) or (
        isinstance(expr, sp.Pow) and expr.exp.is_Integer and expr.exp >= 0)
    if not polynomial and any(a.has(Sw) for a in args):
        return _by_cells(expr.func, args)
    return sp.expand(expr.func(*args))


def _by_cells(func, args) -> sp.Expr:
    """g(a + S b) for a smooth g that is not a polynomial: on each sign cell the
    argument is smooth, so g is the sum of cell indicators times g on that cell."""
    inner = sorted(set().union(*[a.atoms(Sw) for a in args]), key=sp.default_sort_key)
    total = sp.Integer(0)
    for ind, cell in sign_cells(inner, "one smooth function"):
        total += ind * func(*[a.xreplace(cell) for a in args])
    return sp.expand(total)


def switches_of(expr: sp.Expr) -> list:
    """The switch atoms of a sign form, in a deterministic order."""
    return sorted(expr.atoms(Sw), key=sp.default_sort_key)


def split(expr: sp.Expr, atom: Sw) -> tuple[sp.Expr, sp.Expr]:
    """(F0, F1) with expr = F0 + atom*F1 and neither containing ``atom``."""
    e = sp.expand(expr)
    f1 = sp.expand(e.coeff(atom, 1)) if e.has(atom) else sp.Integer(0)
    f0 = sp.expand(e - atom * f1)
    if f0.has(atom) or f1.has(atom):
        # coeff() misses atoms inside other functions (exp(Sw(x))); that is a
        # non-polynomial dependence on the sign, which the engine does not model.
        raise Unsupported("a kink appears inside a non-polynomial function; cannot separate its sides")
    return f0, f1


def jump_switches(expr: sp.Expr) -> list:
    """Switches of primitives that jump (sign, step, cases), read from primitive form.

    A jump can vanish from the sign form (sign(x)**2 -> 1) while the function still
    jumps at the switch (its value there is 0), so they are collected before rewriting.
    """
    out = []
    for node in sp.preorder_traversal(expr):
        if isinstance(node, Prim) and not node.spec.continuous:
            for u in node.spec.switches(*[to_sign_form(a) for a in node.args]):
                out.append(sp.expand(u))
        elif isinstance(node, (sp.sign, sp.Heaviside)):
            out.append(sp.expand(to_sign_form(node.args[0])))
        elif isinstance(node, sp.Piecewise):
            for _, cond in node.args:
                for rel in (cond.atoms(Relational) if isinstance(cond, sp.Basic) else ()):
                    out.append(sp.expand(to_sign_form(rel.lhs - rel.rhs)))
    flat = []
    for u in out:
        inner = sorted(u.atoms(Sw), key=sp.default_sort_key)
        if not inner:
            flat.append(u)
            continue
        # a jump nested in a kink: on each cell the inner signs are fixed
        for _, cell in sign_cells(inner, "one jump"):
            flat.append(sp.expand(u.xreplace(cell)))
    unique = {}
    for u in flat:
        if u.is_number or u.has(Sw):
            continue
        key = Sw(u)
        if isinstance(key, sp.Mul):   # -Sw(v)
            key = -key
        unique.setdefault(sp.srepr(key), key.args[0] if isinstance(key, Sw) else u)
    return [unique[k] for k in sorted(unique)]


# ---------------------------------------------------------------- piecewise form

@charged()
def to_piecewise(expr: sp.Expr) -> sp.Expr:
    """Replace every primitive by its pieces, then fold: route 2's view of the function.
    (Cached: route 2 asks for the same expression once per variable it differentiates.)"""
    def conv(e):
        if not isinstance(e, sp.Basic) or e.is_Atom:
            return e
        args = [conv(a) for a in e.args]
        if isinstance(e, Prim):
            pieces = e.spec.pieces(*args)
            try:
                return sp.piecewise_fold(sp.Piecewise(*pieces))
            except RecursionError:
                # SymPy's Piecewise.eval calls itself without end when a condition compares
                # two Piecewise (min(|u|, max(v, 0))); built unevaluated, the fold still
                # resolves the nested cases, and the loop is in SymPy, so it happens alike
                # on every machine
                return sp.piecewise_fold(sp.Piecewise(*pieces, evaluate=False))
        return e.func(*args)
    folded = sp.piecewise_fold(conv(expr))
    if not folded.has(sp.Piecewise):
        return folded
    # Drop the cases that cannot occur (x > 0 and x < 0) so the split reads as written.
    return _prune(folded)


def _prune(e):
    if isinstance(e, sp.Piecewise):
        kept = [(_prune(v), c) for v, c in e.args if not _impossible(c)]
        return sp.Piecewise(*kept) if kept else e
    if not isinstance(e, sp.Basic) or e.is_Atom:
        return e
    return e.func(*[_prune(a) for a in e.args])


def _impossible(cond) -> bool:
    """A conjunction of linear strict/non-strict inequalities with no solution (exact LP)."""
    if not isinstance(cond, sp.And):
        return False
    rels = cond.args
    if not all(isinstance(r, (sp.StrictGreaterThan, sp.StrictLessThan, sp.GreaterThan, sp.LessThan)) for r in rels):
        return False
    strict, loose = [], []
    for r in rels:
        d = sp.expand(r.lhs - r.rhs)
        if isinstance(r, (sp.StrictLessThan, sp.LessThan)):
            d = -d
        (strict if isinstance(r, (sp.StrictGreaterThan, sp.StrictLessThan)) else loose).append(d)
    xs = sorted(set().union(*[d.free_symbols for d in strict + loose]), key=sp.default_sort_key)
    ok = open_cell(strict, [1] * len(strict), xs, loose)
    return ok is False
