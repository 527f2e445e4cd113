"""Two-dimensional classification sets (the explorers' and the playground's toy problems).

Batch-first: ``X`` has shape ``(N, 2)``, labels ``y`` are int64 of shape ``(N,)``; every set is drawn
from ``np.random.default_rng(seed)``, so the same seed gives the same arrays.

- ``make_moons(n_samples=200, noise=0.1, seed=0)``: two interleaving half circles;
- ``make_spirals(n_samples=300, n_classes=3, noise=0.2, seed=0)``: arms of a spiral, one per class;
- ``make_circles(n_samples=200, noise=0.1, factor=0.5, seed=0)``: a ring around a disc;
- ``make_xor(n_samples=200, noise=0.1, seed=0)``: the four quadrants, opposite ones alike.
"""
import numpy as np

from ._validate import check_int, check_real, seeded_rng

__all__ = ["make_moons", "make_spirals", "make_circles", "make_xor"]


def make_moons(n_samples=200, noise=0.1, seed=0):
    """Two interleaving half-circles, a classic non-linearly-separable problem.

    Class 0 is the upper arc ``(cos t, sin t)``, class 1 the lower arc
    ``(1 - cos t, 0.5 - sin t)``, ``t`` in ``[0, pi]`` (the geometry of
    scikit-learn's ``make_moons``). Gaussian noise of std ``noise`` is added to
    both coordinates, and the rows are shuffled.

    Returns ``X`` (N, 2) float64 and ``y`` (N,) int64 in {0, 1}; class 0 has
    ``N // 2`` points, class 1 the rest.
    """
    n = check_int(n_samples, "n_samples", "make_moons")
    noise = check_real("make_moons", "noise", noise, lo=0)
    rng = seeded_rng("make_moons", seed)
    n_out, n_in = n // 2, n - n // 2
    t_out, t_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    X = np.concatenate([
        np.column_stack([np.cos(t_out), np.sin(t_out)]),
        np.column_stack([1 - np.cos(t_in), 0.5 - np.sin(t_in)]),
    ])
    y = np.concatenate([np.zeros(n_out, np.int64), np.ones(n_in, np.int64)])
    X = X + noise * rng.standard_normal(X.shape)
    order = rng.permutation(n)
    return X[order], y[order]


def make_spirals(n_samples=300, n_classes=3, noise=0.2, seed=0):
    """The CS231n spiral: ``n_classes`` arms winding out of the origin.

    Arm ``k`` has radius ``r`` running 0 -> 1 and angle ``4k .. 4(k+1)``
    radians plus Gaussian noise of std ``noise`` (on the angle), the point
    being ``(r sin t, r cos t)``. Samples are split as evenly as possible
    between the arms and the rows are shuffled.

    Returns ``X`` (N, 2) float64 and ``y`` (N,) int64 in ``0..n_classes-1``.
    """
    n = check_int(n_samples, "n_samples", "make_spirals")
    k = check_int(n_classes, "n_classes", "make_spirals", 2)
    noise = check_real("make_spirals", "noise", noise, lo=0)
    if n < k:
        raise ValueError(
            f"make_spirals: n_samples must be >= n_classes={k}, got {n}"
        )
    rng = seeded_rng("make_spirals", seed)
    counts = np.full(k, n // k)
    counts[: n % k] += 1
    X = np.empty((n, 2))
    y = np.empty(n, np.int64)
    start = 0
    for c, m in enumerate(counts):
        r = np.linspace(0.0, 1.0, m)
        t = np.linspace(4.0 * c, 4.0 * (c + 1), m) + noise * rng.standard_normal(m)
        X[start:start + m] = np.column_stack([r * np.sin(t), r * np.cos(t)])
        y[start:start + m] = c
        start += m
    order = rng.permutation(n)
    return X[order], y[order]


def make_circles(n_samples=200, noise=0.1, factor=0.5, seed=0):
    """Two concentric circles: class 0 on the outer one (radius 1), class 1 on the inner one
    (radius ``factor``), ``N // 2`` points on the outer circle, the rest inside.

    The angles are evenly spaced on each circle; Gaussian noise of std ``noise`` is added to
    both coordinates, and the rows are shuffled. No straight line separates the classes.

    Returns ``X`` (N, 2) float64 and ``y`` (N,) int64 in {0, 1}.
    """
    n = check_int(n_samples, "n_samples", "make_circles")
    noise = check_real("make_circles", "noise", noise, lo=0)
    factor = check_real("make_circles", "factor", factor, lo=0, hi=1, hi_open=True)
    rng = seeded_rng("make_circles", seed)
    n_out, n_in = n // 2, n - n // 2
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    X = np.concatenate([np.column_stack([np.cos(t_out), np.sin(t_out)]),
                        factor * np.column_stack([np.cos(t_in), np.sin(t_in)])])
    y = np.concatenate([np.zeros(n_out, np.int64), np.ones(n_in, np.int64)])
    X = X + noise * rng.standard_normal(X.shape)
    order = rng.permutation(n)
    return X[order], y[order]


def make_xor(n_samples=200, noise=0.1, seed=0):
    """The XOR pattern: points uniform in ``[-1, 1]^2``, class 1 where ``x1 * x2 < 0`` (the
    second and fourth quadrants), class 0 elsewhere; the labels come from the clean points,
    then Gaussian noise of std ``noise`` moves them (so a large noise blurs the border).

    Returns ``X`` (N, 2) float64 and ``y`` (N,) int64 in {0, 1}.
    """
    n = check_int(n_samples, "n_samples", "make_xor")
    noise = check_real("make_xor", "noise", noise, lo=0)
    rng = seeded_rng("make_xor", seed)
    X = rng.uniform(-1.0, 1.0, size=(n, 2))
    y = (X[:, 0] * X[:, 1] < 0).astype(np.int64)
    return X + noise * rng.standard_normal(X.shape), y
