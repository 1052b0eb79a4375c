import itertools

import numpy as np
import pytest

from llmexplain import neuron as nn
from llmexplain.demos.weights_figure import yes_region


def test_weighted_sum_by_hand():
    # 0.8 × 1.2 + (−0.3) × 0.5 + 0.1 = 0.96 − 0.15 + 0.1
    assert nn.weighted_sum([1.2, 0.5], [0.8, -0.3], 0.1) == pytest.approx(0.91)


def test_weighted_sum_of_many_points_is_row_by_row():
    rng = np.random.default_rng(0)
    x, w, b = rng.normal(size=(5, 3)), rng.normal(size=3), 0.7
    expected = [sum(xi * wi for xi, wi in zip(row, w)) + b for row in x]
    np.testing.assert_allclose(nn.weighted_sum(x, w, b), expected)


def test_sigmoid_known_values_and_no_overflow():
    z = np.array([-1000.0, -1.0, 0.0, 1.0, 1000.0])
    with np.errstate(over="raise"):
        y = nn.sigmoid(z)
    np.testing.assert_allclose(y, [0.0, 1 / (1 + np.e), 0.5, 1 / (1 + np.exp(-1)), 1.0])
    assert np.all(np.isfinite(y))


@pytest.mark.parametrize("name,expected", [
    ("relu", [0.0, 0.0, 2.0]), ("step", [0.0, 0.0, 1.0]), ("linear", [-2.0, 0.0, 2.0]),
    ("tanh", [np.tanh(-2.0), 0.0, np.tanh(2.0)]),
])
def test_activations(name, expected):
    np.testing.assert_allclose(nn.activate(np.array([-2.0, 0.0, 2.0]), name), expected)


def test_neuron_is_activation_of_the_sum():
    assert nn.neuron([0.7, 0.4], [2.0, -3.0], 0.2) == pytest.approx(1 / (1 + np.exp(-0.4)))


def inside(poly, p):
    """Point in convex polygon (counter-clockwise), by the sign of each edge's cross product."""
    return all((b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]) >= -1e-9
               for a, b in zip(poly, poly[1:] + poly[:1]))


@pytest.mark.parametrize("seed", range(20))
def test_yes_region_holds_exactly_the_grid_points_with_positive_sum(seed):
    rng = np.random.default_rng(seed)
    w, b = rng.normal(size=2) * 3, rng.normal()
    region = yes_region(w, b)
    for p in itertools.product(np.linspace(0.01, 0.99, 15), repeat=2):
        z = nn.weighted_sum(p, w, b)
        if abs(z) > 1e-6:
            assert (len(region) >= 3 and inside(region, p)) == (z > 0), (w, b, p)

