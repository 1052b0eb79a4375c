"""Chapter 2's words and numbers: how the learning loop's state reads in the page."""

import math

from .. import learning
from .controls import signed


def show_loss(x):
    return big(x) if abs(x) >= 1e4 else signed(x, 4)


def show_weight(x):
    return big(x) if abs(x) >= 1e4 else signed(x, 3)


def big(x):
    """Large numbers with thousands separators: 152345.6 -> '152,346'."""
    return f"{x:,.0f}".replace("-", "−") if math.isfinite(x) else "too large to write down"


def short(x):
    """A tick label that fits beside an axis: 0.1678, 12.3, 159k, 1.6M."""
    if x < 1:
        return signed(x, 4)
    if x < 1000:
        return f"{x:.3g}"
    return f"{x / 1000:.0f}k" if x < 1e6 else f"{x / 1e6:.1f}M"


def show_lr(lr):
    """Three significant digits: 0.316, 0.0316, 3.16."""
    return f"{lr:.3g}"


def paren(text):  # negative numbers in brackets inside a sum, as on paper
    return f"({text})" if text.startswith("−") else text


def where(demo, i):
    return f"x {signed(demo.x[i], 2)}, y {signed(demo.y[i], 2)}"


def zone(lr, limit):
    """Which part of the learning-rate range lr is in, for data whose stable limit is `limit`.

    The upper edge is exact (2/λ); the lower one, a tenth of it, is a rule of thumb.
    """
    if lr >= limit:
        return "large", "too large: every step overshoots further, so the loss grows"
    if lr < limit / 10:
        return "small", "too small: it learns, but crawls"
    if lr > limit / 2:
        return "good", "good, though each step overshoots, so the path zig-zags"
    return "good", "good: each step lands closer to the bottom"


def zone_words(name):
    return {"small": "too small", "good": "good", "large": "too large"}[name]


def status_text(demo):
    if demo.status == "diverged":
        return diverged_text(demo)
    if demo.status == "settled":
        return settled_text(demo)
    if demo.status == "running":
        return f"Learning… {demo.steps_per_tick} turns per frame."
    if demo.status == "paused":
        return f"Paused after {demo.steps} turns."
    return "Ready: the line starts from a poor first guess."


def diverged_text(demo):
    reached, turn = demo.blowup
    start = demo.curve[0][1]
    return (f"Stopped at turn {turn}: the learning rate is too large. Each step jumped past the "
            f"bottom of the valley and landed higher up the other side, so the loss grew instead "
            f"of shrinking: from {show_loss(start)} to {show_loss(reached)}, more than a million "
            f"times worse. Pick a smaller learning rate and press Reset.")


def settled_text(demo):
    return (f"Settled after {demo.steps} turns: the gradient is almost zero, so the weights "
            f"have stopped moving. The loss, {show_loss(demo._loss(demo.w))}, is as low as a "
            f"straight line can get for these points.")


def phases(demo):
    """The four phases of the last turn, as words and numbers."""
    t = demo.last
    if t is None:
        return {"phase-title": "Press Step to run one turn and see its four phases.",
                **{f"phase-{k}": "" for k in range(1, 5)}}
    i = demo.selected
    (w0, b0), (gw, gb), (w1, b1) = t["before"], t["grad"], t["after"]
    y_hat = learning.predict(t["before"], demo.x)  # [n]
    lr = show_lr(demo.lr)

    def way(g):
        shown = signed(g, 3)
        return ("is about right" if float(shown.replace("−", "-")) == 0
                else "should grow" if g < 0 else "should shrink")

    return {
        "phase-title": f"Turn {demo.steps}, phase by phase:",
        "phase-1": (f"With w = {show_weight(w0)} and b = {show_weight(b0)} the line guesses "
                    f"a y for each of the {len(demo.x)} points. For point {i + 1} "
                    f"(x {signed(demo.x[i], 2)}) it guesses {show_weight(y_hat[i])}; "
                    f"the answer is {signed(demo.y[i], 2)}."),
        "phase-2": (f"Loss = the average of the squared misses (guess − answer)² = "
                    f"{show_loss(t['loss_before'])}."),
        "phase-3": (f"Gradient: {signed(gw, 3)} for w, so w {way(gw)}; "
                    f"{signed(gb, 3)} for b, so b {way(gb)}."),
        "phase-4": (f"w = {show_weight(w0)} − {lr} × {paren(signed(gw, 3))} = {show_weight(w1)}; "
                    f"b = {show_weight(b0)} − {lr} × {paren(signed(gb, 3))} = "
                    f"{show_weight(b1)}. Loss now {show_loss(t['loss_after'])}."),
    }
