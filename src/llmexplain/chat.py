"""Chapter 8 — a chat is one text: role markers, the turns, and an end-of-turn token.

A chat model reads a conversation as a single sequence of token ids. Special tokens, which
no text can produce, mark where each turn starts and whose it is, and where it ends. The
assistant's reply is simply what the model writes after the assistant's marker, one token
at a time as in chapter 6, until it predicts the end-of-turn token.

Our format gives our 4,096-token tokenizer four new ids: a marker per role, and one end:

    <|user|>What is it?<|end|><|assistant|>A bird.<|end|>

GPT-4's tokenizer, cl100k_base, does the same with OpenAI's ChatML markers: tiktoken's
README extends cl100k_base with "<|im_start|>" 100264 and "<|im_end|>" 100265, and the role
is written as text after the start marker ("<|im_start|>user\\nWhat is it?<|im_end|>\\n").

Shapes: ids [n] the conversation's token ids; targets are ids[1:], the token after each.

>>> chat = Chat(base_vocab=4096)
>>> chat.ids["<|assistant|>"], chat.ids["<|end|>"]
(4098, 4099)
"""

from dataclasses import dataclass, field

import numpy as np

from . import transformer as tf

ROLES = ("system", "user", "assistant")
END = "<|end|>"
MARKERS = tuple(f"<|{role}|>" for role in ROLES) + (END,)

MARKER_SEED = 8  # the seed of the markers' first rows in the model (tools/tune_chat.py)

# cl100k_base's chat markers, as tiktoken's README adds them ("Extending tiktoken").
CL100K_CHAT = {"<|im_start|>": 100264, "<|im_end|>": 100265}


def marker(role):
    return f"<|{role}|>"


@dataclass(frozen=True)
class Chat:
    """Our chat format over a tokenizer of base_vocab ids: the markers get the next ids."""
    base_vocab: int
    ids: dict = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "ids", {m: self.base_vocab + i for i, m in enumerate(MARKERS)})

    @property
    def vocab_size(self):
        return self.base_vocab + len(MARKERS)

    @property
    def end(self):
        return self.ids[END]

    def pieces(self, role, text, tokenizer):
        """One turn as (its opening marker, its text's ids, its end marker)."""
        return [self.ids[marker(role)]], tokenizer.encode(text), [self.end]

    def encode(self, turns, tokenizer, reply=False):
        """[(role, text), ...] -> ids [n]: each turn as its marker, its text, and <|end|>.

        With reply, the assistant's marker follows: the point where a model starts its reply.
        """
        return joined(self, turns, tokenizer, reply)

    def decode(self, ids, tokenizer):
        """ids -> [(role, text), ...], the inverse of encode; an unfinished last turn is kept.

        >>> class Bytes:  # a tokenizer of single bytes, for the example
        ...     encode = staticmethod(lambda t: list(t.encode()))
        ...     decode = staticmethod(lambda ids: bytes(ids).decode())
        >>> chat = Chat(base_vocab=256)
        >>> chat.decode(chat.encode([("user", "hi"), ("assistant", "yo")], Bytes), Bytes)
        [('user', 'hi'), ('assistant', 'yo')]
        """
        roles = {self.ids[marker(r)]: r for r in ROLES}
        turns, role, text = [], None, []
        for i in ids:
            if i in roles or i == self.end:
                if role is not None:
                    turns.append((role, tokenizer.decode(text)))
                role, text = roles.get(i), []
            else:
                text.append(i)
        if role is not None:
            turns.append((role, tokenizer.decode(text)))
        return turns

    def speakers(self, ids):
        """Whose turn each token belongs to: [n] of "system", "user", "assistant" or None
        (a token outside any turn). A marker belongs to the turn it opens, <|end|> to the
        turn it closes."""
        roles = {self.ids[marker(r)]: r for r in ROLES}
        out, role = [], None
        for i in ids:
            role = roles.get(i, role)
            out.append(role)
            if i == self.end:
                role = None
        return out

    def loss_mask(self, ids):
        """Which predictions tuning learns from: [n - 1] booleans, one per target ids[1:].

        Only the assistant's text and the <|end|> that closes its turn: the model is taught
        to write replies, and where they stop, never to write the user's part or a marker.
        """
        who = self.speakers(ids)
        opens = {self.ids[m] for m in MARKERS[:-1]}
        return np.array([who[t] == "assistant" and ids[t] not in opens
                         for t in range(1, len(ids))], dtype=bool)  # [n - 1]


class ChatML:
    """The same conversation in GPT-4's cl100k_base with OpenAI's ChatML markers: each turn
    is <|im_start|>, the role as text and a newline, the turn's text, <|im_end|> and a
    newline; a reply starts with <|im_start|>assistant and a newline."""
    start, end = CL100K_CHAT["<|im_start|>"], CL100K_CHAT["<|im_end|>"]

    def pieces(self, role, text, tokenizer):
        newline = tokenizer.encode("\n")
        return ([self.start, *tokenizer.encode(role), *newline], tokenizer.encode(text),
                [self.end, *newline])

    def encode(self, turns, tokenizer, reply=False):
        return joined(self, turns, tokenizer, reply)


def joined(form, turns, tokenizer, reply):
    """A format's turns one after another, and the opening of the assistant's reply."""
    ids = []
    for role, text in turns:
        for part in form.pieces(role, text, tokenizer):
            ids += part
    return ids + (form.pieces("assistant", "", tokenizer)[0] if reply else [])


def reply(params, config, ids, pick, end, limit=64):
    """The model's reply to a conversation that ends with the assistant's marker: tokens
    generated one at a time (transformer.generate) until it predicts `end`, or `limit`
    tokens. -> (reply ids without the end, whether it ended by itself)."""
    out = []
    for idx_next in tf.generate(params, config, ids, pick):
        if idx_next == end:
            return out, True
        out.append(idx_next)
        if len(out) >= limit:
            return out, False
