"""Bad input is handled before the work: each input a review found to crash, hang, read
without end or lose a file is here with its exit code and message; every exit-2 message
names the column or the option at fault; no module shadows the standard library.

File, FIFO, standard-input and -o cases run the real command line in a child process;
the others call the CLI's main in-process with captured output.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import pathlib
import re
import subprocess
import sys
import time

import numpy as np
import pytest

from symderiv import errors as ERR
from symderiv import values
from symderiv.cli import main
from tests import oracle

ROOT = pathlib.Path(__file__).resolve().parent.parent


def run(args):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    return code, out.getvalue(), err.getvalue()


def cli(args, stdin=None, env=None, timeout=120):
    """The real command line (argv may hold bytes, as a shell passes them)."""
    environ = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "symderiv", *args], cwd=ROOT, env=environ, stdin=stdin,
                          capture_output=True, timeout=timeout)


def clean(err: str):
    assert err.startswith("error: ") and "internal" not in err and "Traceback" not in err, err


# ---- numbers too large to build -------------------------------------------------------------

@pytest.mark.parametrize("args, words", [
    (["diff", "x^2", "--at", "1e99999"], "--at: the number 1e99999 has more than 1000 digits"),
    (["diff", "x^2", "--at", "1e9999999"], "--at: the number 1e9999999 has more than 1000 digits"),
    (["diff", "x^2", "--at", "[[1, 1e99999]]"], "--at: the number 1e99999"),
    (["diff", "a x^2", "--wrt", "x", "--let", "a=1e99999"], "--let a: the number 1e99999"),
    (["diff", "x^2", "--at", "9" * 5000], "--at: the number 99999999999999999999... has more than 1000"),
    (["diff", "((x+1)^{1000})^{1000}"], "(x+1)^{1000} at column 2 has degree above 100"),
    (["diff", "x + (x+1)^{60}(x-1)^{60}"], "(x+1)^{60}(x-1)^{60} at column 5 has degree above 100"),
    (["diff", "x^{10^{10}}"], "x^{10^{10}} at column 1 has degree above 100"),
    (["diff", "(10^{1000})^{1000} x", "--wrt", "x"], "more than 4000 digits"),
    (["diff", "2^{1000}^{1000}x", "--wrt", "x"], "more than 4000 digits"),
    (["diff", "x^{100}", "--at", "1e999"], "x^{100} at column 1 makes a number of more than 4000 digits"),
    (["diff", "x + " + "9" * 5000, "--wrt", "x"], "at column 5 has more than 1000 digits"),
])
def test_a_number_too_large_to_build_is_refused_at_once(args, words):
    t0 = time.process_time()
    code, out, err = run(args)
    assert code == 3 and out == "" and words in err, err
    clean(err)
    assert "size limit" in err and len(err) < 600          # a long input is cut around its column
    assert time.process_time() - t0 < 5


def test_a_json_point_with_a_huge_exponent_is_a_size_limit(tmp_path):
    point = tmp_path / "p.json"
    point.write_text("[[1e99999, 0]]")
    code, out, err = run(["diff", r"\|X\|_F^2", "--at", str(point)])
    assert code == 3 and "--at: the number 1e99999 has more than 1000 digits" in err, err


def test_a_number_within_the_limit_is_still_exact():
    code, out, err = run(["diff", "x^2", "--at", "1e300", "--format", "json"])
    assert code == 0, err
    assert json.loads(out)["at"]["gradient"] == 2 * 10 ** 300


# ---- a square root inside |.| or max ----------------------------------------------------------

@pytest.mark.parametrize("expr", [r"|\sqrt{x}|", r"\max(\sqrt{x},0)", r"\max(x^{1/3}, 0)"])
def test_a_root_inside_a_kink_is_answered_on_its_domain(expr):
    """On the domain x > 0 the root is positive, so f is the root itself: smooth, with
    its derivative; x = 0 is the domain's edge (not analysed) and x < 0 outside it."""
    code, out, err = run(["diff", expr, "--wrt", "x", "--format", "json"])
    assert code == 0, err
    d = json.loads(out)
    assert d["differentiable_everywhere"] is True and d["routes"]["agree"] is True
    power = 1 / 3 if "1/3" in expr else 1 / 2
    f = lambda v: float(max(abs(np.asarray(v, dtype=float).ravel()[0]) ** power, 0.0))  # noqa: E731
    for x in (4, 1, 1 / 9):
        code, out, err = run(["diff", expr, "--wrt", "x", "--at", str(x), "--format", "json"])
        assert code == 0, err
        at = json.loads(out)["at"]
        assert at["differentiable"] is True
        want = oracle.one_sided(f, np.array([[float(x)]]), np.ones((1, 1)))
        assert abs(float(at["gradient"]) - want) < 1e-4 * max(1, abs(want))
        assert abs(oracle.one_sided(f, np.array([[float(x)]]), -np.ones((1, 1))) + want) < 1e-4 * max(1, want)
    code, _, err = run(["diff", expr, "--wrt", "x", "--at", "0"])
    assert code == 3 and "unverified" in err, err
    code, _, err = run(["diff", expr, "--wrt", "x", "--at", "-1"])
    assert code == 2 and "outside f's domain" in err, err


def test_a_kink_of_a_root_inside_its_domain_is_still_found():
    """|sqrt(x) - 1| has its kink at x = 1, inside the domain: one-sided slopes ±1/2."""
    code, out, err = run(["diff", r"|\sqrt{x}-1|", "--wrt", "x", "--at", "1", "--format", "json"])
    assert code == 0, err
    at = json.loads(out)["at"]
    assert at["differentiable"] is False
    f = lambda v: abs(np.sqrt(np.asarray(v, dtype=float).ravel()[0]) - 1)  # noqa: E731
    X = np.ones((1, 1))
    assert abs(oracle.one_sided(f, X, np.ones((1, 1))) - 0.5) < 1e-4
    assert abs(oracle.one_sided(f, X, -np.ones((1, 1))) - 0.5) < 1e-4     # slope -1/2 from the left


@pytest.mark.parametrize("expr", [r"\min(x^2, e^{|2x+y|})", r"\min(\max(x-1, y), e^{x-y})"])
def test_a_switch_with_dependent_exponentials_is_refused_honestly(expr):
    """exp(x) and exp(2x) as polynomial generators made SymPy's square-free factorisation
    raise (an internal PolynomialError); the switch x^2 = e^{-2x-y} has no closed form,
    which is the honest answer (exit 3, not decided)."""
    code, out, err = run(["diff", expr, "--wrt", "x,y"])
    assert code == 3 and out == "" and "not decided" in err and "cannot be solved" in err, err
    clean(err)


# ---- text that is not valid UTF-8, output a terminal cannot encode -----------------------------

@pytest.mark.parametrize("args, words", [
    ([b"diff", b"x^2", b"--let", b"\xff=1"], "--let: not valid UTF-8 text (an undecodable byte at column 1)"),
    ([b"diff", b"x^2+\xff", b"--wrt", b"x"], "the expression: not valid UTF-8 text (an undecodable byte at column 5)"),
    ([b"diff", b"x^2", b"--wrt", b"\xffx"], "--wrt: not valid UTF-8 text"),
])
def test_undecodable_argv_is_an_input_error(args, words):
    done = cli(args, env={"PYTHONIOENCODING": "utf-8"})
    err = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 2 and words in err, err
    clean(err)


def test_output_a_terminal_cannot_encode_is_escaped_not_an_error():
    done = cli(["diff", "x^2", "--at", "1"], env={"PYTHONIOENCODING": "ascii"})
    assert done.returncode == 0, done.stderr
    assert b"\\u2207f = 2" in done.stdout


def test_an_undecodable_file_name_is_reported_not_an_internal_error(tmp_path):
    done = cli([b"check", os.fsencode(tmp_path) + b"/\xff.md"], env={"PYTHONIOENCODING": "utf-8"})
    err = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 2 and "cannot read" in err and "No such file" in err, err


# ---- -o written whole or not at all ------------------------------------------------------------

@pytest.mark.parametrize("command", [["diff", "x^"], ["derive", r"\frac{x}{"], ["diff", "x^2", "--at", "[1,"]])
def test_a_failed_run_leaves_the_output_file_as_it_was(tmp_path, command):
    target = tmp_path / "out.tex"
    target.write_text("keep me\n")
    done = cli([*command, "-o", str(target)])
    assert done.returncode == 2, done.stderr
    assert target.read_text() == "keep me\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.tex"]       # no temporary file left


def test_a_successful_run_replaces_the_output_file(tmp_path):
    target = tmp_path / "out.tex"
    target.write_text("old\n")
    os.chmod(target, 0o640)
    done = cli(["derive", r"\max(x,0)", "-o", str(target)])
    assert done.returncode == 0, done.stderr
    text = target.read_text()
    assert text.startswith("\\documentclass") and text.rstrip().endswith("\\end{document}")
    assert os.stat(target).st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.tex"]


def test_output_through_a_link_replaces_the_file_it_names_and_a_device_is_written_not_replaced(tmp_path):
    real, link = tmp_path / "real.txt", tmp_path / "link.txt"
    real.write_text("old\n")
    link.symlink_to(real)
    done = cli(["diff", "x^2", "-o", str(link)])
    assert done.returncode == 0, done.stderr
    assert link.is_symlink() and real.read_text().startswith("f(x) = x^2")
    done = cli(["diff", "x^2", "-o", "/dev/null"])
    assert done.returncode == 0 and os.path.exists("/dev/null") and not os.path.isfile("/dev/null")


def test_output_to_a_folder_or_a_missing_folder_is_an_input_error(tmp_path):
    code, _, err = run(["diff", "x^2", "-o", str(tmp_path)])
    assert code == 2 and f"-o {tmp_path}: is a folder" in err
    code, _, err = run(["diff", "x^2", "-o", str(tmp_path / "no" / "f.txt")])
    assert code == 2 and "-o " in err and "No such file" in err


# ---- reading: bounded, regular files only --------------------------------------------------------

def test_check_refuses_a_device():
    done = cli(["check", "/dev/zero"], timeout=60)
    assert done.returncode == 2 and b"error: /dev/zero is not a regular file" in done.stderr


def test_check_reads_standard_input_to_a_limit():
    with open("/dev/zero", "rb") as zero:
        done = cli(["check", "-"], stdin=zero, timeout=60)
    assert done.returncode == 2
    assert b"error: standard input is longer than 1000000 bytes (a size limit)" in done.stderr


def test_check_refuses_a_fifo_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    done = cli(["check", str(fifo)], timeout=60)
    assert done.returncode == 2 and b"is not a regular file" in done.stderr


def test_a_fifo_point_file_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "p.json"
    os.mkfifo(fifo)
    done = cli(["diff", "x^2", "--at", str(fifo)], timeout=60)
    assert done.returncode == 2 and b"--at: " in done.stderr and b"is not a regular file" in done.stderr


def test_check_of_a_file_that_is_not_utf8(tmp_path):
    bad = tmp_path / "post.md"
    bad.write_bytes(b"$$x\xff = 1$$")
    code, _, err = run(["check", str(bad)])
    assert code == 2 and f"{bad} is not UTF-8 text (byte 3)" in err


def test_a_point_file_past_the_size_limit_is_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(values, "MAX_FILE_BYTES", 100)
    point = tmp_path / "p.json"
    point.write_text("[" + ",".join(["1"] * 100) + "]")
    code, _, err = run(["diff", r"\|x\|_2^2", "--at", str(point)])
    assert code == 2 and "is larger than 100 bytes (a size limit)" in err, err


@pytest.mark.parametrize("array, words", [
    (np.array([[1.0, np.inf]]), "not a finite number"),
    (np.array([["a", "b"]]), "must hold a real array"),
    (np.zeros((0,)), "empty array"),
    (np.zeros((2, 2, 2)), "at most 2 dimensions"),
])
def test_npy_points_that_are_no_real_matrix(tmp_path, array, words):
    path = tmp_path / "p.npy"
    np.save(path, array)
    code, _, err = run(["diff", r"\|X\|_F^2", "--at", str(path)])
    assert code == 2 and words in err and "--at: " in err, err


def test_a_pickled_npy_is_not_loaded(tmp_path):
    path = tmp_path / "p.npy"
    np.save(path, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    code, _, err = run(["diff", r"\|x\|_2^2", "--at", str(path)])
    assert code == 2 and "--at: " in err and "not a readable .npy file" in err, err


# ---- inputs the fuzz found -------------------------------------------------------------------------

@pytest.mark.parametrize("args, code, words", [
    (["diff", "\\σ|x|"], 2, "at column 1"),                              # AttributeError in the macro expander
    (["diff", "-" * 150 + "x"], 2, "nested more than 100 levels deep"),  # RecursionError in build
    (["diff", "+".join(["x"] * 150)], 2, "nested more than 100 levels deep"),
])
def test_inputs_the_fuzz_found(args, code, words):
    got, out, err = run(args)
    assert got == code and words in err, err
    clean(err)


def test_a_value_past_the_range_of_a_json_number_is_refused_in_json_and_exact_in_text():
    args = ["diff", "x^T x", "--at", "[0.1, 1e300]"]
    code, out, err = run([*args, "--format", "json"])
    assert code == 3 and out == "" and "beyond the range of a JSON number" in err, err
    code, out, err = run(args)
    assert code == 0 and "f = " + "1" + "0" * 600 in out.replace("\n", ""), err   # 1/100 + 10^600, exactly
    assert "1/5, 2" + "0" * 300 in out


# ---- every exit-2 message names its column or option ------------------------------------------------

BAD = [
    ["diff", "x^2", "--shape", "a,b"], ["diff", "x^2", "--shape", "0,1"],
    ["diff", "x^2", "--compare", "autodiff"], ["diff", "x^2", "--let", "a"], ["diff", "x^2", "--let", "=3"],
    ["diff", "x" * 20001], ["diff", ""], ["diff", "   "], ["diff", "$$ $$"], ["diff", "(" * 300 + "x" + ")" * 300],
    ["diff", "x +"], ["diff", "x ^"], ["diff", "\\foo x"], ["diff", "x > 0"], ["diff", "x ? 2"],
    ["diff", "x_{0}", "--wrt", "x"], ["diff", "\\operatorname{tr}(X)", "--at", "[[1,2,3]]"],
    ["diff", "\\det(X)", "--at", "[[1,2,3]]"], ["diff", "\\frac{x}{0}", "--wrt", "x"],
    ["diff", "(-1)^{1/2} x", "--wrt", "x"], ["diff", "\\log(-1) x", "--wrt", "x", "--at", "1"],
    ["diff", "X_{33}", "--at", "[[1,2],[3,4]]"],
    ["diff", "x^2", "--at", "[1,"], ["diff", "x^2", "--at", "[[1],[1,2]]"], ["diff", "x^2", "--at", "[]"],
    ["diff", "x^2", "--at", "abc"], ["diff", "x^2", "--at", "[1,[2]]"], ["diff", "x^2", "--at", "/nonexist.json"],
    ["diff", "x^2", "--at", "1/0"], ["diff", "x^2", "--at", "[1 2]"], ["diff", "x^2", "--at", "]"],
    ["diff", "x^2", "--at", "[1],"],
    ["diff", "x y", "--at", "1"], ["diff", "2"], ["diff", "x", "--wrt", "z"], ["diff", "y + z"],
    ["diff", "x+y", "--wrt", "x,x"], ["diff", "X+y", "--wrt", "X,y"], ["diff", "x+y", "--wrt", "x,z"],
    ["diff", "\\sigma", "--wrt", "x"], ["diff", "\\max(x)", "--wrt", "x"],
    ["diff", "\\operatorname{tr}(x, y)", "--wrt", "x"], ["diff", "\\det(x, y)", "--wrt", "x"],
    ["diff", "\\operatorname{foo}(x)", "--wrt", "x"], ["diff", "\\sum_{i,j} x_{ik}", "--wrt", "x"],
    ["diff", "x_{ij}", "--wrt", "x"], ["diff", "\\sum_{i,j} X", "--wrt", "X"], ["diff", "\\mathbb{1}[x]", "--wrt", "x"],
    ["diff", "\\def\\a{\\a\\a}\\a"], ["diff", "\\def\\a"], ["diff", "\\newcommand{\\a}[12]{x}\\a"], ["diff", "x \\"],
    ["diff", "\\def\\a#1{#1}\\a"], ["diff", "\\newcommand\\a{x"], ["diff", "\\let x"],
    ["diff", "x^T A x", "--let", "A=[[1,2],[3,4]]", "--at", "[1,2,3]"],
    ["diff", "\\langle x, y \\rangle", "--let", "y=[1,2,3]", "--at", "[1,2]"],
    ["diff", "\\|X\\|_F", "--shape", "2,2", "--at", "[[1,2,3]]"],
    ["diff", "x_{1,0} + x_{11}", "--wrt", "x"], ["diff", "\\sigma(X) : Y", "--let", "Y=[[1,2]]", "--at", "[[1],[2]]"],
    ["check", "/nonexistent.md"], ["check", "/tmp"],
    ["diff", "x^2", "-o", "/nonexistent/dir/out.txt"], ["diff", "x^2", "-o", "/tmp"],
]


def test_every_input_error_names_its_column_or_option(tmp_path, monkeypatch):
    """Runs the bad inputs above; every InputError made on the way, wherever in the
    package it was raised, must name a column or an option, and so must every exit-2
    line printed.  The raise sites reached are counted so the list keeps covering them."""
    sites = {}
    original = ERR.SymderivError.__init__

    def recording(self, message, **kwargs):
        original(self, message, **kwargs)
        frame = sys._getframe(1)
        while frame is not None and frame.f_code.co_name in ("__init__", "_error", "error"):
            frame = frame.f_back
        if isinstance(self, ERR.InputError) and frame is not None:
            sites.setdefault((pathlib.Path(frame.f_code.co_filename).name, frame.f_lineno), self)
    monkeypatch.setattr(ERR.SymderivError, "__init__", recording)
    empty = tmp_path / "empty.md"
    empty.write_text("no math here\n")
    for args in BAD + [["check", str(empty)]]:
        code, out, err = run(args)
        assert code in (2, 3), (args, err)
        clean(err)
        if code == 2:
            assert _names_its_place(err.splitlines()[0]), (args, err)
    for (file, line), exc in sites.items():
        assert _names_its_place(exc.render().splitlines()[0]) or exc.column is not None, (file, line, exc.message)
    assert len(sites) >= 40, sorted(sites)


def _names_its_place(line: str) -> bool:
    return bool(re.search(r"at column \d+", line) or re.search(r"--(at|let|shape|wrt|compare|timeout)\b|-o \S", line)
                or re.search(r"error: (/|standard input)", line) or re.search(r"\S+\.(md|tex|json|npy)\b", line))


# ---- module names ----------------------------------------------------------------------------------

def test_no_module_of_the_package_is_named_after_a_standard_library_module():
    """Run from inside the package folder, such a module would shadow the standard
    library's (numbers.py did)."""
    clashes = [str(p.relative_to(ROOT)) for p in (ROOT / "symderiv").rglob("*")
               if (p.suffix == ".py" and p.stem in sys.stdlib_module_names)
               or (p.is_dir() and (p / "__init__.py").exists() and p.name in sys.stdlib_module_names)]
    assert clashes == []


# Raise sites whose message has neither, and why each may:
# - api._real_constants runs after build.Builder.node has refused x/0, sqrt(-1) and entries
#   past the shape at their column: a fallback no input reaches first;
# - parse's "could not read the formula (...)" is a safety net around a bug, not an input
#   error: the fuzz (tests/test_fuzz.py) counts every one it meets as an internal error;
# - "the input must be text": an API caller passing a non-string; the CLI passes text;
# - the API's own arguments: a message names its keyword (let:, wrt:) or says what the
#   argument should have been (LaTeX text or a SymPy expression); a CLI call never makes them;
# - from_sympy.py reads a SymPy object, which has no text to point into: each message names
#   the part of the object (its type, its symbol's name) instead.
FALLBACKS = {("api.py", "divides by zero"), ("api.py", "not a real number"), ("api.py", "is outside its"),
             ("parse.py", "could not read the formula ("), ("parse.py", "the input must be text"),
             ("api.py", '"let: '), ("api.py", '"wrt: '), ("api.py", "expected LaTeX text or a SymPy expression")}
API_ONLY = {"from_sympy.py"}
# Functions whose InputErrors get the column of the term being built (Builder.node and
# shapes.Inference.infer attach it), and modules whose constructors only run under them
# (expr.py, and the shape checks in shapes.py the constructors call).
LOCATED = {"build.py", "expr.py", "shapes.py"}


def _raise_sites():
    """Every place in the package that makes an InputError, with the call's text."""
    for path in sorted((ROOT / "symderiv").rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for n, line in enumerate(lines):
            if re.search(r"\bInputError\(", line) and not re.search(r"class |import |isinstance", line):
                call, depth, k = "", 0, n
                while k < len(lines):
                    call += lines[k] + "\n"
                    depth = call.count("(") - call.count(")")
                    if depth <= 0:
                        break
                    k += 1
                yield path.name, n + 1, call


def test_every_input_error_raise_site_carries_a_column_or_an_option():
    """A static walk over every InputError the package can make: it passes a column, or
    its message names the option (--at, --let, --shape, --wrt, --compare, --timeout, --format,
    --jobs, --port, --host, --symmetric, -o) or the file (or the post of a batch),
    or it is a value reader's ({what} is always '--at' or '--let NAME'), or it is raised
    while a term is being built (the builder attaches that term's column)."""
    unplaced = []
    count = 0
    for name, line, call in _raise_sites():
        if name == "errors.py":
            continue
        count += 1
        # {words.at}: the option (--at) for the CLI, the keyword (at) for the API
        ok = ("column=" in call or re.search(r"--(at|let|shape|wrt|compare|timeout|format|jobs|port|host|symmetric)\b|"
                                             r"-o \{|\{what\}|\{path\}|\{name\}|post \{k \+ 1\}|"
                                             r"\{where\}|\{args\.file\}|\{words\.(at|direction|shape)\}|standard input", call)
              or name in LOCATED or name == "checker.py"       # check: the CLI prefixes the file name
              or name in API_ONLY
              or any(name == f and words in call for f, words in FALLBACKS))
        if not ok:
            unplaced.append(f"{name}:{line}: {call.strip()[:120]}")
    assert unplaced == []
    assert count >= 60


def test_the_check_input_errors_name_the_file(tmp_path):
    post = tmp_path / "post.md"
    post.write_text("$$x + y$$\n")
    code, _, err = run(["check", str(post)])
    assert code == 2 and err.startswith(f"error: {post}: no equations to check"), err


def test_a_switch_of_high_degree_is_refused_before_the_work():
    """|x^2 - (x+1)^{20}| spent minutes in the exact arithmetic at the roots of its switch
    (found by the fuzz): a switch above degree 8 is refused up front, exit 3, saying why."""
    done = cli(["diff", r"|x^2 - (x+1)^{20}|"])
    err = done.stderr.decode()
    assert done.returncode == 3 and "degree 20" in err and "size limit" in err, err
    clean(err)


# ---- columns count from 1, as editors do (issue 14) ------------------------------------------

@pytest.mark.parametrize("text, extra, char", [
    (r"\|x\|_p", [], "\\"),                   # the first character is column 1, not 0
    (r"x + \foo", [], "\\"),
    (r"x^{10^{10}}", [], "x"),
    (r"\sum_{i=2}^n x_i", [], "2"),
    ("|x|", ["--at", "pie"], "p"),
    ("|x|", ["--at", "[1, x]"], "x"),
])
def test_error_columns_count_from_one_and_name_the_character(text, extra, char):
    code, _, err = run(["diff", text, *extra])
    clean(err)
    col = int(re.search(r"at column (\d+)", err).group(1))
    source = extra[1] if extra else text
    assert col >= 1 and source[col - 1] == char, (err, source)
    lines = err.splitlines()
    if len(lines) == 3:                       # the caret sits under that same character
        assert lines[1][lines[2].index("^")] == char
