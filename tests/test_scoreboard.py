"""bench/hostile.py counts what pytest's junit-xml report says, by group."""

from bench.hostile import main, score

REPORT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest">
<testcase classname="tests.test_hostile_build" name="test_a[one]" time="0.1" />
<testcase classname="tests.test_hostile_build" name="test_a[two]" time="0.1">
  <failure message="assert False">...</failure></testcase>
<testcase classname="tests.test_hostile_build" name="test_b" time="0.1">
  <error message="error at setup">...</error></testcase>
<testcase classname="tests.test_hostile_markup" name="test_c[x]" time="0.1" />
<testcase classname="tests.test_hostile_markup" name="test_c[y]" time="0.0">
  <skipped message="no chromium" /></testcase>
<testcase classname="tests.test_bpe" name="test_not_an_attempt" time="0.1" />
<testcase classname="" name="tests.test_hostile_storage" time="0.0">
  <error message="collection failure">...</error></testcase>
</testsuite></testsuites>
"""


def test_attempts_and_survivors_per_group(tmp_path):
    report = tmp_path / "report.xml"
    report.write_text(REPORT)
    assert {group: dict(counts) for group, counts in score(report).items()} == {
        "build": {"attempts": 3, "survived": 1},
        "markup": {"attempts": 1, "survived": 1, "skipped": 1},
        "storage": {"attempts": 1, "survived": 0},
    }


def test_a_whole_runs_report_is_counted_without_its_other_tests(tmp_path, capsys):
    report = tmp_path / "report.xml"
    report.write_text(REPORT)
    assert main(["--report", str(report)]) == 1  # not every attempt survived
    rows = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert rows == [["group", "attempts", "survived", "skipped"], ["build", "3", "1", "0"],
                    ["markup", "1", "1", "1"], ["storage", "1", "0", "0"],
                    ["total", "5", "2", "1"]]
