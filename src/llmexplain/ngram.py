"""Character n-gram models: guess the next character from the few just before it, by counting.

An n-gram model reads the N − 1 characters before a position (its context) and looks up
how often each character followed that context in the training text. Most long contexts
were never seen, so the estimate is blended with the next shorter context's, and so on
down to single characters: interpolated Kneser–Ney smoothing, in the "modified" form of
Chen & Goodman (1998), which is still the strongest simple way to do it.

Two ideas make it work. Discounting: take a little (D, learned from the counts) from
every count and hand it to the shorter context, so unseen characters keep some chance.
Continuation counts: a shorter context is only consulted when the longer one was rare,
so it should ask "after how many different characters has this one appeared?" rather
than "how often?" ("Francisco" is common, but "cisco" almost always after "Fran").

The unigram model (order 1) is the classic add-one estimate: (count + 1) / (total + A).

Shapes: codes [n] (each character's place in the alphabet), A characters in the alphabet,
N the order, history [m, N − 1] (the codes before each of m positions, −1 where the text
had not started), keys: an n-gram's codes read as one number in base A.

>>> model = fit("abab", 2)
>>> distribution(model, "a").tolist()    # after "a": always "b" so far, but "a" keeps a share
[0.25, 0.75]
"""

from dataclasses import dataclass

import numpy as np


@dataclass
class Level:
    """The counts for one order k, looked up by key (both arrays sorted)."""

    grams: np.ndarray  # [g] keys of the k-grams seen
    counts: np.ndarray  # [g] their counts (top order), or continuation counts (below)
    contexts: np.ndarray  # [c] keys of their first k − 1 characters
    totals: np.ndarray  # [c] the counts of each context's k-grams, added up
    mass: np.ndarray  # [c] D1·N1 + D2·N2 + D3·N3+: what discounting frees for the shorter context
    discount: tuple  # (D1, D2, D3+) for counts of 1, 2, and 3 or more


@dataclass
class NGram:
    alphabet: str  # every character the model can give a probability to, in code order
    order: int  # N: the model reads N − 1 characters to predict the next
    levels: list  # [N] a Level for each k = 1, ..., N


def encode(text, alphabet):
    """Each character's place in the alphabet. str -> [n]"""
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)  # [n] code points
    table = np.frombuffer(alphabet.encode("utf-32-le"), dtype=np.uint32)  # [A], sorted
    codes = np.searchsorted(table, points)  # [n]
    if len(points) and (codes.max() >= len(table) or (table[codes] != points).any()):
        raise ValueError("the text has characters outside the alphabet")
    return codes.astype(np.int64)


def discounts(counts):
    """Chen & Goodman's D1, D2, D3+ from how many n-grams were counted once, twice, ...

    With n_j n-grams of count j and Y = n1 / (n1 + 2·n2): D_j = j − (j + 1)·Y·n_{j+1}/n_j.
    Too little text to count (some n_j = 0) falls back to (0.5, 1.0, 1.5).

    >>> discounts(np.array([1] * 8 + [2] * 4 + [3] * 2 + [4]))   # Y = 0.5
    (0.5, 1.25, 2.0)
    """
    n1, n2, n3, n4 = (int(np.count_nonzero(counts == j)) for j in (1, 2, 3, 4))
    if min(n1, n2, n3, n4) == 0:
        return (0.5, 1.0, 1.5)
    y = n1 / (n1 + 2 * n2)
    return (1 - 2 * y * n2 / n1, 2 - 3 * y * n3 / n2, 3 - 4 * y * n4 / n3)


def fit(text, order, alphabet=None, discount=None):
    """Count the n-grams of `text` up to `order` characters. The alphabet defaults to the
    text's own characters; `discount` (D1, D2, D3+) overrides the discounts at every order.
    """
    alphabet = "".join(sorted(set(text) if alphabet is None else set(alphabet)))
    A = len(alphabet)
    if A ** order >= 2**63:
        raise ValueError(f"{A} characters to the power {order} do not fit a 64-bit key")
    codes = encode(text, alphabet)  # [n]
    # The k-grams seen and their counts, for k = 1, ..., N.
    seen = []
    key = np.zeros(len(codes), dtype=np.int64)  # [n]: key of the k-gram ending at each i
    for k in range(1, order + 1):
        key = key[:-1] * A + codes[k - 1:] if k > 1 else codes.copy()  # [n - k + 1]
        seen.append(np.unique(key, return_counts=True))
    levels = []
    for k in range(1, order + 1):
        if k == order:  # the longest n-grams use plain counts
            grams, counts = seen[k - 1]
        else:  # shorter ones: after how many different characters each one was seen
            grams, counts = np.unique(seen[k][0] % A**k, return_counts=True)
        levels.append(level(grams, counts, A, discount or discounts(counts)))
    return NGram(alphabet, order, levels)


def level(grams, counts, A, discount):
    """A Level from sorted k-gram keys and their counts: what each context adds up to."""
    contexts, first = np.unique(grams // A, return_index=True)  # [c]; grams come sorted
    totals = np.add.reduceat(counts, first)  # [c]
    d1, d2, d3 = discount
    freed = np.where(counts == 1, d1, np.where(counts == 2, d2, d3))  # [g]
    return Level(grams, counts, contexts, totals, np.add.reduceat(freed, first), discount)


def lookup(keys, values, wanted, missing=0):
    """values[i] where keys[i] == wanted (keys sorted), else `missing`. -> [m]"""
    if len(keys) == 0:
        return np.full(len(wanted), missing)
    i = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)  # [m]
    return np.where(keys[i] == wanted, values[i], missing)


def probabilities(model, history, targets):
    """p(target | history) for m positions: history [m, N − 1], targets [m] -> [m].

    From the shortest context up: each order's discounted estimate plus the mass it freed
    times the shorter context's estimate; a context never seen hands over entirely.
    """
    A = len(model.alphabet)
    if model.order == 1:  # add-one: every character seen once more than it was
        (unigrams,) = model.levels
        counts = lookup(unigrams.grams, unigrams.counts, targets)  # [m]
        return (counts + 1) / (unigrams.counts.sum() + A)
    p = np.full(len(targets), 1.0 / A)  # [m]: with no context at all, every character alike
    context = np.zeros(len(targets), dtype=np.int64)  # [m]: key of the last k − 1 characters
    known = np.ones(len(targets), dtype=bool)  # [m]: the text reaches back that far
    for k, lv in enumerate(model.levels, start=1):
        if k > 1:
            older = history[:, -(k - 1)]  # [m]: the character k − 1 places back
            known &= older >= 0
            context = np.maximum(older, 0) * A ** (k - 2) + context
        total = lookup(lv.contexts, lv.totals, context)  # [m]
        count = lookup(lv.grams, lv.counts, context * A + targets)  # [m]
        d1, d2, d3 = lv.discount
        d = np.where(count == 0, 0.0, np.where(count == 1, d1, np.where(count == 2, d2, d3)))
        mass = lookup(lv.contexts, lv.mass, context, 0.0)  # [m]
        blended = (np.maximum(count - d, 0.0) + mass * p) / np.maximum(total, 1)  # [m]
        p = np.where(known & (total > 0), blended, p)
    return p


def histories(codes, n):
    """The n codes before each position of a text (−1 before its start). [len] -> [len, n]"""
    if n == 0:
        return np.zeros((len(codes), 0), dtype=np.int64)
    padded = np.concatenate([np.full(n, -1), codes])  # [n + len]
    return np.lib.stride_tricks.sliding_window_view(padded, n)[:len(codes)]  # [len, n]


def distribution(model, context):
    """The probability of each character of the alphabet following `context`. -> [A]"""
    A, n = len(model.alphabet), model.order - 1
    padded = np.concatenate([np.full(n, -1), encode(context, model.alphabet)])
    before = padded[len(padded) - n:]  # [n]: the last N − 1 codes, −1 where there are none
    return probabilities(model, np.tile(before, (A, 1)), np.arange(A))  # [A]


def bits_per_character(model, text):
    """The average of −log2 p(each character | the N − 1 before it) over `text`."""
    codes = encode(text, model.alphabet)  # [n]
    p = probabilities(model, histories(codes, model.order - 1), codes)  # [n]
    return float(-np.log2(p).mean())
