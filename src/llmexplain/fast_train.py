"""Chapter 6's training step, fast: the same math as lm_training.train_step, fewer numpy calls.

lm_training.train_step (with transformer_backward.loss_and_grads) is what the essay shows and
what a reader may edit; this module does the same arithmetic the way the browser likes it
(tests/test_fast_train.py checks that both agree on a real batch):

- every weight lives in one flat vector (float32) (the dict `params` holds views of it), and
  so do the gradient and AdamW's two averages: clipping and the update are a dozen numpy
  calls for all 253,920 numbers, not a dozen per weight;
- what the forward pass computes and the backward pass needs (layer norms' normalised rows,
  GELU's tanh, the attention weights, the projections) is kept, not recomputed;
- the 4,096-wide output layer, nine tenths of the arithmetic, writes into buffers kept per
  batch shape (`out=`), and its softmax is normalised with one division, not two;
- each matrix product uses the kernel measured fastest for its shape on this platform.

Pyodide's numpy has no BLAS: `@` runs its own loops, fast when each output is a dot product
of two contiguous rows (x @ w.T), slow when it must walk down columns (x.T @ g), and einsum
is faster for the latter. Medians of 9, ms, Pyodide 0.27.7 (node), batch 16 × 32 tokens:

    product                                   np.matmul   np.einsum
    logits = xf @ wte.T    [512,48]·[48,4096]     44–54      75–100
    dxf = dlogits @ wte    [512,4096]·[4096,48]   63–68      32–37 (wte.T made contiguous)
    dwte = dlogits.T @ xf  -> [48,4096]           566        36
    dW = x.T @ dout        (d = 48, 4d = 192)     1.1–3.7    0.55–1.8
    attention, [16,4,32,12]·[16,4,12,32]          0.39–0.70  1.3

Natively numpy calls BLAS for `@`, which is several times faster than einsum everywhere.

Where a step goes, batch 8 × 32 tokens, Pyodide (node, quiet), ms: the output layer's logits
18 (einsum with wte.T made contiguous; `@` 20–29), its exp 10 and the softmax's other passes
~4, dxf 15, dwte 19–22; the blocks' eighteen products ~25 (42 M multiply-adds); AdamW on the
flat vectors 2.6; ~90 in all, against 9–12 under CPython with BLAS. Every product runs near
the 2–3 GFLOP/s that Pyodide's numpy reaches without SIMD, so what is left to win is work not
done: held-out scoring sends only its scored rows through the head (target_log_probs).

Shapes as in transformer.py, with N = B·T rows when a batch is flattened.
"""

import math
import sys

import numpy as np

from . import lm_training as lt
from . import transformer as tf

if sys.platform == "emscripten":
    def times(a, b, out):
        """a @ b into out: a [N, k], b [k, m] contiguous -> out [N, m]."""
        return np.einsum("nk,km->nm", a, b, out=out)

    def times_t(g, w):
        """g @ w.T: g [..., m], w [k, m] -> [..., k]."""
        return np.einsum("...m,km->...k", g, w)

    def t_times(a, g):
        """a.T @ g over rows: a [N, k], g [N, m] -> [k, m]."""
        return np.einsum("nk,nm->km", a, g)
else:
    def times(a, b, out):
        return np.matmul(a, b, out=out)

    def times_t(g, w):
        return np.matmul(g, w.T)

    def t_times(a, g):
        return np.matmul(a.T, g)


def _layer_norm(x, g, b, eps=1e-5):
    """transformer.layer_norm, also returning what its backward pass needs: (y, x̂, 1/std)."""
    xc = x - x.mean(axis=-1, keepdims=True)  # [..., d]
    rstd = 1.0 / np.sqrt(np.mean(xc * xc, axis=-1, keepdims=True) + eps)  # [..., 1]
    xhat = xc * rstd  # [..., d]
    return xhat * g + b, xhat, rstd


def _layer_norm_backward(dout, xhat, rstd, g, dg, db):
    """transformer_backward.layer_norm_backward from the kept x̂ and 1/std; dg, db filled."""
    d2, x2 = dout.reshape(-1, dout.shape[-1]), xhat.reshape(-1, xhat.shape[-1])
    np.einsum("nd,nd->d", d2, x2, out=dg)
    np.sum(d2, axis=0, out=db)
    dxhat = dout * g  # [..., d]
    return rstd * (dxhat - dxhat.mean(axis=-1, keepdims=True)
                   - xhat * np.mean(dxhat * xhat, axis=-1, keepdims=True))


class Trainer:
    """The weights, their gradient and AdamW's state as flat vectors, and the fast step.

    `params` and `adam` are the same dicts lm_training uses (views into the vectors), so the
    figure can score, sample and save them as they are, and `load` takes back ones that the
    readable path made.
    """

    def __init__(self, params, adam, config, hyper, dtype=np.float32):
        self.config, self.hyper, self.dtype = config, hyper, dtype  # float64 for tests
        self.names = list(params)
        sizes = [params[k].size for k in self.names]
        n = sum(sizes)
        self.flat, self.grad = np.zeros(n, dtype), np.zeros(n, dtype)
        self.m, self.v = np.zeros(n, dtype), np.zeros(n, dtype)
        self.decay = np.zeros(n, dtype)  # weight decay per number: matrices only
        self.params, self.grads, ms, vs = {}, {}, {}, {}
        start = 0
        for k, size in zip(self.names, sizes):
            shape, part = params[k].shape, slice(start, start + size)
            self.params[k], self.grads[k] = self.flat[part].reshape(shape), self.grad[part].reshape(shape)
            ms[k], vs[k] = self.m[part].reshape(shape), self.v[part].reshape(shape)
            if len(shape) >= 2:
                self.decay[part] = hyper.weight_decay
            start += size
        self.adam = {"t": 0, "m": ms, "v": vs}
        self.tmp = np.zeros(n, dtype)
        self.head_buffer = np.empty((0, config.vocab_size), dtype)  # [rows, V], grown as needed
        self.load(params, adam)

    def load(self, params, adam):
        """Copy weights and AdamW state in (from lm_training's dicts)."""
        for k in self.names:
            np.copyto(self.params[k], params[k])
            np.copyto(self.adam["m"][k], adam["m"][k])
            np.copyto(self.adam["v"][k], adam["v"][k])
        self.adam["t"] = adam["t"]

    # ---------------------------------------------------------------- forward and backward

    def _forward(self, ids):
        """transformer.forward up to the last layer norm, keeping what the backward pass
        needs: ids [B, T] -> (rows [B·T, d], each block's kept values, (x̂, 1/std) of ln_f)."""
        c, p = self.config, self.params
        B, T = ids.shape
        H, d = c.n_head, c.n_embd
        hs = d // H
        scale = 1.0 / math.sqrt(hs)
        future = np.triu(np.full((T, T), -np.inf, self.dtype), 1)  # [T, T], added to scores
        x = p["wte"][ids] + p["wpe"][:T]  # [B, T, d]
        kept = []
        for l in range(c.n_layer):
            h = f"h.{l}."
            a, xhat1, rstd1 = _layer_norm(x, p[h + "ln_1.g"], p[h + "ln_1.b"])
            qkv = np.matmul(a, p[h + "attn.c_attn.w"])  # [B, T, 3d]
            q, k, v = qkv.reshape(B, T, 3, H, hs).transpose(2, 0, 3, 1, 4)  # 3 × [B, H, T, hs]
            scores = np.matmul(q, k.swapaxes(-1, -2))  # [B, H, T, T]
            scores *= scale
            scores += future
            scores -= scores.max(axis=-1, keepdims=True)
            weights = np.exp(scores, out=scores)
            weights /= weights.sum(axis=-1, keepdims=True)  # [B, H, T, T]
            merged = np.matmul(weights, v).swapaxes(1, 2).reshape(B, T, d)  # [B, T, d]
            mid = x + np.matmul(merged, p[h + "attn.c_proj.w"])  # [B, T, d]
            m, xhat2, rstd2 = _layer_norm(mid, p[h + "ln_2.g"], p[h + "ln_2.b"])
            hid = np.matmul(m, p[h + "mlp.c_fc.w"])  # [B, T, 4d]
            t = np.tanh(tf.GELU_C * (hid + 0.044715 * hid * hid * hid))  # [B, T, 4d]
            act = 0.5 * hid * (1.0 + t)  # GELU
            x = mid + np.matmul(act, p[h + "mlp.c_proj.w"])  # [B, T, d]
            kept.append((a, xhat1, rstd1, q, k, v, weights, merged, m, xhat2, rstd2, hid, t, act))
        xf, xhatf, rstdf = _layer_norm(x, p["ln_f.g"], p["ln_f.b"])  # [B, T, d]
        return xf.reshape(-1, d), kept, (xhatf, rstdf)  # [N, d]

    def loss_and_grads(self, ids, targets):
        """transformer_backward.loss_and_grads: the loss; the gradient goes into self.grads."""
        c, p = self.config, self.params
        B, T = ids.shape
        H, d = c.n_head, c.n_embd
        hs = d // H
        scale = 1.0 / math.sqrt(hs)
        rows, kept, (xhatf, rstdf) = self._forward(ids)  # [N, d]
        wte_t = np.ascontiguousarray(p["wte"].T)  # [d, V]: the tied head, both ways round
        loss, dlogits = self._softmax_cross_entropy(self._head(rows, wte_t),
                                                    targets.reshape(-1))  # [N, V]

        g = self.grads
        dxf = times_t(dlogits, wte_t).reshape(B, T, d)
        dwte_head = t_times(rows, dlogits)  # [d, V]
        dx = _layer_norm_backward(dxf, xhatf, rstdf, p["ln_f.g"], g["ln_f.g"], g["ln_f.b"])
        for l in reversed(range(c.n_layer)):
            h = f"h.{l}."
            a, xhat1, rstd1, q, k, v, weights, merged, m, xhat2, rstd2, hid, t, act = kept[l]
            # the MLP
            dx2 = dx.reshape(-1, d)
            g[h + "mlp.c_proj.w"][...] = t_times(act.reshape(-1, 4 * d), dx2)
            dact = times_t(dx, p[h + "mlp.c_proj.w"])  # [B, T, 4d]
            slope = 0.5 * (1.0 + t) + 0.5 * hid * (1.0 - t * t) * tf.GELU_C * (
                1.0 + 3 * 0.044715 * hid * hid)
            dhid = dact * slope  # [B, T, 4d]
            g[h + "mlp.c_fc.w"][...] = t_times(m.reshape(-1, d), dhid.reshape(-1, 4 * d))
            dm = times_t(dhid, p[h + "mlp.c_fc.w"])  # [B, T, d]
            dmid = _layer_norm_backward(dm, xhat2, rstd2, p[h + "ln_2.g"],
                                        g[h + "ln_2.g"], g[h + "ln_2.b"])
            dmid += dx  # the residual
            # attention
            dmid2 = dmid.reshape(-1, d)
            g[h + "attn.c_proj.w"][...] = t_times(merged.reshape(-1, d), dmid2)
            dheads = times_t(dmid, p[h + "attn.c_proj.w"]).reshape(B, T, H, hs).swapaxes(1, 2)
            dweights = np.matmul(dheads, v.swapaxes(-1, -2))  # [B, H, T, T]
            dqkv = np.empty((B, T, 3, H, hs), self.dtype)
            dq, dk, dv = dqkv.transpose(2, 0, 3, 1, 4)  # views, 3 × [B, H, T, hs]
            np.matmul(weights.swapaxes(-1, -2), dheads, out=dv)
            dweights -= (dweights * weights).sum(axis=-1, keepdims=True)
            dweights *= weights
            dweights *= scale  # d loss / d scores
            np.matmul(dweights, k, out=dq)
            np.matmul(dweights.swapaxes(-1, -2), q, out=dk)
            dqkv2 = dqkv.reshape(-1, 3 * d)
            g[h + "attn.c_attn.w"][...] = t_times(a.reshape(-1, d), dqkv2)
            da = times_t(dqkv2, p[h + "attn.c_attn.w"]).reshape(B, T, d)
            dx = _layer_norm_backward(da, xhat1, rstd1, p[h + "ln_1.g"],
                                      g[h + "ln_1.g"], g[h + "ln_1.b"])
            dx += dmid  # the residual
        g["wte"][...] = dwte_head.T
        np.add.at(g["wte"], ids.reshape(-1), dx.reshape(-1, d))  # tied: also the input table
        g["wpe"][...] = 0.0
        np.sum(dx, axis=0, out=g["wpe"][:T])
        return loss

    def _head(self, rows, wte_t):
        """The logits rows @ wte.T [N, V], written into the kept buffer: 4,096 numbers a row
        are too many to allocate afresh at every step."""
        if len(self.head_buffer) < len(rows):
            self.head_buffer = np.empty((len(rows), self.config.vocab_size), self.dtype)
        return times(rows, wte_t, out=self.head_buffer[:len(rows)])  # [N, V]

    def target_log_probs(self, x, y, scored):
        """lm_training.target_log_probs with these weights: x, y, scored [b, T] -> [k]. Only
        the scored rows go through the 4,096-wide head (half of them, when scoring held-out
        text in overlapping windows)."""
        rows = self._forward(x)[0][scored.reshape(-1)]  # [k, d]
        z = self._head(rows, np.ascontiguousarray(self.params["wte"].T))  # [k, V]
        z -= z.max(axis=-1, keepdims=True)
        picked = z[np.arange(len(z)), y[scored]]  # [k]
        return picked - np.log(np.exp(z, out=z).sum(axis=-1))

    def _softmax_cross_entropy(self, z, targets):
        """transformer_backward.softmax_cross_entropy of the logits z [N, V], in place."""
        N = len(z)
        z -= z.max(axis=-1, keepdims=True)
        picked = z[np.arange(N), targets]  # [N]
        probs = np.exp(z, out=z)
        total = probs.sum(axis=-1, keepdims=True)  # [N, 1]
        loss = float(np.mean(np.log(total[:, 0]) - picked))
        probs *= 1.0 / (total * N)  # probabilities, ÷ N: the loss is a mean
        probs[np.arange(N), targets] -= 1.0 / N
        return loss, probs

    # ---------------------------------------------------------------- the update

    def update(self, loss):
        """lm_training.clip, then lm_training.adamw, on the flat vectors, in place; -> the
        step's metrics as lm_training.train_step gives them, with `loss` (the batch's)."""
        hyper, g, tmp = self.hyper, self.grad, self.tmp
        norm = math.sqrt(float(np.dot(g, g)))
        g *= min(1.0, hyper.clip / (norm + 1e-6))
        t = self.adam["t"] = self.adam["t"] + 1
        lr = lt.learning_rate(t, hyper)  # looked up by name: a reader's version runs here too
        b1, b2 = hyper.beta1, hyper.beta2
        self.m *= b1
        self.m += (1 - b1) * g
        np.multiply(g, g, out=tmp)
        tmp *= 1 - b2
        self.v *= b2
        self.v += tmp
        # step = (m / (1 − β1^t)) / (√(v / (1 − β2^t)) + eps), then the decay, × lr
        np.multiply(self.v, 1.0 / (1 - b2**t), out=tmp)
        np.sqrt(tmp, out=tmp)
        tmp += hyper.eps
        np.divide(self.m, tmp, out=tmp)
        tmp *= 1.0 / (1 - b1**t)
        tmp += self.decay * self.flat
        tmp *= lr
        self.flat -= tmp
        return {"step": t, "loss": loss, "lr": lr, "grad_norm": norm}

    def train_step(self, x, y):
        """lm_training.train_step on x, y [B, T], in place: -> the metrics."""
        return self.update(self.loss_and_grads(x, y))
