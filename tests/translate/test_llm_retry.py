"""The chat engine's fact retry: a line whose English lost a number or a glossary term is asked again
with the lost words marked in the source, and the answer that lost fewer facts is kept.

A stub stands in for the model (so this checks our code, not Qwen); the Russian line is synthetic."""

from __future__ import annotations

from listeningpost.translate.engines import Segment
from listeningpost.translate.llm import LLMEngine, mark_lost

LINE = "Вчера двоих трёхсотых привезли, а двенадцать пацанов двухсотые."


class StubChat:
    def __init__(self, answers):
        self.answers, self.asked = list(answers), []

    def chat(self, messages, max_tokens):
        self.asked.append(messages)
        return self.answers.pop(0)


def engine_with(answers) -> tuple[LLMEngine, StubChat]:
    engine = LLMEngine(model="qwen", context=False)
    engine._runtime = stub = StubChat(answers)
    return engine, stub


def test_mark_lost_puts_the_english_where_the_word_stands():
    from listeningpost.translate.facts import check
    from listeningpost.translate.glossary import default_glossary

    lost = check(LINE, "Yesterday they brought some.", "ru").missing
    marked = mark_lost(LINE, default_glossary().find(LINE), lost, "ru")
    assert marked == "Вчера двоих (2) трёхсотых (WIA) привезли, а двенадцать (12) пацанов двухсотые (KIA)."


def test_retry_sends_the_marked_line_and_keeps_the_better_answer():
    engine, stub = engine_with(["Yesterday they brought some guys.",
                                "Yesterday two WIA were brought, and twelve guys are KIA."])
    out = engine.translate([Segment(LINE, "ru")])
    assert out == ["Yesterday two WIA were brought, and twelve guys are KIA."]
    assert len(stub.asked) == 2
    assert stub.asked[0][-1]["content"] == LINE                     # the first try: the source untouched
    assert "двенадцать (12)" in stub.asked[1][-1]["content"] and "(KIA)" in stub.asked[1][-1]["content"]


def test_a_worse_retry_is_thrown_away_and_a_faithful_line_is_not_retried():
    engine, stub = engine_with(["Yesterday two WIA were brought, and guys are KIA.", "Nothing."])
    assert engine.translate([Segment(LINE, "ru")]) == ["Yesterday two WIA were brought, and guys are KIA."]
    engine, stub = engine_with(["Yesterday 2 WIA were brought, and 12 guys are KIA."])
    assert engine.translate([Segment(LINE, "ru")]) == ["Yesterday 2 WIA were brought, and 12 guys are KIA."]
    assert len(stub.asked) == 1


def test_brackets_the_marks_taught_are_dropped_unless_they_carry_a_fact():
    engine, _ = engine_with(["Yesterday they brought some guys.",
                             "Yesterday two (2) WIA (WIA) were brought, and the guys (12) are KIA (KIA)."])
    assert engine.translate([Segment(LINE, "ru")]) == ["Yesterday two WIA were brought, and the guys (12) are KIA."]
