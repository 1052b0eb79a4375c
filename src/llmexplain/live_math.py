"""Live math: the source of the functions a figure runs, shown beside it, and the reader's own
version of one run in its place (issue 12).

A demo declares what it shows and what the reader might try:

    shows = (neuron.weighted_sum, neuron.sigmoid)
    experiments = (Experiment("ReLU in place of sigmoid", neuron.sigmoid,
                              "ez = np.exp(-np.abs(z))\\n ...", "return np.maximum(z, 0.0)",
                              "The line stays put, but ..."),)

The code that runs a figure looks each shown function up by name when it calls it
(`neuron.sigmoid(z)`, never a table or default argument holding the function), so a function
put in the module's place is the one that runs. Where a figure has a fast path beside the
readable function it shows, it asks `edited(fn)` and takes the readable path while the reader's
version is in.
"""

import importlib
import inspect
import textwrap
from dataclasses import dataclass


def name_of(fn):
    """'neuron.sigmoid': the function's module within the package, and its name."""
    return f"{fn.__module__.removeprefix('llmexplain.')}.{fn.__name__}"


def function(name):
    """The function now installed under `name` ('neuron.sigmoid')."""
    module, _, attr = name.rpartition(".")
    return getattr(importlib.import_module(f"llmexplain.{module}"), attr)


def source(fn):
    """The function's source as the package holds it, dedented: what the figure shows."""
    return textwrap.dedent(inspect.getsource(fn))


_ORIGINAL = {}  # name -> the package's own function, kept the first time it is replaced


def original(name):
    """The package's own function under `name`, whatever is installed now."""
    return _ORIGINAL.get(name) or function(name)


def edited(fn):
    """Whether the function installed in `fn`'s place is no longer the package's own: a
    figure with a fast path takes the readable one, which calls the reader's version."""
    name = name_of(fn)
    return function(name) is not original(name)


@dataclass(frozen=True)
class Experiment:
    """One click's edit: in `fn`'s source, `old` (found exactly once) becomes `new`."""

    label: str  # the button's words: "ReLU in place of sigmoid"
    fn: object  # the function it edits, one the demo shows
    old: str
    new: str
    notice: str  # one sentence: what to look for in the figure

    def code(self):
        text = source(self.fn)
        if text.count(self.old) != 1:
            raise ValueError(f"{self.label}: {self.old!r} is not once in {name_of(self.fn)}")
        return text.replace(self.old, self.new)
