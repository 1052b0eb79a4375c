"""Embeddings: the math against brute force and closed forms, the shipped tables, the demo."""

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from llmexplain import cooccurrence as co
from llmexplain import embeddings as emb
from llmexplain.data import path
from llmexplain.demos import word_map
from llmexplain.demos.controls import InputError
from llmexplain.demos.embeddings import NEIGHBOURS, PRESETS, Embeddings

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def glove():
    return emb.load(path("glove-50d.npz"))


@pytest.fixture(scope="module")
def ours():
    return emb.load(path("ours-50d.npz"))


def brute_cosines(raw, vector):
    """Cosine with every row, one row at a time in Python floats, from the raw numbers."""
    v = [float(x) for x in vector]
    nv = math.sqrt(math.fsum(x * x for x in v))
    out = []
    for row in raw:
        r = [float(x) for x in row]
        nr = math.sqrt(math.fsum(x * x for x in r))
        out.append(math.fsum(a * b for a, b in zip(r, v)) / (nr * nv))
    return np.array(out)


def brute_top(scores, k, exclude=()):
    """The k best rows by sorting everything; cosines equal to 9 places tie, broken by row."""
    order = sorted((i for i in range(len(scores)) if i not in set(exclude)),
                   key=lambda i: (-round(scores[i], 9), i))
    return order[:k]


# -------------------------------------------------------------------- the math

def test_cosine_by_hand():
    assert emb.cosine([3, 4], [4, 3]) == pytest.approx(24 / 25)
    assert emb.cosine([1, 0, 0], [0, 5, 0]) == 0
    assert emb.cosine([2, 2], [-1, -1]) == pytest.approx(-1)
    assert emb.cosine([0, 0], [1, 2]) == 0  # no direction: no similarity, and no NaN


def test_normalise_gives_unit_rows_and_keeps_zero_rows():
    unit = emb.normalise(np.array([[3.0, 4.0], [0.0, 0.0], [-2.0, 0.0]]))
    np.testing.assert_allclose(unit, [[0.6, 0.8], [0, 0], [-1, 0]])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_nearest_matches_brute_force_on_a_random_table(seed):
    rng = np.random.default_rng(seed)
    raw = rng.normal(size=(60, 7))
    raw[10] = raw[3] * 2  # same direction as row 3, longer: an exact tie (scaling by 2 is exact)
    query = raw[3] + rng.normal(scale=0.1, size=7)
    scores = brute_cosines(raw, query)
    rows, cos = emb.nearest(emb.normalise(raw), query, 6, exclude=[5, 7])
    assert rows.tolist() == brute_top(scores, 6, exclude=[5, 7])
    np.testing.assert_allclose(cos, scores[rows], atol=1e-6)
    assert rows.tolist().index(3) + 1 == rows.tolist().index(10)  # the tie, in row order


def test_nearest_handles_more_than_there_is_and_a_zero_query():
    unit = emb.normalise(np.eye(3))
    rows, _ = emb.nearest(unit, np.array([1.0, 0, 0]), 10, exclude=[0])
    assert sorted(rows.tolist()) == [1, 2]
    rows, cos = emb.nearest(unit, np.zeros(3), 2)
    assert rows.tolist() == [0, 1] and not cos.any()  # no direction: every cosine 0


@pytest.mark.parametrize("word", ["king", "three", "paris", "walked", "red"])
def test_nearest_in_glove_matches_brute_force_over_the_full_table(glove, word):
    row = glove.row[word]
    scores = brute_cosines(glove.raw, glove.raw[row])
    rows, cos = emb.nearest(glove.unit, glove.unit[row], NEIGHBOURS, exclude=[row])
    assert rows.tolist() == brute_top(scores, NEIGHBOURS, exclude=[row])
    np.testing.assert_allclose(cos, scores[rows], atol=1e-5)


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_analogy_matches_brute_force_over_the_full_table(glove, key):
    a, b, c = (glove.row[w] for w in PRESETS[key])
    length = np.linalg.norm(glove.raw.astype(np.float64), axis=1)
    target = glove.raw[a] / length[a] - glove.raw[b] / length[b] + glove.raw[c] / length[c]
    scores = brute_cosines(glove.raw, target)
    rows, cos = emb.analogy(glove.unit, a, b, c, 5)
    assert rows.tolist() == brute_top(scores, 5, exclude=[a, b, c])
    np.testing.assert_allclose(cos, scores[rows], atol=1e-5)


def test_pca_coordinates_match_an_independent_svd():
    rng = np.random.default_rng(4)
    points = rng.normal(size=(200, 12)) * np.linspace(3, 0.2, 12)  # distinct variances
    mean, axes = emb.pca(points)
    xy = emb.project(points, mean, axes)
    centred = points - points.mean(axis=0)
    u, s, _ = np.linalg.svd(centred, full_matrices=False)
    expected = u[:, :2] * s[:2]  # the same coordinates, up to the sign of each axis
    for k in range(2):
        sign = np.sign(xy[:, k] @ expected[:, k])
        np.testing.assert_allclose(xy[:, k], sign * expected[:, k], atol=1e-9)
    np.testing.assert_allclose(np.linalg.norm(axes, axis=1), 1)


def test_pca_of_the_glove_map_matches_an_independent_svd(glove):
    m = word_map.make_map(glove)
    centred = glove.unit[m.rows] - glove.unit[m.rows].mean(axis=0)
    u, s, _ = np.linalg.svd(centred.astype(np.float64), full_matrices=False)
    for k in range(2):
        sign = np.sign(m.xy[:, k] @ u[:, k])
        np.testing.assert_allclose(m.xy[:, k], sign * u[:, k] * s[k], atol=1e-5)


def test_save_and_load_round_trip(tmp_path):
    raw = np.random.default_rng(0).normal(size=(3, 4))
    emb.save(tmp_path / "t.npz", ["cat", "dog", "emu"], raw, source_words=7)
    t = emb.load(tmp_path / "t.npz")
    assert t.words == ["cat", "dog", "emu"] and t.row["emu"] == 2 and t.info == {"source_words": 7}
    np.testing.assert_allclose(t.raw, raw, rtol=1e-3)  # float16 on disk
    np.testing.assert_allclose(np.linalg.norm(t.unit, axis=1), 1, rtol=1e-6)
    emb.save(tmp_path / "u.npz", ["cat", "dog", "emu"], raw, source_words=7)
    assert (tmp_path / "t.npz").read_bytes() == (tmp_path / "u.npz").read_bytes()


# -------------------------------------------------------------------- the shipped tables

def test_glove_puts_queen_near_king_and_solves_the_famous_analogy(glove):
    king = glove.row["king"]
    rows, _ = emb.nearest(glove.unit, glove.unit[king], 5, exclude=[king])
    assert "queen" in [glove.words[r] for r in rows]
    rows, _ = emb.analogy(glove.unit, king, glove.row["man"], glove.row["woman"])
    assert glove.words[rows[0]] == "queen"


def test_the_tables_are_what_the_essay_says(glove, ours):
    assert glove.raw.shape == (20_000, 50) and glove.info["source_words"] == 400_000
    assert ours.raw.shape == (5_000, 50) and ours.info["window"] == 5
    assert all(re.fullmatch("[a-z]+", w) for t in (glove, ours) for w in t.words)
    prose = (ROOT / "templates/essays/how-llms-work/4-embeddings.html").read_text()
    assert "5,000 words" in prose and "we ship 20,000" in prose
    ratio = 6e9 / ours.info["trained_words"]  # GloVe's 6 billion, cited; ours, counted
    assert 5500 < ratio < 6500 and "about 6,000 times smaller" in prose

    def near(t, word, k=5):
        rows, _ = emb.nearest(t.unit, t.unit[t.row[word]], k, exclude=[t.row[word]])
        return [t.words[r] for r in rows]

    # What the essay tells the reader to look for in our table.
    assert near(ours, "king")[0] == "queen" and {"city", "mouse"} <= set(near(ours, "king"))
    assert "highbury" in near(ours, "london")
    rows, _ = emb.analogy(ours.unit, *(ours.row[w] for w in ("king", "man", "woman")))
    assert "queen" not in [ours.words[r] for r in rows]
    assert {"two", "four"} <= set(near(ours, "three")) and "mother" in near(ours, "father")
    rows, _ = emb.analogy(glove.unit, *(glove.row[w] for w in PRESETS["bigger"]))
    assert [glove.words[r] for r in rows[:2]] == ["larger", "smaller"]


# -------------------------------------------------------------------- counting

def test_words_and_vocabulary():
    assert co.words("Don't stop—Alice!") == ["don", "t", "stop", "alice"]
    assert co.vocabulary(["b", "a", "c", "a", "b", "a", "d"], 3) == ["a", "b", "c"]


def test_to_ids_marks_rare_words_and_paragraph_breaks():
    ids = co.to_ids(["the cat sat", "the dog"], ["the", "cat"])
    assert ids.tolist() == [0, 1, -1, -1, 0, -1, -1]


@pytest.mark.parametrize("seed", [0, 1])
def test_cooccurrence_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    ids = rng.integers(-1, 6, size=300)
    v, window = 6, 3
    expected = np.zeros((v, v))
    for i in range(len(ids)):
        for j in range(i + 1, min(i + window, len(ids) - 1) + 1):
            if ids[i] < 0 or (ids[i + 1:j + 1] < 0).any():
                continue  # a −1 at either end or in between breaks the pair
            expected[ids[i], ids[j]] += 1 / (j - i)
            expected[ids[j], ids[i]] += 1 / (j - i)
    np.testing.assert_allclose(co.cooccurrence(ids, v, window), expected)


def test_ppmi_by_hand():
    counts = np.array([[0.0, 4.0], [4.0, 2.0]])
    m = co.ppmi(counts, alpha=1.0)
    # total 10; p(w) = p(c) = (0.4, 0.6); pmi(0,1) = log(0.4 / 0.24); pmi(1,1) = log(0.2 / 0.36) < 0
    np.testing.assert_allclose(m, [[0.0, math.log(0.4 / 0.24)], [math.log(0.4 / 0.24), 0.0]])
    smoothed = co.ppmi(counts, alpha=0.5)  # p(c) from counts ** 0.5: 2 and sqrt(6)
    pc1 = math.sqrt(6) / (2 + math.sqrt(6))
    assert smoothed[0, 1] == pytest.approx(math.log(0.4 / (0.4 * pc1)))


def test_svd_vectors_are_the_best_low_rank_table():
    a = np.random.default_rng(3).normal(size=(8, 8))
    m = a @ a.T  # symmetric, positive: its singular vectors are its eigenvectors
    w = co.svd_vectors(m, 3)
    values, vectors = np.linalg.eigh(m)
    top = vectors[:, -3:] * values[-3:] @ vectors[:, -3:].T  # rank-3 truncation
    np.testing.assert_allclose(w @ w.T, top, atol=1e-9)


# -------------------------------------------------------------------- the demo

def render(d):
    return json.loads(json.dumps(d.render(), allow_nan=False))


def test_the_demo_shows_the_cores_neighbours_and_numbers(glove):
    d = Embeddings()
    shown = render(d)
    row = glove.row["king"]
    rows, cos = emb.nearest(glove.unit, glove.unit[row], NEIGHBOURS, exclude=[row])
    assert [b["text"] for b in shown["items"]["neighbours"]] == \
        [f"{glove.words[r]} {c:.2f}" for r, c in zip(rows, cos)]  # all positive here
    titles = [c["attrs"]["title"] for c in shown["items"]["strip"]]
    values = [float(t.split(": ")[1].replace("−", "-")) for t in titles]
    np.testing.assert_allclose(values, glove.raw[row], atol=0.005)
    assert shown["text"]["analogy"].startswith("king − man + woman ≈ queen")
    assert shown["items"]["answers"][0]["attrs"]["data-value"] == "queen"


@pytest.mark.parametrize("bad,says", [
    ("🍕", "“🍕” cannot be looked up"),
    ("new york", "a space"),
    ("ki\x07ng", "invisible character (U+0007)"),
    ("x" * 1_000_000, "1,000,000 characters"),
    (None, "expected a word"),
])
def test_bad_words_get_a_clear_message_and_change_nothing(bad, says):
    d = Embeddings()
    d.handle("pick", "queen")
    before = render(d)
    for name in ("word", "a", "pick"):
        with pytest.raises(InputError, match=re.escape(says)):
            d.handle(name, bad)
    after = render(d)
    assert after["text"] == before["text"] and after["items"] == before["items"]


def test_an_unknown_word_is_said_so_with_words_that_start_the_same_way():
    d = Embeddings()
    d.handle("word", "quee")
    shown = render(d)
    assert "“quee” is not among the 20,000 words" in shown["text"]["note"]
    assert [b["text"] for b in shown["items"]["suggestions"]][:2] == ["queen", "queens"]
    assert shown["text"]["word-shown"] == "king"  # still showing the last good word
    d.handle("word", "  Queen ")
    assert render(d)["text"]["word-shown"] == "queen"
    d.handle("word", "")
    assert render(d)["text"]["note"] == "Type a word to look it up."
    with pytest.raises(InputError, match="not among"):
        d.handle("pick", "qqqq")


def test_switching_tables_recomputes_and_says_when_a_word_is_missing(ours):
    d = Embeddings(word="tokyo")
    d.handle("use", "ours")
    shown = render(d)
    assert shown["text"]["word-shown"] == "king"
    assert "“tokyo” is not among the words of our table" in shown["text"]["note"]
    assert shown["text"]["source-size"].startswith("Ours: 5,000 words × 50 numbers = 250,000")
    assert shown["text"]["map-words"] == str(len(word_map.make_map(ours).rows))
    assert shown["attrs"]["use-ours"] == {"aria-pressed": "true"}
    d.handle("a", "tokyo")
    assert render(d)["text"]["analogy"] == "Not among the words of our table: “tokyo”."
    with pytest.raises(InputError):
        d.handle("use", "word2vec")


def svg_dot(svg, word):
    """Where the map drew `word`: (cx, cy) read back from the SVG text."""
    m = re.search(rf'<circle cx="([\d.-]+)" cy="([\d.-]+)"[^>]*><title>{word}</title>', svg)
    return float(m.group(1)), float(m.group(2))


def test_clicking_a_dot_picks_its_word_and_empty_space_moves_the_map():
    d = Embeddings()
    x, y = svg_dot(render(d)["svg"]["map"], "queen")
    d.handle("map", [x / word_map.W, y / word_map.H])
    assert render(d)["text"]["word-shown"] == "queen"
    before = d.view.centre.copy()
    d.handle("zoom", "in")
    d.handle("map", [0.999, 0.001])  # a corner, where no word is
    assert (d.view.centre != before).any()
    for bad in ([1.2, 0.5], "x", None, [float("nan"), 0.1]):
        with pytest.raises(InputError):
            d.handle("map", bad)


def test_pan_and_zoom_stay_in_bounds():
    d = Embeddings()
    m = d.maps["glove"]
    for _ in range(20):
        d.handle("zoom", "in")
        d.handle("pan", "left")
        d.handle("pan", "up")
    assert d.view.zoom == word_map.MAX_ZOOM
    assert render(d)["attrs"]["zoom-in"]["aria-disabled"] == "true"
    assert d.view.centre[0] == pytest.approx(m.lo[0]) and d.view.centre[1] == pytest.approx(m.hi[1])
    d.handle("fit", None)
    assert d.view.zoom == 0 and render(d)["attrs"]["zoom-out"]["aria-disabled"] == "true"
    with pytest.raises(InputError):
        d.handle("pan", "sideways")


def test_a_picked_word_off_the_view_is_brought_into_sight():
    d = Embeddings()
    for _ in range(6):
        d.handle("zoom", "in")
    d.handle("pick", "tuesday")
    x, y = svg_dot(render(d)["svg"]["map"], "tuesday")
    assert 0 <= x <= word_map.W and 0 <= y <= word_map.H


def test_the_dimension_slider_reads_one_number():
    d = Embeddings()
    d.handle("dim", "7")
    shown = render(d)
    value = d.table.raw[d.table.row["king"], 6]
    assert shown["text"]["dim-value"] == f"Number 7 of 50 for “king”: {value:.2f}".replace("-", "−")
    assert "picked" in shown["items"]["strip"][6]["attrs"]["class"]
    d.handle("dim", "500")  # clamped to the range, as a slider would
    assert render(d)["values"]["dim"] == 50


def test_every_example_word_of_the_figure_is_in_both_tables(glove, ours):
    # The template draws the buttons from this list (test_demo_state checks their action).
    words = [w for w, _ in Embeddings.controls["example"].options]
    assert len(words) >= 6
    assert all(w in t.row for w in words for t in (glove, ours))


def test_the_map_view_turns_screen_points_back_into_map_points(glove):
    m = word_map.make_map(glove)
    view = word_map.home(m)
    view.zoom = 2
    view.pan(m, 0.25, -0.25)
    xy = m.xy[:5]
    sx, sy = view.to_screen(m, xy).T
    back = np.array([view.from_screen(m, x, y) for x, y in zip(sx, sy)])
    np.testing.assert_allclose(back, xy, atol=1e-12)
    # Equal scales across and up, so the map does not stretch distances one way.
    a, b = view.to_screen(m, np.array([[0.0, 0.0], [0.1, 0.1]]))
    assert b[0] - a[0] == pytest.approx(a[1] - b[1])


@pytest.mark.parametrize("params,says", [
    ({"word": "tokyo", "source": "ours"}, "“tokyo” is not among the words of our table"),
    ({"word": "new york"}, "a space"),
    ({"word": ""}, "It needs a word"),
    ({"a": "🍕"}, "cannot be looked up"),
    ({"centre": [0.1, 7]}, "map centre"),
    ({"centre": "middle"}, "map centre"),
    ({"zoom": 99}, "map zoom"),
    ({"dim": 0}, "number"),
])
def test_a_restored_state_that_input_could_not_reach_falls_back_with_a_note(params, says):
    d = Embeddings(**params)
    assert any(says in note for note in d.notes), d.notes
    assert d.params() == {**Embeddings.restore({}, []), "source": params.get("source", "glove")}


def test_the_analogy_may_hold_words_the_table_lacks_as_typing_can():
    d = Embeddings(source="ours", a="tokyo", b="", c="woman")
    assert d.notes == [] and d.params()["a"] == "tokyo"
    assert render(d)["text"]["analogy"] == "Fill in all three words."


def test_the_map_view_is_state_and_a_fit_forgets_it():
    d = Embeddings()
    d.handle("zoom", "in")
    d.handle("pan", "right")
    assert d.params()["zoom"] == 1 and len(d.params()["centre"]) == 2
    again = Embeddings(**json.loads(json.dumps(d.params())))
    assert render(again)["svg"]["map"] == render(d)["svg"]["map"]
    d.handle("fit", None)
    assert d.params() == Embeddings().params()


def test_a_cell_and_the_slider_pick_the_same_number_counted_from_one():
    d = Embeddings()
    cells = render(d)["items"]["strip"]
    assert [c["attrs"]["data-value"] for c in cells] == [str(i) for i in range(1, 51)]
    d.handle("dim", cells[6]["attrs"]["data-value"])
    assert d.params()["dim"] == 7 == render(d)["values"]["dim"]


def test_the_example_buttons_are_the_demos_own_lists():
    d = Embeddings()
    d.handle("example", "paris")
    d.handle("preset", "capital")
    assert render(d)["values"] == {"word": "paris", "a": "paris", "b": "france", "c": "italy",
                                   "dim": 1}
    for name, value in (("example", "queen"), ("preset", "nope")):  # not on the list
        with pytest.raises(InputError):
            d.handle(name, value)
