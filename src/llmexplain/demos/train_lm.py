"""Chapter 6 — train a language model from scratch, here, in the reader's own browser.

The same transformer and the same training code as chapter 5's model, smaller (2 layers,
48 numbers a token, a window of 32 tokens), starting from random numbers, learning from the
four children's books. Play runs training steps, as many as fit in a moment, each tick; the
figure shows the loss in bits per character on the training batches and, every 25 steps, on
held-out text it never trains on, with samples of what the model writes (every 10 steps to
step 100). One click runs chapter 5's next-token view with the weights as they are now. Each
step is lm_training.train_step's arithmetic done by fast_train (1.4× as fast in Pyodide at
the same batch, measured); the batch grows from 8 windows to 16 at step 200. While the
reader's own train_step is in, the figure runs theirs.

State (STATE): the seed, what it learns from (the four books, one of them, or the reader's
own text: own_text.py), the prompt its samples continue, and "ahead", the step the run was
loaded at if the reader skipped ahead (train_lm_ahead: seed 1's run on the four books computed
ahead under CPython, fetched only then; a link loads it again). Everything else is the run's:
Reset starts the same run again, so the same seed gives the same curve. The figure publishes
the run's size and speed ("training") for the calculator further down the page: only the
steps trained in this page and their time.
"""

import itertools
import math
import time
from typing import ClassVar

import numpy as np

from .. import bpe, live_math, sampling
from .. import fast_train as ft
from .. import lm_training as lt
from .. import transformer as tf
from ..data import path
from ..live_math import Experiment
from . import next_token_words as next_words
from . import own_text as own
from . import train_lm_ahead as ahead
from . import train_lm_figures as figures
from .base import Demo
from .controls import Choice, InputError, Whole
from .format import count, duration, percent
from .run import Run, runaway

TEXT, TOKENIZER = "children-bpe4k.npz", "bpe-4k.tiktoken"
CONFIG = tf.Config(vocab_size=4096, block_size=32, n_layer=2, n_head=4, n_embd=48)
# The batch grows, as GPT-3's did early in its training (Brown et al. 2020, section 2.3):
# 8 windows a step for the first 200 steps, then 16. Per token read the two learn about
# equally (CPython, seed 1, first 1,024 held-out tokens: below 2.2 after 473,600-512,000
# tokens at either size, lr 0.003-0.008), but a small step comes back sooner, so the first
# words arrive in half the time, and a large one costs 1.7× a small one in Pyodide, not 2×,
# and is scored half as often per token: 2.2 is reached ~15 % sooner (bench/train_lm.py).
HYPER = lt.Hyper(steps=3000, batch=16, lr=5e-3, warmup=50)  # the cosine ends at step 3,000
FIRST_BATCH, GROWS_AT = 8, 200  # windows a step before the batch grows; the step it grows
EVAL_EVERY = 25  # steps between held-out scores
# Samples every 10 steps to step 100, then every 25: early on they change fastest (our
# words test, bench/train_lm.py, passes from step 35 at seed 1), and a slow device sees
# step 40's sooner than step 50's.
SAMPLE_EARLY, EARLY_UNTIL = 10, 100
EVAL_TOKENS = 1024  # held-out tokens scored each time: the first of the held-out tenth
TICK_BUDGET = 0.25  # seconds of training a tick: the worker is this figure's alone
PROMPT = "Once upon a time"
SAMPLE_TOKENS = 24
KEEP_SAMPLES = 12
RATE_POINTS = 60  # where the dashed learning rate is drawn: enough to bend smoothly

STATE = {"seed": Whole("seed", 0, 999_999, default=1),
         "source": Choice("text to learn from", own.SOURCES, default="shelf"),
         "text": own.Pasted("your text", own.MAX_CHARS, link_max=own.LINK_CHARS, default=""),
         "prompt": own.Prompt("prompt", own.MAX_PROMPT, default=PROMPT)}
# The step the run was loaded at, computed ahead (train_lm_ahead); "0": from random numbers.
STATE["ahead"] = Choice("computed ahead to step",
                        (("0", "none"), *((str(s), f"step {s:,}") for s in ahead.STEPS)),
                        default="0")
# The text trained on changes only through the box and its button (use_text), never directly;
# "ahead" only through skip.
CONTROLS = {"seed": STATE["seed"], "source": STATE["source"], "prompt": STATE["prompt"],
            "draft": own.Draft("the text box", own.MAX_CHARS)}


def tokens_read(steps):
    """Tokens the first `steps` steps read."""
    small = min(steps, GROWS_AT)
    return (small * FIRST_BATCH + (steps - small) * HYPER.batch) * CONFIG.block_size


def stream(rng, ids, step=0):
    """The run's batches (x, y [B, T]) from the step after `step` on, all drawn from rng:
    FIRST_BATCH windows up to step GROWS_AT, then HYPER.batch."""
    small = lt.batches(rng, ids, FIRST_BATCH, CONFIG.block_size)
    large = lt.batches(rng, ids, HYPER.batch, CONFIG.block_size)
    return itertools.chain(itertools.islice(small, max(0, GROWS_AT - step)), large)


class TrainLM(Demo):
    STATE = STATE
    controls = CONTROLS
    data = (TEXT, TOKENIZER)
    worker = "train"  # a step takes a few hundred milliseconds: never in another figure's way
    publishes = ("training",)  # its run, for the calculator (demos/scale.py)
    shows = (lt.learning_rate, lt.train_step)
    experiments = (
        Experiment("A constant learning rate", lt.learning_rate,
                   "    if step <= hyper.warmup:\n"
                   "        return hyper.lr * step / hyper.warmup\n"
                   "    done = (step - hyper.warmup) / max(1, hyper.steps - hyper.warmup)"
                   "  # 0 -> 1\n"
                   "    floor = hyper.lr * hyper.min_lr\n"
                   "    return floor + (hyper.lr - floor) * 0.5 * (1.0 + math.cos(math.pi * "
                   "min(done, 1.0)))\n",
                   "    return hyper.lr  # the peak, from the first step to the last\n",
                   "The dashed learning rate is flat from the first step: no gentle start from "
                   "random numbers, and no slowing down at the end. Watch the first few dozen "
                   "steps of the loss, and how low it settles."),
    )

    def setup(self, state):
        self.state = state
        self.tokenizer = bpe.Tokenizer(bpe.load(path(TOKENIZER)))
        self._restore_text()
        # Characters each token stands for: a loss per token becomes bits per character.
        tokens = self.tokenizer.tokens  # id -> bytes
        self.chars = np.array([len(tokens[i].decode("utf-8", errors="replace"))
                               for i in range(CONFIG.vocab_size)], dtype=np.float64)  # [V]
        self._take_prompt()
        self.run = Run("step")
        wanted = state["ahead"]  # restart() clears it
        self.restart()
        if wanted != "0":  # a link, or a worker made again, to a run loaded from ahead
            if self._can_skip():
                self._skip_to(int(wanted))
            else:
                self.notes.append(f"Step {int(wanted):,} was computed ahead only for seed "
                                  f"{ahead.SEED} on the four books: this run starts from "
                                  "random numbers.")

    def params(self):
        return dict(self.state)

    # ---------------------------------------------------------------- the run

    def restart(self, _=None):
        """Fresh random weights from the seed, and the same batches as last time."""
        seed = self.state["seed"]
        weights = tf.init_params(CONFIG, np.random.default_rng([seed, 0]))
        self.fast = ft.Trainer(weights, lt.adam_init(weights), CONFIG, HYPER)
        self.weights, self.adam = self.fast.params, self.fast.adam
        self.batch_rng = np.random.default_rng([seed, 1])  # kept: a saved run stores its state
        self.stream = stream(self.batch_rng, self.train_ids)
        self.state["ahead"] = "0"
        self.run.reset()
        self.seconds = 0.0  # spent in training steps
        self.train_curve = []  # (step, bits per character of that step's batch)
        self.heldout_curve = [(0, self._heldout())]
        self.samples = [(0, self._sample(0))]
        self.predicting = None  # the text chapter 5's view continues, while it is open
        self.note = "Press Play: the model starts from random numbers."

    def _heldout(self):
        """The held-out score; by fast_train while its weights are the run's (which sends
        only the scored rows through the output layer: half the work)."""
        if self.weights is self.fast.params:
            return lt.bits_per_character(self.weights, self.eval_ids, self.eval_chars, CONFIG,
                                         batch=16, log_probs=self.fast.target_log_probs)
        return lt.bits_per_character(self.weights, self.eval_ids, self.eval_chars, CONFIG)

    def _sample(self, step):
        """What the model writes now after the prompt: reproducible from the seed and step."""
        rng = np.random.default_rng([self.state["seed"], 2, step])

        def pick(logits):
            return sampling.sample(sampling.distribution(logits, 0.8), rng)

        made = tf.generate(self.weights, CONFIG, self.prompt_ids, pick)
        ids = [next(made) for _ in range(SAMPLE_TOKENS)]
        return self.state["prompt"] + self.tokenizer.decode(ids)

    def _step(self):
        """One training step, for the run: None, or "diverged", or "done" at the last."""
        x, y = next(self.stream)  # [B, T], [B, T]
        started = time.perf_counter()
        taken = self._train_step(x, y)
        self.seconds += time.perf_counter() - started
        if taken is None:
            return "diverged"
        self.weights, self.adam, m = taken
        nats = m["loss"] * y.size  # the batch's total
        self.train_curve.append((m["step"], nats / math.log(2) / self.chars[y].sum()))
        if m["step"] % EVAL_EVERY == 0:
            self.heldout_curve.append((m["step"], self._heldout()))
        if m["step"] % (SAMPLE_EARLY if m["step"] <= EARLY_UNTIL else EVAL_EVERY) == 0:
            self.samples.append((m["step"], self._sample(m["step"])))
            del self.samples[:-KEEP_SAMPLES]
        return "done" if m["step"] >= HYPER.steps else None

    def _train_step(self, x, y):
        """lm_training.train_step, or the same step by fast_train while the reader's version
        of train_step is not in: -> (weights, adam, metrics), or None if the loss ran away
        (and nothing changed)."""
        if live_math.edited(lt.train_step):  # the readable path, which runs their version
            weights, adam, m = lt.train_step(self.weights, self.adam, x, y, CONFIG, HYPER)
            return None if runaway(m["loss"]) else (weights, adam, m)
        if self.weights is not self.fast.params or self.adam is not self.fast.adam:
            self.fast.load(self.weights, self.adam)  # the last steps were the readable path's
        loss = self.fast.loss_and_grads(x, y)
        if runaway(loss):
            return None
        return self.fast.params, self.fast.adam, self.fast.update(loss)

    # ---------------------------------------------------------------- computed ahead

    def _can_skip(self):
        """Whether this run is the one computed ahead (train_lm_ahead): its seed, on the
        four books."""
        return self.state["seed"] == ahead.SEED and self.state["source"] == "shelf"

    def _skip_to(self, step):
        """The run as computed ahead at `step`, to go on from here."""
        saved = ahead.load(path(ahead.name(step)))  # first: the page may have to fetch it
        self.restart()
        self._continue(saved)
        self.state["ahead"] = str(step)

    def _continue(self, saved):
        """Go on from a run train_lm_ahead.save stored (see _saved), after restart(): the
        next step is the one that run would have taken. Time spent here starts at zero."""
        self.fast.load(saved["weights"], saved["adam"])
        self.weights, self.adam = self.fast.params, self.fast.adam
        self.batch_rng.bit_generator.state = saved["rng"]
        self.stream = stream(self.batch_rng, self.train_ids, step=saved["adam"]["t"])
        self.train_curve, self.heldout_curve = saved["train"], saved["heldout"]
        self.samples = saved["samples"]
        self.run.steps = self.adam["t"]
        self.run.status = "done" if self.run.steps >= HYPER.steps else "paused"

    def _saved(self):
        """The run as it is now, as train_lm_ahead.save takes it."""
        return {"weights": self.weights, "adam": self.adam,
                "rng_state": self.batch_rng.bit_generator.state, "train": self.train_curve,
                "heldout": self.heldout_curve, "samples": self.samples}

    def skip(self, value):
        """A skip button: load the run at that step, computed ahead."""
        if not isinstance(value, str) or value not in [str(s) for s in ahead.STEPS]:
            raise InputError("There is no step computed ahead there.")
        if not self._can_skip():
            raise InputError(ahead.note(0, self.state["seed"], False))
        self._skip_to(int(value))
        self.note = (f"Loaded step {int(value):,}, {ahead.LABEL}. " +
                     ("Press Play to go on training from it here." if self.run.steps < HYPER.steps
                      else "That is the end of the run."))

    # ---------------------------------------------------------------- input

    def set(self, name, value):
        if name in ("source", "draft", "prompt"):
            return self._set_text(name, value)
        self.state[name] = value
        self.restart()
        self.note = f"Seed {value}: new random numbers to start from; press Play."

    def play(self, _=None):
        if not self.run.play():
            self.note = "This run has finished. Press Reset to start it again."
            return
        self.note = f"Training: the model learns from {own.ABOUT[self.state['source']]}."

    def pause(self, _=None):
        if self.run.pause():
            self.note = f"Paused after {self.run.steps:,} steps."

    def tick(self, _=None):
        if not self.run.running:
            return
        outcome = self.run.advance(self._step, budget=TICK_BUDGET)
        if outcome == "diverged":
            self.note = "The loss ran away; press Reset."
        elif outcome == "done":
            self.note = f"Finished: {HYPER.steps:,} steps."

    def reset(self, _=None):
        self.restart()
        self.note = "Back to random numbers: the same seed gives the same run again."

    def lost(self):
        box = (" The box holds the text it learns from again, not what you typed since."
               if self.draft != self.state["text"] else "")
        here, start = self._steps_here(), int(self.state["ahead"])
        if here:
            after = f" after step {start:,}" if start else ""
            return (f"What it learned in {count(here, 'training step')}{after} is lost "
                    "(trained weights are not kept): press Play to train it again." + box)
        return box.strip() or None

    def _steps_here(self):
        """Steps trained in this page: not those computed ahead."""
        return self.run.steps - int(self.state["ahead"])

    def predict(self, _=None):
        """Open (or close) chapter 5's view on the latest sample, with the weights as now."""
        self.predicting = None if self.predicting is not None else self.samples[-1][1]
        self.note = ("The model as it is now, predicting what follows its latest sample: "
                     "click a bar to add that token." if self.predicting is not None
                     else "Prediction view closed.")

    def append(self, value):
        if self.predicting is None:
            raise InputError("Open the prediction view first.")
        try:
            token = int(value)
            piece = self.tokenizer.decode([token])
        except (TypeError, ValueError, IndexError):
            raise InputError("That bar is not a token.") from None
        self.predicting += piece
        self.note = f"Added {next_words.shown(self.tokenizer, token)}."

    # ---------------------------------------------------------------- the text it learns from

    def _restore_text(self):
        """The ids of the state's text; a text of the reader's a link left out (too long for
        it) gives the four books, with a note."""
        self.text_problem = self.prompt_problem = None  # the last text or prompt refused, why
        try:
            self._learn_from(*self._load_text(self.state["source"], self.state["text"]))
        except InputError as e:
            self.notes.append(f"{e} It learns from {own.ABOUT['shelf']} instead.")
            self.state |= {"source": "shelf", "text": ""}
            self._learn_from(*self._load_text("shelf", ""))
        self.draft = self.state["text"]  # the box: trained on only when the reader says so

    def _load_text(self, source, text):
        """-> (train ids [n], held-out ids [m]); InputError if the reader's text will not do."""
        return own.load(source, text, self.tokenizer, CONFIG.block_size, path(TEXT))

    def _learn_from(self, train, heldout):
        self.train_ids = train  # [n]
        self.heldout_tokens = len(heldout)
        self.eval_ids = heldout[:EVAL_TOKENS]  # [EVAL_TOKENS]
        self.eval_chars = len(self.tokenizer.decode(self.eval_ids.tolist()))

    def _take_prompt(self):
        ids = self.tokenizer.encode(self.state["prompt"])
        self.prompt_tokens = len(ids)
        self.prompt_ids = ids[-CONFIG.block_size:]  # the window holds no more

    def _set_text(self, name, value):
        """The box, the choice of text or the prompt changed. A text or prompt that cannot be
        used is refused with its reason, and the run goes on as it was."""
        if name == "draft":
            self.draft = value
        elif name == "prompt":
            try:
                prompt = own.checked_prompt(value)
            except InputError as e:
                self.prompt_problem = self.note = (f"{e} Samples keep following "
                                                   f"“{self.state['prompt']}”.")
                return
            self.prompt_problem = None
            self.state["prompt"] = prompt
            self._take_prompt()
            # A sample after the new prompt now, in place of one taken at this same step.
            step = self.run.steps
            if self.samples[-1][0] == step:
                self.samples.pop()
            self.samples.append((step, self._sample(step)))
            del self.samples[:-KEEP_SAMPLES]
            self.note = f"Samples now follow “{prompt}”."
        elif value == "yours":
            self.use_text()
        else:
            train, heldout = self._load_text(value, "")
            self.state["source"], self.text_problem = value, None
            self._learn_from(train, heldout)
            self.restart()
            self.note = f"Back to random numbers, to learn from {own.ABOUT[value]}: press Play."

    def use_text(self, _=None):
        """Train on the text in the box, if the figure can learn from it."""
        try:
            text = own.checked(self.draft)
            train, heldout = self._load_text("yours", text)
        except InputError as e:
            self.text_problem = self.note = (f"{e} The figure goes on learning from "
                                             f"{own.ABOUT[self.state['source']]}.")
            return
        self.state |= {"source": "yours", "text": text}
        self.text_problem = None
        self._learn_from(train, heldout)
        self.restart()
        self.note = "Back to random numbers, to learn from your text: press Play."

    actions: ClassVar = {"play": play, "pause": pause, "tick": tick, "reset": reset,
                         "predict": predict, "append": append, "use-text": use_text,
                         "skip": skip}
    once: ClassVar = frozenset({"play", "pause", "reset", "use-text", "skip"})

    # ---------------------------------------------------------------- drawing

    def render(self):
        steps = self.run.steps
        tokens = tokens_read(steps)
        n_params = tf.n_params(self.weights)
        running = self.run.running
        heldout = self.heldout_curve[-1][1]
        reply = {
            "text": {
                "seed-shown": str(self.state["seed"]),
                "steps": f"{steps:,}",
                "tokens": f"{tokens:,}",
                "elapsed": duration(self.seconds),
                "heldout": f"{heldout:.2f}",
                "train": f"{self.train_curve[-1][1]:.2f}" if self.train_curve else "—",
                "n-params": f"{n_params:,}",
                "status": (ahead.status(int(self.state["ahead"]), steps, HYPER.steps)
                           or figures.status(self.run, HYPER.steps)),
                "btn-play": "Pause" if running else "Play",
                "curve-list": figures.curve_words(self.heldout_curve),
                "notice": figures.notice(self.heldout_curve, steps, HYPER.steps),
                "summary": self.note,
                "ahead-note": ahead.note(int(self.state["ahead"]), self.state["seed"],
                                         self._can_skip()),
            },
            "svg": {"curve": figures.curve(self.train_curve, self.heldout_curve, steps,
                                           self._rates(steps), HYPER.lr)},
            "items": {"samples": figures.samples(self.samples)},
            "attrs": {"btn-play": {"data-action": "pause" if running else "play",
                                   "aria-disabled": "true" if self.run.stopped else None},
                      "predict-view": {"hidden": None if self.predicting is not None else True},
                      "btn-predict": {"aria-expanded": str(self.predicting is not None).lower()},
                      **{f"btn-skip-{s}": {"aria-disabled": None if self._can_skip() else "true"}
                         for s in ahead.STEPS}},
            "values": {"seed": self.state["seed"]},
            "running": running,
        }
        text_words = self.text_problem or own.text_words(
            self.state["source"], self.state["text"], len(self.train_ids), self.heldout_tokens)
        prompt_words = self.prompt_problem or own.prompt_words(self.prompt_tokens,
                                                               CONFIG.block_size)
        reply["text"] |= {"prompt-shown": self.state["prompt"], "text-note": text_words,
                          "prompt-note": prompt_words,
                          "draft-count": own.draft_words(len(self.draft)),
                          "draft-max": f"{own.MAX_CHARS:,}"}
        reply["values"] |= {"source": self.state["source"], "prompt": self.state["prompt"]}
        reply["attrs"] |= {"text-note": {"data-problem": "true" if self.text_problem else None},
                           "prompt-note": {"data-problem": "true" if self.prompt_problem else None}}
        if len(self.draft) <= own.MAX_CHARS:  # a megabyte pasted stays in the box, not in replies
            reply["values"]["draft"] = self.draft
        text, bars, rest = self._prediction()
        reply["text"] |= {"predict-text": text, "predict-rest": rest}
        reply["items"]["predict-bars"] = bars
        here = self._steps_here()  # the calculator gets this browser's steps and time only
        if here:
            reply["publish"] = {"training": {"params": n_params,
                                             "tokens": tokens - tokens_read(steps - here),
                                             "seconds": round(self.seconds, 3), "steps": here}}
        return reply

    def _rates(self, steps):
        """The learning rate over the curve's span, [(step, rate)]: 60 points, plus the
        step just taken, so the dashed line ends where the run is."""
        grid = np.linspace(1, figures.span(steps), RATE_POINTS).round().astype(int)  # [60]
        at = sorted({*grid.tolist(), max(steps, 1)})
        return [(s, lt.learning_rate(s, HYPER)) for s in at]

    def _prediction(self):
        """Chapter 5's view of the model as it is now: its ten likeliest next tokens after
        the text (its latest sample, plus what the reader added). -> (text, bars, rest)"""
        if self.predicting is None:
            return "", [], ""
        ids = self.tokenizer.encode(self.predicting)[-CONFIG.block_size:]
        probs = tf.next_token_probs(self.weights, ids, CONFIG)  # [V]
        top = sampling.ranked(probs)[:next_words.SHOWN]
        return (self.predicting, next_words.bars(self.tokenizer, top, probs, probs),
                percent(max(0.0, 1.0 - float(probs[top].sum()))))
