"""Chapter 2 — the learning loop, one turn at a time or a few per frame.

A line ŷ = w·x + b learns from points the reader can add and move. Step runs one turn
of the loop and shows its four phases (predict, measure the error, gradient, update);
Play runs a few turns per animation frame. Beside the data: the loss landscape over
(w, b) with the path the weights took, and the loss curve.

State (STATE): the points (drawn from `seed` and `n` until the reader changes them), the
first guess, the learning rate and the selected point. The weights the loop has reached
are the run's, not state: a restored figure starts again from the first guess.
"""

import math
from typing import ClassVar

import numpy as np

from .. import learning, live_math
from ..live_math import Experiment
from . import learning_words as words
from .base import Demo
from .controls import Choice, InputError, Number, Points, Slider, Whole, parse_click
from .format import loss as show_loss
from .format import rate, signed
from .learning_figures import contours, fit_plot, landscape, loss_curve, window, zones
from .run import Run, runaway, thin

MAX_POINTS, MIN_POINTS = 12, 2
GRAB = 0.04  # a press this close to a point (in the plot's 0..1 units) picks it up
LR_STEP = 0.05  # the learning-rate slider moves log10(lr) in steps of this size

STATE = {
    "seed": Whole("seed", 0, 2**32 - 1, default=2),
    "n": Whole("number of points", MIN_POINTS, MAX_POINTS, default=8),
    "points": Points("your points", 0.0, 1.0, 2, MIN_POINTS, MAX_POINTS, default=None),
    "w": Number("first weight w", -10.0, 10.0, default=-0.5),
    "b": Number("first bias b", -10.0, 10.0, default=0.9),
    "lr": Number("learning rate", 10**-3, 10.0, default=0.3),
    "selected": Whole("selected point", 0, MAX_POINTS - 1, default=0),
}
CONTROLS = {
    "lr": Slider("learning rate", -3.0, 1.0, LR_STEP),  # log10 of the learning rate
    "point": Choice("point", tuple((str(i), f"point {i + 1}") for i in range(MAX_POINTS))),
    "px": Slider("its x (across)", 0.0, 1.0, 0.01),
    "py": Slider("its y (up)", 0.0, 1.0, 0.01),
}

STEPS_PER_TICK = 3  # turns per animation frame: well under a millisecond of numpy each
SETTLED = 1e-5  # a gradient this small means the bottom of the bowl has been reached
KEEP = 1200  # longest trail and loss history kept; longer ones are thinned, never cut


def snapped_log(lr):
    """log10 of a learning rate, on the slider's own steps (so page and Python agree)."""
    return CONTROLS["lr"].parse(round(math.log10(lr) / LR_STEP) * LR_STEP)


def seeded_points(seed, n):
    """The figure's usual points: n of them around a line, at the sliders' 2 decimals."""
    x, y = learning.make_data(np.random.default_rng(seed), n)
    return np.round(x, 2), np.round(y, 2)  # [n], [n]


class LearningLoop(Demo):
    STATE = STATE
    controls = CONTROLS
    steps_per_tick = STEPS_PER_TICK
    shows = (learning.loss, learning.gradient)
    experiments = (
        Experiment("Absolute error in place of squared error", learning.loss,
                   "np.mean(miss**2)", "np.mean(np.abs(miss))",
                   "Big misses no longer count extra, and every step is about the same size "
                   "however close the line is: the run never settles, and instead of slowing "
                   "down near the bottom it bounces back and forth."),
    )

    @classmethod
    def restore(cls, params, notes):
        state = super().restore(params, notes)
        state["lr"] = 10.0 ** snapped_log(state["lr"])  # the rates the slider can show
        return state

    def setup(self, s):
        self.seed, self.n = s["seed"], s["n"]
        self.rng = np.random.default_rng(s["seed"])  # draws the points, then those Add puts down
        x, y = learning.make_data(self.rng, s["n"])
        if s["points"] is None:
            self.x, self.y = np.round(x, 2), np.round(y, 2)  # [n]: slider positions, 2 decimals
        else:
            self.x, self.y = (np.array(c, dtype=float) for c in zip(*s["points"]))
        self.start = np.array([s["w"], s["b"]])  # [2]: the first guess
        self.lr_log = snapped_log(s["lr"])
        self.selected = s["selected"]
        if self.selected >= len(self.x):
            self.notes.append(f"There is no point {self.selected + 1}; point 1 is selected.")
            self.selected = 0
        self.grabbed = False  # whether a drag on the plot moves the selected point
        self.run = Run("turn")
        self.reset()
        self.note = "Press Step for one turn of the loop, or Play to keep it going."

    def params(self):
        seeded = seeded_points(self.seed, self.n)
        same = len(seeded[0]) == len(self.x) and all(np.array_equal(a, b) for a, b in
                                                     zip(seeded, (self.x, self.y)))
        return {"seed": self.seed, "n": self.n,
                "points": None if same else [[float(x), float(y)] for x, y in zip(self.x, self.y)],
                "w": float(self.start[0]), "b": float(self.start[1]), "lr": self.lr,
                "selected": self.selected}

    # ---------------------------------------------------------------- the model

    def reset(self, _=None):
        self.w = self.start.copy()  # [2]
        self.run.reset()
        self.blowup = None  # the loss the refused turn would have reached, once diverged
        self.flash = None
        self._restart_trail()

    def _restart_trail(self):
        """A new path and loss curve from where the weights are now (the landscape changed)."""
        self.trail = [self.w]
        self.curve = [(self.run.steps, self.loss_at(self.w))]
        self.last = None  # the turn the phases describe
        self.best = learning.best_fit(self.x, self.y)  # [2]
        self.own_loss = self._own_loss()
        if self.own_loss:  # no formula for its bottom: searched for, near the squared error's
            self.best = learning.grid_minimum(self.x, self.y, *window(self.start, self.best))
        self.window = window(self.w, self.best)
        # The ellipses are the squared error's bowl: a reader's loss is drawn without them.
        self.contours = "" if self.own_loss else contours(self.x, self.y, self.best, self.window)

    def _own_loss(self):
        """Whether the loss installed is the reader's and measures otherwise than squared
        error (compared at the first guess, and a step from it): then the figure cannot use
        squared error's formulas for its gradient, its bottom and its bowl."""
        if not live_math.edited(learning.loss):
            return False
        squared = live_math.original(live_math.name_of(learning.loss))
        probes = (self.start, self.start + np.array([0.3, -0.2]))
        return any(not np.isclose(learning.loss(w, self.x, self.y),
                                  squared(w, self.x, self.y), rtol=1e-12) for w in probes)

    def loss_at(self, w):
        return float(learning.loss(w, self.x, self.y))

    @property
    def lr(self):
        return 10.0**self.lr_log

    @property
    def steps(self):
        return self.run.steps

    @property
    def status(self):
        return self.run.status

    @property
    def playing(self):
        return self.run.running

    def _turn(self):
        """One turn of the loop, for the run: None, "settled" or "diverged"."""
        # A reader's own loss has no gradient formula here unless they also wrote one.
        nudge = self.own_loss and not live_math.edited(learning.gradient)
        # subtle: a huge learning rate overflows to inf and then NaN; runaway() catches it.
        with np.errstate(over="ignore", invalid="ignore"):
            m = learning.train_step(self.w, self.x, self.y, self.lr, nudge=nudge)
            after = self.loss_at(m["w"])
        if runaway(after, max(self.curve[0][1], 1e-12)) or runaway(m["w"], 1e300):
            self.blowup = after if math.isfinite(after) else math.inf
            return "diverged"
        self.last = {"before": self.w, "loss_before": self.curve[-1][1], "grad": m["grad"],
                     "after": m["w"], "loss_after": after, "nudged": nudge}
        self.w = m["w"]
        self.trail.append(self.w)
        self.curve.append((self.run.steps + 1, after))
        thin(self.trail, KEEP)
        thin(self.curve, KEEP)
        return "settled" if np.linalg.norm(m["grad"]) < SETTLED else None

    def _data_changed(self, note):
        if self.run.status == "diverged":
            self.reset()  # the runaway weights mean nothing for new data: start over
            note += " The run starts again from the first guess."
        else:
            self._restart_trail()
            if self.run.status == "settled":
                self.run.status = "paused"
        self.note = note + f" Loss now {show_loss(self.loss_at(self.w))}."

    # ---------------------------------------------------------------- input

    def handle(self, name, value):
        self.flash = None  # the phases flash once, for the Step that just happened
        return super().handle(name, value)

    def set(self, name, v):
        if name == "lr":
            self.lr_log = v
            limit = learning.stable_limit(self.x)
            self.note = f"Learning rate {rate(self.lr)}: {words.zone(self.lr, limit)[1]}."
        elif name == "point":
            if int(v) >= len(self.x):
                raise InputError(f"There is no point {int(v) + 1}: the data has {len(self.x)}.")
            self.selected = int(v)
            self.note = f"Point {self.selected + 1} selected: {self._where(self.selected)}."
        else:
            data = self.x if name == "px" else self.y
            data[self.selected] = v
            self._data_changed(f"Point {self.selected + 1} moved to {self._where(self.selected)}.")

    def _where(self, i):
        return words.where(self.x[i], self.y[i])

    def step(self, _=None):
        if self.run.status == "diverged":
            self.note = "The run has diverged. Press Reset to start again."
            return
        self.run.pause()
        self.run.advance(self._turn, n=1)
        if self.run.status == "diverged":
            self.note = self._diverged_text()
            return
        if self.run.status != "settled":
            self.run.status = "paused"
        self.flash = "flash-a" if self.run.steps % 2 else "flash-b"
        self.note = (f"Turn {self.run.steps}: loss {show_loss(self.last['loss_after'])}, "
                     f"was {show_loss(self.last['loss_before'])}.")

    def play(self, _=None):
        if not self.run.play():
            self.note = "The run has diverged. Press Reset to start again."
            return
        self.note = "Learning: the loop is running. Press Pause to stop it."

    def pause(self, _=None):
        if self.run.pause():
            self.note = (f"Paused after {self.run.steps} turns; "
                         f"loss {show_loss(self.loss_at(self.w))}.")

    def tick(self, _=None):
        if not self.run.running:
            return
        outcome = self.run.advance(self._turn, n=STEPS_PER_TICK)
        if outcome == "diverged":
            self.note = self._diverged_text()
        elif outcome == "settled":
            self.note = self._settled_text()

    def restart(self, _=None):
        self.reset()
        self.note = f"Back to the first guess: loss {show_loss(self.loss_at(self.w))}."

    def add(self, _=None):
        x, y = np.round(self.rng.uniform(0.05, 0.95, 2), 2)
        self._add(x, y, "added")

    def drag_start(self, value):
        """Pick up the point under the pointer, or put a new one there and pick that up."""
        fx, fy = parse_click(value)  # fractions of the plot from the top left
        x, y = round(fx, 2), round(1 - fy, 2)
        near = np.hypot(self.x - x, self.y - y)  # [n], in the plot's units
        if near.min() <= GRAB:
            self.selected, self.grabbed = int(near.argmin()), True
            self.note = f"Point {self.selected + 1} picked up: drag it anywhere in the plot."
        else:
            self.grabbed = self._add(x, y, "placed")

    def drag(self, value):
        fx, fy = parse_click(value)
        if not self.grabbed:
            return
        self.x[self.selected], self.y[self.selected] = round(fx, 2), round(1 - fy, 2)
        self._data_changed(f"Point {self.selected + 1} moved to {self._where(self.selected)}.")

    def _add(self, x, y, how):
        """Whether the point could be added."""
        if len(self.x) >= MAX_POINTS:
            self.note = f"The figure holds at most {MAX_POINTS} points; remove one first."
            return False
        self.x, self.y = np.append(self.x, x), np.append(self.y, y)
        self.selected = len(self.x) - 1
        self._data_changed(f"Point {self.selected + 1} {how} at {self._where(self.selected)}; "
                           "move it with the sliders.")
        return True

    def remove(self, _=None):
        if len(self.x) <= MIN_POINTS:
            self.note = f"A line needs at least {MIN_POINTS} points to learn from."
            return
        gone = self.selected
        self.x, self.y = np.delete(self.x, gone), np.delete(self.y, gone)
        self.selected = min(gone, len(self.x) - 1)
        self._data_changed(f"Removed point {gone + 1}; {len(self.x)} points left.")

    actions: ClassVar = {"step": step, "play": play, "pause": pause, "tick": tick, "reset": restart,
                         "add": add, "remove": remove, "drag-start": drag_start, "drag": drag}

    # ---------------------------------------------------------------- words

    def _diverged_text(self):
        """In the counters' own numbers: the turns taken, the loss now (the refused turn is
        neither)."""
        return words.diverged_text(self.run.steps, self.curve[0][1], self.loss_at(self.w),
                                   self.blowup)

    def _settled_text(self):
        return words.settled_text(self.run.steps, self.loss_at(self.w))

    def _status_text(self):
        if self.run.status == "diverged":
            return self._diverged_text()
        if self.run.status == "settled":
            return self._settled_text()
        return words.status_text(self.run, STEPS_PER_TICK)

    # ---------------------------------------------------------------- drawing

    def render(self):
        lr, limit = self.lr, learning.stable_limit(self.x)
        now = self.loss_at(self.w)
        best_loss = self.loss_at(self.best)
        zone_name, zone_text = words.zone(lr, limit)
        notice = words.notices(self.run.steps, self.run.status, lr > limit / 2, now, best_loss)
        lam = 2.0 / limit
        n, sel, stopped = len(self.x), self.selected, self.run.status == "diverged"
        text = {
            "lr-shown": rate(lr),
            "lr-zone": zone_text,
            "limit": f"2 ÷ {signed(lam, 2)} = {signed(limit, 2)}",
            "small-edge": signed(limit / 10, 3),
            "px-shown": CONTROLS["px"].show(self.x[sel]),
            "py-shown": CONTROLS["py"].show(self.y[sel]),
            "steps": str(self.run.steps),
            "loss": show_loss(now),
            "w-shown": words.weight(self.w[0]),
            "b-shown": words.weight(self.w[1]),
            "best": (f"{show_loss(best_loss)} (w = {words.weight(self.best[0])}, "
                     f"b = {words.weight(self.best[1])})"),
            "status": self._status_text(),
            "summary": self.note,
            "btn-play": "Pause" if self.run.running else "Play",
            **{f"notice-{k}": v for k, v in notice.items()},
            **words.phases(self.last, self.x, self.y, sel, lr, self.run.steps,
                           own_loss=self.own_loss),
            **{f"point-{i}": (f"point {i + 1}: {self._where(i)}" if i < n else f"point {i + 1}")
               for i in range(MAX_POINTS)},
        }
        aria_off = {True: "true", False: None}
        attrs = {
            "btn-step": {"aria-disabled": aria_off[stopped]},
            "btn-play": {"data-action": "pause" if self.run.running else "play",
                         "aria-disabled": aria_off[stopped]},
            "btn-add": {"aria-disabled": aria_off[n >= MAX_POINTS]},
            "btn-remove": {"aria-disabled": aria_off[n <= MIN_POINTS]},
            "phases": {"class": " ".join(filter(None, ["phases", self.flash]))},
            "status": {"class": f"status is-{self.run.status}"},
            "lr-zone": {"class": f"zone-name is-{zone_name}"},
            # The slider's own value is log10(lr): tell assistive technology the rate itself.
            "lr-input": {"aria-valuetext": f"{rate(lr)}, {words.zone_words(zone_name)}"},
            **{f"point-{i}": {"hidden": i >= n or None, "disabled": i >= n or None}
               for i in range(MAX_POINTS)},
        }
        return {
            "text": text,
            "svg": {"fit": fit_plot(self.x, self.y, self.w, sel, self.last),
                    "landscape": landscape(self.window, self.contours, self.best, self.trail,
                                           self.last, self.w, self.run.steps - self.curve[0][0]),
                    "curve": loss_curve(self.curve, self.run.steps, best_loss),
                    "zones": zones(limit, CONTROLS["lr"])},
            "attrs": attrs,
            "values": {"lr": self.lr_log, "point": str(sel), "px": float(self.x[sel]),
                       "py": float(self.y[sel])},
            "running": self.run.running,
        }
