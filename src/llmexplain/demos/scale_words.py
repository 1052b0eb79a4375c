"""Chapter 6's words: how the calculator's numbers read in the page.

Every function takes the values it speaks of, never the demo itself. Counts go through
format.large ("315 billion trillion"), times through format.duration.
"""

from .. import scale
from .format import big, duration, large

PRESS_PLAY = "press Play on the training figure above"
NOT_YET = "—"


def operations(flops):
    return f"{large(flops)} operations"


def run(params, tokens, seconds, steps, measured=True):
    """The reader's run in one sentence; None values mean no run has arrived; a run that
    was not `measured` in this page came with a link."""
    if params is None:
        return f"Not trained yet: {PRESS_PLAY}, and this figure will do its sums with your run."
    if not steps:
        return (f"Your model has {big(params)} parameters and has not taken a training step "
                f"yet: {PRESS_PLAY}.")
    if not measured:
        return (f"The link you followed holds a run ({big(params)} parameters, {steps:,} "
                f"step{'' if steps == 1 else 's'} in {duration(seconds)}), but it was not "
                f"measured on your device, so this figure works nothing out from it: "
                f"{PRESS_PLAY}.")
    return (f"Your model: {big(params)} parameters, trained for {steps:,} "
            f"step{'' if steps == 1 else 's'} on {big(tokens)} tokens in {duration(seconds)}.")


def run_arithmetic(params, tokens, flops):
    """"6 × P × T = ...": the factor is the one `flops` was worked out with (a reader may
    have changed scale.training_flops)."""
    per = flops / (params * tokens)  # operations per parameter per token
    return f"{per:.3g} × {big(params)} × {big(tokens)} = {operations(flops)}"


def run_rate(flops, seconds, rate):
    shown = large(seconds)
    return (f"{large(flops)} ÷ {shown} second{'' if shown == '1' else 's'} = {large(rate)} "
            f"operations a second")


def time_at(flops, rate, estimate=False):
    """How long a device at `rate` takes for `flops`, and how that compares with the age
    of the universe when it is longer."""
    seconds = scale.seconds_at(flops, rate)
    text = f"about {duration(seconds)}"
    ages = seconds / scale.SECONDS_PER_YEAR / scale.AGE_OF_UNIVERSE_YEARS
    if ages >= 1:
        text += f", {large(ages, 2)} times the age of the universe"
    return text + (" (from the estimate)" if estimate else "")


def gpt3_answer(system, rate):
    """The headline question: how long would your device take to train GPT-3?"""
    if rate is None:
        return (f"How long would your own device take to train {system.name}? To find out, "
                f"{PRESS_PLAY}.")
    return (f"At the rate you measured, your device would take {time_at(system.work, rate)} "
            f"to do {system.name}’s training arithmetic: {operations(system.work)}.")


# ---------------------------------------------------------------- the table


def params_cell(system):
    if system.params is None:
        return "not published"
    about = "about " if system.estimate else ""
    text = f"{about}{large(system.params)}"
    if system.active is not None:
        text += f"; {about}{large(system.active)} work on each token"
    return f"{text} (estimates)" if system.estimate else text


def tokens_cell(system):
    if system.tokens is None:
        return "not published"
    return f"about {large(system.tokens)} (estimate)" if system.estimate else large(system.tokens)


def arithmetic_cell(system):
    if system.estimate:
        return "not disclosed"
    if system.arithmetic is None:
        return "tokens not published"
    text = large(system.arithmetic)
    if system.active is not None:
        text += f" (P: the {large(system.active)} at work on each token)"
    return text


def reported_cell(system):
    parts = []
    if system.flops is not None:
        parts.append(f"about {large(system.flops)} (estimate)" if system.estimate
                     else large(system.flops))
    if system.gpu_hours is not None:
        parts.append(f"{large(system.gpu_hours, 4)} {system.gpu} GPU-hours")  # as printed
    if system.hardware:
        parts.append(system.hardware)
    return "; ".join(parts) or "not published"


def time_cell(system, rate):
    if system.work is None:
        return "cannot be worked out"
    if rate is None:
        return NOT_YET
    return time_at(system.work, rate, system.estimate)


def source_line(system):
    return " ".join(filter(None, (system.not_published, system.source)))


def system_row(key, system, rate):
    return {f"{key}-name": f"{system.name} ({system.year})",
            f"{key}-params": params_cell(system),
            f"{key}-tokens": tokens_cell(system),
            f"{key}-arithmetic": arithmetic_cell(system),
            f"{key}-reported": reported_cell(system),
            f"{key}-time": time_cell(system, rate),
            f"{key}-source": source_line(system)}


def your_row(params, tokens, seconds, flops):
    if flops is None:
        return {"you-params": big(params) if params is not None else NOT_YET,
                "you-tokens": NOT_YET, "you-arithmetic": NOT_YET,
                "you-reported": f"not trained yet: {PRESS_PLAY}", "you-time": NOT_YET}
    return {"you-params": big(params), "you-tokens": big(tokens),
            "you-arithmetic": large(flops),
            "you-reported": "measured on your device",
            "you-time": duration(seconds)}


# ---------------------------------------------------------------- one reply


def reply(words, per_word, params, rate):
    """A reply of `words` words: predictions with each tokenizer, the arithmetic for a model
    of `params` parameters (counting tokens as GPT-4's tokenizer does), and the time."""
    ours = scale.predictions(words, per_word["ours"])
    gpt4 = scale.predictions(words, per_word["gpt4"])
    flops = scale.generation_flops(params, gpt4)
    return {
        "reply-ours": f"{ours:,} predictions",
        "reply-gpt4": f"{gpt4:,} predictions",
        "reply-arithmetic": f"2 × {large(params)} × {gpt4:,} = {operations(flops)}",
        "reply-time": (f"{time_at(flops, rate)} at the rate you measured" if rate is not None
                       else f"To find out, {PRESS_PLAY}."),
    }


def summary(rate, flops, seconds, gpt3):
    if rate is None:
        return f"Not trained yet: {PRESS_PLAY}."
    return (f"Your run did {operations(flops)} in {duration(seconds)}: {large(rate)} a "
            f"second. At that rate, {gpt3.name}’s training would take {time_at(gpt3.work, rate)}.")
