"""Chapter 8 — preferences: the reader picks the better of two replies, and DPO learns from it.

The assistant writes two replies to one question. The reader picks the better; a step of
direct preference optimisation (tuning.dpo_loss_and_grads, against the shipped assistant
as the frozen reference) makes the picked reply likelier, and the other less likely, than the
reference finds them. The figure shows that pair's margin before and after the step, the
margins of every pick so far, and how long the model's replies are from pick to pick: pick
the shorter reply every time and later replies get shorter.

State (STATE): how strongly DPO holds the model to its reference (β) and the seed. The picks
and what the model learned from them are not state: a restored figure starts again.
"""

from typing import ClassVar

import numpy as np

from .. import bpe, sampling, tuning
from .. import lm_training as lt
from .. import transformer as tf
from ..chat import Chat, reply
from ..data import path
from .base import Demo
from .controls import InputError, Slider, Whole
from .format import count, signed
from .svg import axes, num, points, svg, tag
from .teach import FRESH

TUNED, TOKENIZER = "chat-bpe4k.npz", "bpe-4k.tiktoken"
REPLY = 40  # tokens a reply may run to
TEMPERATURE = 0.8
STEPS_PER_PICK = 2  # DPO steps on each pair: one pick should move the model visibly
HYPER = lt.Hyper(steps=10**6, lr=1e-3, warmup=1)  # a constant rate: picks have no end
MAX_PICKS = 60

STATE = {
    "beta": Slider("β, how firmly it is held to its reference", 0.1, 2.0, 0.1, default=0.5),
    "seed": Whole("seed", 0, 999_999, default=1),
}


class Prefer(Demo):
    STATE = controls = STATE
    data = (TUNED, TOKENIZER)
    worker = "tune"

    def setup(self, state):
        self.state = state
        self.tokenizer = bpe.Tokenizer(bpe.load(path(TOKENIZER)))
        self.chat = Chat(base_vocab=len(self.tokenizer))
        self.config, self.reference = tf.load(path(TUNED))
        self.start()
        self.note = "Pick the better reply: each pick is one lesson in what you prefer."

    def params(self):
        return dict(self.state)

    def lost(self):
        if self.history:
            return (f"What it learned from {count(len(self.history), 'pick')} is lost (tuned "
                    "weights are not kept): it starts again from the shipped assistant.")
        return None

    def start(self):
        self.policy, self.adam = self.reference, lt.adam_init(self.reference)
        self.history = []  # per pick: (margin before, margin after, len chosen, len rejected)
        self.lengths = []  # per pair drawn: the mean length of its two replies
        self.draw_pair()

    def set(self, name, value):
        self.state[name] = value
        self.start()
        self.note = "Started again from the shipped assistant."

    # ---------------------------------------------------------------- the work

    def question(self):
        return FRESH[len(self.history) % len(FRESH)]

    def draw_pair(self):
        """Two replies of the current model to the next question, drawn reproducibly."""
        prompt = self.chat.encode([("user", self.question())], self.tokenizer, reply=True)
        self.pair = []
        for side in (0, 1):
            rng = np.random.default_rng([self.state["seed"], len(self.history), side])
            ids, _ = reply(self.policy, self.config, prompt,
                           lambda logits, rng=rng: sampling.sample(
                               sampling.distribution(logits, TEMPERATURE), rng),
                           self.chat.end, limit=REPLY)
            self.pair.append(ids)
        self.lengths.append(float(np.mean([len(r) for r in self.pair])))

    def example(self, ids):
        """One reply to the current question as (x, y, mask) [1, T]: the reply and its end
        are what its log-probability counts, as in instruction tuning."""
        prompt = self.chat.encode([("user", self.question())], self.tokenizer, reply=True)
        full = prompt + ids + [self.chat.end]
        return tuning.windows([(full, self.chat.loss_mask(full))], self.config.block_size)

    def pick(self, value):
        if value not in ("0", "1"):
            raise InputError("Pick reply A or reply B.")
        if len(self.history) >= MAX_PICKS:
            self.note = f"{MAX_PICKS} picks is the most this figure keeps. Change β to start again."
            return
        chosen, rejected = self.pair[int(value)], self.pair[1 - int(value)]
        c, r = self.example(chosen), self.example(rejected)
        before = None
        for _ in range(STEPS_PER_PICK):
            _, margin, grads = tuning.dpo_loss_and_grads(self.policy, self.reference, c, r,
                                                         self.config, self.state["beta"])
            before = margin if before is None else before
            grads, _ = lt.clip(grads, HYPER.clip)
            self.policy, self.adam = lt.adamw(self.policy, grads, self.adam, HYPER)
        _, after, _ = tuning.dpo_loss_and_grads(self.policy, self.reference, c, r, self.config,
                                                self.state["beta"])
        self.history.append((before, after, len(chosen), len(rejected)))
        self.note = (f"Pick {len(self.history)}: the margin of your pick over the other went "
                     f"from {signed(before, 1)} to {signed(after, 1)}.")
        self.draw_pair()

    def restart(self, _=None):
        self.start()
        self.note = "Started again from the shipped assistant."

    actions: ClassVar = {"pick": pick, "restart": restart}
    # Presses queued while a pick is worked out would pick replies the reader never saw.
    once: ClassVar = frozenset({"pick", "restart"})

    # ---------------------------------------------------------------- drawing

    def reply_text(self, ids):
        return self.tokenizer.decode([i for i in ids if i < self.chat.base_vocab]) or "(nothing)"

    def render(self):
        n = len(self.history)
        chosen = [h[2] for h in self.history]
        rejected = [h[3] for h in self.history]
        lengths = (f"The replies you picked averaged {np.mean(chosen):.1f} tokens, the others "
                   f"{np.mean(rejected):.1f}. The model’s replies now average "
                   f"{self.lengths[-1]:.1f} tokens; its first pair averaged "
                   f"{self.lengths[0]:.1f}." if n else
                   f"The model’s first two replies average {self.lengths[0]:.1f} tokens.")
        return {
            "text": {
                "question": self.question(),
                "reply-a": self.reply_text(self.pair[0]),
                "reply-b": self.reply_text(self.pair[1]),
                "picks": count(n, "pick"),
                "lengths": lengths,
                "beta-shown": f"{self.state['beta']:.1f}",
                "summary": self.note,
            },
            "svg": {"margins": margin_plot(self.history)},
            "values": {"beta": self.state["beta"]},
        }


W, H, PAD = 300.0, 110.0, 34.0


def margin_plot(history):
    """Each pick's margin, before (hollow) and after (filled) its DPO step."""
    top = max([5.0] + [abs(m) for h in history for m in h[:2]])
    span = max(10, len(history))
    body = tag("rect", x="0", y="0", width=num(W), height=num(H), class_="plot-area")
    body += tag("line", x1="0", y1=num(H / 2), x2=num(W), y2=num(H / 2), class_="goal")

    def y(m):
        return H / 2 - m / top * (H / 2 - 4)

    after = [((k + 1) / span * W, y(h[1])) for k, h in enumerate(history)]
    for (x, ya), h in zip(after, history):
        body += tag("line", x1=num(x), y1=num(y(h[0])), x2=num(x), y2=num(ya), class_="line-before")
    if len(after) > 1:
        body += tag("polyline", points=points(after), class_="test-curve")
    for cx, cy in after:
        body += tag("circle", cx=num(cx), cy=num(cy), r="3", class_="path-now")
    inner = tag("svg", body, x=num(PAD), y="6", width=num(W), height=num(H),
                viewBox=f"0 0 {num(W)} {num(H)}")
    frame = axes(PAD, 6, W, H, ("0", str(span)), (f"−{top:.0f}", f"{top:.0f}"), "picks →",
                 "margin")
    label = (f"The margin of each picked reply over the other, after its DPO step: "
             f"{signed(history[-1][1], 1)} now." if history else
             "The margin of each picked reply over the other: no picks yet.")
    return svg(inner + frame, PAD + W + 8, H + 36, label)
