"""Chapter 2 — the learning loop, one turn at a time or a few per frame.

A line ŷ = w·x + b learns from points the reader can add and move. Step runs one turn
of the loop and shows its four phases (predict, measure the error, gradient, update);
Play runs a few turns per animation frame. Beside the data: the loss landscape over
(w, b) with the path the weights took, and the loss curve.
"""

import itertools
import math

import numpy as np

from .. import learning
from .controls import Choice, InputError, Slider, parse_click, signed
from .learning_figures import contours, fit_plot, landscape, loss_curve, window, zones
from .learning_words import (
    diverged_text,
    phases,
    settled_text,
    show_loss,
    show_lr,
    show_weight,
    status_text,
    where,
    zone,
    zone_words,
)

MAX_POINTS, MIN_POINTS = 12, 2
GRAB = 0.04  # a press this close to a point (in the plot's 0..1 units) picks it up
LR_STEP = 0.05  # the learning-rate slider moves log10(lr) in steps of this size

CONTROLS = {
    "lr": Slider("learning rate", -3.0, 1.0, LR_STEP),  # log10 of the learning rate
    "point": Choice("point", tuple((str(i), f"point {i + 1}") for i in range(MAX_POINTS))),
    "px": Slider("its x (across)", 0.0, 1.0, 0.01),
    "py": Slider("its y (up)", 0.0, 1.0, 0.01),
}
ACTIONS = ("step", "play", "pause", "reset", "add", "remove", "tick")

STEPS_PER_TICK = 3  # turns per animation frame: well under a millisecond of numpy each
SETTLED = 1e-5  # a gradient this small means the bottom of the bowl has been reached
KEEP = 1200  # longest trail and loss history kept; longer ones are thinned, never cut


class LearningLoop:
    controls = CONTROLS
    steps_per_tick = STEPS_PER_TICK

    def __init__(self, seed=2, n=8, w=-0.5, b=0.9, lr=0.3):
        self.rng = np.random.default_rng(seed)
        x, y = learning.make_data(self.rng, n)
        self.x, self.y = np.round(x, 2), np.round(y, 2)  # [n]: slider positions, so 2 decimals
        self.start = np.array([float(w), float(b)])  # [2]: the first guess
        # Snap to the slider's own steps, so the page and Python agree on the value.
        self.lr_log = CONTROLS["lr"].parse(round(math.log10(lr) / LR_STEP) * LR_STEP)
        self.selected = 0
        self.grabbed = False  # whether a drag on the plot moves the selected point
        self.reset()
        self.note = "Press Step for one turn of the loop, or Play to keep it going."

    # ---------------------------------------------------------------- state changes

    def reset(self):
        self.w = self.start.copy()  # [2]
        self.steps = 0
        self.playing = False
        self.status = "ready"
        self.blowup = None  # (loss it reached, turn) once the run has diverged
        self.flash = None
        self._restart_trail()

    def _restart_trail(self):
        """A new path and loss curve from where the weights are now (the landscape changed)."""
        self.trail = [self.w]
        self.curve = [(self.steps, self._loss(self.w))]
        self.max_loss = 1e6 * max(self.curve[0][1], 1e-12)
        self.last = None  # the turn the phases describe
        self.best = learning.best_fit(self.x, self.y)  # [2]
        self.window = window(self.w, self.best)
        self.contours = contours(self.x, self.y, self.best, self.window)  # SVG, kept till then

    def _loss(self, w):
        return float(learning.loss(w, self.x, self.y))

    @property
    def lr(self):
        return 10.0**self.lr_log

    def _advance(self, turns):
        run = learning.train(self.w, self.x, self.y, self.lr, self.max_loss)
        for m in itertools.islice(run, turns):
            if m["diverged"]:
                with np.errstate(over="ignore", invalid="ignore"):  # how far it was heading
                    after = learning.train_step(self.w, self.x, self.y, self.lr)["w"]
                    reached = float(learning.loss(after, self.x, self.y))
                self.blowup = (reached if math.isfinite(reached) else math.inf, self.steps + 1)
                self.status, self.playing = "diverged", False
                return
            before = self.w
            self.w, self.steps = m["w"], self.steps + 1
            self.last = {"before": before, "loss_before": self.curve[-1][1], "grad": m["grad"],
                         "after": self.w, "loss_after": float(m["loss"])}
            self.trail.append(self.w)
            self.curve.append((self.steps, float(m["loss"])))
            thin(self.trail)
            thin(self.curve)
            if np.linalg.norm(m["grad"]) < SETTLED:
                self.status, self.playing = "settled", False
                return

    def _data_changed(self, note):
        if self.status == "diverged":
            self.reset()  # the runaway weights mean nothing for new data: start over
            note += " The run starts again from the first guess."
        else:
            self._restart_trail()
            self.status = "running" if self.playing else ("paused" if self.steps else "ready")
        self.note = note + f" Loss now {show_loss(self._loss(self.w))}."

    def handle(self, name, value):
        self.flash = None
        if name in ACTIONS:
            return getattr(self, f"_do_{name}")()
        if name in ("drag-start", "drag"):  # on the plot, as fractions of its box from the top left
            fx, fy = parse_click(value)
            return getattr(self, f"_{name.replace('-', '_')}")(round(fx, 2), round(1 - fy, 2))
        if name not in CONTROLS:
            raise InputError(f"This demo has no control named “{str(name)[:40]}”.")
        v = CONTROLS[name].parse(value)
        if name == "lr":
            self.lr_log = v
            lr, limit = self.lr, learning.stable_limit(self.x)
            self.note = f"Learning rate {show_lr(lr)}: {zone(lr, limit)[1]}."
        elif name == "point":
            if int(v) >= len(self.x):
                raise InputError(f"There is no point {int(v) + 1}: the data has {len(self.x)}.")
            self.selected = int(v)
            self.note = f"Point {self.selected + 1} selected: {where(self, self.selected)}."
        else:
            data = self.x if name == "px" else self.y
            data[self.selected] = v
            self._data_changed(f"Point {self.selected + 1} moved to {where(self, self.selected)}.")

    def _do_step(self):
        if self.status == "diverged":
            self.note = "The run has diverged. Press Reset to start again."
            return
        self.playing = False
        self._advance(1)
        if self.status == "diverged":
            self.note = diverged_text(self)
        else:
            self.status = "settled" if self.status == "settled" else "paused"
            self.flash = "flash-a" if self.steps % 2 else "flash-b"
            self.note = (f"Turn {self.steps}: loss {show_loss(self.last['loss_after'])}, "
                         f"was {show_loss(self.last['loss_before'])}.")

    def _do_play(self):
        if self.status == "diverged":
            self.note = "The run has diverged. Press Reset to start again."
            return
        self.playing, self.status = True, "running"
        self.note = "Learning: the loop is running. Press Pause to stop it."

    def _do_pause(self):
        if self.playing:
            self.playing, self.status = False, "paused"
            self.note = (f"Paused after {self.steps} turns; "
                         f"loss {show_loss(self._loss(self.w))}.")

    def _do_tick(self):
        if not self.playing:
            return
        self._advance(STEPS_PER_TICK)
        if self.status == "diverged":
            self.note = diverged_text(self)
        elif self.status == "settled":
            self.note = settled_text(self)

    def _do_reset(self):
        self.reset()
        self.note = f"Back to the first guess: loss {show_loss(self._loss(self.w))}."

    def _do_add(self):
        x, y = np.round(self.rng.uniform(0.05, 0.95, 2), 2)
        self._add(x, y, "added")

    def _drag_start(self, x, y):
        """Pick up the point under the pointer, or put a new one there and pick that up."""
        near = np.hypot(self.x - x, self.y - y)  # [n], in the plot's units
        if near.min() <= GRAB:
            self.selected, self.grabbed = int(near.argmin()), True
            self.note = f"Point {self.selected + 1} picked up: drag it anywhere in the plot."
        else:
            self.grabbed = self._add(x, y, "placed")

    def _drag(self, x, y):
        if not self.grabbed:
            return
        self.x[self.selected], self.y[self.selected] = x, y
        self._data_changed(f"Point {self.selected + 1} moved to {where(self, self.selected)}.")

    def _add(self, x, y, how):
        """Whether the point could be added."""
        if len(self.x) >= MAX_POINTS:
            self.note = f"The figure holds at most {MAX_POINTS} points; remove one first."
            return False
        self.x, self.y = np.append(self.x, x), np.append(self.y, y)
        self.selected = len(self.x) - 1
        self._data_changed(f"Point {self.selected + 1} {how} at {where(self, self.selected)}; "
                           "move it with the sliders.")
        return True

    def _do_remove(self):
        if len(self.x) <= MIN_POINTS:
            self.note = f"A line needs at least {MIN_POINTS} points to learn from."
            return
        gone = self.selected
        self.x, self.y = np.delete(self.x, gone), np.delete(self.y, gone)
        self.selected = min(gone, len(self.x) - 1)
        self._data_changed(f"Removed point {gone + 1}; {len(self.x)} points left.")

    # ---------------------------------------------------------------- drawing

    def render(self):
        lr, limit = self.lr, learning.stable_limit(self.x)
        now = self._loss(self.w)
        best_loss = self._loss(self.best)
        zone_name, zone_text = zone(lr, limit)
        lam = 2.0 / limit
        n, sel, stopped = len(self.x), self.selected, self.status == "diverged"
        text = {
            "lr-shown": show_lr(lr),
            "lr-zone": zone_text,
            "limit": f"2 ÷ {signed(lam, 2)} = {signed(limit, 2)}",
            "small-edge": signed(limit / 10, 3),
            "px-shown": CONTROLS["px"].show(self.x[sel]),
            "py-shown": CONTROLS["py"].show(self.y[sel]),
            "steps": str(self.steps),
            "loss": show_loss(now),
            "w-shown": show_weight(self.w[0]),
            "b-shown": show_weight(self.w[1]),
            "best": (f"{show_loss(best_loss)} (w = {show_weight(self.best[0])}, "
                     f"b = {show_weight(self.best[1])})"),
            "status": status_text(self),
            "summary": self.note,
            "btn-play": "Pause" if self.playing else "Play",
            **phases(self),
            **{f"point-{i}": (f"point {i + 1}: {where(self, i)}" if i < n else f"point {i + 1}")
               for i in range(MAX_POINTS)},
        }
        aria_off = {True: "true", False: None}
        attrs = {
            "btn-step": {"aria-disabled": aria_off[stopped]},
            "btn-play": {"data-action": "pause" if self.playing else "play",
                         "aria-disabled": aria_off[stopped]},
            "btn-add": {"aria-disabled": aria_off[n >= MAX_POINTS]},
            "btn-remove": {"aria-disabled": aria_off[n <= MIN_POINTS]},
            "phases": {"class": " ".join(filter(None, ["phases", self.flash]))},
            "status": {"class": f"status is-{self.status}"},
            "lr-zone": {"class": f"zone-name is-{zone_name}"},
            # The slider's own value is log10(lr): tell assistive technology the rate itself.
            "lr-input": {"aria-valuetext": f"{show_lr(lr)}, {zone_words(zone_name)}"},
            **{f"point-{i}": {"hidden": i >= n or None, "disabled": i >= n or None}
               for i in range(MAX_POINTS)},
        }
        return {
            "text": text,
            "svg": {"fit": fit_plot(self), "landscape": landscape(self),
                    "curve": loss_curve(self, best_loss), "zones": zones(limit, CONTROLS["lr"])},
            "attrs": attrs,
            "values": {"lr": self.lr_log, "point": str(sel), "px": float(self.x[sel]),
                       "py": float(self.y[sel])},
            "running": self.playing,
        }


def thin(history):
    """Halve a history that grew past KEEP, keeping its first and last entries."""
    if len(history) > KEEP:
        history[:] = history[:-1:2] + history[-1:]
