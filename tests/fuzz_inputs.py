"""Generated and mutated inputs for the fuzz test, and the loop that runs them.

The seeds are the formulas the README and the tests already use; each input is one of
them mutated (characters deleted, inserted or doubled, tokens swapped, two formulas
spliced, LaTeX commands and unicode dropped in, nesting deepened, numbers made huge) or
an adversarial input written here.  Everything is drawn from one seeded generator, so a
chunk is the same list of inputs on every run.

``run_chunk`` is run in a child process by tests/test_fuzz.py: it reports every internal
error (any exception that is not the project's own, the CLI's "please report it", an
exit code other than 0, 2 or 3), the slowest input, and the child's peak memory.
"""
from __future__ import annotations

import contextlib
import io
import json
import pathlib
import random
import re
import resource
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
SEED = 20261207
CHUNKS = 8
PER_CHUNK = 260

COMMANDS = [r"\frac", r"\sqrt", r"\max", r"\min", r"\sum_{i,j}", r"\sum_i", r"\max_{i}", r"\left(", r"\right)",
            r"\left|", r"\right|", r"\|", r"\langle", r"\rangle", r"\operatorname{tr}", r"\mathrm{relu}",
            r"\sigma", r"\odot", r"\circ", r"\cdot", r"\top", r"^T", r"^{-1}", r"_+", r"\log", r"\exp",
            r"\sin", r"\det", r"\begin{cases}", r"\end{cases}", r"\\", "&", r"\mathbb{1}", r"\def\a{x}",
            r"\newcommand{\b}[1]{#1^2}", r"\b{x}", r"\big(", r"\Big)", r"\text{if }", r"\quad", r"\infty",
            r"\operatorname{sign}", r"\tanh", r"\lambda", r"\epsilon", r"\partial", r"\mathbf{1}", r"\bar",
            r"\hat", r"\tilde", r"\lim", r"\int", "'", "d", r"\,", r"\!", "$", "$$", r"\[", r"\]", "%", "#1"]
UNICODE = ["√", "∇", "×", "λ", "σ", "‖", "α", "\u00a0", "\u200b", "\ufeff", "\u202e", "😀", "\x00", "\x7f",
           "\t", "\n", "\r", "ß", "ｘ", "²", "½", "−", "\U0001d465"]
HUGE = ["1e99999", "9" * 500, "9" * 5000, "10^{10^{10}}", "2^{2^{2^{2^{2}}}}", "0.000000000000000000001",
        "1e-999999", "123456789012345678901234567890", "1/0", "0^{-1}", "(-1)^{1/2}", "10^{1000}",
        "x^{999}", "x^{1001}", "(x+1)^{1000}", "((x+1)^{100})^{100}", "x^{-1000}", "x^{1/1000}"]
FALLBACK_SEEDS = [r"\|\max(X,0)\|_F^2", r"\sum_{i,j}|x_{ij}|", r"\max(|x|,2x^2)", r"\|\sigma(AX)\|_F^2",
                  r"|x| + |y|", r"\operatorname{tr}(X^T X)", r"\frac{1}{2}\|Ax - b\|_2^2 + \lambda \|x\|_1"]


def seeds() -> list[str]:
    """Formulas from the README and the tests, in a fixed order."""
    found = set(FALLBACK_SEEDS)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found.update(re.findall(r"symderiv (?:diff|derive) '([^']+)'", readme))
    for path in sorted((ROOT / "tests").glob("test_*.py")):
        if path.name in ("test_fuzz.py", "test_bad_input.py"):
            continue
        text = path.read_text(encoding="utf-8")
        for m in re.findall(r'r"([^"\n]{2,120})"', text):
            if re.search(r"[\\^_|]", m) and not m.startswith(("\\s", "\\d", "(?", "[")) and "error" not in m:
                found.add(m)
    return sorted(found)


def _tokens(text: str) -> list[str]:
    return re.findall(r"\\[a-zA-Z]+|\\.|[A-Za-z]|\d+|\s+|.", text)


def mutate(rng: random.Random, pool: list[str]) -> str:
    s = rng.choice(pool)
    for _ in range(rng.randint(0, 2)):
        s = _one_mutation(rng, s, pool)
    return s[:25_000]


def _one_mutation(rng: random.Random, s: str, pool: list[str]) -> str:
    kind = rng.randrange(11)
    pos = rng.randint(0, len(s)) if s else 0
    if kind == 0 and s:                                   # delete characters
        n = rng.randint(1, 3)
        return s[:pos] + s[pos + n:]
    if kind == 1:                                         # insert a character of the grammar
        return s[:pos] + rng.choice("(){}[]|^_\\&$,.+-*/=<>!'0123456789xXyAT ") + s[pos:]
    if kind == 2 and s:                                   # duplicate a stretch
        end = min(len(s), pos + rng.randint(1, 8))
        return s[:end] + s[pos:end] + s[end:]
    if kind == 3:                                         # swap two tokens
        toks = _tokens(s)
        if len(toks) > 1:
            i, j = rng.randrange(len(toks)), rng.randrange(len(toks))
            toks[i], toks[j] = toks[j], toks[i]
        return "".join(toks)
    if kind == 4:                                         # splice two formulas
        other = rng.choice(pool)
        return s[:pos] + other[rng.randint(0, len(other)):]
    if kind == 5:                                         # a LaTeX command dropped in
        return s[:pos] + rng.choice(COMMANDS) + s[pos:]
    if kind == 6:                                         # deeper nesting
        depth = rng.choice((5, 50, 199, 201, 400))
        opener, closer = rng.choice([("(", ")"), ("{", "}"), (r"\left(", r"\right)"), ("|", "|"),
                                     (r"\max(", ",0)"), (r"\sqrt{", "}"), ("-", "")])
        return opener * depth + s + closer * depth
    if kind == 7:                                         # a huge or awkward number
        return s[:pos] + rng.choice(HUGE) + s[pos:]
    if kind == 8:                                         # unicode
        return s[:pos] + rng.choice(UNICODE) + s[pos:]
    if kind == 9:                                         # a token replaced by a number
        toks = _tokens(s)
        if toks:
            toks[rng.randrange(len(toks))] = rng.choice(["0", "1", "-1", "2", "1/2", "0.5", "1e3"])
        return "".join(toks)
    return s + rng.choice(["^2", "^T", "_F", "_1", "^{1/2}", "'", " = 0", ",", "x", "X"])


POINTS = ["0", "1", "-1", "1/2", "[[0,1],[-1,2]]", "[[0,0],[0,0]]", "[0,1]", "[1,2,3]", "1e99999", "1e999",
          "[[1e500]]", "[0.5, 1e300]", "nan", "[[1,2],[3]]", "(1,2)", "[" * 300, "0.1e-5", "-0", "1/0", "[]"]


def inputs(chunk: int) -> list[tuple[str, list]]:
    """(expression, extra CLI options) pairs of one chunk: its own seeded generator."""
    rng = random.Random(SEED * 1000 + chunk)
    pool = seeds()
    out = []
    for k in range(PER_CHUNK):
        text = mutate(rng, pool)
        opts = []
        if k % 5 == 0:
            opts += ["--at", rng.choice(POINTS)]
        if k % 7 == 0:
            opts += ["--let", rng.choice(["A", "y", "\\lambda", "λ", "\udcff", "a b", "1"]) + "=" + rng.choice(POINTS)]
        if k % 11 == 0:
            opts += ["--wrt", rng.choice(["x", "X", "x,y", "\udcff", "", "\\alpha"])]
        out.append((text, opts))
    return out


def _internal(code: int, err: str) -> bool:
    return (code not in (0, 2, 3) or "please report it" in err or "Traceback" in err
            or "could not read the formula (" in err)


# Inputs given the whole analysis: at most this many non-smooth constructs, this deep.
# Nested kinks cost the engine exponential time (its own bounds are another test's
# subject); the fuzz looks for crashes, and finds them in the front end and in small
# analyses of odd inputs.
FULL_KINKS = 2
FULL_DEPTH = 14


def _complexity(term) -> tuple[int, int]:
    """(non-smooth constructs, depth) of a syntax tree."""
    from symderiv import syntax as S
    from symderiv.sizes import _children
    kinks, depth, stack = 0, 0, [(term, 1)]
    while stack:
        t, d = stack.pop()
        depth = max(depth, d)
        if isinstance(t, (S.Abs, S.Norm, S.Call, S.Reduce, S.Cases, S.Indicator)):
            kinks += 1
        stack.extend((c, d + 1) for c in _children(t))
    return kinks, depth


def _cheap(text: str) -> tuple[str | None, str]:
    """Parse and build in-process: the name of an internal error or None, and what became
    of the input: 'refused' (an error of the project's own), 'crashed', 'small' (built,
    and small enough for the whole analysis) or 'large'."""
    from symderiv.build import build
    from symderiv.errors import SymderivError
    from symderiv.parse import parse
    try:
        parsed = parse(text)
        kinks, depth = _complexity(parsed.term)
        small = kinks <= FULL_KINKS and depth <= FULL_DEPTH
        build(parsed.term, parsed.source)
    except SymderivError as exc:
        if "could not read the formula (" in exc.message:
            return f"InputError hiding a bug: {exc.message}", "refused"
        return None, "refused"
    except RecursionError:
        return "RecursionError", "crashed"
    except Exception as exc:   # noqa: BLE001 - what the fuzz is looking for
        return f"{type(exc).__name__}: {exc}", "crashed"
    return None, "small" if small else "large"


def run_chunk(chunk: int, full_every: int) -> dict:
    """Every input of the chunk through parse and build; every ``full_every``-th of those
    small enough (and every one that fails before the analysis), through the whole CLI
    (diff in each format, or derive, with its options) with captured output."""
    from symderiv.cli import main
    found, slowest, full, codes, guarded = [], (0.0, ""), 0, {}, []
    for k, (text, opts) in enumerate(inputs(chunk)):
        t0 = time.process_time()
        why, fate = _cheap(text)
        if why is not None:
            found.append({"input": text, "options": opts, "error": why})
        if fate == "small" and k % full_every == 0 or fate == "refused" and opts:
            full += 1
            out, err = io.StringIO(), io.StringIO()
            if k % 13 == 6:                   # the LaTeX document, which takes no point
                argv = ["derive", text, *[o for o in opts if o != "--at"]]
                if "--at" in opts:
                    argv.remove(opts[opts.index("--at") + 1])
            else:
                argv = ["diff", text, "--format", ("json", "text", "latex")[k % 3], *opts]
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(argv)
            codes[code] = codes.get(code, 0) + 1
            if "wall-clock guard" in err.getvalue():
                guarded.append(text[:200])
            if _internal(code, err.getvalue()):
                found.append({"input": text, "options": opts, "error": err.getvalue()[:300], "code": code})
        spent = time.process_time() - t0
        if spent > slowest[0]:
            slowest = (spent, text[:200])
    return {"inputs": PER_CHUNK, "full_runs": full, "exit_codes": codes, "internal": found, "slowest": slowest,
            "guard_fired": guarded,
            "cpu": time.process_time(),
            "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}


if __name__ == "__main__":
    print(json.dumps(run_chunk(int(sys.argv[1]), int(sys.argv[2])), ensure_ascii=True))
