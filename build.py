#!/usr/bin/env python3
"""Build the llmexplain site into site/, or build it and serve it locally.

    python build.py              build site/ (downloads are cached; a rebuild needs no network)
    python build.py serve        build, then serve site/ on http://127.0.0.1:8000
    python build.py --retrain    first retrain the tokenizer and our word vectors (data/)

The work is done by the tooling package (tooling/__init__.py lists its modules); this file
is only the command line, whose mistakes are one line on stderr and a non-zero exit.
"""

import signal
import sys

# A Ctrl-C while Python is still importing (numpy, say) would end in a traceback: note it
# until main() can answer it in a line.
_interrupted = []
signal.signal(signal.SIGINT, lambda *_: _interrupted.append(True))

import argparse
import os
from pathlib import Path

import jinja2  # noqa: F401  (imported now, under the handler above, rather than mid-build)

import llmexplain.demos  # noqa: F401
from tooling import DEFAULT_CACHE, DEFAULT_SITE
from tooling.fetch import BuildError
from tooling.retrain import RETRAIN, retrain
from tooling.serve import serve
from tooling.site import build, usable_folder


class Parser(argparse.ArgumentParser):
    def error(self, message):
        """One line, not the usage block: the mistake, and where to read more."""
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def port_number(text):
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port (0 to 65535; 0 picks a free one)")
    return port


def main(argv=None):
    parser = Parser(
        prog="build.py",
        description="Build the llmexplain site into site/, or build it and serve it locally.")
    parser.add_argument("command", nargs="?", choices=["build", "serve"], default="build",
                        help="build (default): build site/; serve: build, then serve it")
    parser.add_argument("--site", type=Path, default=DEFAULT_SITE,
                        help="output folder (default: site/); only the files an earlier build "
                             "made there are replaced: it keeps .git and the names its "
                             ".llmexplain-keep lists, and refuses anything else")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                        help="download cache, outside site/ (default: %(default)s; "
                             "or set LLMEXPLAIN_CACHE)")
    parser.add_argument("--port", type=port_number, default=8000,
                        help="port for serve (default: 8000; 0 picks a free one)")
    parser.add_argument("--no-build", action="store_true", help="serve: serve site/ as it is")
    parser.add_argument("--retrain", action="store_true",
                        help="first retrain what our code learns from the corpus (" +
                             ", ".join(f"python -m {m}" for m in RETRAIN) + "), logging "
                             "progress; the results land in data/, for git to show what changed")
    args = parser.parse_args(argv)
    site, cache = Path(os.path.abspath(args.site)), Path(os.path.abspath(args.cache))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        if _interrupted:
            raise KeyboardInterrupt
        if args.retrain:
            usable_folder(cache, "--cache")
            retrain(cache)
        if not (args.command == "serve" and args.no_build):
            build(site, cache)
        if args.command == "serve":
            serve(site, args.port)
    except BuildError as e:
        print(f"build.py: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("build.py: interrupted; the previous site, if any, is as it was", file=sys.stderr)
        return 130
    except OSError as e:  # a full disk, a folder that vanished: the system's own words
        print(f"build.py: error: {e.filename or ''}: {e.strerror or e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
