"""Hypothesis: chunking invariants over generated turn sequences."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from support import text_source

from importers.conversion.chunking import chunk, split_points
from importers.conversion.normalize import NormalizeOptions
from importers.conversion.options import ConvertOptions
from importers.conversion.payload import MAX_REQUEST_CHARS, SegmentsRequest
from importers.conversion.pipeline import convert_transcript
from importers.model import Segment, Transcript, Turn
from importers.registry import Registry

pauses = st.lists(st.integers(min_value=-500, max_value=20_000), min_size=0, max_size=400)


def build(pause_list: list[int], texts: int = 3) -> list[Turn]:
    out, t = [], 0
    for i in range(len(pause_list) + 1):
        out.append(Turn("w " * texts + str(i), t, t + 800, f"SPEAKER_{i % 3:02d}", i % 3))
        t = max(0, t + 800 + (pause_list[i] if i < len(pause_list) else 0))
    return out


@given(pauses, st.integers(min_value=1, max_value=60), st.integers(min_value=1, max_value=30))
def test_chunk_invariants(pause_list: list[int], max_segments: int, window: int) -> None:
    """Each chunk holds 1..max turns; concatenated they are the input, in order."""
    turns = build(pause_list)
    chunks = chunk(turns, max_segments=max_segments, max_chars=MAX_REQUEST_CHARS, window=window)
    assert all(1 <= len(c) <= max_segments for c in chunks)
    assert [t for c in chunks for t in c] == turns
    assert len(chunks) >= -(-len(turns) // max_segments)


@given(pauses, st.integers(min_value=2, max_value=60), st.integers(min_value=1, max_value=30))
def test_cut_is_the_longest_pause_in_the_window(
    pause_list: list[int], max_segments: int, window: int
) -> None:
    turns = build(pause_list)
    ranges = split_points(
        turns, max_segments=max_segments, max_chars=MAX_REQUEST_CHARS, window=window
    )
    for begin, end in ranges[:-1]:
        limit = begin + max_segments
        lo = max(begin + 1, limit - window)
        gap = turns[end].start_ms - turns[end - 1].end_ms
        assert lo <= end <= limit
        assert all(gap >= turns[j].start_ms - turns[j - 1].end_ms for j in range(lo, limit + 1))


@settings(max_examples=25, deadline=None)  # each example converts 500-1300 segments
@given(st.lists(st.integers(min_value=0, max_value=5000), min_size=500, max_size=1300))
def test_bodies_rebased_with_distinct_ids(pause_list: list[int]) -> None:
    """Every chunk's segments start at >= 0 from its own started_at; ids are distinct."""
    segments = []
    t = 0
    for i, p in enumerate([*pause_list, 0]):
        segments.append(Segment(f"word {i}", t, t + 700, None))
        t += 700 + p
    transcript = Transcript(tuple(segments), "test")
    options = ConvertOptions(
        started_at=datetime(2026, 1, 1, tzinfo=UTC), normalize=NormalizeOptions(merge=False)
    )
    conv = convert_transcript(
        transcript,
        text_source("x", str(Path("x.test"))),
        Registry.default().get("whisper"),
        options,
    )
    keys = [c.key for c in conv.conversations]
    assert len(set(keys)) == len(keys)
    assert all(len(k) <= 200 for k in keys)
    total = 0
    for c in conv.conversations:
        body = c.body
        assert isinstance(body, SegmentsRequest)
        assert body.transcript_segments[0].start == 0.0 or c.index == 0
        assert all(s.start >= 0 and s.end > s.start for s in body.transcript_segments)
        assert body.finished_at > body.started_at
        assert body.client_session_id == c.key
        total += len(body.transcript_segments)
    assert total == len(segments)
