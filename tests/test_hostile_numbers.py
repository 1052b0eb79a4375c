"""Security issue #24, part 5: forged numbers.

The scale figure states how long the reader's device would take to train GPT-3 from the rate
it measured. No address, no other figure and no reader's code may make it state a rate it did
not measure: a run comes only from the figure that owns the topic ("training"), a run restored
from a link is not a measurement, and a run no browser could do is refused. And no text in
the page says "nan" or "inf", or prints a number's 309 digits.

Under CPython through page.py (as the worker calls it), and in Chromium for the forged publish
and the forged address.
"""

import base64
import json
import math
import re

import pytest
from conftest import open_demo, wait_ready
from live_math_drive import open_math, run, type_code
from playwright.sync_api import expect

from llmexplain import bpe, live_math, page
from llmexplain.demos import DEMOS, weights_figure
from llmexplain.demos import format as fmt

RUN = {"params": 253_920, "tokens": 512_000, "seconds": 10.0, "steps": 1_000}  # 7.8e10 a second
MEASURED = "At the rate you measured"
DIGITS = re.compile(r"\d{17}")  # more digits than a reader can count
NOT_A_NUMBER = re.compile(r"\b(?:nan|inf)\b", re.IGNORECASE)


def texts(reply):
    return [*reply.get("text", {}).values(), *reply.get("notes", [])]


def states_no_rate(reply):
    """Nothing in the scale figure is worked out from a rate."""
    shown = reply["text"]
    assert MEASURED not in shown["headline"], shown["headline"]
    assert shown["run-rate"] == "—"
    assert all(shown[k] in ("—", "cannot be worked out") for k in shown if k.endswith("-time")
               and k not in ("you-time", "reply-time"))
    assert "rate you measured" not in shown["reply-time"]


# ---------------------------------------------------------------- the scale figure, CPython

FORGED = {
    "the issue's": {"params": 10**10, "tokens": 10**13, "seconds": 1e-9, "steps": 1},
    "the smallest seconds": {"params": 1_000, "tokens": 1_000, "seconds": 5e-324, "steps": 1},
    "a slow device's forever": {"params": 1, "tokens": 1, "seconds": 1e7, "steps": 1},
    "a plausible run": RUN,  # not forged on its face, but a link's, not measured here
}


@pytest.mark.parametrize("run", FORGED.values(), ids=FORGED)
def test_a_run_in_an_address_states_no_rate(run):
    reply = json.loads(page.create("S", "scale", json.dumps(run)))
    states_no_rate(reply)
    assert not any("0.000000000000" in t for t in texts(reply))


IMPLAUSIBLE = {
    "the issue's": FORGED["the issue's"],
    "the smallest seconds": FORGED["the smallest seconds"],
    "a slow device's forever": FORGED["a slow device's forever"],
    "a teraflop and more": {**RUN, "seconds": 1e-3},
    "a thousand a second": {**RUN, "params": 1, "tokens": 1_000, "seconds": 6.0},
}


@pytest.mark.parametrize("run", IMPLAUSIBLE.values(), ids=IMPLAUSIBLE)
def test_a_delivered_run_no_browser_could_do_is_refused(run):
    json.loads(page.create("S", "scale", "{}"))
    reply = json.loads(page.event("S", "training", json.dumps(run)))
    assert "not one a browser measures" in reply["error"]
    states_no_rate(json.loads(page.event("S", "training", json.dumps({**RUN, "steps": 0}))))


def test_a_delivered_plausible_run_states_its_rate():  # the control: measured, so stated
    json.loads(page.create("S", "scale", "{}"))
    reply = json.loads(page.event("S", "training", json.dumps(RUN)))
    rate = 6 * RUN["params"] * RUN["tokens"] / RUN["seconds"]  # 78 billion a second
    assert reply["text"]["run-rate"].endswith(f"= {round(rate / 1e9)} billion operations a second")
    assert reply["text"]["headline"].startswith(MEASURED)


def test_only_the_training_figure_owns_the_training_topic():
    from llmexplain.demos import DEMOS

    owners = {name for name, demo in DEMOS.items() if "training" in demo.publishes}
    assert owners == {"train-lm"}


# ---------------------------------------------------------------- numbers in text

NASTY = [math.nan, math.inf, -math.inf, 1e308, -1e308, 5e-324, -5e-324, 1e-300]
FORMATS = {"signed": lambda x: fmt.signed(x, 2), "sig": fmt.sig, "big": fmt.big,
           "loss": fmt.loss, "rate": fmt.rate, "percent": fmt.percent, "short": fmt.short,
           "large": fmt.large, "duration": fmt.duration}


@pytest.mark.parametrize("x", NASTY, ids=[repr(x) for x in NASTY])
@pytest.mark.parametrize("name", FORMATS)
def test_a_number_is_written_in_words_or_refused_never_nan_or_its_digits(name, x):
    try:
        text = FORMATS[name](x)
    except fmt.NotFinite:
        assert not math.isfinite(x)  # only what is not a number may be refused
        return
    assert not NOT_A_NUMBER.search(text), text
    assert not DIGITS.search(text.replace(",", "")), text
    assert "0.000000000000" not in text, text


@pytest.fixture(autouse=True)
def originals():
    """The package's own functions back after each test: a redefine here installs the
    reader's version in this process, where the next test file would find it."""
    yield
    live_math.reset([live_math.name_of(fn) for cls in DEMOS.values() for fn in cls.shows])


SIGMOID = "def sigmoid(z):\n    {body}\n"
EDITS = {  # a sigmoid that passes its check at the figure's start (z = 0.4) and fails past z = 3
    "NaN": "return np.where(z > 3, np.nan, 1 / (1 + np.exp(-z)))",
    "infinity": "return np.where(z > 3, np.inf, 1 / (1 + np.exp(-z)))",
}


@pytest.mark.parametrize("body", EDITS.values(), ids=EDITS)
def test_a_readers_function_that_fails_away_from_its_check_is_taken_out_with_a_message(body):
    json.loads(page.create("W", "weights", "{}"))
    edit = json.loads(page.redefine("W", json.dumps({"neuron.sigmoid": SIGMOID.format(body=body)})))
    assert edit["edit"]["ok"], edit
    reply = json.loads(page.event("W", "b", "5"))  # z = 1.4 − 1.2 + 5 = 5.2
    assert reply["edit"]["reverted"], reply
    assert "went back to the original functions" in reply["edit"]["error"]["message"]
    assert not any(NOT_A_NUMBER.search(t) for t in texts(reply)), reply["text"]
    assert reply["text"]["output"] == "0.99"  # the package's sigmoid(5.2)


def test_a_readers_huge_number_is_written_as_a_power_of_ten():
    json.loads(page.create("W", "weights", "{}"))
    body = "return np.where(z > 3, 1e308, 1 / (1 + np.exp(-z)))"
    json.loads(page.redefine("W", json.dumps({"neuron.sigmoid": SIGMOID.format(body=body)})))
    reply = json.loads(page.event("W", "b", "5"))
    assert "edit" not in reply, reply  # a number, if a large one: it stays in
    assert reply["text"]["output"] == "1.0 × 10³⁰⁸"
    assert not any(DIGITS.search(t.replace(",", "")) for t in texts(reply))


def test_an_f_strings_nan_from_a_readers_code_is_taken_out(monkeypatch):
    """What page.py checks at the boundary: a figure's own f-string may write "nan" where a
    reader's function gave one (here the threshold's words stand in for such a line)."""
    json.loads(page.create("W", "weights", "{}"))
    same = SIGMOID.format(body="return 1 / (1 + np.exp(-z))  # the reader's own, and fine")
    assert json.loads(page.redefine("W", json.dumps({"neuron.sigmoid": same})))["edit"]["ok"]
    monkeypatch.setattr(weights_figure, "threshold", lambda activation: f"{math.nan:.2f}")
    monkeypatch.setattr("llmexplain.demos.weights.threshold", weights_figure.threshold)
    reply = json.loads(page.event("W", "b", "1"))
    assert reply["edit"]["reverted"], reply
    assert "not a number" in reply["edit"]["error"]["message"]


def test_the_word_nan_the_reader_typed_is_not_taken_for_a_number():  # the control
    json.loads(page.create("T", "tokenizer", "{}"))
    same = live_math.source(bpe.best_pair) + "\n# the reader's own, unchanged\n"
    assert json.loads(page.redefine("T", json.dumps({"bpe.best_pair": same})))["edit"]["ok"]
    reply = json.loads(page.event("T", "text", "nan and inf, nan"))
    assert "edit" not in reply, reply
    assert "·nan" in reply["text"]["text-merges"] and "·inf" in reply["text"]["text-merges"]


# ---------------------------------------------------------------- in Chromium

# Code in the weights figure that makes every later render of it publish a run on the
# training figure's topic: it would forge the scale figure's claim.
FORGE = """def sigmoid(z):
    import llmexplain.demos.weights as figure
    if not hasattr(figure, "forged"):
        figure.forged = figure.Weights.render

        def render(self):
            reply = figure.forged(self)
            reply["publish"] = {"training": RUN}
            return reply

        figure.Weights.render = render
    return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))
""".replace("RUN", json.dumps(RUN))

SCALE_IDLE_JS = """() => new Promise((resolve) => {
  const d = llmexplainRuntime.demos.get("scale-8");
  const wait = () => (!d.busy && !d.queue.length ? resolve() : setTimeout(wait, 20));
  wait();
})"""


@pytest.mark.browser
def test_code_in_the_weights_figure_cannot_publish_the_training_run(watched, base_url):
    page, _ = open_demo(watched, base_url, "#weights-1")
    open_math(page, "weights-1")
    type_code(page, "weights-1", "neuron.sigmoid", FORGE)
    assert run(page, "weights-1") == "ok"
    page.locator("#weights-1 [data-input=w1]").fill("1.5")  # another render, publishing again
    expect(page.locator("#weights-1 [data-slot=w1-shown]")).to_have_text("1.5")
    page.evaluate(SCALE_IDLE_JS)
    headline = page.locator("#scale-8 [data-slot=headline]").text_content()
    assert headline.startswith("How long would your own device take"), headline


def b64(value):
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.browser
@pytest.mark.parametrize("run", [FORGED["the issue's"], RUN], ids=["impossible", "plausible"])
def test_a_forged_address_of_the_scale_figure_states_no_rate(watched, base_url, run):
    browser_page = watched.page
    browser_page.goto(f"{base_url}how-llms-work.html#scale-8={b64(run)}")
    wait_ready(browser_page)
    fig = browser_page.locator("#scale-8[data-state=live]")
    fig.wait_for()
    browser_page.evaluate(SCALE_IDLE_JS)
    expect(fig.locator("[data-slot=headline]")).to_contain_text("How long would your own device")
    expect(fig.locator("[data-slot=run-rate]")).to_have_text("—")
    expect(fig.locator("[data-slot=gpt-3-time]")).to_have_text("—")
