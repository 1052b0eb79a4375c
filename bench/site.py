#!/usr/bin/env python3
"""Benchmark the built site in headless Chromium and print a plain-text table.

    .venv/bin/python -m bench.site            build site/, then 3 runs
    .venv/bin/python -m bench.site --help     all options

Not a test: it measures and reports; it fails only when the page itself fails
(data-state="error", no reply to an input) or a request leaves 127.0.0.1.

What it measures, and how (see bench/README.md for why it is done this way):
- load timings from the page's own performance timeline: first-contentful-paint and
  the runtime's marks llmexplain:runtime-ready, llmexplain:first-live (the first figure
  live) and llmexplain:demos-live (every figure the page starts at once), each for a
  COLD cache (a new Chromium profile) and a WARM cache (a new tab in that same
  profile, after the cold visit; no request routing, which would turn the cache off);
  at this machine's speed, and again with a slower one emulated through CDP (harness.Slow:
  CPU ×4 on the page's main thread, 10 Mbit/s for the page and its workers);
- bytes transferred, counted by the server as it writes each response, because the
  page's CDP session does not see the Web Worker's requests (bench/README.md); and of
  those, the bytes of the responses the browser had finished receiving when the first
  figure went live (Playwright's request timings, which do include the worker's);
- input latency per demo: the runtime's llmexplain:input:<demo> measures, from an
  input event's timeStamp to the end of the next frame painted after the worker's reply.
"""

import argparse
import contextlib
import functools
import os
import platform
import statistics
import sys
import threading
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from bench.harness import (
    WAIT_MEASURE_JS,
    BenchError,
    Profile,
    Slow,
    cpu_model,
    log,
    measured,
    percentile,
    print_table,
)
from tooling import DEFAULT_SITE
from tooling.serve import make_server
from tooling.site import build

TARGET_P95_MS = 16  # one frame at 60 Hz
# Goals on a slow machine and link (issue 14): first figure live, cold and warm; bytes before it.
SLOW_GOALS = {("cold", "first"): 8000, ("warm", "first"): 3000}
SLOW_BYTES_GOAL = 9_000_000
KINDS = {".wasm": "wasm", ".js": "js", ".mjs": "js", ".whl": "python", ".zip": "python",
         ".json": "json", ".html": "html", ".css": "css"}
KIND_ORDER = ["wasm", "js", "python", "json", "html", "css", "other"]

# Everything is relative to the navigation start (performance.timeOrigin).
TIMINGS_JS = """() => {
  const at = (name) => { const e = performance.getEntriesByName(name)[0]; return e ? e.startTime : null; };
  return { paint: at("first-contentful-paint"), ready: at("llmexplain:runtime-ready"),
           first: at("llmexplain:first-live"), live: at("llmexplain:demos-live"),
           origin: performance.timeOrigin,
           navType: performance.getEntriesByType("navigation")[0].type };
}"""

# Each demo figure, with its first range slider if it has one.
DEMOS_JS = """() => [...document.querySelectorAll("[data-demo]")].map((el) => {
  const s = el.querySelector("input[type=range]");
  return { id: el.id, name: el.dataset.demo,
           slider: s && { id: s.id, control: s.dataset.input || s.id,
                          value: +s.value, min: +s.min, max: +s.max } };
})"""


# ---------------------------------------------------------------- the server

class Ledger:
    """What the server sent since the last reset: (path, bytes) per response."""

    def __init__(self):
        self.lock, self.sent = threading.Lock(), []

    def add(self, path, n):
        with self.lock:
            self.sent.append((path, n))

    def take(self):
        with self.lock:
            sent, self.sent = self.sent, []
        return sent


class CountingWriter:
    """Stands in for a handler's wfile and counts what goes through it."""

    def __init__(self, wfile):
        self.wfile, self.n = wfile, 0

    def write(self, data):
        self.n += len(data)
        return self.wfile.write(data)

    def __getattr__(self, name):
        return getattr(self.wfile, name)


def counting_server(site, ledger):
    """make_server (tooling.serve) with each response's size (status line, headers, body)
    recorded.

    Counted where the bytes leave, so it sees every request, the worker's included, with
    whatever encoding the server chose (it gzips like a static host).
    """
    server = make_server(site, 0)
    made = server.RequestHandlerClass  # functools.partial(Handler, directory=...)
    base = getattr(made, "func", made)

    class Counting(base):
        def setup(self):
            super().setup()
            self.wfile = CountingWriter(self.wfile)

        def handle_one_request(self):
            self.wfile.n = 0  # one keep-alive connection carries many requests
            super().handle_one_request()
            if self.wfile.n:
                ledger.add(urlsplit(self.path).path, self.wfile.n)

    if isinstance(made, functools.partial):
        server.RequestHandlerClass = functools.partial(Counting, *made.args, **made.keywords)
    else:
        server.RequestHandlerClass = Counting
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def by_kind(sent):
    """{kind: [bytes, responses]} for a ledger's (path, bytes) list."""
    kinds = defaultdict(lambda: [0, 0])
    for path, n in sent:
        kind = KINDS.get(Path(path).suffix, "other")
        kinds[kind][0] += n
        kinds[kind][1] += 1
    return kinds


def before_first_live(sent, finished, t):
    """The bytes of the responses (a ledger's (path, bytes) list) that the browser had
    finished receiving when the first figure went live: `finished` holds (path, epoch ms)
    per request, in the order they ended, `t` the page's timings."""
    if t["first"] is None:
        return None
    at = t["origin"] + t["first"]
    done = defaultdict(int)  # path -> how many of its responses had ended by then
    for path, end in finished:
        if end <= at:
            done[path] += 1
    total, seen = 0, defaultdict(int)
    for path, n in sent:
        seen[path] += 1
        if seen[path] <= done[path]:
            total += n
    return total


def timings(page):
    t = page.evaluate(TIMINGS_JS)
    if t["navType"] != "navigate":  # a reload would revalidate and not be a repeat visit
        raise BenchError(f"expected a plain navigation, the page reports {t['navType']!r}")
    return t


def drive(profile, page, path, demo, presses, timeout_s):
    """Press ←/→ on a demo's first slider; returns the input→output times in ms."""
    measure = f"llmexplain:input:{demo['name']}"
    slider = demo["slider"]
    # A figure with a worker of its own starts when the reader comes near it.
    page.locator(f'[id="{demo["id"]}"]').scroll_into_view_if_needed()
    page.wait_for_selector(f'[id="{demo["id"]}"][data-state=live]', timeout=timeout_s * 1000)
    page.evaluate("(name) => performance.clearMeasures(name)", measure)
    page.focus(f'[id="{slider["id"]}"]')
    # Alternate so the knob never sits at an end, where a press changes nothing.
    keys = ["ArrowLeft", "ArrowRight"] if slider["value"] >= slider["max"] else ["ArrowRight", "ArrowLeft"]
    for i in range(presses):
        page.keyboard.press(keys[i % 2])
        try:
            page.evaluate(WAIT_MEASURE_JS, [measure, i, timeout_s * 1000])
        except PlaywrightError as e:
            if "no-measure" not in str(e):
                raise
            profile.check(path, page)
            raise BenchError(f"{path} {demo['id']}: no reply to input {i + 1} "
                             f"within {timeout_s} s") from None
    profile.check(path, page)
    return measured(page, measure)


# ---------------------------------------------------------------- the report

def pages_with_demos(site):
    return sorted(p.name for p in site.glob("*.html") if "data-demo=" in p.read_text())


def mb(n):
    return "-" if n is None else f"{n / 1e6:.2f} MB"


def ms(x):
    return "-" if x is None else f"{x:.0f}" if x >= 100 else f"{x:.1f}"


LOAD_ROWS = [("paint", "first contentful paint"), ("ready", "runtime ready"),
             ("first", "first figure live"), ("live", "all live (every figure started at once)")]


def load_table(loads, goals=None):
    out = [f"  {'':<5} {'':<40} {'median':>8} {'min':>8} {'max':>8}"]
    for cache in ("cold", "warm"):
        for key, label in LOAD_ROWS:
            xs = [t[key] for t in loads[cache] if t[key] is not None]
            if not xs:
                out.append(f"  {cache:<5} {label:<40} {'n/a':>8}")
                continue
            goal = (goals or {}).get((cache, key))
            verdict = "" if goal is None else (f"  goal <= {goal / 1000:g} s: " +
                                               ("met" if statistics.median(xs) <= goal else "MISSED"))
            out.append(f"  {cache:<5} {label:<40} {ms(statistics.median(xs)):>8} "
                       f"{ms(min(xs)):>8} {ms(max(xs)):>8}{verdict}")
    return out


def report(facts, args, load_path, loads, bytes_cold, bytes_warm, latency, notes, slow=None):
    out = [facts, ""]
    out.append(f"Load of /{load_path}, ms from navigation start, over {args.runs} runs "
               f"(+1 discarded warm-up load)")
    out += load_table(loads)
    out.append("  cold: a new Chromium profile; warm: a new tab in that profile, right after "
               "the cold visit")
    out.append(f"  bytes before the first figure was live, cold: {mb(loads['early'][0])}")
    if slow:
        out.append("")
        out.append(f"The same on a slower machine and link: {slow['emulated']}, "
                   f"over {len(slow['cold'])} runs")
        out += load_table(slow, SLOW_GOALS)
        early = [b for b in slow["early"] if b is not None]
        verdict = ("met" if early and statistics.median(early) <= SLOW_BYTES_GOAL else "MISSED")
        out.append(f"  bytes before the first figure was live, cold: "
                   f"{' '.join(mb(b) for b in slow['early'])}  goal <= "
                   f"{SLOW_BYTES_GOAL / 1e6:g} MB: {verdict}")
        out.append("  Chromium refuses CPU throttling for worker targets, so Python's own work runs "
                   "at this machine's speed")

    out.append("")
    out.append(f"Bytes transferred by kind, /{load_path}")
    out.append(f"  {'kind':<8} {'cold':>12} {'responses':>10} {'warm':>12} {'responses':>10}")
    cold, warm = by_kind(bytes_cold), by_kind(bytes_warm)
    for kind in KIND_ORDER + ["total"]:
        if kind == "total":
            c = [sum(v[0] for v in cold.values()), sum(v[1] for v in cold.values())]
            w = [sum(v[0] for v in warm.values()), sum(v[1] for v in warm.values())]
        elif kind not in cold and kind not in warm:
            continue
        else:
            c, w = cold[kind], warm[kind]
        out.append(f"  {kind:<8} {c[0]:>12,} {c[1]:>10} {w[0]:>12,} {w[1]:>10}")
    out.append("  counted by the server: every byte written per response (status line, headers,")
    out.append("  body as sent, gzipped or not), the worker's requests included; what the browser")
    out.append("  takes from its cache never reaches the server")

    out.append("")
    out.append(f"Input event -> output painted, ms (target: p95 <= {TARGET_P95_MS} ms)")
    out.append(f"  {'page':<24} {'demo':<18} {'slider':<10} {'n':>5} {'p50':>7} {'p95':>7} "
               f"{'max':>7}  target")
    for path, demo, xs in latency:
        label = f"{demo['id']}"
        if xs is None:
            out.append(f"  {path:<24} {label:<18} {'-':<10} skipped: no range slider")
            continue
        p95 = percentile(xs, 95)
        verdict = "met" if p95 <= TARGET_P95_MS else "MISSED"
        out.append(f"  {path:<24} {label:<18} {demo['slider']['control']:<10} {len(xs):>5} "
                   f"{ms(percentile(xs, 50)):>7} {ms(p95):>7} {ms(max(xs)):>7}  {verdict}")
    out.append("  keyboard ←/→ on each figure's first slider; each press waits for the previous "
               "reply")
    if notes:
        out.append("")
        out += [f"note: {n}" for n in notes]
    return "\n".join(out)


# ---------------------------------------------------------------- main

def bench(args):
    site = args.site.resolve()
    if not args.no_build:
        with contextlib.redirect_stdout(sys.stderr):  # stdout carries only the table
            build(site)
    elif not site.is_dir():
        raise BenchError(f"{site} does not exist; run without --no-build")
    paths = pages_with_demos(site)
    load_path = args.page or (paths[0] if paths else None)
    if not load_path or not (site / load_path).is_file():
        raise BenchError(f"no page to load in {site} (pages with demos: {paths or 'none'})")

    ledger = Ledger()
    server = counting_server(site, ledger)
    base_url = f"http://127.0.0.1:{server.server_address[1]}/"
    loads = {"cold": [], "warm": [], "early": []}
    slow = {"cold": [], "warm": [], "early": [], "emulated": str(Slow())} if args.slow_runs else None
    sent = {"cold": [], "warm": []}  # per run: the ledger of (path, bytes)
    latency, notes, errors = [], [], []
    try:
        with sync_playwright() as pw:
            # The first load ever pays for the server's gzip of each file and a cold OS
            # file cache; neither is what a reader's browser sees, so it is not counted.
            log("warm-up load (not counted)")
            profile = Profile(pw, base_url)
            version = profile.context.browser.version if profile.context.browser else "?"
            try:
                profile.visit(load_path, args.timeout).close()
            finally:
                errors += profile.errors
                profile.close()
            runs = [(run, None) for run in range(1, args.runs + 1)]
            runs += [(run, Slow()) for run in range(1, args.slow_runs + 1)]
            for run, emulated in runs:
                table, label = (slow, "slow ") if emulated else (loads, "")
                log(f"{label}run {run}/{args.slow_runs if emulated else args.runs}: cold")
                profile = Profile(pw, base_url)
                try:
                    ledger.take()
                    page = profile.visit(load_path, args.timeout, emulated)
                    t = timings(page)
                    table["cold"].append(t)
                    cold = ledger.take()
                    table["early"].append(before_first_live(cold, profile.finished, t))
                    page.close()
                    log(f"{label}run {run}/{args.slow_runs if emulated else args.runs}: warm")
                    page = profile.visit(load_path, args.timeout, emulated)  # new tab, same cache
                    table["warm"].append(timings(page))
                    warm = ledger.take()
                    if not emulated:
                        sent["cold"].append(cold)
                        sent["warm"].append(warm)
                    if run == args.runs and not emulated:  # input latency once, in a warm profile
                        latency = measure_latency(profile, page, load_path, paths, args)
                finally:
                    errors += profile.errors
                    profile.close()
    finally:
        server.shutdown()
        server.server_close()
    for cache in ("cold", "warm"):
        totals = [sum(n for _, n in run) for run in sent[cache]]
        if len(set(totals)) > 1:
            notes.append(f"{cache} bytes differed between runs: {totals}; the table shows run 1")
    if errors:
        notes.append(f"{len(errors)} console error(s), first: {errors[0][:200]}")
    facts = (f"machine: {os.cpu_count()} cores ({cpu_model()}), {platform.system()} "
             f"{platform.release()}; Chromium {version} headless; Python "
             f"{platform.python_version()}")
    return report(facts, args, load_path, loads, sent["cold"][0], sent["warm"][0], latency, notes,
                  slow)


def measure_latency(profile, page, load_path, paths, args):
    rows = []
    for path in paths:
        log(f"input latency on /{path}")
        on = page if path == load_path else profile.visit(path, args.timeout)
        for demo in on.evaluate(DEMOS_JS):
            if not demo["slider"] or demo["slider"]["min"] >= demo["slider"]["max"]:
                rows.append((path, demo, None))
                continue
            rows.append((path, demo, drive(profile, on, path, demo, args.presses, args.timeout)))
        if on is not page:
            on.close()
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Benchmark the built site in headless Chromium: load timings (cold and "
                    "warm cache), bytes by kind, and input latency per demo.")
    parser.add_argument("--runs", type=int, default=3, help="cold+warm load pairs (default: 3)")
    parser.add_argument("--slow-runs", type=int, default=3,
                        help="cold+warm pairs on an emulated slow machine and link "
                             "(harness.Slow; default: 3; 0 skips them)")
    parser.add_argument("--presses", type=int, default=200,
                        help="key presses per demo slider (default: 200)")
    parser.add_argument("--site", type=Path, default=DEFAULT_SITE,
                        help="site folder to build into and serve (default: site/)")
    parser.add_argument("--no-build", action="store_true", help="serve --site as it is")
    parser.add_argument("--page", help="page for the load timings and bytes, relative to the "
                                       "site (default: the first page with a [data-demo])")
    parser.add_argument("--timeout", type=int, default=180,
                        help="seconds to wait for a page or a reply (default: 180)")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.presses < 1 or args.slow_runs < 0:
        parser.error("--runs and --presses must be at least 1")
    return print_table("bench/site.py", bench, args)


if __name__ == "__main__":
    sys.exit(main())
