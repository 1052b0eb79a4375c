"""Interactive figures: each declares its state as data and draws it as plain data.

A demo is a `base.Demo`: its `STATE` table declares every value the reader can see or set
(each a control from controls.py, with bounds and a default), `actions` is an explicit table
of what buttons, clicks and ticks do, `set(name, value)` takes a moved control, and
`params()` gives the state back as JSON. `render()` is a function of that state and returns
everything the page shows:

    {"text":   {slot: str},        # put in with textContent
     "svg":    {slot: svg text},   # drawn by our own code, every string escaped
     "images": {slot: PNG data URL}, # pixels (see pixels.py), for an <img data-slot>
     "attrs":  {slot: {attr: value}},# state such as aria-pressed or disabled; None removes
     "items":  {slot: [{"tag": "button", "text": str, "attrs": {attr: value}}]},
                                   # a slot's children, built element by element, never parsed
     "values": {control: value},   # where each control should stand
     "running": bool}              # optional: the page sends "tick" each frame while true

page.py adds the state, the part of it a link keeps, and any notes. An optional `data`
tuple names the data files a demo reads (see `llmexplain.data`); `worker` names the page's
Python worker it runs in. A click on an element carrying `data-pointer="<name>"` arrives as
`handle(name, [fx, fy])`, fractions of that element's box; a drag on `data-drag="<name>"` as
`handle("<name>-start", [fx, fy])`, then `handle(name, ...)`; a `data-action` button's
`data-value` arrives as the value. The same `render()` runs at build time under CPython to
put each figure into the HTML before any script runs.
"""

from .assistant import Assistant
from .chat_format import ChatFormat
from .embeddings import Embeddings
from .learning_loop import LearningLoop
from .next_token import NextToken
from .playground import Playground
from .prefer import Prefer
from .scale import Scale
from .teach import Teach
from .tokenizer import Tokenizing
from .train_lm import TrainLM
from .weights import Weights

DEMOS = {"weights": Weights, "learning": LearningLoop, "tokenizer": Tokenizing,
         "embeddings": Embeddings, "playground": Playground, "next-token": NextToken,
         "train-lm": TrainLM, "scale": Scale, "chat-format": ChatFormat,
         "assistant": Assistant, "teach": Teach,
         "prefer": Prefer}
