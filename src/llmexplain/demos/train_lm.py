"""Chapter 6 — train a language model from scratch, here, in the reader's own browser.

The same transformer and the same training code as chapter 5's model, smaller (2 layers,
48 numbers a token, a window of 32 tokens), starting from random numbers, learning from the
four children's books. Play runs training steps, as many as fit in a moment, each tick;
the figure shows the loss in bits per character on the training batches and, every 25
steps, on held-out text it never trains on, with a sample of what the model writes. One
click runs chapter 5's next-token view with the weights as they are now. Each step is
lm_training.train_step's arithmetic done by fast_train (1.4× as fast in Pyodide, measured);
while the reader's own train_step is in, the figure runs theirs.

State (STATE): the seed, and "ahead", the step the run was loaded at if the reader skipped
ahead (train_lm_ahead: seed 1's run computed ahead under CPython, fetched only then; a link
loads it again). Everything else is the run's: Reset starts the same run again, so the same
seed gives the same curve. The figure publishes the run's size and speed ("training") for the
calculator further down the page: only the steps trained in this page and their time.
"""

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
from . import train_lm_ahead as ahead
from . import train_lm_figures as figures
from .base import Demo
from .controls import Choice, InputError, Whole
from .format import count, duration, percent
from .run import Run, runaway

TEXT, TOKENIZER = "children-bpe4k.npz", "bpe-4k.tiktoken"
CONFIG = tf.Config(vocab_size=4096, block_size=32, n_layer=2, n_head=4, n_embd=48)
# Batch 8, not 16: the page's step costs about half as much (the 4,096-wide output layer is
# most of it), and per second of training the held-out score falls faster (CPython, seed 1,
# first 1,024 held-out tokens: below 2.5 after 89,600 tokens rather than 153,600, below 2.2
# after 473,600 rather than 550,400).
HYPER = lt.Hyper(steps=3000, batch=8, lr=3e-3, warmup=50)  # the cosine ends at step 3,000
EVAL_EVERY = 25  # steps between held-out scores (and samples)
EVAL_TOKENS = 1024  # held-out tokens scored each time: the first of the held-out tenth
TICK_BUDGET = 0.25  # seconds of training a tick: the worker is this figure's alone
PROMPT = "Once upon a time"
SAMPLE_TOKENS = 24
KEEP_SAMPLES = 12
RATE_POINTS = 60  # where the dashed learning rate is drawn: enough to bend smoothly

STATE = {"seed": Whole("seed", 0, 999_999, default=1)}
# The step the run was loaded at, computed ahead (train_lm_ahead); "0": from random numbers.
STATE["ahead"] = Choice("computed ahead to step",
                        (("0", "none"), *((str(s), f"step {s:,}") for s in ahead.STEPS)),
                        default="0")


class TrainLM(Demo):
    STATE = STATE
    controls: ClassVar = {k: c for k, c in STATE.items() if k != "ahead"}  # skip sets that
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
        with np.load(path(TEXT), allow_pickle=False) as z:
            self.train_ids = z["train"].astype(np.intp)  # [n]
            heldout = z["heldout"].astype(np.intp)  # [m]
        self.eval_ids = heldout[:EVAL_TOKENS]  # [EVAL_TOKENS]
        self.eval_chars = len(self.tokenizer.decode(self.eval_ids.tolist()))
        # Characters each token stands for: a loss per token becomes bits per character.
        tokens = self.tokenizer.tokens  # id -> bytes
        self.chars = np.array([len(tokens[i].decode("utf-8", errors="replace"))
                               for i in range(CONFIG.vocab_size)], dtype=np.float64)  # [V]
        self.prompt_ids = self.tokenizer.encode(PROMPT)
        self.run = Run("step")
        wanted = state["ahead"]  # restart() clears it
        self.restart()
        if wanted != "0":  # a link, or a worker made again, to a run loaded from ahead
            if self._can_skip():
                self._skip_to(int(wanted))
            else:
                self.notes.append(f"Step {int(wanted):,} was computed ahead only for seed "
                                  f"{ahead.SEED}: this run starts from random numbers.")

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
        self.stream = lt.batches(self.batch_rng, self.train_ids, HYPER.batch, CONFIG.block_size)
        self.state["ahead"] = "0"
        self.run.reset()
        self.seconds = 0.0  # spent in training steps
        self.train_curve = []  # (step, bits per character of that step's batch)
        self.heldout_curve = [(0, self._heldout())]
        self.samples = [(0, self._sample(0))]
        self.predicting = None  # the text chapter 5's view continues, while it is open
        self.note = "Press Play: the model starts from random numbers."

    def _heldout(self):
        return lt.bits_per_character(self.weights, self.eval_ids, self.eval_chars, CONFIG)

    def _sample(self, step):
        """What the model writes now after PROMPT: reproducible from the seed and step."""
        rng = np.random.default_rng([self.state["seed"], 2, step])

        def pick(logits):
            return sampling.sample(sampling.distribution(logits, 0.8), rng)

        made = tf.generate(self.weights, CONFIG, self.prompt_ids, pick)
        return PROMPT + self.tokenizer.decode([next(made) for _ in range(SAMPLE_TOKENS)])

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
        """Whether this run is the one computed ahead (train_lm_ahead)."""
        return self.state["seed"] == ahead.SEED

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
        self.batch_rng.bit_generator.state = saved["rng"]  # the stream has drawn nothing yet
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
        self.state[name] = value
        self.restart()
        self.note = f"Seed {value}: new random numbers to start from; press Play."

    def play(self, _=None):
        if not self.run.play():
            self.note = "This run has finished. Press Reset to start it again."
            return
        self.note = "Training: the model learns from the children's books."

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
        here, start = self._steps_here(), int(self.state["ahead"])
        if here:
            after = f" after step {start:,}" if start else ""
            return (f"What it learned in {count(here, 'training step')}{after} is lost "
                    "(trained weights are not kept): press Play to train it again.")
        return None

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

    actions: ClassVar = {"play": play, "pause": pause, "tick": tick, "reset": reset,
                         "predict": predict, "append": append, "skip": skip}
    once: ClassVar = frozenset({"play", "pause", "reset", "skip"})

    # ---------------------------------------------------------------- drawing

    def render(self):
        steps = self.run.steps
        tokens = steps * HYPER.batch * CONFIG.block_size
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
        text, bars, rest = self._prediction()
        reply["text"] |= {"predict-text": text, "predict-rest": rest}
        reply["items"]["predict-bars"] = bars
        here = self._steps_here()  # the calculator gets this browser's steps and time only
        if here:
            reply["publish"] = {"training": {"params": n_params,
                                             "tokens": here * HYPER.batch * CONFIG.block_size,
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
