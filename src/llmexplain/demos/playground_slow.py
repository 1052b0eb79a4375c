"""The playground's slow view: one real training step on one example, a stage at a time.

Stage 0 shows the example; stages 1 to L the forward pass through the L weight layers (each
neuron's z and a); L + 1 the output's error; L + 2 to 2L + 1 the backward pass, right to
left (each neuron's δ, each weight's gradient and update); 2L + 2 applies the update.
"""

import math

from .. import mlp
from .controls import signed

CLASS_NAMES = {0: "class 0 (orange)", 1: "class 1 (blue)"}


def sig(x, digits=3):
    """Three significant digits without exponents, which a general reader may not know.

    >>> sig(-0.000041237), sig(12.345), sig(0.0)
    ('−0.0000412', '12.3', '0.000')
    """
    if x == 0 or not math.isfinite(x):
        return signed(0.0, digits)
    return signed(x, min(max(digits - 1 - math.floor(math.log10(abs(x))), 0), 12))


def last_stage(demo):
    return 2 * len(demo.net.W) + 2


def slow_step(demo):
    """Forward and backward on the picked example, a batch of one, by the trainer's own
    functions; its values are copied, since the buffers serve the next pass too."""
    k = int(demo.s["example"]) - 1
    x, y = demo.xa[k:k + 1], demo.ya[k:k + 1]
    ps = demo.net.backward(demo.net.forward(x), y, float(demo.s["l2"]))
    return {"stage": 0, "x": x.copy(), "y": y.copy(), "lr": float(demo.s["lr"]),
            "z": [z[0].copy() for z in ps.z], "a": [a[0].copy() for a in ps.a],
            "delta": [d[0].copy() for d in ps.delta], "grad": [g.copy() for g in demo.net.G],
            "W": [w.copy() for w in demo.net.W], "before": mlp.loss(demo.net, x, y),
            "after": None}


def slow_numbers(demo):
    """(layer, neuron) -> the numbers shown beside that node at this stage."""
    v = demo.slow
    if v is None:
        return {}
    L, k = len(demo.net.W), v["stage"]
    out = {(0, i): f"x = {signed(x, 2)}" for i, x in enumerate(v["a"][0])}
    for l in range(min(k, L)):  # forward: layers up to the stage
        for i, (z, a) in enumerate(zip(v["z"][l], v["a"][l + 1])):
            out[(l + 1, i)] = f"z = {signed(z, 3)}\na = {signed(a, 3)}"
    for l in range(L - 1, max(2 * L - k, 0) - 1, -1):  # backward: the output's first
        for i, d in enumerate(v["delta"][l]):
            out[(l + 1, i)] += f"\nδ = {sig(d)}"
    return out


def weight_items(demo):
    """The weights of the layer the backward pass has reached: value, gradient, update."""
    at = demo._layer_of_stage()
    if at is None or at[0] != "backward":
        return []
    l = at[1]
    v = demo.slow
    W, G = v["W"][l], v["grad"][l]
    out = []
    for j in range(W.shape[1]):
        for i in range(W.shape[0]):
            src = "bias" if i == W.shape[0] - 1 else node_name(l, i)
            out.append({"tag": "li", "text": (
                f"{src} → {node_name(l + 1, j, len(demo.net.W))}: weight {signed(W[i, j], 3)}, "
                f"gradient {sig(G[i, j])}, update {sig(-v['lr'] * G[i, j])}"),
                "attrs": {"class": "pos" if G[i, j] < 0 else "neg"}})
    return out


def node_name(layer, i, n_weight_layers=None):
    if layer == 0:
        return f"x{'₁₂'[i]}"
    if layer == n_weight_layers:
        return "output"
    return f"layer {layer} neuron {i + 1}"


def slow_texts(demo):
    v = demo.slow
    stage, title = 0, "Press Next step to send the picked example through the network."
    if v is not None:
        stage, title = v["stage"], stage_title(demo)
    return {"slow-title": title, "slow-stage": f"{stage} of {last_stage(demo)}"}


def stage_title(demo):
    v, L = demo.slow, len(demo.net.W)
    k = v["stage"]
    p, y = float(v["a"][-1][0]), int(v["y"][0, 0])
    if k == 0:
        return (f"The example: x₁ = {signed(v['x'][0, 0], 2)}, x₂ = {signed(v['x'][0, 1], 2)}, "
                f"of {CLASS_NAMES[y]}. Next: the first layer works out its sums.")
    if k <= L:
        where = "the output" if k == L else f"layer {k}"
        act = "sigmoid" if k == L else demo.net.activation
        return (f"Forward, {where}: each neuron adds up its inputs times their weights, plus "
                f"its bias (z), then applies {act} (a).")
    if k == L + 1:
        return (f"The error: the network gives {signed(p, 3)} for class 1; the answer is {y}. "
                f"The output's error δ = p − y = {signed(p - y, 4)}, "
                f"loss −log({signed(p if y else 1 - p, 3)}) = {signed(v['before'], 4)}.")
    if k <= 2 * L + 1:
        l = 2 * L + 1 - k
        into = "the output" if l == L - 1 else f"layer {l + 1}"
        return (f"Backward, the weights into {into}: each weight's gradient is the input it "
                f"carried times the error δ at its end; its update is −{v['lr']:g} × gradient. "
                + ("The error then flows back through the weights to the layer before." if l
                   else "That reaches the inputs: every weight has its share of the blame."))
    return (f"The update is applied. Loss on this example: {sig(v['before'])} before, "
            f"{sig(v['after'])} after.")


def slow_words(demo):
    return f"Step {demo.slow['stage']} of {last_stage(demo)}. {stage_title(demo)}"
