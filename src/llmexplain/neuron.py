"""One artificial neuron: a weighted sum of its inputs, passed through an activation.

Shapes: x [n_in] or [n_points, n_in] (inputs), w [n_in] (weights), b scalar (bias).

>>> round(float(weighted_sum(np.array([1.2, 0.5]), np.array([0.8, -0.3]), 0.1)), 6)
0.91
"""

import numpy as np


def weighted_sum(x, w, b):
    """z = x · w + b: each input times its weight, added up, plus the bias."""
    return np.asarray(x, dtype=float) @ np.asarray(w, dtype=float) + b  # [..., n_in] -> [...]


def sigmoid(z):
    """Squashes any number into (0, 1); 0 maps to 0.5.

    >>> float(sigmoid(0.0))
    0.5
    """
    z = np.asarray(z, dtype=float)
    # subtle: exp(-z) overflows for very negative z, so use the mirrored form there.
    ez = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + ez), ez / (1.0 + ez))


def relu(z):
    """Keeps positive numbers, turns negative ones into 0."""
    return np.maximum(np.asarray(z, dtype=float), 0.0)


def tanh(z):
    """Squashes any number into (-1, 1)."""
    return np.tanh(np.asarray(z, dtype=float))


def step(z):
    """The oldest activation: 1 if the sum is positive, else 0 (a hard yes/no)."""
    return (np.asarray(z, dtype=float) > 0).astype(float)


def identity(z):
    """No activation at all: the output is the weighted sum itself."""
    return np.asarray(z, dtype=float)


# Each activation a figure offers, by the name of its function: looked up when called, so a
# function put in that name's place (a reader's own version, live_math) is the one that runs.
ACTIVATIONS = {"sigmoid": "sigmoid", "step": "step", "relu": "relu", "tanh": "tanh",
               "linear": "identity"}


def activate(z, activation="sigmoid"):
    """The activation named `activation` applied to z."""
    return globals()[ACTIVATIONS[activation]](z)


def neuron(x, w, b, activation="sigmoid"):
    """The neuron's output: activation(weighted_sum(x, w, b)).

    >>> float(neuron([1.0, 1.0], [2.0, -2.0], 0.0))
    0.5
    """
    return activate(weighted_sum(x, w, b), activation)
