"""Chapter 6's figure under CPython: its numbers are the model's, its draws reproducible."""

import json
import re

import numpy as np
import pytest

from llmexplain import bpe, page, sampling
from llmexplain import transformer as tf
from llmexplain.data import path
from llmexplain.demos import next_token as nt
from llmexplain.demos.controls import InputError


@pytest.fixture(scope="module")
def model(data_folder):
    config, weights = tf.load(path(nt.MODEL))
    return config, weights, bpe.Tokenizer(bpe.load(path(nt.TOKENIZER)))


def bars(reply):
    """(token id, probability shown) for each bar of a render."""
    items = reply["items"]["bars"]
    return [(int(b["attrs"]["data-value"]), float(m["attrs"]["value"]))
            for b, m in zip(items[0::3], items[1::3])]


def percent(text):
    return float(text.rstrip("%")) / 100


def test_the_shipped_model_is_the_one_the_figure_expects(model):
    config, weights, _ = model
    assert (config.n_layer, config.n_head, config.vocab_size) == (nt.LAYERS, nt.HEADS, nt.VOCAB)
    assert tf.n_params(weights) == 464_000
    assert path(nt.MODEL).stat().st_size <= 3_000_000


@pytest.mark.parametrize("settings", [{}, {"temperature": 0.5}, {"top_k": 3},
                                      {"top_p": 0.5, "temperature": 1.5}, {"temperature": 0.0}])
def test_the_bars_are_the_models_distribution_and_sum_to_one_with_the_rest(model, settings):
    config, weights, tokenizer = model
    text = "She opened the door and"
    reply = json.loads(page.create("N", "next-token", json.dumps({"text": text, **settings})))
    logits = tf.forward(weights, tokenizer.encode(text), config)[-1]  # the full forward pass
    s = {"temperature": 1.0, "top_k": 0, "top_p": 1.0} | settings
    want = sampling.distribution(logits, s["temperature"], s["top_k"] or None,
                                 s["top_p"] if s["top_p"] < 1 else None)
    shown = bars(reply)
    assert [t for t, _ in shown] == sampling.ranked(want)[:nt.words.SHOWN].tolist()
    for token, p in shown:
        assert p == pytest.approx(want[token], abs=5e-5)
    total = sum(p for _, p in shown) + percent(reply["text"]["rest"])
    assert total == pytest.approx(1.0, abs=2e-3)  # each shown to 3 significant digits
    if s["top_k"]:
        assert sum(p > 0 for _, p in shown) <= s["top_k"]


def test_a_bar_click_adds_that_token_and_the_counter_counts_it(model):
    _, _, tokenizer = model
    demo = nt.NextToken(text="Once upon a")
    best = bars(demo.render())[0][0]
    demo.handle("append", str(best))
    shown = demo.render()
    assert demo.params()["reply"] == [best]
    assert shown["values"]["text"] == "Once upon a" + tokenizer.decode([best])
    assert shown["text"]["predictions"].startswith("This reply took 1 prediction,")
    with pytest.raises(InputError):
        demo.handle("append", "4096")
    with pytest.raises(InputError):
        demo.handle("append", "the")


def test_a_question_is_told_it_gets_no_answer_here():
    """Chapter 8's point, said where a reader first asks: this model only continues text."""
    hidden = nt.NextToken(text="Once upon a time").render()["attrs"]["asked"]["hidden"]
    shown = nt.NextToken(text="What is the capital of France? ").render()["attrs"]["asked"]
    assert hidden is True and shown["hidden"] is None


def test_temperature_zero_always_adds_the_likeliest(model):
    config, weights, tokenizer = model
    demo = nt.NextToken(text="It was a dark and", temperature=0.0)
    ids = tokenizer.encode("It was a dark and")
    for _ in range(5):
        demo.handle("sample", None)
        ids.append(int(np.argmax(tf.forward(weights, ids[-64:], config)[-1])))
    assert demo.params()["reply"] == ids[-5:]


def test_the_same_seed_draws_the_same_reply_and_another_seed_another():
    replies = []
    for seed in (1, 1, 2):
        demo = nt.NextToken(seed=seed)
        for _ in range(8):
            demo.handle("sample", None)
        replies.append(demo.params()["reply"])
    assert replies[0] == replies[1] != replies[2]


def test_generate_adds_one_token_a_step_with_the_kv_cache_giving_the_full_forward(model,
                                                                                 monkeypatch):
    config, weights, tokenizer = model
    monkeypatch.setattr(nt, "PACE", 0.0)
    demo = nt.NextToken(text="The little dog")
    demo.handle("generate", None)
    for n in range(1, 81):  # past the 64-token window: the cache is rebuilt as it slides
        demo.handle("tick", None)
        assert len(demo.params()["reply"]) == n
    ids = tokenizer.encode("The little dog") + demo.params()["reply"]
    window = ids[nt.window_start(len(ids), 64):]
    assert 33 <= len(window) <= 64
    np.testing.assert_allclose(demo.logits, tf.forward(weights, window, config)[-1],
                               rtol=1e-4, atol=1e-4)
    demo.handle("pause", None)
    demo.handle("tick", None)
    assert len(demo.params()["reply"]) == 80 and not demo.render()["running"]


def test_the_attention_shading_is_the_models_attention(model):
    config, weights, tokenizer = model
    text = "The queen looked at the king, and the king looked at the"
    demo = nt.NextToken(text=text, layer=2, head="4")
    chips = [c for c in demo.render()["items"]["context"] if "data-weight" in c["attrs"]]
    _, maps = tf.forward(weights, tokenizer.encode(text), config, return_attention=True)
    want = maps[1][3, -1]  # layer 2, head 4, the last token's row
    np.testing.assert_allclose([float(c["attrs"]["data-weight"]) for c in chips], want,
                               atol=5e-5)
    demo.handle("head", "all")
    chips = [c for c in demo.render()["items"]["context"] if "data-weight" in c["attrs"]]
    np.testing.assert_allclose([float(c["attrs"]["data-weight"]) for c in chips],
                               maps[1][:, -1].mean(axis=0), atol=5e-5)


def test_a_long_text_slides_out_of_the_window_and_the_figure_says_so(model):
    _, _, tokenizer = model
    text = "and then the wolf ran " * 30
    demo = nt.NextToken(text=text)
    shown = demo.render()
    n = len(tokenizer.encode(text))
    start = nt.window_start(n, 64)
    assert n > 64 and start > 0
    assert f"the {start} tokens before these are out of its sight" in shown["text"]["window"]
    chips = shown["items"]["context"]
    shown_out = sum("out" in c["attrs"]["class"].split() for c in chips)
    assert shown_out == start - (n - len(chips))  # the chips drawn that are out of the window


@pytest.mark.parametrize("text", ["🙂 emoji and 𝒻𝒶𝓃𝒸𝓎 letters", "tab\tnul\x00bell\x07", "", " "])
def test_any_text_gives_a_working_figure(text):
    shown = json.loads(json.dumps(nt.NextToken(text=text).render(), allow_nan=False))
    assert len(shown["items"]["bars"]) == 3 * nt.words.SHOWN


def test_a_huge_paste_is_refused_with_a_message_and_nothing_lost():
    demo = nt.NextToken(text="Keep me")
    with pytest.raises(InputError, match="at most"):
        demo.handle("text", "x" * (nt.MAX_TEXT + 1))
    assert demo.params()["text"] == "Keep me"


def test_the_reply_stops_at_its_limit(monkeypatch):
    monkeypatch.setattr(nt, "MAX_REPLY", 3)
    demo = nt.NextToken()
    for _ in range(5):
        demo.handle("sample", None)
    assert len(demo.params()["reply"]) == 3
    assert "most this figure keeps" in demo.render()["text"]["summary"]


def test_a_long_texts_bars_read_the_window_the_figure_shows(model):
    config, weights, tokenizer = model
    text = "The rabbit ran along the river bank and looked back at the fox. " * 6
    ids = tokenizer.encode(text)
    window = ids[nt.window_start(len(ids), 64):]
    demo = nt.NextToken(text=text)
    want = sampling.softmax(tf.forward(weights, window, config)[-1])
    for token, p in bars(demo.render()):
        assert p == pytest.approx(want[token], abs=5e-5)
    in_sight = [c for c in demo.render()["items"]["context"] if "data-weight" in c["attrs"]]
    assert len(in_sight) == len(window)


def test_chapter_6s_numbers_are_the_measured_ones():
    """Every number the prose states, against the file or the code that measured it."""
    from tooling import ROOT

    prose = " ".join((ROOT / "templates/essays/how-llms-work/6-one-token.html").read_text().split())
    per_word = json.loads(path(nt.PER_WORD).read_text())["per_word"]
    assert f"about {round(500 * per_word['ours'])} predictions with our tokenizer" in prose
    assert f"about {round(500 * per_word['gpt4'])} with GPT-4’s" in prose
    habits = json.loads(path(nt.HABITS).read_text())
    strongest = max(((l, h) for l in range(nt.LAYERS) for h in range(nt.HEADS)),
                    key=lambda lh: habits["heads"][lh[0]][lh[1]]["previous"])
    row = habits["heads"][strongest[0]][strongest[1]]
    assert (f"head {strongest[1] + 1} of layer {strongest[0] + 1}, puts on average "
            f"{round(100 * row['previous'])}% of its attention on the token just before") in prose
    assert f"would give {round(100 * habits['even']['previous'])}%)" in prose
    assert f"measured over {habits['windows']} passages" in prose
    model_md = (ROOT / "data/lm-bpe4k.md").read_text()
    bpc = float(re.search(r"Held-out: ([\d.]+) bits per character", model_md).group(1))
    assert f"needs {bpc:.2f} bits per character" in prose
    steps = re.search(r"Training: ([\d,]+) steps", model_md).group(1)
    assert f"run {steps} times" in prose
    assert f"needs {seven_gram_bits():.2f} (" in prose


def seven_gram_bits():
    """The character 7-gram baseline with Kneser–Ney smoothing, on the same split."""
    from llmexplain import ngram
    from tooling import DEFAULT_CACHE
    from tooling.corpus import corpus

    books = corpus(DEFAULT_CACHE)
    train, heldout = books.train.read_text(), books.heldout.read_text()
    model = ngram.fit(train, 7, sorted(set(train) | set(heldout)))
    return ngram.bits_per_character(model, heldout)
