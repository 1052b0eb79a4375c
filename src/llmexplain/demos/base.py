"""What every demo is: declared state, an explicit table of actions, and render().

A demo class declares
- `STATE`: every value the reader can see or set, each a control from controls.py with its
  bounds and default (tensorflow/playground's state table, one per figure);
- `controls`: the inputs the page sends by name (`data-input`), parsed as a slider or a
  choice parses; changing one calls `set(name, value)`;
- `actions`: name -> function(demo, value) for buttons, clicks and ticks, written out so
  every handler has a call site a reader can find; and `once`: those that do the same however
  often they are pressed (Play, Reset), which a storm of presses runs once, where every press
  of any other counts (Sample adds a token each time);
- `data`: the data files it reads;
- `worker`: which of the page's Python workers runs it ("main", shared by light figures; a
  heavy one names its own, so it cannot delay the others);
- `publishes`: the topics it owns. A render may hold `"publish": {topic: value}` for those;
  the page takes no other topic from it (the build writes them into the figure's markup, out
  of reach of the Python it runs, so a reader's code in one figure cannot speak for another);
- `listens`: topics it hears. The page hands each new value of a topic to every figure that
  listens to it, whatever its worker, as `handle(topic, JSON text)` (an action of the
  listener's), and its latest value again to a listener that starts later. What a figure
  heard is not its state (a link cannot bring it: a link is anyone's): `heard` keeps the
  last accepted value of each topic, and a figure made again hears it again;
- `shows`: the functions whose source the figure shows under "Show the math", which the reader
  may edit and run in their place, and `experiments`: one-click edits of them
  (live_math.Experiment).

Creating a demo validates what it is given the way input from the page is validated: an
unknown name, a wrong type, a value out of range or too long falls back to the default, and
`notes` says so in the figure. `params()` gives the state back as plain JSON, in the same
form, so `type(d)(**d.params())` draws the same figure, render for render. What a run has
learned (weights, histories) is not state: a restored figure starts its run again.
"""

import json
from typing import ClassVar

from .controls import InputError

UNCHANGED = object()  # what a handler returns when nothing changed: the page draws nothing


class Demo:
    STATE: ClassVar[dict] = {}
    controls: ClassVar[dict] = {}
    actions: ClassVar[dict] = {}
    once: ClassVar[frozenset] = frozenset()
    data = ()
    worker = "main"
    publishes: ClassVar[tuple] = ()
    listens: ClassVar[tuple] = ()
    timing: ClassVar[dict] = {}  # what a demo measures of its own work, for the benches
    shows: ClassVar[tuple] = ()
    experiments: ClassVar[tuple] = ()

    def __init__(self, **params):
        self.notes = []  # what could not be restored, in words for the figure
        self.heard = {}  # topic -> the last value of it this figure took (see `listens`)
        self.setup(self.restore(params, self.notes))

    @classmethod
    def restore(cls, params, notes):
        """The whole state from `params`: each value checked, anything wrong replaced by its
        default with a note appended to `notes`."""
        for name in params:
            if name not in cls.STATE:
                notes.append(f"This figure has no setting “{str(name)[:40]}”; it was left out.")
        state = {}
        for name, control in cls.STATE.items():
            # A fresh copy in JSON's own form (lists, not tuples): the demo may change it in
            # place, and params() gives it back in that form.
            state[name] = json.loads(json.dumps(control.default))
            if name in params and params[name] != state[name]:
                try:
                    state[name] = control.check(params[name])
                except InputError as e:
                    notes.append(f"{e} It starts from its usual value instead.")
        return state

    def setup(self, state):
        """Build the figure from a whole, valid state (see restore)."""
        raise NotImplementedError

    def params(self):
        """The current state, plain JSON, in the form restore() gives: STATE's keys only."""
        raise NotImplementedError

    def set(self, name, value):
        """A control moved to `value`, already parsed."""
        raise NotImplementedError

    def handle(self, name, value):
        """One input event from the page."""
        if name in self.actions:
            done = self.actions[name](self, value)
            if name in self.listens:
                self.heard[name] = value
            return done
        if name in self.controls:
            return self.set(name, self.controls[name].parse(value))
        raise InputError(f"This demo has no control named “{str(name)[:40]}”.")

    def hear_again(self, heard):
        """What another figure told the one this replaces (see `listens`), told again."""
        for topic, value in heard.items():
            self.handle(topic, value)

    def render(self):
        raise NotImplementedError

    def lost(self):
        """What making the figure again from its state would not bring back (a worker that
        stopped is restarted, and its figures come back from their states), in words; None if
        nothing: what a run learned is not state."""
