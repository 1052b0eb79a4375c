"""Screenshots of the essay as readers see it: light and dark, phone and desktop.

    .venv/bin/python docs/screenshots.py [--out DIR]

Builds the site (cached), serves it on a free port, waits until every figure is
live, and writes one PNG per mode. docs/screenshot.png in the README is the
desktop, light one, cropped to the first figure.
"""

import argparse
import sys
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import build

MODES = {"desktop-light": (1280, "light"), "desktop-dark": (1280, "dark"),
         "phone-light": (375, "light"), "phone-dark": (375, "dark")}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "test-artifacts" / "screenshots")
    parser.add_argument("--page", default="how-llms-work.html")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    site = build.build()
    server = build.make_server(site, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/{args.page}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-gpu"])
        for name, (width, scheme) in MODES.items():
            page = browser.new_page(viewport={"width": width, "height": 900},
                                    color_scheme=scheme, device_scale_factor=1)
            page.goto(url)
            page.wait_for_selector("html[data-state=ready]", state="attached", timeout=120_000)
            page.screenshot(path=args.out / f"{name}.png", full_page=True)
            if name == "desktop-light":
                first = page.locator("[data-demo]").first
                first.scroll_into_view_if_needed()
                first.screenshot(path=ROOT / "docs" / "screenshot.png")
            page.close()
            print(args.out / f"{name}.png")
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
