"""Brotli, made once at build time: name.br beside every file a host should compress.

Brotli at its best (quality 11) is too slow for a server to run per request, and it is what
shrinks the runtime most (the wasm: 10.1 MB, 3.16 MB gzipped, 2.27 MB as brotli). The stdlib
zip and the numpy wheel are shipped stored (uncompressed: tooling/runtime.py) so that brotli
sees all of their content at once and does better than their per-file deflate did. `serve`
sends the .br to a browser that accepts it (Content-Encoding: br) and gzips the rest on the
fly; the README's deployment notes say what a static host must do.

A .br is only a smaller spelling of its file: the browser decodes it and then checks the
file's integrity, so a bad .br is refused like a bad file. Each is made from the file's bytes,
cached by their sha256, and decoded and compared with them every time it is used.
"""

import hashlib

import brotli

from tooling.fetch import write_if_changed

# What a host must compress (by suffix): text, wasm, and the stored zips. Images and fonts
# are compressed already; there are none to speak of.
COMPRESS = frozenset({".wasm", ".js", ".mjs", ".json", ".html", ".css", ".svg", ".txt",
                      ".tiktoken", ".zip", ".whl", ".npz"})
MIN_BYTES = 1024  # smaller files gain less than the headers a .br costs


def brotli_of(data, cache):
    """Brotli of `data` (quality 11), from the cache when a checked copy is there."""
    key = hashlib.sha256(data).hexdigest()
    entry = cache / "brotli" / f"{key}.br"
    try:
        packed = entry.read_bytes()
        if brotli.decompress(packed) == data:
            return packed
    except (OSError, brotli.error):
        pass
    packed = brotli.compress(data, quality=11)
    entry.parent.mkdir(parents=True, exist_ok=True)
    write_if_changed(entry, packed)
    return packed


def precompress(files, cache):
    """Write path.br beside each of `files` that a host should compress and that brotli makes
    smaller. Returns {path: the bytes a browser that accepts brotli downloads for it}."""
    sent = {}
    for path in files:
        data = path.read_bytes()
        sent[path] = len(data)
        if path.suffix in COMPRESS and len(data) >= MIN_BYTES:
            packed = brotli_of(data, cache)
            if len(packed) < len(data):
                path.with_name(path.name + ".br").write_bytes(packed)
                sent[path] = len(packed)
    return sent
