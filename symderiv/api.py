"""The pipeline: text -> expression -> analysis and both routes -> a result to render.

Data flows one way; each stage lives in its own module and this one only wires them
and puts the request under its bounds (sizes here, counts at each expensive step, and the
wall-clock guard behind them).
"""
from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any, Optional, Union

import sympy as sp

from . import bounds, guard, primitives
from . import expr as E
from . import syntax as S
from .analysis import Verdict, analyse
from .build import Problem, build
from .convexity import Convexity, decide
from .errors import InputError, SymderivError, Unsupported
from .evaluate import bind_dims
from .given_values import entry_by_entry, specialise
from .lazy_import import LazyModule, numpy_errors_ignored
from .nodes import eigen
from .pointwise import PointResult, at_point
from .parse import parse
from .routes import direct, sign
from .routes.arbiter import arbitrate, settle_point
from .routes.compare import compare_routes
from .values import from_object, load, spell

np = LazyModule("numpy")


@dataclass(repr=False)     # the field-by-field repr ran to kilobytes; see __repr__
class Analysis:
    source: str
    problem: Problem
    verdict: Verdict
    routes: dict                         # 'sign' / 'direct' -> RouteResult
    agree: bool | None
    agree_reason: str
    convexity: Convexity
    point: PointResult | None = None
    at_text: str | None = None
    notes: list = field(default_factory=list)
    lets: list = field(default_factory=list)
    autodiff: dict | None = None
    arbiter: object = None               # routes.arbiter.Arbiter, or None when nothing needed settling
    point_arbiter: object = None         # routes.arbiter.PointArbiter with --at
    direction_text: str | None = None
    values: dict = field(default_factory=dict, repr=False)   # the point and the --let values
    symmetric: bool = False              # the variable ranges over symmetric matrices (--symmetric)
    aliases: dict = field(default_factory=dict, repr=False)  # node key -> printed name ((X + Xᵀ)/2 as X)

    # name -> the user's own SymPy symbol, when f was given as a SymPy object: results in
    # SymPy are written over the same symbols (and so compare equal to the user's)
    sympy_symbols: dict = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        """One line: the function, the verdict, the gradient and the class."""
        from .render import markdown_out      # lazy: the renderers load only when shown
        return markdown_out.short(self)

    def _repr_markdown_(self) -> str:
        """Jupyter's rich display: what `diff --format markdown` prints."""
        from .render import markdown_out      # lazy: the renderers load only when shown
        return markdown_out.render(self)

    def _repr_latex_(self) -> str:
        """The answer at a glance as one math display (for front ends that show LaTeX)."""
        from .render import markdown_out      # lazy: the renderers load only when shown
        return markdown_out.summary_latex(self)

    # -- the answer's parts, as text and as SymPy objects ------------------------------------

    @property
    def differentiable_everywhere(self) -> bool:
        """Whether f is differentiable at every point of its domain."""
        return bool(self.verdict.differentiable_everywhere)

    @property
    def gradient_text(self) -> str:
        """The gradient as the text output prints it (on the set where f is differentiable)."""
        from .render import spell
        return spell.notation(False, self).node(self.verdict.gradient)

    @property
    def gradient_latex(self) -> str:
        """The gradient in LaTeX."""
        from .render import spell
        return spell.notation(True, self).node(self.verdict.gradient)

    @property
    def gradient_sympy(self):
        """The gradient as a SymPy expression (a matrix expression over MatrixSymbol for a
        matrix variable), or None where SymPy has no form for it."""
        from . import to_sympy
        return to_sympy.node(self.verdict.gradient, self.sympy_symbols)

    @property
    def hessian_sympy(self):
        """The second-order operator D -> d(grad f)[D] as a SymPy Lambda in D (where f is
        C^2 off its kinks), or None when it was not formed or has no SymPy form."""
        from . import to_sympy
        from .analysis import DIRECTION
        h = self.verdict.hessian
        if h is None:
            return None
        body = to_sympy.node(h, self.sympy_symbols)
        if body is None:
            return None
        direction = next((s for s in body.free_symbols if getattr(s, "name", None) == DIRECTION), None)
        return body if direction is None else sp.Lambda(direction, body)

    @property
    def nondifferentiable_set(self) -> str | None:
        """Where f is not differentiable, as the text output says it (None: nowhere)."""
        from .render import spell
        return spell.nondifferentiable_set(self.verdict, spell.notation(False, self))

    @property
    def nondifferentiable_set_sympy(self):
        """Where f is not differentiable, as a SymPy boolean in the variable's entries
        (``false``: nowhere); None when it cannot be formed (matrices of symbolic size,
        whose entries SymPy cannot name one by one, or a set the exact test amended)."""
        from . import to_sympy
        if self.verdict.arbiter_amend and any(self.verdict.arbiter_amend):
            return None
        return to_sympy.condition(self.verdict.failing, self.sympy_symbols)

    @property
    def point_subdifferential_sympy(self) -> dict | None:
        """The Clarke subdifferential at the point (with ``at``) as SymPy data: its form
        ('point', 'box', 'hull', 'ball', ...) and its parts, matrices as SymPy matrices
        (a box's lower and upper corners, a hull's generators, a ball's center and radius);
        None without a point or where f has no Clarke set there."""
        if self.point is None or self.point.subdifferential is None or not hasattr(self.point.subdifferential,
                                                                                   "fields"):
            return None

        def conv(v):
            if isinstance(v, np.ndarray):
                return sp.Matrix(v.shape[0], v.shape[1] if v.ndim == 2 else 1,
                                 lambda i, j: _as_rational(v[i, j] if v.ndim == 2 else v[i]))
            if isinstance(v, (list, tuple)):
                return [conv(x) for x in v]
            if isinstance(v, dict):
                return {k: conv(x) for k, x in v.items()}
            if isinstance(v, str) or v is None:
                return v
            return _as_rational(v)
        return conv(dict(self.point.subdifferential.fields()))

    @property
    def point_gradient_sympy(self):
        """The gradient at the point (with ``at``) as a SymPy matrix, or None."""
        if self.point is None or self.point.gradient is None:
            return None
        g = np.asarray(self.point.gradient, dtype=object)
        return sp.Matrix(g.shape[0], g.shape[1], lambda i, j: _as_rational(g[i, j]))

    def at(self, point: "PointLike", direction: "PointLike | None" = None, *,
           timeout: float | None = None) -> "Analysis":
        """The same function at another point of the same shape.  The global verdict, the
        routes and the curvature do not depend on the point, so they are reused; the
        answer at the point is worked out anew and checked by the arbiter, exactly as
        ``analyze(text, at=point)`` would.  ``point`` and ``direction`` are read as --at
        and --direction are (text), or given as numbers, nested lists, NumPy arrays or
        SymPy matrices."""
        if self.at_text is None:
            raise InputError("at() needs an analysis made at a point: give --at (at=...) first")
        words = CLI if isinstance(point, str) and (direction is None or isinstance(direction, str)) else API
        at_value = from_object(point, words.at)
        name = self.problem.var.name
        if tuple(at_value.shape) != tuple(self.values[name].shape):
            raise InputError(f"{words.at}: the point is {at_value.shape[0]}x{at_value.shape[1]}, but the analysis "
                             f"was made at a {self.values[name].shape[0]}x{self.values[name].shape[1]} point")
        dir_value = _direction(direction, at_value, words)
        if self.symmetric:
            _symmetric_point(at_value, dir_value, name)
        point = point if isinstance(point, str) else spell(at_value)
        if direction is not None and not isinstance(direction, str):
            direction = spell(dir_value)
        values = {**self.values, name: at_value}

        def work():
            result, arbiter = _point(self.problem, self.verdict, values, dir_value, words,
                                     self.convexity.convex is True)
            return replace(self, point=result, at_text=point, point_arbiter=arbiter,
                           direction_text=direction, values=values)
        with numpy_errors_ignored(), _too_deep():
            return guard.run(work, timeout, "the analysis at a point")


def _as_rational(x):
    """An exact number of a result (int, Fraction, a NumPy integer or SymPy) as a SymPy number."""
    from .exact_numbers import as_sympy
    return as_sympy(int(x) if hasattr(x, "dtype") and x.dtype.kind in "iu" else x)


def _parse(text: str):
    return parse(text)


@dataclass(frozen=True)
class Words:
    """How messages name the point, the direction and the constants: as the CLI's options
    (--at, --let A=...) for text given on the command line, as the API's keyword arguments
    (at=..., let={'A': ...}) for values given from Python."""
    at: str
    direction: str
    shape: str

    def let(self, name: str) -> str:
        return f"--let {name}" if self is CLI else f"let[{name!r}]"

    def needs(self, name: str) -> str:
        return f"--let {name}=..." if self is CLI else f"let={{{name!r}: ...}}"


CLI = Words("--at", "--direction", "--shape")
API = Words("at", "direction", "shape")


def parse_lets(lets: list[str] | None) -> tuple[dict, dict]:
    values, functions = {}, {}
    for item in lets or []:
        name, eq, value = item.partition("=")
        name = name.strip().lstrip("\\")
        if not eq or not name:
            raise InputError(f"--let expects NAME=VALUE, got '{item}'")
        word = value.strip().lstrip("\\")
        spec = primitives.lookup(word)
        if spec is not None and not any(c.isdigit() for c in word):
            functions[name] = spec.name
            continue
        values[name] = load(value.strip(), f"--let {name}")
    return values, functions


def _api_lets(let: dict) -> tuple[dict, dict, list]:
    """``let={'A': value, 'sigma': 'relu'}`` from Python: values as numbers, nested lists,
    NumPy arrays, SymPy matrices or text; a function word names what a letter applies.
    Keys may be SymPy symbols.  Returns the values, the functions and their --let texts."""
    from .from_sympy import is_sympy, name_of
    values, functions, texts = {}, {}, []
    for key, value in let.items():
        name = name_of(key) if is_sympy(key) else key
        if not isinstance(name, str) or not name.strip():
            raise InputError(f"let: a key must be a name (a string or a SymPy symbol), got {key!r}")
        name = name.strip().lstrip("\\")
        if isinstance(value, str):
            word = value.strip().lstrip("\\")
            spec = primitives.lookup(word)
            if spec is not None and not any(c.isdigit() for c in word):
                functions[name] = spec.name
                texts.append(f"{name}={value}")
                continue
        values[name] = from_object(value, API.let(name))
        texts.append(f"{name}={spell(values[name])}")
    return values, functions, texts


def _wrt_text(wrt) -> str | None:
    """``wrt`` as the CLI's --wrt text: a name, a SymPy symbol, or a list of them (x, y)."""
    if wrt is None or isinstance(wrt, str):
        return wrt
    from .from_sympy import is_sympy, name_of
    if is_sympy(wrt):
        return name_of(wrt)
    if isinstance(wrt, (list, tuple)) and wrt:
        return ",".join(name_of(w) if is_sympy(w) else str(w) for w in wrt)
    raise InputError(f"wrt: expected a name, a SymPy symbol or a list of them, got {type(wrt).__name__}")


def _sympy_shape(expr, wrt: str | None, shape):
    """The shape a MatrixSymbol carries, for the variable, when its sizes are numbers (the
    LaTeX spelling says it with --shape)."""
    if shape is not None:
        return shape
    syms = [s for s in expr.free_symbols if isinstance(s, sp.MatrixSymbol)]
    if wrt is None:
        plain = [s for s in expr.free_symbols if isinstance(s, sp.Symbol)]
        if len(syms) != 1 or plain:
            return None
        chosen = syms[0]
    else:
        chosen = next((s for s in syms if s.name == wrt), None)
    if chosen is None or not (chosen.rows.is_Integer and chosen.cols.is_Integer):
        return None
    return (int(chosen.rows), int(chosen.cols))


# What the API takes for a point or a value: text as --at reads it, a number, nested lists
# or tuples, a NumPy array, or a SymPy matrix.
# (NumPy's array named as a string: NumPy loads only when a question needs it)
PointLike = Union[str, int, float, Fraction, Sequence, "np.ndarray", sp.MatrixBase]


def analyze(text: Union[str, sp.Basic], *, wrt: Union[str, sp.Basic, Sequence, None] = None,
            at: Optional[PointLike] = None, let: Union[Mapping[Any, Any], Sequence[str], None] = None,
            shape: Optional[tuple] = None, route: str = "both", timeout: Optional[float] = None,
            direction: Optional[PointLike] = None, symmetric=None) -> Analysis:
    r"""Analyse a scalar function f of a matrix, vector or scalar variable.

    ``text``: LaTeX (as ``symderiv diff`` reads it, what ``sympy.latex`` prints included) or
    a SymPy expression (Abs, Max, Min, Heaviside, sign, Piecewise, exp, log, sin, ... of
    Symbols; MatrixSymbol products, sums, Transpose, Trace, HadamardProduct, applyfunc),
    read structurally, never through its printed text.  ``wrt``: the variable (a name, a
    SymPy symbol, or a list of scalars).  ``at`` and ``direction``: a point and a direction
    (text as --at reads it, a number, nested lists, a NumPy array or a SymPy matrix).
    ``let``: constants, as a dict {name: value} (or the CLI's list of 'NAME=VALUE' texts).
    ``shape``: the variable's shape (m, n), which a MatrixSymbol with numeric sizes gives
    by itself.  ``route``: 'both', 'sign' or 'direct'.  ``timeout``: seconds for the
    wall-clock guard (default guard.REQUEST_SECONDS), a last resort against a hang; no
    answer depends on it.  ``symmetric``: True (or the variable's name, or a tuple of
    names, as --symmetric X gives) to let the variable range over symmetric matrices, the
    gradient taken there with the trace inner product (nodes/eigen.py).

    >>> import sympy as sp
    >>> x = sp.Symbol("x")
    >>> a = analyze(sp.Abs(x), at=0)
    >>> a.differentiable_everywhere, a.point.differentiable
    (False, False)
    >>> a.nondifferentiable_set_sympy
    Eq(x, 0)
    >>> X = sp.MatrixSymbol("X", 2, 2)
    >>> analyze(sp.Trace(X.T * X)).gradient_sympy
    2*X
    >>> relu = X.applyfunc(lambda t: sp.Max(t, 0))
    >>> b = analyze(sp.Trace(relu.T * relu), at=[[1, -2], [0, 3]])
    >>> b.differentiable_everywhere, b.gradient_text
    (True, '2 max(X, 0)')
    >>> b.point_gradient_sympy
    Matrix([
    [2, 0],
    [0, 6]])
    >>> analyze(r"\max(x, 0)", at=[1]).point_gradient_sympy
    Matrix([[1]])
    """
    from .from_sympy import is_sympy, to_term
    words = CLI
    lets_text = let
    if isinstance(let, dict):
        words = API
    elif let is not None and not (isinstance(let, (list, tuple)) and all(isinstance(i, str) for i in let)):
        raise InputError("let: expected a dict {name: value}")
    if not (at is None or isinstance(at, str)) or not (direction is None or isinstance(direction, str)):
        words = API
    wrt = _wrt_text(wrt)
    if is_sympy(text):
        words = API
        term = to_term(text)
        shape = _sympy_shape(text, wrt, shape)
        from .parse import Parsed
        source = sp.latex(text)           # shown in messages only; the tree above is what is read
        parsed = Parsed(term, [], source)
    elif isinstance(text, str):
        if len(text) > bounds.MAX_INPUT_CHARS:
            raise InputError(f"the expression is longer than {bounds.MAX_INPUT_CHARS} characters",
                             column=bounds.MAX_INPUT_CHARS)
        parsed = None
    else:
        raise InputError(f"expected LaTeX text or a SymPy expression, got {type(text).__name__}")
    if isinstance(let, dict):
        values, functions, lets_text = _api_lets(let)
    else:
        values, functions = parse_lets(let)
    at_value = None if at is None else from_object(at, words.at)
    at_text = at if at is None or isinstance(at, str) else spell(at_value)
    if direction is not None and at is None:
        raise InputError(f"{words.direction} needs a point: give {words.at}")
    dir_value = _direction(direction, at_value, words)
    direction_text = direction if direction is None or isinstance(direction, str) else spell(dir_value)

    def work():
        return _analyze(parsed if parsed is not None else _parse(text), wrt, values, functions, at_value,
                        at_text, list(lets_text or []), shape, route, dir_value, direction_text, words,
                        symmetric)
    # numbers are exact here; NumPy's float warnings (an overflow flag SymPy's estimates
    # raise) are noise on stderr
    with numpy_errors_ignored(), _too_deep():
        if parsed is None:
            return guard.run(work, timeout, "the analysis")
        try:
            out = guard.run(work, timeout, "the analysis")
        except SymderivError as exc:
            # a column would point into sympy.latex's text, which the user never wrote
            raise type(exc)(exc.message) from None
    out.sympy_symbols = {s.name: s for s in text.free_symbols if isinstance(s, (sp.Symbol, sp.MatrixSymbol))}
    return out


@contextlib.contextmanager
def _too_deep():
    """SymPy recursing past Python's limit (a limit of deeply nested Piecewise, route 2's
    one-sided limits) is the honest refusal the CLI also gives, not an internal error of
    the API (a notebook or a server calls it directly)."""
    try:
        yield
    except RecursionError:
        raise Unsupported("the expression is nested too deeply to analyse") from None


def _real_constants(f: E.Node):
    """x/0 and (-1)^{1/2} x are no functions of real matrices: say so, rather than analyse
    SymPy's complex infinity or imaginary unit (printed zoo and I); nor is an entry past
    the shape the point gives (X_{33} of a 2x2 X)."""
    for n in E.walk(f):
        if isinstance(n, E.Pick) and all(isinstance(d, int) for d in n.arg.shape) and (
                n.i >= n.arg.shape[0] or n.j >= n.arg.shape[1]):
            name = n.arg.name if isinstance(n.arg, E.Sym) else "the matrix"
            raise InputError(f"the entry ({n.i + 1},{n.j + 1}) of {name} is outside its "
                             f"{E.fmt_shape(n.arg.shape)} shape")
        if not isinstance(n, E.Entrywise):
            continue
        if n.expr.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
            raise InputError("the expression divides by zero (SymPy reads it as an infinite constant)")
        if n.expr.has(sp.I):
            raise InputError("the expression has a constant that is not a real number (such as \\sqrt{-1} "
                             "or \\log(-1)); symderiv works over the reals")


def _analyze(parsed, wrt, values, functions, at_value, at, lets, shape, route, dir_value, direction,
             words, symmetric=None) -> Analysis:
    sym_names = eigen.symmetric_names(symmetric)
    first = build(parsed.term, parsed.source, values=values, wrt=wrt, shape=None, functions=functions)
    if at is not None:
        if shape is not None and tuple(at_value.shape) != tuple(shape):
            raise InputError(f"{words.shape} {shape[0]},{shape[1]} but the {words.at} point is "
                             f"{at_value.shape[0]}x{at_value.shape[1]}")
        values = {**values, first.var.name: at_value}
        again = wrt if first.var.parts else first.var.name
        problem = build(parsed.term, parsed.source, values=values, wrt=again, shape=None, functions=functions)
    elif shape is not None and not first.var.parts:
        problem = build(parsed.term, parsed.source, values=values, wrt=first.var.name, shape=shape,
                        functions=functions)
    else:
        problem = first
    problem.f = _numbers_for_scalars(problem, values)
    _real_constants(problem.f)
    if E.count_nodes(problem.f) > bounds.MAX_NODES:
        raise Unsupported(f"the expression has more than {bounds.MAX_NODES} nodes")
    # f as the analysis reads it: over a symmetric variable, f((X + Xᵀ)/2) (nodes/eigen.py)
    f_read = problem.f
    if sym_names:
        problem.f, problem.var, f_read = eigen.symmetric_variable(problem.f, problem.var, sym_names)
        if at_value is not None:
            _symmetric_point(at_value, dir_value, problem.var.name)
        problem.notes.append(eigen.CONVENTION.format(X=problem.var.name))
    # the variable's point says nothing about the matrices it ranges over: only the
    # constants' values count as data that is symmetric
    eigen.require_symmetric_arguments(f_read, {k: v for k, v in values.items() if k != problem.var.name})
    verdict = analyse(f_read, problem.var)
    lets_only = {k: val for k, val in values.items() if k != problem.var.name}
    expanded = None
    if lets_only:
        specialise(verdict, lets_only)
        if verdict.smoothness != "inf":
            expanded = entry_by_entry(verdict, f_read, lets_only)

    routes = {"sign": sign.route(verdict)}
    skipped = None
    if route in ("direct", "both"):
        try:
            routes["direct"] = direct.route(verdict)
        except direct.TooManyCases as exc:
            if route == "direct":
                raise Unsupported(str(exc)) from None
            skipped = str(exc)
        except Unsupported as exc:
            # the verdict stands on its own; a second route that cannot finish is said,
            # not turned into a failure of the whole answer
            if route == "direct":
                raise
            skipped = f"the direct route could not finish: {exc.message}"
    if route == "direct":
        routes.pop("sign")
    agree, why = compare_routes(verdict, routes) if skipped is None else (None, skipped)
    arbiter = arbitrate(problem, verdict, agree, lets_only, why)
    if arbiter is not None and not arbiter.settled:
        raise Unsupported(f"not decided: {arbiter.trigger}, and the exact test could not settle it "
                          f"({arbiter.reason})")

    dims = {}
    if at_value is not None:
        dims = bind_dims(problem.f, values)
    constant = verdict.differentiable_everywhere and verdict.smoothness == "inf" and \
        not E.depends_on((expanded or verdict).gradient_sign, problem.var)
    convexity = decide(f_read, problem.var, values, dims, continuous=verdict.continuous,
                       constant_gradient=constant)
    if sym_names and convexity.witness:
        # f((X + Xᵀ)/2) takes the same values at A and at its symmetric part: the
        # counterexample is given at symmetric points, where the variable lives
        convexity.witness = eigen.symmetric_witness(convexity.witness)

    point = point_arbiter = None
    if at_value is not None:
        point, point_arbiter = _point(problem, verdict, values, dir_value, words, convexity.convex is True)
    notes = list(parsed.notes) + [n for n in problem.notes if n not in parsed.notes]
    notes += [n for n in verdict.notes if n not in notes]      # what the values given with --let decided
    present = S.names_in(parsed.term) | {s.name for s in E.symbols_of(first.f)}
    for name in sorted(set(values) - present - {problem.var.name}):
        notes.append(f"{words.let(name)}: {name} does not occur in f, so its value is not used")
    out = Analysis(parsed.source, problem, verdict, routes, agree, why, convexity, point, at, notes, lets)
    out.arbiter, out.values = arbiter, values
    out.symmetric = bool(sym_names)
    if sym_names and not problem.var.is_scalar:
        # on the symmetric matrices (X + Xᵀ)/2 is X: printed so
        out.aliases = {eigen.symmetric_part(problem.var).key: problem.var.name}
    if at_value is not None:
        out.point_arbiter, out.direction_text = point_arbiter, direction
    return out


def _symmetric_point(at_value, dir_value, name: str):
    eigen.require_symmetric(at_value, "--at", name)
    if dir_value is not None:
        eigen.require_symmetric(dir_value, "--direction", name)


def _direction(direction, at_value, words: Words = CLI):
    """The --direction value, shaped like the point."""
    if direction is None:
        return None
    dir_value = from_object(direction, words.direction)
    if tuple(dir_value.shape) != tuple(at_value.shape):
        raise InputError(f"{words.direction} is {dir_value.shape[0]}x{dir_value.shape[1]} but the {words.at} point is "
                         f"{at_value.shape[0]}x{at_value.shape[1]}")
    return dir_value


def _point(problem: Problem, verdict: Verdict, values: dict, dir_value, words: Words = CLI,
           convex: bool = False):
    """The answer at the point in ``values``: the local analysis, checked (and where it
    differs, corrected) by the arbiter's exact test."""
    missing = [s.name for s in E.symbols_of(problem.f) if s.name not in values]
    if missing:
        name = missing[0]
        raise InputError(f"{name} needs a value: {words.needs(name)}")
    try:
        point = at_point(verdict, values)
    except Unsupported as exc:
        point, unsettled = None, exc
    # f'(X; D) of an eigenvalue function is its own (f is not written out entry by entry)
    eig_dir = None
    if dir_value is not None and point is not None and any(isinstance(n, (E.Eigen, E.KyFan)) for n in E.walk(verdict.f)):
        eig_dir = eigen.directional(point, dir_value)
    point, point_arbiter = settle_point(problem, verdict, values, point,
                                         None if eig_dir is not None else dir_value, convex)
    if eig_dir is not None:
        point_arbiter.directional = eig_dir
    if point is None:
        raise unsettled
    if not point.differentiable and verdict.differentiable_everywhere is True and not verdict.domain:
        # two of the tool's own answers disagree (clip(sgn(max(u, 0)), -2, 0) is 0 everywhere,
        # yet the local model saw the jump of sgn): neither is given as the answer.  A verdict
        # stated on a domain (a root's argument > 0) says nothing at the domain's edge.
        raise Unsupported("not decided: the analysis at this point finds f not differentiable here, "
                          "which the global verdict (differentiable everywhere) contradicts")
    return point, point_arbiter


def _numbers_for_scalars(problem, values: dict) -> E.Node:
    """Scalar constants given with --let become numbers before the analysis, so that
    leaky_relu(x; 1) = x is seen to be smooth.  Matrix constants stay symbols (the gradient
    reads A^T max(AX, 0), not a table of numbers); their values decide conditions later."""
    mapping = {}
    for s in E.symbols_of(problem.f):
        value = values.get(s.name)
        if s != problem.var and s.is_scalar and value is not None and value.shape == (1, 1):
            mapping[s.key] = E.const(value[0, 0])
    return E.substitute(problem.f, mapping) if mapping else problem.f
