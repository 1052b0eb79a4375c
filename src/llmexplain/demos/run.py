"""Play, Pause, Step and the tick: the one loop behind every figure that runs.

A figure that runs (the learning loop, the playground; generating text and training a
language model next) keeps a `Run`: its status, how many steps it has taken, where it
stopped. While the status is "running" the page sends a tick each animation frame, and
each tick does as much work as fits: a fixed number of steps, or steps until a time budget
is spent, at most one step per `every` seconds. A step reports how it went; a runaway (the
learning rate is too large) or a finish stops the run, and the figure says why.

>>> run = Run("turn")
>>> run.play()
True
>>> run.advance(lambda: None, n=3)
'ran'
>>> run.steps, status_words(run, ready="Ready.", running="Learning…", where="after")
(3, 'Learning…')
>>> run.pause()
True
>>> status_words(run, ready="Ready.", running="Learning…", where="after")
'Paused after 3 turns.'
"""

import time

import numpy as np

from .format import count

RUNAWAY = 1e6  # a million times worse than at the start: the steps are not converging


def runaway(value, start=1.0):
    """Whether `value` (a number or an array) has run away: it is not finite, or some part
    of it is more than RUNAWAY times `start` in size.

    >>> runaway(5.0), runaway(float("nan")), runaway(np.array([1.0, -2e6]))
    (False, True, True)
    """
    value = np.asarray(value, dtype=float)
    with np.errstate(invalid="ignore"):
        return bool(not np.isfinite(value).all() or np.abs(value).max(initial=0) > RUNAWAY * start)


class Run:
    """The state of a loop the reader plays, pauses and steps."""

    def __init__(self, unit):
        self.unit = unit  # what one step is called: "turn", "step", "token"
        self.reset()

    def reset(self):
        self.status = "ready"  # ready | running | paused | settled | diverged | done
        self.steps = 0
        self.stopped_at = None  # the step at which it diverged
        self.last_step = -float("inf")  # clock time of the last step, for `every`

    @property
    def running(self):
        return self.status == "running"

    @property
    def stopped(self):
        """Diverged or done: only Reset (or new settings) starts it again."""
        return self.status in ("diverged", "done")

    def play(self):
        """Start running; False (and no change) if the run cannot go on."""
        if self.stopped:
            return False
        self.status = "running"
        return True

    def pause(self):
        """Stop running, keeping everything; False if it was not running."""
        if not self.running:
            return False
        self.status = "paused"
        return True

    def advance(self, step, n=None, budget=None, every=0.0, clock=time.perf_counter):
        """Take steps: `n` of them, or as many as fit in `budget` seconds (at least one), at
        most one per `every` seconds. `step()` returns None to go on, or "settled", "done"
        or "diverged" to stop. Returns that reason, "ran", or "waiting" (too soon to step).
        """
        start = clock()
        if every and start - self.last_step < every:
            return "waiting"
        taken = 0
        while True:
            outcome = step()
            if outcome == "diverged":
                self.status, self.stopped_at = "diverged", self.steps + 1
                return outcome
            self.steps += 1
            taken += 1
            self.last_step = clock()
            if outcome in ("settled", "done"):
                self.status = outcome
                return outcome
            if every or (n is not None and taken >= n) or (budget is not None and
                                                           self.last_step - start >= budget):
                return "ran"


def status_words(run, ready, running, where="after", progress=None):
    """The status line of a run, in the figure's own words for ready and running.

    `progress` (default: the steps taken) says how far it got: "after 12 turns" or, with
    where="at" and progress="epoch 3", "at epoch 3".
    """
    progress = progress or count(run.steps, run.unit)
    return {"ready": ready, "running": running, "paused": f"Paused {where} {progress}.",
            "settled": f"Settled {where} {progress}.", "done": f"Finished {where} {progress}.",
            "diverged": f"Stopped {where} {progress}."}[run.status]


def diverged_words(at, why):
    """Why a run stopped, and what to do: the same advice in every figure."""
    return (f"Stopped {at}: the learning rate is too large. {why} Pick a smaller learning "
            f"rate and press Reset.")


def thin(history, keep):
    """Halve a history that grew past `keep` entries, keeping its first and last.

    >>> h = list(range(9)); thin(h, 8); h
    [0, 2, 4, 6, 8]
    """
    if len(history) > keep:
        history[:] = history[:-1:2] + history[-1:]
