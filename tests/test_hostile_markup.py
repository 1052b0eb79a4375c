"""Security issue 24, part 1: markup from the reader's code, and code from a link.

The reader's code runs in its figure's worker with all of that worker's rights: it can make
the figure's replies say anything (here it wraps llmexplain.page._reply, or posts a forged
reply with `js.postMessage`), and make blob: URLs of the page's origin holding any script.
Every way markup enters the page (SVG drawings, items, attributes, images) must build only
what static/dom-allow.json allows: each case is one attempt against every figure family that
draws SVG, and nothing of it may land, run or navigate.

And code a link brings runs only when the reader presses Run on it: one case per experiment
button of every figure, clicked with a link's code waiting in the figure's editor.
"""

import base64
import json
import re
import zlib

import pytest
from conftest import wait_ready, watching
from live_math_drive import code, error_text, experiment, figure, open_math, run, type_code
from test_browser_first_visit import wait_until_kept

from llmexplain import live_math
from llmexplain.demos import DEMOS

pytestmark = pytest.mark.browser

PAGE = "how-llms-work.html"
SVG = "http://www.w3.org/2000/svg"
XHTML = "http://www.w3.org/1999/xhtml"
# Every figure family that draws SVG and shows functions a reader can edit
# (test_the_families_are_every_svg_figure_with_math checks the list).
FAMILIES = ("weights", "learning", "embeddings", "playground", "train-lm")

# What an escaped script does: marks the essay, and writes over the service worker's copy of
# the page (so a reload offline would show it).
# (No <, & or ": it goes into XML text and attributes as it is.)
SCRIPT = ("top.document.documentElement.dataset.pwned = 'PWN';"
          "caches.open('llmexplain-pages').then((c) => c.put(new URL('" + PAGE + "', top.location.href)"
          ".href, new Response('PWN', {headers: {'Content-Type': 'text/html'}})));")
EVIL = "https://example.com/PWN"


def drawn(body):
    return f'<svg xmlns="{SVG}" viewBox="0 0 10 10">{body}</svg>'


def b64(text):
    return base64.b64encode(text.encode()).decode()


BOX = 'width="10" height="10"'
# One attempt each: (where it goes in the reply, what). "{blob}" becomes a blob: URL of the
# page's origin holding SCRIPT, made by the reader's code in the worker.
ATTEMPTS = {
    "svg-script": ("svg", drawn(f"<script>{SCRIPT}</script>")),
    "svg-script-blob-href": ("svg", drawn('<script href="{blob}"/>')),
    "svg-style": ("svg", drawn("<style>html { display: none } /* PWN */</style>")),
    "svg-iframe": ("svg", drawn(f'<iframe xmlns="{XHTML}" src="{{blob}}" srcdoc="PWN"/>')),
    "svg-foreignObject-iframe-srcdoc": ("svg", drawn(
        f'<foreignObject {BOX}><iframe xmlns="{XHTML}" '
        'srcdoc="&lt;script src=&quot;{blob}&quot;&gt;&lt;/script&gt;"/></foreignObject>')),
    "svg-onload-on-root": ("svg", f'<svg xmlns="{SVG}" onload="{SCRIPT}"><rect {BOX}/></svg>'),
    "svg-onclick-on-allowed-element": ("svg", drawn(f'<rect {BOX} onclick="{SCRIPT}"/>')),
    "svg-a-href-off-site": ("svg", drawn(f'<a href="{EVIL}"><rect width="100%" height="100%"/></a>')),
    "svg-a-href-javascript": ("svg", drawn(
        f'<a href="javascript:{SCRIPT}"><rect width="100%" height="100%"/></a>')),
    "svg-xlink-href": ("svg", drawn(
        f'<image xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="{EVIL}.png" {BOX}/>')),
    "svg-image-href-off-site": ("svg", drawn(f'<image href="{EVIL}.png" {BOX}/>')),
    "svg-use-href": ("svg", drawn(f'<use href="{EVIL}.svg#x"/>')),
    "svg-use-href-data": ("svg", drawn(
        f'<use href="data:image/svg+xml;base64,{b64(drawn(f"<script>{SCRIPT}</script>"))}#x"/>')),
    "svg-animate-href": ("svg", drawn(
        f'<image {BOX}><animate attributeName="href" to="{EVIL}.png" dur="1s"/></image>')),
    "svg-set-href": ("svg", drawn(f'<image {BOX}><set attributeName="href" to="{EVIL}.png"/></image>')),
    "svg-data-uri-svg-image": ("svg", drawn(
        f'<image {BOX} href="data:image/svg+xml;base64,{b64(drawn(f"<script>{SCRIPT}</script>"))}"/>')),
    "svg-css-in-style-attribute": ("svg", drawn(f'<rect {BOX} style="fill: url({EVIL}.svg#g)"/>')),
    "svg-fill-url": ("svg", drawn(f'<rect {BOX} fill="url({EVIL}.svg#g)"/>')),
    "svg-entity-expands-to-script": ("svg", (
        '<!DOCTYPE svg [<!ENTITY x "&#60;script&#62;' + SCRIPT.replace("'", "&#39;") +
        '&#60;/script&#62;">]>' + drawn("<text>&x;</text>"))),
    "svg-mixed-case-tags": ("svg", drawn(
        f'<SCRIPT>{SCRIPT}</SCRIPT><ForeignObject {BOX}><iframe xmlns="{XHTML}" srcdoc="PWN"/>'
        "</ForeignObject>")),
    "svg-xhtml-script-by-prefix": ("svg", drawn(f'<h:script xmlns:h="{XHTML}">{SCRIPT}</h:script>')),
    "svg-svg-prefix": ("svg", f'<s:svg xmlns:s="{SVG}"><s:script>{SCRIPT}</s:script></s:svg>'),
    "svg-xhtml-root": ("svg", f'<html xmlns="{XHTML}"><body><img src="{EVIL}.png"/></body></html>'),
    "svg-element-in-another-namespace": ("svg", drawn(f'<rect xmlns="{XHTML}" {BOX} class="PWN"/>')),
    "svg-namespaced-attribute": ("svg", drawn(
        f'<rect xmlns:e="http://example.com/e" e:class="PWN" {BOX}/>')),
    "items-script": ("items", [{"tag": "script", "text": SCRIPT}]),
    "items-iframe-srcdoc": ("items", [{"tag": "iframe", "text": "",
                                       "attrs": {"srcdoc": '<script src="{blob}"></script>'}}]),
    "items-mixed-case-script": ("items", [{"tag": "SCRIPT", "text": SCRIPT}]),
    "items-onclick-on-allowed-tag": ("items", [{"tag": "span", "text": "PWN", "attrs": {"onclick": SCRIPT}}]),
    "attrs-onclick": ("attrs", {"onclick": SCRIPT}),
    "attrs-style": ("attrs", {"style": "display: none"}),
    "images-javascript": ("images", f"javascript:{SCRIPT}"),
    "images-svg-data-uri": ("images", f"data:image/svg+xml;base64,{b64(drawn('<script>1</script>'))}"),
    "js-message-forged-render": ("js", drawn(
        f'<foreignObject {BOX}><iframe xmlns="{XHTML}" '
        'srcdoc="&lt;script src=&quot;{blob}&quot;&gt;&lt;/script&gt;"/></foreignObject>')),
}

# The reader's code: the shown function as the package has it, after a few lines that make
# every reply of the figure carry the attempt. (A forged message is posted for every seq a
# reply could have; the page takes the one it waits for.)
HOSTILE = '''\
import json as _json
import js as _js
import llmexplain.page as _page
from pyodide.ffi import to_js as _to_js

_page.__dict__.setdefault("_honest_reply", _page._reply)
_blob = _js.URL.createObjectURL(_js.Blob.new(_to_js([{script!r}]),
                                             _to_js({{"type": "text/javascript"}}, dict_converter=_js.Object.fromEntries)))
_attempt = _json.loads({attempt!r}.replace("{{blob}}", _blob))

def _hostile(demo_id, edit=None):
    reply = _json.loads(_page._honest_reply(demo_id, edit))
    slots = list(reply.get("svg", {{}}))
    if {where!r} == "svg":
        reply["svg"] = {{slot: _attempt for slot in slots}}
    elif {where!r} == "js":  # and in the reply too, which would otherwise clear the figure's message
        reply["svg"] = {{slot: _attempt for slot in slots}}
        forged = {{"svg": reply["svg"]}}
        for seq in range(1, 5000):
            _js.postMessage(_to_js({{"type": "render", "id": demo_id, "seq": seq, "reply": forged}},
                                   dict_converter=_js.Object.fromEntries))
    else:
        reply[{where!r}] = {{slots[0]: _attempt}}
    return _json.dumps(reply)

_page._reply = _hostile

'''


def hostile(where, attempt, original):
    return HOSTILE.format(script=SCRIPT, where=where, attempt=json.dumps(attempt)) + original


def test_the_families_are_every_svg_figure_with_math():
    drawing = {name for name, cls in DEMOS.items() if cls.shows and cls().render().get("svg")}
    assert set(FAMILIES) == drawing


def figure_id(page, name):
    return page.locator(f"[data-demo={name}]").get_attribute("id")


def svg_slots(page, fig):
    """The figure's slots that hold a drawing."""
    return page.eval_on_selector_all(f"#{fig} [data-slot]:has(> svg)", "els => els.map((e) => e.dataset.slot)")


@pytest.fixture(scope="module", params=FAMILIES)
def family(request, browser, base_url):
    """One page per figure family, its "Show the math" open: the attempts follow each other
    in it (each one's code replaces the last's)."""
    w = watching(browser, base_url)
    page = w.page
    page.goto(base_url + PAGE)
    wait_ready(page)
    fig = figure_id(page, request.param)
    page.locator(f"#{fig}").scroll_into_view_if_needed()
    page.wait_for_selector(f"#{fig}[data-state=live]", timeout=120_000)
    open_math(page, fig)
    fn = page.locator(f"#{fig} [data-math-fn]").first.get_attribute("data-math-fn")
    yield w, fig, fn, code(page, fig, fn)
    w.page.context.close()


@pytest.mark.parametrize("attempt", ATTEMPTS)
def test_markup_from_the_readers_code_never_lands(family, attempt):
    w, fig, fn, original = family
    page = w.page
    errors, offsite = len(w.errors), len(w.offsite)
    here = page.evaluate("() => [location.pathname, performance.timeOrigin]")  # this document
    before = figure(page, fig)
    slots = svg_slots(page, fig)
    assert slots
    type_code(page, fig, fn, hostile(*ATTEMPTS[attempt], original))
    assert run(page, fig) == "ok", error_text(page, fig)  # Python took it: its replies carry the attempt
    assert figure(page, fig) == before  # nothing of it landed (so no link to click either)
    assert page.evaluate("() => [location.pathname, performance.timeOrigin]") == here
    assert page.get_attribute("html", "data-pwned") is None
    assert w.errors[errors:] == [] and w.offsite[offsite:] == []
    assert "was not shown" in page.locator(f"#{fig} [data-demo-error]").text_content()  # and it says so


def test_after_an_escape_attempt_a_reload_offline_and_online_shows_the_site_as_built(browser, base_url,
                                                                                     site):
    built = (site / PAGE).read_text()
    context = browser.new_context()  # no request routing: it would keep the service worker out
    try:
        page = context.new_page()
        page.goto(base_url + PAGE)
        wait_ready(page)
        page.evaluate("() => navigator.serviceWorker.ready.then(() => null)")
        for pattern in (r"assets/runtime\.", r"assets/worker\.", r"\.wasm", r"numpy.*\.whl", r"\.zip"):
            wait_until_kept(page, pattern)  # what an offline visit needs
        fig = figure_id(page, "weights")
        open_math(page, fig)
        fn = page.locator(f"#{fig} [data-math-fn]").first.get_attribute("data-math-fn")
        type_code(page, fig, fn, hostile(*ATTEMPTS["svg-foreignObject-iframe-srcdoc"], code(page, fig, fn)))
        assert run(page, fig) == "ok"
        for offline in (True, False):
            context.set_offline(offline)
            response = page.reload()
            assert response.text() == built, f"offline={offline}"
            wait_ready(page)
            assert page.get_attribute("html", "data-pwned") is None
    finally:
        context.close()


# ---------------------------------------------------------------- code from a link

MARK = "The code from the link ran."


def link_code(original):
    """A version of a shown function that behaves as the package's, and whose running shows:
    every later reply of the figure carries a note."""
    return ("import llmexplain.page as _page\n"
            "_honest = _page._reply\n"
            "def _marked(demo_id, edit=None):\n"
            "    import json\n"
            "    reply = json.loads(_honest(demo_id, edit))\n"
            f"    reply['notes'] = reply['notes'] + [{MARK!r}]\n"
            "    return json.dumps(reply)\n"
            "_page._reply = _marked\n\n") + original


def packed(edits):
    """The address part a figure's Copy link writes for its state {} and the edits `edits`
    (static/demo.js: JSON, deflate-raw, base64url; then the link as base64url JSON)."""
    def b64url(data):
        return base64.urlsafe_b64encode(data).decode().rstrip("=")
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    text = json.dumps(edits, separators=(",", ":"), ensure_ascii=False).encode()
    code = b64url(deflate.compress(text) + deflate.flush())
    return b64url(json.dumps({"code": code}, separators=(",", ":")).encode())


EXPERIMENTS = [(name, e.label, e.fn, next((f for f in cls.shows if f is not e.fn), e.fn))
               for name, cls in DEMOS.items() for e in cls.experiments]


@pytest.mark.parametrize(("name", "label", "fn", "linked"), EXPERIMENTS,
                         ids=[f"{n}:{label}" for n, label, *_ in EXPERIMENTS])
def test_an_experiment_never_runs_a_links_code(watched, base_url, site, name, label, fn, linked):
    """The link's code sits in another shown function's editor where the figure has one (in
    the experiment's own otherwise)."""
    page = watched.page
    fig = re.search(rf'id="([^"]+)" data-demo="{name}"', (site / PAGE).read_text())[1]
    code_in = link_code(live_math.source(linked))
    fn, linked = live_math.name_of(fn), live_math.name_of(linked)
    page.goto(f"{base_url}{PAGE}#{fig}={packed({linked: code_in})}")
    wait_ready(page)
    page.wait_for_selector(f"#{fig}[data-state=live]", timeout=120_000)
    page.wait_for_selector(f"#{fig} [data-math][data-state=ready]", timeout=60_000)
    assert MARK in code(page, fig, linked)  # it waits in the editor
    assert experiment(page, fig, label) == "ok"
    notes = page.locator(f"#{fig} [data-demo-notes]").text_content()
    assert MARK not in notes
    status = page.locator(f"#{fig} [data-math-status]").text_content()
    assert status == f"The figure now runs your version of {fn}.", status
    if linked != fn:  # the link's code is still there, for the reader to read and Run
        assert MARK in code(page, fig, linked)
        assert run(page, fig) == "ok"
        page.wait_for_selector(f"#{fig} [data-demo-notes]:has-text('{MARK}')")
