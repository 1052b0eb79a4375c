"""Chapter 6's training figure in Chromium: the curve is the core's, and Reset repeats it."""

import re

import pytest
from conftest import open_demo, wait_ready
from playwright.sync_api import expect

from llmexplain.demos import train_lm as tl

pytestmark = pytest.mark.browser

FIGURE = "[data-demo=train-lm]"


def train_to(fig, steps):
    """Play until at least `steps` steps, then Pause; returns the held-out curve as numbers."""
    fig.locator("[data-slot=btn-play]").click()
    expect(fig.locator("[data-slot=curve-list]")).to_contain_text(f"step {steps}:", timeout=120_000)
    fig.locator("[data-slot=btn-play]").click()
    expect(fig.locator("[data-slot=btn-play]")).to_have_text("Play")
    return [(int(s), float(b)) for s, b in
            re.findall(r"step (\d+): ([\d.]+)", fig.locator("[data-slot=curve-list]").text_content())]


def test_the_browsers_training_is_the_cores_and_reset_repeats_it(watched, base_url, data_folder):
    _, fig = open_demo(watched, base_url, FIGURE)
    curve = train_to(fig, 50)
    twin = tl.TrainLM()  # the core under CPython, the same seed and steps
    twin.handle("play", None)
    while twin.run.steps < 50:
        twin.run.advance(twin._step, n=1)
    want = [(s, round(b, 3)) for s, b in twin.heldout_curve]
    assert [s for s, _ in curve[:3]] == [0, 25, 50]
    assert curve[2][1] < curve[0][1] - 0.3  # Play lowers the held-out score it shows
    for (step, shown), (_, core) in zip(curve[:3], want):
        assert shown == pytest.approx(core, abs=2e-3), step  # float32 sums in another order
    assert fig.locator("[data-slot=samples] li").count() >= 3

    fig.locator("[data-action=reset]").click()
    expect(fig.locator("[data-slot=steps]")).to_have_text("0")
    again = train_to(fig, 50)
    assert again[:3] == curve[:3]  # the same seed: the same run, number for number


def test_the_calculator_multiplies_out_the_run_just_trained(watched, base_url):
    page, fig = open_demo(watched, base_url, FIGURE)
    train_to(fig, 25)
    steps = int(fig.locator("[data-slot=steps]").text_content().replace(",", ""))
    tokens = tl.tokens_read(steps)
    calculator = page.locator("[data-demo=scale]")
    calculator.scroll_into_view_if_needed()
    expect(calculator.locator("[data-slot=run-arithmetic]")).to_contain_text(
        f"6 × 253,920 × {tokens:,} =")
    expect(calculator.locator("[data-slot=you-params]")).to_contain_text("253,920")


def test_it_says_it_is_starting_until_its_worker_answers(watched, base_url):
    """The build drew "Ready: …" in its status line; that is true only once it runs."""
    page = watched.page
    page.goto(base_url + "how-llms-work.html")  # its worker starts seconds after this, if at all
    fig, status = page.locator(FIGURE), page.locator(f"{FIGURE} [data-slot=status]")
    assert fig.get_attribute("data-state") in ("static", "loading")
    assert status.text_content().startswith("Starting: its Python is loading")
    wait_ready(page)
    fig.scroll_into_view_if_needed()
    page.wait_for_selector(f"{FIGURE}[data-state=live]", timeout=120_000)
    expect(status).to_have_text(tl.figures.status(tl.Run("step"), tl.HYPER.steps))
