"""The browser boundary: the only functions the page's worker calls.

They take and return plain text (JSON), so JavaScript never holds a Python
object that could leak, and a test under CPython calls them exactly as the page does.

Besides what a demo's render() gives (see demos/__init__.py), every reply carries
    "state": the demo's whole state (params()), to re-create it if the worker restarts;
    "link":  the part of it that differs from the figure's starting state and fits in a
             link (long texts and long lists are left out), for the page's URL;
    "notes": what could not be restored, or was left out of the link, in plain words;
    "lost":  (if anything) what re-creating it from "state" would not bring back, in words.
A handler that changed nothing (a tick that came too soon) returns base.UNCHANGED, and the
reply is only {"running": true}: nothing is drawn again. A message the page could not have
meant (a demo it does not have, a figure it never made, a function the figure does not show)
gets {"refused": words}, and the worker answers it as a refusal. A demo that needs a data file the
page has not fetched yet (data.NotFetched) gets the reply {"fetch": [name]}: the worker
fetches it and repeats the call. A demo that times its own work
(`timing`, e.g. {"model_ms": 1.2}) has it passed on for the benches; the page shows nothing.

Live math (live_math.py): redefine() runs the reader's versions of the functions a figure
shows in place of the package's, and its reply carries "edit": {"ok": true} or {"ok": false,
"error": {function, message, line, hint}}. If the reader's code fails later (a slider moved
into a case it cannot handle), the figure goes back to the package's functions and the reply
says so: "edit": {"ok": false, "reverted": true, "error": …}. The page gives each edited
figure a worker of its own, so an edit changes no other figure.
"""

import functools
import json
import re

from . import live_math
from .data import NotFetched
from .demos import DEMOS
from .demos.base import UNCHANGED
from .demos.controls import InputError
from .demos.format import NotFinite

_live = {}  # demo id in the page -> its demo object
_start = {}  # demo id -> its starting state as the template gave it, for the link
MAX_PARAMS = 100_000  # characters of saved state read at most: a link is far shorter
LINK_FIELD_MAX = 600  # characters of JSON one value may take in a link
NOT_FINITE = re.compile(r"(?<![\w.])[-−]?(?:nan|inf)(?!\w)")  # how Python writes NaN and ∞
MAX_PRESSES = 10_000  # presses one event may carry: a crafted message could ask for more


class Refused(Exception):
    """A message the page could not have meant; its words are the answer."""


def refusing(entry):
    """An entry function that answers Refused with {"refused": words} instead of raising."""
    @functools.wraps(entry)
    def answer(*args):
        try:
            return entry(*args)
        except Refused as e:
            return json.dumps({"refused": str(e)})
    return answer


def _figure(demo_id):
    if demo_id not in _live:
        raise Refused(f"there is no figure “{str(demo_id)[:40]}” here")
    return _live[demo_id]


def _demo_class(name):
    if name not in DEMOS:
        raise Refused(f"there is no demo named “{str(name)[:40]}”")
    return DEMOS[name]


@refusing
def create(demo_id, name, params_json, base_json="{}"):
    """Start demo `name` from `params_json` (a saved or linked state; anything wrong in it
    falls back to the default with a note) and return its first render. `base_json` is the
    figure's starting state as the template gave it: the link holds only what differs."""
    _demo_class(name)
    notes = []
    params = _read(params_json, notes)
    try:
        demo = DEMOS[name](**params)
    except NotFetched as e:
        return json.dumps({"fetch": [e.name]})
    demo.notes[:0] = notes
    _live[demo_id] = demo
    _start[demo_id] = DEMOS[name].restore(_read(base_json, []), [])
    return _reply(demo_id)


def _read(text, notes):
    """A dict from saved JSON, or {} with a note: saved state may come from a hostile link."""
    try:
        params = json.loads(text) if len(text) <= MAX_PARAMS else None
    except (TypeError, ValueError, RecursionError):
        params = None
    if isinstance(params, dict):
        return params
    notes.append("The saved settings for this figure could not be read, so it starts as usual.")
    return {}


def needs(name):
    """The data files demo `name` reads, which the worker fetches before create() (none for
    a name that is not a demo: create() refuses it)."""
    return json.dumps(list(getattr(DEMOS.get(name), "data", ())))


@refusing
def event(demo_id, name, value, times=1):
    """Forward one input event, or `times` presses of one action (a storm of clicks arrives
    as one message; an action the demo declares `once` runs once however often it was
    pressed); a reader's mistake comes back as {"error": message}."""
    demo = _figure(demo_id)
    presses = 1 if name in type(demo).once else min(max(int(times), 1), MAX_PRESSES)
    try:
        changed = [demo.handle(name, value) is not UNCHANGED for _ in range(presses)]
        if not any(changed):
            return json.dumps({"running": True, "unchanged": True})
        return _reply(demo_id)
    except InputError as e:
        return json.dumps({"error": str(e)})
    except NotFetched as e:
        return json.dumps({"fetch": [e.name]})
    except BaseException as e:  # SystemExit too: reader code may raise anything
        if not _edited(demo):
            raise
        # With the reader's code in, any failure (theirs, or one it caused downstream, such
        # as a NaN reaching the drawing) takes it out again.
        return _reverted(demo_id, e)


@refusing
def redefine(demo_id, edits_json):
    """Run the reader's code in place of the figure's shown functions: `edits_json` is
    {"neuron.sigmoid": code, ...}; a shown function not named goes back to the package's own
    ({} restores them all). The figure is made again from its current state, so nothing it
    kept from before (a cache, a drawing) holds the old behaviour. A bad edit changes
    nothing: the reply says why, with the line of the reader's code."""
    demo = _figure(demo_id)
    names = [live_math.name_of(fn) for fn in type(demo).shows]
    edits = _read(edits_json, [])
    bad = [str(key)[:40] for key, code in edits.items()
           if key not in names or not isinstance(code, str)]
    if bad or len(edits_json) > MAX_PARAMS:
        raise Refused(f"this figure shows only {', '.join(names) or 'no functions'}, "
                      f"not {', '.join(bad) or 'that much code'}")
    params, made = demo.params(), []

    def render():  # the figure made afresh from its state, with the functions installed now
        made.append(type(demo)(**params))
        made[-1].hear_again(demo.heard)
        return _finite_text(made[-1], made[-1].render())

    try:
        live_math.put_in(names, edits, render)
    except live_math.EditError as e:
        return json.dumps({"edit": {"ok": False, "error": e.as_dict()}})
    _remake(demo_id, made[-1])  # the last one was made with the reader's versions in
    return _reply(demo_id, {"ok": True, "edited": sorted(edits)})


def _edited(demo):
    return any(live_math.edited(fn) for fn in type(demo).shows)


def _finite_text(demo, reply):
    """`reply`, unless the reader's code in `demo` made a number that is not one. Their check
    tried their function only with the arguments of one render: elsewhere (a slider moved) it
    may give NaN or an infinity, and an f-string writes that as "nan" or "inf", which passes
    allow_nan. So, while their code is in, text and items are read for such a word; one the
    reader typed (it is in the state) is not a number."""
    if not _edited(demo):
        return reply
    typed = json.dumps(demo.params(), ensure_ascii=False)
    texts = [*reply.get("text", {}).values(),
             *(item.get("text", "") for items in reply.get("items", {}).values() for item in items)]
    for text in texts:
        for found in NOT_FINITE.finditer(text):
            if found.group().lstrip("-−") not in typed:
                raise NotFinite(f"a number came out as “{found.group()}”, which is not a number "
                                f"the figure can show")
    return reply


def _remake(demo_id, again=None):
    """The figure made again from its current state (or `again`, made so already), its
    notes and what it heard from other figures kept."""
    demo = _live[demo_id]
    if again is None:
        again = type(demo)(**demo.params())
        again.hear_again(demo.heard)
    again.notes = demo.notes
    _live[demo_id] = again


def _reverted(demo_id, error):
    """The reader's code failed while the figure ran: the package's functions go back in."""
    demo = _live[demo_id]
    shows = type(demo).shows
    names = [live_math.name_of(fn) for fn in shows]
    culprit = live_math.culprit(error, {name: live_math.function(name)
                                        for name, fn in zip(names, shows) if live_math.edited(fn)})
    live_math.reset(names)
    _remake(demo_id)
    problem = live_math.explained(culprit, error).as_dict()
    problem["message"] += " The figure went back to the original functions."
    return _reply(demo_id, {"ok": False, "reverted": True, "error": problem})


def pointer(demo_id, name, fx, fy):
    """A click at (fx, fy), fractions of the clicked element's box from its top left."""
    return event(demo_id, name, [float(fx), float(fy)])


@refusing
def state(demo_id):
    """The demo's whole state, as create() takes it back."""
    return json.dumps(_figure(demo_id).params(), allow_nan=False)


@refusing
def destroy(demo_id):
    """Forget a demo (the page is re-creating it, or it left the page)."""
    _figure(demo_id)
    _live.pop(demo_id, None)
    _start.pop(demo_id, None)
    return "{}"


def link(demo, base):
    """The state that differs from `base`, each value small enough for a link; and a note
    naming what was left out."""
    controls = type(demo).STATE
    out, left_out = {}, []
    for key, value in demo.params().items():
        if value == base.get(key):
            continue
        if len(json.dumps(value)) > getattr(controls[key], "link_max", LINK_FIELD_MAX):
            left_out.append(controls[key].label)
        else:
            out[key] = value
    note = (f"A link to this figure leaves out {' and '.join(left_out)}: too long for a link."
            if left_out else None)
    return out, note


def _reply(demo_id, edit=None):
    demo = _live[demo_id]
    reply = _finite_text(demo, demo.render())
    if edit is not None:
        reply["edit"] = edit
    reply["state"] = demo.params()
    reply["link"], note = link(demo, _start[demo_id])
    reply["notes"] = demo.notes + ([note] if note else [])
    if lost := demo.lost():
        reply["lost"] = lost
    if demo.timing:
        reply["timing"] = demo.timing
    # allow_nan=False: a NaN or infinity must fail loudly here, never reach the page.
    return json.dumps(reply, allow_nan=False, ensure_ascii=False)
