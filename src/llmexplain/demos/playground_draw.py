"""Drawing for the playground: heatmaps as PNG; the points, the network and the loss curves
as SVG. Every function takes the values it draws, never the demo itself.

The heatmaps are coloured pixels, so they cannot follow the page's colour scheme: they use a
blue and an orange that read on light and dark backgrounds alike, fading to transparent where
a neuron is undecided, so the panel's own background shows through.

The network is one SVG, and all of its geometry is here: a column per layer, inputs first,
each a fraction of the figure's width so the columns share whatever width the page gives
(the layer editor above it splits the same width into as many equal columns); a layer of n
neurons centred among the tallest layer's rows.
"""

import numpy as np

from ..datasets import EXTENT
from .format import big, signed
from .format import loss as show_loss
from .pixels import png_data_url
from .playground_example import node_name
from .svg import axes, esc, num, points, svg, tag

SIDE = 48  # boundary heatmap pixels per side; the neuron heatmaps take every third one
_c = EXTENT * (2 * (np.arange(SIDE) + 0.5) / SIDE - 1)  # pixel centres, left to right
GRID = np.stack(np.meshgrid(_c, -_c), axis=-1).reshape(-1, 2)  # [SIDE², 2], top row first
BLUE, ORANGE = np.array([35, 118, 200]), np.array([232, 125, 30])  # class 1, class 0
OPAQUE = 230  # alpha (of 255) of a sure answer: the panel still shows through a little


def heat(v):
    """v [..., h, w] in [−1, 1] -> RGBA [..., h, w, 4]: blue above 0, orange below."""
    v = np.clip(v, -1.0, 1.0)[..., None]
    rgb = np.where(v > 0, BLUE, ORANGE)
    alpha = np.abs(v) * OPAQUE
    return np.concatenate([rgb, alpha], axis=-1).astype(np.uint8)


def boundary_image(p):
    """The output p [SIDE²] over the plane: the decision boundary is where it fades out."""
    return png_data_url(heat(2.0 * p.reshape(SIDE, SIDE) - 1.0))


def node_values(a, kind):
    """What each neuron's heatmap shows, from its activations a [SIDE², n] over the plane:
    v [n, 16, 16] in [−1, 1], top row first.

    kind: the activation (tanh and sigmoid have fixed ranges, −1 to 1 and 0 to 1; ReLU and
    linear are scaled by their largest value), "input" for the inputs themselves, or "output".
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
    return np.clip(np.moveaxis(v, -1, 0), -1.0, 1.0)


def node_images(v):
    """One small heatmap per neuron, from node_values' v [n, h, w]."""
    return [png_data_url(img) for img in heat(v)]


SIDES = ("right", "top right", "top", "top left", "left", "bottom left", "bottom", "bottom right")


def node_words(v):
    """What one neuron's picture shows, in words, from its values v [h, w] in [−1, 1] (top row
    first): where it is high (blue) and where low (orange).

    >>> across = np.tile(np.linspace(-1, 1, 16), (16, 1))  # low on the left, high on the right
    >>> node_words(across), node_words(-across.T)
    ('blue (high) towards the right, orange (low) towards the left', 'blue (high) towards the top, orange (low) towards the bottom')
    """
    h, w = v.shape
    high, low = v > 0.25, v < -0.25
    if high.mean() > 0.9:
        return "blue (high) almost everywhere"
    if low.mean() > 0.9:
        return "orange (low) almost everywhere"
    if high.mean() + low.mean() < 0.1:
        return "pale (undecided) almost everywhere"
    ys, xs = np.mgrid[0:h, 0:w]
    x, y = (2 * xs - (w - 1)) / (w - 1), ((h - 1) - 2 * ys) / (h - 1)  # −1 to 1, y upwards

    def centre(mask):
        return np.array([x[mask].mean(), y[mask].mean()]) if mask.any() else np.zeros(2)

    d = centre(high) - centre(low)  # from where it is low to where it is high
    if np.hypot(*d) < 0.3:
        r = np.hypot(x, y)
        inner = (r[high].mean() if high.any() else 1.0) - (r[low].mean() if low.any() else 1.0)
        if inner < -0.2:
            return "blue (high) in the middle, orange (low) around it"
        if inner > 0.2:
            return "orange (low) in the middle, blue (high) around it"
        return "patches of blue (high) and orange (low)"
    k = round(np.arctan2(d[1], d[0]) / (np.pi / 4)) % 8
    if not low.any():
        return f"blue (high) towards the {SIDES[k]}, pale elsewhere"
    if not high.any():
        return f"orange (low) towards the {SIDES[(k + 4) % 8]}, pale elsewhere"
    return f"blue (high) towards the {SIDES[k]}, orange (low) towards the {SIDES[(k + 4) % 8]}"


def network_pictures(activations, activation):
    """Every layer's heatmaps and what each shows in words, inputs first, from the activations
    over GRID (a Pass's `a`): ([[PNG data URL]], [[words]])."""
    last = len(activations) - 1
    values = [node_values(a, "input" if l == 0 else "output" if l == last else activation)
              for l, a in enumerate(activations)]
    return [node_images(v) for v in values], [[node_words(n) for n in v] for v in values]


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


HALF_ROW = 24  # px: a neuron takes two half-rows, so any layer can be centred among another's
HALF_ROW_NUMBERS = 46  # px: ... and more when its numbers (up to three lines) sit under it
NODE = 40  # px: a neuron's square
LINK_WIDTH = (0.5, 2.5, 6.0)  # px: a weight's line is 0.5 + 2.5 × |weight| wide, at most 6
NUMBERS_AT = NODE / 2 + 13  # px: a node's first line of numbers, below its centre


def column(layer, n_layers):
    """The x of a layer's column centre, as a share of the figure's width."""
    return f"{100 * (layer + 0.5) / n_layers:.4g}%"


def row(i, n, tallest, half=HALF_ROW):
    """The y (px) of neuron i's centre in a layer of n, centred among `tallest` neurons."""
    return (tallest - n + 2 * i + 1) * half


def network(sizes, weights, images, numbers, focus, label, words):
    """The network as one SVG: a column per layer of `sizes` (inputs first), each neuron a
    square showing its heatmap (`images[layer][i]`, a PNG data URL, described by
    `words[layer][i]`) and, under it, its `numbers[(layer, i)]` (lines of text) if any; every
    weight of `weights` ([n_l + 1, n_{l+1}] each, biases last) a line from neuron to neuron:
    blue positive, orange negative, wider when larger. The weight layer `focus` (an index, or
    None) and the neurons it feeds are picked out. `label` is its accessible name."""
    n_layers, tallest = len(sizes), max(sizes[:-1])
    half = HALF_ROW_NUMBERS if numbers else HALF_ROW
    thin, grow, widest = LINK_WIDTH
    lines = []
    for l, W in enumerate(weights):
        x0, x1 = column(l, n_layers), column(l + 1, n_layers)
        kind = " is-focus" if focus == l else ""
        for i, ws in enumerate(W[:-1].tolist()):  # the biases (last row) have no line
            y0 = row(i, sizes[l], tallest, half)
            for j, w in enumerate(ws):
                lines.append(f'<line x1="{x0}" y1="{y0}" x2="{x1}" '
                             f'y2="{row(j, sizes[l + 1], tallest, half)}" '
                             f'stroke-width="{min(thin + grow * abs(w), widest):.1f}" '
                             f'class="{"w-pos" if w > 0 else "w-neg"}{kind}"/>')
    body = tag("g", "".join(lines), class_="links")
    shown = ""  # every node's numbers go on top of every node and line
    last = n_layers - 1
    for l, n in enumerate(sizes):
        # A nested <svg> at the column's centre: inside it, x is measured from there in px.
        nodes, texts = "", ""
        for i in range(n):
            y = row(i, n, tallest, half)
            nodes += tag("g", (
                f"<title>{esc(node_name(l, i, last))}: {esc(words[l][i])}</title>"
                + tag("rect", x=num(-NODE / 2), y=num(y - NODE / 2), width=num(NODE),
                      height=num(NODE), rx="3", class_="node-box")
                + tag("image", href=images[l][i], x=num(1 - NODE / 2), y=num(y + 1 - NODE / 2),
                      width=num(NODE - 2), height=num(NODE - 2), preserveAspectRatio="none")),
                class_="node is-focus" if focus is not None and focus + 1 == l else "node",
                data_node=f"{l}-{i}", role="img")
            spans = "".join(tag("tspan", esc(line), x="0", dy="1.15em" if k else "0")
                            for k, line in enumerate(numbers.get((l, i), ())))
            if spans:
                texts += tag("text", spans, x="0", y=num(y + NUMBERS_AT), class_="num",
                             text_anchor="middle", data_node=f"{l}-{i}")
        body += tag("svg", nodes, x=column(l, n_layers), overflow="visible", class_="layer")
        if texts:
            shown += tag("svg", texts, x=column(l, n_layers), overflow="visible")
    return tag("svg", f"<title>{esc(label)}</title>{body}{shown}", width="100%",
               height=num(2 * tallest * half), role="group", class_="network",
               xmlns="http://www.w3.org/2000/svg")


def layer_editor(hidden, most):
    """The items of the editor above the network: a column per hidden layer of `hidden`
    (neurons in each, at most `most`) with + above its size and − below, between the inputs'
    and the output's labels. static/style.css puts each run of three in a column."""
    def button(action, text, i, label, off):
        return {"tag": "button", "text": text, "attrs": {
            "data-action": action, "data-value": str(i), "aria-label": label,
            "aria-disabled": "true" if off else None}}

    items = [{"tag": "span", "text": "inputs", "attrs": {"class": "edit-label"}}]
    for i, n in enumerate(hidden):
        items += [button("add-neuron", "+", i, f"Add a neuron to layer {i + 1}", n >= most),
                  {"tag": "span", "text": str(n), "attrs": {"class": "layer-size"}},
                  button("remove-neuron", "−", i, f"Remove a neuron from layer {i + 1}", n <= 1)]
    items.append({"tag": "span", "text": "output", "attrs": {"class": "edit-label"}})
    return items


CURVE_W, CURVE_H, CURVE_PAD = 240.0, 110.0, 34.0


def curves(history):
    """Training loss (solid) and test loss (dashed) against epochs; `history` holds
    (epoch, training loss, test loss or None) triples."""
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
    first = epochs[0] if history else 0.0
    last = big(epochs[-1]) if history else "0"
    # The axis spans at least one epoch, so even a curve of one point has an axis to read.
    frame = axes(CURVE_PAD, 6, CURVE_W, CURVE_H, (big(first), big(first + span)),
                 ("0", signed(top, 2)), "epoch →", "loss")
    now = history[-1] if history else (0, None, None)
    label = (f"Loss curves over {last} epochs: training loss now {show_loss(now[1], 3)}, "
             f"test loss {show_loss(now[2], 3)}.")
    return svg(inner + frame, CURVE_PAD + CURVE_W + 8, CURVE_H + 36, label)
