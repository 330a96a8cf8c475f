"""Request bodies of the Omi Developer API: built once, checked like the server, sent as is.

:func:`build_conversations` turns a normalized transcript into its conversations: turns cut
into chunks within the limits below (:mod:`importers.conversion.chunking`), times rebased to each
chunk's start and turned from milliseconds into the API's float seconds (the only place that
happens), each body validated by its pydantic model and serialised once to the exact bytes
(:attr:`Conversation.json`) that the size check measures, the client POSTs, the ledger keeps
for a rejected body and ``convert`` prints. :func:`check_body` repeats the server's own
validation (``shared/omi-api/server-behavior.md``: schema, then per segment end > start,
start >= 0, non-blank text, then ``finished_at > started_at``, plus the edge deployment's size
caps), so a body that would be rejected never spends a rate-limited request.

Chats (``kind == "messages"``) go to the text endpoint as ``[HH:MM:SS] Name: text`` lines.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticSerializationError

from importers.bounds import DATETIME_RANGE, end_in_range
from importers.conversion.chunking import chunk
from importers.errors import PayloadError
from importers.identity import conversation_key, regenerated
from importers.model import NormalizedTranscript, Turn
from importers.names import with_name

SEGMENTS_ENDPOINT = "/v1/dev/user/conversations/from-segments"
TEXT_ENDPOINT = "/v1/dev/user/conversations"

#: The server's limits (server-behavior.md), each defined here only.
MAX_SEGMENTS = 500
MAX_SESSION_ID = 200
MAX_TEXT_CHARS = 100_000
MAX_SEGMENT_CHARS = 100_000
#: The edge deployment's cap on the text of one request (segments' text summed).
MAX_REQUEST_CHARS = 500_000
MAX_BODY_BYTES = 2 * 1024 * 1024

SOURCES = (
    "friend", "omi", "fieldy", "bee", "plaud", "frame", "friend_com", "apple_watch", "phone",
    "phone_call", "desktop", "openglass", "screenpipe", "workflow", "sdcard",
    "external_integration", "limitless", "onboarding", "unknown",
)  # fmt: skip
#: The source segment uploads carry unless told otherwise: the one that gets Omi's full
#: processing (summary, action items, memories) in every server era (server-behavior.md,
#: Sources).
DEFAULT_SOURCE = "phone"


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
    source: str = DEFAULT_SOURCE
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


@dataclass(frozen=True)
class Conversation:
    """One conversation to create: its key (the client_session_id) and its exact request body.

    ``json`` is the body serialised once; :attr:`body` is the validated model, parsed back from
    those bytes when a library caller asks for it (a long file's conversations are held as
    bytes only).
    """

    key: str
    index: int
    endpoint: str
    json: bytes

    @cached_property
    def body(self) -> RequestBody:
        model = SegmentsRequest if self.endpoint == SEGMENTS_ENDPOINT else TextRequest
        return model.model_validate_json(self.json)

    def at_generation(self, generation: int) -> Conversation:
        """This conversation under the key of ``generation`` (:func:`identity.regenerated`):
        the same body, with that ``client_session_id`` for a segments upload."""
        key = regenerated(self.key, generation)
        if key == self.key:
            return self
        body = self.body
        if isinstance(body, SegmentsRequest):
            body = body.model_copy(update={"client_session_id": key})
            return Conversation(key, self.index, self.endpoint, _serialised(body))
        return Conversation(key, self.index, self.endpoint, self.json)


def build_conversations(
    normalized: NormalizedTranscript,
    *,
    started_at: datetime,
    language: str,
    source: str,
    digest: str,
    text_source_spec: str | None = None,
    names_in_text: bool = True,
) -> tuple[Conversation, ...]:
    """The conversations of one transcript, each checked as the server would.

    ``digest`` is the input's fingerprint (:func:`importers.identity.fingerprint`); conversation
    ``i`` gets the key ``conversation_key(digest, i)``. ``text_source_spec`` says where a chat's
    messages come from (``"zoom_chat"``; None: not said). ``names_in_text``: a segment of a
    named speaker who is neither the user nor a person says ``Name: text``
    (:mod:`importers.names`).

    Raises:
        PayloadError: a body the server would reject (the message says which and why), or
            one whose dates leave :mod:`importers.bounds`' range.
    """
    # The last moment any body holds (a message's line lasts a second): past it, the dates
    # would leave bounds' range (or Python's: a day after 9999-12-31 overflows).
    last_ms = max((t.end_ms for t in normalized.turns), default=0)
    if not end_in_range(started_at, last_ms + (1000 if normalized.kind == "messages" else 0)):
        raise PayloadError(
            f"starts {started_at.isoformat()} and lasts {last_ms / 3_600_000:,.1f} hours, "
            f"so it would end outside {DATETIME_RANGE}"
        )
    if normalized.kind == "messages":
        bodies: Iterator[RequestBody] = _text_bodies(
            normalized, started_at, language, text_source_spec
        )
    else:
        turns = _named(normalized) if names_in_text else normalized.turns
        bodies = _segment_bodies(turns, started_at, language, source, digest)
    out = []
    for i, body in enumerate(bodies):
        try:
            data = _serialised(body)
        except PydanticSerializationError:  # a plugin's text with a lone surrogate: no UTF-8
            raise PayloadError(
                f"conversation {i + 1} holds text that is not valid Unicode (a lone surrogate)"
            ) from None
        problems = check_body(body, len(data))
        if problems:
            raise PayloadError(
                f"conversation {i + 1} would be rejected by Omi: {'; '.join(problems[:3])}"
            )
        out.append(Conversation(conversation_key(digest, i), i, endpoint_for(body), data))
    return tuple(out)


def _serialised(body: RequestBody) -> bytes:
    return body.__pydantic_serializer__.to_json(body)


def _named(normalized: NormalizedTranscript) -> tuple[Turn, ...]:
    """The turns with the names Omi could not show kept in their text (before chunking, so
    the chunks' size limits count the names too)."""
    speakers = normalized.speakers
    return tuple(
        t
        if t.is_user or t.person_id is not None
        else t._replace(text=with_name(t.text, speakers.get(t.speaker)))
        for t in normalized.turns
    )


def _segment_bodies(
    turns: Sequence[Turn],
    started_at: datetime,
    language: str,
    source: str,
    digest: str,
) -> Iterator[SegmentsRequest]:
    chunks = chunk(turns, max_segments=MAX_SEGMENTS, max_chars=MAX_REQUEST_CHARS)
    for i, turns in enumerate(chunks):
        offset = 0 if i == 0 else turns[0].start_ms
        start = started_at + timedelta(milliseconds=offset)
        end_ms = max(t.end_ms for t in turns) - offset
        # One validation per request: plain dicts validated by pydantic-core in one call are
        # several times faster than one SegmentBody model per segment, and check the same schema.
        yield SegmentsRequest.model_validate(
            {
                "transcript_segments": [
                    {
                        "text": t.text,
                        "speaker": t.speaker,
                        "speaker_id": t.speaker_id,
                        "is_user": t.is_user,
                        "person_id": t.person_id,
                        # ms -> the API's float seconds (here only): an integer / 1000 is
                        # already the nearest float to the 3-decimal value.
                        "start": (t.start_ms - offset) / 1000,
                        "end": (t.end_ms - offset) / 1000,
                    }
                    for t in turns
                ],
                "source": source,
                "started_at": start,
                "finished_at": start + timedelta(milliseconds=end_ms),
                "language": language,
                "client_session_id": conversation_key(digest, i),
            }
        )


def _text_bodies(
    normalized: NormalizedTranscript, started_at: datetime, language: str, spec: str | None
) -> Iterator[TextRequest]:
    """Messages become ``[HH:MM:SS] Name: text`` lines, split below 100,000 characters.

    Bodies break between messages; a single message longer than a body is cut into pieces of at
    most 100,000 characters (nothing is truncated), each piece its own line.
    """
    lines: list[tuple[int, str]] = []
    for t in normalized.turns:
        when = (started_at + timedelta(milliseconds=t.start_ms)).strftime("%H:%M:%S")
        name = normalized.speakers.get(t.speaker) or t.speaker
        line = f"[{when}] {name}: {t.text}"
        lines.extend(
            (t.start_ms, line[i : i + MAX_TEXT_CHARS]) for i in range(0, len(line), MAX_TEXT_CHARS)
        )
    batch: list[tuple[int, str]] = []
    size = 0

    def body(items: list[tuple[int, str]]) -> TextRequest:
        first, last = items[0][0], items[-1][0]
        start = started_at + timedelta(milliseconds=first)
        return TextRequest(
            text="\n".join(line for _, line in items),
            text_source="message",
            text_source_spec=spec,
            started_at=start,
            finished_at=start + timedelta(milliseconds=max(1000, last - first + 1000)),
            language=language,
        )

    for item in lines:
        if batch and size + len(item[1]) + 1 > MAX_TEXT_CHARS:
            yield body(batch)
            batch, size = [], 0
        batch.append(item)
        size += len(item[1]) + 1
    if batch:
        yield body(batch)


def endpoint_for(body: RequestBody) -> str:
    return SEGMENTS_ENDPOINT if isinstance(body, SegmentsRequest) else TEXT_ENDPOINT


def check_segments_body(body: SegmentsRequest, size_bytes: int) -> list[str]:
    """Everything the server would reject, in the server's order (empty when valid).

    ``size_bytes`` is the length of the body's exact bytes (the edge's 2 MB cap).
    """
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
    if size_bytes > MAX_BODY_BYTES:
        problems.append("request body is over 2 MB")
    return problems


def check_text_body(body: TextRequest) -> list[str]:
    problems: list[str] = []
    if not body.text.strip():
        problems.append("text cannot be empty")
    if body.finished_at <= body.started_at:
        problems.append("finished_at must be after started_at")
    return problems


def check_body(body: RequestBody, size_bytes: int) -> list[str]:
    if isinstance(body, SegmentsRequest):
        return check_segments_body(body, size_bytes)
    return check_text_body(body)
