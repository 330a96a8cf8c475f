"""Request bodies: the server's checks (shared/omi-api/server-behavior.md) and stable ids."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from importers.conversion.normalize import NormalizeOptions
from importers.conversion.options import ConvertOptions
from importers.conversion.payload import (
    MAX_BODY_BYTES,
    MAX_REQUEST_CHARS,
    RequestBody,
    SegmentsRequest,
    TextRequest,
    check_body,
)
from importers.conversion.pipeline import convert
from importers.identity import conversation_key, fingerprint

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def body(segments: list[dict[str, Any]], **kw: Any) -> SegmentsRequest:
    data: dict[str, Any] = {
        "transcript_segments": segments,
        "started_at": START,
        "finished_at": START + timedelta(seconds=60),
        "client_session_id": "omi-import-x-000",
    }
    data.update(kw)
    return SegmentsRequest.model_validate(data)


def problems_of(request: RequestBody) -> list[str]:
    """The checks on a body and its exact bytes, as build_conversations runs them."""
    return check_body(request, len(request.model_dump_json().encode()))


def s(text: str = "hi", start: float = 0.0, end: float = 1.0) -> dict[str, Any]:
    return {"text": text, "speaker": "SPEAKER_00", "speaker_id": 0, "start": start, "end": end}


def test_valid_body_has_no_problems() -> None:
    assert problems_of(body([s(), s("there", 1.0, 2.5)])) == []


def test_per_segment_checks_in_server_order() -> None:
    problems = problems_of(
        body([s(end=0.0), s(start=-1.0, end=-2.0), s(start=-1.0), s("  ", 1, 2)])
    )
    assert problems == [
        "Segment 0: end time must be after start time",
        "Segment 1: end time must be after start time",  # first failure wins per segment
        "Segment 2: start time cannot be negative",
        "Segment 3: text cannot be empty",
    ]


def test_finished_at_after_started_at() -> None:
    assert problems_of(body([s()], finished_at=START)) == ["finished_at must be after started_at"]


def test_source_and_size_caps() -> None:
    assert problems_of(body([s()], source="myapp")) == ["source 'myapp' is not one the API accepts"]
    big = [s("x" * 100_001, i, i + 1) for i in range(5)]
    problems = problems_of(body(big))
    assert "Segment 0: text is over 100,000 characters" in problems
    assert f"request text is over {MAX_REQUEST_CHARS:,} characters" in problems


def test_the_2_mb_cap_is_on_the_exact_bytes() -> None:
    """The cap is on the bytes sent (UTF-8), not on characters."""
    ok = body([s("😀" * 2000, i, i + 1) for i in range(240)])  # 480,000 characters, 1.9 MB
    assert len(ok.model_dump_json().encode()) > 1_900_000
    assert problems_of(ok) == []
    assert check_body(ok, MAX_BODY_BYTES + 1) == ["request body is over 2 MB"]


def test_schema_limits() -> None:
    with pytest.raises(ValidationError):
        body([])
    with pytest.raises(ValidationError):
        body([s(start=i, end=i + 1) for i in range(501)])
    with pytest.raises(ValidationError):
        body([s()], client_session_id="x" * 201)
    with pytest.raises(ValidationError):
        body([s()], client_session_id="")
    assert problems_of(body([s()], client_session_id="   ")) == ["client_session_id is blank"]
    with pytest.raises(ValidationError):
        body([{**s(), "extra": 1}])


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValidationError, match="timezone-aware"):
        body([s()], started_at=datetime(2026, 3, 1, 12, 0))
    with pytest.raises(ValidationError, match="timezone-aware"):
        TextRequest(text="x", started_at=START, finished_at=datetime(2026, 3, 1, 13, 0))


def test_text_body_checks() -> None:
    ok = TextRequest(text="hello", started_at=START, finished_at=START + timedelta(seconds=1))
    assert problems_of(ok) == []
    assert problems_of(TextRequest(text=" ", started_at=START, finished_at=START)) == [
        "text cannot be empty",
        "finished_at must be after started_at",
    ]


def test_keys_are_short_and_distinct() -> None:
    digest = fingerprint("a" * 64, "whisper", {})
    keys = [conversation_key(digest, i) for i in range(3)]
    assert len(set(keys)) == 3
    assert all(len(k) <= 200 for k in keys)
    assert keys[0] == f"omi-import-{digest[:40]}-000"


WHISPER = {
    "text": " Hello there.",
    "segments": [
        {"id": 0, "seek": 0, "start": 0.0, "end": 1.5, "text": " Hello there.", "tokens": [1]}
    ],
    "language": "en",
}
FIXED = ConvertOptions(started_at=START)


def keys(path: Path, options: ConvertOptions = FIXED) -> list[str]:
    return [c.key for c in convert(path, options).conversations]


def test_same_content_under_another_name_same_ids(tmp_path: Path) -> None:
    a = tmp_path / "a.json"
    a.write_text(json.dumps(WHISPER))
    (tmp_path / "sub").mkdir()
    b = tmp_path / "sub" / "renamed.json"
    b.write_bytes(a.read_bytes())
    assert keys(a) == keys(b)


def test_changed_content_or_options_new_ids(tmp_path: Path) -> None:
    a = tmp_path / "a.json"
    a.write_text(json.dumps(WHISPER))
    before = keys(a)
    assert keys(a, ConvertOptions(started_at=START, language="de")) != before
    assert (
        keys(a, ConvertOptions(started_at=START, normalize=NormalizeOptions(merge=False))) != before
    )
    assert (
        keys(a, ConvertOptions(started_at=START, normalize=NormalizeOptions(me=("x",)))) != before
    )
    changed = dict(WHISPER, text=" Hello there!")
    a.write_text(json.dumps(changed))
    assert keys(a) != before


def test_bodies_are_timezone_aware(tmp_path: Path) -> None:
    a = tmp_path / "a.json"
    a.write_text(json.dumps(WHISPER))
    for options in (ConvertOptions(), ConvertOptions(started_at=START)):
        (conversation,) = convert(a, options).conversations
        assert isinstance(conversation.body, SegmentsRequest)
        assert conversation.body.started_at.utcoffset() is not None
        assert conversation.body.finished_at.utcoffset() is not None
