"""Chapter 5 — a transformer language model: read some tokens, score every possible next one.

A decoder-only transformer in the style of GPT-2 (and of jaymody/picoGPT): each token id
picks a row of numbers (its embedding) to which the row for its position is added; a stack
of blocks then lets every token gather what it needs from the tokens before it (attention)
and think it over on its own (the MLP); finally each token's row is compared with every
token's embedding, giving one score (a logit) per token of the vocabulary for what comes
next. The same table serves as input embeddings and output head ("tied" weights).

Shapes used below:
    V       vocab_size, the tokens the model knows
    T       tokens in the window (at most block_size)
    d       n_embd, the numbers that travel with each token
    H, hs   n_head attention heads, each of hs = d / H numbers
    ...     any leading shape: nothing for one text, [B] for a batch of B texts
    ids     [..., T] token ids
    x       [..., T, d] each token's running row (the "residual stream")
    logits  [..., T, V] scores for the token after each position
    weights [..., H, T, T] how much each token attends to each earlier one, per head

The weights are a plain dict, name -> array, with GPT-2's names: "wte" [V, d] token
embeddings, "wpe" [block_size, d] position embeddings, per block l "h.{l}.ln_1.g" ...
"h.{l}.mlp.c_proj.w", then "ln_f.g" and "ln_f.b". Linear layers have no biases.

>>> config = Config(vocab_size=10, block_size=8, n_layer=1, n_head=2, n_embd=8)
>>> params = init_params(config, np.random.default_rng(0))
>>> forward(params, [3, 1, 4], config).shape        # a score for each of 10 tokens, 3 times
(3, 10)
>>> round(float(next_token_probs(params, [3, 1, 4], config).sum()), 6)
1.0
"""

import io
import math
import sys
import zipfile
from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True)
class Config:
    vocab_size: int = 4096  # V: how many different tokens there are (our bpe-4k)
    block_size: int = 64  # the context window: the most tokens the model looks at at once
    n_layer: int = 4  # blocks, one after another
    n_head: int = 4  # H: attention heads in each block, each reading d / H of the numbers
    n_embd: int = 64  # d: numbers per token as it travels through the blocks


# ---------------------------------------------------------------- matrix products

def matmul_einsum(a, b):
    """a @ b as Pyodide's numpy (no BLAS) does it fastest, chosen by shape (measured):

    with a weight matrix b [k, m], np.einsum: as fast as `@` for a [..., n, k], and 10× faster
    when a is a transposed view, as in the backward pass's x.T @ dout (57 vs 566 ms for the
    tied head's [4096, 512]·[512, 48]); attention's batched products (b [..., k, m]) through
    `@`, 3–4× faster there than einsum ([16, 4, 32, 12]·[16, 4, 12, 32]: 0.4 vs 1.3 ms).
    Natively numpy calls BLAS for `@`, faster than einsum everywhere.
    a [..., n, k], b [..., k, m] or [k, m] -> [..., n, m]."""
    if b.ndim > 2:
        return np.matmul(a, b)
    out = np.einsum("ij,jk->ik", a.reshape(-1, a.shape[-1]), b)  # [rows, m]
    return out.reshape(*a.shape[:-1], b.shape[-1])


# Every matrix product in the model goes through this one name.
matmul = matmul_einsum if sys.platform == "emscripten" else np.matmul


# ---------------------------------------------------------------- the pieces

def softmax(x):
    """Scores -> probabilities along the last axis: exp, then divide by the sum.

    >>> softmax(np.array([0.0, np.log(3.0)])).tolist()
    [0.25, 0.75]
    """
    # subtle: exp(1000) overflows; shifting by the largest score changes nothing else.
    e = np.exp(x - x.max(axis=-1, keepdims=True))  # [..., n]
    return e / e.sum(axis=-1, keepdims=True)


def layer_norm(x, g, b, eps=1e-5):
    """Each row shifted to mean 0 and scaled to variance 1, then by gain g and bias b [d].

    >>> layer_norm(np.array([1.0, 2.0, 3.0]), np.ones(3), np.zeros(3)).round(3).tolist()
    [-1.225, 0.0, 1.225]
    """
    # subtle: sums ÷ d, not .mean(), whose Python wrapper makes it 3–4× a sum's cost in
    # Pyodide: a generated token takes 18 of them.
    d = x.shape[-1]
    centred = x - x.sum(axis=-1, keepdims=True) / d  # [..., d]
    var = (centred * centred).sum(axis=-1, keepdims=True) / d  # [..., 1]
    return g * centred / np.sqrt(var + eps) + b  # [..., d]


GELU_C = math.sqrt(2.0 / math.pi)


def gelu(x):
    """GPT-2's activation: about x for large x, about 0 for very negative x, smooth between.

    >>> gelu(np.array([-3.0, 0.0, 1.0, 3.0])).round(4).tolist()
    [-0.0036, 0.0, 0.8412, 2.9964]
    """
    # subtle: x * x * x, not x**3, which numpy computes with a general power, 250× slower.
    return 0.5 * x * (1.0 + np.tanh(GELU_C * (x + 0.044715 * x * x * x)))


def split_heads(x, n_head):
    """[..., T, d] -> [..., H, T, hs]: each head gets its own slice of the numbers."""
    *lead, T, d = x.shape
    return x.reshape(*lead, T, n_head, d // n_head).swapaxes(-2, -3)


def merge_heads(x):
    """[..., H, T, hs] -> [..., T, d]: the heads' answers side by side again."""
    *lead, H, T, hs = x.shape
    return x.swapaxes(-2, -3).reshape(*lead, T, H * hs)


def attend(q, k, v):
    """Each query's average of the values, weighted by how well it matches each key.

    q [..., H, Tq, hs]; k, v [..., H, Tk, hs], where the queries are the last Tq of the Tk
    tokens. A query never sees a key that comes after it (the causal mask), so a token's
    result cannot depend on the tokens that follow it.
    Returns (out [..., H, Tq, hs], weights [..., H, Tq, Tk]); each row of weights sums to 1.
    """
    Tq, Tk = q.shape[-2], k.shape[-2]
    scores = matmul(q, k.swapaxes(-1, -2)) / math.sqrt(q.shape[-1])  # [..., H, Tq, Tk]
    if Tq > 1:  # (one query, the newest token, sees every key: nothing to mask)
        future = ~np.tri(Tq, Tk, Tk - Tq, dtype=bool)  # [Tq, Tk], True where key j is later
        scores = np.where(future, -np.inf, scores)  # exp(-inf) = 0: no weight at all
    weights = softmax(scores)
    return matmul(weights, v), weights  # [..., H, Tq, Tk] @ [..., H, Tk, hs]


def attention(x, c_attn, c_proj, n_head, past=None):
    """Causal multi-head self-attention: every token gathers from itself and earlier tokens.

    x [..., T, d]; c_attn [d, 3d] makes each token's query, key and value; c_proj [d, d]
    mixes the heads' answers. `past` holds the keys and values of tokens already seen
    (the KV cache, each [..., H, t, hs]), or None.
    Returns (out [..., T, d], weights [..., H, T, t + T], (keys, values) with these tokens).
    """
    qkv = matmul(x, c_attn)  # [..., T, 3d]
    d = x.shape[-1]
    q, k, v = (split_heads(qkv[..., i * d:(i + 1) * d], n_head) for i in range(3))  # [..., H, T, hs]
    if past is not None:
        k = np.concatenate([past[0], k], axis=-2)  # [..., H, t + T, hs]
        v = np.concatenate([past[1], v], axis=-2)  # [..., H, t + T, hs]
    out, weights = attend(q, k, v)  # [..., H, T, hs]
    return matmul(merge_heads(out), c_proj), weights, (k, v)  # [..., T, d] @ [d, d]


def mlp(x, c_fc, c_proj):
    """Each token on its own: widen to 4d numbers, GELU, narrow back. [..., T, d] -> same."""
    return matmul(gelu(matmul(x, c_fc)), c_proj)  # [..., T, 4d] -> [..., T, d]


def block(x, p, n_head, past=None):
    """One transformer block: attention, then the MLP, each reading a layer-normed copy of
    x and adding its answer to x (pre-LayerNorm, residual). p: the block's weights.

    Returns (x [..., T, d], attention weights, (keys, values)) as `attention` does.
    """
    a, weights, kv = attention(layer_norm(x, p["ln_1.g"], p["ln_1.b"]),
                               p["attn.c_attn.w"], p["attn.c_proj.w"], n_head, past)
    x = x + a  # [..., T, d]
    x = x + mlp(layer_norm(x, p["ln_2.g"], p["ln_2.b"]), p["mlp.c_fc.w"], p["mlp.c_proj.w"])
    return x, weights, kv


BLOCK = ("ln_1.g", "ln_1.b", "attn.c_attn.w", "attn.c_proj.w",
         "ln_2.g", "ln_2.b", "mlp.c_fc.w", "mlp.c_proj.w")  # each block's weights


def layer(params, l):
    """Block l's weights, named without their "h.{l}." prefix."""
    return {name: params[f"h.{l}.{name}"] for name in BLOCK}


# ---------------------------------------------------------------- the whole model

def forward(params, ids, config, return_attention=False):
    """Token ids [..., T] -> logits [..., T, V]: at each position, a score for every token
    that might come next. With return_attention, also each block's weights [..., H, T, T].
    """
    ids = np.asarray(ids)
    T = ids.shape[-1]
    if T > config.block_size:
        raise ValueError(f"{T} tokens do not fit the context window of {config.block_size}")
    x = params["wte"][ids] + params["wpe"][:T]  # [..., T, d]: what each token is, and where
    maps = []
    for l in range(config.n_layer):
        x, weights, _ = block(x, layer(params, l), config.n_head)  # [..., T, d]
        maps.append(weights)
    x = layer_norm(x, params["ln_f.g"], params["ln_f.b"])  # [..., T, d]
    logits = matmul(x, params["wte"].T)  # [..., T, d] @ [d, V]: the tied head
    return (logits, maps) if return_attention else logits


def next_token_probs(params, ids, config):
    """The probability of each token coming next after ids [T] (the last block_size count).

    -> [V], summing to 1."""
    ids = np.asarray(ids)[-config.block_size:]
    return softmax(forward(params, ids, config)[-1])  # [V]


def n_params(params):
    return sum(w.size for w in params.values())


def init_params(config, rng):
    """Fresh weights as in GPT-2: small random matrices, layer norms that change nothing.

    Each block adds two outputs to the residual stream, so those two projections start
    smaller (÷ √(2 · n_layer)) to keep the stream's size steady through the stack.
    """
    d, std = config.n_embd, 0.02
    proj_std = std / math.sqrt(2 * config.n_layer)

    def normal(rows, cols, scale=std):
        return rng.normal(0.0, scale, (rows, cols)).astype(np.float32)

    ones, zeros = np.ones(d, np.float32), np.zeros(d, np.float32)
    params = {"wte": normal(config.vocab_size, d), "wpe": normal(config.block_size, d)}
    for l in range(config.n_layer):
        params |= {f"h.{l}.ln_1.g": ones.copy(), f"h.{l}.ln_1.b": zeros.copy(),
                   f"h.{l}.attn.c_attn.w": normal(d, 3 * d),
                   f"h.{l}.attn.c_proj.w": normal(d, d, proj_std),
                   f"h.{l}.ln_2.g": ones.copy(), f"h.{l}.ln_2.b": zeros.copy(),
                   f"h.{l}.mlp.c_fc.w": normal(d, 4 * d),
                   f"h.{l}.mlp.c_proj.w": normal(4 * d, d, proj_std)}
    return params | {"ln_f.g": ones.copy(), "ln_f.b": zeros.copy()}


# ---------------------------------------------------------------- generation, with a KV cache

def empty_cache(config):
    """A KV cache holding no tokens yet: the ids seen, and each block's keys and values."""
    return {"config": config, "ids": (), "kv": [None] * config.n_layer}


def forward_step(params, cache, ids, return_attention=False):
    """Logits for new token(s) that continue those in the cache, and the cache with them.

    Only the new tokens go through the model: each block's keys and values for the earlier
    tokens are kept in the cache, so a generated token costs one row of work, not T rows.
    ids: one id or several [n] -> (logits [n, V], new cache); the same numbers as `forward`
    over all the tokens in the window. The cache given is left unchanged. With
    return_attention, also each block's weights for the new tokens [H, n, tokens in window].

    When the window is full, the oldest token slides out. With learned positions every
    remaining token then sits one place earlier, and each cached key and value was made
    with its old position, so the cache is rebuilt from the last block_size tokens. From
    then on every token costs a whole window's work. (With n > block_size new tokens, only
    the last block_size are in the window, and only their logits come back.)
    """
    config = cache["config"]
    new = tuple(int(i) for i in np.atleast_1d(ids))
    seen = cache["ids"] + new
    if len(seen) > config.block_size:
        # subtle: rebuilding from an empty cache with the last T tokens, not dropping the
        # first cached row: every key and value depends on its token's position.
        logits, cache, maps = forward_step(params, empty_cache(config),
                                           seen[-config.block_size:], return_attention=True)
        kept = min(len(new), config.block_size)
        logits, maps = logits[-kept:], [w[:, -kept:] for w in maps]
        return (logits, cache, maps) if return_attention else (logits, cache)
    t = len(cache["ids"])
    x = params["wte"][list(new)] + params["wpe"][t:t + len(new)]  # [n, d]
    kv, maps = [], []
    for l in range(config.n_layer):
        x, weights, layer_kv = block(x, layer(params, l), config.n_head, cache["kv"][l])
        kv.append(layer_kv)  # x [n, d]; weights [H, n, t + n]
        maps.append(weights)
    x = layer_norm(x, params["ln_f.g"], params["ln_f.b"])  # [n, d]
    logits = matmul(x, params["wte"].T)  # [n, V]
    cache = {"config": config, "ids": seen, "kv": kv}
    return (logits, cache, maps) if return_attention else (logits, cache)


def generate(params, config, ids, pick):
    """New token ids, one at a time, forever: pick(logits [V]) -> the next id.

    `pick` chooses from the scores, e.g. with sampling.distribution and sampling.sample.
    """
    logits, cache = forward_step(params, empty_cache(config), ids)
    while True:
        idx_next = int(pick(logits[-1]))
        yield idx_next
        logits, cache = forward_step(params, cache, idx_next)


# ---------------------------------------------------------------- the weights on disk

def dump(file, config, params):
    """Write config and weights: float16 numbers, one .npy per array, no pickle.

    Stored uncompressed with fixed timestamps, so the same weights give the same bytes.
    """
    arrays = {f"config.{k}": np.array(v, dtype=np.int64) for k, v in asdict(config).items()}
    arrays |= {name: np.asarray(w, dtype=np.float16) for name, w in params.items()}
    with zipfile.ZipFile(file, "w", zipfile.ZIP_STORED) as z:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, array, allow_pickle=False)
            z.writestr(zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0)),
                       buffer.getvalue())


def load(file):
    """(config, params) from a file `dump` wrote; the weights as float32."""
    with np.load(file, allow_pickle=False) as z:
        config = Config(**{k[7:]: int(z[k]) for k in z.files if k.startswith("config.")})
        params = {k: z[k].astype(np.float32) for k in z.files if not k.startswith("config.")}
    return config, params
