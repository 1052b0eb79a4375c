"""Choosing the next token: from the model's scores to the one distribution we draw from.

The model gives a score (logit) to every token. Temperature divides the scores before the
softmax: below 1 the likely tokens become likelier still, above 1 the odds even out, and at
0 only the best token is left. Top-k then keeps only the k likeliest tokens, and top-p
(nucleus) the fewest likeliest tokens whose probabilities add up to at least p. Whatever
is left is scaled back up to sum to 1, and one token is drawn from it.

Shapes: logits [V] (a score per token), probs [V] (probabilities; zero for every token
that can no longer be chosen).

>>> logits = np.log(np.array([0.5, 0.3, 0.15, 0.05]))
>>> distribution(logits, top_k=2).round(3).tolist()         # 0.5 and 0.3, scaled to sum 1
[0.625, 0.375, 0.0, 0.0]
>>> distribution(logits, top_p=0.9).round(3).tolist()       # 0.5 + 0.3 < 0.9 ≤ + 0.15
[0.526, 0.316, 0.158, 0.0]
>>> distribution(logits, temperature=0).tolist()            # always the best
[1.0, 0.0, 0.0, 0.0]
"""

import numpy as np


def softmax(logits, temperature=1.0):
    """Probabilities from scores at a temperature > 0. [V] -> [V]"""
    logits = np.asarray(logits, dtype=np.float64)
    # subtle: shift by the largest score *before* dividing: then even a tiny temperature
    # gives 0 for the best and −inf at worst for the others (exp -> 0), never inf − inf.
    z = (logits - logits.max()) / temperature  # [V], all ≤ 0
    e = np.exp(z)
    return e / e.sum()


def ranked(probs):
    """Token ids, likeliest first; equal probabilities in id order (so no randomness)."""
    return np.argsort(-probs, kind="stable")  # [V]


def keep_top_k(probs, k):
    """Only the k likeliest tokens (ties go to the lower id), renormalised. [V] -> [V]"""
    keep = np.zeros(len(probs), dtype=bool)
    keep[ranked(probs)[:max(1, k)]] = True
    return renormalise(probs, keep)


def keep_top_p(probs, p):
    """Only the fewest likeliest tokens whose probabilities add up to at least p (always at
    least one), renormalised. [V] -> [V]"""
    order = ranked(probs)  # [V]
    before = np.cumsum(probs[order]) - probs[order]  # [V]: the mass of the likelier tokens
    # subtle: a token is kept if the tokens likelier than it do not yet reach p; comparing
    # the mass *before* it keeps the token that crosses p, and always keeps the first.
    keep = np.zeros(len(probs), dtype=bool)
    keep[order[before < p]] = True
    return renormalise(probs, keep)


def renormalise(probs, keep):
    """probs with every token not in `keep` set to 0, scaled to sum to 1."""
    out = np.where(keep, probs, 0.0)  # [V]
    return out / out.sum()


def distribution(logits, temperature=1.0, top_k=None, top_p=None):
    """The distribution actually sampled from, over the whole vocabulary. [V] -> [V]

    Temperature first, then top-k, then top-p (the order of Hugging Face's generate).
    Temperature 0 means: always the highest score (the lowest id on a tie).
    """
    logits = np.asarray(logits, dtype=np.float64)
    if temperature < 0:
        raise ValueError("the temperature cannot be negative")
    if temperature == 0:  # the limit of ever lower temperatures: all weight on the best
        probs = np.zeros(len(logits))
        probs[np.argmax(logits)] = 1.0
        return probs
    probs = softmax(logits, temperature)
    if top_k is not None:
        probs = keep_top_k(probs, top_k)
    if top_p is not None:
        probs = keep_top_p(probs, top_p)
    return probs


def sample(probs, rng):
    """One token id drawn with the given probabilities [V], rng = np.random.default_rng(seed).

    A uniform number in [0, total) lands in one token's stretch of the running total; a
    token with probability 0 has a stretch of length 0 and is never chosen.

    >>> sample(np.array([0.0, 1.0, 0.0]), np.random.default_rng(0))
    1
    """
    cumulative = np.cumsum(probs)  # [V]
    return int(np.searchsorted(cumulative, rng.random() * cumulative[-1], side="right"))
