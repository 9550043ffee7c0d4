"""``symderiv serve``: the tool as a page in the browser, on this machine.

A user types a formula (or pastes a post) and sees the verdict, the gradient, the Clarke
set at a point, both routes' derivations and the checked steps, typeset as MathML by the
browser itself (``render.mathml``): nothing is fetched from the internet.

The server is the standard library's threading HTTP server on loopback by default.  Every
request is bounded before any work: the body's size, the formula's and the post's
length, and the wall-clock guard of the API; the engine's own count bounds do the rest.
Requests are accepted concurrently and answered in turn: one analysis runs at a time, so
an answer is the same byte for byte as the CLI's, whatever else was asked meanwhile
(the engine's caches and bounds are per process).

Endpoints: ``GET /`` the page; ``POST /api/diff`` with JSON {expr, wrt, at, let,
direction}; ``POST /api/check`` with JSON {post}.  An answer is the contract's JSON with
"mathml" beside every "latex"; an error is {"error", "exit", "offset"} with status 400
(bad input, the CLI's exit 2), 422 (outside what the tool analyses, exit 3) or 413 (too
large).
"""
from __future__ import annotations

import json
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources

from .errors import InputError, SymderivError

MAX_BODY = 256 * 1024          # bytes of a request body
MAX_EXPR = 4000                # characters of a formula
MAX_POST = 100_000             # characters of a post
MAX_LETS = 20
REQUEST_SECONDS = 120.0        # the API's wall-clock guard for one request (a last resort)

_ENGINE = threading.Lock()     # one analysis at a time: answers never depend on what else runs


class Rejected(Exception):
    def __init__(self, status: HTTPStatus, message: str, exit_code: int = 2, offset: int | None = None):
        super().__init__(message)
        self.status, self.message, self.exit_code, self.offset = status, message, exit_code, offset


def _text(payload: dict, key: str, limit: int, required: bool = False) -> str | None:
    value = payload.get(key)
    if value is None or value == "":
        if required:
            raise Rejected(HTTPStatus.BAD_REQUEST, f"'{key}' is missing")
        return None
    if not isinstance(value, str):
        raise Rejected(HTTPStatus.BAD_REQUEST, f"'{key}' must be a string")
    if len(value) > limit:
        raise Rejected(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"'{key}' is {len(value):,} characters; "
                       f"the limit is {limit:,}")
    return value


def diff(payload: dict) -> dict:
    """The answer to a /api/diff request (the contract's JSON, with MathML)."""
    expr = _text(payload, "expr", MAX_EXPR, required=True)
    lets = payload.get("let") or []
    if isinstance(lets, str):
        lets = [x for x in (s.strip() for s in lets.split(";")) if x]
    if not isinstance(lets, list) or not all(isinstance(x, str) for x in lets) or len(lets) > MAX_LETS:
        raise Rejected(HTTPStatus.BAD_REQUEST, f"'let' must be up to {MAX_LETS} strings NAME=VALUE")
    if any(len(x) > MAX_EXPR for x in lets):
        raise Rejected(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"a 'let' value is longer than {MAX_EXPR:,} characters")
    at = _text(payload, "at", MAX_EXPR)
    direction = _text(payload, "direction", MAX_EXPR)
    wrt = _text(payload, "wrt", 50)
    from .api import analyze              # lazy: the page loads before SymPy does
    from .render import json_out, mathml, text
    with _ENGINE:
        analysis = analyze(expr, wrt=wrt, at=at, let=lets, direction=direction, timeout=REQUEST_SECONDS)
        answer = json.loads(json_out.render(analysis))
        answer["text"] = text.render(analysis)
    return mathml.with_mathml(answer)


def check(payload: dict) -> dict:
    """The answer to a /api/check request (the contract's check JSON, with MathML)."""
    post = _text(payload, "post", MAX_POST, required=True)
    from .checker import check as check_post
    from .render import check_out, mathml
    with _ENGINE:
        report = check_post(post, timeout=REQUEST_SECONDS)
        answer = json.loads(check_out.render_json(report))
    for step in answer.get("steps", []):
        step["source_mathml"] = mathml.to_mathml(step["source"])
    return mathml.with_mathml(answer)


ROUTES = {"/api/diff": diff, "/api/check": check}


class Handler(BaseHTTPRequestHandler):
    server_version = "symderiv"
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):      # noqa: A002 - the standard library's name
        if self.server.verbose:
            super().log_message(format, *args)

    def _send(self, status: HTTPStatus, body: bytes, content_type: str):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        # the page runs only its own script and loads nothing from elsewhere
        self.send_header("Content-Security-Policy", "default-src 'self'; script-src 'self' 'unsafe-inline'; "
                         "style-src 'self' 'unsafe-inline'; connect-src 'self'")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: HTTPStatus, value: dict):
        self._send(status, json.dumps(value, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8")

    def do_GET(self):                          # noqa: N802 - the standard library's name
        if self.path in ("/", "/index.html"):
            page = resources.files("symderiv.web").joinpath("index.html").read_bytes()
            self._send(HTTPStatus.OK, page, "text/html; charset=utf-8")
        else:
            self._json(HTTPStatus.NOT_FOUND, {"error": f"no page {self.path}", "exit": 2})

    def do_POST(self):                         # noqa: N802 - the standard library's name
        route = ROUTES.get(self.path)
        try:
            if route is None:
                raise Rejected(HTTPStatus.NOT_FOUND, f"no endpoint {self.path}")
            payload = self._payload()
            self._json(HTTPStatus.OK, route(payload))
        except Rejected as exc:
            self._json(exc.status, {"error": exc.message, "exit": exc.exit_code, "offset": exc.offset})
        except SymderivError as exc:
            status = HTTPStatus.BAD_REQUEST if exc.exit_code == 2 else HTTPStatus.UNPROCESSABLE_ENTITY
            # the message's first line (the page draws its own caret under the input)
            self._json(status, {"error": exc.render().splitlines()[0].removeprefix("error: "),
                                "exit": exc.exit_code, "offset": exc.column})
        except RecursionError:
            self._json(HTTPStatus.UNPROCESSABLE_ENTITY, {"error": "the expression is nested too deeply to analyse",
                                                         "exit": 3, "offset": None})
        except Exception as exc:               # noqa: BLE001 - a request's failure must not stop the server
            self._json(HTTPStatus.INTERNAL_SERVER_ERROR,
                       {"error": f"could not analyse this input (internal {type(exc).__name__}: {exc}); "
                                 "please report it", "exit": 3, "offset": None})

    def _payload(self) -> dict:
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            raise Rejected(HTTPStatus.LENGTH_REQUIRED, "a request needs its Content-Length")
        if length < 0 or length > MAX_BODY:
            # read nothing of it: the connection is closed after the answer
            self.close_connection = True
            raise Rejected(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"the request is {length:,} bytes; "
                           f"the limit is {MAX_BODY:,}")
        raw = self.rfile.read(length)
        try:
            payload = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise Rejected(HTTPStatus.BAD_REQUEST, f"the request is not JSON: {exc}")
        if not isinstance(payload, dict):
            raise Rejected(HTTPStatus.BAD_REQUEST, "the request must be a JSON object")
        return payload


class Server(ThreadingHTTPServer):
    daemon_threads = True
    verbose = False
    # the listen backlog: socketserver's default of 5 refuses a burst of connections
    # while the threads that take them are still starting (requests lost under load)
    request_queue_size = 128


def make_server(host: str = "127.0.0.1", port: int = 8765, verbose: bool = False) -> Server:
    """A server bound to host:port (port 0: any free port; ``server.server_address`` says
    which), not yet serving: ``serve_forever()`` starts it."""
    try:
        server = Server((host, port), Handler)
    except OSError as exc:
        raise InputError(f"--host {host} --port {port}: cannot serve there: {exc.strerror}")
    server.verbose = verbose
    return server


def run(host: str, port: int) -> None:
    server = make_server(host, port, verbose=True)
    h, p = server.server_address[:2]
    print(f"symderiv serving on http://{h}:{p}/ (Ctrl-C stops it)", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
