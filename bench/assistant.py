"""Benchmark chapter 8's figures: a tuning step in the page, Train -> first visible change,
and the tuned model's time per generated token.

    .venv/bin/python -m bench.assistant              build into a temporary folder, measure
    .venv/bin/python -m bench.assistant --help       options

Builds the site, opens the essay in headless Chromium and waits for each figure's worker.
Then:
- "teach it yourself": presses Train on the default examples; each tuning step's time as the
  figure timed it (`tuning.sft_step` in Pyodide), and the seconds from the click to the first
  change a reader sees in the replies (the fresh questions answered again after tuning), and
  to the end of Train (target: a visible change within 60 s);
- "before and after": presses Generate; the model's time for each token, as the figure
  timed it (both models, a whole forward pass of the window each);
- "preferences": one pick; the seconds until the next pair is shown (two DPO steps and two
  new replies).
"""

import sys
import time

from bench.harness import BenchError, chapter_main, essay, latency_row

TEACH, ASSIST, PREFER = "[data-demo=teach]", "[data-demo=assistant]", "[data-demo=prefer]"
VISIBLE_TARGET_S = 60


def live(page, selector, timeout_ms):
    page.locator(selector).scroll_into_view_if_needed()  # its worker starts when it is near
    page.wait_for_selector(f"{selector}[data-state=live]", timeout=timeout_ms)


def timings(page, demo, key):
    """What the figure timed of its own work, `key` of each reply's timing, in order."""
    found = page.evaluate("([demo, key]) => performance.getEntriesByType('mark')"
                          ".filter((m) => m.name === 'llmexplain:python:' + demo && m.detail)"
                          ".map((m) => m.detail[key]).filter((v) => v !== undefined)", [demo, key])
    if not found:
        raise BenchError(f"the {demo} figure reported no {key}")
    return found


def bench(args):
    timeout_ms = args.timeout * 1000
    with essay(args.timeout) as (page, profile):
        live(page, TEACH, timeout_ms)
        started = time.perf_counter()
        page.locator(f"{TEACH} [data-slot=btn-train]").click()
        page.wait_for_selector(f"{TEACH} [data-slot=replies-which]:text-matches('after tuning')",
                               timeout=timeout_ms)
        visible = time.perf_counter() - started
        page.wait_for_selector(f"{TEACH} [data-slot=btn-train]:text-is('Train')", timeout=timeout_ms)
        finished = time.perf_counter() - started
        steps = timings(page, "teach", "step_ms")
        rates = page.locator(f"{TEACH} [data-slot=rates]").text_content()

        live(page, ASSIST, timeout_ms)
        page.locator(f"{ASSIST} [data-slot=btn-generate]").click()
        page.wait_for_selector(f"{ASSIST} [data-slot=btn-generate]:text-is('Generate')",
                               timeout=timeout_ms)
        tokens = timings(page, "assistant", "model_ms")

        live(page, PREFER, timeout_ms)
        started = time.perf_counter()
        page.locator(f"{PREFER} [data-action=pick][data-value='0']").click()
        page.wait_for_selector(f"{PREFER} [data-slot=picks]:text-is('1 pick')", timeout=timeout_ms)
        pick = time.perf_counter() - started
        version = profile.context.browser.version if profile.context.browser else "?"
        notes = profile.errors
    out = [f"Chromium {version} headless", "Chapter 8, ms",
           f"  {'':<52} {'n':>5} {'p50':>7} {'p95':>7} {'max':>7}",
           latency_row("teach: one tuning step in the page", steps, None, 52),
           latency_row("before/after: model time a token (both models)", tokens, None, 52),
           (f"  teach: Train -> first visible change {visible:.1f} s (goal <= {VISIBLE_TARGET_S}), "
            f"-> done {finished:.1f} s; {rates}"),
           f"  preferences: a pick -> the next pair shown {pick:.1f} s"]
    out += [f"note: console error: {e[:200]}" for e in notes]
    return "\n".join(out)


def main(argv=None):
    return chapter_main(sys.modules[__name__], bench, lambda parser: None, argv)


if __name__ == "__main__":
    sys.exit(main())
