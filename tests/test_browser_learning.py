"""Chapter 2's learning loop in headless Chromium, driven the way a reader drives it."""

import json
import re
import time

import numpy as np
import pytest
from conftest import open_demo
from playwright.sync_api import expect

from llmexplain import learning

pytestmark = pytest.mark.browser

DEMO = "[data-demo=learning]"


def number(text):
    return float(text.replace("−", "-").replace(",", ""))


def shown(demo, slot):
    return demo.locator(f"[data-slot={slot}]").text_content()


def wait_text(page, slot, pattern):
    page.wait_for_selector(f"{DEMO} [data-slot={slot}]:text-matches('{pattern}')")


def data_in_the_page(demo):
    """The points as the reader sees them in the point list: 'point 3: x 0.78, y 0.74'."""
    xy = [re.fullmatch(r"point \d+: x ([\d.]+), y ([\d.]+)", t).groups()
          for t in demo.locator("option:not([hidden])").all_text_contents()]
    return np.array(xy, dtype=float).T  # [2, n]


def test_step_runs_one_turn_and_shows_the_loss_the_core_computes(watched, base_url):
    page, demo = open_demo(watched, base_url, DEMO)
    params = json.loads(demo.get_attribute("data-params"))
    x, y = data_in_the_page(demo)
    lr = 10 ** float(demo.locator("[data-input=lr]").input_value())
    start = np.array([params["w"], params["b"]])
    assert shown(demo, "steps") == "0"
    assert shown(demo, "loss") == f"{learning.loss(start, x, y):.4f}"

    demo.locator("[data-action=step]").click()
    wait_text(page, "steps", "^1$")
    after = next(learning.train(start, x, y, lr))["w"]  # the same turn, run here in CPython
    assert shown(demo, "loss") == f"{learning.loss(after, x, y):.4f}"
    assert shown(demo, "loss") != f"{learning.loss(start, x, y):.4f}"
    assert shown(demo, "phase-title").startswith("Turn 1")
    for k in range(1, 5):
        assert shown(demo, f"phase-{k}")  # all four phases are filled in
    assert "flash" in demo.locator("[data-slot=phases]").get_attribute("class")
    # The result is announced politely, and the figure has a name from its caption.
    summary = demo.locator("[data-slot=summary]")
    assert summary.get_attribute("aria-live") == "polite"
    assert summary.text_content().startswith(f"Turn 1: loss {shown(demo, 'loss')}")
    assert page.get_by_role("figure", name=re.compile("^A line learning to fit points")).count() == 1


def test_play_then_pause_stops_the_updates(watched, base_url):
    page, demo = open_demo(watched, base_url, DEMO)
    play = demo.locator("[data-slot=btn-play]")
    play.click()
    wait_text(page, "btn-play", "^Pause$")
    wait_text(page, "steps", "^([6-9]|[1-9][0-9]+)$")
    play.click()
    wait_text(page, "btn-play", "^Play$")
    paused_at = shown(demo, "steps")
    time.sleep(0.5)
    assert shown(demo, "steps") == paused_at
    assert shown(demo, "status") == f"Paused after {paused_at} turns."


def test_a_too_large_learning_rate_diverges_in_words_and_reset_recovers(watched, base_url):
    page, demo = open_demo(watched, base_url, DEMO)
    start_loss = shown(demo, "loss")
    slider = demo.locator("[data-input=lr]")
    slider.focus()
    page.keyboard.press("End")  # the top of the range: 10
    wait_text(page, "lr-zone", "^too large")
    demo.locator("[data-slot=btn-play]").click()
    page.wait_for_selector(f"{DEMO} [data-slot=status].is-diverged")
    status = shown(demo, "status")
    assert "learning rate is too large" in status and "press Reset" in status
    visible = demo.inner_text()
    assert not re.search(r"nan|infinity|inf\b", visible, re.IGNORECASE), visible
    assert number(shown(demo, "loss")) > 1000 * number(start_loss)
    assert demo.locator("[data-action=step]").get_attribute("aria-disabled") == "true"

    demo.locator("[data-action=reset]").click()
    wait_text(page, "steps", "^0$")
    assert shown(demo, "loss") == start_loss
    assert "is-diverged" not in demo.locator("[data-slot=status]").get_attribute("class")


def test_every_control_works_from_the_keyboard(watched, base_url):
    page, demo = open_demo(watched, base_url, DEMO)
    kb = page.keyboard
    step = demo.locator("[data-action=step]")
    step.focus()
    # Tab reaches every control, in order.
    reached = []
    for _ in range(8):
        reached.append(page.evaluate(
            "(e => e.dataset.action || e.dataset.input || e.dataset.slot)(document.activeElement)"))
        kb.press("Tab")
    assert reached == ["step", "play", "reset", "lr", "add", "remove", "point", "px"]

    step.focus()
    kb.press("Enter")
    wait_text(page, "steps", "^1$")
    kb.press("Space")
    wait_text(page, "steps", "^2$")

    kb.press("Tab")  # Play, then Pause, on the same focused button
    kb.press("Space")
    wait_text(page, "btn-play", "^Pause$")
    wait_text(page, "steps", "^([3-9]|[1-9][0-9]+)$")
    kb.press("Space")
    wait_text(page, "btn-play", "^Play$")

    kb.press("Tab")  # Reset
    kb.press("Enter")
    wait_text(page, "steps", "^0$")

    kb.press("Tab")  # learning rate
    before = shown(demo, "lr-shown")
    kb.press("ArrowLeft")
    expect(demo.locator("[data-slot=lr-shown]")).not_to_have_text(before)
    # A screen reader hears the rate itself, not the slider's log10 position.
    rate = shown(demo, "lr-shown")
    expect(demo.locator("[data-input=lr]")).to_have_attribute("aria-valuetext",
                                                              re.compile(f"^{rate}, "))

    n = demo.locator("option:not([hidden])").count()
    kb.press("Tab")  # Add a point: it becomes the selected one
    kb.press("Enter")
    expect(demo.locator("option:not([hidden])")).to_have_count(n + 1)
    assert demo.locator("[data-input=point]").input_value() == str(n)

    kb.press("Tab")  # Remove this point
    kb.press("Enter")
    expect(demo.locator("option:not([hidden])")).to_have_count(n)

    kb.press("Tab")  # the point list
    selected = demo.locator("[data-input=point]").input_value()
    kb.press("ArrowUp")
    expect(demo.locator("[data-input=point]")).not_to_have_value(selected)
    chosen = int(demo.locator("[data-input=point]").input_value())
    x, y = data_in_the_page(demo)
    page.wait_for_selector(f"{DEMO} [data-slot=px-shown]:text-is('{x[chosen]:.2f}')")

    for name, value in (("px", x[chosen]), ("py", y[chosen])):
        kb.press("Tab")
        kb.press("ArrowRight")
        page.wait_for_selector(f"{DEMO} [data-slot={name}-shown]:text-is('{value + 0.01:.2f}')")
    assert data_in_the_page(demo)[:, chosen] == pytest.approx([x[chosen] + 0.01,
                                                               y[chosen] + 0.01])


def test_clicking_the_plot_adds_a_point_there(watched, base_url):
    _, demo = open_demo(watched, base_url, DEMO)
    n = data_in_the_page(demo).shape[1]
    area = demo.locator("[data-drag=drag]")
    box = area.bounding_box()
    area.click(position={"x": box["width"] * 0.8, "y": box["height"] * 0.3}, force=True)
    expect(demo.locator("option:not([hidden])")).to_have_count(n + 1)
    x, y = data_in_the_page(demo)[:, -1]
    assert x == pytest.approx(0.8, abs=0.011) and y == pytest.approx(0.7, abs=0.011)


def test_dragging_a_point_moves_it_and_the_line_refits(watched, base_url):
    page, demo = open_demo(watched, base_url, DEMO)
    x, y = data_in_the_page(demo)
    area = demo.locator("[data-drag=drag]")
    area.scroll_into_view_if_needed()  # the mouse works in the viewport's coordinates
    box = area.bounding_box()
    at = (box["x"] + x[0] * box["width"], box["y"] + (1 - y[0]) * box["height"])
    page.mouse.move(*at)
    page.mouse.down()
    for k in range(1, 6):  # in steps, as a hand moves
        page.mouse.move(at[0] + k * (box["x"] + 0.9 * box["width"] - at[0]) / 5,
                        at[1] + k * (box["y"] + 0.05 * box["height"] - at[1]) / 5)
    page.mouse.up()
    expect(demo.locator("option").first).to_have_text(re.compile(r"point 1: x 0\.9\d, y 0\.9\d"))
    moved_x, moved_y = data_in_the_page(demo)
    assert moved_x[0] == pytest.approx(0.9, abs=0.011) and moved_y[0] == pytest.approx(0.95, abs=0.011)
    assert len(moved_x) == len(x)  # moved, not added
    w, _ = np.polyfit(moved_x, moved_y, 1)  # the best fit the page reports is the new data's
    expect(demo.locator("[data-slot=best]")).to_contain_text(f"w = {w:.3f}".replace("-", "−"))
