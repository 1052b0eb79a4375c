"""Brotli made at build time (tooling/compress.py), sent by `serve` where the browser accepts
it, and the service worker the build writes (static/sw.js with the site's hashed files)."""

import base64
import hashlib
import http.client
import json
import re
from urllib.parse import urlsplit

import brotli

from tooling import render
from tooling.browser import served
from tooling.compress import COMPRESS, MIN_BYTES, brotli_of
from tooling.serve import encodings
from tooling.site import MANIFEST


def config(site):
    html = (site / "how-llms-work.html").read_text()
    return json.loads(re.search(r'id="llmexplain-config">(.*?)</script>', html).group(1))


def test_every_file_a_host_must_compress_has_its_brotli_beside_it(site):
    for path in site.rglob("*"):
        if path.name == MANIFEST:  # the build's own record of what it made: no page reads it
            continue
        if path.is_file() and path.suffix in COMPRESS and path.stat().st_size >= 4 * MIN_BYTES:
            packed = path.with_name(path.name + ".br")
            assert packed.is_file(), path
            assert brotli.decompress(packed.read_bytes()) == path.read_bytes(), path


def test_the_progress_line_counts_what_a_brotli_browser_downloads(site):
    settings = config(site)
    for entry in [*settings["boot"], *settings["data"].values()]:
        path = site / entry["url"]
        packed = path.with_name(path.name + ".br")
        assert entry["sent"] == (packed.stat().st_size if packed.exists() else path.stat().st_size)
    wasm = next(e for e in settings["boot"] if e["name"] == "pyodide.asm.wasm")
    assert wasm["sent"] < 2_400_000  # 10.1 MB; 3.16 MB gzipped


def test_a_damaged_brotli_in_the_cache_is_made_again(tmp_path):
    data = b"the same words again and again " * 200
    packed = brotli_of(data, tmp_path)
    (entry,) = (tmp_path / "brotli").iterdir()
    entry.write_bytes(packed[: len(packed) // 2])
    assert brotli.decompress(brotli_of(data, tmp_path)) == data


def test_accept_encoding_is_read_as_a_list_with_weights():
    assert encodings("gzip, deflate, br, zstd") == {"gzip", "deflate", "br", "zstd"}
    assert encodings("gzip;q=1.0, br;q=0") == {"gzip"}
    assert encodings("") == set()


def fetch(base_url, path, accept):
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.request("GET", path, headers={"Accept-Encoding": accept})
    response = conn.getresponse()
    return response, response.read()


def test_serve_sends_the_brotli_to_a_browser_that_accepts_it_and_gzip_otherwise(site):
    wasm = next(e for e in config(site)["boot"] if e["name"] == "pyodide.asm.wasm")
    original = (site / wasm["url"]).read_bytes()
    with served(site) as base_url:
        response, body = fetch(base_url, "/" + wasm["url"], "gzip, deflate, br")
        assert response.getheader("Content-Encoding") == "br"
        assert response.getheader("Content-Type") == "application/wasm"
        assert brotli.decompress(body) == original
        response, body = fetch(base_url, "/" + wasm["url"], "gzip")
        assert response.getheader("Content-Encoding") == "gzip"
        response, body = fetch(base_url, "/" + wasm["url"], "identity")
        assert response.getheader("Content-Encoding") is None and body == original


def test_the_service_worker_knows_every_hashed_file_and_its_integrity(site):
    text = (site / render.SERVICE_WORKER).read_text()
    files = json.loads(re.search(r"const FILES = (\{.*?\});", text, re.DOTALL).group(1))
    hashed = {p.relative_to(site).as_posix() for p in site.rglob("*")
              if p.is_file() and p.parts[len(site.parts)] in ("py", "assets", "data")
              and p.suffix != ".br"}
    assert set(files) == hashed
    for path, sri in files.items():
        digest = hashlib.sha256((site / path).read_bytes()).digest()
        assert sri == "sha256-" + base64.b64encode(digest).decode(), path
    entry = config(site)["serviceWorker"]
    assert entry["url"] == render.SERVICE_WORKER
    assert entry["integrity"] == integrity_of(text.encode())


def integrity_of(data):
    return "sha256-" + base64.b64encode(hashlib.sha256(data).digest()).decode()


def test_the_service_worker_knows_every_page_as_built(site):
    """Its hash of each page is of the page as served, but for the service worker's own
    integrity in an essay's config, which the page can only hold once that hash is in sw.js."""
    text = (site / render.SERVICE_WORKER).read_text()
    pages = json.loads(re.search(r"const BUILT_PAGES = (\{.*?\});", text, re.DOTALL).group(1))
    own = integrity_of(text.encode())
    html = {p.name for p in site.glob("*.html")}
    assert set(pages) == html | {""} and pages[""] == pages["index.html"]
    for name in html:
        page = (site / name).read_text()
        signed = f'"integrity": "{own}"'
        assert page.count(signed) == (1 if "llmexplain-config" in page else 0), name
        assert pages[name] == integrity_of(page.replace(signed, '"integrity": ""').encode()), name
