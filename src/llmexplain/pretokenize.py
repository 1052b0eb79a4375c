"""Pre-splitting: cutting text into words, numbers, punctuation and spaces before byte-pair encoding.

A byte-pair tokenizer never merges across these pieces, so a token can hold " the" or
"ing" but never "e t". The rule is GPT-4's (tiktoken's `cl100k_base` pattern), used by our own
tokenizer too:

    's 't 're 've 'm 'll 'd        English contractions, any case
    [^\\r\\n L N]? L+               a word, with at most one character in front (often a space)
    N{1,3}                         numbers, three digits at a time
     ?[^\\s L N]+[\\r\\n]*           punctuation, with one space in front and new lines after
    \\s*[\\r\\n]+                    new lines, with the spaces before them
    \\s+(?!\\S) | \\s+               other spaces; a run before a word leaves its last space
                                   for that word

(L: any Unicode letter, N: any Unicode number, \\s: Unicode white space.) Python's `re` knows no
\\p{L}, so the classes are spelled out as code point ranges (unicode_classes.py).

>>> split("I'm  reading 12345 pages!!\\n")
['I', "'m", ' ', ' reading', ' ', '123', '45', ' pages', '!!\\n']
"""

import re

from .unicode_classes import LETTERS, NUMBERS

# Unicode's White_Space property (PropList.txt). Python's str.isspace differs: it also counts
# U+001C..U+001F, and regex engines' \s follows White_Space.
WHITE_SPACE = "0009-000d 0020-0020 0085-0085 00a0-00a0 1680-1680 2000-200a 2028-2029 202f-202f " \
              "205f-205f 3000-3000"


def char_class(ranges):
    """'0041-005a 0061-0061' -> the inside of a regex class: \\U00000041-\\U0000005a\\U00000061."""
    out = []
    for cell in ranges.split():
        lo, hi = (int(x, 16) for x in cell.split("-"))
        out.append(f"\\U{lo:08x}" if lo == hi else f"\\U{lo:08x}-\\U{hi:08x}")
    return "".join(out)


L, N, S = char_class(LETTERS), char_class(NUMBERS), char_class(WHITE_SPACE)

CL100K_PATTERN = re.compile(
    rf"(?i:'s|'t|'re|'ve|'m|'ll|'d)"
    rf"|[^\r\n{L}{N}]?[{L}]+"
    rf"|[{N}]{{1,3}}"
    rf"| ?[^{S}{L}{N}]+[\r\n]*"
    rf"|[{S}]*[\r\n]+"
    rf"|[{S}]+(?![^{S}])"
    rf"|[{S}]+"
)


def split(text):
    """The pieces of `text`, in order; joined they give `text` back."""
    return CL100K_PATTERN.findall(text)
