"""Chapter 5's words, bars and chips: how the next-token figure's numbers read in the page.

Every function takes the values it speaks of, never the demo itself.
"""

import numpy as np

from .format import count, percent, signed
from .run import status_words
from .tokenizer import chip

CHIPS = 160  # context tokens drawn at most; earlier ones are counted
SHOWN = 10  # bars
# Shading steps, each twice the last: eight shades, att-0 to att-7 in style.css.
LEVELS = (0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64)

EXPLAIN = {
    "temperature": ("Temperature divides every score before they become probabilities: below 1 "
                    "the likely tokens get likelier, above 1 the odds even out, and at 0 only the "
                    "likeliest token is left."),
    "top_k": "Top-k keeps only the k likeliest tokens and shares their probability out again.",
    "top_p": ("Top-p keeps the fewest likeliest tokens whose probabilities add up to at least p, "
              "and shares their probability out again."),
}


def setting(name, value):
    """A setting as its slider shows it."""
    if name == "top_k":
        return "off" if value == 0 else str(value)
    if name == "top_p":
        return "off" if value >= 1 else signed(value, 2)
    if name == "temperature":
        return signed(value, 2)
    return str(value)


def setting_changed(name, value):
    return f"{EXPLAIN[name]} Now {setting(name, value)}."


def shown(tokenizer, token):
    """A token as its chip shows it, in quotes: “·the”."""
    return f"“{chip(tokenizer.tokens[token])[0]}”"


def notice(tokenizer, best, probs, temperature):
    """The bold line above the bars: how sure the model is of the next token, as drawn."""
    p = float(probs[best])
    if temperature == 0:
        return f"At temperature 0 the likeliest token, {shown(tokenizer, best)}, always wins."
    if p >= 0.5:
        return f"The model is fairly sure: {shown(tokenizer, best)} has {percent(p)} of the chance."
    return (f"No token stands out: the likeliest, {shown(tokenizer, best)}, has only "
            f"{percent(p)}, so a draw will often pick another.")


def too_long(most):
    return f"The reply has reached {most:,} tokens, the most this figure keeps. Press Clear."


def predictions(n, per_word):
    return (f"This reply took {count(n, 'prediction')}, one for each token. Measured on our "
            f"books, our tokenizer needs {signed(per_word, 2)} tokens a word, so a 500-word "
            f"reply takes about {round(500 * per_word):,} predictions.")


def window(n, before, block):
    if not before:
        return (f"The model reads all {count(n, 'token')} (its window holds {block}): the "
                f"highlighted chips below.")
    return (f"The model reads only the last {count(n, 'token')}, highlighted below. Its window "
            f"holds {block}, and each time it fills, the oldest half slides out at once: the "
            f"{count(before, 'token')} before these are out of its sight.")


def status(run, n_reply):
    return status_words(run, ready="Ready: click a bar, press Sample, or Generate.",
                        running="Generating: a token every few moments.",
                        progress=count(n_reply, "token"), where="with")


def summary(tokenizer, best, probs):
    return f"Likeliest next token: {shown(tokenizer, best)}, {percent(float(probs[best]))}."


def bars(tokenizer, top, probs, model_probs):
    """Ten rows of three items (the token's button, its bar, its percentage) for a grid.

    `probs` [V] is the distribution drawn from; `model_probs` [V] the model's own, before
    temperature, top-k and top-p.
    """
    items = []
    for token in top.tolist():
        p = float(probs[token])
        text, _ = chip(tokenizer.tokens[token])
        items += [
            {"tag": "button", "text": text, "attrs": {
                "class": "token-bar", "data-action": "append", "data-value": str(token),
                "aria-label": f"add {text}: {percent(p)}",
                "title": (f"token {token}: drawn with probability {percent(p)}; the model's own "
                          f"probability {percent(float(model_probs[token]))}")}},
            {"tag": "meter", "text": percent(p), "attrs": {
                "min": "0", "max": "1", "value": f"{p:.4f}", "aria-hidden": "true"}},
            {"tag": "span", "text": percent(p), "attrs": {"class": "bar-p"}},
        ]
    return items


def level(weight):
    """Which shade a weight gets: 0 below 1%, then one more for each doubling."""
    return sum(weight >= edge for edge in LEVELS)


def context(chips, ids, n_before, n_reply, seen):
    """The text as token chips: out of the window faded; in it, shaded by the attention
    `seen` [window] of the last token; the model's reply marked, its newest token too.
    chips(id) -> the chip's text."""
    first = max(0, len(ids) - CHIPS)
    reply_from = len(ids) - n_reply
    items = []
    for i in range(first, len(ids)):
        text = chips(ids[i])
        classes = ["tok"]
        attrs = {}
        if i < n_before:
            classes.append("out")
            attrs["title"] = f"{text}: outside the window; the model no longer sees it"
        else:
            w = float(seen[i - n_before])
            classes.append(f"att-{level(w)}")
            attrs |= {"data-weight": f"{w:.4f}", "title": f"{text}: attention {percent(w)}"}
        if i >= reply_from:
            classes.append("reply")
        if i == len(ids) - 1 and n_reply:
            classes.append("newest")
        items.append({"tag": "span", "text": text, "attrs": {"class": " ".join(classes), **attrs}})
    return items


def attention(layer, head, seen, window, tokenizer):
    """One sentence on where this head looked for this prediction, on the text in the window."""
    who = f"Layer {layer}, {'its four heads averaged' if head == 'all' else f'head {head}'}"
    if len(window) < 2:
        return f"{who}: with one token to read, all its attention goes to it."
    best = int(np.argmax(seen))
    before = float(seen[-2])  # the token before the last one read
    if best == len(window) - 2:
        return (f"{who}, for this prediction, put the most weight, {percent(before)}, on the "
                f"token before the last: {shown(tokenizer, window[best])}.")
    return (f"{who}, for this prediction, put the most weight on "
            f"{shown(tokenizer, window[best])} ({percent(float(seen[best]))}), and "
            f"{percent(before)} on the token before the last.")


def habit(layer, head, habits):
    """What this head does on average, from the measurement in attention-habits.json."""
    if head == "all":
        return "Pick one head to see what it does on average."
    h, even = habits["heads"][layer - 1][int(head) - 1], habits["even"]
    clearest = max(("previous", "the token just before"), ("word_start", "the start of the word"),
                   key=lambda k: h[k[0]] / even[k[0]])
    leaning = (f" Its clearest habit: {clearest[1]}, {h[clearest[0]] / even[clearest[0]]:.1f} "
               f"times an even spread." if h[clearest[0]] >= 3 * even[clearest[0]] else
               " It has no clear habit: nothing it favours three times over.")
    return (f"Measured over {habits['windows']} passages of held-out text, this head puts on "
            f"average {percent(h['previous'])} of its attention on the token just before, and "
            f"{percent(h['itself'])} on the token itself; an even spread would give "
            f"{percent(even['previous'])}.{leaning}")
