"""Interactive figures: each keeps its own state and draws it as plain data.

A demo class takes its initial parameters as keyword arguments, changes state in
`handle(name, value)`, and returns everything the page shows from `render()`:

    {"text":   {slot: str},        # put in with textContent
     "svg":    {slot: svg text},   # drawn by our own code, every string escaped
     "images": {slot: PNG data URL}, # pixels (see pixels.py), for an <img data-slot>
     "attrs":  {slot: {attr: value}},# state such as aria-pressed or disabled; None removes
     "items":  {slot: [{"tag": "button", "text": str, "attrs": {attr: value}}]},
                                   # a slot's children, built element by element, never parsed
     "values": {control: value},   # where each control should stand
     "running": bool}              # optional: the page sends "tick" each frame while true

Its `controls` attribute declares its inputs (see `controls.py`); an optional `data` tuple
names the data files it reads (see `llmexplain.data`). A click on an element carrying
`data-pointer="<name>"` arrives as `handle(name, [fx, fy])`, fractions of that element's box;
a drag on `data-drag="<name>"` as `handle("<name>-start", [fx, fy])`, then `handle(name, ...)`;
a `data-action` button's `data-value` arrives as the value. The same `render()` runs at
build time under CPython to put each figure into the HTML before any script runs.
"""

from .embeddings import Embeddings
from .learning_loop import LearningLoop
from .playground import Playground
from .tokenizer import Tokenizing
from .weights import Weights

DEMOS = {"weights": Weights, "learning": LearningLoop, "tokenizer": Tokenizing,
         "embeddings": Embeddings, "playground": Playground}
