"""The code editor under "Show the math": CodeMirror 6 from npm, bundled by esbuild.

Both come from editor/package.json, pinned exactly with their integrity in the committed
editor/package-lock.json; `npm ci` installs exactly that (from the registry only), and
esbuild bundles editor/entry.js into one ES module. The bundle is made again only when one of
those three files changed, and it is sealed in the cache (checked on every use), like the
runtime. The page imports it only when a reader opens "Show the math".
"""

import tempfile
from pathlib import Path

from tooling import ROOT, log
from tooling.fetch import (
    REGISTRY_TIMEOUT_SECONDS,
    discard,
    replace_folder,
    run,
    seal,
    sealed,
    short_hash,
    verified_bytes,
)

EDITOR = ROOT / "editor"
INPUTS = ("package.json", "package-lock.json", "entry.js")
BUNDLE = "editor.js"  # its name among the page's assets: static/demo.js imports "./editor.js"


def bundle(cache):
    """The bundled editor module's bytes, made once per version of INPUTS."""
    key = short_hash(b"".join((EDITOR / name).read_bytes() for name in INPUTS))
    out = cache / f"editor-{key}"
    hashes = sealed(out)
    if hashes is None:
        log("bundling the code editor (npm ci, esbuild)")
        tmp = Path(tempfile.mkdtemp(dir=cache))
        try:
            for name in INPUTS:
                (tmp / name).write_bytes((EDITOR / name).read_bytes())
            # --ignore-scripts: esbuild's binary comes as an optional dependency; nothing
            # else needs to run at install time.
            run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error",
                 f"--fetch-timeout={REGISTRY_TIMEOUT_SECONDS * 1000}", "--fetch-retries=1"],
                what="npm ci (the code editor)", cwd=tmp)
            made = tmp / "made"
            made.mkdir()
            run([str(tmp / "node_modules" / ".bin" / "esbuild"), "entry.js", "--bundle",
                 "--format=esm", "--minify", "--legal-comments=eof", "--target=chrome120",
                 f"--outfile={made / BUNDLE}"], what="esbuild (the code editor)", cwd=tmp)
            hashes = seal(made)
            replace_folder(made, out)
        finally:
            discard(tmp)
    return verified_bytes(out / BUNDLE, hashes[BUNDLE])
