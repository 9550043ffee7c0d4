"""symderiv serve: the page and its API (symderiv/serve.py, render/mathml.py, web/index.html).

The server runs in a thread of the test process on a free loopback port.  Answers are
the CLI's JSON with MathML beside each LaTeX field, cross-checked by a numeric oracle
(central differences of NumPy twins of f at the point asked); inputs past the limits are
refused before any work; 20 concurrent requests are all answered; the MathML never holds
markup other than MathML; and a real headless Chromium loads the page, enters the seed,
and sees the verdict and the typeset gradient (a screenshot goes to the test's folder).
"""
from __future__ import annotations

import json
import os
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from symderiv import serve
from symderiv.render import mathml
from tests.screenshot import ARGS, CHROMIUM, seed_page

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def url():
    server = serve.make_server("127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    yield f"http://{host}:{port}"
    server.shutdown()
    server.server_close()


def post(url, path, payload, raw: bytes | None = None):
    data = raw if raw is not None else json.dumps(payload).encode()
    req = urllib.request.Request(url + path, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=600) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def seed(X):
    return float(np.sum(np.maximum(X, 0) ** 2))


def numeric_grad(f, X, eps=1e-6):
    G = np.zeros_like(X, dtype=float)
    for idx in np.ndindex(X.shape):
        E = np.zeros_like(X, dtype=float)
        E[idx] = eps
        G[idx] = (f(X + E) - f(X - E)) / (2 * eps)
    return G


def test_the_page_is_served(url):
    with urllib.request.urlopen(url + "/", timeout=60) as r:
        page = r.read().decode()
        assert r.headers["Content-Type"].startswith("text/html")
        assert "default-src 'self'" in r.headers["Content-Security-Policy"]
    assert "<form" in page and "/api/" in page
    assert "http://" not in page and "https://" not in page      # nothing fetched from elsewhere


def test_the_seed_through_the_api(url):
    X = np.array([[1.5, -2.0], [0.0, 3.0]])
    status, a = post(url, "/api/diff", {"expr": r"\|\max(X,0)\|_F^2", "wrt": "X", "at": "[[3/2,-2],[0,3]]"})
    assert status == 200
    assert a["differentiable_everywhere"] is True and a["gradient"]["text"] == "2 max(X, 0)"
    assert a["gradient"]["mathml"].startswith("<math") and "<mo>max</mo>" in a["gradient"]["mathml"]
    # the oracle: central differences of the NumPy twin at the point (the entry at 0 is on the kink,
    # where f is still differentiable: the difference quotient there is 0 from both sides)
    assert np.allclose(np.array(a["at"]["gradient"], dtype=float), numeric_grad(seed, X), atol=1e-5)
    assert np.allclose(numeric_grad(seed, X), 2 * np.maximum(X, 0), atol=1e-5)


def test_a_clarke_set_at_a_kink(url):
    status, a = post(url, "/api/diff", {"expr": "|x| + x^2", "at": "0"})
    assert status == 200 and a["at"]["differentiable"] is False
    sub = a["at"]["subdifferential"]
    lower, upper = (np.asarray(sub[k], dtype=float).ravel()[0] for k in ("lower", "upper"))
    assert sub["form"] == "box" and lower == -1 and upper == 1
    f = lambda t: abs(t) + t * t  # noqa: E731
    h = 1e-7
    assert abs((f(h) - f(0)) / h - 1) < 1e-6 and abs((f(-h) - f(0)) / -h + 1) < 1e-6   # slopes ±1 at 0


def test_a_post_is_checked(url):
    text = (ROOT / "tests" / "check_corpus" / "seed_answer.md").read_text(encoding="utf-8")
    status, r = post(url, "/api/check", {"post": text})
    assert status == 200
    from symderiv import check
    from symderiv.render import check_out
    assert [s["verdict"] for s in r["steps"]] == [s["verdict"] for s in json.loads(check_out.render_json(check(text)))["steps"]]
    assert r["first_error"] is not None


@pytest.mark.parametrize("payload,status,exit_code", [
    ({"expr": "[x, y]"}, 400, 2),
    ({"expr": ""}, 400, 2),
    ({"expr": 5}, 400, 2),
    ({"expr": "x" * (serve.MAX_EXPR + 1)}, 413, 2),
    ({"post": "$$x$$" * 30000}, 413, 2),
])
def test_bad_input_is_refused_with_its_reason(url, payload, status, exit_code):
    path = "/api/check" if "post" in payload else "/api/diff"
    code, e = post(url, path, payload)
    assert code == status and e["exit"] == exit_code and e["error"]


def test_an_error_names_its_place(url):
    code, e = post(url, "/api/diff", {"expr": "[x, y]"})
    assert code == 400 and e["offset"] == 2 and "','" in e["error"]


def test_a_body_past_the_limit_is_not_read(url):
    code, e = post(url, "/api/diff", None, raw=b"{" + b" " * (serve.MAX_BODY + 10) + b"}")
    assert code == 413 and "limit" in e["error"]


def test_not_json_and_unknown_paths(url):
    assert post(url, "/api/diff", None, raw=b"not json")[0] == 400
    assert post(url, "/api/nothing", {})[0] == 404


def test_mathml_holds_only_mathml():
    assert mathml.to_mathml(r"\text{<script>alert(1)</script>}") is None
    assert mathml.to_mathml(r"\text{<img src=x onerror=alert(1)>}") is None
    good = mathml.to_mathml(r"2 \max(X, 0) \odot \operatorname{sign}(X)")
    assert good is not None and good.startswith("<math")
    nested = mathml.with_mathml({"a": [{"text": "x", "latex": "x_{ij}"}], "b": {"latex": r"\text{<b>}"}})
    assert "<msub>" in nested["a"][0]["mathml"] and nested["b"]["mathml"] is None


def test_twenty_concurrent_requests_are_all_answered(url):
    points = [(k - 10) / 3 for k in range(20)]

    def ask(p):
        return post(url, "/api/diff", {"expr": "x^3 - 2x", "at": str(p)})
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(ask, points))
    assert len(answers) == 20 and all(code == 200 for code, _ in answers)
    for p, (_, a) in zip(points, answers):
        # the oracle: f'(p) = 3p^2 - 2, by central differences
        h = 1e-6
        numeric = (((p + h) ** 3 - 2 * (p + h)) - ((p - h) ** 3 - 2 * (p - h))) / (2 * h)
        assert abs(np.asarray(a["at"]["gradient"], dtype=float).ravel()[0] - numeric) < 1e-5


def test_the_page_in_a_real_browser(url, tmp_path):
    if CHROMIUM is None:
        assert not os.environ.get("SYMDERIV_REQUIRE_BROWSER"), "chromium is required here but not installed"
        pytest.skip("no chromium on this machine (CI installs Debian's chromium and requires this test)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 800})
            seed_page(page, url)
            assert page.inner_text("#verdict") == "differentiable everywhere"
            # the gradient is typeset: a MathML element the browser laid out, with a size
            box = page.locator("#gradient math").bounding_box()
            assert box is not None and box["width"] > 20 and box["height"] > 5
            assert "max" in page.inner_text("#gradient")
            page.screenshot(path=str(tmp_path / "serve.png"), full_page=True)
            assert (tmp_path / "serve.png").stat().st_size > 5000

            # an error is shown in place, with a caret under its column
            page.fill("#input", "[x, y]")
            page.click("#go")
            # (a selector, not a script: the page's Content-Security-Policy forbids eval)
            page.wait_for_selector("#error:not(:empty)", timeout=300_000)
            err = page.inner_text("#error")
            assert "','" in err and "^" in err
        finally:
            browser.close()
