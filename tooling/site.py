"""A whole build: everything into a new folder beside the target, swapped in only when done.

The build never deletes what it did not make: it replaces only a folder an earlier build
made (its _headers starts with STAMP) or an empty one, and a failed, interrupted or
concurrent build leaves the previous site as it was.
"""

import contextlib
import fcntl
import json
import os
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

from tooling import (
    DEFAULT_CACHE,
    DEFAULT_SITE,
    ROOT,
    compress,
    data,
    editor,
    log,
    render,
    runtime,
    serve,
)
from tooling.fetch import BuildError, discard, integrity

# The first line of a site's _headers marks a folder this build made: the build replaces only
# such a folder (or an empty one). Static hosts read "#" lines in _headers as comments.
STAMP = "# Built by llmexplain's build.py; the next build replaces this whole folder."
BUILDING = ".llmexplain-building"  # marks a half-built folder, removed by the next build
# The page waits this long for a data file before it offers a Retry on that figure.
DATA_TIMEOUT_SECONDS = 60


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
        tmp = None
        try:
            with interrupts_deferred():  # so that a folder made is a folder known, and removed
                tmp = Path(tempfile.mkdtemp(prefix=f".{site.name}.building-", dir=site.parent))
            tmp.chmod(0o777 & ~current_umask())  # mkdtemp makes it private; a site is not
            (tmp / BUILDING).touch()
            pages = build_into(tmp, cache)
            (tmp / BUILDING).unlink()
            swap_in(tmp, site)
        finally:
            if tmp:
                discard(tmp)  # gone already if the swap happened
    log(f"built {len(pages)} pages into {site} in {time.perf_counter() - started:.1f} s")
    return site


def build_into(site, cache):
    """Everything the site holds, written into the empty folder `site`. Returns the pages."""
    config = runtime.ship(site, cache)
    config["data"] = data.ship(site, cache)
    # What a browser that accepts brotli downloads for each (tooling.compress): the bytes
    # the page's progress line counts.
    sent = compress.precompress([site / f["url"] for f in config["boot"]] +
                                [site / e["url"] for e in config["data"].values()], cache)
    for entry in [*config["boot"], *config["data"].values()]:
        entry["sent"] = sent[site / entry["url"]]
    (site / "assets").mkdir()
    assets = render.hashed_assets(site, {editor.BUNDLE: editor.bundle(cache)})
    imports = render.import_map(assets)
    meta_policy = serve.policy([integrity(imports.encode())])
    # sw.js holds every page's hash, so its own integrity is written into the pages after
    # (sign_pages); a page's hash is taken with it empty, as the service worker takes it.
    config["serviceWorker"] = {"url": render.SERVICE_WORKER, "integrity": ""}
    config.update({"worker": assets["worker.js"][0], "workerIntegrity": assets["worker.js"][1],
                   "packages": ["llmexplain"], "bootTimeoutSeconds": 120,
                   "dataTimeoutSeconds": DATA_TIMEOUT_SECONDS, "needs": needs(),
                   "allow": render.dom_allow()})
    # The pre-render reads data where the worker puts it in the page: one folder.
    os.environ["LLMEXPLAIN_DATA"] = str(data.data_folder(cache))
    pages = render.render_pages(site, assets, config, meta_policy, imports)
    sign_pages(site, pages, service_worker(site, config, assets, pages, serve.headers(meta_policy)))
    compress.precompress([site / p for p in pages] + [site / url for url, _ in assets.values()] +
                         [site / render.SERVICE_WORKER], cache)
    (site / "_headers").write_text(STAMP + "\n" + serve.headers_file(serve.headers(meta_policy)))
    return pages


def service_worker(site, config, assets, pages, page_headers):
    """site/sw.js: static/sw.js with FILES, every content-hashed file and its integrity (the
    files it may keep and serve), BUILT_PAGES, the integrity of every page as rendered (with an
    empty integrity for the service worker: sign_pages writes it), the only pages it serves
    offline, and PAGE_HEADERS, the headers of a page, which it serves its kept pages with.
    Returns its integrity."""
    files = {f["url"]: f["integrity"] for f in config["boot"]}
    files |= {e["url"]: e["integrity"] for e in config["data"].values()}
    files |= {url: sri for url, sri in assets.values()}
    built = {page: integrity((site / page).read_bytes()) for page in pages}
    built[""] = built["index.html"]  # the site's root address serves its index
    text = (render.STATIC / render.SERVICE_WORKER).read_text()
    for name, value in (("FILES", json.dumps(files, indent=0, sort_keys=True)),
                        ("BUILT_PAGES", json.dumps(built, indent=0, sort_keys=True)),
                        ("PAGE_HEADERS", json.dumps(page_headers))):
        declared = f"const {name} = {{}};"
        if text.count(declared) != 1:
            raise BuildError(f"static/{render.SERVICE_WORKER}: no line {declared!r} for the build to fill")
        text = text.replace(declared, f"const {name} = {value};")
    (site / render.SERVICE_WORKER).write_text(text)
    return integrity(text.encode())


UNSIGNED = '"serviceWorker": {"integrity": ""'  # as an essay's config holds it when rendered


def sign_pages(site, pages, sw_integrity):
    """The service worker's integrity into the config of every page that registers it (an
    essay): the page registers only the service worker it was built with."""
    for page in pages:
        html = (site / page).read_text()
        if UNSIGNED in html:
            if html.count(UNSIGNED) != 1:
                raise BuildError(f"{page}: its config names the service worker more than once")
            signed = UNSIGNED.removesuffix('""') + f'"{sw_integrity}"'
            (site / page).write_text(html.replace(UNSIGNED, signed))


def needs():
    """The data files each demo reads from its start (worker.js fetches those of the figures
    in view beside the runtime)."""
    from llmexplain.demos import DEMOS

    return {name: list(demo.data) for name, demo in sorted(DEMOS.items()) if demo.data}


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


def swap_in(new, site):
    """Put the finished build where the old site was. Ctrl-C waits until both renames are done."""
    old, swapped = new.with_name(new.name + "-old"), False
    try:
        with interrupts_deferred():  # raises a Ctrl-C it held back when it ends
            if site.exists() and any(site.iterdir()):
                site.rename(old)
            elif site.exists():
                site.rmdir()  # an empty folder: nothing to keep
            new.rename(site)
            swapped = True
    finally:
        if swapped:
            discard(old)  # the previous site, if there was one, now that the new one is in place


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
