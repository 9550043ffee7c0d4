"""Record CVXPY's DCP curvature of the functions tests/test_curvature.py checks symderiv on.

Run with CVXPY installed (not a dependency of symderiv: a venv of its own, e.g.
`python3 -m venv /tmp/cvx && /tmp/cvx/bin/pip install cvxpy`):

    /tmp/cvx/bin/python tests/record_cvxpy_curvature.py > tests/cvxpy_curvature.json

Each row: the LaTeX symderiv reads, the variable, the --let data, the same function
built from CVXPY's atoms, and CVXPY's curvature of it (UNKNOWN where its rules cannot
certify, or where CVXPY refuses to build the product).  CVXPY's x is a scalar, v a
2-vector, X a 2x2 matrix; PSD, NSD, IND, B are the --let matrices.
"""
import json

import cvxpy as cp
import numpy as np

x = cp.Variable(name="x")
v = cp.Variable(2, name="v")
X = cp.Variable((2, 2), name="X")
PSD = np.array([[2., 1.], [1., 2.]])
NSD = -PSD
IND = np.array([[1., 2.], [2., 1.]])
B = np.array([[1., 2.], [3., 4.]])
# Where CVXPY's atom is another function than the LaTeX (it restricts the domain), what
# symderiv must say instead
DIFFERS = {
    r"\frac{1}{x}": {
        "why": "CVXPY's inv_pos is 1/x on x > 0 only (+inf elsewhere); symderiv's 1/x is defined on x != 0, "
               "a domain that is not convex, so it gives no single curvature and states each piece",
        "symderiv_curvature": None, "reason_contains": "convex where x > 0"},
    r"x^3": {
        "why": "CVXPY's power(x, 3) is x^3 on x >= 0 only (+inf elsewhere); symderiv's x^3 is defined on all "
               "of R, where it is neither convex nor concave",
        "symderiv_curvature": "neither", "reason_contains": "counterexamples"},
}

rows = [
 # latex, wrt, let, the CVXPY expression as text, a function building it (None: no atom)
 (r"|x|", "x", [], "cp.abs(x)", lambda: cp.abs(x)),
 (r"x^2", "x", [], "cp.square(x)", lambda: cp.square(x)),
 (r"x^4", "x", [], "cp.power(x, 4)", lambda: cp.power(x, 4)),
 (r"x^{3/2}", "x", [], "cp.power(x, 1.5)", lambda: cp.power(x, 1.5)),
 (r"\sqrt{x}", "x", [], "cp.sqrt(x)", lambda: cp.sqrt(x)),
 (r"\log x", "x", [], "cp.log(x)", lambda: cp.log(x)),
 (r"e^{x}", "x", [], "cp.exp(x)", lambda: cp.exp(x)),
 (r"-x\log x", "x", [], "cp.entr(x)", lambda: cp.entr(x)),
 (r"x\log x", "x", [], "-cp.entr(x)", lambda: -cp.entr(x)),
 (r"\log(1 + e^{x})", "x", [], "cp.logistic(x)", lambda: cp.logistic(x)),
 (r"\frac{1}{x}", "x", [], "cp.inv_pos(x)", lambda: cp.inv_pos(x)),
 (r"\log(e^{v_1} + e^{v_2})", "v", [], "cp.log_sum_exp(v)", lambda: cp.log_sum_exp(v)),
 (r"\log(\sum_i e^{x_i})", "x", [], "cp.log_sum_exp(x) (x in R^n)", lambda: cp.log_sum_exp(v)),
 (r"|v_1| + |v_2|", "v", [], "cp.norm1(v)", lambda: cp.norm1(v)),
 (r"\sum_{i,j}|x_{ij}|", "X", [], "cp.sum(cp.abs(X))", lambda: cp.sum(cp.abs(X))),
 (r"\|X\|_F", "X", [], "cp.norm(X, 'fro')", lambda: cp.norm(X, "fro")),
 (r"\sqrt{v_1^2 + v_2^2}", "v", [], "cp.norm2(v)", lambda: cp.norm2(v)),
 (r"\max(|v_1|, |v_2|)", "v", [], "cp.norm_inf(v)", lambda: cp.norm_inf(v)),
 (r"\max(v_1, v_2)", "v", [], "cp.max(v)", lambda: cp.max(v)),
 (r"\min(v_1, v_2)", "v", [], "cp.min(v)", lambda: cp.min(v)),
 (r"\max(x, 0)", "x", [], "cp.pos(x)", lambda: cp.pos(x)),
 (r"\max(-x, 0)", "x", [], "cp.neg(x)", lambda: cp.neg(x)),
 (r"\max(x,0)^2", "x", [], "cp.square(cp.pos(x))", lambda: cp.square(cp.pos(x))),
 (r"\operatorname{Huber}_{1}(x)", "x", [], "cp.huber(x, 1) / 2", lambda: cp.huber(x, 1) / 2),
 (r"x^T A x", "x", ["A=[[2,1],[1,2]]"], "cp.quad_form(v, PSD)", lambda: cp.quad_form(v, PSD)),
 (r"x^T A x", "x", ["A=[[-2,-1],[-1,-2]]"], "cp.quad_form(v, NSD)", lambda: cp.quad_form(v, NSD)),
 (r"x^T A x", "x", ["A=[[1,2],[2,1]]"], "cp.quad_form(v, IND)", lambda: cp.quad_form(v, IND)),
 (r"\sum_{i,j} x_{ij}^2", "X", [], "cp.sum_squares(X)", lambda: cp.sum_squares(X)),
 (r"\|X\|_F^2", "X", [], "cp.sum_squares(X)", lambda: cp.sum_squares(X)),
 (r"\operatorname{tr}(X)", "X", [], "cp.trace(X)", lambda: cp.trace(X)),
 (r"\operatorname{tr}(AX)", "X", ["A=[[1,2],[3,4]]"], "cp.trace(A @ X)", lambda: cp.trace(B @ X)),
 (r"x_1 + 2x_2", "x", [], "v[0] + 2*v[1]", lambda: v[0] + 2 * v[1]),
 (r"-|x|", "x", [], "-cp.abs(x)", lambda: -cp.abs(x)),
 (r"\min(x, 0)", "x", [], "cp.minimum(x, 0)", lambda: cp.minimum(x, 0)),
 (r"\max(v_1, v_2)^2", "v", [], "cp.square(cp.max(v))", lambda: cp.square(cp.max(v))),
 (r"\|\max(X,0)\|_F^2", "X", [], "cp.sum_squares(cp.pos(X))", lambda: cp.sum_squares(cp.pos(X))),
 (r"(x-1)^2", "x", [], "cp.square(x - 1)", lambda: cp.square(x - 1)),
 (r"x|x|", "x", [], "cp.multiply(x, cp.abs(x))", lambda: cp.multiply(x, cp.abs(x))),
 (r"\sqrt{x^2+1}", "x", [], "cp.sqrt(cp.square(x) + 1)", lambda: cp.sqrt(cp.square(x) + 1)),
 (r"\log(\log x)", "x", [], "cp.log(cp.log(x))", lambda: cp.log(cp.log(x))),
 (r"\sqrt{1 + x^T A x}", "x", ["A=[[2,1],[1,2]]"], "cp.sqrt(1 + cp.quad_form(v, PSD))", lambda: cp.sqrt(1 + cp.quad_form(v, PSD))),
 (r"(Bx)^T(Bx)", "x", ["B=[[1,2],[3,4]]"], "(B @ v) @ (B @ v)", lambda: (B @ v) @ (B @ v)),
 (r"x^T A x", "x", ["A=[[2,1],[1,2]]"], "v @ PSD @ v", lambda: v @ PSD @ v),
 (r"\langle x, Ax\rangle", "x", ["A=[[2,1],[1,2]]"], "v @ (PSD @ v)", lambda: v @ (PSD @ v)),
 (r"\operatorname{tr}(X^T A X)", "X", ["A=[[2,1],[1,2]]"], "cp.trace(X.T @ PSD @ X)", lambda: cp.trace(X.T @ PSD @ X)),
 (r"e^{-x}", "x", [], "cp.exp(-x)", lambda: cp.exp(-x)),
 (r"\frac{1}{\sqrt{x}}", "x", [], "cp.power(x, -0.5)", lambda: cp.power(x, -0.5)),
 (r"\log(1-x^2)", "x", [], "cp.log(1 - cp.square(x))", lambda: cp.log(1 - cp.square(x))),
 (r"x^3", "x", [], "cp.power(x, 3)", lambda: cp.power(x, 3)),
 (r"\sin x", "x", [], "(no atom: CVXPY has no sin)", None),
]


def curvature(build) -> str:
    if build is None:
        return "UNKNOWN"
    try:
        return build().curvature
    except Exception:       # noqa: BLE001 - CVXPY refuses a non-DCP product: not certified
        return "UNKNOWN"


cases = []
for tex, wrt, let, text, build in rows:
    row = {"latex": tex, "wrt": wrt, "let": let, "cvxpy": text, "cvxpy_curvature": curvature(build)}
    if tex in DIFFERS:
        row["symderiv_differs"] = DIFFERS[tex]
    cases.append(row)
print(json.dumps({"cvxpy_version": cp.__version__,
                  "note": "recorded by tests/record_cvxpy_curvature.py; UNKNOWN: CVXPY's DCP analysis "
                          "cannot certify it (or has no atom for it)",
                  "cases": cases}, indent=1, ensure_ascii=False))
