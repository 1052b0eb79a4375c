"""Chapter 6's calculator in Chromium: a run delivered to it is multiplied out in the page."""

import json

import pytest
from conftest import open_demo
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

FIGURE = "[data-demo=scale]"
RUN = {"params": 464_000, "tokens": 2_048_000, "seconds": 41.5, "steps": 500}


@pytest.fixture
def figure(watched, base_url):
    page, fig = open_demo(watched, base_url, FIGURE)
    page.wait_for_selector(f"{FIGURE}[data-state=live]", timeout=120_000)
    return page, fig


def deliver(page, fig, value):
    """The training figure's run, as the page hands it to every figure that listens."""
    page.evaluate("([id, value]) => llmexplainRuntime.demos.get(id).send('training', value, "
                  "null, true)", [fig.get_attribute("id"), value])


def test_a_delivered_run_is_multiplied_out_beside_the_real_systems(figure):
    page, fig = figure
    expect(fig.locator("[data-slot=run]")).to_contain_text("press Play on the training figure")
    expect(fig.locator("[data-slot=gpt-3-time]")).to_have_text("—")
    deliver(page, fig, json.dumps(RUN))
    flops = 6 * 464_000 * 2_048_000  # 5.70 trillion
    years = 6 * 175e9 * 300e9 / (flops / 41.5) / (365.25 * 24 * 3600)  # about 72,700
    expect(fig.locator("[data-slot=run-arithmetic]")).to_have_text(
        "6 × 464,000 × 2,048,000 = 5.7 trillion operations")
    expect(fig.locator("[data-slot=gpt-3-time]")).to_have_text(f"about {round(years, -2):,.0f} years")
    expect(fig.locator("[data-slot=you-time]")).to_have_text("41.5 seconds")
    expect(fig.locator("[data-slot=reply-arithmetic]")).to_have_text(
        "2 × 175 billion × 645 = 226 trillion operations")
    expect(fig.locator("[data-slot=gpt-4-source]")).to_contain_text("SemiAnalysis")


def test_a_bad_run_shows_a_message_in_the_figure(figure):
    page, fig = figure
    deliver(page, fig, json.dumps({**RUN, "tokens": 3}))
    expect(fig.locator("[data-demo-error]")).to_contain_text("fewer tokens than it took steps")


def test_the_table_scrolls_inside_its_box_on_a_phone(figure):
    page, fig = figure
    page.set_viewport_size({"width": 360, "height": 800})
    box = fig.locator(".sc-table")
    box.scroll_into_view_if_needed()
    assert box.evaluate("(b) => b.scrollWidth > b.clientWidth")  # the table scrolls ...
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360  # ... the page not
