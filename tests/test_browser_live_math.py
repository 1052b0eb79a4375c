"""Live math in the page (issue 12), on chapter 1's figure: the reader edits the functions it
shows, runs them, breaks them, stops them, resets them and shares them by link."""

import time

import pytest
from conftest import open_demo
from live_math_drive import (
    code,
    editor,
    error_text,
    experiment,
    figure,
    in_editor,
    open_math,
    reset,
    round_trips_while,
    run,
    type_code,
)
from test_browser_phone import OVERFLOWING, PHONE

pytestmark = pytest.mark.browser

FIG = "weights-1"


def editor_fetched(page):
    return page.evaluate("performance.getEntriesByType('resource')"
                         ".some((e) => e.name.includes('/assets/editor.'))")


def output(page, fig=FIG):
    return float(page.locator(f"#{fig} [data-slot=output]").text_content().replace("−", "-"))


@pytest.fixture
def weights(watched, base_url):
    page, _ = open_demo(watched, base_url, f"#{FIG}")
    return page


def test_relu_in_place_of_sigmoid_follows_the_sum(weights):
    page = weights
    assert output(page) == pytest.approx(0.60)  # sigmoid(0.4), the essay's starting numbers
    assert not editor_fetched(page)  # the editor comes only when the reader asks for it
    open_math(page, FIG)
    assert editor_fetched(page)
    assert experiment(page, FIG, "ReLU in place of sigmoid") == "ok"
    assert output(page) == pytest.approx(0.40)  # ReLU(0.4): the sum itself
    assert page.locator(f"#{FIG} [data-math-notice]").is_visible()
    assert "np.maximum(z, 0.0)" in code(page, FIG, "neuron.sigmoid")
    # it keeps running the reader's version: a negative sum now gives exactly 0
    page.locator(f"#{FIG} [data-input=w1]").fill("-3")
    page.wait_for_selector(f"#{FIG} [data-slot=output]:text-is('0.00')")


def test_a_syntax_error_shows_its_line_and_the_figure_keeps_working(weights):
    page = weights
    open_math(page, FIG)
    text = code(page, FIG, "neuron.sigmoid").replace("ez = np.exp(-np.abs(z))", "ez = np.exp(-np.abs(z)")
    type_code(page, FIG, "neuron.sigmoid", text)
    assert run(page, FIG) == "error"
    line = next(i + 1 for i, s in enumerate(text.splitlines()) if "ez = np.exp(" in s)
    assert error_text(page, FIG).startswith(f"Line {line} of neuron.sigmoid: SyntaxError")
    page.locator(f"#{FIG} [data-input=b]").fill("-5")
    page.wait_for_selector(f"#{FIG} [data-slot=output]:text-is('0.01')")  # sigmoid(−4.8)


def test_a_later_failure_puts_the_original_back_and_says_so(weights):
    page = weights
    open_math(page, FIG)
    type_code(page, FIG, "neuron.sigmoid",
              "def sigmoid(z):\n    if z < 0:\n        raise ValueError('no negatives')\n    return z\n")
    assert run(page, FIG) == "ok"
    page.locator(f"#{FIG} [data-input=w1]").fill("-5")  # the sum turns negative
    page.wait_for_selector(f"#{FIG} [data-math][data-state=reverted]")
    assert error_text(page, FIG).startswith("Line 3 of neuron.sigmoid: ValueError: no negatives")
    page.wait_for_selector(f"#{FIG} [data-slot=output]:text-is('0.01')")  # sigmoid(−4.5)


def test_a_loop_that_never_ends_is_stopped_within_2_s_and_the_page_stays_responsive(weights):
    page = weights
    assert page.evaluate("crossOriginIsolated")  # serve sends COOP/COEP: the interrupt is there
    open_math(page, FIG)
    assert experiment(page, FIG, "ReLU in place of sigmoid") == "ok"  # now in its own worker
    type_code(page, FIG, "neuron.sigmoid", "def sigmoid(z):\n    while True:\n        pass\n")
    started = time.monotonic()
    page.locator(f"#{FIG} [data-math-run]").click()
    box = f"#{FIG} [data-math][data-state=error]"
    slowest = round_trips_while(page, lambda: page.locator(box).count() > 0, limit_s=5)
    stopped = time.monotonic() - started
    assert page.locator(box).count(), "the loop was not stopped"
    assert stopped < 2.0, stopped
    assert slowest < 100, slowest
    assert "stopped before it finished" in error_text(page, FIG)
    assert output(page) == pytest.approx(0.40)  # the last version that worked still runs
    page.locator(f"#{FIG} [data-input=w1]").fill("-3")
    page.wait_for_selector(f"#{FIG} [data-slot=output]:text-is('0.00')")


def test_stop_stops_it_at_once(weights):
    page = weights
    open_math(page, FIG)
    assert experiment(page, FIG, "ReLU in place of sigmoid") == "ok"
    type_code(page, FIG, "neuron.sigmoid", "def sigmoid(z):\n    while True:\n        pass\n")
    page.locator(f"#{FIG} [data-math-run]").click()
    stop = page.locator(f"#{FIG} [data-math-stop]")
    stop.wait_for(state="visible", timeout=1_500)  # offered once the answer is late, before the watchdog
    started = time.monotonic()
    stop.click()
    page.wait_for_selector(f"#{FIG} [data-math][data-state=error]", timeout=2_000)
    assert time.monotonic() - started < 2.0  # the bound; well under it on a quiet machine
    assert stop.is_hidden()
    assert output(page) == pytest.approx(0.40)


def test_without_shared_memory_the_worker_is_ended_and_the_figure_comes_back(watched, base_url):
    page = watched.page
    page.context.route("**/*.html", lambda route: route.fulfill(
        response=(r := route.fetch()),
        headers={k: v for k, v in r.headers.items() if not k.startswith("cross-origin-")}))
    page.goto(base_url + "how-llms-work.html")
    page.wait_for_selector(f"#{FIG}[data-state=live]", timeout=120_000)
    assert not page.evaluate("crossOriginIsolated")
    open_math(page, FIG)
    assert experiment(page, FIG, "ReLU in place of sigmoid") == "ok"
    type_code(page, FIG, "neuron.sigmoid", "def sigmoid(z):\n    while True:\n        pass\n")
    started = time.monotonic()
    page.locator(f"#{FIG} [data-math-run]").click()
    page.wait_for_selector(f"#{FIG} [data-math][data-state=stopped]", timeout=5_000)
    assert time.monotonic() - started < 2.0
    page.wait_for_selector(f"#{FIG}[data-state=live]", timeout=30_000)
    assert output(page) == pytest.approx(0.60)  # back with the package's sigmoid


def test_reset_restores_the_original_render_exactly(weights):
    page = weights
    before = figure(page, FIG)
    open_math(page, FIG)
    original = code(page, FIG, "neuron.sigmoid")
    assert experiment(page, FIG, "ReLU in place of sigmoid") == "ok"
    assert figure(page, FIG) != before
    assert reset(page, FIG) == "reset"
    assert figure(page, FIG) == before
    assert code(page, FIG, "neuron.sigmoid") == original


def test_a_copied_link_reproduces_the_edit_in_a_fresh_browser(weights, browser):
    page = weights
    open_math(page, FIG)
    assert experiment(page, FIG, "ReLU in place of sigmoid") == "ok"
    page.wait_for_url("**#weights-1=*")
    link = page.url
    fresh = browser.new_context()
    try:
        other = fresh.new_page()
        other.goto(link)
        # A link's code waits in the open editor for the reader to read it and press Run.
        other.wait_for_selector(f"#{FIG} [data-math][data-state=ready]", timeout=120_000)
        other.wait_for_selector(f"#{FIG}[data-state=live]")
        assert "press Run" in other.locator(f"#{FIG} [data-math-notice]").text_content()
        assert output(other, FIG) == pytest.approx(0.60)  # the original, until then
        assert run(other, FIG) == "ok"
        assert output(other, FIG) == pytest.approx(0.40)
        assert "np.maximum(z, 0.0)" in code(other, FIG, "neuron.sigmoid")
    finally:
        fresh.close()


def test_escape_then_tab_leaves_the_editor(weights):
    page = weights
    open_math(page, FIG)
    content = editor(page, FIG, "neuron.sigmoid")
    assert content.get_attribute("aria-label")
    content.click()
    page.keyboard.press("Tab")  # Tab alone indents: the reader is typing Python
    assert in_editor(page)
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    assert not in_editor(page)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_open_editor_has_no_axe_violations(weights, axe_source, scheme):
    page = weights
    page.emulate_media(color_scheme=scheme)
    open_math(page, FIG)
    type_code(page, FIG, "neuron.sigmoid", "def sigmoid(z):\n    return zz  # a mistake\n")
    assert run(page, FIG) == "error"  # with its message showing
    page.evaluate(axe_source)  # a <script> tag would be refused by the CSP
    result = page.evaluate(f"axe.run('#{FIG}', {{resultTypes: ['violations']}})")
    violations = [{"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
                  for v in result["violations"]]
    assert not violations, violations


def test_on_a_phone_the_open_math_stays_inside_the_figure(watched, base_url):
    page = watched.page
    page.set_viewport_size(PHONE)
    page, fig = open_demo(watched, base_url, f"#{FIG}")
    open_math(page, FIG)
    assert fig.evaluate(OVERFLOWING) == []
    # the listing (what a reader without the editor sees) scrolls sideways, with the cue
    page.locator(f"#{FIG} [data-math-editor]").first.evaluate("(e) => { e.hidden = true; }")
    page.locator(f"#{FIG} .math-source").first.evaluate("(e) => { e.hidden = false; }")
    assert fig.evaluate(OVERFLOWING) == []
