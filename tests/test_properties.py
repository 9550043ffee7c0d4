"""A property test: random compositions of the primitives against an exact oracle.

tests/compositions.py draws 500 compositions (depth 1 to 3, one scalar or two) and
writes each as LaTeX and as an exact evaluator of its own; tests/exact_oracle.py turns
the evaluator into one-sided derivatives at 20 digits.  Each composition is analysed at
three kinds of points: one where the generator planted kinks and ties, one solved onto a
switch or a tie, and a random rational one.  Every answer must agree with the oracle:

  * f's value at the point;
  * "differentiable, gradient G": every one-sided derivative f'(p; D) is <G, D>;
  * "not differentiable": the oracle sees it (a one-sided derivative missing, or
    f'(p; .) not linear);
  * a Clarke set: it bounds every f'(p; D), holds every gradient sampled just beside p,
    and is no bigger than they reach; no Clarke set: f is not locally Lipschitz at p;
  * the global verdict: "differentiable everywhere" never meets a point where f is not,
    and "continuous" never meets a jump;
  * no verdict ships while its routes disagree unless the arbiter settled it (the check
    of tests/test_agreement.py, run here on the same analysis).

Or the answer is an honest refusal (Unsupported, exit 3 with its reason): counted, and
never more than half.  Zero wrong answers is the bar.

Every point goes through the public ``analyze(..., at=...)`` (an answer at a point may be
corrected after the local analysis, so no shortcut through ``pointwise.at_point``).
"""
from __future__ import annotations

import json
import os
from collections import Counter

import pytest

from symderiv.api import analyze
from symderiv.errors import InputError, SymderivError, Unsupported
from tests import compositions as C
from tests.test_agreement import dispute
from tests.exact_oracle import Probe, clarke_problems, close, exact

CORPUS = C.corpus()
# The engine's analysis of one composition at one point costs 0.02 to 20 s of CPU (median
# about 1.6 s, most of it reading the gradient back into primitives), so the 500 at
# their 1,400 points cost about 45 CPU-minutes: more than the whole suite may take.  `make test` runs every 100th
# composition and the compositions on which this test found the engine wrong (on main
# at c04d6d9, listed in the project notes: ties on a kink, ties inside a kink, a kink
# of a kink); SYMDERIV_PROPS=all runs all 500.
FOUND_WRONG = (5, 17, 86, 108, 109, 161, 286, 360)
ALL = os.environ.get("SYMDERIV_PROPS") == "all"
SELECTED = CORPUS if ALL else CORPUS[::100] + [CORPUS[i] for i in FOUND_WRONG]
SIZE = 20 if ALL else 3                      # compositions per test, so that xdist spreads them
CHUNKS = -(-len(SELECTED) // SIZE)


def _flat(v):
    import numpy as np
    return [exact(x) for x in np.ravel(np.asarray(v, dtype=object))]


def _fmt(v):
    return str(v) if not isinstance(v, (list, tuple)) else "[" + ", ".join(str(x) for x in v) + "]"


def judge_point(comp: C.Composition, kind: str, p, point, verdict) -> list[str]:
    """What is wrong with symderiv's answer at p (empty when it agrees with the oracle)."""
    wrong = []
    probe = Probe(comp, p)
    value = exact(point.value)
    if not close(value, probe.fp, 1e-30):
        wrong.append(f"value {value}, but f(p) = {probe.fp}")
    ok, g = probe.verdict()
    if point.differentiable:
        G = _flat(point.gradient)
        if not ok:
            wrong.append(f"said differentiable with gradient {_fmt(G)}; oracle: not differentiable ({g})")
        else:
            for d, v in probe.directional().items():
                want = sum(gi * di for gi, di in zip(G, d))
                if not close(v, want):
                    wrong.append(f"gradient {_fmt(G)}, but f'(p; {d}) = {float(v):.12g} (oracle gradient "
                                 f"{_fmt([float(x) for x in g])})")
                    break
    else:
        if ok:
            wrong.append(f"said not differentiable; oracle: differentiable with gradient "
                         f"{_fmt([float(x) for x in g])} (f'(p; .) linear in every direction tried)")
        sub = point.subdifferential
        if sub is not None and sub.get("decided", True) is False:
            pass                # the verdict is given and checked; the set is honestly left open
        elif sub is None:
            if not probe.jumps_nearby():
                wrong.append(f"no Clarke set ({point.reason}); oracle: f is Lipschitz beside p "
                             "(every one-sided derivative exists, no jump in the samples)")
        elif sub.get("form") == "point":
            wrong.append("said not differentiable, with a one-point Clarke set")
        else:
            if probe.jumps_nearby():
                wrong.append(f"a Clarke set ({sub['form']}), but f jumps at or beside p: not locally Lipschitz")
            else:
                wrong += [f"Clarke set ({sub['form']}): {w}" for w in clarke_problems(probe, sub)]
    # the point's answer and the global verdict are one story
    if verdict.differentiable_everywhere is True and not ok:
        wrong.append(f"differentiable everywhere, yet the oracle finds f not differentiable at p ({g})")
    if verdict.differentiable_everywhere is True and not point.differentiable:
        wrong.append("differentiable everywhere, yet not differentiable at p")
    if verdict.continuous is True and any(v is None for v in probe.directional().values()):
        wrong.append("continuous everywhere, yet f jumps at p (a one-sided quotient does not settle)")
    return wrong


def run_composition(comp: C.Composition) -> dict:
    """Analyse comp at each of its points; the wrong answers, refusals and disputes."""
    out = {"wrong": [], "refused": [], "points": 0, "disputed": None}
    first_kind, first = comp.points[0]
    try:
        a = analyze(comp.tex, wrt=comp.wrt, at=comp.at_text(first))
    except Unsupported as exc:
        out["refused"].append((comp, first_kind, first, str(exc)))
        return out
    except InputError as exc:
        out["wrong"].append((comp, first_kind, first, f"bad-input error on a well-formed composition: {exc}"))
        return out
    out["disputed"] = a.agree is False
    why = dispute(a)        # the check of tests/test_agreement.py, on this same analysis
    if why is not None:
        out["wrong"].append((comp, first_kind, first, f"a verdict its routes dispute: {why}"))
    answers = [(first_kind, first, a.point, a.verdict)]
    for kind, p in comp.points[1:]:
        # each point through the public API (Analysis.at reuses the global analysis and
        # answers the point as analyze(at=p) does, the arbiter's check included)
        try:
            b = a.at(comp.at_text(p))
            answers.append((kind, p, b.point, b.verdict))
        except Unsupported as exc:
            out["refused"].append((comp, kind, p, str(exc)))
        except SymderivError as exc:
            out["wrong"].append((comp, kind, p, f"error at a point of the domain: {exc}"))
    for kind, p, point, verdict in answers:
        out["points"] += 1
        for w in judge_point(comp, kind, p, point, verdict):
            out["wrong"].append((comp, kind, p, w))
    return out


def _log(results):
    """Findings appended to $SYMDERIV_PROPS_LOG (one JSON line each) for the triage notes."""
    path = os.environ.get("SYMDERIV_PROPS_LOG")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as fh:
        for r in results:
            for tag in ("wrong", "refused"):
                for comp, kind, p, why in r[tag]:
                    fh.write(json.dumps({"tag": tag, "id": comp.ident, "tex": comp.tex, "wrt": comp.wrt,
                                         "kind": kind, "at": comp.at_text(p), "why": why}) + "\n")


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_compositions_agree_with_the_oracle(chunk):
    results = [run_composition(c) for c in SELECTED[chunk * SIZE:(chunk + 1) * SIZE]]
    _log(results)
    wrong = [w for r in results for w in r["wrong"]]
    refused = [w for r in results for w in r["refused"]]
    answered = sum(r["points"] for r in results)
    lines = [f"{comp.ident} {comp.tex!r} --wrt {comp.wrt} at {comp.at_text(p)} ({kind}): {why}"
             for comp, kind, p, why in wrong]
    assert not wrong, f"{len(wrong)} wrong answers:\n" + "\n".join(lines)
    assert len(refused) <= answered, (
        f"{len(refused)} refusals against {answered} answers: "
        + "; ".join(f"{c.ident} at {c.at_text(p)}: {why}" for c, _, p, why in refused))


# ---------------------------------------------------------------- the generator and the judge

def test_the_corpus_is_deterministic_and_covers_every_kind():
    again = C.corpus()
    assert [(c.tex, c.points) for c in again] == [(c.tex, c.points) for c in CORPUS]
    assert len(CORPUS) >= 500 and CHUNKS * SIZE >= len(SELECTED)
    kinds = Counter(k for c in CORPUS for k, _ in c.points)
    assert kinds["planted"] == len(CORPUS) and kinds["random"] == len(CORPUS)
    assert kinds["switch"] >= 150 and kinds["tie"] >= 40, kinds
    assert {len(c.names) for c in CORPUS} == {1, 2}
    assert {c.depth for c in CORPUS} == {1, 2, 3}
    used = Counter(u for c in CORPUS for u in c.primitives)
    assert set(C.Generator.UNARY) | {"max", "min", "exp", "sin"} <= set(used), used
    # the points named switch and tie are on one exactly; planted points on at least one
    on = 0
    for c in CORPUS:
        env = dict(zip(c.names, c.points[0][1]))
        on += any(z(env) == 0 for _, z in c.zeros)
        for kind, p in c.points[1:-1]:
            assert any(k == kind and z(dict(zip(c.names, p))) == 0 for k, z in c.zeros), (c.ident, kind)
    assert on >= len(CORPUS) // 2, on


class _Point:
    def __init__(self, value, differentiable, gradient, subdifferential=None, reason=""):
        self.value, self.differentiable, self.gradient = value, differentiable, gradient
        self.subdifferential, self.reason = subdifferential, reason


class _Verdict:
    differentiable_everywhere = False
    continuous = True


@pytest.mark.parametrize("claim, expect", [
    # |x| at 0: a wrong gradient, a wrong verdict, a Clarke set too small, too big
    (_Point(0, True, [0]), "oracle: not differentiable"),
    (_Point(0, False, None, {"form": "box", "lower": [0], "upper": [1]}), "outside the claimed set"),
    (_Point(0, False, None, {"form": "box", "lower": [-2], "upper": [1]}), "too big"),
    (_Point(1, False, None, {"form": "box", "lower": [-1], "upper": [1]}), "value 1"),
    (_Point(0, False, None, None, "a jump"), "no Clarke set"),
])
def test_the_judge_catches_wrong_claims(claim, expect):
    from fractions import Fraction as Fr
    comp = C.Composition("t", r"\left|x\right|", ("x",), lambda env: abs(env["x"]), [], 1, ("abs",))
    found = judge_point(comp, "planted", (Fr(0),), claim, _Verdict())
    assert any(expect in w for w in found), found
    right = _Point(0, False, None, {"form": "box", "lower": [-1], "upper": [1]})
    assert judge_point(comp, "planted", (Fr(0),), right, _Verdict()) == []


def test_the_judge_catches_a_wrong_tie_in_the_plane():
    from fractions import Fraction as Fr
    # max(x, y) at (1, 1): the hull of (1, 0) and (0, 1); a gradient or a box is wrong
    comp = C.Composition("t", r"\max(x, y)", ("x", "y"), lambda env: max(env["x"], env["y"]), [], 1, ("max",))
    p = (Fr(1), Fr(1))
    right = _Point(1, False, None, {"form": "hull", "generators": [[1, 0], [0, 1]]})
    assert judge_point(comp, "tie", p, right, _Verdict()) == []
    box = _Point(1, False, None, {"form": "box", "lower": [0, 0], "upper": [1, 1]})
    assert any("too big" in w for w in judge_point(comp, "tie", p, box, _Verdict()))
    half = _Point(1, True, [Fr(1, 2), Fr(1, 2)])
    assert any("not differentiable" in w for w in judge_point(comp, "tie", p, half, _Verdict()))
