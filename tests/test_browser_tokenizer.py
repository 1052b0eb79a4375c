"""Chapter 3's tokenizer in headless Chromium, driven the way a reader drives it."""

import time

import pytest
from conftest import open_demo
from playwright.sync_api import expect

from llmexplain import bpe
from llmexplain.data import path

pytestmark = pytest.mark.browser

DEMO = "[data-demo=tokenizer]"


@pytest.fixture(scope="module")
def encoders():
    return {"ours": bpe.Tokenizer(bpe.load(path("bpe-4k.tiktoken"))),
            "gpt4": bpe.Tokenizer(bpe.load(path("cl100k_base.tiktoken")))}


def chip_ids(demo):
    return [int(i) for i in demo.locator("[data-slot=chips] > span").evaluate_all(
        "(chips) => chips.map((c) => c.dataset.id)")]


def shown(demo, slot):
    return demo.locator(f"[data-slot={slot}]").text_content()


def test_typing_updates_the_chips_and_the_counts(watched, base_url, encoders):
    _, demo = open_demo(watched, base_url, DEMO)
    box = demo.locator("[data-input=text]")
    box.fill("")
    expect(demo.locator("[data-slot=n-tokens]")).to_have_text("0")
    box.press_sequentially("Tokens, not words!", delay=20)
    expect(demo.locator("[data-slot=n-chars]")).to_have_text("18")
    ids = encoders["ours"].encode("Tokens, not words!")
    expect(demo.locator("[data-slot=n-tokens]")).to_have_text(str(len(ids)))
    assert chip_ids(demo) == ids
    assert shown(demo, "per-token") == f"{18 / len(ids):.2f}"
    texts = demo.locator("[data-slot=chips] > span").all_text_contents()
    assert "".join(texts) == "Tokens,·not·words!" and "·not" in texts
    summary = demo.locator("[data-slot=summary]")
    assert summary.get_attribute("aria-live") == "polite"
    assert summary.text_content().startswith(f"18 characters, {len(ids)} tokens")


def test_the_switch_changes_the_ids_to_gpt4s(watched, base_url, encoders):
    _, demo = open_demo(watched, base_url, DEMO)
    demo.locator("[data-action=example][data-value=word]").click()
    expect(demo.locator("[data-input=text]")).to_have_value("understanding")
    expect(demo.locator("[data-slot=n-tokens]")).to_have_text("4")
    ours = chip_ids(demo)
    assert ours == encoders["ours"].encode("understanding")

    gpt4 = demo.locator("[data-action=use][data-value=gpt4]")
    gpt4.click()
    expect(gpt4).to_have_attribute("aria-pressed", "true", timeout=20_000)
    expect(demo.locator("[data-slot=n-tokens]")).to_have_text("2")
    assert chip_ids(demo) == [8154, 10276] != ours
    demo.locator("[data-action=example][data-value=space]").click()
    expect(demo.locator("[data-slot=n-tokens]")).to_have_text("1")
    assert chip_ids(demo) == [8830]
    demo.locator("[data-action=use][data-value=ours]").click()
    expect(demo.locator("[data-action=use][data-value=ours]")).to_have_attribute("aria-pressed", "true")
    assert chip_ids(demo) == encoders["ours"].encode(" understanding")


def test_a_one_megabyte_paste_shows_the_limit_and_the_page_stays_responsive(watched, base_url):
    page, demo = open_demo(watched, base_url, DEMO)
    big = ("All work and no play makes Jack a dull boy. " * 24_000)[:1_048_576]
    demo.locator("[data-input=text]").fill(big)
    slowest = 0.0
    deadline = time.monotonic() + 30
    limit = demo.locator("[data-slot=limit]")
    while not limit.is_visible():  # meanwhile the page must keep answering at once
        started = time.monotonic()
        page.evaluate("1")
        slowest = max(slowest, time.monotonic() - started)
        assert time.monotonic() < deadline, "no limit message"
    assert slowest < 0.25, f"the page froze for {slowest:.2f} s"
    assert "1,048,576 characters" in limit.text_content() and "20,000" in limit.text_content()
    assert shown(demo, "n-chars") == "20,000"
    assert demo.locator("[data-slot=chips] > span").count() == 2000
    assert "first 2,000" in shown(demo, "chips-note")
    # Still live: a new short text replaces it all.
    demo.locator("[data-input=text]").fill("short")
    expect(limit).to_be_hidden()
    expect(demo.locator("[data-slot=n-chars]")).to_have_text("5")


def test_markup_in_the_text_stays_text(watched, base_url):
    page, demo = open_demo(watched, base_url, DEMO)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    text = "<img src=x onerror=alert(1)><script>alert(2)</script>"
    demo.locator("[data-input=text]").fill(text)
    chips = demo.locator("[data-slot=chips]")
    expect(chips).to_contain_text("<img·src=x·onerror=alert(1)>")
    assert chips.text_content().replace("·", " ") == text
    assert chips.locator("img, script").count() == 0 and not dialogs


def test_half_an_emoji_from_the_page_is_mended_with_a_message(watched, base_url):
    _, demo = open_demo(watched, base_url, DEMO)
    # A JavaScript string can hold half of a surrogate pair; Python then gets a lone surrogate.
    demo.locator("[data-input=text]").evaluate(
        "(box) => { box.value = 'ab\\ud83d'; box.dispatchEvent(new Event('input', {bubbles: true})); }")
    expect(demo.locator("[data-slot=mended]")).to_contain_text("1 half character")
    expect(demo.locator("[data-slot=n-chars]")).to_have_text("3")
    assert demo.locator("[data-demo-error]").is_hidden()


def test_keyboard_picks_a_token_and_shows_its_bytes(watched, base_url):
    page, demo = open_demo(watched, base_url, DEMO)
    example = demo.locator("[data-action=example][data-value=space]")
    example.focus()
    page.keyboard.press("Enter")
    expect(demo.locator("[data-input=text]")).to_have_value(" understanding")
    demo.locator("[data-action=example][data-value=emoji]").focus()
    page.keyboard.press("Enter")
    expect(demo.locator("[data-input=text]")).to_have_value("I love 🍕 and 👩‍💻!")
    slider = demo.locator("[data-input=token]")
    slider.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(demo.locator("[data-slot=picked]")).to_have_text(
        "Token 4 of 21: part of a character, id 240, 1 byte: f0.")
    assert "picked" in demo.locator("[data-slot=chips] > span").nth(3).get_attribute("class")
    assert slider.get_attribute("aria-valuetext").startswith("Token 4 of 21")
    demo.locator("[data-slot=chips] > span").nth(1).click()  # a click picks too
    expect(demo.locator("[data-slot=picked]")).to_contain_text("Token 2 of 21: “·love”")


def test_the_chips_are_one_tab_stop_and_arrow_keys_walk_them(watched, base_url):
    page, demo = open_demo(watched, base_url, DEMO)
    demo.locator("[data-action=example][data-value=space]").click()
    expect(demo.locator("[data-input=text]")).to_have_value(" understanding")
    demo.locator("[data-action=use][data-value=gpt4]").click()
    expect(demo.locator("[data-slot=picked]")).to_contain_text("id 8830")
    demo.locator("[data-input=text]").fill("one two three")
    expect(demo.locator("[data-slot=n-tokens]")).to_have_text("3")
    chips = demo.locator("[data-slot=chips] > span")
    assert [chips.nth(i).get_attribute("tabindex") for i in range(3)] == ["0", "-1", "-1"]
    demo.locator("[data-input=text]").focus()
    page.keyboard.press("Tab")  # from the text box, past the buttons, to the one chip stop
    for _ in range(20):
        if page.evaluate("() => document.activeElement.parentElement.dataset.slot") == "chips":
            break
        page.keyboard.press("Tab")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(demo.locator("[data-slot=picked]")).to_contain_text("Token 3 of 3: “·three”")
    assert chips.nth(2).get_attribute("tabindex") == "0"
    assert page.evaluate("() => document.activeElement.textContent") == "·three"
    page.keyboard.press("Home")
    expect(demo.locator("[data-slot=picked]")).to_contain_text("Token 1 of 3: “one”")
