"""Chapter 6 — the multiplication: how much arithmetic training and writing take.

A language model's work is counted in floating-point operations (one multiplication or one
addition each). Two rules of thumb from Kaplan et al., *Scaling Laws for Neural Language
Models* (2020), section 2.1, give it from two numbers:
- reading one token (the forward pass) takes about 2 operations per parameter: each weight
  is multiplied once and added once;
- training on one token takes about 6 per parameter: the backward pass (chapter 4) costs
  about twice the forward.

Both leave out the attention over the context window and other small terms: they are
estimates (for GPT-3 and Llama 3.1 405B, within 1% of the totals their makers report). For a mixture-of-experts model, where
only some of the parameters work on each token, P is the parameters that do (`active`).

Units: P parameters, T tokens, operations ("FLOPs"), seconds, operations a second.

>>> rate = device_rate(training_flops(100_000, 1_000_000), seconds=10)
>>> rate                                  # 6e11 operations in 10 seconds
60000000000.0
>>> round(seconds_at(training_flops(175e9, 300e9), rate) / SECONDS_PER_YEAR)  # GPT-3, years
166362
"""

from dataclasses import dataclass

SECONDS_PER_YEAR = 365.25 * 24 * 3600  # a Julian year: 31,557,600 seconds
# Planck Collaboration, Planck 2018 results VI: Cosmological parameters (2020), table 2,
# TT,TE,EE+lowE+lensing+BAO: 13.787 ± 0.020 billion years.
AGE_OF_UNIVERSE_YEARS = 13.787e9


def training_flops(params, tokens):
    """About 6 operations per parameter per training token: 2 forward, 4 backward.

    >>> training_flops(175e9, 300e9)     # GPT-3: Brown et al. (2020) report 3.14e23
    3.15e+23
    """
    return 6.0 * params * tokens


def generation_flops(params, tokens=1):
    """About 2 operations per parameter for each generated token: one forward pass.

    >>> generation_flops(175e9)           # one prediction of a 175-billion-parameter model
    350000000000.0
    """
    return 2.0 * params * tokens


def device_rate(flops, seconds):
    """Operations a second: the arithmetic a run did, over the time it took."""
    return flops / seconds


def seconds_at(flops, rate):
    """How long `flops` operations take at `rate` operations a second."""
    return flops / rate


def predictions(words, tokens_per_word):
    """Predictions a reply of `words` words takes: one per token, a whole number.

    >>> predictions(500, 1.2903)          # GPT-4's tokenizer on our books
    645
    """
    return round(words * tokens_per_word)


@dataclass(frozen=True)
class System:
    """A real model, as its makers (or, labelled, an outside estimate) describe it.

    None means not published. `active` is for a mixture of experts: the parameters that work
    on each token, which is the P of the arithmetic."""
    name: str
    year: int
    params: float | None  # every parameter the model has
    tokens: float | None  # tokens seen in (pre-)training
    flops: float | None = None  # training compute as reported, in operations
    gpu_hours: float | None = None
    gpu: str | None = None  # what the GPU-hours were counted on
    hardware: str = ""  # the hardware as reported, where not in GPU-hours
    active: float | None = None  # parameters working on each token, if fewer than all
    estimate: bool = False  # every number here is an outside estimate, not the maker's
    source: str = ""
    not_published: str = ""  # what the makers did not say, in words

    @property
    def arithmetic_params(self):
        """The P of 6·P·T: the parameters that work on each token."""
        return self.active if self.active is not None else self.params

    @property
    def arithmetic(self):
        """6·P·T from the published parameters and tokens; None where one is missing or
        only estimated (then the reported estimate stands in)."""
        if self.estimate or self.arithmetic_params is None or self.tokens is None:
            return None
        return training_flops(self.arithmetic_params, self.tokens)

    @property
    def work(self):
        """The training arithmetic a device would have to do: 6·P·T where it can be worked
        out, else the reported total (labelled an estimate where it is one)."""
        return self.arithmetic if self.arithmetic is not None else self.flops


SYSTEMS = {
    "gpt-2": System(
        name="GPT-2", year=2019, params=1.542e9, tokens=None,
        not_published="OpenAI did not publish how many tokens GPT-2 trained on (its text, "
                      "WebText, was about 40 GB), nor its training compute.",
        source="Radford et al., Language Models are Unsupervised Multitask Learners, 2019: "
               "parameters, table 2; WebText, section 2.1."),
    "gpt-3": System(
        name="GPT-3", year=2020, params=175e9, tokens=300e9, flops=3.14e23,
        source="Brown et al., Language Models are Few-Shot Learners, 2020: parameters and "
               "tokens, table 2.1; compute, table D.1."),
    "llama-3.1-405b": System(
        name="Llama 3.1 405B", year=2024, params=405e9, tokens=15.6e12, flops=3.8e25,
        gpu_hours=30.84e6, gpu="H100",
        source="Llama Team, AI @ Meta, The Llama 3 Herd of Models, 2024, section 1; "
               "GPU-hours: Meta, Llama 3.1 model card, 2024."),
    "deepseek-v3": System(
        name="DeepSeek-V3", year=2024, params=671e9, active=37e9, tokens=14.8e12,
        gpu_hours=2.788e6, gpu="H800",
        not_published="DeepSeek reports GPU-hours, not a total of operations.",
        source="DeepSeek-AI, DeepSeek-V3 Technical Report, 2024: abstract; GPU-hours, "
               "table 1."),
    "gpt-4": System(
        name="GPT-4", year=2023, params=1.8e12, active=280e9, tokens=13e12, flops=2.15e25,
        hardware="about 25,000 A100 GPUs for 90 to 100 days", estimate=True,
        not_published="OpenAI’s GPT-4 Technical Report (2023), section 2, gives no size, "
                      "hardware, training compute or data; every GPT-4 number here is an "
                      "outside estimate, unconfirmed by OpenAI.",
        source="Estimates: Patel and Wong, GPT-4 Architecture, Infrastructure, Training "
               "Dataset, Costs, Vision, MoE, SemiAnalysis, July 2023."),
}
