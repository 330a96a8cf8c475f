"""Amazon Transcribe output JSON: items, punctuation, speaker and channel labels, errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from support import text_source

from adapters.aws_transcribe import AwsTranscribeAdapter
from importers.adapter import ParseOptions
from importers.errors import ParseError
from importers.model import Word
from importers.source import Source

AWS = AwsTranscribeAdapter()


def src(data: Any) -> Source:
    return text_source(json.dumps(data), "job.json")


def say(content: str, start: str, end: str, **labels: str) -> dict[str, Any]:
    alternatives = [{"confidence": "0.99", "content": content}]
    return {"start_time": start, "end_time": end, "alternatives": alternatives,
            "type": "pronunciation", **labels}  # fmt: skip


def punct(content: str) -> dict[str, Any]:
    return {"alternatives": [{"confidence": "0.0", "content": content}], "type": "punctuation"}


def job(items: list[dict[str, Any]], **results: Any) -> dict[str, Any]:
    return {
        "jobName": "j",
        "results": {"transcripts": [{"transcript": "..."}], "items": items, **results},
    }


def test_punctuation_joins_the_word_before_and_item_labels_are_speakers() -> None:
    items = [
        say("Hi", "0.5", "0.8", speaker_label="spk_0"),
        punct(","),
        say("all", "0.8", "1.1", speaker_label="spk_0"),
        punct("."),
        say("Hello", "1.9", "2.4", speaker_label="spk_1"),
        punct("!"),
    ]
    t = AWS.parse(src(job(items, language_code="en-GB")), ParseOptions())
    assert [(s.speaker, s.start_ms, s.end_ms, s.text) for s in t.segments] == [
        ("spk_0", 500, 1100, "Hi, all."),
        ("spk_1", 1900, 2400, "Hello!"),
    ]
    assert t.segments[0].words == (Word("Hi,", 500, 800, "spk_0"), Word("all.", 800, 1100, "spk_0"))
    assert t.language == "en"


def test_older_output_takes_speakers_from_the_label_segments() -> None:
    items = [say("Yes", "0.10", "0.40"), punct("."), say("No", "1.00", "1.30"), punct(".")]
    labels = {"speakers": 2, "segments": [
        {"start_time": "0.10", "end_time": "0.40", "speaker_label": "spk_0",
         "items": [{"start_time": "0.10", "end_time": "0.40", "speaker_label": "spk_0"}]},
        {"start_time": "1.00", "end_time": "1.30", "speaker_label": "spk_1",
         "items": [{"start_time": "1.00", "end_time": "1.30", "speaker_label": "spk_1"}]},
    ]}  # fmt: skip
    t = AWS.parse(src(job(items, speaker_labels=labels)), ParseOptions())
    assert [(s.speaker, s.text) for s in t.segments] == [("spk_0", "Yes."), ("spk_1", "No.")]


def test_channel_identification_labels_are_speakers() -> None:
    items = [say("Hello", "0.2", "0.6"), say("Hey", "0.9", "1.2")]
    channels = {"number_of_channels": 2, "channels": [
        {"channel_label": "ch_0", "items": [say("Hello", "0.2", "0.6")]},
        {"channel_label": "ch_1", "items": [say("Hey", "0.9", "1.2")]},
    ]}  # fmt: skip
    t = AWS.parse(src(job(items, channel_labels=channels)), ParseOptions())
    assert [(s.speaker, s.text) for s in t.segments] == [("ch_0", "Hello"), ("ch_1", "Hey")]


def test_without_labels_there_are_no_speakers() -> None:
    t = AWS.parse(
        src(job([say("Okay", "0", "0.3"), punct("."), say("Go", "1", "1.2")])), ParseOptions()
    )
    assert [(s.speaker, s.text) for s in t.segments] == [(None, "Okay."), (None, "Go")]


@pytest.mark.parametrize(
    ("items", "reason"),
    [
        ([say("a", "zero", "1")], "results.items[0]: start_time is not a number ('zero')"),
        ([{"type": "pronunciation", "alternatives": []}], "results.items[0]: no alternatives"),
        (["word"], "results.items[0] is not an object"),
    ],
)
def test_broken_items_name_where(items: list[Any], reason: str) -> None:
    with pytest.raises(ParseError) as info:
        AWS.parse(src(job(items)), ParseOptions())
    assert str(info.value) == f"<input>: {reason}"


@pytest.mark.parametrize(
    ("data", "claimed"),
    [
        (job([]), True),
        ({"results": {"channels": []}}, False),  # Deepgram
        ({"results": [1]}, False),
        ({"monologues": []}, False),
    ],
)
def test_sniff(data: Any, claimed: bool) -> None:
    assert AWS.sniff(src(data)) is claimed
