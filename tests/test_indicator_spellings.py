"""Every common spelling of an indicator gives the same kinks (issue 15: a claim written
with 1[x < 0] passed where the same claim with H gave 'valid where').

Each spelling is read by `diff` to the same function as H(...) (the JSON answers agree),
and the checker gives the same verdict to the same claim however it spells the indicator.
The verdicts themselves are cross-checked by one-sided difference quotients: the claimed
gradient is the derivative off the kink, and at the kink the two one-sided slopes of f
differ, so 'valid where' (not 'valid') is the right answer."""
from __future__ import annotations

import json

import mpmath as mp
import pytest

from symderiv import check
from symderiv.cli import main
from tests import oracle

SPELLINGS = [
    "H(x - 1)", r"\mathbb{1}[x > 1]", r"\mathbb{1}[\,x > 1\,]", r"\mathbb{1}_{x>1}",
    r"\mathbb{1}\{x > 1\}", r"\mathbf{1}(x > 1)", r"\mathbb{1}_{\{x>1\}}", "[x > 1]",
    r"[\,1 < x\,]", r"\chi_{x > 1}", r"\chi_{\{x > 1\}}", r"\theta(x - 1)", r"\operatorname{step}(x - 1)",
]


def _json(args, capsys):
    assert main(args) == 0
    return json.loads(capsys.readouterr().out)


def _same_answer(a, b):
    keys = ("differentiable_everywhere", "nondifferentiable_set", "continuous", "smoothness", "convex")
    return all(a[k] == b[k] for k in keys)


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_each_spelling_reads_as_the_same_step(spelling, capsys):
    # x * indicator: a jump of height 1 at x = 1 (not continuous there)
    ref = _json(["diff", "x H(x - 1)", "--format", "json"], capsys)
    got = _json(["diff", f"x {spelling}", "--format", "json"], capsys)
    assert not ref["continuous"] and not ref["differentiable_everywhere"]
    assert _same_answer(got, ref), (spelling, got)
    # the oracle: the function jumps at 1 (limits 0 from the left, 1 from the right)
    f = lambda t: t * (1 if t > 1 else 0)  # noqa: E731
    with mp.workdps(50):
        eps = mp.mpf(10) ** -30
        assert f(1 - eps) == 0 and f(1 + eps) > mp.mpf("0.99")


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_the_checker_gives_one_verdict_whatever_the_spelling(spelling):
    # f = max(x - 1, 0) + (x - 1)^2 has a kink at 1; f'(x) = 1[x > 1] + 2(x - 1) off it
    post = (f"Let $f(x) = \\max(x - 1, 0) + (x - 1)^2$. Then\n"
            f"$$f'(x) = {spelling} + 2(x - 1)$$\n")
    step = check(post).steps[-1]
    assert step.verdict == "valid-where", (spelling, step.verdict, step.reason)

    fn = lambda t: max(t - 1, 0) + (t - 1) ** 2  # noqa: E731
    claim = lambda t: (1 if t > 1 else 0) + 2 * (t - 1)  # noqa: E731
    for a in (mp.mpf(-2), mp.mpf("0.5"), mp.mpf("1.25"), mp.mpf(3)):
        right = oracle.mp_directional(fn, [a], [1])
        left = -oracle.mp_directional(fn, [a], [-1])
        assert abs(right - left) < 1e-20 and abs(right - claim(a)) < 1e-20
    # at the kink the one-sided slopes differ, so no formula holds there
    right = oracle.mp_directional(fn, [mp.mpf(1)], [1])
    left = -oracle.mp_directional(fn, [mp.mpf(1)], [-1])
    assert abs(right - 1) < 1e-20 and abs(left) < 1e-20


def test_a_wrong_claim_is_invalid_in_every_spelling():
    # the indicator on the wrong side: false off the kink, whatever the spelling
    for spelling in (r"\mathbb{1}[x < 1]", "[x < 1]", r"\chi_{x<1}", "H(1 - x)"):
        post = f"Let $f(x) = \\max(x - 1, 0)$. Then\n$$f'(x) = {spelling}$$\n"
        step = check(post).steps[-1]
        assert step.verdict == "invalid", (spelling, step.verdict)
        fn = lambda t: max(t - 1, 0)  # noqa: E731
        assert abs(oracle.mp_directional(fn, [mp.mpf(2)], [1]) - 1) < 1e-20   # f'(2) = 1, the claim says 0


def test_a_bracket_without_a_condition_is_not_an_indicator(capsys):
    # an interval or a commutator stays what it was: an error, not an indicator
    assert main(["diff", "[x, y]"]) == 2
    assert "Iverson" not in capsys.readouterr().err
