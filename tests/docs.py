"""The README's examples are real: each block marked with the command that produced it
is re-run by the tests and must match byte for byte.  `python -m tests.docs --update`
rewrites the blocks after a deliberate change of output."""
from __future__ import annotations

import contextlib
import io
import pathlib
import re
import shlex
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
MARK = re.compile(r"<!-- output of: (?P<cmd>.+?) -->\n```(?P<lang>\w*)\n(?P<body>.*?)```", re.S)


def run(command: str) -> str:
    from symderiv.cli import main
    argv = shlex.split(command)
    assert argv[0] == "symderiv", command
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv[1:])
    return out.getvalue() + err.getvalue() + ("" if code == 0 else f"[exit {code}]\n")


def blocks(text: str):
    for m in MARK.finditer(text):
        yield m


def updated(text: str) -> str:
    def sub(m):
        return f"<!-- output of: {m['cmd']} -->\n```{m['lang']}\n{run(m['cmd'])}```"
    return MARK.sub(sub, text)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    if "--update" in sys.argv:
        README.write_text(updated(README.read_text(encoding="utf-8")), encoding="utf-8")
        print("README.md updated")
