"""Measure which stdlib modules the pages import, and write tooling/stdlib-imports.txt.

    .venv/bin/python -m tools.stdlib_imports

Builds the site with Pyodide's whole stdlib into a temporary folder, opens the essay in
headless Chromium, drives every figure in every worker like a reader (tooling/drive.py) and
writes every stdlib module any worker then holds. The build ships those (tooling/stdlib.py);
run this again when a figure, numpy or Pyodide changes what is imported.
"""

import sys
import tempfile
import zipfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from tooling import stdlib
from tooling.browser import launch, served
from tooling.drive import drive_every_figure, imported_modules
from tooling.site import build

HEADER = """\
# The stdlib modules the pages imported: every one any Python worker held after every figure
# was driven, on a site built with Pyodide's whole stdlib. Made by `python -m tools.stdlib_imports`;
# tooling/stdlib.py ships these, the packages that hold them, and its EXTRA.
"""


def measure():
    with tempfile.TemporaryDirectory(prefix="llmexplain-stdlib-") as tmp:
        stdlib.FULL = True
        site = build(site=Path(tmp) / "site")
        (zip_path,) = site.glob("py/*/python_stdlib.zip")
        with zipfile.ZipFile(zip_path) as z:
            shipped = {stdlib.module_of(n) for n in z.namelist() if n.endswith(".pyc")}
        with served(site) as base_url, sync_playwright() as pw:
            browser = launch(pw)
            page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            page.goto(base_url + "how-llms-work.html")
            page.wait_for_selector("html[data-state=ready]", state="attached", timeout=120_000)
            drive_every_figure(page)
            held = imported_modules(page)
            browser.close()
    print(f"workers: {', '.join(sorted(held))}", file=sys.stderr)
    return sorted(set().union(*(set(w["modules"]) for w in held.values())) & shipped)


def main():
    modules = measure()
    stdlib.IMPORTS.write_text(HEADER + "\n".join(modules) + "\n")
    print(f"{len(modules)} modules written to {stdlib.IMPORTS.name}")


if __name__ == "__main__":
    main()
