"""Chapter 3 — text cut into tokens, live, by our tokenizer or GPT-4’s.

The reader types or pastes; the page shows each token as a chip with its id, the counts,
and the bytes of the token picked (by clicking a chip, or with the "token number" slider).
Our tokenizer (4,096 tokens, trained on our corpus) is ready at once; GPT-4’s vocabulary
(100,256 tokens) is read the first time the reader switches to it, on the next tick, so the
page can say "loading" first.
"""

import re

from .. import bpe
from ..data import path
from .controls import Choice, InputError

OURS, GPT4 = "bpe-4k.tiktoken", "cl100k_base.tiktoken"
CONTROLS = {"tokenizer": Choice("tokenizer", (("ours", "ours"), ("gpt4", "GPT-4’s")))}
MAX_CHARS = 20_000  # text beyond this is counted but not tokenized: keeps every reply fast
MAX_CHIPS = 2_000  # tokens drawn as chips; the rest are counted, so the page stays light

EXAMPLES = {  # data-value of each example button -> its text
    "word": "understanding",
    "space": " understanding",
    "number": "In 2024 the world had about 8118835999 people.",
    "emoji": "I love 🍕 and 👩‍💻!",
    "german": "Schmetterling",
    "japanese": "こんにちは、世界",
}
START = ("A tokenizer cuts text into pieces. Common words like “the” stay whole; "
         "rarer ones, such as tokenizer, are split. It's 2024 🙂")

SURROGATE = re.compile("[\ud800-\udfff]")
RAW_BYTE = re.compile("[\udc80-\udcff]")  # a byte that is only part of a character

# What a chip shows for characters that would be invisible (the legend explains the marks):
# controls, spaces other than the plain one, and zero-width characters all become ␣.
INVISIBLE = [*range(0x20), 0x7F, *range(0x80, 0xA1), 0xAD, 0x1680, 0x180E,
             *range(0x2000, 0x2010), *range(0x2028, 0x2030), *range(0x205F, 0x2065), 0x3000, 0xFEFF]
VISIBLE = {c: "␣" for c in INVISIBLE} | {ord(" "): "·", ord("\n"): "⏎", ord("\t"): "⇥"}


class Tokenizing:
    controls = CONTROLS
    data = (OURS, GPT4)

    def __init__(self, text=START, tokenizer="ours"):
        self.tokenizers = {"ours": bpe.Tokenizer(bpe.load(path(OURS)))}
        self.sizes = {"ours": len(self.tokenizers["ours"]), "gpt4": count_lines(path(GPT4))}
        self.shown = {}  # (tokenizer, id) -> (chip text, is part of a character)
        self.loading = False
        self.use = "ours"
        self.picked = 0
        self._set_text(text)
        self.handle("use", tokenizer)
        self.echo = True  # send the text back to the text box (at the start, after an example)

    # ---------------------------------------------------------------- state changes

    def _set_text(self, text):
        if not isinstance(text, str):
            raise InputError("The text box sent something that is not text.")
        self.full_length = len(text)
        self.text = text[:MAX_CHARS]
        self.mended = len(SURROGATE.findall(self.text))
        if self.mended:  # half of an emoji, from a cut paste: it has no bytes of its own
            self.text = SURROGATE.sub("\ufffd", self.text)
        self._tokenize()

    def _tokenize(self):
        self.ids = self.tokenizers[self.use].encode(self.text)
        self.picked = min(self.picked, max(len(self.ids) - 1, 0))

    def handle(self, name, value):
        self.echo = name == "example"
        if name == "text":
            self._set_text(value)
        elif name == "example":
            if value not in EXAMPLES:
                raise InputError(f"There is no example “{str(value)[:40]}”.")
            self.picked = 0
            self._set_text(EXAMPLES[value])
        elif name == "use":
            self.use_tokenizer(CONTROLS["tokenizer"].parse(value))
        elif name == "tick":
            if self.loading:  # the page has shown "loading"; now do the slow part
                self.tokenizers["gpt4"] = bpe.Tokenizer(bpe.load(path(GPT4)))
                self.loading = False
                self.use_tokenizer("gpt4")
        elif name in ("pick", "token"):
            self._pick(value, offset=0 if name == "pick" else 1)
        else:
            raise InputError(f"This demo has no control named “{str(name)[:40]}”.")

    def use_tokenizer(self, which):
        # Not read yet: say so now, read it on the next tick. Choosing ours meanwhile cancels.
        self.loading = which not in self.tokenizers
        if not self.loading:
            self.use = which
            self._tokenize()

    def _pick(self, value, offset):
        """A chip's index (a click) or the slider's 1-based position."""
        try:
            i = int(value) - offset
        except (TypeError, ValueError):
            raise InputError(f"“{str(value)[:40]}” is not a token number.") from None
        self.picked = min(max(i, 0), max(len(self.ids) - 1, 0))

    # ---------------------------------------------------------------- drawing

    def chip(self, token_id):
        """What a token's chip shows: its text with invisible characters marked, and
        whether it holds only part of a character (its bytes are then shown in hex)."""
        key = (self.use, token_id)
        if key not in self.shown:
            raw = self.tokenizers[self.use].tokens[token_id]
            text = raw.decode("utf-8", errors="surrogateescape").translate(VISIBLE)
            partial = bool(RAW_BYTE.search(text))
            text = RAW_BYTE.sub(lambda m: f"‹{ord(m.group()) - 0xDC00:02x}›", text)
            self.shown[key] = (text, partial)
        return self.shown[key]

    def render(self):
        n_chars, n_tokens = len(self.text), len(self.ids)
        tokens = self.tokenizers[self.use].tokens
        chips = []
        for k, token_id in enumerate(self.ids[:MAX_CHIPS]):
            text, partial = self.chip(token_id)
            classes = f"chip c{k % 6}" + (" partial" if partial else "") + \
                (" picked" if k == self.picked else "")
            chips.append({"tag": "span", "text": text, "attrs": {
                "class": classes, "data-id": str(token_id), "data-action": "pick",
                "data-value": str(k), "title": f"id {token_id} · bytes {hex_bytes(tokens[token_id])}",
                "tabindex": "0" if k == self.picked else "-1"}})  # one tab stop: arrows move
        name = {"ours": "our tokenizer", "gpt4": "GPT-4’s tokenizer"}[self.use]
        counts = (f"{n_chars:,} characters, {n_tokens:,} tokens with {name}" +
                  (f": {n_chars / n_tokens:.2f} characters per token." if n_tokens else "."))
        return {
            "text": {
                "n-chars": f"{n_chars:,}",
                "n-tokens": f"{n_tokens:,}",
                "per-token": f"{n_chars / n_tokens:.2f}" if n_tokens else "–",
                "size-ours": f"{self.sizes['ours']:,}",
                "size-gpt4": f"{self.sizes['gpt4']:,}",
                "first-merges": self.first_merges(),
                "max-chars": f"{MAX_CHARS:,}",
                "limit": self.limit_text(),
                "mended": (f"{self.mended:,} half character{'s' if self.mended > 1 else ''} "
                           "(from a cut emoji, say) became �: alone, it has no bytes."
                           if self.mended else ""),
                "chips-note": (f"The first {MAX_CHIPS:,} of {n_tokens:,} tokens are drawn; "
                               f"all are counted." if n_tokens > MAX_CHIPS else ""),
                "picked": self.picked_text(),
                "status": ("Loading GPT-4’s vocabulary…" if self.loading else
                           f"Showing {name}: {self.sizes[self.use]:,} tokens in its vocabulary."),
                "summary": "Loading GPT-4’s vocabulary…" if self.loading else counts,
            },
            "items": {"chips": chips},
            "attrs": {
                "use-ours": {"aria-pressed": str(self.use == "ours").lower()},
                "use-gpt4": {"aria-pressed": str(self.use == "gpt4").lower(),
                             "aria-busy": "true" if self.loading else None},
                "token": {"max": str(max(n_tokens, 1)), "disabled": not n_tokens or None,
                          "aria-valuetext": self.picked_text()},
                "limit": {"hidden": self.full_length <= MAX_CHARS or None},
                "mended": {"hidden": not self.mended or None},
                "chips-note": {"hidden": n_tokens <= MAX_CHIPS or None},
            },
            "values": {"token": self.picked + 1, **({"text": self.text} if self.echo else {})},
            "running": self.loading,
        }

    def first_merges(self, n=10):
        """The first tokens our tokenizer learned, as chips show them."""
        ours = self.tokenizers["ours"].tokens
        return "  ".join(ours[i].decode("utf-8").translate(VISIBLE) for i in range(bpe.BYTES, bpe.BYTES + n))

    def limit_text(self):
        if self.full_length <= MAX_CHARS:
            return ""
        return (f"Your text has {self.full_length:,} characters; only the first {MAX_CHARS:,} "
                f"are tokenized here, to keep the page quick.")

    def picked_text(self):
        if not self.ids:
            return "No tokens yet: type something in the box."
        token_id = self.ids[self.picked]
        raw = self.tokenizers[self.use].tokens[token_id]
        text, partial = self.chip(token_id)
        what = "part of a character" if partial else f"“{text}”"
        return (f"Token {self.picked + 1:,} of {len(self.ids):,}: {what}, id {token_id}, "
                f"{len(raw)} byte{'s' if len(raw) > 1 else ''}: {hex_bytes(raw)}.")


def hex_bytes(raw):
    """b' a' -> '20 61'."""
    return raw.hex(" ")


def count_lines(file):
    """How many tokens a rank file holds, without decoding it."""
    return file.read_bytes().count(b"\n")
