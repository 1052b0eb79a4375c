"""Live math (issue 12) under CPython, through the page's own entry function: the reader's
version of a shown function runs in its place, a bad one changes nothing and says why (with
the line of their code), and Reset puts the package's functions back exactly."""

import json

import pytest

from llmexplain import live_math, neuron, page
from llmexplain.demos import DEMOS

SIGMOID = live_math.source(neuron.sigmoid)


@pytest.fixture
def weights():
    """A live weights figure; afterwards the package's own functions, whatever the test did."""
    page.create("w", "weights", "{}")
    yield "w"
    page.redefine("w", "{}")
    page.destroy("w")


def redefine(demo_id, **edits):
    return json.loads(page.redefine(demo_id, json.dumps({k.replace("__", "."): v
                                                         for k, v in edits.items()})))


def edit(old, new, text=SIGMOID):
    assert text.count(old) == 1
    return text.replace(old, new)


def test_an_edit_runs_in_place_of_the_package_function(weights):
    before = json.loads(page.event(weights, "b", "0.2"))
    reply = redefine(weights, neuron__sigmoid=edit("return np.where", "return 1 - np.where"))
    assert reply["edit"] == {"ok": True, "edited": ["neuron.sigmoid"]}
    assert float(reply["text"]["output"]) == pytest.approx(1 - float(before["text"]["output"]),
                                                           abs=0.011)
    # and it keeps running when the reader moves a slider
    moved = json.loads(page.event(weights, "w2", "0"))
    assert float(moved["text"]["output"]) < 0.5 < float(before["text"]["output"])


def test_a_syntax_error_names_the_line_and_changes_nothing(weights):
    before = json.loads(page.event(weights, "b", "0.2"))
    code = edit("    ez = np.exp(-np.abs(z))\n", "    ez = np.exp(-np.abs(z)\n")
    reply = redefine(weights, neuron__sigmoid=code)
    error = reply["edit"]["error"]
    assert reply["edit"]["ok"] is False and "SyntaxError" in error["message"]
    # Python reports an unclosed bracket at the bracket's own line
    assert code.splitlines()[error["line"] - 1].strip().startswith("ez = np.exp(")
    assert "bracket" in error["hint"]
    assert neuron.sigmoid is live_math.original("neuron.sigmoid")
    assert json.loads(page.event(weights, "b", "0.2"))["text"] == before["text"]


@pytest.mark.parametrize("line,kind,word", [
    ("    return zz\n", "NameError", "spelling"),
    ("    return z + 'a'\n", "TypeError", "wrong kind"),
    ("    return np.ones(3) + np.ones(2)\n", "ValueError", "shapes must match"),
    ("    return 1 / 0\n", "ZeroDivisionError", "zero"),
    ("    return [1][2]\n", "IndexError", "index"),
    ("    return sigmoid(z)\n", "RecursionError", "itself"),
])
def test_an_exception_names_the_line_in_the_readers_code(weights, line, kind, word):
    code = edit("    return np.where(z >= 0, 1.0 / (1.0 + ez), ez / (1.0 + ez))\n", line)
    error = redefine(weights, neuron__sigmoid=code)["edit"]["error"]
    assert kind in error["message"].split(":")[0]  # numpy's UFuncTypeError is a TypeError
    assert error["line"] == code.splitlines().index(line.rstrip("\n")) + 1
    assert word in error["hint"]
    assert neuron.sigmoid is live_math.original("neuron.sigmoid")


@pytest.mark.parametrize("body,words", [
    ("    return z * np.nan\n", "NaN or infinity"),
    ("    return np.array([z, z])\n", "shape (2,)"),
    ("    return 'yes'\n", "returned str"),
    ("    return None\n", "returned NoneType"),
])
def test_a_wrong_answer_is_caught_before_it_reaches_the_figure(weights, body, words):
    code = f"def sigmoid(z):\n{body}"
    reply = redefine(weights, neuron__sigmoid=code)
    assert reply["edit"]["ok"] is False
    assert words in reply["edit"]["error"]["message"]
    assert neuron.sigmoid is live_math.original("neuron.sigmoid")


def test_too_slow_is_caught(weights, monkeypatch):
    monkeypatch.setattr(live_math, "SLOW_SECONDS", 0.01)
    code = "import time\n\ndef sigmoid(z):\n    time.sleep(0.02)\n    return z\n"
    assert "too slow" in redefine(weights, neuron__sigmoid=code)["edit"]["error"]["message"]


def test_code_must_define_the_function(weights):
    error = redefine(weights, neuron__sigmoid="def squash(z):\n    return z\n")["edit"]["error"]
    assert "named sigmoid" in error["message"]
    # even while an earlier version of theirs is in
    assert redefine(weights, neuron__sigmoid="def sigmoid(z):\n    return z\n")["edit"]["ok"]
    error = redefine(weights, neuron__sigmoid="x = 1\n")["edit"]["error"]
    assert "named sigmoid" in error["message"]


def test_a_later_failure_takes_the_readers_code_out(weights):
    code = "def sigmoid(z):\n    if z < 0:\n        raise ValueError('no negatives')\n    return z\n"
    assert redefine(weights, neuron__sigmoid=code)["edit"]["ok"]
    reply = json.loads(page.event(weights, "w1", "-5"))  # the sum turns negative
    assert reply["edit"]["reverted"] and reply["edit"]["error"]["line"] == 3
    assert neuron.sigmoid is live_math.original("neuron.sigmoid")
    # the package's sigmoid draws it again: z = −5 × 0.7 − 3 × 0.4 + 0.2
    assert float(reply["text"]["output"]) == pytest.approx(float(neuron.sigmoid(-4.5)), abs=0.005)


def test_reset_restores_the_original_exactly(weights):
    original = {name: vars(neuron)[name] for name in ("sigmoid", "weighted_sum")}
    first = json.loads(page.event(weights, "x2", "0.9"))
    redefine(weights, neuron__sigmoid="def sigmoid(z):\n    return z * 0.0\n",
             neuron__weighted_sum="def weighted_sum(x, w, b):\n    return x @ w\n")
    reply = redefine(weights)
    assert reply["edit"] == {"ok": True, "edited": []}
    assert {name: vars(neuron)[name] for name in original} == original
    for key in ("text", "svg"):
        assert reply[key] == first[key]


def test_only_shown_functions_may_be_redefined(weights):
    refused = redefine(weights, neuron__relu="def relu(z):\n    return z\n")["refused"]
    assert refused == ("this figure shows only neuron.weighted_sum, neuron.sigmoid, not "
                       "neuron.relu")


def shown(reply):
    return {k: reply[k] for k in ("text", "svg", "items", "images") if k in reply}


def stepped(demo_id, steps=5):
    """What the figure shows after `steps` presses of its Step button."""
    for _ in range(steps):
        reply = json.loads(page.event(demo_id, "step", None))
    return shown(reply)


@pytest.mark.parametrize("name", sorted(n for n, d in DEMOS.items() if d.experiments))
def test_every_experiment_compiles_and_changes_the_figure(name):
    """At once, or, for an edit of how a figure learns, after a few steps of learning."""
    demo = DEMOS[name]
    before = shown(json.loads(page.create("x", name, "{}")))
    try:
        for exp in demo.experiments:
            assert exp.fn in demo.shows, f"{exp.label}: edits a function the figure does not show"
            reply = redefine("x", **{live_math.name_of(exp.fn).replace(".", "__"): exp.code()})
            assert reply["edit"]["ok"], reply["edit"]
            if shown(reply) == before and "step" in demo.actions:
                after = stepped("x")
                redefine("x")  # the package's own again, the figure started afresh
                assert after != stepped("x"), exp.label
            else:
                assert shown(reply) != before, exp.label
            redefine("x")
    finally:
        page.redefine("x", "{}")
        page.destroy("x")


@pytest.mark.parametrize("code", [
    "raise KeyboardInterrupt\n",  # at the top of their code, as it is defined
    "def sigmoid(z):\n    raise KeyboardInterrupt\n",  # while it is probed
])
def test_a_stop_from_the_page_leaves_the_last_good_version(weights, code):
    """The page stops a run that takes too long with Pyodide's interrupt, which raises
    KeyboardInterrupt wherever Python is: the reader hears why, and nothing changes."""
    error = redefine(weights, neuron__sigmoid=code)["edit"]["error"]
    assert error["message"] == "It was stopped before it finished."
    assert "loop" in error["hint"]
    assert neuron.sigmoid is live_math.original("neuron.sigmoid")
