"""Driving a figure's "Show the math" like a reader, for the browser tests of any figure
(tests/test_browser_live_math.py): open it, put code in an editor, Run, Reset, read the figure.

Each helper takes the page and the figure's id ("weights-1"); a function is named as the page
names it ("neuron.sigmoid"). They wait on the math box's data-state (static/livemath.js), never
on a script: the policy forbids the eval that wait_for_function needs.
"""

import time

SETTLED = ("ok", "error", "reverted", "stopped", "reset")

# What a figure shows: each slot's text (an SVG's markup), less its aria-live summary.
FIGURE_JS = """(id) => {
  const out = {};
  for (const el of document.getElementById(id).querySelectorAll("[data-slot]")) {
    if (el.dataset.slot !== "summary") out[el.dataset.slot] = el.innerHTML;
  }
  return out;
}"""


def figure(page, fig):
    """What the figure shows now: {slot: its markup}."""
    return page.evaluate(FIGURE_JS, fig)


def math_box(page, fig):
    return page.locator(f"#{fig} [data-math]")


def open_math(page, fig):
    """Open "Show the math" and wait for its editors."""
    box = math_box(page, fig)
    box.locator("summary").click()
    page.wait_for_selector(f"#{fig} [data-math][data-state=ready]", timeout=30_000)
    return box


def editor(page, fig, fn):
    """The editable text of `fn` (Playwright's CSS reaches into the editor's shadow root)."""
    return page.locator(f'#{fig} [data-math-fn="{fn}"] .cm-content')


def code(page, fig, fn):
    """The editor's text, as CodeMirror holds it (its lines are separate elements)."""
    return "\n".join(editor(page, fig, fn).locator(".cm-line").all_text_contents())


def in_editor(page):
    """Whether keyboard focus is in an editor (its shadow root's host has it, seen from the page)."""
    return page.evaluate("document.activeElement.closest('[data-math-editor]') !== null")


def type_code(page, fig, fn, text):
    """Replace an editor's text with `text`, as a paste would (no auto-indent)."""
    editor(page, fig, fn).click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(text)


def settled(page, fig, timeout=60_000):
    """Wait until the last Run or Reset has its answer; returns the math box's state."""
    page.wait_for_selector(f"#{fig} [data-math][data-state=running]", state="detached",
                           timeout=timeout)
    page.wait_for_selector(", ".join(f"#{fig} [data-math][data-state={s}]" for s in SETTLED),
                           timeout=timeout)
    page.wait_for_selector(f"#{fig}[data-state=live]", timeout=timeout)
    return math_box(page, fig).get_attribute("data-state")


def run(page, fig, timeout=60_000):
    page.locator(f"#{fig} [data-math-run]").click()
    return settled(page, fig, timeout)


def reset(page, fig):
    page.locator(f"#{fig} [data-math-reset]").click()
    return settled(page, fig)


def experiment(page, fig, label):
    page.locator(f"#{fig} [data-experiment]", has_text=label).click()
    return settled(page, fig)


def error_text(page, fig):
    return page.locator(f"#{fig} [data-math-error]").text_content()


def round_trips_while(page, done, limit_s=10):
    """The slowest page.evaluate round trip (ms) until `done()` is true: the page must answer
    while a worker is busy."""
    slowest, end = 0.0, time.monotonic() + limit_s
    while not done() and time.monotonic() < end:
        t = time.perf_counter()
        page.evaluate("0")
        slowest = max(slowest, (time.perf_counter() - t) * 1000)
        page.wait_for_timeout(20)
    return slowest
