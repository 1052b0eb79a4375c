"""How the essay writes numbers: one vocabulary for every figure.

A real minus sign (−), no exponents (a general reader may not know them), thousands
separators for large numbers, and "—" for a number that does not exist yet.

>>> signed(-0.3, 1), sig(-0.000041237), big(152345.6), short(1.6e6), loss(None)
('−0.3', '−0.0000412', '152,346', '1.6M', '—')
"""

import math
from decimal import Decimal


def signed(x, decimals):
    """Fixed decimals with a real minus sign; a value that rounds to zero has no sign.

    >>> signed(-0.3, 1), signed(0.0, 2), signed(-0.001, 2)
    ('−0.3', '0.00', '0.00')
    """
    text = f"{x:.{decimals}f}"
    if float(text) == 0:
        text = text.lstrip("-")
    return text.replace("-", "−")


def sig(x, digits=3):
    """`digits` significant digits without exponents.

    >>> sig(-0.000041237), sig(12.345), sig(0.0)
    ('−0.0000412', '12.3', '0.000')
    """
    if x == 0 or not math.isfinite(x):
        return signed(0.0, digits)
    return signed(x, min(max(digits - 1 - math.floor(math.log10(abs(x))), 0), 12))


def big(x):
    """Large numbers with thousands separators: 152345.6 -> '152,346'."""
    return f"{x:,.0f}".replace("-", "−") if math.isfinite(x) else "too large to write down"


def loss(x, decimals=4):
    """A loss: fixed decimals, or with separators once it is huge; "—" when there is none."""
    if x is None:
        return "—"
    return big(x) if abs(x) >= 1e4 else signed(x, decimals)


def short(x):
    """A tick label that fits beside an axis: 0.1678, 12.3, 159k, 1.6M."""
    if x < 1:
        return signed(x, 4)
    if x < 1000:
        return f"{x:.3g}"
    return f"{x / 1000:.0f}k" if x < 1e6 else f"{x / 1e6:.1f}M"


def rate(x):
    """A learning rate, three significant digits, never an exponent.

    >>> rate(0.316227), rate(3.162), rate(0.00001)
    ('0.316', '3.16', '0.00001')
    """
    return format(Decimal(f"{x:.3g}"), "f")


def percent(x):
    """A share as a percentage, three significant digits, never an exponent.

    >>> percent(0.2345), percent(0.000123), percent(1.0), percent(0.0)
    ('23.4%', '0.0123%', '100%', '0%')
    """
    return "0%" if x == 0 else f"{sig(100 * x, 3)}%"


def paren(text):
    """Negative numbers in brackets inside a sum, as on paper: '−3' -> '(−3)'."""
    return f"({text})" if text.startswith("−") else text


def count(n, word, plural=None):
    """'1 turn', '3 turns', '1,200 points'.

    >>> count(1, "turn"), count(3, "turn"), count(2, "child", "children")
    ('1 turn', '3 turns', '2 children')
    """
    return f"{n:,} {word if n == 1 else plural or word + 's'}"
