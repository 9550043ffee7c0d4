"""The pipeline: text -> expression -> analysis and both routes -> a result to render.

Data flows one way; each stage lives in its own module and this one only wires them
and puts the request under its bounds (sizes here, counts at each expensive step, and the
wall-clock guard behind them).
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass, field, replace

from .lazy_import import numpy_errors_ignored
import sympy as sp

from . import bounds, guard, primitives
from . import expr as E
from . import syntax as S
from .analysis import Verdict, analyse
from .build import Problem, build
from .convexity import Convexity, decide
from .errors import InputError, Unsupported
from .evaluate import bind_dims
from .given_values import entry_by_entry, specialise
from .pointwise import PointResult, at_point
from .parse import parse
from .routes import direct, sign
from .routes.arbiter import arbitrate, settle_point
from .routes.compare import compare_routes
from .values import load



@dataclass
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

    def at(self, point: str, direction: str | None = None, *, timeout: float | None = None) -> "Analysis":
        """The same function at another point of the same shape.  The global verdict, the
        routes and the curvature do not depend on the point, so they are reused; the
        answer at the point is worked out anew and checked by the arbiter, exactly as
        ``analyze(text, at=point)`` would.  ``point`` and ``direction`` are read as --at
        and --direction are."""
        if self.at_text is None:
            raise InputError("at() needs an analysis made at a point: give --at (at=...) first")
        at_value = load(point, "--at")
        name = self.problem.var.name
        if tuple(at_value.shape) != tuple(self.values[name].shape):
            raise InputError(f"--at: the point is {at_value.shape[0]}x{at_value.shape[1]}, but the analysis "
                             f"was made at a {self.values[name].shape[0]}x{self.values[name].shape[1]} point")
        dir_value = _direction(direction, at_value)
        values = {**self.values, name: at_value}

        def work():
            result, arbiter = _point(self.problem, self.verdict, values, dir_value)
            return replace(self, point=result, at_text=point, point_arbiter=arbiter,
                           direction_text=direction, values=values)
        with numpy_errors_ignored(), _too_deep():
            return guard.run(work, timeout, "the analysis at a point")


def _parse(text: str):
    return parse(text)


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


def analyze(text: str, *, wrt: str | None = None, at: str | None = None, let: list[str] | None = None,
            shape: tuple | None = None, route: str = "both", timeout: float | None = None,
            direction: str | None = None) -> Analysis:
    """``timeout``: seconds for the wall-clock guard (default guard.REQUEST_SECONDS), a
    last resort against a hang; no answer depends on it.  ``direction``: with ``at``, a
    direction D for the exact one-sided derivative f'(X; D)."""
    if len(text) > bounds.MAX_INPUT_CHARS:
        raise InputError(f"the expression is longer than {bounds.MAX_INPUT_CHARS} characters",
                         column=bounds.MAX_INPUT_CHARS)
    # numbers are exact here; NumPy's float warnings (an overflow flag SymPy's estimates
    # raise) are noise on stderr
    with numpy_errors_ignored(), _too_deep():
        return guard.run(lambda: _analyze(text, wrt, at, let, shape, route, direction), timeout, "the analysis")


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


def _analyze(text, wrt, at, let, shape, route, direction=None) -> Analysis:
    values, functions = parse_lets(let)
    at_value = load(at, "--at") if at is not None else None
    if direction is not None and at is None:
        raise InputError("--direction needs a point: give --at")
    dir_value = _direction(direction, at_value)
    parsed = _parse(text)
    first = build(parsed.term, parsed.source, values=values, wrt=wrt, shape=None, functions=functions)
    if at is not None:
        if shape is not None and tuple(at_value.shape) != tuple(shape):
            raise InputError(f"--shape {shape[0]},{shape[1]} but the --at point is "
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
    verdict = analyse(problem.f, problem.var)
    lets_only = {k: val for k, val in values.items() if k != problem.var.name}
    expanded = None
    if lets_only:
        specialise(verdict, lets_only)
        if verdict.smoothness != "inf":
            expanded = entry_by_entry(verdict, problem.f, lets_only)

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
    convexity = decide(problem.f, problem.var, values, dims, continuous=verdict.continuous,
                       constant_gradient=constant)

    point = point_arbiter = None
    if at_value is not None:
        point, point_arbiter = _point(problem, verdict, values, dir_value)
    notes = list(parsed.notes) + [n for n in problem.notes if n not in parsed.notes]
    notes += [n for n in verdict.notes if n not in notes]      # what the values given with --let decided
    present = S.names_in(parsed.term) | {s.name for s in E.symbols_of(first.f)}
    for name in sorted(set(values) - present - {problem.var.name}):
        notes.append(f"--let {name}: {name} does not occur in f, so its value is not used")
    out = Analysis(parsed.source, problem, verdict, routes, agree, why, convexity, point, at, notes,
                   list(let or []))
    out.arbiter, out.values = arbiter, values
    if at_value is not None:
        out.point_arbiter, out.direction_text = point_arbiter, direction
    return out


def _direction(direction: str | None, at_value):
    """The --direction value, shaped like the point."""
    if direction is None:
        return None
    dir_value = load(direction, "--direction")
    if tuple(dir_value.shape) != tuple(at_value.shape):
        raise InputError(f"--direction is {dir_value.shape[0]}x{dir_value.shape[1]} but the --at point is "
                         f"{at_value.shape[0]}x{at_value.shape[1]}")
    return dir_value


def _point(problem: Problem, verdict: Verdict, values: dict, dir_value):
    """The answer at the point in ``values``: the local analysis, checked (and where it
    differs, corrected) by the arbiter's exact test."""
    missing = [s.name for s in E.symbols_of(problem.f) if s.name not in values]
    if missing:
        name = missing[0]
        raise InputError(f"{name} needs a value: --let {name}=...")
    try:
        point = at_point(verdict, values)
    except Unsupported as exc:
        point, unsettled = None, exc
    point, point_arbiter = settle_point(problem, verdict, values, point, dir_value)
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
