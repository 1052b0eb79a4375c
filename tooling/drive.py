"""Every figure of an open essay driven once like a reader, and what each Python worker then
holds: for the test that proves the trimmed stdlib is enough (tests/test_browser_every_figure.py)
and for measuring which stdlib modules the pages import (tooling/stdlib.py says how).

Nothing here knows a demo: it scrolls to each [data-demo] figure (its worker starts when the
reader comes near), waits for it to be live, then presses each distinct button once, moves
each control once and clicks each clickable plot, waiting after each for the reply. A button
that starts a run (Play, Generate) is left running for RUN_SECONDS and pressed again.
"""

import json

RUN_SECONDS = 2

# Resolves when figure `id` has nothing in flight and nothing queued.
SETTLED_JS = """([id, ms]) => new Promise((resolve, reject) => {
  const d = llmexplainRuntime.demos.get(id);
  const t0 = performance.now();
  const wait = () => {
    if (!d.busy && !d.queue.length) return resolve(d.running);
    if (performance.now() - t0 > ms) return reject(new Error(`figure ${id} did not settle`));
    setTimeout(wait, 20);
  };
  wait();
})"""

# What a figure offers a reader: one entry per distinct button (action and value), control
# and clickable plot, as selectors within the figure.
CONTROLS_JS = """(fig) => {
  const seen = new Set(), out = [];
  const add = (kind, el, key) => {
    if (seen.has(key) || el.closest("[hidden]") || el.disabled) return;
    seen.add(key);
    el.dataset.llmexplainDrive = String(out.length);
    out.push({ kind, key, index: out.length, type: el.type || el.tagName.toLowerCase(),
               options: el.tagName === "SELECT" ? [...el.options].map((o) => o.value) : [] });
  };
  // Chips and bars are buttons too: one of each action is enough.
  for (const el of fig.querySelectorAll("[data-action]")) {
    const many = el.parentElement?.matches("[data-roving]") || el.dataset.action === "token";
    add("action", el, many ? `action:${el.dataset.action}` : `action:${el.dataset.action}=${el.dataset.value ?? ""}`);
  }
  for (const el of fig.querySelectorAll("[data-input]")) add("input", el, `input:${el.dataset.input}`);
  for (const el of fig.querySelectorAll("[data-pointer]")) add("pointer", el, `pointer:${el.dataset.pointer}`);
  return out;
}"""


def drive_every_figure(page, timeout_ms=120_000):
    """Drive every figure on the open page; returns {figure id: [what was done]}."""
    done = {}
    for fig_id in page.eval_on_selector_all("[data-demo]", "els => els.map((e) => e.id)"):
        fig = page.locator(f'[id="{fig_id}"]')
        fig.scroll_into_view_if_needed()
        page.wait_for_selector(f'[id="{fig_id}"][data-state=live]', timeout=timeout_ms)
        settle(page, fig_id, timeout_ms)
        done[fig_id] = []
        for control in fig.evaluate(CONTROLS_JS):
            el = fig.locator(f'[data-llmexplain-drive="{control["index"]}"]')
            if not el.count() or not el.first.is_visible() or not el.first.is_enabled():
                continue  # a reply redrew it, or hid it
            act(page, el.first, control)
            if settle(page, fig_id, timeout_ms) and control["kind"] == "action":
                page.wait_for_timeout(RUN_SECONDS * 1000)  # a run it started: let it go
                if settle(page, fig_id, timeout_ms) and el.count() and el.first.is_visible():
                    el.first.click()  # and stop it
                    settle(page, fig_id, timeout_ms)
            done[fig_id].append(control["key"])
    return done


def act(page, el, control):
    kind, kind_of = control["kind"], control["type"]
    if kind in ("action", "pointer"):
        el.scroll_into_view_if_needed()
        el.click()
    elif kind_of == "range":
        el.focus()
        page.keyboard.press("ArrowRight")
    elif kind_of == "checkbox":
        el.click()
    elif kind_of == "select-one":
        options = control["options"]
        current = el.input_value()
        el.select_option(next((o for o in options if o != current), current))
    elif kind_of in ("text", "textarea", "search"):
        el.fill("The cat sat on the mat")
    elif kind_of == "number":
        el.fill(el.input_value() or "1")
        el.dispatch_event("input")


def settle(page, fig_id, timeout_ms):
    """Wait until the figure has no reply pending; returns whether it is running."""
    return page.evaluate(SETTLED_JS, [fig_id, timeout_ms])


def imported_modules(page):
    """{worker name: {"modules": the names in its sys.modules, "missed": the modules it tried
    to import and no finder found}}, for every Python worker the page started."""
    found = {}
    for worker in page.workers:
        got = worker.evaluate("() => globalThis.llmexplainImported?.() ?? null")
        if got:
            held = json.loads(got)
            found[held["name"]] = held
    return found
