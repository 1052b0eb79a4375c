"""Chapter 7's calculator: its numbers against this file's own arithmetic from the cited inputs.

The expected values are worked out here, from the numbers as the sources print them (typed
below with where each is printed), never by calling llmexplain.scale. The figure's words are
read back into numbers, so the test also checks that nothing is lost in the writing.
"""

import json
import re

import numpy as np
import pytest

from llmexplain import page
from llmexplain.data import path
from llmexplain.demos import scale as demo
from tooling import ROOT

YEAR = 365.25 * 24 * 3600  # seconds in a Julian year
UNIVERSE = 13.787e9  # years: Planck Collaboration, Planck 2018 results VI (2020), table 2

# The cited inputs, as printed.
GPT2_PARAMS = 1542e6  # Radford et al. 2019, table 2: 1542M
GPT3_PARAMS, GPT3_TOKENS = 175e9, 300e9  # Brown et al. 2020, table 2.1 and its caption
GPT3_REPORTED = 3.14e23  # Brown et al. 2020, table D.1: 3.14E+23 flops
LLAMA_PARAMS, LLAMA_TOKENS = 405e9, 15.6e12  # Llama Team 2024, section 1
LLAMA_REPORTED = 3.8e25  # Llama Team 2024, section 1: 3.8 × 10^25 FLOPs
LLAMA_GPU_HOURS = 30.84e6  # Llama 3.1 model card: 30.84M H100-80GB GPU hours
DEEPSEEK_TOTAL, DEEPSEEK_ACTIVE = 671e9, 37e9  # DeepSeek-V3 report, abstract
DEEPSEEK_TOKENS = 14.8e12  # DeepSeek-V3 report, abstract
DEEPSEEK_GPU_HOURS = 2.788e6  # DeepSeek-V3 report, abstract and table 1: 2.788M H800
GPT4_PARAMS, GPT4_ACTIVE = 1.8e12, 280e9  # SemiAnalysis 2023 (estimates)
GPT4_TOKENS, GPT4_FLOPS = 13e12, 2.15e25  # SemiAnalysis 2023 (estimates)

RUN = {"params": 464_000, "tokens": 2_048_000, "seconds": 41.5, "steps": 500}

NAMES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "year": YEAR}


def number(text):
    """'315 billion trillion' -> 3.15e23; '2,048,000' -> 2048000."""
    found = re.fullmatch(r"([\d,]+(?:\.\d+)?)((?: (?:thousand|million|billion|trillion))*)",
                         text.strip())
    assert found, text
    value = float(found.group(1).replace(",", ""))
    for name in found.group(2).split():
        value *= NAMES[name]
    return value


def seconds(text):
    """'about 54,700 years' (and anything after a comma) -> seconds."""
    found = re.match(r"(?:about )?([\d,.]+(?: (?:thousand|million|billion|trillion))*) "
                     r"(second|minute|hour|day|year)s?\b", text)
    assert found, text
    return number(found.group(1)) * UNITS[found.group(2)]


def close(shown, want, digits=3):
    """A number shown to `digits` significant digits is `want`."""
    assert shown == pytest.approx(want, rel=0.5 * 10 ** (1 - digits)), (shown, want)


def text(run=None):
    reply = json.loads(page.create("S", "scale", "{}"))
    if run is not None:
        reply = json.loads(page.event("S", "training", json.dumps(run)))
    assert "error" not in reply, reply
    return reply["text"]


@pytest.fixture(scope="module")
def per_word(data_folder):
    return json.loads(path(demo.PER_WORD).read_text())["per_word"]


def test_the_readers_run_its_arithmetic_and_its_rate():
    shown = text(RUN)
    flops = 6 * 464_000 * 2_048_000
    rate = flops / 41.5
    assert shown["run-arithmetic"].startswith("6 × 464,000 × 2,048,000 = ")
    close(number(shown["run-arithmetic"].split(" = ")[1].removesuffix(" operations")), flops)
    close(number(shown["run-rate"].split(" = ")[1].removesuffix(" operations a second")), rate)
    close(number(shown["you-arithmetic"]), flops)
    assert shown["you-time"] == "41.5 seconds"


def test_each_real_systems_arithmetic_is_six_times_its_cited_parameters_and_tokens():
    shown = text()
    close(number(shown["gpt-3-arithmetic"]), 6 * GPT3_PARAMS * GPT3_TOKENS)
    close(number(shown["llama-3.1-405b-arithmetic"]), 6 * LLAMA_PARAMS * LLAMA_TOKENS)
    # a mixture of experts: P is the parameters at work on each token, and the cell says so
    deepseek = shown["deepseek-v3-arithmetic"]
    close(number(deepseek.split(" (")[0]), 6 * DEEPSEEK_ACTIVE * DEEPSEEK_TOKENS)
    assert "37 billion at work on each token" in deepseek
    assert shown["gpt-2-tokens"] == "not published"
    assert shown["gpt-2-arithmetic"] == "tokens not published"
    assert shown["gpt-4-arithmetic"] == "not disclosed"


def test_the_reported_figures_are_the_sources_own():
    shown = text()
    close(number(shown["gpt-3-reported"]), GPT3_REPORTED)
    llama_flops, llama_hours = shown["llama-3.1-405b-reported"].split("; ")
    close(number(llama_flops), LLAMA_REPORTED, 2)
    close(number(llama_hours.removesuffix(" H100 GPU-hours")), LLAMA_GPU_HOURS, 4)
    close(number(shown["deepseek-v3-reported"].removesuffix(" H800 GPU-hours")),
          DEEPSEEK_GPU_HOURS, 4)
    close(number(shown["gpt-3-params"]), GPT3_PARAMS)
    close(number(shown["gpt-2-params"]), GPT2_PARAMS)
    close(number(shown["llama-3.1-405b-tokens"]), LLAMA_TOKENS)
    total, active = shown["deepseek-v3-params"].split("; ")
    close(number(total), DEEPSEEK_TOTAL)
    close(number(active.removesuffix(" work on each token")), DEEPSEEK_ACTIVE)
    close(number(shown["deepseek-v3-tokens"]), DEEPSEEK_TOKENS)


def test_every_gpt4_number_is_labelled_an_estimate_with_its_source():
    shown = text(RUN)
    assert shown["gpt-4-params"] == "about 1.8 trillion; about 280 billion work on each token (estimates)"
    assert shown["gpt-4-tokens"] == "about 13 trillion (estimate)"
    assert shown["gpt-4-reported"].startswith("about 21.5 trillion trillion (estimate)")
    assert "25,000 A100 GPUs for 90 to 100 days" in shown["gpt-4-reported"]
    assert shown["gpt-4-time"].endswith("(from the estimate)")
    close(seconds(shown["gpt-4-time"]), GPT4_FLOPS / (6 * 464_000 * 2_048_000 / 41.5))
    assert "SemiAnalysis" in shown["gpt-4-source"] and "estimate" in shown["gpt-4-source"]
    assert (GPT4_PARAMS, GPT4_ACTIVE, GPT4_TOKENS) == (1.8e12, 280e9, 13e12)


def test_how_long_the_readers_device_would_take_at_the_rate_it_measured():
    shown = text(RUN)
    rate = 6 * 464_000 * 2_048_000 / 41.5  # operations a second
    want = {"gpt-3": 6 * GPT3_PARAMS * GPT3_TOKENS / rate,
            "llama-3.1-405b": 6 * LLAMA_PARAMS * LLAMA_TOKENS / rate,
            "deepseek-v3": 6 * DEEPSEEK_ACTIVE * DEEPSEEK_TOKENS / rate}
    for key, secs in want.items():
        close(seconds(shown[f"{key}-time"]), secs)
    assert shown["gpt-2-time"] == "cannot be worked out"
    years = want["gpt-3"] / YEAR
    assert shown["headline"].startswith(f"At the rate you measured, your device would take "
                                        f"about {round(years, -2):,.0f} years")


def test_the_age_of_the_universe_is_mentioned_only_when_true():
    slow = {"params": 1000, "tokens": 1000, "seconds": 5.0, "steps": 1}  # 1.2 million a second
    shown = text(slow)
    ages = 6 * LLAMA_PARAMS * LLAMA_TOKENS / 1.2e6 / YEAR / UNIVERSE
    assert ages > 1
    shown_ages = re.search(r", ([\d,.]+) times the age of the universe$",
                           shown["llama-3.1-405b-time"]).group(1)
    close(number(shown_ages), ages, 2)
    for key in ("gpt-3", "llama-3.1-405b", "deepseek-v3"):
        assert "universe" not in text(RUN)[f"{key}-time"]


def test_a_500_word_reply_in_predictions_and_in_arithmetic(per_word):
    ours, gpt4 = round(500 * per_word["ours"]), round(500 * per_word["gpt4"])
    assert (ours, gpt4) == (742, 645)  # as chapter 6 and data/tokens-per-word.md say
    shown = text(RUN)
    assert shown["reply-ours"] == "742 predictions" and shown["reply-gpt4"] == "645 predictions"
    flops = 2 * 175e9 * gpt4
    assert shown["reply-arithmetic"].startswith("2 × 175 billion × 645 = ")
    close(number(shown["reply-arithmetic"].split(" = ")[1].removesuffix(" operations")), flops)
    close(seconds(shown["reply-time"]), flops / (6 * 464_000 * 2_048_000 / 41.5))


def test_before_a_run_it_says_to_press_play():
    shown = text()
    assert "press Play on the training figure above" in shown["run"]
    assert "press Play on the training figure above" in shown["headline"]
    assert shown["run-rate"] == shown["gpt-3-time"] == "—"
    zero = text({"params": 464_000, "tokens": 0, "seconds": 0.0, "steps": 0})
    assert "has not taken a training step yet" in zero["run"] and zero["gpt-3-time"] == "—"


@pytest.mark.parametrize("bad,words", [
    ("not json", "cannot read"),
    ("[1, 2]", "cannot read"),
    (json.dumps({**RUN, "loss": 2.1}), "wrong numbers: loss"),
    (json.dumps({k: v for k, v in RUN.items() if k != "steps"}), "wrong numbers: steps"),
    (json.dumps({**RUN, "params": -5}), "parameters"),
    (json.dumps({**RUN, "params": 1.5}), "not a whole number"),
    (json.dumps({**RUN, "tokens": True}), "not a number"),
    (json.dumps({**RUN, "seconds": "NaN"}), "finite"),
    (json.dumps({**RUN, "seconds": 1e300}), "outside"),
    (json.dumps({**RUN, "tokens": 10}), "fewer tokens than it took steps"),
    (json.dumps({**RUN, "seconds": 0}), "took some time"),
    (json.dumps({**RUN, "pad": "x" * 2000}), "cannot read"),
    (None, "cannot read"),
])
def test_a_bad_run_is_refused_with_a_message_and_the_last_good_one_kept(bad, words):
    json.loads(page.create("S", "scale", "{}"))
    page.event("S", "training", json.dumps(RUN))
    reply = json.loads(page.event("S", "training", bad))
    assert words in reply["error"]
    assert json.loads(page.state("S")) == RUN


def test_a_saved_run_missing_a_number_falls_back_with_a_note():
    reply = json.loads(page.create("S", "scale", json.dumps({"params": 5, "steps": 3})))
    assert any("missing some of its numbers" in n for n in reply["notes"])
    assert reply["state"] == {"params": None, "tokens": None, "seconds": None, "steps": None}


def test_it_listens_for_the_training_figures_runs():
    assert demo.Scale.listens == ("training",)
    assert "training" in demo.Scale.actions


def test_the_template_shows_every_text_and_names_every_system_with_its_source():
    from llmexplain.scale import SYSTEMS

    template = (ROOT / "templates/demos/scale.html").read_text()
    loops = re.findall(r"\{% for key in \(([^)]*)\) %\}", template)
    assert len(loops) == 2  # the table's rows, and the sources under it
    for loop in loops:
        assert re.findall(r'"([^"]+)"', loop) == list(SYSTEMS)
    fixed = set(re.findall(r'data-slot="([\w.-]+)"', template))
    per_system = set(re.findall(r'data-slot="\{\{ key \}\}-([\w-]+)"', template))
    slots = fixed | {f"{key}-{part}" for key in SYSTEMS for part in per_system}
    shown = text()
    assert slots == set(shown)
    for key, system in SYSTEMS.items():
        assert system.source and shown[f"{key}-source"].endswith(system.source)


def test_chapter_7s_numbers_are_the_sources_or_computed_from_them(per_word):
    """Every number the prose states, against its source or this test's own arithmetic; once
    each is accounted for, no digit is left but names, years and section numbers."""
    from llmexplain import transformer as tf
    from llmexplain.demos import next_token as nt
    from llmexplain.demos import train_lm as tl
    from llmexplain.demos.format import large

    prose = " ".join((ROOT / "templates/essays/how-llms-work/7-scale.html").read_text().split())
    prose = re.sub(r"</?a\b[^>]*>", "", prose)  # links to other chapters read as their words
    config, weights = tf.load(path(nt.MODEL))
    ours = tf.n_params(weights)
    figure = tf.init_params(tl.CONFIG, np.random.default_rng(0))  # chapter 7's own model
    gpt3 = 6 * GPT3_PARAMS * GPT3_TOKENS
    llama = 6 * LLAMA_PARAMS * LLAMA_TOKENS
    deepseek = 6 * DEEPSEEK_ACTIVE * DEEPSEEK_TOKENS
    gpt4_reply = round(500 * per_word["gpt4"])
    hours_a_year = YEAR / 3600
    assert deepseek / llama < 0.1  # "less than a tenth"
    assert round(128_000 / 64, -3) == round(128 * 1024 / 64, -3) == 2000  # 128K either way
    words = {2: "two", 4: "four"}
    held = [
        # Kaplan et al. 2020, section 2.1: 2N forward, backward about twice that, 6N in all
        "about 6 operations for each of its parameters: 2 to read the token",
        "and about 4 more to work out", "about 2 operations per parameter for each token",
        "6 × parameters × tokens",
        (f"GPT-3 has {large(GPT3_PARAMS)} parameters, about {round(GPT3_PARAMS / ours, -3):,.0f} "
         f"times the {ours:,} numbers of chapter 6’s model"),
        (f"learned from {large(GPT3_TOKENS)} tokens: 6 × {large(GPT3_PARAMS)} × "
         f"{large(GPT3_TOKENS)} is {large(gpt3)} operations"),
        f"Its makers reported {large(GPT3_REPORTED)}",
        (f"the same multiplication gives {large(llama)}, and Meta reported "
         f"{large(LLAMA_REPORTED).removesuffix(' trillion trillion')}"),
        (f"about {round(llama / gpt3, -1):.0f} times GPT-3’s arithmetic, {words[2024 - 2020]} "
         f"years later"),
        f"as {large(LLAMA_GPU_HOURS, 4)} hours of work on H100 GPUs",
        f"would have needed about {large(LLAMA_GPU_HOURS / hours_a_year)} years",
        "up to about 16,000 at once",  # Llama Team 2024, 3.3.1: "up to 16K H100 GPUs"
        f"only {large(DEEPSEEK_ACTIVE)} of its {large(DEEPSEEK_TOTAL)} parameters",
        f"about one in {round(DEEPSEEK_TOTAL / DEEPSEEK_ACTIVE)},",
        f"uses {large(DEEPSEEK_ACTIVE)} and comes to {large(deepseek)}",
        f"a 500-word reply is about {gpt4_reply} predictions as GPT-4’s tokenizer counts",
        (f"for a model of {large(175e9)} parameters each prediction is 2 × {large(175e9)} = "
         f"{large(2 * 175e9)} operations, about {large(2 * 175e9 * gpt4_reply)} for the reply"),
        f"{large(DEEPSEEK_ACTIVE)} of DeepSeek-V3’s {large(DEEPSEEK_TOTAL)} parameters",
        f"Chapter 6’s model reads at most {config.block_size} tokens",
        "up to 128K tokens, about two thousand times more",  # Llama Team 2024, abstract
        # the figure's model: its position table is the one lookup with no arithmetic
        (f"only the positions’ rows, {figure['wpe'].size:,} of the {tf.n_params(figure):,} "
         "numbers of the model trained above"),
    ]
    rest = prose
    for phrase in held:
        assert phrase in rest, phrase
        rest = rest.replace(phrase, " ")
    for name in (r"\b(19|20)\d\d\b", r"\b(section|table|chapter) [\dD.]*\d", "GPT-[234]",
                 "DeepSeek-V3", "Llama 3(.1)?( 405B)?", "H100", r"Neural Computation 3 \(1\)",
                 r"\{\{.*?\}\}", r"\{%.*?%\}",
                 r'<span class="chapter-number">7</span>', r"<[^>]*>"):
        rest = re.sub(name, " ", rest)
    assert not re.search(r"\d", rest), re.findall(r".{30}\d.{30}", rest)
