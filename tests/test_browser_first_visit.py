"""A first visit that feels short, and a repeat visit that needs no network (issue 14): one
status line of fixed height counting bytes; every file asked for once, and only when needed;
a service worker that serves the site's hashed files, checked, offline."""

import re
from urllib.parse import urlsplit

import pytest
from conftest import wait_ready
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# Every text and height the status line had, and where the text below it began, from the first
# styled layout on.
WATCH_STATUS_JS = """
window.llmexplainStatus = [];
new MutationObserver(() => {
  const status = document.getElementById("runtime-status");
  const main = document.getElementById("main");
  // Before the style sheet applies nothing is painted, so nothing can move.
  if (!status || !main || getComputedStyle(status).whiteSpace !== "nowrap") return;
  const text = status.querySelector("[data-status-text]").textContent;
  const last = window.llmexplainStatus.at(-1);
  if (last && last.text === text) return;
  window.llmexplainStatus.push({ text, height: status.getBoundingClientRect().height,
                                 below: main.getBoundingClientRect().top + scrollY });
}).observe(document, { subtree: true, childList: true, characterData: true });
"""


def fresh(browser, **options):
    """A context of its own (no request routing: it would keep the service worker out)."""
    return browser.new_context(viewport={"width": 1280, "height": 900}, **options)


def test_the_status_line_counts_bytes_in_plain_words_and_never_moves_the_page(browser, base_url):
    context = fresh(browser)
    page = context.new_page()
    page.add_init_script(WATCH_STATUS_JS)
    page.goto(base_url + "how-llms-work.html")
    wait_ready(page)
    seen = page.evaluate("window.llmexplainStatus")
    texts = [s["text"] for s in seen]
    counted = [t for t in texts if t.startswith("Getting the calculator ready: ")]
    assert counted, texts
    for text in counted:
        done, total = map(float, re.fullmatch(r"Getting the calculator ready: ([\d.]+) of ([\d.]+) MB",
                                              text).groups())
        assert 0 <= done < total < 9
    assert "every figure is live" in texts[-1]
    for text in texts:
        assert not re.search(r"numpy|pyodide|\.whl|\.zip|\.wasm|\.js\b", text, re.IGNORECASE), text
    assert len({s["height"] for s in seen}) == 1 and len({s["below"] for s in seen}) == 1, seen
    context.close()


def test_each_file_is_asked_for_once_and_gpt4s_vocabulary_only_on_its_switch(browser, base_url):
    context = fresh(browser, service_workers="block")
    page = context.new_page()
    asked = []
    context.on("request", lambda r: asked.append(urlsplit(r.url).path))
    page.goto(base_url + "how-llms-work.html")
    wait_ready(page)
    fetched = [p for p in asked if p.startswith(("/py/", "/data/"))]
    assert len(fetched) == len(set(fetched)), fetched  # what the worker asked early, Pyodide used
    assert not [p for p in asked if "cl100k" in p]
    tokenizer = page.locator("[data-demo=tokenizer]")
    tokenizer.scroll_into_view_if_needed()
    expect(tokenizer).to_have_attribute("data-state", "live")
    tokenizer.locator("[data-input=text]").fill("hello world")
    tokenizer.locator("[data-action=use][data-value=gpt4]").click()
    expect(tokenizer.locator("[data-slot=use-gpt4]")).to_have_attribute("aria-pressed", "true")
    expect(tokenizer.locator("[data-slot=chips] > *")).to_have_count(2)  # "hello", " world"
    assert len([p for p in asked if "cl100k" in p]) == 1
    context.close()


def visited_once(browser, base_url):
    """A context of its own whose page has opened the essay, live, its service worker
    ready: (context, page)."""
    context = fresh(browser)
    page = context.new_page()
    page.goto(base_url + "how-llms-work.html")
    wait_ready(page)
    page.evaluate("() => navigator.serviceWorker.ready.then(() => null)")
    return context, page


def forget_http_cache(context, page):
    """Empty the browser's HTTP cache, so an offline visit has only the service worker."""
    context.new_cdp_session(page).send("Network.clearBrowserCache")


def test_a_repeat_visit_works_offline_from_the_service_worker(browser, base_url):
    context, page = visited_once(browser, base_url)
    for pattern in (r"assets/runtime\.", r"\.wasm", r"numpy.*\.whl", r"\.zip"):
        wait_until_kept(page, pattern)
    forget_http_cache(context, page)
    page.close()
    context.set_offline(True)
    page = context.new_page()
    page.goto(base_url + "how-llms-work.html")
    wait_ready(page)
    weights = page.locator("[data-demo=weights]")
    weights.locator("[data-input=w1]").fill("-1")
    expect(weights.locator("[data-slot=w1-shown]")).to_have_text("−1.0")
    context.close()


def kept_copy(page, pattern):
    """The URL and text of the service worker's copy of the file matching `pattern`."""
    return page.evaluate("""async (pattern) => {
      const cache = await caches.open("llmexplain-files");
      for (const request of await cache.keys()) {
        if (new RegExp(pattern).test(request.url)) return [request.url, await (await cache.match(request)).text()];
      }
      return null;
    }""", pattern)


def wait_until_kept(page, pattern, good=lambda text: True):
    """The service worker's copy of `pattern` once it has one that is `good`: the page hands
    it the files it used, and it keeps them meanwhile."""
    for _ in range(100):
        copy = kept_copy(page, pattern)
        if copy and good(copy[1]):
            return copy
        page.wait_for_timeout(100)
    raise AssertionError(f"the service worker kept no good copy of {pattern}")


def test_a_damaged_copy_in_the_service_workers_cache_is_never_served(browser, base_url):
    context, page = visited_once(browser, base_url)
    url, _ = wait_until_kept(page, r"assets/runtime\.")
    page.evaluate("""async (url) => (await caches.open("llmexplain-files")).put(url,
      new Response("document.title = 'tampered';", { headers: { "Content-Type": "text/javascript" } }))""",
                  url)
    forget_http_cache(context, page)
    page.close()
    context.set_offline(True)  # only offline does it serve its copies
    page = context.new_page()
    page.goto(base_url + "how-llms-work.html")
    # Refused, and said so: the service worker's page for a damaged offline copy.
    page.wait_for_selector("html[data-state=damaged]", state="attached", timeout=60_000)
    assert page.title() != "tampered"
    assert "1 of the files" in page.text_content("[data-damaged]")
    page.close()
    context.set_offline(False)
    page = context.new_page()
    page.goto(base_url + "how-llms-work.html")
    wait_ready(page)
    # Handed the page's files again, it fetches a good copy.
    _, text = wait_until_kept(page, r"assets/runtime\.", lambda text: "tampered" not in text)
    assert "import" in text
    context.close()


def test_the_page_registers_only_the_service_worker_it_was_built_with(browser, base_url):
    context = fresh(browser)
    page = context.new_page()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.route(base_url + "sw.js", lambda r: r.fulfill(
        status=200, body="self.addEventListener('fetch', () => {});",
        headers={"Content-Type": "text/javascript"}))
    page.goto(base_url + "how-llms-work.html")
    wait_ready(page)
    expect(page.locator("#runtime-status")).to_contain_text("every figure is live")
    page.wait_for_timeout(500)
    assert page.evaluate("() => navigator.serviceWorker.getRegistrations()"
                         ".then((r) => r.length)") == 0
    assert any("integrity" in e or "digest" in e for e in errors), errors
    context.close()
