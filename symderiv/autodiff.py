"""The autodiff cross-check: what PyTorch says at a point, next to the exact answer.

The function is rebuilt in PyTorch primitive by primitive, as the user wrote it (each
table entry declares its PyTorch spelling, each matrix operation its ``torch`` form), evaluated in float64 and differentiated by
backward().  Framework conventions at kinks are not ground truth: the check reports
whether the framework's gradient lies in the Clarke subdifferential.  PyTorch is an
optional extra; without it the check says so and the rest of the answer stands.
"""
from __future__ import annotations

from .lazy_import import LazyModule
np = LazyModule("numpy")
import sympy as sp

from . import expr as E
from . import primitives
from .errors import Unsupported
from .scalar import Prim
from .sets import Point
from .values import load

TOL = 1e-9


def available():
    try:
        import torch  # noqa: F401  (lazy: PyTorch is an optional extra, imported only when asked for)
    except ImportError:
        return None
    return torch


def compare(analysis) -> dict:
    torch = available()
    if torch is None:
        return {"framework": "PyTorch", "available": False,
                "message": "PyTorch is not installed (pip install 'symderiv[autodiff]'); the cross-check was skipped"}
    if analysis.point is None:
        raise Unsupported("--compare autodiff needs a point: give --at")
    values = {name: arr for name, arr in _values(analysis).items()}
    var = analysis.problem.var
    tensors = {name: torch.tensor(np.asarray(arr, dtype=float), dtype=torch.float64) for name, arr in values.items()}
    x = tensors[var.name].clone().requires_grad_(True)
    tensors[var.name] = x
    out = _Torch(torch, tensors)(analysis.problem.f)
    out.sum().backward()
    grad = x.grad.detach().numpy()
    if getattr(analysis, "symmetric", False):
        # over symmetric matrices the gradient is the symmetric part of the full one (the
        # trace inner product): PyTorch's is read in that space, as the answer is
        grad = (grad + grad.T) / 2
    inside = _in_set(analysis.point, grad)
    if inside is None:
        message = "the Clarke set is not decided here, so PyTorch's gradient is not checked against it"
    elif analysis.point.differentiable:
        message = ("PyTorch's gradient equals the gradient" if inside else
                   "PyTorch's gradient differs from the gradient: its convention at a kink gives a wrong "
                   "answer here")
    else:
        message = ("PyTorch's gradient lies in the Clarke subdifferential" if inside else
                   "PyTorch's gradient is NOT in the Clarke subdifferential: its convention at the kink "
                   "gives a wrong answer here")
    return {"framework": f"PyTorch {torch.__version__}", "available": True,
            "gradient": grad, "in_clarke_set": inside, "message": message}


def _values(analysis):
    out = {}
    for item in analysis.lets:
        name, _, text = item.partition("=")
        out[name.strip().lstrip("\\")] = load(text.strip(), f"--let {name}")
    out[analysis.problem.var.name] = load(analysis.at_text, "--at")
    return out


class _Torch:
    def __init__(self, torch, tensors):
        self.t = torch
        self.tensors = tensors
        self.memo: dict[str, object] = {}

    def __call__(self, n: E.Node):
        hit = self.memo.get(n.key)
        if hit is None:
            hit = self.memo[n.key] = self._node(n)
        return hit

    def _node(self, n):
        return n.torch(self)

    def scalar(self, e, env):
        """An entrywise body over its arguments' tensors."""
        return self._expr(e, env)

    def _expr(self, e, env):
        t = self.t
        if e in env:
            return env[e]
        if e.is_Number:
            return float(e)
        if isinstance(e, sp.Add):
            acc = self._expr(e.args[0], env)
            for a in e.args[1:]:
                acc = acc + self._expr(a, env)
            return acc
        if isinstance(e, sp.Mul):
            acc = self._expr(e.args[0], env)
            for a in e.args[1:]:
                acc = acc * self._expr(a, env)
            return acc
        if isinstance(e, sp.Pow):
            return self._expr(e.base, env) ** float(e.exp)
        if isinstance(e, Prim):
            if e.spec.torch is None:
                raise Unsupported(f"no PyTorch spelling for {e.spec.name}")
            return e.spec.torch(t, *[self._as_tensor(self._expr(a, env)) for a in e.args])
        for s in primitives.SMOOTH:
            if s.sympy is not None and isinstance(e, s.sympy) and s.torch is not None:
                return s.torch(t, self._as_tensor(self._expr(e.args[0], env)))
        if isinstance(e, sp.Piecewise):
            raise Unsupported("cases have no single PyTorch spelling")
        raise Unsupported(f"no PyTorch spelling for {e}")

    def _as_tensor(self, v):
        return v if isinstance(v, self.t.Tensor) else self.t.tensor(float(v), dtype=self.t.float64)


def _in_set(point, grad) -> bool | None:
    """Whether the framework's float gradient is the gradient (or lies in the Clarke set),
    within TOL; None where the Clarke set was not decided."""
    if point.differentiable:
        return point.gradient is not None and Point(point.gradient).contains(grad, TOL)
    return point.clarke.contains(grad, TOL)
