"""The essay's prose: its chapters and cross-references, and every number it states held to
its source or to the code that computes it (chapters 6 and 7 and the embeddings' tables have
theirs beside their figures' tests: test_next_token, test_scale, test_train_lm,
test_embeddings, test_bpe).

Each test reads the template text a reader gets, whitespace folded, and asserts the exact
phrase, with its number worked out here from the source as printed or from our code.
"""

import re

import pytest

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


# ------------------------------------------------------------------------------- chapter 3

@pytest.fixture(scope="module")
def tokenizers(data_folder):
    from llmexplain import bpe
    from llmexplain.data import path
    from llmexplain.demos import tokenizer as demo

    return {name: bpe.Tokenizer(bpe.load(path(file))) for name, file in demo.FILES.items()}


def pieces(tokenizer, text):
    return [tokenizer.tokens[i] for i in tokenizer.encode(text)]


def held_out():
    from tooling import DEFAULT_CACHE
    from tooling.corpus import corpus

    return corpus(DEFAULT_CACHE)


def test_chapter_3s_tokenizers_are_the_sizes_it_says(tokenizers):
    from llmexplain import bpe
    from llmexplain.demos.tokenizer import first_merges

    prose = part("3-tokens.html")
    ours, gpt4 = tokenizers["ours"], tokenizers["gpt4"]
    assert (f"{len(ours) - bpe.BYTES:,} merges on top of the {bpe.BYTES} bytes, {len(ours):,} "
            f"tokens in all") in prose
    assert f"is a list made by the same recipe, {len(gpt4):,} tokens long" in prose
    # the merge the recipe names is among the first ten the figure lists
    assert "such as <code>h</code> followed by <code>e</code>, and make it a new piece, <code>he</code>" in prose
    assert "he" in first_merges(ours.tokens).split("  ")


def test_chapter_3s_letters_take_about_four_times_as_many_steps(tokenizers):
    heldout = held_out().heldout.read_text()
    for tokenizer in tokenizers.values():
        assert round(len(heldout) / len(tokenizer.encode(heldout))) == 4
    assert "about four times as many steps" in part("3-tokens.html")


def test_chapter_3s_numbers_are_cut_as_it_says(tokenizers):
    prose = part("3-tokens.html")
    assert pieces(tokenizers["gpt4"], "1234567") == [b"123", b"456", b"7"]
    assert ("GPT-4 reads 1234567 as <code>123</code>, <code>456</code> and <code>7</code>"
            in prose)
    digits = sum(c.isdigit() for c in held_out().train.read_text())
    assert digits < 1000 and "fewer than a thousand digits in all" in prose
    number_pieces = sorted(t for t in tokenizers["ours"].ranks if t.isdigit())
    assert number_pieces == sorted([*(str(d).encode() for d in range(10)), b"00"])
    assert "only one number piece longer than a single digit, <code>00</code>" in prose


def test_chapter_3s_bytes_note(tokenizers):
    import json

    from llmexplain import page

    prose = part("3-tokens.html")
    assert [len(c.encode()) for c in "aé世こ🍕"] == [1, 2, 3, 3, 4] and len("👩‍💻".encode()) > 4
    assert ("a plain English letter takes one byte, an accented letter such as é two, a Chinese "
            "or Japanese character three, and most emoji, such as 🍕, four") in prose
    assert "🍕".encode()[0] == 0xF0 == 15 * 16 + 0 == 240
    assert "<code>‹f0›</code> is 15 × 16 + 0 = 240, the first byte of most emoji" in prose
    shown = json.loads(page.create("t", "tokenizer", json.dumps({"text": "🍕"})))
    assert shown["items"]["chips"][0]["text"] == "‹f0›"


def test_chapter_3s_emoji_and_other_languages(tokenizers):
    from llmexplain.demos import tokenizer as demo

    prose = part("3-tokens.html")
    learned = sorted(tokenizers["ours"].ranks, key=tokenizers["ours"].ranks.get)[256:]
    assert not [t for t in learned if any(b >= 0x80 for b in t)]  # é, curly quotes, emoji: bytes
    assert "never learned a piece for an accented letter, a curly quote or an emoji" in prose
    japanese = demo.EXAMPLES["japanese"][1]
    gpt4 = tokenizers["gpt4"]
    heldout = held_out().heldout.read_text()
    assert any(len(t) > 3 for t in pieces(gpt4, japanese))  # it has pieces for Japanese
    per_char = len(gpt4.encode(japanese)) / len(japanese)
    assert per_char > 2 * len(gpt4.encode(heldout)) / len(heldout)
    assert "Japanese still costs it far more tokens per character than English" in prose
    assert len(gpt4.encode(" strawberry")) == 1 and "ids such as <code>·strawberry</code>" in prose


def test_the_tokenizers_example_texts_say_only_what_is_true(tokenizers):
    """The figure's start text and example buttons: what they say of tokens holds for both
    tokenizers, and they claim nothing about the world."""
    from llmexplain.demos import tokenizer as demo

    assert "such as tokenization, are split" in demo.START
    for tokenizer in tokenizers.values():
        assert b"the" in pieces(tokenizer, demo.START)  # “the” stays whole
        assert len(tokenizer.encode(" tokenization")) > 1
        assert len(tokenizer.encode("1234567")) > 1  # "and so are long numbers"
    a, b, total = re.fullmatch(r"(\d+) \+ (\d+) = (\d+)", demo.EXAMPLES["number"][1]).groups()
    assert int(a) + int(b) == int(total)
    assert not re.search(r"\b(19|20)\d\d\b", demo.START + str(demo.EXAMPLES))  # no year to go stale


# ------------------------------------------------------------------------------- chapter 4

@pytest.fixture(scope="module")
def tables(data_folder):
    from llmexplain import embeddings as emb
    from llmexplain.data import path

    return {name: emb.load(path(f"{name}-50d.npz")) for name in ("glove", "ours")}


def near(table, word, k=5):
    from llmexplain import embeddings as emb

    rows, _ = emb.nearest(table.unit, table.unit[table.row[word]], k, exclude=[table.row[word]])
    return [table.words[r] for r in rows]


def test_chapter_4s_ids_are_gpt4s(tokenizers):
    prose = part("4-embeddings.html")
    king, queen = (tokenizers["gpt4"].encode(w) for w in (" king", " queen"))
    assert len(king) == len(queen) == 1
    assert (f"<code>·king</code> is number {king[0]} and <code>·queen</code> is number "
            f"{queen[0]}") in prose


def test_chapter_4s_cosine_note(tables):
    prose = part("4-embeddings.html")
    glove = tables["glove"]
    rows, dims = glove.raw.shape
    assert f"add up the {dims} products" in prose
    assert f"In GloVe’s table of {rows:,} words that is {rows * dims:,} multiplications" in prose


def test_chapter_4s_fifty_strongest_patterns_carry_what_it_says(tables):
    """Our vectors are U·√S of the PPMI table's SVD, so each column's squared length is one
    singular value s; the 50 kept carry Σ s² of the table's Σ (its numbers squared)."""
    from llmexplain import cooccurrence as co

    prose = part("4-embeddings.html")
    ours = tables["ours"]
    paragraphs = held_out().train.read_text().splitlines()
    counts = co.cooccurrence(co.to_ids(paragraphs, ours.words), len(ours.words), ours.info["window"])
    table = co.ppmi(counts)  # [5000, 5000]
    s = (ours.raw.astype(float) ** 2).sum(axis=0)  # [50]
    share = (s**2).sum() / (table**2).sum()
    n, d = ours.raw.shape
    assert f"squeezes that huge table down to its {d} strongest patterns" in prose
    assert f"Those {d} patterns carry {100 * share:.1f}% of the table" in prose
    assert f"a table of {n:,} × {n:,}" in prose and f"the {n:,} most common words" in prose
    assert ours.info["window"] == 5 and "within five words of each other" in prose


def test_chapter_4s_words_to_try_are_what_the_figure_shows(tables):
    from llmexplain.demos.embeddings import Embeddings

    prose = part("4-embeddings.html")
    shown = Embeddings().render()  # GloVe's table and "king", as the figure starts
    first = [b["text"].split()[0] for b in shown["items"]["neighbours"]][:4]
    assert first == near(tables["glove"], "king", 4) == ["prince", "queen", "ii", "emperor"]
    assert ("its nearest words are <em>prince</em>, <em>queen</em>, <em>ii</em> (the Roman "
            "numeral two, as in George II) and <em>emperor</em>") in prose
    ours = tables["ours"]
    assert near(ours, "king", 3) == ["queen", "city", "mouse"]
    assert ("our <em>king</em> finds <em>queen</em> first, next come <em>city</em> and "
            "<em>mouse</em>") in prose
    assert {"barton", "uppercross", "highbury"} <= set(near(ours, "london"))
    assert "<em>barton</em>, <em>uppercross</em> and <em>highbury</em>" in prose
    assert "blue" in near(ours, "red") and "mother" in near(ours, "father")  # colours, family


def test_chapter_4s_scale_table(tokenizers, tables):
    prose = part("4-embeddings.html")
    # GPT-2: 50,257 in Radford et al. 2019, section 2.3 (tiktoken's gpt2: 50,256 + endoftext);
    # d_model 768 to 1600 in its table 2.
    assert ("<td>GPT-2 (2019)</td><td class=\"num\">50,257 tokens</td><td class=\"num\">768 "
            "(smallest) to 1,600 (largest)</td>") in prose
    assert "2019</a>, section 2.3 and table 2</td>" in prose
    # GPT-4: the published list, and tiktoken's cl100k_base special tokens (openai_public.py):
    # endoftext, fim_prefix, fim_middle, fim_suffix, endofprompt.
    specials = ["<|endoftext|>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>",
                "<|endofprompt|>"]
    assert (f"{len(tokenizers['gpt4']):,} ordinary tokens in its tokenizer, plus "
            f"{len(specials)} special ones") in prose
    gpt3_table = 50_000 * 12_288  # GPT-3's d_model, Brown et al. 2020, table 2.1
    glove = tables["glove"].raw.size  # the 20,000 × 50 the figure ships
    assert "about 50,000 × 12,288, some 600 million numbers" in prose
    assert round(gpt3_table, -8) == 600e6
    assert round(gpt3_table / glove, -2) == 600 and "about 600 times GloVe’s 20,000-word table" in prose
    assert 0.3 < 100 * gpt3_table / 175e9 < 0.37 and "about a third of a percent" in prose
