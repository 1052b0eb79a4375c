"""The stylesheet's colours, held to the contrast they need, computed from the CSS itself."""

import re
from pathlib import Path

import pytest

CSS = (Path(__file__).resolve().parent.parent / "static" / "style.css").read_text()


def variables(block):
    """{name: (r, g, b, a)} for the colour custom properties in a block of CSS."""
    out = {}
    for name, value in re.findall(r"--([\w-]+):\s*([^;]+);", block):
        if m := re.fullmatch(r"#([0-9a-f]{6})", value.strip(), re.IGNORECASE):
            out[name] = (*(int(m.group(1)[i:i + 2], 16) for i in (0, 2, 4)), 1.0)
        elif m := re.fullmatch(r"rgba\((\d+),\s*(\d+),\s*(\d+),\s*([\d.]+)\)", value.strip()):
            out[name] = (*(int(v) for v in m.groups()[:3]), float(m.group(4)))
    return out


def schemes():
    """The page's colours in light and in dark (dark overrides light)."""
    light = variables(re.search(r"^:root \{(.*?)^\}", CSS, re.DOTALL | re.MULTILINE).group(1))
    dark_block = re.search(r"@media \(prefers-color-scheme: dark\) \{\s*:root \{(.*?)\}",
                           CSS, re.DOTALL).group(1)
    return {"light": light, "dark": {**light, **variables(dark_block)}}


def over(top, bottom):
    """A translucent colour laid over an opaque one."""
    a = top[3]
    return (*(a * t + (1 - a) * b for t, b in zip(top[:3], bottom[:3])), 1.0)


def luminance(colour):
    def channel(v):
        v /= 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(v) for v in colour[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b):
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_contrast_sum_is_right():
    assert contrast((0, 0, 0, 1), (255, 255, 255, 1)) == pytest.approx(21)
    assert contrast((119, 119, 119, 1), (255, 255, 255, 1)) == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_focus_ring_stands_out_at_least_3_to_1_against_every_background(scheme):
    c = schemes()[scheme]
    grounds = {"page": c["bg"], "figure": c["panel"]}
    for fill in ("yes-fill", "no-fill"):  # status lines and table rows, on either
        grounds |= {f"{fill} on page": over(c[fill], c["bg"]),
                    f"{fill} on figure": over(c[fill], c["panel"])}
    low = {name: round(contrast(c["focus"], g), 2) for name, g in grounds.items()
           if contrast(c["focus"], g) < 3}
    assert not low, f"{scheme}: the focus ring is under 3:1 against {low}"


def test_every_focused_control_gets_the_ring():
    ring = re.search(r"^:focus-visible \{ outline: (\d+)px solid var\(--focus\);", CSS,
                     re.MULTILINE)
    assert ring and int(ring.group(1)) >= 2
    assert not re.search(r"outline:\s*(none|0)\b", CSS)
    # A rule that draws its own outline on something focusable puts the ring back on focus.
    assert ".tokenizer .chip.partial:focus-visible { outline: 3px solid var(--focus);" in CSS
