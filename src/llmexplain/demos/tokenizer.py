"""Chapter 3 — text cut into tokens, live, by our tokenizer or GPT-4’s.

The reader types or pastes; the page shows each token as a chip with its id, the counts,
and the bytes of the token picked (by clicking a chip, or with the "token number" slider).
Our tokenizer (4,096 tokens, trained on our corpus) is ready at once; GPT-4’s vocabulary
(100,256 tokens) is read the first time the reader switches to it, on the next tick, so the
page can say "loading" first; the page fetches the file only then (llmexplain.data.NotFetched),
and its size is known without it (GPT4_TOKENS, held to the file by a test).

State (STATE): the text (at most MAX_CHARS characters), the tokenizer chosen, and the token
picked, counted from 1 as the reader counts it ("Token 4 of 21"), by a chip or the slider
alike. A figure created with GPT-4's tokenizer reads its vocabulary at once. What the last
text given lost (all past MAX_CHARS, half characters mended) is said beside the chips but
is not state: the text kept is.
"""

import re
from typing import ClassVar

from .. import bpe
from ..data import path
from ..live_math import Experiment
from .base import Demo
from .controls import Choice, InputError, Text, Whole
from .format import big, count, signed

OURS, GPT4 = "bpe-4k.tiktoken", "cl100k_base.tiktoken"
GPT4_TOKENS = 100_256  # lines in GPT4, the pinned file: shown before it is fetched
FILES = {"ours": OURS, "gpt4": GPT4}
MAX_CHARS = 20_000  # text beyond this is counted but not tokenized: keeps every reply fast
MAX_TOKENS = 4 * MAX_CHARS  # a character is at most 4 bytes, and every byte at most a token
MAX_CHIPS = 2_000  # tokens drawn as chips; the rest are counted, so the page stays light
LEARN_CHARS = 2_000  # the start of the text the figure learns merges from: milliseconds
LEARN_MERGES = 10

EXAMPLES = {  # data-value of each example button -> (the button's words, the text it puts in)
    "word": ("understanding", "understanding"),
    "space": ("understanding after a space", " understanding"),
    "number": ("a number", "1234567 + 89 = 1234656"),
    "emoji": ("emoji", "I love 🍕 and 👩‍💻!"),
    "german": ("a German word", "Schmetterling"),
    "japanese": ("Japanese", "こんにちは、世界"),
}
START = ("A tokenizer cuts text into pieces. Common words like “the” stay whole; "
         "rarer ones, such as tokenization, are split, and so are long numbers: 1234567 🙂")


class Paste(Text):
    """The text box. A text being restored must fit (`check`); anything the reader types or
    pastes is taken (`parse`), and the demo keeps its first `max_len` characters."""

    def parse(self, value):
        if not isinstance(value, str):
            raise InputError(f"{self.label}: expected text.")
        return value


STATE = {
    "text": Paste("your text", MAX_CHARS, default=START),
    "tokenizer": Choice("tokenizer", (("ours", "ours"), ("gpt4", "GPT-4’s")), default="ours"),
    "token": Whole("token number", 1, MAX_TOKENS, default=1),
}
CONTROLS = {
    **STATE,
    # Buttons, not a box: declared here so the template draws them from this list.
    "example": Choice("example", tuple((key, words) for key, (words, _) in EXAMPLES.items())),
}
NAMES = {"ours": "our tokenizer", "gpt4": "GPT-4’s tokenizer"}

SURROGATE = re.compile("[\ud800-\udfff]")
RAW_BYTE = re.compile("[\udc80-\udcff]")  # a byte that is only part of a character

# What a chip shows for characters that would be invisible (the legend explains the marks):
# controls, spaces other than the plain one, and zero-width characters all become ␣.
INVISIBLE = [*range(0x20), 0x7F, *range(0x80, 0xA1), 0xAD, 0x1680, 0x180E,
             *range(0x2000, 0x2010), *range(0x2028, 0x2030), *range(0x205F, 0x2065), 0x3000, 0xFEFF]
VISIBLE = {c: "␣" for c in INVISIBLE} | {ord(" "): "·", ord("\n"): "⏎", ord("\t"): "⇥"}


class Tokenizing(Demo):
    STATE = STATE
    controls = CONTROLS
    data = (OURS,)  # GPT4 is fetched when the reader switches to it
    shows = (bpe.pair_counts, bpe.best_pair, bpe.learn)
    experiments = (
        Experiment("A merge rule that picks the rarest pair", bpe.best_pair,
                   "(-counts[pair], pair)", "(counts[pair], pair)",
                   "The merges learned from your text change: pairs seen only once are "
                   "joined first, so the new tokens are pieces that will hardly ever come "
                   "back, and common words stay in bits."),
    )

    def setup(self, s):
        self.tokenizers = {}
        self.read("ours")
        self.sizes = {"ours": len(self.tokenizers["ours"]), "gpt4": GPT4_TOKENS}
        self.first = {}  # tokenizer -> its first ten merges, worked out the first time shown
        self.chips = {}  # (tokenizer, id) -> chip(its bytes), worked out the first time drawn
        self.learned = None  # (the text merges were learned from, those merges as chips)
        # The tokenizer chosen, and the one drawn: they differ only while GPT-4's loads.
        self.tokenizer = self.use = s["tokenizer"]
        if self.use not in self.tokenizers:
            self.read(self.use)
        self.token = s["token"]
        self.set("text", s["text"])
        if s["token"] > self.token:  # past the last token of this text: start from the first
            self.notes.append(f"There is no token {big(s['token'])}: the text has "
                              f"{big(len(self.ids))}. Token 1 is picked instead.")
            self.token = 1

    def params(self):
        return {"text": self.text, "tokenizer": self.tokenizer, "token": self.token}

    # ---------------------------------------------------------------- state changes

    def set(self, name, value):
        if name == "text":
            # The text kept is state; how long it was given, and how many half characters
            # were mended, are only said beside the chips.
            self.text, self.given, self.mended = take(value)
            self._tokenize()
        elif name == "tokenizer":
            # Not read yet: say so now, read it on the next tick. Choosing ours meanwhile cancels.
            self.tokenizer = value
            if value in self.tokenizers:
                self.use = value
                self._tokenize()
        elif name == "token":
            self.token = min(value, max(len(self.ids), 1))

    def _tokenize(self):
        self.ids = self.tokenizers[self.use].encode(self.text)
        self.token = min(self.token, max(len(self.ids), 1))

    def read(self, which):
        self.tokenizers[which] = bpe.Tokenizer(bpe.load(path(FILES[which])))

    @property
    def loading(self):
        return self.use != self.tokenizer

    # ---------------------------------------------------------------- input

    def example(self, value):
        self.set("token", 1)
        self.set("text", EXAMPLES[CONTROLS["example"].parse(value)][1])

    def use_tokenizer(self, value):
        self.set("tokenizer", CONTROLS["tokenizer"].parse(value))

    def pick_token(self, value):
        """A chip's click sends its number, as the slider does."""
        self.set("token", CONTROLS["token"].parse(value))

    def tick(self, _=None):
        if self.loading:  # the page has shown "loading"; now do the slow part
            self.read(self.tokenizer)
            self.use = self.tokenizer
            self._tokenize()

    actions: ClassVar = {"example": example, "use": use_tokenizer, "token": pick_token,
                         "tick": tick}

    # ---------------------------------------------------------------- drawing

    def chip(self, token_id):
        """chip() of a token of the tokenizer drawn, memoised: (text, is part of a character)."""
        key = (self.use, token_id)
        if key not in self.chips:
            self.chips[key] = chip(self.tokenizers[self.use].tokens[token_id])
        return self.chips[key]

    def render(self):
        n_chars, n_tokens, picked = len(self.text), len(self.ids), self.token - 1
        tokens = self.tokenizers[self.use].tokens
        chips = []
        for k, token_id in enumerate(self.ids[:MAX_CHIPS]):
            text, partial = self.chip(token_id)
            classes = f"chip c{k % 6}" + (" partial" if partial else "") + \
                (" picked" if k == picked else "")
            chips.append({"tag": "span", "text": text, "attrs": {
                "class": classes, "data-id": str(token_id), "data-action": "token",
                "data-value": str(k + 1), "title": f"id {token_id} · bytes {hex_bytes(tokens[token_id])}",
                "tabindex": "0" if k == picked else "-1"}})  # one tab stop: arrows move
        name = NAMES[self.use]
        per_token = signed(n_chars / n_tokens, 2) if n_tokens else "–"
        counts = (f"{count(n_chars, 'character')}, {count(n_tokens, 'token')} with {name}" +
                  (f": {per_token} characters per token." if n_tokens else "."))
        picked_text = self.picked_text()
        return {
            "text": {
                "n-chars": big(n_chars),
                "n-tokens": big(n_tokens),
                "per-token": per_token,
                "size-ours": big(self.sizes["ours"]),
                "size-gpt4": big(self.sizes["gpt4"]),
                "first-merges": self.first_merges(),
                "merges-who": NAMES[self.use],
                "text-merges": self.text_merges(),
                "notice": notice(self.ids, self.chip, n_chars, name),
                "max-chars": big(MAX_CHARS),
                "limit": limit_text(self.given),
                "mended": mended_text(self.mended),
                "chips-note": (f"The first {big(MAX_CHIPS)} of {big(n_tokens)} tokens are drawn; "
                               f"all are counted." if n_tokens > MAX_CHIPS else ""),
                "picked": picked_text,
                "status": ("Loading GPT-4’s vocabulary…" if self.loading else
                           f"Showing {name}: {count(self.sizes[self.use], 'token')} in its "
                           "vocabulary."),
                "summary": "Loading GPT-4’s vocabulary…" if self.loading else counts,
            },
            "items": {"chips": chips},
            "attrs": {
                "use-ours": {"aria-pressed": str(self.use == "ours").lower()},
                "use-gpt4": {"aria-pressed": str(self.use == "gpt4").lower(),
                             "aria-busy": "true" if self.loading else None},
                "token": {"max": str(max(n_tokens, 1)), "disabled": not n_tokens or None,
                          "aria-valuetext": picked_text},
                "limit": {"hidden": self.given <= MAX_CHARS or None},
                "mended": {"hidden": not self.mended or None},
                "chips-note": {"hidden": n_tokens <= MAX_CHIPS or None},
            },
            # The box the reader is typing in is safe: the page never moves a focused control.
            "values": {"text": self.text, "token": self.token},
            "running": self.loading,
        }

    def first_merges(self):
        if self.use not in self.first:
            self.first[self.use] = first_merges(self.tokenizers[self.use].tokens)
        return self.first[self.use]

    def text_merges(self):
        """The first merges learned from the start of the reader's text, by bpe.learn (and
        whatever merge rule is installed), as chips show the tokens they make."""
        sample = self.text[:LEARN_CHARS]
        if self.learned is None or self.learned[0] != sample:
            merges = bpe.learn(sample, LEARN_MERGES)
            shown = "  ".join(chip(a + b)[0] for a, b in merges) or "none: no two neighbours"
            self.learned = (sample, shown)
        return self.learned[1]

    def picked_text(self):
        if not self.ids:
            return "No tokens yet: type something in the box."
        token_id = self.ids[self.token - 1]
        raw = self.tokenizers[self.use].tokens[token_id]
        text, partial = self.chip(token_id)
        what = "part of a character" if partial else f"“{text}”"
        return (f"Token {big(self.token)} of {big(len(self.ids))}: {what}, id {token_id}, "
                f"{count(len(raw), 'byte')}: {hex_bytes(raw)}.")


def take(text):
    """What the figure keeps of a text: (its first MAX_CHARS characters with every half
    character mended, the length it had, how many half characters were mended).

    >>> take("ab\\ud83d")
    ('ab�', 3, 1)
    """
    kept, mended = mend(text[:MAX_CHARS])
    return kept, len(text), mended


def mend(text):
    """`text` with every half character made �, and how many there were: what a tokenizer can
    encode (next_token.py mends the reader's text the same way).

    >>> mend("Once upon a \\ud83d")
    ('Once upon a �', 1)
    """
    # subtle: half of an emoji (from a cut paste) has no bytes of its own; it becomes �.
    return SURROGATE.subn("\ufffd", text)


def chip(raw):
    """What a token's chip shows: its text with invisible characters marked, and whether it
    holds only part of a character (its bytes are then shown in hex).

    >>> chip(b" a\\n"), chip(b"\\xf0")
    (('·a⏎', False), ('‹f0›', True))
    """
    text = raw.decode("utf-8", errors="surrogateescape").translate(VISIBLE)
    partial = bool(RAW_BYTE.search(text))
    return RAW_BYTE.sub(lambda m: f"‹{ord(m.group()) - 0xDC00:02x}›", text), partial


def first_merges(tokens, n=10):
    """The first n tokens a tokenizer learned (after the 256 single bytes), as chips show them."""
    return "  ".join(chip(tokens[i])[0] for i in range(bpe.BYTES, bpe.BYTES + n))


def notice(ids, chip, n_chars, name):
    """The bold line above the chips: what to look for in them. `chip(id)` gives a token's
    chip text and whether it is only part of a character."""
    if not ids:
        return "Type something to see it cut into tokens."
    if any(chip(i)[1] for i in ids[:MAX_CHIPS]):
        return ("Dashed chips are pieces of one character: it took more than one token to "
                "write it.")
    return (f"{signed(n_chars / len(ids), 1)} characters a token with {name}: common words "
            f"stay whole, rarer ones are cut into pieces.")


def limit_text(given):
    if given <= MAX_CHARS:
        return ""
    return (f"Your text has {count(given, 'character')}; only the first {big(MAX_CHARS)} "
            f"are tokenized here, to keep the page quick.")


def mended_text(mended):
    if not mended:
        return ""
    return (f"{count(mended, 'half character')} "
            "(from a cut emoji, say) became �: alone, it has no bytes.")


def hex_bytes(raw):
    """b' a' -> '20 61'."""
    return raw.hex(" ")
