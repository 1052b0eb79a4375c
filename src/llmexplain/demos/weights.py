"""Chapter 1 — a neuron as a mixing board.

The neuron decides whether to go for a walk from two inputs, warmth and rain.
The reader moves inputs, weights and bias; the page shows the arithmetic, the
activation, the answer, and the line that splits the input plane into yes and no.
"""

import numpy as np

from .. import neuron as nn
from .base import Demo
from .controls import Choice, Slider
from .format import paren, signed
from .svg import num, points, svg, tag

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

SIZE, PAD = 240.0, 34.0  # plot square and margin for the axis labels, in SVG units


class Weights(Demo):
    STATE = controls = STATE  # every value is a control, and every control is all there is

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
            },
            "svg": {"plane": plane(w, b, x, verdict)},
            "values": dict(s),
        }


def yes_region(w, b):
    """Corners of the part of the unit square where w·x + b > 0 (clip by one half-plane).

    >>> yes_region(np.array([1.0, 0.0]), -0.5)
    [(0.5, 0.0), (1.0, 0.0), (1.0, 1.0), (0.5, 1.0)]
    """
    square = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]
    side = [float(nn.weighted_sum(p, w, b)) for p in square]
    out = []
    for i, (p, zp) in enumerate(zip(square, side)):
        q, zq = square[(i + 1) % 4], side[(i + 1) % 4]
        if zp > 0:
            out.append(p)
        if (zp > 0) != (zq > 0):  # the boundary crosses this edge
            t = zp / (zp - zq)
            out.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
    return out


def plane(w, b, x, verdict):
    """The input plane: warmth across, rain up; the yes side shaded, the input a dot."""
    def px(p):
        return (PAD + p[0] * SIZE, PAD / 2 + (1 - p[1]) * SIZE)

    region = yes_region(w, b)
    body = tag("rect", x=num(PAD), y=num(PAD / 2), width=num(SIZE), height=num(SIZE),
               class_="plane-no")
    if len(region) >= 3:
        body += tag("polygon", points=points(map(px, region)), class_="plane-yes")
    edge = [p for p in region if abs(float(nn.weighted_sum(p, w, b))) < 1e-9]
    if len(edge) == 2:
        (x1, y1), (x2, y2) = map(px, edge)
        body += tag("line", x1=num(x1), y1=num(y1), x2=num(x2), y2=num(y2), class_="boundary")
    cx, cy = px(x)
    body += tag("circle", cx=num(cx), cy=num(cy), r="7", class_="input-dot")
    bottom, left = PAD / 2 + SIZE, PAD
    body += tag("text", "warmth x₁ →", x=num(left + SIZE / 2), y=num(bottom + 24),
                class_="axis-label", text_anchor="middle")
    body += tag("text", "rain x₂ →", x="12", y=num(PAD / 2 + SIZE / 2), class_="axis-label",
                text_anchor="middle", transform=f"rotate(-90 12 {num(PAD / 2 + SIZE / 2)})")
    for v in (0, 1):
        body += tag("text", str(v), x=num(left + v * SIZE), y=num(bottom + 12),
                    class_="tick", text_anchor="middle")
        body += tag("text", str(v), x=num(left - 6), y=num(bottom - v * SIZE + 4),
                    class_="tick", text_anchor="end")
    label = (f"Input plane: the shaded part is where the neuron says go for a walk. "
             f"The current input falls on the {verdict} side.")
    return svg(body, PAD + SIZE + 8, PAD / 2 + SIZE + 30, label)
