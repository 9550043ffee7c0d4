"""No verdict ships while the routes dispute it, unless the arbiter settled the dispute.

symderiv derives every gradient and kink verdict twice (route 1, the sign identity;
route 2, the direct case split) and says in its JSON whether they agree.  When they do
not (``routes.agree`` is false), an exact third test at the switch (the arbiter) must
settle the claim, and say so: ``routes.arbiter`` = {"settled": true, "test": ..., ...}.
Otherwise the answer must be a refusal (Unsupported, exit 3), never a verdict one of
the tool's own routes contradicts.

This file walks every formula of the suite's diff cases it can collect: the README's
examples (run through the CLI as written, in JSON), tests/test_analysis.py's CASES,
tests/test_nested_kinks.py's corpus where that file exists, and the disputes issue 11
measured.  The 500 random compositions of tests/compositions.py are walked by
tests/test_properties.py with this same ``dispute`` (one analysis serves both checks: the
engine's analysis of a nested composition costs seconds).
"""
from __future__ import annotations

import contextlib
import importlib
import importlib.util
import io
import json
import shlex

import pytest

from symderiv.api import analyze
from symderiv.cli import main
from symderiv.errors import Unsupported
from symderiv.render import json_out
from tests import docs


def dispute_in(d: dict) -> str | None:
    """Why the JSON result ``d`` ships a verdict its routes dispute, or None when it does not."""
    routes = d.get("routes") or {}
    if routes.get("agree") is not False:
        return None
    arbiter = routes.get("arbiter")
    if isinstance(arbiter, dict) and arbiter.get("settled") is True and arbiter.get("test"):
        return None
    return (f"routes.agree is false ({routes.get('reason')}) and no arbiter settled it "
            f"(routes.arbiter = {json.dumps(arbiter)})")


def dispute(analysis) -> str | None:
    """The same, for an Analysis from symderiv.api.analyze, read through its JSON."""
    return dispute_in(json.loads(json_out.render(analysis)))


# ---------------------------------------------------------------- the corpus

def _readme_commands() -> list:
    text = docs.README.read_text(encoding="utf-8")
    out = []
    for m in docs.blocks(text):
        argv = shlex.split(m["cmd"])
        if argv[1] == "diff" and "[exit 2]" not in m["body"]:     # bad input has no verdict
            out.append(argv[1:])
    return out


def _json_argv(argv: list) -> list:
    """The command as written, with its output in JSON."""
    out, skip = [], False
    for a in argv:
        if skip:
            skip = False
            continue
        if a == "--format":
            skip = True
            continue
        if a.startswith("--format="):
            continue
        out.append(a)
    return out + ["--format", "json"]


def _analysis_cases() -> list:
    from tests.test_analysis import CASES
    return [(f"test_analysis:{c[0]}", c[1], c[2], [f"{k}={v}" for k, v in c[3].items()]) for c in CASES]


def _nested_cases() -> list:
    """tests/test_nested_kinks.py's corpus, once that file is in the suite."""
    if importlib.util.find_spec("tests.test_nested_kinks") is None:
        return []
    mod = importlib.import_module("tests.test_nested_kinks")
    return [(f"test_nested_kinks:{c.name}", c.latex, c.wrt, []) for c in mod.CASES]


# the class issue 11 measured: a max or min tied on a kink of one argument, and the
# degenerate and periodic switches
ISSUE_CASES = [
    ("issue:max(|x|,2x^2)", r"\max(|x|, 2x^2)", None, []),
    ("issue:min(|x|,2x^2)", r"\min(|x|, 2x^2)", None, []),
    ("issue:max(x^2,4x-4)", r"\max(x^2, 4x-4)", None, []),
    ("issue:|cos x|", r"|\cos x|", None, []),
    ("issue:max(|x|,|y|)", r"\max(|x|, |y|)", "x,y", []),
]

FORMULAS = ISSUE_CASES + _analysis_cases() + _nested_cases()
README = _readme_commands()


@pytest.mark.parametrize("argv", README, ids=[a[1] for a in README])
def test_readme_examples_ship_no_unsettled_dispute(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(_json_argv(argv))
    if code == 3:
        assert err.getvalue().startswith("error: "), err.getvalue()       # an honest refusal
        return
    assert code == 0, err.getvalue()
    why = dispute_in(json.loads(out.getvalue()))
    assert why is None, f"{' '.join(argv)}: {why}"


@pytest.mark.parametrize("name, latex, wrt, lets", FORMULAS, ids=[f[0] for f in FORMULAS])
def test_no_verdict_ships_with_an_unsettled_dispute(name, latex, wrt, lets):
    try:
        a = analyze(latex, wrt=wrt, let=lets)
    except Unsupported as exc:
        assert str(exc), "a refusal names its reason"
        return
    why = dispute(a)
    assert why is None, f"{latex}: {why}"


def test_the_check_sees_a_dispute():
    # the check itself can fail: a result whose routes disagree with no arbiter, or an
    # arbiter that did not settle, is flagged; an agreement or a settled dispute is not
    assert dispute_in({"routes": {"agree": False, "reason": "r"}})
    assert dispute_in({"routes": {"agree": False, "arbiter": None}})
    assert dispute_in({"routes": {"agree": False, "arbiter": {"settled": False, "test": "t"}}})
    assert dispute_in({"routes": {"agree": True}}) is None
    assert dispute_in({"routes": {"agree": None, "reason": "only one route was run"}}) is None
    assert dispute_in({"routes": {"agree": False, "arbiter": {"settled": True, "test": "exact one-sided "
                                                               "directional derivatives"}}}) is None
    assert len(README) >= 3 and len(FORMULAS) >= 60
