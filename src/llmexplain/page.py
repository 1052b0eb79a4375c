"""The browser boundary: the only functions the page's worker calls.

They take and return plain text (JSON), so JavaScript never holds a Python
object that could leak, and a test under CPython calls them exactly as the page does.
"""

import json

from .demos import DEMOS
from .demos.controls import InputError

_live = {}  # demo id in the page -> its demo object


def create(demo_id, name, params_json):
    """Start demo `name` with the parameters the template gave it; return its first render."""
    if name not in DEMOS:
        raise KeyError(f"no demo named {name!r}; known: {sorted(DEMOS)}")
    _live[demo_id] = DEMOS[name](**json.loads(params_json))
    return _reply(_live[demo_id])


def needs(name):
    """The data files demo `name` reads, which the worker fetches before create()."""
    return json.dumps(list(getattr(DEMOS[name], "data", ())))


def event(demo_id, name, value):
    """Forward one input event; a reader's mistake comes back as {"error": message}."""
    demo = _live[demo_id]
    try:
        demo.handle(name, value)
    except InputError as e:
        return json.dumps({"error": str(e)})
    return _reply(demo)


def pointer(demo_id, name, fx, fy):
    """A click at (fx, fy), fractions of the clicked element's box from its top left."""
    return event(demo_id, name, [float(fx), float(fy)])


def _reply(demo):
    # allow_nan=False: a NaN or infinity must fail loudly here, never reach the page.
    return json.dumps(demo.render(), allow_nan=False, ensure_ascii=False)
