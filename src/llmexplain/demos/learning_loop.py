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
from .svg import num, points, svg, tag

MAX_POINTS, MIN_POINTS = 12, 2
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

    def __init__(self, seed=2, n=8, w=-0.5, b=0.9, lr=0.3):
        self.rng = np.random.default_rng(seed)
        x, y = learning.make_data(self.rng, n)
        self.x, self.y = np.round(x, 2), np.round(y, 2)  # [n]: slider positions, so 2 decimals
        self.start = np.array([float(w), float(b)])  # [2]: the first guess
        # Snap to the slider's own steps, so the page and Python agree on the value.
        self.lr_log = CONTROLS["lr"].parse(round(math.log10(lr) / LR_STEP) * LR_STEP)
        self.selected = 0
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
        if name == "place":  # a click on the plot, as fractions of its box from the top left
            fx, fy = parse_click(value)
            return self._add(round(fx, 2), round(1 - fy, 2), "placed")
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

    def _add(self, x, y, how):
        if len(self.x) >= MAX_POINTS:
            self.note = f"The figure holds at most {MAX_POINTS} points; remove one first."
            return
        self.x, self.y = np.append(self.x, x), np.append(self.y, y)
        self.selected = len(self.x) - 1
        self._data_changed(f"Point {self.selected + 1} {how} at {where(self, self.selected)}; "
                           "move it with the sliders.")

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
                    "curve": loss_curve(self, best_loss), "zones": zones(limit)},
            "attrs": attrs,
            "values": {"lr": self.lr_log, "point": str(sel), "px": float(self.x[sel]),
                       "py": float(self.y[sel])},
            "running": self.playing,
        }


# -------------------------------------------------------------------- words and numbers

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
        return f"Learning… {STEPS_PER_TICK} turns per frame."
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


def thin(history):
    """Halve a history that grew past KEEP, keeping its first and last entries."""
    if len(history) > KEEP:
        history[:] = history[:-1:2] + history[-1:]


def sample(seq, most=300):
    """At most `most` evenly spaced entries, always with the last one."""
    if len(seq) <= most:
        return list(seq)
    idx = np.linspace(0, len(seq) - 1, most).round().astype(int)
    return [seq[i] for i in idx]


# -------------------------------------------------------------------- figures

FIT = 240.0  # the data plot's square, in SVG units
PAD = 34.0


def badge(n, x, y):
    return tag("text", str(n), x=num(x), y=num(y), class_="badge", text_anchor="middle")


def fit_plot(demo):
    """The points, the line's guesses and its misses, in the unit square."""
    def px(x, y):
        return (x * FIT, (1 - y) * FIT)

    w, b = demo.w
    body = ""
    if demo.last is not None:  # where the line was before the last update, faintly
        w0, b0 = demo.last["before"]
        (x1, y1), (x2, y2) = px(-1, b0 - w0), px(2, b0 + 2 * w0)
        body += tag("line", x1=num(x1), y1=num(y1), x2=num(x2), y2=num(y2), class_="line-before")
    y_hat = learning.predict(demo.w, demo.x)  # [n]
    for i, (x, y, g) in enumerate(zip(demo.x, demo.y, y_hat)):
        (cx, cy), (_, gy) = px(x, y), px(x, np.clip(g, -2, 3))
        body += tag("line", x1=num(cx), y1=num(cy), x2=num(cx), y2=num(gy), class_="miss")
    (x1, y1), (x2, y2) = px(-1, b - w), px(2, b + 2 * w)
    body += tag("line", x1=num(x1), y1=num(y1), x2=num(x2), y2=num(y2), class_="fit-line")
    for i, (x, y) in enumerate(zip(demo.x, demo.y)):
        cx, cy = px(x, y)
        body += tag("circle", cx=num(cx), cy=num(cy), r="5",
                    class_="pt is-selected" if i == demo.selected else "pt")
    if demo.last is not None:
        if 0 <= 0.9 * w + b <= 1:  # label the line, where it is in view
            gx, gy = px(0.9, 0.9 * w + b)
            body += badge(1, gx, gy - 8)
        i = demo.selected
        (cx, cy), (_, gy) = px(demo.x[i], demo.y[i]), px(demo.x[i], float(np.clip(y_hat[i], 0, 1)))
        body += badge(2, cx + (-10 if demo.x[i] > 0.5 else 10), (cy + gy) / 2 + 4)
    area = tag("rect", x="0", y="0", width=num(FIT), height=num(FIT), class_="plot-area")
    # On top and see-through, so its box is exactly the plot's and every click lands on it.
    catch = tag("rect", x="0", y="0", width=num(FIT), height=num(FIT), fill="transparent",
                data_pointer="place", class_="click-area")
    inner = tag("svg", area + body + catch, x=num(PAD), y="8", width=num(FIT), height=num(FIT),
                viewBox=f"0 0 {num(FIT)} {num(FIT)}")
    frame = axes(PAD, 8, FIT, FIT, ("0", "1"), ("0", "1"), "x →", "y →")
    label = (f"The {len(demo.x)} points and the line y = {show_weight(w)} × x + "
             f"{paren(show_weight(b))}, with a thin stroke from each point to the line's guess.")
    return svg(inner + frame, PAD + FIT + 8, 8 + FIT + 30, label)


def axes(left, top, width, height, xticks, yticks, xlabel, ylabel):
    """Tick labels at both ends of each axis, and the two axis names."""
    bottom, mid = top + height, top + height / 2
    out = ""
    for t, x, anchor in zip(xticks, (left, left + width), ("start", "end")):
        out += tag("text", t, x=num(x), y=num(bottom + 12), class_="tick", text_anchor=anchor)
    for t, y in zip(yticks, (bottom, top)):
        out += tag("text", t, x=num(left - 4), y=num(y + 4), class_="tick", text_anchor="end")
    out += tag("text", xlabel, x=num(left + width / 2), y=num(bottom + 25), class_="axis-label",
               text_anchor="middle")
    out += tag("text", ylabel, x="11", y=num(mid), class_="axis-label", text_anchor="middle",
               transform=f"rotate(-90 11 {num(mid)})")
    return out


LAND_W, LAND_H = 240.0, 200.0  # the landscape's plot area


def window(*weights, min_span=0.6):
    """A box around the given weights, padded, with the plot area's shape (so both axes
    share one scale and the downhill arrow really crosses the contours at a right angle)."""
    pts = np.array(weights)  # [k, 2]
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    centre = (lo + hi) / 2
    span = np.maximum(hi - lo, min_span) * 1.5  # [2]
    scale = max(span[0] / LAND_W, span[1] / LAND_H)  # weight units per SVG unit
    half = np.array([LAND_W, LAND_H]) * scale / 2
    return centre - half, centre + half  # ([2], [2]): bottom-left and top-right corners


def to_px(window, w):
    """Weights [.., 2] -> landscape coordinates [.., 2] (w across, b up)."""
    lo, hi = window
    f = (np.asarray(w) - lo) / (hi - lo)
    return np.stack([f[..., 0] * LAND_W, (1 - f[..., 1]) * LAND_H], axis=-1)


def ellipse(H, scale, excess):
    """Where the loss is `excess` above its lowest, drawn at `scale` SVG units per weight unit.

    The loss is a bowl: loss(w) = lowest + ½ (w − best)ᵀ H (w − best), so each level is an
    ellipse around the best weights. Returns its radii and the angle (degrees) of the first.
    """
    A = np.diag([1 / scale, -1 / scale])  # SVG -> weights (b grows upwards)
    mu, V = np.linalg.eigh(A.T @ H @ A / 2)  # the bowl's curvatures in SVG units
    radii = np.sqrt(excess / np.maximum(mu, excess / 1e8))  # a flat direction: a very long axis
    return radii, math.degrees(math.atan2(V[1, 0], V[0, 0]))


def contours(x, y, best, window):
    """The landscape's shading: nested ellipses, each level a quarter of the one outside it
    (so half its size), the outermost through the farthest corner of the window."""
    lo, hi = window
    lowest = learning.loss(best, x, y)
    corners = np.array([(lo[0], lo[1]), (lo[0], hi[1]), (hi[0], lo[1]), (hi[0], hi[1])])
    top = max(learning.loss(c, x, y) for c in corners) - lowest
    H, scale = learning.hessian(x), LAND_W / (hi[0] - lo[0])
    cx, cy = to_px(window, best)
    out = ""
    for k in range(8):
        (rx, ry), angle = ellipse(H, scale, top * 0.25**k)
        out += tag("ellipse", cx=num(cx), cy=num(cy), rx=num(rx), ry=num(ry), class_="level",
                   transform=f"rotate({num(angle)} {num(cx)} {num(cy)})")
    return out


def polyline(px, **attrs):
    """A line through [k, 2] points, dropping those on the same half-unit spot as the one
    before and sampling what is left (a long crawl is thousands of nearly equal points)."""
    q = np.round(np.clip(px, -1e4, 1e4) * 2) / 2  # [k, 2]
    keep = np.concatenate([[True], np.any(q[1:] != q[:-1], axis=1)])
    keep[-1] = True
    xy = sample(q[keep].tolist(), 160)
    return tag("polyline", points=" ".join(f"{x:g},{y:g}" for x, y in xy), **attrs)


def landscape(demo):
    """The loss for every (w, b) as nested ellipses, the path taken, and where it leads."""
    lo, hi = demo.window
    body = tag("rect", x="0", y="0", width=num(LAND_W), height=num(LAND_H), class_="plot-area")
    body += demo.contours
    bx, by = to_px(demo.window, demo.best)
    body += tag("path", d=f"M{num(bx - 5)},{num(by - 5)}l10,10m0,-10l-10,10", class_="best")
    trail = to_px(demo.window, np.array(demo.trail))  # [k, 2]
    if len(trail) > 1:
        body += polyline(trail, class_="path")
    body += tag("circle", cx=num(trail[0][0]), cy=num(trail[0][1]), r="4", class_="path-start")
    if demo.last is not None:  # the last turn: its downhill direction (3) and its step (4)
        (ax, ay), (cx, cy) = to_px(demo.window, np.array([demo.last["before"],
                                                          demo.last["after"]]))
        body += tag("line", x1=num(ax), y1=num(ay), x2=num(cx), y2=num(cy), class_="update")
        g = -demo.last["grad"] * np.array([1.0, -1.0])  # downhill, in SVG directions (b up)
        if np.linalg.norm(g) > 0:
            d = g / np.linalg.norm(g)
            side = np.array([-d[1], d[0]])  # at a right angle to the step, for the labels
            tip = np.array([ax, ay]) + 26 * d
            body += arrow((ax, ay), tip) + badge(3, *(tip + 9 * side + [0, 4]))
            mid = (np.array([ax, ay]) + np.array([cx, cy])) / 2
            body += badge(4, *(mid - 9 * side + [0, 4]))
    cx, cy = trail[-1]
    body += tag("circle", cx=num(cx), cy=num(cy), r="5", class_="path-now")
    inner = tag("svg", body, x=num(PAD + 6), y="8", width=num(LAND_W), height=num(LAND_H),
                viewBox=f"0 0 {num(LAND_W)} {num(LAND_H)}")
    frame = axes(PAD + 6, 8, LAND_W, LAND_H, (signed(lo[0], 1), signed(hi[0], 1)),
                 (signed(lo[1], 1), signed(hi[1], 1)), "weight w →", "bias b →")
    label = (f"Loss landscape: every pair of weight w and bias b, shaded more strongly where the "
             f"loss is lower. The lowest point, marked with a cross, is w = "
             f"{show_weight(demo.best[0])}, b = {show_weight(demo.best[1])}. The path shows "
             f"the {demo.steps - demo.curve[0][0]} steps taken since it began; the weights are "
             f"now w = {show_weight(demo.w[0])}, b = {show_weight(demo.w[1])}.")
    return svg(inner + frame, PAD + 6 + LAND_W + 8, 8 + LAND_H + 30, label)


def arrow(tail, tip):
    (x0, y0), (x1, y1) = tail, tip
    d = np.array([x1 - x0, y1 - y0]) / math.hypot(x1 - x0, y1 - y0)
    n = np.array([-d[1], d[0]])
    head = [tip, np.array(tip) - 7 * d + 4 * n, np.array(tip) - 7 * d - 4 * n]
    return (tag("line", x1=num(x0), y1=num(y0), x2=num(x1), y2=num(y1), class_="downhill")
            + tag("polygon", points=points(head), class_="downhill-head"))


CURVE_W, CURVE_H = 240.0, 110.0


def loss_curve(demo, best_loss):
    """The loss after each turn since the path began; the best possible as a dashed line."""
    first = demo.curve[0][0]
    span = 20
    while first + span < demo.steps:
        span *= 2  # the axis doubles when the curve reaches its end, so it rarely jumps
    top = max(max(loss for _, loss in demo.curve), 1e-12) * 1.1

    def px(steps_losses):  # [k, 2] -> [k, 2]
        steps, losses = np.asarray(steps_losses, dtype=float).T
        return np.stack([(steps - first) / span * CURVE_W, (1 - losses / top) * CURVE_H], -1)

    body = tag("rect", x="0", y="0", width=num(CURVE_W), height=num(CURVE_H), class_="plot-area")
    _, y = px([(first, best_loss)])[0]
    body += tag("line", x1="0", y1=num(y), x2=num(CURVE_W), y2=num(y), class_="best-loss")
    body += tag("text", "best possible", x=num(CURVE_W - 4), y=num(y - 4), class_="note",
                text_anchor="end")
    line = px(demo.curve)  # [k, 2]
    if len(line) > 1:
        body += polyline(line, class_="curve")
    body += tag("circle", cx=num(line[-1][0]), cy=num(line[-1][1]), r="4", class_="path-now")
    inner = tag("svg", body, x=num(PAD + 6), y="8", width=num(CURVE_W), height=num(CURVE_H),
                viewBox=f"0 0 {num(CURVE_W)} {num(CURVE_H)}")
    frame = axes(PAD + 6, 8, CURVE_W, CURVE_H, (str(first), str(first + span)),
                 ("0", short(top)), "turns →", "loss")
    label = (f"Loss curve: the loss after each turn, from {show_loss(demo.curve[0][1])} at turn "
             f"{first} to {show_loss(demo.curve[-1][1])} at turn {demo.steps}. The best possible "
             f"is {show_loss(best_loss)}.")
    return svg(inner + frame, PAD + 6 + CURVE_W + 8, 8 + CURVE_H + 30, label)


def zones(limit):
    """A bar under the learning-rate slider: too small, good, too large, for this data."""
    s = CONTROLS["lr"]

    def pct(lr):
        return 100 * min(max((math.log10(lr) - s.lo) / (s.hi - s.lo), 0.0), 1.0)

    edges = [0.0, pct(limit / 10), pct(limit), 100.0]
    body = ""
    for (a, b), name in zip(itertools.pairwise(edges), ("small", "good", "large")):
        body += tag("rect", x=f"{a:.1f}%", y="0", width=f"{b - a:.1f}%", height="22",
                    class_=f"zone is-{name}")
        body += tag("text", zone_words(name), x=f"{(a + b) / 2:.1f}%", y="15",
                    text_anchor="middle")
    label = (f"Learning-rate zones for these points: too small below {signed(limit / 10, 3)}, "
             f"good up to {signed(limit, 2)}, too large above.")
    return tag("svg", f"<title>{label}</title>{body}", width="100%", height="22", role="img",
               class_="zones", xmlns="http://www.w3.org/2000/svg")
