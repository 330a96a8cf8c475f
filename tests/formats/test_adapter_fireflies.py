"""Fireflies.ai transcript JSON (issue 24): detection beside the other JSON formats, times,
speakers, the start and the user."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from support import SAMPLES, text_source

from importers.conversion.options import ConvertOptions
from importers.conversion.pipeline import convert, convert_all
from importers.errors import UnknownFormatError
from importers.registry import Registry

REGISTRY = Registry.default()
API = json.loads((SAMPLES / "fireflies" / "vendor-call-api.json").read_text(encoding="utf-8"))


def sentence(i: int, **over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "index": i,
        "speaker_name": "Ada",
        "speaker_id": 0,
        "text": f"Sentence {i}.",
        "raw_text": f"sentence {i}",
        "start_time": i * 2.0,
        "end_time": i * 2.0 + 1.5,
    }
    return {**base, **over}


def detect(data: object, name: str = "t.json") -> str:
    return REGISTRY.detect(text_source(json.dumps(data), name)).name


def test_detection_beside_json_segments() -> None:
    assert detect(API) == "fireflies"
    assert detect(API["data"]["transcript"]) == "fireflies"  # the transcript saved alone
    assert detect([sentence(0), sentence(1)]) == "fireflies"  # its sentences saved alone
    plain = [{"speaker_name": "Ada", "text": "hi", "start_time": 0, "end_time": 1}]
    assert detect(plain) == "json-segments"  # no Fireflies key: a home-made list stays theirs
    several = {"data": {"transcripts": [API["data"]["transcript"]]}}
    with pytest.raises(UnknownFormatError):  # the list query's answer: not one conversation
        detect(several)


def test_times_as_numbers_or_strings_and_speakers(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(
        json.dumps(
            [
                sentence(0, start_time="0.50", end_time="1.25"),
                sentence(1, speaker_name="", speaker_id=7),
                sentence(2, text=None, raw_text="the raw words"),
            ]
        )
    )
    conversion = convert(path, ConvertOptions.from_flags(registry=REGISTRY, no_merge=True))
    segments = conversion.conversations[0].body.transcript_segments
    assert [(s.start, s.end) for s in segments] == [(0.5, 1.25), (2.0, 3.5), (4.0, 5.5)]
    assert conversion.normalized.speakers == {"SPEAKER_00": "Ada", "SPEAKER_01": "Speaker 7"}
    assert conversion.normalized.turns[2].text == "the raw words"


def test_a_time_that_is_no_number_names_the_sentence(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps([sentence(0), sentence(1, start_time="soon")]))
    outcome = next(iter(convert_all([path])))
    assert str(outcome.error) == f"{path}: sentences[1]: start_time is not a number ('soon')"


def test_the_start_is_the_meeting_date_in_utc_whatever_the_timezone(tmp_path: Path) -> None:
    path = SAMPLES / "fireflies" / "vendor-call-api.json"
    for zone in ("UTC", "Asia/Kolkata"):
        options = ConvertOptions.from_flags(registry=REGISTRY, timezone=zone)
        started = convert(path, options).conversations[0].body.started_at
        assert started == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    only_ms = dict(API["data"]["transcript"])
    del only_ms["dateString"]
    (tmp_path / "ms.json").write_text(json.dumps(only_ms))
    started = convert(tmp_path / "ms.json").conversations[0].body.started_at
    assert started == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # "date": Unix ms


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("dateString", "the second of March", "dateString is not an ISO 8601 time"),
        ("date", 1e30, "date is out of range"),
    ],
)
def test_a_bad_date_is_an_error(tmp_path: Path, field: str, value: object, error: str) -> None:
    transcript = dict(API["data"]["transcript"])
    transcript.pop("dateString")
    transcript[field] = value
    (tmp_path / "t.json").write_text(json.dumps(transcript))
    outcome = next(iter(convert_all([tmp_path / "t.json"])))
    assert outcome.status == "failed" and error in str(outcome.error)


def test_the_account_owner_is_the_user() -> None:
    body = convert(SAMPLES / "fireflies" / "vendor-call-api.json").conversations[0].body
    users = {s.speaker for s in body.transcript_segments if s.is_user}
    assert users == {"SPEAKER_00"}  # Priya Natarajan, user.name
    bare = convert(SAMPLES / "fireflies" / "sentences-only.json").conversations[0].body
    assert not any(s.is_user for s in bare.transcript_segments)  # no account: nobody
