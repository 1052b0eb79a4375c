"""Chapter 8 — before and after: the same question to chapter 6's model and to the assistant.

Both models read the same tokens: the reader's question as the user's turn, then the
assistant's marker (chat.py). On the left, chapter 6's model as it was, with the chat
markers added as new tokens it has never been trained on (the model tuning starts from);
on the right, the same model after instruction tuning (tools/tune_chat.py). Generate draws
a token for each at a time, as chapter 6's figure does. The tuned model stops when it
predicts <|end|>; the untuned one was never taught where a reply ends, so it runs on until
the figure stops it.

State (STATE): the question, both replies so far (token ids), the temperature and the seed.
Draws are reproducible: the n-th token of a reply is drawn with default_rng([seed, side, n]).
"""

import time
from typing import ClassVar

import numpy as np

from .. import bpe, sampling, tuning
from .. import transformer as tf
from ..chat import MARKER_SEED, MARKERS, Chat
from ..data import path
from .base import UNCHANGED, Demo
from .controls import Counts, Slider, Text, Whole
from .format import count
from .run import Run
from .tokenizer import chip

BASE, TUNED, TOKENIZER = "lm-bpe4k.npz", "chat-bpe4k.npz", "bpe-4k.tiktoken"
LIMIT = 40  # tokens a reply may run to: the window's 64 hold the question too
PACE = 0.12  # seconds between tokens: slow enough to watch each arrive
SIDES = ("base", "tuned")

STATE = {
    "question": Text("your question", 160, default="Where have you been all day?"),
    "base": Counts("chapter 6’s reply", 0, 4099, LIMIT, default=()),
    "tuned": Counts("the assistant’s reply", 0, 4099, LIMIT, default=()),
    "temperature": Slider("temperature", 0.0, 1.5, 0.05, default=0.8),
    "seed": Whole("seed", 0, 999_999, default=1),
}
CONTROLS = {name: STATE[name] for name in ("question", "temperature", "seed")}


class Assistant(Demo):
    STATE = STATE
    controls = CONTROLS
    data = (BASE, TUNED, TOKENIZER)
    worker = "lm"

    def setup(self, state):
        self.tokenizer = bpe.Tokenizer(bpe.load(path(TOKENIZER)))
        self.chat = Chat(base_vocab=len(self.tokenizer))
        config, base = tf.load(path(BASE))
        base, self.config = tuning.add_tokens(base, config, len(MARKERS),
                                              np.random.default_rng(MARKER_SEED))
        _, tuned = tf.load(path(TUNED))
        self.models = {"base": base, "tuned": tuned}
        self.state = state
        self.run = Run("token")
        self.note = "Press Generate: both models answer, one token at a time."
        self.timing = {}

    def params(self):
        return {**self.state, "base": list(self.state["base"]), "tuned": list(self.state["tuned"])}

    def prompt(self):
        return self.chat.encode([("user", self.state["question"])], self.tokenizer, reply=True)

    def ended(self, side):
        reply = self.state[side]
        return bool(reply) and reply[-1] == self.chat.end

    def finished(self, side):
        return self.ended(side) or len(self.state[side]) >= LIMIT

    def draw(self, side):
        """The next token of one side's reply, reproducible from the seed."""
        started = time.perf_counter()
        ids = (self.prompt() + self.state[side])[-self.config.block_size:]
        logits = tf.forward(self.models[side], ids, self.config)[-1]  # [V]
        probs = sampling.distribution(logits, self.state["temperature"])
        rng = np.random.default_rng([self.state["seed"], SIDES.index(side),
                                     len(self.state[side])])
        self.timing = {"model_ms": (time.perf_counter() - started) * 1000}
        return int(sampling.sample(probs, rng))

    def step(self):
        for side in SIDES:
            if not self.finished(side):
                self.state[side].append(self.draw(side))
        return "done" if all(self.finished(s) for s in SIDES) else None

    # ---------------------------------------------------------------- input

    def set(self, name, value):
        self.state[name] = value
        self.clear()

    def generate(self, _=None):
        if all(self.finished(s) for s in SIDES):
            self.clear()
        self.run.play()
        self.note = "Generating: one token for each model at a time."

    def pause(self, _=None):
        if self.run.pause():
            self.note = "Paused."

    def tick(self, _=None):
        if not self.run.running:
            return None
        if self.run.advance(self.step, n=1, every=PACE) == "waiting":
            return UNCHANGED
        if self.run.status == "done":
            self.note = "Both replies are finished."
        return None

    def clear(self, _=None):
        self.run.reset()
        self.state["base"], self.state["tuned"] = [], []
        self.note = "Press Generate: both models answer, one token at a time."

    actions: ClassVar = {"generate": generate, "pause": pause, "tick": tick, "clear": clear}
    once: ClassVar = frozenset({"generate", "pause", "clear"})

    # ---------------------------------------------------------------- drawing

    def reply_text(self, side):
        return self.tokenizer.decode([i for i in self.state[side] if i < self.chat.base_vocab])

    def verdict(self, side):
        n = len(self.state[side])
        if self.ended(side):
            return f"It ended its reply: after {count(n - 1, 'token')} it predicted <|end|>."
        if n >= LIMIT:
            return (f"Stopped by the figure at {count(n, 'token')}: it never predicted <|end|>, "
                    f"since nothing taught it where a reply ends.")
        return f"{count(n, 'token')} so far."

    def render(self):
        running = self.run.running
        return {
            "text": {
                "reads": " ".join(self.chip(i) for i in self.prompt()),
                "base-reply": self.reply_text("base"),
                "tuned-reply": self.reply_text("tuned"),
                "base-verdict": self.verdict("base"),
                "tuned-verdict": self.verdict("tuned"),
                "temperature-shown": f"{self.state['temperature']:.2f}",
                "btn-generate": "Pause" if running else "Generate",
                "summary": self.note,
            },
            "attrs": {"btn-generate": {"data-action": "pause" if running else "generate",
                                       "aria-pressed": "true" if running else "false"}},
            "values": {k: self.state[k] for k in ("question", "temperature")},
            "running": running,
        }

    def chip(self, token):
        if token >= self.chat.base_vocab:
            return MARKERS[token - self.chat.base_vocab]
        return chip(self.tokenizer.tokens[token])[0]
