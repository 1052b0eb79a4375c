"""axe-core over every page, in light and dark, on a desktop and a phone viewport.

axe-core comes from its pinned npm package through the build's download cache. It
does not see everything (a custom clickable div, an unlabelled canvas): the demo
tests check keyboard use and accessible names themselves.
"""

import json

import pytest
from conftest import wait_ready

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("name", ["how-llms-work.html", "index.html", "credits.html"])
@pytest.mark.parametrize("scheme,width", [("light", 1280), ("dark", 375)])
def test_no_axe_violations(watched, base_url, axe_source, name, scheme, width):
    page = watched.page
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(base_url + name)
    if page.get_attribute("html", "data-state") != "static":
        wait_ready(page)  # check the live page, controls enabled
    page.evaluate(axe_source)  # a <script> tag would be refused by the CSP
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    violations = [{"id": v["id"], "help": v["help"],
                   "nodes": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"]]
    assert not violations, json.dumps(violations, indent=1)


@pytest.mark.parametrize("name", ["how-llms-work.html", "index.html", "credits.html"])
def test_nothing_is_wider_than_a_phone(watched, base_url, name):
    """At 320 px (the narrowest common phone) the page never scrolls sideways; a wide
    figure may scroll inside its own box."""
    page = watched.page
    page.set_viewport_size({"width": 320, "height": 700})
    page.goto(base_url + name)
    if page.get_attribute("html", "data-state") != "static":
        wait_ready(page)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    widest = page.evaluate("""() => [...document.querySelectorAll("body *")]
        .filter((e) => e.getBoundingClientRect().right > innerWidth + 0.5)
        .filter((e) => !e.parentElement.closest("*:not(body):not(html)") ||
                       getComputedStyle(e.parentElement).overflowX === "visible")
        .slice(0, 5).map((e) => e.tagName + "." + e.className)""")
    assert width <= 320, f"{name} is {width} px wide at 320: {widest}"
