"""The matrix operations, one module each (or one per tight family): every rule the
engine has for an operation sits in its class, in the order base.py lays out."""
from .base import NAMED, SCALAR, Dim, MissingRule, Node, Shape, fmt_shape, is_scalar_shape, placeholder, \
    placeholder_index, named_spellings, walk
from .leaves import Eye, Sym, Unit, eye
from .transpose import Transpose, transpose
from .entrywise import Entrywise, add, apply, const, divide, ew, ew_map, hadamard, neg, ones, scale, sub
from .sum_all import SumAll, inner, sum_all
from .matmul import MatMul, matmul
from .matrix_trace import Trace, trace
from .fro_norm import FroNorm, fro_norm
from .p_norm import PNorm, p_norm
from .inverse import Inverse, inverse
from .det import Adjugate, Det, adjugate, det
from .max_entry import Argmax, MaxEntry, max_entry
from .pick import Pick, pick
from .eigen import Eigen, EigenProjector, KyFan, TopProjector
from .singular import KyFanGrad, KyFanNorm, ky_fan
from .singular import BottomPair, NuclearNorm, Polar, SchattenGrad, SchattenNorm, SmallestSingular, SpectralNorm, \
    TopPair, nuclear_norm, schatten_norm, smallest_singular, spectral_norm

__all__ = [
    "NAMED", "SCALAR", "Dim", "MissingRule", "Node", "Shape", "fmt_shape", "is_scalar_shape", "placeholder",
    "placeholder_index", "named_spellings", "walk",
    "Eye", "Sym", "Unit", "eye", "Transpose", "transpose",
    "Entrywise", "add", "apply", "const", "divide", "ew", "ew_map", "hadamard", "neg", "ones", "scale", "sub",
    "SumAll", "inner", "sum_all", "MatMul", "matmul", "Trace", "trace", "FroNorm", "fro_norm",
    "PNorm", "p_norm",
    "Inverse", "inverse", "Adjugate", "Det", "adjugate", "det", "Argmax", "MaxEntry", "max_entry",
    "Pick", "pick", "Eigen", "EigenProjector", "KyFan", "TopProjector",
    "NuclearNorm", "Polar", "SpectralNorm", "TopPair", "nuclear_norm", "spectral_norm",
    "KyFanGrad", "KyFanNorm", "ky_fan", "BottomPair", "SmallestSingular", "smallest_singular", "SchattenGrad",
    "SchattenNorm", "schatten_norm",
]
