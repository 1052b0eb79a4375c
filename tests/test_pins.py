"""Every pinned download is in tooling/pins.py, and the prose tables list exactly those pins."""

import re

from tooling import ROOT
from tooling.pins import PINS


def table_rows(text, heading):
    """The rows of the first Markdown table after `heading`, as lists of cells."""
    section = text.split(heading, 1)[1]
    rows = re.findall(r"^\|(.+)\|$", section.split("\n## ", 1)[0], re.MULTILINE)
    return [[c.strip() for c in row.split("|")] for row in rows[2:]]  # after header and rule


def test_the_readme_lists_every_pin_with_its_sha256_and_nothing_stale():
    rows = table_rows((ROOT / "README.md").read_text(), "## Where third-party files come from")
    listed = set()
    for what, source, digest, licence in rows:
        spec = re.match(r"(npm|PyPI) `([^`]+)`", source)
        first = re.search(r"`([0-9a-f]{8})…([0-9a-f]{5})`", digest)
        assert spec and first, what
        listed.add((spec.group(1).lower(), spec.group(2), first.group(1), first.group(2)))
    assert listed == {(p.registry, p.spec, p.sha256[:8], p.sha256[-5:]) for p in PINS}


def test_the_credits_list_every_pin_but_the_test_tools_with_its_sha256():
    rows = re.findall(r"<tr>(.*?)</tr>", (ROOT / "templates" / "credits.html").read_text())
    listed, named = set(), set()
    for row in rows[1:]:  # after the header
        specs = re.findall(r"(npm|PyPI) <code>([^<]+)</code>", row)
        named |= {s for _, s in specs}
        if digest := re.search(r"sha256 <code>([0-9a-f]{8})…</code>", row):
            listed.add((specs[0][0].lower(), specs[0][1], digest.group(1)))
    assert listed == {(p.registry, p.spec, p.sha256[:8]) for p in PINS if p.use != "tests"}
    assert named <= {p.spec for p in PINS}  # nothing stale, even in a row without a checksum


def test_no_other_python_file_pins_a_download():
    """A sha256 written anywhere else would be a second table that can drift."""
    hashes = {p.sha256 for p in PINS}
    for folder in ("tooling", "tools", "tests", "bench", "docs", "src"):
        for path in (ROOT / folder).rglob("*.py"):
            if path != ROOT / "tooling" / "pins.py":
                assert not hashes & set(re.findall(r"[0-9a-f]{64}", path.read_text())), path
    assert not hashes & set(re.findall(r"[0-9a-f]{64}", (ROOT / "build.py").read_text()))
