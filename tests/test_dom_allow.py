"""static/dom-allow.json names what Python may build in the page: every drawing our demos make,
in every state their moves reach, is within it as the page reads it (tooling/render.py,
checked_svg; static/demo.js, svgFrom), and a drawing with anything else stops the build,
naming it."""

import json

import pytest
from test_demo_state import MOVES

from llmexplain import live_math, page
from llmexplain.demos import DEMOS
from tooling.fetch import BuildError
from tooling.render import checked_svg


def replies(name):
    """What the figure `name` draws from its start and after each of its moves, with the
    package's functions and with each of its experiments."""
    for experiment in (None, *DEMOS[name].experiments):
        page.create("allow-test", name, "{}")
        edits = {live_math.name_of(experiment.fn): experiment.code()} if experiment else {}
        yield json.loads(page.redefine("allow-test", json.dumps(edits)))
        for move, value in MOVES[name]:
            yield json.loads(page.pointer("allow-test", move, *value) if isinstance(value, list)
                             else page.event("allow-test", move, value))
        page.redefine("allow-test", "{}")
        page.destroy("allow-test")


@pytest.mark.parametrize("name", sorted(DEMOS))
def test_every_drawing_a_demo_makes_is_allowed(name):
    for reply in replies(name):
        for slot, markup in reply.get("svg", {}).items():
            checked_svg(name, slot, markup)


@pytest.mark.parametrize(("markup", "named"), [
    ('<svg xmlns="http://www.w3.org/2000/svg"><marker/></svg>', "'marker'"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><rect onclick="x"/></svg>', "['onclick']"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><image href="https://example.com/a.png"/></svg>',
     "['href']"),
    ("<svg><rect class='single quotes'/></svg>", "cannot read"),
    ("<svg><!-- a comment --></svg>", "cannot read"),
])
def test_a_drawing_with_anything_else_stops_the_build_naming_it(markup, named):
    with pytest.raises(BuildError, match="demo weights, svg slot plane") as e:
        checked_svg("weights", "plane", markup)
    assert named in str(e.value)
