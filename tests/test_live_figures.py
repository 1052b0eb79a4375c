"""Live math, figure by figure: each suggested experiment, put in the place of the function it
edits, changes the figure the way its notice says; with the package's own function back, the
figure draws exactly as before; and where a figure keeps a fast path beside the readable
function it shows, the two agree.

An experiment is installed as the page installs a reader's edit: its code run in a copy of
the module's globals, the function it defines put on the module under the same name.
"""

import json
import re
import sys

import numpy as np
import pytest

from llmexplain import bpe, layers, learning, live_math, mlp, pretokenize, sampling, scale
from llmexplain import embeddings as emb
from llmexplain import lm_training as lt
from llmexplain.demos import DEMOS
from llmexplain.demos.embeddings import Embeddings
from llmexplain.demos.learning_loop import LearningLoop
from llmexplain.demos.next_token import NextToken
from llmexplain.demos.playground import Playground
from llmexplain.demos.scale import Scale
from llmexplain.demos.tokenizer import LEARN_MERGES, START, Tokenizing, chip
from llmexplain.demos.train_lm import HYPER, TrainLM

EXPERIMENTS = [(key, e) for key, demo in DEMOS.items() for e in demo.experiments]


def compiled(fn, code):
    """The function `code` defines, run as the page runs a reader's edit of `fn`."""
    env = dict(vars(sys.modules[fn.__module__]))  # a copy: the module itself is not touched
    exec(compile(code, f"<{live_math.name_of(fn)}>", "exec"), env)  # noqa: S102 (the edit is ours)
    return env[fn.__name__]


def install(monkeypatch, fn, code):
    """Put the function `code` defines in `fn`'s place, as the page does; undone after."""
    module = sys.modules[fn.__module__]
    monkeypatch.setattr(module, fn.__name__, getattr(module, fn.__name__))  # put back after
    new = compiled(fn, code)
    live_math.install(live_math.name_of(fn), new)
    return new


def experiment(demo, label):
    return next(e for e in demo.experiments if e.label == label)


@pytest.mark.parametrize("key, e", EXPERIMENTS, ids=[f"{k}: {e.label}" for k, e in EXPERIMENTS])
def test_every_experiment_edits_a_shown_function_into_one_of_the_same_name(key, e):
    assert e.fn in DEMOS[key].shows
    new = compiled(e.fn, e.code())
    assert new.__name__ == e.fn.__name__ and callable(new)
    assert e.code() != live_math.source(e.fn)
    assert e.notice.endswith(".") and len(e.notice) < 300


@pytest.mark.parametrize("key", list(DEMOS))
def test_shown_functions_are_the_modules_own_and_looked_up_there(key):
    for fn in DEMOS[key].shows:
        assert live_math.function(live_math.name_of(fn)) is fn
        assert not live_math.edited(fn)


def same_source(monkeypatch, fn):
    """Install the function's own source as if the reader had run it unchanged: the figure
    then takes its readable path, with nothing else different."""
    return install(monkeypatch, fn, live_math.source(fn))


# ---------------------------------------------------------------- next-token

def shown_probs(reply):
    """(token id, probability) of each bar, as the figure draws them."""
    items = reply["items"]["bars"]
    return [(int(b["attrs"]["data-value"]), float(m["attrs"]["value"]))
            for b, m in zip(items[0::3], items[1::3])]


def test_greedy_sampling_puts_everything_on_the_likeliest_token(monkeypatch, data_folder):
    state = {"text": "She opened the door and", "temperature": 1.3}
    before = NextToken(**state).render()
    probs = shown_probs(before)
    assert probs[0][1] < 0.9
    install(monkeypatch, sampling.distribution,
            experiment(NextToken, "Greedy: always the likeliest token").code())
    greedy = NextToken(**state)
    after = shown_probs(greedy.render())
    assert after[0] == (probs[0][0], 1.0)  # the same token, now certain
    assert all(p == 0 for _, p in after[1:])
    greedy.sample()
    assert greedy.state["reply"] == [probs[0][0]]
    monkeypatch.undo()
    assert NextToken(**state).render() == before


# ---------------------------------------------------------------- train-lm

def dashed(svg):
    """The learning-rate line's heights at its points, left to right (SVG y: larger is
    lower)."""
    ends = re.findall(r'<line[^>]*y1="([\d.]+)"[^>]*y2="([\d.]+)"[^>]*class="line-before"', svg)
    return [float(y1) for y1, _ in ends] + [float(ends[-1][1])]


def test_the_training_curve_draws_the_schedule_the_learning_rate_function_gives(data_folder):
    heights = dashed(TrainLM(seed=1).render()["svg"]["curve"])
    # At step 0 the axis spans 50 steps: all warm-up, a straight climb from near zero.
    assert len(heights) > 20
    assert heights == sorted(heights, reverse=True)  # climbing
    assert heights[0] > 130 and heights[-1] == pytest.approx(140 - 140 / 1.25, abs=0.5)


def test_a_constant_learning_rate_flattens_the_schedule_and_reaches_the_step(monkeypatch,
                                                                              data_folder):
    before = TrainLM(seed=1).render()
    install(monkeypatch, lt.learning_rate,
            experiment(TrainLM, "A constant learning rate").code())
    assert lt.learning_rate(1, HYPER) == HYPER.lr
    heights = dashed(TrainLM(seed=1).render()["svg"]["curve"])
    assert len(set(heights)) == 1 and heights[0] == pytest.approx(140 - 140 / 1.25, abs=0.5)
    # train_step finds the reader's learning_rate by name: its very first step is full size.
    config = lt.tf.Config(vocab_size=8, block_size=4, n_layer=1, n_head=1, n_embd=4)
    params = lt.tf.init_params(config, np.random.default_rng(0))
    x = np.arange(8).reshape(2, 4) % 8  # [2, 4]
    _, _, metrics = lt.train_step(params, lt.adam_init(params), x, (x + 1) % 8, config, HYPER)
    assert metrics["lr"] == HYPER.lr
    monkeypatch.undo()
    assert TrainLM(seed=1).render() == before


# ---------------------------------------------------------------- scale

RUN = {"params": 464_000, "tokens": 2_048_000, "seconds": 41.5, "steps": 500}


def scale_text():
    figure = Scale()
    figure.handle("training", json.dumps(RUN))
    return figure.render()["text"]


def test_counting_the_forward_pass_only_divides_the_arithmetic_by_three(monkeypatch,
                                                                         data_folder):
    before = scale_text()
    assert before["run-arithmetic"].startswith("6 × 464,000 × 2,048,000 = ")
    install(monkeypatch, scale.training_flops,
            experiment(Scale, "Forward pass only: 2 in place of 6").code())
    after = scale_text()
    assert after["run-arithmetic"].startswith("2 × 464,000 × 2,048,000 = ")
    assert after["gpt-3-time"] == before["gpt-3-time"]  # 6·P·T over 6·P·T: the factor cancels
    assert after["gpt-4-time"] != before["gpt-4-time"]  # a reported total over a third the rate
    assert after["reply-time"] != before["reply-time"]
    monkeypatch.undo()
    assert scale_text() == before


# ---------------------------------------------------------------- embeddings

def neighbours(reply):
    """The words listed nearest, without their scores ('paris 0.83' -> 'paris')."""
    return [b["text"].split(" ")[0] for b in reply["items"]["neighbours"]]


def test_readable_similarities_are_the_cosines_the_fast_path_gives():
    rng = np.random.default_rng(0)
    raw = rng.normal(size=(40, 6)).astype(np.float32) * rng.uniform(0.1, 9, (40, 1))  # [40, 6]
    raw[3] = 0  # no direction: similarity 0, no NaN
    vector = rng.normal(size=6)  # [6]
    want = [emb.cosine(row, vector) for row in raw]  # one pair at a time, in float64
    assert emb.similarities(raw, vector) == pytest.approx(want, abs=1e-6)
    assert emb.unit_similarities(emb.normalise(raw), vector) == pytest.approx(want, abs=1e-6)


def test_the_figure_gives_the_same_neighbours_on_its_readable_path(monkeypatch, data_folder):
    state = {"word": "paris", "a": "king", "b": "man", "c": "woman"}
    before = Embeddings(**state).render()
    same_source(monkeypatch, emb.similarities)
    after = Embeddings(**state).render()
    assert after["items"]["neighbours"] == before["items"]["neighbours"]  # words and scores
    assert after["items"]["answers"] == before["items"]["answers"]  # scores to 2 decimals


def test_the_dot_product_prefers_long_vectors(monkeypatch, data_folder):
    state = {"word": "king"}
    before = Embeddings(**state).render()
    install(monkeypatch, emb.similarities,
            experiment(Embeddings, "The dot product in place of the cosine").code())
    demo = Embeddings(**state)
    after = demo.render()
    t = demo.table
    assert neighbours(after) != neighbours(before)
    # What the figure lists is the ten largest raw dot products with the word, worked out here.
    dots = t.raw @ t.raw[t.row["king"]]  # [n]
    dots[t.row["king"]] = -np.inf
    assert neighbours(after) == [t.words[r] for r in np.argsort(-dots, kind="stable")[:10]]
    titles = [b["attrs"]["title"] for b in after["items"]["neighbours"]]
    assert not any("cosine" in title for title in titles), titles  # whatever similarities() gives

    def length(words):
        return np.mean([np.linalg.norm(t.raw[t.row[w]]) for w in words])

    assert length(neighbours(after)) > length(neighbours(before))
    monkeypatch.undo()
    assert Embeddings(**state).render() == before


# ---------------------------------------------------------------- learning

def test_nudging_the_weights_finds_the_gradient_the_formula_gives():
    rng = np.random.default_rng(1)
    for _ in range(5):
        x, y = rng.uniform(-1, 1, 7), rng.uniform(-1, 1, 7)  # [7], [7]
        w = rng.normal(size=2)  # [2]
        assert learning.nudged_gradient(w, x, y) == pytest.approx(
            learning.gradient(w, x, y), abs=1e-6)
        m = learning.train_step(w, x, y, 0.1, nudge=True)
        assert m["w"] == pytest.approx(learning.train_step(w, x, y, 0.1)["w"], abs=1e-7)


def turns(demo, n):
    for _ in range(n):
        demo.step()
    return demo.render()


def test_absolute_error_drives_the_loop_with_its_own_gradient(monkeypatch):
    before = turns(LearningLoop(), 10)
    install(monkeypatch, learning.loss,
            experiment(LearningLoop, "Absolute error in place of squared error").code())
    demo = LearningLoop()
    x, y, w = demo.x, demo.y, demo.start.copy()
    assert float(learning.loss(w, x, y)) == pytest.approx(np.mean(np.abs(w[0] * x + w[1] - y)))
    after = turns(demo, 10)
    # The same ten turns worked out here: the slope of |miss| is its sign.
    X = np.stack([x, np.ones_like(x)], axis=1)  # [n, 2]
    for _ in range(10):
        w = w - demo.lr * X.T @ np.sign(X @ w - y) / len(x)  # [2]
    assert demo.w == pytest.approx(w, abs=1e-6)
    assert after["text"]["loss"] != before["text"]["loss"]
    assert after["text"]["phase-2"].startswith("Loss = your loss() = ")
    assert after["text"]["phase-3"].startswith("Gradient, found by nudging each weight: ")
    # The bottom: some line through two of the points is the best for absolute error (a
    # corner of a linear programme), so the best of all those lines is the truth.
    pairs = [(i, j) for i in range(len(x)) for j in range(i + 1, len(x)) if x[i] != x[j]]
    lines = [np.array([(y[j] - y[i]) / (x[j] - x[i]), 0.0]) for i, j in pairs]  # slopes
    lines = [w + [0.0, y[i] - w[0] * x[i]] for w, (i, _) in zip(lines, pairs)]  # [2] each
    truth = min(float(np.mean(np.abs(w[0] * x + w[1] - y))) for w in lines)
    assert demo.loss_at(demo.best) == pytest.approx(truth, abs=1e-3)
    assert demo.loss_at(demo.best) < demo.loss_at(learning.best_fit(x, y))
    assert 'class="level"' in before["svg"]["landscape"]
    assert 'class="level"' not in after["svg"]["landscape"]  # squared error's bowl, not drawn
    monkeypatch.undo()
    assert turns(LearningLoop(), 10) == before


def test_a_readers_gradient_is_used_as_written(monkeypatch):
    """Their own gradient runs, even beside their own loss: here, one walking uphill."""
    install(monkeypatch, learning.loss, live_math.source(learning.loss))
    install(monkeypatch, learning.gradient, live_math.source(learning.gradient).replace(
        "return 2.0", "return -2.0"))
    demo = LearningLoop()
    start = demo.loss_at(demo.w)
    demo.step()
    assert not demo.last["nudged"] and demo.loss_at(demo.w) > start


# ---------------------------------------------------------------- tokenizer

TEXT = "the cat sat on the mat; the hat, that cat"


def first_pair_by_hand(text, pick):
    """The pair of neighbouring bytes `pick` (max or min) chooses by count, counted here
    piece by piece of the pre-split, ties to the pair that sorts first."""
    counts = {}
    for piece in pretokenize.split(text):
        raw = piece.encode("utf-8")
        for i in range(len(raw) - 1):
            pair = raw[i:i + 1], raw[i + 1:i + 2]
            counts[pair] = counts.get(pair, 0) + 1
    best = pick(counts.values())
    a, b = min(p for p, n in counts.items() if n == best)
    return chip(a + b)[0]


def test_the_plain_trainer_learns_the_merges_the_fast_one_does():
    rng = np.random.default_rng(2)
    texts = [TEXT, START, "aaaa aaa aa a", "ab abc bc abcabc", "こんにちは、世界 こんにちは 🍕🍕",
             "".join(rng.choice(list("ab c\n"), 400))]
    for text in texts:
        fast = bpe.train(text, bpe.BYTES + 30)
        assert bpe.learn(text, 30) == fast[:30], text


def test_the_figure_learns_its_first_merges_from_the_text(data_folder):
    shown = Tokenizing(text=TEXT).render()["text"]["text-merges"].split("  ")
    assert len(shown) == LEARN_MERGES
    assert shown[0] == first_pair_by_hand(TEXT, max)


def test_the_rarest_pair_rule_changes_what_is_learned(monkeypatch, data_folder):
    before = Tokenizing(text=TEXT).render()
    install(monkeypatch, bpe.best_pair,
            experiment(Tokenizing, "A merge rule that picks the rarest pair").code())
    after = Tokenizing(text=TEXT).render()
    first = after["text"]["text-merges"].split("  ")[0]
    assert first == first_pair_by_hand(TEXT, min) != before["text"]["text-merges"].split("  ")[0]
    assert after["items"] == before["items"]  # the chips are our trained tokenizer's still
    monkeypatch.undo()
    assert Tokenizing(text=TEXT).render() == before


# ---------------------------------------------------------------- playground

@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid", "linear"])
def test_the_plain_layers_give_the_fast_passes_numbers(activation):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(9, 2))  # [9, 2]
    y = (rng.random((9, 1)) < 0.5).astype(float)  # [9, 1]
    fast = mlp.MLP((2, 5, 3, 1), activation, np.random.default_rng(4))
    plain = mlp.MLP((2, 5, 3, 1), activation, np.random.default_rng(4))
    plain.readable = True
    for _ in range(20):  # a few steps: the weights leave where they started, together
        f, p = fast.backward(fast.forward(x), y, 0.01), plain.backward(plain.forward(x), y, 0.01)
        for mine, theirs in zip(f.z + f.a + f.delta, p.z + p.a + p.delta):
            assert theirs == pytest.approx(mine, abs=1e-12)
        assert plain.grad == pytest.approx(fast.grad, abs=1e-12)
        fast.update(0.5)
        plain.update(0.5)


def finite_differences(net, x, y, h=1e-6):
    """d loss / d theta by nudging each weight in turn: the truth a gradient must match."""
    g = np.zeros(net.n_params)  # [n_params]
    for i in range(net.n_params):
        keep = net.theta[i]
        net.theta[i] = keep + h
        up = mlp.loss(net, x, y)
        net.theta[i] = keep - h
        down = mlp.loss(net, x, y)
        net.theta[i] = keep
        g[i] = (up - down) / (2 * h)
    return g


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
def test_the_plain_backward_pass_is_the_losss_gradient(activation):
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(6, 2)), (rng.random((6, 1)) < 0.5).astype(float)  # [6, 2], [6, 1]
    net = mlp.MLP((2, 4, 3, 1), activation, np.random.default_rng(6))
    net.readable = True
    # subtle: the biases start at 0, so a point that no ReLU passes sits on the kink at z = 0,
    # where nudging sees half the slope: a few steps move every bias off it.
    for _ in range(3):
        mlp.train_step(net, x, y, 0.1)
    net.backward(net.forward(x), y)
    assert net.grad == pytest.approx(finite_differences(net, x, y), abs=1e-6)


def trained(steps=3000):
    demo = Playground()
    demo._sgd_steps(steps)
    demo._record()
    return demo


def test_forgetting_the_slope_breaks_the_gradient_and_the_training(monkeypatch):
    before = trained()
    assert before.losses[0] < 0.1
    install(monkeypatch, layers.backward,
            experiment(Playground, "Forget the activation's slope on the way back").code())
    demo = Playground()
    assert demo.net.readable
    x, y = demo.xa[:6], demo.ya[:6]  # [6, 2], [6, 1]
    demo.net.backward(demo.net.forward(x), y)
    assert demo.net.grad != pytest.approx(finite_differences(demo.net, x, y), abs=1e-3)
    stalled = trained()
    assert stalled.losses[0] > 0.6  # near a coin toss's log 2 = 0.69
    monkeypatch.undo()
    again = trained()
    assert not again.net.readable and again.render() == before.render()


def test_the_figure_trains_alike_on_its_readable_path(monkeypatch):
    before = trained(500)
    same_source(monkeypatch, layers.slope)
    after = trained(500)
    assert after.net.readable
    assert after.net.theta == pytest.approx(before.net.theta, abs=1e-9)
    assert after.losses == pytest.approx(before.losses, abs=1e-12)


# ---------------------------------------------------------------- every figure

SHOWN = [(key, fn) for key, demo in DEMOS.items() for fn in demo.shows]


@pytest.mark.parametrize("key, fn", SHOWN,
                         ids=[f"{k}: {live_math.name_of(fn)}" for k, fn in SHOWN])
def test_running_a_shown_function_unchanged_draws_the_same_figure(monkeypatch, data_folder,
                                                                  key, fn):
    """The reader presses Run without changing a thing: the figure takes its readable path,
    if it has one, and draws exactly what it drew."""
    before = DEMOS[key]().render()
    same_source(monkeypatch, fn)
    assert live_math.edited(fn)
    assert DEMOS[key]().render() == before
