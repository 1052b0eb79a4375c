"""The transformer against independent truths: finite differences for every backward pass,
the causal mask, the KV cache against the full forward pass, and training that learns."""

import itertools
import math
import sys

import numpy as np
import pytest
from conftest import central_differences

from llmexplain import lm_training as lt
from llmexplain import transformer as tf
from llmexplain import transformer_backward as tb

TINY = tf.Config(vocab_size=13, block_size=8, n_layer=2, n_head=2, n_embd=8)


def tiny_params(config=TINY, seed=0, dtype=np.float64):
    """Weights with every entry nudged away from its start (layer norms at exactly 1 and 0
    would hide mistakes), in float64 for finite differences."""
    rng = np.random.default_rng(seed)
    params = tf.init_params(config, rng)
    return {k: (w + rng.normal(0, 0.3, w.shape)).astype(dtype) for k, w in params.items()}


def check(backward_grad, f, x, rtol=1e-6, atol=1e-8):
    """backward_grad (an array shaped like x) against central differences of f() by x."""
    expected = central_differences(f, x.reshape(-1)).reshape(x.shape)
    np.testing.assert_allclose(backward_grad, expected, rtol=rtol, atol=atol)
    assert np.abs(expected).max() > 1e-3  # a gradient of zeros would pass trivially


@pytest.fixture
def rng():
    return np.random.default_rng(42)


# ---------------------------------------------------------------- matrix products

@pytest.mark.parametrize("a_shape,b_shape", [
    ((5, 3), (3, 4)), ((2, 5, 3), (3, 4)), ((2, 3, 5, 6), (6, 7)),
    ((2, 3, 5, 6), (2, 3, 6, 5)), ((4, 6), (6, 1))])
def test_the_einsum_matmul_agrees_with_at(rng, a_shape, b_shape):
    a, b = rng.normal(size=a_shape), rng.normal(size=b_shape)
    np.testing.assert_allclose(tf.matmul_einsum(a, b), a @ b, rtol=1e-12, atol=1e-12)
    # transposed views, as the backward pass makes them
    np.testing.assert_allclose(tf.matmul_einsum(b.swapaxes(-1, -2), a.swapaxes(-1, -2)),
                               b.swapaxes(-1, -2) @ a.swapaxes(-1, -2), rtol=1e-12, atol=1e-12)


def test_the_native_path_uses_at():
    assert sys.platform == "emscripten" or tf.matmul is np.matmul


# ---------------------------------------------------------------- the pieces, forward

def test_pieces_forward(rng):
    x = rng.normal(size=(3, 5, 7))
    np.testing.assert_allclose(tf.softmax(x).sum(-1), 1.0)
    y = tf.layer_norm(x, np.ones(7), np.zeros(7), eps=0.0)
    np.testing.assert_allclose(y.mean(-1), 0.0, atol=1e-12)
    np.testing.assert_allclose(y.std(-1), 1.0)
    erf = np.vectorize(math.erf)  # GELU is x·Φ(x); the tanh form is within 1e-3 of it
    np.testing.assert_allclose(tf.gelu(x), x * 0.5 * (1 + erf(x / math.sqrt(2))), atol=1e-3)
    np.testing.assert_array_equal(tf.merge_heads(tf.split_heads(x[..., :6], 3)), x[..., :6])


def test_attention_weights_are_causal_rows_summing_to_one(rng):
    x = rng.normal(size=(2, 6, 8))
    out, weights, _ = tf.attention(x, rng.normal(size=(8, 24)), rng.normal(size=(8, 8)), 2)
    assert out.shape == (2, 6, 8) and weights.shape == (2, 2, 6, 6)
    np.testing.assert_allclose(weights.sum(-1), 1.0)
    assert np.all(np.triu(weights, k=1) == 0)  # nothing on a later token
    np.testing.assert_array_equal(weights[..., 0, 0], 1.0)  # the first token sees only itself


def test_attention_by_hand_loops(rng):
    """Multi-head attention written as loops over heads and positions."""
    x, w_attn, w_proj = rng.normal(size=(5, 6)), rng.normal(size=(6, 18)), rng.normal(size=(6, 6))
    H, hs = 3, 2
    q, k, v = x @ w_attn[:, :6], x @ w_attn[:, 6:12], x @ w_attn[:, 12:]
    heads = np.zeros((5, 6))
    for h in range(H):
        cols = slice(h * hs, (h + 1) * hs)
        for i in range(5):
            scores = [q[i, cols] @ k[j, cols] / math.sqrt(hs) for j in range(i + 1)]
            w = np.exp(scores) / np.exp(scores).sum()
            heads[i, cols] = sum(w[j] * v[j, cols] for j in range(i + 1))
    out, _, _ = tf.attention(x, w_attn, w_proj, H)
    np.testing.assert_allclose(out, heads @ w_proj, rtol=1e-10)


# ---------------------------------------------------------------- the pieces, backward

def test_layer_norm_backward(rng):
    x, g, b, dout = rng.normal(size=(2, 3, 5)), rng.normal(size=5), rng.normal(size=5), \
        rng.normal(size=(2, 3, 5))
    dx, dg, db = tb.layer_norm_backward(dout, x, g)

    def f():
        return np.sum(tf.layer_norm(x, g, b) * dout)
    check(dx, f, x)
    check(dg, f, g)
    check(db, f, b)


def test_gelu_backward(rng):
    x, dout = rng.normal(0, 2, size=(4, 6)), rng.normal(size=(4, 6))
    check(tb.gelu_backward(dout, x), lambda: np.sum(tf.gelu(x) * dout), x)


def test_softmax_backward(rng):
    s, dout = rng.normal(size=(3, 6)), rng.normal(size=(3, 6))
    check(tb.softmax_backward(dout, tf.softmax(s)), lambda: np.sum(tf.softmax(s) * dout), s)


def test_softmax_cross_entropy(rng):
    logits, targets = rng.normal(0, 3, size=(2, 4, 7)), rng.integers(0, 7, size=(2, 4))
    loss, dlogits = tb.softmax_cross_entropy(logits, targets)
    logp = np.log(tf.softmax(logits))
    expected = -np.mean(np.take_along_axis(logp, targets[..., None], -1))
    assert loss == pytest.approx(expected, rel=1e-12)
    check(dlogits, lambda: tb.softmax_cross_entropy(logits, targets)[0], logits)


def test_mlp_backward(rng):
    x, c_fc, c_proj = rng.normal(size=(2, 3, 4)), rng.normal(size=(4, 16)), rng.normal(size=(16, 4))
    dout = rng.normal(size=(2, 3, 4))
    dx, dc_fc, dc_proj = tb.mlp_backward(dout, x, c_fc, c_proj)

    def f():
        return np.sum(tf.mlp(x, c_fc, c_proj) * dout)
    check(dx, f, x)
    check(dc_fc, f, c_fc)
    check(dc_proj, f, c_proj)


def test_attention_backward(rng):
    n_head, d = 2, 6
    x, c_attn, c_proj = rng.normal(size=(2, 5, d)), rng.normal(size=(d, 3 * d)), \
        rng.normal(size=(d, d))
    dout = rng.normal(size=(2, 5, d))
    _, weights, _ = tf.attention(x, c_attn, c_proj, n_head)
    dx, dc_attn, dc_proj = tb.attention_backward(dout, x, c_attn, c_proj, n_head, weights)

    def f():
        return np.sum(tf.attention(x, c_attn, c_proj, n_head)[0] * dout)
    check(dx, f, x)
    check(dc_attn, f, c_attn)
    check(dc_proj, f, c_proj)


def test_tied_head_backward(rng):
    x, wte, dlogits = rng.normal(size=(2, 3, 4)), rng.normal(size=(7, 4)), rng.normal(size=(2, 3, 7))
    dx, dwte = tb.head_backward(dlogits, x, wte)

    def f():
        return np.sum(tf.matmul(x, wte.T) * dlogits)
    check(dx, f, x)
    check(dwte, f, wte)


def test_embedding_backward_collects_repeated_tokens(rng):
    wte, wpe = rng.normal(size=(5, 3)), rng.normal(size=(6, 3))
    ids = np.array([[1, 1, 4], [0, 1, 2]])  # token 1 three times; wpe rows 3-5 unused
    dx = rng.normal(size=(2, 3, 3))
    dwte, dwpe = tb.embedding_backward(dx, ids, 5, 6)

    def f():
        return np.sum((wte[ids] + wpe[:3]) * dx)
    check(dwte, f, wte)
    check(dwpe, f, wpe)
    np.testing.assert_array_equal(dwpe[3:], 0.0)


def test_whole_model_gradient_for_every_weight():
    params = tiny_params()
    rng = np.random.default_rng(1)
    ids, targets = rng.integers(0, 13, (2, 7)), rng.integers(0, 13, (2, 7))
    loss, grads = tb.loss_and_grads(params, ids, targets, TINY)
    logits = tf.forward(params, ids, TINY)
    logp = np.log(tf.softmax(logits))
    assert loss == pytest.approx(-np.mean(np.take_along_axis(logp, targets[..., None], -1)))
    assert list(grads) == list(params)
    for name, w in params.items():
        check(grads[name], lambda: tb.loss_and_grads(params, ids, targets, TINY)[0], w,
              rtol=1e-5, atol=1e-9)


# ---------------------------------------------------------------- the whole model

def test_a_token_never_sees_later_tokens():
    params = tiny_params()
    ids = np.array([3, 1, 4, 1, 5, 9, 2, 6])
    logits, maps = tf.forward(params, ids, TINY, return_attention=True)
    for i in range(len(ids) - 1):
        changed = ids.copy()
        changed[i + 1:] = (changed[i + 1:] + 5) % 13
        np.testing.assert_allclose(tf.forward(params, changed, TINY)[:i + 1], logits[:i + 1],
                                   rtol=1e-12, atol=1e-12)
    assert len(maps) == TINY.n_layer and all(np.all(np.triu(m, 1) == 0) for m in maps)


def test_a_batch_is_its_rows():
    params = tiny_params()
    ids = np.random.default_rng(0).integers(0, 13, (3, 6))
    batch = tf.forward(params, ids, TINY)
    for row, logits in zip(ids, batch):
        np.testing.assert_allclose(tf.forward(params, row, TINY), logits, rtol=1e-12)


def test_too_many_tokens_is_an_error():
    with pytest.raises(ValueError, match="context window"):
        tf.forward(tiny_params(), np.zeros(9, dtype=int), TINY)


def test_the_kv_cache_gives_the_full_forward_pass():
    params = tiny_params()
    ids = np.random.default_rng(2).integers(0, 13, 20)
    # one token at a time, then the window slides: each step against a full forward pass
    cache = tf.empty_cache(TINY)
    for i, token in enumerate(ids):
        before = cache
        logits, cache = tf.forward_step(params, cache, token)
        window = ids[max(0, i + 1 - TINY.block_size):i + 1]
        np.testing.assert_allclose(logits[-1], tf.forward(params, window, TINY)[-1],
                                   rtol=1e-10, atol=1e-12)
        assert cache["ids"] == tuple(window.tolist())
        assert len(before["ids"]) == min(i, TINY.block_size)  # the old cache is untouched
    # a prompt in two pieces
    logits, cache = tf.forward_step(params, tf.empty_cache(TINY), ids[:3])
    more, cache = tf.forward_step(params, cache, ids[3:7])
    np.testing.assert_allclose(np.concatenate([logits, more]), tf.forward(params, ids[:7], TINY),
                               rtol=1e-10, atol=1e-12)


def test_the_kv_cache_gives_the_full_forward_passs_attention_too():
    params = tiny_params()
    ids = np.random.default_rng(3).integers(0, 13, 12)
    cache = tf.empty_cache(TINY)
    for i, token in enumerate(ids):  # past the window of 8: the rebuilt cache's weights too
        _, cache, maps = tf.forward_step(params, cache, token, return_attention=True)
        window = ids[max(0, i + 1 - TINY.block_size):i + 1]
        _, full = tf.forward(params, window, TINY, return_attention=True)
        for step, whole in zip(maps, full):  # [H, 1, T] against the last row of [H, T, T]
            np.testing.assert_allclose(step[:, -1], whole[:, -1], rtol=1e-10, atol=1e-12)


def test_generate_greedy_is_argmax_of_the_full_forward():
    params = tiny_params()
    prompt = [1, 2, 3]
    got = []
    for token in tf.generate(params, TINY, prompt, np.argmax):
        got.append(token)
        if len(got) == 12:  # past the window of 8
            break
    ids = list(prompt)
    for _ in range(12):
        ids.append(int(np.argmax(tf.forward(params, ids[-TINY.block_size:], TINY)[-1])))
    assert got == ids[3:]


def test_next_token_probs():
    params = tiny_params()
    p = tf.next_token_probs(params, list(range(12)), TINY)  # more than a window: the last 8
    np.testing.assert_allclose(p, tf.softmax(tf.forward(params, list(range(4, 12)), TINY)[-1]))
    assert p.sum() == pytest.approx(1.0)


def test_init_and_parameter_count():
    config = tf.Config()  # chapter 5's model
    params = tf.init_params(config, np.random.default_rng(0))
    assert tf.n_params(params) == 464_000
    assert params["wte"].dtype == np.float32 and params["wte"].shape == (4096, 64)
    assert params["h.3.mlp.c_proj.w"].std() == pytest.approx(0.02 / math.sqrt(8), rel=0.05)


def test_dump_and_load(tmp_path):
    params = tf.init_params(TINY, np.random.default_rng(0))
    tf.dump(tmp_path / "a.npz", TINY, params)
    tf.dump(tmp_path / "b.npz", TINY, params)
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()
    config, loaded = tf.load(tmp_path / "a.npz")
    assert config == TINY and list(loaded) == list(params)
    for name, w in params.items():
        assert loaded[name].dtype == np.float32
        np.testing.assert_array_equal(loaded[name], w.astype(np.float16).astype(np.float32))
    with np.load(tmp_path / "a.npz", allow_pickle=False) as z:  # plain .npy members only
        assert {z[k].dtype for k in z.files} == {np.dtype(np.float16), np.dtype(np.int64)}


# ---------------------------------------------------------------- training

def test_learning_rate_schedule():
    hyper = lt.Hyper(steps=1000, lr=1.0, warmup=10, min_lr=0.1)
    rates = [lt.learning_rate(s, hyper) for s in range(1, 1001)]
    assert rates[0] == pytest.approx(0.1) and rates[9] == pytest.approx(1.0)
    assert all(a >= b for a, b in itertools.pairwise(rates[9:]))  # never rises after warm-up
    assert rates[-1] == pytest.approx(0.1)


def test_adamw_first_step_by_hand():
    # After one step both averages are exactly g and g² once the bias is undone, so each
    # weight moves by lr·(g / |g| + decay·w): lr·(±1 + 0.01·w) for matrices, lr·(±1) otherwise.
    params = {"w": np.array([[2.0, -1.0]]), "g": np.array([3.0])}
    grads = {"w": np.array([[0.5, -4.0]]), "g": np.array([-0.1])}
    hyper = lt.Hyper(steps=10, lr=0.1, warmup=1, eps=0.0)  # step 1: the full 0.1
    new, adam = lt.adamw(params, grads, lt.adam_init(params), hyper)
    np.testing.assert_allclose(new["w"], [[2 - 0.1 * (1 + 0.02), -1 - 0.1 * (-1 - 0.01)]])
    np.testing.assert_allclose(new["g"], [3.0 + 0.1])
    assert adam["t"] == 1 and params["w"][0, 0] == 2.0  # the old weights are unchanged


def test_clip():
    grads = {"a": np.array([3.0]), "b": np.array([[4.0]])}
    clipped, norm = lt.clip(grads, 1.0)
    assert norm == pytest.approx(5.0)
    assert clipped["a"][0] == pytest.approx(0.6) and clipped["b"][0, 0] == pytest.approx(0.8)
    assert lt.clip(grads, 10.0)[0]["a"][0] == 3.0


def test_batches_are_windows_and_their_next_tokens():
    ids = np.arange(100) * 3
    x, y = next(lt.batches(np.random.default_rng(0), ids, 4, 10))
    assert x.shape == y.shape == (4, 10)
    np.testing.assert_array_equal(y, x + 3)
    np.testing.assert_array_equal(np.diff(x, axis=1), 3)


TEXT = ("the cat sat on the mat. the dog sat on the log. the cat and the dog sat on the mat "
        "and the log. ") * 4


def char_ids(text):
    chars = sorted(set(text))
    return np.array([chars.index(c) for c in text]), len(chars)


def test_a_few_hundred_steps_lower_the_loss():
    ids, V = char_ids(TEXT)
    config = tf.Config(vocab_size=V, block_size=16, n_layer=1, n_head=2, n_embd=16)
    hyper = lt.Hyper(steps=300, batch=8, lr=1e-2, warmup=20)
    rng = np.random.default_rng(0)
    params = tf.init_params(config, rng)
    before = lt.bits_per_character(params, ids, len(ids), config)
    steps = list(lt.train(params, lt.adam_init(params), ids, config, hyper, rng))
    losses = [m["loss"] for m in steps]
    assert len(losses) == 300 and steps[-1]["step"] == 300
    assert np.mean(losses[-20:]) < 0.5 * np.mean(losses[:20])
    after = lt.bits_per_character(steps[-1]["params"], ids, len(ids), config)
    assert after < 0.5 * before


# ---------------------------------------------------------------- scoring held-out text

@pytest.mark.parametrize("n", [2, 5, 9, 10, 11, 17, 40, 41, 42, 43])
@pytest.mark.parametrize("T", [4, 8])
def test_windows_score_each_token_once_with_enough_context(n, T):
    scored = []
    for start, first in lt.windows(n, min(T, n - 1)):
        for j in range(first, min(T, n - 1)):
            target = start + 1 + j
            scored.append(target)
            if start > 0:
                assert j >= T // 2  # context before the target, within its window
    assert sorted(scored) == list(range(1, n))


def test_bits_per_character_by_hand():
    params = tiny_params(dtype=np.float32)
    ids = np.array([3, 1, 4, 1, 5, 9])  # fits one window: every token after the first
    logp = np.log(tf.softmax(tf.forward(params, ids[:-1], TINY).astype(np.float64)))
    nats = math.log(13) - sum(logp[i, ids[i + 1]] for i in range(5))  # first token: uniform
    assert lt.bits_per_character(params, ids, 20, TINY) == pytest.approx(
        nats / math.log(2) / 20, rel=1e-5)
    # longer: the same total as scoring each target after its own window, as planned
    ids = np.random.default_rng(3).integers(0, 13, 30)
    nats = math.log(13)
    for start, first in lt.windows(30, 8):
        logp = np.log(tf.softmax(tf.forward(params, ids[start:start + 8], TINY).astype(float)))
        nats -= sum(logp[j, ids[start + 1 + j]] for j in range(first, 8))
    assert lt.bits_per_character(params, ids, 30, TINY, batch=2) == pytest.approx(
        nats / math.log(2) / 30, rel=1e-5)


# ---------------------------------------------------------------- resuming (tools/train_lm.py)

def test_an_interrupted_run_ends_with_the_same_weights(tmp_path):
    from tools import train_lm

    ids, V = char_ids(TEXT)
    config = tf.Config(vocab_size=V, block_size=8, n_layer=1, n_head=2, n_embd=8)
    hyper = lt.Hyper(steps=40, batch=4, lr=1e-2, warmup=5)
    whole, info = train_lm.run(ids, config, hyper, 7, tmp_path / "a.npz")
    assert info["done"]
    _, info = train_lm.run(ids, config, hyper, 7, tmp_path / "b.npz", stop_after=15)
    assert not info["done"]
    _, info = train_lm.run(ids, config, hyper, 7, tmp_path / "b.npz", stop_after=15)
    assert not info["done"]
    rest, info = train_lm.run(ids, config, hyper, 7, tmp_path / "b.npz")
    assert info["done"]
    for name in whole:
        np.testing.assert_array_equal(rest[name], whole[name])
    _, adam, _, _ = lt.load_checkpoint(tmp_path / "b.npz")
    assert adam["t"] == 40
