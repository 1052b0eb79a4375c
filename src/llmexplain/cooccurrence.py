"""Word vectors from counting: which words turn up near which, squeezed into d numbers.

"You shall know a word by the company it keeps" (J. R. Firth, 1957). Count, for every
pair of words, how often they appear within a few words of each other; turn the counts
into "how much more often than chance" (positive pointwise mutual information, PPMI);
then keep only the d strongest patterns of that table (a truncated singular value
decomposition). Each word's row of the result is its vector. This is the counting cousin
of word2vec and GloVe (Levy, Goldberg & Dagan, 2015, showed how close they are).

Shapes used below:
    t       words in the text
    v       words in the vocabulary
    ids     [t]     each word's row in the vocabulary, or −1 (a rare word, a paragraph break)
    counts  [v, v]  weighted co-occurrence counts, row word × context word
    d       numbers kept per word

>>> ids = np.array([0, 1, 2, -1, 1, 0])
>>> cooccurrence(ids, 3, window=2)
array([[0. , 2. , 0.5],
       [2. , 0. , 1. ],
       [0.5, 1. , 0. ]])
"""

import re
from collections import Counter

import numpy as np

WORD = re.compile(r"[a-z]+")


def words(text):
    """Lower-case runs of the letters a to z: the words we count.

    >>> words("Alice's cat -- and THE Queen!")
    ['alice', 's', 'cat', 'and', 'the', 'queen']
    """
    return WORD.findall(text.lower())


def vocabulary(tokens, size):
    """The `size` most frequent words, most frequent first; ties in alphabetical order."""
    counted = Counter(tokens)
    return sorted(counted, key=lambda w: (-counted[w], w))[:size]


def to_ids(paragraphs, vocab):
    """The words of each paragraph as rows of `vocab`, −1 for others, −1 between paragraphs.

    A rare word keeps its place as −1, so the words on either side stay as far apart as
    they were in the text; the −1 between paragraphs stops a window from crossing one.
    """
    row = {w: i for i, w in enumerate(vocab)}
    out = []
    for paragraph in paragraphs:
        out += [row.get(w, -1) for w in words(paragraph)] + [-1]
    return np.array(out, dtype=np.int64)


def cooccurrence(ids, v, window):
    """counts[i, j]: how often word j appears within `window` words of word i.

    A pair at distance k adds 1/k (nearer words say more, as in GloVe); pairs with a −1
    in them, or with a −1 between them, are not counted. The result is symmetric.
    """
    counts = np.zeros(v * v)
    # Where each word sits relative to the last −1 before it: a window may not reach back
    # past it. [t]
    last_break = np.maximum.accumulate(np.where(ids < 0, np.arange(len(ids)), -1))
    for k in range(1, window + 1):
        left, right = ids[:-k], ids[k:]  # [t - k] pairs k apart
        ok = (left >= 0) & (right >= 0) & (last_break[k:] < np.arange(len(left)))
        counts += np.bincount(left[ok] * v + right[ok], minlength=v * v) / k
    counts = counts.reshape(v, v)
    return counts + counts.T


def ppmi(counts, alpha=0.75):
    """Positive pointwise mutual information: log(p(w, c) / (p(w) · p(c))), or 0 if lower.

    p(c) is taken from the context counts raised to `alpha`, which stops rare context
    words from scoring absurdly high (Levy, Goldberg & Dagan, 2015).
    """
    total = counts.sum()
    p_wc = counts / total  # [v, v]
    p_w = counts.sum(axis=1, keepdims=True) / total  # [v, 1]
    smoothed = counts.sum(axis=0) ** alpha  # [v]
    p_c = smoothed / smoothed.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log(p_wc / (p_w * p_c))
    return np.where(np.isfinite(pmi) & (pmi > 0), pmi, 0.0)


def svd_vectors(m, d):
    """Each row's d numbers from the d largest singular values: U_d · √S_d. [v, v] -> [v, d]

    U_d · S_d · V_dᵀ is the closest rank-d table to m (Eckart–Young); splitting S evenly
    between words and contexts is what Levy et al. found works best for similarity.
    """
    u, s, _ = np.linalg.svd(m, full_matrices=False)
    return u[:, :d] * np.sqrt(s[:d])
