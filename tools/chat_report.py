#!/usr/bin/env python3
"""Chapter 8's before and after: chapter 6's model and the tuned assistant on held-out chats.

    .venv/bin/python -m tools.chat_report

For every held-out exchange (tooling.dialogues, from the books' held-out tenth: never trained
on) each model is given the user's turn and the assistant's marker, and writes a reply, one
sampled token at a time, for at most LIMIT tokens. Printed: the share of replies that end
with the end-of-turn token, the share that stay in the assistant's role (never write another
role's marker), and bits per character on the assistant's real turns. "Before" is the model
tuning starts from: chapter 6's, with the markers added as new, untrained tokens.
"""

import sys

import numpy as np

from llmexplain import sampling
from llmexplain import transformer as tf
from llmexplain.chat import MARKERS, reply
from tooling import DEFAULT_CACHE, ROOT
from tools.tune_chat import NAME, SEED, assistant_bpc, encoded, setup, start

LIMIT, TEMPERATURE = 64, 0.8


def replies(params, config, chat, tokenizer, conversations, seed):
    """(ended by itself, stayed in role) for each conversation's sampled reply."""
    rng = np.random.default_rng(seed)
    others = {chat.ids[m] for m in MARKERS[:-1]}

    def pick(logits):
        return sampling.sample(sampling.distribution(logits, temperature=TEMPERATURE), rng)

    out = []
    for turns in conversations:
        prompt = chat.encode(turns[:1], tokenizer, reply=True)
        ids, ended = reply(params, config, prompt, pick, chat.end, limit=LIMIT)
        out.append((ended, not others & set(ids)))
    return np.array(out)


def measure(cache=DEFAULT_CACHE, tuned=ROOT / "data" / NAME):
    """{"before": {...}, "after": {...}} on the held-out exchanges, and their number."""
    chat, tokenizer, config, base, _, heldout, _ = setup(cache)
    before, config = start(base, config, chat, SEED)
    _, after = tf.load(tuned)
    held = encoded(heldout, chat, tokenizer)
    table = {}
    for name, params in (("before", before), ("after", after)):
        r = replies(params, config, chat, tokenizer, heldout, seed=SEED)
        table[name] = {"ends": r[:, 0].mean(), "in role": r[:, 1].mean(),
                       "bpc": assistant_bpc(params, config, held, tokenizer)}
    return table, len(heldout)


def lines(table, n):
    """The before-and-after table as printed (and kept in the model's card)."""
    out = [(f"{n} held-out exchanges; replies sampled at temperature {TEMPERATURE}, "
            f"at most {LIMIT} tokens"),
           f"{'':28}{'before tuning':>16}{'after':>10}"]
    rows = (("ends with <|end|>", "ends", "{:.0%}"), ("stays the assistant", "in role", "{:.0%}"),
            ("bits per character, replies", "bpc", "{:.3f}"))
    for label, key, fmt in rows:
        out.append(f"{label:28}{fmt.format(table['before'][key]):>16}"
                   f"{fmt.format(table['after'][key]):>10}")
    return out


def main():
    print("\n".join(lines(*measure())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
