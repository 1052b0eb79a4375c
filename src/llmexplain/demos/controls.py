"""What a demo's state is made of: each kind of value, with its bounds, declared once.

A demo declares every reader-visible value in one table (`STATE`, see base.py), each entry
one of the kinds below with its default. The same declaration serves three readers:
- the template draws a control from it (a slider's range, a choice's options);
- `parse` reads what the page sends for a control (text), keeping a slider in range;
- `check` reads a value being restored (a link, a saved state), refusing anything not
  exactly right, so the demo can fall back to the default and say so.

>>> Slider("rain", 0.0, 1.0, 0.05, default=0.4).check(0.45)
0.45
>>> Whole("seed", 0, 9, default=1).check(12)
Traceback (most recent call last):
    ...
llmexplain.demos.controls.InputError: seed: 12 is outside 0 to 9.
"""

import math
from dataclasses import dataclass

from .format import signed


class InputError(ValueError):
    """Input the reader can fix; its message is shown in the page as it is."""


def _short(value):
    return str(value)[:40]


def _number(label, value):
    """A finite float from a number or its text; bools are not numbers here."""
    if isinstance(value, bool):
        raise InputError(f"{label}: “{_short(value)}” is not a number.")
    try:
        x = float(value)
    except (TypeError, ValueError, OverflowError):
        raise InputError(f"{label}: “{_short(value)}” is not a number.") from None
    if not math.isfinite(x):
        raise InputError(f"{label}: please give a finite number.")
    return x


@dataclass(frozen=True)
class Slider:
    label: str
    lo: float
    hi: float
    step: float
    default: float = None

    @property
    def decimals(self):
        """How many decimals the step needs (0.05 -> 2)."""
        text = f"{self.step:g}"
        return len(text.partition(".")[2])

    def parse(self, value):
        """The page sends text; accept a finite number and keep it in range."""
        x = _number(self.label, value)
        return self._snap(min(max(x, self.lo), self.hi))

    def _snap(self, x):
        """To the step's decimals; a whole number for a step of 1 (a count, a layer)."""
        return round(x) if self.decimals == 0 else round(x, self.decimals)

    def check(self, value):
        x = _number(self.label, value)
        if not self.lo <= x <= self.hi:
            raise InputError(f"{self.label}: {x:.6g} is outside {self.show(self.lo)} to "
                             f"{self.show(self.hi)}.".replace("-", "−"))
        return self._snap(x)

    def show(self, x):
        return signed(x, self.decimals)


@dataclass(frozen=True)
class Choice:
    label: str
    options: tuple  # ((value, label), ...)
    default: str = None

    def parse(self, value):
        if not isinstance(value, str) or value not in dict(self.options):
            raise InputError(f"{self.label}: unknown choice “{_short(value)}”.")
        return value

    check = parse


@dataclass(frozen=True)
class Number:
    """A real number within bounds that no slider shows directly (a learning rate)."""
    label: str
    lo: float
    hi: float
    default: float = None

    def check(self, value):
        x = _number(self.label, value)
        if not self.lo <= x <= self.hi:
            raise InputError(f"{self.label}: {x:.6g} is outside {self.lo:g} to {self.hi:g}.")
        return x

    parse = check


@dataclass(frozen=True)
class Whole(Number):
    """A whole number within bounds: a count, an index, a seed."""

    def check(self, value):
        x = super().check(value)
        if x != int(x):
            raise InputError(f"{self.label}: “{_short(value)}” is not a whole number.")
        return int(x)

    parse = check


@dataclass(frozen=True)
class Points:
    """The reader's own points: a list of [x, y] (or [x, y, class]) within a box."""
    label: str
    lo: float
    hi: float
    decimals: int
    min_len: int = 0
    max_len: int = 100
    classes: tuple = ()  # if given, each point ends with one of these
    default: tuple = ()

    def check(self, value):
        if not isinstance(value, (list, tuple)):
            raise InputError(f"{self.label}: expected a list of points.")
        if not self.min_len <= len(value) <= self.max_len:
            raise InputError(f"{self.label}: {len(value)} points; this figure holds "
                             f"{self.min_len} to {self.max_len}.")
        width = 3 if self.classes else 2
        out = []
        for p in value:
            if not isinstance(p, (list, tuple)) or len(p) != width:
                raise InputError(f"{self.label}: “{_short(p)}” is not a point.")
            xy = [_number(self.label, v) for v in p[:2]]
            if not all(self.lo <= v <= self.hi for v in xy):
                raise InputError(f"{self.label}: a point lies outside {self.lo:g} to {self.hi:g}.")
            point = [round(v, self.decimals) for v in xy]
            if self.classes:
                if p[2] not in self.classes or isinstance(p[2], bool):
                    raise InputError(f"{self.label}: “{_short(p[2])}” is not a class.")
                point.append(self.classes[self.classes.index(p[2])])  # 1.0 is kept as 1
            out.append(point)
        return out

    parse = check


@dataclass(frozen=True)
class Counts:
    """A list of whole numbers, each within bounds: the neurons in each hidden layer."""
    label: str
    lo: int
    hi: int
    max_len: int
    default: tuple = ()

    def check(self, value):
        if not isinstance(value, (list, tuple)) or len(value) > self.max_len:
            raise InputError(f"{self.label}: expected at most {self.max_len} whole numbers.")
        item = Whole(self.label, self.lo, self.hi)
        return [item.check(v) for v in value]

    parse = check


@dataclass(frozen=True)
class Text:
    """Text the reader typed. Links keep at most `link_max` characters of it."""
    label: str
    max_len: int
    link_max: int = 300
    default: str = ""

    def check(self, value):
        if not isinstance(value, str):
            raise InputError(f"{self.label}: expected text.")
        if len(value) > self.max_len:
            raise InputError(f"{self.label}: {len(value):,} characters; at most "
                             f"{self.max_len:,} are kept.")
        return value

    parse = check


def parse_click(value):
    """[fx, fy] from the page, each within the plot's box."""
    try:
        fx, fy = (float(v) for v in value)
    except (TypeError, ValueError):
        raise InputError("A click on the plot did not come with a position.") from None
    if not (0 <= fx <= 1 and 0 <= fy <= 1):
        raise InputError("That click was outside the plot.")
    return fx, fy
