"""Macro expansion before parsing: definitions, uses, and the bounds that stop runaways."""

import pytest

from symderiv import macros as M
from symderiv.errors import InputError
from symderiv.macros import Macro, expand
from symderiv.parse import parse

SEED_DEFS = (r"$ \def\o{{\tt1}} \def\p{\partial} \def\r{\operatorname{\sigma}} "
             r"\def\s{\operatorname{sign}} \def\t{\operatorname{trace}} $")

EXPANSIONS = [
    # \def without and with arguments
    (r"\def\a{x^2} \a+1", " x^2+1"),
    (r"\def\a{x}\a", "x"),
    (r"\def\f#1{\max(#1,0)} \f{X}", r" \max(X,0)"),
    (r"\def\f#1{\max(#1,0)} \f X", r" \max(X,0)"),
    (r"\def\g#1#2{#1\odot #2} \g{A}{B}", r" A\odot B"),
    (r"\def\g#1#2{#2 #1} \g AB", " B A"),
    (r"\def\h#1{#1##} \h{x}", " x#"),
    (r"\gdef\a{y}\a", "y"),
    # \newcommand and friends
    (r"\newcommand{\relu}[1]{\max(#1,0)} \relu{X}", r" \max(X,0)"),
    (r"\newcommand\relu[1]{\max(#1,0)}\relu{AX+B}", r"\max(AX+B,0)"),
    (r"\newcommand{\one}{\mathbf{1}} \one^T x", r" \mathbf{1}^T x"),
    (r"\newcommand*{\a}{z}\a", "z"),
    (r"\newcommand{\a}{x}\renewcommand{\a}{y}\a", "y"),
    (r"\newcommand{\a}{x}\providecommand{\a}{y}\a", "x"),
    (r"\providecommand{\a}{y}\a", "y"),
    (r"\newcommand{\f}[2][1]{#1+#2} \f{x} \f[y]{z}", " 1+x y+z"),
    # \DeclareMathOperator, starred or not
    (r"\DeclareMathOperator{\tr}{tr} \tr X", r" \operatorname{tr} X"),
    (r"\DeclareMathOperator*{\argmax}{arg\,max} \argmax", r" \operatorname{arg\,max}"),
    (r"\DeclareMathOperator{\Tr}{Tr}\Tr(X)", r"\operatorname{Tr}(X)"),
    # \let
    (r"\let\x=\alpha \x", r" \alpha"),
    (r"\def\a{q}\let\b\a\def\a{r}\b\a", "qr"),
    # nested macros
    (r"\def\a{\b}\def\b{c}\a", "c"),
    (r"\def\a#1{(#1)}\def\b{\a{x}}\b", "(x)"),
    (r"\def\a#1{#1}\a{\a{\a{y}}}", "y"),
    (r"\def\sq#1{#1^2}\def\n#1{\|#1\|}\sq{\n{X}}", r"\|X\|^2"),
    (r"\def\b#1{#1#1}\def\c#1{\b{\b{#1}}}\c{x}", "xxxx"),
    # a control word from a body does not swallow the letters after it
    (r"\def\a#1{\alpha}\a xy", r"\alpha y"),
    # unknown commands pass through for the parser to judge
    (r"\foo + \def\a{1}\a", r"\foo + 1"),
    # comments
    ("x % a comment\n+y", "x +y"),
    (r"50\% x", r"50\% x"),
    ("", ""),
]


@pytest.mark.parametrize("text,expected", EXPANSIONS, ids=[e[0][:40] for e in EXPANSIONS])
def test_expand(text, expected):
    assert expand(text) == expected


def test_seed_def_block():
    table = {}
    assert expand(SEED_DEFS, table).replace(" ", "") == "$$"
    assert set(table) == {"o", "p", "r", "s", "t"}
    assert table["o"] == Macro("o", 0, r"{\tt1}")
    assert expand(r"\s(\lambda) = +\o", table) == r"\operatorname{sign}(\lambda) = +{\tt1}"
    assert expand(r"\r(X) &= \frac 12\big(S+J\big)", table) == r"\operatorname{\sigma}(X) &= \frac 12\big(S+J\big)"
    assert expand(r"df &= \frac 12\t\!\Big((S+J)^TdS\Big)", table) == \
        r"df &= \frac 12\operatorname{trace}\!\Big((S+J)^TdS\Big)"


def test_table_carries_definitions_between_blocks():
    table = {}
    expand(r"\newcommand{\relu}[1]{\max(#1,0)}", table)
    assert expand(r"\relu{y}", table) == r"\max(y,0)"
    assert expand(r"\relu{y}") == r"\relu{y}"


def test_parse_expands_first():
    got = parse(r"\def\o{{\tt1}} \def\t{\operatorname{trace}} \t(X) + \o")
    assert got.source == r"\operatorname{trace}(X) + {\tt1}"


ERRORS = [
    (r"\def\a{\a}\a", r"a macro \a expands to itself", 10),
    (r"\def\a{x\a}\a", r"a macro \a expands to itself", 11),
    (r"\def\a{\a x} y \a", r"a macro \a expands to itself", 15),
    (r"\def\a{\b}\def\b{\a}\a", r"a macro \a expands to itself (via \b)", 20),
    (r"\def\a{\b}\def\b{\c}\def\c{\a} \a", r"a macro \a expands to itself (via \b, \c)", 31),
    (r"\def\a#1{\a{#1}}\a{x}", r"a macro \a expands to itself", 16),
    (r"\newcommand{\f}[1]{\f{#1}}\f{x}", r"a macro \f expands to itself", 26),
    (r"\def\a#1#3{x}", r"only #1#2... parameters are supported", None),
    (r"\def\a", r"\def\a has no body", None),
    (r"\def x{y}", r"\def must be followed by a \name", None),
    (r"\newcommand{\f}[x]{y}", "the number of arguments must be 0-9", None),
    (r"\newcommand{\f}[1]{#2}\f{x}", r"\f uses #2 but takes 1 arguments", None),
    (r"\def\a#1{#1}\a", r"\a is missing an argument", None),
    (r"\def\a{x", r"unbalanced { in \def\a", None),
    (r"\DeclareMathOperator{\tr}", r"needs a {...} argument", None),
]


@pytest.mark.parametrize("text,message,column", ERRORS, ids=[e[0][:40] for e in ERRORS])
def test_expand_error(text, message, column):
    with pytest.raises(InputError) as info:
        expand(text)
    assert message in info.value.message
    if column is not None:
        assert info.value.column == column
    assert info.value.exit_code == 2


def test_self_reference_is_caught_at_once():
    # met again inside its own expansion, not run until the step bound stops it
    for text in (r"\def\a{\a}\a", r"\def\a{x\a}\a", r"\def\a{\b}\def\b{\a}\a"):
        with pytest.raises(InputError) as info:
            expand(text)
        assert "expands to itself" in info.value.message, text
        assert "steps" not in info.value.message


def test_output_size_is_bounded():
    # each level multiplies by 4: 4**4 * 1000 characters, far past the bound in few steps
    text = r"\def\a{" + "x" * 1000 + "}" + "".join(
        rf"\def\{c}{{\{p}\{p}\{p}\{p}}}" for p, c in zip("abcd", "bcde")) + r"\e"
    with pytest.raises(InputError) as info:
        expand(text)
    assert f"grows past {M.MAX_OUTPUT} characters" in info.value.message


def test_steps_are_bounded():
    text = r"\def\a#1{#1#1}" + r"\a{" * 12 + "x" + "}" * 12
    with pytest.raises(InputError) as info:
        expand(text)
    assert f"more than {M.MAX_STEPS} steps" in info.value.message


def test_nesting_is_bounded():
    import string
    # \maca -> \macb -> ... : a chain of distinct macros, each defined by the next
    names = ["mac" + "".join(string.ascii_letters[int(d)] for d in str(k)) for k in range(M.MAX_DEPTH + 6)]
    defs = "".join(rf"\def\{names[k]}{{\{names[k + 1]}}}" for k in range(M.MAX_DEPTH + 5))
    with pytest.raises(InputError) as info:
        expand(defs + "\\" + names[0])
    assert f"nested more than {M.MAX_DEPTH} deep" in info.value.message


def test_error_renders_with_a_caret():
    with pytest.raises(InputError) as info:
        parse(r"\def\a{\a} x + \a")
    lines = info.value.render().splitlines()
    assert lines[0] == r"error: a macro \a expands to itself at column 16"    # 1-based, as editors count
    assert lines[2].index("^") - 2 == 15
