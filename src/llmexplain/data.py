"""Where the demos' data files are (vocabularies, merges, word vectors).

A demo names the files it reads in its `data` attribute. In the browser the worker
fetches them and writes them into one folder before the demo starts; under CPython
the build gathers them into a cache folder. Either way LLMEXPLAIN_DATA names it.

A file a demo reads only on the reader's request (GPT-4's vocabulary) is not in `data`: in
the browser, path() raises NotFetched for it, page.py answers {"fetch": [name]}, and the
worker fetches the file and repeats the call. So a handler reads such a file before it
changes anything.
"""

import os
from pathlib import Path

ENV = "LLMEXPLAIN_DATA"


class NotFetched(FileNotFoundError):
    """A data file that is not in the folder (yet): the page fetches it and asks again."""

    def __init__(self, name, folder):
        super().__init__(f"data file {name!r} is not in {folder}")
        self.name = name


def path(name):
    """The path of data file `name`; a clear error if the folder or the file is missing."""
    folder = os.environ.get(ENV)
    if not folder:
        raise FileNotFoundError(f"{ENV} is not set, so data file {name!r} cannot be found "
                                "(the build and tests/conftest.py set it)")
    found = Path(folder) / name
    if not found.is_file():
        raise NotFetched(name, folder)
    return found
