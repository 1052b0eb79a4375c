"""Byte-pair encoding: training worked out by hand and against a from-scratch recount, the
encoder against the plain quadratic rule, round trips over random Unicode, our merges file,
and the tokenizer demo at the page boundary."""

import json
import random
import re
from collections import Counter
from itertools import pairwise
from pathlib import Path

import pytest

from llmexplain import bpe, page
from llmexplain.data import path
from llmexplain.demos import tokenizer as demo
from llmexplain.demos.controls import InputError
from tooling.corpus import corpus

ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------- training

def test_training_on_a_tiny_text_gives_the_merges_worked_out_by_hand():
    # "aaabdaaabac" is one piece. Pairs: aa 4, ab 2, bd da ba ac 1 -> join "aa":
    #   aa a b d aa a b a c; pairs (aa,a) 2 and (a,b) 2 tie: b"a" sorts before b"aa" -> "ab":
    #   aa ab d aa ab a c;   (aa,ab) 2 -> "aaab":
    #   aaab d aaab a c;     four pairs seen once; (b"a", b"c") sorts first -> "ac".
    assert bpe.train("aaabdaaabac", 260) == [(b"a", b"a"), (b"a", b"b"), (b"aa", b"ab"), (b"a", b"c")]


def test_training_counts_each_piece_with_its_frequency():
    # Pieces: "ab" once, " ab" twice, " cd" once. Pairs: (a,b) 3, (" ",a) 2, (" ",c) 1, (c,d) 1.
    # After "ab": (" ",ab) 2 -> " ab". Then (" ",c) and (c,d) tie at 1: b" " sorts first.
    assert bpe.train("ab ab ab cd", 260) == [(b"a", b"b"), (b" ", b"ab"), (b" ", b"c"), (b" c", b"d")]


def recount_train(text, vocab_size, split):
    """Training the slow way: recount every pair of every piece before each merge."""
    words = Counter(tuple(bytes([b]) for b in piece.encode()) for piece in split(text))
    vocab, merges = {bytes([i]) for i in range(256)}, []
    while len(vocab) < vocab_size:
        pairs = Counter()
        for word, f in words.items():
            for pair in pairwise(word):
                pairs[pair] += f
        if not pairs:
            break
        best = min(pairs, key=lambda p: (-pairs[p], p))
        merges.append(best)
        vocab.add(best[0] + best[1])
        joined = Counter()
        for word, f in words.items():
            out, i = [], 0
            while i < len(word):
                if word[i:i + 2] == best:
                    out.append(best[0] + best[1])
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            joined[tuple(out)] += f
        words = joined
    return merges


@pytest.mark.parametrize("seed", range(6))
def test_incremental_training_equals_recounting_from_scratch(seed):
    rng = random.Random(seed)
    alphabet = "aabbbcd é"[: 4 + seed]
    text = " ".join("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 8)))
                    for _ in range(60))
    assert bpe.train(text, 256 + 40) == recount_train(text, 256 + 40, bpe.pretokenize.split)


def test_training_stops_when_nothing_is_left_to_merge_and_is_reproducible():
    assert bpe.train("ab", 1000) == [(b"a", b"b")]
    text = "the cat sat on the mat; the cat is fat. " * 3
    assert bpe.train(text, 300) == bpe.train(text, 300)


# ---------------------------------------------------------------- encoding

def quadratic_encode(piece, ranks):
    """tiktoken's rule written plainly: join the lowest-ranked pair (leftmost on a tie), repeat."""
    parts = [piece[i:i + 1] for i in range(len(piece))]
    while True:
        found = [(ranks[a + b], i) for i, (a, b) in enumerate(pairwise(parts)) if a + b in ranks]
        if not found:
            return [ranks[p] for p in parts]
        _, i = min(found)
        parts[i:i + 2] = [parts[i] + parts[i + 1]]


@pytest.fixture(scope="module")
def ours():
    return bpe.Tokenizer(bpe.load(path(demo.OURS)))


@pytest.fixture(scope="module")
def gpt4():
    return bpe.Tokenizer(bpe.load(path(demo.GPT4)))


def random_unicode(rng, n):
    """Any code point but a surrogate, weighted towards the awkward ones."""
    def one():
        kind = rng.random()
        if kind < 0.3:
            return chr(rng.randrange(0x20, 0x7F))
        if kind < 0.4:
            return rng.choice(" \t\n\r\x00\x1b\x7f\u00a0\u200d\u2028\ufeff")
        if kind < 0.5:
            return chr(rng.choice([0x0301, 0x0308, 0x064E, 0x05B4]))  # combining marks
        c = rng.randrange(0x110000 - 0x800)
        return chr(c + 0x800 if c >= 0xD800 else c)  # skip the surrogate block
    return "".join(one() for _ in range(n))


def test_the_heap_encoder_follows_the_plain_rule(ours, gpt4):
    rng = random.Random(1)
    words = ["understanding", "tokenization", "aaaaaaaaaaaa", "Schmetterling", "mississippi"]
    for tok in (ours, gpt4):
        for _ in range(300):
            piece = (rng.choice(words) if rng.random() < 0.3 else random_unicode(rng, rng.randint(1, 12))
                     ).encode("utf-8")
            assert bpe.encode_piece(piece, tok.ranks) == quadratic_encode(piece, tok.ranks), piece


@pytest.mark.parametrize("which", ["ours", "gpt4"])
def test_decode_undoes_encode_for_random_unicode(which, request):
    tok = request.getfixturevalue(which)
    rng = random.Random(2)
    texts = ["", "😀", "👨‍👩‍👧‍👦", "日本語", "مرحبا بالعالم", "שָׁלוֹם", "e\u0301\u0302", "\x00\x01\x1b[0m",
             "\r\n\t \u2028", "\U0010ffff", " " * 50]
    texts += [random_unicode(rng, rng.randint(0, 60)) for _ in range(400)]
    for text in texts:
        ids = tok.encode(text)
        assert tok.decode(ids) == text, text
        assert all(0 <= i < len(tok) for i in ids)


def test_a_long_piece_is_encoded_in_good_time(ours):
    # One piece of 20,000 letters: a quadratic encoder would take minutes here.
    text = "".join(random.Random(3).choice("abcdefghij") for _ in range(20_000))
    ids = ours.encode(text)
    assert ours.decode(ids) == text and len(ids) < len(text)


def test_half_a_character_is_refused_with_a_clear_message(ours):
    with pytest.raises(ValueError, match="half of a character"):
        ours.encode("ok \ud83d")


def test_the_cache_stays_bounded(ours, monkeypatch):
    monkeypatch.setattr(bpe, "CACHE_LIMIT", 10)
    ours.cache.clear()
    ours.encode(" ".join(f"w{i}" for i in range(100)))
    assert len(ours.cache) <= 10


# ---------------------------------------------------------------- our merges file

def test_our_merges_file_is_a_valid_byte_pair_vocabulary():
    ranks = bpe.load(ROOT / "data" / demo.OURS)
    assert sorted(ranks.values()) == list(range(4096))
    tokens = sorted(ranks, key=ranks.get)
    assert tokens[:256] == [bytes([i]) for i in range(256)]
    for token in tokens[256:]:  # each learned token joins two tokens learned before it
        assert any(ranks.get(token[:k], 1e9) < ranks[token] and ranks.get(token[k:], 1e9) < ranks[token]
                   for k in range(1, len(token))), token
    assert bpe.dump(ranks) == (ROOT / "data" / demo.OURS).read_text()


def test_the_essay_states_the_compression_we_measure_on_held_out_text(ours, gpt4):
    heldout = corpus().heldout.read_text()
    essay = (ROOT / "templates/essays/how-llms-work/3-tokens.html").read_text()
    said = re.search(r"ours averages\s+([\d.]+) characters per token and GPT-4’s ([\d.]+)", essay)
    assert said, "the essay no longer states the compression"
    for tok, shown in zip((ours, gpt4), said.groups()):
        assert f"{len(heldout) / len(tok.encode(heldout)):.2f}" == shown


# ---------------------------------------------------------------- the demo, at the page boundary

def reply(name, value=None, demo_id="tok"):
    return json.loads(page.event(demo_id, name, value))


def chip_ids(r):
    return [int(c["attrs"]["data-id"]) for c in r["items"]["chips"]]


def test_the_demo_shows_the_tokens_the_encoder_gives(ours):
    r = json.loads(page.create("tok", "tokenizer", json.dumps({"text": "Hi there"})))
    assert chip_ids(r) == ours.encode("Hi there")
    assert [c["text"] for c in r["items"]["chips"]] == ["H", "i", "·there"]
    assert r["text"]["n-chars"] == "8" and r["text"]["n-tokens"] == "3"
    assert r["text"]["per-token"] == "2.67"
    assert r["items"]["chips"][2]["attrs"]["title"] == "id {} · bytes 20 74 68 65 72 65".format(
        ours.ranks[b" there"])


def test_switching_to_gpt4_says_loading_first_then_shows_its_ids(gpt4):
    page.create("tok", "tokenizer", json.dumps({"text": "understanding"}))
    r = reply("use", "gpt4")
    assert r["running"] and r["text"]["status"].startswith("Loading")
    r = reply("tick")
    assert not r["running"] and chip_ids(r) == [8154, 10276] == gpt4.encode("understanding")
    assert r["attrs"]["use-gpt4"]["aria-pressed"] == "true"
    assert chip_ids(reply("example", "space")) == [8830]
    assert reply("example", "space")["values"]["text"] == " understanding"
    # The box under the reader's hand gets back exactly what they typed (and the page never
    # moves a focused control anyway).
    assert reply("text", " understanding!")["values"]["text"] == " understanding!"


def test_choosing_ours_while_gpt4_loads_cancels_the_switch(ours):
    page.create("tok", "tokenizer", json.dumps({"text": "understanding"}))
    assert reply("use", "gpt4")["running"]
    r = reply("use", "ours")
    assert not r["running"] and r["attrs"]["use-ours"]["aria-pressed"] == "true"
    r = reply("tick")  # the tick the page had already asked for changes nothing
    assert chip_ids(r) == ours.encode("understanding") and "gpt4" not in page._live["tok"].tokenizers


def test_a_huge_paste_is_cut_at_the_limit_and_says_so():
    page.create("tok", "tokenizer", "{}")
    big = "word " * 250_000
    r = reply("text", big)
    assert r["text"]["n-chars"] == f"{demo.MAX_CHARS:,}"
    assert f"{len(big):,}" in r["text"]["limit"] and r["attrs"]["limit"]["hidden"] is None
    assert len(r["items"]["chips"]) == demo.MAX_CHIPS
    assert r["attrs"]["chips-note"]["hidden"] is None and "first 2,000" in r["text"]["chips-note"]
    assert reply("text", "short")["attrs"]["limit"]["hidden"] is True


def test_bytes_of_part_of_a_character_are_shown_as_bytes_and_invisibles_are_marked():
    page.create("tok", "tokenizer", "{}")
    r = reply("text", "a b\n\t\x00🙂")
    texts = [c["text"] for c in r["items"]["chips"]]
    # Pieces: a, " b", "\n", "\t", "\x00🙂"; our books hold no emoji, so it goes byte by byte.
    assert texts == ["a", "·b", "⏎", "⇥", "␣", "‹f0›", "‹9f›", "‹99›", "‹82›"]
    assert all("partial" in c["attrs"]["class"] for c in r["items"]["chips"][5:])
    r = reply("token", "6")
    assert r["text"]["picked"] == "Token 6 of 9: part of a character, id 240, 1 byte: f0."


def test_html_is_only_text_and_half_characters_are_mended():
    page.create("tok", "tokenizer", "{}")
    r = reply("text", "<img src=x onerror=alert(1)>")
    assert "".join(c["text"] for c in r["items"]["chips"]) == "<img·src=x·onerror=alert(1)>"
    r = reply("text", "x\ud83d")  # half an emoji, as a cut paste can send
    assert r["text"]["mended"].startswith("1 half character") and r["text"]["n-tokens"] == "4"


@pytest.mark.parametrize("name, value", [("text", None), ("example", "nope"), ("use", "gpt5"),
                                         ("token", "x"), ("token", None), ("volume", "11")])
def test_bad_events_give_a_message(name, value):
    page.create("tok", "tokenizer", "{}")
    with pytest.raises(InputError):
        page._live["tok"].handle(name, value)
    assert "error" in reply(name, value)


def test_empty_text_has_no_tokens_and_no_division_by_zero():
    page.create("tok", "tokenizer", "{}")
    r = reply("text", "")
    assert r["text"]["n-tokens"] == "0" and r["text"]["per-token"] == "–"
    assert r["attrs"]["token"]["disabled"] is True and r["items"]["chips"] == []


def test_a_chip_and_the_slider_pick_the_same_token_counted_from_one():
    d = demo.Tokenizing(text="Hi there")
    chips = d.render()["items"]["chips"]
    assert [c["attrs"]["data-value"] for c in chips] == ["1", "2", "3"]
    d.handle("token", chips[2]["attrs"]["data-value"])  # a click sends what the slider sends
    assert d.params()["token"] == 3 == d.render()["values"]["token"]
    d.handle("token", "99")  # past the last: the last, as a slider stops at its end
    assert d.params()["token"] == 3


def test_restored_state_is_checked_against_the_text():
    d = demo.Tokenizing(text="Hi there", token=9)
    assert d.params()["token"] == 1 and "no token 9" in d.notes[0]
    d = demo.Tokenizing(text="one two three", token=3, tokenizer="gpt4")  # read at once
    assert not d.render()["running"] and d.notes == [] and d.params()["token"] == 3
    assert demo.Tokenizing(text="x\ud83d").render()["text"]["mended"].startswith("1 half")


def test_what_a_paste_lost_is_said_but_the_state_is_the_text_kept():
    d = demo.Tokenizing()
    d.handle("text", "word " * 5_000)
    assert d.render()["attrs"]["limit"]["hidden"] is None
    assert d.params()["text"] == ("word " * 5_000)[:demo.MAX_CHARS]
    again = demo.Tokenizing(**d.params())
    assert again.notes == [] and again.render()["items"] == d.render()["items"]
    assert again.render()["attrs"]["limit"]["hidden"] is True  # the paste was d's, not again's


def test_the_example_buttons_are_the_demos_own_list():
    assert [v for v, _ in demo.CONTROLS["example"].options] == list(demo.EXAMPLES)
    d = demo.Tokenizing()
    d.handle("token", "5")
    d.handle("example", "emoji")
    assert d.params() == {"text": demo.EXAMPLES["emoji"][1], "tokenizer": "ours", "token": 1}


def test_the_first_tokens_learned_are_those_of_the_tokenizer_shown(gpt4):
    d = demo.Tokenizing()
    ours = d.render()["text"]
    assert ours["merges-who"] == "our tokenizer"
    assert ours["first-merges"] == demo.first_merges(d.tokenizers["ours"].tokens)
    d.handle("use", "gpt4")
    d.handle("tick", None)  # GPT-4's vocabulary is read
    theirs = d.render()["text"]
    assert theirs["merges-who"] == "GPT-4’s tokenizer"
    assert theirs["first-merges"] == demo.first_merges(d.tokenizers["gpt4"].tokens)
    assert theirs["first-merges"] != ours["first-merges"]
