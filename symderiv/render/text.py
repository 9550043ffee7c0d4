"""The human-readable report of `symderiv diff`."""
from __future__ import annotations

from ..lazy_import import LazyModule
np = LazyModule("numpy")

from . import spell


def _article(word: str) -> str:
    return "an" if word[:1] in "aefhilmnorsx8" else "a"


def _yes(b) -> str:
    return {True: "yes", False: "no", None: "not decided"}[b]


def verdict_lines(analysis) -> list[str]:
    v = analysis.verdict
    N = spell.notation(False, analysis)
    var = analysis.problem.var
    out = []
    dom = spell.domain(v, N)
    on = f" on its domain, where {dom}" if dom else ""
    if v.differentiable_everywhere:
        out.append(f"Verdict: differentiable everywhere{on}.")
    else:
        out.append(f"Verdict: not differentiable where {spell.nondifferentiable_set(v, N)}"
                   + (f"; elsewhere differentiable{on}" if dom else "") + ".")
    out.append(f"  ∇f({N.name(var.name)}) = {spell.gradient(v, N)}"
               + ("" if v.differentiable_everywhere else "   (on the set where f is differentiable)"))
    jumps = spell.jump_set(v, N) if v.continuous is False else None
    out.append(f"  continuous: {_yes(v.continuous)}" + (f" (f jumps where {jumps})" if jumps else "")
               + f";  smoothness: {spell.smoothness_phrase(v)}")
    h = spell.hessian(v, N)
    if h is not None and v.continuous:
        where = spell.gradient_kink_set(v, N)
        out.append(f"  second order: {h}" + (f"   (∇f is not differentiable where {where})" if where else ""))
    elif v.continuous:
        out.append("  second order: not given (symderiv did not form the Hessian operator here)")
    out.append(f"  convex: {_yes(analysis.convexity.convex)} ({analysis.convexity.reason})")
    curv = analysis.convexity.curvature
    if curv is not None:
        out.append(f"  curvature: {spell.curvature_phrase(analysis.convexity, N)} ({curv.reason})")
    return out


def kink_lines(analysis) -> list[str]:
    N = spell.notation(False, analysis)
    return ["  " + spell.kink_story(k, N) for k in analysis.verdict.kinks]


def route_lines(analysis, name: str, title: str) -> list[str]:
    r = analysis.routes.get(name)
    if r is None:
        return []
    N = spell.notation(False, analysis, r.switch_names)
    out = [title]
    for i, st in enumerate(r.steps, 1):
        head = f"  {i}. {st.title}." + (f" {st.prose}" if st.prose else "")
        out.append(head)
        for ln in st.lines:
            out.append("       " + spell.line(ln, N))
    return out


def point_lines(analysis) -> list[str]:
    out = _point_core(analysis)
    if not out:
        return out
    arb = analysis.point_arbiter
    if analysis.direction_text is not None and arb is not None:
        if arb.directional is not None:
            out.append(f"  f'(X; D) = {spell.exact(arb.directional)} along D = {analysis.direction_text}")
        else:
            out.append(f"  f'(X; D) along D = {analysis.direction_text}: none ({arb.directional_reason})")
    if arb is not None and arb.overrode:
        out.append(f"  decided by the arbiter ({arb.test}), which corrected the kinks' answer here")
    return out


def arbiter_lines(analysis) -> list[str]:
    a = analysis.arbiter
    if a is None:
        return []
    where = ", ".join(a.points)
    fails = " or ".join(a.failing) if a.failing else "none of them"
    line = (f"Arbiter ({a.trigger}): settled by {a.test} at {where}; f is not differentiable at {fails}"
            + (" — the kinks' verdict above was corrected to this" if a.changed else ""))
    return [line]


def _point_core(analysis) -> list[str]:
    p = analysis.point
    if p is None:
        return []
    var = analysis.problem.var
    flat = spell.is_flat_vector(var)
    N = spell.notation(False, analysis)
    out = [f"At {N.name(var.name)} = {analysis.at_text}:  f = {spell.exact(p.value)}"]
    if p.differentiable:
        out.append(f"  differentiable; ∇f = {spell.array_text(p.gradient, flat)}")
        return out
    out.append("  not differentiable here.")
    clarke = p.clarke
    out.append("  " + clarke.sentence(flat))
    if not clarke.exists:
        return out
    for o in p.one_sided:
        out.append(f"  one-sided derivatives in entry {tuple(o['entry'])}: left {spell.exact(o['left'])}, "
                   f"right {spell.exact(o['right'])}")
    return out


def render(analysis) -> str:
    N = spell.notation(False, analysis)
    var = analysis.problem.var
    kind = "scalar" if var.is_scalar else ("vector" if var.shape[1] == 1 else "matrix")
    out = [f"f({N.name(var.name)}) = {N.node(analysis.problem.f)}",
           f"  variable: {N.name(var.name)}, {_article(N.shape(var.shape))} {N.shape(var.shape)} {kind}" if kind != "scalar" else
           f"  variable: {N.name(var.name)}, a scalar"]
    if analysis.notes:
        out.append("  read as: " + "; ".join(analysis.notes))
    out.append("")
    out += verdict_lines(analysis)
    kl = kink_lines(analysis)
    if kl:
        out += ["", "Kinks:"] + kl
    out.append("")
    out += route_lines(analysis, "sign", "Route 1 — the sign identity")
    if "direct" in analysis.routes:
        out.append("")
        out += route_lines(analysis, "direct", "Route 2 — the direct case split")
    out.append("")
    out.append(f"Routes agree: {_yes(analysis.agree)} ({analysis.agree_reason})")
    out += arbiter_lines(analysis)
    pl = point_lines(analysis)
    if pl:
        out += [""] + pl
    ad = analysis.autodiff
    if ad is not None:
        if not ad["available"]:
            out.append(f"  autodiff: {ad['message']}")
        else:
            g = ad["gradient"]
            shown = repr(float(g.ravel()[0])) if g.size == 1 else str(np.round(g.astype(float), 12).tolist())
            out.append(f"  autodiff ({ad['framework']}): gradient {shown}; {ad['message']}")
    return "\n".join(out) + "\n"
