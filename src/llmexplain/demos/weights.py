"""Chapter 1 — a neuron as a mixing board.

The neuron decides whether to go for a walk from two inputs, warmth and rain.
The reader moves inputs, weights and bias; the page shows the arithmetic, the
activation, the answer and where its threshold lies, and the line that splits the
input plane into yes and no (drawn in weights_figure.py).
"""

import numpy as np

from .. import neuron as nn
from ..live_math import Experiment
from .base import Demo
from .controls import Choice, Slider
from .format import paren, signed
from .weights_figure import notice, plane, threshold

STATE = {
    "x1": Slider("warmth x₁", 0.0, 1.0, 0.05, default=0.7),
    "x2": Slider("rain x₂", 0.0, 1.0, 0.05, default=0.4),
    "w1": Slider("weight w₁", -5.0, 5.0, 0.1, default=2.0),
    "w2": Slider("weight w₂", -5.0, 5.0, 0.1, default=-3.0),
    "b": Slider("bias b", -5.0, 5.0, 0.1, default=0.2),
    "activation": Choice("activation", (
        ("sigmoid", "sigmoid (a smooth 0 to 1)"),
        ("step", "step (a hard yes or no)"),
        ("relu", "ReLU (negative becomes 0)"),
        ("linear", "linear (the sum itself)"),
    ), default="sigmoid"),
}


class Weights(Demo):
    STATE = controls = STATE  # every value is a control, and every control is all there is
    shows = (nn.weighted_sum, nn.sigmoid)
    experiments = (
        Experiment("ReLU in place of sigmoid", nn.sigmoid,
                   "    # subtle: exp(-z) overflows for very negative z, so use the mirrored form "
                   "there.\n    ez = np.exp(-np.abs(z))\n"
                   "    return np.where(z >= 0, 1.0 / (1.0 + ez), ez / (1.0 + ez))\n",
                   "    return np.maximum(z, 0.0)  # ReLU: a negative sum becomes 0\n",
                   "The dividing line stays where it was (the sum decides), but the output is no "
                   "longer squeezed between 0 and 1: it is the sum itself above the line and "
                   "exactly 0 below it."),
    )

    def setup(self, state):
        self.state = state

    def params(self):
        return dict(self.state)

    def set(self, name, value):
        self.state[name] = value

    def render(self):
        s = self.state
        x, w, b = np.array([s["x1"], s["x2"]]), np.array([s["w1"], s["w2"]]), s["b"]
        z = float(nn.weighted_sum(x, w, b))
        y = float(nn.neuron(x, w, b, s["activation"]))
        show = {k: STATE[k].show(s[k]) for k in ("x1", "x2", "w1", "w2", "b")}
        arithmetic = (f"{paren(show['w1'])} × {paren(show['x1'])} + {paren(show['w2'])} × "
                      f"{paren(show['x2'])} + {paren(show['b'])} = {signed(z, 2)}")
        verdict = "go for a walk" if z > 0 else "stay in"
        return {
            "text": {
                **{f"{k}-shown": v for k, v in show.items()},
                "arithmetic": arithmetic,
                "activation": f"{s['activation']}({signed(z, 2)}) = {signed(y, 2)}",
                "output": signed(y, 2),
                "verdict": verdict,
                "summary": f"Output {signed(y, 2)}: {verdict}.",
                "n-params": str(w.size + 1),
                "threshold": threshold(s["activation"]),
                "notice": notice(w, b),
            },
            "svg": {"plane": plane(w, b, x, verdict)},
            "values": dict(s),
        }
