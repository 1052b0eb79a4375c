"""Chapter 4 — a network you can build and train, and watch one example go through it.

The reader picks a dataset in the plane and a network shape, then trains it: Play runs
as many SGD steps as fit in a time slice each animation frame. Beside it: the decision
boundary, what every neuron responds to, the weights as links, and the loss curves.
The slow view runs one real training step on one example, a layer at a time: forward
(each neuron's weighted sum z and activation a), then backward (each neuron's error δ,
each weight's gradient and update), with the numbers of the very step it then applies.
"""

import math
import time

import numpy as np

from .. import datasets as ds
from .. import mlp
from .controls import Choice, InputError, Slider, parse_click, signed
from .playground_draw import BLANK, GRID, boundary_image, curves, links, node_images, plane_points
from .playground_slow import (
    CLASS_NAMES,
    last_stage,
    slow_numbers,
    slow_step,
    slow_texts,
    slow_words,
    weight_items,
)

MAX_LAYERS, MAX_NEURONS, N_POINTS, MAX_MINE = 6, 8, 500, 200
SLOTS = MAX_LAYERS + 2  # node columns in the page: inputs, six hidden layers, the output
OUT = SLOTS - 1  # the output's slot column, whatever the network's depth
LRS = ("0.00001", "0.0001", "0.001", "0.003", "0.01", "0.03", "0.1", "0.3", "1", "3", "10")
L2S = ("0", "0.0001", "0.001", "0.003", "0.01", "0.03", "0.1", "0.3", "1")

CONTROLS = {
    "dataset": Choice("data", (("circle", "circle"), ("xor", "opposite corners (XOR)"),
                               ("gaussians", "two clouds"), ("spiral", "spiral"),
                               ("yours", "your own points"))),
    "noise": Slider("noise", 0.0, 0.5, 0.05),
    "train": Slider("share to train on", 0.1, 0.9, 0.1),
    "activation": Choice("activation", (("tanh", "tanh"), ("relu", "ReLU"),
                                        ("sigmoid", "sigmoid"), ("linear", "linear (none)"))),
    "lr": Choice("learning rate", tuple((v, v) for v in LRS)),
    "batch": Slider("batch size", 1, 30, 1),
    "l2": Choice("L2 regularisation", tuple((v, "none" if v == "0" else v) for v in L2S)),
    "px": Slider("x₁ (across)", -6.0, 6.0, 0.5),
    "py": Slider("x₂ (up)", -6.0, 6.0, 0.5),
    "example": Slider("example", 1, N_POINTS, 1),
}
ACTIONS = ("play", "pause", "step", "reset", "regenerate", "add-layer", "remove-layer",
           "add-point", "clear-points", "next", "again", "tick")
TICK_BUDGET = 0.019  # seconds of training per tick: with drawing, a tick fills two 60 Hz frames
CHUNK = 8  # steps between looks at the clock
RUNAWAY = 1e6  # a weight this large means the learning rate is too large
KEEP = 400  # points kept on the loss curves; older ones are thinned
NODES_EVERY = 4  # while training, the neurons' heatmaps are redrawn every 4th frame


class Playground:
    controls = CONTROLS

    def __init__(self, dataset="circle", hidden=(4, 2), activation="tanh", lr="0.03", batch=10,
                 l2="0", noise=0.0, train=0.5, seed=1):
        self.seed, self.generation = int(seed), 0
        self.hidden = [min(max(int(n), 1), MAX_NEURONS) for n in hidden][:MAX_LAYERS]
        self.s = {}
        start = {"dataset": dataset, "activation": activation, "lr": lr, "batch": batch,
                 "l2": l2, "noise": noise, "train": train, "px": 0.0, "py": 0.0, "example": 1}
        for name, value in start.items():
            self.s[name] = CONTROLS[name].parse(value)
        self.mine = []  # the reader's points: (x₁, x₂, class)
        self.pick = 1  # the class the reader's next point gets
        self.playing = False
        self._new_data()
        self.note = "Press Play to train the network, or Next step to follow one example."

    # ---------------------------------------------------------------- state

    def _new_data(self):
        rng = np.random.default_rng([self.seed, self.generation])
        if self.s["dataset"] == "yours":
            pts = np.array(self.mine, float).reshape(-1, 3)
            x, y = pts[:, :2], pts[:, 2:]
        else:
            x, y = ds.SHAPES[self.s["dataset"]](rng, N_POINTS, self.s["noise"])
        if len(x) >= 2:
            self.xa, self.ya, self.xb, self.yb = ds.split(rng, x, y, self.s["train"])
        else:  # one point or none: all of it to train on, nothing to test on
            self.xa, self.ya, self.xb, self.yb = x, y, x[:0], y[:0]
        self.s["example"] = min(self.s["example"], max(len(self.xa), 1))
        self._draw_points()
        self._new_network()

    def _draw_points(self):
        """The points' SVG only changes with the data or the picked example: kept till then."""
        k = int(self.s["example"]) - 1
        self.points_svg = plane_points(self.xa, self.ya, self.xb, self.yb,
                                       self.xa[k] if len(self.xa) else None)

    def _new_network(self):
        self.net = mlp.MLP([2, *self.hidden, 1], self.s["activation"],
                           np.random.default_rng([self.seed, self.generation, 1]))
        self.train_rng = np.random.default_rng([self.seed, self.generation, 2])
        self.epoch = 0.0
        self.history = []  # (epoch, train loss, test loss)
        self.pictures, self.age = None, 0  # the neurons' heatmaps, and frames since drawn
        self._restart_run()
        self.status, self.blowup = ("running" if self.playing else "ready"), None
        self._record()

    def _restart_run(self):
        """A new SGD run from the current weights (after a setting changed)."""
        self.base = self.epoch
        self.run = mlp.sgd(self.net, self.xa, self.ya, int(self.s["batch"]), float(self.s["lr"]),
                           float(self.s["l2"]), self.train_rng) if len(self.xa) else None
        self.playing = self.playing and self.run is not None
        self.slow = None  # the slow view's step, once started

    def _loss(self, x, y):
        return mlp.loss(self.net, x, y) if len(x) else None

    def _record(self):
        self.losses = (self._loss(self.xa, self.ya), self._loss(self.xb, self.yb))
        if self.losses[0] is not None:
            self.history.append((self.epoch, *self.losses))
            if len(self.history) > KEEP:  # halve, keeping the first and the last
                self.history[:] = self.history[:-1:2] + self.history[-1:]

    def _train(self, steps=None, until=None):
        """Run SGD for a number of steps, or until a clock time; stop at a runaway."""
        if self.run is None:
            self.note = "There are no points to learn from: add some first."
            self.playing, self.status = False, "ready"
            return
        safe = self.net.theta.copy()
        with np.errstate(over="ignore", invalid="ignore"):  # a runaway is caught just below
            while True:
                for _ in range(CHUNK if steps is None else steps):
                    self.epoch = self.base + next(self.run)
                if steps is not None or time.perf_counter() >= until:
                    break
        if not np.all(np.abs(self.net.theta) < RUNAWAY):  # also catches NaN
            self.net.theta[:] = safe  # the page shows the last sane weights
            self.playing, self.status = False, "diverged"
            self.blowup = int(self.epoch)
            self.note = diverged_text(self)
            return
        self._record()

    # ---------------------------------------------------------------- events

    def handle(self, name, value):
        if name in ACTIONS:
            return getattr(self, "_do_" + name.replace("-", "_"))()
        if name in ("add-neuron", "remove-neuron"):
            return self._neurons(value, +1 if name == "add-neuron" else -1)
        if name == "pick":
            if value not in ("0", "1"):
                raise InputError("Points are of class 0 or class 1.")
            self.pick = int(value)
            self.note = f"New points will be {CLASS_NAMES[self.pick]}."
            return
        if name == "place":
            fx, fy = parse_click(value)
            return self._add_point(round(ds.EXTENT * (2 * fx - 1), 1),
                                   round(ds.EXTENT * (1 - 2 * fy), 1))
        if name not in CONTROLS:
            raise InputError(f"This demo has no control named “{str(name)[:40]}”.")
        v = CONTROLS[name].parse(value)
        if name == "example":
            if len(self.xa) and not 1 <= v <= len(self.xa):
                raise InputError(f"Pick an example from 1 to {len(self.xa)}.")
            self.s[name], self.slow = v, None
            self._draw_points()
            self.note = f"Example {int(v)} picked: {describe_example(self)}."
            return
        self.s[name] = v
        if name in ("px", "py"):
            return
        if name in ("dataset", "noise", "train"):
            self._new_data()
            self.note = f"New data: {len(self.xa)} points to train on, {len(self.xb)} to test."
        elif name == "activation":
            self._new_network()
            self.note = f"Activation {v}: the network starts again from new random weights."
        else:  # learning rate, batch size, L2: carry on from the current weights
            if self.status == "diverged":
                self._new_network()
            self._restart_run()
            self.note = f"{CONTROLS[name].label.capitalize()} now {v:g}." if name == "batch" \
                else f"{CONTROLS[name].label.capitalize()} now {v}."

    def _do_play(self):
        if self.status == "diverged":
            self.note = "The run has diverged: pick a smaller learning rate, then press Reset."
            return
        if self.run is None:
            self.note = "There are no points to learn from: add some first."
            return
        self.playing, self.status, self.slow = True, "running", None
        self.note = "Training. Press Pause to stop."

    def _do_pause(self):
        if self.playing:
            self.playing, self.status = False, "paused"
            self.note = f"Paused at epoch {int(self.epoch)}."

    def _do_tick(self):
        if self.playing:
            self._train(until=time.perf_counter() + TICK_BUDGET)
            self.age += 1

    def _do_step(self):
        """One whole epoch: every training point once."""
        if self.status == "diverged" or self.run is None:
            return self._do_play()
        self.playing, self.slow = False, None
        steps = math.ceil(len(self.xa) / int(self.s["batch"]))
        self._train(steps=steps)
        if self.status != "diverged":
            self.status = "paused"
            self.note = f"Epoch {int(self.epoch)}: {loss_words(self)}."

    def _do_reset(self):
        self.playing = False
        self._new_network()
        self.note = f"New random weights: {loss_words(self)}."

    def _do_regenerate(self):
        self.generation += 1
        self._new_data()
        self.note = "New points drawn from the same shape; the network starts again."

    def _do_add_layer(self):
        if len(self.hidden) >= MAX_LAYERS:
            self.note = f"This playground stops at {MAX_LAYERS} hidden layers."
            return
        self.hidden.append(min(self.hidden[-1] if self.hidden else 2, MAX_NEURONS))
        self._new_network()
        self.note = f"Added hidden layer {len(self.hidden)}. {shape_words(self)}"

    def _do_remove_layer(self):
        if not self.hidden:
            self.note = "No hidden layers left: the inputs go straight to the output."
            return
        self.hidden.pop()
        self._new_network()
        self.note = f"Removed a hidden layer. {shape_words(self)}"

    def _neurons(self, value, change):
        try:
            layer = int(value)
            n = self.hidden[layer]
        except (TypeError, ValueError, IndexError):
            raise InputError("There is no such hidden layer.") from None
        if not 1 <= n + change <= MAX_NEURONS:
            self.note = f"A layer here has from 1 to {MAX_NEURONS} neurons."
            return
        self.hidden[layer] = n + change
        self._new_network()
        self.note = f"Layer {layer + 1} now has {n + change} neurons. {shape_words(self)}"

    def _do_add_point(self):
        self._add_point(self.s["px"], self.s["py"])

    def _add_point(self, x, y):
        if len(self.mine) >= MAX_MINE:
            self.note = f"That is {MAX_MINE} points, the most this figure holds."
            return
        self.mine.append((float(x), float(y), self.pick))
        self.s["dataset"] = "yours"
        self._new_data()
        self.note = (f"Added a point of {CLASS_NAMES[self.pick]} at ({signed(x, 1)}, "
                     f"{signed(y, 1)}); {len(self.mine)} of your points.")

    def _do_clear_points(self):
        self.mine = []
        if self.s["dataset"] == "yours":
            self._new_data()
        self.note = "Your points are cleared."

    # ------------------------------------------------------------ the slow view

    def _do_next(self):
        """One more stage of the slow step; the last applies the update it showed."""
        if not len(self.xa):
            self.note = "There are no points to learn from: add some first."
            return
        if self.status == "diverged":
            self.note = "The run has diverged: press Reset first."
            return
        self.playing = False
        if self.status == "running":
            self.status = "paused"
        if self.slow is None or self.slow["stage"] == last_stage(self):
            self.slow = slow_step(self)
        else:
            self.slow["stage"] += 1
            if self.slow["stage"] == last_stage(self):
                self.net.update(self.slow["lr"])  # the very gradient the view just showed
                self.slow["after"] = mlp.loss(self.net, self.slow["x"], self.slow["y"])
                self._record()
        self.note = slow_words(self)

    def _do_again(self):
        self.slow = None
        self._do_next()

    # ---------------------------------------------------------------- drawing

    def render(self):
        net, hidden = self.net, self.hidden
        cols = len(hidden) + 2
        train_loss, test_loss = self.losses
        grid = net.forward(GRID)  # every neuron over the plane, in one pass
        text = {
            "epoch": str(int(self.epoch)),
            "train-loss": show_loss(train_loss),
            "test-loss": show_loss(test_loss),
            "accuracy": (f"{100 * mlp.accuracy(net, self.xb, self.yb):.0f}%" if len(self.xb)
                         else "—"),
            "n-params": f"{net.n_params:,}",
            "shape": shape_words(self),
            "status": status_text(self),
            "summary": self.note,
            "btn-play": "Pause" if self.playing else "Play",
            "n-train": f"{len(self.xa)}",
            **{f"{k}-shown": CONTROLS[k].show(self.s[k]) for k in ("noise", "train", "px", "py")},
            "batch-shown": f"{int(self.s['batch'])}",
            "example-shown": f"{int(self.s['example'])}",
            "example-where": describe_example(self) if len(self.xa) else "no points yet",
            **{f"size-{i}": (f"{hidden[i]}" if i < len(hidden) else "") for i in range(MAX_LAYERS)},
        }
        attrs = {
            "btn-play": {"data-action": "pause" if self.playing else "play"},
            "status": {"class": f"status is-{self.status}"},
            "net": {"class": f"net cols-{cols} rows-{2 * tallest(self)}"},
            "editor": {"class": f"net-editor cols-{cols}"},
            "btn-add-layer": {"aria-disabled": "true" if len(hidden) >= MAX_LAYERS else None},
            "btn-remove-layer": {"aria-disabled": "true" if not hidden else None},
            "example-input": {"max": str(max(len(self.xa), 1))},
            "pick-0": {"aria-pressed": str(self.pick == 0).lower()},
            "pick-1": {"aria-pressed": str(self.pick == 1).lower()},
            **{f"layer-{i}": {"class": f"layer-edit c{i + 2}", "hidden": i >= len(hidden) or None}
               for i in range(MAX_LAYERS)},
            "out-label": {"class": f"layer-edit c{cols}"},
        }
        images = {"boundary": boundary_image(grid.a[-1][:, 0])}
        numbers = slow_numbers(self)
        if self.pictures is None or not self.playing or self.age >= NODES_EVERY:
            self.pictures, self.age = self._node_pictures(grid), 0
        for l, (col, n) in enumerate(node_columns(self)):
            for i in range(MAX_NEURONS if col != OUT else 1):
                key = f"{col}-{i}"
                on = i < n
                attrs[f"node-{key}"] = {"class": f"node c{l + 1} r{tallest(self) - n + 2 * i + 1}"
                                        + (" is-focus" if self._focus(l) else ""),
                                        "hidden": None if on else True}
                images[f"img-{key}"] = self.pictures[l][i] if on else BLANK
                text[f"num-{key}"] = numbers.get((l, i), "") if on else ""
        for col in range(SLOTS):  # the slot columns this network does not use
            if col not in {c for c, _ in node_columns(self)}:
                for i in range(MAX_NEURONS if col != OUT else 1):
                    attrs[f"node-{col}-{i}"] = {"class": "node", "hidden": True}
                    images[f"img-{col}-{i}"] = BLANK
                    text[f"num-{col}-{i}"] = ""
        text.update(slow_texts(self))
        return {
            "text": text,
            "svg": {"points": self.points_svg,
                    "links": links(net, self._layer_of_stage()),
                    "curve": curves(self.history)},
            "images": images,
            "attrs": attrs,
            "items": {"weights": weight_items(self)},
            "values": {k: self.s[k] for k in CONTROLS},
            "running": self.playing,
        }

    def _node_pictures(self, grid):
        """Each layer's heatmaps, one per neuron: what it responds to over the plane."""
        last = len(self.hidden) + 1
        return [node_images(a, "input" if l == 0 else "output" if l == last
                            else self.net.activation) for l, a in enumerate(grid.a)]

    def _layer_of_stage(self):
        """Which weight layer the slow view is at, and which way (None outside it)."""
        if self.slow is None:
            return None
        L, k = len(self.net.W), self.slow["stage"]
        if 1 <= k <= L:
            return ("forward", k - 1)
        if L + 2 <= k <= 2 * L + 1:
            return ("backward", 2 * L + 1 - k)
        return None

    def _focus(self, l):
        at = self._layer_of_stage()
        return at is not None and at[1] + 1 == l


def tallest(demo):
    """Neurons in the largest layer (the inputs count): the diagram's height in nodes."""
    return max([2, *demo.hidden])


def node_columns(demo):
    """(slot column, neurons) for each layer of the network, inputs first."""
    return [(0, 2)] + [(i + 1, n) for i, n in enumerate(demo.hidden)] + [(OUT, 1)]


# ---------------------------------------------------------------- words

def show_loss(x):
    if x is None:
        return "—"
    return f"{x:,.0f}" if x >= 1e4 else f"{x:.3f}"


def loss_words(demo):
    return f"training loss {show_loss(demo.losses[0])}, test loss {show_loss(demo.losses[1])}"


def shape_words(demo):
    layers = ", ".join(str(n) for n in demo.hidden) or "none"
    return (f"Hidden layers: {layers}. Weights and biases to learn: "
            f"{demo.net.n_params:,}.")


def describe_example(demo):
    k = int(demo.s["example"]) - 1
    x, y = demo.xa[k], int(demo.ya[k, 0])
    return f"x₁ = {signed(x[0], 2)}, x₂ = {signed(x[1], 2)}, {CLASS_NAMES[y]}"


def status_text(demo):
    if demo.status == "diverged":
        return diverged_text(demo)
    if demo.status == "running":
        return "Training…"
    if demo.status == "paused":
        return f"Paused at epoch {int(demo.epoch)}."
    return "Ready: the weights are random, so the network guesses."


def diverged_text(demo):
    return (f"Stopped at epoch {demo.blowup}: the learning rate is too large. The weights grew "
            f"past a million, on their way to numbers too large to compute with. Pick a "
            f"smaller learning rate and press Reset.")
