"""Screenshots of the essay as readers see it: light and dark, phone and desktop.

    .venv/bin/python -m docs.screenshots [--out DIR]

Builds the site (cached), serves it on a free port, waits until every figure is
live, and writes one PNG per mode. docs/screenshot.png in the README is the
desktop, light one, cropped to the first figure.
"""

import argparse
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

from tooling import ROOT
from tooling.browser import NoChromium, launch, served
from tooling.site import build

MODES = {"desktop-light": (1280, "light"), "desktop-dark": (1280, "dark"),
         "phone-light": (375, "light"), "phone-dark": (375, "dark")}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "test-artifacts" / "screenshots")
    parser.add_argument("--page", default="how-llms-work.html")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with served(build()) as base_url, sync_playwright() as p:
        try:
            browser = launch(p)
        except NoChromium as e:
            sys.exit(f"docs/screenshots.py: error: {e}")
        for name, (width, scheme) in MODES.items():
            page = browser.new_page(viewport={"width": width, "height": 900},
                                    color_scheme=scheme, device_scale_factor=1)
            page.goto(base_url + args.page)
            page.wait_for_selector("html[data-state=ready]", state="attached", timeout=120_000)
            page.screenshot(path=args.out / f"{name}.png", full_page=True)
            if name == "desktop-light":
                first = page.locator("[data-demo]").first
                first.scroll_into_view_if_needed()
                first.screenshot(path=ROOT / "docs" / "screenshot.png")
            page.close()
            print(args.out / f"{name}.png")
        browser.close()


if __name__ == "__main__":
    main()
