"""Chapter 1's figure: what the text asks the reader to try, it shows."""

import re

import numpy as np
import pytest

from llmexplain import neuron as nn
from llmexplain.demos import weights_figure as fig
from llmexplain.demos.weights import Weights


def boundary(svg):
    """The dashed line's two ends, in inputs (warmth, rain), or None."""
    m = re.search(r'<line x1="([\d.-]+)" y1="([\d.-]+)" x2="([\d.-]+)" y2="([\d.-]+)" '
                  r'class="boundary"', svg)
    if not m:
        return None
    x1, y1, x2, y2 = map(float, m.groups())
    return [((x - fig.PAD) / fig.SCALE + fig.VIEW[0], fig.VIEW[1] - y / fig.SCALE)
            for x, y in ((x1, y1), (x2, y2))]


def test_turning_the_rain_weight_up_past_zero_swings_the_line_round():
    """The text: "Try turning the rain weight up past zero: the neuron starts to like rain,
    and the dividing line on the right swings round." From the figure's start (the essay's
    own numbers), every notch from −3 to +3 keeps the line in the plot, turning it round."""
    d = Weights()
    assert (d.state["w2"], d.state["b"]) == (-3.0, 0.2)  # as the essay starts it
    angles = []
    for w2 in np.arange(-3.0, 3.05, 0.1):
        d.handle("w2", f"{w2:.1f}")
        shown = d.render()
        ends = boundary(shown["svg"]["plane"])
        assert ends, f"no line at w2 = {w2:.1f}"
        for p in ends:  # on the line, and within the plot
            assert nn.weighted_sum(p, [2.0, w2], 0.2) == pytest.approx(0, abs=1e-3)
            assert all(fig.VIEW[0] - 1e-6 <= v <= fig.VIEW[1] + 1e-6 for v in p)
        (ax, ay), (bx, by) = ends
        angles.append(np.degrees(np.arctan2(by - ay, bx - ax)) % 180)
        if round(w2, 1) > 0:
            assert "more rain says go" in shown["text"]["notice"]
    assert np.all(np.diff(angles) > 0)  # it turns one way all along ...
    assert angles[0] < 90 < angles[-1]  # ... through upright: it has swung round


def test_both_regions_are_labelled_on_their_own_side():
    shown = Weights().render()["svg"]["plane"]
    labels = re.findall(r'<text x="([\d.]+)" y="([\d.]+)" class="region-label (is-yes|is-no)"'
                        r'[^>]*>([^<]+)<', shown)
    assert sorted(w for *_, w in labels) == ["go for a walk", "stay in"]
    for x, y, kind, _ in labels:
        p = ((float(x) - fig.PAD) / fig.SCALE + fig.VIEW[0], fig.VIEW[1] - float(y) / fig.SCALE)
        assert 0 <= p[0] <= 1 and 0 <= p[1] <= 1  # inside the square the sliders reach
        assert (nn.weighted_sum(p, [2.0, -3.0], 0.2) > 0) == (kind == "is-yes")


@pytest.mark.parametrize("activation,threshold", [
    ("sigmoid", "above 0.5"), ("step", "of 1"), ("relu", "above 0"), ("linear", "above 0")])
def test_the_threshold_is_said_for_every_activation(activation, threshold):
    text = Weights(activation=activation).render()["text"]
    assert text["threshold"].startswith(f"Threshold: an output {threshold}")
    if activation == "relu":
        assert "an output of 0 means stay in" in text["threshold"]
