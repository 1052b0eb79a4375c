"""The project's tooling: what builds, serves and checks the site, and what tools/ share.

    pins      every pinned download, in one table
    fetch     downloads checked against their pins; cache entries sealed with their hashes
    runtime   Pyodide, its numpy, our wheel and the lock trimmed to them
    corpus    our training text, from pinned public-domain books
    data      the data files demos read
    render    the templates, with each demo pre-rendered; our static files under hashed names
    site      a whole build, swapped in only when it succeeded
    serve     the response headers (one table for `serve` and _headers) and the local server
    browser   headless Chromium for tests, bench and docs/screenshots.py
    retrain   rerun what our code learns from the corpus

build.py is the command line over these. Nothing here ships: the wheel holds only llmexplain.
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
DEFAULT_SITE = ROOT / "site"
DEFAULT_CACHE = Path(os.environ.get("LLMEXPLAIN_CACHE") or
                     Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "llmexplain")


def log(msg):
    print(f"build: {msg}", flush=True)
