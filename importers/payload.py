"""Request bodies of the Omi Developer API, and the checks the server makes on them.

The only place milliseconds become the API's float seconds. :func:`check_segments_body` repeats
the server's own validation (``shared/omi-api/server-behavior.md``: schema, then per segment
end > start, start >= 0, non-blank text, then ``finished_at > started_at``, plus the edge
deployment's size caps), so a body that would be rejected never spends a rate-limited request.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

SEGMENTS_ENDPOINT = "/v1/dev/user/conversations/from-segments"
TEXT_ENDPOINT = "/v1/dev/user/conversations"

MAX_SEGMENTS = 500
MAX_SESSION_ID = 200
MAX_TEXT_CHARS = 100_000
MAX_SEGMENT_CHARS = 100_000
MAX_REQUEST_CHARS = 500_000
MAX_BODY_BYTES = 2 * 1024 * 1024

SOURCES = (
    "friend", "omi", "fieldy", "bee", "plaud", "frame", "friend_com", "apple_watch", "phone",
    "phone_call", "desktop", "openglass", "screenpipe", "workflow", "sdcard",
    "external_integration", "limitless", "onboarding", "unknown",
)  # fmt: skip
TEXT_SOURCES = ("audio_transcript", "message", "other_text")


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("datetime must be timezone-aware (naive datetimes have caused 500s)")
    return value


AwareDatetime = Annotated[datetime, AfterValidator(_aware)]


class SegmentBody(BaseModel):
    """One element of ``transcript_segments``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str
    speaker: str
    speaker_id: int
    is_user: bool = False
    person_id: str | None = None
    start: float
    end: float


class SegmentsRequest(BaseModel):
    """``POST /v1/dev/user/conversations/from-segments``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    transcript_segments: list[SegmentBody] = Field(min_length=1, max_length=MAX_SEGMENTS)
    source: str = "external_integration"
    started_at: AwareDatetime
    finished_at: AwareDatetime
    language: str = "en"
    client_session_id: str = Field(min_length=1, max_length=MAX_SESSION_ID)


class TextRequest(BaseModel):
    """``POST /v1/dev/user/conversations`` (chats: ``text_source="message"``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    text_source: Literal["audio_transcript", "message", "other_text"] = "other_text"
    text_source_spec: str | None = None
    started_at: AwareDatetime
    finished_at: AwareDatetime
    language: str = "en"


RequestBody = SegmentsRequest | TextRequest


def endpoint_for(body: RequestBody) -> str:
    return SEGMENTS_ENDPOINT if isinstance(body, SegmentsRequest) else TEXT_ENDPOINT


def to_json(body: RequestBody) -> dict[str, object]:
    """The exact JSON object that is POSTed (and that ``convert`` prints)."""
    data: dict[str, object] = body.model_dump(mode="json", exclude_none=False)
    return data


def check_segments_body(body: SegmentsRequest) -> list[str]:
    """Everything the server would reject, in the server's order (empty when valid)."""
    problems: list[str] = []
    if not body.client_session_id.strip():
        problems.append("client_session_id is blank")
    for i, seg in enumerate(body.transcript_segments):
        if seg.end <= seg.start:
            problems.append(f"Segment {i}: end time must be after start time")
        elif seg.start < 0:
            problems.append(f"Segment {i}: start time cannot be negative")
        elif not seg.text.strip():
            problems.append(f"Segment {i}: text cannot be empty")
        if len(seg.text) > MAX_SEGMENT_CHARS:
            problems.append(f"Segment {i}: text is over {MAX_SEGMENT_CHARS:,} characters")
    if body.finished_at <= body.started_at:
        problems.append("finished_at must be after started_at")
    if body.source not in SOURCES:
        problems.append(f"source {body.source!r} is not one the API accepts")
    if sum(len(s.text) for s in body.transcript_segments) > MAX_REQUEST_CHARS:
        problems.append(f"request text is over {MAX_REQUEST_CHARS:,} characters")
    if len(json.dumps(to_json(body)).encode()) > MAX_BODY_BYTES:
        problems.append("request body is over 2 MB")
    return problems


def check_text_body(body: TextRequest) -> list[str]:
    problems: list[str] = []
    if not body.text.strip():
        problems.append("text cannot be empty")
    if body.finished_at <= body.started_at:
        problems.append("finished_at must be after started_at")
    return problems


def check_body(body: RequestBody) -> list[str]:
    if isinstance(body, SegmentsRequest):
        return check_segments_body(body)
    return check_text_body(body)
