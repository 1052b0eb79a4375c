"""Conversations for chapter 8's instruction tuning, taken from the books' own dialogue.

In our corpus (tooling.corpus, one paragraph a line) a paragraph that opens with a quotation
mark is usually one character speaking, and the next such paragraph another answering. Two
in a row make one exchange: the first speaker's words as the user's turn, the answer as the
assistant's. Only the words inside quotation marks are kept ("said Emma" is not speech).
The training exchanges come from the training text, the held-out ones from the held-out
tenth, so no held-out exchange was ever trained on.

>>> speech('"Well," said Emma, "shall we go?"')
'Well, shall we go?'
>>> speech('He said nothing.') is None
True
"""

import re
from itertools import pairwise

QUOTED = re.compile(r'"([^"]+)"')


def speech(paragraph):
    """The spoken words of a paragraph that opens with a quotation, or None."""
    if not paragraph.startswith('"'):
        return None
    words = " ".join(part.strip() for part in QUOTED.findall(paragraph)).strip()
    if not words:
        return None
    return words[:-1] + "." if words.endswith(",") else words  # "Yes," said he. -> Yes.


def exchanges(text, fits):
    """Each pair of consecutive spoken paragraphs of `text` as [("user", a), ("assistant", b)],
    kept when fits(conversation) says it is short enough to train on."""
    spoken = [speech(p) for p in text.split("\n")]
    out = []
    for a, b in pairwise(spoken):
        if a and b and (turns := [("user", a), ("assistant", b)]) and fits(turns):
            out.append(turns)
    return out
