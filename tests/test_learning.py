"""The learning loop: its math against independent checks, and its demo under CPython."""

import itertools
import json
import math

import numpy as np
import pytest
from conftest import central_differences

from llmexplain import learning, page
from llmexplain.demos import learning_figures as figures
from llmexplain.demos import learning_loop as loop
from llmexplain.demos import learning_words as words
from llmexplain.demos.controls import InputError
from llmexplain.demos.learning_loop import LearningLoop


def random_problem(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 30))
    return rng.normal(size=n), rng.normal(size=n), rng.normal(size=2) * 3  # x, y, w


def normal_equations(x, y):
    """Least squares solved by hand: the 2×2 system [Σx² Σx; Σx n] w = [Σxy; Σy], by Cramer."""
    sxx, sx, n, sxy, sy = np.sum(x * x), np.sum(x), len(x), np.sum(x * y), np.sum(y)
    det = sxx * n - sx * sx
    return np.array([(sxy * n - sx * sy) / det, (sxx * sy - sx * sxy) / det])


def run(w, x, y, lr, turns):
    return list(itertools.islice(learning.train(w, x, y, lr), turns))


# ---------------------------------------------------------------- the math

@pytest.mark.parametrize("seed", range(20))
def test_gradient_matches_central_differences(seed):
    x, y, w = random_problem(seed)
    numeric = central_differences(lambda: learning.loss(w, x, y), w)
    # atol only guards a component that happens to be near 0, where rtol means nothing.
    np.testing.assert_allclose(learning.gradient(w, x, y), numeric, rtol=1e-5, atol=1e-9)


@pytest.mark.parametrize("seed", range(5))
def test_hessian_matches_differences_of_the_gradient(seed):
    x, y, w = random_problem(seed)
    columns = central_differences(lambda: learning.gradient(w, x, y), w, h=1e-5).T
    np.testing.assert_allclose(learning.hessian(x), columns, rtol=1e-6, atol=1e-9)


def test_train_step_is_predict_loss_gradient_update():
    x, y, w = random_problem(1)
    turn = learning.train_step(w, x, y, lr=0.1)
    np.testing.assert_allclose(turn["y_hat"], w[0] * x + w[1])
    assert turn["loss"] == pytest.approx(np.mean((w[0] * x + w[1] - y) ** 2))
    np.testing.assert_allclose(turn["w"], w - 0.1 * turn["grad"])


@pytest.mark.parametrize("seed", range(5))
def test_a_good_learning_rate_reaches_the_least_squares_line(seed):
    x, y = learning.make_data(np.random.default_rng(seed), 10)
    expected = normal_equations(x, y)
    lr = 0.5 * learning.stable_limit(x)
    steps = run([-0.5, 0.9], x, y, lr, 3000)
    assert not any(m["diverged"] for m in steps)
    np.testing.assert_allclose(steps[-1]["w"], expected, atol=1e-8)
    assert steps[-1]["loss"] == pytest.approx(learning.loss(expected, x, y), rel=1e-9)
    losses = [m["loss"] for m in steps]
    # below the stable limit the loss only ever goes down (up to rounding, once it is there)
    assert all(b <= a * (1 + 1e-12) for a, b in itertools.pairwise(losses))
    np.testing.assert_allclose(learning.best_fit(x, y), expected, atol=1e-12)


@pytest.mark.parametrize("lr", [10.0, 1e3, 1e150, 1e300, 1.7e308])
def test_a_huge_learning_rate_is_reported_as_diverged_and_no_nan_escapes(lr):
    x, y = learning.make_data(np.random.default_rng(0), 8)
    steps = run([0.0, 0.0], x, y, lr, 10_000)
    assert len(steps) < 10_000 and steps[-1]["diverged"]
    assert not any(m["diverged"] for m in steps[:-1])
    for m in steps:
        assert np.isfinite(m["w"]).all() and math.isfinite(m["loss"])
    assert steps[-1]["loss"] <= 1e6 * learning.loss([0.0, 0.0], x, y)


def test_the_stable_limit_is_where_learning_turns_into_divergence():
    x, y = learning.make_data(np.random.default_rng(3), 8)
    limit = learning.stable_limit(x)
    below = run([0.0, 0.0], x, y, 0.95 * limit, 5000)
    assert not below[-1]["diverged"]
    assert below[-1]["loss"] == pytest.approx(learning.loss(normal_equations(x, y), x, y))
    above = run([0.0, 0.0], x, y, 1.05 * limit, 5000)
    assert above[-1]["diverged"] and len(above) < 5000


def test_randomness_comes_only_from_the_rng_passed_in():
    a = learning.make_data(np.random.default_rng(7), 5)
    np.random.seed(0)  # a global seed changes nothing
    b = learning.make_data(np.random.default_rng(7), 5)
    c = learning.make_data(np.random.default_rng(8), 5)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert np.all((a[1] >= 0) & (a[1] <= 1))


# ---------------------------------------------------------------- the demo

def test_step_runs_exactly_one_turn_of_the_core():
    d = LearningLoop()
    start = d.w.copy()
    d.handle("step", None)
    expected = learning.train_step(start, d.x, d.y, d.lr)
    assert d.steps == 1
    np.testing.assert_allclose(d.w, expected["w"])
    shown = d.render()["text"]
    assert shown["steps"] == "1"
    assert shown["phase-2"].endswith(f"= {expected['loss']:.4f}.")
    assert shown["loss"] == f"{learning.loss(expected['w'], d.x, d.y):.4f}"
    assert "flash" in d.render()["attrs"]["phases"]["class"]


def test_tick_does_a_bounded_amount_of_work_and_only_while_playing():
    d = LearningLoop()
    d.handle("tick", None)
    assert d.steps == 0
    d.handle("play", None)
    assert d.render()["running"] and d.render()["attrs"]["btn-play"]["data-action"] == "pause"
    d.handle("tick", None)
    assert d.steps == loop.STEPS_PER_TICK
    d.handle("pause", None)
    d.handle("tick", None)
    assert d.steps == loop.STEPS_PER_TICK and not d.render()["running"]


def test_play_settles_at_the_best_line():
    d = LearningLoop()
    d.handle("play", None)
    for _ in range(2000):
        d.handle("tick", None)
        if not d.playing:
            break
    assert d.status == "settled"
    np.testing.assert_allclose(d.w, normal_equations(d.x, d.y), atol=1e-4)
    assert "Settled" in d.render()["text"]["status"]


def test_divergence_is_caught_explained_and_reset_recovers():
    page.create("L", "learning", json.dumps({"lr": 10.0}))
    page.event("L", "play", None)
    for _ in range(100):
        reply = json.loads(page.event("L", "tick", None))  # allow_nan=False: NaN would raise
        if not reply["running"]:
            break
    text = reply["text"]
    assert reply["attrs"]["status"]["class"] == "status is-diverged"
    assert "too large" in text["status"] and "Reset" in text["status"]
    assert not any(w in json.dumps(reply).lower() for w in ("nan", "infinity"))
    assert reply["attrs"]["btn-step"]["aria-disabled"] == "true"
    steps = text["steps"]
    assert json.loads(page.event("L", "step", None))["text"]["steps"] == steps  # ignored
    after = json.loads(page.event("L", "reset", None))
    assert after["text"]["steps"] == "0" and after["attrs"]["status"]["class"] == "status is-ready"
    assert after["attrs"]["btn-step"]["aria-disabled"] is None


def test_the_shown_zones_follow_the_stable_limit():
    limit = 0.8
    assert words.zone(0.9, limit)[0] == "large" and words.zone(0.8, limit)[0] == "large"
    assert words.zone(0.79, limit)[0] == words.zone(0.08, limit)[0] == "good"
    assert words.zone(0.079, limit)[0] == "small"
    d = LearningLoop()
    text = d.render()["text"]
    assert text["limit"].endswith(f"{learning.stable_limit(d.x):.2f}")


def test_points_can_be_added_selected_moved_and_removed():
    d = LearningLoop(n=3)
    before = d.loss_at(d.w)
    d.handle("point", "2")
    d.handle("py", "0.95")
    assert d.y[2] == 0.95 and d.loss_at(d.w) != before
    assert d.render()["text"]["point-2"] == f"point 3: x {d.x[2]:.2f}, y 0.95"
    while len(d.x) < loop.MAX_POINTS:
        d.handle("add", None)
    shown = d.render()
    assert shown["attrs"]["btn-add"]["aria-disabled"] == "true"
    assert shown["values"]["point"] == str(loop.MAX_POINTS - 1)
    assert not any(a["hidden"] for k, a in shown["attrs"].items() if k.startswith("point-"))
    d.handle("add", None)
    assert len(d.x) == loop.MAX_POINTS
    while len(d.x) > loop.MIN_POINTS:
        d.handle("remove", None)
    shown = d.render()
    assert shown["attrs"]["btn-remove"]["aria-disabled"] == "true"
    assert shown["attrs"][f"point-{loop.MIN_POINTS}"] == {"hidden": True, "disabled": True}
    with pytest.raises(InputError):
        d.handle("point", str(loop.MIN_POINTS))
    with pytest.raises(InputError):
        d.handle("px", "nan")


def test_moving_data_while_playing_carries_on_from_the_current_weights():
    d = LearningLoop()
    d.handle("play", None)
    d.handle("tick", None)
    w = d.w.copy()
    d.handle("px", "0.5")
    assert d.playing and d.steps == loop.STEPS_PER_TICK
    np.testing.assert_array_equal(d.w, w)
    assert d.curve == [(loop.STEPS_PER_TICK, d.loss_at(w))]  # a new trail on the new landscape


def test_points_stacked_on_one_x_make_a_flat_valley_and_still_render():
    d = LearningLoop(n=2)
    for i in range(2):
        d.handle("point", str(i))
        d.handle("px", "0.4")
    d.handle("play", None)
    for _ in range(300):
        json.dumps(d.render(), allow_nan=False)
        d.handle("tick", None)
    assert d.status == "settled"


@pytest.mark.parametrize("k", [0, 3, 7])
def test_contour_ellipses_are_drawn_where_the_loss_has_that_value(k):
    d = LearningLoop()
    lo, hi = d.window
    scale = figures.LAND_W / (hi[0] - lo[0])  # the same on both axes
    excess = 0.05 * 0.25**k
    (rx, ry), angle = figures.ellipse(learning.hessian(d.x), scale, excess)
    centre = figures.to_px(d.window, d.best)
    a = math.radians(angle)
    for t in np.linspace(0, 2 * np.pi, 7):  # points on the drawn ellipse, back to weights
        p = centre + rx * math.cos(t) * np.array([math.cos(a), math.sin(a)]) \
            + ry * math.sin(t) * np.array([-math.sin(a), math.cos(a)])
        w = lo + np.array([p[0] / scale, (figures.LAND_H - p[1]) / scale])
        assert learning.loss(w, d.x, d.y) == pytest.approx(d.loss_at(d.best) + excess, rel=1e-9)


def test_a_press_on_empty_plot_adds_a_point_there_and_a_drag_moves_it():
    d = LearningLoop(n=3)
    d.x[:], d.y[:] = [0.1, 0.5, 0.9], [0.1, 0.5, 0.9]
    d.handle("drag-start", [0.25, 0.1])  # fractions from the top left, so y counts down
    assert (d.x[-1], d.y[-1]) == (0.25, 0.9) and d.selected == 3
    d.handle("drag", [0.3, 0.2])
    assert (d.x[-1], d.y[-1]) == (0.3, 0.8) and len(d.x) == 4
    for bad in ([1.5, 0.2], ["x", 0.2], None, [float("nan"), 0.5]):
        with pytest.raises(InputError):
            d.handle("drag-start", bad)
    assert len(d.x) == 4


def test_a_press_near_a_point_picks_it_up_and_the_line_learns_the_new_data():
    d = LearningLoop(n=3)
    d.x[:], d.y[:] = [0.1, 0.5, 0.9], [0.1, 0.5, 0.9]
    d.handle("drag-start", [0.52, 0.48])  # within reach of (0.5, 0.5)
    assert d.selected == 1 and len(d.x) == 3
    d.handle("drag", [0.5, 0.0])
    assert (d.x[1], d.y[1]) == (0.5, 1.0)
    assert np.allclose(d.best, np.polyfit(d.x, d.y, 1))  # least squares on the moved data
    d.selected, d.grabbed = 0, False
    d.handle("drag", [0.0, 0.0])  # no press first: nothing moves
    assert (d.x[0], d.y[0]) == (0.1, 0.1)


def test_a_full_plot_refuses_a_new_point_and_grabs_nothing():
    d = LearningLoop(n=loop.MAX_POINTS)
    d.x[:] = d.y[:] = np.linspace(0, 0.3, loop.MAX_POINTS)
    d.handle("drag-start", [0.9, 0.1])
    assert len(d.x) == loop.MAX_POINTS and "at most" in d.note
    before = d.x.copy()
    d.handle("drag", [0.5, 0.5])
    assert (d.x == before).all()


def test_at_divergence_the_words_and_the_counters_agree():
    d = LearningLoop(lr=10.0)
    d.handle("play", None)
    while d.run.running:
        d.handle("tick", None)
    text = d.render()["text"]
    turns = int(text["steps"])
    assert text["status"].startswith(f"Stopped after turn {turns}: the learning rate is too large")
    assert f"to {text['loss']} now, and turn {turns + 1} would have taken it to " in text["status"]
    first = words.diverged_text(0, 0.15, 0.15, 2e6)  # had the very first turn run away
    assert first.startswith("Stopped before its first turn")
    assert "the first turn would have taken it from 0.1500 to 2,000,000" in first


def test_each_plot_says_what_to_look_for():
    d = LearningLoop()
    before = d.render()["text"]
    assert before["notice-fit"].startswith("A poor first guess")
    d.handle("play", None)
    while d.run.running:
        d.handle("tick", None)
    after = d.render()["text"]
    assert d.run.status == "settled"
    assert after["notice-fit"] == "The line fits the points as well as a straight line can."
    assert after["notice-curve"].startswith("The loss has come down to the best possible")
