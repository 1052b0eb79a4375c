"""Chapter 4 — a network you can build and train, and watch one example go through it.

The reader picks a dataset in the plane and a network shape, then trains it: Play runs
as many SGD steps as fit in a time slice each animation frame. Beside it: the decision
boundary, what every neuron responds to, the weights as links, and the loss curves.
The one-example view runs one real training step on one example, a layer at a time: forward
(each neuron's weighted sum z and activation a), then backward (each neuron's error δ,
each weight's gradient and update), with the numbers of the very step it then applies.

State (STATE): the data (a shape with its noise, drawn from `seed` and `generation`, the
number of times New points was pressed, or no shape at all; and the reader's own points on
top of it), the share of it to train on, the network's shape and how it learns, the picked
example, and where and of which class the reader's next point goes. What training reaches (the weights, the epoch, the loss
curves, the one-example view) is the run's, not state: a restored figure starts from the
same random weights as a fresh one.
"""

import math
from typing import ClassVar

import numpy as np

from .. import datasets as ds
from .. import layers, live_math, mlp
from ..live_math import Experiment
from . import playground_example as example
from . import playground_words as words
from .base import Demo
from .controls import Choice, Counts, InputError, Points, Slider, Whole, parse_click
from .format import big, count, signed
from .format import loss as show_loss
from .playground_draw import (
    GRID,
    boundary_image,
    curves,
    layer_editor,
    network,
    network_pictures,
    plane_points,
)
from .playground_example import CLASS_NAMES, last_stage
from .run import Run, runaway, thin

MAX_LAYERS, MAX_NEURONS = 6, 8  # the network editor's bounds; the drawing follows from them
N_POINTS, MAX_OWN, MAX_BATCH = 500, 200, 30
GENERATIONS = 2**31  # New points counts round after this many presses
LRS = ("0.00001", "0.0001", "0.001", "0.003", "0.01", "0.03", "0.1", "0.3", "1", "3", "10")
L2S = ("0", "0.0001", "0.001", "0.003", "0.01", "0.03", "0.1", "0.3", "1")

STATE = {
    "dataset": Choice("data", (("circle", "circle"), ("xor", "opposite corners (XOR)"),
                               ("gaussians", "two clouds"), ("spiral", "spiral"),
                               ("yours", "your own points")), default="circle"),
    "noise": Slider("noise", 0.0, 0.5, 0.05, default=0.0),
    "train": Slider("share to train on", 0.1, 0.9, 0.1, default=0.5),
    "activation": Choice("activation", (("tanh", "tanh"), ("relu", "ReLU"),
                                        ("sigmoid", "sigmoid"), ("linear", "linear")),
                         default="tanh"),
    "lr": Choice("learning rate", tuple((v, v) for v in LRS), default="0.03"),
    "batch": Whole("batch size", 1, MAX_BATCH, default=10),
    "l2": Choice("L2 regularisation", tuple((v, "none" if v == "0" else v) for v in L2S),
                 default="0"),
    "hidden": Counts("hidden layers", 1, MAX_NEURONS, MAX_LAYERS, default=(4, 2)),
    "seed": Whole("seed", 0, 2**32 - 1, default=1),
    "generation": Whole("new points drawn", 0, GENERATIONS - 1, default=0),
    "own_points": Points("your points", -ds.EXTENT, ds.EXTENT, 1, 0, MAX_OWN, classes=(0, 1)),
    "next_class": Whole("class of your next point", 0, 1, default=1),
    "example": Whole("example", 1, N_POINTS, default=1),  # counted from 1, as the slider shows
    "px": Slider("x₁ (across)", -ds.EXTENT, ds.EXTENT, 0.5, default=0.0),
    "py": Slider("x₂ (up)", -ds.EXTENT, ds.EXTENT, 0.5, default=0.0),
}
CONTROLS = {
    **{k: STATE[k] for k in ("dataset", "noise", "train", "activation", "lr", "l2", "px", "py")},
    "batch": Slider("batch size", 1, MAX_BATCH, 1),
    "example": Slider("example", 1, N_POINTS, 1),
}
DATA = ("dataset", "noise", "train")  # settings that draw new data (and so a new network)

OVERSHOOT = 1.5  # a training loss this many times the untrained network's (or a 50/50 guess's,
# if that is more) means the steps overshoot: the run stops, as chapter 2's does
TICK_BUDGET = 0.019  # seconds of training per tick: with drawing, a tick fills two 60 Hz frames
CHUNK = 8  # SGD steps between looks at the clock and at the weights
KEEP = 400  # points kept on the loss curves; older ones are thinned
NODES_EVERY = 4  # while training, the neurons' heatmaps are redrawn every 4th frame


def own_split(n, share):
    """Which of the reader's n points are to train on [n] (the rest are to test on): in
    order, as evenly as `share` allows, the first always; adding one never moves another.

    >>> own_split(5, 0.5).tolist(), own_split(4, 0.1).tolist()
    ([True, False, True, False, True], [True, False, False, False])
    """
    k = np.arange(n)
    return np.ceil(np.round((k + 1) * share, 9)) > np.ceil(np.round(k * share, 9))


class Playground(Demo):
    STATE = STATE
    controls = CONTROLS
    shows = (layers.forward, layers.backward, layers.slope)
    experiments = (
        Experiment("Forget the activation's slope on the way back", layers.backward,
                   "blame * slope(z[l - 1], a[l], activation)", "blame",
                   "The backward pass now treats each activation as a straight line, so the "
                   "gradient is no longer the loss's: press Play and, with tanh on the circle, "
                   "the loss hardly moves from a coin toss's 0.69."),
    )

    def setup(self, state):
        self.state = state
        self.run = Run("step")
        self.note = "Press Play to train the network, or Next step to follow one example."
        asked = state["example"]
        self._new_data()
        if state["example"] != asked:
            self.notes.append(f"There is no example {asked}: the data has "
                              f"{count(len(self.xa), 'point')} to train on.")
        self._draw(nodes=True)

    def params(self):
        s = self.state
        return {**s, "hidden": list(s["hidden"]), "own_points": [list(p) for p in s["own_points"]]}

    # ------------------------------------------------- the run: data, network, training

    def _new_data(self, new_network=True):
        """The data from the state: the shape's points split at random, then the reader's own
        (split in their order, so a point added never moves another). With `new_network`
        False the network keeps its weights and carries on with the new data."""
        s = self.state
        rng = np.random.default_rng([s["seed"], s["generation"]])
        if s["dataset"] == "yours":
            x, y = np.zeros((0, 2)), np.zeros((0, 1))
        else:
            x, y = ds.SHAPES[s["dataset"]](rng, N_POINTS, s["noise"])  # [n, 2], [n, 1]
        xa, ya, xb, yb = (ds.split(rng, x, y, s["train"]) if len(x) >= 2 else
                          (x, y, x[:0], y[:0]))
        own = np.array(s["own_points"], float).reshape(-1, 3)  # [m, 3]: x₁, x₂, class
        train = own_split(len(own), s["train"])  # [m]
        self.xa, self.ya = np.concatenate([xa, own[train, :2]]), np.concatenate([ya, own[train, 2:]])
        self.xb, self.yb = np.concatenate([xb, own[~train, :2]]), np.concatenate([yb, own[~train, 2:]])
        s["example"] = min(s["example"], max(len(self.xa), 1))
        self._draw_points()
        if new_network:
            self._new_network()
            return
        self._new_sgd()
        if self.sgd is None:
            self.run.pause()
        self._record()

    def _draw_points(self):
        """The points' SVG changes only with the data or the picked example: kept till then."""
        marked = self.xa[self.state["example"] - 1] if len(self.xa) else None
        self.points_svg = plane_points(self.xa, self.ya, self.xb, self.yb, marked)

    def _new_network(self, keep_running=True):
        """Fresh random weights (the same for the same seed and data), and a new run; if one
        was running, it runs on."""
        s = self.state
        self.net = mlp.MLP([2, *s["hidden"], 1], s["activation"],
                           np.random.default_rng([s["seed"], s["generation"], 1]))
        # The plain passes, which call the reader's versions, once any of them is edited.
        self.net.readable = any(live_math.edited(fn) for fn in
                                (layers.forward, layers.backward, layers.slope))
        self.train_rng = np.random.default_rng([s["seed"], s["generation"], 2])
        self.epoch = 0.0
        self.history = []  # (epoch, training loss, test loss)
        self.stopped = None  # why the run stopped, in words, once it has diverged
        running = keep_running and self.run.running and len(self.xa) > 0
        self.run.reset()
        if running:
            self.run.play()
        self._new_sgd()
        self._record()

    def _new_sgd(self):
        """A new SGD run from the current weights (after a setting changed)."""
        s = self.state
        self.epoch_at_start = self.epoch  # the SGD run counts its epochs from 0
        self.sgd = (mlp.sgd(self.net, self.xa, self.ya, s["batch"], float(s["lr"]),
                            float(s["l2"]), self.train_rng) if len(self.xa) else None)
        self.example_step = None  # the one-example view, once started

    def _record(self):
        """The losses and accuracy for the weights as they are now, and a point on the curves."""
        def loss(x, y):
            return mlp.loss(self.net, x, y) if len(x) else None

        self.losses = (loss(self.xa, self.ya), loss(self.xb, self.yb))
        self.accuracy = mlp.accuracy(self.net, self.xb, self.yb) if len(self.xb) else None
        if self.losses[0] is not None:
            if self.history and self.history[-1][0] == self.epoch:  # the data changed under it
                self.history.pop()
            self.history.append((self.epoch, *self.losses))
            thin(self.history, KEEP)

    def _overshot(self):
        """Whether the training loss has climbed well above where it started: the steps
        overshoot. Then the run stops, saying why."""
        if not self.history or self.losses[0] is None:
            return False
        start = max(self.history[0][1], math.log(2))  # the untrained net's, or a 50/50 guess's
        if self.losses[0] <= OVERSHOOT * start:
            return False
        self.run.status = "diverged"
        self.stopped = words.overshot_text(int(self.epoch), self.history[0][1], self.losses[0])
        return True

    def _sgd_steps(self, k):
        """k SGD steps, for the run: "diverged" if the weights ran away (then they, and the
        epoch, are put back as they were before these steps: the page shows the last sane
        weights), else None."""
        safe, safe_epoch = self.net.theta.copy(), self.epoch
        with np.errstate(over="ignore", invalid="ignore"):  # a runaway is caught just below
            for _ in range(k):
                self.epoch = self.epoch_at_start + next(self.sgd)
        if runaway(self.net.theta):  # a weight past a million, or not a number at all
            self.net.theta[:], self.epoch = safe, safe_epoch
            self.stopped = words.diverged_text(int(self.epoch))
            return "diverged"
        return None

    def _draw(self, nodes):
        """Run the network over the whole plane: the boundary, and (if `nodes`) what each
        neuron responds to, in pictures and in words."""
        grid = self.net.forward(GRID)  # every neuron over the plane, in one pass
        self.boundary = boundary_image(grid.a[-1][:, 0])
        if nodes:
            self.images, self.node_words = network_pictures(grid.a, self.net.activation)
            self.frames_since_images = 0

    # ---------------------------------------------------------------- input

    def handle(self, name, value):
        """Every event; after it the pictures show the weights as they are now (while
        training runs, the neurons' heatmaps only every NODES_EVERY frames: PNGs cost)."""
        super().handle(name, value)
        self._draw(nodes=not self.run.running or self.frames_since_images >= NODES_EVERY)

    def set(self, name, value):
        s = self.state
        if name in ("batch", "example"):
            value = int(value)
        if name == "example":
            if not len(self.xa):
                raise InputError("There are no points yet: add some first.")
            if value > len(self.xa):
                raise InputError(f"Pick an example from 1 to {len(self.xa)}.")
            s["example"], self.example_step = value, None
            self._draw_points()
            self.note = f"Example {value} picked: {self._example_words()}."
            return
        s[name] = value
        if name in ("px", "py"):  # where Add this point puts one
            return
        if name in DATA:
            self._new_data()
            self.note = (f"New data: {count(len(self.xa), 'point')} to train on, "
                         f"{len(self.xb)} to test.")
        elif name == "activation":
            self._new_network()
            self.note = f"Activation {value}: the network starts again from new random weights."
        else:  # learning rate, batch size, L2: carry on from the current weights
            if self.run.status == "diverged":
                self._new_network()
            self._new_sgd()
            self.note = f"{CONTROLS[name].label.capitalize()} now {value}."

    def play(self, _=None):
        if self.run.status == "diverged":
            self.note = "The run has diverged: pick a smaller learning rate, then press Reset."
        elif self.sgd is None:
            self.note = "There are no points to learn from: add some first."
        else:
            self.run.play()
            self.example_step = None
            self.note = "Training. Press Pause to stop."

    def pause(self, _=None):
        if self.run.pause():
            self.note = f"Paused at epoch {int(self.epoch)}."

    def tick(self, _=None):
        if not self.run.running:
            return
        outcome = self.run.advance(lambda: self._sgd_steps(CHUNK), budget=TICK_BUDGET)
        self._record()
        self.frames_since_images += 1
        if outcome == "diverged" or self._overshot():
            self.note = self.stopped

    def step(self, _=None):
        """One whole epoch: every training point once."""
        if self.run.status == "diverged" or self.sgd is None:
            return self.play()  # which says why it cannot
        self.run.pause()
        self.example_step = None
        steps = math.ceil(len(self.xa) / self.state["batch"])
        outcome = self.run.advance(lambda: self._sgd_steps(steps), n=1)
        self._record()
        if outcome == "diverged" or self._overshot():
            self.note = self.stopped
        else:
            self.run.status = "paused"
            self.note = f"Epoch {int(self.epoch)}: {self._loss_words()}."

    def restart(self, _=None):
        self._new_network(keep_running=False)
        self.note = f"New random weights: {self._loss_words()}."

    def regenerate(self, _=None):
        self.state["generation"] = (self.state["generation"] + 1) % GENERATIONS
        self._new_data()
        self.note = "New points drawn from the same shape; the network starts again."

    # ------------------------------------------------------------ the network's shape

    def add_layer(self, _=None):
        hidden = self.state["hidden"]
        if len(hidden) >= MAX_LAYERS:
            self.note = f"This playground stops at {MAX_LAYERS} hidden layers."
            return
        hidden.append(hidden[-1] if hidden else 2)
        self._new_network()
        self.note = f"Added hidden layer {len(hidden)}. {self._shape_words()}"

    def remove_layer(self, _=None):
        hidden = self.state["hidden"]
        if not hidden:
            self.note = "No hidden layers left: the inputs go straight to the output."
            return
        hidden.pop()
        self._new_network()
        self.note = f"Removed a hidden layer. {self._shape_words()}"

    def add_neuron(self, value):
        self._resize(value, +1)

    def remove_neuron(self, value):
        self._resize(value, -1)

    def _resize(self, value, change):
        hidden = self.state["hidden"]
        try:
            layer = int(value)
        except (TypeError, ValueError):
            raise InputError("There is no such hidden layer.") from None
        if not 0 <= layer < len(hidden):
            raise InputError("There is no such hidden layer.")
        n = hidden[layer] + change
        if not 1 <= n <= MAX_NEURONS:
            self.note = f"A layer here has from 1 to {MAX_NEURONS} neurons."
            return
        hidden[layer] = n
        self._new_network()
        self.note = f"Layer {layer + 1} now has {count(n, 'neuron')}. {self._shape_words()}"

    # ------------------------------------------------------------ the reader's points

    def choose_class(self, value):
        if value not in ("0", "1"):
            raise InputError("Points are of class 0 or class 1.")
        self.state["next_class"] = int(value)
        self.note = f"New points will be {CLASS_NAMES[int(value)]}."

    def place(self, value):
        fx, fy = parse_click(value)  # fractions of the plane from its top left
        self._add_point(round(ds.EXTENT * (2 * fx - 1), 1), round(ds.EXTENT * (1 - 2 * fy), 1))

    def add_point(self, _=None):
        self._add_point(self.state["px"], self.state["py"])

    def _add_point(self, x, y):
        """A point of the reader's, added to the data there is: the network carries on."""
        s = self.state
        if len(s["own_points"]) >= MAX_OWN:
            self.note = f"That is {MAX_OWN} points, the most this figure holds."
            return
        s["own_points"].append([float(x), float(y), s["next_class"]])
        self._new_data(new_network=False)
        role = "train on" if own_split(len(s["own_points"]), s["train"])[-1] else "test on"
        self.note = (f"Added a point of {CLASS_NAMES[s['next_class']]} at ({signed(x, 1)}, "
                     f"{signed(y, 1)}), to {role}; {count(len(s['own_points']), 'point')} of "
                     f"your own.")

    def clear_points(self, _=None):
        self.state["own_points"] = []
        self._new_data(new_network=False)
        self.note = "Your points are cleared."

    # ------------------------------------------------------------ the one-example view

    def next_stage(self, _=None):
        """One more stage of the example's step; the last applies the update it showed.
        Before the first, the view shows the example itself (stage 0): the first press
        goes straight to the first layer."""
        if not self._can_step():
            return
        self.run.pause()
        shown, last = self.example_step, last_stage(len(self.net.W))
        if shown is None or shown.stage == last:
            k = self.state["example"] - 1
            self.example_step = example.take(self.net, self.xa[k:k + 1], self.ya[k:k + 1],
                                             self.state["lr"], self.state["l2"])
            self.example_step.stage = 1
        else:
            shown.stage += 1
            if shown.stage == last:
                example.apply(self.net, shown)
                self._record()
        self.note = example.summary(self.example_step, self.net.activation)

    def again(self, _=None):
        """Back to stage 0: the example, before its step."""
        if not self._can_step():
            return
        self.example_step = None
        self.note = f"Back to the start: {example.start_title(*self._example())}"

    def _can_step(self):
        if not len(self.xa):
            self.note = "There are no points to learn from: add some first."
            return False
        if self.run.status == "diverged":
            self.note = "The run has diverged: press Reset first."
            return False
        return True

    def _example(self):
        """The picked example: x [2], its class."""
        k = self.state["example"] - 1
        return self.xa[k], int(self.ya[k, 0])

    actions: ClassVar = {
        "play": play, "pause": pause, "tick": tick, "step": step, "reset": restart,
        "regenerate": regenerate, "add-layer": add_layer, "remove-layer": remove_layer,
        "add-neuron": add_neuron, "remove-neuron": remove_neuron, "next-class": choose_class,
        "place": place, "add-point": add_point, "clear-points": clear_points,
        "next": next_stage, "again": again}

    # ---------------------------------------------------------------- words

    def _loss_words(self):
        return words.loss_words(*self.losses)

    def _shape_words(self):
        return words.shape_words(self.state["hidden"], self.net.n_params)

    def _example_words(self):
        return words.describe_example(*self._example())

    # ---------------------------------------------------------------- drawing

    def render(self):
        s, net, running = self.state, self.net, self.run.running
        hidden, sizes = s["hidden"], net.sizes
        step = self.example_step
        where = None if step is None else example.layer_at(step.stage, len(net.W))
        focus = None if where is None else where[1]  # the weight layer the step is at
        numbers = example.numbers(step)
        text = {
            "epoch": str(int(self.epoch)),
            "train-loss": show_loss(self.losses[0], 3),
            "test-loss": show_loss(self.losses[1], 3),
            "accuracy": "—" if self.accuracy is None else f"{signed(100 * self.accuracy, 0)}%",
            "n-params": big(net.n_params),
            "shape": self._shape_words(),
            "status": words.status_text(self.run, self.epoch, self.stopped),
            "summary": self.note,
            "btn-play": "Pause" if running else "Play",
            "n-train": str(len(self.xa)),
            **{f"{k}-shown": CONTROLS[k].show(s[k]) for k in ("noise", "train", "px", "py")},
            "batch-shown": str(s["batch"]),
            "example-shown": str(s["example"]),
            "example-where": self._example_words() if len(self.xa) else "no points yet",
            "plane-words": (f"The background, what the network answers across the plane: "
                            f"{self.node_words[-1][0]}; blue is class 1, orange class 0."),
            **example.texts(step, net.activation, len(net.W),
                            self._example() if len(self.xa) else None),
            **words.notices(self.run.status, self.epoch, self.losses[1], self.accuracy,
                            self.history, len(self.state["own_points"])),
        }
        attrs = {
            "btn-play": {"data-action": "pause" if running else "play"},
            "status": {"class": f"status is-{self.run.status}"},
            "btn-add-layer": {"aria-disabled": "true" if len(hidden) >= MAX_LAYERS else None},
            "btn-remove-layer": {"aria-disabled": "true" if not hidden else None},
            "example-input": {"max": str(max(len(self.xa), 1))},
            **{f"next-class-{c}": {"aria-pressed": str(s["next_class"] == c).lower()}
               for c in (0, 1)},
        }
        label = words.network_label(sizes, net.n_params, numbers)
        return {
            "text": text,
            "svg": {"points": self.points_svg,
                    "network": network(sizes, net.W, self.images, numbers, focus, label,
                                       self.node_words),
                    "curve": curves(self.history)},
            "images": {"boundary": self.boundary},
            "attrs": attrs,
            "items": {"layers": layer_editor(hidden, MAX_NEURONS), "weights": example.weight_items(step)},
            "values": {k: s[k] for k in CONTROLS},
            "running": running,
        }

