"""Input spellings against their intended meaning, by exact evaluation at random points.

Each row is a LaTeX spelling and a NumPy function written by hand for what a
mathematician means by it.  The spelling goes through the real front end (macro
expansion, parse, build); the built expression is evaluated exactly (ints and Fractions,
SymPy numbers where irrational) at a few random rational points, some with exact zeros
and some on the boundaries of the cases, and must agree with the NumPy function.
Comparing values rather than strings means any reading that means the same thing
passes, and any reading that means something else fails.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from fractions import Fraction as Fr
from types import SimpleNamespace

import numpy as np
import pytest
import sympy as sp

from symderiv.api import analyze
from symderiv.build import build
from symderiv.errors import InputError, Unsupported
from symderiv.evaluate import Evaluator
from symderiv.exact_numbers import as_sympy
from symderiv.parse import parse
from symderiv.tree_to_syntax import NOTE_SIGMA

# ---- the intended meanings, in NumPy -------------------------------------------------------


def relu(a):
    return np.maximum(a, 0.0)


def step(a):
    """The Heaviside step with H(0) = 1/2, as the primitive table defines it."""
    return np.where(a > 0, 1.0, np.where(a < 0, 0.0, 0.5))


def ind(mask):
    return np.where(mask, 1.0, 0.0)


def fro2(a):
    return float(np.sum(np.asarray(a) ** 2))


def fro(a):
    return math.sqrt(fro2(a))


def huber(a, d=1.0):
    a = np.asarray(a, dtype=float)
    return np.where(np.abs(a) <= d, 0.5 * a * a, d * (np.abs(a) - 0.5 * d))


# ---- the table -------------------------------------------------------------------------------

# The variable of a row: its name and shape.
VARS = {"X": ("X", (2, 3)), "x": ("x", (1, 1)), "X3": ("X", (3, 3)), "v": ("x", (3, 1))}


@dataclass(frozen=True)
class Row:
    tex: str
    var: str                    # a key of VARS
    want: object                # v -> float, v a namespace of float arrays (scalars as floats)
    others: tuple = ()          # ((name, shape), ...) values drawn at random too
    notes: tuple = ()           # substrings that must each occur in some note
    positive: tuple = ()        # names of others whose values must be > 0


def R(tex, var, want, others=None, notes=(), positive=()):
    return Row(tex, var, want, tuple((others or {}).items()), tuple(notes), tuple(positive))


S = (1, 1)
SPELLINGS = [
    # -- Frobenius norms ------------------------------------------------------------------------
    R(r"\|X\|_F^2", "X", lambda v: fro2(v.X)),
    R(r"\left\| X \right\|_F^{2}", "X", lambda v: fro2(v.X)),
    R(r"\Vert X\Vert_F", "X", lambda v: fro(v.X)),
    R(r"\lVert X \rVert_F", "X", lambda v: fro(v.X)),
    R(r"\|X\|_{\mathrm{F}}", "X", lambda v: fro(v.X)),
    R(r"\|X\|_{\rm F}", "X", lambda v: fro(v.X)),
    R(r"\lVert X\rVert_{\text{F}}^2", "X", lambda v: fro2(v.X)),
    R(r"\|X\|^2_F", "X", lambda v: fro2(v.X)),
    R(r"\left\Vert X\right\Vert_{F}^2", "X", lambda v: fro2(v.X)),
    R(r"\big\|X\big\|_F^2", "X", lambda v: fro2(v.X)),
    R(r"\|X\|", "X", lambda v: fro(v.X), notes=["read as the Frobenius norm"]),
    R(r"\sqrt{\sum_{i,j} x_{ij}^2}", "X", lambda v: fro(v.X), notes=["x_ij is the (i,j) entry of X"]),
    R(r"\sqrt{\sum_{i=1}^m\sum_{j=1}^n X_{ij}^2}", "X", lambda v: fro(v.X)),
    R(r"\sqrt{\operatorname{tr}(X^TX)}", "X", lambda v: fro(v.X)),
    R(r"\|AX\|_F^2", "X", lambda v: fro2(v.A @ v.X), {"A": (3, 2)}),
    R(r"\|X - Y\|_F^2", "X", lambda v: fro2(v.X - v.Y), {"Y": (2, 3)}),
    R(r"\|\lambda X\|_F", "X", lambda v: abs(v.lam) * fro(v.X), {"lambda": S}),
    R(r"\frac 12\|X\|_F^2", "X", lambda v: fro2(v.X) / 2),
    R(r"\tfrac12\|X\|_F^2", "X", lambda v: fro2(v.X) / 2),
    R(r"\dfrac{1}{2}\left\|X\right\|_F^2", "X", lambda v: fro2(v.X) / 2),
    R(r"\frac{\lambda}{2}\|X\|_F^2", "X", lambda v: v.lam * fro2(v.X) / 2, {"lambda": S}),
    # -- entries of an expression -----------------------------------------------------------------
    R(r"\sum_i |(Ax)_i|", "v", lambda v: float(np.sum(np.abs(v.A @ v.x))), {"A": (2, 3)}),
    R(r"\sum_{i=1}^m \max(0, 1 - (Ax)_i)", "v", lambda v: float(np.sum(relu(1 - v.A @ v.x))), {"A": (2, 3)}),
    R(r"\sum_{i,j}\max((AX)_{ij}, 0)^2", "X", lambda v: fro2(relu(v.A @ v.X)), {"A": (3, 2)}),
    R(r"\sum_{i,j} (AX)_{ji} B_{ij}", "X", lambda v: float(np.sum((v.A @ v.X).T * v.B)), {"A": (3, 2), "B": (3, 3)}),
    R(r"\max_i\,(Ax)_i", "v", lambda v: float(np.max(v.A @ v.x)), {"A": (2, 3)}),
    R(r"(X^TX)_{12}", "X", lambda v: float((v.X.T @ v.X)[0, 1])),
    R(r"(A x)_{2}", "v", lambda v: float((v.A @ v.x)[1, 0]), {"A": (2, 3)}),
    # -- traces ------------------------------------------------------------------------------------
    R(r"\operatorname{Tr}(X)", "X3", lambda v: np.trace(v.X)),
    R(r"\mathrm{tr}(X)", "X3", lambda v: np.trace(v.X)),
    R(r"\operatorname{trace}(X)", "X3", lambda v: np.trace(v.X)),
    R(r"\mathrm{Tr}(X)", "X3", lambda v: np.trace(v.X)),
    R(r"\text{tr}(X)", "X3", lambda v: np.trace(v.X)),
    R(r"{\rm tr}(X)", "X3", lambda v: np.trace(v.X)),
    R(r"\tr(X)", "X3", lambda v: np.trace(v.X)),
    R(r"\tr X", "X3", lambda v: np.trace(v.X), notes=[r"\tr X read as \tr(X)"]),
    R(r"tr X", "X3", lambda v: np.trace(v.X), notes=["tr read as the function tr"]),
    R(r"trace(X^TX)", "X", lambda v: fro2(v.X)),
    R(r"\Tr(X^\top X)", "X", lambda v: fro2(v.X)),
    R(r"\trace(\lambda X)", "X3", lambda v: v.lam * np.trace(v.X), {"lambda": S}),
    R(r"\operatorname{tr}\,(X)", "X3", lambda v: np.trace(v.X)),
    R(r"\DeclareMathOperator{\tr}{tr} \tr(X^TAX)", "X3", lambda v: np.trace(v.X.T @ v.A @ v.X),
      {"A": (3, 3)}),
    R(r"\DeclareMathOperator{\tr}{tr}\tr X", "X3", lambda v: np.trace(v.X)),
    R(r"\DeclareMathOperator{\Tr}{Tr} \Tr\left(X^T X\right)", "X", lambda v: fro2(v.X)),
    R(r"\operatorname{tr}(X^{\top}AX)", "X", lambda v: np.trace(v.X.T @ v.A @ v.X), {"A": (2, 2)}),
    R(r"\mathrm{Tr}\left(X^TX\right)", "X", lambda v: fro2(v.X)),
    R(r"{\rm tr}(AX)", "X", lambda v: np.trace(v.A @ v.X), {"A": (3, 2)}),
    R(r"\operatorname{tr}\!\Big(X^T X\Big)", "X", lambda v: fro2(v.X)),
    R(r"\operatorname{tr}(JX)", "X", lambda v: float(np.sum(v.X)), notes=["J is the all-ones matrix"]),
    R(r"\operatorname{tr}(X + I)", "X3", lambda v: np.trace(v.X) + 3, notes=["I is the identity matrix"]),
    R(r"\operatorname{tr}(IX)", "X3", lambda v: np.trace(v.X)),
    R(r"\operatorname{tr}(2X)", "X3", lambda v: 2 * np.trace(v.X)),
    R(r"\operatorname{tr}(X^T J)", "X", lambda v: float(np.sum(v.X))),
    # -- transposes --------------------------------------------------------------------------------
    R(r"\operatorname{tr}(X^T A)", "X", lambda v: float(np.sum(v.X * v.A)), {"A": (2, 3)}),
    R(r"\operatorname{tr}(X^\top A)", "X", lambda v: float(np.sum(v.X * v.A)), {"A": (2, 3)}),
    R(r"\operatorname{tr}(X^{T}A)", "X", lambda v: float(np.sum(v.X * v.A)), {"A": (2, 3)}),
    R(r"\operatorname{tr}(X^\intercal A)", "X", lambda v: float(np.sum(v.X * v.A)), {"A": (2, 3)}),
    R(r"\operatorname{tr}(X' A)", "X", lambda v: float(np.sum(v.X * v.A)), {"A": (2, 3)},
      notes=["X' read as the transpose of X"]),
    R(r"\operatorname{tr}\left((AX')^T\right)", "X", lambda v: float(np.sum(v.X * v.A)), {"A": (2, 3)}),
    R(r"\langle X^\top, B\rangle", "X", lambda v: float(np.sum(v.X.T * v.B)), {"B": (3, 2)}),
    R(r"\mathbf{1}^T X\mathbf{1}", "X", lambda v: float(np.sum(v.X))),
    R(r"\mathbf{1}^\top X^T A\mathbf{1}", "X", lambda v: float(np.sum(v.X.T @ v.A)), {"A": (2, 2)}),
    # -- Hadamard products --------------------------------------------------------------------------
    R(r"\langle A, X\circ X\rangle", "X", lambda v: float(np.sum(v.A * v.X * v.X)), {"A": (2, 3)}),
    R(r"\|A\odot X\|_F^2", "X", lambda v: fro2(v.A * v.X), {"A": (2, 3)}),
    R(r"\operatorname{tr}\left((A\odot X)^T X\right)", "X", lambda v: float(np.sum(v.A * v.X * v.X)),
      {"A": (2, 3)}),
    R(r"\langle J, X\odot X\rangle", "X", lambda v: fro2(v.X)),
    # -- ReLU, scalar ------------------------------------------------------------------------------
    R(r"\max\{x,0\}", "x", lambda v: relu(v.x)),
    R(r"\max(0,x)", "x", lambda v: relu(v.x)),
    R(r"\max(x,0)", "x", lambda v: relu(v.x)),
    R(r"\max\left(x, 0\right)", "x", lambda v: relu(v.x)),
    R(r"\max\left\{x, 0\right\}", "x", lambda v: relu(v.x)),
    R(r"\max\!\left(x,0\right)", "x", lambda v: relu(v.x)),
    R(r"max(x, 0)", "x", lambda v: relu(v.x), notes=["max(...) read as the function max"]),
    R(r"(x)^+", "x", lambda v: relu(v.x), notes=["(x)^+ read as the positive part"]),
    R(r"x^+", "x", lambda v: relu(v.x), notes=["x^+ read as the positive part"]),
    R(r"x^{+}", "x", lambda v: relu(v.x)),
    R(r"[x]_+", "x", lambda v: relu(v.x), notes=["[x]_+ read as the positive part"]),
    R(r"(x)_+", "x", lambda v: relu(v.x)),
    R(r"\left(x\right)_+", "x", lambda v: relu(v.x)),
    R(r"\Bigg[x\Bigg]_+", "x", lambda v: relu(v.x)),
    R(r"(x - 1)_+ + (-x)_+", "x", lambda v: relu(v.x - 1) + relu(-v.x)),
    R(r"\operatorname{ReLU}(x)", "x", lambda v: relu(v.x)),
    R(r"\mathrm{relu}(x)", "x", lambda v: relu(v.x)),
    R(r"\text{ReLU}(x)", "x", lambda v: relu(v.x)),
    R(r"relu(x)", "x", lambda v: relu(v.x)),
    R(r"relu x", "x", lambda v: relu(v.x), notes=["relu read as the function relu"]),
    R(r"max\{x, 0\}", "x", lambda v: relu(v.x)),
    R(r"\sigma(x)", "x", lambda v: relu(v.x), notes=[NOTE_SIGMA]),
    R(r"\max\{x - 1, 0\}", "x", lambda v: relu(v.x - 1)),
    R(r"\max(x,0)^2", "x", lambda v: relu(v.x) ** 2),
    R(r"\newcommand{\relu}[1]{\max(#1,0)} \relu{x}", "x", lambda v: relu(v.x)),
    R(r"x\,\mathbb{1}_{x>0}", "x", lambda v: relu(v.x)),
    # -- ReLU, matrix ------------------------------------------------------------------------------
    R(r"\|\max(X,0)\|_F^2", "X", lambda v: fro2(relu(v.X)), notes=["ReLU is applied entrywise"]),
    R(r"\|\max\{X,0\}\|_F", "X", lambda v: fro(relu(v.X))),
    R(r"\langle J, \max(X,0)\rangle", "X", lambda v: float(np.sum(relu(v.X)))),
    R(r"\|(X)_+\|_F^2", "X", lambda v: fro2(relu(v.X))),
    R(r"\langle A, \operatorname{ReLU}(X)\rangle", "X", lambda v: float(np.sum(v.A * relu(v.X))),
      {"A": (2, 3)}),
    R(r"\|\sigma(X)\|_F^2", "X", lambda v: fro2(relu(v.X)), notes=[NOTE_SIGMA]),
    R(r"\|\mathrm{relu}(AX)\|_F^2", "X", lambda v: fro2(relu(v.A @ v.X)), {"A": (3, 2)}),
    R(r"\sum_{i,j}\max(x_{ij},0)", "X", lambda v: float(np.sum(relu(v.X)))),
    R(r"\newcommand{\relu}[1]{\max(#1,0)} \|\relu{X}\|_F^2", "X", lambda v: fro2(relu(v.X))),
    R(r"A:\max(X,0)", "X", lambda v: float(np.sum(v.A * relu(v.X))), {"A": (2, 3)}),
    # -- max and min of two things -------------------------------------------------------------------
    R(r"\max(x, y)", "x", lambda v: max(v.x, v.y), {"y": S}),
    R(r"\min(x, y)", "x", lambda v: min(v.x, v.y), {"y": S}),
    R(r"\min(x,0)", "x", lambda v: min(v.x, 0.0)),
    R(r"\min\{x, 1\}", "x", lambda v: min(v.x, 1.0)),
    R(r"\langle J, \min(A,X)\rangle", "X", lambda v: float(np.sum(np.minimum(v.A, v.X))), {"A": (2, 3)}),
    R(r"\langle J, \max(A,X)\rangle", "X", lambda v: float(np.sum(np.maximum(v.A, v.X))), {"A": (2, 3)}),
    R(r"\sum_{i,j}\min(x_{ij}, a_{ij})", "X", lambda v: float(np.sum(np.minimum(v.A, v.X))),
      {"A": (2, 3)}),
    # -- sign -----------------------------------------------------------------------------------------
    R(r"\operatorname{sgn}(x)", "x", lambda v: np.sign(v.x)),
    R(r"\operatorname{sign}(x)", "x", lambda v: np.sign(v.x), notes=["sign(0) = 0"]),
    R(r"\sgn x", "x", lambda v: np.sign(v.x)),
    R(r"sign x", "x", lambda v: np.sign(v.x)),
    R(r"\mathrm{sign}(x)", "x", lambda v: np.sign(v.x)),
    R(r"{\rm sign}(x)\,x", "x", lambda v: abs(v.x)),
    R(r"\def\s{\operatorname{sign}} \s(x)", "x", lambda v: np.sign(v.x)),
    R(r"\langle \operatorname{sign}(X), X\rangle", "X", lambda v: float(np.sum(np.abs(v.X)))),
    # -- steps and indicators --------------------------------------------------------------------------
    R(r"\mathbb{1}_{x>0}", "x", lambda v: ind(v.x > 0)),
    R(r"\mathbf{1}\{x>0\}", "x", lambda v: ind(v.x > 0)),
    R(r"\mathbb{1}[x>0]", "x", lambda v: ind(v.x > 0)),
    R(r"\mathbb 1_{x\ge 0}", "x", lambda v: ind(v.x >= 0)),
    R(r"1_{x>0}", "x", lambda v: ind(v.x > 0)),
    R(r"\mathbb{1}_{\{x>0\}}", "x", lambda v: ind(v.x > 0)),
    R(r"\mathbf{1}(x > 0)", "x", lambda v: ind(v.x > 0)),
    R(r"\mathbb{1}[x \le 1]", "x", lambda v: ind(v.x <= 1)),
    R(r"H(x)", "x", lambda v: step(v.x), notes=["H(x) read as the Heaviside step", "H(0) = 1/2"]),
    R(r"\theta(x)", "x", lambda v: step(v.x), notes=[r"\theta(x) read as the Heaviside step"]),
    R(r"\sum_{i,j}\mathbb{1}[x_{ij}>0]", "X", lambda v: float(np.sum(v.X > 0))),
    R(r"\langle A, H(X)\rangle", "X", lambda v: float(np.sum(v.A * step(v.X))), {"A": (2, 3)}),
    # -- sums over entries --------------------------------------------------------------------------------
    R(r"\sum_{i,j} x_{ij}^2", "X", lambda v: fro2(v.X)),
    R(r"\sum_{ij} x_{ij}", "X", lambda v: float(np.sum(v.X))),
    R(r"\sum_{i=1}^m\sum_{j=1}^n x_{ij}^2", "X", lambda v: fro2(v.X)),
    R(r"\sum_{i=1}^{m}\sum_{j=1}^{n}\lambda x_{ij}^2", "X", lambda v: v.lam * fro2(v.X), {"lambda": S}),
    R(r"\sum_{i,j} x_{i,j}", "X", lambda v: float(np.sum(v.X))),
    R(r"\sum_{i,j} X_{ij}^2", "X", lambda v: fro2(v.X)),
    R(r"\sum_{i,j} a_{ij} x_{ji}", "X", lambda v: float(np.sum(v.A * v.X.T)), {"A": (3, 2)}),
    R(r"\sum_{i,j}|x_{ij}|", "X", lambda v: float(np.sum(np.abs(v.X)))),
    R(r"\sum_{i}\sum_{j} x_{ij} y_{ij}", "X", lambda v: float(np.sum(v.X * v.Y)), {"Y": (2, 3)}),
    R(r"\sum_{i,j}(x_{ij})_+", "X", lambda v: float(np.sum(relu(v.X)))),
    R(r"\sum_{i,j}\begin{cases} x_{ij}^2 & x_{ij} > 0 \\ 0 & \text{otherwise}\end{cases}", "X",
      lambda v: fro2(relu(v.X))),
    # -- inner products ---------------------------------------------------------------------------------
    R(r"\langle A,X\rangle", "X", lambda v: float(np.sum(v.A * v.X)), {"A": (2, 3)}),
    R(r"A:X", "X", lambda v: float(np.sum(v.A * v.X)), {"A": (2, 3)}),
    R(r"\left\langle A, X\right\rangle", "X", lambda v: float(np.sum(v.A * v.X)), {"A": (2, 3)}),
    R(r"X:X", "X", lambda v: fro2(v.X)),
    R(r"\langle A, BX\rangle", "X", lambda v: float(np.sum(v.A * (v.B @ v.X))), {"A": (2, 3), "B": (2, 2)}),
    R(r"\langle J, X\rangle", "X", lambda v: float(np.sum(v.X)), notes=["J is the all-ones matrix"]),
    # -- scalars, products, fractions ----------------------------------------------------------------------
    R(r"\lambda\cdot x", "x", lambda v: v.lam * v.x, {"lambda": S}),
    R(r"2\times x", "x", lambda v: 2 * v.x),
    R(r"x \times y", "x", lambda v: v.x * v.y, {"y": S}),
    R(r"\frac{x}{2}", "x", lambda v: v.x / 2),
    R(r"x/2", "x", lambda v: v.x / 2),
    R(r"\frac{3}{4}x^2", "x", lambda v: 0.75 * v.x ** 2),
    R(r"\frac 12 x^2", "x", lambda v: 0.5 * v.x ** 2),
    R(r"3 \cdot \|X\|_F^2", "X", lambda v: 3 * fro2(v.X)),
    R(r"\lambda\|X\|_F^2", "X", lambda v: v.lam * fro2(v.X), {"lambda": S}),
    R(r"\langle J, \lambda X\rangle", "X", lambda v: v.lam * float(np.sum(v.X)), {"lambda": S}),
    R(r"\|2X - \lambda J\|_F^2", "X", lambda v: fro2(2 * v.X - v.lam), {"lambda": S}),
    R(r"\langle A, X\rangle + \frac{\lambda}{2}\|X\|_F^2", "X",
      lambda v: float(np.sum(v.A * v.X)) + v.lam / 2 * fro2(v.X), {"A": (2, 3), "lambda": S}),
    # -- delimiters and spacing ------------------------------------------------------------------------------
    R(r"\big(x\big)^2", "x", lambda v: v.x ** 2),
    R(r"\Big(x + 1\Big)^2", "x", lambda v: (v.x + 1) ** 2),
    R(r"\left(x\right)^2", "x", lambda v: v.x ** 2),
    R(r"\bigl(x - 1\bigr)^2", "x", lambda v: (v.x - 1) ** 2),
    R(r"x\!\cdot\! y", "x", lambda v: v.x * v.y, {"y": S}),
    R(r"x \, y", "x", lambda v: v.x * v.y, {"y": S}),
    R(r"x \; + \; 1", "x", lambda v: v.x + 1),
    R(r"x\quad + \qquad y", "x", lambda v: v.x + v.y, {"y": S}),
    # -- cases ------------------------------------------------------------------------------------------------
    R(r"\begin{cases} x & \text{if } x > 0 \\ 0 & \text{otherwise} \end{cases}", "x", lambda v: relu(v.x)),
    R(r"\begin{cases} x & x \ge 0 \\ -x & x < 0\end{cases}", "x", lambda v: abs(v.x)),
    R(r"\begin{cases} 1 & x\geq 0 \\ 0 & \text{otherwise}\end{cases}", "x", lambda v: ind(v.x >= 0)),
    R(r"\begin{cases} -1 & x \le 0 \\ 1 & x > 0\end{cases}", "x", lambda v: 1.0 if v.x > 0 else -1.0),
    R(r"\begin{cases} 0 & x \leq 0\\ x & 0 < x \le 1 \\ 1 & x > 1\end{cases}", "x",
      lambda v: min(max(v.x, 0.0), 1.0)),
    R(r"\begin{cases} \frac12 x^2 & |x| \le 1 \\ |x| - \frac12 & \text{otherwise}\end{cases}", "x",
      lambda v: huber(v.x)),
    R(r"\begin{cases} \frac{1}{2}x^2 & \text{if } |x| \le \delta \\ "
      r"\delta\left(|x| - \frac12\delta\right) & \text{otherwise}\end{cases}", "x",
      lambda v: huber(v.x, v.delta), {"delta": S}, positive=["delta"]),
    # the parameter as a subscript, as symderiv prints these primitives
    R(r"\operatorname{LeakyReLU}_{0.1}(x)", "x", lambda v: max(v.x, 0.1 * v.x)),
    R(r"\operatorname{Huber}_{2}(x)", "x", lambda v: huber(v.x, 2.0)),
    R(r"\operatorname{Huber}_\delta(x)", "x", lambda v: huber(v.x, v.delta), {"delta": S}, positive=["delta"]),
    R(r"\operatorname{soft}_{\frac12}(x)", "x", lambda v: np.sign(v.x) * max(abs(v.x) - 0.5, 0.0)),
    R(r"\begin{cases} x^2 & {\rm if}\; x<0 \\ x & {\rm otherwise}\end{cases}", "x",
      lambda v: v.x ** 2 if v.x < 0 else v.x),
    R(r"\left\{\begin{array}{ll} x & x>0 \\ 0 & \text{otherwise}\end{array}\right.", "x",
      lambda v: relu(v.x)),
    R(r"\begin{cases} x, & \text{if } x \ge 1, \\ 0, & \text{if } x < 1. \end{cases}", "x",
      lambda v: v.x if v.x >= 1 else 0.0),
    R(r"\begin{cases} x & a < x \le b \\ 0 & \text{otherwise}\end{cases}", "x",
      lambda v: v.x if v.a < v.x <= v.b else 0.0, {"a": S, "b": S}),
    R(r"\begin{cases} x & -1 < x \leq 1 \\ 0 & \text{else}\end{cases}", "x",
      lambda v: v.x if -1 < v.x <= 1 else 0.0),
    R(r"\begin{cases} x - 1 & x \geq 1 \\ 0 & -1 < x < 1 \\ x + 1 & x \le -1\end{cases}", "x",
      lambda v: v.x - 1 if v.x >= 1 else (v.x + 1 if v.x <= -1 else 0.0)),
    # review 6: a bare function of a number takes the letters after it; π is the number;
    # x_1 beside a vector x is its entry; σ(x)^T keeps x a vector through σ
    R(r"\sin 2x", "x", lambda v: math.sin(2 * v.x), notes=[r"\sin 2x read as \sin(2x)"]),
    R(r"3\cos 2x + \sin 2 \cdot x", "x", lambda v: 3 * math.cos(2 * v.x) + math.sin(2) * v.x),
    R(r"\sin\pi x + \cos \frac{\pi}{2} x", "x", lambda v: math.sin(math.pi * v.x) + math.cos(math.pi / 2 * v.x)),
    R(r"\sin a x + \sin xy", "x", lambda v: math.sin(v.a * v.x) + math.sin(v.x * v.y), {"a": S, "y": S}),
    R(r"\sin^2 2x + \sin\cos 2x", "x", lambda v: math.sin(2 * v.x) ** 2 + math.sin(math.cos(2 * v.x))),
    R(r"\sin 2|x| + \cos^2 3x", "x", lambda v: math.sin(2 * abs(v.x)) + math.cos(3 * v.x) ** 2),
    R(r"\exp x^Tx", "v", lambda v: math.exp((v.x.T @ v.x).item())),
    R(r"\sin 2x^Ty", "v", lambda v: math.sin(2 * (v.x.T @ v.y).item()), {"y": (3, 1)}),
    R(r"\sin 2\sigma(x) + \sin x \cos y", "x", lambda v: math.sin(2 * max(v.x, 0)) + math.sin(v.x) * math.cos(v.y),
      {"y": S}),
    R(r"\sum_{i,j}\sin 2x_{ij}", "X", lambda v: float(np.sum(np.sin(2 * v.X)))),
    R(r"2\pi x + \sin(\pi x)", "x", lambda v: 2 * math.pi * v.x + math.sin(math.pi * v.x), notes=["π"]),
    R(r"x^\top x + 3x_1", "v", lambda v: (v.x.T @ v.x).item() + 3 * v.x[0, 0], notes=["x_1 is entry 1 of the vector x"]),
    R(r"\|x\|_2^2 - x_{3}", "v", lambda v: (v.x.T @ v.x).item() - v.x[2, 0]),
    R(r"\sigma(x)^T A\sigma(x)", "v", lambda v: (relu(v.x).T @ v.A @ relu(v.x)).item(), {"A": (3, 3)}),
    R(r"\sum_{i,j}\begin{cases} x_{ij} & x_{ij}\le 1 \\ 1 & \text{otherwise}\end{cases}", "X",
      lambda v: float(np.sum(np.minimum(v.X, 1)))),
    R(r"\sum_{i,j} \mathbb{1}_{x_{ij}>1}", "X", lambda v: float(np.sum(v.X > 1))),
    R(r"|x|^\top A |x|", "v", lambda v: (np.abs(v.x).T @ v.A @ np.abs(v.x)).item(), {"A": (3, 3)}),
    # -- absolute values --------------------------------------------------------------------------------------
    R(r"|x|", "x", lambda v: abs(v.x)),
    R(r"\left|x\right|", "x", lambda v: abs(v.x)),
    R(r"\lvert x\rvert", "x", lambda v: abs(v.x)),
    R(r"\left\lvert x \right\rvert", "x", lambda v: abs(v.x)),
    R(r"\vert x \vert", "x", lambda v: abs(v.x)),
    R(r"\big|x\big|", "x", lambda v: abs(v.x)),
    R(r"|x| + |y|", "x", lambda v: abs(v.x) + abs(v.y), {"y": S}),
    R(r"|x - 1|^2", "x", lambda v: (v.x - 1) ** 2),
    R(r"\langle J, |X|\rangle", "X", lambda v: float(np.sum(np.abs(v.X))),
      notes=["|A| of a matrix is taken entrywise"]),
    # -- smooth maps ------------------------------------------------------------------------------------------
    R(r"\exp(x)", "x", lambda v: math.exp(v.x)),
    R(r"\exp(-x^2)", "x", lambda v: math.exp(-v.x ** 2)),
    R(r"\log(1 + x^2)", "x", lambda v: math.log(1 + v.x ** 2)),
    R(r"\ln(1+x^2)", "x", lambda v: math.log(1 + v.x ** 2)),
    R(r"\log(\lambda)\, x", "x", lambda v: math.log(v.lam) * v.x, {"lambda": S}, positive=["lambda"]),
    R(r"\log\left(1 + \exp(x)\right)", "x", lambda v: math.log(1 + math.exp(v.x))),
    R(r"\tanh(x)", "x", lambda v: math.tanh(v.x)),
    R(r"\tanh x", "x", lambda v: math.tanh(v.x)),
    R(r"\arctan(x) + \operatorname{atan}(2x)", "x", lambda v: math.atan(v.x) + math.atan(2 * v.x)),
    R(r"\sum_{i,j}\cosh(x_{ij}) - \sinh(\max(x_{12}, 0))", "X",
      lambda v: float(np.sum(np.cosh(v.X))) - math.sinh(max(v.X[0, 1], 0.0))),
    R(r"\langle J, \exp(X)\rangle", "X", lambda v: float(np.sum(np.exp(v.X))),
      notes=["exp of a matrix is taken entrywise"]),
    R(r"\|\tanh(X)\|_F^2", "X", lambda v: fro2(np.tanh(v.X))),
    # -- macros ------------------------------------------------------------------------------------------------
    R(r"\def\o{{\tt1}} x + \o", "x", lambda v: v.x + 1),
    R(r"\def\o{{\tt1}} \|X + \o\|_F^2", "X", lambda v: fro2(v.X + 1),
      notes=["a scalar added to a matrix is added to every entry"]),
    R(r"\def\n#1{\left\|#1\right\|} \n{X}_F^2", "X", lambda v: fro2(v.X)),
    R(r"\newcommand{\inner}[2]{\langle #1, #2\rangle} \inner{A}{X}", "X",
      lambda v: float(np.sum(v.A * v.X)), {"A": (2, 3)}),
    R(r"\def\t{\operatorname{trace}} \t(X)", "X3", lambda v: np.trace(v.X)),
    R(r"\def\r{\operatorname{\sigma}} \|\r(X)\|_F^2", "X", lambda v: fro2(relu(v.X))),
    R(r"\let\s=\sigma \s(x)", "x", lambda v: relu(v.x)),
    # -- J and I ------------------------------------------------------------------------------------------------
    R(r"\|X - I\|_F^2", "X3", lambda v: fro2(v.X - np.eye(3))),
    R(r"\|X - J\|_F^2", "X", lambda v: fro2(v.X - 1)),
    R(r"\operatorname{tr}(X^T(X + J))", "X", lambda v: fro2(v.X) + float(np.sum(v.X))),
    # -- vectors -------------------------------------------------------------------------------------------------
    R(r"\|x\|_2^2", "v", lambda v: fro2(v.x)),
    R(r"\|x\|^2", "v", lambda v: fro2(v.x)),
    R(r"\|x\|_1", "v", lambda v: float(np.sum(np.abs(v.x)))),
    R(r"x^TAx", "v", lambda v: (v.x.T @ v.A @ v.x)[0, 0], {"A": (3, 3)}),
    R(r"x'Ax", "v", lambda v: (v.x.T @ v.A @ v.x)[0, 0], {"A": (3, 3)}, notes=["x' read as the transpose of x"]),
    R(r"\|Ax - b\|_2^2", "v", lambda v: fro2(v.A @ v.x - v.b), {"A": (2, 3), "b": (2, 1)}),
    R(r"\mathbf{1}^T\max(Ax - b, 0)", "v", lambda v: float(np.sum(relu(v.A @ v.x - v.b))),
      {"A": (2, 3), "b": (2, 1)}),
    # -- neighbours the front end had to learn --------------------------------------------------------------------
    R(r"\|X\|_{\rm{F}}^2", "X", lambda v: fro2(v.X)),
    R(r"\|X\|_{\rm Fro}", "X", lambda v: fro(v.X)),
    R(r"\|X\|_{\text{Fro}}^2", "X", lambda v: fro2(v.X)),
    # on a matrix the induced norms, as NumPy's norm(X, 1) and norm(X, inf) (issue 13)
    R(r"\|X\|_1", "X", lambda v: float(np.linalg.norm(v.X, 1)), notes=["||A||_1 of a matrix is the induced 1-norm"]),
    R(r"\|X\|_\infty", "X", lambda v: float(np.linalg.norm(v.X, np.inf)),
      notes=["||A||_inf of a matrix is the induced inf-norm"]),
    R(r"\|x\|_\infty", "v", lambda v: float(np.linalg.norm(v.x.ravel(), np.inf))),
    R(r"\|x\|_{\infty}", "v", lambda v: float(np.linalg.norm(v.x.ravel(), np.inf))),
    R(r"\|x\|_3", "v", lambda v: float(np.linalg.norm(v.x.ravel(), 3))),
    R(r"\|x\|_{3/2}", "v", lambda v: float(np.linalg.norm(v.x.ravel(), 1.5))),
    R(r"\left< A, X\right>", "X", lambda v: float(np.sum(v.A * v.X)), {"A": (2, 3)}),
    R(r"\langle A, X\rangle_F", "X", lambda v: float(np.sum(v.A * v.X)), {"A": (2, 3)}),
    R(r"\max(x, y, 0)", "x", lambda v: max(v.x, v.y, 0.0), {"y": S}),
    R(r"\min\{x, y, 1\}", "x", lambda v: min(v.x, v.y, 1.0), {"y": S}),
    R(r"e^{-x^2}", "x", lambda v: math.exp(-v.x ** 2), notes=[r"e^{u} read as \exp(u)"]),
    R(r"\log(1 + e^x)", "x", lambda v: math.log(1 + math.exp(v.x))),
    R(r"\sum_{i,j} e^{x_{ij}}", "X", lambda v: float(np.sum(np.exp(v.X)))),
    R(r"\tanh^2(x)", "x", lambda v: math.tanh(v.x) ** 2, notes=[r"\tanh^2(x) read as (\tanh(x))^{2}"]),
    R(r"\sin^2 x + \cos^2 x", "x", lambda v: 1.0),
    R(r"tanh^2(x)", "x", lambda v: math.tanh(v.x) ** 2),
    R(r"\begin{cases} x & \text{if $x > 0$} \\ 0 & \text{otherwise} \end{cases}", "x",
      lambda v: relu(v.x)),
    R(r"\begin{cases} |x| & \text{$|x| \le 1$,} \\ 1 & \text{otherwise.} \end{cases}", "x",
      lambda v: min(abs(v.x), 1.0)),
    R(r"\operatorname{tr}(X^\prime A)", "X", lambda v: float(np.sum(v.X * v.A)), {"A": (2, 3)},
      notes=[r"X^\prime read as the transpose of X"]),
    R(r"\operatorname{tr}(X^{\prime}A)", "X", lambda v: float(np.sum(v.X * v.A)), {"A": (2, 3)}),
    R(r"\mathbb{I}[x>0]", "x", lambda v: ind(v.x > 0), notes=["read as an indicator"]),
    R(r"\mathbb{I}_{x \ge 0}", "x", lambda v: ind(v.x >= 0)),
    R(r"1[x>0]", "x", lambda v: ind(v.x > 0)),
    R(r"\mathbb{1}_{[x>0]}", "x", lambda v: ind(v.x > 0)),
    R(r"\langle A, \mathbb{I}[X > 0]\rangle", "X", lambda v: float(np.sum(v.A * (v.X > 0))), {"A": (2, 3)}),
    R(r"(x)_-", "x", lambda v: relu(-v.x), notes=["(x)_- read as the negative part"]),
    R(r"(x)_+ - x^-", "x", lambda v: v.x),
    R(r"\|(X)_-\|_F^2", "X", lambda v: fro2(relu(-v.X))),
    R(r"\def\o{{\tt1}} \o:X", "X", lambda v: float(np.sum(v.X)),
      notes=["1 paired with a matrix in A:B or <A, B> read as the all-ones matrix"]),
    R(r"\def\o{{\tt1}} \langle\o, |X|\rangle", "X", lambda v: float(np.sum(np.abs(v.X)))),
]


# ---- the points ---------------------------------------------------------------------------------------------

ON_KINKS = [Fr(0), Fr(0), Fr(1), Fr(-1), Fr(1, 2), Fr(-3, 2), Fr(2)]


def _draw(rng, shape, kind, positive=False):
    out = np.empty(shape, dtype=object)
    for idx in np.ndindex(shape):
        if kind == "kink":
            v = rng.choice(ON_KINKS)
        else:
            v = Fr(rng.randint(-40, 40), rng.choice((1, 2, 3, 7, 16)))
        if positive:
            v = abs(v) + Fr(1, 3)
        out[idx] = v
    return out


def points(row: Row, rng):
    """Three points: one with exact zeros, one generic, one with entries on 0 and +-1."""
    name, shape = VARS[row.var]
    out = []
    for k, kind in enumerate(("kink", "generic", "kink")):
        values = {name: _draw(rng, shape, kind)}
        if k == 0:
            values[name][0, 0] = Fr(0)
        for other, oshape in row.others:
            values[other] = _draw(rng, oshape, "generic", other in row.positive)
        out.append(values)
    return out


def to_float(v) -> float:
    if isinstance(v, (int, Fr)):
        return float(v)
    return float(sp.N(as_sympy(v), 30))


def namespace(values: dict) -> SimpleNamespace:
    """The point as floats for the NumPy side: scalars as floats, 'lambda' as lam."""
    ns = {}
    for k, a in values.items():
        f = np.vectorize(float, otypes=[float])(a)
        ns["lam" if k == "lambda" else k] = float(f[0, 0]) if a.shape == (1, 1) else f
    return SimpleNamespace(**ns)


def check_close(got, want, where):
    want = float(np.asarray(want, dtype=float))
    assert math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-9), f"{where}: got {got}, want {want}"


# ---- the tests ---------------------------------------------------------------------------------------------


def test_table_is_large():
    assert len(SPELLINGS) >= 110
    assert len({r.tex for r in SPELLINGS}) == len(SPELLINGS)


@pytest.mark.parametrize("row", SPELLINGS, ids=[r.tex for r in SPELLINGS])
def test_spelling_means_what_it_says(row):
    parsed = parse(row.tex)
    rng = random.Random(row.tex)
    name, _ = VARS[row.var]
    for values in points(row, rng):
        problem = build(parsed.term, parsed.source, values=values, wrt=name)
        assert problem.var.name == name
        got = to_float(Evaluator(values, {})(problem.f)[0, 0])
        check_close(got, row.want(namespace(values)), f"{row.tex} at {values}")
    notes = list(parsed.notes) + list(problem.notes)
    for want in row.notes:
        assert any(want in n for n in notes), f"no note {want!r} in {notes}"


def test_root_of_sum_of_squares_is_the_frobenius_norm():
    """Not only equal values: the same node, so the analysis sees the norm (kink only at 0)."""
    values = {"X": _draw(random.Random(0), (2, 3), "generic")}
    nodes = []
    for tex in (r"\sqrt{\sum_{i,j} x_{ij}^2}", r"\|X\|_F", r"\sqrt{\sum_{i=1}^m\sum_{j=1}^n X_{ij}^2}"):
        p = parse(tex)
        nodes.append(build(p.term, p.source, values=values, wrt="X").f)
    assert nodes[0] == nodes[1] == nodes[2]


@pytest.mark.parametrize("tex", [
    r"\begin{cases} x & x > 0 \\ 0 & x \le 0 \end{cases}",
    r"\begin{cases} 1 & x > 0 \\ 0 & x = 0 \\ -1 & x < 0 \end{cases}",
    r"\begin{cases} 0 & x < -1 \\ x + 1 & -1 \le x < 0 \\ 1 & x \ge 0 \end{cases}",
])
def test_cases_that_cover_everything_are_not_called_partial(tex):
    p = parse(tex)
    problem = build(p.term, p.source, values={"x": _draw(random.Random(1), (1, 1), "generic")}, wrt="x")
    assert not any("undefined elsewhere" in n for n in problem.notes)


def test_cases_with_a_gap_are_refused_and_cases_that_cover_are_read():
    # a gap (x = 0 here) would leave f undefined there: refused, never given a value
    p = parse(r"\begin{cases} 1 & x > 0 \\ -1 & x < 0 \end{cases}")
    with pytest.raises(Unsupported, match="leave some values undefined"):
        build(p.term, p.source, values={"x": np.array([[Fr(1)]], dtype=object)}, wrt="x")
    p = parse(r"\begin{cases}x^2&x>0\\ x & x<-1\end{cases}")
    with pytest.raises(Unsupported, match="leave some values undefined"):
        build(p.term, p.source, wrt="x")
    # rows that cover every value between them: the last holds wherever the others do not
    a = analyze(r"\begin{cases} 1 & x>0 \\ 0 & x<0 \\ 5 & x=0 \end{cases}", wrt="x", at="0")
    assert a.point.value == 5 and a.verdict.continuous is False
    for x, want in ((0.5, 1), (-2, 0)):
        assert analyze(r"\begin{cases} 1 & x>0 \\ 0 & x<0 \\ 5 & x=0 \end{cases}", wrt="x",
                       at=str(x)).point.value == want


# Spellings the front end must refuse rather than guess at (or read as something else):
# each names the construct, as an InputError (exit 2) or Unsupported (exit 3).
REFUSED = [
    (r"x^-1", "x", InputError, "'^-1' is ambiguous"),
    (r"x^+1", "x", InputError, "'^+1' is ambiguous"),
    (r"\sin^{-1}(x)", "x", InputError, r"the inverse function \sin^{-1}"),
    (r"\sigma'(x)", "x", InputError, r"the derivative \sigma' of a function"),
    (r"\tanh^{\prime}(x)", "x", InputError, r"the derivative \tanh^{\prime} of a function"),
    (r"\|x\|_p", "v", Unsupported, "the norm ||.||_p"),
    (r"\operatorname{diag}(X)", "X", Unsupported, "diag(.)"),
    (r"\|X^2\|_F", "X", InputError, "a power of a non-square 2x3 matrix"),
    (r"\langle A, X\rangle_2", "X", InputError, "unknown inner product subscript '2'"),
    (r"\max(X, 0)", "X", Unsupported, "not a scalar"),
    (r"x + max", "x", InputError, "'max' spells the function max but has no argument"),
]


@pytest.mark.parametrize("tex,var,error,message", REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_spellings_name_the_construct(tex, var, error, message):
    name, shape = VARS[var]
    values = {name: _draw(random.Random(2), shape, "generic"),
              "A": _draw(random.Random(3), (2, 3), "generic")}
    with pytest.raises(error) as info:
        p = parse(tex)
        build(p.term, p.source, values=values, wrt=name)
    assert message in info.value.message


def _text(a) -> str:
    if a.shape == (1, 1):
        return str(a[0, 0])
    return "[" + ",".join("[" + ",".join(str(v) for v in r) + "]" for r in a) + "]"


LET_ROWS = [
    # --let sigma=tanh rebinds \sigma: no longer ReLU
    (r"\sigma(x)", "x", ["sigma=tanh"], lambda v: math.tanh(v.x)),
    (r"\|\sigma(X)\|_F^2", "X", ["sigma=tanh"], lambda v: fro2(np.tanh(v.X))),
    (r"\langle A, \sigma(X)\rangle", "X", ["sigma=\\tanh", "A=[[1,-2,0],[1/2,3,-1]]"],
     lambda v: float(np.sum(np.array([[1, -2, 0], [0.5, 3, -1]]) * np.tanh(v.X)))),
    # without --let, \sigma is ReLU, and the output says so
    (r"\|\sigma(X)\|_F^2", "X", [], lambda v: fro2(relu(v.X))),
    (r"\lambda\|\max(X,0)\|_F^2", "X", ["lambda=3/2"], lambda v: 1.5 * fro2(relu(v.X))),
]


@pytest.mark.parametrize("tex,var,let,want", LET_ROWS, ids=[f"{r[0]} {r[2]}" for r in LET_ROWS])
def test_analyze_at_a_point(tex, var, let, want):
    rng = random.Random(tex + str(let))
    name, shape = VARS[var]
    for kind in ("kink", "generic"):
        at = _draw(rng, shape, kind)
        analysis = analyze(tex, wrt=name, at=_text(at), let=let, route="sign")
        check_close(to_float(analysis.point.value), want(namespace({name: at})), f"{tex} at {at}")
        if r"\sigma" not in tex:
            continue
        if not any(item.startswith("sigma") for item in let):
            assert NOTE_SIGMA in analysis.notes
            assert not any("--let sigma" in n for n in analysis.notes)
        else:
            assert r"\sigma is tanh (--let sigma=tanh)" in analysis.notes


def test_e_to_a_matrix_is_entrywise_and_says_so():
    """e^{X} of a matrix: entrywise by the convention of matrix calculus, stated in the notes."""
    from fractions import Fraction
    from symderiv.api import analyze
    a = analyze(r"\|e^{X}\|_F^2", at="[[0, 1/2], [1, -1]]")
    X = np.array([[0, 0.5], [1, -1]])
    assert abs(float(a.point.value) - float(np.sum(np.exp(2 * X)))) < 1e-9
    assert any("entrywise (not the matrix exponential)" in n for n in a.notes)
