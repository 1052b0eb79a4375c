"""Response headers, one table for `serve` and for the _headers file static hosts read; and
the local server.

Every page and the worker get a Content-Security-Policy, as a header (here and in _headers)
and as a <meta> tag (for hosts that send no headers). Pyodide needs only 'wasm-unsafe-eval'.
blob: lets the page run the worker, and the worker run Pyodide's scripts, from bytes it
fetched with an integrity check (a Worker or an import() cannot carry one). The reader's code
can make blobs too (it runs in a worker of the page's origin), but nothing it returns can
hold a script element to load one: the page builds what Python sends only from
static/dom-allow.json. Without blob:, those three scripts would have to be fetched twice
(checked, then run from their URL: the HTTP cache's copy, unchecked) or run unchecked;
measured on this project's loaded test machine the first figure's time did not change
beyond the noise (issue 24). The one inline script, the page's import map, is allowed by its sha256,
worked out when the site is built: `serve` sends the headers the build wrote into _headers.
"""

import contextlib
import email.utils
import functools
import gzip
import http.server
import io
import os
import sys
import urllib.parse
from pathlib import Path
from typing import ClassVar

from tooling import DEFAULT_SITE
from tooling.compress import COMPRESS
from tooling.fetch import BuildError

IMMUTABLE = "public, max-age=31536000, immutable"
HASHED = ("/py/", "/assets/", "/data/")  # content-hashed names: a year in the browser's cache


def policy(script_hashes=()):
    """The policy a page's <meta> tag carries; `script_hashes` are the integrity values
    ("sha256-…") of the inline scripts it may run."""
    scripts = " ".join(["'self'", "'wasm-unsafe-eval'", "blob:", *(f"'{h}'" for h in script_hashes)])
    return (f"default-src 'self'; script-src {scripts}; worker-src 'self' blob:; "
            "connect-src 'self'; img-src 'self' data: blob:; style-src 'self'; font-src 'self'; "
            "object-src 'none'; base-uri 'none'; form-action 'none'")


def headers(meta_policy):
    """The headers every file of a site gets, its pages carrying `meta_policy`. Only a header
    can carry frame-ancestors (a <meta> policy ignores it), and only a header reaches the worker.

    COOP and COEP make a page cross-origin isolated, which gives it shared memory: with it the
    page can stop a reader's code that never returns (`while True: pass`) inside a busy Python
    worker (Pyodide's interrupt buffer) instead of ending the worker. The site loads nothing
    from another origin, so require-corp costs nothing: workers from blob: URLs, the service
    worker, data files and fonts are all our own. A host that cannot send them still works:
    the page then ends the worker instead (static/livemath.js)."""
    return {"Content-Security-Policy": meta_policy + "; frame-ancestors 'none'",
            "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
            "Cross-Origin-Opener-Policy": "same-origin",
            "Cross-Origin-Embedder-Policy": "require-corp"}


def headers_file(table):
    """The text of a _headers file: `table` for every file, a year's caching for hashed names."""
    lines = ["/*", *(f"  {k}: {v}" for k, v in table.items())]
    for prefix in HASHED:
        lines += [f"{prefix}*", f"  Cache-Control: {IMMUTABLE}"]
    return "\n".join(lines) + "\n"


def site_headers(site):
    """What a static host sends with every file of `site`: the "/*" block of its _headers,
    over the headers of a page with no inline script (all a folder without one gets)."""
    try:
        path = Path(site) / "_headers"
        return {**headers(policy()), **dict(read_headers(path, path.stat().st_mtime_ns))}
    except (OSError, UnicodeDecodeError):
        return headers(policy())


@functools.lru_cache(maxsize=8)
def read_headers(path, mtime_ns):  # mtime_ns is part of the cache key
    block, table = None, []
    for line in path.read_text().splitlines():
        if not line.startswith((" ", "#")):
            block = line.strip()
        elif block == "/*" and ":" in line:
            name, value = line.strip().split(":", 1)
            table.append((name, value.strip()))
    return tuple(table)


# ---------------------------------------------------------------- serving

class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map: ClassVar = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".wasm": "application/wasm", ".mjs": "text/javascript",
                      ".js": "text/javascript", ".whl": "application/zip"}
    timeout = 30  # seconds an idle connection may hold a thread
    # Answer even a garbled request line with a status line (HTTP/0.9 would send none).
    default_request_version = "HTTP/1.0"
    status = None  # of the response being sent

    def parse_request(self):
        if not super().parse_request():
            return False
        if "\0" in urllib.parse.unquote(self.path):
            self.send_error(400, "The path holds a NUL character")
            return False
        return True

    def send_response(self, code, message=None):
        self.status = code
        super().send_response(code, message)

    def send_head(self):
        path = Path(self.translate_path(self.path))
        root = os.path.realpath(self.directory)
        real = os.path.realpath(path)
        if real != root and not real.startswith(root + os.sep):  # a symlink out of the site
            self.send_error(404, "File not found")
            return None
        # Compressed as a well-set static host does, so local timings and byte counts are
        # realistic: the build's .br where the browser accepts brotli, else gzip made here.
        accepted = encodings(self.headers.get("Accept-Encoding", ""))
        if path.suffix in COMPRESS and path.is_file() and accepted & {"br", "gzip"}:
            stat = path.stat()
            if not_modified_since(self.headers.get("If-Modified-Since"), stat.st_mtime):
                self.send_response(304)  # an HTML page revisited: no-cache means "ask first"
                self.end_headers()
                return None
            packed = path.with_name(path.name + ".br")
            if "br" in accepted and packed.is_file() and os.path.realpath(packed).startswith(root + os.sep):
                encoding, body = "br", packed.read_bytes()
            elif "gzip" in accepted:
                encoding, body = "gzip", gzipped(path, stat.st_mtime_ns)
            else:
                return super().send_head()
            self.send_response(200)
            self.send_header("Last-Modified", self.date_time_string(int(stat.st_mtime)))
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Encoding", encoding)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Vary", "Accept-Encoding")
            self.end_headers()
            return io.BytesIO(body)
        return super().send_head()

    def list_directory(self, path):
        self.send_error(404, "File not found")  # no listings: a site shows only its pages

    def end_headers(self):
        for name, value in site_headers(self.directory).items():
            self.send_header(name, value)
        # Only a good answer for a content-hashed name may be kept: never an error.
        path = urllib.parse.urlsplit(getattr(self, "path", "")).path
        hashed = self.status in (200, 304) and path.startswith(HASHED)
        self.send_header("Cache-Control", IMMUTABLE if hashed else "no-cache")
        super().end_headers()

    def log_message(self, fmt, *args):
        if os.environ.get("LLMEXPLAIN_SERVE_LOG"):
            super().log_message(fmt, *args)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """One line, not a traceback; a browser that hung up is not worth a line."""
        error = sys.exc_info()[1]
        if not isinstance(error, (ConnectionError, TimeoutError)):
            print(f"serve: error answering {client_address[0]}: "
                  f"{type(error).__name__}: {error}", file=sys.stderr, flush=True)


def encodings(header):
    """The content codings an Accept-Encoding header accepts ("gzip;q=0" refuses gzip)."""
    accepted = set()
    for part in header.lower().split(","):
        name, _, params = part.strip().partition(";")
        q = params.strip().removeprefix("q=") if params.strip().startswith("q=") else "1"
        try:
            if float(q) > 0 and name.strip():
                accepted.add(name.strip())
        except ValueError:
            pass
    return accepted


def not_modified_since(header, mtime):
    try:
        return header is not None and int(mtime) <= email.utils.parsedate_to_datetime(header).timestamp()
    except (TypeError, ValueError):
        return False


@functools.lru_cache(maxsize=64)
def gzipped(path, mtime_ns):  # mtime_ns is part of the cache key
    return gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)


def make_server(site=DEFAULT_SITE, port=8000):
    """A threaded server for site/ bound to 127.0.0.1 only (port 0 picks a free one)."""
    handler = functools.partial(Handler, directory=str(site))
    return Server(("127.0.0.1", port), handler)


def serve(site, port):
    if not (site / "index.html").is_file():
        raise BuildError(f"--site {site}: no built site there to serve; run without --no-build")
    try:
        server = make_server(site, port)
    except OSError as e:
        raise BuildError(f"cannot listen on 127.0.0.1:{port} ({e.strerror}); try --port 0") from None
    print(f"serving {site} at http://127.0.0.1:{server.server_address[1]}/  (Ctrl-C stops)",
          flush=True)
    with server, contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    print("stopped")
