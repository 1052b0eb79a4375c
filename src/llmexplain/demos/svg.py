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


def axes(left, top, width, height, xticks, yticks, xlabel, ylabel):
    """Tick labels at both ends of each axis, and the two axis names."""
    bottom, mid = top + height, top + height / 2
    out = ""
    for t, x, anchor in zip(xticks, (left, left + width), ("start", "end")):
        out += tag("text", t, x=num(x), y=num(bottom + 12), class_="tick", text_anchor=anchor)
    for t, y in zip(yticks, (bottom, top)):
        out += tag("text", t, x=num(left - 4), y=num(y + 4), class_="tick", text_anchor="end")
    out += tag("text", xlabel, x=num(left + width / 2), y=num(bottom + 25), class_="axis-label",
               text_anchor="middle")
    out += tag("text", ylabel, x="11", y=num(mid), class_="axis-label", text_anchor="middle",
               transform=f"rotate(-90 11 {num(mid)})")
    return out
