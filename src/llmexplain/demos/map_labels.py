"""Labels on a map that never overlap: each tries a few spots around its dot, and a label that
must be shown (a picked word, its neighbours) searches further out, with a leader line.

Sizes are in the map's own units. A label's box is estimated from the widths of DejaVu Sans's
letters (the widest of the fonts the page may use), with a margin, so the browser's real
boxes fall inside the estimate (tests/test_browser_map.py measures them).

>>> board = Board(100, 60)
>>> board.place(Label("king", 40, 30, 4, 11.5))
(46, 34.025, 'start')
>>> board.place(Label("king", 40, 30, 4, 11.5))  # that spot is taken: it goes left
(34, 34.025, 'end')
"""

import math
from dataclasses import dataclass

# Advance widths of DejaVu Sans's lower-case letters, as shares of the font size.
WIDTH = dict(zip("abcdefghijklmnopqrstuvwxyz",
                 (0.613, 0.635, 0.55, 0.635, 0.615, 0.352, 0.635, 0.634, 0.278, 0.278, 0.579,
                  0.278, 0.974, 0.634, 0.612, 0.635, 0.635, 0.411, 0.521, 0.392, 0.634, 0.592,
                  0.818, 0.592, 0.592, 0.525)))
OTHER = 0.8  # any other character (an arrow, a capital)
ASCENT, DESCENT = 0.98, 0.28  # the box above and below the baseline, as shares of the size
CELL = 16.0  # the board's grid, for finding neighbours quickly


def text_width(text, size, bold=False):
    """How wide `text` is at font `size`, a little generously (bold letters are wider)."""
    return sum(WIDTH.get(c, OTHER) for c in text) * size * (1.16 if bold else 1.04) + 1


@dataclass
class Label:
    text: str
    x: float  # its dot's centre
    y: float
    r: float  # its dot's radius
    size: float  # font size
    bold: bool = False

    def __post_init__(self):
        self.width = text_width(self.text, self.size, self.bold)

    def box(self, at_x, at_y, anchor):
        """The box [left, top, right, bottom] of the text with its baseline at (at_x, at_y)."""
        w = self.width
        left = at_x - w if anchor == "end" else at_x - w / 2 if anchor == "middle" else at_x
        return (left, at_y - ASCENT * self.size, left + w, at_y + DESCENT * self.size)

    def spots(self):
        """Right of the dot, left of it, above it, below it: (x, baseline, anchor)."""
        gap, mid = self.r + 2, self.y + 0.35 * self.size
        return [(self.x + gap, mid, "start"), (self.x - gap, mid, "end"),
                (self.x, self.y - gap - DESCENT * self.size, "middle"),
                (self.x, self.y + gap + ASCENT * self.size, "middle")]

    def further(self):
        """Spots further out, nearest first, for a label that must be shown."""
        out = []
        for ring in range(1, 7):
            for k in range(8 * ring):
                angle = 2 * math.pi * k / (8 * ring)
                dx, dy = math.cos(angle) * 14 * ring, math.sin(angle) * 10 * ring
                out.append((self.x + dx, self.y + dy + 0.35 * self.size,
                            "start" if dx > 1 else "end" if dx < -1 else "middle"))
        return out


class Board:
    """The boxes taken so far, in a map of `width` × `height`."""

    def __init__(self, width, height):
        self.width, self.height = width, height
        self.cells = {}  # (i, j) -> boxes touching that cell

    def _cells(self, box):
        left, top, right, bottom = box
        return [(i, j) for i in range(int(left // CELL), int(right // CELL) + 1)
                for j in range(int(top // CELL), int(bottom // CELL) + 1)]

    def free(self, box):
        left, top, right, bottom = box
        if left < 1 or top < 1 or right > self.width - 1 or bottom > self.height - 1:
            return False
        cells = self.cells
        for i in range(int(left // CELL), int(right // CELL) + 1):
            for j in range(int(top // CELL), int(bottom // CELL) + 1):
                for b in cells.get((i, j), ()):
                    if left < b[2] and b[0] < right and top < b[3] and b[1] < bottom:
                        return False
        return True

    def take(self, box):
        for cell in self._cells(box):
            self.cells.setdefault(cell, []).append(box)

    def place(self, label, must=False):
        """Where the label goes, (x, baseline, anchor), its box taken; None if it does not fit
        (only when not `must`)."""
        for spots in (label.spots(), label.further() if must else ()):
            for spot in spots:
                box = label.box(*spot)
                if self.free(box):
                    self.take(box)
                    return spot
        if not must:
            return None
        spot = label.spots()[0]  # nowhere free at all: a crowd too thick to read anyway
        self.take(label.box(*spot))
        return spot
