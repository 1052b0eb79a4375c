"""Benchmark chapter 5's figure: keystroke -> bars, and the time each generated token takes.

    .venv/bin/python -m bench.next_token              build into a temporary folder, measure
    .venv/bin/python -m bench.next_token --help       options

Builds the site, opens the essay in headless Chromium and waits for the language model's own
worker. Then:
- types into the figure's text box, one key at a time, each only after the last reply is in
  the page: the runtime's `llmexplain:input:next-token` measure runs from the key's input
  event to the new bars and chips in the DOM (target p95 <= 50 ms);
- presses Generate for --tokens tokens from a short prompt: for each token, the model's time
  (as the figure timed its prediction), Python's (the prediction and drawing the figure, as
  the worker timed the call) and the time from the tick being sent to the token on screen
  (`llmexplain:tick:next-token`), split between tokens that reused the KV cache (one row of
  work) and those after the window slid (the cache is rebuilt: a whole window's work, every
  32nd token). Targets, with the cache: p95 <= 5 ms of model time and <= 16 ms from step
  to screen;
- the bytes the model adds to a first visit: its data files, as the page's config lists them.
"""

import json
import re
import sys

from bench.harness import (
    chapter_main,
    cpu_model,
    essay,
    latency_row,
    measured,
    type_keys,
)

DEMO = "[data-demo=next-token]"
KEY_TARGET_MS, MODEL_TARGET_MS, SCREEN_TARGET_MS = 50, 5, 16
PROMPT = "The wind"  # 2 tokens: 62 more fill the window
# Until the reply has at least n tokens, read from the figure's counter every 20 ms: a
# `:text-matches` selector for the exact count missed it while tokens came every 0.15 s.
WAIT_REPLY_JS = """async ([selector, n, timeout]) => {
  const t0 = performance.now();
  while (performance.now() - t0 < timeout) {
    const m = /took ([\\d,]+) prediction/.exec(document.querySelector(selector)?.textContent ?? "");
    if (m && Number(m[1].replaceAll(",", "")) >= n) return;
    await new Promise((done) => setTimeout(done, 20));
  }
  throw new Error(`the reply did not reach ${n} tokens within ${timeout} ms`);
}"""


def generate(page, tokens, timeout_ms):
    """Per generated token, in order: (rows of work, model ms, python ms, screen ms)."""
    counter = f"{DEMO} [data-slot=predictions]"
    page.locator(f"{DEMO} [data-input=text]").fill(PROMPT)
    page.wait_for_selector(f"{counter}:text-matches('took 0 predictions')", timeout=timeout_ms)
    page.evaluate("() => { performance.clearMeasures('llmexplain:tick:next-token');"
                  " performance.clearMarks('llmexplain:python:next-token'); }")
    page.locator(f"{DEMO} [data-slot=btn-generate]").click()
    page.evaluate(WAIT_REPLY_JS, [counter, tokens, timeout_ms + tokens * 1000])
    page.locator(f"{DEMO} [data-slot=btn-generate]").click()
    python = page.evaluate("() => performance.getEntriesByName('llmexplain:python:next-token')"
                           ".filter((m) => m.detail.name === 'tick').map((m) => m.detail)")
    screen = measured(page, "llmexplain:tick:next-token")
    return [(p["rows"], p["model_ms"], p["ms"], s) for p, s in zip(python, screen)][:tokens]


def bench(args):
    timeout_ms = args.timeout * 1000
    with essay(args.timeout) as (page, profile):
        page.locator(DEMO).scroll_into_view_if_needed()  # its worker starts only when it is near
        page.wait_for_selector(f"{DEMO}[data-state=live]", timeout=timeout_ms)
        keys = type_keys(page, f"{DEMO} [data-input=text]", "llmexplain:input:next-token",
                         args.presses, timeout_ms)
        steps = generate(page, args.tokens, timeout_ms)
        config = json.loads(re.search(r'id="llmexplain-config">(.*?)</script>',
                                      page.content()).group(1))
        version = profile.context.browser.version if profile.context.browser else "?"
        notes = profile.errors
    files = {name: e["bytes"] for name, e in config["data"].items()
             if name in ("lm-bpe4k.npz", "attention-habits.json", "tokens-per-word.json")}
    out = [f"machine: {cpu_model()}; Chromium {version} headless",
           "Chapter 5, next-token figure (its own worker), ms",
           f"  {'':<52} {'n':>5} {'p50':>7} {'p95':>7} {'max':>7}",
           latency_row("keystroke -> bars and chips (p95 <= 50)", keys, KEY_TARGET_MS, 52)]
    for label, picked in (("with the KV cache", [s for s in steps if s[0] == 1]),
                          ("window slid, cache rebuilt", [s for s in steps if s[0] > 1])):
        if picked:
            rows = list(zip(*picked))
            out += [latency_row(f"token, {label}: model (<= 5)", rows[1], MODEL_TARGET_MS, 52),
                    latency_row(f"token, {label}: Python, with drawing", rows[2],
                                SCREEN_TARGET_MS, 52),
                    latency_row(f"token, {label}: step -> screen (<= 16)", rows[3],
                                SCREEN_TARGET_MS, 52)]
    out.append(f"  first visit: the model adds {sum(files.values()) / 1e6:.2f} MB "
               f"({', '.join(f'{n} {b:,} bytes' for n, b in files.items())}), fetched by its "
               f"own worker after the page's first figures are live")
    out += [f"note: console error: {e[:200]}" for e in notes]
    return "\n".join(out)


def options(parser):
    parser.add_argument("--presses", type=int, default=60, help="keys to type (default: 60)")
    parser.add_argument("--tokens", type=int, default=120, help="tokens to generate (default: 120)")


def main(argv=None):
    return chapter_main(sys.modules[__name__], bench, options, argv)


if __name__ == "__main__":
    sys.exit(main())
