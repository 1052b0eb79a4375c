"""Chapter 5 — one token at a time: our transformer reads the text and scores every next token.

The reader types; the model reads the last 64 tokens (its window) and gives a probability
to each of its 4,096 tokens. The bars show the ten likeliest, as they will be drawn from
after temperature, top-k and top-p. Clicking a bar adds that token; Sample draws one;
Generate keeps drawing, a few a second, each new token joining what the next prediction
reads. Beside it: where, for this prediction, one head of one layer looked.

State (STATE): the text the reader typed, the tokens the model has added to it since (kept
as token ids, exactly as predicted), the sampling settings and seed, and the layer and head
shown. Draws are reproducible: the n-th token of a reply is drawn with the generator
default_rng([seed, n]), so the same state draws the same next token.

The window: the model reads at most 64 tokens. When the text outgrows it, the oldest half
slides out at once (window_start), so the model reads between 33 and 64 tokens, and the
next 31 tokens can each reuse the KV cache: a prediction costs one row of work, not 64.
"""

import json
import time
from typing import ClassVar

import numpy as np

from .. import bpe, sampling
from .. import transformer as tf
from ..data import path
from ..live_math import Experiment
from . import next_token_words as words
from .base import UNCHANGED, Demo
from .controls import Choice, Counts, InputError, Slider, Text, Whole
from .run import Run
from .tokenizer import chip, mend, mended_text

MODEL, TOKENIZER = "lm-bpe4k.npz", "bpe-4k.tiktoken"
PER_WORD, HABITS = "tokens-per-word.json", "attention-habits.json"  # measured by tools/
LAYERS, HEADS, VOCAB = 4, 4, 4096  # the shipped model's shape (checked when it is read)
MAX_TEXT = 5_000  # characters the reader may type or paste; the model reads 64 tokens anyway
MAX_REPLY = 1_000  # tokens a reply may grow to
PACE = 0.15  # seconds between generated tokens: slow enough to watch each one arrive

STATE = {
    "text": Text("your text", MAX_TEXT, link_max=300, default="Once upon a time, there was a"),
    "reply": Counts("the model's reply", 0, VOCAB - 1, MAX_REPLY, default=()),
    "temperature": Slider("temperature", 0.0, 2.0, 0.05, default=1.0),
    "top_k": Slider("top-k", 0, 50, 1, default=0),  # 0: off
    "top_p": Slider("top-p", 0.05, 1.0, 0.05, default=1.0),
    "seed": Whole("seed", 0, 999_999, default=1),
    "layer": Slider("layer", 1, LAYERS, 1, default=3),
    "head": Choice("head", (("all", "all four, averaged"),
                            *((str(h), f"head {h}") for h in range(1, HEADS + 1))), default="3"),
}
CONTROLS = {name: STATE[name] for name in ("text", "temperature", "top_k", "top_p", "seed",
                                           "layer", "head")}


class NextToken(Demo):
    STATE = STATE
    controls = CONTROLS
    data = (MODEL, TOKENIZER, PER_WORD, HABITS)
    worker = "lm"  # a prediction takes milliseconds: never make the light figures wait
    shows = (sampling.softmax, sampling.distribution, sampling.sample)
    experiments = (
        Experiment("Greedy: always the likeliest token", sampling.distribution,
                   "probs = softmax(logits, temperature)",
                   "probs = (np.arange(len(logits)) == np.argmax(logits)).astype(float)",
                   "The first bar takes 100% and every other drops to 0%, whatever the "
                   "temperature: Generate now writes the same reply every time, and often "
                   "loops."),
    )

    def setup(self, state):
        self.config, self.weights = tf.load(path(MODEL))
        if (self.config.n_layer, self.config.n_head, self.config.vocab_size) != (LAYERS, HEADS,
                                                                                 VOCAB):
            raise ValueError(f"{MODEL} is not the model this figure was made for")
        self.tokenizer = bpe.Tokenizer(bpe.load(path(TOKENIZER)))
        self.per_word = json.loads(path(PER_WORD).read_text())["per_word"]
        self.habits = json.loads(path(HABITS).read_text())
        state["text"], mended = mend(state["text"])  # a link or saved state may hold half a character
        if mended:
            self.notes.append(mended_text(mended))
        self.state = state
        self.run = Run("token")
        self.cache = None  # the KV cache: the window's keys and values, and its token ids
        self.chips = {}  # token id -> its chip's text
        self.note = "Type, or press Generate: the model adds one token at a time."
        self._encode()
        self._predict()

    def params(self):
        return {**self.state, "reply": list(self.state["reply"])}

    # ---------------------------------------------------------------- the model

    def chip(self, token):
        """A token as its chip shows it (memoised: a pure function of the id)."""
        if token not in self.chips:
            self.chips[token] = chip(self.tokenizer.tokens[token])[0]
        return self.chips[token]

    def _encode(self):
        """The reader's text as tokens. With no text at all the model reads a line break,
        the start of a paragraph in its books: it needs at least one token to go on."""
        self.text_ids = self.tokenizer.encode(self.state["text"] or "\n")

    @property
    def ids(self):
        """Every token so far: the reader's text, then the model's reply."""
        return self.text_ids + self.state["reply"]

    def _predict(self):
        """Run the model on the window of tokens; keep what render() shows.

        While a reply grows by one token within the same window, the KV cache makes that one
        row of work.
        """
        started = time.perf_counter()
        ids = self.ids
        start = window_start(len(ids), self.config.block_size)
        window = ids[start:]
        if self.cache is not None and self.cache["ids"] == tuple(window[:-1]):
            # the cache holds all but the newest token: one row of work
            logits, self.cache, maps = tf.forward_step(self.weights, self.cache, window[-1],
                                                       return_attention=True)
        else:  # new text, or the window slid: the whole window, from an empty cache
            logits, self.cache, maps = tf.forward_step(self.weights, tf.empty_cache(self.config),
                                                       window, return_attention=True)
        self.logits = logits[-1]  # [V]: the scores for the token after the last one
        self.model_probs = sampling.softmax(self.logits)  # [V]: before any reshaping
        self.attention = np.stack([m[:, -1] for m in maps])  # [L, H, window]
        self.timing = {"model_ms": (time.perf_counter() - started) * 1000, "rows": len(logits)}
        self.window = window
        self.n_before = start  # tokens that slid out of the window
        self._reshape()

    def _reshape(self):
        """The distribution to draw from, after temperature, top-k and top-p. [V]"""
        s = self.state
        self.probs = sampling.distribution(self.logits, s["temperature"], s["top_k"] or None,
                                           s["top_p"] if s["top_p"] < 1 else None)

    def _append(self, token):
        if len(self.state["reply"]) >= MAX_REPLY:
            return "done"
        self.state["reply"].append(int(token))
        self._predict()
        return None

    def _draw(self):
        """The next token, drawn as the state says: reproducible from the seed."""
        rng = np.random.default_rng([self.state["seed"], len(self.state["reply"])])
        return sampling.sample(self.probs, rng)

    # ---------------------------------------------------------------- input

    def set(self, name, value):
        if name == "text":
            (self.state["text"], mended), self.state["reply"] = mend(value), []
            self.run.pause()
            self._encode()
            self._predict()
            self.note = mended_text(mended) or None
            return
        self.state[name] = value
        if name in ("temperature", "top_k", "top_p"):
            self._reshape()
            self.note = words.setting_changed(name, value)
        elif name == "seed":
            self.note = f"Seed {value}: the same seed always draws the same tokens."
        else:
            self.note = None

    def append(self, value):
        try:
            token = int(value)
        except (TypeError, ValueError):
            raise InputError("That bar is not a token.") from None
        if not 0 <= token < VOCAB:
            raise InputError("That bar is not a token.")
        self.run.pause()
        if self._append(token) == "done":
            self.note = words.too_long(MAX_REPLY)
            return
        self.note = f"Added {words.shown(self.tokenizer, token)}."

    def sample(self, _=None):
        self.run.pause()
        token = self._draw()
        if self._append(token) == "done":
            self.note = words.too_long(MAX_REPLY)
            return
        self.note = f"Drew {words.shown(self.tokenizer, token)}."

    def generate(self, _=None):
        if self.run.stopped:
            self.note = words.too_long(MAX_REPLY)
            return
        self.run.play()
        self.note = "Generating: one token at a time. Press Pause to stop."

    def pause(self, _=None):
        if self.run.pause():
            self.note = f"Paused: the reply has {len(self.state['reply'])} tokens."

    def tick(self, _=None):
        if not self.run.running:
            return None
        outcome = self.run.advance(lambda: self._append(self._draw()), n=1, every=PACE)
        if outcome == "waiting":  # too soon for the next token: nothing to draw
            return UNCHANGED
        if outcome == "done":
            self.note = words.too_long(MAX_REPLY)
        return None

    def clear(self, _=None):
        self.run.reset()
        self.state["reply"] = []
        self._predict()
        self.note = "The reply is cleared; your text is as you typed it."

    actions: ClassVar = {"append": append, "sample": sample, "generate": generate,
                         "pause": pause, "tick": tick, "clear": clear}
    once: ClassVar = frozenset({"generate", "pause", "clear"})

    # ---------------------------------------------------------------- drawing

    def render(self):
        s = self.state
        layer = s["layer"] - 1
        heads = self.attention[layer]  # [H, T]
        seen = heads.mean(axis=0) if s["head"] == "all" else heads[int(s["head"]) - 1]  # [T]
        reply = s["reply"]
        text = self.state["text"] + self.tokenizer.decode(reply)
        top = sampling.ranked(self.probs)[:words.SHOWN]
        running = self.run.running
        return {
            "text": {
                **{f"{k}-shown": words.setting(k, s[k]) for k in ("temperature", "top_k",
                                                                   "top_p", "seed", "layer")},
                "rest": words.percent(max(0.0, 1.0 - float(self.probs[top].sum()))),
                "predictions": words.predictions(len(reply), self.per_word["ours"]),
                "window": words.window(len(self.window), self.n_before, self.config.block_size),
                "attention-says": words.attention(s["layer"], s["head"], seen, self.window,
                                                  self.tokenizer),
                "habit": words.habit(s["layer"], s["head"], self.habits),
                "n-params": f"{tf.n_params(self.weights):,}",
                "status": words.status(self.run, len(reply)),
                "btn-generate": "Pause" if running else "Generate",
                "notice": words.notice(self.tokenizer, top[0], self.probs, s["temperature"]),
                "summary": self.note or words.summary(self.tokenizer, top[0], self.probs),
            },
            "items": {
                "bars": words.bars(self.tokenizer, top, self.probs, self.model_probs),
                "context": words.context(self.chip, self.ids, self.n_before, len(reply),
                                         seen),
            },
            "attrs": {
                "btn-generate": {"data-action": "pause" if running else "generate",
                                 "aria-pressed": "true" if running else "false"},
                "btn-clear": {"aria-disabled": None if reply else "true"},
                # A question gets no answer here: say why, and where the essay shows how.
                "asked": {"hidden": None if s["text"].rstrip().endswith("?") else True},
            },
            "values": {"text": text, **{k: s[k] for k in CONTROLS if k != "text"}},
            "running": running,
        }


def window_start(n, block):
    """Where the model's window begins in n tokens: all of them while they fit; then, each
    time the window is full, its oldest half slides out at once.

    >>> [window_start(n, 64) for n in (10, 64, 65, 96, 97, 128, 129)]
    [0, 0, 32, 32, 64, 64, 96]
    """
    half = block // 2
    return 0 if n <= block else half * -(-(n - block) // half)
