"""A data file a figure reads only on the reader's request is fetched only then: GPT-4's
vocabulary waits for its switch, and the page is told to fetch it and ask again."""

import json
import shutil

import pytest

from llmexplain import page
from llmexplain.data import ENV, path
from llmexplain.demos import tokenizer as tk


@pytest.fixture
def without_gpt4(tmp_path, monkeypatch, data_folder):
    """A data folder as the worker's is before the switch: every file but GPT-4's. Returns
    what the worker does on {"fetch": [GPT-4's]}: puts the file there."""
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(path(tk.OURS), folder / tk.OURS)
    gpt4 = path(tk.GPT4)
    monkeypatch.setenv(ENV, str(folder))
    return lambda: shutil.copy(gpt4, folder / tk.GPT4)


def test_the_vocabulary_size_shown_is_the_files(data_folder):
    assert path(tk.GPT4).read_bytes().count(b"\n") == tk.GPT4_TOKENS  # one token a line


def test_the_tokenizer_starts_without_gpt4s_vocabulary(without_gpt4):
    assert json.loads(page.needs("tokenizer")) == [tk.OURS]
    reply = json.loads(page.create("t", "tokenizer", "{}"))
    assert reply["text"]["size-gpt4"] == "100,256"


def test_the_switch_asks_for_the_file_then_works_when_asked_again(without_gpt4):
    page.create("t", "tokenizer", json.dumps({"text": "hello world"}))
    shown = json.loads(page.event("t", "use", "gpt4"))  # says "loading" at once
    assert shown["running"] and "Loading" in shown["text"]["status"]
    assert json.loads(page.event("t", "tick", None)) == {"fetch": [tk.GPT4]}
    assert json.loads(page.event("t", "tick", None)) == {"fetch": [tk.GPT4]}  # nothing changed
    without_gpt4()  # the worker fetches it into the folder and repeats the call
    done = json.loads(page.event("t", "tick", None))
    assert not done["running"] and done["attrs"]["use-gpt4"]["aria-pressed"] == "true"
    assert [c["attrs"]["data-id"] for c in done["items"]["chips"]] == ["15339", "1917"]


def test_a_figure_restored_with_gpt4_asks_for_it_before_it_exists(without_gpt4):
    assert json.loads(page.create("restored-gpt4", "tokenizer", json.dumps({"tokenizer": "gpt4"}))) == \
        {"fetch": [tk.GPT4]}
    assert "restored-gpt4" not in page._live
