"""Every figure on one phone screen (360 × 800), driven the way a reader drives it.

For each main control of each figure there is a place to scroll to where the control and
the plot it changes are both in full view (a sticky bar of buttons counts: it is where it
is); pressing the control there, without scrolling, leaves both in view. Nothing in a figure
reaches past its edge unless it sits in a box that scrolls sideways and shows that it does.
"""

import pytest
from conftest import wait_ready
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 800}

# How a reader presses a control: click it, nudge it from the keyboard, pick another option,
# or type into it.
CLICK, NUDGE, CHOOSE, TYPE, TWICE = "click", "nudge", "choose", "type", "twice"

# figure -> [(how, control, [the plots it changes], option or text)]
MAIN = {
    "weights": [
        *((NUDGE, f"[data-input={name}]", ["[data-slot=plane]"], None)
          for name in ("x1", "x2", "w1", "w2", "b")),
        (CHOOSE, "[data-input=activation]", ["[data-slot=plane]", "[data-slot=output]"], "relu"),
    ],
    "learning": [
        (CLICK, "[data-action=step]", ["[data-slot=fit]", "[data-slot=landscape]",
                                       "[data-slot=curve]", "[data-slot=phases]"], None),
        (TWICE, "[data-slot=btn-play]", ["[data-slot=fit]", "[data-slot=landscape]",
                                         "[data-slot=curve]"], None),
        (CLICK, "[data-action=reset]", ["[data-slot=fit]", "[data-slot=curve]"], None),
        (NUDGE, "[data-input=lr]", ["[data-slot=zones]", "[data-slot=lr-zone]"], None),
    ],
    "tokenizer": [
        (TYPE, "[data-input=text]", ["[data-slot=chips]"], " and more"),
        (CLICK, "[data-action=example][data-value=word]", ["[data-slot=chips]"], None),
        (CLICK, "[data-action=example][data-value=japanese]", ["[data-slot=chips]"], None),
        (CLICK, "[data-action=use][data-value=gpt4]", ["[data-slot=chips]"], None),
        (CLICK, "[data-action=use][data-value=ours]", ["[data-slot=chips]"], None),
    ],
    "embeddings": [
        (TYPE, "[data-input=word]", ["[data-slot=map]"], "queen"),
        (CLICK, "[data-action=example][data-value=paris]", ["[data-slot=map]"], None),
        (CLICK, "[data-slot=neighbours] button >> nth=0", ["[data-slot=map]"], None),
        (CLICK, "[data-action=use][data-value=ours]", ["[data-slot=map]"], None),
        (CLICK, "[data-action=zoom][data-value=in]", ["[data-slot=map]"], None),
        (CLICK, "[data-action=preset][data-value=capital]", ["[data-slot=answers]"], None),
    ],
    "playground": [
        (TWICE, "[data-slot=btn-play]", ["[data-pointer=place]", "[data-slot=curve]"], None),
        (CLICK, "[data-action=step]", ["[data-pointer=place]", "[data-slot=curve]"], None),
        (CLICK, "[data-action=reset]", ["[data-pointer=place]", "[data-slot=curve]"], None),
        (CHOOSE, "[data-input=dataset]", ["[data-pointer=place]"], "xor"),
        (CLICK, "[data-action=regenerate]", ["[data-pointer=place]"], None),
        (CLICK, "[data-action=add-layer]", ["[data-slot=network]"], None),
        (CLICK, "[data-action=next]", ["[data-slot=network]", "[data-slot=example-title]"], None),
        (CLICK, "[data-action=again]", ["[data-slot=network]"], None),
    ],
    "next-token": [
        (CLICK, "[data-action=sample]", ["[data-slot=bars]"], None),
        (TWICE, "[data-slot=btn-generate]", ["[data-slot=bars]"], None),
        (CLICK, "[data-action=clear]", ["[data-slot=bars]"], None),
        *((NUDGE, f"[data-input={name}]", ["[data-slot=bars]"], None)
          for name in ("temperature", "top_k", "top_p")),
        (NUDGE, "[data-input=layer]", ["[data-slot=context]"], None),
        (CHOOSE, "[data-input=head]", ["[data-slot=context]"], "all"),
    ],
    "train-lm": [
        (TWICE, "[data-slot=btn-play]", ["[data-slot=curve]"], None),
        (CLICK, "[data-action=reset]", ["[data-slot=curve]"], None),
        (CLICK, "[data-action=predict]", ["[data-slot=predict-bars]"], None),
    ],
}

# Whether an element is wholly in view and on top (not under a sticky bar): its middle and
# its four corners are its own. A box that scrolls sideways counts where it shows.
SEEN = """const seen = (el) => {
  const r = el.getBoundingClientRect();
  if (r.width < 1 || r.height < 1 || r.top < 0 || r.bottom > innerHeight) return false;
  const box = el.closest(".scroll-x")?.getBoundingClientRect();
  const left = Math.max(r.left, box ? box.left : 0);
  const right = Math.min(r.right, box ? box.right : innerWidth);
  const points = [[(left + right) / 2, (r.top + r.bottom) / 2], [left + 3, r.top + 3],
                  [right - 3, r.top + 3], [left + 3, r.bottom - 3], [right - 3, r.bottom - 3]];
  return points.every(([x, y]) => {
    const hit = document.elementFromPoint(x, y);
    return hit && (el === hit || el.contains(hit));
  });
};"""

# A scroll position that shows a control and its plot together (the middle of all that do,
# so that a line of text growing above or below does not push either out), or null.
FIND_VIEW = """([control, plots]) => {""" + SEEN + """
  const all = [control, ...plots];
  window.scrollTo(0, 0);  // where each is in the page, sticky bars unstuck
  const tops = all.map((e) => e.getBoundingClientRect().top + scrollY);
  const bottoms = all.map((e) => e.getBoundingClientRect().bottom + scrollY);
  const good = [];
  for (let y = Math.max(0, Math.min(...tops) - innerHeight); y <= Math.max(...bottoms); y += 8) {
    window.scrollTo(0, y);
    if (all.every(seen)) good.push(scrollY);
  }
  if (!good.length) return null;
  window.scrollTo(0, good[Math.floor(good.length / 2)]);
  if (!all.every(seen)) window.scrollTo(0, good[0]);
  return scrollY;
}"""

ALL_SEEN = "([control, plots]) => {" + SEEN + " return [control, ...plots].every(seen); }"

# The figure has answered everything sent, and is not running (GPT-4's vocabulary still
# loading counts as running).
SETTLED = """(id) => { const d = llmexplainRuntime.demos.get(id);
                       return d.live && !d.busy && !d.queue.length && !d.running; }"""


@pytest.fixture
def phone(watched, base_url):
    page = watched.page
    page.set_viewport_size(PHONE)
    page.goto(base_url + "how-llms-work.html")
    wait_ready(page)
    return page


def live(page, name):
    fig = page.locator(f"[data-demo={name}]")
    fig.scroll_into_view_if_needed()
    expect(fig).to_have_attribute("data-state", "live", timeout=120_000)
    return fig


def press(page, fig, how, control, value):
    if how in (CLICK, TWICE):
        control.click()
        if how == TWICE:  # Play, then Pause: the figure runs for a moment in between
            page.wait_for_timeout(400)
            control.click()
    elif how == NUDGE:
        control.focus()
        page.keyboard.press("ArrowRight")
    elif how == CHOOSE:
        control.select_option(value)
    elif how == TYPE:
        control.focus()
        page.keyboard.press("End")
        if control.evaluate("(e) => e.tagName") == "INPUT":
            control.fill("")
        page.keyboard.type(value)
    page.wait_for_function(SETTLED, arg=fig.get_attribute("id"))


@pytest.mark.parametrize("name", sorted(MAIN))
def test_each_main_control_shows_the_plot_it_changes_on_one_phone_screen(phone, name):
    page = phone
    fig = live(page, name)
    missing = []
    for how, selector, plots, value in MAIN[name]:
        control = fig.locator(selector)
        for plot in plots:  # each plot with its control: a sticky bar serves several in turn
            expect(control).to_be_enabled()
            handles = [control.element_handle(), [fig.locator(plot).element_handle()]]
            if not fig.locator(plot).is_visible():  # it opens when pressed: under the control
                control.evaluate("(e) => { e.scrollIntoView(); scrollBy(0, -60); }")
                at = 0
            else:
                at = page.evaluate(FIND_VIEW, handles)
            if at is None:
                missing.append(f"{selector} with {plot}")
                continue
            press(page, fig, how, control, value)  # (the browser may keep what is in view
            # in place as text above it changes length: that is not the reader scrolling)
            handles = [control.element_handle(), [fig.locator(plot).element_handle()]]
            assert page.evaluate(ALL_SEEN, handles), f"{name}: after {selector}, {plot} left"
    assert not missing, f"{name}: no phone screen shows both of {missing}"


# Anything past the figure's edge must sit in a box that scrolls sideways (.scroll-x, with its
# shadows as the cue); and every box that scrolls sideways is one of those. (A drawing may
# clip its own lines to its frame.)
OVERFLOWING = """(fig) => {
  const box = fig.getBoundingClientRect(), bad = [];
  const name = (e) => `${e.tagName.toLowerCase()}.${e.getAttribute("class") || ""}[${e.dataset.slot || ""}]`;
  for (const e of fig.querySelectorAll("*")) {
    const r = e.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) continue;
    const scrolls = ["auto", "scroll"].includes(getComputedStyle(e).overflowX);
    if (scrolls && e.scrollWidth > e.clientWidth + 1 &&
        !(e.classList.contains("scroll-x") && getComputedStyle(e).backgroundImage.includes("gradient")))
      bad.push(`${name(e)} scrolls sideways with no cue`);
    if (r.right <= box.right + 0.5 && r.left >= box.left - 0.5) continue;
    let up = e.parentElement;
    while (up && up !== fig && getComputedStyle(up).overflowX === "visible") up = up.parentElement;
    if (up instanceof SVGElement) continue;  // a drawing clipped to its own frame, on purpose
    if (!up || up === fig) bad.push(`${name(e)} reaches ${Math.round(r.right - box.right)} px past the figure`);
    else if (!up.classList.contains("scroll-x")) bad.push(`${name(e)} is cut off by ${name(up)}`);
  }
  return [...new Set(bad)].slice(0, 8);
}"""


def test_nothing_leaves_a_figure_on_a_phone_without_a_scroll_cue(phone):
    page = phone
    for name in [*MAIN, "scale"]:
        fig = live(page, name)
        if name == "playground":  # the one-example view writes numbers beside the neurons
            fig.locator("[data-action=next]").click()
            page.wait_for_function(SETTLED, arg=fig.get_attribute("id"))
        assert fig.evaluate(OVERFLOWING) == [], name
