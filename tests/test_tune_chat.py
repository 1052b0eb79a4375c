"""Chapter 8's tuned model and its prose: the card's before-and-after table is what the report
measures from the committed weights, and every number the chapter states is the card's, the
tool's settings, or a cited source's."""

import re

import pytest

from llmexplain.chat import CL100K_CHAT
from tooling import ROOT
from tools import chat_report, tune_chat

CARD = ROOT / "data" / "chat-bpe4k.md"
PROSE = ROOT / "templates" / "essays" / "how-llms-work" / "8-assistant.html"


@pytest.fixture(scope="module")
def measured():
    return chat_report.measure()


def test_the_card_holds_what_the_report_measures(measured):
    table, n = measured
    assert "\n".join(chat_report.lines(table, n)) in CARD.read_text()
    assert n >= 200  # the floor for a held-out set
    assert table["after"]["ends"] >= 0.9 and table["before"]["ends"] <= 0.2
    assert table["after"]["bpc"] < table["before"]["bpc"]


def test_the_chapters_numbers_are_measured_or_cited(measured):
    (table, _), setup = measured, tune_chat.setup()
    train, heldout = setup[4], setup[5]
    prose = " ".join(re.sub(r"<[^>]+>", " ", PROSE.read_text()).split())
    held = [
        f"(token {CL100K_CHAT['<|im_start|>']:,})", f"(token {CL100K_CHAT['<|im_end|>']:,})",
        f"{CL100K_CHAT['<|im_start|>']}", f"{CL100K_CHAT['<|im_end|>']}",  # the source line
        "four tokens after its 4,096", f"for {tune_chat.HYPER.steps} steps",
        f"on {len(train):,} exchanges", f"On {len(heldout)} exchanges",
        f"ended {table['after']['ends']:.0%} of its replies",
        f"within {chat_report.LIMIT} tokens", f"it ended {table['before']['ends']:.0%}",
        # Ouyang et al. 2022, abstract: 1.3B InstructGPT preferred to 175B GPT-3
        "a 1.3-billion-parameter model", "the 175-billion-parameter GPT-3",
    ]
    rest = prose
    for phrase in held:
        assert phrase in rest, phrase
        rest = rest.replace(phrase, " ", 1)
    for name in (r"\b(19|20)\d\d\b", r"(?i)\bchapter \d\b", "GPT-[34]", r"\{\{.*?\}\}", r"\{%.*?%\}",
                 r"\b8 From", "cl100k_base", "chat-bpe4k"):
        rest = re.sub(name, " ", rest)
    assert not re.search(r"\d", rest), re.findall(r".{30}\d.{30}", rest)
