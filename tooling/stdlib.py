"""The Python stdlib modules the pages ship: the ones they import, and a few more, each with
its reason.

Pyodide's stdlib zip holds nearly all of CPython's: 4.0 MB as it ships, 9.4 MB byte-compiled
and stored. The pages import a small part of it (Pyodide's own start, numpy, llmexplain,
every figure driven), measured in the browser by `python -m tools.stdlib_imports`, which
builds the site with the whole stdlib, drives every figure in every worker like a reader
(tooling/drive.py) and writes what the workers then hold into IMPORTS. The zip keeps those
modules, the packages that hold them, and EXTRA. tests/test_stdlib.py fails if llmexplain
imports a dropped module; tests/test_browser_every_figure.py drives every figure on the
trimmed site and fails if any worker tried to import one.
"""

import functools
import hashlib
from pathlib import Path

IMPORTS = Path(__file__).with_name("stdlib-imports.txt")

# Kept although the figures did not import them, and why.
EXTRA = {
    # Pyodide's own Python side: the runtime calls into any of it.
    "_pyodide": "Pyodide's own", "pyodide": "Pyodide's own",
    # Codecs a decode may name (bytes.decode("ascii"), a BOM): each a few kB.
    "encodings.ascii": "a codec", "encodings.latin_1": "a codec", "encodings.utf_8_sig": "a codec",
    "encodings.utf_16": "a codec", "encodings.utf_32": "a codec",
    "encodings.raw_unicode_escape": "a codec", "encodings.unicode_escape": "a codec",
    # What a Python error's report reads (the worker shows its last line).
    "traceback": "error reports", "linecache": "error reports", "tokenize": "error reports",
}
WHOLE = ("_pyodide", "pyodide")  # packages kept with every module they hold

FULL = False  # tools.stdlib_imports builds with the whole stdlib, to measure


@functools.cache
def modules():
    """Every module kept: those the pages imported (IMPORTS) and EXTRA."""
    lines = IMPORTS.read_text().splitlines() if IMPORTS.exists() else []
    return frozenset(line for line in lines if line and not line.startswith("#")) | set(EXTRA)


def module_of(filename):
    """The dotted module a zip entry holds: "email/message.pyc" -> "email.message",
    "json/__init__.pyc" -> "json"; a folder or a data file -> its package."""
    parts = filename.rstrip("/").split("/")
    if filename.endswith((".pyc", ".py")):
        parts[-1] = parts[-1].removesuffix(".pyc").removesuffix(".py")
        if parts[-1] == "__init__":
            parts.pop()
    elif not filename.endswith("/"):
        parts.pop()  # py.typed, README.txt: part of the folder's package
    return ".".join(parts)


def kept(filename):
    """Whether the zip entry `filename` ships."""
    if FULL:
        return True
    module = module_of(filename)
    if not module or module.split(".")[0] in WHOLE:
        return True
    if filename.endswith((".pyc", ".py")):
        return module in modules()
    # A folder or a data file: if any module kept is in its package.
    return any(m == module or m.startswith(module + ".") for m in modules())


def everything(cache):
    """Every module of Pyodide's own stdlib zip, as the pinned package ships it."""
    import tarfile
    import zipfile
    from io import BytesIO

    from tooling import pins
    from tooling.fetch import fetch

    with tarfile.open(fetch(pins.PYODIDE, cache)) as tar:
        data = tar.extractfile("package/python_stdlib.zip").read()
    with zipfile.ZipFile(BytesIO(data)) as z:
        return {module_of(n) for n in z.namelist() if n.endswith((".py", ".pyc"))}


def key():
    """A hash of what is kept, for the runtime's cache entry."""
    what = "full" if FULL else "\n".join(sorted(modules())) + repr(WHOLE)
    return hashlib.sha256(what.encode()).hexdigest()[:12]
