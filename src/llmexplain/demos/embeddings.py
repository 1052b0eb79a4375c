"""Chapter 3 — embeddings: a word as a row of 50 numbers, its nearest words, a map, analogies.

The reader picks a word (typing it, or clicking any word the figure shows) and sees its
numbers as a strip of coloured cells, the words whose rows point the same way, and where
it sits on a map of a few hundred common words. An analogy box works out a − b + c.
Two tables: GloVe's real vectors, trained on billions of words, and ours, trained by our
own code on our small shelf of books.

State (STATE): the word shown (always one of the table's), which table, the analogy's three
words (plain words, or empty while the reader types; the figure names any the table lacks),
the number picked in the strip (1 to 50), and the map's zoom level and centre (None: the
middle of the map). What the figure says about the last word typed (not among the words,
words that start that way) is not state.
"""

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar

import numpy as np

from .. import embeddings as emb
from .. import live_math
from ..data import path
from ..live_math import Experiment
from . import word_map
from .base import Demo
from .controls import Choice, InputError, Number, Slider, Whole, parse_click
from .format import big, count, signed

TABLES = {"glove": "glove-50d.npz", "ours": "ours-50d.npz"}
DIMS = 50  # numbers per word in both tables
NEIGHBOURS = 10  # nearest words listed
ANSWERS = 5  # analogy answers listed
SUGGEST = 8  # words offered for an unknown one
MAX_WORD = 30  # longer input cannot be a word of either table
PLAIN = re.compile(r"[a-z]+")
FALLBACK = ("king", "man", "one")  # shown when a table lacks the word asked for: the first it has
EXAMPLES = ("king", "paris", "three", "red", "walked", "horse", "happy", "tea")  # words to try
PRESETS = {  # data-value of each analogy button -> (a, b, c)
    "royal": ("king", "man", "woman"),
    "capital": ("paris", "france", "italy"),
    "tense": ("walked", "walk", "swim"),
    "family": ("father", "man", "woman"),
    "plural": ("dogs", "dog", "cat"),
    "bigger": ("bigger", "big", "small"),
}
PAN = {"left": (-0.25, 0), "right": (0.25, 0), "up": (0, 0.25), "down": (0, -0.25)}
BINS = 4  # colour steps on each side of zero in the strip


def clean(text, what):
    """What the reader typed as a word of the tables, or a clear InputError.

    Returns "" for empty input; a word that is plain but unknown is the caller's business.

    >>> clean("  Queen ", "word")
    'queen'
    """
    if not isinstance(text, str):
        raise InputError(f"{what}: expected a word.")
    word = text.strip().lower()
    if len(word) > MAX_WORD:
        raise InputError(f"{what}: that is {count(len(word), 'character')}; no word in these tables is "
                         f"longer than {MAX_WORD}. Type a single word.")
    bad = next((ch for ch in word if not PLAIN.fullmatch(ch)), None)
    if bad is not None:
        if unicodedata.category(bad)[0] in "CZ":
            shown = "a space" if bad == " " else f"an invisible character (U+{ord(bad):04X})"
        else:
            shown = f"“{bad}”"
        raise InputError(f"{what}: these tables hold only words written with the letters a to z, "
                         f"so {shown} cannot be looked up. Type a single plain word.")
    return word


@dataclass(frozen=True)
class Word:
    """A word as the reader types it: the letters a to z, or "" while the box is empty.
    Whether the table holds it depends on the table, so the demo checks that."""
    label: str
    default: str = ""

    def parse(self, value):
        return clean(value, self.label)

    check = parse


@dataclass(frozen=True)
class Place:
    """A point of the word map, [x, y] in its own units, or None for the map's middle.
    Every word lies within ±2: a row of length 1, less the rows' mean, on two unit axes."""
    label: str
    lo: float = -2.0
    hi: float = 2.0
    default: list = None

    def check(self, value):
        if value is None:
            return None
        if not isinstance(value, (list, tuple)) or len(value) != 2:
            raise InputError(f"{self.label}: expected two numbers.")
        return [Number(self.label, self.lo, self.hi).check(v) for v in value]

    parse = check


STATE = {
    "word": Word("word", default="king"),
    "source": Choice("vectors", (("glove", "GloVe’s"), ("ours", "ours")), default="glove"),
    "a": Word("analogy a", default="king"),
    "b": Word("analogy b", default="man"),
    "c": Word("analogy c", default="woman"),
    "dim": Whole("number", 1, DIMS, default=1),
    "zoom": Whole("map zoom", 0, word_map.MAX_ZOOM, default=0),
    "centre": Place("map centre"),
}
CONTROLS = {
    "word": STATE["word"], "a": STATE["a"], "b": STATE["b"], "c": STATE["c"],
    "source": STATE["source"],
    "dim": Slider("number", 1, DIMS, 1),
    # Buttons, not boxes: declared here so the template draws them from these lists.
    "example": Choice("word to try", tuple((w, w) for w in EXAMPLES)),
    "preset": Choice("analogy to try", tuple((key, f"{a} − {b} + {c}")
                                             for key, (a, b, c) in PRESETS.items())),
}


class Embeddings(Demo):
    STATE = STATE
    controls = CONTROLS
    data = tuple(TABLES.values())
    shows = (emb.similarities,)
    experiments = (
        Experiment("The dot product in place of the cosine", emb.similarities,
                   "return np.divide(dots, lengths, out=np.zeros_like(dots), where=lengths > 0)",
                   "return dots  # lengths now count too",
                   "The nearest words change: long vectors, often rare or odd words, now "
                   "score highest whatever their direction, and the scores are no longer "
                   "between −1 and 1."),
    )

    def setup(self, s):
        self.tables, self.maps, self.scale = {}, {}, {}  # per table, read the first time shown
        # Pure functions of their arguments, kept for the last few asked: a click works out
        # and draws again only what it changed, and render() can ask as often as it likes.
        self.nearest = lru_cache(maxsize=4)(self._nearest)
        self.analogy = lru_cache(maxsize=4)(self._analogy)
        self.map_svg = lru_cache(maxsize=4)(self._map_svg)
        self.sorted_words = lru_cache(maxsize=2)(self._sorted_words)
        self.source = s["source"]
        self.read(self.source)
        self.word = s["word"]
        if self.word not in self.table.row:
            shown = self.fallback()
            self.notes.append(f"“{self.word}” is not among the words of "
                              f"{table_name(self.source)}; it shows “{shown}” instead."
                              if self.word else f"It needs a word: it shows “{shown}”.")
            self.word = shown
        self.abc = {k: s[k] for k in "abc"}
        self.dim, self.zoom, self.centre = s["dim"], s["zoom"], s["centre"]
        # What the figure says about the last word typed, and the page's announcement of the
        # last change: neither is state.
        self.note, self.suggestions = "", []
        self.summary = self.neighbour_summary()

    def params(self):
        return {"word": self.word, "source": self.source, **self.abc, "dim": self.dim,
                "zoom": self.zoom, "centre": self.centre}

    # ---------------------------------------------------------------- the model

    @property
    def table(self):
        return self.tables[self.source]

    @property
    def view(self):
        """Where the map looks, from the state."""
        return view_at(self.maps[self.source], self.zoom, self.centre)

    def read(self, source):
        if source not in self.tables:
            t = emb.load(path(TABLES[source]))
            self.tables[source], self.maps[source] = t, word_map.make_map(t)
            # Colours span the typical range of the numbers: 98% of them fit inside.
            self.scale[source] = float(np.quantile(np.abs(t.raw[::16]), 0.98))

    def fallback(self):
        return next(w for w in FALLBACK if w in self.table.row)

    def _nearest(self, source, word):
        """The rows nearest `word` in table `source` and their cosines: ([k], [k])."""
        t = self.tables[source]
        row = t.row[word]
        if live_math.edited(emb.similarities):  # the reader's, on the numbers as trained
            return emb.top(emb.similarities(t.raw, t.raw[row]), NEIGHBOURS, exclude=[row])
        return emb.nearest(t.unit, t.unit[row], NEIGHBOURS, exclude=[row])

    def _analogy(self, source, a, b, c):
        """The rows nearest a − b + c in table `source`, and their cosines: ([k], [k])."""
        t = self.tables[source]
        rows = t.row[a], t.row[b], t.row[c]
        if live_math.edited(emb.similarities):
            target = emb.offset(t.unit, *rows)  # [d]
            return emb.top(emb.similarities(t.raw, target), ANSWERS, exclude=rows)
        return emb.analogy(t.unit, *rows, k=ANSWERS)

    def _map_svg(self, source, word, zoom, centre):
        """The map of table `source`, looking at `centre` (None: the middle) at `zoom`, with
        `word` ringed and lines to its neighbours."""
        m, t = self.maps[source], self.tables[source]
        return word_map.draw(m, view_at(m, zoom, centre), t, t.row[word],
                             self.nearest(source, word)[0].tolist())

    def _sorted_words(self, source):
        """Table `source`'s words in alphabetical order, for suggestions: sorted on first use."""
        return sorted(self.tables[source].words)

    # ---------------------------------------------------------------- state changes

    def set(self, name, value):
        if name == "word":  # typed: shown if the table has it, else said why not
            self._typed(value)
        elif name == "source":
            self._switch(value)
        elif name == "dim":
            self.dim = int(value)
            self.summary = self.dim_text()
        elif name in self.abc:
            self.abc[name] = value
            self.summary = self.analogy_text()[1]

    def _typed(self, word):
        if word in self.table.row:
            self._show(word)
            return
        if not word:
            self.note, self.suggestions = "Type a word to look it up.", []
        else:
            s = self.sorted_words(self.source)
            start = bisect_left(s, word)
            self.suggestions = [w for w in s[start:start + SUGGEST] if w.startswith(word)]
            self.note = (f"“{word}” is not among the {count(len(self.table.words), 'word')} of "
                         f"{table_name(self.source)}" +
                         ("; words that start that way:" if self.suggestions else "."))
        self.summary = " ".join([self.note, *self.suggestions])

    def _show(self, word):
        """Show `word`, one of the table's; zoomed in, or off the map, the map follows it."""
        self.word, self.note, self.suggestions = word, "", []
        m, view = self.maps[self.source], self.view
        xy = m.place(self.table.unit[[self.table.row[word]]])  # [1, 2]
        sx, sy = view.to_screen(m, xy)[0]
        if self.zoom > 0 or not (0 <= sx <= word_map.W and 0 <= sy <= word_map.H):
            self.centre = [float(v) for v in xy[0]]
        self.summary = self.neighbour_summary()

    def _switch(self, source):
        old = self.word
        self.read(source)
        self.source, self.zoom, self.centre = source, 0, None
        name = table_name(source)
        if old in self.table.row:
            self.note = ""
        else:
            self.word = self.fallback()
            self.note = f"“{old}” is not among the words of {name}, so it shows “{self.word}”."
        self.suggestions = []
        self.summary = " ".join(filter(None, [f"Now showing {name}.", self.note,
                                              self.neighbour_summary()]))

    # ---------------------------------------------------------------- input

    def pick(self, value):
        """A word the figure shows was clicked: it must be one of the table's."""
        word = clean(value, "word")
        if word not in self.table.row:
            raise InputError(f"“{word}” is not among the {count(len(self.table.words), 'word')} of "
                             f"{table_name(self.source)}.")
        self._show(word)

    def example(self, value):
        self._show(CONTROLS["example"].parse(value))

    def use_table(self, value):
        self.set("source", CONTROLS["source"].parse(value))

    def pick_number(self, value):
        """A cell of the strip was clicked: it sends its number, as the slider does."""
        self.set("dim", CONTROLS["dim"].parse(value))

    def preset(self, value):
        """An example analogy: its three words at once, worked out once."""
        self.abc = dict(zip("abc", PRESETS[CONTROLS["preset"].parse(value)]))
        self.summary = self.analogy_text()[1]

    def pan(self, value):
        if value not in PAN:
            raise InputError(f"The map cannot move “{str(value)[:20]}”.")
        view = self.view
        view.pan(self.maps[self.source], *PAN[value])
        self.centre = [float(v) for v in view.centre]
        self.summary = self.zoom_summary()

    def zoom_map(self, value):
        if value not in ("in", "out"):
            raise InputError(f"The map cannot zoom “{str(value)[:20]}”.")
        self.zoom = min(max(self.zoom + (1 if value == "in" else -1), 0), word_map.MAX_ZOOM)
        self.summary = self.zoom_summary()

    def fit(self, _=None):
        self.zoom, self.centre = 0, None
        self.summary = self.zoom_summary()

    def click_map(self, value):
        """A click on the map: the word drawn nearest it, or else the map moves there."""
        fx, fy = parse_click(value)
        m, view, t = self.maps[self.source], self.view, self.table
        rows, _ = self.nearest(self.source, self.word)
        r = word_map.hit(m, view, t.unit, t.row[self.word], rows.tolist(), fx, fy)
        if r is not None:
            self._show(t.words[r])
            return
        centre = np.clip(view.from_screen(m, fx * word_map.W, fy * word_map.H), m.lo, m.hi)
        self.centre = [float(v) for v in centre]
        self.summary = self.zoom_summary()

    actions: ClassVar = {"pick": pick, "example": example, "use": use_table, "dim": pick_number,
                         "preset": preset, "pan": pan, "zoom": zoom_map, "fit": fit,
                         "map": click_map}

    # ---------------------------------------------------------------- words

    def neighbour_summary(self):
        rows, cos = self.nearest(self.source, self.word)
        listed = ", ".join(f"{self.table.words[r]} {signed(c, 2)}"
                           for r, c in zip(rows[:5], cos[:5]))
        return f"{self.word}: nearest words {listed}."

    def map_notice(self):
        """The bold line above the map: how many of the word's nearest words sit near it on
        the map too (within a tenth of the map's width)."""
        m, t = self.maps[self.source], self.table
        rows, _ = self.nearest(self.source, self.word)
        xy = m.place(t.unit[[t.row[self.word], *rows.tolist()]])  # [1 + k, 2]
        close = int((np.hypot(*(xy[1:] - xy[0]).T) < 0.1 * float(np.max(m.hi - m.lo))).sum())
        if close >= len(rows) // 2:
            return (f"Most of the words nearest “{self.word}” sit close to it, even on this flat "
                    f"map.")
        return (f"Only {close} of the {len(rows)} words nearest “{self.word}” sit close to it "
                f"here: the map flattens 50 numbers into 2.")

    def dim_text(self):
        value = self.table.raw[self.table.row[self.word], self.dim - 1]
        return f"Number {self.dim} of {DIMS} for “{self.word}”: {signed(value, 2)}"

    def zoom_summary(self):
        return f"Map at zoom {word_map.magnified(self.zoom)}."

    def analogy_text(self):
        """(answers [(word, cosine)], sentence) for the analogy box."""
        a, b, c = abc = self.abc["a"], self.abc["b"], self.abc["c"]
        if not all(abc):
            return [], "Fill in all three words."
        missing = [w for w in abc if w not in self.table.row]
        if missing:
            return [], (f"Not among the words of {table_name(self.source)}: "
                        f"{', '.join(f'“{w}”' for w in dict.fromkeys(missing))}.")
        rows, cos = self.analogy(self.source, a, b, c)
        answers = [(self.table.words[r], x) for r, x in zip(rows, cos)]
        return answers, f"{a} − {b} + {c} ≈ {answers[0][0]} (similarity {signed(answers[0][1], 2)})."

    # ---------------------------------------------------------------- drawing

    def render(self):
        t, source, a, b, c = self.table, self.source, self.abc["a"], self.abc["b"], self.abc["c"]
        row = t.row[self.word]
        rows, cos = self.nearest(source, self.word)
        first = int(rows[0])
        answers, sentence = self.analogy_text()
        other = "ours" if source == "glove" else "glove"
        scale = self.scale[source]
        text = {
            "word-shown": self.word,
            "near-word": t.words[first],
            "dim-shown": str(self.dim),
            "dim-value": self.dim_text(),
            "numbers": "  ".join(signed(x, 2) for x in t.raw[row].tolist()),
            "note": self.note,
            "source-size": size_text(source, t),
            "n-words": big(len(t.words)),
            "analogy": sentence,
            "zoom-shown": word_map.magnified(self.zoom),
            "map-words": str(len(self.maps[source].rows)),
            "map-extra": word_map.extra_words(self.maps[source], self.word, row, rows.tolist()),
            "notice-map": self.map_notice(),
            "summary": self.summary,
        }
        return {
            "text": text,
            "items": {
                "strip": strip(t.raw[row], scale, self.dim),
                "strip-near": strip(t.raw[first], scale, self.dim),
                "neighbours": word_buttons(
                    [t.words[r] for r in rows], cos, f"similarity with {self.word}"),
                "suggestions": word_buttons(self.suggestions),
                "answers": word_buttons(
                    [w for w, _ in answers], [x for _, x in answers],
                    f"similarity with {a} − {b} + {c}"),
            },
            "svg": {"map": self.map_svg(source, self.word, self.zoom,
                                        None if self.centre is None else tuple(self.centre))},
            "attrs": {
                f"use-{source}": {"aria-pressed": "true"},
                f"use-{other}": {"aria-pressed": "false"},
                "dim": {"aria-valuetext": self.dim_text()},
                "note": {"hidden": not self.note or None},
                "zoom-in": {"aria-disabled": "true" if self.zoom >= word_map.MAX_ZOOM else None},
                "zoom-out": {"aria-disabled": "true" if self.zoom <= 0 else None},
            },
            # The box the reader is typing in is safe: the page never moves a focused control.
            "values": {"word": self.word, **self.abc, "dim": self.dim},
        }


def view_at(m, zoom, centre):
    """Map `m` at `zoom`, looking at `centre` [x, y], or at its middle for None."""
    middle = word_map.home(m).centre
    return word_map.View(centre=middle if centre is None else np.array(centre), zoom=zoom)


def strip(values, scale, picked):
    """A word's numbers [d] as cells coloured by value (`scale` is the colours' full range),
    number `picked` (counted from 1) outlined."""
    steps = np.clip(np.rint(values / scale * BINS), -BINS, BINS)
    cells = []
    for i, (x, step) in enumerate(zip(values.tolist(), steps.astype(int).tolist()), start=1):
        tone = f"p{step}" if step > 0 else f"n{-step}" if step < 0 else "z"
        cells.append({"tag": "span", "text": "", "attrs": {
            "class": f"cell {tone}" + (" picked" if i == picked else ""),
            "title": f"number {i}: {signed(x, 2)}", "data-action": "dim", "data-value": str(i)}})
    return cells


def word_buttons(words, cosines=None, what=None):
    """Buttons that pick a word; with cosines, each shows its own, and its title says `what`."""
    if cosines is None:
        return [{"tag": "button", "text": w, "attrs": {
            "class": "word", "data-action": "pick", "data-value": w}} for w in words]
    return [{"tag": "button", "text": f"{w} {signed(x, 2)}", "attrs": {
        "class": "word", "data-action": "pick", "data-value": w,
        "title": f"{what}: {signed(x, 2)}"}} for w, x in zip(words, cosines)]


def table_name(source):
    return "the GloVe table" if source == "glove" else "our table"


def size_text(source, t):
    n, d = t.raw.shape
    if source == "glove":
        return (f"GloVe: {count(n, 'word')} × {count(d, 'number')} = {count(n * d, 'number')}, "
                f"the most common plain words of its {big(t.info['source_words'])}.")
    return (f"Ours: {count(n, 'word')} × {count(d, 'number')} = {count(n * d, 'number')}, "
            f"trained by our code on {count(t.info['trained_words'], 'word')} of our books.")
