"""The network's math against independent truths, then the playground demo built on it."""

import itertools
import json
import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from conftest import central_differences

from llmexplain import datasets as ds
from llmexplain import mlp, page
from llmexplain import neuron as nn
from llmexplain.demos import playground as pg
from llmexplain.demos import playground_draw as draw
from llmexplain.demos.controls import InputError, signed

SHAPES = [(2, 1), (2, 3, 1), (2, 4, 3, 1), (3, 5, 2, 4, 1), (2, 8, 8, 1)]
REFERENCE = {"tanh": nn.tanh, "relu": nn.relu, "sigmoid": nn.sigmoid, "linear": nn.identity}


def problem(sizes, activation, batch, seed=0):
    rng = np.random.default_rng(seed)
    net = mlp.MLP(sizes, activation, rng)
    net.theta += rng.normal(0, 0.1, net.n_params)  # biases too, so nothing is exactly zero
    x = rng.normal(0, 2, (batch, sizes[0]))
    y = (rng.random((batch, 1)) < 0.5).astype(float)
    return net, x, y


def naive_forward(net, x_row):
    """Neuron by neuron with chapter 1's functions: weighted sum, then activation."""
    a, zs, acts = np.asarray(x_row, float), [], [np.asarray(x_row, float)]
    for l, W in enumerate(net.W):
        z = np.array([nn.weighted_sum(a, W[:-1, j], W[-1, j]) for j in range(W.shape[1])])
        a = (nn.sigmoid if l == len(net.W) - 1 else REFERENCE[net.activation])(z)
        zs.append(z)
        acts.append(a)
    return zs, acts


# ---------------------------------------------------------------- the math

@pytest.mark.parametrize("activation", list(mlp.ACTIVATIONS))
@pytest.mark.parametrize("sizes", SHAPES)
@pytest.mark.parametrize("batch,l2", [(1, 0.0), (7, 0.0), (7, 0.03)])
def test_backward_agrees_with_central_finite_differences(activation, sizes, batch, l2):
    net, x, y = problem(sizes, activation, batch)
    net.backward(net.forward(x), y, l2)
    got = net.grad.copy()
    expected = central_differences(lambda: mlp.loss(net, x, y, l2), net.theta)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-9)
    assert np.abs(got).max() > 1e-3  # a gradient of zeros would pass trivially


@pytest.mark.parametrize("activation", list(mlp.ACTIVATIONS))
def test_forward_is_chapter_ones_neurons_layer_after_layer(activation):
    net, x, _ = problem((2, 4, 3, 1), activation, 5)
    ps = net.forward(x)
    for i, row in enumerate(x):
        zs, acts = naive_forward(net, row)
        for l, z in enumerate(zs):
            np.testing.assert_allclose(ps.z[l][i], z, rtol=1e-12, atol=1e-14)
            np.testing.assert_allclose(ps.a[l + 1][i], acts[l + 1], rtol=1e-12, atol=1e-14)


def test_a_step_worked_by_hand():
    # One input, no hidden layer: w = 0.5, b = −1, x = 2 gives z = 0, so p = 0.5.
    net = mlp.MLP((1, 1), "tanh", np.random.default_rng(0))
    net.W[0][:] = [[0.5], [-1.0]]
    x, y = np.array([[2.0]]), np.array([[1.0]])
    assert mlp.loss(net, x, y) == pytest.approx(math.log(2))  # −log(0.5)
    ps = mlp.train_step(net, x, y, lr=0.1)
    assert ps.a[-1][0, 0] == pytest.approx(0.5)
    assert ps.delta[0][0, 0] == pytest.approx(-0.5)  # p − y
    np.testing.assert_allclose(net.G[0], [[-1.0], [-0.5]])  # (p − y) × x, and (p − y) × 1
    np.testing.assert_allclose(net.W[0], [[0.6], [-0.95]])  # w − 0.1 × grad


def test_l2_pulls_weights_but_not_biases_towards_zero():
    net = mlp.MLP((1, 1), "tanh", np.random.default_rng(0))
    net.W[0][:] = [[2.0], [3.0]]
    x, y = np.array([[0.0]]), np.array([[0.5]])  # the data alone asks nothing of the weight
    net.backward(net.forward(x), y, l2=0.1)
    p = 1 / (1 + math.exp(-3.0))
    np.testing.assert_allclose(net.G[0], [[0.1 * 2.0], [p - 0.5]])


def test_the_loss_never_takes_the_log_of_zero():
    net = mlp.MLP((1, 1), "linear", np.random.default_rng(0))
    net.W[0][:] = [[1.0], [0.0]]
    x = np.array([[-800.0], [800.0]])
    y = np.array([[1.0], [0.0]])  # both confidently wrong
    assert mlp.loss(net, x, y) == pytest.approx(800.0)
    assert np.all(np.isfinite(net.predict(x)))


@pytest.mark.parametrize("shape", ["circle", "xor"])
def test_an_8_8_tanh_network_learns_circle_and_xor(shape):
    rng = np.random.default_rng(0)
    x, y = ds.SHAPES[shape](rng, 500, 0.0)
    xa, ya, xb, yb = ds.split(rng, x, y, 0.5)
    net = mlp.MLP((2, 8, 8, 1), "tanh", rng)
    before = mlp.accuracy(net, xb, yb)
    for epochs in mlp.sgd(net, xa, ya, batch=10, lr=0.03, l2=0.0, rng=rng):
        if epochs == int(epochs) and mlp.accuracy(net, xb, yb) >= 0.95 or epochs >= 150:
            break
    assert mlp.accuracy(net, xb, yb) >= 0.95 > before
    assert epochs < 150


def test_sgd_visits_every_point_once_per_epoch():
    seen = []

    class Spy(mlp.MLP):
        def forward(self, x):
            seen.extend(x[:, 0].tolist())
            return super().forward(x)

    rng = np.random.default_rng(0)
    net = Spy((1, 1), "tanh", rng)
    x = np.arange(23, dtype=float)[:, None]
    run = mlp.sgd(net, x / 23, (x > 10).astype(float), batch=5, lr=0.1, l2=0.0, rng=rng)
    progress = list(itertools.islice(run, 10))  # two epochs of ceil(23 / 5) = 5 steps
    assert progress[4] == 1.0 and progress[9] == 2.0
    assert all(b > a for a, b in itertools.pairwise(progress))
    for epoch in (seen[:23], seen[23:]):
        assert sorted(epoch) == sorted((x / 23)[:, 0].tolist())
    assert seen[:23] != seen[23:]  # a new order each epoch


# ---------------------------------------------------------------- the playground demo

SVG = "{http://www.w3.org/2000/svg}"


def number(text):
    return float(text.replace("−", "-"))


def n_weights(sizes):
    return sum((a + 1) * b for a, b in itertools.pairwise(sizes))


def node_numbers(network_svg):
    """(layer, neuron) -> the lines of numbers the network drawing shows beside that node."""
    texts = ET.fromstring(network_svg).iter(f"{SVG}text")
    return {tuple(int(k) for k in t.get("data-node").split("-")):
            [span.text for span in t.iter(f"{SVG}tspan")] for t in texts}


def diagram(network_svg):
    """The network drawing's nodes ((layer, neuron) pairs), its number of columns and its
    height in half-rows (a neuron takes two)."""
    root = ET.fromstring(network_svg)
    nodes = [tuple(int(k) for k in g.get("data-node").split("-"))
             for g in root.iter(f"{SVG}g") if "node" in g.get("class", "").split()]
    columns = [s for s in root.iter(f"{SVG}svg") if s.get("class") == "layer"]
    return nodes, len(columns), float(root.get("height")) / draw.HALF_ROW


def test_the_slow_view_shows_the_numbers_of_the_step_it_applies():
    d = pg.Playground(dataset="xor", hidden=(3, 2), activation="tanh", lr="0.3", l2="0.01")
    d.handle("step", None)  # train a little so nothing is at its starting value
    d.handle("example", "7")
    x, y = d.xa[6:7], d.ya[6:7]
    twin = mlp.MLP(d.net.sizes, "tanh", np.random.default_rng(0))  # the trainer's own step
    twin.theta[:] = d.net.theta  # on that one example, for comparison
    ps = mlp.train_step(twin, x, y, lr=0.3, l2=0.01)
    zs, acts = naive_forward(d.net, x[0])  # and chapter 1's neurons, one by one
    L = len(d.net.W)
    last = pg.last_stage(L)
    before = d.render()["text"]  # stage 0, before any press: the example itself
    assert before["example-stage"] == f"0 of {last}"
    assert before["example-title"].startswith(f"The example: x₁ = {signed(x[0, 0], 2)}, ")
    seen = {}
    for stage in range(1, last + 1):  # the first press goes straight to the first layer
        d.handle("next", None)
        shown = d.render()
        assert shown["text"]["example-stage"] == f"{stage} of {last}"
        seen[stage] = shown
    assert node_numbers(seen[1]["svg"]["network"])[(0, 1)] == [f"x = {signed(x[0, 1], 2)}"]
    forward_done = node_numbers(seen[L]["svg"]["network"])  # every layer's sums and activations
    for l in range(L):
        for i in range(len(zs[l])):
            lines = forward_done[(l + 1, i)]
            assert lines == [f"z = {signed(zs[l][i], 3)}", f"a = {signed(acts[l + 1][i], 3)}"]
            assert lines[0] == f"z = {signed(ps.z[l][0, i], 3)}"
    backward_done = node_numbers(seen[2 * L + 1]["svg"]["network"])  # every neuron's error δ too
    for l in range(L):
        for i in range(len(zs[l])):
            delta = backward_done[(l + 1, i)][2]
            assert delta.startswith("δ = ")
            assert number(delta[4:]) == pytest.approx(ps.delta[l][0, i], rel=5e-3, abs=1e-12)
    for l in range(L):  # the weights into each layer, gradient and update, as the step used
        items = seen[2 * L + 1 - l]["items"]["weights"]
        W, G = d.example_step.W[l], twin.G[l]
        assert len(items) == W.size
        for item, (j, i) in zip(items, itertools.product(range(W.shape[1]), range(W.shape[0]))):
            grad, update = re.search(r"gradient (\S+), update (\S+)$", item["text"]).groups()
            assert number(grad) == pytest.approx(G[i, j], rel=5e-3, abs=1e-12)
            assert number(update) == pytest.approx(-0.3 * G[i, j], rel=5e-3, abs=1e-12)
    np.testing.assert_array_equal(d.net.theta, twin.theta)  # the update applied is that step's
    assert seen[last]["text"]["example-title"].startswith("The update is applied")
    after = mlp.loss(d.net, x, y)
    before_shown, after_shown = re.search(r"example: (\S+) before, (\S+) after",
                                          seen[last]["text"]["example-title"]).groups()
    assert number(after_shown) == pytest.approx(after, rel=5e-3)
    p = acts[-1][0]  # chapter 1's neurons' answer before the update: −log(p) or −log(1 − p)
    assert number(before_shown) == pytest.approx(-math.log(p if y[0, 0] else 1 - p), rel=5e-3)


def test_play_trains_in_time_slices_and_pause_stops_at_once():
    d = pg.Playground(dataset="circle", hidden=(4, 2))
    d.handle("tick", None)
    assert d.epoch == 0
    d.handle("play", None)
    assert d.render()["running"]
    first = d.render()["images"]["boundary"]
    losses = []
    for _ in range(10):
        d.handle("tick", None)
        losses.append(d.losses[0])
    assert d.epoch > 1 and losses[-1] < losses[0]
    assert d.render()["images"]["boundary"] != first
    d.handle("pause", None)
    epoch = d.epoch
    d.handle("tick", None)
    assert d.epoch == epoch and not d.render()["running"]


def test_step_is_one_epoch_of_the_shown_batch_size():
    d = pg.Playground(dataset="gaussians", batch=7, train=0.5)
    d.handle("step", None)
    assert d.epoch == 1.0 and d.render()["text"]["epoch"] == "1"


def test_the_network_editor_is_bounded_and_counts_weights():
    d = pg.Playground(hidden=(4, 2))
    assert d.render()["text"]["n-params"] == str(n_weights([2, 4, 2, 1]))
    for _ in range(pg.MAX_LAYERS + 2):
        d.handle("add-layer", None)
    hidden = d.params()["hidden"]
    assert len(hidden) == pg.MAX_LAYERS
    assert d.render()["attrs"]["btn-add-layer"]["aria-disabled"] == "true"
    for _ in range(10):
        d.handle("add-neuron", "5")
        d.handle("remove-neuron", "0")
    hidden = d.params()["hidden"]
    assert hidden[5] == pg.MAX_NEURONS and hidden[0] == 1
    shown = d.render()
    assert shown["text"]["n-params"] == f"{n_weights([2, *hidden, 1]):,}"
    nodes, columns, half_rows = diagram(shown["svg"]["network"])
    assert (columns, half_rows) == (8, 16)
    assert len(nodes) == 2 + sum(hidden) + 1
    assert nodes == [(l, i) for l, n in enumerate([2, *hidden, 1]) for i in range(n)]
    while d.params()["hidden"]:
        d.handle("remove-layer", None)
    shown = d.render()
    assert shown["text"]["n-params"] == "3"
    assert diagram(shown["svg"]["network"])[1:] == (2, 4)
    for bad in ("9", "x", None, "-1"):
        with pytest.raises(InputError):
            d.handle("add-neuron", bad)


def test_a_too_large_learning_rate_is_caught_explained_and_reset_recovers():
    page.create("P", "playground", json.dumps({"dataset": "spiral", "hidden": [8, 8, 8],
                                                "activation": "linear", "lr": "10"}))
    page.event("P", "play", None)
    for _ in range(50):
        reply = json.loads(page.event("P", "tick", None))  # allow_nan=False: NaN would raise
        if not reply["running"]:
            break
    assert reply["attrs"]["status"]["class"] == "status is-diverged"
    assert "learning rate is too large" in reply["text"]["status"]
    assert not any(w in json.dumps(reply).lower() for w in ("nan", "infinity"))
    assert json.loads(page.event("P", "play", None))["running"] is False
    page.event("P", "lr", "0.01")
    after = json.loads(page.event("P", "reset", None))
    assert after["attrs"]["status"]["class"] == "status is-ready" and after["text"]["epoch"] == "0"


def test_the_readers_points_by_click_and_by_keyboard():
    d = pg.Playground()
    n = len(d.xa) + len(d.xb)
    d.handle("place", [0.75, 0.25])  # fractions from the top left: x₁ = 3, x₂ = 3
    assert d.params()["dataset"] == "circle" and d.params()["own_points"] == [[3.0, 3.0, 1]]
    d.handle("next-class", "0")
    d.handle("px", "-2.5")
    d.handle("py", "1")
    d.handle("add-point", None)
    assert d.params()["own_points"][-1] == [-2.5, 1.0, 0]
    assert len(d.xa) + len(d.xb) == n + 2  # added to the circle's points
    d.handle("play", None)
    d.handle("tick", None)
    json.dumps(d.render(), allow_nan=False)
    for bad in ([1.5, 0.2], ["x", 0.2], None, [float("nan"), 0.5]):
        with pytest.raises(InputError):
            d.handle("place", bad)
    with pytest.raises(InputError):
        d.handle("next-class", "2")
    d.handle("clear-points", None)
    assert d.params()["own_points"] == [] and len(d.xa) + len(d.xb) == n
    d.handle("dataset", "yours")  # no shape, and none of the reader's points: nothing to learn
    assert len(d.xa) == 0
    d.handle("play", None)
    assert not d.run.running and "add some" in d.render()["text"]["summary"]
    json.dumps(d.render(), allow_nan=False)


def test_a_click_adds_a_point_to_the_data_there_is_and_training_carries_on():
    d = pg.Playground()
    for _ in range(3):
        d.handle("step", None)
    weights, epoch, xa, xb = d.net.theta.copy(), d.epoch, d.xa.copy(), d.xb.copy()
    d.handle("next-class", "0")
    d.handle("place", [0.5, 0.5])  # the middle of the circle, but orange
    assert d.params()["dataset"] == "circle"
    np.testing.assert_array_equal(d.xa[:len(xa)], xa)  # every point is still there ...
    np.testing.assert_array_equal(d.xb, xb)
    assert d.xa[len(xa):].tolist() == [[0.0, 0.0]] and d.ya[-1, 0] == 0  # ... and one more
    assert d.render()["svg"]["points"].count("<circle") == len(xa) + len(xb) + 2  # and the ring
    np.testing.assert_array_equal(d.net.theta, weights)  # the network is as it was
    assert d.epoch == epoch and "to train on" in d.render()["text"]["summary"]
    d.handle("place", [0.4, 0.5])  # the reader's points split like the rest: the second tests
    assert d.xb[-1].tolist() == [-1.2, 0.0] and "to test on" in d.render()["text"]["summary"]
    d.handle("step", None)  # and training goes on from there, with the new points
    assert d.epoch == epoch + 1


def test_a_learning_rate_that_overshoots_stops_and_says_why():
    d = pg.Playground(lr="10")  # today's default data and network: tanh, 4 and 2 neurons
    start = d.losses[0]
    d.handle("play", None)
    for _ in range(200):
        d.handle("tick", None)
        if not d.run.running:
            break
    shown = d.render()["text"]
    assert d.run.status == "diverged" and d.losses[0] > pg.OVERSHOOT * start
    assert shown["status"].startswith(f"Stopped at epoch {shown['epoch']}: the learning rate "
                                      "is too large.")
    assert f"{start:.3f}" in shown["status"] and shown["train-loss"] in shown["status"]
    assert "press Reset" in shown["status"] and shown["summary"] == shown["status"]
    assert "overshoot" in shown["notice-curve"] or "climbed" in shown["notice-curve"]
    d.handle("play", None)
    assert not d.run.running
    d.handle("lr", "0.03")  # a smaller rate: training starts again from new weights
    d.handle("play", None)
    d.handle("tick", None)
    assert d.run.running and d.losses[0] < start


def test_a_good_learning_rate_never_stops_on_its_own():
    for lr in ("0.03", "0.3", "1"):
        d = pg.Playground(lr=lr)
        d.handle("play", None)
        for _ in range(60):
            d.handle("tick", None)
        assert d.run.running, lr


def test_the_empty_loss_chart_has_an_axis_to_read():
    ticks = re.findall(r'class="tick"[^>]*>([^<]+)<', pg.Playground().render()["svg"]["curve"])
    assert ticks[:2] == ["0", "1"]  # epochs 0 to 1, not 0 to 0


def test_the_slow_views_gradient_words_name_the_l2_term_when_it_is_on():
    def backward_title(l2):
        d = pg.Playground(hidden=[2], l2=l2)
        for _ in range(pg.last_stage(2) - 1):  # to the last backward stage
            d.handle("next", None)
        return d.render()["text"]["example-title"]

    assert "plus 0.01 × the weight itself" in backward_title("0.01")
    assert "plus" not in backward_title("0")


def test_every_neuron_picture_says_what_it_shows():
    d = pg.Playground()
    root = ET.fromstring(d.render()["svg"]["network"])
    nodes = [g for g in root.iter(f"{SVG}g") if "node" in g.get("class", "").split()]
    assert root.get("role") == "group" and len(nodes) == 2 + 4 + 2 + 1
    names = [g.find(f"{SVG}title").text for g in nodes]
    assert all(g.get("role") == "img" for g in nodes)
    # x₁ grows across the plane, x₂ upwards: their pictures say so.
    assert names[0] == "x₁: blue (high) towards the right, orange (low) towards the left"
    assert names[1] == "x₂: blue (high) towards the top, orange (low) towards the bottom"
    assert names[2].startswith("layer 1 neuron 1: ") and names[-1].startswith("output: ")
    # The plane's background is the output neuron's picture: it is said in words too.
    assert d.render()["text"]["plane-words"].endswith(f"{names[-1][len('output: '):]}; blue is "
                                                      "class 1, orange class 0.")
    ring = np.hypot(*draw.GRID.T)  # a made-up neuron: high inside a circle
    v = draw.node_values(np.where(ring < 3, 1.0, -1.0)[:, None], "tanh")[0]
    assert draw.node_words(v) == "blue (high) in the middle, orange (low) around it"


@pytest.mark.parametrize("name,value", [("noise", "nan"), ("batch", "1e400"), ("lr", "0.5"),
                                        ("dataset", "moons"), ("example", "9999"),
                                        ("nonsense", "1")])
def test_bad_input_is_a_message_not_a_crash(name, value):
    d = pg.Playground()
    with pytest.raises(InputError):
        d.handle(name, value)
    json.dumps(d.render(), allow_nan=False)


@pytest.mark.parametrize("hidden", ["abc", [0, 2], [4, 9], [2] * 7, [2.5], None])
def test_a_network_shape_that_cannot_be_built_falls_back_with_a_note(hidden):
    d = pg.Playground(hidden=hidden)
    assert d.params()["hidden"] == list(pg.STATE["hidden"].default)
    assert any("hidden layers" in note for note in d.notes)
    assert d.net.sizes == (2, *pg.STATE["hidden"].default, 1)


def test_a_restored_state_is_checked_against_its_own_data():
    d = pg.Playground(dataset="yours", own_points=[[1, 2, 1.0], [-3, 0.5, 0], [2, 2, 1]],
                      example=3)
    assert d.params()["own_points"] == [[1.0, 2.0, 1], [-3.0, 0.5, 0], [2.0, 2.0, 1]]
    assert len(d.xa) == 2  # round(0.5 × 3) of the three points to train on
    assert d.params()["example"] == 2 and any("no example 3" in n for n in d.notes)
    for bad in ([[7, 0, 1]], [[0, 0, 2]], [[0, 0]], [[0, 0, 1]] * (pg.MAX_OWN + 1)):
        assert pg.Playground(own_points=bad).params()["own_points"] == []


def test_with_no_points_to_train_on_the_example_slider_explains():
    d = pg.Playground(dataset="yours")
    for value in ("1", "2"):
        with pytest.raises(InputError, match="no points yet"):
            d.handle("example", value)
    for name in ("next", "again", "step", "play"):
        d.handle(name, None)
        assert "add some" in d.render()["text"]["summary"]


def test_while_training_render_changes_nothing_and_the_heatmaps_keep_up():
    def heatmaps(shown):
        return [i.get("href") for i in ET.fromstring(shown["svg"]["network"]).iter(f"{SVG}image")]

    d = pg.Playground()
    d.handle("play", None)
    pictures = []
    for _ in range(2 * pg.NODES_EVERY):
        d.handle("tick", None)
        first = d.render()
        assert d.render() == first  # however often the page asks
        pictures.append(heatmaps(first))
    # Redrawn every NODES_EVERY frames while training, not in between (PNGs cost).
    assert pictures[:pg.NODES_EVERY - 1] == [pictures[0]] * (pg.NODES_EVERY - 1)
    assert pictures[pg.NODES_EVERY - 1] != pictures[0]
    d.handle("pause", None)  # paused, they show the weights as they are now
    twin = pg.Playground()
    twin.net.theta[:] = d.net.theta
    twin.handle("px", "1")  # any event redraws them
    assert heatmaps(d.render()) == heatmaps(twin.render())


def test_a_runaway_puts_back_the_last_sane_weights_and_their_epoch():
    d = pg.Playground(dataset="spiral", hidden=[8, 8, 8], activation="linear", lr="10")
    d.handle("play", None)
    while d.run.running:
        d.handle("tick", None)
    assert d.run.status == "diverged" and np.all(np.abs(d.net.theta) < 1e6)
    assert d.render()["text"]["status"].startswith(f"Stopped at epoch {int(d.epoch)}: ")
    assert d.history[-1][0] == d.epoch and math.isfinite(d.losses[0])


def test_the_layer_editor_has_a_plus_and_a_minus_for_every_hidden_layer():
    d = pg.Playground(hidden=[1, pg.MAX_NEURONS, 3])
    items = d.render()["items"]["layers"]
    assert [i["text"] for i in items] == ["inputs", "+", "1", "−", "+", "8", "−", "+", "3", "−",
                                          "output"]
    buttons = [i["attrs"] for i in items if i["tag"] == "button"]
    assert [(b["data-action"], b["data-value"]) for b in buttons] == [
        (f"{way}-neuron", str(layer)) for layer in range(3) for way in ("add", "remove")]
    assert all(b["aria-label"].endswith(f"layer {int(b['data-value']) + 1}") for b in buttons)
    off = [(b["data-action"], b["data-value"]) for b in buttons if b["aria-disabled"]]
    assert off == [("remove-neuron", "0"), ("add-neuron", "1")]


def test_the_networks_geometry_is_declared_once_in_python():
    root = Path(__file__).resolve().parent.parent
    template = (root / "templates" / "demos" / "playground.html").read_text()
    css = (root / "static" / "style.css").read_text()
    assert "range(" not in template and "d.attrs[" not in template and "d.attrs." not in template
    assert not re.search(r"\.(rows|cols)-\d|\.playground \.[cr]\d+ ", css)
