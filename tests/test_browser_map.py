"""The word map's labels as the browser draws them, on a phone and on a desktop: none overlaps
another, none is smaller than 11 px, and the picked word and all its nearest words are
labelled (at their dot, or at the edge with an arrow when they are out of view)."""

import pytest
from conftest import wait_ready
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

DEMO = "[data-demo=embeddings]"
ARROWS = "→↗↑↖←↙↓↘"

# Every label's box on screen, its size in px (its font size times the drawing's scale), its text.
LABELS = """(map) => [...map.querySelectorAll("text.map-label")].map((t) => {
  const r = t.getBoundingClientRect();
  return {text: t.textContent, size: parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a,
          box: [r.left, r.top, r.right, r.bottom]};
})"""


def overlaps(a, b):
    """How far two boxes overlap, in px², the smaller of its two sides multiplied."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def settle(page, demo):
    page.wait_for_function("(id) => { const d = llmexplainRuntime.demos.get(id); "
                           "return !d.busy && !d.queue.length; }", arg=demo.get_attribute("id"))


def check(demo, what):
    labels = demo.locator("[data-slot=map]").evaluate(LABELS)
    assert len(labels) > 20, what
    small = [(x["text"], round(x["size"], 1)) for x in labels if x["size"] < 11]
    assert not small, f"{what}: labels under 11 px: {small[:5]}"
    crossed = [(a["text"], b["text"]) for i, a in enumerate(labels) for b in labels[i + 1:]
               if overlaps(a["box"], b["box"]) > 0.5]
    assert not crossed, f"{what}: labels overlap: {crossed[:5]}"
    shown = {x["text"].strip(ARROWS + " ") for x in labels}
    word = demo.locator("[data-slot=word-shown]").text_content()
    near = [t.rsplit(" ", 1)[0] for t in demo.locator("[data-slot=neighbours] button").all_text_contents()]
    assert len(near) == 10
    missing = [w for w in [word, *near] if w not in shown]
    assert not missing, f"{what}: not labelled: {missing}"


@pytest.mark.parametrize("width", [360, 1280])
def test_map_labels_never_overlap_are_legible_and_name_every_neighbour(watched, base_url, width):
    page = watched.page
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(base_url + "how-llms-work.html")
    wait_ready(page)
    demo = page.locator(DEMO)
    demo.scroll_into_view_if_needed()
    expect(demo).to_have_attribute("data-state", "live", timeout=120_000)
    check(demo, "king")
    for word in ("queen", "paris", "three", "happy", "walked"):
        demo.locator("[data-input=word]").fill(word)
        expect(demo.locator("[data-slot=word-shown]")).to_have_text(word)
        check(demo, word)
    demo.locator("[data-action=zoom][data-value=in]").click()
    expect(demo.locator("[data-slot=zoom-shown]")).to_have_text("1.6×")
    check(demo, "walked, zoomed in")
    for _ in range(3):  # the word and some of its neighbours go out of view
        demo.locator("[data-action=pan][data-value=left]").click()
        settle(page, demo)
    assert demo.locator("text.map-label.is-off").count()
    check(demo, "walked, out of view")
    demo.locator("[data-action=use][data-value=ours]").click()
    expect(demo.locator("[data-slot=use-ours]")).to_have_attribute("aria-pressed", "true")
    check(demo, "our table")
