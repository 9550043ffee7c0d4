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
    """Is g in conv(gens)?  With few generators, exactly by Caratheodory: g is in the hull iff
    it is a convex combination of at most dim + 1 of them, each such system solved directly
    (a point on a face, with some weights 0, is found as surely as an inner one).  Otherwise
    Frank-Wolfe on min ||sum w_k v_k - g||^2 over the simplex, which converges slowly onto a
    face and may say no to a point on the boundary."""
    V = np.array(gens)
    if len(gens) <= 12:
        for r in range(1, min(len(gens), g.size + 1) + 1):
            for idx in itertools.combinations(range(len(gens)), r):
                A = np.vstack([V[list(idx)].T, np.ones(r)])
                w = np.linalg.lstsq(A, np.append(g, 1.0), rcond=None)[0]
                if w.sum() <= 0:
                    continue
                w = w / w.sum()         # exactly on the simplex's plane; the residual is then judged
                if w.min() >= -1e-9 and np.linalg.norm(w @ V[list(idx)] - g) <= tol:
                    return True
        return False
    w = np.full(len(gens), 1.0 / len(gens))
    for _ in range(2000):
        r = w @ V - g
        if np.linalg.norm(r) <= tol / 2:
            return True          # the residual only decreases from here: the answer is already known
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


# ---------------------------------------------------------------- high precision, exact points
#
# For functions written with plain Python operations (abs, max, min, +, *, ** and the
# trigonometric functions of a namespace ``m``), mpmath at 60 digits gives one-sided
# difference quotients whose error is far below any tolerance a test needs: a step of
# 1e-20 leaves O(1e-20) of truncation error and O(1e-40) of rounding.  The points are
# exact (Fractions or mpmath constants such as pi/2), so a point on a switch or a tie is
# exactly on it and never a float that merely looks close.

import mpmath as _mp

MP_DPS = 60
MP_H = _mp.mpf("1e-20")


def _mpv(X):
    with _mp.workdps(MP_DPS):
        return [_mp.mpf(x.numerator) / x.denominator if hasattr(x, "denominator") else _mp.mpf(x) for x in X]


def mp_directional(f, X, D, h=None) -> "_mp.mpf":
    """f'(X; D) from the right, at 60 digits, Richardson-extrapolated (error O(h^2))."""
    with _mp.workdps(MP_DPS):
        h = MP_H if h is None else _mp.mpf(h)
        X = _mpv(X)
        D = [_mp.mpf(d) for d in D]
        fx = f(*X)

        def q(s):
            return (f(*[x + s * d for x, d in zip(X, D)]) - fx) / s
        return 2 * q(h / 2) - q(h)


def mp_probe_directions(n: int, seed: int = 5) -> list:
    """The axes, their negatives, and a few fixed generic directions."""
    import random
    rng = random.Random(seed)
    out = []
    for i in range(n):
        e = [0] * n
        e[i] = 1
        out += [e, [-c for c in e]]
    for _ in range(4 if n > 1 else 0):
        out.append([rng.choice((-1, 1)) * rng.randint(1, 9) / rng.randint(1, 9) for _ in range(n)])
    return out


def mp_differentiable(f, X, tol=1e-12):
    """(differentiable?, gradient or None) at X for a piecewise-C^1 f: the directional
    derivative D -> f'(X; D) is linear (for a PC^1 function this is Fréchet
    differentiability: its directional derivative is its B-derivative)."""
    n = len(X)
    g = [mp_directional(f, X, [1 if j == i else 0 for j in range(n)]) for i in range(n)]
    for D in mp_probe_directions(n):
        lin = sum(gi * d for gi, d in zip(g, D))
        if abs(mp_directional(f, X, D) - lin) > tol * (1 + abs(lin)):
            return False, None
    return True, [float(v) for v in g]


def mp_one_sided_k(f, X, D, k: int, h="1e-9") -> float:
    """The k-th derivative of t -> f(X + tD) at t = 0+, by forward differences at 60
    digits (Richardson: error O(h^2))."""
    from math import comb
    with _mp.workdps(MP_DPS):
        X = _mpv(X)
        D = [_mp.mpf(d) for d in D]
        h = _mp.mpf(h)

        def fd(s):
            return sum((-1) ** (k - i) * comb(k, i) * f(*[x + i * s * d for x, d in zip(X, D)])
                       for i in range(k + 1)) / s ** k
        return float(2 * fd(h / 2) - fd(h))


def mp_jump_order(f, X, D, kmax: int = 4, tol=1e-5):
    """Along the line X + tD, the first order j in 1..kmax whose one-sided derivatives
    differ at t = 0 (None: none up to kmax).  A jump at order j means f is not C^j."""
    for j in range(1, kmax + 1):
        right = mp_one_sided_k(f, X, D, j)
        left = (-1) ** j * mp_one_sided_k(f, X, [-d for d in D], j)
        if abs(right - left) > tol * (1 + abs(right) + abs(left)):
            return j
    return None


def one_d_clarke(f, x):
    """For a piecewise-C^1 function of one variable: [min, max] of its one-sided slopes
    (the hull of the gradients of the pieces that meet at x)."""
    right = mp_directional(f, [x], [1])
    left = -mp_directional(f, [x], [-1])
    return float(min(left, right)), float(max(left, right))
