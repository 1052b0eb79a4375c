#!/usr/bin/env python3
"""How good is chapter 5's language model? Bits per character beside n-gram baselines.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python -m tools.lm_report     the table (about a minute)
    .venv/bin/python -m tools.lm_report --model other.npz             another weights file

Scores the committed data/lm-bpe4k.npz on the held-out tenth of tooling.corpus.corpus(), beside
character n-gram models (llmexplain.ngram: add-one unigram; interpolated modified
Kneser–Ney above) counted on the same training text; then times generation with and
without the KV cache, and prints a sample.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from llmexplain import bpe, ngram
from llmexplain import lm_training as lt
from llmexplain import sampling as sp
from llmexplain import transformer as tf
from tooling import DEFAULT_CACHE, ROOT
from tooling.corpus import corpus as training_text
from tooling.data import data_dir
from tools import train_lm

ORDERS = (1, 2, 3, 5, 7)
PROMPT = "It was a fine morning, and"


def per_token_ms(params, config, ids, fill):
    """Milliseconds per generated token: with the cache while the window fills up, once it
    is full (each token rebuilds it), and with no cache (a full forward pass each time)."""
    def timed(fn, n):
        started = time.perf_counter()
        for _ in range(n):
            fn()
        return (time.perf_counter() - started) / n * 1000

    cache = tf.empty_cache(config)
    _, half = tf.forward_step(params, cache, ids[:fill])
    filling = timed(lambda: tf.forward_step(params, half, ids[fill]), 200)
    _, full = tf.forward_step(params, cache, ids[:config.block_size])
    sliding = timed(lambda: tf.forward_step(params, full, ids[0]), 50)
    window = ids[:fill + 1]
    uncached = timed(lambda: tf.forward(params, window, config), 50)
    return filling, sliding, uncached


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / "data" / train_lm.NAME)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="build cache")
    args = parser.parse_args(argv)
    corpus = training_text(args.cache)
    train, heldout = corpus.train.read_text(), corpus.heldout.read_text()
    _, heldout_ids, heldout_chars, _ = train_lm.token_ids(args.cache)
    config, params = tf.load(args.model)
    size = args.model.stat().st_size

    rows = []
    started = time.perf_counter()
    ours = lt.bits_per_character(params, heldout_ids, heldout_chars, config)
    name = f"transformer, {tf.n_params(params):,} parameters ({size / 1e6:.2f} MB), bpe-4k"
    rows.append((name, ours, time.perf_counter() - started))
    alphabet = "".join(sorted(set(train) | set(heldout)))
    for order in ORDERS:
        started = time.perf_counter()
        model = ngram.fit(train, order, alphabet)
        name = ("unigram, add-one" if order == 1 else
                f"{order}-gram, interpolated modified Kneser–Ney")
        rows.append((f"characters: {name}", ngram.bits_per_character(model, heldout),
                     time.perf_counter() - started))

    print(f"Held-out tenth of corpus(): {heldout_chars:,} characters "
          f"({len(heldout_ids):,} tokens); n-grams counted on the {len(train):,} training "
          f"characters, over an alphabet of {len(alphabet)}.\n")
    print("| model | held-out bits per character | seconds to count and score |")
    print("|---|---|---|")
    for name, bpc, seconds in rows:
        print(f"| {name} | {bpc:.3f} | {seconds:.1f} |")

    tokenizer = bpe.Tokenizer(bpe.load(data_dir(args.cache) / train_lm.TOKENIZER))
    ids = heldout_ids[:config.block_size + 1].tolist()
    filling, sliding, uncached = per_token_ms(params, config, ids, config.block_size // 2)
    print(f"\nPer generated token (this machine, numpy, one call each): "
          f"{filling:.2f} ms with the KV cache while the window fills; {sliding:.2f} ms once "
          f"it is full (the cache is rebuilt); {uncached:.2f} ms for a full forward pass "
          f"over {config.block_size // 2 + 1} tokens without a cache.")

    rng = np.random.default_rng(0)
    pick = lambda logits: sp.sample(sp.distribution(logits, temperature=0.8), rng)
    tokens = tf.generate(params, config, tokenizer.encode(PROMPT), pick)
    sample = tokenizer.decode([next(tokens) for _ in range(60)])
    print(f"\nA sample at temperature 0.8 (seed 0): {PROMPT}{sample}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
