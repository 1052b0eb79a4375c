"""The pre-split: its character classes against unicodedata, and splits worked out by hand."""

import random
import re
import unicodedata

import pytest

from llmexplain import pretokenize
from llmexplain.unicode_classes import UNICODE_VERSION


def members(ranges):
    """'0041-0043 0061-0061' -> {0x41, 0x42, 0x43, 0x61}."""
    out = set()
    for cell in ranges.split():
        lo, hi = (int(x, 16) for x in cell.split("-"))
        out.update(range(lo, hi + 1))
    return out


def test_the_letter_and_number_tables_match_unicodedata_for_every_code_point():
    assert UNICODE_VERSION == unicodedata.unidata_version  # Pyodide's 3.12 has the same
    letters, numbers = members(pretokenize.LETTERS), members(pretokenize.NUMBERS)
    for c in range(0x110000):
        major = unicodedata.category(chr(c))[0]
        assert (c in letters) == (major == "L"), hex(c)
        assert (c in numbers) == (major == "N"), hex(c)


def test_white_space_is_pythons_isspace_without_the_four_separators():
    # str.isspace also counts U+001C..U+001F (file/group/record/unit separators), which
    # Unicode's White_Space property, and so tiktoken's \s, does not.
    expected = {c for c in range(0x110000) if chr(c).isspace()} - set(range(0x1C, 0x20))
    assert members(pretokenize.WHITE_SPACE) == expected


def test_the_compiled_classes_agree_with_the_tables():
    letter, number = re.compile(f"[{pretokenize.L}]"), re.compile(f"[{pretokenize.N}]")
    for ch in "aZéßΩж日ا":
        assert letter.fullmatch(ch) and not number.fullmatch(ch)
    for ch in "07٣²½Ⅻ":
        assert number.fullmatch(ch) and not letter.fullmatch(ch)
    for ch in " _-\u0301😀\u200d":
        assert not letter.fullmatch(ch) and not number.fullmatch(ch)


# Each worked out by hand from the rule in pretokenize's docstring.
SPLITS = [
    ("", []),
    ("Hello world", ["Hello", " world"]),
    ("it's", ["it", "'s"]),
    ("IT'S", ["IT", "'S"]),  # contractions in any case
    ("don't we're", ["don", "'t", " we", "'re"]),
    ("1234567", ["123", "456", "7"]),  # numbers three digits at a time, from the left
    ("abc123", ["abc", "123"]),  # letters and digits never share a piece
    ("$100", ["$", "100"]),
    ("#hashtag", ["#hashtag"]),  # one non-letter may lead a word
    ("wow!!! ok", ["wow", "!!!", " ok"]),
    (" (x)", [" (", "x", ")"]),
    ("end.\n\nNext", ["end", ".\n\n", "Next"]),  # punctuation takes the new lines after it
    ("a\n\nb", ["a", "\n\n", "b"]),
    ("x  \n  y", ["x", "  \n", " ", " y"]),  # the last space before a word goes with it
    ("a\tb", ["a", "\tb"]),
    ("a   b", ["a", "  ", " b"]),
    ("a  ", ["a", "  "]),
    ("\u00a0x", ["\u00a0x"]),  # a no-break space leads a word like a space
    ("日本語です", ["日本語です"]),
    ("e\u0301", ["e", "\u0301"]),  # a combining accent is not a letter: it stands apart
    ("I ❤️ NY", ["I", " ❤️", " NY"]),
]


@pytest.mark.parametrize("text, pieces", SPLITS)
def test_splits_worked_out_by_hand(text, pieces):
    assert pretokenize.split(text) == pieces


def random_text(rng, n):
    """Characters from many scripts and kinds: letters, digits, spaces, marks, emoji, controls."""
    pools = ["abcXYZ", "0123456789", "  \t\n\r", "'.,!?-—“”", "éßñ", "日本語한국", "مرحبا", "שלום",
             "\u0301\u0308", "😀👩\u200d💻🏽", "\x00\x07\x1b\x7f", "\u00a0\u2003\u3000"]
    return "".join(rng.choice(rng.choice(pools)) for _ in range(n))


def test_the_pieces_always_join_back_into_the_text():
    rng = random.Random(4)
    for _ in range(500):
        text = random_text(rng, rng.randint(0, 40))
        pieces = pretokenize.split(text)
        assert "".join(pieces) == text
        assert all(pieces)
