"""The LALR tables computed ahead (symderiv/parse_tables.py): the shipped file is the
current grammar's, it gives the parser a fresh build gives, and a stale, corrupt or
unwritable cache costs only time."""
from __future__ import annotations

import pytest

from symderiv import parse as P
from symderiv import parse_tables as T
from symderiv.errors import InputError


@pytest.fixture(scope="module")
def built():
    return T.build()


def _tables(parser) -> dict:
    from lark.grammar import Rule
    from lark.lexer import TerminalDef
    data, memo = parser.memo_serialize([TerminalDef, Rule])
    return {"parse_table": T._canonical(data["parser"]["parser"]), "rules": data["rules"], "memo": memo,
            "lexer": data["parser"]["lexer_conf"]}


def test_the_shipped_tables_are_the_current_grammars(built):
    k = T.key()
    shipped = T.shipped_path(k)
    assert shipped.exists(), "no tables for the current grammar: run `make tables`"
    assert sorted(p.name for p in T.GRAMMAR_DIR.glob("latex-*.lalr")) == [shipped.name], \
        "stale tables next to the current ones: run `make tables`"
    # byte for byte what `make tables` writes now: the file is reproducible
    assert shipped.read_bytes() == T.dump(built, k)
    assert T.main(["--check"]) == 0


def test_loaded_tables_are_the_built_ones(built):
    k = T.key()
    loaded = T.load(T.shipped_path(k), k)
    assert loaded is not None
    assert _tables(loaded) == _tables(built)


TEXTS = [r"\|\max(X,0)\|_F^2", r"\frac 12 \|\sigma(AX) - Y\|_F^2 + \lambda\sum_{i,j}|x_{ij}|",
         r"\operatorname{tr}(X^T A X)", r"\min(|x|, 2x^2)", r"\sqrt{x^2+y^2}",
         r"\max(x,", r"x + * y", r"\frac{1}{", r"|x"]


def _readings(parser):
    saved = P._PARSER
    P._PARSER = parser
    try:
        out = []
        for text in TEXTS:
            try:
                got = P.parse(text)
                out.append(("ok", got.term, got.notes))
            except InputError as e:
                out.append(("error", str(e), e.column))
        return out
    finally:
        P._PARSER = saved


def test_a_loaded_parser_reads_as_a_built_one(built):
    k = T.key()
    readings = _readings(built)
    assert readings == _readings(T.load(T.shipped_path(k), k))
    assert [r[0] for r in readings] == ["ok"] * 5 + ["error"] * 4


@pytest.fixture
def no_shipped(tmp_path, monkeypatch):
    """As if the grammar had changed since the shipped tables were written."""
    grammar_dir = tmp_path / "grammar"
    grammar_dir.mkdir()
    (grammar_dir / "latex.lark").write_text(T.GRAMMAR.read_text(encoding="utf-8") + "\n// edited\n",
                                            encoding="utf-8")
    monkeypatch.setattr(T, "GRAMMAR_DIR", grammar_dir)
    monkeypatch.setattr(T, "GRAMMAR", grammar_dir / "latex.lark")
    return grammar_dir


def test_stale_shipped_tables_are_not_used(no_shipped, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert T.key() != T.key(T.GRAMMAR.read_text(encoding="utf-8").replace("\n// edited\n", ""))
    assert list(no_shipped.glob("*.lalr")) == []
    parser = T.parser()                 # built, then kept in the user's cache
    cached = T.cache_path(T.key())
    assert cached.parent == tmp_path / "cache" / "symderiv" and cached.exists()

    def no_build(*a, **k):
        raise AssertionError("built although the cache holds the tables")
    monkeypatch.setattr(T, "build", no_build)
    again = T.parser()
    assert _tables(again) == _tables(parser)


def test_a_corrupt_cache_is_rebuilt(no_shipped, tmp_path, monkeypatch, built):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    T.parser()
    cached = T.cache_path(T.key())
    good = cached.read_bytes()
    for damaged in (good[: len(good) // 2], good[:-1] + bytes([good[-1] ^ 1]), b"", b"not lark\n" + good[60:]):
        cached.write_bytes(damaged)
        assert T.load(cached, T.key()) is None
        parser = T.parser()
        assert _readings(parser) == _readings(built)
        assert cached.read_bytes() == good      # written again, whole


def test_an_unwritable_cache_still_parses(no_shipped, tmp_path, monkeypatch, built):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    parser = T.parser()
    assert _readings(parser) == _readings(built)
    assert blocker.read_text() == "not a directory"


def test_tables_of_another_grammar_are_refused(tmp_path):
    k = T.key()
    other = tmp_path / "other.lalr"
    other.write_bytes(T.shipped_path(k).read_bytes())
    assert T.load(other, k) is not None
    assert T.load(other, "0" * 32) is None
