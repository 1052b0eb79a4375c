"""What chapter 7's training figure learns from: the shelf's four books, one of them, or the
reader's own text, and the prompt its samples continue.

A pasted text is encoded with the shelf's tokenizer as it is (bpe-4k, learned from our corpus,
not retrained on the reader's text), its last tenth held out. It must be real text of a size
the page can take: the checks below say in plain words what is wrong with one that is not, and
the figure keeps training what it had.

Sizes (measured with Pyodide in headless Chromium on this 2-core machine, shared): pressing
Train on this text with 50,000 characters took 0.43–0.62 s of Python for prose or random
words and 0.48–0.89 s for emoji (165,000 tokens), of which about 0.45 s is what Reset costs
anyway (fresh weights, the first held-out score and sample). So MAX_CHARS keeps the figure's
own worker busy for under a second; the rest of the page never waits. A link keeps the text
only up to LINK_CHARS (see there).
"""

import json
import re

import numpy as np

from .controls import InputError, Text
from .format import big, count
from .tokenizer import mend

SOURCES = (("shelf", "the four children’s books"),
           ("alice", "Alice’s Adventures in Wonderland alone"),
           ("yours", "your own text (paste it below)"))
BOOKS = {"alice": "carroll-alice"}  # a choice -> its name in children-bpe4k.npz's "books"
ABOUT = {"shelf": "the four children’s books", "alice": "Alice’s Adventures in Wonderland",
         "yours": "your text"}
WINDOW = 32  # the model's window, in tokens (train_lm.CONFIG.block_size; a test holds it)
MIN_CHARS = 1_500  # its tenth, held out, is still more than a window of tokens
MAX_CHARS = 50_000
# A link holds a figure's state as base64 of its JSON (4 characters for 3 bytes), and the page
# reads no part of a link longer than 4,000 characters (static/runtime.js, PART_MAX): 2,500
# characters of JSON for the text (as page.link counts them; an emoji counts 12) leave room
# for the prompt and the rest.
LINK_CHARS = 2_500
MIN_DISTINCT = 50  # different tokens in the part trained on; ordinary prose has hundreds
MAX_PROMPT = 200
HELD_OUT = 0.1

# C0 and C1 control characters, and DEL: not text (tab, new line and carriage return are).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
REPLACED = "\ufffd"  # what a byte that is not UTF-8 becomes when a binary file is read as text


class Draft(Text):
    """The box the reader pastes into: anything is taken as it comes (Train on this text
    checks it), so a 1 MB paste costs a comparison, not a refusal of the keystroke."""

    def parse(self, value):
        if not isinstance(value, str):
            raise InputError(f"{self.label}: expected text.")
        return value


class Pasted(Text):
    """The text trained on: a link or saved state is held to the same checks as a paste."""

    def check(self, value):
        if value == "":
            return value  # none yet: the figure trains on a book
        return checked(value)

    parse = check


class Prompt(Draft):
    """The prompt: typed as it comes (the figure says what is wrong with it and keeps the
    last good one), held to checked_prompt when restored."""

    def check(self, value):
        return checked_prompt(value)


def checked(text):
    """The text the figure may train on, half characters mended (as the tokenizer figure
    mends them), or InputError saying what is wrong with it."""
    if not isinstance(text, str):
        raise InputError("Your text: expected text.")
    if not text.strip():
        raise InputError(f"There is no text to learn from yet: paste at least {big(MIN_CHARS)} "
                         "characters in the box.")
    if len(text) > MAX_CHARS:  # first: a megabyte is refused before anything reads it
        raise InputError(f"Your text has {count(len(text), 'character')}; this figure trains "
                         f"on at most {big(MAX_CHARS)} (more would keep it busy for seconds). "
                         "Paste a part of it.")
    say_control(text, "Your text")
    replaced = text.count(REPLACED)
    if replaced > max(10, len(text) // 100):
        raise InputError(f"Your text holds {count(replaced, 'replacement character')} (�), what "
                         "a file that is not text becomes when read as text. Paste plain text.")
    if len(text) < MIN_CHARS:
        raise InputError(f"Your text has {count(len(text), 'character')}; it needs at least "
                         f"{big(MIN_CHARS)}, so that its last tenth, held out, still holds "
                         f"windows of {WINDOW} tokens to measure.")
    return mend(text)[0]


def say_control(text, what):
    """InputError if `text` holds control characters, naming the first and where it is."""
    found = CONTROL.search(text)
    if found is None:
        return
    n, code = len(CONTROL.findall(text)), ord(found.group())
    kind = ("a NUL character (code 0), the mark of a binary file" if code == 0
            else f"control character U+{code:04X}")
    raise InputError(f"{what} holds {count(n, 'control character')}, the first {kind}, at "
                     f"character {big(found.start() + 1)}: that is not text. Paste plain text.")


def split(text, tokenizer, window):
    """Token ids of a checked text: (the first nine tenths, the last tenth), each encoded
    alone; InputError if either is too short for windows of `window` tokens, or the text
    too uniform to learn from.

    >>> from llmexplain import bpe
    >>> t = bpe.Tokenizer({bytes([i]): i for i in range(256)})
    >>> train, held = split("abcdefghij" * 300, t, 8)
    Traceback (most recent call last):
        ...
    llmexplain.demos.controls.InputError: Your text uses only 10 different tokens: too little variety to learn anything worth watching. Paste ordinary prose.
    """
    cut = len(text) - round(len(text) * HELD_OUT)
    train, heldout = tokenizer.encode(text[:cut]), tokenizer.encode(text[cut:])
    if len(heldout) <= window:
        raise InputError(f"Your text is too short: its last tenth is {count(len(heldout), 'token')}"
                         f", and measuring needs more than {window}. Paste a longer text.")
    distinct = len(set(train))
    if distinct < MIN_DISTINCT:
        raise InputError(f"Your text uses only {count(distinct, 'different token')}: too little "
                         "variety to learn anything worth watching. Paste ordinary prose.")
    return train, heldout


def load(source, text, tokenizer, window, books):
    """-> (train ids [n], held-out ids [m]) of a choice of text: the shelf, a book of it (from
    `books`, children-bpe4k.npz), or the reader's checked text (split); InputError if that
    cannot be learned from."""
    if source == "yours":
        if not text:
            raise InputError(f"There is no text of yours here (a link keeps one only up to "
                             f"{LINK_CHARS:,} characters).")
        train, heldout = split(text, tokenizer, window)
        return np.array(train, dtype=np.intp), np.array(heldout, dtype=np.intp)
    with np.load(books, allow_pickle=False) as z:
        train, heldout = z["train"].astype(np.intp), z["heldout"].astype(np.intp)
        if source in BOOKS:  # one book: its own stretch of each
            k = z["books"].tolist().index(BOOKS[source])
            (a, b), (c, d) = z["train_spans"][k], z["heldout_spans"][k]
            train, heldout = train[a:b], heldout[c:d]
    return train, heldout


def text_words(source, text, n_train, n_held):
    """Under the box: what the figure learns from."""
    if source != "yours":
        return (f"Learning from {ABOUT[source]}: {n_train:,} tokens to train on, the last "
                f"tenth ({n_held:,} tokens) held out.")
    words = (f"Learning from your text: {count(len(text), 'character')}, cut into "
             f"{n_train + n_held:,} tokens by the shelf’s tokenizer as it is (not one retrained "
             f"on your text); {n_train:,} to train on, the last tenth ({n_held:,}) held out.")
    if len(json.dumps(text)) > LINK_CHARS:  # as page.link measures it
        words += (f" A link to this figure cannot keep a text this long (about "
                  f"{LINK_CHARS:,} characters at most).")
    return words


def prompt_words(n_tokens, window):
    """Under the prompt: whether all of it fits the model's window."""
    if n_tokens > window:
        return (f"The prompt is {n_tokens:,} tokens; the model’s window holds {window}, so it "
                f"reads only the last {window}.")
    return ""


def checked_prompt(prompt):
    """The prompt, half characters mended, or InputError."""
    if not isinstance(prompt, str):
        raise InputError("The prompt: expected text.")
    if not prompt.strip():
        raise InputError("The prompt is empty: the model needs at least one token to continue.")
    if len(prompt) > MAX_PROMPT:
        raise InputError(f"The prompt has {count(len(prompt), 'character')}; at most "
                         f"{big(MAX_PROMPT)} are kept.")
    say_control(prompt, "The prompt")
    return mend(prompt)[0]


def draft_words(draft_len):
    """What the box says under itself about the text in it, before Train on this text."""
    if draft_len > MAX_CHARS:
        return (f"{count(draft_len, 'character')} in the box: more than the {big(MAX_CHARS)} "
                "this figure trains on.")
    return f"{count(draft_len, 'character')} in the box ({big(MIN_CHARS)} to {big(MAX_CHARS)} can be used)."
