"""AssemblyAI transcript JSON: utterances in milliseconds, words, status, utterance lists."""

from __future__ import annotations

import json
from typing import Any

import pytest
from support import text_source

from adapters.assemblyai import AssemblyAIAdapter
from importers.adapter import ParseOptions
from importers.conversion.normalize import normalize
from importers.errors import ParseError
from importers.source import Source

AAI = AssemblyAIAdapter()


def src(data: Any) -> Source:
    return text_source(json.dumps(data), "t.json")


def w(text: str, start: int, end: int, speaker: str | None) -> dict[str, Any]:
    return {"text": text, "start": start, "end": end, "confidence": 0.9, "speaker": speaker}


UTTERANCES = [
    {"speaker": "A", "text": "Ready?", "start": 100, "end": 600, "confidence": 0.9,
     "words": [w("Ready?", 100, 600, "A")]},
    {"speaker": "B", "text": "Yes, go.", "start": 900, "end": 1750, "confidence": 0.9,
     "words": [w("Yes,", 900, 1200, "B"), w("go.", 1300, 1750, "B")]},
]  # fmt: skip
TRANSCRIPT = {
    "id": "x1",
    "status": "completed",
    "language_code": "de",
    "audio_url": "https://example.org/a.mp3",
    "text": "Ready? Yes, go.",
    "words": [w["words"][0] for w in UTTERANCES[:1]] + UTTERANCES[1]["words"],
    "utterances": UTTERANCES,
}


def test_utterances_with_speakers_in_milliseconds() -> None:
    t = AAI.parse(src(TRANSCRIPT), ParseOptions())
    assert [(s.speaker, s.start_ms, s.end_ms, s.text, len(s.words)) for s in t.segments] == [
        ("Speaker A", 100, 600, "Ready?", 1),
        ("Speaker B", 900, 1750, "Yes, go.", 2),
    ]
    assert t.language == "de"
    n = normalize(t)
    assert n.speakers == {"SPEAKER_00": "Speaker A", "SPEAKER_01": "Speaker B"}
    assert [(x.start_ms, x.end_ms) for x in n.turns] == [(100, 600), (900, 1750)]


def test_without_speaker_labels_words_become_sentences() -> None:
    data = {**TRANSCRIPT, "utterances": None, "language_code": "en_us"}
    data["words"] = [
        w("Ready?", 100, 600, None),
        w("Yes,", 900, 1200, None),
        w("go.", 1300, 1750, None),
    ]
    t = AAI.parse(src(data), ParseOptions())
    assert [(s.speaker, s.start_ms, s.end_ms, s.text) for s in t.segments] == [
        (None, 100, 600, "Ready?"),
        (None, 900, 1750, "Yes, go."),
    ]
    assert t.language == "en"


def test_a_saved_utterance_list_is_read_the_same() -> None:
    t = AAI.parse(src(UTTERANCES), ParseOptions())
    assert [(s.speaker, s.start_ms, s.end_ms) for s in t.segments] == [
        ("Speaker A", 100, 600),
        ("Speaker B", 900, 1750),
    ]


@pytest.mark.parametrize(
    ("status", "error", "reason"),
    [
        ("processing", None, "transcript status is 'processing', not 'completed'"),
        (
            "error",
            "Download error",
            "transcript status is 'error', not 'completed': Download error",
        ),
    ],
)
def test_unfinished_transcripts_are_errors(status: str, error: str | None, reason: str) -> None:
    data = {"id": "x", "status": status, "audio_url": "u", "words": None, "error": error}
    assert AAI.sniff(src({**data, "words": []}))
    with pytest.raises(ParseError) as info:
        AAI.parse(src(data), ParseOptions())
    assert str(info.value) == f"<input>: {reason}"


def test_a_word_with_a_bad_time_names_it() -> None:
    data = {
        **TRANSCRIPT,
        "utterances": None,
        "words": [w("a", 0, 10, None), {"text": "b", "start": "x"}],
    }
    with pytest.raises(ParseError) as info:
        AAI.parse(src(data), ParseOptions())
    assert str(info.value) == "<input>: words[1]: start is not a number ('x')"


@pytest.mark.parametrize(
    ("data", "claimed"),
    [
        (TRANSCRIPT, True),
        (UTTERANCES, True),
        ({"words": [w("a", 0, 1, None)]}, False),  # no transcript fields: someone else's JSON
        ({**TRANSCRIPT, "segments": []}, False),  # a Whisper-style file
        ([{"start": 0.1, "end": 0.5, "speaker": "A", "text": "x"}], False),  # json-segments
    ],
)
def test_sniff(data: Any, claimed: bool) -> None:
    assert AAI.sniff(src(data)) is claimed


def _ms_keys(item: dict[str, Any]) -> dict[str, Any]:
    """An utterance or word as a script saves the SDK's object: times under ``_ms`` keys."""
    out = {k: v for k, v in item.items() if k not in ("start", "end")}
    out |= {"start_ms": item["start"], "end_ms": item["end"]}
    if "words" in item:
        out["words"] = [_ms_keys(x) for x in item["words"]]
    return out


def test_a_transcript_saved_through_the_python_sdk() -> None:
    """The enum printed as the status and times under start_ms/end_ms (refused before)."""
    saved = {
        **TRANSCRIPT,
        "status": "TranscriptStatus.completed",
        "utterances": [_ms_keys(u) for u in UTTERANCES],
    }
    t = AAI.parse(src(saved), ParseOptions())
    assert [(s.speaker, s.start_ms, s.end_ms, s.text) for s in t.segments] == [
        ("Speaker A", 100, 600, "Ready?"),
        ("Speaker B", 900, 1750, "Yes, go."),
    ]
    assert [(x.start_ms, x.end_ms) for x in t.segments[1].words] == [(900, 1200), (1300, 1750)]
    with pytest.raises(ParseError, match="transcript status is 'error', not 'completed'"):
        AAI.parse(src({**saved, "status": "TranscriptStatus.error"}), ParseOptions())
