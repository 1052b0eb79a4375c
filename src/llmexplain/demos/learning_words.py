"""Chapter 2's words and numbers: how the learning loop's state reads in the page.

Every function takes the values it speaks of, never the demo itself.
"""

from .. import learning
from .format import big, paren, rate, signed
from .format import loss as show_loss
from .run import diverged_words, status_words


def weight(x):
    return big(x) if abs(x) >= 1e4 else signed(x, 3)


def where(x, y):
    return f"x {signed(x, 2)}, y {signed(y, 2)}"


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


def status_text(run, per_tick):
    return status_words(run, ready="Ready: the line starts from a poor first guess.",
                        running=f"Learning… {per_tick} turns per frame.")


def diverged_text(steps, start, now, reached):
    """Why the run stopped after `steps` turns: the loss went from `start` to `now`, and the
    next turn, refused, would have reached `reached`. The numbers are the ones the counters
    beside it show (turns, loss now)."""
    after = f"after turn {steps}" if steps else "before its first turn"
    went = (f"from {show_loss(start)} to {show_loss(now)} now, and turn {steps + 1} would "
            f"have taken it to {show_loss(reached)}" if steps else
            f"the first turn would have taken it from {show_loss(start)} to "
            f"{show_loss(reached)}")
    return diverged_words(
        after,
        f"Each step jumped past the bottom of the valley and landed higher up the other side, "
        f"so the loss grew instead of shrinking: {went}, more than a million times worse "
        f"than at the start.")


def settled_text(steps, loss):
    return (f"Settled after {steps} turns: the gradient is almost zero, so the weights "
            f"have stopped moving. The loss, {show_loss(loss)}, is as low as a "
            f"straight line can get for these points.")


def notices(steps, status, zigzag, now, best):
    """The bold line above each plot (fit, landscape, curve): what to look for in it now;
    `zigzag`: whether the learning rate makes each step overshoot."""
    if status == "diverged":
        return {"fit": "The line has flown off: each step overshot further than the last.",
                "landscape": "The path jumps across the valley, higher up each time.",
                "curve": "The loss shot up instead of falling."}
    if steps == 0:
        return {"fit": "A poor first guess: the dotted strokes are its misses.",
                "landscape": "The red dot is the first guess; the cross marks the lowest loss.",
                "curve": "One point so far: the loss of the first guess."}
    close = now <= 1.05 * best + 1e-9
    return {
        "fit": ("The line fits the points as well as a straight line can." if close else
                "Turn by turn the line swings towards the points and its misses shrink."),
        "landscape": ("The path zig-zags across the valley: each step overshoots a little."
                      if zigzag and not close else
                      "The red path walks downhill, towards the cross at the bottom."),
        "curve": ("The loss has come down to the best possible, the dashed line." if close else
                  "The loss falls fast at first, then more slowly."),
    }


def phases(last, x, y, i, lr, steps, own_loss=False):
    """The four phases of the last turn (`last`, or None before the first) as words and
    numbers, following point i of the data x, y [n]; `own_loss`: the reader's loss ran."""
    if last is None:
        return {"phase-title": "Press Step to run one turn and see its four phases.",
                **{f"phase-{k}": "" for k in range(1, 5)}}
    (w0, b0), (gw, gb), (w1, b1) = last["before"], last["grad"], last["after"]
    y_hat = learning.predict(last["before"], x)  # [n]
    lr = rate(lr)

    def way(g):
        shown = signed(g, 3)
        return ("is about right" if float(shown.replace("−", "-")) == 0
                else "should grow" if g < 0 else "should shrink")

    return {
        "phase-title": f"Turn {steps}, phase by phase:",
        "phase-1": (f"With w = {weight(w0)} and b = {weight(b0)} the line guesses "
                    f"a y for each of the {len(x)} points. For point {i + 1} "
                    f"(x {signed(x[i], 2)}) it guesses {weight(y_hat[i])}; "
                    f"the answer is {signed(y[i], 2)}."),
        "phase-2": (("Loss = your loss() = " if own_loss else
                     "Loss = the average of the squared misses (guess − answer)² = ") +
                    f"{show_loss(last['loss_before'])}."),
        "phase-3": (("Gradient, found by nudging each weight" if last["nudged"] else
                     "Gradient") + f": {signed(gw, 3)} for w, so w {way(gw)}; "
                    f"{signed(gb, 3)} for b, so b {way(gb)}."),
        "phase-4": (f"w = {weight(w0)} − {lr} × {paren(signed(gw, 3))} = {weight(w1)}; "
                    f"b = {weight(b0)} − {lr} × {paren(signed(gb, 3))} = "
                    f"{weight(b1)}. Loss now {show_loss(last['loss_after'])}."),
    }
