"""Curvature: convex, concave, affine, or neither, and on which set.

convexity.py answers one question (is f convex?) as it always has.  This module answers
the finer one CVXPY's DCP analysis answers, and goes past it where an exact test can:

  * the composition rules of convexity.Rules, read with extended values (log u and u^p,
    0 < p < 1, are concave and nondecreasing on R when set to -inf outside their domain,
    so a concave u gives a concave result on the convex set where u > 0 or u >= 0);
  * an exact test of every scalar part that is a polynomial of degree <= 2 in the
    variable's entries once the --let values are in: convex when its Hessian is positive
    semidefinite, concave when negative semidefinite (exact rational LDL^T, with a
    rational vector as witness when it is neither);
  * sqrt q of a quadratic q >= 0 everywhere with a PSD Hessian is convex (it is the norm
    of an affine map); log of a sum of positive multiples of exponentials of affine
    functions is convex (log-sum-exp);
  * proofs that the argument of a log or root is positive everywhere, which remove the
    domain restriction;
  * for a sum of one function of each entry, the exact piecewise test of convexity.py,
    on each interval of its natural domain, for g and for -g;
  * "neither" only with two exact midpoint counterexamples, one each way.
The verdict names the set it holds on (None: everywhere) as (node, relation) conditions.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from fractions import Fraction

import sympy as sp

from . import expr as E
from .bounds import QUICK_CALLS, optional_step
from .convexity import (CONCAVE, CONST, AFFINE, CONVEX, Info, Rules, UNIVARIATE_CALLS,
                        _convex_univariate, _random_matrix, _scalar, _univariate, _value)
from .domain import domain_of
from .entries import entry_values
from .errors import SymderivError
from .evaluate import bind_dims
from .lazy_import import LazyModule
from .exact_numbers import as_sympy, is_concrete

np = LazyModule("numpy")

# the exact quadratic test expands f entry by entry: past this many variable entries it
# costs more than the answer is worth
MAX_QUADRATIC_ENTRIES = 36

NAMES = {CONST: "affine", AFFINE: "affine", CONVEX: "convex", CONCAVE: "concave"}


@dataclass
class Curvature:
    curvature: str | None            # 'convex' | 'concave' | 'affine' | 'neither' | None
    reason: str
    domain: list | None = None       # (node, '>' | '>=') conditions it holds on; None: everywhere
    witnesses: dict = field(default_factory=dict)   # 'convex' / 'concave': the midpoint refuting it
    # with curvature None: the signs of scalar parameters under which f has this curvature,
    # ('convex', [(parameter node, '>=' | '<='), ...])
    condition: tuple | None = None


# -- exact semidefiniteness


def semidefinite_witness(H: list) -> list | None:
    """A rational vector v with v^T H v < 0, or None when the rational symmetric H is
    positive semidefinite.  Exact: symmetric elimination on a positive pivot (a Schur
    complement keeps the question), a negative diagonal entry or a zero pivot row with
    an off-diagonal entry is the witness, lifted back through the eliminations."""
    n = len(H)
    A = [[Fraction(H[i][j]) for j in range(n)] for i in range(n)]
    if n == 0:
        return None
    for i in range(n):
        if A[i][i] < 0:
            return [Fraction(int(k == i)) for k in range(n)]
    for i in range(n):
        if A[i][i] == 0:
            for j in range(n):
                if A[i][j] != 0:
                    # (e_i t + e_j)^T A (e_i t + e_j) = 2 t a_ij + a_jj < 0 for a t of the right sign
                    t = -(abs(A[j][j]) + 1) / A[i][j]
                    v = [Fraction(0)] * n
                    v[i], v[j] = t, Fraction(1)
                    return v
    live = [i for i in range(n) if A[i][i] != 0]
    if not live:
        return None
    k = live[0]
    rest = [i for i in range(n) if i != k]
    S = [[A[i][j] - A[i][k] * A[k][j] / A[k][k] for j in rest] for i in rest]
    w = semidefinite_witness(S)
    if w is None:
        return None
    # x_k chosen to cancel the cross terms: x^T A x = w^T S w
    v = [Fraction(0)] * n
    for idx, i in enumerate(rest):
        v[i] = w[idx]
    v[k] = -sum(A[k][i] * v[i] for i in rest) / A[k][k]
    return v


def _quad_form(H, v):
    n = len(v)
    return sum(Fraction(H[i][j]) * v[i] * v[j] for i in range(n) for j in range(n))


@dataclass
class Quadratic:
    """q(x) = 1/2 x^T H x + g^T x + c over the variable's entries (in ``symbols`` order)."""
    symbols: list
    H: list
    g: list
    c: Fraction

    def augmented(self):
        n = len(self.symbols)
        M = [[self.H[i][j] / 2 for j in range(n)] + [self.g[i] / 2] for i in range(n)]
        M.append([self.g[j] / 2 for j in range(n)] + [self.c])
        return M

    def nonnegative(self) -> bool:
        """q >= 0 everywhere: the homogenised form is PSD."""
        return semidefinite_witness(self.augmented()) is None

    def positive(self) -> bool:
        """q > 0 everywhere: q >= 0, and no (x, 1) is in the kernel of the homogenised
        form (where q vanishes)."""
        if not self.nonnegative():
            return False
        M = sp.Matrix(self.augmented()).applyfunc(lambda f: sp.Rational(f.numerator, f.denominator))
        return all(v[-1] == 0 for v in M.nullspace())


def _to_fraction(e) -> Fraction:
    e = sp.nsimplify(e) if not e.is_Rational else e
    if not e.is_Rational:
        raise ValueError("not rational")
    return Fraction(int(e.p), int(e.q))


def _quadratic(F: sp.Expr, symbols: list) -> Quadratic | None:
    if F.free_symbols - set(symbols):
        return None
    P = sp.Poly(sp.expand(F), *symbols)
    if P.total_degree() > 2 or any(not c.is_Rational for c in P.coeffs()):
        return None
    zero = {s: 0 for s in symbols}
    H = [[_to_fraction(sp.diff(F, a, b)) for b in symbols] for a in symbols]
    g = [_to_fraction(sp.diff(F, a).xreplace(zero)) for a in symbols]
    return Quadratic(list(symbols), H, g, _to_fraction(sp.expand(F).xreplace(zero)))


# -- the rules with extended values and exact tests


class CurvatureRules(Rules):
    def __init__(self, var: E.Sym, values: dict, dims: dict | None):
        super().__init__(var, values)
        self.values = values
        self.dims = dims           # None: the sizes are not fixed, so nothing is expanded
        self.expanded: dict = {}
        self.used: set = set()     # the exact tests the verdict rests on, for its reason

    # a scalar node written out over the variable's entries, the values put in
    def expand(self, n: E.Node) -> sp.Expr | None:
        if self.dims is None or not n.is_scalar:
            return None
        if n.key not in self.expanded:
            self.expanded[n.key] = optional_step(self._expand, n, calls=QUICK_CALLS)
        return self.expanded[n.key]

    def _expand(self, n):
        (F,) = entry_values(n, self.dims)
        known = {sp.Symbol(f"{name}[{i},{j}]", real=True): as_sympy(v)
                 for name, arr in self.values.items() for (i, j), v in np.ndenumerate(arr)}
        return F.xreplace(known)

    def var_symbols(self) -> list:
        rows, cols = (int(d) if is_concrete(d) else self.dims[d] for d in self.var.shape)
        return [sp.Symbol(f"{self.var.name}[{i},{j}]", real=True) for i in range(rows) for j in range(cols)]

    def quadratic(self, n: E.Node) -> Quadratic | None:
        F = self.expand(n)
        if F is None:
            return None
        return optional_step(_quadratic, F, self.var_symbols(), calls=QUICK_CALLS)

    def _node(self, n: E.Node) -> Info:
        info = super()._node(n)
        if info.curv is None and n.is_scalar and self.moves(n):
            q = self.quadratic(n)
            if q is not None:
                sign = "nonneg" if q.nonnegative() else None
                convex = semidefinite_witness(q.H) is None
                concave = semidefinite_witness([[-h for h in row] for row in q.H]) is None
                if convex or concave:
                    self.used.add("an exact semidefiniteness test of a quadratic part")
                if convex and concave:
                    return Info(AFFINE, sign)
                if convex:
                    return Info(CONVEX, sign)
                if concave:
                    return Info(CONCAVE, "nonpos" if semidefinite_witness(
                        [[-h for h in row] for row in q.augmented()]) is None else None)
        return info

    def hook(self, args: tuple):
        def finer(e: sp.Expr, infos: dict):
            if isinstance(e, sp.Pow) and e.exp.is_Rational and 0 < e.exp < 1:
                base = _scalar(e.base, infos, finer)
                if base.curv in (AFFINE, CONCAVE):
                    # extended value: u^p is -inf where u < 0, concave and nondecreasing
                    return Info(CONCAVE, "nonneg")
                if e.exp == sp.Rational(1, 2) and self._sqrt_of_psd(e.base, args):
                    self.used.add("sqrt of a quadratic >= 0 with a PSD Hessian (a norm of an affine map)")
                    return Info(CONVEX, "nonneg")
            if isinstance(e, sp.log):
                u = e.args[0]
                if base_is_exp_sum(u, infos, finer) or (u in infos and self._exp_sum_node(args[E.placeholder_index(u)])):
                    self.used.add("log-sum-exp of affine functions")
                    return Info(CONVEX)
                inner = _scalar(u, infos, finer)
                if inner.curv in (AFFINE, CONCAVE):
                    return Info(CONCAVE)      # extended value, as for u^p
            return None
        return finer

    def _sqrt_of_psd(self, base: sp.Expr, args: tuple) -> bool:
        # sqrt q with q = |R (x, 1)|^2 >= 0 everywhere is |R (x, 1)|: convex
        if not all(a.is_scalar for a in args):
            return False
        parts = {}
        for i, a in enumerate(args):
            F = self.expand(a) if self.moves(a) else None
            if F is None and self.moves(a):
                return False
            parts[E.placeholder(i)] = F
        if any(v is None for v in parts.values()):
            return False
        q = optional_step(_quadratic, base.xreplace(parts), self.var_symbols(), calls=QUICK_CALLS)
        return q is not None and semidefinite_witness(q.H) is None and q.nonnegative()

    def _exp_sum_node(self, n: E.Node) -> bool:
        # Σ over entries of a sum of positive multiples of exponentials of affine functions
        if isinstance(n, E.SumAll):
            n = n.arg
        if not isinstance(n, E.Entrywise):
            return False
        infos = {E.placeholder(i): self.node(a) for i, a in enumerate(n.args)}
        return base_is_exp_sum(n.expr, infos, None)

    # -- positivity of the argument of a log or a root

    def positive(self, n: E.Node) -> bool:
        if not self.moves(n):
            return False
        if isinstance(n, E.SumAll):
            return self.positive(n.arg)
        if isinstance(n, E.Entrywise):
            subs = {}
            for i, a in enumerate(n.args):
                sign = self.node(a).sign
                subs[E.placeholder(i)] = sp.Symbol(f"_q{i}", nonnegative=True) if sign in ("nonneg", "zero") \
                    else sp.Symbol(f"_q{i}", real=True)
            if n.expr.xreplace(subs).is_positive:
                return True
        q = self.quadratic(n) if n.is_scalar else None
        return bool(q is not None and q.positive())

    def nonnegative(self, n: E.Node) -> bool:
        """n >= 0 everywhere (a root of it is then defined everywhere)."""
        if not self.moves(n):
            return False
        if isinstance(n, E.SumAll):
            return self.nonnegative(n.arg)
        if isinstance(n, E.Entrywise):
            subs = {E.placeholder(i): sp.Symbol(f"_q{i}", nonnegative=True)
                    if self.node(a).sign in ("nonneg", "zero") else sp.Symbol(f"_q{i}", real=True)
                    for i, a in enumerate(n.args)}
            if n.expr.xreplace(subs).is_nonnegative:
                return True
        q = self.quadratic(n) if n.is_scalar else None
        return bool(q is not None and q.nonnegative())


def base_is_exp_sum(u: sp.Expr, infos: dict, hook) -> bool:
    """u = c_0 + Σ c_k exp(a_k) with c_k > 0, c_0 >= 0, every a_k affine, at least one
    exponential: log u is then a log-sum-exp of affine functions, convex."""
    terms = sp.Add.make_args(u)
    seen = False
    for t in terms:
        if t.is_number:
            if not t.is_nonnegative:
                return False
            continue
        c, rest = t.as_coeff_Mul()
        if not (c.is_positive and isinstance(rest, sp.exp)):
            return False
        a = _scalar(rest.args[0], infos, hook)
        if a.curv not in (AFFINE, CONST):
            return False
        seen = True
    return seen


# -- the decision


def curvature(f: E.Node, var: E.Sym, values: dict, dims: dict, convexity, seed: int = 7,
              continuous: bool = True) -> Curvature:
    """``convexity``: convexity.decide's answer for the same f, which this must not
    contradict (its witness refutes convexity)."""
    f = E.fuse_sums(f)
    # with --at the point's value arrives among the values: the variable must stay free
    values = {k: v for k, v in values.items() if k != var.name}
    try:
        sizes = bind_dims(f, values)
    except SymderivError:
        sizes = None
    if sizes is not None:
        sizes = {**_picked_sizes(f, var), **dims, **sizes}
        shape = [int(d) if is_concrete(d) else sizes.get(d) for d in var.shape]
        if None in shape or shape[0] * shape[1] > MAX_QUADRATIC_ENTRIES or \
                any(s.name not in values for s in E.symbols_of(f) if s != var):
            sizes = None
    rules = CurvatureRules(var, values, sizes)
    info = rules.node(f)
    conds = [(n, rel) for n, rel in domain_of(f, var)
             if not (rules.positive(n) or (rel == ">=" and rules.nonnegative(n)))]
    proved_positive = len(conds) < len(domain_of(f, var))
    refuted = convexity.witness

    if info.curv is not None:
        name = NAMES[info.curv]
        if not conds:
            if refuted is None or name in ("concave",):
                why = "composition rules"
                if rules.used:
                    why += " (with " + "; ".join(sorted(rules.used)) + ")"
                if proved_positive:
                    why += ", with the argument of each log or root proved positive (or, for a root, nonnegative) everywhere"
                return Curvature(name, f"{why}: f is {name} in {var.name}")
        elif all(rel in (">", ">=") and rules.node(n).curv in (CONST, AFFINE, CONCAVE) for n, rel in conds):
            return Curvature(name, f"composition rules with extended values: f is {name} on its domain, "
                             "a convex set (each log or root argument there is concave)", domain=conds)

    uni = _univariate(f, var) if continuous else None
    if uni is not None:
        found = _univariate_curvature(f, var, *uni, conds, values, dims)
        if found is not None:
            return found

    q = rules.quadratic(f) if rules.dims is not None and not conds else None
    if q is not None:
        return _quadratic_verdict(f, var, q, rules, values)

    if info.curv is None:
        found = _on_parameter_signs(f, var, values, sizes, conds)
        if found is not None:
            return found
    if conds:
        return Curvature(None, "f is defined on a restricted domain the rules could not show convex, "
                         "and no exact test applies")
    witnesses = {}
    if refuted is not None:
        witnesses["convex"] = refuted
    if info.curv == CONCAVE:
        return Curvature("concave", f"composition rules: f is concave in {var.name}", witnesses=witnesses)
    other = _counterexample(f, var, values, dims, seed, concave=True)
    if other is not None:
        witnesses["concave"] = other
    if "convex" not in witnesses:
        mine = _counterexample(f, var, values, dims, seed, concave=False)
        if mine is not None:
            witnesses["convex"] = mine
    if len(witnesses) == 2:
        return Curvature("neither", "exact midpoint counterexamples to convexity and to concavity",
                         witnesses=witnesses)
    if "convex" in witnesses:
        return Curvature(None, "not convex (an exact midpoint counterexample); concavity not decided",
                         witnesses=witnesses)
    if "concave" in witnesses:
        return Curvature(None, "not concave (an exact midpoint counterexample); convexity not decided",
                         witnesses=witnesses)
    return Curvature(None, "the composition rules and the exact tests do not decide, and no "
                     "counterexample was found")


MAX_PARAMETERS = 3


def _on_parameter_signs(f, var, values, sizes, conds) -> Curvature | None:
    """Scalar constants without values (λ): the signs of them under which the rules
    decide, as a condition ('convex for λ ≥ 0').  The verdict itself stays undecided:
    it depends on values the command was not given."""
    params = [s for s in E.symbols_of(f) if s != var and s.name not in values and s.is_scalar]
    if not params or len(params) > MAX_PARAMETERS or conds:
        return None
    import itertools
    for signs in itertools.product(("nonneg", "nonpos"), repeat=len(params)):
        rules = CurvatureRules(var, values, sizes)
        rules.signs.update({p.name: s for p, s in zip(params, signs)})
        got = rules.node(f).curv
        if got in (CONVEX, CONCAVE, AFFINE, CONST):
            name = NAMES[got]
            cond = [(p, ">=" if s == "nonneg" else "<=") for p, s in zip(params, signs)]
            return Curvature(None, f"the composition rules decide only with the parameters' signs fixed "
                             f"(f is {name} in {var.name} under the condition stated); for other values "
                             "not decided", condition=(name, cond))
    return None


def _picked_sizes(f: E.Node, var: E.Sym) -> dict:
    """Sizes for the variable's free dimensions when f reads it only entry by entry
    (x_1, x_2 of x in R^m): f does not move with the other entries, so its curvature is
    the same at the smallest size holding the entries it reads."""
    picks = []
    for n in E.walk(f):
        for c in n.children():
            if c == var:
                if not isinstance(n, E.Pick):
                    return {}
                picks.append(n)
    if not picks:
        return {}
    out = {}
    for axis, d in enumerate(var.shape):
        if not is_concrete(d):
            out[d] = 1 + max(p.i if axis == 0 else p.j for p in picks)
    return out


def _quadratic_verdict(f, var, q: Quadratic, rules, values) -> Curvature:
    neg = [[-h for h in row] for row in q.H]
    v = semidefinite_witness(q.H)           # v^T H v < 0: not convex
    w = semidefinite_witness(neg)           # w^T H w > 0: not concave
    what = "f is a quadratic polynomial in the entries of " + var.name
    if v is None and w is None:
        return Curvature("affine", f"{what} with zero Hessian")
    if v is None:
        return Curvature("convex", f"{what} whose Hessian is positive semidefinite (exact LDLᵀ)")
    if w is None:
        return Curvature("concave", f"{what} whose Hessian is negative semidefinite (exact LDLᵀ)")
    witnesses = {}
    for key, vec in (("convex", v), ("concave", w)):
        wit = _symmetric_witness(f, var, vec, rules, values)
        if wit is not None:
            witnesses[key] = wit
    if len(witnesses) == 2:
        return Curvature("neither", f"{what} whose Hessian is indefinite; exact midpoint counterexamples "
                         "each way", witnesses=witnesses)
    return Curvature(None, f"{what} whose Hessian is indefinite", witnesses=witnesses)


def _symmetric_witness(f, var, vec, rules, values):
    # A = v, B = -v, midpoint 0: f(0) - (f(v) + f(-v))/2 = -1/2 v^T H v
    rows, cols = (int(d) if is_concrete(d) else rules.dims[d] for d in var.shape)
    A = np.empty((rows, cols), dtype=object)
    for k, (i, j) in enumerate(np.ndindex((rows, cols))):
        A[i, j] = vec[k]
    B = -A
    M = np.full((rows, cols), Fraction(0), dtype=object)
    try:
        fa, fb, fm = (_value(f, var, Z, values, rules.dims) for Z in (A, B, M))
    except SymderivError:
        return None
    return {"A": A, "B": B, "f(A)": fa, "f(B)": fb, "f((A+B)/2)": fm}


def _univariate_curvature(f, var, g, p, conds, values, dims) -> Curvature | None:
    """f = Σ g(x_ij): its curvature on each interval of g's natural domain, exactly."""
    domain = sp.S.Reals
    for n, rel in conds:
        if n == var:
            u = p
        elif isinstance(n, E.Entrywise) and n.args == (var,):
            u = n.expr
        else:
            return None
        cond = {">": u > 0, ">=": u >= 0}.get(rel)
        got = optional_step(sp.solveset, sp.Ne(u, 0) if cond is None else cond, p, sp.S.Reals,
                            calls=QUICK_CALLS)
        if got is None:
            return None
        domain = domain.intersect(got)
    pieces = list(domain.args) if isinstance(domain, sp.Union) else [domain]
    if not all(isinstance(I, sp.Interval) for I in pieces) or len(pieces) > 4:
        return None
    verdicts = []
    for I in pieces:
        convex = optional_step(_convex_univariate, g, p, I, calls=UNIVARIATE_CALLS)
        concave = optional_step(_convex_univariate, -g, p, I, calls=UNIVARIATE_CALLS)
        if convex is None or concave is None or convex[0] is None or concave[0] is None:
            return None
        verdicts.append((I, {(True, True): "affine", (True, False): "convex",
                             (False, True): "concave", (False, False): "neither"}[(convex[0], concave[0])]))
    if len(verdicts) == 1:
        I, name = verdicts[0]
        where = None if I == sp.S.Reals else _interval_conds(I, var, p)
        if name == "neither":
            if where is not None:
                return None      # a witness must stay in the domain; the general search does that
            return None          # leave to the counterexample search, which gives the points
        what = "one function of each entry" if isinstance(f, E.SumAll) else "a function of one variable"
        return Curvature(name, f"f is {what}, {name} on each smooth piece and at every kink "
                         "(checked exactly)", domain=where)
    parts = "; ".join(f"{name} where {_interval_text(I, var)}" for I, name in verdicts)
    return Curvature(None, f"f's domain is not convex (not an interval): f is {parts}")


def _interval_conds(I: sp.Interval, var, p) -> list:
    out = []
    if I.start.is_finite:
        out.append((E.ew(p - I.start, (var,), var.shape), ">" if I.left_open else ">="))
    if I.end.is_finite:
        out.append((E.ew(I.end - p, (var,), var.shape), ">" if I.right_open else ">="))
    return out


def _interval_text(I, var) -> str:
    # the variable's entries when it is a matrix: Σ 1/x_ij is one function of each entry
    who = var.name if var.is_scalar else f"each entry of {var.name}"
    parts = []
    if I.start.is_finite:
        parts.append(f"{who} {'>' if I.left_open else '≥'} {I.start}")
    if I.end.is_finite:
        parts.append(f"{who} {'<' if I.right_open else '≤'} {I.end}")
    return " and ".join(parts) or "everywhere"


def _counterexample(f, var, values, dims, seed, concave: bool):
    """Small rational points with f((A+B)/2) > (f(A)+f(B))/2 (concave=False: f is not
    convex) or < (not concave), checked exactly."""
    if any(s != var and s.name not in values for s in E.symbols_of(f)):
        return None
    rng = random.Random(seed)
    sizes = {d: dims.get(d, 2) for d in var.shape if not is_concrete(d)}
    sizes = {**dims, **sizes}
    shape = tuple(int(d) if is_concrete(d) else sizes[d] for d in var.shape)
    if shape[0] * shape[1] > 144 or any(v.size > 144 for v in values.values()):
        return None
    for trial in range(40):
        A = _random_matrix(shape, rng, trial)
        B = _random_matrix(shape, rng, trial + 1)
        M = (A + B) * Fraction(1, 2)
        try:
            fa, fb, fm = (_value(f, var, Z, values, sizes) for Z in (A, B, M))
        except SymderivError:
            continue
        gap = as_sympy(fm) - (as_sympy(fa) + as_sympy(fb)) / 2
        if (gap.is_negative if concave else gap.is_positive):
            return {"A": A, "B": B, "f(A)": fa, "f(B)": fb, "f((A+B)/2)": fm}
    return None
