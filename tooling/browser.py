"""Headless Chromium for the tests, the benchmarks and docs/screenshots.py, and a built site
served to it on 127.0.0.1.

LLMEXPLAIN_CHROMIUM names the browser (default: Debian's /usr/bin/chromium).
"""

import contextlib
import os
import threading
from pathlib import Path

from tooling.serve import make_server

CHROMIUM = os.environ.get("LLMEXPLAIN_CHROMIUM", "/usr/bin/chromium")
# No sandbox (containers), nothing fetched or synced in the background (only the site's own
# requests reach the network), no GPU (software rendering, the same on every machine).
ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-gpu"]


class NoChromium(Exception):
    """There is no browser at CHROMIUM."""


def executable():
    if not Path(CHROMIUM).exists():
        raise NoChromium(f"no Chromium at {CHROMIUM}; run ./dev setup or set LLMEXPLAIN_CHROMIUM")
    return CHROMIUM


def launch(playwright, **options):
    """A headless Chromium (playwright: a started sync_playwright())."""
    return playwright.chromium.launch(executable_path=executable(), args=ARGS, **options)


def launch_profile(playwright, user_data_dir, **options):
    """A headless Chromium with its own profile folder (its own HTTP cache): a context."""
    return playwright.chromium.launch_persistent_context(
        user_data_dir, executable_path=executable(), args=ARGS, headless=True, **options)


@contextlib.contextmanager
def served(site):
    """Serve the built `site` on a free port of 127.0.0.1 while inside; yields its base URL."""
    server = make_server(site, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
