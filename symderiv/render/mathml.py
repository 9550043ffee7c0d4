"""LaTeX to MathML for the page (``symderiv serve``): typeset by the browser, with no
script and no internet.

latex2mathml does the conversion.  Its output carries what the input's ``\\text{...}``
held as raw markup (``\\text{<script>}`` comes out as a <script> element), so every
result is parsed and kept only if it is MathML and nothing else: a whitelist of
MathML elements, and no attribute that could run or load anything.  Anything else is
None, and the page shows the plain text instead.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from latex2mathml.converter import convert

NS = "{http://www.w3.org/1998/Math/MathML}"
ELEMENTS = {
    "math", "mrow", "mi", "mn", "mo", "mtext", "mspace", "ms", "msub", "msup", "msubsup", "mfrac", "msqrt",
    "mroot", "mstyle", "mpadded", "mphantom", "menclose", "mover", "munder", "munderover", "mtable", "mtr",
    "mtd", "mlabeledtr", "semantics", "annotation", "merror", "mfenced",
}
_SAFE_ATTRIBUTE = re.compile(r"[a-z][a-z-]*")
_UNSAFE_ATTRIBUTES = {"href", "src", "style", "xlink:href", "definitionurl"}


def to_mathml(latex: str, display: bool = False) -> str | None:
    """The MathML of ``latex``, or None where it cannot be given safely."""
    try:
        out = convert(latex, display="block" if display else "inline")
    except Exception:       # noqa: BLE001 - the converter's own failures: the text is shown instead
        return None
    return out if _only_mathml(out) else None


def _only_mathml(markup: str) -> bool:
    try:
        root = ET.fromstring(markup)
    except ET.ParseError:
        return False
    for el in root.iter():
        if not (isinstance(el.tag, str) and el.tag.startswith(NS) and el.tag[len(NS):] in ELEMENTS):
            return False
        for name in el.attrib:
            if not _SAFE_ATTRIBUTE.fullmatch(name) or name.startswith("on") or name in _UNSAFE_ATTRIBUTES:
                return False
    return True


def with_mathml(value):
    """A JSON answer with "mathml" beside every "latex" it holds (recursively)."""
    if isinstance(value, dict):
        out = {k: with_mathml(v) for k, v in value.items()}
        if isinstance(value.get("latex"), str):
            out["mathml"] = to_mathml(value["latex"])
        return out
    if isinstance(value, list):
        return [with_mathml(v) for v in value]
    return value
