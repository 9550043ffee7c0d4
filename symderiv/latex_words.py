"""The words of LaTeX the reader knows, shared by the token stage (tokens.py) and the
tree builder (tree_to_syntax.py): function words, relation spellings, the words of a
cases row, and the font and text commands a styled word may come in.

``canonical`` is also what the checker asks when it meets a function word.
"""
from __future__ import annotations

from .nodes import named_spellings
from .primitives import lookup

# The front end's own function words, beside the primitive table's: the named matrix
# functions' spellings, declared by their node classes (tr, Tr -> trace), and the words
# read here only (logdet is log det; diag and vec are refused by name).
STRUCTURAL = {**named_spellings(), "logdet": "logdet", "diag": "diag", "Diag": "diag", "vec": "vec"}

REL_OPS = {"=": "=", "<": "<", r"\lt": "<", ">": ">", r"\gt": ">",
           r"\le": "<=", r"\leq": "<=", r"\leqslant": "<=",
           r"\ge": ">=", r"\geq": ">=", r"\geqslant": ">=",
           r"\ne": "!=", r"\neq": "!=", r"\approx": r"\approx"}

IF_WORDS = {"if", "for", "when", "whenever"}
# Subscripts of a norm that name Frobenius's: \|X\|_{\rm Fro}.
FRO_WORDS = {"Fro", "fro", "Frob", "frob", "Frobenius", "FRO"}
OTHERWISE_WORDS = {"otherwise", "else", "o.w.", "ow", "elsewhere", "o/w"}
FONT_STYLES = {"mathbf", "mathbb", "mathbbm", "mathsf", "mathit", "mathcal", "boldsymbol", "bm",
               "vec", "bf", "it", "sf", "cal"}
TEXT_STYLES = {"text", "textrm", "textnormal", "textit", "textbf", "textsf", "mbox"}
SWITCHES = {"rm", "tt", "bf", "it", "sf"}     # bare \rm if ... outside braces


def canonical(spelling: str) -> str | None:
    """The canonical function word for a spelling, or None when nobody knows it."""
    if spelling in STRUCTURAL:
        return STRUCTURAL[spelling]
    p = lookup(spelling)
    return p.name if p is not None else None

# The subscripts of a norm that name a singular-value norm (build.py): ‖X‖_*, ‖X‖_{tr},
# ‖X‖_{S_1}, ‖X‖_{\text{nuc}} the nuclear norm; ‖X‖_{op} the spectral norm (‖X‖_2 of a
# matrix is read as the spectral norm in build.py, of a vector as the Euclidean norm)
NUCLEAR_KINDS = {"*", "tr", "S_1", "nuc", "nuclear", "Tr"}
SPECTRAL_KINDS = {"op", "S_inf", "S_infty", "spec"}
# styled words that may only stand as such a subscript (\text{nuc}, \text{op})
NORM_WORDS = {"nuc", "nuclear", "op", "spec", "tr", "Tr"}
# \sigma_{\max}(X), \sigma_{\min}(X) -> the norm subscript build reads them by
GREEK_SUBSCRIPT_CALLS = {"sigma_max": "op", "sigma_min": "sigma_min"}
# ‖X‖_{S_p}: the Schatten norms read, for an integer p up to this (a size of the exact powers)
MAX_SCHATTEN = 12
