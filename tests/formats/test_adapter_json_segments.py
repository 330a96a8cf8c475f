"""Bare JSON lists of {start, end, speaker, text}: key spellings, units, words, errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from support import text_source

from adapters.json_segments import JsonSegmentsAdapter
from importers.adapter import ParseOptions
from importers.conversion.normalize import normalize
from importers.errors import ParseError
from importers.model import Repair, Word
from importers.source import Source

JS = JsonSegmentsAdapter()


def src(data: Any) -> Source:
    return text_source(json.dumps(data), "t.json")


def rows(data: Any) -> list[tuple[str | None, int | None, int | None, str]]:
    return [
        (s.speaker, s.start_ms, s.end_ms, s.text)
        for s in JS.parse(src(data), ParseOptions()).segments
    ]


def test_the_common_shape() -> None:
    data = [
        {"start": 0.5, "end": 2.25, "speaker": "SPEAKER_00", "text": " Hi all."},
        {"start": 2.5, "end": 3.0, "speaker": "SPEAKER_01", "text": "Hey."},
    ]
    assert rows(data) == [("SPEAKER_00", 500, 2250, "Hi all."), ("SPEAKER_01", 2500, 3000, "Hey.")]


@pytest.mark.parametrize(
    ("item", "row"),
    [
        (
            {"begin": 1.5, "stop": 2, "speaker_label": "Ann", "content": "a"},
            ("Ann", 1500, 2000, "a"),
        ),
        (
            {"start_time": 1, "end_time": 2.5, "speaker_id": 3, "transcript": "b"},
            ("Speaker 3", 1000, 2500, "b"),
        ),
        (
            {"startTime": "00:01:02.5", "endTime": "01:03", "speakerName": "Bo", "sentence": "c"},
            ("Bo", 62_500, 63_000, "c"),
        ),
        ({"start_ms": 1200, "end_ms": 1900, "spk": "x", "utterance": "d"}, ("x", 1200, 1900, "d")),
        ({"from": "4.25", "duration": 0.5, "text": "e"}, (None, 4250, 4750, "e")),
        ({"start": 7, "text": "f"}, (None, 7000, None, "f")),
    ],
)
def test_key_spellings_and_units(item: dict[str, Any], row: tuple[Any, ...]) -> None:
    assert rows([item]) == [row]


def test_a_clock_field_over_60_is_read_and_reported() -> None:
    t = JS.parse(src([{"start": "00:00:59.5", "end": "00:00:61.0", "text": "x"}]), ParseOptions())
    assert [(s.start_ms, s.end_ms) for s in t.segments] == [(59_500, 61_000)]
    assert t.repairs == (Repair("time_field_overflow"),)


def test_a_word_list_builds_turns_from_its_words() -> None:
    data = [
        {"word": "So", "start": 0.1, "end": 0.3, "speaker": "A"},
        {"word": "now?", "start": 0.3, "end": 0.6, "speaker": "A"},
        {"word": "Yes.", "start": 1.0, "end": 1.4, "speaker": "B"},
    ]
    t = JS.parse(src(data), ParseOptions())
    assert t.segments[0].words == (Word("So", 100, 300, "A"),)
    n = normalize(t)
    assert [(x.speaker, x.start_ms, x.end_ms, x.text) for x in n.turns] == [
        ("SPEAKER_00", 100, 600, "So now?"),
        ("SPEAKER_01", 1000, 1400, "Yes."),
    ]


def test_segments_with_word_lists_in_milliseconds() -> None:
    data = [
        {
            "start_ms": 0,
            "end_ms": 900,
            "speaker": "A",
            "text": "Hi you",
            "words": [
                {"word": "Hi", "start": 0, "end": 300},
                {"text": "you", "start": 400, "end": 900},
            ],
        }
    ]
    (segment,) = JS.parse(src(data), ParseOptions()).segments
    assert segment.words == (Word("Hi", 0, 300, "A"), Word("you", 400, 900, "A"))


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (
            [{"start": 0, "text": "a"}, {"start": 1}],
            "item 1: no text (text, content, transcript, sentence, utterance, caption, word)",
        ),
        ([{"start": "soon", "text": "a"}], "item 0: start is not a time ('soon')"),
        ([{"start": [1], "text": "a"}], "item 0: start is not a number ([1])"),
        ([{"start": 0, "text": "a"}, 5], "item 1 is not an object"),
    ],
)
def test_broken_items_name_the_item(data: Any, reason: str) -> None:
    with pytest.raises(ParseError) as info:
        JS.parse(src(data), ParseOptions())
    assert str(info.value) == f"<input>: {reason}"


@pytest.mark.parametrize(
    ("data", "claimed"),
    [
        ([{"start": 0, "end": 1, "speaker": "A", "text": "x"}], True),
        ([{"begin": "0:01", "content": "x"}], True),
        ([], False),
        ([{"text": "no times"}], False),
        ([1, 2], False),
        ({"segments": [{"start": 0, "text": "x"}]}, False),  # an object: Whisper's
        # AssemblyAI's saved utterances (integer ms): left to the assemblyai adapter.
        (
            [{"speaker": "A", "text": "x", "start": 10, "end": 90, "confidence": 0.9, "words": []}],
            False,
        ),
    ],
)
def test_sniff(data: Any, claimed: bool) -> None:
    assert JS.sniff(src(data)) is claimed
