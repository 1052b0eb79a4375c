"""Instruction and preference tuning against independent truths: central differences for
the masked loss and the DPO loss, a zero gradient when both replies are the same, and a few
dozen steps that teach a tiny model where a reply ends."""

import math

import numpy as np
import pytest
from test_transformer import TINY, check, tiny_params

from llmexplain import lm_training as lt
from llmexplain import transformer as tf
from llmexplain import transformer_backward as tb
from llmexplain import tuning


def batch(seed=1, B=2, T=7):
    rng = np.random.default_rng(seed)
    x, y = rng.integers(0, 13, (B, T)), rng.integers(0, 13, (B, T))
    mask = rng.random((B, T)) < 0.5
    mask[0, 0] = True  # at least one target counts
    return x, y, mask


def test_the_masked_loss_counts_only_masked_targets():
    params = tiny_params()
    x, y, mask = batch()
    loss, grads = tb.loss_and_grads(params, x, y, TINY, loss_weights=mask / mask.sum())
    logp = np.log(tf.softmax(tf.forward(params, x, TINY)))
    picked = np.take_along_axis(logp, y[..., None], -1)[..., 0]
    assert loss == pytest.approx(-picked[mask].mean())
    for name in ("wte", "h.0.attn.c_attn.w", "h.1.mlp.c_proj.w", "ln_f.g"):
        check(grads[name], lambda: tb.loss_and_grads(
            params, x, y, TINY, loss_weights=mask / mask.sum())[0], params[name],
            rtol=1e-5, atol=1e-9)


def test_a_masked_target_changes_nothing():
    params = tiny_params()
    x, y, mask = batch()
    hidden = np.flatnonzero(~mask.reshape(-1))[0]
    y2 = y.copy().reshape(-1)
    y2[hidden] = (y2[hidden] + 1) % 13
    a = tb.loss_and_grads(params, x, y, TINY, loss_weights=mask / mask.sum())
    b = tb.loss_and_grads(params, x, y2.reshape(y.shape), TINY, loss_weights=mask / mask.sum())
    assert a[0] == b[0]
    for name in params:
        np.testing.assert_array_equal(a[1][name], b[1][name])


def pair(seed=3, T=7):
    x, y, mask = batch(seed, B=2, T=T)
    x[1, :3] = x[0, :3]  # the same prompt, then two different replies
    mask[:, :2] = False
    return (x[:1], y[:1], mask[:1]), (x[1:], y[1:], mask[1:])


def test_the_dpo_gradient_agrees_with_central_differences():
    params, reference = tiny_params(seed=0), tiny_params(seed=0)
    for name in params:  # the policy has moved away from the reference a little
        params[name] = params[name] + np.random.default_rng(7).normal(0, 0.05, params[name].shape)
    chosen, rejected = pair()
    loss, margin, grads = tuning.dpo_loss_and_grads(params, reference, chosen, rejected, TINY,
                                                    beta=0.5)
    assert loss == pytest.approx(math.log(1 + math.exp(-0.5 * margin)))
    for name in ("wte", "wpe", "h.0.ln_1.g", "h.1.attn.c_proj.w"):
        check(grads[name], lambda: tuning.dpo_loss_and_grads(
            params, reference, chosen, rejected, TINY, beta=0.5)[0], params[name],
            rtol=1e-5, atol=1e-9)


def test_dpo_with_the_same_reply_twice_has_no_gradient():
    params, reference = tiny_params(seed=0), tiny_params(seed=4)
    chosen, _ = pair()
    loss, margin, grads = tuning.dpo_loss_and_grads(params, reference, chosen, chosen, TINY)
    assert margin == 0.0 and loss == pytest.approx(math.log(2))
    for g in grads.values():
        np.testing.assert_allclose(g, 0.0, atol=1e-12)


def test_the_dpo_loss_at_extremes_stays_finite():
    assert tuning.dpo_loss(1e6) == pytest.approx(0.0)
    assert tuning.dpo_loss(-1e6) == pytest.approx(1e6)


def test_new_tokens_extend_the_table_and_keep_the_old_rows():
    params = tiny_params()
    grown, config = tuning.add_tokens(params, TINY, 4, np.random.default_rng(0))
    assert config.vocab_size == 17 and grown["wte"].shape == (17, 8)
    np.testing.assert_array_equal(grown["wte"][:13], params["wte"])
    assert tf.forward(grown, [1, 2, 3], config).shape == (3, 17)


def test_a_few_dozen_steps_teach_where_a_reply_ends():
    """Conversations 'prompt, reply, END' of a tiny vocabulary: after tuning, the model
    predicts END right after each reply far more often than before."""
    END, rng = 12, np.random.default_rng(0)
    config = tf.Config(vocab_size=13, block_size=8, n_layer=1, n_head=2, n_embd=16)
    params = tf.init_params(config, rng)

    def conversation():
        prompt, reply = rng.integers(0, 6, 2), rng.integers(6, 12, int(rng.integers(1, 4)))
        ids = [*prompt, *reply, END]
        return ids, np.arange(1, len(ids)) >= len(prompt)  # learn the reply and END

    def end_rate(params, convs):
        hits = []
        for ids, _ in convs:
            probs = tf.next_token_probs(params, ids[:-1], config)
            hits.append(int(np.argmax(probs)) == END)
        return np.mean(hits)

    held_out = [conversation() for _ in range(50)]
    before = end_rate(params, held_out)
    hyper, adam = lt.Hyper(steps=60, lr=1e-2, warmup=5), lt.adam_init(params)
    for _ in range(60):
        x, y, mask = tuning.windows([conversation() for _ in range(16)], T=7)
        params, adam, _ = tuning.sft_step(params, adam, x, y, mask, config, hyper)
    assert before < 0.3 and end_rate(params, held_out) > 0.9


def test_the_same_seed_gives_the_same_tuned_weights():
    def tune():
        params, adam = tiny_params(seed=0, dtype=np.float32), None
        adam = lt.adam_init(params)
        for seed in range(3):
            x, y, mask = batch(seed)
            params, adam, _ = tuning.sft_step(params, adam, x, y, mask, TINY, lt.Hyper())
        return params
    a, b = tune(), tune()
    for name in a:
        np.testing.assert_array_equal(a[name], b[name])
