"""Chapter 5's figure in Chromium: the bars, the reply and the attention are the model's."""

import json
import re

import numpy as np
import pytest
from conftest import open_demo
from playwright.sync_api import expect

from llmexplain import bpe, sampling
from llmexplain import transformer as tf
from llmexplain.data import path
from llmexplain.demos import next_token as nt

pytestmark = pytest.mark.browser

FIGURE = "[data-demo=next-token]"


@pytest.fixture
def figure(watched, base_url):
    return open_demo(watched, base_url, FIGURE)


@pytest.fixture(scope="module")
def model(data_folder):
    config, weights = tf.load(path(nt.MODEL))
    return config, weights, bpe.Tokenizer(bpe.load(path(nt.TOKENIZER)))


def figure_state(page, fig):
    return page.evaluate("(id) => llmexplainRuntime.demos.get(id).state", fig.get_attribute("id"))


def settled(page, fig):
    page.evaluate("""(id) => new Promise((resolve) => {
      const d = llmexplainRuntime.demos.get(id);
      const wait = () => (!d.busy && !d.queue.length ? resolve() : setTimeout(wait, 20));
      wait();
    })""", fig.get_attribute("id"))


def test_the_bars_are_the_models_probabilities_for_the_prompt(figure, model):
    page, fig = figure
    config, weights, tokenizer = model
    text = "The king looked at the queen and"
    fig.locator("[data-input=text]").fill(text)
    fig.locator("[data-input=temperature]").fill("0.8")
    expect(fig.locator("[data-slot=temperature-shown]")).to_have_text("0.80")
    settled(page, fig)
    logits = tf.forward(weights, tokenizer.encode(text), config)[-1]
    want = sampling.distribution(logits, 0.8)
    ids = [int(v) for v in fig.locator("[data-slot=bars] button").evaluate_all(
        "(bs) => bs.map((b) => b.dataset.value)")]
    shown = [float(v) for v in fig.locator("[data-slot=bars] meter").evaluate_all(
        "(ms) => ms.map((m) => m.getAttribute('value'))")]
    assert ids == sampling.ranked(want)[:nt.words.SHOWN].tolist()
    np.testing.assert_allclose(shown, want[ids], atol=5e-5)
    rest = float(fig.locator("[data-slot=rest]").text_content().rstrip("%")) / 100
    assert sum(shown) + rest == pytest.approx(1.0, abs=2e-3)


def test_generate_adds_one_token_a_step_and_pause_stops_it(figure, model):
    page, fig = figure
    _, _, tokenizer = model
    counter = fig.locator("[data-slot=predictions]")
    page.evaluate("""(el) => {
      window.seenCounts = [];
      new MutationObserver(() => seenCounts.push(el.textContent)).observe(el,
        {childList: true, characterData: true, subtree: true});
    }""", counter.element_handle())
    fig.locator("[data-slot=btn-generate]").click()
    expect(counter).to_contain_text(re.compile(r"took (1[2-9]|[2-9]\d) predictions"), timeout=30_000)
    fig.locator("[data-slot=btn-generate]").click()  # now Pause
    expect(fig.locator("[data-slot=btn-generate]")).to_have_text("Generate")
    settled(page, fig)
    counts = [int(re.search(r"took (\d+) prediction", t).group(1))
              for t in page.evaluate("seenCounts")]
    assert counts == list(range(1, len(counts) + 1))  # one token per step, none skipped
    n = counts[-1]
    page.wait_for_timeout(800)
    assert counter.text_content().startswith(f"This reply took {n} predictions")  # paused
    state = figure_state(page, fig)
    assert len(state["reply"]) == n
    assert fig.locator("[data-slot=context] .tok.reply").count() == n
    start = nt.STATE["text"].default
    assert fig.locator("[data-input=text]").input_value() == start + tokenizer.decode(state["reply"])
    twin = nt.NextToken()  # the core under CPython, same seed: the same reply
    for _ in range(n):
        twin.handle("sample", None)
    assert twin.params()["reply"] == state["reply"]


def test_the_attention_shading_is_the_models_attention(figure, model):
    page, fig = figure
    config, weights, tokenizer = model
    text = "Alice said to the Queen that the Queen"
    fig.locator("[data-input=text]").fill(text)
    fig.locator("[data-input=layer]").fill("2")
    fig.locator("[data-input=head]").select_option("4")
    expect(fig.locator("[data-slot=attention-says]")).to_contain_text("Layer 2, head 4")
    settled(page, fig)
    weights_shown = [float(w) for w in fig.locator("[data-slot=context] .tok[data-weight]")
                     .evaluate_all("(cs) => cs.map((c) => c.dataset.weight)")]
    _, maps = tf.forward(weights, tokenizer.encode(text), config, return_attention=True)
    np.testing.assert_allclose(weights_shown, maps[1][3, -1], atol=5e-5)
    darkest = fig.locator("[data-slot=context] .tok[data-weight]").nth(int(np.argmax(maps[1][3, -1])))
    assert re.search(r"att-[4-7]", darkest.get_attribute("class"))


def test_a_link_reopens_the_reply_token_for_token(figure, browser, model):
    page, fig = figure
    for _ in range(6):
        fig.get_by_role("button", name="Sample one token").click()
    settled(page, fig)
    left = figure_state(page, fig)
    page.wait_for_timeout(600)  # the address follows a moment later
    other = browser.new_context().new_page()
    other.goto(page.url)  # the link scrolls to the figure it names, so its worker starts
    other.wait_for_selector(f"{FIGURE}[data-state=live]", timeout=120_000)
    again = other.locator(FIGURE)
    assert json.dumps(figure_state(other, again)) == json.dumps(left)
    assert again.locator("[data-slot=context] .tok.reply").count() == 6
    other.context.close()
