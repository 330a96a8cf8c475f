"""Chunking into <=500-segment conversations, and each chunk's body times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from support import text_source

from importers.conversion.chunking import chunk, split_points
from importers.conversion.normalize import NormalizeOptions
from importers.conversion.options import ConvertOptions
from importers.conversion.payload import MAX_REQUEST_CHARS, MAX_SEGMENTS, SegmentsRequest
from importers.conversion.pipeline import convert_transcript
from importers.model import Segment, Transcript, Turn
from importers.registry import Registry

START = datetime(2026, 3, 1, 14, 0, tzinfo=UTC)
#: The API's limits, as payload passes them.
LIMITS = {"max_segments": MAX_SEGMENTS, "max_chars": MAX_REQUEST_CHARS}


def turns_with_pauses(pauses: list[int], length: int = 1000) -> list[Turn]:
    """Turns of ``length`` ms separated by the given pauses (len(pauses) + 1 turns)."""
    out, t = [], 0
    for i in range(len(pauses) + 1):
        out.append(Turn(f"t{i}", t, t + length, "SPEAKER_00", 0))
        t += length + (pauses[i] if i < len(pauses) else 0)
    return out


def test_short_transcript_is_one_chunk() -> None:
    turns = turns_with_pauses([100] * 9)
    assert chunk(turns, **LIMITS) == [turns]


def test_split_at_the_longest_pause_near_the_limit() -> None:
    pauses = [100] * 1199
    pauses[449] = 5000  # between turn 449 and 450: inside the window before 500
    pauses[120] = 60_000  # far from the limit: ignored
    turns = turns_with_pauses(pauses)
    assert split_points(turns, **LIMITS) == [(0, 450), (450, 950), (950, 1200)]


def test_equal_pauses_cut_at_the_limit() -> None:
    assert split_points(turns_with_pauses([100] * 1236), **LIMITS) == [
        (0, 500),
        (500, 1000),
        (1000, 1237),
    ]


def test_character_cap_splits_earlier() -> None:
    turns = [Turn("x" * 1000, i * 1000, i * 1000 + 900, "SPEAKER_00", 0) for i in range(20)]
    ranges = split_points(turns, max_segments=MAX_SEGMENTS, max_chars=5500)
    assert all(sum(len(t.text) for t in turns[a:b]) <= 5500 for a, b in ranges)
    assert ranges[0] == (0, 5)


def test_invalid_max() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        split_points(turns_with_pauses([1]), max_segments=0, max_chars=MAX_REQUEST_CHARS)


def test_chunks_rebase_times_and_have_their_own_span(tmp_path: Path) -> None:
    """Chunk 1 starts where its first segment starts; times inside are relative to that."""
    shift = [30_000 if i >= 500 else 0 for i in range(700)]  # a 30 s pause before turn 500
    segments = tuple(
        Segment(f"words {i}", i * 2000 + shift[i], i * 2000 + 1500 + shift[i], f"S{i % 2}")
        for i in range(700)
    )
    transcript = Transcript(segments, "test")
    source = text_source("unused", str(tmp_path / "x.test"))
    adapter = Registry.default().get("whisper")
    options = ConvertOptions(started_at=START, normalize=NormalizeOptions(merge=False))
    conv = convert_transcript(transcript, source, adapter, options)
    bodies = [c.body for c in conv.conversations]
    first, second = bodies
    assert isinstance(first, SegmentsRequest)
    assert isinstance(second, SegmentsRequest)
    assert len(first.transcript_segments) == 500
    assert len(second.transcript_segments) == 200
    assert first.started_at == START
    assert first.transcript_segments[0].start == 0.0
    assert first.finished_at == START + timedelta(milliseconds=499 * 2000 + 1500)
    second_start_ms = 500 * 2000 + 30_000
    assert second.started_at == START + timedelta(milliseconds=second_start_ms)
    assert second.transcript_segments[0].start == 0.0
    assert second.transcript_segments[0].end == 1.5
    assert second.finished_at == START + timedelta(milliseconds=699 * 2000 + 1500 + 30_000)
    # Speakers keep the same labels in every chunk.
    assert {s.speaker for s in second.transcript_segments} == {"SPEAKER_00", "SPEAKER_01"}
    assert len({c.key for c in conv.conversations}) == 2
    assert MAX_SEGMENTS == 500
