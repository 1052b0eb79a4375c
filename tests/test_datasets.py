import numpy as np
import pytest

from llmexplain import datasets as ds


@pytest.mark.parametrize("name", list(ds.SHAPES))
@pytest.mark.parametrize("n", [2, 7, 500])
def test_every_shape_has_both_classes_inside_the_plane(name, n):
    x, y = ds.SHAPES[name](np.random.default_rng(1), n, 0.5)
    assert x.shape == (n, 2) and y.shape == (n, 1)
    assert set(np.unique(y)) == {0.0, 1.0}
    assert abs(int(y.sum()) - n / 2) <= 0.5
    assert np.all(np.abs(x) <= ds.EXTENT)


def test_circle_without_noise_is_a_disc_inside_a_ring():
    x, y = ds.circle(np.random.default_rng(0), 400, 0.0)
    r = np.hypot(x[:, 0], x[:, 1])
    assert np.all(r[y[:, 0] == 1] <= 2.5) and np.all(r[y[:, 0] == 0] >= 3.5)


def test_xor_without_noise_is_the_sign_rule():
    x, y = ds.xor(np.random.default_rng(0), 400, 0.0)
    np.testing.assert_array_equal(y[:, 0] == 1, x[:, 0] * x[:, 1] > 0)
    for quadrant in ((1, 1), (-1, -1), (1, -1), (-1, 1)):  # all four corners are used
        assert np.any(np.all(np.sign(x) == quadrant, axis=1))


def test_gaussians_are_centred_where_they_should_be():
    x, y = ds.gaussians(np.random.default_rng(0), 4000, 0.0)
    np.testing.assert_allclose(x[y[:, 0] == 1].mean(axis=0), [2, 2], atol=0.1)
    np.testing.assert_allclose(x[y[:, 0] == 0].mean(axis=0), [-2, -2], atol=0.1)
    np.testing.assert_allclose(x[y[:, 0] == 1].std(axis=0), [1, 1], atol=0.1)


def test_spiral_arms_are_half_a_turn_apart():
    x, y = ds.spiral(np.random.default_rng(0), 200, 0.0)
    r = np.hypot(x[:, 0], x[:, 1])
    angle = np.arctan2(x[:, 0], x[:, 1])  # measured from the x₂ axis, as the arms are drawn
    expected = 1.75 * 2 * np.pi * r / 5 + np.where(y[:, 0] == 1, 0.0, np.pi)
    wrapped = np.angle(np.exp(1j * (angle - expected)))  # difference modulo a full turn
    np.testing.assert_allclose(wrapped[r > 1e-9], 0.0, atol=1e-9)


@pytest.mark.parametrize("name", list(ds.SHAPES))
def test_noise_blurs_and_the_rng_decides(name):
    a = ds.SHAPES[name](np.random.default_rng(3), 300, 0.2)
    b = ds.SHAPES[name](np.random.default_rng(3), 300, 0.2)
    c = ds.SHAPES[name](np.random.default_rng(4), 300, 0.2)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])
    calm = ds.SHAPES[name](np.random.default_rng(3), 300, 0.0)[0]
    assert not np.array_equal(calm, a[0])


@pytest.mark.parametrize("fraction,n,expected", [(0.5, 500, 250), (0.1, 500, 50), (0.9, 10, 9),
                                                  (0.0, 10, 1), (1.0, 10, 9), (0.5, 1, 1)])
def test_split_is_a_shuffled_partition(fraction, n, expected):
    rng = np.random.default_rng(0)
    x = np.arange(2 * n, dtype=float).reshape(n, 2)
    y = (np.arange(n) % 2).astype(float)[:, None]
    xa, ya, xb, yb = ds.split(rng, x, y, fraction)
    assert len(xa) == len(ya) == expected and len(xb) == len(yb) == n - expected
    both = np.concatenate([xa, xb])
    np.testing.assert_array_equal(np.sort(both[:, 0]), x[:, 0])  # every point once
    np.testing.assert_array_equal(both[:, 0] / 2 % 2, np.concatenate([ya, yb])[:, 0])  # kept paired
