"""A multi-layer perceptron: layers of neurons, trained by backpropagation.

Shapes: x [B, n_in] (a mini-batch of B points), y [B, 1] (labels, 0 or 1),
sizes (n_in, h1, ..., 1) (neurons per layer, inputs first). Layer l's weights
W[l] [n_l + 1, n_{l+1}] keep that layer's biases in their last row: every row of
activations gets a constant 1 appended, so one matmul does the weighted sum and
the bias together.

Hidden layers use the chosen activation; the one output neuron uses a sigmoid, so
its output p is the network's confidence that a point is of class 1. The loss is the
cross-entropy, −log(the probability given to the right answer), averaged over the batch,
plus L2 regularisation, l2/2 × (sum of the squared weights, biases excluded). With a
sigmoid output its gradient at the output's weighted sum is simply (p − y) / B.

Speed matters more than usual: in the browser each numpy call costs about a
microsecond and the page trains thousands of steps a second. So all weights live in
one flat vector `theta` (W[l] are views into it), their gradients in `grad` likewise
(an update is two numpy calls, whatever the shape), and every pass writes into
buffers kept per batch size (`out=`), never allocating.

The same passes written plainly, layer by layer from chapter 1's neurons, are in layers.py;
a net with `readable` set runs those instead (the page sets it once the reader edits them),
into the same buffers, so everything downstream is the same.

>>> net = MLP((2, 3, 1), "tanh", np.random.default_rng(0))
>>> net.n_params  # (2 + 1) × 3 + (3 + 1) × 1
13
"""

import numpy as np

from . import layers

# Each activation fills `out` from z in place; its derivative is written in terms of
# the activation's own output a (all four allow it), multiplying the error e in place.

def _tanh(z, out):
    np.tanh(z, out=out)


def _relu(z, out):
    np.maximum(z, 0.0, out=out)


def _sigmoid(z, out):
    # subtle: 1 / (1 + exp(−z)) overflows for z < −709; this form never does.
    np.multiply(z, 0.5, out=out)
    np.tanh(out, out=out)
    np.add(out, 1.0, out=out)
    np.multiply(out, 0.5, out=out)


def _linear(z, out):
    np.copyto(out, z)


def _tanh_grad(a, e, tmp):  # tanh' = 1 − a²
    np.multiply(a, a, out=tmp)
    np.subtract(1.0, tmp, out=tmp)
    np.multiply(e, tmp, out=e)


def _relu_grad(a, e, tmp):  # 1 where the neuron is on, 0 where it is off
    np.greater(a, 0.0, out=tmp)
    np.multiply(e, tmp, out=e)


def _sigmoid_grad(a, e, tmp):  # sigmoid' = a (1 − a)
    np.subtract(1.0, a, out=tmp)
    np.multiply(tmp, a, out=tmp)
    np.multiply(e, tmp, out=e)


def _linear_grad(a, e, tmp):  # the slope of z ↦ z is 1 everywhere
    pass


ACTIVATIONS = {"tanh": (_tanh, _tanh_grad), "relu": (_relu, _relu_grad),
               "sigmoid": (_sigmoid, _sigmoid_grad), "linear": (_linear, _linear_grad)}


class Pass:
    """One forward and backward pass over a batch: buffers, and views of what they hold.

    z[l] [B, n_{l+1}]: layer l+1's weighted sums; a[l] [B, n_l]: activations (a[0] is
    the input, a[-1] the output p); delta[l] [B, n_{l+1}]: d loss / d z[l].
    """

    def __init__(self, sizes, batch):
        # Activations with a column of ones appended: the biases' inputs.
        self.ones = [np.ones((batch, n + 1)) for n in sizes[:-1]]
        self.a = [h[:, :-1] for h in self.ones] + [np.zeros((batch, sizes[-1]))]
        self.z = [np.zeros((batch, n)) for n in sizes[1:]]
        self.delta = [np.zeros((batch, n)) for n in sizes[1:]]
        self.tmp = [np.zeros((batch, n)) for n in sizes[1:]]


class MLP:
    """The network: its shape, activation and weights; it learns by `train_step`."""

    def __init__(self, sizes, activation, rng):
        if activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}")
        self.sizes, self.activation = tuple(sizes), activation
        shapes = [(n + 1, m) for n, m in zip(self.sizes[:-1], self.sizes[1:])]
        self.n_params = sum(r * c for r, c in shapes)
        self.theta = np.zeros(self.n_params)  # every weight and bias, in one vector
        self.grad = np.zeros(self.n_params)
        self._tmp = np.zeros(self.n_params)
        self.l2_mask = np.ones(self.n_params)  # 1 for weights, 0 for biases (not regularised)
        self.W, self.G, start = [], [], 0
        for r, c in shapes:
            self.W.append(self.theta[start:start + r * c].reshape(r, c))
            self.G.append(self.grad[start:start + r * c].reshape(r, c))
            self.l2_mask[start + (r - 1) * c:start + r * c] = 0.0
            start += r * c
        for W in self.W:  # weights ~ N(0, 1/n_in), so every layer's sums start at a similar size
            n_in = W.shape[0] - 1
            W[:-1] = rng.normal(0.0, 1.0 / np.sqrt(n_in), size=(n_in, W.shape[1]))
        self._passes = {}  # batch size -> Pass
        self.readable = False  # run layers.forward and layers.backward, not the fast passes

    def weights_and_biases(self):
        """Views of each layer's weights [n_l, n_{l+1}] and biases [n_{l+1}], as layers.py
        takes them."""
        return [W[:-1] for W in self.W], [W[-1] for W in self.W]

    def forward(self, x):
        """Run the batch x [B, n_in] through every layer; returns the Pass holding z and a.

        The Pass is reused by the next call with the same batch size: copy what you keep.
        """
        ps = self._passes.get(len(x))
        if ps is None:
            ps = self._passes[len(x)] = Pass(self.sizes, len(x))
        np.copyto(ps.a[0], x)
        if self.readable:
            z, a = layers.forward(x, *self.weights_and_biases(), self.activation)
            for l in range(len(self.W)):
                np.copyto(ps.z[l], z[l])
                np.copyto(ps.a[l + 1], a[l + 1])
            return ps
        act = ACTIVATIONS[self.activation][0]
        last = len(self.W) - 1
        for l, W in enumerate(self.W):
            np.matmul(ps.ones[l], W, out=ps.z[l])  # [B, n_l + 1] @ [n_l + 1, n_{l+1}]
            (_sigmoid if l == last else act)(ps.z[l], ps.a[l + 1])
        return ps

    def backward(self, ps, y, l2=0.0):
        """Fill self.grad with d loss / d theta for the batch `ps` last ran forward.

        From the output back: each layer's error delta [B, n_out] gives its weights'
        gradient (the inputs they saw × the error they caused) and, through those same
        weights, the error of the layer before it: each weight's share of the blame.
        """
        if self.readable:
            grad_W, grad_b, delta = layers.backward(ps.z, ps.a, y, self.weights_and_biases()[0],
                                                    self.activation)
            for l in range(len(self.W)):
                np.copyto(self.G[l][:-1], grad_W[l])
                np.copyto(self.G[l][-1], grad_b[l])
                np.copyto(ps.delta[l], delta[l])
        else:
            self._backward(ps, y)
        if l2:
            np.multiply(self.theta, self.l2_mask, out=self._tmp)
            np.multiply(self._tmp, l2, out=self._tmp)
            np.add(self.grad, self._tmp, out=self.grad)
        return ps

    def _backward(self, ps, y):
        """The fast backward pass: into self.G and the Pass's buffers, allocating nothing."""
        grad_act = ACTIVATIONS[self.activation][1]
        top = len(self.W) - 1
        np.subtract(ps.a[-1], y, out=ps.delta[top])  # [B, 1]: p − y at the output's sum
        np.multiply(ps.delta[top], 1.0 / len(y), out=ps.delta[top])  # the loss is a mean
        for l in range(top, -1, -1):
            np.matmul(ps.ones[l].T, ps.delta[l], out=self.G[l])  # [n_l + 1, n_{l+1}]
            if l:
                e = ps.delta[l - 1]
                np.matmul(ps.delta[l], self.W[l][:-1].T, out=e)  # [B, n_l]: blame passed back
                grad_act(ps.a[l], e, ps.tmp[l - 1])  # ... through the activation's slope

    def update(self, lr):
        """One step downhill: theta ← theta − lr × grad."""
        np.multiply(self.grad, lr, out=self._tmp)
        np.subtract(self.theta, self._tmp, out=self.theta)

    def predict(self, x):
        """p [B]: the network's confidence that each point is of class 1."""
        return self.forward(x).a[-1][:, 0].copy()


def train_step(net, x, y, lr, l2=0.0):
    """Forward, backward, update on one mini-batch; returns the Pass (valid until the next)."""
    ps = net.backward(net.forward(x), y, l2)
    net.update(lr)
    return ps


def loss(net, x, y, l2=0.0):
    """Mean cross-entropy over the points, plus the L2 penalty if l2 > 0.

    Computed from the output's weighted sum z: log(1 + e^z) − y z is −log(p) for
    y = 1 and −log(1 − p) for y = 0, and never takes the log of 0.
    """
    z = net.forward(x).z[-1]  # [B, 1]
    ce = float(np.mean(np.logaddexp(0.0, z) - y * z))
    if not l2:
        return ce
    w = net.theta * net.l2_mask
    return ce + 0.5 * l2 * float(w @ w)


def accuracy(net, x, y):
    """The fraction of points on the right side of p = 0.5."""
    return float(np.mean((net.predict(x) > 0.5) == (y[:, 0] > 0.5)))


def sgd(net, x, y, batch, lr, l2, rng):
    """Mini-batch SGD without end: each pass over the data (an epoch) takes the points
    in a fresh random order. Yields, after each step, how many epochs are done (a fraction).
    """
    n, done = len(x), 0
    while True:
        order = rng.permutation(n)
        xs, ys = x[order], y[order]
        for start in range(0, n, batch):
            train_step(net, xs[start:start + batch], ys[start:start + batch], lr, l2)
            yield done + min(start + batch, n) / n
        done += 1
