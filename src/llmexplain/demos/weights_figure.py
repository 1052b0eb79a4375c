"""Chapter 1's picture: the neuron's input plane, and the words around it.

Warmth runs across and rain up, each from 0 to 1: the square the sliders can reach. The plot
shows a little more than that square (VIEW), faded, so the dividing line stays in sight when
the knobs push it just outside: turning the rain weight up past zero swings the line round a
point left of the square, and the reader can watch it go. Every function takes the values
it draws, never the demo itself.

>>> yes_region(np.array([1.0, 0.0]), -0.5)
[(0.5, 0.0), (1.0, 0.0), (1.0, 1.0), (0.5, 1.0)]
"""

import numpy as np

from .. import neuron as nn
from .format import signed
from .svg import num, points, svg, tag

VIEW = (-0.25, 1.25)  # inputs shown on each axis: the square 0..1 and a faded margin
SIZE, PAD, FOOT = 300.0, 34.0, 32.0  # plot square, left margin and room below, in SVG units
SCALE = SIZE / (VIEW[1] - VIEW[0])  # SVG units per input unit
LABEL = 13.0  # font size of the region labels (style.css), in SVG units
CHAR = 0.62  # a letter's width as a share of the font size, generously
WALK, STAY = "go for a walk", "stay in"


def px(p):
    """Input point (x₁, x₂) -> SVG point."""
    return (PAD + (p[0] - VIEW[0]) * SCALE, (VIEW[1] - p[1]) * SCALE)


def yes_region(w, b, lo=0.0, hi=1.0):
    """Corners of the part of the square [lo, hi]² where w·x + b > 0 (clip by one half-plane).

    >>> yes_region(np.array([0.0, 1.0]), 0.5, -1.0, 1.0)
    [(1.0, -0.5), (1.0, 1.0), (-1.0, 1.0), (-1.0, -0.5)]
    """
    square = [(lo, lo), (hi, lo), (hi, hi), (lo, hi)]
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


def boundary(w, b, lo, hi):
    """The two ends of the line w·x + b = 0 within the square [lo, hi]², or None."""
    region = yes_region(w, b, lo, hi)
    ends = [p for p in region if abs(float(nn.weighted_sum(p, w, b))) < 1e-9]
    return ends if len(ends) == 2 and ends[0] != ends[1] else None


def label_spot(w, b, x, yes):
    """Where a region's label fits (its centre, in inputs), or None: inside the square if it
    can, else anywhere in view; wholly on its own side of the line, clear of the input's dot;
    as far from the line as it can be."""
    half_w = CHAR * LABEL * len(WALK if yes else STAY) / 2 / SCALE  # in input units
    half_h = 0.6 * LABEL / SCALE
    norm = float(np.hypot(*w))
    for lo, hi in ((0.0, 1.0), VIEW):
        best, far = None, 0.0
        for cx in np.linspace(lo + half_w + 0.02, hi - half_w - 0.02, 13):
            for cy in np.linspace(lo + half_h + 0.03, hi - half_h - 0.03, 13):
                corners = [(cx + sx * half_w, cy + sy * half_h) for sx in (-1, 1) for sy in (-1, 1)]
                z = [float(nn.weighted_sum(c, w, b)) for c in corners]
                if not all((v > 0) == yes for v in z):
                    continue
                if abs(cx - x[0]) < half_w + 0.06 and abs(cy - x[1]) < half_h + 0.06:
                    continue  # the dot would sit on the words
                gap = min(abs(v) for v in z) / norm if norm else 1.0
                if gap > far:
                    best, far = (float(cx), float(cy)), gap
        if best is not None:
            return best
    return None


def plane(w, b, x, verdict):
    """The input plane: warmth across, rain up; the yes side shaded and labelled, the input a
    dot, the line where the weighted sum is 0 dashed."""
    lo, hi = VIEW
    top_left, bottom_right = px((lo, hi)), px((hi, lo))
    body = tag("rect", x=num(top_left[0]), y=num(top_left[1]), width=num(SIZE),
               height=num(SIZE), class_="plane-no")
    region = yes_region(w, b, lo, hi)
    if len(region) >= 3:
        body += tag("polygon", points=points(map(px, region)), class_="plane-yes")
    # The margin beyond 0..1 is faded: no slider reaches it.
    (sx0, sy0), (sx1, sy1) = px((0, 1)), px((1, 0))
    for rx, ry, rw, rh in ((top_left[0], top_left[1], SIZE, sy0 - top_left[1]),
                           (top_left[0], sy1, SIZE, bottom_right[1] - sy1),
                           (top_left[0], sy0, sx0 - top_left[0], sy1 - sy0),
                           (sx1, sy0, bottom_right[0] - sx1, sy1 - sy0)):
        body += tag("rect", x=num(rx), y=num(ry), width=num(rw), height=num(rh),
                    class_="plane-outside")
    body += tag("rect", x=num(sx0), y=num(sy0), width=num(sx1 - sx0), height=num(sy1 - sy0),
                class_="plane-frame")
    ends = boundary(w, b, lo, hi)
    if ends:
        (x1, y1), (x2, y2) = map(px, ends)
        body += tag("line", x1=num(x1), y1=num(y1), x2=num(x2), y2=num(y2), class_="boundary")
    for yes, words in ((True, WALK), (False, STAY)):
        spot = label_spot(w, b, x, yes)
        if spot:
            cx, cy = px(spot)
            body += tag("text", words, x=num(cx), y=num(cy + LABEL * 0.35),
                        class_="region-label is-yes" if yes else "region-label is-no",
                        text_anchor="middle")
    cx, cy = px(x)
    body += tag("circle", cx=num(cx), cy=num(cy), r="7", class_="input-dot")
    bottom = bottom_right[1]
    body += tag("text", "warmth x₁ →", x=num(PAD + SIZE / 2), y=num(bottom + 26),
                class_="axis-label", text_anchor="middle")
    mid = SIZE / 2
    body += tag("text", "rain x₂ →", x="12", y=num(mid), class_="axis-label",
                text_anchor="middle", transform=f"rotate(-90 12 {num(mid)})")
    for v in (0, 1):
        tx, _ = px((v, lo))
        body += tag("text", str(v), x=num(tx), y=num(bottom + 12), class_="tick",
                    text_anchor="middle")
        _, ty = px((lo, v))
        body += tag("text", str(v), x=num(PAD - 5), y=num(ty + 4), class_="tick",
                    text_anchor="end")
    return svg(body, PAD + SIZE + 4, SIZE + FOOT, plane_words(w, b, verdict))


def plane_words(w, b, verdict):
    """The plot's accessible name: what it shows, and where the line is."""
    ends = boundary(w, b, 0.0, 1.0)
    if ends:
        where = ("The dashed line, where the weighted sum is 0, crosses it from "
                 f"({point_words(ends[0])}) to ({point_words(ends[1])}).")
    else:
        side = WALK if float(nn.weighted_sum((0.5, 0.5), w, b)) > 0 else STAY
        where = f"The dashed line lies outside it: every input in the square says {side}."
    return (f"The input plane: warmth across and rain up, each from 0 to 1, with a faded "
            f"margin beyond. The shaded part is where the neuron says {WALK}. {where} "
            f"The current input falls on the {verdict} side.")


def point_words(p):
    return f"warmth {signed(p[0], 2)}, rain {signed(p[1], 2)}"


def notice(w, b):
    """The bold line above the plot: what the knobs do to the picture now."""
    def says(weight, what):
        if weight > 0:
            return f"more {what} says go"
        if weight < 0:
            return f"more {what} says stay in"
        return f"{what} does not count"

    first = f"{says(w[0], 'warmth').capitalize()}, {says(w[1], 'rain')}"
    corners = [float(nn.weighted_sum(p, w, b)) for p in ((0, 0), (1, 0), (0, 1), (1, 1))]
    if all(z > 0 for z in corners):
        return f"{first}: every day in the square says {WALK}."
    if all(z <= 0 for z in corners):
        return f"{first}: every day in the square says {STAY}."
    if w[1] == 0:
        return f"{first}: the line stands upright, and warmth alone decides."
    return f"{first}: the dashed line is where they balance."


THRESHOLDS = {  # activation -> where its output says go for a walk
    "sigmoid": "Threshold: an output above 0.5 (a sum above 0) means go for a walk.",
    "step": "Threshold: an output of 1 (a sum above 0) means go for a walk.",
    "relu": ("Threshold: an output above 0 means go for a walk. ReLU turns every negative sum "
             "into 0, so an output of 0 means stay in."),
    "linear": ("Threshold: an output above 0 means go for a walk; with no activation the output "
               "is the sum itself."),
}


def threshold(activation):
    return THRESHOLDS[activation]
