"""GPT-4's tokenizer run by our own code: the ids must equal an independent encoder's.

tests/data/cl100k_reference.json was made once by tools/cl100k_token_reference.mjs with npm
gpt-tokenizer@4.0.0 (a JavaScript encoder that shares no code with ours).
"""

import json
from pathlib import Path

import pytest

from llmexplain import bpe, pretokenize
from llmexplain.data import path

REFERENCE = json.loads((Path(__file__).parent / "data" / "cl100k_reference.json").read_text())
CASES = REFERENCE["strings"]


@pytest.fixture(scope="module")
def gpt4():
    return bpe.Tokenizer(bpe.load(path("cl100k_base.tiktoken")))


def test_the_vocabulary_is_the_one_gpt4_uses(gpt4):
    assert len(gpt4) == 100_256 and sorted(gpt4.ranks.values()) == list(range(100_256))
    assert len(CASES) >= 100


@pytest.mark.parametrize("case", CASES, ids=[repr(c["text"])[:30] for c in CASES])
def test_our_encoder_gives_the_reference_ids(gpt4, case):
    assert gpt4.encode(case["text"]) == case["ids"]
    assert gpt4.decode(case["ids"]) == case["text"]


def test_a_leading_space_makes_understanding_one_token(gpt4):
    # Both facts the essay states; also in the reference list above.
    assert [gpt4.tokens[i] for i in gpt4.encode("understanding")] == [b"under", b"standing"]
    assert gpt4.encode(" understanding") == [8830]
    assert pretokenize.split("I understand understanding.")[-2:] == [" understanding", "."]
