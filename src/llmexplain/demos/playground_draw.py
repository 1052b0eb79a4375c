"""Drawing for the playground: heatmaps as PNG, points, links and loss curves as SVG.

The heatmaps are coloured pixels, so they cannot follow the page's colour scheme: they use a
blue and an orange that read on light and dark backgrounds alike, fading to transparent where
a neuron is undecided, so the panel's own background shows through.
"""

import numpy as np

from ..datasets import EXTENT
from .pixels import png_data_url
from .svg import axes, num, points, svg, tag

SIDE = 48  # boundary heatmap pixels per side; the neuron heatmaps take every third one
_c = EXTENT * (2 * (np.arange(SIDE) + 0.5) / SIDE - 1)  # pixel centres, left to right
GRID = np.stack(np.meshgrid(_c, -_c), axis=-1).reshape(-1, 2)  # [SIDE², 2], top row first
BLUE, ORANGE = np.array([35, 118, 200]), np.array([232, 125, 30])  # class 1, class 0
BLANK = png_data_url(np.zeros((1, 1, 4), np.uint8))  # for nodes this network does not have
SCALES = {"tanh": (1.0, 0.0), "sigmoid": (2.0, -1.0)}  # a -> v in [−1, 1]: v = a × k + c


def heat(v):
    """v [..., h, w] in [−1, 1] -> RGBA [..., h, w, 4]: blue above 0, orange below."""
    v = np.clip(v, -1.0, 1.0)[..., None]
    rgb = np.where(v > 0, BLUE, ORANGE)
    alpha = np.abs(v) * 230
    return np.concatenate([rgb, alpha], axis=-1).astype(np.uint8)


def boundary_image(p):
    """The output p [SIDE²] over the plane: the decision boundary is where it fades out."""
    return png_data_url(heat(2.0 * p.reshape(SIDE, SIDE) - 1.0))


def node_images(a, kind):
    """One small heatmap per neuron from its activations a [SIDE², n] over the plane.

    kind: the activation (tanh and sigmoid have fixed ranges; ReLU and linear are scaled by
    their largest value), "input" for the inputs themselves, or "output".
    """
    small = a.reshape(SIDE, SIDE, -1)[::3, ::3]  # [16, 16, n]: PNG encoding is the cost
    if kind == "input":
        v = small / EXTENT
    elif kind == "output" or kind == "sigmoid":
        v = 2.0 * small - 1.0
    elif kind == "tanh":
        v = small
    else:
        v = small / np.maximum(np.abs(small).max(axis=(0, 1)), 1.0)
    rgba = heat(np.moveaxis(v, -1, 0))  # [n, h, w, 4]
    return [png_data_url(img) for img in rgba]


PLANE = 240.0  # SVG units per side of the plane's figure


def to_svg(xy):
    """Plane coordinates [k, 2] -> SVG units (x₂ grows upwards)."""
    f = (np.asarray(xy, float) + EXTENT) / (2 * EXTENT)
    return np.stack([f[:, 0] * PLANE, (1 - f[:, 1]) * PLANE], axis=1)


def plane_points(xa, ya, xb, yb, marked=None):
    """Training points filled, test points hollow; a ring around the example `marked`."""
    body = tag("rect", x="0", y="0", width=num(PLANE), height=num(PLANE), class_="plane-frame")
    for xy, y, kind in ((xa, ya, "pt"), (xb, yb, "pt test")):
        for (cx, cy), c in zip(to_svg(xy).tolist(), y[:, 0].tolist()):
            body += f'<circle cx="{num(cx)}" cy="{num(cy)}" r="3" class="{kind} c{int(c)}"/>'
    if marked is not None:
        (cx, cy), = to_svg([marked]).tolist()
        body += tag("circle", cx=num(cx), cy=num(cy), r="8", class_="picked")
    label = (f"The plane from −6 to 6 on both axes: {len(xa)} points to train on (filled) and "
             f"{len(xb)} to test on (hollow), blue for class 1, orange for class 0; the "
             f"background shows what the network answers at every spot.")
    return svg(body, PLANE, PLANE, label)


def links(net, at):
    """Every weight as a line from neuron to neuron: blue positive, orange negative,
    wider when larger. Coordinates are grid cells (columns, half-rows) of the page's node
    layout, where a layer of n neurons is centred among the tallest layer's; the figure
    stretches to fit it, the strokes keep their width."""
    cols, tallest = len(net.sizes), max(net.sizes[:-1])
    out = []
    for l, W in enumerate(net.W):
        n_in, n_out = W.shape[0] - 1, W.shape[1]
        focus = " is-focus" if at is not None and at[1] == l else ""
        for i, row in enumerate(W[:-1].tolist()):
            y0 = tallest - n_in + 2 * i + 1
            for j, w in enumerate(row):
                y1 = tallest - n_out + 2 * j + 1
                width = min(0.5 + 2.5 * abs(w), 6.0)
                out.append(f'<line x1="{l + 0.5}" y1="{y0}" x2="{l + 1.5}" y2="{y1}" '
                           f'stroke-width="{width:.1f}" class="{"w-pos" if w > 0 else "w-neg"}'
                           f'{focus}"/>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {cols} {2 * tallest}" '
            f'preserveAspectRatio="none" class="links" aria-hidden="true">{"".join(out)}</svg>')


CURVE_W, CURVE_H, CURVE_PAD = 240.0, 110.0, 34.0


def curves(history):
    """Training loss (solid) and test loss (dashed) against epochs."""
    body = tag("rect", x="0", y="0", width=num(CURVE_W), height=num(CURVE_H), class_="plot-area")
    epochs = [h[0] for h in history]
    span = max(epochs[-1] - epochs[0], 1.0) if history else 1.0
    top = max([v for h in history for v in h[1:] if v is not None] + [0.0])
    top = max(min(top, 10.0 * history[0][1]) if history else 1.0, 1e-9)  # an early spike is cut
    for k, cls in ((1, "train-curve"), (2, "test-curve")):
        pts = [((e - epochs[0]) / span * CURVE_W, CURVE_H * (1 - min(h[k], top) / top))
               for e, h in zip(epochs, history) if h[k] is not None]
        if len(pts) > 1:
            body += tag("polyline", points=points(pts), class_=cls)
    inner = tag("svg", body, x=num(CURVE_PAD), y="6", width=num(CURVE_W), height=num(CURVE_H),
                viewBox=f"0 0 {num(CURVE_W)} {num(CURVE_H)}")
    first = f"{epochs[0]:.0f}" if history else "0"
    last = f"{epochs[-1]:.0f}" if history else "0"
    frame = axes(CURVE_PAD, 6, CURVE_W, CURVE_H, (first, last), ("0", f"{top:.2f}"),
                 "epoch →", "loss")
    now = history[-1] if history else (0, None, None)
    label = (f"Loss curves over {last} epochs: training loss now "
             f"{'—' if now[1] is None else f'{now[1]:.3f}'}, test loss "
             f"{'—' if now[2] is None else f'{now[2]:.3f}'}.")
    return svg(inner + frame, CURVE_PAD + CURVE_W + 8, CURVE_H + 36, label)
