#!/usr/bin/env python3
"""Benchmark the built site in headless Chromium and print a plain-text table.

    .venv/bin/python bench/run.py            build site/, then 3 runs
    .venv/bin/python bench/run.py --help     all options

Not a test: it measures and reports; it fails only when the page itself fails
(data-state="error", no reply to an input) or a request leaves 127.0.0.1.

What it measures, and how (see bench/README.md for why it is done this way):
- load timings from the page's own performance timeline: first-contentful-paint and
  the runtime's marks llmexplain:runtime-ready and llmexplain:demos-live, each for a
  COLD cache (a new Chromium profile) and a WARM cache (a new tab in that same
  profile, after the cold visit; no request routing, which would turn the cache off);
- bytes transferred, counted by the server as it writes each response, because the
  page's CDP session does not see the Web Worker's requests (bench/README.md);
- input latency per demo: the runtime's llmexplain:input:<demo> measures, from an
  input event's timeStamp to the moment the worker's reply is in the DOM.
"""

import argparse
import contextlib
import functools
import os
import platform
import statistics
import sys
import tempfile
import threading
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # not on sys.path when run as bench/run.py
import build

CHROMIUM = os.environ.get("LLMEXPLAIN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-gpu"]
TARGET_P95_MS = 16  # one frame at 60 Hz
KINDS = {".wasm": "wasm", ".js": "js", ".mjs": "js", ".whl": "python", ".zip": "python",
         ".json": "json", ".html": "html", ".css": "css"}
KIND_ORDER = ["wasm", "js", "python", "json", "html", "css", "other"]
SETTLED = "html[data-state=ready], html[data-state=error]"

# Everything is relative to the navigation start (performance.timeOrigin).
TIMINGS_JS = """() => {
  const at = (name) => { const e = performance.getEntriesByName(name)[0]; return e ? e.startTime : null; };
  return { paint: at("first-contentful-paint"), ready: at("llmexplain:runtime-ready"),
           live: at("llmexplain:demos-live"),
           navType: performance.getEntriesByType("navigation")[0].type };
}"""

# Each demo figure, with its first range slider if it has one.
DEMOS_JS = """() => [...document.querySelectorAll("[data-demo]")].map((el) => {
  const s = el.querySelector("input[type=range]");
  return { id: el.id, name: el.dataset.demo,
           slider: s && { id: s.id, control: s.dataset.input || s.id,
                          value: +s.value, min: +s.min, max: +s.max } };
})"""

# Resolves once the measure count for `name` exceeds `n`, so that the next key press is
# sent only after the previous reply is in the DOM: we time latency, not a queue.
WAIT_MEASURE_JS = """([name, n, ms]) => new Promise((resolve, reject) => {
  const done = () => performance.getEntriesByName(name, "measure").length > n;
  if (done()) return resolve();
  const obs = new PerformanceObserver(() => { if (done()) { obs.disconnect(); resolve(); } });
  obs.observe({ type: "measure" });
  setTimeout(() => { obs.disconnect(); reject(new Error("no-measure")); }, ms);
})"""


class BenchError(Exception):
    """Printed as one line; the run exits non-zero."""


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


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
    """build.make_server with each response's size (status line, headers, body) recorded.

    Counted where the bytes leave, so it sees every request, the worker's included, with
    whatever encoding the server chose (build.py's server gzips like a static host).
    """
    server = build.make_server(site, 0)
    made = server.RequestHandlerClass  # functools.partial(build.Handler, directory=...)
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


# ---------------------------------------------------------------- the browser

class Profile:
    """One Chromium with a fresh user-data-dir: its HTTP cache starts empty."""

    def __init__(self, playwright, base_url):
        if not Path(CHROMIUM).exists():
            raise BenchError(f"no Chromium at {CHROMIUM}; run ./dev setup or set LLMEXPLAIN_CHROMIUM")
        self.dir = tempfile.TemporaryDirectory(prefix="llmexplain-bench-")
        self.context = playwright.chromium.launch_persistent_context(
            self.dir.name, executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
            viewport={"width": 1280, "height": 900})
        self.base_url = base_url
        self.offsite, self.errors = [], []
        # Listening does not touch the cache (routing would). Page request events include
        # the dedicated worker's requests.
        self.context.on("request", self.check_request)
        for page in self.context.pages:  # the blank tab a persistent context opens with
            page.close()

    def check_request(self, request):
        url = request.url
        if not url.startswith(self.base_url) and urlsplit(url).scheme not in ("data", "blob", "about"):
            self.offsite.append(url)

    def visit(self, path, timeout_s):
        """Open path in a new tab and wait until the runtime settles; returns the page."""
        page = self.context.new_page()
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        page.goto(self.base_url + path)
        try:  # wait_for_function would need 'unsafe-eval', which the CSP forbids
            page.wait_for_selector(SETTLED, state="attached", timeout=timeout_s * 1000)
        except PlaywrightTimeout:
            self.check(path, page)
            raise BenchError(f'{path} did not reach data-state="ready" within {timeout_s} s') from None
        self.check(path, page)
        return page

    def check(self, path, page):
        if self.offsite:
            raise BenchError(f"a request left 127.0.0.1: {self.offsite[0]}")
        if page.get_attribute("html", "data-state") == "error":
            status = page.evaluate("() => (document.querySelector('[data-status-text]') || "
                                   "document.body).textContent")
            raise BenchError(f'{path} ended in data-state="error": {" ".join(status.split())}')

    def close(self):
        self.context.close()
        self.dir.cleanup()


@contextlib.contextmanager
def essay(timeout_s, path="how-llms-work.html"):
    """For a chapter's bench: the site built into a temporary folder, served on 127.0.0.1,
    and `path` open and ready in a fresh Chromium profile. Yields (page, profile); on the
    way out, fails if a request left 127.0.0.1 or the page ended in error."""
    with tempfile.TemporaryDirectory(prefix="llmexplain-bench-") as tmp:
        with contextlib.redirect_stdout(sys.stderr):  # stdout carries only the table
            site = build.build(site=Path(tmp) / "site")
        server = build.make_server(site, 0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            with sync_playwright() as pw:
                profile = Profile(pw, f"http://127.0.0.1:{server.server_address[1]}/")
                try:
                    page = profile.visit(path, timeout_s)
                    yield page, profile
                    profile.check(path, page)
                finally:
                    profile.close()
        finally:
            server.shutdown()
            server.server_close()


def chapter_main(script, bench, add_options, argv=None):
    """A chapter bench script's main(): its options, its table on stdout, errors as one line."""
    parser = argparse.ArgumentParser(description=script.__doc__.splitlines()[0])
    add_options(parser)
    parser.add_argument("--timeout", type=int, default=180, help="seconds to wait (default: 180)")
    args = parser.parse_args(argv)
    return print_table(f"bench/{Path(script.__file__).name}", bench, args)


def print_table(name, bench, args):
    """Print what bench(args) returns; any failure as one line on stderr, exit status 1."""
    try:
        print(bench(args), flush=True)
    except (BenchError, build.BuildError) as e:
        print(f"{name}: error: {e}", file=sys.stderr)
        return 1
    except PlaywrightError as e:  # e.g. a page that never settles: its first line says which
        print(f"{name}: error: {str(e).strip().splitlines()[0]}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 0


def timings(page):
    t = page.evaluate(TIMINGS_JS)
    if t["navType"] != "navigate":  # a reload would revalidate and not be a repeat visit
        raise BenchError(f"expected a plain navigation, the page reports {t['navType']!r}")
    return t


def drive(profile, page, path, demo, presses, timeout_s):
    """Press ←/→ on a demo's first slider; returns the input→output times in ms."""
    measure = f"llmexplain:input:{demo['name']}"
    slider = demo["slider"]
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


def measured(page, name):
    """The durations, in ms, of the page's performance measures called `name`."""
    return page.evaluate("(name) => performance.getEntriesByName(name, 'measure')"
                         ".map((m) => m.duration)", name)


def latency_row(label, xs, target_ms, width=34):
    """One line of a latency table: count, p50, p95, max, and whether p95 met its target."""
    p95 = percentile(xs, 95)
    return (f"  {label:<{width}} {len(xs):>5} {statistics.median(xs):>7.1f} {p95:>7.1f} "
            f"{max(xs):>7.1f}  {'met' if p95 <= target_ms else 'MISSED'}")


# ---------------------------------------------------------------- the report

def pages_with_demos(site):
    return sorted(p.name for p in site.glob("*.html") if "data-demo=" in p.read_text())


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def ms(x):
    return "-" if x is None else f"{x:.0f}" if x >= 100 else f"{x:.1f}"


def percentile(xs, p):
    """Nearest-rank percentile: an observed value, never an interpolation."""
    xs = sorted(xs)
    return xs[max(0, min(len(xs) - 1, -(-p * len(xs) // 100) - 1))]


def report(facts, args, load_path, loads, bytes_cold, bytes_warm, latency, notes):
    out = [facts, ""]
    out.append(f"Load of /{load_path}, ms from navigation start, over {args.runs} runs "
               f"(+1 discarded warm-up load)")
    out.append(f"  {'':<5} {'':<32} {'median':>8} {'min':>8} {'max':>8}")
    rows = [("paint", "first contentful paint"), ("ready", "runtime ready"),
            ("live", "first demo live")]
    for cache in ("cold", "warm"):
        for key, label in rows:
            xs = [t[key] for t in loads[cache] if t[key] is not None]
            if not xs:
                out.append(f"  {cache:<5} {label:<32} {'n/a':>8}")
                continue
            out.append(f"  {cache:<5} {label:<32} {ms(statistics.median(xs)):>8} "
                       f"{ms(min(xs)):>8} {ms(max(xs)):>8}")
    out.append("  cold: a new Chromium profile; warm: a new tab in that profile, right after "
               "the cold visit")

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
    out.append(f"Input event -> output updated in the DOM, ms (target: p95 <= {TARGET_P95_MS} ms)")
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
            build.build(site)
    elif not site.is_dir():
        raise BenchError(f"{site} does not exist; run without --no-build")
    paths = pages_with_demos(site)
    load_path = args.page or (paths[0] if paths else None)
    if not load_path or not (site / load_path).is_file():
        raise BenchError(f"no page to load in {site} (pages with demos: {paths or 'none'})")

    ledger = Ledger()
    server = counting_server(site, ledger)
    base_url = f"http://127.0.0.1:{server.server_address[1]}/"
    loads = {"cold": [], "warm": []}
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
            for run in range(1, args.runs + 1):
                log(f"run {run}/{args.runs}: cold")
                profile = Profile(pw, base_url)
                try:
                    ledger.take()
                    page = profile.visit(load_path, args.timeout)
                    loads["cold"].append(timings(page))
                    sent["cold"].append(ledger.take())
                    page.close()
                    log(f"run {run}/{args.runs}: warm")
                    page = profile.visit(load_path, args.timeout)  # new tab, same cache
                    loads["warm"].append(timings(page))
                    sent["warm"].append(ledger.take())
                    if run == args.runs:  # input latency once, in the last warm profile
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
    return report(facts, args, load_path, loads, sent["cold"][0], sent["warm"][0], latency, notes)


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
    parser.add_argument("--presses", type=int, default=200,
                        help="key presses per demo slider (default: 200)")
    parser.add_argument("--site", type=Path, default=build.DEFAULT_SITE,
                        help="site folder to build into and serve (default: site/)")
    parser.add_argument("--no-build", action="store_true", help="serve --site as it is")
    parser.add_argument("--page", help="page for the load timings and bytes, relative to the "
                                       "site (default: the first page with a [data-demo])")
    parser.add_argument("--timeout", type=int, default=180,
                        help="seconds to wait for a page or a reply (default: 180)")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.presses < 1:
        parser.error("--runs and --presses must be at least 1")
    return print_table("bench/run.py", bench, args)


if __name__ == "__main__":
    sys.exit(main())
