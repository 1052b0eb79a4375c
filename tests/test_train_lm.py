"""Chapter 6's training figure under CPython: its curve is the core's, its runs repeat."""

import json
import math

import numpy as np
import pytest

from llmexplain import bpe, page
from llmexplain import lm_training as lt
from llmexplain import transformer as tf
from llmexplain.data import path
from llmexplain.demos import train_lm as tl


def steps(demo, n):
    """n training steps, through the run as a tick takes them."""
    demo.handle("play", None)
    while demo.run.steps < n:
        demo.run.advance(demo._step, n=min(5, n - demo.run.steps))
    demo.handle("pause", None)


def test_its_loss_is_the_cores_for_the_same_seed_and_steps(data_folder):
    demo = tl.TrainLM(seed=4)
    steps(demo, 30)
    # The core by itself: the same seeds, the same batches, train_step thirty times.
    params = tf.init_params(tl.CONFIG, np.random.default_rng([4, 0]))
    adam = lt.adam_init(params)
    stream = lt.batches(np.random.default_rng([4, 1]), demo.train_ids, tl.FIRST_BATCH,
                        tl.CONFIG.block_size)  # the first steps, before the batch grows
    for step in range(1, 31):
        x, y = next(stream)
        params, adam, m = lt.train_step(params, adam, x, y, tl.CONFIG, tl.HYPER)
        if step == 25:  # the held-out score the figure takes every 25 steps
            held = lt.bits_per_character(params, demo.eval_ids, demo.eval_chars, tl.CONFIG)
    # The figure takes fast_train's step, the same arithmetic in float32 summed in another
    # order: equal to a few millionths (AdamW moves a weight by about lr = 0.003 a step).
    for k, w in params.items():
        np.testing.assert_allclose(demo.weights[k], w, rtol=0, atol=3e-6, err_msg=k)
    tokenizer = bpe.Tokenizer(bpe.load(path(tl.TOKENIZER)))
    chars = sum(len(tokenizer.decode([int(t)])) for t in y.ravel())  # the last batch's text
    assert demo.train_curve[-1][1] == pytest.approx(m["loss"] * y.size / math.log(2) / chars,
                                                    rel=1e-5)
    assert demo.heldout_curve[-1] == (25, pytest.approx(held, rel=1e-5))


def test_reset_with_the_same_seed_gives_the_same_curve_and_samples(data_folder):
    demo = tl.TrainLM(seed=2)
    steps(demo, 50)
    first = (list(demo.train_curve), list(demo.heldout_curve), list(demo.samples))
    demo.handle("reset", None)
    assert demo.run.steps == 0 and demo.train_curve == []
    steps(demo, 50)
    assert (demo.train_curve, demo.heldout_curve, demo.samples) == first
    other = tl.TrainLM(seed=3)
    steps(other, 50)
    assert other.train_curve != first[0]


def test_training_lowers_the_held_out_bits_and_the_samples_change(data_folder):
    demo = tl.TrainLM()
    untrained = demo.heldout_curve[0][1]
    assert untrained == pytest.approx(math.log2(4096) / (demo.eval_chars / len(demo.eval_ids)),
                                      rel=0.05)  # a near-uniform guess over 4,096 tokens
    steps(demo, 50)
    assert demo.heldout_curve[-1][0] == 50 and demo.heldout_curve[-1][1] < untrained - 0.3
    assert demo.samples[-1][0] == 50 and demo.samples[-1][1] != demo.samples[0][1]


def test_it_publishes_its_run_for_the_calculator(data_folder):
    reply = json.loads(page.create("T", "train-lm", "{}"))
    assert "publish" not in reply  # nothing trained yet
    demo = page._live["T"]
    steps(demo, 10)
    run = json.loads(page.event("T", "pause", None))["publish"]["training"]
    assert run["params"] == tf.n_params(demo.weights) == 253_920
    assert run["steps"] == 10
    assert run["tokens"] == 10 * tl.FIRST_BATCH * tl.CONFIG.block_size
    assert 0 < run["seconds"] == pytest.approx(demo.seconds, abs=1e-3)


def test_the_prediction_view_is_chapter_5s_bars_for_the_weights_as_they_are(data_folder):
    demo = tl.TrainLM()
    steps(demo, 25)
    demo.handle("predict", None)
    shown = demo.render()
    text = demo.samples[-1][1]
    assert shown["text"]["predict-text"] == text
    tokenizer = bpe.Tokenizer(bpe.load(path(tl.TOKENIZER)))
    probs = tf.next_token_probs(demo.weights, tokenizer.encode(text)[-32:], tl.CONFIG)
    bars = shown["items"]["predict-bars"]
    ids = [int(b["attrs"]["data-value"]) for b in bars[0::3]]
    assert ids == list(np.argsort(-probs, kind="stable")[:10])
    demo.handle("append", str(ids[0]))
    assert demo.render()["text"]["predict-text"] == text + tokenizer.decode([ids[0]])
    demo.handle("predict", None)
    assert demo.render()["attrs"]["predict-view"]["hidden"] is True


def test_the_training_prose_says_what_the_figure_runs(data_folder):
    """Chapter 7's numbers about this model, against the model the figure trains."""
    from tooling import ROOT
    from tooling.corpus import SIMPLE_BOOKS

    prose = " ".join((ROOT / "templates/essays/how-llms-work/7a-training.html").read_text()
                     .split())
    big, _ = tf.load(path("lm-bpe4k.npz"))
    words = {2: "two", 4: "four"}
    assert (f"({words[tl.CONFIG.n_layer]} layers instead of {words[big.n_layer]}, a window of "
            f"{tl.CONFIG.block_size} tokens instead of {big.block_size})") in prose
    assert f"from the {words[len(SIMPLE_BOOKS)]} children’s books" in prose
    assert f"drawn almost at random from its {tl.CONFIG.vocab_size:,}" in prose


def test_the_batch_grows_once_and_a_resumed_stream_is_the_same_stream(data_folder):
    ids = np.arange(5000)
    full = tl.stream(np.random.default_rng(7), ids)
    sizes = [len(next(full)[0]) for _ in range(tl.GROWS_AT + 5)]
    assert sizes == [tl.FIRST_BATCH] * tl.GROWS_AT + [tl.HYPER.batch] * 5
    assert tl.tokens_read(len(sizes)) == sum(sizes) * tl.CONFIG.block_size
    for k in (3, tl.GROWS_AT, tl.GROWS_AT + 2):  # the generator's state after k steps, as saved
        rng = np.random.default_rng(7)
        before = tl.stream(rng, ids)
        for _ in range(k):
            next(before)
        again, ahead = tl.stream(rng, ids, step=k), tl.stream(np.random.default_rng(7), ids)
        for _ in range(k):
            next(ahead)
        for _ in range(4):
            (x1, y1), (x2, y2) = next(again), next(ahead)
            np.testing.assert_array_equal(x1, x2)
            np.testing.assert_array_equal(y1, y2)
