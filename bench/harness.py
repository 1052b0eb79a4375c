"""What every bench script shares: a built site served on 127.0.0.1, a fresh Chromium profile
on it, the page's own performance measures, and a table printed or one line of error.

    from bench.harness import essay, chapter_main, measured, latency_row, type_keys, WAIT_MEASURE_JS

The site table is bench/site.py; each chapter's bench is a script of its own (bench/README.md).
"""

import argparse
import contextlib
import platform
import statistics
import sys
import tempfile
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

from tooling.browser import NoChromium, launch_profile, served
from tooling.fetch import BuildError
from tooling.site import build

SETTLED = "html[data-state=ready], html[data-state=error]"

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


# ---------------------------------------------------------------- the browser

class Slow(NamedTuple):
    """A slower machine and link, emulated through CDP on each page the profile opens."""
    cpu: float = 4  # Emulation.setCPUThrottlingRate: the page's main thread only (see apply)
    mbit: float = 10  # download and upload, Mbit/s; the page's workers share it
    rtt_ms: float = 40  # added to each request

    def apply(self, page):
        """Chromium applies the page's network conditions to its dedicated workers too
        (measured), but refuses CPU throttling for a worker target ("Operation is only
        supported for pages, not workers"): Python in the workers runs at this machine's speed."""
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        rate = self.mbit * 1e6 / 8
        cdp.send("Network.emulateNetworkConditions", {
            "offline": False, "latency": self.rtt_ms,
            "downloadThroughput": rate, "uploadThroughput": rate})
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": self.cpu})
        return cdp

    def __str__(self):
        return f"CPU ×{self.cpu:g} (main thread), {self.mbit:g} Mbit/s, {self.rtt_ms:g} ms added per request"


class Profile:
    """One Chromium with a fresh user-data-dir: its HTTP cache starts empty."""

    def __init__(self, playwright, base_url):
        self.dir = tempfile.TemporaryDirectory(prefix="llmexplain-bench-")
        try:
            self.context = launch_profile(playwright, self.dir.name,
                                          viewport={"width": 1280, "height": 900})
        except NoChromium as e:
            self.dir.cleanup()
            raise BenchError(str(e)) from None
        self.base_url = base_url
        self.offsite, self.errors = [], []
        self.finished = []  # (path, epoch ms when its response ended) for every request
        # Listening does not touch the cache (routing would). Page request events include
        # the dedicated worker's requests.
        self.context.on("request", self.check_request)
        self.context.on("requestfinished", self.note_finished)
        for page in self.context.pages:  # the blank tab a persistent context opens with
            page.close()

    def check_request(self, request):
        url = request.url
        if not url.startswith(self.base_url) and urlsplit(url).scheme not in ("data", "blob", "about"):
            self.offsite.append(url)

    def note_finished(self, request):
        t = request.timing
        if t["startTime"] > 0 and t["responseEnd"] >= 0:
            self.finished.append((urlsplit(request.url).path, t["startTime"] + t["responseEnd"]))

    def visit(self, path, timeout_s, slow=None):
        """Open path in a new tab (on a slower machine and link if `slow`: a Slow) and wait
        until the runtime settles; returns the page."""
        page = self.context.new_page()
        if slow:
            slow.apply(page)
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
            site = build(site=Path(tmp) / "site")
        with served(site) as base_url, sync_playwright() as pw:
            profile = Profile(pw, base_url)
            try:
                page = profile.visit(path, timeout_s)
                yield page, profile
                profile.check(path, page)
            finally:
                profile.close()


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
    except (BenchError, BuildError) as e:
        print(f"{name}: error: {e}", file=sys.stderr)
        return 1
    except PlaywrightError as e:  # e.g. a page that never settles: its first line says which
        print(f"{name}: error: {str(e).strip().splitlines()[0]}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 0


def measured(page, name):
    """The durations, in ms, of the page's performance measures called `name`."""
    return page.evaluate("(name) => performance.getEntriesByName(name, 'measure')"
                         ".map((m) => m.duration)", name)


def type_keys(page, box, measure, presses, timeout_ms, letter="e"):
    """At the end of the input `box` (a selector), type `letter`, then Backspace, and so on,
    each key sent once the last one's measure is in; returns the ms of each (measured)."""
    page.evaluate("(name) => performance.clearMeasures(name)", measure)
    page.locator(box).focus()
    page.keyboard.press("End")
    for i in range(presses):
        page.keyboard.press(letter if i % 2 == 0 else "Backspace")
        page.evaluate(WAIT_MEASURE_JS, [measure, i, timeout_ms])
    return measured(page, measure)


def latency_row(label, xs, target_ms, width=34):
    """One line of a latency table: count, p50, p95, max, and whether p95 met its target
    (if it has one)."""
    p95 = percentile(xs, 95)
    verdict = "" if target_ms is None else "met" if p95 <= target_ms else "MISSED"
    return (f"  {label:<{width}} {len(xs):>5} {statistics.median(xs):>7.1f} {p95:>7.1f} "
            f"{max(xs):>7.1f}  {verdict}").rstrip()


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def percentile(xs, p):
    """Nearest-rank percentile: an observed value, never an interpolation."""
    xs = sorted(xs)
    return xs[max(0, min(len(xs) - 1, -(-p * len(xs) // 100) - 1))]
