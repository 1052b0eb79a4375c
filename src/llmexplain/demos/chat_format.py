"""Chapter 8 — a chat is one text: a conversation as the tokens a chat model reads.

The reader edits a short conversation (a system line, the user's turn, the assistant's
reply, the user's next turn); the figure shows it as one sequence of token ids, in our
tokenizer with our chat markers (ids 4,096–4,099, chat.py) or in GPT-4's with OpenAI's
ChatML markers (<|im_start|> 100264, <|im_end|> 100265). Shaded chips are the ones
instruction tuning learns to write: the assistant's words and its end-of-turn token. Below:
how many tokens the model reads to write each reply — all of the conversation so far, every
time — and how much of our model's 64-token window that fills.
"""

from typing import ClassVar

from .. import bpe
from ..chat import CL100K_CHAT, Chat, ChatML
from ..data import path
from .base import Demo
from .controls import Choice, Text
from .format import count
from .tokenizer import chip

OURS, GPT4 = "bpe-4k.tiktoken", "cl100k_base.tiktoken"
FILES = {"ours": OURS, "gpt4": GPT4}
WINDOW = 64  # our model's context window (chapter 6)
MAX_TURN = 300  # characters a turn may hold
TURNS = (("system", "system"), ("user", "user"), ("assistant", "assistant"), ("user2", "user"))

STATE = {
    "system": Text("the system line", MAX_TURN, default="Answer in a few words."),
    "user": Text("the user’s question", MAX_TURN, default="Where is the cat?"),
    "assistant": Text("the assistant’s reply", MAX_TURN, default="Under the table, asleep."),
    "user2": Text("the user’s next question", MAX_TURN, default="Why there?"),
    "tokenizer": Choice("tokenizer", (("ours", "ours, with our chat markers"),
                                      ("gpt4", "GPT-4’s, with ChatML markers")), default="ours"),
}
NAMES = {"ours": "our tokenizer", "gpt4": "GPT-4’s tokenizer"}


class ChatFormat(Demo):
    STATE = controls = STATE
    data = (OURS,)  # GPT-4's vocabulary is fetched when the reader switches to it

    def setup(self, state):
        self.state = state
        self.tokenizers = {"ours": bpe.Tokenizer(bpe.load(path(OURS)))}
        self.chat = Chat(base_vocab=len(self.tokenizers["ours"]))
        self.chips = {}
        if state["tokenizer"] != "ours":
            self.read(state["tokenizer"])

    def params(self):
        return dict(self.state)

    def read(self, which):
        self.tokenizers[which] = bpe.Tokenizer(bpe.load(path(FILES[which])))

    def set(self, name, value):
        self.state[name] = value

    @property
    def loading(self):
        return self.state["tokenizer"] not in self.tokenizers

    def tick(self, _=None):
        if self.loading:  # the page has shown "loading"; now the slow part
            self.read(self.state["tokenizer"])

    def use(self, value):
        self.set("tokenizer", STATE["tokenizer"].parse(value))

    actions: ClassVar = {"use": use, "tick": tick}
    once: ClassVar = frozenset({"use"})

    # ---------------------------------------------------------------- the sequence

    def form(self, which):
        return self.chat if which == "ours" else ChatML()

    def turns(self, upto=None):
        """The conversation as (role, text) turns, the first `upto` of them (all by default)."""
        return [(role, self.state[key]) for key, role in TURNS[:upto]]

    def sequence(self, which):
        """The whole conversation up to the marker that opens the next reply, a token at a
        time: (id, whose turn, is a marker, tuning learns to write it)."""
        form, tokenizer = self.form(which), self.tokenizers[which]
        out = []
        for role, text in self.turns():
            head, body, tail = form.pieces(role, text, tokenizer)
            mine = role == "assistant"
            # Tuning learns the assistant's words and the marker that ends them; the marker
            # that opens its turn is given, never predicted.
            out += [(i, role, k == 0, False) for k, i in enumerate(head)]
            out += [(i, role, False, mine) for i in body]
            out += [(i, role, k == 0, mine and k == 0) for k, i in enumerate(tail)]
        head = form.pieces("assistant", "", tokenizer)[0]
        return out + [(i, "assistant", k == 0, False) for k, i in enumerate(head)]

    def chip(self, which, token, special):
        if special:
            return {v: k for k, v in {**self.chat.ids, **CL100K_CHAT}.items()}[token]
        key = (which, token)
        if key not in self.chips:
            self.chips[key] = chip(self.tokenizers[which].tokens[token])[0]
        return self.chips[key]

    # ---------------------------------------------------------------- drawing

    def render(self):
        which = "ours" if self.loading else self.state["tokenizer"]
        tokens = self.sequence(which)
        chips = [{"tag": "span", "text": self.chip(which, token, special), "attrs": {
            "class": f"chip role-{role}" + (" special" if special else "") +
                     (" learned" if learn else ""),
            "title": f"id {token:,}" + (" · learned in tuning" if learn else "")}}
            for token, role, special, learn in tokens]
        form, tokenizer = self.form(which), self.tokenizers[which]
        first = len(form.encode(self.turns(2), tokenizer, reply=True))
        n, markers = len(tokens), sum(t[2] for t in tokens)
        return {
            "text": {
                "loading": "Loading GPT-4’s vocabulary (1.7 MB)…" if self.loading else "",
                "count": (f"{count(n, 'token')} in {NAMES[which]}, "
                          f"{count(markers, 'marker')} among them."),
                "reads": (f"To write its first reply the model reads {count(first, 'token')}; "
                          f"to write the next it reads all {count(n, 'token')} again: every "
                          f"new turn re-reads the whole conversation."),
                "window": window_words(n, which),
                "learned": (f"{count(sum(t[3] for t in tokens), 'token')}: instruction tuning "
                            f"counts the loss only on these, the assistant’s words and the "
                            f"marker that ends its turn."),
                "summary": f"{count(n, 'token')}; the next reply reads all of them.",
            },
            "items": {"chips": chips},
            "attrs": {"window-meter": {"value": str(min(n, WINDOW)), "max": str(WINDOW)},
                      **{f"use-{k}": {"aria-pressed": "true" if k == self.state["tokenizer"]
                                      else "false"} for k in FILES}},
            "values": {key: self.state[key] for key, _ in TURNS},
            "running": self.loading,
        }


def window_words(n, which):
    """How much of our model's window the conversation fills."""
    if which != "ours":
        return (f"Real assistants read far more at once (Llama 3.1 up to 128K tokens, chapter "
                f"7); our model’s window holds {WINDOW}.")
    if n <= WINDOW:
        return (f"Our model’s window holds {WINDOW} tokens: this conversation fills {n} of "
                f"them, leaving {WINDOW - n} for the reply.")
    return (f"Our model’s window holds {WINDOW} tokens: this conversation needs {n}, so the "
            f"oldest {n - WINDOW} are already out of its sight when it replies.")
