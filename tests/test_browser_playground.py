"""Chapter 4's playground in headless Chromium, driven the way a reader drives it."""

import itertools
import json
import time

import pytest
from conftest import open_demo
from playwright.sync_api import expect

from llmexplain.demos.playground import Playground, last_stage
from llmexplain.demos.playground_example import numbers

pytestmark = pytest.mark.browser

DEMO = "[data-demo=playground]"


def shown(demo, slot):
    return demo.locator(f"[data-slot={slot}]").text_content()


def wait_text(page, slot, pattern):
    page.wait_for_selector(f"{DEMO} [data-slot={slot}]:text-matches('{pattern}')")


def links_for(hidden):
    return sum(a * b for a, b in itertools.pairwise([2, *hidden, 1]))


def test_play_trains_lowers_the_loss_and_redraws_the_boundary_until_paused(watched, base_url):
    page, demo = open_demo(watched, base_url, DEMO)
    boundary = demo.locator("[data-slot=boundary]").get_attribute("src")
    start_loss = float(shown(demo, "train-loss"))
    assert shown(demo, "epoch") == "0"
    play = demo.locator("[data-slot=btn-play]")
    play.click()
    wait_text(page, "btn-play", "^Pause$")
    wait_text(page, "epoch", "^([3-9][0-9]|[1-9][0-9]{2,})$")  # 30 epochs or more
    play.click()
    wait_text(page, "btn-play", "^Play$")
    paused_at = shown(demo, "epoch")
    time.sleep(0.5)
    assert shown(demo, "epoch") == paused_at
    assert shown(demo, "status") == f"Paused at epoch {paused_at}."
    assert float(shown(demo, "train-loss")) < start_loss
    assert demo.locator("[data-slot=boundary]").get_attribute("src") != boundary
    assert demo.locator("[data-slot=summary]").get_attribute("aria-live") == "polite"


def test_changing_the_layers_rebuilds_the_diagram(watched, base_url):
    _, demo = open_demo(watched, base_url, DEMO)
    hidden = json.loads(demo.get_attribute("data-params"))["hidden"]
    nodes = demo.locator("[data-slot=network] .node")
    lines = demo.locator("[data-slot=network] .links line")
    expect(nodes).to_have_count(2 + sum(hidden) + 1)
    expect(lines).to_have_count(links_for(hidden))

    demo.locator("[data-action=add-layer]").click()  # the new layer copies the last one's size
    hidden = [*hidden, hidden[-1]]
    expect(nodes).to_have_count(2 + sum(hidden) + 1)
    expect(lines).to_have_count(links_for(hidden))
    demo.locator(f"[data-action=add-neuron][data-value='{len(hidden) - 1}']").click()
    hidden[-1] += 1
    expect(nodes).to_have_count(2 + sum(hidden) + 1)
    expect(demo.locator("[data-slot=n-params]")).to_have_text(
        f"{sum((a + 1) * b for a, b in itertools.pairwise([2, *hidden, 1])):,}")
    while demo.locator("[data-action=remove-neuron]").count():  # one per hidden layer
        demo.locator("[data-action=remove-layer]").click()
        hidden.pop()
        expect(nodes).to_have_count(2 + sum(hidden) + 1)
    expect(lines).to_have_count(2)
    assert demo.locator("[data-action=remove-layer]").get_attribute("aria-disabled") == "true"


def test_the_slow_steps_show_the_cores_numbers_for_that_example(watched, base_url):
    page, demo = open_demo(watched, base_url, DEMO)
    twin = Playground(**json.loads(demo.get_attribute("data-params")))  # the core, in CPython
    example = demo.locator("[data-input=example]")
    example.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    wait_text(page, "example-shown", "^3$")
    twin.handle("example", "3")
    assert shown(demo, "example-where") == twin.render()["text"]["example-where"]

    assert shown(demo, "example-title") == twin.render()["text"]["example-title"]  # stage 0
    demo.locator("[data-action=next]").focus()
    for stage in range(1, last_stage(len(twin.net.W)) + 1):  # one press, one stage
        page.keyboard.press("Enter")
        twin.handle("next", None)
        expected = twin.render()
        wait_text(page, "example-stage", f"^{stage} of ")
        beside = numbers(twin.example_step)  # (layer, neuron) -> lines of numbers
        assert beside and demo.locator("[data-slot=network] text").count() == len(beside)
        for (layer, i), lines in beside.items():
            node = demo.locator(f"[data-slot=network] text[data-node='{layer}-{i}'] tspan")
            assert node.all_text_contents() == lines, (stage, layer, i)
        assert shown(demo, "example-title") == expected["text"]["example-title"]
        assert demo.locator("[data-slot=weights] li").all_text_contents() == \
            [it["text"] for it in expected["items"]["weights"]]
    assert shown(demo, "example-title").startswith("The update is applied")
    assert shown(demo, "train-loss") == expected["text"]["train-loss"]


def test_clicking_the_plane_adds_a_point_of_the_picked_class(watched, base_url):
    _, demo = open_demo(watched, base_url, DEMO)
    dots = demo.locator("[data-slot=points] circle.pt")
    n = dots.count()
    assert n == 500  # the circle's points
    demo.locator("[data-action=next-class][data-value='0']").click()
    expect(demo.locator("[data-slot=next-class-0]")).to_have_attribute("aria-pressed", "true")
    area = demo.locator("[data-pointer=place]")
    box = area.bounding_box()
    area.click(position={"x": box["width"] * 0.75, "y": box["height"] * 0.25})
    expect(dots).to_have_count(n + 1)  # one more, among the ones there were
    expect(demo.locator("[data-input=dataset]")).to_have_value("circle")
    assert "Added a point of class 0 (orange) at (" in shown(demo, "summary")
    area.click(position={"x": box["width"] * 0.25, "y": box["height"] * 0.75})
    expect(dots).to_have_count(n + 2)


def test_a_learning_rate_that_overshoots_stops_with_an_explanation(watched, base_url):
    page, demo = open_demo(watched, base_url, DEMO)
    demo.locator("[data-input=lr]").select_option("10")
    wait_text(page, "summary", "^Learning rate now 10")
    demo.locator("[data-slot=btn-play]").click()
    page.wait_for_selector(f"{DEMO} [data-slot=status].is-diverged", timeout=30_000)
    wait_text(page, "btn-play", "^Play$")
    status = shown(demo, "status")
    assert status.startswith(f"Stopped at epoch {shown(demo, 'epoch')}: the learning rate is too")
    assert "worse than a network that only guesses" in status and "press Reset" in status
    epoch = shown(demo, "epoch")
    time.sleep(0.5)
    assert shown(demo, "epoch") == epoch  # it stopped
