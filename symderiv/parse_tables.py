"""The LALR tables of grammar/latex.lark, computed once ahead instead of in every process.

Lark needs about 0.2 s of CPU to compute the tables of this grammar, a quarter of a cold
`symderiv diff`; a CLI is one process per question.  So the tables are kept in a
file and loaded (a few milliseconds):

  1. the file shipped in the package, grammar/latex-<key>.lalr, written by
     ``python -m symderiv.parse_tables --write`` (``make tables``; a test fails when it is
     not the one for the current grammar);
  2. otherwise (the grammar or lark changed since it was written) a copy in the user's
     cache directory ($XDG_CACHE_HOME or ~/.cache, then symderiv/);
  3. otherwise the tables are built from the grammar and written to that cache.

``<key>`` hashes everything the tables depend on (the grammar's text, the parser options,
lark's version and this file format), so a stale file is never even opened.  A file is used
only if its header names that key and the SHA-256 of its body: a truncated, corrupt or
foreign file is ignored and the tables are built.  Writing the cache is best effort (a
read-only home or install works, only slower) and atomic (a temporary file renamed into
place), so a concurrent process never reads half a file.  The tables are a pure function
of the key: lark numbers the states differently from run to run, so they are renumbered in
one fixed order before they are written, and the shipped file is reproducible byte for byte.
"""
from __future__ import annotations

import hashlib
import io
import os
import pickle
import sys
import tempfile
from pathlib import Path

GRAMMAR_DIR = Path(__file__).parent / "grammar"
GRAMMAR = GRAMMAR_DIR / "latex.lark"

FORMAT = b"symderiv-lalr-1"

# Options fixed when the tables are built (they are part of the key) ...
BUILD_OPTIONS = dict(parser="lalr", lexer="basic", start=["start_expr", "start_statement"],
                     maybe_placeholders=False)
# ... and options given again when loading: lark does not store these with the tables.
LOAD_OPTIONS = dict(propagate_positions=True)


def _postlex():
    from .tokens import TokenStage
    return TokenStage()


def key(grammar_text: str | None = None) -> str:
    import lark
    if grammar_text is None:
        grammar_text = GRAMMAR.read_text(encoding="utf-8")
    h = hashlib.sha256()
    for part in (FORMAT.decode(), lark.__version__, repr(sorted(BUILD_OPTIONS.items())),
                 repr(sorted(LOAD_OPTIONS.items())), repr(sorted(_postlex().always_accept)), grammar_text):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()[:32]


def shipped_path(k: str) -> Path:
    return GRAMMAR_DIR / f"latex-{k}.lalr"


def cache_path(k: str) -> Path | None:
    base = os.environ.get("XDG_CACHE_HOME")
    try:
        root = Path(base) if base else Path.home() / ".cache"
    except Exception:               # no home directory: no cache
        return None
    return root / "symderiv" / f"latex-{k}.lalr"


def build(grammar_text: str | None = None):
    """The parser computed from the grammar (the slow route)."""
    from lark import Lark
    if grammar_text is None:
        grammar_text = GRAMMAR.read_text(encoding="utf-8")
    return Lark(grammar_text, postlex=_postlex(), **BUILD_OPTIONS, **LOAD_OPTIONS)


def _canonical(table: dict) -> dict:
    """Lark's serialised parse table with its tokens and states renumbered in one fixed order
    (tokens by name; states as first reached from the start symbols, taken by name, following
    shifts by token name): lark numbers them in an order that varies from run to run."""
    names = table["tokens"]
    tokens = sorted(names.values())
    token_idx = {name: i for i, name in enumerate(tokens)}
    states = table["states"]
    order, seen = [], set()
    queue = [table["start_states"][s] for s in sorted(table["start_states"])]
    queue += [table["end_states"][s] for s in sorted(table["end_states"])]
    while queue:
        state = queue.pop(0)
        if state in seen:
            continue
        seen.add(state)
        order.append(state)
        acts = sorted(states[state].items(), key=lambda a: names[a[0]])
        queue += [arg for _, (action, arg) in acts if action == 0]
    assert len(order) == len(states), "a state no start reaches"
    new_idx = {state: i for i, state in enumerate(order)}
    return {
        "tokens": dict(enumerate(tokens)),
        "states": {new_idx[state]: {token_idx[names[t]]: (action, new_idx[arg] if action == 0 else arg)
                                    for t, (action, arg) in sorted(states[state].items(),
                                                                   key=lambda a: names[a[0]])}
                   for state in order},
        "start_states": {s: new_idx[table["start_states"][s]] for s in sorted(table["start_states"])},
        "end_states": {s: new_idx[table["end_states"][s]] for s in sorted(table["end_states"])},
    }


def dump(parser, k: str) -> bytes:
    """The file's bytes: a header line (format, key, SHA-256 of the body), then the tables as
    lark's ``save`` writes them, the parse table in canonical order."""
    from lark.lark import _LOAD_ALLOWED_OPTIONS
    from lark.grammar import Rule
    from lark.lexer import TerminalDef
    data, memo = parser.memo_serialize([TerminalDef, Rule])
    data["options"] = {n: v for n, v in data["options"].items() if n not in _LOAD_ALLOWED_OPTIONS}
    data["parser"]["parser"] = _canonical(data["parser"]["parser"])
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=4)
    pickler.fast = True             # no memo: the bytes follow the values, not which objects were shared
    pickler.dump({"data": data, "memo": memo})
    body = out.getvalue()
    return b" ".join([FORMAT, k.encode(), hashlib.sha256(body).hexdigest().encode()]) + b"\n" + body


def load(path: Path, k: str):
    """The parser stored in ``path``, or None when the file is missing, stale or damaged."""
    from lark import Lark
    try:
        raw = path.read_bytes()
        header, sep, body = raw.partition(b"\n")
        if not sep or header.split(b" ") != [FORMAT, k.encode(), hashlib.sha256(body).hexdigest().encode()]:
            return None
        tables = pickle.loads(body)
        return Lark._load_from_dict(tables["data"], tables["memo"], postlex=_postlex(), **LOAD_OPTIONS)
    except Exception:               # unreadable or not lark's tables: build them instead
        return None


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def parser():
    """The LALR parser of grammar/latex.lark, from the first of the routes above that works."""
    text = GRAMMAR.read_text(encoding="utf-8")
    k = key(text)
    found = load(shipped_path(k), k)
    if found is not None:
        return found
    cached = cache_path(k)
    if cached is not None:
        found = load(cached, k)
        if found is not None:
            return found
    built = build(text)
    if cached is not None:
        try:
            _write_atomic(cached, dump(built, k))
        except Exception:           # best effort: a read-only or full disk only costs time
            pass
    return built


def main(argv=None) -> int:
    """``--write``: replace the shipped tables by ones for the current grammar;
    ``--check``: exit 1 unless the shipped tables are the current grammar's."""
    argv = sys.argv[1:] if argv is None else argv
    k = key()
    target = shipped_path(k)
    stale = sorted(p for p in GRAMMAR_DIR.glob("latex-*.lalr") if p != target)
    if argv == ["--check"]:
        ok = load(target, k) is not None and not stale
        print(f"{target.name}: {'current' if ok else 'missing or stale: run make tables'}")
        return 0 if ok else 1
    if argv != ["--write"]:
        print("usage: python -m symderiv.parse_tables --write | --check", file=sys.stderr)
        return 2
    _write_atomic(target, dump(build(), k))
    target.chmod(0o644)             # mkstemp made it private; it is package data
    for p in stale:
        p.unlink()
    print(f"wrote {target.relative_to(GRAMMAR_DIR.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
