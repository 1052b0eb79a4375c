"""Hostile code against the origin's storage (issue 24, part 2). A reader's code under "Show the
math" runs in a worker of its own, where `import js` reaches every worker global: each case is
one attempt from there to reach Cache Storage, IndexedDB or other origin state, against every
figure family. It must fail inside Python with an ordinary error, or change nothing; after it,
every cache, database and file system of the origin is as built, and a visit online and one
offline get the page as built. Written from the page itself (which may), a planted page or
damaged files in the offline copy are never served: a page says the copy is damaged, with Retry.
"""

import hashlib
import re
import textwrap
from urllib.parse import urlsplit

import pytest
from conftest import wait_ready
from live_math_drive import error_text, figure, open_math, run, type_code
from test_browser_first_visit import forget_http_cache, visited_once
from test_browser_live_figures import FAMILIES

from llmexplain import live_math
from llmexplain.demos import DEMOS

pytestmark = pytest.mark.browser

ESSAY = "how-llms-work.html"
FIGURES = ["weights-1", *FAMILIES]  # one figure of each family
PLANTED = ("<meta http-equiv=refresh content='0;url=https://example.com/'>"
           "<p>Your session expired. Sign in again")

# What each attempt runs inside the reader's function, with `js`, `to_js`, `create_proxy`,
# `page` (the essay's URL), `planted()` (a Response holding PLANTED) and `opts(**kw)` (a JS
# object) at hand; and what it must raise (a regex on the error the figure shows), or None
# where it may run, to no effect.
REMOVED = r"AttributeError"
ATTEMPTS = {
    "caches": ("js.caches.open('llmexplain-pages').then(lambda c: c.put(page, planted()))",
               REMOVED),
    "caches-getter": ("""
        get = js.Object.getOwnPropertyDescriptor(js.WorkerGlobalScope.prototype, 'caches').get
        get.call(js.self).open('llmexplain-pages').then(lambda c: c.put(page, planted()))""",
                      REMOVED),
    "globalThis-caches-every-kept-file": ("""
        def overwrite(cache):
            cache.keys().then(lambda keys: [cache.put(k, planted()) for k in keys])
        js.globalThis.caches.open('llmexplain-files').then(overwrite)""", REMOVED),
    "indexedDB": ("js.indexedDB.open('planted')", REMOVED),
    "indexedDB-getter": ("""
        get = js.Object.getOwnPropertyDescriptor(js.WorkerGlobalScope.prototype, 'indexedDB').get
        get.call(js.self).open('planted')""", REMOVED),
    "navigator-storage": (
        "js.navigator.storage.getDirectory().then(lambda d: d.getFileHandle('planted', opts(create=True)))",
        REMOVED),
    "navigator-storage-getter": ("""
        get = js.Object.getOwnPropertyDescriptor(js.WorkerNavigator.prototype, 'storage').get
        get.call(js.navigator).getDirectory().then(
            lambda d: d.getFileHandle('planted', opts(create=True)))""", REMOVED),
    "storage-buckets": ("js.navigator.storageBuckets.open('planted')", REMOVED),
    "locks": ("""
        never = create_proxy(lambda resolve, reject: None)
        js.navigator.locks.request('planted', create_proxy(lambda lock: js.Promise.new(never)))""",
              REMOVED),
    "sandboxed-file-system": ("""
        js.webkitRequestFileSystem(0, 1024, create_proxy(
            lambda fs: fs.root.getFile('planted', opts(create=True))))""", REMOVED),
    "nested-worker": ("""
        source = ("caches.open('llmexplain-pages').then((c) => c.put('" + page + "', new Response("
                  "'<p>Your session expired. Sign in again', {headers: {'Content-Type': 'text/html'}})))")
        script = js.URL.createObjectURL(js.Blob.new(to_js([source]), opts(type='text/javascript')))
        js.Worker.new(script)""", REMOVED),
    "shared-worker": ("js.SharedWorker.new(js.location.origin + '/sw.js')", REMOVED),
    "broadcast-channel": ("js.BroadcastChannel.new('llmexplain').postMessage('planted')", REMOVED),
    "service-worker": ("js.navigator.serviceWorker.register(js.location.origin + '/sw.js')",
                       REMOVED),
    "import-scripts": ("""
        script = js.URL.createObjectURL(js.Blob.new(to_js(["caches.open('planted')"]),
                                                    opts(type='text/javascript')))
        js.importScripts(script)""", r"JsException: TypeError"),
    "fetch": ("""
        js.fetch(page, opts(method='PUT', body='<p>planted'))
        js.fetch(page, opts(cache='reload'))
        js.fetch(js.location.origin + '/planted.html', opts(method='POST', body='<p>planted'))""",
              None),
    "post-message-forgeries": ("""
        js.postMessage(to_js({'type': 'render', 'id': OTHER, 'seq': 1,
                              'reply': {'text': {'summary': 'planted'}}},
                             dict_converter=js.Object.fromEntries))
        js.postMessage(opts(type='loaded', file='../' + page))
        js.postMessage(opts(type='loading', file='planted', bytes=1))""", None),
    "eval": ("""
        from pyodide.code import run_js
        run_js("caches.open('planted')")""", r"JsException: EvalError"),
    "pyodide-ffi-function-constructor": ("""
        from pyodide.ffi import to_js as convert
        convert({}).constructor.constructor("return caches")()""", r"JsException: EvalError"),
    "pyodide-idbfs": ("""
        import pyodide_js
        fs = pyodide_js.FS
        fs.mkdirTree('/planted')
        fs.mount(fs.filesystems.IDBFS, opts(), '/planted')
        fs.writeFile('/planted/page.html', 'planted')
        fs.syncfs(False, create_proxy(lambda err: None))""", None),
}

# The attempt runs once, the first time the figure calls the reader's function.
PRELUDE = """\
import builtins
if not hasattr(builtins, {flag!r}):
    setattr(builtins, {flag!r}, True)
    import js
    from pyodide.ffi import create_proxy, to_js
    page = js.location.origin + '/{essay}'
    OTHER = {other!r}
    def opts(**kw):
        return to_js(kw, dict_converter=js.Object.fromEntries)
    def planted():
        return js.Response.new({planted!r}, opts(headers=opts(**{{'Content-Type': 'text/html'}})))
"""

# Everything the origin holds in the browser: each cache entry's sha256, and the names in its
# databases, file systems, buckets and locks.
ORIGIN_JS = """async () => {
  const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");
  const held = { caches: {}, databases: [], opfs: [], buckets: [], locks: [], files: [] };
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    held.caches[name] = {};
    for (const request of await cache.keys()) {
      const body = await (await cache.match(request)).arrayBuffer();
      held.caches[name][request.url] = hex(await crypto.subtle.digest("SHA-256", body));
    }
  }
  held.databases = (await indexedDB.databases()).map((d) => d.name);
  for await (const name of (await navigator.storage.getDirectory()).keys()) held.opfs.push(name);
  held.buckets = navigator.storageBuckets ? await navigator.storageBuckets.keys() : [];
  const locks = await navigator.locks.query();
  held.locks = [...locks.held, ...locks.pending].map((l) => l.name);
  if (self.webkitRequestFileSystem) {
    held.files = await new Promise((done) => webkitRequestFileSystem(TEMPORARY, 0,
      (fs) => fs.root.createReader().readEntries((es) => done(es.map((e) => e.name)), () => done(["?"])),
      () => done([])));
  }
  held.local = localStorage.length;
  held.workers = (await navigator.serviceWorker.getRegistrations()).map((r) => r.active?.scriptURL);
  return held;
}"""


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def built_path(site, base_url, url):
    """The site's file a kept URL stands for (the site's root: its index)."""
    path = urlsplit(url).path.removeprefix(urlsplit(base_url).path)
    return site / (path or "index.html")


def assert_origin_as_built(page, site, base_url):
    held = page.evaluate(ORIGIN_JS)
    caches = held.pop("caches")
    assert set(caches) <= {"llmexplain-files", "llmexplain-pages"}, set(caches)
    for name, entries in caches.items():
        for url, digest in entries.items():
            path = built_path(site, base_url, url)
            assert path.is_file() and digest == sha256(path), f"{name}: {url} is not as built"
    assert held == {"databases": [], "opfs": [], "buckets": [], "locks": [], "files": [],
                    "local": 0, "workers": [base_url + "sw.js"]}, held


def assert_visits_get_the_page_as_built(context, site, base_url):
    """A visit online, then one offline (the service worker's copy), get the essay's bytes."""
    built = (site / ESSAY).read_bytes()
    for offline in (False, True):
        context.set_offline(offline)
        try:
            visit = context.new_page()
            response = visit.goto(base_url + ESSAY)
            assert response.body() == built, f"{'offline' if offline else 'online'}: not the page as built"
            visit.close()
        finally:
            context.set_offline(False)


def watch_offsite(context, base_url):
    """The URLs outside the site that the context's pages and workers will ask for."""
    offsite = []
    context.on("request", lambda r: r.url.startswith((base_url, "blob:", "data:")) or
               offsite.append(r.url))
    return offsite


def attempt_code(fig, name, source):
    """The figure's first shown function with the attempt `name` put before its body."""
    fn = DEMOS[fig.rsplit("-", 1)[0]].shows[0]
    head, body = live_math.source(fn).split(":\n", 1)
    other = "learning-2" if fig == "weights-1" else "weights-1"
    prelude = PRELUDE.format(flag=f"_attempted_{name}", essay=ESSAY, other=other, planted=PLANTED)
    attempt = textwrap.indent(textwrap.dedent(source).strip() + "\n", " " * 4)
    return live_math.name_of(fn), f"{head}:\n{textwrap.indent(prelude + attempt, ' ' * 4)}{body}"


class Reader:
    """One figure's "Show the math" open in a visited essay whose service worker keeps it,
    shared by the attempts on that figure; made again after an attempt that failed."""

    def __init__(self, browser, base_url, fig):
        self.browser, self.base_url, self.fig = browser, base_url, fig
        self.context = None

    def ready(self):
        if self.context:
            return self
        self.context, self.page = visited_and_kept(self.browser, self.base_url)
        self.offsite = watch_offsite(self.context, self.base_url)
        self.page.locator(f"#{self.fig}").scroll_into_view_if_needed()
        self.page.wait_for_selector(f"#{self.fig}[data-state=live]", timeout=120_000)
        open_math(self.page, self.fig)
        return self

    def close(self):
        if self.context:
            self.context.close()
        self.context = None


@pytest.fixture(scope="module", params=FIGURES)
def reader(request, browser, base_url):
    reader = Reader(browser, base_url, request.param)
    yield reader
    reader.close()


@pytest.mark.parametrize("name", ATTEMPTS)
def test_reader_code_cannot_reach_the_origins_storage(reader, name, site, base_url):
    try:
        attempt(reader.ready(), name, site, base_url)
    except BaseException:
        reader.close()  # the next attempt starts from a fresh visit
        raise


def attempt(reader, name, site, base_url):
    source, raises = ATTEMPTS[name]
    page, fig = reader.page, reader.fig
    others = {f: figure(page, f) for f in ("weights-1", "learning-2") if f != fig}
    fn, text = attempt_code(fig, name, source)
    type_code(page, fig, fn, text)
    for _ in range(3):  # a heavy figure's own drawing may pass Run's time limit on a busy machine
        state = run(page, fig)
        if state != "stopped":
            break
    page.wait_for_timeout(1000)  # for what the attempt started without waiting for it
    shown = error_text(page, fig)
    if raises:
        assert state == "error", f"{name} ran without an error"
        assert re.match(rf"Line \d+ of {re.escape(fn)}: {raises}", shown), shown
    else:
        assert state == "ok" or re.match(rf"Line \d+ of {re.escape(fn)}: \w+", shown), (state, shown)
    page.wait_for_selector(f"#{fig}[data-state=live]")
    assert {f: figure(page, f) for f in others} == others  # no other figure changed
    assert_origin_as_built(page, site, base_url)
    assert_visits_get_the_page_as_built(reader.context, site, base_url)
    assert not reader.offsite, reader.offsite


# Whether the service worker has kept what the page handed it: the page, its runtime and
# its scripts (it keeps them while the page goes on).
KEPT_JS = """async () => {
  const config = JSON.parse(document.getElementById("llmexplain-config").textContent);
  const scripts = performance.getEntriesByType("resource").map((e) => e.name)
    .filter((url) => new URL(url).pathname.startsWith("/assets/"));
  const wanted = [...config.boot.map((f) => new URL(f.url, document.baseURI).href), ...scripts];
  const files = await caches.open("llmexplain-files");
  const page = await (await caches.open("llmexplain-pages")).match(location.href.split("#")[0]);
  return Boolean(page) && (await Promise.all(wanted.map((url) => files.match(url)))).every(Boolean);
}"""


def visited_and_kept(browser, base_url):
    """visited_once, and the service worker done keeping what the page handed it, so nothing
    it keeps later overwrites what a test writes."""
    context, page = visited_once(browser, base_url)
    for _ in range(300):
        if page.evaluate(KEPT_JS):
            return context, page
        page.wait_for_timeout(100)
    raise AssertionError("the service worker did not keep the page's files")


def damaged_copy_shown(page):
    """The service worker's page for a damaged offline copy, with its Retry."""
    page.wait_for_selector("html[data-state=damaged]", state="attached", timeout=30_000)
    assert "offline copy of this page is damaged" in page.text_content("h1")
    return page.locator("a[data-retry]")


def test_a_page_planted_in_the_offline_copy_is_not_served(browser, base_url, site):
    """The issue's page: "Your session expired", and a refresh that takes the reader away."""
    context, page = visited_and_kept(browser, base_url)
    offsite = watch_offsite(context, base_url)
    page.evaluate("""([url, html]) => caches.open("llmexplain-pages").then((c) => c.put(url,
      new Response(html, { headers: { "Content-Type": "text/html" } })))""",
                  [base_url + ESSAY, PLANTED])
    page.close()
    context.set_offline(True)
    page = context.new_page()
    page.goto(base_url + ESSAY)
    retry = damaged_copy_shown(page)
    assert "Sign in" not in page.text_content("body")
    page.wait_for_timeout(1500)  # a refresh in the planted page would have left by now
    assert urlsplit(page.url).path == "/" + ESSAY and not offsite, offsite
    context.set_offline(False)
    retry.click()
    wait_ready(page)
    assert not offsite, offsite
    # The good page, kept again: offline, it is served.
    context.set_offline(True)
    again = context.new_page()
    assert again.goto(base_url + ESSAY).body() == (site / ESSAY).read_bytes()
    context.close()


def test_kept_files_overwritten_offline_say_the_copy_is_damaged(browser, base_url, site):
    """Every kept file overwritten (watchdog.js and runtime.js among them): offline, the page
    says so at once, instead of waiting for scripts that never run."""
    context, page = visited_and_kept(browser, base_url)
    overwritten = page.evaluate("""async () => {
      const cache = await caches.open("llmexplain-files");
      const keys = await cache.keys();
      for (const key of keys) await cache.put(key, new Response("document.title = 'tampered';"));
      return keys.map((key) => key.url);
    }""")
    assert [url for url in overwritten if re.search(r"/assets/(watchdog|runtime)\.", url)]
    forget_http_cache(context, page)
    page.close()
    context.set_offline(True)
    page = context.new_page()
    page.goto(base_url + ESSAY)
    retry = damaged_copy_shown(page)
    assert re.search(rf"\b{len(overwritten)} of the files", page.text_content("[data-damaged]"))
    assert page.title() != "tampered"
    context.set_offline(False)
    retry.click()
    wait_ready(page)
    # Handed the page's files again, the service worker keeps good copies: offline, the page.
    for _ in range(100):
        try:
            assert_origin_as_built(page, site, base_url)
            break
        except AssertionError:
            page.wait_for_timeout(100)
    assert_origin_as_built(page, site, base_url)
    assert_visits_get_the_page_as_built(context, site, base_url)
    context.close()
