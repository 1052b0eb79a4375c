"""The embeddings figure's map: a few hundred common words on the two directions in which
their vectors differ most (PCA), drawn as SVG that can be panned and zoomed.

Words outside the map's set (a picked word, its neighbours) are placed by projecting their
vectors onto the same two directions, so the map never moves under them.
"""

from dataclasses import dataclass

import numpy as np

from .. import embeddings as emb
from .format import signed
from .svg import esc, num, svg, tag

# Groups of words that show structure; the map keeps those the current table has.
GROUPS = (
    ("people", ("king queen prince princess emperor duke lord lady sir knight servant man woman "
                "boy girl child baby men women friend doctor teacher soldier father mother son "
                "daughter brother sister uncle aunt husband wife cousin grandfather grandmother")),
    ("numbers", ("one two three four five six seven eight nine ten twelve twenty fifty hundred "
                 "thousand million")),
    ("colours", "red blue green yellow black white brown grey pink purple orange golden"),
    ("animals", ("dog cat horse cow pig sheep lion tiger bird fish mouse rabbit wolf bear fox "
                 "eagle duck snake frog")),
    ("places", ("france germany italy spain england scotland ireland china japan russia india "
                "egypt america paris london berlin rome madrid tokyo moscow vienna dublin "
                "edinburgh boston chicago")),
    ("time", ("monday tuesday wednesday thursday friday saturday sunday january february march "
              "april june july august september october december morning evening night week year")),
    ("doing", ("walk walked run ran go went come came see saw eat ate drink drank write wrote "
               "speak spoke sing sang think thought")),
    ("things", ("bread cheese apple milk meat wine tea coffee soup cake butter sugar egg beer hand "
                "head eye face heart foot arm leg nose mouth ear hair house church school garden "
                "street room door window table chair bed")),
)
W, H, PAD = 480.0, 320.0, 14.0  # the map's box in SVG units, and the margin inside it
ZOOM_STEP, MAX_ZOOM = 1.6, 6  # each zoom step magnifies 1.6×; 1.6⁶ ≈ 17×
CELL_W, CELL_H = 6.0, 12.0  # the grid that keeps labels from overlapping
CHAR_W = 5.8  # average width of a label's letter at the map's font size
NEAR_PX = 16.0  # a click this close to a word picks it


@dataclass
class WordMap:
    """A table's map: which words, in which group, where (in PCA units)."""

    rows: np.ndarray  # [m] rows of the table
    group: np.ndarray  # [m] index into GROUPS
    mean: np.ndarray  # [d]
    axes: np.ndarray  # [2, d]
    xy: np.ndarray  # [m, 2]
    lo: np.ndarray  # [2] corner of the box around all of them
    hi: np.ndarray  # [2]
    fit: float  # SVG units per PCA unit at zoom 0

    def place(self, unit_rows):
        """Map coordinates of any rows of the table's unit vectors [k, d] -> [k, 2]."""
        return emb.project(unit_rows, self.mean, self.axes)


def make_map(table):
    rows, group = [], []
    for g, (_, words) in enumerate(GROUPS):
        found = [table.row[w] for w in words.split() if w in table.row]
        rows += found
        group += [g] * len(found)
    rows = np.array(rows)
    mean, axes = emb.pca(table.unit[rows])
    xy = emb.project(table.unit[rows], mean, axes)  # [m, 2]
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    fit = min((W - 2 * PAD) / (hi[0] - lo[0]), (H - 2 * PAD) / (hi[1] - lo[1]))
    return WordMap(rows, np.array(group), mean, axes, xy, lo, hi, fit)


@dataclass
class View:
    """Where the map is looking: its centre in PCA units and how far it is zoomed in."""

    centre: np.ndarray  # [2]
    zoom: int = 0

    def scale(self, m):
        return m.fit * ZOOM_STEP**self.zoom

    def to_screen(self, m, xy):
        """PCA coordinates [k, 2] -> SVG coordinates [k, 2] (y grows downwards)."""
        s = self.scale(m)
        return np.column_stack([W / 2 + (xy[:, 0] - self.centre[0]) * s,
                                H / 2 - (xy[:, 1] - self.centre[1]) * s])

    def from_screen(self, m, sx, sy):
        s = self.scale(m)
        return np.array([self.centre[0] + (sx - W / 2) / s, self.centre[1] - (sy - H / 2) / s])

    def pan(self, m, dx, dy):
        """Move by fractions of the visible width and height, staying over the words."""
        s = self.scale(m)
        moved = self.centre + np.array([dx * W / s, dy * H / s])
        self.centre = np.clip(moved, m.lo, m.hi)


def magnified(zoom):
    """How much zoom level `zoom` magnifies, as the figure writes it: '1.6×'."""
    return f"{signed(ZOOM_STEP**zoom, 1)}×"


def home(m):
    return View(centre=(m.lo + m.hi) / 2)


def layout(m, view, unit, selected, near):
    """Every word the map would draw: (rows [k], group [k] (−1: not a map word), xy [k, 2]).

    The map's own words, plus the selected word and its neighbours if they are not among them.
    """
    extra = [r for r in [selected, *near] if r not in set(m.rows.tolist())]
    rows = np.concatenate([m.rows, np.array(extra, dtype=m.rows.dtype)])
    group = np.concatenate([m.group, -np.ones(len(extra), dtype=m.group.dtype)])
    xy = np.concatenate([m.xy, m.place(unit[extra]).reshape(-1, 2)])
    return rows, group, view.to_screen(m, xy)


def hit(m, view, unit, selected, near, fx, fy):
    """The row of the drawn word nearest a click at fractions (fx, fy) of the box, or None."""
    rows, _, sxy = layout(m, view, unit, selected, near)
    gap = np.hypot(sxy[:, 0] - fx * W, sxy[:, 1] - fy * H)  # [k]
    i = int(np.argmin(gap))
    return int(rows[i]) if gap[i] <= NEAR_PX else None


def draw(m, view, table, selected, near):
    """The map as SVG text: the selected word ringed, lines to its neighbours.

    The loop over a few hundred words writes its elements directly, with one decimal, not
    through svg.tag: it runs on every click, and in the browser every call counts.
    """
    rows, group, sxy = layout(m, view, table.unit, selected, near)
    inside = (sxy[:, 0] >= 0) & (sxy[:, 0] <= W) & (sxy[:, 1] >= 0) & (sxy[:, 1] <= H)
    rows, group, xs, ys = rows.tolist(), group.tolist(), sxy[:, 0].tolist(), sxy[:, 1].tolist()
    at = {r: (x, y) for r, x, y in zip(rows, xs, ys)}
    near_set = set(near)

    body = tag("rect", x="0", y="0", width=num(W), height=num(H), class_="map-bg")
    sx, sy = at[selected]
    for r in near:  # lines first, so the dots sit on top
        x, y = at[r]
        body += tag("line", x1=num(sx), y1=num(sy), x2=num(x), y2=num(y), class_="map-link")
    # Labels: the selected word's first, then its neighbours', then the most frequent words';
    # a label that would overlap one already placed is left out.
    order = sorted(np.flatnonzero(inside).tolist(),
                   key=lambda i: (rows[i] != selected, rows[i] not in near_set, rows[i]))
    taken = set()
    dots, labels = [], []
    for i in order:
        r, g, x, y = rows[i], group[i], xs[i], ys[i]
        word = esc(table.words[r])
        kind = " is-selected" if r == selected else " is-near" if r in near_set else ""
        colour = f"k{g}" if g >= 0 else "k-none"
        size = 6 if r == selected else 4.5 if r in near_set else 3
        dots.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{size}" class="dot {colour}{kind}">'
                    f"<title>{word}</title></circle>")
        x0 = x + size + 2
        cells = {(c, k) for c in range(int(x0 // CELL_W), int((x0 + CHAR_W * len(word)) // CELL_W) + 1)
                 for k in range(int((y - 8) // CELL_H), int((y + 3) // CELL_H) + 1)}
        if r == selected or not cells & taken:
            taken |= cells
            labels.append(f'<text x="{x0:.1f}" y="{y + 3.5:.1f}" class="map-label{kind}">{word}</text>')
    body += "".join(reversed(dots)) + "".join(labels)  # the selected dot drawn last, on top

    label = (f"Map of {len(m.rows)} common words, placed by their two main directions (PCA); "
             f"{int(inside.sum())} words in view, zoom {magnified(view.zoom)}. "
             f"“{table.words[selected]}” is ringed, lines join it to its nearest words.")
    return svg(body, W, H, label)
