"""Big points: the int64 fast paths (symderiv/fast_exact.py) give exactly the answers of
the per-entry exact path, and the big-point JSON form holds the same answers.

Each case is run twice: with the fast paths taken for every array (MIN_FAST = 1, so small
points exercise them) and with them switched off (MIN_FAST too large for any array); the
two outputs must be byte-identical.  The answers themselves are checked against a
hand-written exact oracle (Fractions, entry by entry) and, for the gradient, NumPy
difference quotients.  Not timed: speed is bench/run.py's `big_point`.
"""
from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest

from symderiv import analyze, fast_exact
from symderiv import values as V
from symderiv.render import json_out, text
from tests.oracle import numeric_gradient

SEED = r"\|\max(X,0)\|_F^2"
ABS = r"\sum_{i,j}|x_{ij}|"


def _outputs(expr, at, monkeypatch, fast, **kw):
    monkeypatch.setattr(fast_exact, "MIN_FAST", 1 if fast else 10 ** 18)
    a = analyze(expr, at=at, **kw)
    return json_out.render(a), text.render(a), a


def _both(expr, at, monkeypatch, **kw):
    fast = _outputs(expr, at, monkeypatch, True, **kw)
    slow = _outputs(expr, at, monkeypatch, False, **kw)
    assert fast[0] == slow[0]
    assert fast[1] == slow[1]
    return json.loads(fast[0])["at"], fast[2]


def _npy(tmp_path, arr, name="p.npy"):
    path = tmp_path / name
    np.save(path, arr)
    return str(path)


def _json(tmp_path, rows, name="p.json"):
    path = tmp_path / name
    path.write_text(json.dumps(rows))
    return str(path)


def _seed_oracle(X):
    """Value and gradient of sum max(x,0)^2, exactly, entry by entry."""
    value = sum(max(x, 0) ** 2 for row in X for x in row)
    grad = [[2 * max(x, 0) for x in row] for row in X]
    return value, grad


POINTS = {
    "zeros and ties": [[0, 1, -1, 0], [2, 0, 0, -2], [3, 3, 0, -3]],
    "huge (past int64's safe range)": [[2 ** 40, 0, -(2 ** 70)], [1, -1, 0]],
    "at the fast path's bound": [[2 ** 31 - 1, -(2 ** 31 - 1), 0], [2 ** 31, 5, -5]],
    "tiny": [[Fraction(1, 2 ** 60), 0, -Fraction(1, 2 ** 60)], [1, 0, -1]],
    "non-dyadic rationals": [[Fraction(1, 3), 0, Fraction(-2, 7)], [Fraction(5, 3), 0, 1]],
}


@pytest.mark.parametrize("name", sorted(POINTS))
def test_seed_fast_equals_exact(name, monkeypatch):
    X = POINTS[name]
    at = "[" + ", ".join("[" + ", ".join(str(x) for x in r) + "]" for r in X) + "]"
    out, _ = _both(SEED, at, monkeypatch, wrt="X")
    value, grad = _seed_oracle(X)
    assert Fraction(out["value_exact"]) == value
    assert [[Fraction(s) for s in r] for r in out["gradient_exact"]] == grad
    assert out["differentiable"] is True


@pytest.mark.parametrize("name", sorted(POINTS))
def test_sum_abs_fast_equals_exact(name, monkeypatch):
    X = POINTS[name]
    at = "[" + ", ".join("[" + ", ".join(str(x) for x in r) + "]" for r in X) + "]"
    out, _ = _both(ABS, at, monkeypatch)
    sub = out["subdifferential"]
    assert sub["form"] == "box"
    # the oracle: sign(x) where x != 0, the interval [-1, 1] on the kink x = 0
    lower = [[-1 if x <= 0 else 1 for x in r] for r in X]
    upper = [[1 if x >= 0 else -1 for x in r] for r in X]
    assert [[Fraction(s) for s in r] for r in sub["lower_exact"]] == lower
    assert [[Fraction(s) for s in r] for r in sub["upper_exact"]] == upper
    assert Fraction(out["value_exact"]) == sum(abs(x) for r in X for x in r)


def test_json_file_point_with_rationals(tmp_path, monkeypatch):
    X = [[0.5, 0, -0.25], [0.1, 3, 0]]               # 0.1 is read as 1/10, exactly
    out, _ = _both(SEED, _json(tmp_path, X), monkeypatch, wrt="X")
    exact = [[Fraction(str(x)) for x in r] for r in X]
    value, grad = _seed_oracle(exact)
    assert Fraction(out["value_exact"]) == value
    assert [[Fraction(s) for s in r] for r in out["gradient_exact"]] == grad


@pytest.mark.parametrize("arr", [
    np.array([[0.0, -0.0, 1.0], [-3.0, 2.0, 0.0]]),                  # negative zero, whole floats
    np.array([[0.5, -0.0, 1e-300], [-3.25, 2.0, 0.1]]),             # not whole: per-entry path
    np.array([[2.0 ** 52, -(2.0 ** 53), 0.0], [1.0, -1.0, 0.0]]),   # at and past 2^53
    np.array([[1, 0, -1], [0, 7, -7]], dtype=np.int32),
    np.array([[1, 0], [2 ** 62, -3]], dtype=np.int64),
    np.array([1, 0, 255, 0], dtype=np.uint8),
    np.array([[1, 0], [2 ** 63, 3]], dtype=np.uint64),
])
def test_npy_fast_read_equals_per_entry_read(arr, tmp_path, monkeypatch):
    path = _npy(tmp_path, arr)
    fast = V.load(path, "--at")
    monkeypatch.setattr(V, "_npy_ints", lambda a: None)
    slow = V.load(path, "--at")
    assert fast.shape == slow.shape and fast.dtype == slow.dtype == object
    assert [type(x) for x in fast.flat] == [type(x) for x in slow.flat]
    assert list(fast.flat) == list(slow.flat)
    # and both are the numbers the file holds (shortest decimal of each float: 0.1 is 1/10)
    flat = arr.reshape(-1).tolist()
    want = [Fraction(repr(float(x))) if arr.dtype.kind == "f" else x for x in flat]
    assert list(fast.flat) == want


def test_float_npy_point_fast_equals_exact(tmp_path, monkeypatch):
    arr = np.array([[0.0, -0.0, 1.0, -2.0], [3.0, 0.0, -1.0, 4.0]])
    out, _ = _both(SEED, _npy(tmp_path, arr), monkeypatch, wrt="X")
    value, grad = _seed_oracle([[int(x) for x in r] for r in arr.tolist()])
    assert out["value"] == value and out["gradient"] == grad
    # the gradient away from the kinks agrees with difference quotients
    f = lambda Y: float(np.sum(np.maximum(Y, 0) ** 2))         # noqa: E731
    G = numeric_gradient(f, arr)
    assert np.allclose(G, np.array(grad, dtype=float), atol=1e-5)


def _big(n_rows=120, n_cols=100):
    i, j = np.indices((n_rows, n_cols))
    return ((i * 31 + j * 17) % 7 - 3).astype(np.int64)    # a seventh of the entries are 0


def test_big_point_json_form(tmp_path, monkeypatch):
    X = _big()
    assert X.size >= json_out.BIG_ENTRIES
    path = _npy(tmp_path, X)
    fast = _outputs(SEED, path, monkeypatch, True, wrt="X")[0]
    slow = _outputs(SEED, path, monkeypatch, False, wrt="X")[0]
    assert fast == slow
    out = json.loads(fast)["at"]
    P = np.maximum(X, 0)
    assert out["value"] == int((P ** 2).sum())
    assert out["gradient"] == (2 * P).tolist()
    assert out["subdifferential"] == {"form": "point", "value": (2 * P).tolist()}
    # every gradient entry is an integer a JSON number holds: its strings are left out
    assert "gradient_exact" not in out and out["exact_omitted"] == ["gradient_exact"]
    # one row per line: the file is a small multiple of its numbers' digits
    assert len(fast) < 4 * len(json.dumps(out["gradient"])) + 20_000
    assert fast.count("\n") < 3 * X.shape[0] + 200


def test_big_point_box_form(tmp_path, monkeypatch):
    X = _big()
    out = json.loads(_outputs(ABS, _npy(tmp_path, X), monkeypatch, True)[0])["at"]
    sub = out["subdifferential"]
    assert sub["lower"] == np.where(X == 0, -1, np.sign(X)).tolist()
    assert sub["upper"] == np.where(X == 0, 1, np.sign(X)).tolist()
    assert "lower_exact" not in sub and "upper_exact" not in sub
    assert out["exact_omitted"] == ["subdifferential.lower_exact", "subdifferential.upper_exact"]
    assert out["value"] == int(np.abs(X).sum())


def test_big_point_keeps_exact_strings_that_differ(tmp_path, monkeypatch):
    X = _big().tolist()
    X[0][0] = "1/3"                                  # one non-integer entry: the strings stay
    at = "[" + ", ".join("[" + ", ".join(str(x) for x in r) + "]" for r in X) + "]"
    fast = _outputs(SEED, at, monkeypatch, True, wrt="X")[0]
    assert fast == _outputs(SEED, at, monkeypatch, False, wrt="X")[0]
    out = json.loads(fast)["at"]
    assert "exact_omitted" not in out
    assert out["gradient_exact"][0][0] == "2/3" and out["gradient"][0][0] == pytest.approx(2 / 3)
    assert out["gradient_exact"][0][1] == str(out["gradient"][0][1])


def test_compact_writer_is_json_dumps_with_rows_on_one_line():
    doc = {"a": [1, 2.5, None], "b": {"c": [[1, 2], [3, 4]], "d": {}, "e": [], "f": [{"g": "ü"}]}, "h": True}
    s = json_out._compact(doc)
    assert json.loads(s) == doc
    assert '"c": [\n      [1, 2],\n      [3, 4]\n    ]' in s
    nested = {"a": {"b": 1, "c": {"d": "x"}}, "e": [{"f": 2}]}   # no list of scalars: as json.dumps
    assert json_out._compact(nested) == json.dumps(nested, indent=2, ensure_ascii=False)


def test_fast_helpers_refuse_what_int64_cannot_hold():
    def arr(vals):
        a = np.empty(len(vals), dtype=object)
        a[:] = vals
        return a
    n = fast_exact.MIN_FAST
    assert fast_exact.ints(arr([1] * n)) is not None
    for odd in (Fraction(1, 2), Fraction(2, 1), True, 2 ** 31, -(2 ** 31), 2 ** 70, 1.0):
        assert fast_exact.ints(arr([1] * (n - 1) + [odd])) is None, odd
    big = arr([2 ** 31 - 1] * n)
    assert fast_exact.total(big) == (2 ** 31 - 1) * n
    assert fast_exact.signs(arr([-5, 0, 7] * n)).tolist() == [-1, 0, 1] * n
    assert fast_exact.max_bits(arr([-(2 ** 20), 3] * n)) == 21
