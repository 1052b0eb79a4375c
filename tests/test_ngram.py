"""Character n-gram models: a hand-worked case, distributions that sum to 1, and the
vectorised model against a plain dictionary-and-recursion reading of the same formulas."""

from collections import Counter

import numpy as np
import pytest

from llmexplain import ngram

TEXT = ("It is a truth universally acknowledged, that a single man in possession of a good "
        "fortune, must be in want of a wife.\nHowever little known the feelings or views of "
        "such a man may be on his first entering a neighbourhood, this truth is so well fixed "
        "in the minds of the surrounding families, that he is considered the rightful property "
        "of some one or other of their daughters.\n")


def test_a_bigram_model_by_hand():
    # "abab": bigrams ab ×2, ba ×1. Too few counts to estimate discounts: the fallback
    # D1 = 0.5, D2 = 1.0. Single characters by continuation: "a" follows 1 kind of
    # character, "b" 1 kind; each keeps 1 − 0.5 and frees 0.5 for the uniform 1/2:
    # p1(a) = p1(b) = (0.5 + 2·0.5·½) / 2 = 0.5.
    # After "a" (seen twice, always "b"; D2 = 1 freed): p(b|a) = (2 − 1 + 1·0.5) / 2 = 0.75.
    # After "b" (seen once, "a"; D1 = 0.5 freed):     p(a|b) = (1 − 0.5 + 0.5·0.5) / 1 = 0.75.
    model = ngram.fit("abab", 2)
    assert model.alphabet == "ab"
    np.testing.assert_allclose(ngram.distribution(model, "a"), [0.25, 0.75])
    np.testing.assert_allclose(ngram.distribution(model, "ab"), [0.75, 0.25])
    np.testing.assert_allclose(ngram.distribution(model, ""), [0.5, 0.5])  # no context yet


def test_add_one_unigram_by_hand():
    model = ngram.fit("aab", 1, alphabet="abc")
    np.testing.assert_allclose(ngram.distribution(model, ""), [3 / 6, 2 / 6, 1 / 6])
    expected = -(np.log2(3 / 6) * 2 + np.log2(2 / 6)) / 3
    assert ngram.bits_per_character(model, "aab") == pytest.approx(expected)


@pytest.mark.parametrize("order", [1, 2, 3, 5, 7])
def test_distributions_sum_to_one(order):
    model = ngram.fit(TEXT, order, alphabet=TEXT + "QZ")  # two characters never seen
    for context in ("", "t", "th", "the man", " of a", "xQ", "QQQQQQQQ", "\n"):
        p = ngram.distribution(model, context)
        assert p.sum() == pytest.approx(1.0, abs=1e-12)
        assert (p > 0).all()


def naive_kn(text, order, alphabet):
    """p(w | context) straight from the formulas, with dictionaries and recursion."""
    grams = {k: Counter(text[i:i + k] for i in range(len(text) - k + 1))
             for k in range(1, order + 2)}
    level = {k: grams[k] if k == order else Counter(g[1:] for g in grams[k + 1])
             for k in range(1, order + 1)}
    d = {k: ngram.discounts(np.array(list(level[k].values()))) for k in level}

    def p(k, context, w):
        if k == 0:
            return 1 / len(alphabet)
        followers = {g[-1]: n for g, n in level[k].items() if g[:-1] == context}
        shorter = p(k - 1, context[1:], w)
        total = sum(followers.values())
        if total == 0:
            return shorter
        discount = {n: d[k][min(n, 3) - 1] for n in followers.values()}
        freed = sum(discount[n] for n in followers.values())
        n = followers.get(w, 0)
        return (max(n - discount.get(n, 0), 0) + freed * shorter) / total
    return p


@pytest.mark.parametrize("order", [2, 3, 4])
def test_the_vectorised_model_reads_the_formulas_the_same_way(order):
    heldout = "The truth is that a man in want of a daughter, Jim."  # T, J: never seen
    alphabet = "".join(sorted(set(TEXT + heldout)))
    model = ngram.fit(TEXT, order, alphabet)
    p = naive_kn(TEXT, order, alphabet)
    probs = ngram.probabilities(model, ngram.histories(ngram.encode(heldout, alphabet),
                                                       order - 1), ngram.encode(heldout, alphabet))
    for i, w in enumerate(heldout):
        k = min(order, i + 1)
        assert probs[i] == pytest.approx(p(k, heldout[i - k + 1:i], w), rel=1e-12), i


def test_longer_contexts_fit_the_training_text_better():
    bits = [ngram.bits_per_character(ngram.fit(TEXT, n), TEXT) for n in (1, 2, 3, 5)]
    assert bits == sorted(bits, reverse=True)


def test_characters_outside_the_alphabet_are_an_error():
    with pytest.raises(ValueError, match="alphabet"):
        ngram.bits_per_character(ngram.fit("abc", 2), "abd")
