"""An independent numeric oracle for derivative claims.

It knows nothing of symderiv: it is handed a plain NumPy function written by hand in
the test and checks claims about it with one-sided difference quotients (Richardson-
extrapolated), random directions, random points and points with exact zeros.
"""
from __future__ import annotations

import itertools

import numpy as np

H = 1e-5


def one_sided(f, X, D, h=H) -> float:
    """f'(X; D) from the right: (f(X + hD) - f(X))/h, with the O(h) error removed."""
    X = np.asarray(X, dtype=float)
    D = np.asarray(D, dtype=float)
    fx = f(X)
    d1 = (f(X + h * D) - fx) / h
    d2 = (f(X + (h / 2) * D) - fx) / (h / 2)
    return 2 * d2 - d1


def numeric_gradient(f, X, h=1e-6) -> np.ndarray:
    X = np.asarray(X, dtype=float)
    G = np.zeros_like(X)
    for idx in np.ndindex(X.shape):
        E = np.zeros_like(X)
        E[idx] = 1
        G[idx] = (f(X + h * E) - f(X - h * E)) / (2 * h)
    return G


def clean_gradient(f, X, h):
    """The gradient at X by differences, or None when X is within h of a kink (forward
    and backward differences disagree): such a sample would average two pieces."""
    X = np.asarray(X, dtype=float)
    G = np.zeros_like(X)
    fx = f(X)
    for idx in np.ndindex(X.shape):
        E = np.zeros_like(X)
        E[idx] = 1
        fwd = (f(X + h * E) - fx) / h
        bwd = (fx - f(X - h * E)) / h
        if abs(fwd - bwd) > 1e-3 * (1 + abs(fwd)):
            return None
        G[idx] = (fwd + bwd) / 2
    return G


def directions(shape, rng, count=8):
    out = []
    for idx in np.ndindex(shape):
        E = np.zeros(shape)
        E[idx] = 1
        out += [E, -E]
    for _ in range(count):
        out.append(rng.standard_normal(shape))
    return out


def check_gradient(f, X, G, rng, tol=1e-4):
    """f is differentiable at X with gradient G: every one-sided derivative is <G, D>."""
    G = np.asarray(G, dtype=float)
    scale = 1 + np.abs(G).max()
    for D in directions(np.shape(X), rng):
        got = one_sided(f, X, D)
        want = float(np.sum(G * D))
        assert abs(got - want) <= tol * scale * (1 + np.abs(D).max()), (
            f"f'(X; D) = {got}, but <G, D> = {want} for D = {D.tolist()}")


def check_not_differentiable(f, X, rng, tol=1e-3):
    """Some direction where f'(X; D) + f'(X; -D) != 0, or f'(X; .) is not additive."""
    X = np.asarray(X, dtype=float)
    ds = directions(X.shape, rng, 12)
    for D in ds:
        if abs(one_sided(f, X, D) + one_sided(f, X, -D)) > tol:
            return
    for D1, D2 in itertools.combinations(ds[-12:], 2):
        lhs = one_sided(f, X, D1 + D2)
        if abs(lhs - one_sided(f, X, D1) - one_sided(f, X, D2)) > tol:
            return
    raise AssertionError("every probe says f is differentiable here")


def support(form: dict, D: np.ndarray) -> float:
    """max over the claimed Clarke set of <G, D>."""
    kind = form["form"]
    if kind == "point":
        return float(np.sum(np.asarray(form["value"], dtype=float) * D))
    if kind == "box":
        lo = np.asarray(form["lower"], dtype=float)
        hi = np.asarray(form["upper"], dtype=float)
        return float(np.sum(np.maximum(lo * D, hi * D)))
    if kind == "hull":
        return max(float(np.sum(np.asarray(g, dtype=float) * D)) for g in form["generators"])
    if kind == "ball":
        c = np.asarray(form["center"], dtype=float)
        return float(np.sum(c * D) + float(form["radius"]) * np.linalg.norm(D))
    if kind == "described" and form.get("kind") == "scaled-ball":
        c0 = np.asarray(form["center"], dtype=float)
        W = np.asarray(form["scale"], dtype=float) * D
        sign = np.asarray(form["sign"], dtype=float)
        W = np.where(sign > 0, np.maximum(W, 0), np.where(sign < 0, np.minimum(W, 0), W))
        return float(np.sum(c0 * D) + float(form["radius"]) * np.linalg.norm(W))
    raise ValueError(kind)


def contains(form: dict, G: np.ndarray, tol=1e-3) -> bool:
    G = np.asarray(G, dtype=float)
    kind = form["form"]
    if kind == "point":
        return np.abs(G - np.asarray(form["value"], dtype=float)).max() <= tol
    if kind == "box":
        lo = np.asarray(form["lower"], dtype=float)
        hi = np.asarray(form["upper"], dtype=float)
        return bool(np.all(G >= lo - tol) and np.all(G <= hi + tol))
    if kind == "ball":
        c = np.asarray(form["center"], dtype=float)
        return np.linalg.norm(G - c) <= float(form["radius"]) + tol
    if kind == "hull":
        gens = [np.asarray(g, dtype=float).ravel() for g in form["generators"]]
        return _in_hull(G.ravel(), gens, tol)
    if kind == "described" and form.get("kind") == "scaled-ball":
        V = G - np.asarray(form["center"], dtype=float)
        c = np.asarray(form["scale"], dtype=float)
        sign = np.asarray(form["sign"], dtype=float)
        if np.any(np.abs(V[c == 0]) > tol):
            return False
        U = np.where(c != 0, V / np.where(c == 0, 1, c), 0)
        if np.any(U[sign > 0] < -tol) or np.any(U[sign < 0] > tol):
            return False
        return np.linalg.norm(U) <= float(form["radius"]) + tol
    raise ValueError(kind)


def _in_hull(g, gens, tol) -> bool:
    """Is g in conv(gens)?  Frank-Wolfe on min ||sum w_k v_k - g||^2 over the simplex."""
    V = np.array(gens)
    w = np.full(len(gens), 1.0 / len(gens))
    for _ in range(2000):
        r = w @ V - g
        grad = V @ r
        k = int(np.argmin(grad))
        d = -w
        d[k] += 1
        step_dir = d @ V
        denom = step_dir @ step_dir
        if denom <= 1e-18:
            break
        t = min(1.0, max(0.0, -(r @ step_dir) / denom))
        w = w + t * d
    return np.linalg.norm(w @ V - g) <= tol


def check_clarke(f, X, form, rng, *, regular: bool, samples=200, radius=1e-5, tol=2e-3):
    """The claimed Clarke set at X is right.

    * every one-sided derivative is at most the set's support function (equality when f
      is regular there, e.g. convex);
    * gradients sampled at random points near X lie in the set;
    * the set is not too big: its support in each probe direction is attained by some
      sampled gradient (so every face of the set is a limit of nearby gradients).
    """
    X = np.asarray(X, dtype=float)
    probes = directions(X.shape, rng, 10)
    for D in probes:
        d = one_sided(f, X, D)
        s = support(form, D)
        assert d <= s + tol * (1 + np.abs(D).max()), f"f'(X; D) = {d} exceeds the support {s} for D = {D.tolist()}"
        if regular:
            assert abs(d - s) <= tol * (1 + np.abs(D).max()), f"f regular, yet f'(X; D) = {d} != support {s}"
    grads = []
    for _ in range(samples):
        Y = X + radius * rng.uniform(-1, 1, X.shape)
        G = clean_gradient(f, Y, h=radius * 1e-3)
        if G is not None:
            grads.append(G)
    # limiting gradients along each probe, from both sides: these reach the faces
    for D in probes:
        for s in (1, -1):
            Y = X + radius * (s * D / (np.abs(D).max() or 1) + 0.01 * rng.uniform(-1, 1, X.shape))
            G = clean_gradient(f, Y, h=radius * 1e-4)
            if G is not None:
                grads.append(G)
    assert len(grads) >= samples // 2, "too few clean samples near the point"
    for G in grads:
        assert contains(form, G, tol=tol * 10), f"a nearby gradient {G.tolist()} is outside the claimed set"
    for D in probes:
        best = max(float(np.sum(G * D)) for G in grads)
        assert best >= support(form, D) - 0.05 * (1 + np.abs(D).sum()), (
            f"no nearby gradient reaches the claimed support in direction {D.tolist()}: the set is too big")


def one_sided_k(f, X, D, k: int, h=1e-3) -> float:
    """The k-th derivative of t -> f(X + tD) at t = 0+, by forward differences (O(h^2))."""
    X = np.asarray(X, dtype=float)
    D = np.asarray(D, dtype=float)

    def fd(step):
        from math import comb
        return sum((-1) ** (k - i) * comb(k, i) * f(X + i * step * D) for i in range(k + 1)) / step ** k

    return 2 * fd(h / 2) - fd(h)


def check_class_at(f, X, D, k: int, tol=1e-2):
    """Along D through X, derivatives 1..k agree from both sides and the (k+1)-th does not."""
    for j in range(1, k + 1):
        right = one_sided_k(f, X, D, j)
        left = (-1) ** j * one_sided_k(f, X, -np.asarray(D, dtype=float), j)
        assert abs(right - left) <= tol * (1 + abs(right)), f"derivative {j} jumps: {left} vs {right}"
    j = k + 1
    right = one_sided_k(f, X, D, j)
    left = (-1) ** j * one_sided_k(f, X, -np.asarray(D, dtype=float), j)
    assert abs(right - left) > tol * (1 + abs(right)), f"derivative {j} does not jump ({left} vs {right})"
