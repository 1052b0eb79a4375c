#!/usr/bin/env python3
"""Benchmark the tokenizer demo: keystroke -> updated chips, for a 2,000-character text.

    .venv/bin/python -m bench.tokenizer              build into a temporary folder, measure
    .venv/bin/python -m bench.tokenizer --help       options

Builds the site, serves it on 127.0.0.1, opens the essay in headless Chromium, puts 2,000
characters of held-out corpus text in the tokenizer's box and types into it, one key at a
time, each key only after the previous reply is painted. The time per key is the
runtime's own `llmexplain:input:tokenizer` measure: from the input event's timeStamp to the
end of the first frame painted with the new chips and counts (the style, layout and paint
they cost included). While typing, a PerformanceObserver counts the page's long tasks (over
50 ms: the page cannot answer the reader meanwhile). Also timed: the switch to GPT-4's
vocabulary (click -> its chips shown), typing speed with 10,000 characters in the box
(characters a second, beside a plain textarea holding the same text) and a 1 MB paste (->
the limit message shown).
Targets: p95 <= 50 ms per key, for either tokenizer; no long task.
"""

import sys
import time

from bench.harness import (
    chapter_main,
    cpu_model,
    essay,
    latency_row,
    type_keys,
)
from tooling.corpus import corpus

TARGET_P95_MS = 50
LONG_TEXT = 10_000  # characters in the box while typing speed is measured
DEMO = "[data-demo=tokenizer]"
MEASURE = "llmexplain:input:tokenizer"
# Long tasks (over 50 ms) on the page's main thread from now on, kept in the page.
WATCH_LONG_TASKS_JS = """() => {
  window.llmexplainLongTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.llmexplainLongTasks.push(e.duration);
  }).observe({ type: "longtask" });
}"""


def type_with_long_tasks(page, presses, timeout_ms):
    """Type a letter, then Backspace, and so on; returns (ms per key from the page's measures,
    the durations of the long tasks meanwhile)."""
    page.evaluate(WATCH_LONG_TASKS_JS)
    keys = type_keys(page, f"{DEMO} [data-input=text]", MEASURE, presses, timeout_ms, "x")
    return keys, page.evaluate("() => window.llmexplainLongTasks")


# A plain textarea beside the figure holding the same text: how fast typing goes with no figure.
BARE_BOX_JS = """(text) => {
  const box = document.createElement("textarea");
  box.id = "bench-bare";
  box.value = text;
  document.querySelector("[data-demo=tokenizer]").after(box);
}"""


def typing_rate(page, box, keys):
    """Characters a second that `keys` letters typed at the end of `box` (a selector) go in at,
    as fast as the page takes them: each key waits until the page has handled the last."""
    page.locator(box).focus()
    page.keyboard.press("Control+End")
    started = time.perf_counter()
    page.keyboard.type("x" * keys)
    return keys / (time.perf_counter() - started)


def long_tasks_row(label, tasks, presses):
    worst = f", longest {max(tasks):.0f} ms" if tasks else ""
    return (f"  {label:<34} {len(tasks)} long task{'s' if len(tasks) != 1 else ''} over 50 ms "
            f"in {presses} keys{worst}  {'met' if not tasks else 'MISSED'}")


def wait_text(page, slot, text, timeout_ms):
    page.wait_for_selector(f"{DEMO} [data-slot={slot}]:text-is('{text}')", timeout=timeout_ms)


def bench(args):
    text = corpus().heldout.read_text()[:2000]
    timeout_ms = args.timeout * 1000
    out, notes = [], []
    with essay(args.timeout) as (page, profile):
        page.locator(f"{DEMO} [data-input=text]").fill(text)
        wait_text(page, "n-chars", f"{len(text):,}", timeout_ms)
        ours, ours_long = type_with_long_tasks(page, args.presses, timeout_ms)

        started = time.perf_counter()
        page.locator(f"{DEMO} [data-action=use][data-value=gpt4]").click()
        page.wait_for_selector(f"{DEMO} [data-slot=use-gpt4][aria-pressed=true]",
                               timeout=timeout_ms)
        switch_ms = (time.perf_counter() - started) * 1000
        gpt4, gpt4_long = type_with_long_tasks(page, args.presses, timeout_ms)

        long_text = corpus().heldout.read_text()[:LONG_TEXT]
        page.locator(f"{DEMO} [data-input=text]").fill(long_text)
        wait_text(page, "n-chars", f"{len(long_text):,}", timeout_ms)
        rate = typing_rate(page, f"{DEMO} [data-input=text]", args.keys)
        page.evaluate(BARE_BOX_JS, long_text)
        bare = typing_rate(page, "#bench-bare", args.keys)

        started = time.perf_counter()
        page.locator(f"{DEMO} [data-input=text]").fill("x" * 1_048_576)
        page.wait_for_selector(f"{DEMO} [data-slot=limit]:not([hidden])", timeout=timeout_ms)
        paste_ms = (time.perf_counter() - started) * 1000
        version = profile.context.browser.version if profile.context.browser else "?"
        notes += profile.errors
    out.append(f"machine: {cpu_model()}; Chromium {version} headless")
    out.append(f"Tokenizer demo, keystroke -> chips and counts painted, ms "
               f"(text of {len(text):,} characters; target p95 <= {TARGET_P95_MS} ms)")
    out.append(f"  {'':<34} {'n':>5} {'p50':>7} {'p95':>7} {'max':>7}")
    out.append(latency_row("ours (4,096 tokens)", ours, TARGET_P95_MS))
    out.append(latency_row("GPT-4's cl100k_base (100,256)", gpt4, TARGET_P95_MS))
    out.append("Long tasks on the page's main thread while typing (target: none)")
    out.append(long_tasks_row("ours", ours_long, args.presses))
    out.append(long_tasks_row("GPT-4's", gpt4_long, args.presses))
    out.append(f"  switch to GPT-4's (first time: reads its vocabulary): {switch_ms:.0f} ms, "
               f"click -> its chips shown")
    out.append(f"  typing {args.keys} letters at the end of {LONG_TEXT:,} characters (GPT-4's): "
               f"{rate:.1f} characters a second; into a plain textarea beside it: {bare:.1f}")
    out.append(f"  paste of 1,048,576 characters -> limit message shown: {paste_ms:.0f} ms "
               f"(GPT-4's tokenizer, first 20,000 characters)")
    out += [f"note: console error: {e[:200]}" for e in notes]
    return "\n".join(out)


def options(parser):
    parser.add_argument("--presses", type=int, default=100, help="keys per tokenizer (default: 100)")
    parser.add_argument("--keys", type=int, default=200,
                        help=f"letters typed into {LONG_TEXT:,} characters (default: 200)")


def main(argv=None):
    return chapter_main(sys.modules[__name__], bench, options, argv)


if __name__ == "__main__":
    sys.exit(main())
