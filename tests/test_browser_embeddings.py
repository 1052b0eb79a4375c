"""Chapter 3's embeddings figure in headless Chromium, driven the way a reader drives it."""

import re

import numpy as np
import pytest
from conftest import open_demo
from playwright.sync_api import expect

from llmexplain import embeddings as emb
from llmexplain.data import path
from llmexplain.demos.embeddings import NEIGHBOURS

pytestmark = pytest.mark.browser

DEMO = "[data-demo=embeddings]"


@pytest.fixture(scope="module")
def tables():
    return {name: emb.load(path(f"{name}-50d.npz")) for name in ("glove", "ours")}


def number(text):
    return float(text.replace("−", "-"))


def nearest_words(table, word):
    row = table.row[word]
    rows, cos = emb.nearest(table.unit, table.unit[row], NEIGHBOURS, exclude=[row])
    return [f"{table.words[r]} {c:.2f}".replace("-", "−") for r, c in zip(rows, cos)]


def shows(demo, word, table):
    """The figure shows `word`: its numbers in the strip and its neighbours, as the core has them."""
    expect(demo.locator("[data-slot=word-shown]")).to_have_text(word)
    expect(demo.locator("[data-slot=neighbours] button")).to_have_text(nearest_words(table, word))
    titles = demo.locator("[data-slot=strip] .cell").evaluate_all("cs => cs.map(c => c.title)")
    assert len(titles) == 50
    values = [number(t.split(": ")[1]) for t in titles]
    np.testing.assert_allclose(values, table.raw[table.row[word]], atol=0.005)


def test_clicking_a_word_shows_its_vector_and_neighbours_as_the_core_computes(watched, base_url,
                                                                              tables):
    page, demo = open_demo(watched, base_url, DEMO)
    shows(demo, "king", tables["glove"])
    demo.locator("[data-slot=neighbours] button", has_text=re.compile("^queen ")).click()
    shows(demo, "queen", tables["glove"])
    summary = demo.locator("[data-slot=summary]")
    assert summary.get_attribute("aria-live") == "polite"
    expect(summary).to_have_text(re.compile("^queen: nearest words"))

    # A word typed in the box; then the same word in our own table.
    demo.locator("[data-input=word]").fill("horse")
    shows(demo, "horse", tables["glove"])
    demo.locator("[data-action=use][data-value=ours]").click()
    expect(demo.locator("[data-slot=use-ours]")).to_have_attribute("aria-pressed", "true")
    shows(demo, "horse", tables["ours"])
    expect(demo.locator("[data-slot=source-size]")).to_have_text(re.compile("^Ours: 5,000 words"))

    # A click on a dot of the map picks that word.
    dot = demo.locator("[data-slot=map] circle", has=page.locator("title", has_text=re.compile("^dog$")))
    dot.click(force=True)
    shows(demo, "dog", tables["ours"])


def test_the_analogy_box_gives_queen_for_king_minus_man_plus_woman(watched, base_url):
    _, demo = open_demo(watched, base_url, DEMO)
    demo.locator("[data-action=preset][data-value=capital]").click()
    expect(demo.locator("[data-input=a]")).to_have_value("paris")
    expect(demo.locator("[data-slot=answers] button").first).to_have_text(re.compile("^rome "))
    for name, word in (("a", "king"), ("b", "man"), ("c", "woman")):
        demo.locator(f"[data-input={name}]").fill(word)
    expect(demo.locator("[data-slot=analogy]")).to_have_text(re.compile("^king − man \\+ woman ≈ queen"))
    expect(demo.locator("[data-slot=answers] button")).to_have_count(5)


def test_bad_input_gets_a_message_and_keeps_the_word(watched, base_url):
    _, demo = open_demo(watched, base_url, DEMO)
    box = demo.locator("[data-input=word]")
    error = demo.locator("[data-demo-error]")
    box.fill("🍕")
    expect(error).to_have_text(re.compile("only words written with the letters a to z"))
    expect(demo.locator("[data-slot=word-shown]")).to_have_text("king")
    box.fill("x" * 5000)  # maxlength stops a typist, not a script: Python checks too
    box.fill("quee")
    expect(error).to_be_hidden()
    expect(demo.locator("[data-slot=note]")).to_have_text(re.compile("“quee” is not among"))
    demo.locator("[data-slot=suggestions] button", has_text="queen").first.click()
    expect(demo.locator("[data-slot=word-shown]")).to_have_text("queen")
    expect(box).to_have_value("queen")
    expect(demo.locator("[data-slot=note]")).to_be_hidden()
    text = demo.inner_text()
    assert not re.search(r"\bnan\b|infinity", text, re.IGNORECASE)


def test_the_map_and_the_numbers_work_from_the_keyboard(watched, base_url):
    page, demo = open_demo(watched, base_url, DEMO)
    kb = page.keyboard
    demo.locator("[data-input=dim]").focus()
    kb.press("ArrowRight")
    expect(demo.locator("[data-slot=dim-value]")).to_have_text(re.compile("^Number 2 of 50"))
    expect(demo.locator("[data-slot=strip] .cell").nth(1)).to_have_class(re.compile("picked"))
    value = demo.locator("[data-slot=dim-value]").text_content()
    expect(demo.locator("[data-input=dim]")).to_have_attribute("aria-valuetext", value)

    zoom_in = demo.locator("[data-action=zoom][data-value=in]")
    zoom_in.focus()
    kb.press("Enter")
    expect(demo.locator("[data-slot=zoom-shown]")).to_have_text("1.6×")
    king = demo.locator("[data-slot=map] circle", has=page.locator("title", has_text=re.compile("^king$")))
    before = king.get_attribute("cx")
    demo.locator("[data-action=pan][data-value=left]").focus()
    kb.press("Enter")  # the view moves left, so every word moves right
    expect(king).not_to_have_attribute("cx", before)
    assert float(king.get_attribute("cx")) > float(before)
    demo.locator("[data-action=fit]").focus()
    kb.press("Space")
    expect(demo.locator("[data-slot=zoom-shown]")).to_have_text("1.0×")
    # Every control of the figure has an accessible name.
    for control in demo.locator("input, button").all():
        name = control.evaluate("e => e.labels && e.labels.length ? e.labels[0].textContent : "
                                "(e.getAttribute('aria-label') || e.textContent)")
        assert name.strip(), control.evaluate("e => e.outerHTML")
