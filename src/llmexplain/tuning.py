"""Chapter 8 — from autocomplete to assistant: instruction tuning and preference tuning.

Instruction tuning (supervised fine-tuning) is chapter 7's training on a different text:
conversations in the chat format (chat.py), with the loss counted only where the assistant
speaks. Preference tuning with DPO (direct preference optimisation, Rafailov et al., 2023)
takes two replies to one prompt, one a person preferred, and moves the model so the
preferred reply becomes more likely than the other, measured against a frozen copy of the
model as it was before (the reference), so it cannot drift far from it.

Shapes as in lm_training.py: x, y [B, T] windows and their targets; mask [B, T] which
targets count; params, grads: dicts name -> array.

>>> round(dpo_loss(margin=0.0), 4)     # no preference yet: −log σ(0) = log 2
0.6931
"""

import math

import numpy as np

from . import lm_training as lt
from . import transformer as tf
from .transformer_backward import loss_and_grads


def add_tokens(params, config, n, rng):
    """The model with n new tokens (the chat markers): n rows appended to the embedding
    table, each the average row plus a little noise, so the new tokens start as "a typical
    token" rather than as noise the model has never seen. -> (params, config)."""
    wte = params["wte"]  # [V, d]
    new = wte.mean(axis=0) + rng.normal(0.0, 0.02, (n, wte.shape[1]))  # [n, d]
    params = params | {"wte": np.concatenate([wte, new.astype(wte.dtype)])}  # [V + n, d]
    return params, tf.Config(**{**config.__dict__, "vocab_size": config.vocab_size + n})


def windows(conversations, T, pad=0):
    """Encoded conversations (each ids [n] with its loss mask [n - 1]) -> x, y, mask [B, T].

    One conversation a row, cut to T + 1 tokens or padded; padding is never learned from.
    """
    B = len(conversations)
    x, y = np.full((B, T), pad, np.intp), np.full((B, T), pad, np.intp)
    mask = np.zeros((B, T), bool)
    for row, (ids, learn) in enumerate(conversations):
        n = min(len(ids) - 1, T)
        x[row, :n], y[row, :n], mask[row, :n] = ids[:n], ids[1:n + 1], learn[:n]
    return x, y, mask


def sft_step(params, adam, x, y, mask, config, hyper):
    """One step of instruction tuning: lm_training's step, with the loss the mean over the
    masked targets only. -> (params, adam, metrics)."""
    loss, grads = loss_and_grads(params, x, y, config, loss_weights=mask / mask.sum())
    grads, norm = lt.clip(grads, hyper.clip)
    params, adam = lt.adamw(params, grads, adam, hyper)
    return params, adam, {"step": adam["t"], "loss": loss, "grad_norm": norm}


def reply_logprob(params, x, y, mask, config):
    """log p(reply | prompt) for each row: Σ over the masked targets of log p(target). -> [B]"""
    logits = tf.forward(params, x, config)  # [B, T, V]
    logits -= logits.max(axis=-1, keepdims=True)
    logp = logits - np.log(np.exp(logits).sum(axis=-1, keepdims=True))  # [B, T, V]
    picked = np.take_along_axis(logp, y[..., None], axis=-1)[..., 0]  # [B, T]
    return (picked * mask).sum(axis=-1, dtype=np.float64)  # [B]


def dpo_loss(margin, beta=1.0):
    """−log σ(β · margin): small when the preferred reply is well ahead of the other.

    margin = (log π(chosen) − log π_ref(chosen)) − (log π(rejected) − log π_ref(rejected)).
    """
    return float(np.logaddexp(0.0, -beta * margin))


def dpo_loss_and_grads(params, reference, chosen, rejected, config, beta=1.0):
    """The DPO loss for one pair of replies, and its gradient for every weight.

    chosen, rejected: (x, y, mask) [1, T] each, the same prompt with either reply.
    The loss depends on the weights only through the two log-probabilities, so its gradient
    is d loss / d log π(chosen) · ∇ log π(chosen) + the same for rejected, and
    ∇ log π(reply) = −∇ (the summed loss on the reply's tokens): one backward pass, with
    the chosen reply's tokens weighted by d loss / d log π(chosen) · (−1), the rejected
    reply's likewise. -> (loss, margin, grads)
    """
    x, y, mask = (np.concatenate(pair) for pair in zip(chosen, rejected))  # [2, T]
    policy = reply_logprob(params, x, y, mask, config)  # [2]
    ref = reply_logprob(reference, x, y, mask, config)  # [2]
    margin = float((policy[0] - ref[0]) - (policy[1] - ref[1]))
    # d loss / d margin = −β σ(−β margin); margin rises with chosen, falls with rejected
    slope = -beta / (1.0 + math.exp(min(beta * margin, 700.0)))
    weights = mask * np.array([[-slope], [slope]])  # [2, T]: d loss / d (−log p) per token
    _, grads = loss_and_grads(params, x, y, config, loss_weights=weights)
    return dpo_loss(margin, beta), margin, grads
