"""Chapter 2's figures as SVG: the data and the line, the loss landscape, the loss curve.

Every function takes the values it draws, never the demo itself.
"""

import itertools
import math

import numpy as np

from .. import learning
from .format import loss as show_loss
from .format import paren, short, signed
from .learning_words import weight as show_weight
from .learning_words import zone_words
from .svg import axes, num, points, svg, tag


def sample(seq, most=300):
    """At most `most` evenly spaced entries, always with the last one."""
    if len(seq) <= most:
        return list(seq)
    idx = np.linspace(0, len(seq) - 1, most).round().astype(int)
    return [seq[i] for i in idx]


FIT = 240.0  # the data plot's square, in SVG units
PAD = 34.0


def badge(n, x, y):
    return tag("text", str(n), x=num(x), y=num(y), class_="badge", text_anchor="middle")


def fit_plot(xs, ys, weights, selected, last):
    """The points xs, ys [n], the line `weights` [2] with its guesses and misses, in the unit
    square; faintly, the line before the `last` turn."""
    def px(x, y):
        return (x * FIT, (1 - y) * FIT)

    w, b = weights
    body = ""
    if last is not None:  # where the line was before the last update, faintly
        w0, b0 = last["before"]
        (x1, y1), (x2, y2) = px(-1, b0 - w0), px(2, b0 + 2 * w0)
        body += tag("line", x1=num(x1), y1=num(y1), x2=num(x2), y2=num(y2), class_="line-before")
    y_hat = learning.predict(weights, xs)  # [n]
    for x, y, g in zip(xs, ys, y_hat):
        (cx, cy), (_, gy) = px(x, y), px(x, np.clip(g, -2, 3))
        body += tag("line", x1=num(cx), y1=num(cy), x2=num(cx), y2=num(gy), class_="miss")
    (x1, y1), (x2, y2) = px(-1, b - w), px(2, b + 2 * w)
    body += tag("line", x1=num(x1), y1=num(y1), x2=num(x2), y2=num(y2), class_="fit-line")
    for i, (x, y) in enumerate(zip(xs, ys)):
        cx, cy = px(x, y)
        body += tag("circle", cx=num(cx), cy=num(cy), r="5",
                    class_="pt is-selected" if i == selected else "pt")
    if last is not None:
        if 0 <= 0.9 * w + b <= 1:  # label the line, where it is in view
            gx, gy = px(0.9, 0.9 * w + b)
            body += badge(1, gx, gy - 8)
        i = selected
        (cx, cy), (_, gy) = px(xs[i], ys[i]), px(xs[i], float(np.clip(y_hat[i], 0, 1)))
        body += badge(2, cx + (-10 if xs[i] > 0.5 else 10), (cy + gy) / 2 + 4)
    area = tag("rect", x="0", y="0", width=num(FIT), height=num(FIT), class_="plot-area")
    # On top and see-through, so its box is exactly the plot's and every click lands on it.
    catch = tag("rect", x="0", y="0", width=num(FIT), height=num(FIT), fill="transparent",
                data_drag="drag", class_="click-area")
    inner = tag("svg", area + body + catch, x=num(PAD), y="8", width=num(FIT), height=num(FIT),
                viewBox=f"0 0 {num(FIT)} {num(FIT)}")
    frame = axes(PAD, 8, FIT, FIT, ("0", "1"), ("0", "1"), "x →", "y →")
    label = (f"The {len(xs)} points and the line y = {show_weight(w)} × x + "
             f"{paren(show_weight(b))}, with a thin stroke from each point to the line's guess.")
    return svg(inner + frame, PAD + FIT + 8, 8 + FIT + 30, label)


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


def landscape(view, levels, best, trail, last, now, steps):
    """The loss for every (w, b) as nested ellipses (`levels`, from contours()) in the box
    `view` (from window()), the `trail` of weights taken over `steps` steps since it began,
    the lowest point `best` [2], and the `last` turn's downhill direction and step."""
    lo, hi = view
    body = tag("rect", x="0", y="0", width=num(LAND_W), height=num(LAND_H), class_="plot-area")
    body += levels
    bx, by = to_px(view, best)
    body += tag("path", d=f"M{num(bx - 5)},{num(by - 5)}l10,10m0,-10l-10,10", class_="best")
    trail = to_px(view, np.array(trail))  # [k, 2]
    if len(trail) > 1:
        body += polyline(trail, class_="path")
    body += tag("circle", cx=num(trail[0][0]), cy=num(trail[0][1]), r="4", class_="path-start")
    if last is not None:  # the last turn: its downhill direction (3) and its step (4)
        (ax, ay), (cx, cy) = to_px(view, np.array([last["before"], last["after"]]))
        body += tag("line", x1=num(ax), y1=num(ay), x2=num(cx), y2=num(cy), class_="update")
        g = -last["grad"] * np.array([1.0, -1.0])  # downhill, in SVG directions (b up)
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
             f"{show_weight(best[0])}, b = {show_weight(best[1])}. The path shows "
             f"the {steps} steps taken since it began; the weights are "
             f"now w = {show_weight(now[0])}, b = {show_weight(now[1])}.")
    return svg(inner + frame, PAD + 6 + LAND_W + 8, 8 + LAND_H + 30, label)


def arrow(tail, tip):
    (x0, y0), (x1, y1) = tail, tip
    d = np.array([x1 - x0, y1 - y0]) / math.hypot(x1 - x0, y1 - y0)
    n = np.array([-d[1], d[0]])
    head = [tip, np.array(tip) - 7 * d + 4 * n, np.array(tip) - 7 * d - 4 * n]
    return (tag("line", x1=num(x0), y1=num(y0), x2=num(x1), y2=num(y1), class_="downhill")
            + tag("polygon", points=points(head), class_="downhill-head"))


CURVE_W, CURVE_H = 240.0, 110.0


def loss_curve(curve, steps, best_loss):
    """The loss after each turn since the path began (`curve`: (turn, loss) pairs, up to
    turn `steps`); the best possible as a dashed line."""
    first = curve[0][0]
    span = 20
    while first + span < steps:
        span *= 2  # the axis doubles when the curve reaches its end, so it rarely jumps
    top = max(max(loss for _, loss in curve), 1e-12) * 1.1

    def px(steps_losses):  # [k, 2] -> [k, 2]
        steps, losses = np.asarray(steps_losses, dtype=float).T
        return np.stack([(steps - first) / span * CURVE_W, (1 - losses / top) * CURVE_H], -1)

    body = tag("rect", x="0", y="0", width=num(CURVE_W), height=num(CURVE_H), class_="plot-area")
    _, y = px([(first, best_loss)])[0]
    body += tag("line", x1="0", y1=num(y), x2=num(CURVE_W), y2=num(y), class_="best-loss")
    body += tag("text", "best possible", x=num(CURVE_W - 4), y=num(y - 4), class_="note",
                text_anchor="end")
    line = px(curve)  # [k, 2]
    if len(line) > 1:
        body += polyline(line, class_="curve")
    body += tag("circle", cx=num(line[-1][0]), cy=num(line[-1][1]), r="4", class_="path-now")
    inner = tag("svg", body, x=num(PAD + 6), y="8", width=num(CURVE_W), height=num(CURVE_H),
                viewBox=f"0 0 {num(CURVE_W)} {num(CURVE_H)}")
    frame = axes(PAD + 6, 8, CURVE_W, CURVE_H, (str(first), str(first + span)),
                 ("0", short(top)), "turns →", "loss")
    label = (f"Loss curve: the loss after each turn, from {show_loss(curve[0][1])} at turn "
             f"{first} to {show_loss(curve[-1][1])} at turn {steps}. The best possible "
             f"is {show_loss(best_loss)}.")
    return svg(inner + frame, PAD + 6 + CURVE_W + 8, 8 + CURVE_H + 30, label)


def zones(limit, s):
    """A bar under the learning-rate slider: too small, good, too large, for this data."""
    # s: the learning-rate slider, which moves log10(lr)

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
