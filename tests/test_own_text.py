"""Chapter 7's training figure on another text: one book of the shelf, or the reader's own,
and a prompt of the reader's. The texts are checked against the books as the corpus holds
them and against the tokenizer, not against what the figure kept."""

import json
import math

import numpy as np
import pytest

from llmexplain import bpe, page
from llmexplain.data import path
from llmexplain.demos import own_text as own
from llmexplain.demos import train_lm as tl
from llmexplain.demos.controls import InputError
from tooling.corpus import book_parts


def steps(demo, n):
    """n more training steps, through the run as a tick takes them."""
    demo.handle("play", None)
    goal = demo.run.steps + n
    while demo.run.steps < goal:
        demo.run.advance(demo._step, n=min(5, goal - demo.run.steps))
    demo.handle("pause", None)


@pytest.fixture(scope="module")
def alice():
    """Alice's Adventures in Wonderland as the corpus cuts it: (train text, held-out text)."""
    _, train, heldout = book_parts("carroll-alice")
    return "".join(p + "\n" for p in train), "".join(p + "\n" for p in heldout)


@pytest.fixture(scope="module")
def tokenizer(data_folder):
    return bpe.Tokenizer(bpe.load(path(tl.TOKENIZER)))


def pasted(text):
    demo = tl.TrainLM()
    demo.handle("draft", text)
    demo.handle("use-text", None)
    return demo


def test_a_short_pasted_text_trains_and_its_loss_falls(alice):
    text = alice[1][:3000]
    demo = pasted(text)
    assert demo.state["source"] == "yours" and demo.state["text"] == text
    assert "Learning from your text: 3,000 characters" in demo.render()["text"]["text-note"]
    steps(demo, 40)
    first = np.mean([b for _, b in demo.train_curve[:5]])
    last = np.mean([b for _, b in demo.train_curve[-5:]])
    assert last < first - 0.4, (first, last)
    held = demo.render()["text"]["heldout"]
    assert math.isfinite(float(held)) and demo.heldout_curve[-1][0] == 25


def test_the_held_out_part_is_the_last_tenth_of_the_text(alice, tokenizer):
    text = alice[1][:3000]
    demo = pasted(text)
    assert tokenizer.decode(demo.train_ids.tolist()) == text[:2700]
    assert tokenizer.decode(demo.eval_ids.tolist()) == text[2700:]  # all of it: under 1,024 tokens
    assert demo.heldout_tokens == len(tokenizer.encode(text[2700:]))


def test_emoji_and_other_real_unicode_are_text(alice):
    text = alice[1][:2000] + " 🙂 Schmetterling, こんにちは, naïve 👩‍💻. " * 10
    demo = pasted(text)
    assert demo.state["source"] == "yours", demo.render()["text"]["text-note"]
    steps(demo, 5)


def test_one_book_trains_on_that_books_tokens_only(alice, tokenizer):
    demo = tl.TrainLM()
    demo.handle("source", "alice")
    assert tokenizer.decode(demo.train_ids.tolist()) == alice[0]
    assert alice[1].startswith(tokenizer.decode(demo.eval_ids.tolist()))
    assert demo.heldout_tokens == len(tokenizer.encode(alice[1]))
    x, _ = next(demo.stream)  # the batches are windows of Alice's tokens
    windows = np.lib.stride_tricks.sliding_window_view(demo.train_ids, tl.CONFIG.block_size)
    assert all((windows == row).all(axis=1).any() for row in x)
    assert "Alice’s Adventures in Wonderland" in demo.render()["text"]["text-note"]
    demo.handle("source", "shelf")
    assert len(demo.train_ids) == 338_348  # the four books again (data/children-bpe4k.md)


BAD = {  # name -> (the text, words its message must hold)
    "empty": ("", "no text to learn from"),
    "only spaces": (" \n\t " * 500, "no text to learn from"),
    "1 MB": ("x" * 1_000_000, "at most 50,000"),
    "binary": (bytes(range(256)).decode("latin-1") * 20, "NUL character (code 0)"),
    "a control character": ("It rang \x07 once. " * 200, "control character U+0007"),
    "a binary file read as text": ("ab\ufffd" * 1000, "replacement characters"),
    "one repeated character": ("a" * 5000, "only 1 different token"),
    "too short": ("Once upon a time there was a cat. " * 20, "at least 1,500"),
    "too few tokens": ("the cat " * 600, "different tokens"),
}


@pytest.mark.parametrize("name", BAD)
def test_a_bad_text_gets_its_message_and_the_run_goes_on(name, monkeypatch):
    text, words = BAD[name]
    demo = tl.TrainLM()
    steps(demo, 10)
    shelf, weights = demo.train_ids, {k: w.copy() for k, w in demo.weights.items()}
    if name == "1 MB":  # refused before anything reads it
        monkeypatch.setattr(demo.tokenizer, "encode", None)
    demo.handle("draft", text)
    demo.handle("use-text", None)
    note = demo.render()["text"]["text-note"]
    assert words in note and "goes on learning from the four children’s books" in note
    assert demo.state["source"] == "shelf" and demo.state["text"] == ""
    assert demo.run.steps == 10 and demo.train_ids is shelf
    for k, w in weights.items():
        np.testing.assert_array_equal(demo.weights[k], w)
    monkeypatch.undo()
    steps(demo, 5)  # and it still trains
    assert demo.run.steps == 15
    json.dumps(demo.render(), allow_nan=False)


def test_a_bad_text_leaves_a_pasted_text_training(alice):
    demo = pasted(alice[1][:3000])
    steps(demo, 5)
    demo.handle("draft", "a" * 5000)
    demo.handle("use-text", None)
    assert "goes on learning from your text" in demo.render()["text"]["text-note"]
    assert demo.state["text"] == alice[1][:3000] and demo.run.steps == 5


def test_the_prompt_can_be_changed_and_the_sample_follows_it(tokenizer):
    demo = tl.TrainLM()
    demo.handle("prompt", "The Queen said")
    shown = demo.render()
    assert shown["text"]["prompt-shown"] == "The Queen said"
    assert [s for s, _ in demo.samples] == [0]  # the sample at step 0, made again
    assert demo.samples[0][1].startswith("The Queen said")
    assert demo.prompt_ids == tokenizer.encode("The Queen said")
    steps(demo, 30)
    assert demo.samples[-1][0] == 30  # samples every 10 steps, early on
    assert demo.samples[-1][1].startswith("The Queen said")


@pytest.mark.parametrize("prompt,words", [
    ("", "The prompt is empty"),
    ("   ", "The prompt is empty"),
    ("x" * 201, "at most 200"),
    ("Once\x00upon", "NUL character"),
])
def test_a_bad_prompt_gets_a_message_and_the_last_good_one_stays(prompt, words):
    demo = tl.TrainLM()
    demo.handle("prompt", prompt)
    note = demo.render()["text"]["prompt-note"]
    assert words in note and "Samples keep following “Once upon a time”" in note
    assert demo.state["prompt"] == "Once upon a time"


def test_a_prompt_longer_than_the_window_is_cut_and_says_so(tokenizer):
    prompt = "The Queen, who was looking at Alice, said: " * 4
    ids = tokenizer.encode(prompt)
    assert len(ids) > tl.CONFIG.block_size
    demo = tl.TrainLM()
    demo.handle("prompt", prompt)
    assert demo.prompt_ids == ids[-tl.CONFIG.block_size:]
    assert f"it reads only the last {tl.CONFIG.block_size}" in demo.render()["text"]["prompt-note"]


def test_a_link_keeps_a_short_pasted_text_and_the_prompt(alice):
    text = alice[1][:1600]
    page.create("T", "train-lm", "{}")
    page.event("T", "draft", text)
    page.event("T", "prompt", "Alice said")
    reply = json.loads(page.event("T", "use-text", None))
    assert reply["link"] == {"source": "yours", "text": text, "prompt": "Alice said"}
    again = json.loads(page.create("U", "train-lm", json.dumps(reply["link"])))
    assert again["notes"] == [] and again["state"] == reply["state"]
    assert again["text"]["text-note"] == reply["text"]["text-note"]
    assert np.array_equal(page._live["U"].train_ids, page._live["T"].train_ids)


def test_a_long_pasted_text_is_left_out_of_the_link_and_the_figure_says_so(alice):
    page.create("T", "train-lm", "{}")
    page.event("T", "draft", alice[1][:3000])
    reply = json.loads(page.event("T", "use-text", None))
    assert reply["link"] == {"source": "yours"}
    assert any("leaves out your text" in n for n in reply["notes"])
    assert "A link to this figure cannot keep a text this long" in reply["text"]["text-note"]
    again = json.loads(page.create("U", "train-lm", json.dumps(reply["link"])))
    assert any("There is no text of yours here" in n for n in again["notes"])
    assert again["state"]["source"] == "shelf"


@pytest.mark.parametrize("saved", [
    {"source": "yours", "text": "abc\x00" * 500},
    {"source": "yours", "text": "a" * 2000},
    {"source": "yours", "text": "x" * 60_000},
    {"source": "elsewhere"},
    {"prompt": ""},
])
def test_a_bad_text_in_a_link_falls_back_to_the_books_with_a_note(saved):
    reply = json.loads(page.create("T", "train-lm", json.dumps(saved)))
    assert reply["notes"] and all(len(n) < 300 for n in reply["notes"])
    assert reply["state"]["source"] == "shelf" and reply["state"]["prompt"] == "Once upon a time"
    assert reply["state"]["text"] == "" and reply["link"] == {}  # nothing of it kept
    assert "Learning from the four children’s books" in reply["text"]["text-note"]


def test_the_box_says_how_long_its_text_is():
    demo = tl.TrainLM()
    demo.handle("draft", "x" * 60_000)
    shown = demo.render()
    assert shown["text"]["draft-count"] == ("60,000 characters in the box: more than the 50,000 "
                                           "this figure trains on.")
    assert "draft" not in shown["values"]  # too long to send back with every reply
    assert own.MAX_CHARS == 50_000


def test_the_text_trained_on_changes_only_through_the_box():
    demo = tl.TrainLM()
    with pytest.raises(InputError, match="no control named"):
        demo.handle("text", "Once upon a time " * 200)
    assert demo.state["text"] == "" and own.WINDOW == tl.CONFIG.block_size


def test_chapter_7_says_what_the_figure_takes():
    from tooling import ROOT

    prose = " ".join((ROOT / "templates/essays/how-llms-work/7a-training.html").read_text()
                     .split())
    assert f"from {own.MIN_CHARS:,} to {own.MAX_CHARS:,} characters" in prose
    assert "<em>Alice’s Adventures in Wonderland</em> alone" in prose
    assert dict(own.SOURCES)["alice"] == "Alice’s Adventures in Wonderland alone"
    assert "the shelf’s tokenizer as it is" in prose
    assert own.HELD_OUT == 0.1 and "measures itself on the last" in prose


def test_a_restart_says_the_box_comes_back_as_the_text_it_learns_from(alice):
    demo = pasted(alice[1][:3000])
    assert demo.lost() is None
    demo.handle("draft", "typed, not trained on")
    assert "not what you typed since" in demo.lost()
    assert demo.render()["attrs"]["text-note"] == {"data-problem": None}
    demo.handle("use-text", None)
    assert demo.render()["attrs"]["text-note"] == {"data-problem": "true"}


def test_a_text_whose_last_tenth_is_under_a_window_of_tokens_is_too_short(tokenizer):
    # Long words the tokenizer holds whole: 1,500 characters, but few tokens.
    words = sorted(t.decode() for t in tokenizer.tokens.values()
                   if len(t) >= 9 and t[:1] == b" " and t[1:].isalpha() and t.isascii())[:80]
    text = "".join(words * 10)[:1600]
    held = tokenizer.encode(text[1440:])
    assert len(held) <= tl.CONFIG.block_size
    demo = pasted(text)
    note = demo.render()["text"]["text-note"]
    assert f"its last tenth is {len(held)} tokens" in note, note
    assert demo.state["source"] == "shelf"


def test_each_books_spans_in_the_shipped_ids_are_that_books_text(tokenizer):
    from tooling.corpus import SIMPLE_BOOKS

    with np.load(path(tl.TEXT), allow_pickle=False) as z:
        assert z["books"].tolist() == list(SIMPLE_BOOKS)
        for k, book in enumerate(SIMPLE_BOOKS):
            _, *parts = book_parts(book)
            for name, part in zip(("train", "heldout"), parts):
                a, b = z[f"{name}_spans"][k]
                assert tokenizer.decode(z[name][a:b].tolist()) == "".join(p + "\n" for p in part)
