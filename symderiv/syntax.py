"""The syntax tree the LaTeX front end produces.

It records what the user wrote, with no decision about meaning: whether ``A`` is a
matrix, whether ``\\sigma`` is ReLU, what shape ``J`` has, are decided later by
``build``.  Every node carries the column span it came from, so a semantic error can
point at the text.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields, replace


@dataclass(frozen=True)
class Term:
    pass


def _span():
    return field(default=(0, 0), compare=False)


@dataclass(frozen=True)
class Num(Term):
    text: str                      # '2', '0.5', '1/2' is not a Num (a Frac of Nums)
    span: tuple = _span()


@dataclass(frozen=True)
class Name(Term):
    """A letter or Greek name: 'X', 'x', 'alpha', 'x_1' (a subscript that is part of the name),
    or a styled letter such as 'mathbf{1}' (the all-ones vector)."""
    name: str
    span: tuple = _span()


@dataclass(frozen=True)
class Entry(Term):
    """x_{ij}, X_{i,j}: an entry of the matrix named by the letter (case-folded by build).
    Numeric indices name one fixed entry: 1-based as written by hand, 0-based in the
    {x}_{0,0} form SymPy prints (``zero_based``)."""
    base: str
    indices: tuple                 # ('i', 'j') or ('0', '1')
    span: tuple = _span()
    zero_based: bool = False


@dataclass(frozen=True)
class GroupEntry(Term):
    """(Ax)_i, (AX)_{ij}: an entry of an expression, meaningful inside a sum (or a max)
    over its indices; (AX)_{12} names one fixed entry."""
    arg: Term
    indices: tuple
    span: tuple = _span()


@dataclass(frozen=True)
class Call(Term):
    """A named function applied to arguments.

    ``name`` is the canonical word when the spelling is one the table (or the front end's
    own list: 'trace', 'det', ...) knows, else None; ``spelling`` is what was written,
    without the backslash or \\operatorname wrapper ('sigma', 'ReLU', 'H')."""
    name: str | None
    spelling: str
    args: tuple
    span: tuple = _span()


@dataclass(frozen=True)
class BinOp(Term):
    """op in '+', '-', '*' (juxtaposition, \\cdot, \\times), '/', 'hadamard' (\\odot, \\circ),
    ':' (Frobenius product A:B)."""
    op: str
    left: Term
    right: Term
    span: tuple = _span()


@dataclass(frozen=True)
class Neg(Term):
    arg: Term
    span: tuple = _span()


@dataclass(frozen=True)
class Pow(Term):
    base: Term
    exp: Term
    span: tuple = _span()


@dataclass(frozen=True)
class Transpose(Term):
    arg: Term
    span: tuple = _span()


@dataclass(frozen=True)
class Abs(Term):
    arg: Term
    span: tuple = _span()


@dataclass(frozen=True)
class Norm(Term):
    """\\|A\\| with its subscript: 'F', '2', or '' when none was written."""
    arg: Term
    kind: str
    span: tuple = _span()


@dataclass(frozen=True)
class Sum(Term):
    """\\sum_{i,j} body, or \\sum_{i=1}^m \\sum_{j=1}^n body (indices in order)."""
    indices: tuple
    body: Term
    span: tuple = _span()
    upper: tuple = field(default=(), compare=False)   # the letters of upper bounds, one per index, or ()


@dataclass(frozen=True)
class Reduce(Term):
    """\\max_{i,j} body, \\min_i body: the largest (smallest) value of the body over the indices."""
    op: str                        # 'max' | 'min'
    indices: tuple
    body: Term
    span: tuple = _span()
    upper: tuple = field(default=(), compare=False)   # as for Sum: \max_{1 \le i \le n}


@dataclass(frozen=True)
class Inner(Term):
    """<A, B>."""
    left: Term
    right: Term
    span: tuple = _span()


@dataclass(frozen=True)
class Rel(Term):
    """A comparison: op in '>', '>=', '<', '<=', '=', '!='."""
    op: str
    left: Term
    right: Term
    span: tuple = _span()


@dataclass(frozen=True)
class Indicator(Term):
    """\\mathbb{1}_{x>0}, \\mathbf{1}\\{x>0\\}, \\mathbb{1}[x>0]."""
    cond: Term
    span: tuple = _span()


@dataclass(frozen=True)
class Cases(Term):
    """\\begin{cases} v_1 & c_1 \\\\ v_2 & \\text{otherwise} \\end{cases}; cond None = otherwise."""
    rows: tuple                    # ((value, cond or None), ...)
    span: tuple = _span()


@dataclass(frozen=True)
class Differential(Term):
    """d X, d f: only produced when parsing statements of a derivation."""
    arg: Term
    span: tuple = _span()


@dataclass(frozen=True)
class Statement:
    """A chain  t0 op1 t1 op2 t2 ...  (ops '=', '<', '<=', '>', '>=', '!=', '\\approx')."""
    terms: tuple
    ops: tuple
    span: tuple = field(default=(0, 0), compare=False)


# ---- facts about one node ------------------------------------------------------------------------

class NodeTable:
    """Facts about particular nodes, not about every equal one: nodes compare by value (two
    spellings of \\sin 2 are equal, one of them is being read), so the key is the node's
    identity.  The table holds its nodes, so that a freed node's id, which Python hands
    to the next object made, can never find another node's fact."""

    def __init__(self):
        self._items: dict[int, tuple] = {}

    def __setitem__(self, node, value):
        self._items[id(node)] = (node, value)

    def __contains__(self, node) -> bool:
        item = self._items.get(id(node))
        return item is not None and item[0] is node

    def __getitem__(self, node):
        if node not in self:
            raise KeyError(node)
        return self._items[id(node)][1]

    def get(self, node, default=None):
        return self[node] if node in self else default

    def pop(self, node):
        value = self[node]
        del self._items[id(node)]
        return value


# ---- walking terms ---------------------------------------------------------------------------

def transform(term, fn):
    """Rebuild ``term`` top-down: where ``fn`` returns a term, that replaces the node."""
    if term is None:
        return None
    out = fn(term)
    if out is not None:
        return out
    changes = {}
    for f in fields(term):
        v = getattr(term, f.name)
        nv = _map(v, lambda t: transform(t, fn))
        if nv is not v:
            changes[f.name] = nv
    return replace(term, **changes) if changes else term


def _map(v, go):
    if isinstance(v, Term):
        return go(v)
    if isinstance(v, tuple):
        items = tuple(_map(x, go) for x in v)
        return v if all(a is b for a, b in zip(items, v)) else items
    return v


def names_in(term) -> set:
    """Every name a term mentions (entries count as their matrix, in upper case)."""
    found = set()

    def visit(t):
        if isinstance(t, Name):
            found.add(t.name)
        elif isinstance(t, Entry):
            found.add(t.base.upper() if t.base.islower() else t.base)
        elif isinstance(t, Call) and t.name is None:
            found.add(t.spelling)
        return None
    transform(term, lambda t: visit(t))
    return found
