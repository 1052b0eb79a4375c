"""Where the demos' data files are (vocabularies, merges, word vectors).

A demo names the files it reads in its `data` attribute. In the browser the worker
fetches them and writes them into one folder before the demo starts; under CPython
the build gathers them into a cache folder. Either way LLMEXPLAIN_DATA names it.
"""

import os
from pathlib import Path

ENV = "LLMEXPLAIN_DATA"


def path(name):
    """The path of data file `name`; a clear error if the folder or the file is missing."""
    folder = os.environ.get(ENV)
    if not folder:
        raise FileNotFoundError(f"{ENV} is not set, so data file {name!r} cannot be found "
                                "(the build and tests/conftest.py set it)")
    found = Path(folder) / name
    if not found.is_file():
        raise FileNotFoundError(f"data file {name!r} is not in {folder}")
    return found
