"""The embeddings figure's map: a few hundred common words on the two directions in which
their vectors differ most (PCA), drawn as SVG that can be panned and zoomed.

Words outside the map's set (a picked word, its neighbours) are placed by projecting their
vectors onto the same two directions, so the map never moves under them.
"""

from dataclasses import dataclass

import numpy as np

from .. import embeddings as emb
from . import map_labels as labels
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
W, H, PAD = 340.0, 300.0, 14.0  # the map's box in SVG units (about a phone's width in px), margin
ZOOM_STEP, MAX_ZOOM = 1.6, 6  # each zoom step magnifies 1.6×; 1.6⁶ ≈ 17×
FONT, FONT_PICKED = 11.5, 14.0  # label sizes in SVG units: at a phone's width, 11 px or more
NEAR_PX = 16.0  # a click this close to a word picks it
ARROWS = "→↗↑↖←↙↓↘"  # towards a word beyond the edge, by its direction (east first, anticlockwise)


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


def extra_words(m, word, selected, near):
    """The words drawn that are not among the map's own, in words: ', and 3 more near “king”'."""
    own = set(m.rows.tolist())
    more = [r for r in near if r not in own]
    if selected not in own:
        return f", with “{word}”" + (f" and {len(more)} of its nearest" if more else "")
    return f", and {len(more)} more near “{word}”" if more else ""


def edge(x0, y0, x1, y1):
    """Where the line from (x0, y0) (inside the box) towards (x1, y1) leaves it, a little
    inside, and the arrow that points on along it."""
    dx, dy = x1 - x0, y1 - y0
    t = min([(lim - x0) / dx for lim in (PAD, W - PAD) if dx and (lim - x0) / dx > 0] +
            [(lim - y0) / dy for lim in (PAD, H - PAD) if dy and (lim - y0) / dy > 0] + [1.0])
    arrow = ARROWS[round(np.arctan2(-dy, dx) / (np.pi / 4)) % 8]
    return x0 + t * dx, y0 + t * dy, arrow


def draw(m, view, table, selected, near):
    """The map as SVG text: the selected word ringed, lines to its neighbours, and labels that
    never overlap. The selected word and its neighbours are always labelled: one beyond the
    edge of the view gets a label at the edge, with an arrow pointing its way.

    The loop over a few hundred words writes its elements directly, with one decimal, not
    through svg.tag: it runs on every click, and in the browser every call counts.
    """
    rows, group, sxy = layout(m, view, table.unit, selected, near)
    inside = (sxy[:, 0] >= 0) & (sxy[:, 0] <= W) & (sxy[:, 1] >= 0) & (sxy[:, 1] <= H)
    rows, group, xs, ys = rows.tolist(), group.tolist(), sxy[:, 0].tolist(), sxy[:, 1].tolist()
    at = {r: (x, y) for r, x, y in zip(rows, xs, ys)}
    shown_at = {r: k for k, r in enumerate(rows) if inside[k]}
    near_set = set(near)

    body = tag("rect", x="0", y="0", width=num(W), height=num(H), class_="map-bg")
    sx, sy = at[selected]
    for r in near:  # lines first, so the dots sit on top
        x, y = at[r]
        body += tag("line", x1=num(sx), y1=num(sy), x2=num(x), y2=num(y), class_="map-link")

    def size(r):
        return 6 if r == selected else 4.5 if r in near_set else 3

    board = labels.Board(W, H)
    for r in [selected, *near]:  # the dots that matter are never covered by words
        if r in shown_at:
            x, y = at[r]
            board.take((x - size(r), y - size(r), x + size(r), y + size(r)))
    placed = []  # (label text, class, x, baseline, anchor, leader from)
    for r in [selected, *near]:  # always labelled: at the dot, or at the edge towards it
        kind = " is-selected" if r == selected else " is-near"
        word = table.words[r]
        font = FONT_PICKED if r == selected else FONT
        if r in shown_at:
            x, y = at[r]
            label = labels.Label(word, x, y, size(r), font, bold=True)
        else:
            ox, oy = (sx, sy) if selected in shown_at else (W / 2, H / 2)
            x, y, arrow = edge(ox, oy, *at[r])
            word = f"{word} {arrow}" if arrow in "↗→↘" else f"{arrow} {word}"
            label, kind = labels.Label(word, x, y, 0, font, bold=True), kind + " is-off"
        spot = board.place(label, must=True)
        far = abs(spot[0] - x) > label.r + 4 or abs(spot[1] - 0.35 * font - y) > label.r + 9
        placed.append((word, kind, *spot, (x, y) if far and r in shown_at else None))
    order = sorted((k for r, k in shown_at.items() if r != selected and r not in near_set),
                   key=lambda k: rows[k])  # the most frequent words first
    for k in order:
        spot = board.place(labels.Label(table.words[rows[k]], xs[k], ys[k], 3, FONT))
        if spot:
            placed.append((table.words[rows[k]], "", *spot, None))

    dots = []
    for r, k in sorted(shown_at.items(), key=lambda rk: (rk[0] == selected, rk[0] in near_set)):
        g = group[k]
        kind = " is-selected" if rows[k] == selected else " is-near" if r in near_set else ""
        dots.append(f'<circle cx="{xs[k]:.1f}" cy="{ys[k]:.1f}" r="{size(r)}" '
                    f'class="dot {f"k{g}" if g >= 0 else "k-none"}{kind}">'
                    f"<title>{esc(table.words[r])}</title></circle>")
    leaders, texts = [], []
    for word, kind, x, y, anchor, dot in placed:
        if dot:
            leaders.append(f'<line x1="{dot[0]:.1f}" y1="{dot[1]:.1f}" x2="{x:.1f}" '
                           f'y2="{y - 0.35 * FONT:.1f}" class="map-leader"/>')
        texts.append(f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" '
                     f'class="map-label{kind}">{esc(word)}</text>')
    body += "".join(leaders) + "".join(dots) + "".join(texts)

    label = (f"Map of {len(m.rows)} common words{extra_words(m, table.words[selected], selected, near)}, "
             f"placed by their two main directions (PCA); {len(shown_at)} words in view, "
             f"zoom {magnified(view.zoom)}. “{table.words[selected]}” is ringed, lines join it "
             f"to its nearest words: {', '.join(table.words[r] for r in near)}.")
    return svg(body, W, H, label)
