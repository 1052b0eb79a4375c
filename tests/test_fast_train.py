"""The fast training step against the readable one it stands in for, on a real batch of
chapter 6's model, and against finite differences; and the figure's switch between the two."""

import numpy as np
import pytest
from conftest import central_differences

from llmexplain import fast_train as ft
from llmexplain import live_math
from llmexplain import lm_training as lt
from llmexplain import transformer as tf
from llmexplain import transformer_backward as tb
from llmexplain.demos import train_lm as tl

TINY = tf.Config(vocab_size=13, block_size=8, n_layer=2, n_head=2, n_embd=8)


@pytest.fixture(scope="module")
def real(data_folder):
    """Chapter 6's model as the figure starts it, and its first batches of the books."""
    demo = tl.TrainLM()
    params = tf.init_params(tl.CONFIG, np.random.default_rng([1, 0]))
    stream = lt.batches(np.random.default_rng([1, 1]), demo.train_ids, tl.HYPER.batch,
                        tl.CONFIG.block_size)
    return params, [next(stream) for _ in range(6)]


def test_its_loss_and_gradient_are_the_readable_ones_on_a_real_batch(real):
    params, batches = real
    x, y = batches[0]
    loss, grads = tb.loss_and_grads(params, x, y, tl.CONFIG)
    fast = ft.Trainer(params, lt.adam_init(params), tl.CONFIG, tl.HYPER)
    assert fast.loss_and_grads(x, y) == pytest.approx(loss, rel=1e-6)
    for name, g in grads.items():
        # float32 sums in another order: agreement to a few millionths of the largest entry
        np.testing.assert_allclose(fast.grads[name], g, rtol=0, atol=3e-6 * np.abs(g).max(),
                                   err_msg=name)
        assert fast.grads[name].dtype == np.float32


def test_its_steps_are_the_readable_ones(real):
    params, batches = real
    adam = lt.adam_init(params)
    fast = ft.Trainer(params, adam, tl.CONFIG, tl.HYPER)
    for x, y in batches:
        params, adam, m = lt.train_step(params, adam, x, y, tl.CONFIG, tl.HYPER)
        got = fast.train_step(x, y)
        assert got.keys() == m.keys() and got["step"] == m["step"]
        assert got["loss"] == pytest.approx(m["loss"], rel=1e-6)
        assert got["lr"] == m["lr"] and got["grad_norm"] == pytest.approx(m["grad_norm"], rel=1e-4)
    assert fast.adam["t"] == adam["t"] == len(batches)
    for name, w in params.items():
        # AdamW moves each weight by about lr a step, whatever its gradient's size
        np.testing.assert_allclose(fast.params[name], w, rtol=0, atol=2e-6, err_msg=name)
        np.testing.assert_allclose(fast.adam["m"][name], adam["m"][name], rtol=0,
                                   atol=1e-4 * np.abs(adam["m"][name]).max() + 1e-12, err_msg=name)
        np.testing.assert_allclose(fast.adam["v"][name], adam["v"][name], rtol=0,
                                   atol=1e-4 * np.abs(adam["v"][name]).max() + 1e-15, err_msg=name)


def test_its_gradient_is_the_slope_of_its_loss():
    """In float64 on a tiny model, against central differences: an independent truth."""
    rng = np.random.default_rng(0)
    params = {k: (w + rng.normal(0, 0.3, w.shape)).astype(np.float64)
              for k, w in tf.init_params(TINY, rng).items()}
    fast = ft.Trainer(params, lt.adam_init(params), TINY, lt.Hyper(), dtype=np.float64)
    x, y = rng.integers(0, TINY.vocab_size, (2, 2, 6))
    fast.loss_and_grads(x, y)
    grads = {k: g.copy() for k, g in fast.grads.items()}
    for name in params:
        w = fast.params[name].reshape(-1)
        expected = central_differences(lambda: fast.loss_and_grads(x, y), w).reshape(w.size)
        np.testing.assert_allclose(grads[name].reshape(-1), expected, rtol=1e-6, atol=1e-8,
                                   err_msg=name)


def test_weight_decay_pulls_only_matrices():
    params = tf.init_params(TINY, np.random.default_rng(0))
    hyper = lt.Hyper(weight_decay=0.5, warmup=1)
    fast = ft.Trainer(params, lt.adam_init(params), TINY, hyper)
    fast.grad[:] = 0.0  # no gradient: only the decay moves anything
    fast.update(0.0)
    for name, w in params.items():
        want = w * (1 - lt.learning_rate(1, hyper) * 0.5) if w.ndim == 2 else w
        np.testing.assert_allclose(fast.params[name], want, rtol=1e-6, err_msg=name)


def test_the_figure_runs_the_readers_train_step_and_then_its_own_again(data_folder):
    demo = tl.TrainLM(seed=5)
    demo.handle("play", None)
    demo.run.advance(demo._step, n=2)
    # The reader's version: a step that counts, but changes no weight.
    mine = live_math.compiled("lm_training.train_step", live_math.source(lt.train_step).replace(
        "params, adam = adamw(params, grads, adam, hyper)", "adam = {**adam, 't': adam['t'] + 1}"))
    before = {k: w.copy() for k, w in demo.weights.items()}
    live_math.install("lm_training.train_step", mine)
    try:
        demo.run.advance(demo._step, n=2)
        for name, w in before.items():
            np.testing.assert_array_equal(demo.weights[name], w, err_msg=name)
    finally:
        live_math.install("lm_training.train_step", None)
    demo.run.advance(demo._step, n=2)  # the fast path again, from where the reader's left it
    assert demo.weights is demo.fast.params and demo.adam["t"] == 6

    twin = tl.TrainLM(seed=5)  # the same six batches through the readable path
    params = {k: w.copy() for k, w in twin.weights.items()}
    adam = lt.adam_init(params)
    for step in range(1, 7):
        x, y = next(twin.stream)
        if step in (3, 4):
            adam = {**adam, "t": adam["t"] + 1}
        else:
            params, adam, _ = lt.train_step(params, adam, x, y, tl.CONFIG, tl.HYPER)
    for name, w in params.items():
        np.testing.assert_allclose(demo.weights[name], w, rtol=0, atol=2e-6, err_msg=name)


def test_its_held_out_score_is_the_readable_one(real):
    """Only the scored rows go through its output layer; the score is the same."""
    params, batches = real
    demo = tl.TrainLM()
    fast = ft.Trainer(params, lt.adam_init(params), tl.CONFIG, tl.HYPER)
    for x, y in batches[:3]:
        fast.train_step(x, y)  # trained a little: not the flat start
    ids = demo.eval_ids[:300]
    readable = lt.bits_per_character(fast.params, ids, 1000, tl.CONFIG)
    for batch in (16, 5):  # the last chunk smaller than the buffer, too
        got = lt.bits_per_character(fast.params, ids, 1000, tl.CONFIG, batch=batch,
                                    log_probs=fast.target_log_probs)
        assert got == pytest.approx(readable, rel=1e-6)
