"""The essay's prose: its chapters and cross-references, and every number it states held to
its source or to the code that computes it (chapters 6 and 7 and the embeddings' tables have
theirs beside their figures' tests: test_next_token, test_scale, test_train_lm,
test_embeddings, test_bpe).

Each test reads the template text a reader gets, whitespace folded, and asserts the exact
phrase, with its number worked out here from the source as printed or from our code.
"""

import re

from tooling import ROOT

ESSAY = ROOT / "templates" / "essays" / "how-llms-work.html"
TEMPLATES = ROOT / "templates"


def expand(text):
    """A template's text with each {% include %} replaced by the included file's, in order."""
    return re.sub(r'{% include "([^"]+)" %}', lambda m: expand((TEMPLATES / m.group(1)).read_text()),
                  text)


def folded(text):
    return " ".join(text.split())


def essay():
    return folded(expand(ESSAY.read_text()))


def chapter_ids():
    """The outline's chapter ids, in order, from the essay's metadata."""
    return re.findall(r'\("([\w-]+)", "[^"]+"\)', ESSAY.read_text())


def part(name):
    """One file of the essay (with what it includes), whitespace folded."""
    return folded(expand((TEMPLATES / "essays" / "how-llms-work" / name).read_text()))


def test_the_chapters_are_sections_numbered_in_the_outlines_order():
    ids = chapter_ids()
    assert len(ids) == 7
    found = re.findall(r'<section id="([\w-]+)" class="chapter"> <h2><span class="chapter-number">'
                       r'(\d+)</span>', essay())
    assert found == [(id_, str(n)) for n, id_ in enumerate(ids, 1)]


def test_every_mention_of_a_chapter_links_to_that_chapter():
    """"chapter 5" always as a link to the fifth chapter of the outline, so a renumbering that
    misses one, or a link to the wrong chapter, fails here."""
    ids, text = chapter_ids(), essay()
    mentions = re.findall(r"[Cc]hapter (\d+)", text)
    linked = re.findall(r'<a href="#([\w-]+)">[Cc]hapter (\d+)</a>', text)
    assert mentions and len(linked) == len(mentions)
    for id_, n in linked:
        assert ids[int(n) - 1] == id_, (id_, n)
    for target in re.findall(r'href="#([\w-]+)"', text):
        assert f'id="{target}"' in text, target
