"""How the essay writes numbers: one vocabulary for every figure.

A real minus sign (−), no exponents (a general reader may not know them), thousands
separators for large numbers, and "—" for a number that does not exist yet. A number too
large or too small for its digits to be counted (a reader's function may make one) is
written as a power of ten, "1.0 × 10³⁰⁸", and a value that is not a number at all (NaN, or
an infinity where no words fit) is never written: NotFinite is raised, so the page shows a
message instead of "nan".

>>> signed(-0.3, 1), sig(-0.000041237), big(152345.6), short(1.6e6), loss(None)
('−0.3', '−0.0000412', '152,346', '1.6M', '—')
"""

import math
from decimal import Decimal

HUGE = 1e15  # past a thousand trillion, digits are more than a reader can count
TINY_DECIMALS = 12  # a number that needs more decimals than this is written as a power of ten
TOO_LARGE = "too large to write down"
SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


class NotFinite(ValueError):
    """A value that is not a number (NaN) or is infinite reached the page's text."""


def finite(x):
    """`x` as a float, or NotFinite: the text must never say "nan" or "inf".

    >>> finite(float("nan"))
    Traceback (most recent call last):
        ...
    llmexplain.demos.format.NotFinite: a number came out as NaN (not a number), which cannot be shown
    """
    x = float(x)
    if math.isnan(x):
        raise NotFinite("a number came out as NaN (not a number), which cannot be shown")
    if math.isinf(x):
        raise NotFinite("a number came out infinite, which cannot be shown")
    return x


def power(x, digits=2):
    """A power of ten with a real minus sign: for numbers whose digits cannot be counted.

    >>> power(1e308), power(-5e-324), power(6.02e23, 3)
    ('1.0 × 10³⁰⁸', '−4.9 × 10⁻³²⁴', '6.02 × 10²³')
    """
    mantissa, exponent = f"{finite(x):.{digits - 1}e}".split("e")
    return f"{mantissa.replace('-', '−')} × 10{str(int(exponent)).translate(SUPERSCRIPT)}"


def signed(x, decimals):
    """Fixed decimals with a real minus sign; a value that rounds to zero has no sign.

    >>> signed(-0.3, 1), signed(0.0, 2), signed(-0.001, 2)
    ('−0.3', '0.00', '0.00')
    >>> signed(1e308, 2)  # not 309 digits
    '1.0 × 10³⁰⁸'
    """
    if abs(finite(x)) >= HUGE:
        return power(x)
    text = f"{x:.{decimals}f}"
    if float(text) == 0:
        text = text.lstrip("-")
    return text.replace("-", "−")


def sig(x, digits=3):
    """`digits` significant digits without exponents.

    >>> sig(-0.000041237), sig(12.345), sig(0.0)
    ('−0.0000412', '12.3', '0.000')
    >>> sig(5e-324)  # not "0.000000000000"
    '4.94 × 10⁻³²⁴'
    """
    if finite(x) == 0:
        return signed(0.0, digits)
    decimals = max(digits - 1 - math.floor(math.log10(abs(x))), 0)
    return signed(x, decimals) if decimals <= TINY_DECIMALS else power(x, digits)


def big(x):
    """Large numbers with thousands separators; past HUGE, a power of ten.

    >>> big(152345.6), big(1e308), big(float("inf"))
    ('152,346', '1.0 × 10³⁰⁸', 'too large to write down')
    """
    if x == math.inf:
        return TOO_LARGE
    return f"{x:,.0f}".replace("-", "−") if abs(finite(x)) < HUGE else power(x)


def loss(x, decimals=4):
    """A loss: fixed decimals, or with separators once it is huge; "—" when there is none."""
    if x is None:
        return "—"
    return big(x) if abs(x) >= 1e4 else signed(x, decimals)


def short(x):
    """A tick label that fits beside an axis: 0.1678, 12.3, 159k, 1.6M."""
    if finite(x) >= HUGE:
        return power(x)
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
    if not 10**-TINY_DECIMALS <= abs(finite(x)) < HUGE:
        return sig(x) if x else "0"
    return format(Decimal(f"{x:.3g}"), "f")


def percent(x):
    """A share as a percentage, three significant digits, never an exponent.

    >>> percent(0.2345), percent(0.000123), percent(1.0), percent(0.0)
    ('23.4%', '0.0123%', '100%', '0%')
    """
    if abs(finite(x)) >= HUGE:
        return f"{power(x)} × 100%"
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


GROUPS = ("", "thousand", "million", "billion", "trillion")


def _group(k):
    """The name of 1000**k built from words a reader knows: past a trillion they repeat
    (k = 7: a billion trillion; k = 8: a trillion trillion)."""
    return GROUPS[k] if k <= 4 else f"{_group(k - 4)} trillion"


LARGE_WORDS = 1e30  # past this, large() writes a power of ten: the names would repeat on


def large(x, digits=3):
    """A count of any size in words, `digits` significant digits: past a trillion the names
    repeat, so a trillion trillion is a 1 followed by 24 zeros; past LARGE_WORDS, a power of
    ten.

    >>> large(742), large(123456), large(1.5e6), large(3.15e23), large(3.79e25)
    ('742', '123,000', '1.5 million', '315 billion trillion', '37.9 trillion trillion')
    >>> large(2.5e15), large(999.96e9), large(2.788e6, 4)  # rounding may move the name
    ('2,500 trillion', '1 trillion', '2.788 million')
    >>> large(1e308)  # past a million trillion trillion the names would repeat on and on
    '1.00 × 10³⁰⁸'
    """
    if x == math.inf:
        return TOO_LARGE
    if finite(x) >= LARGE_WORDS:
        return power(x, digits)
    if x < 1:
        return sig(x, digits)
    x = float(f"{x:.{digits}g}")  # round first: 999.96 billion is 1 trillion
    k = (len(str(int(x))) - 1) // 3  # whole groups of three digits
    if k <= 1:  # under a million: the digits themselves
        text = f"{x:,.{max(0, digits - len(str(int(x))))}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    m = x / 1000**k
    if k >= 5 and k % 4 == 1:  # a "thousand trillion…": say "2,500 trillion" instead
        return f"{round(m * 1000):,} {_group(k - 1)}"
    return f"{m:.{digits}g} {_group(k)}"


def duration(seconds):
    """A length of time in the unit a person would use, three significant digits.

    >>> duration(0.2), duration(1), duration(45.67), duration(3000), duration(86400 * 3.5)
    ('less than a second', '1 second', '45.7 seconds', '50 minutes', '3.5 days')
    >>> duration(3.1557600e10), duration(3.1557600e16)
    ('1,000 years', '1 billion years')
    """
    if finite(seconds) < 1:
        return "less than a second"
    year = 365.25 * 86400
    for unit, size in (("year", year), ("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            break
    else:
        unit, size = "second", 1
    n = seconds / size
    shown = large(n) if unit == "year" and n >= 1000 else f"{n:.3g}"
    return f"{shown} {unit}{'' if shown == '1' else 's'}"
