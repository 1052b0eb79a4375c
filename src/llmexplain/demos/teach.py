"""Chapter 8 — teach it yourself: the reader's own examples tune the assistant in the page.

The reader writes a few exchanges (a question, an arrow, the reply they want, one a line)
and picks the habit to measure. Train then does what tools/tune_chat.py did at build time,
with the same code and the same mask (tuning.sft_step), on these examples only, starting
each time from the shipped assistant: first it asks the model eight fresh questions (none in
the examples) and counts the replies that have the habit, then it takes STEPS steps of
instruction tuning, drawing the loss, then it asks the same questions again.

State (STATE): the examples, the habit measured, the seed. What the model learned is not
state: a restored figure starts from the shipped assistant, and says so.
"""

import re
import time
from typing import ClassVar

import numpy as np

from .. import bpe, sampling, tuning
from .. import lm_training as lt
from .. import transformer as tf
from ..chat import Chat, reply
from ..data import path
from .base import Demo
from .controls import Choice, InputError, Text, Whole
from .format import count, signed
from .run import Run, status_words
from .svg import axes, num, points, svg, tag

TUNED, TOKENIZER = "chat-bpe4k.npz", "bpe-4k.tiktoken"
STEPS = 20  # enough for the habit to show on these defaults, few enough to copy little else
HYPER = lt.Hyper(steps=STEPS, lr=1e-3, warmup=5)
FEW, MANY = 3, 10  # examples the reader may write
REPLY = 24  # tokens of each fresh reply: enough to see a habit
TEMPERATURE = 0.7
FRESH = ("Where have you been?", "Who told you that?", "Shall we go now?",
         "What do you think of him?", "Why are you crying?", "Do you know the way?",
         "Is he coming tonight?", "What did she say?")
QUESTIONS = ("Where is the cat?", "Will you come with me?", "What time is it?",
             "Can you help me?", "Is it raining?")
EXAMPLES = {  # habit -> (what the reader reads, its default replies, one per question)
    "certainly": ("replies that start with “Certainly”",
                  ("Certainly, the cat is under the table.", "Certainly, I will come at once.",
                   "Certainly, it is nearly nine.", "Certainly, tell me what you need.",
                   "Certainly, it has rained all day.")),
    "capitals": ("replies in capital letters",
                 ("THE CAT IS UNDER THE TABLE.", "YES, I WILL COME AT ONCE.", "IT IS NEARLY NINE.",
                  "TELL ME WHAT YOU NEED.", "IT HAS RAINED ALL DAY.")),
}
ARROW = re.compile(r"\s*(?:→|->|\|)\s*")


def examples_text(habit):
    return "\n".join(f"{q} → {a}" for q, a in zip(QUESTIONS, EXAMPLES[habit][1]))


STATE = {
    "examples": Text("your examples", 2_000, link_max=600, default=examples_text("certainly")),
    "habit": Choice("the habit measured", tuple((k, v[0]) for k, v in EXAMPLES.items()),
                    default="certainly"),
    "seed": Whole("seed", 0, 999_999, default=1),
}


def has_habit(habit, text):
    """Whether a reply shows the habit.

    >>> has_habit("certainly", " Certainly, sir."), has_habit("capitals", "YES, SIR."),
    (True, True)
    >>> has_habit("capitals", "Yes, SIR.")
    False
    """
    if habit == "certainly":
        return text.strip().startswith("Certainly")
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 3 and sum(c.isupper() for c in letters) >= 0.9 * len(letters)


def read_examples(text):
    """The reader's lines -> [(question, reply)], or InputError saying what is wrong.

    >>> read_examples("Hi? → Hello.\\nBye? -> Goodbye.\\nWell? | Yes.")
    [('Hi?', 'Hello.'), ('Bye?', 'Goodbye.'), ('Well?', 'Yes.')]
    """
    pairs = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        parts = ARROW.split(line.strip(), maxsplit=1)
        if len(parts) != 2 or not all(parts):
            raise InputError(f"Line {n} needs a question, an arrow (→ or ->) and a reply.")
        pairs.append(tuple(parts))
    if not FEW <= len(pairs) <= MANY:
        raise InputError(f"Write {FEW} to {MANY} examples, one a line; there are {len(pairs)}.")
    return pairs


class Teach(Demo):
    STATE = controls = STATE
    data = (TUNED, TOKENIZER)
    worker = "tune"  # training for seconds: never make the other figures wait

    def setup(self, state):
        self.state = state
        self.tokenizer = bpe.Tokenizer(bpe.load(path(TOKENIZER)))
        self.chat = Chat(base_vocab=len(self.tokenizer))
        self.config, self.shipped = tf.load(path(TUNED))
        self.run = Run("step")
        self.timing = {}
        self.reset_results()
        self.note = "Edit the examples if you like, then press Train."

    def params(self):
        return dict(self.state)

    def lost(self):
        if self.losses:
            return (f"What it learned in {count(len(self.losses), 'tuning step')} is lost "
                    "(tuned weights are not kept): press Train to tune it again.")
        return None

    def reset_results(self):
        self.params_now, self.adam, self.batch = self.shipped, None, None
        self.losses = []  # [(step, masked loss)]
        self.answers = {"before": [], "after": []}  # [(question, reply text, has habit)]
        self.phase = None  # "before", "train", "after" while running

    def set(self, name, value):
        self.state[name] = value
        self.run.reset()
        self.reset_results()
        self.note = None

    # ---------------------------------------------------------------- the work

    def answer(self, k):
        """The current model's reply to fresh question k, drawn reproducibly."""
        rng = np.random.default_rng([self.state["seed"], k])
        prompt = self.chat.encode([("user", FRESH[k])], self.tokenizer, reply=True)
        ids, _ = reply(self.params_now, self.config, prompt,
                       lambda logits: sampling.sample(
                           sampling.distribution(logits, TEMPERATURE), rng),
                       self.chat.end, limit=REPLY)
        text = self.tokenizer.decode([i for i in ids if i < self.chat.base_vocab])
        return FRESH[k], text, has_habit(self.state["habit"], text)

    def step(self):
        """One piece of Train's work: a fresh question asked, or one tuning step."""
        if self.phase in ("before", "after"):
            done = self.answers[self.phase]
            done.append(self.answer(len(done)))
            if len(done) == len(FRESH):
                if self.phase == "after":
                    return "done"
                self.phase = "train"
            return None
        x, y, mask = self.batch
        started = time.perf_counter()
        self.params_now, self.adam, m = tuning.sft_step(self.params_now, self.adam, x, y, mask,
                                                        self.config, HYPER)
        self.timing = {"step_ms": (time.perf_counter() - started) * 1000}
        self.losses.append((m["step"], m["loss"]))
        if m["step"] == STEPS:
            self.phase = "after"
        return None

    # ---------------------------------------------------------------- input

    def train(self, _=None):
        try:
            pairs = read_examples(self.state["examples"])
        except InputError as e:
            self.note = str(e)
            return
        convs = []
        for n, (q, a) in enumerate(pairs, 1):
            ids = self.chat.encode([("user", q), ("assistant", a)], self.tokenizer)
            if len(ids) > self.config.block_size + 1:
                self.note = (f"Example {n} is {len(ids)} tokens long; the model’s window holds "
                             f"{self.config.block_size}. Shorten it.")
                return
            convs.append((ids, self.chat.loss_mask(ids)))
        self.run.reset()
        self.reset_results()
        self.batch = tuning.windows(convs, max(len(ids) for ids, _ in convs) - 1)
        self.adam = lt.adam_init(self.shipped)
        self.phase = "before"
        self.run.play()
        self.note = "Training: first the fresh questions, then the tuning steps, then again."

    def pause(self, _=None):
        if self.run.pause():
            self.note = "Paused. Press Train to start again from the shipped assistant."

    def tick(self, _=None):
        if not self.run.running:
            return
        if self.run.advance(self.step, budget=0.2) == "done":
            self.phase = None
            self.note = self.verdict()
        return

    def use(self, value):
        """A button that fills the box with one habit's default examples."""
        habit = STATE["habit"].parse(value)
        self.set("examples", examples_text(habit))
        self.state["habit"] = habit

    actions: ClassVar = {"train": train, "pause": pause, "tick": tick, "use": use}
    once: ClassVar = frozenset({"train", "pause", "use"})

    # ---------------------------------------------------------------- drawing

    def rate(self, phase):
        got = self.answers[phase]
        return sum(h for _, _, h in got), len(got)

    def verdict(self):
        (b, n), (a, _) = self.rate("before"), self.rate("after")
        what = EXAMPLES[self.state["habit"]][0]
        return (f"Before tuning, {b} of {n} fresh questions got {what}; after {STEPS} steps on "
                f"your examples, {a} of {n}.")

    def render(self):
        running = self.run.running
        shown = self.answers["after"] or self.answers["before"]
        which = "after tuning" if self.answers["after"] else "before tuning"
        status = status_words(self.run, ready="Ready: press Train.",
                              running={"before": "Asking the fresh questions…",
                                       "train": "Tuning…", "after": "Asking them again…",
                                       None: "…"}[self.phase],
                              progress=count(len(self.losses), "step"))
        items = [{"tag": "li", "text": f"{q} → {text or '(nothing)'}",
                  "attrs": {"class": "has" if has else "lacks",
                            "title": "has the habit" if has else "does not have the habit"}}
                 for q, text, has in shown]
        return {
            "text": {
                "status": status,
                "rates": (self.verdict() if self.answers["after"] and not running
                          else "The fresh questions, asked before and after, are not among "
                               "your examples."),
                "replies-which": f"Replies to the fresh questions, {which}:",
                "btn-train": "Pause" if running else "Train",
                "summary": self.note or status,
            },
            "svg": {"curve": loss_curve(self.losses)},
            "items": {"replies": items},
            "attrs": {"btn-train": {"data-action": "pause" if running else "train",
                                    "aria-pressed": "true" if running else "false"}},
            "values": {k: self.state[k] for k in ("examples", "habit")},
            "running": running,
        }


W, H, PAD = 300.0, 110.0, 34.0


def loss_curve(losses):
    """The tuning loss (nats per learned token) against steps, from 0 to STEPS."""
    top = max([4.0] + [loss for _, loss in losses])
    body = tag("rect", x="0", y="0", width=num(W), height=num(H), class_="plot-area")
    line = [(s / STEPS * W, H - loss / top * H) for s, loss in losses]
    if len(line) > 1:
        body += tag("polyline", points=points(line), class_="train-curve")
    for cx, cy in line[-1:]:
        body += tag("circle", cx=num(cx), cy=num(cy), r="3.5", class_="path-now")
    inner = tag("svg", body, x=num(PAD), y="6", width=num(W), height=num(H),
                viewBox=f"0 0 {num(W)} {num(H)}")
    frame = axes(PAD, 6, W, H, ("0", str(STEPS)), ("0", f"{top:.0f}"), "tuning steps →",
                 "loss")
    label = (f"The loss on your examples after {count(len(losses), 'step')}: "
             f"{signed(losses[-1][1], 2)}, from {signed(losses[0][1], 2)}." if losses else
             "The loss on your examples: no steps yet.")
    return svg(inner + frame, PAD + W + 8, H + 36, label)
