"""Chapter 7's training figure in Chromium, skipping ahead: the stored step loads, Play goes on
from it with the curve's past kept, and a reload brings the stored step back."""

import pytest
from conftest import open_demo, wait_ready
from playwright.sync_api import expect

from llmexplain.demos import train_lm_ahead as ahead
from llmexplain.demos import train_lm_figures as figures
from tooling import ROOT

pytestmark = pytest.mark.browser

FIGURE = "[data-demo=train-lm]"


def test_skip_ahead_then_play_goes_on_from_the_stored_step(watched, base_url):
    page, fig = open_demo(watched, base_url, FIGURE)
    past = figures.curve_words(ahead.load(ROOT / "data" / ahead.name(1000))["heldout"])
    fig.locator("[data-action=skip][data-value='1000']").click()
    expect(fig.locator("[data-slot=steps]")).to_have_text("1,000", timeout=60_000)
    expect(fig.locator("[data-slot=status]")).to_contain_text(
        "computed ahead on a build machine (CPython)")
    expect(fig.locator("[data-slot=curve-list]")).to_have_text(past)
    expect(fig.locator("[data-slot=elapsed]")).to_have_text("less than a second")

    fig.locator("[data-slot=btn-play]").click()
    expect(fig.locator("[data-slot=curve-list]")).to_contain_text("step 1,025:", timeout=120_000)
    fig.locator("[data-slot=btn-play]").click()
    expect(fig.locator("[data-slot=btn-play]")).to_have_text("Play")
    assert int(fig.locator("[data-slot=steps]").text_content().replace(",", "")) >= 1025
    assert fig.locator("[data-slot=curve-list]").text_content().startswith(past + "; step 1,025:")
    expect(fig.locator("[data-slot=ahead-note]")).to_contain_text("Steps 1 to 1,000 were computed")

    # The address keeps the step loaded: a reload loads it again (what came after is lost).
    fid = fig.get_attribute("id")
    for _ in range(50):  # the address is written a moment after the last change
        address = page.evaluate("() => location.hash")
        if f"{fid}=" in address:
            break
        page.wait_for_timeout(200)
    assert f"{fid}=" in address, address
    page.goto("about:blank")
    page.goto(base_url + "how-llms-work.html" + address)
    wait_ready(page)
    fig = page.locator(FIGURE)
    fig.scroll_into_view_if_needed()
    page.wait_for_selector(f"{FIGURE}[data-state=live]", timeout=120_000)
    expect(fig.locator("[data-slot=steps]")).to_have_text("1,000", timeout=60_000)
    expect(fig.locator("[data-slot=curve-list]")).to_have_text(past)
