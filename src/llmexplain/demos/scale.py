"""Chapter 6 — the multiplication, live: the reader's own training run beside real systems.

The training figure above publishes each run it makes (see `listens`): the model's
parameters, the tokens it trained on, the seconds it took and its steps. From them this
figure works out the arithmetic the run took (6 × parameters × tokens), the rate the
reader's device managed, and, at that rate, how long the same device would take to train
each real system of scale.SYSTEMS, and to write one 500-word reply with a
175-billion-parameter model.

State (STATE): the reader's run, all four numbers None until one arrives. A run with no
steps yet counts as not trained. Only a run the training figure delivered in this page is a
measurement: one restored from a link (anyone can write one) keeps its numbers but no rate
is worked out from it, and a run whose rate no browser could reach is refused either way.
"""

import json
from typing import ClassVar

from .. import scale
from ..data import path
from ..live_math import Experiment
from . import scale_words as words
from .base import Demo
from .controls import InputError, Number, Whole
from .format import large

PER_WORD = "tokens-per-word.json"  # measured by tools.count_predictions
REPLY_WORDS = 500
REPLY_PARAMS = 175e9  # GPT-3's size: a model of the scale chapter 1 names
HEADLINE = "gpt-3"  # the system the figure's question is about
MAX_MESSAGE = 1_000  # characters of a published run read at most
# The operations a second a run may show, by the package's 6·P·T (not the shown function, which
# a reader may change). On this project's 2-core machine, busy, the training figure measured
# 5.6e8 in Chromium (27 steps in 38 s) and 3.7e10 under CPython with numpy's BLAS (124 steps).
# The bounds leave a factor of about 500 below the first and 27 above the second: past them a
# run is not a device's, it is made up (GPT-3's arithmetic at 1e12 a second takes 10,000 years).
RATE_MIN, RATE_MAX = 1e6, 1e12

STATE = {
    "params": Whole("your model’s parameters", 1, 10**10, default=None),
    "tokens": Whole("tokens your model trained on", 0, 10**13, default=None),
    "seconds": Number("seconds your model trained for", 0.0, 1e7, default=None),
    "steps": Whole("training steps", 0, 10**9, default=None),
}


def checked_run(run):
    """The four numbers of a run, each within its bounds and agreeing with the others."""
    run = {name: STATE[name].check(run[name]) for name in STATE}
    if run["steps"] > 0:
        if run["tokens"] < run["steps"]:
            raise InputError("A training run saw fewer tokens than it took steps.")
        if run["seconds"] <= 0:
            raise InputError("A training run that took steps took some time.")
        rate = 6.0 * run["params"] * run["tokens"] / run["seconds"]
        if not RATE_MIN <= rate <= RATE_MAX:
            raise InputError(f"A training run at {large(rate)} operations a second is not one "
                             f"a browser measures (this figure takes {large(RATE_MIN)} to "
                             f"{large(RATE_MAX)}).")
    return run


def read_run(text):
    """A run as the training figure publishes it: JSON text with exactly the four numbers."""
    if not isinstance(text, str) or len(text) > MAX_MESSAGE:
        raise InputError("The training figure sent a run this figure cannot read.")
    try:
        run = json.loads(text)
    except (ValueError, RecursionError):
        raise InputError("The training figure sent a run this figure cannot read.") from None
    if not isinstance(run, dict):
        raise InputError("The training figure sent a run this figure cannot read.")
    if set(run) != set(STATE):
        names = ", ".join(sorted(map(str, set(run) ^ set(STATE))))[:80]
        raise InputError(f"The training figure sent a run with the wrong numbers: {names}.")
    return checked_run(run)


class Scale(Demo):
    STATE = STATE
    listens = ("training",)  # the page delivers each run the training figure publishes
    data = (PER_WORD,)
    shows = (scale.training_flops,)
    experiments = (
        Experiment("Forward pass only: 2 in place of 6", scale.training_flops,
                   "return 6.0 * params * tokens", "return 2.0 * params * tokens",
                   "Your run's arithmetic drops to a third, and so does your device's measured "
                   "speed. The training times worked out from 6·P·T stay put, as the factor "
                   "cancels; those from a reported total, and the reply's, triple."),
    )

    def setup(self, state):
        self.per_word = json.loads(path(PER_WORD).read_text())["per_word"]
        self.state = state
        self.measured = False  # the run came from the training figure, in this page
        if all(state[name] is None for name in STATE):
            return
        try:
            if any(state[name] is None for name in STATE):
                raise InputError("The saved run was missing some of its numbers.")
            self.state = checked_run(state)
        except InputError as e:
            self.notes.append(f"{e} This figure waits for a new run instead.")
            self.state = {name: None for name in STATE}

    def params(self):
        return dict(self.state)

    def training(self, value):
        self.state = read_run(value)
        self.measured = True

    actions: ClassVar = {"training": training}

    # ---------------------------------------------------------------- the arithmetic

    @property
    def trained(self):
        """A run with steps, measured in this page: the figure states nothing from another."""
        return bool(self.state["steps"]) and self.measured

    @property
    def flops(self):
        """The arithmetic the reader's run took, or None before it has taken a step."""
        s = self.state
        return scale.training_flops(s["params"], s["tokens"]) if self.trained else None

    @property
    def rate(self):
        """The reader's device's measured rate, operations a second."""
        return scale.device_rate(self.flops, self.state["seconds"]) if self.trained else None

    # ---------------------------------------------------------------- drawing

    def render(self):
        s, flops, rate = self.state, self.flops, self.rate
        rows = {}
        for key, system in scale.SYSTEMS.items():
            rows |= words.system_row(key, system, rate)
        headline = scale.SYSTEMS[HEADLINE]
        return {
            "text": {
                "run": words.run(s["params"], s["tokens"], s["seconds"], s["steps"],
                                 self.measured),
                "run-arithmetic": (words.run_arithmetic(s["params"], s["tokens"], flops)
                                   if flops is not None else words.NOT_YET),
                "run-rate": (words.run_rate(flops, s["seconds"], rate) if rate is not None
                             else words.NOT_YET),
                "headline": words.gpt3_answer(headline, rate),
                **words.reply(REPLY_WORDS, self.per_word, REPLY_PARAMS, rate),
                **words.your_row(s["params"], s["tokens"], s["seconds"], flops),
                **rows,
                "summary": words.summary(rate, flops, s["seconds"], headline),
            },
        }
