"""A few helpers to write SVG as text; every string that reaches the page goes through `esc`.

Colours come from CSS classes (the site's stylesheet handles light and dark), never
from inline styles, which the page's Content-Security-Policy forbids.
"""

from html import escape


def esc(text):
    return escape(str(text), quote=True)


def num(x):
    """Coordinates with two decimals keep the SVG small."""
    return f"{x:.2f}".rstrip("0").rstrip(".")


def tag(name, body="", **attrs):
    """<name a="1">body</name>; a trailing underscore in a key is dropped (class_)."""
    parts = "".join(
        f' {k.rstrip("_").replace("_", "-")}="{esc(v)}"' for k, v in attrs.items() if v is not None
    )
    return f"<{name}{parts}>{body}</{name}>" if body else f"<{name}{parts}/>"


def points(xy):
    return " ".join(f"{num(x)},{num(y)}" for x, y in xy)


def svg(body, width, height, label):
    """A scalable figure with an accessible name."""
    return tag(
        "svg", f"<title>{esc(label)}</title>{body}",
        viewBox=f"0 0 {num(width)} {num(height)}", role="img", class_="figure",
        xmlns="http://www.w3.org/2000/svg",
    )
