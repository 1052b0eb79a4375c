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

import functools
import importlib
import inspect
import re
import textwrap
import time
from dataclasses import dataclass

import numpy as np


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


# ---------------------------------------------------------------- the reader's version

CODE_FILE = "<your code>"  # the file name the reader's code is compiled under: its frames
SLOW_SECONDS = 0.25  # the reader's version may take this long over one render's calls
PROBE_CALLS = 8  # calls of a render kept to probe the reader's version with, per function


class EditError(Exception):
    """Why the reader's version was not put in: a sentence, the line of their code it points
    at (None if none), and a plain-language hint."""

    def __init__(self, name, message, line=None, hint=""):
        super().__init__(message)
        self.name, self.message, self.line, self.hint = name, message, line, hint

    def as_dict(self):
        return {"function": self.name, "message": self.message, "line": self.line,
                "hint": self.hint}


HINTS = {  # what an error usually means, for a reader who does not program in Python
    SyntaxError: "Python could not read this line: look for a missing bracket, colon or quote, "
                 "or a line indented differently from its neighbours.",
    NameError: "A name is used that Python does not know here: check its spelling, or that it "
               "is defined (np is numpy; the module's other functions are there too).",
    AttributeError: "Something has no part by that name: check the spelling after the dot "
                    "(np.exp, np.maximum, …).",
    TypeError: "A value of the wrong kind, or the wrong number of arguments: a function "
               "called with too few or too many, or a number mixed with something that is not one.",
    ValueError: "A value numpy cannot use here: most often arrays whose sizes do not fit "
                "together (their shapes must match, or one must be a single number).",
    ZeroDivisionError: "A division by zero: numpy arrays give infinity instead, plain Python "
                       "numbers stop with this error.",
    IndexError: "An index past the end of a list or array: counting starts at 0.",
    KeyError: "A key that is not in the dictionary.",
    RecursionError: "The function calls itself without end: it needs a case that stops.",
    OverflowError: "A number grew too large to hold.",
    KeyboardInterrupt: "If it would never have finished, look for a loop that never ends.",
}
MEMORY = ("It asked for more memory than a figure may have: look for a list or an array that "
          "grows without end, or one far larger than the figure needs.")
# numpy's words for an array too large to exist at all (a ValueError, not a MemoryError)
TOO_BIG = re.compile(r"array is too big|maximum allowed dimension|too large", re.IGNORECASE)


def hint(error):
    if isinstance(error, MemoryError) or (isinstance(error, ValueError) and
                                          TOO_BIG.search(str(error))):
        return MEMORY
    return next((text for kind, text in HINTS.items() if isinstance(error, kind)),
                "Python stopped with this error inside your code.")


def reader_line(error):
    """The line of the reader's code an error arose at (the innermost frame in it), or None."""
    if isinstance(error, SyntaxError) and error.filename == CODE_FILE:
        return error.lineno
    lines = [line for frame, line in _frames(error.__traceback__)
             if frame.f_code.co_filename == CODE_FILE]
    return lines[-1] if lines else None


def _frames(tb):
    while tb is not None:
        yield tb.tb_frame, tb.tb_lineno
        tb = tb.tb_next


def explained(name, error):
    """An EditError for an exception the reader's code raised (or caused)."""
    kind = type(error).__name__
    # The page stops it (it took too long, or the reader pressed Stop): not an error of theirs.
    text = "It was stopped before it finished." if isinstance(error, KeyboardInterrupt) else \
        f"{kind}: {error}"
    if isinstance(error, SyntaxError):
        text = f"{kind}: {error.msg}"
    return EditError(name, text, reader_line(error), hint(error))


def compiled(name, code):
    """The function `code` defines under `name`'s own name, compiled as the reader's file in a
    fresh copy of its module's globals (so the module's helpers and imports are there, and a
    name the reader defines beside it touches nothing else)."""
    module, _, attr = name.rpartition(".")
    namespace = dict(vars(importlib.import_module(f"llmexplain.{module}")))
    there = namespace.get(attr)
    try:
        exec(compile(code, CODE_FILE, "exec"), namespace)  # noqa: S102 (running it is the point)
    except BaseException as e:  # noqa: BLE001 (any error there is theirs to fix: SystemExit too)
        raise explained(name, e) from None
    fn = namespace.get(attr)
    if fn is there or not inspect.isfunction(fn):
        raise EditError(name, f"The code must define a function named {attr}.", None,
                        f"Keep the line “def {attr}(…):” and change what is below it.")
    return fn


def install(name, fn):
    """Put `fn` in the place of the function `name` (the package's own when fn is None)."""
    module, _, attr = name.rpartition(".")
    _ORIGINAL.setdefault(name, function(name))
    setattr(importlib.import_module(f"llmexplain.{module}"), attr, fn or _ORIGINAL[name])


def recorded(names, run):
    """The calls made to the functions `names` while `run()` runs: {name: [(args, kwargs)]},
    at most a few each (enough to probe a new version with)."""
    calls = {name: [] for name in names}
    installed = {name: function(name) for name in names}

    def recorder(name):
        # Named as the function it stands in for: a figure asking edited() while recorded
        # takes its readable path, the one that calls what is recorded.
        @functools.wraps(installed[name])
        def call(*args, **kwargs):
            if len(calls[name]) < PROBE_CALLS:
                calls[name].append((args, kwargs))
            return installed[name](*args, **kwargs)
        return call

    try:
        for name in names:
            install(name, recorder(name))
        run()
    finally:
        for name in names:
            install(name, installed[name])
    return calls


def probe(name, fn, calls):
    """Call the reader's `fn` with the arguments the figure gave the package's own function,
    and check each answer has the form the figure needs: the same kind of value, the same
    shape, finite numbers, in time. Raises EditError."""
    expected = original(name)
    spent = 0.0
    for args, kwargs in calls:
        want = expected(*args, **kwargs)
        started = time.perf_counter()
        try:
            got = fn(*args, **kwargs)
        except BaseException as e:  # noqa: BLE001 (the reader's code: any)
            raise explained(name, e) from None
        spent += time.perf_counter() - started
        problem = misfit(want, got)
        if problem:
            raise EditError(name, f"{problem} (called as {_call_text(name, args)}).", None,
                            "The figure needs an answer of the same form as the original's.")
        if spent > SLOW_SECONDS:
            raise EditError(name, f"It took {spent:.2f} s for one drawing of the figure, too "
                            "slow to follow a slider.", None,
                            "Look for a loop that runs many more times than needed.")


def misfit(want, got):
    """What is wrong with `got` in the place of `want`, in words; None if nothing."""
    if _numeric(want):
        if not _numeric(got):
            return f"It returned {type(got).__name__}, where a number or numpy array is needed"
        if np.shape(got) != np.shape(want):
            return (f"It returned an array of shape {np.shape(got)}, where shape "
                    f"{np.shape(want)} is needed")
        if not np.all(np.isfinite(np.asarray(got, dtype=float))):
            return "It returned NaN or infinity, which the figure cannot draw"
        return None
    if type(got) is not type(want):
        return f"It returned {type(got).__name__}, where {type(want).__name__} is needed"
    return None


def _numeric(value):
    return isinstance(value, (int, float, np.number, np.ndarray)) and not isinstance(value, bool) \
        and np.asarray(value).dtype.kind in "biuf"


def _call_text(name, args):
    shown = ", ".join(np.array2string(np.asarray(a), precision=2, threshold=6)
                      if _numeric(a) else type(a).__name__ for a in args)
    return f"{name.rpartition('.')[2]}({shown})"


def put_in(names, edits, render):
    """Run the reader's versions `edits` ({name: code}) in place of the functions `names`;
    those not in `edits` go back to the package's own. Each is compiled, then called with the
    arguments a render of the figure (`render()`, with the package's functions) gave the
    original and checked (probe); then `render()` must run with all of them in. All or
    nothing: on an EditError the functions installed before stay."""
    before = {name: function(name) for name in names}
    try:
        made = {name: compiled(name, edits[name]) for name in names if name in edits}
        for name in names:
            install(name, None)
        calls = recorded(list(made), render)
        for name, fn in made.items():
            probe(name, fn, calls[name])
        for name, fn in made.items():
            install(name, fn)
        try:
            render()
        except BaseException as e:  # noqa: BLE001 (whatever their code caused)
            raise explained(culprit(e, made), e) from None
    except BaseException:
        for name, fn in before.items():
            install(name, fn)
        raise


def culprit(error, made):
    """Which of the reader's functions `made` an error arose in (the last in the traceback)."""
    codes = {fn.__code__: name for name, fn in made.items()}
    names = [codes[frame.f_code] for frame, _ in _frames(error.__traceback__) if frame.f_code in codes]
    return names[-1] if names else next(iter(made), "")


def reset(names):
    """The package's own functions back in place of `names`."""
    for name in names:
        install(name, None)
