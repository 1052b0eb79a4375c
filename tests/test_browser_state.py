"""Figures keep their state: in the page's address, across a worker restart, out of sight."""

import re

import pytest
from conftest import wait_ready
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# What a figure shows: every slot's text and every control's value, less the figure's own
# announcements (the aria-live summary of the last action, notes, the copy-link answer).
SNAPSHOT_JS = """(id) => {
  const fig = document.getElementById(id);
  const out = {};
  for (const el of fig.querySelectorAll("[data-slot]")) {
    if (el.dataset.slot === "summary") continue;
    out["slot:" + el.dataset.slot] = el.tagName === "IMG" ? el.getAttribute("src") : el.textContent;
  }
  for (const el of fig.querySelectorAll("[data-input]")) {
    out["input:" + el.dataset.input] = el.type === "checkbox" ? el.checked : el.value;
  }
  return out;
}"""

FIGURES_JS = "() => [...document.querySelectorAll('[data-demo]')].map((e) => e.id)"


def settle(page):
    """Every figure live, and nothing waiting for Python."""
    page.wait_for_selector("[data-demo][data-state=loading]", state="detached", timeout=60_000)
    page.wait_for_timeout(300)
    page.evaluate("""() => new Promise((resolve) => {
      const idle = () => [...llmexplainRuntime.demos.values()].every((d) => !d.busy && !d.queue.length);
      const wait = () => (idle() ? resolve() : setTimeout(wait, 50));
      wait();
    })""")


def snapshots(page):
    return {fid: page.evaluate(SNAPSHOT_JS, fid) for fid in page.evaluate(FIGURES_JS)}


def move_every_figure(page):
    weights = page.locator("[data-demo=weights]").first
    weights.locator("[data-input=w1]").fill("-1.3")
    weights.locator("[data-input=activation]").select_option("relu")
    learning = page.locator("[data-demo=learning]").first
    learning.locator("[data-input=lr]").fill("-1.2")
    learning.locator("[data-input=point]").select_option("2")
    learning.locator("[data-input=py]").fill("0.91")
    tokenizer = page.locator("[data-demo=tokenizer]").first
    tokenizer.locator("[data-input=text]").fill("Links keep figures as you left them 🙂")
    embeddings = page.locator("[data-demo=embeddings]").first
    embeddings.locator("[data-input=word]").fill("queen")
    playground = page.locator("[data-demo=playground]").first
    playground.locator("[data-input=dataset]").select_option("xor")
    playground.locator("[data-input=noise]").fill("0.2")
    settle(page)


def test_a_link_reopens_every_figure_as_it_was_left(watched, base_url, browser):
    page = watched.page
    page.goto(base_url + "how-llms-work.html")
    wait_ready(page)
    move_every_figure(page)
    page.wait_for_timeout(600)  # the address is written a moment after the last change
    left = snapshots(page)
    url = page.url
    assert "#" in url and len(url.split("#", 1)[1]) <= 2000
    fresh = browser.new_context(viewport={"width": 1280, "height": 900})
    other = fresh.new_page()
    other.goto(url)
    wait_ready(other)
    settle(other)
    assert snapshots(other) == left
    for fid in other.evaluate(FIGURES_JS):
        assert other.locator(f"#{fid} [data-demo-notes]").is_hidden()
    fresh.close()


@pytest.mark.parametrize("fragment", [
    "weights-1=%00%ff%fe garbage&learning-1=!!!&playground-1=" + "A" * 50,
    "weights-1=" + "x" * 200_000,
    "weights-1=eyJ3MSI6OTk5LCJhY3RpdmF0aW9uIjoiZXZpbCIsInciOls1XX0&tokenizer-1=W10",
])
def test_a_hostile_address_gives_a_working_page_with_notes(watched, base_url, fragment):
    page = watched.page
    page.goto(base_url + "how-llms-work.html#" + fragment)
    wait_ready(page)
    settle(page)
    weights = page.locator("#weights-1")
    if len(fragment) > 100_000:  # not read at all: the status line says so
        expect(page.locator("#runtime-status")).to_contain_text("address was left out: it is too long")
    else:
        expect(weights.locator("[data-demo-notes]")).to_be_visible()
    expect(weights.locator("[data-slot=w1-shown]")).to_have_text("2.0")  # its usual start
    weights.locator("[data-input=w1]").fill("1.5")  # and it works
    expect(weights.locator("[data-slot=w1-shown]")).to_have_text("1.5")
    assert page.get_attribute("html", "data-state") == "ready"


def test_out_of_range_values_in_a_link_fall_back_with_a_note(watched, base_url):
    page = watched.page
    # {"w1": 999, "activation": "evil"}: both refused, each said
    page.goto(base_url + "how-llms-work.html#weights-1=eyJ3MSI6OTk5LCJhY3RpdmF0aW9uIjoiZXZpbCJ9")
    wait_ready(page)
    notes = page.locator("#weights-1 [data-demo-notes]")
    expect(notes).to_contain_text("weight w₁")
    expect(notes).to_contain_text("activation")
    assert page.locator("#weights-1 [data-slot=w1-shown]").text_content() == "2.0"


def test_a_restarted_worker_brings_every_figure_back_as_it_was(watched, base_url):
    page = watched.page
    page.goto(base_url + "how-llms-work.html")
    wait_ready(page)
    move_every_figure(page)
    left = snapshots(page)
    running = page.evaluate("""() => [...llmexplainRuntime.channels.values()].filter((c) => c.worker)
      .flatMap((c) => [...c.figures.keys()])""")
    page.evaluate("""() => { for (const c of llmexplainRuntime.channels.values())
      if (c.worker) c.restart('a test stopped it'); }""")
    page.wait_for_selector("[data-demo][data-state=loading]", state="attached")
    settle(page)
    assert snapshots(page) == left
    for fid in running:
        expect(page.locator(f"#{fid} [data-demo-notes]")).to_contain_text("back as you left it")
    weights = page.locator("[data-demo=weights]").first
    weights.locator("[data-input=w1]").fill("0.5")  # and keeps working
    expect(weights.locator("[data-slot=w1-shown]")).to_have_text("0.5")


def test_a_playing_figure_out_of_sight_sends_no_ticks(watched, base_url):
    page = watched.page
    page.goto(base_url + "how-llms-work.html")
    wait_ready(page)
    playground = page.locator("[data-demo=playground]").first
    playground.scroll_into_view_if_needed()
    playground.locator("[data-slot=btn-play]").click()
    epoch = playground.locator("[data-slot=epoch]")
    expect(epoch).not_to_have_text("0")
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(500)  # the tick already asked for may still land
    away = epoch.text_content()
    page.wait_for_timeout(1500)
    assert epoch.text_content() == away  # no ticks while out of sight
    playground.scroll_into_view_if_needed()
    expect(epoch).not_to_have_text(away)  # ticking again


def test_the_worker_answers_a_message_it_does_not_understand(watched, base_url):
    page = watched.page
    page.goto(base_url + "how-llms-work.html")
    wait_ready(page)
    replies = page.evaluate("""() => new Promise((resolve) => {
      const worker = llmexplainRuntime.channels.get("main").worker;
      const got = [];
      worker.addEventListener("message", (e) => {
        if (e.data.type === "refused") got.push(e.data);
        if (got.length === 3) resolve(got);
      });
      worker.postMessage({ type: "no-such-thing", id: "x", seq: 1 });
      worker.postMessage("just a string");
      worker.postMessage({ type: "event", seq: 3 });
    })""")
    assert [r["seq"] for r in replies] == [1, None, 3]
    assert re.search("unknown message type", replies[0]["message"])
    assert "names no figure" in replies[2]["message"]
