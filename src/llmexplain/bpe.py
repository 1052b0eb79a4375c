"""Byte-pair encoding: how a tokenizer turns text into token ids, and how it learns its tokens.

Text becomes bytes (UTF-8), so any text at all can be written with the 256 one-byte tokens.
Training then looks for the pair of neighbouring tokens seen most often in the corpus,
makes it a new token, and repeats: " t"+"he" -> " the". Encoding replays what was learned:
within each piece from the pre-split (pretokenize.py), it keeps joining the neighbouring
pair whose joined bytes were learned earliest, until no learned token can be formed.

A tokenizer is its `ranks`: token bytes -> token id, where a lower id was learned earlier.
GPT-4's `cl100k_base` file is exactly such a table, so one encoder serves ours and GPT-4's.

>>> ranks = {bytes([i]): i for i in range(256)} | {b"ab": 256, b"abc": 257}
>>> Tokenizer(ranks).encode("abcab")
[257, 256]
"""

import base64
import heapq
import time
from collections import Counter, defaultdict
from itertools import pairwise

from . import pretokenize

BYTES = 256  # every tokenizer here starts from the 256 possible bytes
CACHE_LIMIT = 50_000  # pieces whose encoding is remembered; then the memory starts afresh


# ---------------------------------------------------------------- training

def train(text, vocab_size, split=pretokenize.split, log=None):
    """Learn merges from `text` until there are `vocab_size` tokens.

    Returns the merges in the order learned, as (left bytes, right bytes). Each piece of
    the pre-split is counted once with its frequency, and after each merge only the pair
    counts of the pieces that held the merged pair are updated. Ties between pairs seen
    equally often go to the pair whose bytes sort first, so training is reproducible.

    >>> train("aaab aab", 258, split=str.split)   # "aa" 3 times; then a tie: "ab" sorts first
    [(b'a', b'a'), (b'a', b'b')]
    """
    counts = Counter(split(text))
    words = [list(piece.encode("utf-8")) for piece in counts]  # token ids, bytes at first
    freq = list(counts.values())
    vocab = [bytes([i]) for i in range(BYTES)]  # id -> bytes
    index = {b: i for i, b in enumerate(vocab)}  # bytes -> id
    pairs, where = Counter(), defaultdict(set)  # pair -> weighted count, and which words hold it
    for w, (word, f) in enumerate(zip(words, freq)):
        for pair in pairwise(word):
            pairs[pair] += f
            where[pair].add(w)
    heap = [(-n, vocab[a], vocab[b], a, b) for (a, b), n in pairs.items()]
    heapq.heapify(heap)  # entries go stale as counts change; a popped one is checked first
    merges, started = [], time.perf_counter()
    while len(vocab) < vocab_size and heap:
        n, _, _, a, b = heapq.heappop(heap)
        if pairs.get((a, b)) != -n:
            continue
        joined = vocab[a] + vocab[b]
        # subtle: two different pairs can spell the same bytes ("a"+"bc", "ab"+"c");
        # both then make the one token, so the vocabulary stays a set of byte strings.
        new = index.setdefault(joined, len(vocab))
        if new == len(vocab):
            vocab.append(joined)
        merges.append((vocab[a], vocab[b]))
        changed = set()
        for w in where.pop((a, b)):
            old, f = words[w], freq[w]
            words[w] = merge(old, a, b, new)
            for pair in pairwise(old):
                pairs[pair] -= f
                changed.add(pair)
            for pair in pairwise(words[w]):
                pairs[pair] += f
                where[pair].add(w)
                changed.add(pair)
        for pair in changed:
            if pairs[pair] > 0:
                heapq.heappush(heap, (-pairs[pair], vocab[pair[0]], vocab[pair[1]], *pair))
            else:
                del pairs[pair]
        if log and (len(merges) % 500 == 0 or len(vocab) == vocab_size):
            log(f"merge {len(merges)}: {len(vocab)} tokens, newest {joined!r} "
                f"seen {-n:,} times ({time.perf_counter() - started:.1f} s)")
    return merges


def pair_counts(words):
    """Step 1: how often each pair of neighbouring tokens occurs, counting each word (a
    tuple of token bytes) as often as it occurs.

    >>> pair_counts({(b"a", b"a", b"b"): 2, (b"a", b"b"): 1})
    Counter({(b'a', b'b'): 3, (b'a', b'a'): 2})
    """
    counts = Counter()
    for word, n in words.items():
        for pair in pairwise(word):
            counts[pair] += n
    return counts


def best_pair(counts):
    """Step 2, the merge rule: the pair seen most often (on a tie, the one whose bytes sort
    first, as in train).

    >>> best_pair({(b"a", b"b"): 3, (b"a", b"a"): 2})
    (b'a', b'b')
    """
    return min(counts, key=lambda pair: (-counts[pair], pair))


def learn(text, n_merges, split=pretokenize.split):
    """The first `n_merges` merges, learned from `text` the plain way: count every pair
    again after each merge. The same merges as train gives, which keeps its counts up to
    date instead: that is what makes a whole corpus take seconds, not hours.

    >>> learn("aaab aab", 2, split=str.split)
    [(b'a', b'a'), (b'a', b'b')]
    """
    words = Counter(tuple(bytes([c]) for c in piece.encode("utf-8")) for piece in split(text))
    merges = []
    while len(merges) < n_merges:
        counts = pair_counts(words)
        if not counts:  # every word is a single token: nothing left to join
            break
        a, b = best_pair(counts)
        merges.append((a, b))
        joined = Counter()
        for word, n in words.items():
            # subtle: two words can become one ("a"+"bc" and "ab"+"c"), so add, not set.
            joined[tuple(merge(word, a, b, a + b))] += n
        words = joined  # step 3: the pair joined everywhere; then count again
    return merges


def merge(word, a, b, new):
    """`word` with every neighbouring (a, b), read left to right, replaced by `new`.

    >>> merge([1, 1, 1, 2], 1, 1, 9)
    [9, 1, 2]
    """
    out, i = [], 0
    while i < len(word):
        if i + 1 < len(word) and word[i] == a and word[i + 1] == b:
            out.append(new)
            i += 2
        else:
            out.append(word[i])
            i += 1
    return out


def ranks_from_merges(merges):
    """The 256 bytes, then each merge's joined bytes the first time they appear."""
    ranks = {bytes([i]): i for i in range(BYTES)}
    for left, right in merges:
        ranks.setdefault(left + right, len(ranks))
    return ranks


# ---------------------------------------------------------------- encoding and decoding

def encode_piece(piece, ranks):
    """The token ids of one piece (bytes): join the lowest-ranked neighbouring pair first.

    The same rule as tiktoken's: at each step, among all neighbouring pairs whose joined
    bytes are a token, join the one with the lowest id (the leftmost on a tie). A heap
    keyed by (id, position) finds it, so a long piece costs n log n, not n².

    >>> ranks = {bytes([i]): i for i in range(256)} | {b"aa": 256, b"aaa": 257}
    >>> encode_piece(b"aaaaa", ranks)   # aa a a a -> aa aa a -> aa aaa
    [256, 257]
    """
    if piece in ranks:  # most words are a single token: skip the work
        return [ranks[piece]]
    n = len(piece)
    nxt = list(range(1, n + 1))  # where the token starting at i ends
    prv = list(range(-1, n - 1))  # where the token ending at i starts
    alive = [True] * n

    def pair_rank(i):
        j = nxt[i]
        return ranks.get(piece[i:nxt[j]]) if j < n else None

    heap = [(r, i) for i in range(n - 1) if (r := ranks.get(piece[i:i + 2])) is not None]
    heapq.heapify(heap)
    while heap:
        r, i = heapq.heappop(heap)
        if not alive[i] or pair_rank(i) != r:
            continue  # stale: a neighbour was joined since this entry was pushed
        j = nxt[i]
        alive[j] = False
        nxt[i] = nxt[j]
        if nxt[i] < n:
            prv[nxt[i]] = i
        for k in (prv[i], i):
            if k >= 0 and (r := pair_rank(k)) is not None:
                heapq.heappush(heap, (r, k))
    return [ranks[piece[i:nxt[i]]] for i in range(n) if alive[i]]


class Tokenizer:
    """A rank table put to work: encode text to ids, decode ids to text."""

    def __init__(self, ranks, split=pretokenize.split):
        self.ranks = ranks
        self.split = split
        self.tokens = {i: b for b, i in ranks.items()}  # id -> bytes
        self.cache = {}  # piece -> ids; the same words come back again and again

    def __len__(self):
        return len(self.ranks)

    def encode(self, text):
        """Text -> token ids, piece by piece of the pre-split."""
        out = []
        for piece in self.split(text):
            ids = self.cache.get(piece)
            if ids is None:
                if len(self.cache) >= CACHE_LIMIT:
                    self.cache.clear()
                try:
                    raw = piece.encode("utf-8")
                except UnicodeEncodeError:
                    raise ValueError("text holds half of a character (a lone surrogate), "
                                     "which has no UTF-8 bytes") from None
                ids = self.cache[piece] = encode_piece(raw, self.ranks)
            out += ids
        return out

    def decode(self, ids):
        """Token ids -> text. Ids that cut a character in two give U+FFFD, as in tiktoken."""
        return b"".join(self.tokens[i] for i in ids).decode("utf-8", errors="replace")


# ---------------------------------------------------------------- the rank file

def load(path):
    """A tiktoken rank file (one `base64(token bytes) id` a line) -> ranks."""
    ranks = {}
    for line in path.read_bytes().splitlines():
        if line:
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    return ranks


def dump(ranks):
    """ranks -> the text of a tiktoken rank file, in id order."""
    return "".join(f"{base64.b64encode(b).decode('ascii')} {i}\n"
                   for b, i in sorted(ranks.items(), key=lambda item: item[1]))
