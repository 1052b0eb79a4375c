"""Training the transformer: random windows of text, the loss's gradient, an AdamW step.

A step takes B windows of T tokens from the training ids; each window's targets are the
same tokens shifted by one, so every position learns to predict the token after it. The
gradient (transformer_backward.py) is clipped to length 1, then AdamW moves each weight:
by its gradient's running average, divided by the running size of its gradient, so every
weight moves at a similar pace, while a little weight decay pulls matrices towards zero.
The learning rate warms up from zero, then follows a cosine down to a tenth of its peak.

Shapes: ids [n] the token ids of a text; x, y [B, T] a batch of windows and their targets;
params, grads, m, v: dicts name -> array, as in transformer.py.

>>> hyper = Hyper(steps=1000, lr=1e-3, warmup=100)
>>> [round(learning_rate(s, hyper), 6) for s in (1, 100, 550, 1000)]
[1e-05, 0.001, 0.00055, 0.0001]
"""

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import transformer as tf
from .transformer_backward import loss_and_grads


@dataclass(frozen=True)
class Hyper:
    steps: int = 20_000  # steps in all; the learning rate reaches its floor at the last
    batch: int = 16  # B: windows of text per step
    lr: float = 3e-3  # the peak learning rate
    warmup: int = 100  # steps over which the learning rate rises from 0 to its peak
    min_lr: float = 0.1  # the cosine ends at this fraction of the peak
    beta1: float = 0.9  # how long AdamW remembers gradients (about 1 / (1 − β) steps)
    beta2: float = 0.99  # ... and their squared sizes
    eps: float = 1e-8  # keeps AdamW's division finite
    weight_decay: float = 0.01  # the pull towards zero, on matrices only (not layer norms)
    clip: float = 1.0  # the longest gradient allowed (the length of all of it as one vector)


def learning_rate(step, hyper):
    """Step 1, 2, ...: a straight line up over `warmup` steps, then a half cosine down."""
    if step <= hyper.warmup:
        return hyper.lr * step / hyper.warmup
    done = (step - hyper.warmup) / max(1, hyper.steps - hyper.warmup)  # 0 -> 1
    floor = hyper.lr * hyper.min_lr
    return floor + (hyper.lr - floor) * 0.5 * (1.0 + math.cos(math.pi * min(done, 1.0)))


def batches(rng, ids, batch, T):
    """Endless batches (x [B, T], y [B, T]) of windows starting at random places in ids."""
    ids = np.asarray(ids)
    offsets = np.arange(T)  # [T]
    while True:
        starts = rng.integers(0, len(ids) - T, size=batch)  # [B]
        x = ids[starts[:, None] + offsets].astype(np.intp)  # [B, T]
        yield x, ids[starts[:, None] + offsets + 1].astype(np.intp)  # [B, T]: next tokens


def adam_init(params):
    """AdamW's memory: running averages of each gradient (m) and of its square (v)."""
    return {"t": 0, "m": {k: np.zeros_like(w) for k, w in params.items()},
            "v": {k: np.zeros_like(w) for k, w in params.items()}}


def clip(grads, max_norm):
    """Scale the gradient down if its length (all weights as one vector) exceeds max_norm.

    Returns (grads, the length before clipping)."""
    norm = math.sqrt(sum(float(np.vdot(g, g)) for g in grads.values()))
    scale = min(1.0, max_norm / (norm + 1e-6))
    return {k: g * scale for k, g in grads.items()}, norm


def adamw(params, grads, adam, hyper):
    """One AdamW update. Returns new (params, adam); the ones given are not changed."""
    t = adam["t"] + 1
    lr = learning_rate(t, hyper)
    b1, b2 = hyper.beta1, hyper.beta2
    new_params, m, v = {}, {}, {}
    for k, w in params.items():
        g = grads[k]
        m[k] = b1 * adam["m"][k] + (1 - b1) * g
        v[k] = b2 * adam["v"][k] + (1 - b2) * g * g
        # subtle: both averages start at 0, so early on they are too small; dividing by
        # (1 − β^t) undoes that bias.
        step = (m[k] / (1 - b1**t)) / (np.sqrt(v[k] / (1 - b2**t)) + hyper.eps)
        decay = hyper.weight_decay * w if w.ndim >= 2 else 0.0
        new_params[k] = w - lr * (step + decay)
    return new_params, {"t": t, "m": m, "v": v}


def train_step(params, adam, x, y, config, hyper):
    """One step on the batch x, y [B, T]: -> (params, adam, metrics). Pure."""
    loss, grads = loss_and_grads(params, x, y, config)
    grads, norm = clip(grads, hyper.clip)
    params, adam = adamw(params, grads, adam, hyper)
    metrics = {"step": adam["t"], "loss": loss, "lr": learning_rate(adam["t"], hyper),
               "grad_norm": norm}
    return params, adam, metrics


def train(params, adam, ids, config, hyper, rng):
    """Train until step hyper.steps, yielding after every step.

    Each dict holds the step's metrics ("step", "loss", "lr", "grad_norm") and the weights
    and AdamW state after it ("params", "adam"), so the caller can stop, save or show them.
    A page runs as many steps per frame as it likes; starting again from a saved adam
    (which counts the steps) and rng continues where it stopped.
    """
    stream = batches(rng, ids, hyper.batch, config.block_size)
    while adam["t"] < hyper.steps:
        x, y = next(stream)  # [B, T], [B, T]
        params, adam, metrics = train_step(params, adam, x, y, config, hyper)
        yield {**metrics, "params": params, "adam": adam}


# ---------------------------------------------------------------- scoring held-out text

def windows(n, T):
    """Where to score a text of n tokens: (start, first) pairs, each a window of inputs
    ids[start:start + T] scoring the targets from position `first` of the window on.

    The windows overlap by half (stride T/2) so that, after the first window, every token
    is predicted with at least T/2 tokens before it, and each token is scored exactly once.

    >>> windows(10, 4)    # targets 1-4, then 5-6, 7-8, and finally 9
    [(0, 0), (2, 2), (4, 2), (5, 3)]
    """
    if n - 1 <= T:
        return [(0, 0)]
    stride = T // 2
    out = [(0, 0)] + [(s, T - stride) for s in range(stride, n - T, stride)]
    covered = out[-1][0] + T  # the last target scored so far
    if covered < n - 1:
        s = n - 1 - T
        out.append((s, covered - s))
    return out


def target_log_probs(params, x, y, scored, config):
    """log p(each scored target | the tokens before it): x, y, scored [b, T] -> [k], one
    for each True in scored."""
    logits = tf.forward(params, x, config)[scored]  # [k, V]
    logits -= logits.max(axis=-1, keepdims=True)  # so exp cannot overflow
    # log p(the right token) = its score − log Σ exp(every score)
    return logits[np.arange(len(logits)), y[scored]] - np.log(np.exp(logits).sum(axis=-1))


def bits_per_character(params, ids, n_chars, config, batch=64, log_probs=None):
    """How many bits the model needs per character of a held-out text, on average.

    Total nats, −Σ log p(each token | the tokens before it), ÷ ln 2 ÷ characters, so token
    and character models compare. Windows as in `windows`. The first token, which nothing
    predicts, is charged log2 V bits (a uniform guess). `log_probs(x, y, scored)` may stand
    in for target_log_probs with these params (fast_train.Trainer.target_log_probs).
    """
    ids = np.asarray(ids, dtype=np.intp)
    T = min(config.block_size, len(ids) - 1)
    plan = windows(len(ids), T)
    nats = math.log(config.vocab_size)
    for i in range(0, len(plan), batch):
        chunk = plan[i:i + batch]
        starts = np.array([s for s, _ in chunk])[:, None] + np.arange(T)  # [b, T]
        scored = np.arange(T) >= np.array([first for _, first in chunk])[:, None]  # [b, T]
        x, y = ids[starts], ids[starts + 1]  # [b, T], [b, T]
        picked = (log_probs(x, y, scored) if log_probs
                  else target_log_probs(params, x, y, scored, config))  # [k]
        nats -= float(picked.sum(dtype=np.float64))
    return nats / math.log(2) / n_chars


# ---------------------------------------------------------------- checkpoints

def save_checkpoint(path, params, adam, rng, **info):
    """Everything needed to continue training exactly: weights, AdamW state, the random
    generator's state, and `info` (small JSON-able facts). Written atomically: a crash
    while saving leaves the previous checkpoint intact."""
    path = Path(path)
    arrays = {f"params/{k}": w for k, w in params.items()}
    arrays |= {f"m/{k}": w for k, w in adam["m"].items()}
    arrays |= {f"v/{k}": w for k, w in adam["v"].items()}
    meta = {"t": adam["t"], "rng": rng.bit_generator.state, "info": info}
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        np.savez(f, **arrays)
    os.replace(tmp, path)


def load_checkpoint(path):
    """-> (params, adam, rng, info) as save_checkpoint stored them."""
    with np.load(path, allow_pickle=False) as z:
        meta = json.loads(bytes(z["meta"]))
        part = {p: {k.split("/", 1)[1]: z[k] for k in z.files if k.startswith(p + "/")}
                for p in ("params", "m", "v")}
    rng = np.random.default_rng()
    rng.bit_generator.state = meta["rng"]
    return part["params"], {"t": meta["t"], "m": part["m"], "v": part["v"]}, rng, meta["info"]

