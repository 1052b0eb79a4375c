"""The built site: pre-rendered figures, security headers, the trimmed lock, caching."""

import ast
import base64
import hashlib
import json
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from build import main
from llmexplain import page
from tooling import DEFAULT_CACHE, SRC, editor, pins, render
from tooling.corpus import PROSE_BOOKS, SIMPLE_BOOKS, clean_gutenberg, corpus
from tooling.data import data_files
from tooling.fetch import BuildError, fetch, integrity, sha256
from tooling.serve import make_server, site_headers
from tooling.site import MANIFEST, build

PAGES = ["index.html", "how-llms-work.html", "credits.html"]


class Slots(HTMLParser):
    """Collects each demo's params and the text of its text slots, as a browser would see them."""

    def __init__(self):
        super().__init__()
        self.demos, self.stack, self.scripts = [], [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            self.scripts.append(a)
        if "data-demo" in a:
            self.demos.append({"name": a["data-demo"], "params": a["data-params"], "slots": {}})
        slot = a.get("data-slot")
        if tag not in ("input", "br", "meta", "link", "img"):
            self.stack.append(slot)
        if slot:
            self.demos[-1]["slots"].setdefault(slot, "")

    def handle_endtag(self, tag):
        if tag not in ("input", "br", "meta", "link", "img") and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        for slot in filter(None, self.stack):
            self.demos[-1]["slots"][slot] += data


def parse(site, name):
    p = Slots()
    p.feed((site / name).read_text())
    return p


def test_prerendered_html_holds_each_demos_initial_state(site):
    demos = parse(site, "how-llms-work.html").demos
    assert demos, "the essay has no demos"
    for i, d in enumerate(demos):
        reply = json.loads(page.create(f"t{i}", d["name"], d["params"]))
        for slot, text in reply["text"].items():
            assert d["slots"][slot] == text, (d["name"], slot)
        for slot in reply.get("svg", {}):
            assert d["slots"][slot] is not None
        for slot, items in reply.get("items", {}).items():
            assert d["slots"][slot] == "".join(i["text"] for i in items), (d["name"], slot)
    html = (site / "how-llms-work.html").read_text()
    assert html.count("<svg") >= len(demos)
    assert 'data-input="w1"' in html and 'value="2.0"' in html


class Parts(HTMLParser):
    """Per demo figure: each slot element's attributes, each control's value, the figure's HTML."""

    def __init__(self, html):
        super().__init__()
        self.html, self.demos, self.select, self.option = html, [], None, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "data-demo" in a:
            self.demos.append({"name": a["data-demo"], "params": a["data-params"], "slots": {},
                               "values": {}, "start": self.getpos()})
        if not self.demos:
            return
        d = self.demos[-1]
        if a.get("data-slot"):
            d["slots"].setdefault(a["data-slot"], []).append(a)
        name = a.get("data-input")
        if tag == "input" and name:
            d["values"][name] = a.get("value", "")
        elif tag in ("select", "textarea") and name:
            self.select = (name, tag)
            d["values"].setdefault(name, "")
        elif tag == "option" and self.select and "selected" in a:
            d["values"][self.select[0]] = a.get("value")

    def handle_endtag(self, tag):
        if tag in ("select", "textarea"):
            self.select = None

    def handle_data(self, data):
        if self.select and self.select[1] == "textarea":
            self.demos[-1]["values"][self.select[0]] += data


def same_value(shown, value):
    """A control's value in the HTML and in a reply: numbers compare as numbers."""
    try:
        return float(shown) == float(value)
    except (TypeError, ValueError):
        return shown == str(value)


def test_prerendered_html_holds_every_part_of_the_first_render(site):
    """Not only the text: every attribute, control value, image and SVG the page would set
    is in the HTML already, exactly as the first render gives it."""
    html = (site / "how-llms-work.html").read_text()
    figures = re.findall(r'<figure class="demo".*?</figure>', html, re.DOTALL)
    parts = Parts(html)
    assert len(figures) == len(parts.demos) > 0
    for i, (d, figure) in enumerate(zip(parts.demos, figures)):
        reply = json.loads(page.create(f"p{i}", d["name"], d["params"]))
        for slot, markup in reply.get("svg", {}).items():
            assert markup in unescape(figure) or markup in figure, (d["name"], slot)
        for slot, url in reply.get("images", {}).items():
            assert [e.get("src") for e in d["slots"][slot]] == [url] * len(d["slots"][slot])
        for slot, attrs in reply.get("attrs", {}).items():
            assert d["slots"].get(slot), (d["name"], slot)
            for element in d["slots"][slot]:
                for attr, value in attrs.items():
                    if value is None or value is False:
                        assert attr not in element, (d["name"], slot, attr)
                    else:
                        want = "" if value is True else str(value)
                        assert (element.get(attr) or "") == want, (d["name"], slot, attr)
        for name, value in reply.get("values", {}).items():
            assert name in d["values"], (d["name"], name)
            assert same_value(d["values"][name], value), (d["name"], name, d["values"][name])


def meta_policy(html):
    return unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1))


def import_map(html):
    """The exact text of the page's import map, or None."""
    found = re.search(r'<script type="importmap">(.*?)</script>', html, re.DOTALL)
    return found and found.group(1)


@pytest.mark.parametrize("name", PAGES)
def test_every_page_has_a_strict_csp_and_no_inline_script(site, name):
    html = (site / name).read_text()
    csp = meta_policy(html)
    assert "'wasm-unsafe-eval'" in csp
    assert "'unsafe-eval'" not in csp and "'unsafe-inline'" not in csp
    for script in parse(site, name).scripts:
        # Data, never code: the config, and the import map, which runs only because the
        # policy names the sha256 of its exact text.
        assert script.get("src") or script.get("type") in ("application/json", "importmap"), script
        if script.get("type") == "importmap":
            assert f"'{integrity(import_map(html).encode())}'" in csp.split("script-src")[1].split(";")[0]
    assert " style=" not in html and "<style" not in html


def test_the_import_map_sends_each_module_to_its_hashed_file_with_its_integrity(site):
    html = (site / "how-llms-work.html").read_text()
    imports = json.loads(import_map(html))
    scripts = {p.name: p.read_bytes() for p in render.STATIC.glob("*.js")
               if p.name != render.SERVICE_WORKER}
    scripts[editor.BUNDLE] = editor.bundle(DEFAULT_CACHE)  # the code editor, bundled by the build
    assert sorted(imports["imports"]) == [f"./assets/{name}" for name in sorted(scripts)]
    for plain, hashed in imports["imports"].items():
        body = (site / hashed).read_bytes()
        assert body == scripts[plain.removeprefix("./assets/")]
        assert imports["integrity"][hashed] == integrity(body)
    assert html.index('type="importmap"') < html.index('type="module"')  # the map comes first


@pytest.mark.parametrize("name", PAGES)
def test_serve_and_static_hosts_send_each_pages_own_policy(site, name):
    policy = meta_policy((site / name).read_text())
    assert site_headers(site)["Content-Security-Policy"] == policy + "; frame-ancestors 'none'"


def test_the_page_gets_the_allow_list_python_checks_against(site):
    assert config(site)["allow"] == json.loads((render.STATIC / "dom-allow.json").read_text())


def test_checked_items_follows_the_allow_list_file(tmp_path, monkeypatch):
    (tmp_path / "dom-allow.json").write_text(json.dumps({"tags": ["kbd"], "attributes": "title"}))
    monkeypatch.setattr(render, "STATIC", tmp_path)
    good = [{"tag": "kbd", "text": "k", "attrs": {"title": "a key"}}]
    assert render.checked_items("d", "s", good) == good
    for bad in ({"tag": "span", "text": "x"}, {"tag": "kbd", "text": "x", "attrs": {"titles": "x"}}):
        with pytest.raises(BuildError, match="not allowed"):
            render.checked_items("d", "s", [bad])


def test_trimmed_lock_names_exactly_what_we_ship(site):
    (lock_path,) = (site / "py").glob("pyodide-lock.*.json")
    lock = json.loads(lock_path.read_text())
    assert lock["info"]["version"] == "0.27.7"
    assert set(lock["packages"]) == {"numpy", "llmexplain"}
    assert lock["packages"]["llmexplain"]["depends"] == ["numpy"]
    (runtime,) = [p for p in (site / "py").iterdir() if (p / "pyodide.asm.wasm").exists()]
    for entry in lock["packages"].values():
        wheel = (runtime / entry["file_name"]).resolve()
        assert wheel.is_relative_to(site) and sha256(wheel) == entry["sha256"]


def test_the_wheel_holds_exactly_our_package_source(site):
    """Built from a copy of the sources, so nothing stale from an earlier build comes along."""
    import zipfile

    (wheel,) = site.glob("py/*/llmexplain-*.whl")
    with zipfile.ZipFile(wheel) as z:
        shipped = {n for n in z.namelist() if not n.split("/")[0].endswith(".dist-info")}
    source = {p.relative_to(SRC).as_posix() for p in (SRC / "llmexplain").rglob("*")
              if p.is_file() and "__pycache__" not in p.parts}
    assert shipped == source


def test_every_fetched_file_has_a_content_hashed_name(site):
    hashed = re.compile(r"(^py/[0-9a-f]{12}/[^/]+$|^py/pyodide-lock\.[0-9a-f]{12}\.json$|"
                        r"^(assets|data)/[\w.-]+\.[0-9a-f]{12}\.\w+$)")
    for p in site.rglob("*"):
        rel = p.relative_to(site).as_posix()
        if rel.endswith(".br") and p.with_suffix("").is_file():
            rel = rel.removesuffix(".br")  # the brotli of a file beside it (tooling/compress.py)
        # sw.js keeps its name: a service worker's URL must stay the same from build to build;
        # the manifest is read by the next build, never fetched by a page.
        if p.is_file() and not rel.endswith(".html") and rel not in ("_headers", "sw.js", MANIFEST):
            assert hashed.match(rel), rel


def config(site):
    html = (site / "how-llms-work.html").read_text()
    return json.loads(re.search(r'id="llmexplain-config">(.*?)</script>', html).group(1))


def test_data_files_are_shipped_with_their_hash_for_the_browser_to_check(site):
    data = config(site)["data"]
    assert "cl100k_base.tiktoken" in data
    for entry in data.values():
        body = (site / entry["url"]).read_bytes()
        assert entry["integrity"] == "sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode()
        assert entry["bytes"] == len(body)
    cl100k = (site / data["cl100k_base.tiktoken"]["url"]).read_text().splitlines()
    assert len(cl100k) == 100256 and cl100k[0] == "IQ== 0"  # "!" is rank 0 in every GPT vocabulary


def test_every_data_file_a_demo_names_exists():
    from llmexplain.demos import DEMOS

    shipped = set(data_files())
    for name, demo in DEMOS.items():
        assert set(getattr(demo, "data", ())) <= shipped, name


def test_clean_gutenberg_unwraps_paragraphs_and_drops_the_boilerplate():
    raw = ("[A Tale by Someone 1900]\r\n\r\nCHAPTER I\r\n\r\nIt was a dark\r\nand stormy  night.\r\n"
           "\r\n\r\n\"Quite,\" she said.\r\n\r\nEnd of Project Gutenberg's A Tale\r\n\r\nLicence text.")
    assert clean_gutenberg(raw) == ["CHAPTER I", "It was a dark and stormy night.",
                                          '"Quite," she said.']


def test_corpus_keeps_a_disjoint_held_out_tenth():
    prose = corpus()
    train, heldout = prose.train.read_text(), prose.heldout.read_text()
    assert len(prose.books) == len(PROSE_BOOKS)
    assert 0.08 < len(heldout) / (len(train) + len(heldout)) < 0.12
    assert not set(heldout.splitlines()[:50]) & set(train.splitlines())
    for text in (train, heldout):
        assert "\r" not in text and "Gutenberg" not in text and "\n\n" not in text
    simple = corpus(simple=True)
    assert [t for t, _ in simple.books] == [t for t, _ in prose.books][:len(SIMPLE_BOOKS)]


def test_core_does_not_import_the_browser():
    src = Path(SRC / "llmexplain")
    for path in src.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n.split(".")[0] in ("js", "pyodide") for n in names), path


def test_rebuild_uses_the_cache_and_no_network(site, tmp_path, monkeypatch):
    import subprocess

    def no_network(cmd, **kw):
        raise AssertionError(f"a rebuild ran {cmd}")

    monkeypatch.setattr(subprocess, "run", no_network)  # every tool the build runs goes through it
    rebuilt = build(site=tmp_path / "site")
    assert sorted(p.relative_to(rebuilt).as_posix() for p in rebuilt.rglob("*")) == \
        sorted(p.relative_to(site).as_posix() for p in site.rglob("*"))


def test_a_tampered_download_stops_the_build_naming_the_file(tmp_path):
    bad = tmp_path / "downloads" / "pyodide-0.27.7.tgz"
    bad.parent.mkdir()
    bad.write_bytes(b"not pyodide")
    with pytest.raises(BuildError, match=r"pyodide-0\.27\.7\.tgz: sha256 is"):
        fetch(pins.PYODIDE, tmp_path)
    assert not bad.exists()  # the next build downloads it afresh


def test_cli_errors_are_one_line(tmp_path, capsys):
    with make_server(tmp_path, port=0) as taken:
        port = str(taken.server_address[1])
        assert main(["serve", "--no-build", "--port", port, "--site", str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("build.py: error:") and "\n" not in err


def test_server_sends_types_policy_caching_and_gzip(site):
    import threading
    import urllib.error
    import urllib.request

    server = make_server(site, port=0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        (wasm,) = site.glob("py/*/pyodide.asm.wasm")
        req = urllib.request.Request(base + wasm.relative_to(site).as_posix(),
                                     headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(req) as r:
            assert r.headers["Content-Type"] == "application/wasm"
            assert r.headers["Content-Encoding"] == "gzip"
            assert "immutable" in r.headers["Cache-Control"]
            assert len(r.read()) < wasm.stat().st_size / 2
        with urllib.request.urlopen(base + "how-llms-work.html") as r:
            # The page's own policy, and what only a header can carry.
            expected = meta_policy(r.read().decode()) + "; frame-ancestors 'none'"
            assert r.headers["Content-Security-Policy"] == expected
            assert r.headers["Cache-Control"] == "no-cache"
        again = urllib.request.Request(base + "how-llms-work.html", headers={
            "Accept-Encoding": "gzip", "If-Modified-Since": r.headers["Last-Modified"]})
        with pytest.raises(urllib.error.HTTPError, match="304"):
            urllib.request.urlopen(again)  # urllib reports a 304 as an error
    finally:
        server.shutdown()
        server.server_close()


def test_pages_are_valid_html(site, tmp_path):
    import shutil
    import subprocess
    import tarfile

    if not shutil.which("java"):
        pytest.fail("the HTML validator needs Java (apt-get install default-jre-headless)")
    with tarfile.open(fetch(pins.VNU, DEFAULT_CACHE)) as tar:
        (tmp_path / "vnu.jar").write_bytes(tar.extractfile("package/build/dist/vnu.jar").read())
    out = subprocess.run(["java", "-jar", str(tmp_path / "vnu.jar"), "--errors-only",
                          *[str(site / p) for p in PAGES]], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr


def test_the_summary_counts_the_chapters_the_essay_has(site):
    """"Six short chapters" only while six are there, each written and none marked unfinished."""
    html = (site / "how-llms-work.html").read_text()
    ids = re.findall(r'<li><a href="#([\w-]+)">', html.split('class="outline"')[1].split("</nav>")[0])
    numbers = {3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight"}
    assert f"{numbers[len(ids)]} short chapters" in html
    for chapter in ids:
        section = re.search(rf'<section id="{chapter}" class="chapter">(.*?)</section>', html,
                            re.DOTALL)
        assert section and len(re.sub(r"<[^>]+>", "", section.group(1)).split()) > 150, chapter
    assert "in-progress" not in html and "still being written" not in html
