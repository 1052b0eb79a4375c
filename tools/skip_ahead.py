#!/usr/bin/env python3
"""Chapter 7's training run computed ahead: data/train-lm-step{250,1000,3000}.npz (+ .md).

    OPENBLAS_NUM_THREADS=1 .venv/bin/python -m tools.skip_ahead     run (or resume), write
    .venv/bin/python -m tools.skip_ahead --fresh                    ignore saved progress
    .venv/bin/python -m tools.skip_ahead --stop-after 500           stop early, as if interrupted

The figure's own run (llmexplain.demos.train_lm.TrainLM with seed 1: its restart, its _step,
the same batches, held-out scores and samples) played under CPython, saved at each step of
train_lm_ahead.STEPS with train_lm_ahead.save, for the page to load and go on from. Progress
is saved in the build cache every minute in the same form, so an interrupted run carries on
to the same files. Deterministic on a given machine; the card records the CPU time.
"""

import argparse
import hashlib
import importlib
import json
import os
import sys
import time
from dataclasses import asdict
from pathlib import Path
from unittest import mock

import numpy as np

from llmexplain import fast_train as ft
from llmexplain.demos import train_lm as tl
from llmexplain.demos import train_lm_ahead as ahead
from tooling import DEFAULT_CACHE, ROOT
from tooling.data import data_dir
from tooling.fetch import sha256
from tools.train_lm import Progress, say

CARD = "train-lm-ahead.md"
# The code the run is made of: progress saved by other code is not resumed (a faster step
# that adds in another order makes another run).
CODE = ("fast_train.py", "lm_training.py", "transformer.py", "transformer_backward.py",
        "sampling.py", "demos/train_lm.py", "demos/train_lm_ahead.py")


def sources():
    """The files the run reads, by name -> sha256."""
    return {name: sha256(ROOT / "data" / name) for name in (tl.TEXT, tl.TOKENIZER)}


def run(out, progress_file, stop_after=None, resume=True, save_seconds=60.0):
    """Play the figure's run to the last of ahead.STEPS, writing `out`/name(step) at each,
    resuming from `progress_file` if it exists (and resume is on). Returns the run's facts
    {"at": {step: {"heldout", "sample", "cpu_seconds"}}, "cpu_seconds", "done"}; CPU time
    counts every session, the held-out scores and samples included."""
    demo = tl.TrainLM(seed=ahead.SEED)
    info = {"at": {}, "cpu_seconds": 0.0}
    if resume and progress_file.exists():
        saved = ahead.load(progress_file)
        demo._continue(saved)
        info = saved["info"]
        say(f"resuming at step {demo.run.steps:,} from {progress_file}")
    last = ahead.STEPS[-1]
    progress = Progress(last, demo.run.steps)
    session, saved_at, here = time.process_time(), time.perf_counter(), 0

    def cpu():
        return info["cpu_seconds"] + time.process_time() - session

    def save():
        ahead.save(progress_file, **demo._saved(), **{**info, "cpu_seconds": cpu()})

    demo.handle("play", None)
    while demo.run.steps < last:
        outcome = demo.run.advance(demo._step, n=1)
        if outcome == "diverged":
            raise SystemExit(f"the run diverged at step {demo.run.steps + 1}")
        here += 1
        step = demo.run.steps
        progress.update(step, demo.train_curve[-1][1], force=step == last)
        if step in ahead.STEPS:
            ahead.save(out / ahead.name(step), **demo._saved(), seed=ahead.SEED)
            info["at"][str(step)] = {"heldout": demo.heldout_curve[-1][1],
                                     "sample": demo.samples[-1][1], "cpu_seconds": cpu()}
            progress.note(f"step {step:,}: held-out {demo.heldout_curve[-1][1]:.3f} bits per "
                          f"character; wrote {out / ahead.name(step)}")
        if stop_after and here >= stop_after and step < last:
            save()
            progress.note(f"stopped after {here:,} steps; run again to resume")
            return {**info, "done": False}
        if time.perf_counter() - saved_at > save_seconds:
            save()
            saved_at = time.perf_counter()
    if here:
        save()
    return {**info, "cpu_seconds": cpu(), "done": True}


def drift(data):
    """How far the same run drifts from the stored one when its float32 sums go in the page's
    order: fast_train's matrix kernels as Pyodide gets them (einsum), under CPython. -> the
    largest difference of any held-out score over the run, and of any weight at its end,
    and how many of the samples kept at the end are the same."""
    with mock.patch.object(sys, "platform", "emscripten"):
        importlib.reload(ft)  # the page's kernels, in the module the figure calls
    try:
        demo = tl.TrainLM(seed=ahead.SEED)
        demo.handle("play", None)
        while demo.run.steps < ahead.STEPS[-1]:
            demo.run.advance(demo._step, n=1)
    finally:
        importlib.reload(ft)
    stored = ahead.load(data / ahead.name(ahead.STEPS[-1]))
    return {"heldout": max(abs(a - b) for (_, a), (_, b) in zip(demo.heldout_curve,
                                                                  stored["heldout"])),
            "weights": max(float(np.abs(demo.weights[k] - w).max())
                           for k, w in stored["weights"].items()),
            "samples": sum(a == b for a, b in zip(demo.samples, stored["samples"]))}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="start afresh, ignoring progress")
    parser.add_argument("--stop-after", type=int, help="stop after this many steps this session")
    parser.add_argument("--out", type=Path, default=ROOT / "data", help="folder to write into")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="build cache")
    args = parser.parse_args(argv)
    os.environ.setdefault("LLMEXPLAIN_DATA", str(data_dir(args.cache)))
    hashes = sources()
    code = {name: sha256(ROOT / "src" / "llmexplain" / name) for name in CODE}
    settings = {"config": asdict(tl.CONFIG), "hyper": asdict(tl.HYPER), "seed": ahead.SEED,
                "steps": ahead.STEPS, "sources": hashes, "code": code}
    key = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:12]
    progress_file = args.cache / f"train-lm-ahead-{key}.npz"
    say(f"the training figure's run, seed {ahead.SEED}, to step {ahead.STEPS[-1]:,}; "
        f"progress in {progress_file}")
    info = run(args.out, progress_file, stop_after=args.stop_after, resume=not args.fresh)
    if not info["done"]:
        return 0
    say("the same run with the page's matrix kernels, to see how far it drifts (2 minutes) ...")
    apart = drift(args.out)
    command = " ".join(["OPENBLAS_NUM_THREADS=1 .venv/bin/python -m tools.skip_ahead",
                        *(argv if argv is not None else sys.argv[1:])]).strip()
    (args.out / CARD).write_text(describe(args.out, info, hashes, command, apart))
    say(f"wrote {args.out / CARD}")
    return 0


def describe(out, info, hashes, command, apart):
    files = {tl.TEXT: "the text, as token ids", tl.TOKENIZER: "the tokenizer"}
    source_lines = "\n".join(f"  - `{name}` ({files[name]}): sha256 `{h}`"
                             for name, h in hashes.items())
    rows = "\n".join(
        f"| {int(step):,} | `{ahead.name(int(step))}` | "
        f"{(out / ahead.name(int(step))).stat().st_size:,} | {at['heldout']:.3f} | "
        f"{at['cpu_seconds']:.0f} | {json.dumps(at['sample'], ensure_ascii=False)} |"
        for step, at in info["at"].items())
    h, c = tl.HYPER, tl.CONFIG
    return f"""# {CARD[:-3]}: train-lm-step*.npz

Chapter 7's training figure (`llmexplain.demos.train_lm`, `[data-demo=train-lm]`) with its
default seed, {ahead.SEED}, computed ahead under CPython and saved at steps
{", ".join(f"{s:,}" for s in ahead.STEPS)} by `llmexplain.demos.train_lm_ahead.save`: the
weights and AdamW's m, v (float32, as the run holds them: nothing rounded) and t, the batch
generator's state, the train and held-out curves and the {tl.KEEP_SAMPLES} samples the figure
keeps. A reader's "Skip to step …" loads one (fetched only then) and the run goes on from it
in the page, step for step the run that would have got there.

Regenerate (the demo itself is run, so this is the figure's code; deterministic on a given
machine; an interrupted run resumes from its progress in the build cache, `--fresh` ignores
it):

    {command}

The run: {h.steps:,} steps of {tl.FIRST_BATCH} windows × {c.block_size} tokens, {h.batch} from step {tl.GROWS_AT + 1:,} on; learning rate {h.lr}
({h.warmup} warm-up steps, then a cosine down to {h.min_lr:.0%} of it), held-out text scored
every {tl.EVAL_EVERY} steps on its first {tl.EVAL_TOKENS:,} tokens, as the figure scores it.
CPU time: {info['cpu_seconds']:.0f} s in all, on one core of this project's 2-core machine
(held-out scores and samples included).

A run in the page is the same seed and the same code, with its float32 sums in another order
(fast_train's kernels for Pyodide), so it drifts from this one. Measured by running it with
those kernels under CPython: over all {ahead.STEPS[-1]:,} steps its held-out scores stayed within
**{apart['heldout']:.3f}** bits per character of these; at the end its weights were up to
{apart['weights']:.2f} apart, and {apart['samples']} of the {tl.KEEP_SAMPLES} samples kept were the same.
Chapter 7 quotes these scores with room for that drift (tests/test_train_lm_ahead.py).

| step | file | bytes | held-out bits per character | CPU seconds to here | the sample at that step |
|---|---|---|---|---|---|
{rows}

Sources as read:
{source_lines}
"""


if __name__ == "__main__":
    sys.exit(main())
