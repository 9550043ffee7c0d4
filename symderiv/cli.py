"""The command line: a thin layer over the API.

Heavy imports (SymPy, NumPy, the parser) happen inside the commands so that --help and
--version answer at once, and every failure is one `error:` line with the contract's
exit code, never a traceback.
"""
from __future__ import annotations

import argparse
import sys

from . import __version__

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
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise _UsageError(message)


class _UsageError(Exception):
    pass


def _shape(text: str):
    from .errors import InputError
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
    d.add_argument("--route", choices=("sign", "direct", "both"), default="both")
    d.add_argument("--format", choices=("text", "latex", "json"), default="text")
    d.add_argument("--compare", choices=("autodiff",),
                   help="with --at: PyTorch's gradient there, and whether it lies in the Clarke set")
    d.add_argument("-o", "--output", help="write to this file instead of standard output")

    c = sub.add_parser("check", help="check a hand derivation step by step", epilog=EXAMPLES_CHECK,
                       description="Check every step of a derivation in a Markdown post or a .tex file: "
                                   "definition, valid, valid where (a condition), invalid (with an exact "
                                   "counterexample) or unverified (with the reason).  Exit 0 even when "
                                   "steps are invalid.",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_argument("file", help="a .tex or Markdown file, or - for standard input")
    c.add_argument("--format", choices=("text", "latex", "json"), default="text",
                   help="text (marks ✓ ✗ ~ ?), json (the contract's fields) or latex (the derivation annotated)")

    v = sub.add_parser("derive", help="write a LaTeX document deriving the answer", epilog=EXAMPLES_DERIVE,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    v.add_argument("expr", nargs="?")
    v.add_argument("--expr", dest="expr_option", help=argparse.SUPPRESS)
    v.add_argument("--wrt")
    v.add_argument("--let", action="append", default=[], metavar="NAME=VALUE")
    v.add_argument("-o", "--output", help="the .tex file to write (default: standard output)")
    return p


def _write(text: str, path: str | None):
    if path:
        from .errors import InputError
        try:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:
            raise InputError(f"cannot write {path}: {exc.strerror}")
    else:
        sys.stdout.write(text)
        if not text.endswith("\n"):
            sys.stdout.write("\n")


def _diff(args):
    from .api import analyze
    shape = _shape(args.shape) if args.shape else None
    analysis = analyze(args.expr, wrt=args.wrt, at=args.at, let=args.let, shape=shape, route=args.route,
                       direction=args.direction)
    if args.compare == "autodiff":
        from .errors import InputError
        if args.at is None:
            raise InputError("--compare autodiff needs a point: give --at")
        from .autodiff import compare
        analysis.autodiff = compare(analysis)
    if args.format == "json":
        from .render import json_out
        out = json_out.render(analysis)
    elif args.format == "latex":
        from .render import latex
        out = latex.fragment(analysis)
    else:
        from .render import text
        out = text.render(analysis)
    _write(out, args.output)


def _derive(args):
    from .api import analyze
    from .render import latex
    analysis = analyze(args.expr, wrt=args.wrt, let=args.let)
    _write(latex.document(analysis), args.output)


def _check(args):
    from .check import check
    from .errors import InputError, Unsupported
    from .render import check_out
    if args.file == "-":
        try:
            text = sys.stdin.read()
        except OSError as exc:
            raise Unsupported(f"standard input is not available to read ({exc})")
    else:
        try:
            with open(args.file, encoding="utf-8") as fh:
                text = fh.read()
        except UnicodeDecodeError:
            raise InputError(f"{args.file} is not UTF-8 text")
        except OSError as exc:
            raise InputError(f"cannot read {args.file}: {exc.strerror}")
    report = check(text)
    render = {"json": check_out.render_json, "latex": check_out.render_latex}.get(args.format, check_out.render_text)
    _write(render(report), None)


VALUED = {"--wrt", "--shape", "--at", "--direction", "--let", "--route", "--format", "--compare", "-o", "--output"}
FLAGS = {"-h", "--help", "--version"}


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
        print("error: no command given: use symderiv diff, check or derive (symderiv --help lists them)",
              file=sys.stderr)
        return 2
    if args.command in ("diff", "derive"):
        args.expr = args.expr if args.expr is not None else args.expr_option
        if args.expr is None:
            print("error: the expression to analyse is missing", file=sys.stderr)
            return 2
    try:
        {"diff": _diff, "derive": _derive, "check": _check}[args.command](args)
        return 0
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:   # noqa: BLE001 - every failure becomes one clear line
        from .errors import SymderivError
        if isinstance(exc, SymderivError):
            print(exc.render(), file=sys.stderr)
            return exc.exit_code
        if isinstance(exc, RecursionError):
            print("error: the expression is nested too deeply to analyse", file=sys.stderr)
            return 3
        print(f"error: could not analyse this input (internal {type(exc).__name__}: {exc}); "
              "please report it", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
