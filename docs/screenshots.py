"""Screenshots of every figure as readers see it: light and dark, phone and desktop.

    .venv/bin/python -m docs.screenshots [--out DIR]

Builds the site (cached), serves it on a free port, brings each figure into view, waits
until it is live (a figure with a worker of its own starts only then) and writes one PNG per
figure and mode, `<mode>-<figure>.png`, into docs/figures/. docs/screenshot.png in the
README is the first figure, desktop and light.
"""

import argparse
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

from tooling import ROOT
from tooling.browser import NoChromium, launch, served
from tooling.site import build

MODES = {"desktop-light": (1280, "light"), "desktop-dark": (1280, "dark"),
         "phone-light": (360, "light"), "phone-dark": (360, "dark")}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "figures")
    parser.add_argument("--page", default="how-llms-work.html")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with served(build()) as base_url, sync_playwright() as p:
        try:
            browser = launch(p)
        except NoChromium as e:
            sys.exit(f"docs/screenshots.py: error: {e}")
        for mode, (width, scheme) in MODES.items():
            page = browser.new_page(viewport={"width": width, "height": 800 if width < 600 else 900},
                                    color_scheme=scheme, device_scale_factor=1)
            page.goto(base_url + args.page)
            page.wait_for_selector("html[data-state=ready]", state="attached", timeout=120_000)
            for figure in page.locator("figure[data-demo]").all():
                figure.scroll_into_view_if_needed()
                figure.and_(page.locator("[data-state=live]")).wait_for(timeout=120_000)
                name = f"{mode}-{figure.get_attribute('data-demo')}.png"
                figure.screenshot(path=args.out / name, animations="disabled")
                if mode == "desktop-light" and figure.get_attribute("data-demo") == "weights":
                    figure.screenshot(path=ROOT / "docs" / "screenshot.png", animations="disabled")
                print(args.out / name)
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
