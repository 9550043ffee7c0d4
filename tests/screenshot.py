"""The page of ``symderiv serve`` in headless Chromium: the seed entered, the answer shown.

Used by tests/test_serve.py and by ``make screenshot``, which writes the picture the
README shows (derivations/images/serve.png):

    python -m tests.screenshot derivations/images/serve.png
"""
from __future__ import annotations

import shutil
import sys
import threading

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# as the machine's notes advise: no sandbox as root, and nothing fetched in the background
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SEED = r"\|\max(X,0)\|_F^2"


def seed_page(page, url: str) -> None:
    """Load the page, enter the seed question, and wait for the answer."""
    page.goto(url + "/")
    page.fill("#input", SEED)
    page.fill("#wrt", "X")
    page.click("#go")
    page.wait_for_selector("#verdict", timeout=300_000)


def main(argv=None) -> int:
    from playwright.sync_api import sync_playwright

    from symderiv import serve
    out = (argv or sys.argv[1:] or ["derivations/images/serve.png"])[0]
    server = serve.make_server("127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1000, "height": 700})
            seed_page(page, f"http://{host}:{port}")
            page.screenshot(path=out, full_page=True)
            browser.close()
    finally:
        server.shutdown()
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
