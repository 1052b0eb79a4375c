"""Declarations of a demo's controls, shared by the page markup and the Python side.

A demo lists its controls once; the template draws them from that list and the
demo parses what the page sends back through the same list, so the range a
slider shows and the range Python accepts can never disagree.
"""

import math
from dataclasses import dataclass


class InputError(ValueError):
    """Input the reader can fix; its message is shown in the page as it is."""


@dataclass(frozen=True)
class Slider:
    label: str
    lo: float
    hi: float
    step: float

    @property
    def decimals(self):
        """How many decimals the step needs (0.05 -> 2)."""
        text = f"{self.step:g}"
        return len(text.partition(".")[2])

    def parse(self, value):
        """The page sends text; accept a finite number and keep it in range."""
        try:
            x = float(value)
        except (TypeError, ValueError):
            raise InputError(f"{self.label}: “{str(value)[:40]}” is not a number.") from None
        if not math.isfinite(x):
            raise InputError(f"{self.label}: please give a finite number.")
        return round(min(max(x, self.lo), self.hi), self.decimals)

    def show(self, x):
        return signed(x, self.decimals)


@dataclass(frozen=True)
class Choice:
    label: str
    options: tuple  # ((value, label), ...)

    def parse(self, value):
        if value not in dict(self.options):
            raise InputError(f"{self.label}: unknown choice “{str(value)[:40]}”.")
        return value


def signed(x, decimals):
    """Format with a real minus sign, the way the essay prints numbers.

    >>> signed(-0.3, 1), signed(0.0, 2), signed(-0.001, 2)
    ('−0.3', '0.00', '0.00')
    """
    text = f"{x:.{decimals}f}"
    if float(text) == 0:
        text = text.lstrip("-")
    return text.replace("-", "−")


def parse_click(value):
    """[fx, fy] from the page, each within the plot's box."""
    try:
        fx, fy = (float(v) for v in value)
    except (TypeError, ValueError):
        raise InputError("A click on the plot did not come with a position.") from None
    if not (0 <= fx <= 1 and 0 <= fy <= 1):
        raise InputError("That click was outside the plot.")
    return fx, fy
