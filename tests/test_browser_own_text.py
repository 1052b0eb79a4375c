"""Chapter 7's training figure in Chromium on another text: the choice of text and the prompt
come back from the address, and a pasted text trains in the page."""

import base64
import json
import re

import pytest
from conftest import wait_ready
from playwright.sync_api import expect

from tooling.corpus import book_parts

pytestmark = pytest.mark.browser

FIGURE = "[data-demo=train-lm]"


def part(link):
    """A figure's part of the address, as the page writes it (static/demo.js, encodePart)."""
    raw = json.dumps(link, ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def live(page, selector=FIGURE):
    fig = page.locator(selector)
    fig.scroll_into_view_if_needed()
    page.wait_for_selector(f"{selector}[data-state=live]", timeout=120_000)
    return fig


def alice_heldout(n):
    _, _, heldout = book_parts("carroll-alice")
    return "".join(p + "\n" for p in heldout)[:n]


def open_with(page, base_url, link):
    """The essay opened afresh at an address holding `link` for the training figure."""
    page.goto(base_url + "how-llms-work.html")
    fid = page.locator(FIGURE).get_attribute("id")
    page.goto("about:blank")
    page.goto(f"{base_url}how-llms-work.html#{fid}={part(link)}")
    wait_ready(page)
    return live(page)


def test_the_choice_of_text_and_the_prompt_restore_from_the_address(watched, base_url):
    fig = open_with(watched.page, base_url, {"source": "alice", "prompt": "The Queen said"})
    expect(fig.locator("[data-input=source]")).to_have_value("alice")
    expect(fig.locator("[data-input=prompt]")).to_have_value("The Queen said")
    expect(fig.locator("[data-slot=prompt-shown]")).to_have_text("The Queen said")
    expect(fig.locator("[data-slot=text-note]")).to_contain_text(
        "Learning from Alice’s Adventures in Wonderland: 36,062 tokens")
    expect(fig.locator("[data-slot=samples] li").first).to_contain_text("step 0: The Queen said")
    expect(fig.locator("[data-demo-notes]")).to_be_hidden()


def test_a_short_pasted_text_restores_from_the_address(watched, base_url):
    text = alice_heldout(1600)
    fig = open_with(watched.page, base_url, {"source": "yours", "text": text})
    expect(fig.locator("[data-input=source]")).to_have_value("yours")
    expect(fig.locator("[data-slot=text-note]")).to_contain_text(
        "Learning from your text: 1,600 characters")
    assert fig.locator("[data-input=draft]").input_value() == text


def test_a_pasted_text_trains_in_the_page_and_a_bad_one_leaves_it_training(watched, base_url):
    page = watched.page
    page.goto(base_url + "how-llms-work.html")
    wait_ready(page)
    fig = live(page)
    fig.locator("[data-input=draft]").fill(alice_heldout(3000))
    expect(fig.locator("[data-slot=draft-count]")).to_contain_text("3,000 characters in the box")
    fig.locator("[data-action=use-text]").click()
    expect(fig.locator("[data-slot=text-note]")).to_contain_text("Learning from your text: 3,000")
    expect(fig.locator("[data-input=source]")).to_have_value("yours")
    fig.locator("[data-slot=btn-play]").click()
    expect(fig.locator("[data-slot=curve-list]")).to_contain_text("step 25:", timeout=120_000)
    held = fig.locator("[data-slot=heldout]").text_content()
    assert re.fullmatch(r"\d\.\d\d", held), held

    # A megabyte pasted while it trains: refused with the cap named, and training goes on.
    fig.locator("[data-input=draft]").fill("x" * 1_000_000)
    fig.locator("[data-action=use-text]").click()
    expect(fig.locator("[data-slot=text-note]")).to_contain_text("at most 50,000", timeout=30_000)
    expect(fig.locator("[data-slot=text-note]")).to_contain_text("goes on learning from your text")
    before = int(fig.locator("[data-slot=steps]").text_content().replace(",", ""))
    expect(fig.locator("[data-slot=steps]")).not_to_have_text(f"{before:,}", timeout=60_000)
    expect(fig.locator("[data-slot=btn-play]")).to_have_text("Pause")
    fig.locator("[data-slot=btn-play]").click()
    expect(fig.locator("[data-slot=btn-play]")).to_have_text("Play")
