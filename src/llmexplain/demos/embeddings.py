"""Chapter 3 — embeddings: a word as a row of 50 numbers, its nearest words, a map, analogies.

The reader picks a word (typing it, or clicking any word the figure shows) and sees its
numbers as a strip of coloured cells, the words whose rows point the same way, and where
it sits on a map of a few hundred common words. An analogy box works out a − b + c.
Two tables: GloVe's real vectors, trained on billions of words, and ours, trained by our
own code on our small shelf of books.
"""

import re
import unicodedata
from bisect import bisect_left

import numpy as np

from .. import embeddings as emb
from ..data import path
from . import word_map
from .controls import InputError, Slider, parse_click, signed

TABLES = {"glove": "glove-50d.npz", "ours": "ours-50d.npz"}
NAMES = {"glove": "GloVe", "ours": "ours"}
CONTROLS = {"dim": Slider("number", 1, 50, 1)}
NEIGHBOURS = 10  # nearest words listed
ANSWERS = 5  # analogy answers listed
SUGGEST = 8  # words offered for an unknown one
MAX_WORD = 30  # longer input cannot be a word of either table
PLAIN = re.compile(r"[a-z]+")
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
    """
    if not isinstance(text, str):
        raise InputError(f"{what}: expected a word.")
    word = text.strip().lower()
    if len(word) > MAX_WORD:
        raise InputError(f"{what}: that is {len(word):,} characters; no word in these tables is "
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


class Embeddings:
    controls = CONTROLS
    data = tuple(TABLES.values())

    def __init__(self, word="king", source="glove", a="king", b="man", c="woman"):
        self.tables, self.maps, self.sorted, self.scale = {}, {}, {}, {}
        # Each (what it was worked out for, result): a click redraws only what it changed.
        self._near_cache = self._map_cache = self._analogy_cache = (None, None)
        self.source = None
        self.dim = 0
        self._use(source)
        self.word = self._known(clean(word, "word"))
        self.abc = [clean(w, "analogy") for w in (a, b, c)]
        self.note, self.suggestions = "", []
        self.echo = True  # put the words back into the text boxes
        self.summary = self._neighbour_summary()

    # ---------------------------------------------------------------- state

    @property
    def table(self):
        return self.tables[self.source]

    def _use(self, source):
        if source not in TABLES:
            raise InputError(f"There is no table “{str(source)[:20]}”.")
        if source not in self.tables:  # read once, the first time it is shown
            t = emb.load(path(TABLES[source]))
            self.tables[source], self.maps[source] = t, word_map.make_map(t)
            # Colours span the typical range of the numbers: 98% of them fit inside.
            self.scale[source] = float(np.quantile(np.abs(t.raw[::16]), 0.98))
        self.source = source
        self.view = word_map.home(self.maps[source])

    def _known(self, word):
        if word not in self.table.row:
            raise InputError(f"“{word}” is not among the {len(self.table.words):,} words of "
                             f"{self._table_name()}.")
        return word

    def _table_name(self):
        return "the GloVe table" if self.source == "glove" else "our table"

    def _near(self):
        """The selected word's neighbours (rows, cosines), worked out once per word."""
        key = (self.source, self.word)
        if self._near_cache[0] != key:
            row = self.table.row[self.word]
            self._near_cache = (key, emb.nearest(self.table.unit, self.table.unit[row],
                                                 NEIGHBOURS, exclude=[row]))
        return self._near_cache[1]

    def handle(self, name, value):
        self.echo = name in ("pick", "use", "preset")  # else the reader is typing: leave the boxes
        if name == "word":
            return self._type_word(value)
        if name == "pick":
            return self._pick(self._known(clean(value, "word")))
        if name == "use":
            return self._switch(value)
        if name == "dim":
            self.dim = int(CONTROLS["dim"].parse(value)) - 1
            self.summary = self._dim_text()
            return None
        if name in ("a", "b", "c"):
            self.abc["abc".index(name)] = clean(value, "analogy")
            self.summary = self._analogy()[1]
            return None
        if name == "preset":
            if value not in PRESETS:
                raise InputError(f"There is no example “{str(value)[:20]}”.")
            self.abc = list(PRESETS[value])
            self.summary = self._analogy()[1]
            return None
        if name in ("pan", "zoom", "fit", "map"):
            return self._move_map(name, value)
        raise InputError(f"This demo has no control named “{str(name)[:40]}”.")

    def _type_word(self, value):
        word = clean(value, "word")
        if word in self.table.row:
            return self._pick(word)
        if not word:
            self.note, self.suggestions = "Type a word to look it up.", []
        else:
            if self.source not in self.sorted:  # only needed for suggestions: sort on first use
                self.sorted[self.source] = sorted(self.table.words)
            s = self.sorted[self.source]
            start = bisect_left(s, word)
            self.suggestions = [w for w in s[start:start + SUGGEST] if w.startswith(word)]
            self.note = (f"“{word}” is not among the {len(self.table.words):,} words of "
                         f"{self._table_name()}" +
                         ("; words that start that way:" if self.suggestions else "."))
        self.summary = " ".join([self.note, *self.suggestions])
        return None

    def _pick(self, word):
        self.word, self.note, self.suggestions = word, "", []
        m, row = self.maps[self.source], self.table.row[word]
        (x, y), = m.place(self.table.unit[[row]])
        sx, sy = self.view.to_screen(m, np.array([[x, y]]))[0]
        if self.view.zoom > 0 or not (0 <= sx <= word_map.W and 0 <= sy <= word_map.H):
            self.view.centre = np.array([x, y])  # zoomed in, or out of sight: follow the word
        self.summary = self._neighbour_summary()

    def _switch(self, source):
        old = self.word
        self._use(source)
        name = self._table_name()
        if old in self.table.row:
            self.note = ""
        else:
            fallback = next(w for w in ("king", "man", "one") if w in self.table.row)
            self.note = f"“{old}” is not among the words of {name}, so it shows “{fallback}”."
            self.word = fallback
        self.suggestions = []
        self.summary = " ".join(filter(None, [f"Now showing {name}.", self.note,
                                              self._neighbour_summary()]))

    def _move_map(self, name, value):
        m = self.maps[self.source]
        if name == "pan":
            if value not in PAN:
                raise InputError(f"The map cannot move “{str(value)[:20]}”.")
            self.view.pan(m, *PAN[value])
        elif name == "zoom":
            if value not in ("in", "out"):
                raise InputError(f"The map cannot zoom “{str(value)[:20]}”.")
            step = 1 if value == "in" else -1
            self.view.zoom = min(max(self.view.zoom + step, 0), word_map.MAX_ZOOM)
        elif name == "fit":
            self.view = word_map.home(m)
        else:
            fx, fy = parse_click(value)
            rows, _ = self._near()
            r = word_map.hit(m, self.view, self.table.unit, self.table.row[self.word],
                             rows.tolist(), fx, fy)
            if r is not None:
                self.echo = True
                return self._pick(self.table.words[r])
            # No word there: move the map so that the clicked spot is in the middle.
            self.view.centre = np.clip(self.view.from_screen(m, fx * word_map.W, fy * word_map.H),
                                       m.lo, m.hi)
        self.summary = f"Map at zoom {word_map.ZOOM_STEP ** self.view.zoom:.1f}×."
        return None

    # ---------------------------------------------------------------- words

    def _neighbour_summary(self):
        rows, cos = self._near()
        listed = ", ".join(f"{self.table.words[r]} {show(c)}" for r, c in zip(rows[:5], cos[:5]))
        return f"{self.word}: nearest words {listed}."

    def _dim_text(self):
        row = self.table.row[self.word]
        value = self.table.raw[row, self.dim]
        return f"Number {self.dim + 1} of {self.table.raw.shape[1]} for “{self.word}”: {show(value)}"

    def _analogy(self):
        """(answers [(word, cosine)], sentence) for the analogy box."""
        a, b, c = self.abc
        if not all(self.abc):
            return [], "Fill in all three words."
        missing = [w for w in self.abc if w not in self.table.row]
        if missing:
            return [], (f"Not among the words of {self._table_name()}: "
                        f"{', '.join(f'“{w}”' for w in dict.fromkeys(missing))}.")
        key = (self.source, tuple(self.abc))
        if self._analogy_cache[0] != key:
            r = [self.table.row[w] for w in self.abc]
            self._analogy_cache = (key, emb.analogy(self.table.unit, *r, k=ANSWERS))
        rows, cos = self._analogy_cache[1]
        answers = [(self.table.words[i], c) for i, c in zip(rows, cos)]
        return answers, f"{a} − {b} + {c} ≈ {answers[0][0]} (cosine {show(answers[0][1])})."

    # ---------------------------------------------------------------- drawing

    def strip(self, row):
        """A word's numbers as cells coloured by value; the picked number outlined."""
        values = self.table.raw[row]  # [d]
        steps = np.clip(np.rint(values / self.scale[self.source] * BINS), -BINS, BINS)
        cells = []
        for i, (x, step) in enumerate(zip(values.tolist(), steps.astype(int).tolist())):
            tone = f"p{step}" if step > 0 else f"n{-step}" if step < 0 else "z"
            cells.append({"tag": "span", "text": "", "attrs": {
                "class": f"cell {tone}" + (" picked" if i == self.dim else ""),
                "title": f"number {i + 1}: {show(x)}", "data-action": "dim",
                "data-value": str(i + 1)}})
        return cells

    def _map(self, row, near):
        """The map's SVG, drawn again only when the word, the table or the view changed."""
        key = (self.source, row, self.view.zoom, tuple(self.view.centre.tolist()))
        if self._map_cache[0] != key:
            self._map_cache = (key, word_map.draw(self.maps[self.source], self.view, self.table,
                                                  row, near))
        return self._map_cache[1]

    def render(self):
        t, source = self.table, self.source
        row = t.row[self.word]
        rows, cos = self._near()
        first = int(rows[0])
        answers, sentence = self._analogy()
        other = "ours" if source == "glove" else "glove"
        buttons = [{"tag": "button", "text": f"{t.words[r]} {show(c)}", "attrs": {
            "class": "word", "data-action": "pick", "data-value": t.words[r],
            "title": f"cosine similarity with {self.word}: {show(c)}"}} for r, c in zip(rows, cos)]
        text = {
            "word-shown": self.word,
            "near-word": t.words[first],
            "dim-shown": str(self.dim + 1),
            "dim-value": self._dim_text(),
            "numbers": "  ".join(show(x) for x in t.raw[row].tolist()),
            "note": self.note,
            "source-size": size_text(source, t),
            "n-words": f"{len(t.words):,}",
            "analogy": sentence,
            "zoom-shown": f"{word_map.ZOOM_STEP ** self.view.zoom:.1f}×",
            "map-words": str(len(self.maps[source].rows)),
            "summary": self.summary,
        }
        values = {"dim": self.dim + 1}
        if self.echo:
            values |= {"word": self.word, "a": self.abc[0], "b": self.abc[1], "c": self.abc[2]}
        return {
            "text": text,
            "items": {
                "strip": self.strip(row),
                "strip-near": self.strip(first),
                "neighbours": buttons,
                "suggestions": [{"tag": "button", "text": w, "attrs": {
                    "class": "word", "data-action": "pick", "data-value": w}}
                    for w in self.suggestions],
                "answers": [{"tag": "button", "text": f"{w} {show(c)}", "attrs": {
                    "class": "word", "data-action": "pick", "data-value": w,
                    "title": f"cosine similarity with {' − '.join(self.abc[:2])} + {self.abc[2]}: "
                             f"{show(c)}"}} for w, c in answers],
            },
            "svg": {"map": self._map(row, rows.tolist())},
            "attrs": {
                f"use-{source}": {"aria-pressed": "true"},
                f"use-{other}": {"aria-pressed": "false"},
                "dim": {"aria-valuetext": self._dim_text()},
                "note": {"hidden": not self.note or None},
                "zoom-in": {"aria-disabled": "true" if self.view.zoom >= word_map.MAX_ZOOM else None},
                "zoom-out": {"aria-disabled": "true" if self.view.zoom <= 0 else None},
            },
            "values": values,
        }


def show(x):
    """Two decimals with a real minus sign."""
    return signed(float(x), 2)


def size_text(source, t):
    n, d = t.raw.shape
    if source == "glove":
        return (f"GloVe: {n:,} words × {d} numbers = {n * d:,} numbers, the most common plain "
                f"words of its {t.info['source_words']:,}.")
    return (f"Ours: {n:,} words × {d} numbers = {n * d:,} numbers, trained by our code on "
            f"{t.info['trained_words']:,} words of our books.")

