"""Regenerate the derivation documents: `make derivations` (or `python derivations/generate.py --write`).

Each document is exactly what `symderiv derive` prints for its expression; the test
suite regenerates them and fails when a committed file is stale.
"""
from __future__ import annotations

import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent

# file name -> (expression, variable[, the other keywords of derive])
DOCUMENTS = {
    "seed_relu_frobenius_squared.tex": (r"\|\max(X,0)\|_F^2", "X"),
    "sum_of_absolute_values.tex": (r"\sum_{i,j}|x_{ij}|", "X"),
    "frobenius_norm.tex": (r"\|X\|_F", "X"),
    "relu_of_product_squared.tex": (r"\|\sigma(AX)\|_F^2", "X"),
    "relu_minus_target_squared.tex": (r"\|\sigma(X) - Y\|_F^2", "X"),
    "max_over_entries.tex": (r"\max_{i,j} x_{ij}", "X"),
    "nuclear_norm.tex": (r"\|X\|_*", "X"),
    "largest_eigenvalue.tex": (r"\lambda_{\max}(X)", "X", {"symmetric": True}),
}


def render_one(name: str) -> str:
    from symderiv import derive
    expr, wrt, *rest = DOCUMENTS[name]
    return derive(expr, wrt=wrt, **(rest[0] if rest else {}))


def render_all() -> dict[str, str]:
    return {name: render_one(name) for name in DOCUMENTS}


def main(argv) -> int:
    docs = render_all()
    if "--write" in argv:
        for name, text in docs.items():
            (HERE / name).write_text(text, encoding="utf-8")
        print(f"wrote {len(docs)} documents to {HERE}")
        return 0
    stale = [n for n, t in docs.items() if not (HERE / n).exists() or (HERE / n).read_text(encoding="utf-8") != t]
    print("stale: " + ", ".join(stale) if stale else "all current")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    sys.exit(main(sys.argv[1:]))
