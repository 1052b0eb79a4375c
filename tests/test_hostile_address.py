"""Security issue #24, part 4: no address can stop the page.

A link is anyone's, so the page's address (`#weights-1=<base64url JSON>&…`) is hostile input.
Each part is read on its own: one that cannot be read is left out and the page says so (the
status line for a part of the address, the figure's notes for a state its Python refuses), and
the page reaches ready, its figures live, every time.

A few cases open the page at a hostile address, as a reader following a link does. The fuzz
(over 500 cases: random bytes, bad escapes, huge, nested, `__proto__`, duplicates, and good
states as controls) runs in one page that stays open: the page reads its address again on
`hashchange`, so each case is one change of address, not one page load.
"""

import base64
import json
import random

import pytest
from conftest import wait_ready
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PAGE = "how-llms-work.html"
LEFT_OUT = "Part of the page’s address was left out"  # the status line's note
WEIGHTS = {"x1": 0.7, "x2": 0.4, "w1": 2.0, "w2": -3.0, "b": 0.2, "activation": "sigmoid"}


def b64(text):
    """A part's value as the page writes one: base64url of the text, unpadded."""
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def state(**values):
    return b64(json.dumps(values))


def good_weights(rng):
    """A valid state of the weights figure, on its sliders' steps: what it must show."""
    return {"x1": rng.randint(0, 20) / 20, "x2": rng.randint(0, 20) / 20,
            "w1": rng.randint(-50, 50) / 10, "w2": rng.randint(-50, 50) / 10,
            "b": rng.randint(-50, 50) / 10,
            "activation": rng.choice(["sigmoid", "step", "relu", "linear"])}


def cases():
    """(id, fragment, note, weights): `note` True if the page must say something was left
    out (None: either way), `weights` the weights figure's state it must then show (None: not
    checked)."""
    rng = random.Random(24)
    out = []

    def add(kind, fragment, note, weights=None):
        out.append((f"{kind}-{len(out)}", fragment, note, weights))

    # The issue's own.
    add("issue", "%E0%A4%A=1", True)
    good = good_weights(rng)
    add("issue", f"weights-1={state(**good)}&%ZZ=1", True, good)
    # Random bytes around an "=": a figure's name and value made of anything.
    for _ in range(130):
        key = "".join(chr(rng.randint(1, 0x2FF)) for _ in range(rng.randint(0, 30)))
        value = "".join(chr(rng.choice([rng.randint(1, 0xD7FF), rng.randint(0xE000, 0x10FFF)]))
                        for _ in range(rng.randint(0, 200)))  # no lone surrogates: not text
        add("random", f"{key}={value}", True)
    # Random bytes, percent-escaped: most do not decode as UTF-8.
    for _ in range(80):
        raw = bytes(rng.randrange(256) for _ in range(rng.randint(1, 60)))
        escaped = "".join(f"%{b:02X}" for b in raw)
        add("escaped", f"{escaped}={escaped}", True)
    # Random text of the address's own characters, several parts.
    alphabet = "&=%#?+-_/.!~*'()[]{}:;,@$ aAzZ09\\\"<>`|^"
    for _ in range(60):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 120)))
        add("chars", text, True if "=" in text else None)
    # Bad escapes in a figure's name, beside a good part that must still be used.
    for bad in ["%E0%A4%A", "%ZZ", "%", "%%", "%C0%80", "%ED%A0%80", "%F4%90%80%80", "%FF",
                "weights-1%", "weights%2", "%u0041", "%E2%82", "%0", "%G1", "%-1", "%E0%80%80",
                "%F0%9F%98", "%00%", "%C3%28", "%A0%A1"]:
        for order in ("before", "after"):
            good = good_weights(rng)
            ok = f"weights-1={state(**good)}"
            add("escape", f"{bad}=1&{ok}" if order == "before" else f"{ok}&{bad}=1", True, good)
    # A good figure name with a value that is not base64url JSON of an object.
    for value in ["!!!", "%00%ff%fe", "A", "AA", "AAA", "====", "e30==x", b64("[]"),
                  b64("null"), b64("5"), b64('"text"'), b64("{"), b64("\xff\xfe"),
                  b64(b"\xc3\x28"), b64(b"\xed\xa0\x80"), b64("{\"w1\": }"), "e30.e30",
                  b64('{"w1": NaN}'), b64('{"w1": Infinity}')]:
        add("value", f"weights-1={value}", True, WEIGHTS)
    # Huge: the whole address, one part, many parts, numbers, text.
    for n in (100_001, 150_000, 400_000):
        add("huge", "weights-1=" + "A" * n, True)
    for n in (4_001, 10_000, 60_000):
        add("huge", "weights-1=" + "A" * n, True, WEIGHTS)
    for n in (9, 50, 1_000, 20_000):
        add("huge", "&".join(f"x{i}=1" for i in range(n)), True)
    for value in ["1e308", "-1e308", "1" + "0" * 400, "1" + "0" * 5000, '"' + "1" * 5000 + '"']:
        add("huge", f"weights-1={b64('{\"w1\": ' + value + '}')}", True, WEIGHTS)
    add("huge", f"weights-1={state(w1=5e-324)}", False, {**WEIGHTS, "w1": 0.0})  # in range
    add("huge", f"weights-1={state(activation='x' * 3000)}", True, WEIGHTS)
    add("huge", f"tokenizer-3={state(text='é' * 2000)}", None)
    # Nested: arrays and objects deep, JSON in a string, base64 in base64, code that is not.
    for depth in (10, 100, 1_000, 2_900):
        add("nested", f"weights-1={b64('[' * depth + ']' * depth)}", True, WEIGHTS)
        add("nested", f"weights-1={b64('{\"w1\":' * depth + '1' + '}' * depth)}", True, WEIGHTS)
    for depth in (1, 2, 3, 5):
        inner = state(w1=1.0)
        for _ in range(depth):
            inner = b64(inner)
        add("nested", f"weights-1={inner}", True, WEIGHTS)
    add("nested", f"weights-1={b64(json.dumps({'w1': json.dumps({'w1': 1})}))}", True, WEIGHTS)
    for code in [5, None, [], {"a": 1}, True]:  # code that is not text: the part is unreadable
        add("nested", f"weights-1={b64(json.dumps({'w1': 1.0, 'code': code}))}", True, WEIGHTS)
    # Text as code: a live figure takes no code from a changed address (its test is below).
    for code in ["!!!", "AAAA", b64("not deflate"), b64(json.dumps({"neuron.sigmoid": 5}))]:
        add("nested", f"weights-1={b64(json.dumps({'w1': 1.0, 'code': code}))}", None,
            {**WEIGHTS, "w1": 1.0})
    # __proto__ and its kin: as a figure's name, as keys of its state.
    for key in ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty",
                "valueOf", "__defineGetter__", "__lookupGetter__", "size", "get", "has",
                "set", "then", "length", "0"]:
        add("proto", f"{key}={state(w1=1.0)}", True)
    for payload in [{"__proto__": {"w1": 5, "polluted": 1}}, {"constructor": {"prototype": {"polluted": 1}}},
                    {"__proto__": None}, {"__proto__": []}, {"prototype": 1},
                    {"toString": "x"}, {"valueOf": 1}, {"__proto__": {"__proto__": {"polluted": 1}}},
                    {"w1": 1.5, "__proto__": {"w1": 4}}, {"hasOwnProperty": 1, "w1": 1.5}]:
        add("proto", f"weights-1={b64(json.dumps(payload))}", True, None)
    # A figure named twice: the first is used, and the page says so.
    for _ in range(50):
        first, second = good_weights(rng), good_weights(rng)
        add("twice", f"weights-1={state(**first)}&weights-1={state(**second)}", True, first)
    # Good states, as controls: used as written, nothing said.
    for _ in range(70):
        good = good_weights(rng)
        add("good", f"weights-1={state(**good)}", False, good)
    add("good", "", False)
    add("good", "chapter-1", False)  # a place in the page, not settings
    return out


CASES = cases()
assert len(CASES) >= 500, len(CASES)

# Each case: the address emptied (no figure restored), then set to the case, as a reader's
# edit of the address does; the page's notes cleared first, so any shown after are this case's.
VISIT_JS = """(fragment) => {
  for (const box of document.querySelectorAll("[data-demo-notes]")) { box.textContent = ""; box.hidden = true; }
  history.replaceState(null, "", "#");
  dispatchEvent(new HashChangeEvent("hashchange"));
  history.replaceState(null, "", "#" + fragment);
  dispatchEvent(new HashChangeEvent("hashchange"));
}"""

# Every figure done (live, or waiting out of sight), nothing waiting for Python; what it shows.
SETTLED_JS = """() => new Promise((resolve) => {
  const demos = [...llmexplainRuntime.demos.values()];
  const idle = () => demos.every((d) => d.el.dataset.state !== "loading" && !d.busy && !d.queue.length);
  const wait = () => idle() ? resolve({
    page: document.documentElement.dataset.state,
    status: document.getElementById("runtime-status").textContent,
    figures: Object.fromEntries(demos.map((d) => [d.id, d.el.dataset.state])),
    notes: demos.filter((d) => d.notesBox && !d.notesBox.hidden).map((d) => d.notesBox.textContent),
    weights: llmexplainRuntime.demos.get("weights-1").state,
    polluted: ({}).w1 !== undefined || ({}).polluted !== undefined || Object.prototype.polluted !== undefined,
  }) : setTimeout(wait, 20);
  wait();
})"""


@pytest.fixture(scope="module")
def one_page(browser, base_url):
    """The essay, ready, kept open for every case; the errors it logs, by case."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
    page.goto(base_url + PAGE)
    wait_ready(page)
    page.evaluate(SETTLED_JS)
    yield page, errors
    context.close()


@pytest.mark.parametrize(("fragment", "note", "weights"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_an_address_is_read_or_left_out_with_a_note(one_page, fragment, note, weights):
    page, errors = one_page
    errors.clear()
    page.evaluate(VISIT_JS, fragment)
    seen = page.evaluate(SETTLED_JS)
    assert not errors, errors
    assert seen["page"] == "ready", seen["status"]
    assert set(seen["figures"].values()) <= {"live", "static"}, seen["figures"]  # static: not near yet
    assert not seen["polluted"]
    said = LEFT_OUT in seen["status"] or bool(seen["notes"])
    if note is not None:
        assert said == note, (seen["status"], seen["notes"])
    if weights is not None:
        assert seen["weights"] == weights


@pytest.fixture
def opened(watched, base_url):
    """The essay opened at a hostile address, as a link opens it: ready, or the test fails."""
    def open_at(fragment):
        page = watched.page
        page.goto(f"{base_url}{PAGE}#{fragment}")
        wait_ready(page, timeout=60_000)
        page.evaluate(SETTLED_JS)
        return page
    return open_at


GOOD = {**WEIGHTS, "w1": 1.5}


@pytest.mark.parametrize("fragment", [
    "%E0%A4%A=1",
    f"weights-1={state(**GOOD)}&%ZZ=1",
    f"__proto__={state(w1=1.0)}&weights-1={state(**GOOD)}",
    f"weights-1={state(**GOOD)}&weights-1={state(w1=-4.0)}",
    "x=" + "A" * 200_000,
])
def test_a_link_with_a_bad_part_opens_a_working_page_that_says_so(opened, fragment):
    page = opened(fragment)
    expect(page.locator("#runtime-status")).to_contain_text(LEFT_OUT)
    weights = page.locator("#weights-1")
    want = "1.5" if "weights-1=" in fragment else "2.0"  # the good part is used
    expect(weights.locator("[data-slot=w1-shown]")).to_have_text(want)
    weights.locator("[data-input=w1]").fill("-0.5")  # and the figure works
    expect(weights.locator("[data-slot=w1-shown]")).to_have_text("−0.5")


def test_a_link_whose_code_cannot_be_read_says_so_in_its_figure(opened):
    page = opened(f"weights-1={b64(json.dumps({'w1': 1.5, 'code': b64('not deflate')}))}")
    expect(page.locator("#weights-1 [data-demo-notes]")).to_contain_text("code in the link could not be read")
    expect(page.locator("#weights-1 [data-slot=w1-shown]")).to_have_text("1.5")
