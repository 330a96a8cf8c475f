"""whisper-timestamped JSON: {"text"} words (refused before as "a word has no text")."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support import CORPUS, SAMPLES, text_source

from adapters.whisper import WhisperAdapter
from adapters.whisper_timestamped import WhisperTimestampedAdapter
from adapters.whisperx import WhisperXAdapter
from importers.adapter import ParseOptions
from importers.conversion.pipeline import parse
from importers.errors import ParseError
from importers.model import Word
from importers.source import Source

WT = WhisperTimestampedAdapter()


def src(data: Any) -> Source:
    return text_source(json.dumps(data), "t.json")


FULL = {
    "text": " Bom dia. Tudo bem?",
    "segments": [
        {"id": 0, "seek": 0, "start": 0.3, "end": 2.5, "text": " Bom dia. Tudo bem?",
         "tokens": [1, 2], "temperature": 0.0, "confidence": 0.91,
         "words": [{"text": "Bom", "start": 0.3, "end": 0.6, "confidence": 0.9},
                   {"text": "dia.", "start": 0.6, "end": 1.0, "confidence": 0.95},
                   {"text": "Tudo", "start": 1.6, "end": 1.9, "confidence": 0.9},
                   {"text": "bem?", "start": 1.9, "end": 2.5, "confidence": 0.88}]},
    ],
    "language": "pt",
}  # fmt: skip


def test_words_under_text_are_read() -> None:
    t = WT.parse(src(FULL), ParseOptions())
    (segment,) = t.segments
    assert (segment.start_ms, segment.end_ms, segment.text) == (300, 2500, "Bom dia. Tudo bem?")
    assert segment.words[:2] == (Word("Bom", 300, 600), Word("dia.", 600, 1000))
    assert t.language == "pt"


def test_segments_without_id_seek_tokens_and_with_speakers() -> None:
    word = {"text": "Oi.", "start": 1.0, "end": 1.5, "confidence": 0.9}
    data = {
        "segments": [
            {"start": 1.0, "end": 1.5, "text": " Oi.", "speaker": "SPEAKER_01", "words": [word]}
        ]
    }
    (segment,) = WT.parse(src(data), ParseOptions()).segments
    assert (segment.speaker, segment.start_ms, segment.text) == ("SPEAKER_01", 1000, "Oi.")


def test_the_whisper_adapters_leave_these_files_alone() -> None:
    """Exclusive detection: whisper (which has seek/tokens too) and whisperx say no."""
    stripped = {"segments": [{**s, "speaker": "A"} for s in FULL["segments"]]}  # type: ignore[dict-item]
    for data in (FULL, stripped):
        assert WT.sniff(src(data))
        assert not WhisperAdapter().sniff(src(data))
        assert not WhisperXAdapter().sniff(src(data))


WHISPER_FILES = [
    p
    for p in sorted(SAMPLES.glob("whisper*/*.json")) + sorted(CORPUS.glob("whisper*/*.json"))
    if p.parent.name != "whisper-timestamped"
]


@pytest.mark.parametrize("path", WHISPER_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_does_not_claim_whisper_or_whisperx_files(path: Path) -> None:
    assert not WT.sniff(Source.from_path(path))


def test_a_word_without_text_is_still_an_error() -> None:
    data = {
        "segments": [{"start": 0, "end": 1, "text": "x", "words": [{"text": "a"}, {"start": 0}]}]
    }
    with pytest.raises(ParseError) as info:
        WT.parse(src(data), ParseOptions())
    assert str(info.value) == "t.json: segment 0: a word has no text"


def test_the_sample_converts_end_to_end() -> None:
    t = parse(SAMPLES / "whisper-timestamped" / "reunion-es.json")
    assert t.format == "whisper-timestamped"
    assert [(s.start_ms, s.end_ms) for s in t.segments] == [(520, 2300), (3100, 4120), (5000, 6940)]
