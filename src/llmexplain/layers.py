"""Chapter 4's network written plainly: each layer is chapter 1's neurons side by side.

Forward, layer by layer: every neuron takes the weighted sum of the layer before it and
passes it through its activation (the one output neuron through a sigmoid). Backward, from
the output to the input: each layer's error gives its weights' gradients, and, through those
same weights and the activation's slope, the error of the layer before it.

This is what mlp.MLP computes, fast, in place, with the biases folded into its matrices; a
test holds the two to the same numbers. The page runs this version once the reader edits it.

Shapes, for a mini-batch of B points and layer l of L: x [B, n_in]; weights[l] [n_l, n_{l+1}];
biases[l] [n_{l+1}]; z[l] [B, n_{l+1}] (weighted sums); a[l] [B, n_l] (activations: a[0] = x,
a[L] the output p [B, 1]); y [B, 1] (labels); delta[l] [B, n_{l+1}] (d loss / d z[l]).

>>> weights, biases = [np.array([[1.0], [-1.0]])], [np.array([0.0])]
>>> z, a = forward(np.array([[2.0, 2.0]]), weights, biases, "tanh")
>>> a[-1].tolist()    # the sum is 0, and sigmoid(0) = 0.5
[[0.5]]
"""

import numpy as np

from . import neuron


def slope(z, a, name):
    """How fast each activation a grows as its sum z grows: its derivative at z. [B, n]"""
    if name == "tanh":
        return 1.0 - a**2
    if name == "sigmoid":
        return a * (1.0 - a)
    if name == "relu":
        return (z > 0).astype(float)  # 1 where the neuron is on, 0 where it is off
    return np.ones_like(z)  # linear: the sum passes straight through


def forward(x, weights, biases, activation):
    """Run the points x through every layer: -> (z, a), each a list over the layers."""
    z, a = [], [np.asarray(x, dtype=float)]
    for l, (W, b) in enumerate(zip(weights, biases)):
        z.append(neuron.weighted_sum(a[l], W, b))  # [B, n_l] @ [n_l, n_{l+1}] + [n_{l+1}]
        last = l == len(weights) - 1
        a.append(neuron.sigmoid(z[l]) if last else neuron.activate(z[l], activation))  # [B, n_{l+1}]
    return z, a


def backward(z, a, y, weights, activation):
    """The loss's gradient for every weight and bias, from a forward pass's z and a:
    -> (weight gradients, bias gradients, delta), lists over the layers.

    The loss is the mean cross-entropy; with a sigmoid output its error at the output's sum
    is simply (p − y) / B.
    """
    L = len(weights)
    grad_W, grad_b, delta = [None] * L, [None] * L, [None] * L
    delta[-1] = (a[-1] - y) / len(y)  # [B, 1]
    for l in range(L - 1, -1, -1):
        grad_W[l] = a[l].T @ delta[l]  # [n_l, B] @ [B, n_{l+1}]: each input × the error it fed
        grad_b[l] = delta[l].sum(axis=0)  # [n_{l+1}]: a bias's input is always 1
        if l:
            blame = delta[l] @ weights[l].T  # [B, n_l]: each weight's share of the error
            delta[l - 1] = blame * slope(z[l - 1], a[l], activation)  # ... through the slope
    return grad_W, grad_b, delta
