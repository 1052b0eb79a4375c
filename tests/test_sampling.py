"""Sampling's properties, checked against brute-force enumeration of the allowed sets."""

import itertools
import math

import numpy as np
import pytest

from llmexplain import sampling as sp


def random_probs(rng, V=7):
    logits = rng.normal(0, 1.5, V)
    return logits, np.exp(logits) / np.exp(logits).sum()


def subsets(V):
    for size in range(1, V + 1):
        yield from (set(c) for c in itertools.combinations(range(V), size))


def renormalised(probs, allowed):
    out = np.array([p if i in allowed else 0.0 for i, p in enumerate(probs)])
    return out / out.sum()


def test_temperature_divides_the_scores():
    logits = np.array([1.0, 2.0, -0.5, 0.3])
    for t in (0.25, 1.0, 3.0):
        expected = [math.exp(z / t) for z in logits]
        np.testing.assert_allclose(sp.distribution(logits, t), np.array(expected) / sum(expected))


def test_temperature_zero_is_argmax_and_the_limit_of_small_temperatures():
    rng = np.random.default_rng(0)
    for _ in range(20):
        logits, _ = random_probs(rng)
        best = int(np.argmax(logits))
        zero = sp.distribution(logits, 0)
        assert zero[best] == 1.0 and zero.sum() == 1.0
        np.testing.assert_allclose(sp.distribution(logits, 1e-3), zero, atol=1e-12)
        assert sp.sample(zero, rng) == best
    # ties go to the lower id; tiny temperatures and -inf scores give no NaN
    assert sp.distribution([1.0, 3.0, 3.0], 0).tolist() == [0.0, 1.0, 0.0]
    tiny = sp.distribution([1.0, 3.0, -np.inf, 2.0], 1e-300)
    assert np.isfinite(tiny).all() and tiny.tolist() == [0.0, 1.0, 0.0, 0.0]
    with pytest.raises(ValueError):
        sp.distribution([1.0], -1.0)


@pytest.mark.parametrize("seed", range(5))
def test_top_k_is_the_k_likeliest_renormalised(seed):
    logits, probs = random_probs(np.random.default_rng(seed))
    for k in range(1, len(probs) + 1):
        best = max((s for s in subsets(len(probs)) if len(s) == k),
                   key=lambda s: sum(probs[i] for i in s))
        got = sp.distribution(logits, top_k=k)
        assert set(np.flatnonzero(got)) == best
        np.testing.assert_allclose(got, renormalised(probs, best), rtol=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_top_p_is_the_smallest_likeliest_set_reaching_p(seed):
    logits, probs = random_probs(np.random.default_rng(seed))
    for p in (0.05, 0.3, 0.5, 0.75, 0.9, 0.99, 1.0):
        reaching = [s for s in subsets(len(probs)) if sum(probs[i] for i in s) >= p - 1e-12]
        fewest = min(len(s) for s in reaching)
        best = max((s for s in reaching if len(s) == fewest),
                   key=lambda s: sum(probs[i] for i in s))
        got = sp.distribution(logits, top_p=p)
        assert set(np.flatnonzero(got)) == best, p
        np.testing.assert_allclose(got, renormalised(probs, best), rtol=1e-12)


def test_top_k_then_top_p():
    logits, probs = random_probs(np.random.default_rng(9))
    after_k = renormalised(probs, set(np.argsort(-probs)[:4]))
    expected = sp.keep_top_p(after_k, 0.6)  # top-p works on what top-k left, renormalised
    np.testing.assert_allclose(sp.distribution(logits, top_k=4, top_p=0.6), expected)
    assert np.count_nonzero(expected) <= 4


def test_samples_stay_in_the_allowed_set_and_follow_the_probabilities():
    rng = np.random.default_rng(1)
    logits, _ = random_probs(rng, V=10)
    probs = sp.distribution(logits, temperature=1.3, top_k=6, top_p=0.8)
    draws = np.array([sp.sample(probs, rng) for _ in range(20_000)])
    assert set(draws) <= set(np.flatnonzero(probs))
    freq = np.bincount(draws, minlength=10) / len(draws)
    np.testing.assert_allclose(freq, probs, atol=0.015)
    assert sp.sample(np.array([0.0, 0.0, 1.0]), rng) == 2
