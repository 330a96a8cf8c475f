"""Fireflies.ai transcripts: the JSON of its GraphQL API (``transcript(id)``), as saved or exported.

::

    {"data": {"transcript": {                        the API's answer, or the transcript alone
      "title": "Weekly Team Standup",
      "date": 1705312800000, "dateString": "2024-01-15T10:00:00.000Z",
      "user": {"name": "Alice Smith", ...},          the account the meeting was recorded for
      "sentences": [
        {"index": 0, "speaker_name": "Alice Smith", "speaker_id": 0,
         "text": "Good morning everyone.", "raw_text": "good morning everyone",
         "start_time": 0.32, "end_time": 1.5, "ai_filters": {...}},
        ...]}}}

* Each sentence is a segment: ``text`` (what the user may have edited; ``raw_text`` when
  there is none), ``start_time``/``end_time`` in seconds (numbers, or numbers in strings as the
  schema types them), ``speaker_name`` (else ``speaker_id`` as ``Speaker N``).
* The start: ``dateString`` (ISO 8601, UTC), else ``date`` (Unix milliseconds): an instant, so
  ``--timezone`` does not move it; ``--started-at`` still wins.
* The user: the speaker whose name is the account's (``user.name``) is the user (``is_user``),
  as if named by ``--me``.
* A bare list of sentences (``transcript.sentences`` saved alone) is read too when it is
  Fireflies' own (``speaker_name`` with ``raw_text`` or ``ai_filters``); other lists of timed
  segments are ``json-segments``'.

A file of several transcripts (``transcripts`` of the API) is not one conversation: it is not
recognised; save each transcript on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from adapters.stt_json import as_object, speaker_name, text_of, to_ms
from importers.adapter import Adapter, ParseOptions
from importers.bounds import check_datetime
from importers.errors import ParseError
from importers.model import Segment, Transcript
from importers.source import Source

SNIFF_ITEMS = 20
#: Keys only Fireflies' sentences have (beside ``speaker_name``), for bare lists.
OWN_KEYS = ("raw_text", "ai_filters")


def transcript_of(data: Any) -> dict[str, Any] | None:
    """The transcript object of the API's answer (``data.transcript``) or of the file itself."""
    if isinstance(data, dict) and isinstance(data.get("data"), dict):
        data = data["data"].get("transcript")
    if isinstance(data, dict) and isinstance(data.get("sentences"), list):
        return data
    return None


def _is_sentence(item: Any, *, bare: bool) -> bool:
    return (
        isinstance(item, dict)
        and "speaker_name" in item
        and ("start_time" in item or "end_time" in item)
        and ("text" in item or "raw_text" in item)
        and (not bare or any(k in item for k in OWN_KEYS))
    )


class FirefliesAdapter(Adapter):
    name = "fireflies"
    extensions = (".json",)
    description = "Fireflies.ai transcript JSON (the API's sentences with speaker_name, times)"
    #: A bare list of Fireflies sentences is a JSON list of timed segments too: this adapter
    #: reads the speakers' names where ``json-segments`` would read their ids.
    priority = 1

    def sniff(self, source: Source) -> bool:
        data = source.json
        transcript = transcript_of(data)
        if transcript is not None:
            sentences = transcript["sentences"]
            bare = False
        elif isinstance(data, list) and data:
            sentences, bare = data, True
        else:
            return False
        head = sentences[:SNIFF_ITEMS]
        return bool(head) and all(_is_sentence(s, bare=bare) for s in head)

    def parse(self, source: Source, options: ParseOptions) -> Transcript:
        data = source.json
        transcript = transcript_of(data)
        if transcript is None:
            if not isinstance(data, list):
                raise ParseError("not a Fireflies transcript (no sentences)")
            transcript = {"sentences": data}
        segments = [
            _segment(item, f"sentences[{i}]") for i, item in enumerate(transcript["sentences"])
        ]
        if not segments:
            raise ParseError("the transcript has no sentences")
        return Transcript(
            segments=tuple(segments),
            format=self.name,
            started_at=_started_at(transcript),
            language=options.language,
            user_speakers=_user(transcript, segments),
        )


def _segment(raw: Any, where: str) -> Segment:
    item = as_object(raw, where)
    text = item.get("text")
    if text is None:
        text = item.get("raw_text")
    name = item.get("speaker_name")
    speaker = text_of(name, f"{where}.speaker_name") if isinstance(name, str) else None
    if not speaker:
        speaker = speaker_name(item.get("speaker_id"))
    return Segment(
        text=text_of(text if text is not None else "", f"{where}.text"),
        start_ms=_seconds(item.get("start_time"), "start_time", where),
        end_ms=_seconds(item.get("end_time"), "end_time", where),
        speaker=speaker,
    )


def _seconds(value: Any, what: str, where: str) -> int | None:
    """Seconds as a number or in a string (the schema types them as strings)."""
    if isinstance(value, str):
        try:
            value = float(value.strip()) if value.strip() else None
        except ValueError:
            raise ParseError(f"{where}: {what} is not a number ({value!r})") from None
    return to_ms(value, what, where)


def _started_at(transcript: dict[str, Any]) -> datetime | None:
    """``dateString`` (ISO 8601), else ``date`` (Unix ms); None when neither reads as one."""
    text = transcript.get("dateString")
    if isinstance(text, str) and text.strip():
        try:
            value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ParseError(f"dateString is not an ISO 8601 time ({text[:40]!r})") from None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)  # the API writes UTC
        return check_datetime(value, "dateString")
    ms = transcript.get("date")
    if isinstance(ms, int | float) and not isinstance(ms, bool):
        if not 0 <= ms < 10**14:  # beyond the year 5000: certainly no meeting
            raise ParseError(f"date is out of range ({ms})")
        return check_datetime(datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms), "date")
    return None


def _user(transcript: dict[str, Any], segments: Sequence[Segment]) -> tuple[str, ...]:
    """The account owner's name, when one of the speakers has it."""
    user = transcript.get("user")
    name = user.get("name") if isinstance(user, dict) else None
    if not isinstance(name, str) or not name.strip():
        return ()
    wanted = name.strip().casefold()
    found = {s.speaker for s in segments if s.speaker and s.speaker.casefold() == wanted}
    return tuple(sorted(found))
