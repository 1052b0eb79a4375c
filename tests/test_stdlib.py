"""The stdlib the site ships is trimmed to what the pages import (tooling/stdlib.py): nothing
llmexplain imports is dropped, and the zip holds exactly what the list keeps.
tests/test_browser_every_figure.py drives every figure on the trimmed site."""

import ast
import zipfile

import pytest

from tooling import DEFAULT_CACHE, SRC, stdlib


@pytest.fixture(scope="module")
def everything():
    return stdlib.everything(DEFAULT_CACHE)


def imports_of(path, known):
    """The modules a Python file imports anywhere in it (functions included), as dotted
    names, with each package above them: `from email import utils` -> email, email.utils."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names
                                     if f"{node.module}.{a.name}" in known]
        else:
            continue
        for name in names:
            parts = name.split(".")
            found |= {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
    return found & known


def test_no_stdlib_module_llmexplain_imports_is_dropped(everything):
    for path in sorted((SRC / "llmexplain").rglob("*.py")):
        dropped = imports_of(path, everything) - stdlib.modules()
        assert not dropped, (f"{path.relative_to(SRC)} imports {sorted(dropped)}, which the site "
                             "does not ship: run python -m tools.stdlib_imports, or add it to "
                             "tooling/stdlib.py's EXTRA with its reason")


def test_the_check_finds_a_dropped_import(tmp_path, everything):
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from xml.dom import minidom\n    import json\n")
    assert imports_of(probe, everything) - stdlib.modules() >= {"xml", "xml.dom", "xml.dom.minidom"}


def test_every_module_kept_has_a_reason(everything):
    measured = stdlib.modules() - set(stdlib.EXTRA)
    assert measured, "tooling/stdlib-imports.txt is empty"
    assert measured <= everything, sorted(measured - everything)  # no stale names
    assert set(stdlib.EXTRA) <= everything


def test_the_shipped_zip_holds_what_is_kept_stored(site, everything):
    (shipped,) = site.glob("py/*/python_stdlib.zip")
    with zipfile.ZipFile(shipped) as z:
        entries = z.infolist()
    modules = {stdlib.module_of(e.filename) for e in entries if e.filename.endswith(".pyc")}
    whole = {m for m in everything if m.split(".")[0] in stdlib.WHOLE}
    assert modules == (stdlib.modules() & everything) | whole
    assert {"numpy"} & modules == set()  # numpy is its own wheel
    assert {e.compress_type for e in entries} == {zipfile.ZIP_STORED}
    assert len(modules) < len(everything) / 2
