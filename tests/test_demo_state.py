"""Every demo's state is declared data: saved, restored, re-created, and checked like input."""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from llmexplain import page
from llmexplain.demos import DEMOS
from llmexplain.demos.base import Demo

ROOT = Path(__file__).resolve().parent.parent

# A few reader moves per demo, so the round trip is tested away from the starting state.
MOVES = {
    "weights": [("w1", "-1.3"), ("activation", "relu"), ("x2", "0.95")],
    "learning": [("lr", "-1.2"), ("point", "3"), ("px", "0.33"), ("add", None),
                 ("drag-start", [0.9, 0.9]), ("drag", [0.8, 0.1])],
    "tokenizer": [("text", "Hello, wörld 🙂"), ("use", "gpt4"), ("tick", None), ("token", "3")],
    "embeddings": [("pick", "queen"), ("dim", "7"), ("a", "paris"), ("b", "france"),
                   ("c", "italy"), ("zoom", "in"), ("pan", "left")],
    "next-token": [("text", "The cat sat on the"), ("temperature", "0.7"), ("top_k", "5"),
                   ("append", "262"), ("sample", None), ("layer", "2"), ("head", "all"),
                   ("seed", "7")],
    # What it learns is the run's, not state: see its own tests (and test_own_text.py);
    # the step loaded from ahead is.
    "train-lm": [("seed", "3"), ("source", "alice"), ("prompt", "The Queen said"),
                 ("draft", "Alice was beginning to get very tired of sitting by her sister on "
                           "the bank, and of having nothing to do: once or twice she had peeped "
                           "into the book her sister was reading, but it had no pictures or "
                           "conversations in it, “and what is the use of a book,” thought Alice, "
                           "“without pictures or conversations?” 🙂\n" * 6),
                 ("use-text", None), ("source", "shelf"), ("seed", "1"),
                 ("skip", "250")],
    "playground": [("dataset", "xor"), ("noise", "0.2"), ("train", "0.7"), ("regenerate", None),
                   ("add-layer", None), ("add-neuron", "0"), ("remove-neuron", "2"),
                   ("activation", "relu"), ("lr", "0.1"), ("batch", "7"), ("l2", "0.001"),
                   ("example", "40"), ("next-class", "0"), ("px", "-2.5"), ("py", "1"),
                   ("add-point", None), ("next-class", "1"), ("place", [0.2, 0.3]),
                   ("place", [0.8, 0.6]), ("place", [0.5, 0.1]), ("example", "2")],
    "scale": [("training", json.dumps({"params": 464_000, "tokens": 10_240, "seconds": 0.8,
                                       "steps": 10})),
              ("training", json.dumps({"params": 464_000, "tokens": 2_048_000,
                                       "seconds": 41.5, "steps": 500}))],
    "chat-format": [("user", "Is it raining?"), ("use", "gpt4"), ("tick", None),
                    ("assistant", "Yes, hard."), ("system", "")],
    "assistant": [("question", "What is your name?"), ("temperature", "0.5"), ("seed", "4")],
    "teach": [("use", "capitals"), ("seed", "9")],  # what it learns is the run's, not state
    "prefer": [("beta", "1.2"), ("seed", "2")],
}


def rendered(demo):
    return json.loads(json.dumps(demo.render(), allow_nan=False))


def figure(demo):
    """What a figure shows, less its announcement of the last action (the aria-live
    "summary"), which belongs to that action, not to the state."""
    shown = rendered(demo)
    shown.get("text", {}).pop("summary", None)
    return shown


def test_every_demo_is_a_declared_demo_with_moves_to_test():
    assert set(MOVES) == set(DEMOS)
    for name, cls in DEMOS.items():
        assert issubclass(cls, Demo) and cls.STATE, name
        assert all(callable(f) for f in cls.actions.values()), name
        assert set(cls.controls) <= set(cls.STATE) | set(cls.controls), name


@pytest.mark.parametrize("name", sorted(DEMOS))
def test_a_fresh_demos_params_are_its_checked_starting_state(name):
    demo = DEMOS[name]()
    assert demo.params() == DEMOS[name].restore({}, [])
    assert demo.notes == []
    assert set(demo.params()) == set(DEMOS[name].STATE)


@pytest.mark.parametrize("name", sorted(DEMOS))
def test_params_round_trip_renders_identically(name):
    demo = DEMOS[name]()
    for move, value in MOVES[name]:
        demo.handle(move, value)
    saved = json.loads(json.dumps(demo.params(), allow_nan=False))  # plain JSON
    again = DEMOS[name](**saved)
    again.hear_again(demo.heard)  # what other figures told it is not state: the page tells it again
    assert again.notes == []
    assert again.params() == saved
    assert figure(again) == figure(demo)


@pytest.mark.parametrize("name", sorted(DEMOS))
def test_render_changes_nothing(name):
    demo = DEMOS[name]()
    for move, value in MOVES[name]:
        demo.handle(move, value)
    first, state = rendered(demo), demo.params()
    assert rendered(demo) == first and demo.params() == state


@pytest.mark.parametrize("name", sorted(DEMOS))
@pytest.mark.parametrize("bad", [
    {"no_such_setting": 1},
    "every key: a wrong type",
    "every key: a string of a million characters",
    "every key: out of range",
])
def test_bad_saved_state_falls_back_with_a_note(name, bad):
    cls = DEMOS[name]
    if bad == "every key: a wrong type":
        bad = {k: {"a": [1, 2]} for k in cls.STATE}
    elif bad == "every key: a string of a million characters":
        bad = {k: "x" * 1_000_000 for k in cls.STATE}
    elif bad == "every key: out of range":
        bad = {k: 1e300 for k in cls.STATE}
    demo = cls(**bad)
    assert demo.notes, bad
    assert all(isinstance(n, str) and len(n) < 300 for n in demo.notes)
    rendered(demo)  # a working figure, no NaN


@pytest.mark.parametrize("params,words", [
    ({"lr": 0}, "learning rate"),
    ({"n": 100_000}, "number of points"),
    ({"rain": 3}, "rain"),
    ({"w": "nan"}, "first weight"),
])
def test_the_learning_loop_refuses_what_it_used_to_crash_on(params, words):
    reply = json.loads(page.create("L", "learning", json.dumps(params)))
    assert any(words in note for note in reply["notes"])
    assert "nan" not in reply["text"]["w-shown"].lower()


@pytest.mark.parametrize("junk", ["not json", "[1, 2]", "null", "{" * 5000, "1" * 200_000])
def test_unreadable_saved_state_starts_the_figure_as_usual_with_a_note(junk):
    reply = json.loads(page.create("W", "weights", junk))
    assert reply["notes"] and "could not be read" in reply["notes"][0]
    assert reply["state"] == DEMOS["weights"]().params()


def test_the_link_holds_only_what_differs_from_the_figures_start():
    base = json.dumps({"w1": 2.0, "b": 0.2})
    reply = json.loads(page.create("W", "weights", base, base))
    assert reply["link"] == {}
    reply = json.loads(page.event("W", "w2", "1.5"))
    assert reply["link"] == {"w2": 1.5}
    assert json.loads(page.state("W"))["w2"] == 1.5


def test_long_text_is_left_out_of_the_link_with_a_note():
    reply = json.loads(page.create("T", "tokenizer", json.dumps({"text": "long " * 200})))
    assert "text" not in reply["link"]
    assert any("too long for a link" in n for n in reply["notes"])
    assert reply["state"]["text"] == "long " * 200  # the page keeps it to re-create the figure


class Names(HTMLParser):
    """data-action and data-input names in a demo's template (data-action from render's
    attrs counts too)."""

    def __init__(self):
        super().__init__()
        self.actions, self.inputs = set(), set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("data-action") and "{" not in a["data-action"]:
            self.actions.add(a["data-action"])
        if a.get("data-input"):
            self.inputs.add(a["data-input"])


@pytest.mark.parametrize("name", sorted(DEMOS))
def test_every_action_and_input_in_the_template_is_one_the_demo_declares(name):
    names = Names()
    names.feed((ROOT / "templates" / "demos" / f"{name}.html").read_text())
    demo = DEMOS[name]()
    shown = demo.render()
    for attrs in shown.get("attrs", {}).values():
        if attrs.get("data-action"):
            names.actions.add(attrs["data-action"])
    for items in shown.get("items", {}).values():
        names.actions |= {i["attrs"]["data-action"] for i in items if "data-action" in i["attrs"]}
    macro_inputs = set(re.findall(r'(?:slider|choice)\(d, "([\w-]+)"\)',
                                  (ROOT / "templates" / "demos" / f"{name}.html").read_text()))
    assert names.actions <= set(demo.actions), names.actions - set(demo.actions)
    assert names.inputs | macro_inputs <= set(demo.controls), \
        (names.inputs | macro_inputs) - set(demo.controls)
