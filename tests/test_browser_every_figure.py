"""Every figure in every worker, driven once like a reader on the site as built: with the
trimmed stdlib (tooling/stdlib.py) each still runs, chapter 5 writes tokens and chapter 6
trains, and no worker tried to import a module the site does not ship."""

import re

import pytest
from conftest import wait_ready
from playwright.sync_api import expect

from llmexplain.demos import DEMOS
from tooling import DEFAULT_CACHE, stdlib
from tooling.drive import drive_every_figure, imported_modules

pytestmark = pytest.mark.browser


def test_every_figure_runs_on_the_trimmed_stdlib(watched, base_url):
    page = watched.page
    page.goto(base_url + "how-llms-work.html")
    wait_ready(page)
    done = drive_every_figure(page, timeout_ms=180_000)
    figures = page.eval_on_selector_all("[data-demo]", "els => els.map((e) => e.dataset.demo)")
    assert len(done) == len(figures) and sum(map(len, done.values())) > 50
    assert not page.locator("[data-demo][data-state=error]").count()
    assert not page.locator("[data-demo-error]:visible").count()

    # The last buttons pressed may have been Reset and Clear: once more, a few steps of
    # chapter 6's training and a few tokens of chapter 5's writing.
    for figure, button, slot, pattern in (
            ("train-lm", "btn-play", "steps", r"^([1-9][\d,]*)$"),
            ("next-token", "btn-generate", "predictions", r"took ([1-9][\d,]*) prediction")):
        fig = page.locator(f"[data-demo={figure}]")
        fig.locator(f"[data-slot={button}]").click()
        expect(fig.locator(f"[data-slot={slot}]")).to_have_text(re.compile(pattern), timeout=60_000)
        fig.locator(f"[data-slot={button}]").click()

    held = imported_modules(page)
    assert set(held) == {cls.worker for cls in DEMOS.values()}
    dropped = stdlib.everything(DEFAULT_CACHE) - stdlib.modules()
    for name, worker in held.items():
        assert not set(worker["missed"]) & dropped, (name, sorted(set(worker["missed"]) & dropped))
        assert "numpy" in worker["modules"] and "llmexplain.page" in worker["modules"]
