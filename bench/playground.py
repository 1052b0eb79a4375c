#!/usr/bin/env python3
"""Benchmark chapter 4's playground: training speed with the page drawing, and frame times.

    .venv/bin/python -m bench.playground            build into a temporary folder, measure
    .venv/bin/python -m bench.playground --help     options

Builds the site, serves it on 127.0.0.1 and opens the essay in headless Chromium. Sets the
playground up like a reader would (spiral, the two inputs, hidden layers [8, 8], tanh,
learning rate 0.03, batch 10, half the points for training), presses Play and, for
`--seconds`, reads the epoch counter the page shows and records every animation frame's
start time on the page's main thread (requestAnimationFrame). Prints rendered epochs per
second, frame-interval p50/p95/max, the share of frames that took longer than one 60 Hz
frame, the time until the test accuracy shown first reached 95 %, and the time from a
click on Pause to the page showing "Play" again.
Target: at least 200 epochs/s, and no frame longer than 16.7 ms (one 60 Hz frame).
"""

import itertools
import statistics
import sys
import time

from bench.harness import chapter_main, cpu_model, essay, percentile

DEMO = "[data-demo=playground]"
TARGET_EPOCHS = 200
FRAME_MS = 1000 / 60

# Records every animation frame's start, from now on, in a list the harness reads back.
FRAMES_JS = """() => { window.frames_at = []; const tick = (t) => { window.frames_at.push(t);
  requestAnimationFrame(tick); }; requestAnimationFrame(tick); }"""


def shown(page, slot):
    return page.text_content(f"{DEMO} [data-slot={slot}]")


def set_up(page, timeout_ms):
    """Spiral, [8, 8], tanh, 0.03, batch 10, half to train, as a reader would set it."""
    demo = page.locator(DEMO)
    demo.locator("[data-input=dataset]").select_option("spiral")
    demo.locator("[data-input=activation]").select_option("tanh")
    demo.locator("[data-input=lr]").select_option("0.03")
    for name, value in (("batch", "10"), ("train", "0.5"), ("noise", "0")):
        demo.locator(f"[data-input={name}]").fill(value)
    layers = demo.locator("[data-action=remove-neuron]")  # one per hidden layer
    while layers.count() < 2:
        demo.locator("[data-action=add-layer]").click()
        page.wait_for_timeout(50)
    while layers.count() > 2:
        demo.locator("[data-action=remove-layer]").click()
        page.wait_for_timeout(50)
    for layer in (0, 1):
        size = demo.locator("[data-slot=layers] .layer-size").nth(layer)
        while int(size.text_content()) != 8:
            way = "add" if int(size.text_content()) < 8 else "remove"
            demo.locator(f"[data-action={way}-neuron][data-value='{layer}']").click()
            page.wait_for_timeout(30)
    page.wait_for_selector(f"{DEMO} [data-slot=shape]:text-matches('Hidden layers: 8, 8\\\\.')",
                           timeout=timeout_ms)
    page.wait_for_selector(f"{DEMO} [data-slot=epoch]:text-is('0')", timeout=timeout_ms)


def bench(args):
    timeout_ms = args.timeout * 1000
    with essay(args.timeout) as (page, profile):
        page.locator(DEMO).scroll_into_view_if_needed()
        set_up(page, timeout_ms)
        page.evaluate(FRAMES_JS)
        page.locator(f"{DEMO} [data-slot=btn-play]").click()
        started = time.perf_counter()
        solved, samples = None, []
        while time.perf_counter() - started < args.seconds:
            now = time.perf_counter() - started
            samples.append((now, int(shown(page, "epoch"))))
            accuracy = shown(page, "accuracy").rstrip("%")
            if solved is None and accuracy.isdigit() and int(accuracy) >= 95:
                solved = (now, samples[-1][1])
            time.sleep(0.1)
        frames = page.evaluate("() => window.frames_at")
        clicked = time.perf_counter()
        page.locator(f"{DEMO} [data-slot=btn-play]").click()
        page.wait_for_selector(f"{DEMO} [data-slot=btn-play]:text-is('Play')",
                               timeout=timeout_ms)
        pause_ms = (time.perf_counter() - clicked) * 1000
        version = profile.context.browser.version if profile.context.browser else "?"
        notes = list(profile.errors)
    warm = [s for s in samples if s[0] >= 1.0]  # the first second includes warming up
    (t0, e0), (t1, e1) = warm[0], warm[-1]
    rate = (e1 - e0) / (t1 - t0)
    gaps = [b - a for a, b in itertools.pairwise(frames)]
    late = sum(g > FRAME_MS * 1.2 for g in gaps)
    out = [f"machine: {cpu_model()}; Chromium {version} headless",
           ("Playground: spiral, 2 inputs, hidden [8, 8], tanh, learning rate 0.03, batch 10, "
            "half for training"),
           (f"  epochs per second, figures redrawn after every slice: {rate:.0f} "
            f"(over {t1 - t0:.1f} s; target >= {TARGET_EPOCHS}: "
            f"{'met' if rate >= TARGET_EPOCHS else 'MISSED'})"),
           (f"  animation frames: {len(gaps)}; interval p50 {statistics.median(gaps):.1f} ms, "
            f"p95 {percentile(gaps, 95):.1f} ms, max {max(gaps):.1f} ms; "
            f"{late} ({100 * late / len(gaps):.1f}%) longer than one 60 Hz frame "
            f"(target: none: {'met' if not late else 'MISSED'})"),
           ("  test accuracy first shown >= 95%: " + (f"after {solved[0]:.1f} s, epoch {solved[1]}"
                                                      if solved else "not within the run")),
           f"  Pause click -> Play shown again: {pause_ms:.0f} ms"]
    out += [f"note: console error: {e[:200]}" for e in notes]
    return "\n".join(out)


def options(parser):
    parser.add_argument("--seconds", type=float, default=12, help="training time (default: 12)")


def main(argv=None):
    return chapter_main(sys.modules[__name__], bench, options, argv)


if __name__ == "__main__":
    sys.exit(main())
