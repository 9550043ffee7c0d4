"""The contract's JSON for `diff`: the fields scripts rely on, plus explanations."""
from __future__ import annotations

import json

from . import spell
from .. import fast_exact


def _both(fn, analysis, *args):
    return {"text": fn(*args, spell.notation(False, analysis)), "latex": fn(*args, spell.notation(True, analysis))}


def _maybe_both(fn, analysis, *args):
    t = fn(*args, spell.notation(False, analysis))
    return None if t is None else {"text": t, "latex": fn(*args, spell.notation(True, analysis))}


def _node(analysis, node, switch_names=None):
    return {"text": spell.notation(False, analysis, switch_names).node(node),
            "latex": spell.notation(True, analysis, switch_names).node(node)}


def _steps(analysis, route):
    out = []
    for st in route.steps:
        N_t = spell.notation(False, analysis, route.switch_names)
        N_l = spell.notation(True, analysis, route.switch_names)
        out.append({"title": st.title, "prose": st.prose,
                    "lines": [{"text": spell.line(ln, N_t), "latex": spell.line(ln, N_l)} for ln in st.lines]})
    return out


def _kinks(analysis):
    N_t, N_l = spell.notation(False, analysis), spell.notation(True, analysis)
    return [k.to_json(N_t, N_l) for k in analysis.verdict.kinks]


def _point(analysis):
    p = analysis.point
    var = analysis.problem.var
    flat = spell.is_flat_vector(var)
    out = {
        "point": analysis.at_text,
        "value": spell.number(p.value),
        "value_exact": spell.exact(p.value),
        "differentiable": p.differentiable,
        "gradient": spell.shaped(p.gradient, flat) if p.gradient is not None else None,
    }
    omitted = []
    if p.gradient is not None:
        if p.gradient.size >= BIG_ENTRIES and _integers(p.gradient):
            omitted.append("gradient_exact")     # never built: its strings would cost more than the numbers
        else:
            out["gradient_exact"] = spell.shaped(p.gradient, flat, spell.exact)
    clarke = p.clarke
    out["subdifferential"] = clarke.to_json(flat)
    if out["subdifferential"] is not None and (omitted or _largest(out) >= BIG_ENTRIES):
        omitted += ["subdifferential." + k for k in _drop_integer_exact(out["subdifferential"])]
    if omitted:
        out["exact_omitted"] = omitted
    if clarke.reason is not None:
        out["reason"] = clarke.reason
    arb = analysis.point_arbiter
    out["arbiter"] = None if arb is None else {"settled": arb.settled, "test": arb.test, "overrode": arb.overrode,
                                               "reason": arb.reason}
    if analysis.direction_text is not None and arb is not None:
        out["direction"] = analysis.direction_text
        out["directional_derivative"] = None if arb.directional is None else spell.number(arb.directional)
        out["directional_derivative_exact"] = None if arb.directional is None else spell.exact(arb.directional)
        if arb.directional is None:
            out["directional_reason"] = arb.directional_reason
    if p.one_sided:
        out["one_sided"] = [{"entry": o["entry"], "left": spell.number(o["left"]), "right": spell.number(o["right"])}
                            for o in p.one_sided]
    return out


def render(analysis) -> str:
    v = analysis.verdict
    var = analysis.problem.var
    nd_t = spell.nondifferentiable_set(v, spell.notation(False, analysis))
    nd_l = spell.nondifferentiable_set(v, spell.notation(True, analysis))
    routes = {}
    for name, r in analysis.routes.items():
        routes[name] = {"gradient": _node(analysis, r.gradient), "steps": _steps(analysis, r)}
    routes["agree"] = analysis.agree
    routes["reason"] = analysis.agree_reason
    a = analysis.arbiter
    routes["arbiter"] = None if a is None else {
        "settled": a.settled, "test": a.test, "points": list(a.points), "trigger": a.trigger,
        "nondifferentiable_at": list(a.failing), "corrected": a.changed, "reason": a.reason}
    conv = analysis.convexity
    out = {
        "expression": _node(analysis, analysis.problem.f),
        "variable": {"name": var.name, "shape": spell.shape_of(var)},
        "assumptions": list(analysis.notes),
        "differentiable_everywhere": v.differentiable_everywhere,
        # where f is defined and smooth apart from its kinks; null: the whole space
        "domain": _maybe_both(spell.domain, analysis, v),
        "nondifferentiable_set": None if nd_t is None else {"text": nd_t, "latex": nd_l},
        "gradient": {"text": spell.gradient(v, spell.notation(False, analysis)),
                     "latex": spell.gradient(v, spell.notation(True, analysis))},
        "continuous": v.continuous,
        # where f jumps (null when continuous): with symbolic constants, for which of them
        "discontinuity_set": _maybe_both(spell.jump_set, analysis, v),
        "smoothness": v.smoothness,
        "smoothness_exact": v.smoothness_exact,
        "convex": conv.convex,
        "convexity": {"reason": conv.reason},
        # convex, concave, affine, neither; null: not decided (the reason says why)
        "curvature": None if conv.curvature is None else conv.curvature.curvature,
        "curvature_reason": None if conv.curvature is None else conv.curvature.reason,
        # the set the curvature holds on (the natural domain of sqrt x, log x); null: everywhere
        "curvature_domain": None if conv.curvature is None or not conv.curvature.domain else {
            "text": spell.curvature_domain(conv.curvature.domain, spell.notation(False, analysis)),
            "latex": spell.curvature_domain(conv.curvature.domain, spell.notation(True, analysis))},
        # with curvature null: the signs of parameters under which it is settled (λ ≥ 0)
        "curvature_condition": None if conv.curvature is None or conv.curvature.condition is None else {
            "curvature": conv.curvature.condition[0],
            "text": spell.curvature_condition(conv.curvature, spell.notation(False, analysis)),
            "latex": spell.curvature_condition(conv.curvature, spell.notation(True, analysis))},
        "hessian": None if v.hessian is None else {
            "text": spell.hessian(v, spell.notation(False, analysis)),
            "latex": spell.hessian(v, spell.notation(True, analysis)),
            "valid": "where f is twice differentiable"},
        "gradient_nondifferentiable_set": _maybe_both(spell.gradient_kink_set, analysis, v),
        "kinks": _kinks(analysis),
        "routes": routes,
    }
    if getattr(analysis, "symmetric", False):
        from ..nodes.eigen import CONVENTION
        out["variable"]["symmetric"] = True
        out["variable"]["convention"] = CONVENTION.format(X=var.name)
    if conv.witness is not None:
        flat = spell.is_flat_vector(var)
        out["convexity"]["witness"] = {k: (spell.shaped(w, flat, spell.exact) if hasattr(w, "shape") else spell.exact(w))
                                       for k, w in conv.witness.items()}
    if conv.curvature is not None and conv.curvature.witnesses:
        flat = spell.is_flat_vector(var)
        out["curvature_witnesses"] = {
            kind: {k: (spell.shaped(w, flat, spell.exact) if hasattr(w, "shape") else spell.exact(w))
                   for k, w in wit.items()} for kind, wit in conv.curvature.witnesses.items()}
    if analysis.point is not None:
        with fast_exact.remembering():
            out["at"] = _point(analysis)
    if analysis.autodiff is not None:
        ad = dict(analysis.autodiff)
        if "gradient" in ad:
            ad["gradient"] = spell.shaped(ad["gradient"].reshape(analysis.point.gradient.shape
                                                                 if analysis.point.gradient is not None else
                                                                 ad["gradient"].shape), spell.is_flat_vector(var),
                                          lambda x: float(x))
        out["autodiff"] = ad
    if _largest(out.get("at")) >= BIG_ENTRIES:
        return _compact(out)
    return json.dumps(out, indent=2, ensure_ascii=False, sort_keys=False)


# A point with this many entries or more gets the big-point form of the JSON (README,
# "Big points"): arrays of numbers one row per line, and "*_exact" arrays left out
# where every entry is an integer the JSON number already holds exactly.  Smaller points
# are written as before, byte for byte.
BIG_ENTRIES = 10_000
_EXACT_INT = 2 ** 53          # every integer below this is exactly a JSON (double) number


def _largest(x) -> int:
    """The most entries of one array (a list of scalars or of such lists) within x."""
    if isinstance(x, dict):
        return max((_largest(v) for v in x.values()), default=0)
    if isinstance(x, list):
        if x and all(isinstance(r, list) and _scalars(r) for r in x):
            return sum(len(r) for r in x)
        if _scalars(x):
            return len(x)
        return max((_largest(v) for v in x), default=0)
    return 0


def _integers(arr) -> bool:
    """Every entry an int that a JSON number holds exactly (decided in C where it can be,
    with the same answer either way: the form of the output depends on the values only)."""
    return fast_exact.ints(arr) is not None or all(type(v) is int and -_EXACT_INT < v < _EXACT_INT
                                                    for v in arr.flat)


def _scalars(x: list) -> bool:
    """A list of scalars: the arrays written here are homogeneous, so the first item says
    (a mixed list would still be valid JSON, only laid out on one line)."""
    return not x or not isinstance(x[0], (list, dict))


def _drop_integer_exact(d: dict) -> list:
    """Remove the "K_exact" arrays of d whose number twin "K" holds only integers below
    2^53 spelled as the exact strings spell them; the names removed."""
    dropped = []
    for key in [k for k in d if k.endswith("_exact")]:
        nums, strs = d.get(key[:-len("_exact")]), d[key]
        if not isinstance(nums, list) or not isinstance(strs, list):
            continue
        flat_n = [v for r in nums for v in (r if isinstance(r, list) else [r])]
        flat_s = [v for r in strs for v in (r if isinstance(r, list) else [r])]
        if len(flat_n) == len(flat_s) and all(type(n) is int and -_EXACT_INT < n < _EXACT_INT and str(n) == t
                                              for n, t in zip(flat_n, flat_s)):
            del d[key]
            dropped.append(key)
    return dropped


def _compact(out) -> str:
    """json.dumps(out, indent=2) except that a list of scalars is written on one line
    (by json's C encoder, which is what makes a 4-million-entry answer quick to write)."""
    parts: list = []

    def write(x, level):
        if isinstance(x, dict) and x:
            pad = "\n" + "  " * (level + 1)
            for i, (k, v) in enumerate(x.items()):
                parts.append(("{" if i == 0 else ",") + pad + json.dumps(k, ensure_ascii=False) + ": ")
                write(v, level + 1)
            parts.append("\n" + "  " * level + "}")
        elif isinstance(x, list) and x and not _scalars(x):
            pad = "\n" + "  " * (level + 1)
            for i, v in enumerate(x):
                parts.append(("[" if i == 0 else ",") + pad)
                write(v, level + 1)
            parts.append("\n" + "  " * level + "]")
        else:
            parts.append(json.dumps(x, ensure_ascii=False))
    write(out, 0)
    return "".join(parts)
