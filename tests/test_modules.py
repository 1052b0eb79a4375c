"""Our ES modules import each other by plain relative names; in the page they live under
content-hashed names, and the import map sends each name to its file and gives the browser
the integrity to check it against. Proved with a throwaway pair of modules that runtime.js
imports, in a copy of static/."""

import shutil

import pytest

from tooling import render
from tooling.browser import served
from tooling.site import build

pytestmark = pytest.mark.browser

PROBE = 'import { mark } from "./probe-part.js";\nmark("imported");\n'
PART = "export function mark(how) { document.documentElement.dataset.probe = how; }\n"


@pytest.fixture(scope="module")
def probed_site(tmp_path_factory):
    """The site built from static/ plus probe.js → probe-part.js, imported by runtime.js."""
    static = tmp_path_factory.mktemp("static")
    shutil.copytree(render.STATIC, static, dirs_exist_ok=True)
    (static / "runtime.js").write_text('import "./probe.js";\n' + (static / "runtime.js").read_text())
    (static / "probe.js").write_text(PROBE)
    (static / "probe-part.js").write_text(PART)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(render, "STATIC", static)
        return build(site=tmp_path_factory.mktemp("probed") / "site")


def visit(browser, site):
    """Open the essay; returns (the page's data-state and data-probe, URLs, console errors)."""
    context = browser.new_context()
    page = context.new_page()
    urls, errors = [], []
    page.on("request", lambda r: urls.append(r.url))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    with served(site) as base_url:
        page.goto(base_url + "how-llms-work.html")
        page.wait_for_selector("html[data-state=ready], html[data-state=error]", state="attached",
                               timeout=120_000)
        shown = page.get_attribute("html", "data-state"), page.get_attribute("html", "data-probe")
    context.close()
    return shown, urls, errors


def test_a_module_imported_by_a_plain_name_loads_from_its_hashed_file(browser, probed_site):
    (state, probe), urls, errors = visit(browser, probed_site)
    assert (state, probe) == ("ready", "imported"), errors
    assert not errors
    for name in ("probe", "probe-part"):
        (url,) = [u for u in urls if f"/assets/{name}." in u]
        assert url.endswith(".js") and (probed_site / url.split("/", 3)[3]).is_file()


def test_a_damaged_module_is_refused_and_the_page_says_so(browser, probed_site, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(probed_site, site)
    (part,) = site.glob("assets/probe-part.*.js")
    part.write_text(PART.replace("how;", "'tampered';"))  # same name, other bytes
    (state, probe), _, errors = visit(browser, site)
    assert (state, probe) == ("error", None)
    assert any("integrity" in e and part.name in e for e in errors), errors
