#!/usr/bin/env python3
"""Where does each attention head of chapter 5's model look? A table, measured.

    .venv/bin/python -m tools.attention_habits              40 held-out windows; writes data/
    .venv/bin/python -m tools.attention_habits --windows 200 --no-write

For every layer and head of data/lm-bpe4k.npz, averaged over the queries of evenly spaced
held-out windows: the share of attention on the previous token, on the token itself, on
the window's first token, and on the token that began the current word (the latest token
starting with a space or a new line), counting only the queries whose word began two or
more tokens back, so that it is not the previous token again; and the entropy of
each query's weights in bits (0: all on one token), and the distance back that gets the
most weight on average (0 is the token itself). For comparison, the first row shows
what attention spread evenly over every visible token would give. The prose of chapter 5
claims only a habit this table shows, and its figure shows each head's row from
data/attention-habits.json (+ .md), which this writes; deterministic.
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from llmexplain import bpe
from llmexplain import transformer as tf
from tooling import DEFAULT_CACHE, ROOT
from tooling.data import data_dir
from tooling.fetch import sha256
from tools import train_lm

OUT = "attention-habits.json"
SHARES = ("previous", "itself", "first", "word start", "entropy")
FIRST_QUERY = 2  # from the third token on, "previous" and "first" are different tokens


def word_starts(window, tokenizer):
    """For each position, the latest position ≤ it whose token begins a word (−1: none)."""
    out, latest = [], -1
    for i, token in enumerate(window):
        raw = tokenizer.tokens[int(token)]
        after_newline = i > 0 and tokenizer.tokens[int(window[i - 1])].endswith(b"\n")
        if raw[:1] in (b" ", b"\n") or after_newline:
            latest = i
        out.append(latest)
    return np.array(out)


def habits(weights, starts):
    """Shares for one head over all windows: weights [W, T, T], starts [W, T] -> dict."""
    T = weights.shape[-1]
    q = np.arange(FIRST_QUERY, T)  # [Q] the queries measured
    rows = weights[:, q]  # [W, Q, T]
    earlier_start = (starts[:, q] >= 0) & (starts[:, q] <= q - 2)  # [W, Q]
    on_start = np.take_along_axis(rows, np.maximum(starts[:, q], 0)[..., None], -1)[..., 0]
    entropy = -(rows * np.log2(np.where(rows > 0, rows, 1.0))).sum(-1)  # [W, Q]
    back = q[:, None] - np.arange(T)  # [Q, T]: how far back each key is (< 0: later)
    by_offset = [rows[:, back == k].mean() * (q >= k).mean() for k in range(T)]  # [T]
    favourite = int(np.argmax(by_offset))
    return {"previous": rows[:, np.arange(len(q)), q - 1].mean(),
            "itself": rows[:, np.arange(len(q)), q].mean(),
            "first": rows[..., 0].mean(),
            "word start": on_start[earlier_start].mean() if earlier_start.any() else np.nan,
            "word queries": int(earlier_start.sum()),
            "entropy": entropy.mean(),
            "favourite": f"{favourite} back ({by_offset[favourite]:.2f})"}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / "data" / train_lm.NAME)
    parser.add_argument("--windows", type=int, default=40, help="held-out windows (default 40)")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="build cache")
    parser.add_argument("--no-write", action="store_true", help=f"only print; leave data/{OUT}")
    args = parser.parse_args(argv)
    config, params = tf.load(args.model)
    _, heldout, _, _ = train_lm.token_ids(args.cache)
    tokenizer = bpe.Tokenizer(bpe.load(data_dir(args.cache) / train_lm.TOKENIZER))
    T = config.block_size
    starts = np.linspace(0, len(heldout) - T, args.windows).astype(int)
    windows = np.stack([heldout[s:s + T] for s in starts]).astype(np.intp)  # [W, T]
    word = np.stack([word_starts(w, tokenizer) for w in windows])  # [W, T]
    _, maps = tf.forward(params, windows, config, return_attention=True)  # L × [W, H, T, T]

    # Attention spread evenly over the visible tokens, as a yardstick.
    even = np.tril(np.ones((T, T))) / np.arange(1, T + 1)[:, None]  # [T, T]
    table = [("even spread", habits(np.broadcast_to(even, (len(windows), T, T)), word))]
    for l, layer_weights in enumerate(maps):
        for h in range(config.n_head):
            table.append((f"layer {l}, head {h}", habits(layer_weights[:, h], word)))

    q = T - FIRST_QUERY
    print(f"{len(windows)} held-out windows of {T} tokens, queries at positions "
          f"{FIRST_QUERY}–{T - 1} ({len(windows) * q:,} rows of weights per head; "
          f"{table[0][1]['word queries']:,} of them inside a word that began 2 or more tokens "
          f"back); {args.model.name}\n")
    cols = ["previous", "itself", "first", "word start", "entropy"]
    print("| head | " + " | ".join(cols[:-1]) + " | entropy (bits) | most weight at |")
    print("|---" * (len(cols) + 2) + "|")
    for name, h in table:
        print(f"| {name} | " + " | ".join(f"{h[c]:.2f}" for c in cols) + f" | {h['favourite']} |")
    if not args.no_write:
        write(table, config, args, len(windows))
    return 0


def write(table, config, args, n_windows):
    """Each head's shares, rounded, as data/attention-habits.json: heads[layer][head]."""
    def row(h):
        return {c.replace(" ", "_"): round(float(h[c]), 3) for c in SHARES}

    rows = [row(h) for _, h in table[1:]]
    out = ROOT / "data" / OUT
    out.write_text(json.dumps({
        "windows": n_windows, "model": args.model.name, "even": row(table[0][1]),
        "heads": [rows[l * config.n_head:(l + 1) * config.n_head] for l in range(config.n_layer)],
    }, indent=1) + "\n")
    out.with_suffix(".md").write_text(f"""# {OUT}

Where each attention head of chapter 5's model looks, measured: for every layer and head
(`heads[layer][head]`, counted from 0), the average share of attention on the previous
token, on the token itself, on the window's first token and on the token that began the
current word, and the entropy in bits; `even` is attention spread evenly, for comparison.
Chapter 5's figure shows the picked head's row; its prose claims only what this shows.

Regenerate: `.venv/bin/python -m tools.attention_habits` (deterministic), after the model.

Measured on {n_windows} evenly spaced windows of {config.block_size} tokens of the held-out
tenth of `tooling.corpus.corpus()`, with `{args.model.name}` (sha256 `{sha256(args.model)}`).
""")
    print(f"wrote {out} and {out.with_suffix('.md').name}")


if __name__ == "__main__":
    sys.exit(main())
