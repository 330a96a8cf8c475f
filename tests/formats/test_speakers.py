"""Speakers written into cue text (adapters.speakers): the two ways files use prefixes, the
ordinary dialogue that must stay text, and the --speaker-prefixes override."""

from __future__ import annotations

import pytest
from support import text_source

from adapters.speakers import (
    apply_prefix_speakers,
    find_prefix,
    has_consistent_prefixes,
    prefix_mode,
)
from adapters.srt import SrtAdapter
from adapters.teams import TeamsAdapter
from adapters.vtt import VttAdapter
from adapters.zoom_vtt import ZoomVttAdapter
from importers.adapter import ParseOptions
from importers.errors import ConfigError
from importers.model import Segment
from importers.registry import Registry


def cues(*texts: str) -> list[Segment]:
    return [Segment(t, i * 2000, i * 2000 + 1500, line=i * 4 + 1) for i, t in enumerate(texts)]


def speakers(segments: list[Segment]) -> list[tuple[str | None, str]]:
    return [(s.speaker, s.text) for s in segments]


def podcast() -> list[str]:
    """60 cues, a name on the first cue of each of three turns only (5 % of the cues)."""
    texts = ["Maya: Welcome back to Field Notes."]
    texts += [f"host line {i}." for i in range(1, 20)]
    texts += ["Dr. Okafor: Thanks for having me."]
    texts += [f"guest line {i}." for i in range(1, 25)]
    texts += ["Maya: That's all for today."]
    texts += [f"closing line {i}." for i in range(1, 15)]
    return texts


def test_a_name_on_the_first_cue_of_each_turn_is_a_speaker_change() -> None:
    """The podcast layout: the prefix leaves the text and the continuations take that speaker."""
    out = apply_prefix_speakers(cues(*podcast()), continue_previous=False)
    assert len(out) == 60
    assert speakers(out)[:2] == [("Maya", "Welcome back to Field Notes."), ("Maya", "host line 1.")]
    assert speakers(out)[19:21] == [
        ("Maya", "host line 19."),
        ("Dr. Okafor", "Thanks for having me."),
    ]
    assert speakers(out)[44:47] == [
        ("Dr. Okafor", "guest line 24."),
        ("Maya", "That's all for today."),
        ("Maya", "closing line 1."),
    ]
    assert [s.speaker for s in out].count("Dr. Okafor") == 25


def test_cues_before_the_first_named_turn_stay_unknown() -> None:
    texts = ["[music]", *podcast()]
    out = apply_prefix_speakers(cues(*texts), continue_previous=False)
    assert speakers(out)[:2] == [(None, "[music]"), ("Maya", "Welcome back to Field Notes.")]


def test_names_used_once_when_every_cue_has_one() -> None:
    """A Japanese round table: five speakers, four of them speak once."""
    texts = [
        "司会: 本日はお集まりいただきありがとうございます。",
        "田中: よろしくお願いします。",
        "司会: では、最初の議題です。",
        "佐藤: 予算について報告します。",
        "司会: ありがとうございます。",
        "鈴木: 質問があります。",
        "司会: どうぞ。",
        "高橋: 以上です。",
    ]
    out = apply_prefix_speakers(cues(*texts), continue_previous=False)
    assert [s.speaker for s in out] == [
        "司会",
        "田中",
        "司会",
        "佐藤",
        "司会",
        "鈴木",
        "司会",
        "高橋",
    ]
    assert out[1].text == "よろしくお願いします。"


@pytest.mark.parametrize(
    "texts",
    [
        # One label in ordinary dialogue (test_adapter_srt has the SRT file of it).
        ("Before we begin, a quick housekeeping item.", "Note: the exam moved.", "See you."),
        # Labels of a list, each once: not people.
        ("Monday: sunny.", "Tuesday: rain.", "Wednesday: wind.", "Thursday: fog.", "Friday: sun."),
        # The same label again and again between plain cues marks no change of speaker.
        (
            "Narrator: It was late.",
            "a",
            "b",
            "Narrator: Later still.",
            "c",
            "d",
            "Narrator: Dawn.",
            "e",
        ),
        # Two turn-start labels are too few to tell.
        ("Ann: hello.", *[f"line {i}" for i in range(20)], "Bob: bye.", "x", "y"),
    ],
)
def test_ordinary_colons_stay_text(texts: tuple[str, ...]) -> None:
    segments = cues(*texts)
    assert apply_prefix_speakers(segments, continue_previous=False) == segments


def test_speaker_prefixes_yes_and_no_override_the_guess() -> None:
    """--speaker-prefixes: 'no' keeps even WhisperX labels as text; 'yes' takes any prefix."""
    labelled = cues("[SPEAKER_00]: Hi.", "[SPEAKER_01]: Hello.", "[SPEAKER_00]: Bye.")
    assert apply_prefix_speakers(labelled, continue_previous=False, mode="no") == labelled
    lecture = cues("Before we begin.", "Today: the Krebs cycle.", "and why muscles burn.")
    out = apply_prefix_speakers(lecture, continue_previous=False, mode="yes")
    assert speakers(out) == [  # one prefix in three cues: a turn start, continued
        (None, "Before we begin."),
        ("Today", "the Krebs cycle."),
        ("Today", "and why muscles burn."),
    ]


@pytest.mark.parametrize(("value", "mode"), [(None, "auto"), ("yes", "yes"), ("no", "no")])
def test_prefix_mode_reads_the_option(value: str | None, mode: str) -> None:
    extra = {} if value is None else {"speaker_prefixes": value}
    assert prefix_mode(ParseOptions(extra=extra)) == mode


def test_prefix_mode_refuses_other_values() -> None:
    with pytest.raises(ConfigError, match="--speaker-prefixes must be yes or no, not 'maybe'"):
        prefix_mode(ParseOptions(extra={"speaker_prefixes": "maybe"}))


def test_the_srt_adapter_reads_the_option() -> None:
    text = (
        "1\n00:00:01,000 --> 00:00:02,000\n[SPEAKER_00]: Hi.\n\n"
        "2\n00:00:03,000 --> 00:00:04,000\n[SPEAKER_01]: Yo.\n"
    )
    source = text_source(text, "t.srt")
    plain = SrtAdapter().parse(source, ParseOptions(extra={"speaker_prefixes": "no"}))
    assert [(s.speaker, s.text) for s in plain.segments] == [
        (None, "[SPEAKER_00]: Hi."),
        (None, "[SPEAKER_01]: Yo."),
    ]
    auto = SrtAdapter().parse(source, ParseOptions())
    assert [s.speaker for s in auto.segments] == ["SPEAKER_00", "SPEAKER_01"]


def test_detection_keeps_the_stricter_rule_of_0_1_0() -> None:
    """A .vtt whose names are used once stays 'vtt' (its format, and so its key, as sent by
    0.1.0), while parsing now finds the speakers in it."""
    texts = ["Ana: Hi.", "Ben: Hello.", "Ana: Ready?", "Cleo: Yes.", "Dev: Go.", "Eli: Now."]
    assert not has_consistent_prefixes(texts)
    vtt = "WEBVTT\n\n" + "".join(
        f"00:00:0{i}.000 --> 00:00:0{i}.900\n{t}\n\n" for i, t in enumerate(texts)
    )
    source = text_source(vtt, "round.vtt")
    registry = Registry([VttAdapter(), TeamsAdapter(), ZoomVttAdapter()])
    assert registry.detect(source).name == "vtt"
    t = VttAdapter().parse(source, ParseOptions())
    assert [s.speaker for s in t.segments] == ["Ana", "Ben", "Ana", "Cleo", "Dev", "Eli"]


def test_the_layout_makes_a_prefix_used_once_in_lower_case_a_name() -> None:
    """A Zoom meeting where every cue carries a name: two people who speak once, in lower case,
    get their cue (it went to the previous speaker, their name left in the text)."""
    texts = [
        "Priya Raman: Good evening, everyone.",
        "Tomás Ortega: Evening.",
        "Priya Raman: Let's start with the budget.",
        "Tomás Ortega: It is short.",
        "Priya Raman: Good. Anyone else?",
        "shruthi: Good evening.",
        "Tomás Ortega: The budget is final.",
        "Nandani butola: You too.",
        "and we are done",  # Zoom: a cue without a name continues the speaker
    ]
    out = apply_prefix_speakers(cues(*texts), continue_previous=True)
    assert speakers(out)[5:] == [
        ("shruthi", "Good evening."),
        ("Tomás Ortega", "The budget is final."),
        ("Nandani butola", "You too."),
        ("Nandani butola", "and we are done"),
    ]


def test_a_phrase_before_a_colon_stays_text_in_a_named_file() -> None:
    texts = ["Ann: Hi.", "Bob: Hello.", "Ann: So.", "and the thing is that: we wait", "Bob: Ok."]
    out = apply_prefix_speakers(cues(*texts), continue_previous=False)
    assert speakers(out)[3] == (None, "and the thing is that: we wait")


@pytest.mark.parametrize(
    ("text", "name", "rest"),
    [
        ("**Audrow Nash:** Hi everyone.", "Audrow Nash", "Hi everyone."),  # Descript markdown
        ("**Emma**: hi", "Emma", "hi"),
        ("参加者1：本日はよろしくお願いします。", "参加者1", "本日はよろしくお願いします。"),
        ("司会（山田）：始めます。", "司会（山田）", "始めます。"),
        ("司会:本日は", "司会", "本日は"),  # no space after a colon before Japanese text
        ("［司会］：はい", "司会", "はい"),
    ],
)
def test_prefixes_in_markdown_and_full_width(text: str, name: str, rest: str) -> None:
    found = find_prefix(text)
    assert found is not None and (found.name, found.text) == (name, rest)


def test_numbered_names_used_once_are_names() -> None:
    """A Japanese meeting: full-width colons, participants numbered, each speaking once or twice
    (no speakers were found at all)."""
    texts = [
        "司会（山田）：それでは始めます。",
        "参加者1：よろしくお願いします。",
        "参加者2：お願いします。",
        "司会（山田）：最初の議題です。",
        "参加者3：資料を共有します。",
        "参加者1：ありがとうございます。",
    ]
    out = apply_prefix_speakers(cues(*texts), continue_previous=False)
    assert [s.speaker for s in out] == [
        "司会（山田）", "参加者1", "参加者2", "司会（山田）", "参加者3", "参加者1"
    ]  # fmt: skip
    assert out[1].text == "よろしくお願いします。"


def test_detection_keeps_0_1_0_grammar() -> None:
    """Prefixes 0.1.0 did not read (markdown, full-width colons) do not make a .vtt Zoom's."""
    assert not has_consistent_prefixes(["**Ann:** Hi.", "**Bob:** Yo.", "**Ann:** Bye."] * 3)
    assert not has_consistent_prefixes(["参加者1：はい", "参加者2：はい", "参加者1：いいえ"] * 3)
    assert has_consistent_prefixes(["Ann: Hi.", "Bob: Yo.", "Ann: Bye."] * 3)
