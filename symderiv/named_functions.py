"""The named matrix functions (tr, det, ...) by their canonical word.

A node class that declares a ``word`` registers itself here when its module is imported
(nodes/base.py); the reader (latex_words.py), the shape inference (shapes.py) and the
builder look words up here.  This module imports nothing, so the shape rules can consult
the table while the node package itself depends on the shape rules."""
from __future__ import annotations

# canonical word -> node class (trace -> Trace): see nodes.base.Node.word
NAMED: dict = {}


def named_spellings() -> dict:
    """Every spelling of a named matrix function -> its canonical word (Tr -> trace)."""
    return {s: cls.word for cls in NAMED.values() for s in cls.spellings}
