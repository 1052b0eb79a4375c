"""The learning loop: predict, measure the error, find which way is downhill, step. Repeat.

The model is chapter 1's neuron with one input and no activation: a straight line
ŷ = weight·x + bias. Its two numbers travel together as one array, w = [weight, bias].

Shapes: x, y [n] (the data: inputs, and the answers we want), w [2] (weight, bias),
X [n, 2] (each input with a 1 beside it, so X @ w is the prediction), g [2] (gradient),
H [2, 2] (Hessian).

A worked example: two points, (0, 1) and (1, 3), and a first guess of the flat line ŷ = 0.

>>> x, y, w = np.array([0.0, 1.0]), np.array([1.0, 3.0]), np.zeros(2)
>>> float(loss(w, x, y))              # misses of 1 and 3: (1² + 3²) / 2
5.0
>>> gradient(w, x, y).tolist()        # both weights should grow to lower the loss
[-3.0, -4.0]
>>> train_step(w, x, y, lr=0.5)["w"].tolist()   # w - 0.5 × gradient
[1.5, 2.0]
"""

import itertools

import numpy as np


def features(x):
    """Each input beside a 1, so that one matrix product gives every prediction."""
    x = np.asarray(x, dtype=float)
    return np.stack([x, np.ones_like(x)], axis=-1)  # [n] -> [n, 2]


def predict(w, x):
    """Step 1: the line's guess ŷ = weight·x + bias for every input."""
    return features(x) @ np.asarray(w, dtype=float)  # [n, 2] @ [2] -> [n]


def loss(w, x, y):
    """Step 2, the error: the average squared miss (mean squared error), one number."""
    miss = predict(w, x) - y  # [n]
    return np.mean(miss**2)  # [n] -> scalar


def gradient(w, x, y):
    """Step 3: how fast the loss rises as each weight grows; downhill is the other way.

    The loss is an average of miss², and d(miss²)/dw = 2·miss·(what w multiplies).
    """
    miss = predict(w, x) - y  # [n]
    return 2.0 / len(miss) * features(x).T @ miss  # [2, n] @ [n] -> [2]


def nudged_gradient(w, x, y, nudge=1e-6):
    """Step 3 without the formula: nudge each weight up and down a little and see how much
    the loss changes. Slower than `gradient`, but true of any loss, not only squared error.

    >>> x, y = np.array([0.0, 1.0]), np.array([1.0, 3.0])
    >>> nudged_gradient(np.zeros(2), x, y).round(6).tolist()   # as gradient() gives it
    [-3.0, -4.0]
    """
    w = np.asarray(w, dtype=float)
    g = np.zeros(2)
    for i in range(2):
        step = np.zeros(2)
        step[i] = nudge
        g[i] = (loss(w + step, x, y) - loss(w - step, x, y)) / (2 * nudge)  # rise over run
    return g  # [2]


def train_step(w, x, y, lr, nudge=False):
    """One turn of the loop, as its four phases; "w" holds the weights after the update.
    With nudge=True the gradient is found by nudging the weights (nudged_gradient): for a
    loss with no formula for its gradient here."""
    w = np.asarray(w, dtype=float)
    y_hat = predict(w, x)  # 1 predict                        [n]
    err = loss(w, x, y)  # 2 measure the error                scalar
    g = nudged_gradient(w, x, y) if nudge else gradient(w, x, y)  # 3 which way to move [2]
    return {"y_hat": y_hat, "loss": err, "grad": g, "w": w - lr * g}  # 4 update [2]


def train(w, x, y, lr, max_loss=None):
    """Repeat train_step for as long as the caller asks, one metrics dict per turn.

    Each dict is {"step", "loss", "w", "grad", "diverged"}: the weights after the turn and
    their loss. If a turn would push the loss past `max_loss` (a million times the starting
    loss unless given) or out of the numbers a computer can hold, the run stops. The last
    dict then has diverged=True and the last sane weights, so no NaN or infinity escapes.

    >>> x, y = np.array([0.0, 1.0]), np.array([1.0, 3.0])
    >>> [round(float(m["loss"]), 3) for m in itertools.islice(train([0, 0], x, y, 0.5), 3)]
    [0.625, 0.156, 0.078]
    >>> [m["diverged"] for m in train([0, 0], x, y, lr=100.0)]
    [False, True]
    """
    w = np.asarray(w, dtype=float)
    now = float(loss(w, x, y))
    if max_loss is None:
        max_loss = 1e6 * max(now, 1e-12)
    for step in itertools.count(1):
        # subtle: a huge learning rate overflows to inf and then NaN; that is caught below.
        with np.errstate(over="ignore", invalid="ignore"):
            turn = train_step(w, x, y, lr)
            after = float(loss(turn["w"], x, y))
        if not (np.isfinite(turn["w"]).all() and np.isfinite(after) and after <= max_loss):
            yield {"step": step, "loss": now, "w": w, "grad": turn["grad"], "diverged": True}
            return
        w, now = turn["w"], after
        yield {"step": step, "loss": now, "w": w, "grad": turn["grad"], "diverged": False}


def hessian(x):
    """How the gradient changes as the weights move. The loss is a bowl (a quadratic),
    so this is the same everywhere: H = 2/n · Xᵀ X."""
    X = features(x)  # [n, 2]
    return 2.0 / len(X) * X.T @ X  # [2, n] @ [n, 2] -> [2, 2]


def stable_limit(x):
    """The largest learning rate that still learns: 2 / (the bowl's steepest curvature).

    Along the steepest direction a step of size lr scales the distance to the bottom by
    (1 - lr·λ); beyond 2/λ that factor is below -1, so every step overshoots further.

    >>> round(stable_limit(np.array([0.0, 1.0])), 4)
    0.7639
    """
    return 2.0 / float(np.linalg.eigvalsh(hessian(x))[-1])


def best_fit(x, y):
    """The weights the loop is heading for, straight from least squares (for a line there
    is a formula; for a large network there is none, which is why the loop matters)."""
    w, *_ = np.linalg.lstsq(features(x), np.asarray(y, dtype=float), rcond=None)
    return w  # [2]


def grid_minimum(x, y, lo, hi, n=11, rounds=4):
    """The weights with the lowest loss in the box from lo [2] to hi [2], for a loss with no
    formula for its bottom: the best of an n × n grid of weights, then of a grid as fine again
    around that one, `rounds` times (each round n² losses, each grid 5 times finer).

    >>> x, y = np.array([0.0, 1.0]), np.array([1.0, 3.0])
    >>> grid_minimum(x, y, [0.0, 0.0], [4.0, 2.0]).round(3).tolist()   # the line y = 2x + 1
    [2.0, 1.0]
    """
    lo, hi = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
    for _ in range(rounds):
        grid = [np.array([w, b]) for w in np.linspace(lo[0], hi[0], n)
                for b in np.linspace(lo[1], hi[1], n)]  # n² of [2]
        best = min(grid, key=lambda w: loss(w, x, y))
        step = (hi - lo) / (n - 1)  # [2]
        lo, hi = best - step, best + step
    return best  # [2]


def make_data(rng, n, w=0.6, b=0.2, noise=0.07):
    """n points scattered around the line y = w·x + b, inside the unit square."""
    x = rng.uniform(0.05, 0.95, n)  # [n]
    y = np.clip(w * x + b + rng.normal(0.0, noise, n), 0.0, 1.0)  # [n]
    return x, y
