"""Chapter 8's figures in Chromium: the chat's token ids are the core's (and GPT-4's markers
the cited ids), and both models' replies are the models' own draws."""

import re

import numpy as np
import pytest
from conftest import open_demo
from playwright.sync_api import expect
from test_browser_state import settle

from llmexplain import bpe, sampling, tuning
from llmexplain import transformer as tf
from llmexplain.chat import CL100K_CHAT, MARKER_SEED, MARKERS, Chat, ChatML
from llmexplain.data import path
from llmexplain.demos import assistant as asst
from llmexplain.demos import chat_format as cf

pytestmark = pytest.mark.browser


def shown_ids(fig):
    titles = fig.locator("[data-slot=chips] span").evaluate_all(
        "(cs) => cs.map((c) => c.getAttribute('title'))")
    return [int(t.split(" ")[1].split(" ·")[0].replace(",", "")) for t in titles]


def test_the_chat_is_the_cores_token_sequence_in_both_tokenizers(watched, base_url, data_folder):
    _, fig = open_demo(watched, base_url, "[data-demo=chat-format]")
    ours = bpe.Tokenizer(bpe.load(path(cf.OURS)))
    turns = [("system", "Be brief."), ("user", "Who is there?"), ("assistant", "Only me."),
             ("user", "Why?")]
    for (role, text), name in zip(turns, ("system", "user", "assistant", "user2")):
        fig.locator(f"[data-input={name}]").fill(text)
    expect(fig.locator("[data-slot=count]")).to_contain_text("in our tokenizer")
    chat = Chat(base_vocab=4096)
    want = chat.encode(turns, ours, reply=True)
    expect(fig.locator("[data-slot=chips] span")).to_have_count(len(want))
    assert shown_ids(fig) == want
    learned = fig.locator("[data-slot=chips] span.learned").evaluate_all(
        "(cs) => cs.map((c) => c.textContent)")
    assert "".join(learned) == "Only·me.<|end|>"  # the mask: the reply and its end, only

    fig.locator("[data-action=use][data-value=gpt4]").click()
    expect(fig.locator("[data-slot=count]")).to_contain_text("GPT-4", timeout=60_000)
    cl100k = bpe.Tokenizer(bpe.load(path(cf.GPT4)))
    ids = shown_ids(fig)
    assert ids == ChatML().encode(turns, cl100k, reply=True)
    assert ids.count(100264) == 5 and ids.count(100265) == 4
    assert CL100K_CHAT == {"<|im_start|>": 100264, "<|im_end|>": 100265}


def test_both_replies_are_the_models_draws(watched, base_url, data_folder):
    page, fig = open_demo(watched, base_url, "[data-demo=assistant]")
    fig.locator("[data-input=question]").fill("Where is my hat?")
    fig.locator("[data-slot=btn-generate]").click()
    # The button reads Generate until the click's answer arrives: first Pause, then Generate.
    expect(fig.locator("[data-slot=btn-generate]")).to_have_text("Pause", timeout=60_000)
    expect(fig.locator("[data-slot=btn-generate]")).to_have_text("Generate", timeout=120_000)
    state = page.evaluate("(id) => llmexplainRuntime.demos.get(id).state",
                          fig.get_attribute("id"))

    tokenizer = bpe.Tokenizer(bpe.load(path(asst.TOKENIZER)))
    chat = Chat(base_vocab=4096)
    config, base = tf.load(path(asst.BASE))
    base, config = tuning.add_tokens(base, config, len(MARKERS), np.random.default_rng(MARKER_SEED))
    models = {"base": base, "tuned": tf.load(path(asst.TUNED))[1]}
    prompt = chat.encode([("user", "Where is my hat?")], tokenizer, reply=True)
    for k, side in enumerate(asst.SIDES):
        reply = []
        while not (reply and reply[-1] == chat.end) and len(reply) < asst.LIMIT:
            logits = tf.forward(models[side], (prompt + reply)[-64:], config)[-1]
            probs = sampling.distribution(logits, state["temperature"])
            reply.append(int(sampling.sample(probs, np.random.default_rng(
                [state["seed"], k, len(reply)]))))
        assert state[side] == reply, side
    assert state["tuned"][-1] == chat.end  # this question's reply ends by itself
    expect(fig.locator("[data-slot=tuned-verdict]")).to_contain_text("predicted <|end|>")
    text = tokenizer.decode([i for i in state["tuned"] if i < 4096])
    expect(fig.locator("[data-slot=tuned-reply]")).to_have_text(text)


MOVES = {"[data-demo=assistant]": ("question", "Who are you?"),
         "[data-demo=teach]": ("examples", "A? → YES.\nB? → NO.\nC? → MAYBE."),
         "[data-demo=prefer]": ("beta", "1.5")}


def move_chapter_8(page, watched, base_url):
    """Each of the chapter's figures moved away from its start; -> the chat figure."""
    _, chat = open_demo(watched, base_url, "[data-demo=chat-format]")
    chat.locator("[data-input=user]").fill("Is it you?")
    chat.locator("[data-action=use][data-value=gpt4]").click()
    expect(chat.locator("[data-slot=count]")).to_contain_text("GPT-4", timeout=60_000)
    for selector, (name, value) in MOVES.items():
        fig = page.locator(selector)
        fig.scroll_into_view_if_needed()
        page.wait_for_selector(f"{selector}[data-state=live]", timeout=120_000)
        fig.locator(f"[data-input={name}]").fill(value)
    settle(page)
    return chat


def shows_the_moves(page, chat):
    expect(chat.locator("[data-input=user]")).to_have_value("Is it you?")
    expect(chat.locator("[data-slot=count]")).to_contain_text("GPT-4", timeout=60_000)
    for selector, (name, value) in MOVES.items():
        expect(page.locator(f"{selector} [data-input={name}]")).to_have_value(value)


def test_the_chapters_figures_restore_from_the_address(watched, base_url):
    page = watched.page
    move_chapter_8(page, watched, base_url)
    ids = [page.locator(s).get_attribute("id") for s in ("[data-demo=chat-format]", *MOVES)]
    for _ in range(50):  # the address is written a moment after the last change
        address = page.evaluate("() => location.hash")
        if all(f"{i}=" in address for i in ids):
            break
        page.wait_for_timeout(200)
    assert all(f"{i}=" in address for i in ids), address
    page.goto("about:blank")
    page.goto(base_url + "how-llms-work.html" + address)
    page.wait_for_selector("html[data-state=ready]", timeout=120_000)
    for selector in ("[data-demo=chat-format]", *MOVES):
        page.locator(selector).scroll_into_view_if_needed()
        page.wait_for_selector(f"{selector}[data-state=live]", timeout=120_000)
    shows_the_moves(page, page.locator("[data-demo=chat-format]"))


def test_train_teaches_the_habit_in_the_page(watched, base_url):
    _, fig = open_demo(watched, base_url, "[data-demo=teach]")
    fig.locator("[data-slot=btn-train]").click()
    expect(fig.locator("[data-slot=btn-train]")).to_have_text("Pause")
    expect(fig.locator("[data-slot=btn-train]")).to_have_text("Train", timeout=300_000)
    rates = fig.locator("[data-slot=rates]").text_content()
    before, after = (int(n) for n in re.findall(r"(\d+) of 8", rates))
    assert after > before, rates
    assert fig.locator("[data-slot=replies] li.has").count() == after
    curve = fig.locator("[data-slot=curve] svg title").text_content()
    now, start = (float(v.replace("−", "-")) for v in re.findall(r"−?\d+\.\d+", curve))
    assert now < start  # the loss on the examples fell


def test_a_pick_raises_its_margin(watched, base_url):
    _, fig = open_demo(watched, base_url, "[data-demo=prefer]")
    first_question = fig.locator("[data-slot=question]").text_content()
    fig.locator("[data-action=pick][data-value='0']").click()
    expect(fig.locator("[data-slot=picks]")).to_have_text("1 pick", timeout=120_000)
    said = fig.locator("[data-slot=summary]").text_content()
    before, after = (float(v.replace("−", "-")) for v in
                     re.findall(r"from (−?\d+\.\d) to (−?\d+\.\d)", said)[0])
    assert after > before, said
    expect(fig.locator("[data-slot=question]")).not_to_have_text(first_question)  # the next pair


def test_a_restarted_worker_brings_each_figure_back_as_it_was(watched, base_url):
    page = watched.page
    chat = move_chapter_8(page, watched, base_url)
    page.evaluate("""() => { for (const c of llmexplainRuntime.channels.values())
      if (c.worker) c.restart('a test stopped it'); }""")
    page.wait_for_selector("[data-demo][data-state=loading]", state="attached")
    settle(page)
    shows_the_moves(page, chat)
