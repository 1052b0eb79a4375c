"""Fixtures for browser tests: one build, one local server, one headless Chromium.

Every page a test opens is watched: a request to any other origin is blocked and
recorded, and a console error or an uncaught exception fails the test. A failing
test leaves a screenshot and its console log in test-artifacts/.
"""

import ast
import functools
import hashlib
import os
import re
import shutil
import tarfile
from pathlib import Path

import numpy as np
import pytest

from tooling import DEFAULT_CACHE, ROOT, SRC, data, pins
from tooling.browser import NoChromium, launch, served
from tooling.fetch import fetch
from tooling.site import build

ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def data_folder():
    """LLMEXPLAIN_DATA: core code reads vocabularies and vectors from here, as it does from the
    worker's folder. Filled once a session, by the first test that can read it."""
    if "LLMEXPLAIN_DATA" not in os.environ:
        os.environ["LLMEXPLAIN_DATA"] = str(data.data_dir(DEFAULT_CACHE))


@pytest.fixture(autouse=True)
def data_if_read(request):
    """The data folder for a test whose file can reach llmexplain.data, and only for it: a
    file of pure math (tests/test_neuron.py) downloads nothing, even with an empty cache."""
    if reaches(request.path, "llmexplain.data"):
        request.getfixturevalue("data_folder")


@functools.cache
def reaches(path, target):
    """Whether the Python file `path` imports the llmexplain module `target`, directly or
    through the llmexplain modules it imports (read from their source, not run)."""
    seen, todo = set(), llmexplain_imports(path, package="")
    while todo:
        name = todo.pop()
        if name == target:
            return True
        if name not in seen and (source := module_file(name)):
            seen.add(name)
            package = name if source.name == "__init__.py" else name.rpartition(".")[0]
            todo |= llmexplain_imports(source, package)
    return False


def llmexplain_imports(path, package):
    """The llmexplain modules a file imports; `from m import a` counts m.a if that is a
    module, else m (which runs m, and hands over a name defined there)."""
    found = set()
    for node in ast.walk(ast.parse(Path(path).read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative to the file's package
                parts = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            found |= {f"{base}.{a.name}" if module_file(f"{base}.{a.name}") else base
                      for a in node.names}
    return {name for name in found if name.split(".")[0] == "llmexplain"}


def module_file(name):
    """src/llmexplain/…: the file of module `name`, or None if it is not one."""
    path = SRC.joinpath(*name.split("."))
    return next((f for f in (path.with_suffix(".py"), path / "__init__.py") if f.is_file()), None)


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    return build(site=tmp_path_factory.mktemp("site"))


@pytest.fixture(scope="session")
def base_url(site):
    with served(site) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        try:
            chromium = launch(p)
        except NoChromium as e:
            pytest.fail(str(e))
        yield chromium
        chromium.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


class Watched:
    """A page with what it tried to fetch from elsewhere and what it logged."""

    def __init__(self, page, base_url):
        self.page, self.base_url = page, base_url
        self.offsite, self.console, self.errors = [], [], []
        self.allowed_errors = []  # regexes for errors a test provokes on purpose

    def unexpected_errors(self):
        return [e for e in self.errors if not any(re.search(p, e) for p in self.allowed_errors)]


def watching(browser, base_url):
    """A new context and page, watched: requests elsewhere blocked and recorded, and what it
    logged kept."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    w = Watched(page, base_url)

    def route(r):
        if r.request.url.startswith(base_url):
            r.continue_()
        else:
            w.offsite.append(r.request.url)
            r.abort()

    context.route("**/*", route)  # also sees the worker's requests
    page.on("console", lambda m: (w.console.append(f"{m.type}: {m.text}"),
                                  m.type == "error" and w.errors.append(m.text)))
    page.on("pageerror", lambda e: w.errors.append(f"uncaught: {e}"))
    return w


@pytest.fixture
def watched(browser, base_url, request):
    w = watching(browser, base_url)
    page, context = w.page, w.page.context
    yield w
    failed = getattr(request.node, "rep_call", None) and request.node.rep_call.failed
    if failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"{request.node.name}.png", full_page=True)
        (ARTIFACTS / f"{request.node.name}.log").write_text("\n".join(w.console))
    context.close()
    assert not w.offsite, f"requests left localhost: {w.offsite}"
    assert not w.unexpected_errors(), f"console errors: {w.unexpected_errors()}"


@pytest.fixture(scope="session")
def axe_source():
    """axe-core's script, from its pinned package: a test runs it with page.evaluate."""
    tgz = fetch(pins.AXE_CORE, DEFAULT_CACHE)
    with tarfile.open(tgz) as tar:
        return tar.extractfile("package/axe.min.js").read().decode()


def wait_ready(page, timeout=120_000):
    """Wait for the runtime, then insist it is ready (not in error)."""
    page.wait_for_selector("html[data-state=ready], html[data-state=error]", state="attached",
                           timeout=timeout)
    state = page.get_attribute("html", "data-state")
    assert state == "ready", page.text_content("#runtime-status")


def open_demo(watched, base_url, selector):
    """The essay, ready, and the demo figure matching `selector`, scrolled into view and live
    (a figure with a worker of its own starts when the reader comes near)."""
    page = watched.page
    page.goto(base_url + "how-llms-work.html")
    wait_ready(page)
    demo = page.locator(selector)
    demo.scroll_into_view_if_needed()
    page.wait_for_selector(f"{selector}[data-state=live]", timeout=120_000)
    return page, demo


def central_differences(f, x, h=1e-6):
    """The derivative of f() with respect to each entry of x, as (f(x + h) − f(x − h)) / 2h.

    x is nudged in place and put back, so f may read it through a closure or a view (a
    network's weights). f returns a number or an array; the result has a row per entry of x.
    """
    rows = []
    for i in range(len(x)):
        keep = x[i]
        x[i] = keep + h
        up = np.array(f())  # a copy: f may return a buffer it reuses
        x[i] = keep - h
        down = np.array(f())
        x[i] = keep
        rows.append((up - down) / (2 * h))
    return np.array(rows)


# ---------------------------------------------------------------- a cache of one's own, to damage

def copy_cache(mine):
    """A cache at `mine` filled from the session's warm one: downloads and brotli linked (each is
    checked on use and never written), everything the build derives copied, so it can be
    damaged without harm to the real one."""
    from tooling.runtime import runtime_folder

    real = DEFAULT_CACHE
    for linked in ("downloads", "brotli"):
        (mine / linked).mkdir(parents=True)
        for f in (real / linked).iterdir():
            (mine / linked / f.name).symlink_to(f)
    for entry in (runtime_folder(real), *real.glob("corpus-*"), real / "data", real / "wheels"):
        shutil.copytree(entry, mine / entry.relative_to(real))
    return mine


def snapshot(folder):
    """Every file under `folder` with its sha256: two equal snapshots are byte-identical trees."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def flip_a_byte(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
