#!/usr/bin/env python3
"""Benchmark live math (issue 12): from Run to the figure drawn with the reader's code.

    .venv/bin/python -m bench.live_math            build into a temporary folder, measure
    .venv/bin/python -m bench.live_math --help     options

Opens chapter 1's figure, opens "Show the math" and presses its experiment (ReLU in place of
sigmoid): that first Run also moves the figure into a worker of its own, which starts Python,
and is timed from the click to the figure answering. Then `--runs` times, alternately, a
variant of the edit and the experiment again, each timed by the page's own measure from the
Run to the next frame painted with the figure redrawn (llmexplain:redefine:<demo>, set by
static/demo.js): compiling, probing against a real render, installing and re-creating the
figure. Target: p95 within 100 ms.
"""

import sys
import time

from bench.harness import WAIT_MEASURE_JS, chapter_main, cpu_model, essay, latency_row, measured

FIG = "#weights-1"
MEASURE = "llmexplain:redefine:weights"
TARGET_P95_MS = 100


def bench(args):
    timeout_ms = args.timeout * 1000
    with essay(args.timeout) as (page, profile):
        page.locator(FIG).scroll_into_view_if_needed()
        page.locator(f"{FIG} [data-math] summary").click()
        page.wait_for_selector(f"{FIG} [data-math][data-state=ready]", timeout=timeout_ms)
        experiment = page.locator(f"{FIG} [data-experiment]").first
        started = time.perf_counter()
        experiment.click()
        page.wait_for_selector(f"{FIG} [data-math][data-state=ok]", timeout=timeout_ms)
        first_ms = (time.perf_counter() - started) * 1000
        page.evaluate("(name) => performance.clearMeasures(name)", MEASURE)
        content = page.locator(f'{FIG} [data-math-fn="neuron.sigmoid"] .cm-content')
        for i in range(args.runs):
            if i % 2:
                experiment.click()
            else:
                content.click()
                page.keyboard.press("Control+End")
                page.keyboard.insert_text("\n# another run\n")
                page.locator(f"{FIG} [data-math-run]").click()
            page.evaluate(WAIT_MEASURE_JS, [MEASURE, i, timeout_ms])
        runs = measured(page, MEASURE)
        version = profile.context.browser.version if profile.context.browser else "?"
        notes = profile.errors
    out = [f"machine: {cpu_model()}; Chromium {version} headless",
           f"Live math, chapter 1's figure, Run -> figure redrawn, ms (target p95 <= {TARGET_P95_MS} ms)",
           f"  {'':<34} {'n':>5} {'p50':>7} {'p95':>7} {'max':>7}",
           latency_row("Run, figure in its own worker", runs, TARGET_P95_MS),
           f"  first Run (starts the figure's own worker): {first_ms:.0f} ms"]
    out += [f"note: console error: {e[:200]}" for e in notes]
    return "\n".join(out)


def options(parser):
    parser.add_argument("--runs", type=int, default=40, help="runs to time (default: 40)")


def main(argv=None):
    return chapter_main(sys.modules[__name__], bench, options, argv)


if __name__ == "__main__":
    sys.exit(main())
