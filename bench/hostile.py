"""The scoreboard of issue #24: every hostile attempt the tests make, and how many the project
survived, by group.

    .venv/bin/python -m bench.hostile                   every tests/test_hostile_<group>.py
    .venv/bin/python -m bench.hostile -m "not browser"  extra arguments go to pytest
    .venv/bin/python -m bench.hostile --report R.xml    count a run already made (a whole
                                                        test run's --junit-xml=R.xml)

Each parametrized case in tests/test_hostile_<group>.py is one attempt; it survived if it
passed. The counts come from pytest's own junit-xml report, so a case that errors in its
setup, or a file that cannot be collected, counts as an attempt that did not survive; a
skipped case is not an attempt, and is shown apart. The table goes to stdout, pytest's output
to stderr. Exit status 1 if any attempt did not survive (or there were none).
"""

import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "test_hostile_"


def group_of(case):
    """The group of a junit <testcase>: "build" for tests.test_hostile_build (a collection
    error names the module in `name`, with an empty `classname`)."""
    for part in (case.get("classname") or case.get("name", "")).split("."):
        if part.startswith(PREFIX):
            return part.removeprefix(PREFIX)
    return "?"


def score(report):
    """group -> Counter(attempts, survived, skipped) from a junit-xml file; a case of any
    other test file is no attempt."""
    table = {}
    for case in ET.parse(report).iter("testcase"):
        if (group := group_of(case)) == "?":
            continue
        counts = table.setdefault(group, Counter())
        if case.find("skipped") is not None:
            counts["skipped"] += 1
            continue
        counts["attempts"] += 1
        counts["survived"] += case.find("failure") is None and case.find("error") is None
    return table


def main(argv):
    if argv[:1] == ["--report"] and len(argv) == 2:
        return print_table(score(argv[1]))
    files = sorted((ROOT / "tests").glob(f"{PREFIX}*.py"))
    if not files:
        print(f"no tests/{PREFIX}*.py", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "hostile.xml"
        subprocess.run([sys.executable, "-m", "pytest", "-q", "--continue-on-collection-errors",
                        f"--junit-xml={report}", *map(str, files), *argv],
                       cwd=ROOT, stdout=sys.stderr, check=False)
        return print_table(score(report) if report.exists() else {})


def print_table(table):
    """Print the scoreboard of score()'s table; 0 if every attempt survived, else 1."""
    total = sum(table.values(), Counter())
    rows = [(group, table[group]) for group in sorted(table)] + [("total", total)]
    print(f"{'group':<12}{'attempts':>10}{'survived':>10}{'skipped':>9}")
    for group, counts in rows:
        print(f"{group:<12}{counts['attempts']:>10}{counts['survived']:>10}{counts['skipped']:>9}")
    return 0 if total["attempts"] and total["survived"] == total["attempts"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
