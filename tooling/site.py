"""A whole build: everything into a new folder beside the target, swapped in only when done.

The build never deletes what it did not make: it replaces only the files its MANIFEST lists
(with their sha256), keeps `.git` and the names the target's KEEP file lists, and refuses,
naming them, when the target holds anything else. A failed, interrupted or concurrent build
leaves the previous site as it was.
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
from tooling.fetch import BuildError, discard, integrity, sha256

# Every file the build made, with its sha256: the next build replaces those and nothing else,
# so a copied marker or a stale list cannot make it delete someone's files (a file at a listed
# path with other bytes is not the one the build made).
MANIFEST = ".llmexplain-manifest.json"
# A deploy checkout (`git init site`, then a CNAME) holds files of its own beside the site. The
# build never touches `.git`, whatever it is; any other file of the target's own is kept only if
# this file in the target names it (one top-level name a line), and otherwise the build refuses
# and names it: a folder of someone's files is never emptied by a guess about what they want.
KEEP = ".llmexplain-keep"
NAMED = 8  # the unknown files a refusal names
BUILDING = ".llmexplain-building"  # marks a half-built folder, removed by the next build
# The page waits this long for a data file before it offers a Retry on that figure.
DATA_TIMEOUT_SECONDS = 60


def build(site=DEFAULT_SITE, cache=DEFAULT_CACHE):
    """Build the whole site into `site`; returns its folder.

    The site is built in a new folder beside the target and swapped in only when everything
    succeeded, so a failed or interrupted build leaves the previous site as it was. Of what the
    target held, only the files the previous build's MANIFEST lists are replaced (see owned).
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
        check_target(site)  # again: the target may have changed while this build waited
        owned(site, hashed=False)  # refuse now, before the work, if it holds unknown names
        for stale in site.parent.glob(f".{site.name}.building-*"):
            if (stale / BUILDING).exists():  # left by a build that was killed
                discard(stale)
        tmp = None
        try:
            with interrupts_deferred():  # so that a folder made is a folder known, and removed
                tmp = Path(tempfile.mkdtemp(prefix=f".{site.name}.building-", dir=site.parent))
            (tmp / BUILDING).touch()
            pages = build_into(tmp, cache)
            (tmp / BUILDING).unlink()
            write_manifest(tmp)
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
    (site / "_headers").write_text(serve.headers_file(serve.headers(meta_policy)))
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
    """Refuse a target that is not a folder, or that holds the checkout or the home folder."""
    if site.is_symlink() or (site.exists() and not site.is_dir()):
        raise BuildError(f"--site {site}: exists and is not a folder; pick a new folder")
    for other in (ROOT, Path.home(), Path(site.anchor)):
        if site == other or site in other.parents:
            raise BuildError(f"--site {site}: would replace {other}; pick a folder of its own")


def write_manifest(folder):
    """MANIFEST in `folder`: every file in it by its path, with its sha256."""
    files = {p.relative_to(folder).as_posix(): sha256(p)
             for p in sorted(folder.rglob("*")) if p.is_file()}
    (folder / MANIFEST).write_text(json.dumps(files, indent=0, sort_keys=True) + "\n")


def manifest(site):
    """The files the build that made `site` listed, path -> sha256 ({} if none or unreadable,
    or a symlink: the build writes a file)."""
    if (site / MANIFEST).is_symlink():
        return {}
    try:
        files = json.loads((site / MANIFEST).read_text())
    except (OSError, UnicodeDecodeError, ValueError):
        return {}
    return files if isinstance(files, dict) else {}


def kept(site):
    """The top-level names in `site` that are its own: never replaced, never removed."""
    try:
        names = (site / KEEP).read_text().splitlines()
    except (OSError, UnicodeDecodeError):
        names = []
    return {".git", KEEP} | {name.strip() for name in names if name.strip()}


def owned(site, hashed=True):
    """The top-level names in `site` that the previous build made, which this one replaces.

    Everything under them must be a file the MANIFEST lists, with the sha256 it lists (symlinks
    are never followed: a link is not a file the build made), in folders it made; the rest must
    be kept (see KEEP). Anything else, the build refuses, naming it, and touches nothing.
    hashed=False checks the hashes only to name what it refuses (the check before the build:
    the swap checks everything).
    """
    if not site.is_dir():
        return set()
    files = manifest(site)
    folders = {parent.as_posix() for path in files for parent in Path(path).parents}
    ours, strangers = set(), []
    own = kept(site)
    for entry in sorted(os.scandir(site), key=lambda e: e.name):
        if entry.name in own:
            continue
        found = list(unproven(entry, entry.name, files, folders, hashed))
        strangers += found
        if not found:
            ours.add(entry.name)
    if strangers and not hashed:
        return owned(site)  # a refusal names the changed files too
    if strangers:
        more = f" and {len(strangers) - NAMED} more" if len(strangers) > NAMED else ""
        raise BuildError(
            f"--site {site}: holds what the build did not make, or changed since: "
            f"{', '.join(strangers[:NAMED])}{more}; nothing was changed. Move those out, pick a "
            f"new or empty folder, or list the top-level names to keep beside the site in {KEEP}")
    return ours


def unproven(entry, path, files, folders, hashed):
    """What under the os.DirEntry `entry` (at `path` in the site) the manifest does not vouch for."""
    if entry.is_dir(follow_symlinks=False) and path in folders:
        for inner in sorted(os.scandir(entry.path), key=lambda e: e.name):
            yield from unproven(inner, f"{path}/{inner.name}", files, folders, hashed)
    elif entry.name == MANIFEST and path == MANIFEST and files:
        return
    elif not (entry.is_file(follow_symlinks=False) and path in files
              and (not hashed or sha256(entry.path) == files[path])):
        yield path + ("/" if entry.is_dir(follow_symlinks=False) else "")


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
    """Put the finished build into `site`, whose own files stay where they are.

    The target folder itself stays (with its .git and kept files): what the previous build made
    moves aside, the new build's entries move in, its manifest last. A rename that fails puts
    back what had moved; a Ctrl-C waits until all of them are done.
    """
    check_target(site)  # again: the target may have changed during the build
    site.mkdir(exist_ok=True)
    ours = owned(site)
    clash = sorted(kept(site) & {p.name for p in new.iterdir()})
    if clash:
        raise BuildError(f"--site {site}: {KEEP} keeps {', '.join(clash)}, which the build makes "
                         "too; take those names out of it")
    made = manifest(site)
    old = new.with_name(new.name + "-old")
    old.mkdir()
    moves = [(site / name, old / name) for name in sorted(ours)]
    moves += [(p, site / p.name) for p in sorted(new.iterdir(), key=lambda p: p.name == MANIFEST)]
    done = []
    try:
        with interrupts_deferred():  # raises a Ctrl-C it held back when it ends
            for source, target in moves:
                source.rename(target)
                done.append((source, target))
    except OSError:
        for source, target in reversed(done):
            with contextlib.suppress(OSError):
                target.rename(source)
        with contextlib.suppress(OSError):
            old.rmdir()  # left, with what it holds, if something could not be put back
        raise
    finally:
        if len(done) == len(moves):
            new.rmdir()  # emptied
            remove_made(old, {*made, MANIFEST})


def remove_made(folder, made):
    """Delete the files under `folder` that `made` lists (by their path from it), then the
    folders left empty; anything else stays, and a line says where."""
    for top, _, files in os.walk(folder, topdown=False):  # a symlinked folder is not entered
        for name in files:
            path = Path(top, name)
            if path.relative_to(folder).as_posix() in made:
                path.unlink()
        with contextlib.suppress(OSError):
            os.rmdir(top)  # only if empty
    if folder.exists():
        log(f"left {folder}: it holds files no build made")


@contextlib.contextmanager
def interrupts_deferred():
    """Hold Ctrl-C back for the few microseconds some renames take; raise it afterwards."""
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
