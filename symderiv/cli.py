"""The command line: a thin layer over the API.

Heavy imports (SymPy, NumPy, the parser) happen inside the commands so that --help and
--version answer at once, and every failure is one `error:` line with the contract's
exit code, never a traceback.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import stat
import sys
import tempfile

from . import __version__
from .errors import InputError, SymderivError, shown_column      # no heavy imports: errors.py imports nothing

EXAMPLES_DIFF = r"""examples:
  symderiv diff '\|\max(X,0)\|_F^2' --wrt X
  symderiv diff '\|\max(X,0)\|_F^2' --at '[[1,-2],[0,3]]' --format json
  symderiv diff '\sum_{i,j}|x_{ij}|' --at '[[0,1],[-2,3]]'
  symderiv diff '\|\sigma(AX)\|_F^2' --let 'A=[[1,2],[0,1]]' --at '[[1,0],[0,-1]]'
"""
EXAMPLES_DERIVE = r"""examples:
  symderiv derive '\|\max(X,0)\|_F^2' -o seed.tex
"""
EXAMPLES_CHECK = r"""examples:
  symderiv check answer.md --format json
  symderiv check posts/*.md --jobs 4 > verdicts.jsonl
"""


TIMEOUT_HELP = ("the wall-clock guard, a last resort against a hang (default 300): past it the command "
                "stops with exit 3; no answer depends on it")


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise _UsageError(message)


class _UsageError(Exception):
    pass


def _shape(text: str):
    parts = [p.strip() for p in text.replace("x", ",").split(",")]
    if len(parts) == 1:
        parts.append("1")
    try:
        m, n = (int(p) for p in parts)
    except ValueError:
        raise InputError(f"--shape expects m,n (two positive integers), got '{text}'")
    if m <= 0 or n <= 0:
        raise InputError(f"--shape expects positive sizes, got '{text}'")
    return (m, n)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="symderiv",
                description="Is f differentiable, where does it fail, what is its gradient, "
                            "and what are its subgradients where it fails?")
    p.add_argument("--version", action="version", version=f"symderiv {__version__}")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    d = sub.add_parser("diff", help="analyse a function of a matrix", epilog=EXAMPLES_DIFF,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    d.add_argument("expr", nargs="?", help="LaTeX, as between dollar signs")
    d.add_argument("--expr", dest="expr_option", help=argparse.SUPPRESS)
    d.add_argument("--wrt", help="the variable (default X, else x, else the only symbol)")
    d.add_argument("--shape", help="m,n: the variable's size")
    d.add_argument("--at", help="a point: nested list, number, or a .npy/.json file")
    d.add_argument("--direction", help="with --at: a direction D (shaped like the point); prints f'(X; D) exactly")
    d.add_argument("--let", action="append", default=[], metavar="NAME=VALUE",
                   help="a value for another symbol (repeatable)")
    d.add_argument("--symmetric", action="append", default=[], metavar="X",
                   help="the variable ranges over symmetric matrices (gradients with the trace inner product)")
    d.add_argument("--route", choices=("sign", "direct", "both"), default="both")
    d.add_argument("--format", choices=("text", "latex", "json", "markdown"), default="text",
                   help="text, latex (a fragment), json (the contract's fields) or markdown (MathJax, as on math.SE)")
    d.add_argument("--compare", choices=("autodiff",),
                   help="with --at: PyTorch's gradient there, and whether it lies in the Clarke set")
    d.add_argument("-o", "--output", help="write to this file instead of standard output")
    d.add_argument("--timeout", type=float, metavar="SECONDS", help=TIMEOUT_HELP)

    c = sub.add_parser("check", help="check a hand derivation step by step", epilog=EXAMPLES_CHECK,
                       description="Check every step of a derivation in a Markdown post or a .tex file: "
                                   "definition, valid, valid where (a condition), invalid (with an exact "
                                   "counterexample) or unverified (with the reason).  Exit 0 even when "
                                   "steps are invalid.",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_argument("file", nargs="+", help="a .tex or Markdown file, or - for standard input; several files "
                                            "give JSON lines, one per file in their order, then a summary line")
    c.add_argument("--format", choices=("text", "latex", "json", "markdown"), default=None,
                   help="text (marks ✓ ✗ ~ ?; the default), json (the contract's fields), latex (the derivation "
                        "annotated) or markdown (MathJax, as on math.SE); several files: JSON lines only")
    c.add_argument("--jobs", type=int, metavar="N",
                   help="check in N worker processes (default with several files: one per core); "
                        "the output is the same for every N")
    c.add_argument("--timeout", type=float, metavar="SECONDS", help=TIMEOUT_HELP)

    v = sub.add_parser("derive", help="write a LaTeX document deriving the answer", epilog=EXAMPLES_DERIVE,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    v.add_argument("expr", nargs="?")
    v.add_argument("--expr", dest="expr_option", help=argparse.SUPPRESS)
    v.add_argument("--wrt")
    v.add_argument("--let", action="append", default=[], metavar="NAME=VALUE")
    v.add_argument("--symmetric", action="append", default=[], metavar="X",
                   help="the variable ranges over symmetric matrices (gradients with the trace inner product)")
    v.add_argument("-o", "--output", help="the .tex file to write (default: standard output)")
    v.add_argument("--timeout", type=float, metavar="SECONDS", help=TIMEOUT_HELP)
    s = sub.add_parser("serve", help="a page in the browser: type a formula or paste a post",
                       description="Serve symderiv as a local web page (loopback only unless --host says "
                                   "otherwise); the mathematics is typeset by the browser, nothing is fetched "
                                   "from the internet.")
    s.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1)")
    s.add_argument("--port", type=int, default=8765, help="the port (default 8765; 0 picks a free one)")
    return p


def _write(text: str, path: str | None):
    """The output, whole or not at all: to a file through a temporary file in the same
    folder renamed into place once written (a run that fails leaves an existing file as it
    was), or to standard output."""
    # the final newline is written after the text, not appended to it: a big point's
    # JSON would be copied whole for one character
    tail = "" if text.endswith("\n") else "\n"
    if path:
        _write_file(text, path, tail)
        return
    try:
        sys.stdout.write(text)
    except UnicodeEncodeError:
        # a terminal whose encoding has no ∇ (or a name read from undecodable bytes):
        # escaped, as Python's own stderr does, rather than lost
        enc = sys.stdout.encoding or "utf-8"
        sys.stdout.write(text.encode(enc, "backslashreplace").decode(enc, "replace"))
    sys.stdout.write(tail)


def _write_file(text: str, path: str, tail: str = ""):
    data = _Encoded(text, tail)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise InputError(f"-o {path}: cannot write: {exc.strerror}")
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise InputError(f"-o {path}: is a folder")
    if st is not None and not stat.S_ISREG(st.st_mode):
        # /dev/null, /dev/stdout, a pipe: written to as they are, never replaced by a file
        try:
            with open(path, "wb") as fh:
                data.write_to(fh)
        except OSError as exc:
            raise InputError(f"-o {path}: cannot write: {exc.strerror}")
        return
    target = os.path.realpath(path)                   # through a symbolic link, to the file it names
    folder = os.path.dirname(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=".symderiv-", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise InputError(f"-o {path}: cannot write in {folder}: {exc.strerror}")
    try:
        with os.fdopen(fd, "wb") as fh:
            data.write_to(fh)
        if st is not None:
            os.chmod(tmp, st.st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise InputError(f"-o {path}: cannot write: {exc.strerror}")


class _Encoded:
    """text as UTF-8 bytes, encoded a slice at a time as it is written: a big point's
    JSON encoded whole would briefly take several times its size (the encoder reserves
    room for 4 bytes a character).  Undecodable bytes of a path are given back as they
    came (surrogateescape); a slice never splits a character (a str holds code points)."""
    CHUNK = 1 << 20

    def __init__(self, text: str, tail: str = ""):
        self.text, self.tail = text, tail
        for _ in self._slices():      # a text that cannot be encoded fails here, before any file is made
            pass

    def _slices(self):
        for i in range(0, len(self.text), self.CHUNK):
            yield self.text[i:i + self.CHUNK].encode("utf-8", "surrogateescape")
        yield self.tail.encode("utf-8")

    def write_to(self, fh):
        for piece in self._slices():
            fh.write(piece)


# `check` reads at most this many bytes (the checker takes 200,000 characters).
MAX_CHECK_BYTES = 1_000_000


def _read_text(name: str) -> str:
    """A derivation to check: standard input for '-', else a regular file; read to a fixed
    limit (a FIFO would block, /dev/zero never ends) and decoded as UTF-8."""
    from .values import regular_file      # lazy: values.py loads NumPy, kept out of --help
    if name == "-":
        where = "standard input"
        stream = getattr(sys.stdin, "buffer", None)
        try:
            raw = stream.read(MAX_CHECK_BYTES + 1) if stream is not None else \
                sys.stdin.read(MAX_CHECK_BYTES + 1).encode("utf-8", "surrogateescape")
        except (OSError, ValueError, AttributeError) as exc:
            raise InputError(f"standard input cannot be read ({type(exc).__name__})")
    else:
        where = name
        regular_file(name)
        try:
            with open(name, "rb") as fh:
                raw = fh.read(MAX_CHECK_BYTES + 1)
        except OSError as exc:
            raise InputError(f"cannot read {name}: {exc.strerror}")
    if len(raw) > MAX_CHECK_BYTES:
        raise InputError(f"{where} is longer than {MAX_CHECK_BYTES} bytes (a size limit)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{where} is not UTF-8 text (byte {exc.start})")
    return text.replace("\r\n", "\n").replace("\r", "\n")     # as a file opened as text reads it


def _diff(args):
    from .api import analyze              # lazy: keeps SymPy/NumPy out of --help and --version
    shape = _shape(args.shape) if args.shape else None
    analysis = analyze(args.expr, wrt=args.wrt, at=args.at, let=args.let, shape=shape, route=args.route,
                       timeout=args.timeout, direction=args.direction, symmetric=tuple(args.symmetric) or None)
    if args.compare == "autodiff":
        if args.at is None:
            raise InputError("--compare autodiff needs a point: give --at")
        from .autodiff import compare     # lazy: only --compare autodiff needs it (PyTorch is optional)
        analysis.autodiff = compare(analysis)
    if args.format == "json":
        from .render import json_out      # lazy: only the format asked for is loaded
        out = json_out.render(analysis)
    elif args.format == "latex":
        from .render import latex         # lazy: only the format asked for is loaded
        out = latex.fragment(analysis)
    elif args.format == "markdown":
        from .render import markdown_out  # lazy: only the format asked for is loaded
        out = markdown_out.render(analysis)
    else:
        from .render import text          # lazy: only the format asked for is loaded
        out = text.render(analysis)
    _write(out, args.output)


def _derive(args):
    from .api import analyze              # lazy: keeps SymPy/NumPy out of --help and --version
    from .render import latex             # lazy: keeps SymPy/NumPy out of --help and --version
    analysis = analyze(args.expr, wrt=args.wrt, let=args.let, timeout=args.timeout,
                       symmetric=tuple(args.symmetric) or None)
    _write(latex.document(analysis), args.output)


def check_report(name: str, text: str | None = None, timeout: float | None = None):
    """The report for one post as `check FILE` makes it: ``text`` when given (standard
    input, read already), else the file ``name`` read here; a SymderivError about the
    input as a whole names the input."""
    from .checker import check            # lazy: keeps SymPy/NumPy out of --help and --version
    if text is None:
        text = _read_text(name)
    try:
        return check(text, timeout=timeout)
    except SymderivError as exc:
        if exc.column is None:       # about the input as a whole: say which input
            exc.message = f"{'standard input' if name == '-' else name}: {exc.message}"
        raise


def _check(args):
    if len(args.file) > 1 or args.jobs is not None:
        return _check_many(args)
    from .render import check_out         # lazy: keeps SymPy/NumPy out of --help and --version
    report = check_report(args.file[0], None, args.timeout)
    if args.format == "markdown":
        from .render import markdown_out  # lazy: only the format asked for is loaded
        render = markdown_out.render_check
    else:
        render = {"json": check_out.render_json, "latex": check_out.render_latex}.get(args.format,
                                                                                      check_out.render_text)
    _write(render(report), None)


def _check_many(args):
    """Several files, or --jobs: JSON lines in input order and a summary line
    (symderiv.batch describes them); exit 0 when every file was checked."""
    from . import batch                   # lazy: the pool is only for many files
    if args.format not in (None, "json"):
        raise InputError(f"--format {args.format} is for one file: several files (or --jobs) give JSON lines")
    if args.jobs is not None and args.jobs < 1:
        raise InputError(f"--jobs expects a positive number of worker processes, got {args.jobs}")
    if args.file.count("-") > 1:
        raise InputError("standard input (-) can be read only once")
    if args.timeout is not None:
        from .guard import valid          # a bad --timeout is the command's error, not every file's
        valid(args.timeout)
    items = []
    for name in args.file:
        if name == "-":         # read here: a worker has no standard input of ours
            try:
                items.append(batch.Item(name, _read_text(name)))
            except SymderivError as exc:          # a line of its own, like any file's error
                items.append(batch.Item(name, error=("error", exc.render()[len("error: "):], exc.exit_code)))
        else:
            items.append(batch.Item(name))
    jobs = args.jobs if args.jobs is not None else batch.default_jobs(len(items))
    code = batch.run_lines(items, jobs, args.timeout, sys.stdout)
    if code:
        raise _ExitQuietly(code)


class _ExitQuietly(Exception):
    """An exit code whose reasons are already written (the JSON lines' errors)."""

    def __init__(self, code: int):
        super().__init__(code)
        self.code = code


def failure(exc: BaseException) -> tuple[str, int]:
    """The one `error:` line (with its caret lines) and the exit code for a failure."""
    if isinstance(exc, SymderivError):
        return exc.render(), exc.exit_code
    if isinstance(exc, RecursionError):
        return "error: the expression is nested too deeply to analyse", 3
    return (f"error: could not analyse this input (internal {type(exc).__name__}: {exc}); "
            "please report it"), 3


VALUED = {"--wrt", "--shape", "--symmetric", "--at", "--direction", "--let", "--route", "--format", "--compare", "-o", "--output",
          "--timeout", "--jobs"}
FLAGS = {"-h", "--help", "--version"}


def _serve(args):
    from .serve import run                # lazy: only the server needs it
    if not 0 <= args.port <= 65535:
        raise InputError(f"--port expects a number from 0 to 65535, got {args.port}")
    run(args.host, args.port)


def _protect_dashes(argv: list) -> list:
    """Expressions and values may start with '-' ('-x', '--at -1/2'); argparse would take
    them for options.  Glue them to their option, or mark the expression, first."""
    if not argv or argv[0] not in ("diff", "derive", "check"):
        return argv
    out = [argv[0]]
    i = 1
    while i < len(argv):
        tok = argv[i]
        if tok in VALUED and i + 1 < len(argv):
            out.append(f"{tok}={argv[i + 1]}")
            i += 2
            continue
        if tok.startswith("-") and tok not in FLAGS and tok.split("=", 1)[0] not in VALUED and tok != "-":
            if not tok.startswith("--") or not tok[2:3].isalpha():
                out.append("--expr=" + tok)
                i += 1
                continue
        out.append(tok)
        i += 1
    return out


def _surrogate(text: str) -> int | None:
    """The column of the first character that stands for an undecodable byte of argv
    (Python keeps such bytes as lone surrogates), or None."""
    return next((k for k, ch in enumerate(text) if "\ud800" <= ch <= "\udfff"), None)


def _undecodable(args) -> str | None:
    """Text that is to be read as math or names must be valid UTF-8; paths need not be."""
    items = []
    if getattr(args, "expr", None) is not None:
        items.append(("the expression", args.expr))
    for option in ("wrt", "shape"):
        if getattr(args, option, None) is not None:
            items.append((f"--{option}", getattr(args, option)))
    for item in getattr(args, "let", None) or []:
        name, _, value = item.partition("=")
        items.append(("--let", name))
        if not value.strip().endswith((".npy", ".json")):
            items.append((f"--let {name.strip()}", value))
    if getattr(args, "at", None) is not None and not args.at.strip().endswith((".npy", ".json")):
        items.append(("--at", args.at))
    for what, text in items:
        col = _surrogate(text)
        if col is not None:
            return f"{what}: not valid UTF-8 text (an undecodable byte at column {shown_column(col)})"
    return None


def main(argv=None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(_protect_dashes(argv))
    except _UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except SystemExit as exc:      # --help / --version
        return int(exc.code or 0)
    if args.command is None:
        print("error: no command given: use symderiv diff, check, derive or serve (symderiv --help lists them)",
              file=sys.stderr)
        return 2
    if args.command in ("diff", "derive"):
        args.expr = args.expr if args.expr is not None else args.expr_option
        if args.expr is None:
            print("error: the expression to analyse is missing", file=sys.stderr)
            return 2
    bad = _undecodable(args)
    if bad:
        print(f"error: {bad}", file=sys.stderr)
        return 2
    try:
        {"diff": _diff, "derive": _derive, "check": _check, "serve": _serve}[args.command](args)
        return 0
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except _ExitQuietly as exc:
        return exc.code
    except Exception as exc:   # noqa: BLE001 - every failure becomes one clear line
        message, code = failure(exc)
        print(message, file=sys.stderr)
        return code


if __name__ == "__main__":
    sys.exit(main())
