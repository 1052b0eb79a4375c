""""Show the math" as built: under every figure whose demo declares `shows`, the source of
exactly those functions, character for character what inspect.getsource gives for the
function the page runs, highlighted with classes only."""

import inspect
from html.parser import HTMLParser

from llmexplain import live_math
from llmexplain.demos import DEMOS
from tooling.highlight import highlighted

PAGES = ("how-llms-work.html",)


class Shown(HTMLParser):
    """Each figure's shown functions: [(demo, {function name: text of its listing})]."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.figures, self.fn, self.depth, self.inside = [], None, 0, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        assert "style" not in attrs, (tag, attrs)
        if "data-demo" in attrs:
            self.figures.append((attrs["data-demo"], {}))
        if "data-math-fn" in attrs:
            self.fn = attrs["data-math-fn"]
            self.figures[-1][1][self.fn] = ""
        if "data-math-source" in attrs:
            self.inside, self.depth = True, 0
        elif self.inside:
            self.depth += 1

    def handle_endtag(self, tag):
        if self.inside:
            self.inside = self.depth > 0
            self.depth -= 1

    def handle_data(self, data):
        if self.inside:
            self.figures[-1][1][self.fn] += data


def shown(site):
    found = []
    for page in PAGES:
        parser = Shown()
        parser.feed((site / page).read_text())
        found += parser.figures
    return found


def test_every_shown_source_is_the_source_of_the_function_the_page_runs(site):
    figures = shown(site)
    assert any(listings for _, listings in figures)
    on_pages = {demo for demo, _ in figures}
    for name, demo in DEMOS.items():
        if demo.shows:
            assert name in on_pages, f"{name} shows functions but is on no page"
    for demo, listings in figures:
        fns = DEMOS[demo].shows
        assert list(listings) == [live_math.name_of(fn) for fn in fns], demo
        for fn in fns:
            name = live_math.name_of(fn)
            assert live_math.function(name) is fn  # the name the page runs it under
            assert listings[name] == inspect.getsource(fn), (demo, name)


def test_figures_that_show_nothing_have_no_math_box(site):
    for demo, listings in shown(site):
        assert bool(listings) == bool(DEMOS[demo].shows), demo


def test_the_listing_is_the_source_with_one_numbered_span_per_line():
    source = 'def f(x):\n    """Two\n    lines."""\n    return x < 1  # "&"\n'
    html = highlighted(source)
    parser = Shown()
    parser.figures = [("d", {"f": ""})]
    parser.fn = "f"
    parser.feed(f"<code data-math-source>{html}</code>")
    assert parser.figures[0][1]["f"] == source
    assert html.count('<span class="line">') == source.count("\n")
    assert '<span class="k">def</span>' in html and "&lt;" in html and "style" not in html
