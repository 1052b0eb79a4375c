"""The build never loses a file, never ships a damaged one, and says what went wrong in a line."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import copy_cache, flip_a_byte, snapshot

from tooling import ROOT, pins, render
from tooling.corpus import corpus
from tooling.fetch import BuildError, fetch
from tooling.runtime import runtime_folder, source_key
from tooling.serve import Handler, make_server
from tooling.site import BUILDING, MANIFEST, build, swap_in, write_manifest

BUILD = [sys.executable, str(ROOT / "build.py")]


def one_line_error(args, **kw):
    """Run build.py; insist it failed with exactly one line on stderr, and return that line."""
    done = subprocess.run(BUILD + args, capture_output=True, text=True, check=False, **kw)
    assert done.returncode != 0, done
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


@pytest.fixture
def cache(site, tmp_path):
    """A cache of our own (after the session's build has filled the real one)."""
    return copy_cache(tmp_path / "cache")


@pytest.fixture
def built(cache, tmp_path):
    """A site built with that cache, and its snapshot."""
    site = build(tmp_path / "site", cache)
    return site, snapshot(site)


# ---------------------------------------------------------------- never delete what is not ours

def test_a_folder_of_someone_elses_files_is_refused_and_kept(tmp_path, cache):
    theirs = tmp_path / "www"
    (theirs / "photos").mkdir(parents=True)
    (theirs / "notes.txt").write_text("mine")
    (theirs / "photos" / "cat.jpg").write_bytes(b"\xff\xd8 a cat")
    before = snapshot(theirs)
    line = one_line_error(["--site", str(theirs), "--cache", str(cache)])
    assert "build.py: error: --site" in line and "did not make" in line
    assert snapshot(theirs) == before


@pytest.mark.parametrize("target", [".", "~"])
def test_the_checkout_and_home_are_refused(target, cache):
    line = one_line_error(["--site", str(Path(target).expanduser().resolve()),
                           "--cache", str(cache)], cwd=ROOT)
    assert "--site" in line
    assert (ROOT / ".git").exists() and (ROOT / "build.py").is_file()  # a worktree's .git is a file


def test_a_site_of_ours_is_replaced_and_an_empty_folder_is_used(tmp_path, cache):
    empty = tmp_path / "empty"
    empty.mkdir()
    site = build(empty, cache)
    assert (site / MANIFEST).is_file() and (site / "index.html").is_file()
    (site / "index.html").unlink()  # ours, gone: made again
    build(site, cache)
    assert (site / "index.html").is_file()
    mask = os.umask(0)
    os.umask(mask)
    assert oct(site.stat().st_mode & 0o777) == oct(0o777 & ~mask)


def test_a_failed_build_leaves_the_previous_site_byte_identical(built, cache, monkeypatch):
    site, before = built
    templates = site.parent / "templates"
    shutil.copytree(render.TEMPLATES, templates)
    weights = templates / "essays" / "how-llms-work" / "1-weights.html"
    weights.write_text(weights.read_text() + "\n{{ no_such_thing.at_all }}\n")
    monkeypatch.setattr(render, "TEMPLATES", templates)
    with pytest.raises(BuildError, match=r"1-weights\.html"):
        build(site, cache)
    assert snapshot(site) == before
    assert not list(site.parent.glob(".site.building-*"))  # nothing half-built is left behind


def test_an_unknown_demo_parameter_names_the_template_and_line(tmp_path, cache, monkeypatch):
    templates = tmp_path / "templates"
    shutil.copytree(render.TEMPLATES, templates)
    essay = templates / "essays" / "how-llms-work" / "1-weights.html"
    lines = essay.read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if 'demo("weights"' in line)
    lines[at] = lines[at].replace('demo("weights",', 'demo("weights", rain_weight=3,')
    essay.write_text("\n".join(lines) + "\n")
    monkeypatch.setattr(render, "TEMPLATES", templates)
    with pytest.raises(BuildError) as e:
        build(tmp_path / "site", cache)
    assert f"1-weights.html:{at + 1}:" in str(e.value) and "rain_weight" in str(e.value)
    assert "\n" not in str(e.value)


@pytest.mark.parametrize("delay", [0.05, 0.2, 0.35, 0.5, 0.8])
def test_ctrl_c_at_any_moment_leaves_a_whole_site(built, cache, delay):
    """Interrupted anywhere, the target holds either the old site or a complete new one
    (the build is deterministic, so both are byte-identical), and no half-built folder."""
    site, before = built
    proc = subprocess.Popen(BUILD + ["--site", str(site), "--cache", str(cache)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    # 0: done before the signal; 130: the build stopped; -SIGINT: Python had not started it.
    assert proc.returncode in (0, 130, -signal.SIGINT), err
    assert snapshot(site) == before
    assert not list(site.parent.glob(".site.building-*"))


def test_ctrl_c_during_the_swap_leaves_the_new_site_and_nothing_beside_it(tmp_path, monkeypatch):
    new, site = tmp_path / ".site.building-new", tmp_path / "site"
    for folder in (new, site):
        folder.mkdir()
        (folder / "index.html").write_text(folder.name)
        write_manifest(folder)
    rename = Path.rename

    def interrupted(self, target):  # Ctrl-C arrives between the two renames
        os.kill(os.getpid(), signal.SIGINT)
        return rename(self, target)

    monkeypatch.setattr(Path, "rename", interrupted)
    with pytest.raises(KeyboardInterrupt):
        swap_in(new, site)
    assert (site / "index.html").read_text() == new.name
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_two_builds_at_once_both_finish_and_the_site_is_whole(built, cache):
    site, before = built
    procs = [subprocess.Popen(BUILD + ["--site", str(site), "--cache", str(cache)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    assert snapshot(site) == before


def test_a_killed_builds_leftovers_are_cleared(built, cache):
    site, before = built
    leftover = site.parent / f".{site.name}.building-dead"
    leftover.mkdir()
    (leftover / BUILDING).touch()
    (leftover / "index.html").write_text("half")
    build(site, cache)
    assert not leftover.exists() and snapshot(site) == before


# ---------------------------------------------------------------- a verified cache

@pytest.mark.parametrize("name", ["pyodide.asm.wasm", "python_stdlib.zip",
                                  "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl"])
def test_a_damaged_runtime_file_in_the_cache_is_made_again(built, cache, name, capsys):
    site, before = built
    flip_a_byte(runtime_folder(cache) / name)
    build(site, cache)
    assert f"{name} does not match" in capsys.readouterr().out
    assert snapshot(site) == before  # what ships is the good file, under the same hash


def test_a_damaged_wheel_in_the_cache_is_made_again(built, cache, capsys):
    site, before = built
    (wheel,) = (cache / "wheels" / source_key()).glob("*.whl")
    flip_a_byte(wheel)
    build(site, cache)
    assert "does not match" in capsys.readouterr().out
    assert snapshot(site) == before


@pytest.mark.parametrize("name", ["cl100k_base.tiktoken", "bpe-4k.tiktoken"])
def test_a_damaged_data_file_in_the_cache_is_made_again(built, cache, name):
    site, before = built
    flip_a_byte(cache / "data" / name)
    build(site, cache)
    assert snapshot(site) == before


def test_a_damaged_corpus_is_made_again(cache):
    first = corpus(cache, simple=True)
    good = first.train.read_bytes()
    flip_a_byte(first.train)
    assert corpus(cache, simple=True).train.read_bytes() == good


def test_a_damaged_download_is_refused_naming_the_file(cache, tmp_path):
    (name,) = [p.name for p in (cache / "downloads").iterdir() if p.name.startswith("pyodide")]
    copy = cache / "downloads" / name
    data = copy.read_bytes()
    copy.unlink()
    copy.write_bytes(data)
    flip_a_byte(copy)
    with pytest.raises(BuildError, match=rf"{name}: sha256 is"):
        fetch(pins.PYODIDE, cache)


# ---------------------------------------------------------------- one line for each mistake

@pytest.mark.parametrize("args,words", [
    (["--port", "99999", "serve"], "not a port"),
    (["--port", "eighty", "serve"], "not a whole number"),
    (["--no-such-option"], "unrecognized arguments"),
    (["frobnicate"], "invalid choice"),
])
def test_cli_mistakes_are_one_line(args, words):
    assert words in one_line_error(args)


def test_unusable_folders_are_one_line(tmp_path):
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    assert "--cache" in one_line_error(["--cache", str(a_file)])
    assert "--site" in one_line_error(["--site", str(a_file / "site")])
    assert "--site" in one_line_error(["--site", str(a_file)])
    assert "no built site" in one_line_error(["serve", "--no-build", "--site",
                                               str(tmp_path / "nothing-here")])


def test_an_offline_first_build_says_the_registry_cannot_be_reached(tmp_path):
    with socket.socket() as s:  # a port nothing listens on: the registry is unreachable
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    env = {**os.environ, "npm_config_registry": dead + "/", "PIP_CONFIG_FILE": os.devnull,
           "PIP_INDEX_URL": dead + "/simple", "PIP_FIND_LINKS": "", "PIP_EXTRA_INDEX_URL": ""}
    started = time.monotonic()
    line = one_line_error(["--cache", str(tmp_path / "empty-cache"), "--site",
                           str(tmp_path / "site")], env=env, timeout=60)
    assert "registry cannot be reached" in line
    assert time.monotonic() - started < 30
    assert not (tmp_path / "site").exists()


# ---------------------------------------------------------------- a dev server that behaves

@pytest.fixture
def server(built):
    site, _ = built
    (site / "outside").symlink_to("/etc")
    srv = make_server(site, port=0)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv.server_address[1]
    srv.shutdown()
    srv.server_close()


def raw_request(port, data, timeout=5):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        got = b""
        while chunk := s.recv(65536):
            got += chunk
    head = got.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    return head[0], dict(line.split(": ", 1) for line in head[1:] if ": " in line)


@pytest.mark.parametrize("request_line,status", [
    (b"GARBAGE", 400),
    (b"GET /" + b"a" * 70_000 + b" HTTP/1.1", 414),
    (b"GET /index%00.html HTTP/1.1", 400),
    (b"GET /index.html HTTP/3.0", 505),
    (b"GET /py/ HTTP/1.1", 404),  # no listing of a folder
    (b"GET /outside/passwd HTTP/1.1", 404),  # a symlink out of the site is not followed
    (b"GET /assets/no-such.0123456789ab.js HTTP/1.1", 404),
])
def test_the_server_answers_every_request_with_a_status(server, request_line, status, capfd):
    line, headers = raw_request(server, request_line + b"\r\nHost: x\r\n\r\n")
    assert line.split()[1] == str(status), line
    assert "immutable" not in headers.get("Cache-Control", "")  # an error is never kept
    assert "Traceback" not in capfd.readouterr().err


def test_the_server_sends_frame_ancestors_and_caches_only_hashed_files(server, built):
    site, _ = built
    _, headers = raw_request(server, b"GET /how-llms-work.html HTTP/1.1\r\nHost: x\r\n\r\n")
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["Cache-Control"] == "no-cache"
    (css,) = site.glob("assets/style.*.css")
    path = css.relative_to(site).as_posix().encode()
    _, headers = raw_request(server, b"GET /" + path + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert "immutable" in headers["Cache-Control"]
    assert "frame-ancestors 'none'" in (site / "_headers").read_text()


def test_an_idle_connection_is_closed(server, monkeypatch):
    monkeypatch.setattr(Handler, "timeout", 0.5)
    with socket.create_connection(("127.0.0.1", server), timeout=10) as s:
        started = time.monotonic()
        assert s.recv(100) == b""  # closed by the server, having sent nothing
        assert time.monotonic() - started < 5
