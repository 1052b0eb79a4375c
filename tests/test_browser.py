"""The essay in headless Chromium, driven the way a reader drives it."""

import pytest
from conftest import wait_ready
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from llmexplain import neuron as nn

pytestmark = pytest.mark.browser


def number(text):
    return float(text.replace("−", "-"))


def test_weights_demo_runs_the_core_in_the_browser(watched, base_url):
    page = watched.page
    page.goto(base_url + "how-llms-work.html")
    wait_ready(page)
    demo = page.locator("[data-demo=weights]")
    before = demo.locator("[data-slot=output]").text_content()
    slider = demo.locator("[data-input=w1]")
    slider.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")  # keyboard alone moves the knob: 2.0 -> 2.5
    page.keyboard.press("End")  # and jumps to the end of its range: 5.0
    expected = float(nn.neuron([0.7, 0.4], [5.0, -3.0], 0.2))
    out = demo.locator("[data-slot=output]")
    page.wait_for_selector("[data-demo=weights] [data-slot=w1-shown]:text-is('5.0')")
    assert out.text_content() != before
    assert number(out.text_content()) == pytest.approx(expected, abs=0.005)
    assert demo.locator("[data-slot=arithmetic]").text_content().startswith("5.0 × 0.70")
    # The aria-live summary follows the output.
    assert demo.locator("[data-slot=summary]").text_content().startswith(
        f"Output {out.text_content()}")


def test_a_choice_changes_the_activation(watched, base_url):
    page = watched.page
    page.goto(base_url + "how-llms-work.html")
    wait_ready(page)
    demo = page.locator("[data-demo=weights]")
    demo.locator("[data-input=activation]").select_option("step")
    page.wait_for_selector("[data-demo=weights] [data-slot=activation]:text-matches('^step')")
    assert demo.locator("[data-slot=output]").text_content() == "1.00"


def test_figures_are_there_before_any_script_runs(browser, base_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + "how-llms-work.html")
    demo = page.locator("[data-demo=weights]")
    assert demo.locator("svg.figure polygon.plane-yes").count() == 1
    assert demo.locator("[data-slot=arithmetic]").text_content() == \
        "2.0 × 0.70 + (−3.0) × 0.40 + 0.2 = 0.40"
    context.close()


def test_a_runtime_that_cannot_load_says_so_and_keeps_the_page(watched, base_url):
    page = watched.page
    watched.allowed_errors += [r"404", r"Failed to load", r"wasm", r"WebAssembly", r"pyodide"]
    page.route("**/*.wasm", lambda r: r.fulfill(status=404, body="gone"))
    page.goto(base_url + "how-llms-work.html")
    page.wait_for_selector("html[data-state=error]", state="attached", timeout=120_000)
    status = page.locator("#runtime-status")
    assert "could not start" in status.text_content()
    assert status.locator("button", has_text="Retry").is_visible()
    assert page.locator("[data-demo=weights] svg.figure").count() == 1
    assert page.locator("[data-demo=weights] [data-input=w1]").is_disabled()


def test_the_watch_catches_a_request_leaving_localhost(watched):
    # Proves the guard every browser test relies on can fail.
    with pytest.raises(PlaywrightError):
        watched.page.goto("http://example.invalid/")
    assert watched.offsite == ["http://example.invalid/"]
    watched.offsite.clear()


def test_a_tampered_wheel_is_refused(watched, base_url):
    page = watched.page
    watched.allowed_errors += [r"integrity", r"digest", r"llmexplain", r"Failed to"]
    page.route("**/llmexplain-*.whl", lambda r: r.fulfill(status=200, body=b"PK tampered"))
    page.goto(base_url + "how-llms-work.html")
    page.wait_for_selector("html[data-state=error]", state="attached", timeout=120_000)
    assert "llmexplain" in page.text_content("#runtime-status")


def test_a_tampered_data_file_stops_only_the_figures_that_read_it(watched, base_url):
    from llmexplain.demos import DEMOS

    # The figures the page starts by itself (those of the main worker) that read the file.
    readers = [name for name, cls in DEMOS.items()
               if "bpe-4k.tiktoken" in cls.data and cls.worker == "main"]
    page = watched.page
    watched.allowed_errors += [r"integrity", r"bpe-4k", r"Failed to", r"SRI"]
    page.route("**/data/bpe-4k.*", lambda r: r.fulfill(status=200, body=b"tampered"))
    page.goto(base_url + "how-llms-work.html")
    wait_ready(page)
    tokenizer = page.locator("[data-demo=tokenizer]")
    expect(tokenizer.locator("[data-demo-error]")).to_contain_text("bpe-4k.tiktoken")
    expect(tokenizer.locator("[data-demo-error]")).to_contain_text("integrity")
    assert tokenizer.locator("fieldset[data-controls]").first.get_attribute("disabled") is not None
    n = len(readers)
    assert f"{n} figure{'s' if n > 1 else ''} could not start" in page.text_content("#runtime-status")
    weights = page.locator("[data-demo=weights]")  # the rest of the page is live
    weights.locator("[data-input=w1]").fill("-1")
    expect(weights.locator("[data-slot=w1-shown]")).to_have_text("−1.0")


def test_turning_the_rain_weight_past_zero_swings_the_line_round(watched, base_url):
    """What the text asks first: the rain weight up past zero, and the line swings round."""
    page = watched.page
    page.goto(base_url + "how-llms-work.html")
    wait_ready(page)
    demo = page.locator("[data-demo=weights]")
    line = demo.locator("svg line.boundary")

    def slope():  # in the drawing, y grows downwards: rising to the right is negative
        x1, y1, x2, y2 = (float(line.get_attribute(a)) for a in ("x1", "y1", "x2", "y2"))
        return (y2 - y1) / (x2 - x1) if x2 != x1 else float("inf")

    before = slope()
    assert before < 0  # rain says stay in: the line rises to the right
    slider = demo.locator("[data-input=w2]")
    slider.focus()
    for _ in range(40):  # −3.0 up to +1.0
        page.keyboard.press("ArrowRight")
    expect(demo.locator("[data-slot=w2-shown]")).to_have_text("1.0")
    expect(demo.locator("[data-slot=notice]")).to_contain_text("more rain says go")
    assert line.count() == 1 and slope() > 0  # still in the plot, and turned round
    expect(demo.locator("svg .region-label.is-yes")).to_have_text("go for a walk")
