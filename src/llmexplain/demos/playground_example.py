"""The playground's one-example view: one real training step on one point, a stage at a time.

For a network of L weight layers, stage 0 shows the example (before its step is taken: the
first press of Next step takes it and goes on to stage 1); stages 1 to L the forward pass
(each neuron's weighted sum z and activation a); L + 1 the output's error; L + 2 to 2L + 1 the
backward pass, right to left (each neuron's error δ, each weight's gradient and update); and
2L + 2 applies the update. Every function takes the values it shows, never the demo itself.

>>> last_stage(3), layer_at(2, 3), layer_at(5, 3), layer_at(8, 3)
(8, ('forward', 1), ('backward', 2), None)
"""

from dataclasses import dataclass

import numpy as np

from .. import mlp
from .format import sig, signed

CLASS_NAMES = {0: "class 0 (orange)", 1: "class 1 (blue)"}


@dataclass
class ExampleStep:
    """One SGD step on one example, every number of it copied out of the trainer's buffers
    (which the next pass reuses). Shapes for layer l of L: z[l], delta[l] [n_{l+1}]; a[l]
    [n_l] (a[0] the example, a[L] the output p); W[l], G[l] [n_l + 1, n_{l+1}]."""
    x: np.ndarray  # [1, 2]
    y: np.ndarray  # [1, 1]
    lr: float
    lr_text: str  # the learning rate as the reader picked it: "0.00001", never "1e-05"
    l2_text: str  # the L2 strength as the reader picked it; "0" for none
    z: list
    a: list
    delta: list
    W: list  # the weights before the update
    G: list  # their gradients
    gradient: np.ndarray  # [n_params]: the same gradients as the trainer keeps them
    before: float  # the loss on this example before the update
    after: float = None  # ... and after it, once applied
    stage: int = 0


def take(net, x, y, lr_text, l2_text):
    """Forward and backward on the example x [1, 2], y [1, 1] with the trainer's own functions;
    nothing is applied yet (see apply)."""
    ps = net.backward(net.forward(x), y, float(l2_text))  # a Pass: buffers, valid until the next pass
    return ExampleStep(
        x=x.copy(), y=y.copy(), lr=float(lr_text), lr_text=lr_text, l2_text=l2_text,
        z=[z[0].copy() for z in ps.z], a=[a[0].copy() for a in ps.a],
        delta=[d[0].copy() for d in ps.delta], W=[w.copy() for w in net.W],
        G=[g.copy() for g in net.G], gradient=net.grad.copy(), before=mlp.loss(net, x, y))


def apply(net, step):
    """The update the view showed, by the trainer's own rule, with that very gradient."""
    np.copyto(net.grad, step.gradient)
    net.update(step.lr)
    step.after = mlp.loss(net, step.x, step.y)


def last_stage(n_weight_layers):
    return 2 * n_weight_layers + 2


def layer_at(stage, n_weight_layers):
    """Which weight layer a stage is at, and which way: ("forward" | "backward", layer), or
    None at the example, the error and the update."""
    L = n_weight_layers
    if 1 <= stage <= L:
        return ("forward", stage - 1)
    if L + 2 <= stage <= 2 * L + 1:
        return ("backward", 2 * L + 1 - stage)
    return None


def numbers(step):
    """(layer, neuron) -> the lines of numbers shown beside that node at this stage."""
    if step is None:
        return {}
    L, k = len(step.W), step.stage
    out = {(0, i): [f"x = {signed(x, 2)}"] for i, x in enumerate(step.a[0])}
    for l in range(min(k, L)):  # forward: the layers up to the stage
        for i, (z, a) in enumerate(zip(step.z[l], step.a[l + 1])):
            out[(l + 1, i)] = [f"z = {signed(z, 3)}", f"a = {signed(a, 3)}"]
    for l in range(L - 1, max(2 * L - k, 0) - 1, -1):  # backward: the output's first
        for i, d in enumerate(step.delta[l]):
            out[(l + 1, i)].append(f"δ = {sig(d)}")
    return out


def node_name(layer, i, n_weight_layers):
    if layer == 0:
        return f"x{'₁₂'[i]}"
    if layer == n_weight_layers:
        return "output"
    return f"layer {layer} neuron {i + 1}"


def weight_items(step):
    """The weights into the layer the backward pass has reached: value, gradient, update."""
    where = None if step is None else layer_at(step.stage, len(step.W))
    if where is None or where[0] != "backward":
        return []
    l, L = where[1], len(step.W)
    W, G = step.W[l], step.G[l]  # [n_l + 1, n_{l+1}]
    out = []
    for j in range(W.shape[1]):
        for i in range(W.shape[0]):
            source = "bias" if i == W.shape[0] - 1 else node_name(l, i, L)
            out.append({"tag": "li", "text": (
                f"{source} → {node_name(l + 1, j, L)}: weight {signed(W[i, j], 3)}, "
                f"gradient {sig(G[i, j])}, update {sig(-step.lr * G[i, j])}"),
                "attrs": {"class": "pos" if G[i, j] < 0 else "neg"}})
    return out


def start_title(x, y):
    """Stage 0: the example x [2] of class y, before its step."""
    return (f"The example: x₁ = {signed(x[0], 2)}, x₂ = {signed(x[1], 2)}, of {CLASS_NAMES[y]}. "
            f"Press Next step: the first layer works out its sums.")


def title(step, activation):
    """What the stage shows, in words, for a network whose hidden layers use `activation`."""
    L, k = len(step.W), step.stage
    p, y = float(step.a[-1][0]), int(step.y[0, 0])
    if k == 0:
        return start_title(step.x[0], y)
    if k <= L:
        where = "the output" if k == L else f"layer {k}"
        act = "sigmoid" if k == L else activation
        return (f"Forward, {where}: each neuron adds up its inputs times their weights, plus "
                f"its bias (z), then applies {act} (a).")
    if k == L + 1:
        return (f"The error: the network gives {signed(p, 3)} for class 1; the answer is {y}. "
                f"The output's error δ = p − y = {signed(p - y, 4)}, "
                f"loss −log({signed(p if y else 1 - p, 3)}) = {signed(step.before, 4)}.")
    if k <= 2 * L + 1:
        l = 2 * L + 1 - k
        into = "the output" if l == L - 1 else f"layer {l + 1}"
        l2 = ("" if float(step.l2_text) == 0 else
              f", plus {step.l2_text} × the weight itself (L2 pulls every weight towards 0; "
              f"the biases are not pulled)")
        return (f"Backward, the weights into {into}: each weight's gradient is the input it "
                f"carried times the error δ at its end{l2}; its update is −{step.lr_text} × "
                f"gradient. "
                + ("The error then flows back through the weights to the layer before." if l
                   else "That reaches the inputs: every weight has its share of the blame."))
    return (f"The update is applied. Loss on this example: {sig(step.before)} before, "
            f"{sig(step.after)} after.")


def texts(step, activation, n_weight_layers, example=None):
    """The view's heading and its stage counter ("3 of 8"), before and during a step;
    `example`: (x [2], class) of the picked example, or None if there is none."""
    if step is None:
        return {"example-title": (start_title(*example) if example is not None else
                                  "There are no points to learn from: add some first."),
                "example-stage": f"0 of {last_stage(n_weight_layers)}"}
    return {"example-title": title(step, activation),
            "example-stage": f"{step.stage} of {last_stage(n_weight_layers)}"}


def summary(step, activation):
    """The announcement after Next step."""
    return f"Step {step.stage} of {last_stage(len(step.W))}. {title(step, activation)}"
