"""Toy datasets in the plane for a network to learn: points of two classes.

Shapes: x [n, 2] (positions, each coordinate within ±EXTENT), y [n, 1] (class, 0 or 1).
`noise` (0 to 0.5) blurs each shape with random jitter; randomness comes only from the
`rng` passed in. Half the points are of each class.

>>> x, y = spiral(np.random.default_rng(0), 100, noise=0.0)
>>> x.shape, y.shape, float(y.mean())
((100, 2), (100, 1), 0.5)
"""

import numpy as np

EXTENT = 6.0  # the plane shown runs from −6 to 6 on both axes


def _labelled(x0, x1):
    """Stack the points of class 0 and class 1, clipped to the plane."""
    x = np.clip(np.concatenate([x0, x1]), -EXTENT, EXTENT)
    y = np.concatenate([np.zeros(len(x0)), np.ones(len(x1))])[:, None]
    return x, y


def circle(rng, n, noise):
    """Class 1 inside a disc of radius 2.5; class 0 in a ring from 3.5 to 5 around it."""
    def ring(k, r_lo, r_hi):
        r = rng.uniform(r_lo, r_hi, k)
        angle = rng.uniform(0, 2 * np.pi, k)
        return np.stack([r * np.cos(angle), r * np.sin(angle)], axis=1)

    k = n // 2
    x0, x1 = ring(n - k, 3.5, 5.0), ring(k, 0.0, 2.5)
    return _labelled(x0 + rng.normal(0, 5 * noise, x0.shape), x1 + rng.normal(0, 5 * noise, x1.shape))


def xor(rng, n, noise):
    """Class 1 where x₁ and x₂ have the same sign (two opposite corners), else class 0."""
    k = n // 2
    pts = rng.uniform(0.3, 5.0, (n, 2))  # away from the axes, which are the boundary
    signs = np.ones((n, 2))
    signs[rng.random(n) < 0.5] *= -1  # class 1: both signs the same
    signs[:n - k, 1] *= -1  # class 0: the second sign flipped
    x = pts * signs + rng.normal(0, 5 * noise, (n, 2))
    return _labelled(x[:n - k], x[n - k:])


def gaussians(rng, n, noise):
    """Two round clouds of points, centred at (−2, −2) (class 0) and (2, 2) (class 1)."""
    k = n // 2
    spread = 1.0 + 4 * noise
    return _labelled(rng.normal(-2.0, spread, (n - k, 2)), rng.normal(2.0, spread, (k, 2)))


def spiral(rng, n, noise):
    """Two spiral arms winding out from the centre, one per class, half a turn apart."""
    def arm(k, turn):
        t = np.linspace(0.0, 1.0, k, endpoint=False)
        r = 5.0 * t
        angle = 1.75 * 2 * np.pi * t + turn
        pts = np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1)
        return pts + rng.normal(0, 5 * noise, pts.shape)

    k = n // 2
    return _labelled(arm(n - k, np.pi), arm(k, 0.0))


SHAPES = {"circle": circle, "xor": xor, "gaussians": gaussians, "spiral": spiral}


def split(rng, x, y, train_fraction):
    """Shuffle, then the first `train_fraction` of the points to train on, the rest to test.

    Both sides keep at least one point when there are two or more.
    """
    n = len(x)
    order = rng.permutation(n)
    k = min(max(round(train_fraction * n), 1), n - 1) if n > 1 else n
    train, test = order[:k], order[k:]
    return x[train], y[train], x[test], y[test]
