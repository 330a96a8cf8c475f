"""What the server answered, read within bounds and interpreted without trusting it.

Nothing here assumes the server is Omi, or well: a proxy, a captive portal or a hostile host
may answer instead. So the body is read up to :data:`MAX_ANSWER_BYTES` (an Omi answer is well
under 1 KiB), JSON that is not JSON or is nested past the parser's depth is "not JSON", header
numbers outside a sane range count as absent, and a created conversation must have a sane id.
The strings returned are raw server text: the client redacts the key from them and makes them
printable (:mod:`importers.redact`) before they are shown or stored.
"""

from __future__ import annotations

import email.utils
import json
import math
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

import httpx

MAX_ANSWER_BYTES = 256 * 1024
#: Omi ids are UUIDs; allow other plain ids, never spaces, controls, quotes or huge ones.
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,199}")
#: Larger rate-limit numbers than this are nonsense (Omi: 25 per hour).
MAX_HEADER_INT = 10**9


class MalformedAnswer(Exception):  # noqa: N818 - a finding about an answer, not our error
    """A 2xx answer that does not describe a created conversation; ``reason`` says how."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Answer:
    """One HTTP answer: status, headers, and at most ``MAX_ANSWER_BYTES`` of its body."""

    status: int
    headers: httpx.Headers
    body: bytes
    reason_phrase: str = ""
    #: The body went on past the bound; ``body`` holds its start.
    truncated: bool = False

    @classmethod
    def read(cls, response: httpx.Response, limit: int = MAX_ANSWER_BYTES) -> Answer:
        """Read an open (streamed) response's body, stopping once it passes ``limit`` bytes."""
        chunks: list[bytes] = []
        size = 0
        truncated = False
        for chunk in response.iter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                truncated = True
                break
        body = b"".join(chunks)[:limit]
        return cls(response.status_code, response.headers, body, response.reason_phrase, truncated)

    def json(self) -> object:
        """The body as JSON. Raises ValueError when it is not (or is too deeply nested)."""
        if self.truncated:
            raise ValueError("truncated")
        try:
            return json.loads(self.body)
        except RecursionError:
            raise ValueError("nested too deeply") from None

    def text(self) -> str:
        """The body as text (UTF-8; anything else is only ever shown, so replaced is enough)."""
        return self.body.decode("utf-8", "replace")


def error_detail(answer: Answer) -> str:
    """The server's ``detail``, raw: a string, a validation list, or a code/message object."""
    try:
        data = answer.json()
    except ValueError:
        return answer.text()
    detail = data.get("detail", data) if isinstance(data, dict) else data
    if isinstance(detail, str):
        return detail
    if isinstance(detail, list):
        parts = []
        for item in detail:
            if isinstance(item, dict):
                loc = item.get("loc")
                where = (
                    ".".join(str(x) for x in loc if x != "body") if isinstance(loc, list) else ""
                )
                msg = str(item.get("msg", ""))
                parts.append(f"{where}: {msg}" if where else msg)
            else:
                parts.append(str(item))
        return "; ".join(parts)
    if isinstance(detail, dict):
        return str(detail.get("message") or detail.get("code") or detail)
    return str(detail)


class Fields(NamedTuple):
    """What a 2xx answer to a create says."""

    id: str
    status: str
    discarded: bool
    #: It carries fields only newer servers add (``meeting_treatment_eligible``, E2).
    newer: bool = False


def created_fields(answer: Answer) -> Fields:
    """The fields of a 2xx answer. Raises MalformedAnswer."""
    if answer.truncated:
        raise MalformedAnswer(f"an answer over {MAX_ANSWER_BYTES // 1024} KiB")
    try:
        data = answer.json()
    except ValueError:
        kind = answer.headers.get("Content-Type", "no content type").split(";")[0]
        raise MalformedAnswer(f"an answer that is not JSON ({kind[:40]})") from None
    if not isinstance(data, dict):
        raise MalformedAnswer("an answer without a conversation id")
    conversation_id = data.get("id")
    if not isinstance(conversation_id, str) or not _SANE_ID.fullmatch(conversation_id):
        raise MalformedAnswer("an answer without a conversation id")
    status = data.get("status")
    if not isinstance(status, str):
        raise MalformedAnswer("an answer without a conversation status")
    discarded = data.get("discarded")
    # A bool serialised as a string would otherwise read as True for "false".
    if isinstance(discarded, str) and discarded.lower() in ("true", "false"):
        discarded = discarded.lower() == "true"
    if not isinstance(discarded, bool):
        raise MalformedAnswer("an answer without a valid `discarded` flag")
    return Fields(conversation_id, status, discarded, "meeting_treatment_eligible" in data)


def handler_detail(answer: Answer) -> bool:
    """Whether an error answer is the API's own (a JSON ``detail``), rather than a gateway's
    or a crash's (an empty or plain-text body): Omi's processing raises its 500, its
    provider's 503 and the BYOK 429 before anything is stored."""
    try:
        data = answer.json()
    except ValueError:
        return False
    return isinstance(data, dict) and isinstance(data.get("detail"), str | dict)


def detail_code(answer: Answer) -> str | None:
    """The ``code`` of a ``{"detail": {"code": ...}}`` answer (``conversation_deleted``)."""
    try:
        data = answer.json()
    except ValueError:
        return None
    detail = data.get("detail") if isinstance(data, dict) else None
    code = detail.get("code") if isinstance(detail, dict) else None
    return code if isinstance(code, str) else None


def listed_status(answer: Answer) -> tuple[str, bool] | None:
    """``(status, discarded)`` of one conversation as ``GET .../conversations/{id}`` answers
    it, or None when the answer is no conversation."""
    try:
        data = answer.json()
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        return None
    status = data.get("status", "completed")
    discarded = data.get("discarded", False)
    if not isinstance(status, str) or not isinstance(discarded, bool):
        return None
    return status, discarded


def retry_after_seconds(headers: httpx.Headers, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds from now (a number, or an HTTP date), or None.

    None also for what cannot be a wait: ``inf``, ``nan``, negative numbers, unreadable dates.
    A date in the past is 0. The value is not clamped: the caller decides what is too long.
    """
    raw = headers.get("Retry-After")
    if raw is None:
        return None
    try:
        seconds = float(raw)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(raw)
            seconds = max(0.0, when.timestamp() - (time.time() if now is None else now))
        except (TypeError, ValueError, OverflowError, IndexError):
            return None
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return seconds


def int_header(headers: httpx.Headers, name: str) -> int | None:
    """A header holding a count, or None when absent or not a sane non-negative integer."""
    raw = (headers.get(name) or "").strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 10:
        return None
    value = int(raw)
    return value if value <= MAX_HEADER_INT else None


def listed_match(
    answer: Answer, started_at: datetime, text: str, *, slack: timedelta
) -> str | None:
    """The id of the conversation in a ``GET /v1/dev/user/conversations`` list (with
    transcripts) that started at ``started_at`` (give or take ``slack``) and holds ``text``.

    Texts are compared with runs of whitespace made one space (a server may re-wrap them).

    Returns:
        The id, or None when no listed conversation started then.

    Raises:
        MalformedAnswer: the answer is no list of conversations, or one started then whose
            text is not listed (nothing can be concluded from it).
    """
    if answer.truncated:
        raise MalformedAnswer(f"a list over {len(answer.body) // (1024 * 1024)} MiB")
    try:
        data = answer.json()
    except ValueError:
        raise MalformedAnswer("a list that is not JSON") from None
    if not isinstance(data, list):
        raise MalformedAnswer("an answer that is not a list of conversations")
    wanted = " ".join(text.split())
    unknown_text = False
    for item in data:
        if not isinstance(item, dict):
            continue
        started = _datetime(item.get("started_at"))
        if started is None or abs(started - started_at) > slack:
            continue
        segments = item.get("transcript_segments")
        if not isinstance(segments, list):
            unknown_text = True
            continue
        listed = " ".join(
            " ".join(str(s.get("text", "")).split()) for s in segments if isinstance(s, dict)
        )
        conversation_id = item.get("id")
        if listed == wanted and isinstance(conversation_id, str):
            if not _SANE_ID.fullmatch(conversation_id):
                raise MalformedAnswer("a matching conversation without a sane id")
            return conversation_id
    if unknown_text:
        raise MalformedAnswer("a conversation that started then, without its text to compare")
    return None


def _datetime(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
