"""Chapter 6's training figure: the loss curve, the samples, the words.

Every function takes the values it draws, never the demo itself.
"""

from itertools import pairwise

from .format import count
from .run import status_words
from .svg import axes, num, points, svg, tag

W, H, PAD = 300.0, 140.0, 34.0  # the curve's plot area and its left margin, in SVG units
RIGHT = 46.0  # the right margin: the learning rate's own axis
TOP, BOTTOM = 3.6, 1.6  # bits per character shown: an untrained model starts near 3.4
GOALS = (3.0, 2.5, 2.2)  # dotted lines the reader can watch the held-out curve cross


def y(bits):
    return (TOP - min(max(bits, BOTTOM), TOP)) / (TOP - BOTTOM) * H


def span(steps):
    """The steps the axis spans: it doubles when the run reaches its end, so it rarely jumps."""
    out = 50
    while out < steps:
        out *= 2
    return out


def curve(train, heldout, steps, rates, peak):
    """Bits per character: each training batch (thin) and the held-out text (thick, dots),
    against steps; dashed, the learning rate at `rates` [(step, rate)] on its own axis at
    the right, from 0 to 1.25 × `peak` (the schedule's highest rate)."""
    span_ = span(steps)
    body = tag("rect", x="0", y="0", width=num(W), height=num(H), class_="plot-area")
    # Line segments, not a polyline: the dashed style draws strokes and never fills.
    lr = [(s / span_ * W, H - min(max(r / (1.25 * peak), 0.0), 1.0) * H) for s, r in rates]
    for (x1, y1), (x2, y2) in pairwise(lr):
        body += tag("line", x1=num(x1), y1=num(y1), x2=num(x2), y2=num(y2), class_="line-before")
    for goal in GOALS:
        body += tag("line", x1="0", y1=num(y(goal)), x2=num(W), y2=num(y(goal)), class_="goal")
        body += tag("text", f"{goal:.1f}", x=num(W - 4), y=num(y(goal) - 3), class_="note",
                    text_anchor="end")
    every = max(1, len(train) // 300)  # at most ~300 points: the line looks the same
    line = [(s / span_ * W, y(b)) for s, b in train[::every]]
    if len(line) > 1:
        body += tag("polyline", points=points(line), class_="train-curve")
    held = [(s / span_ * W, y(b)) for s, b in heldout]
    if len(held) > 1:
        body += tag("polyline", points=points(held), class_="test-curve")
    for cx, cy in held[-1:]:
        body += tag("circle", cx=num(cx), cy=num(cy), r="3.5", class_="path-now")
    inner = tag("svg", body, x=num(PAD), y="6", width=num(W), height=num(H),
                viewBox=f"0 0 {num(W)} {num(H)}")
    frame = axes(PAD, 6, W, H, ("0", f"{span_:,}"), (f"{BOTTOM:.1f}", f"{TOP:.1f}"),
                 "training steps →", "bits per character")
    frame += rate_axis(PAD + W, 6, H, peak)
    label = (f"Bits per character over {count(steps, 'training step')}: on held-out text "
             f"{heldout[-1][1]:.2f} now, from {heldout[0][1]:.2f} before any training" +
             (f"; on the last training batch {train[-1][1]:.2f}" if train else "") +
             f". Dashed, on the right-hand axis: the learning rate the schedule gives at each "
             f"step, up to {peak:g}.")
    return svg(inner + frame, PAD + W + RIGHT, H + 36, label)


def rate_axis(x, top, height, peak):
    """The learning rate's axis at the right edge x: 0 at the bottom, the peak where the
    dashed line reaches it (four fifths of the way up), and the axis's name."""
    out = ""
    for value, y_ in ((0.0, top + height), (peak, top + height * (1 - 1 / 1.25))):
        out += tag("text", f"{value:g}", x=num(x + 4), y=num(y_ + 4), class_="tick",
                   text_anchor="start")
    mid, lx = top + height / 2, x + RIGHT - 14  # rotated: its glyphs stand right of lx
    out += tag("text", "learning rate (dashed)", x=num(lx), y=num(mid), class_="axis-label",
               text_anchor="middle", transform=f"rotate(90 {num(lx)} {num(mid)})")
    return out


def curve_words(heldout):
    """The held-out curve as words, for a screen reader or a test: 'step 25: 3.05; …'."""
    return "; ".join(f"step {s:,}: {b:.3f}" for s, b in heldout)


def samples(kept):
    """The samples, newest first, each with the step it was written at."""
    return [{"tag": "li", "text": f"step {s:,}: {text}", "attrs": {"class": "sample"}}
            for s, text in reversed(kept)]


def notice(heldout, steps, last):
    """The bold line above the curve: how far the held-out score has come."""
    first, now = heldout[0][1], heldout[-1][1]
    if len(heldout) < 2:
        return (f"Untrained, it is about as surprised as a random guess: {first:.2f} bits per "
                f"character on text it never trains on.")
    done = "Finished: " if steps >= last else f"After {steps:,} steps, "
    return (f"{done}{now:.2f} bits per character on text it never trains on, down from "
            f"{first:.2f} before any training.")


def status(run, last):
    return status_words(run, ready="Ready: random numbers, not yet trained.",
                        running="Training…", where="after",
                        progress=f"{run.steps:,} of {last:,} steps")
