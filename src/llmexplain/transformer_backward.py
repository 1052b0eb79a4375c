"""The transformer's backward pass: how much the loss changes as each weight changes.

Chapter 4's backpropagation, piece by piece for every part of transformer.py. Each
`*_backward` takes d loss / d (the piece's output), written `dout`, together with what
the piece read on the way forward, and returns d loss / d (each input and weight). Cheap
intermediate results (a layer norm's mean, a projection) are recomputed rather than kept.

Shapes as in transformer.py: N = B·T rows when a batch is flattened, and
    ids, targets  [B, T] token ids, and the id that follows each one
    dout, dx      [..., T, d] gradients of the loss by x (the same shape as x)
    dW            the same shape as the weight W

>>> config = tf.Config(vocab_size=5, block_size=4, n_layer=1, n_head=1, n_embd=4)
>>> params = tf.init_params(config, np.random.default_rng(0))
>>> loss, grads = loss_and_grads(params, np.array([[0, 1, 2]]), np.array([[1, 2, 3]]), config)
>>> round(float(loss), 2), round(math.log(5), 2)     # untrained: about a uniform guess
(1.61, 1.61)
>>> all(grads[name].shape == w.shape for name, w in params.items())
True
"""

import math

import numpy as np

from . import transformer as tf
from .transformer import matmul


def rows(a):
    """[..., n] -> [N, n]: every leading axis flattened into one."""
    return a.reshape(-1, a.shape[-1])


def linear_backward(dout, x, w):
    """out = x @ w, w [n, m]: returns dx [..., n] and dw [n, m]."""
    dw = matmul(rows(x).T, rows(dout))  # [n, N] @ [N, m] -> [n, m]
    return matmul(dout, w.T), dw  # [..., m] @ [m, n]


def softmax_cross_entropy(logits, targets, weights=None):
    """The loss, the mean of −log(probability of the right next token), and d loss / d logits.

    logits [..., V], targets [...] -> (loss scalar, dlogits [..., V]). The gradient is
    simply (probabilities − 1 at the right token), divided by the number of predictions.
    With weights [...], the loss is Σ weights · (−log p) instead: chapter 8 counts only the
    assistant's tokens (weights 1/n on them, 0 elsewhere), and preference tuning weighs
    whole replies up or down.
    """
    z = logits - logits.max(axis=-1, keepdims=True)  # [..., V], so exp cannot overflow
    picked = np.take_along_axis(z, targets[..., None], axis=-1)[..., 0]  # [...]
    probs = np.exp(z, out=z)  # [..., V]; z is no longer needed: reuse its memory
    total = probs.sum(axis=-1, keepdims=True)  # [..., 1]
    nll = np.log(total[..., 0]) - picked  # [...] −log p(right token)
    probs /= total  # [..., V]
    rows(probs)[np.arange(targets.size), targets.reshape(-1)] -= 1.0  # − 1 at the right token
    if weights is None:
        probs /= targets.size  # the loss is a mean over the N predictions
        return float(np.mean(nll)), probs
    probs *= weights[..., None]  # [..., V]
    return float(np.sum(weights * nll)), probs


def head_backward(dlogits, x, wte):
    """logits = x @ wteᵀ (the tied head): returns dx [..., T, d] and dwte [V, d]."""
    dwte = matmul(rows(dlogits).T, rows(x))  # [V, N] @ [N, d]
    return matmul(dlogits, wte), dwte  # [..., T, V] @ [V, d]


def layer_norm_backward(dout, x, g, eps=1e-5):
    """y = g · x̂ + b, x̂ = (x − mean) / std over each row: returns dx, dg [d], db [d]."""
    mean = x.mean(axis=-1, keepdims=True)  # [..., 1]
    rstd = 1.0 / np.sqrt(x.var(axis=-1, keepdims=True) + eps)  # [..., 1]
    xhat = (x - mean) * rstd  # [..., d]
    dg = (rows(dout) * rows(xhat)).sum(axis=0)  # [d]
    db = rows(dout).sum(axis=0)  # [d]
    dxhat = dout * g  # [..., d]
    # subtle: the mean and the std depend on every entry of the row, hence two corrections.
    dx = rstd * (dxhat - dxhat.mean(axis=-1, keepdims=True)
                 - xhat * (dxhat * xhat).mean(axis=-1, keepdims=True))  # [..., d]
    return dx, dg, db


def gelu_backward(dout, x):
    """GELU's slope at x times dout. [..., n] -> [..., n]"""
    t = np.tanh(tf.GELU_C * (x + 0.044715 * x * x * x))  # [..., n]
    slope = 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * tf.GELU_C * (1.0 + 3 * 0.044715 * x * x)
    return dout * slope


def mlp_backward(dout, x, c_fc, c_proj):
    """Through mlp(x) = gelu(x @ c_fc) @ c_proj: returns dx, dc_fc [d, 4d], dc_proj [4d, d]."""
    h = matmul(x, c_fc)  # [..., T, 4d], recomputed
    dact, dc_proj = linear_backward(dout, tf.gelu(h), c_proj)  # [..., T, 4d]
    dx, dc_fc = linear_backward(gelu_backward(dact, h), x, c_fc)  # [..., T, d]
    return dx, dc_fc, dc_proj


def softmax_backward(dout, p):
    """p = softmax(s) along the last axis: ds = p · (dout − Σ dout · p). [..., n] -> [..., n]"""
    return p * (dout - (dout * p).sum(axis=-1, keepdims=True))


def attend_backward(dout, q, k, v, weights):
    """Through attend (full causal attention, Tq = Tk = T): returns dq, dk, dv [..., H, T, hs].

    Masked weights are exactly 0, so no gradient reaches a score that was masked.
    """
    dweights = matmul(dout, v.swapaxes(-1, -2))  # [..., H, T, hs] @ [..., H, hs, T]
    dv = matmul(weights.swapaxes(-1, -2), dout)  # [..., H, T, T] @ [..., H, T, hs]
    dscores = softmax_backward(dweights, weights) / math.sqrt(q.shape[-1])  # [..., H, T, T]
    dq = matmul(dscores, k)  # [..., H, T, hs]
    dk = matmul(dscores.swapaxes(-1, -2), q)  # [..., H, T, hs]
    return dq, dk, dv


def attention_backward(dout, x, c_attn, c_proj, n_head, weights):
    """Through attention(x) (no cache), given the weights it returned.

    Returns dx [..., T, d], dc_attn [d, 3d], dc_proj [d, d].
    """
    q, k, v = (tf.split_heads(a, n_head) for a in np.split(matmul(x, c_attn), 3, axis=-1))
    heads = matmul(weights, v)  # [..., H, T, hs], recomputed
    dmerged, dc_proj = linear_backward(dout, tf.merge_heads(heads), c_proj)  # [..., T, d]
    dq, dk, dv = attend_backward(tf.split_heads(dmerged, n_head), q, k, v, weights)
    dqkv = np.concatenate([tf.merge_heads(a) for a in (dq, dk, dv)], axis=-1)  # [..., T, 3d]
    dx, dc_attn = linear_backward(dqkv, x, c_attn)  # [..., T, d]
    return dx, dc_attn, dc_proj


def embedding_backward(dx, ids, vocab_size, block_size):
    """x = wte[ids] + wpe[:T]: returns dwte [V, d] and dwpe [block_size, d].

    A token that appears several times collects the gradient of every appearance.
    """
    dwte = np.zeros((vocab_size, dx.shape[-1]), dx.dtype)  # [V, d]
    np.add.at(dwte, ids.reshape(-1), rows(dx))  # row ids[i] += dx[i]
    dwpe = np.zeros((block_size, dx.shape[-1]), dx.dtype)  # [block_size, d]
    dwpe[:ids.shape[-1]] = dx.reshape(-1, *dx.shape[-2:]).sum(axis=0)  # [T, d]
    return dwte, dwpe


def loss_and_grads(params, ids, targets, config, loss_weights=None):
    """The loss on a batch and its gradient for every weight: forward, then backward.

    ids, targets [B, T] -> (loss, {name: d loss / d params[name]}). The forward pass is
    transformer.forward's, keeping what the backward pass needs. loss_weights [B, T], if
    given, weigh each prediction's loss (softmax_cross_entropy).
    """
    # forward
    T = ids.shape[-1]
    x = params["wte"][ids] + params["wpe"][:T]  # [B, T, d]
    kept = []
    for l in range(config.n_layer):
        p = tf.layer(params, l)
        a = tf.layer_norm(x, p["ln_1.g"], p["ln_1.b"])  # [B, T, d]
        att, weights, _ = tf.attention(a, p["attn.c_attn.w"], p["attn.c_proj.w"], config.n_head)
        mid = x + att  # [B, T, d]
        m = tf.layer_norm(mid, p["ln_2.g"], p["ln_2.b"])  # [B, T, d]
        kept.append((x, a, weights, mid, m))
        x = mid + tf.mlp(m, p["mlp.c_fc.w"], p["mlp.c_proj.w"])  # [B, T, d]
    xf = tf.layer_norm(x, params["ln_f.g"], params["ln_f.b"])  # [B, T, d]
    loss, dlogits = softmax_cross_entropy(matmul(xf, params["wte"].T), targets,
                                           loss_weights)  # [B, T, V]

    # backward, in the opposite order
    grads = {}
    dxf, dwte_head = head_backward(dlogits, xf, params["wte"])  # [B, T, d]
    dx, grads["ln_f.g"], grads["ln_f.b"] = layer_norm_backward(dxf, x, params["ln_f.g"])
    for l in reversed(range(config.n_layer)):
        p, h = tf.layer(params, l), f"h.{l}."
        x, a, weights, mid, m = kept[l]
        dm, grads[h + "mlp.c_fc.w"], grads[h + "mlp.c_proj.w"] = mlp_backward(
            dx, m, p["mlp.c_fc.w"], p["mlp.c_proj.w"])
        dmid, grads[h + "ln_2.g"], grads[h + "ln_2.b"] = layer_norm_backward(dm, mid, p["ln_2.g"])
        dmid += dx  # the residual: mid also reaches the output directly
        da, grads[h + "attn.c_attn.w"], grads[h + "attn.c_proj.w"] = attention_backward(
            dmid, a, p["attn.c_attn.w"], p["attn.c_proj.w"], config.n_head, weights)
        dx, grads[h + "ln_1.g"], grads[h + "ln_1.b"] = layer_norm_backward(da, x, p["ln_1.g"])
        dx += dmid  # the residual around attention
    dwte, grads["wpe"] = embedding_backward(dx, ids, config.vocab_size, config.block_size)
    grads["wte"] = dwte + dwte_head  # tied: the table is both the input and the output
    return loss, {name: grads[name] for name in params}
