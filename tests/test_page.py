"""The browser boundary, called exactly as the worker calls it."""

import json

import pytest

from llmexplain import neuron as nn
from llmexplain import page
from llmexplain.demos.base import Demo


def test_weights_demo_round_trip():
    first = json.loads(page.create("w", "weights", json.dumps({"w1": 1.5})))
    assert first["values"]["w1"] == 1.5
    after = json.loads(page.event("w", "x2", "0.9"))
    expected = nn.neuron([0.7, 0.9], [1.5, -3.0], 0.2)
    assert float(after["text"]["output"].replace("−", "-")) == pytest.approx(expected, abs=0.005)
    assert after["text"]["arithmetic"] == "1.5 × 0.70 + (−3.0) × 0.90 + 0.2 = −1.45"


@pytest.mark.parametrize("bad", ["abc", "nan", "inf", "", "1e400", "😀", "\x00"])
def test_bad_input_gets_a_message_and_keeps_state(bad):
    page.create("w", "weights", "{}")
    before = page.event("w", "w1", "1.0")
    reply = json.loads(page.event("w", "w1", bad))
    assert "weight w₁" in reply["error"] and set(reply) == {"error"}
    assert page.event("w", "b", "0.2") == before  # nothing was lost


def test_out_of_range_is_clamped_not_refused():
    page.create("w", "weights", "{}")
    assert json.loads(page.event("w", "w2", "99"))["values"]["w2"] == 5.0


def test_unknown_control_and_unknown_demo():
    page.create("w", "weights", "{}")
    assert "no control" in json.loads(page.event("w", "w9", "1"))["error"]
    assert json.loads(page.create("x", "no-such-demo", "{}")) == {
        "refused": "there is no demo named “no-such-demo”"}


def test_a_click_arrives_as_fractions_and_demos_name_their_data():
    class Spy(Demo):
        data = ("some.file",)

        def setup(self, state):
            self.seen = []

        def params(self):
            return {}

        def handle(self, name, value):
            self.seen.append((name, value))

        def render(self):
            return {"text": {}}

    page.DEMOS["spy"] = Spy
    try:
        page.create("s", "spy", "{}")
        page.pointer("s", "add", 0.25, 1)
        assert page._live["s"].seen == [("add", [0.25, 1.0])]
        assert json.loads(page.needs("spy")) == ["some.file"]
        assert json.loads(page.needs("weights")) == []
    finally:
        del page.DEMOS["spy"]
