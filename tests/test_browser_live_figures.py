"""Live math on every figure family but chapter 1's (tests/test_browser_live_math.py has that
one in detail): the figure's own experiment changes it the way its notice says; a syntax error
shows its line while the figure keeps the experiment; a loop that never ends is stopped within
2 s while the page keeps answering; a copied link reproduces the edit in a fresh browser; Reset
brings back the figure exactly as it was."""

import time

import pytest
from conftest import open_demo
from live_math_drive import (
    code,
    error_text,
    experiment,
    figure,
    open_math,
    reset,
    round_trips_while,
    run,
    type_code,
)

from llmexplain import live_math
from llmexplain.demos import DEMOS

pytestmark = pytest.mark.browser


def number(text):
    return float(text.replace("−", "-").rstrip("%"))


def slot(page, fig, name):
    return page.locator(f"#{fig} [data-slot={name}]")


def loss_rises(page, fig, before, after):
    """Absolute error measures the same line's errors as larger: each is below 1."""
    assert number(after["loss"]) > number(before["loss"])


def merges_change_but_not_the_chips(page, fig, before, after):
    assert after["text-merges"] != before["text-merges"] and after["chips"] == before["chips"]


def scores_beyond_one(page, fig, before, after):
    """Dot products of unnormalised vectors: no longer cosines, which stay within ±1."""
    first = slot(page, fig, "neighbours").locator("button").first.text_content()
    assert number(first.split()[-1]) > 1


def no_slope_no_learning(page, fig, before, after):
    """Trained a while with the slope forgotten, the loss stays where a guess has it."""
    play = slot(page, fig, "btn-play")
    play.click()
    deadline = time.monotonic() + 60
    while number(slot(page, fig, "epoch").text_content().replace(",", "")) < 300:
        assert time.monotonic() < deadline, "it did not train"
        page.wait_for_timeout(200)
    play.click()  # pause
    page.wait_for_selector(f"#{fig} [data-slot=btn-play]:text-is('Play')")
    assert number(slot(page, fig, "train-loss").text_content()) > 0.6


def all_on_the_likeliest(page, fig, before, after):
    first = slot(page, fig, "bars").locator("button").first
    assert first.get_attribute("aria-label").endswith(": 100%")


def a_flat_learning_rate(page, fig, before, after):
    heights = page.evaluate("""(fig) => [...document.querySelectorAll(
      `#${fig} [data-slot=curve] line.line-before`)].flatMap((l) => [l.getAttribute("y1"),
      l.getAttribute("y2")])""", fig)
    assert heights and len(set(heights)) == 1, heights  # one height: the same rate throughout
    assert before["curve"] != after["curve"]


def a_third_of_the_arithmetic(page, fig, before, after):
    """2 in place of 6 operations per parameter per token: a third of the total."""
    assert before["gpt-3-arithmetic"].startswith("315 ") and after["gpt-3-arithmetic"].startswith("105 ")


FAMILIES = {  # figure id -> how its experiment shows
    "learning-2": loss_rises,
    "tokenizer-3": merges_change_but_not_the_chips,
    "embeddings-4": scores_beyond_one,
    "playground-5": no_slope_no_learning,
    "next-token-6": all_on_the_likeliest,
    "train-lm-7": a_flat_learning_rate,
    "scale-8": a_third_of_the_arithmetic,
}


def broken(text):
    """`text` with a stray bracket on a line of its own after the def line; that line's number."""
    head, body = text.split(":\n", 1)
    return f"{head}:\n    )\n{body}", head.count("\n") + 2


@pytest.mark.parametrize("fig", FAMILIES)
def test_the_figures_experiment_a_syntax_error_a_loop_a_link_and_reset(fig, watched, base_url,
                                                                       browser):
    page, _ = open_demo(watched, base_url, f"#{fig}")
    (exp,) = DEMOS[fig.rsplit("-", 1)[0]].experiments
    name = live_math.name_of(exp.fn)
    before = figure(page, fig)
    open_math(page, fig)

    assert experiment(page, fig, exp.label) == "ok", error_text(page, fig)
    edited = figure(page, fig)
    page.wait_for_url(lambda url: f"{fig}=" in url)  # the edit is in the address
    link = page.url
    FAMILIES[fig](page, fig, before, edited)
    now = figure(page, fig)

    text, line = broken(code(page, fig, name))
    type_code(page, fig, name, text)
    assert run(page, fig) == "error"
    assert error_text(page, fig).startswith(f"Line {line} of {name}: SyntaxError")
    assert figure(page, fig) == now  # the experiment still runs

    # Put into the first function shown, which the figure calls as it draws.
    first = live_math.name_of(DEMOS[fig.rsplit("-", 1)[0]].shows[0])
    head = code(page, fig, first).split(":\n", 1)[0]
    type_code(page, fig, first, f"{head}:\n    while True:\n        pass\n")
    started = time.monotonic()
    page.locator(f"#{fig} [data-math-run]").click()
    box = f"#{fig} [data-math][data-state=error]"
    slowest = round_trips_while(page, lambda: page.locator(box).count() > 0, limit_s=5)
    assert page.locator(box).count() and time.monotonic() - started < 2.0, "not stopped in 2 s"
    assert slowest < 100, slowest
    page.wait_for_selector(f"#{fig}[data-state=live]")
    assert figure(page, fig) == now

    assert reset(page, fig) == "reset"
    assert figure(page, fig) == before

    fresh = browser.new_context()
    try:
        other = fresh.new_page()
        other.goto(link)
        other.wait_for_selector(f"#{fig} [data-math][data-state=ready]", timeout=120_000)
        other.wait_for_selector(f"#{fig}[data-state=live]")
        assert figure(other, fig) == before  # a link's code runs only once the reader says so
        assert run(other, fig) == "ok"
        assert figure(other, fig) == edited
        assert exp.new in code(other, fig, name)
    finally:
        fresh.close()
