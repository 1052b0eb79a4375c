"""Hostile input, issue 24 parts 6 and 7: hangs, dead figures, storms and misleading messages.

One case is one attempt. The reader's code attacks the Python that runs it (replaces a module
in sys.modules, patches live_math, raises BaseException subclasses, asks for gigabytes) in every
figure family; text with half a character reaches next-token by typing and by a link; crafted
messages reach a worker; 10,000 presses of Sample arrive at once; a training worker is killed;
a worker or a page module never answers. Each must end in a plain answer in the page, never a
figure left waiting, and Reset must bring back the figure exactly as the package draws it.
The CPython cases go through page.py, as the worker does.
"""

import base64
import json
import time

import pytest
from conftest import open_demo, wait_ready
from live_math_drive import code, error_text, figure, open_math, reset, settled, type_code

from llmexplain import live_math, page
from llmexplain.demos import DEMOS
from llmexplain.demos import next_token as nt

FAMILIES = ("weights-1", "learning-2", "tokenizer-3", "embeddings-4", "playground-5",
            "next-token-6", "train-lm-7", "scale-8")


def first_shown(fig):
    """The first function the figure shows, as the page names it ("neuron.weighted_sum")."""
    return live_math.name_of(DEMOS[fig.rsplit("-", 1)[0]].shows[0])


# What the reader puts above the function (module-level code runs when Run compiles it),
# and what the figure must say: (the math box's state, words its message holds, words it
# must not hold).
ATTACKS = {
    "sys.modules entry replaced": (
        lambda module: f"import sys\nsys.modules['llmexplain.{module}'] = None\n",
        "stopped", "broke the Python", None),
    "live_math.install patched": (
        lambda module: "import llmexplain.live_math as lm\nlm.install = lambda *a: 1 / 0\n",
        "stopped", "broke the Python", None),
    "SystemExit": (lambda module: "raise SystemExit(3)\n", "error", "SystemExit: 3", None),
    "a BaseException of its own": (
        lambda module: "class Boom(BaseException):\n    pass\n\nraise Boom('no')\n",
        "error", "Boom: no", None),
    "one 2.9 GB array": (lambda module: "import numpy\nx = numpy.ones(362_500_000)\n",
                         "error", "memory", "loop that never ends"),
    "3.2 GB in 400 MB arrays": (
        lambda module: "import numpy\nx = [numpy.ones(50_000_000) for i in range(8)]\n",
        "stopped", "too much memory", "loop that never ends"),
    "a list growing forever": (
        lambda module: "x = []\nwhile True:\n    x.append([0] * 1_000_000)\n",
        "stopped", "too much memory", "loop that never ends"),
}


@pytest.fixture(scope="module")
def family(browser, base_url):
    """The essay open at a figure with its math open, and what the figure showed then: one
    page per family, kept for that family's attacks (the cases run family by family)."""
    kept = {}

    def opened(fig):
        if fig not in kept:
            for context, *_ in kept.values():
                context.close()
            kept.clear()
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            tab = context.new_page()
            tab.goto(base_url + "how-llms-work.html")
            wait_ready(tab)
            tab.locator(f"#{fig}").scroll_into_view_if_needed()
            tab.wait_for_selector(f"#{fig}[data-state=live]", timeout=120_000)
            before = figure(tab, fig)
            open_math(tab, fig)
            kept[fig] = (context, tab, before)
        return kept[fig][1:]

    yield opened
    for context, *_ in kept.values():
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize(("fig", "attack"), [(f, a) for f in FAMILIES for a in ATTACKS])
def test_reader_code_that_attacks_its_python_gets_an_answer_and_reset_works(fig, attack, family):
    tab, before = family(fig)
    make, state, says, never = ATTACKS[attack]
    name = first_shown(fig)
    original = code(tab, fig, name)
    type_code(tab, fig, name, make(name.rpartition(".")[0]) + original)
    tab.locator(f"#{fig} [data-math-run]").click()
    assert settled(tab, fig, timeout=90_000) == state, error_text(tab, fig)
    said = error_text(tab, fig)
    assert says in said
    assert never is None or never not in said
    assert figure(tab, fig) == before  # the figure kept its last good state
    assert reset(tab, fig) == "reset"
    tab.wait_for_selector(f"#{fig}[data-state=live]", timeout=60_000)
    assert figure(tab, fig) == before
    assert code(tab, fig, name) == original


# ---------------------------------------------------------------- half a character

HALF = "Once upon a \ud83d"  # the first half of an emoji, alone
NOTES = "#next-token-6 [data-demo-notes]"


def half_character_link():
    """A link whose next-token text ends in half a character: JSON keeps it as an escape (a
    page's own link could not: TextEncoder mends it first), so only a crafted link holds it."""
    part = base64.urlsafe_b64encode(json.dumps({"text": HALF}).encode()).decode().rstrip("=")
    return f"how-llms-work.html#next-token-6={part}"


def shown_text(tab):
    return tab.locator("#next-token-6 [data-input=text]").input_value()


@pytest.mark.browser
@pytest.mark.parametrize("way", ["typed", "link"])
def test_half_a_character_in_next_tokens_text_is_mended_with_a_note(way, watched, base_url):
    tab = watched.page
    if way == "link":
        tab.goto(base_url + half_character_link())
        wait_ready(tab)
        tab.wait_for_selector("#next-token-6[data-state=live]", timeout=120_000)
    else:
        tab, _ = open_demo(watched, base_url, "#next-token-6")
        # typed or pasted: the box's value as an input event delivers it
        tab.evaluate("""() => { const box = document.querySelector("#next-token-6 [data-input=text]");
          box.value = "Once upon a \\ud83d"; box.dispatchEvent(new Event("input", {bubbles: true})); }""")
    box = "#next-token-6 [data-slot=summary]" if way == "typed" else NOTES
    tab.wait_for_selector(f"{box}:has-text('half character')", timeout=60_000)
    assert tab.locator("#next-token-6 [data-demo-error]").is_hidden()
    assert tab.locator("#next-token-6 [data-slot=bars] button").count() == 10  # it predicts
    if way == "link":
        assert shown_text(tab) == "Once upon a \ufffd"


def test_half_a_character_is_mended_under_cpython():
    reply = json.loads(page.create("n", "next-token", json.dumps({"text": HALF})))
    assert reply["state"]["text"] == "Once upon a \ufffd"
    assert any("half character" in note for note in reply["notes"])
    typed = json.loads(page.event("n", "text", HALF))
    assert typed["state"]["text"] == "Once upon a \ufffd"
    assert "half character" in typed["text"]["summary"]
    # the same text as the tokenizer figure keeps it: one mend for both
    tokens = json.loads(page.create("t", "tokenizer", json.dumps({"text": HALF})))
    assert tokens["state"]["text"] == typed["state"]["text"]


# ---------------------------------------------------------------- crafted messages

# A message posted straight to the main worker -> (the answer's type, what its words hold).
MESSAGES = {
    "create an unknown demo": ({"type": "create", "id": "zz", "name": "no-such-demo",
                                "params": "{}", "base": "{}"}, "refused", "no demo named"),
    "destroy an unknown figure": ({"type": "destroy", "id": "zz"}, "refused", "no figure"),
    "append to an unknown figure": ({"type": "event", "id": "zz", "name": "append",
                                     "value": "1"}, "refused", "no figure"),
    "a click on an unknown figure": ({"type": "pointer", "id": "zz", "name": "map",
                                      "at": [0.5, 0.5]}, "refused", "no figure"),
    "the state of an unknown figure": ({"type": "state", "id": "zz"}, "refused", "no figure"),
    "redefine an unknown figure": ({"type": "redefine", "id": "zz", "edits": "{}"}, "refused",
                                   "no figure"),
    "redefine a function the figure does not show": (
        {"type": "redefine", "id": "weights-1", "edits": json.dumps({"os.system": "x"})},
        "refused", "shows only"),
}

# Posts `msg` to the main worker as the page would (with a seq), and resolves with every
# answer that carries that seq; also whether the worker is still the one it was.
CRAFTED_JS = """async (msg) => {
  const channel = llmexplainRuntime.channels.get("main");
  const worker = channel.worker, restarts = channel.restarts.length;
  const seq = 1_000_000 + Math.floor(Math.random() * 1000);
  const answers = [];
  const receive = channel.receive.bind(channel);
  channel.receive = (m, script) => { if (m.seq === seq) answers.push(m); else receive(m, script); };
  channel.post({ ...msg, seq });
  for (let waited = 0; !answers.length && waited < 20_000; waited += 50) {
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 500)); // a second answer, or a restart, would show now
  channel.receive = receive;
  return { answers, same: channel.worker === worker && channel.restarts.length === restarts };
}"""


@pytest.mark.browser
@pytest.mark.parametrize("what", MESSAGES)
def test_a_crafted_message_gets_one_plain_refusal(what, watched, base_url):
    tab, _ = open_demo(watched, base_url, "#weights-1")
    msg, kind, words = MESSAGES[what]
    got = tab.evaluate(CRAFTED_JS, msg)
    assert got["same"], "the worker was restarted"
    (answer,) = got["answers"]
    assert answer["type"] == kind and words in answer["message"], answer
    for internal in ("Error", "Traceback", "Cannot", "undefined", "'zz'"):
        assert internal not in answer["message"], answer
    tab.locator("#weights-1 [data-input=w1]").fill("-3")  # and the worker still works
    tab.wait_for_selector("#weights-1 [data-slot=w1-shown]:text-is('−3.0')")


@pytest.mark.parametrize("call", [
    lambda: page.create("x", "no-such-demo", "{}"),
    lambda: page.event("no-such-figure", "append", "1"),
    lambda: page.pointer("no-such-figure", "map", 0.5, 0.5),
    lambda: page.state("no-such-figure"),
    lambda: page.redefine("no-such-figure", "{}"),
    lambda: page.destroy("no-such-figure"),
], ids=["create", "event", "pointer", "state", "redefine", "destroy"])
def test_page_refuses_what_the_page_could_not_have_meant_in_words(call):
    refused = json.loads(call())["refused"]
    assert refused.startswith("there is no ") and "Error" not in refused


# ---------------------------------------------------------------- the reader's code, under CPython

def redefined(code):
    """What redefine answers for chapter 1's figure with `code` as its sigmoid."""
    page.create("w", "weights", "{}")
    return json.loads(page.redefine("w", json.dumps({"neuron.sigmoid": code})))["edit"]


@pytest.mark.parametrize(("code", "says"), [
    ("raise SystemExit(3)\n", "SystemExit: 3"),
    ("class Boom(BaseException):\n    pass\n\nraise Boom('no')\n", "Boom: no"),
    ("def sigmoid(z):\n    raise GeneratorExit('done')\n", "GeneratorExit: done"),
], ids=["SystemExit", "own BaseException", "GeneratorExit in the function"])
def test_any_base_exception_from_the_readers_code_is_explained(code, says):
    edit = redefined(code)
    assert not edit["ok"] and edit["error"]["message"] == says


@pytest.mark.parametrize("code", [
    "def sigmoid(z):\n    raise MemoryError()\n",
    "import numpy as np\n\ndef sigmoid(z):\n    return np.ones(1 << 62)\n",
], ids=["MemoryError", "an array too big to exist"])
def test_a_memory_bomb_is_named_as_memory(code):
    edit = redefined(code)
    assert "memory" in edit["error"]["hint"] and "loop" not in edit["error"]["hint"]


# ---------------------------------------------------------------- storms

@pytest.mark.browser
@pytest.mark.parametrize("presses", [25, 10_000])
def test_a_storm_of_sample_presses_coalesces_and_counts_every_press(presses, watched, base_url):
    tab, _ = open_demo(watched, base_url, "#next-token-6")
    started = time.monotonic()
    sent = tab.evaluate("""(presses) => new Promise((resolve) => {
      const demo = llmexplainRuntime.demos.get("next-token-6"), channel = demo.channel;
      let posts = 0;
      const post = channel.post.bind(channel);
      channel.post = (msg) => { if (msg.name === "sample") posts += 1; post(msg); };
      const button = document.querySelector("#next-token-6 [data-action=sample]");
      for (let i = 0; i < presses; i++) button.click();
      const idle = () => !demo.busy && !demo.queue.length;
      const wait = () => (idle() ? (channel.post = post, resolve(posts)) : setTimeout(wait, 20));
      wait();
    })""", presses)
    drained = time.monotonic() - started
    reply = tab.evaluate("llmexplainRuntime.demos.get('next-token-6').state.reply.length")
    assert reply == min(presses, nt.MAX_REPLY)  # every press counted, to the reply's limit
    assert sent <= 3, sent  # one in flight, the rest joined into one more
    assert drained < 60, drained  # it was 172 s


def test_presses_carried_as_a_count_each_count_and_once_actions_run_once():
    page.create("n", "next-token", "{}")
    assert len(json.loads(page.event("n", "sample", None, 25))["state"]["reply"]) == 25
    page.event("n", "generate", None, 3)  # Generate three times is Generate
    paused = json.loads(page.event("n", "pause", None, 2))
    assert "Paused" in paused["text"]["summary"] and not paused["running"]
    assert page.MAX_PRESSES >= 10_000  # a storm's count, and no crafted count beyond it
    big = json.loads(page.event("n", "sample", None, 10**12))
    assert len(big["state"]["reply"]) == nt.MAX_REPLY


# ---------------------------------------------------------------- messages after a restart

@pytest.mark.browser
def test_a_killed_training_worker_says_what_was_lost(watched, base_url):
    tab, _ = open_demo(watched, base_url, "#train-lm-7")
    steps = tab.locator("#train-lm-7 [data-slot=steps]")
    tab.locator("#train-lm-7 [data-slot=btn-play]").click()
    deadline = time.monotonic() + 120
    while int(steps.text_content().replace(",", "")) < 3:
        assert time.monotonic() < deadline, "it did not train"
        tab.wait_for_timeout(200)
    tab.evaluate("""() => { const c = llmexplainRuntime.demos.get("train-lm-7").channel;
      c.worker.terminate(); c.crashed("a test stopped it"); }""")
    tab.wait_for_selector("#train-lm-7[data-state=live]", timeout=120_000)
    notes = tab.locator("#train-lm-7 [data-demo-notes]").text_content()
    assert "back as you left it" not in notes
    assert "training steps is lost" in notes and "press Play" in notes, notes


def test_a_training_figure_says_what_a_restart_would_lose():
    page.create("t", "train-lm", "{}")
    assert "lost" not in json.loads(page.event("t", "tick", None))  # nothing to lose yet
    page.event("t", "play", None)
    reply = json.loads(page.event("t", "tick", None))
    steps = int(reply["text"]["steps"].replace(",", ""))
    assert steps and f"in {steps:,} training step" in reply["lost"]
    restarted = json.loads(page.create("t", "train-lm", json.dumps(reply["state"])))
    assert restarted["text"]["steps"] == "0"  # so it was lost: the note is true


# ---------------------------------------------------------------- what never answers

SHORT = 30  # seconds: bootTimeoutSeconds for these pages, so a wait that never ends ends soon


def short_timeouts(context, base_url):
    """The essay with bootTimeoutSeconds at SHORT (the page's config is data in its HTML)."""
    def shorten(route):
        response = route.fetch()
        body = response.text().replace('"bootTimeoutSeconds": 120', f'"bootTimeoutSeconds": {SHORT}')
        route.fulfill(response=response, body=body)
    context.route(base_url + "how-llms-work.html", shorten)


@pytest.mark.browser
def test_a_worker_that_never_answers_gets_a_message_and_retry(watched, base_url):
    tab = watched.page
    short_timeouts(tab.context, base_url)
    tab.goto(base_url + "how-llms-work.html")
    wait_ready(tab)
    tab.wait_for_selector("#weights-1[data-state=live]")
    tab.evaluate("""() => { const c = llmexplainRuntime.channels.get("main");
      c.worker.postMessage = () => {}; }""")  # it hears nothing from now on
    tab.locator("#weights-1 [data-input=w1]").fill("-3")
    tab.wait_for_selector("html[data-state=error]", state="attached", timeout=(SHORT + 30) * 1000)
    assert f"did not answer within {SHORT} seconds" in tab.text_content("#runtime-status")
    tab.locator("[data-status-retry]").click()
    wait_ready(tab)
    tab.wait_for_selector("#weights-1[data-state=live]", timeout=60_000)
    tab.locator("#weights-1 [data-input=w1]").fill("-2")  # a new worker, which answers
    tab.wait_for_selector("#weights-1 [data-slot=w1-shown]:text-is('−2.0')")


@pytest.mark.browser
def test_a_page_module_that_never_arrives_gets_the_static_message(watched, base_url):
    tab = watched.page
    short_timeouts(tab.context, base_url)
    tab.context.route("**/assets/livemath.*.js", lambda route: None)  # never answered
    tab.goto(base_url + "how-llms-work.html", wait_until="commit")
    tab.wait_for_selector("html[data-state=error]", state="attached", timeout=(SHORT + 30) * 1000)
    said = tab.text_content("#runtime-status")
    assert "static pictures" in said and f"did not arrive within {SHORT} seconds" in said
