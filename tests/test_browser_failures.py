"""When something fails, the reader learns what and can act: nothing waits forever."""

import json
import re
import time

import pytest
from conftest import wait_ready
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def short_data_timeout(page, base_url, seconds):
    """Serve the essay with the page's data timeout shortened, as the build would write it."""
    def shorten(route):
        html = route.fetch().text()
        config = re.search(r'id="llmexplain-config">(.*?)</script>', html).group(1)
        changed = json.dumps({**json.loads(config), "dataTimeoutSeconds": seconds})
        route.fulfill(body=html.replace(config, changed), content_type="text/html")

    page.route(base_url + "how-llms-work.html", shorten)


def test_a_data_file_that_never_arrives_gets_a_message_and_a_retry(watched, base_url):
    page = watched.page
    watched.allowed_errors += [r"bpe-4k", r"did not arrive"]
    short_data_timeout(page, base_url, 3)
    hung = []
    page.context.route("**/data/bpe-4k.*", lambda r: hung.append(r))  # never answered
    started = time.monotonic()
    page.goto(base_url + "how-llms-work.html")
    wait_ready(page)
    tokenizer = page.locator("[data-demo=tokenizer]")
    error = tokenizer.locator("[data-demo-error]")
    expect(error).to_contain_text("bpe-4k.tiktoken did not arrive within 3 seconds")
    assert time.monotonic() - started < 30
    assert "could not start" in page.text_content("#runtime-status")
    weights = page.locator("[data-demo=weights]")  # the rest of the page is live meanwhile
    weights.locator("[data-input=w1]").fill("-1")
    expect(weights.locator("[data-slot=w1-shown]")).to_have_text("−1.0")

    page.context.unroute("**/data/bpe-4k.*")  # the network is back: Retry works
    for route in hung:
        route.abort()
    retries = page.locator("[data-demo-retry]:visible")  # each started figure that reads it
    while retries.count():
        retries.first.click()
    expect(error).to_be_hidden()
    expect(tokenizer.locator("[data-demo-retry]")).to_be_hidden()
    expect(page.locator("#runtime-status")).to_contain_text("every figure is live")
    tokenizer.locator("[data-input=text]").fill("hello")
    expect(tokenizer.locator("[data-slot=n-chars]")).to_have_text("5")


@pytest.mark.parametrize("file,words", [
    ("**/assets/runtime.*.js", "runtime.js"),
    ("**/assets/worker.*.js", "worker.js"),
    ("**/pyodide.mjs", "pyodide.mjs"),
    ("**/pyodide.asm.js", "pyodide.asm.js"),
    ("**/pyodide.asm.wasm", "pyodide.asm.wasm"),
    ("**/python_stdlib.zip", "python_stdlib.zip"),
    ("**/pyodide-lock.*.json", "pyodide-lock.json"),
])
def test_a_tampered_runtime_file_is_named(watched, base_url, file, words):
    page = watched.page
    watched.allowed_errors += [r".*"]  # the browser logs the refused file in its own words
    page.context.route(file, lambda r: r.fulfill(status=200, body=b"tampered"))
    page.goto(base_url + "how-llms-work.html")
    page.wait_for_selector("html[data-state=error]", state="attached", timeout=60_000)
    status = page.locator("#runtime-status")
    assert words in status.text_content()
    assert "integrity" in status.text_content()
    assert status.locator("button").is_visible()  # Retry, or Reload when the runtime is gone
    assert page.locator("[data-demo=weights] svg.figure").count() == 1  # the picture stays


def test_with_javascript_off_the_page_says_its_figures_are_static(browser, base_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + "how-llms-work.html")
    assert page.locator("noscript").count() == 1
    assert "static pictures" in page.locator("noscript").text_content()
    status = page.locator("#runtime-status")
    assert status.get_attribute("data-state") == "static"
    assert page.locator("#runtime-status .spinner").is_hidden()
    assert "loading" not in status.text_content().lower()
    context.close()
