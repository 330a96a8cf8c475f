"""File in, request bodies out: the library functions the CLI calls.

``file -> Source -> adapter -> Transcript -> normalize -> chunk -> request bodies``.

>>> conversion = convert("meeting.vtt")                       # doctest: +SKIP
>>> [c.key for c in conversion.conversations]                  # doctest: +SKIP
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Literal

from importers.adapter import Adapter, ParseOptions
from importers.attribution import SpeakerTurn
from importers.chunking import chunk
from importers.diarization import apply_diarization, select_turns, turns_digest
from importers.errors import ImporterError, InputError, PayloadError, UnknownFormatError
from importers.identity import conversation_key, fingerprint
from importers.meetings import duplicate_captions
from importers.model import NormalizedTranscript, Transcript
from importers.normalize import NormalizeOptions, normalize, summarize_repairs
from importers.payload import (
    MAX_TEXT_CHARS,
    RequestBody,
    SegmentsRequest,
    TextRequest,
    check_body,
    endpoint_for,
    to_json,
)
from importers.registry import Registry
from importers.source import Source

StartedAtSource = Literal["option", "input", "mtime", "now"]


@dataclass(frozen=True)
class ConvertOptions:
    """Everything that shapes the request bodies. Each field is a CLI flag."""

    format: str | None = None
    encoding: str | None = None
    source: str = "external_integration"
    language: str | None = None
    started_at: datetime | None = None
    #: ``--started-at`` given as a date only: the date, with the time of day from the file.
    started_on: date | None = None
    timezone: tzinfo | None = None
    normalize: NormalizeOptions = field(default_factory=NormalizeOptions)
    extra: Mapping[str, object] = field(default_factory=dict)
    #: ``--diarization``: speaker turns per recording (``importers.rttm.read_rttm``).
    diarization: Mapping[str, Sequence[SpeakerTurn]] | None = None
    #: ``--diarization-id``: which recording of ``diarization`` (default: by file name).
    diarization_id: str | None = None

    def parse_options(self) -> ParseOptions:
        return ParseOptions(
            timezone=self.timezone,
            started_at=self.started_at,
            language=self.language,
            extra=self.extra,
        )

    def body_options(self) -> dict[str, object]:
        """The options that change a body (part of every client_session_id)."""
        n = self.normalize
        return {
            "encoding": self.encoding,
            "source": self.source,
            "language": self.language,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "started_on": self.started_on.isoformat() if self.started_on else None,
            "timezone": str(self.timezone) if self.timezone else None,
            "merge": n.merge,
            "max_pause_ms": n.max_pause_ms,
            "max_turn_ms": n.max_turn_ms,
            "me": sorted(m.casefold() for m in n.me),
            "people": sorted((k.casefold(), v) for k, v in n.people.items()),
            "extra": {k: self.extra[k] for k in sorted(self.extra)},
        }


@dataclass(frozen=True)
class Conversation:
    """One conversation to create: its key (the client_session_id) and its request body."""

    key: str
    index: int
    body: RequestBody

    @property
    def endpoint(self) -> str:
        return endpoint_for(self.body)


@dataclass(frozen=True)
class Conversion:
    """Everything ``convert`` knows about one input."""

    input: Path
    format: str
    encoding: str | None
    content_sha256: str
    started_at_source: StartedAtSource
    normalized: NormalizedTranscript
    conversations: tuple[Conversation, ...]

    def to_dict(self) -> dict[str, object]:
        """The documented convert output (README: "The convert output")."""
        return {
            "input": str(self.input),
            "format": self.format,
            "encoding": self.encoding,
            "started_at_source": self.started_at_source,
            "speakers": dict(self.normalized.speakers),
            "repairs": summarize_repairs(self.normalized.repairs),
            "conversations": [to_json(c.body) for c in self.conversations],
        }


def parse(
    path: Path | str,
    *,
    format: str | None = None,
    encoding: str | None = None,
    options: ParseOptions | None = None,
    registry: Registry | None = None,
) -> Transcript:
    """Read one file into a Transcript (detecting its format unless ``format`` is given)."""
    _, _, transcript = _read(path, format, encoding, options or ParseOptions(), registry)
    return transcript


def _read(
    path: Path | str,
    format_name: str | None,
    encoding: str | None,
    options: ParseOptions,
    registry: Registry | None,
) -> tuple[Source, Adapter, Transcript]:
    """Read, detect and parse one file (errors name the file)."""
    source = Source.from_path(path, encoding)
    adapter = (registry or Registry.default()).detect(source, format_name)
    try:
        return source, adapter, adapter.parse(source, options)
    except InputError as exc:
        raise (exc.with_path(source.path) if exc.path is None else exc) from None


def convert(
    path: Path | str, options: ConvertOptions | None = None, *, registry: Registry | None = None
) -> Conversion:
    """Turn one file into validated request bodies.

    Raises:
        InputError: the file cannot be read, detected, parsed, or gives an invalid body.
        ConfigError: an option is invalid (unknown --format...).
    """
    options = options or ConvertOptions()
    with gc_paused():
        source, adapter, transcript = _read(
            path, options.format, options.encoding, options.parse_options(), registry
        )
        return convert_transcript(transcript, source, adapter, options)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while one file converts.

    A long transcript allocates millions of small objects (parsed JSON, words, turns) and no
    reference cycles; every automatic collection rescans all of them, which took about half of
    the time of a 50,000-segment WhisperX file. Reference counting still frees everything.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def convert_transcript(
    transcript: Transcript, source: Source, adapter: Adapter, options: ConvertOptions
) -> Conversion:
    """The half of :func:`convert` after parsing (library callers with their own Transcript)."""
    key_options = options.body_options()
    try:
        if options.diarization is not None:
            turns = select_turns(options.diarization, source.path, options.diarization_id)
            transcript = apply_diarization(transcript, turns)
            key_options["diarization"] = turns_digest(turns)
        normalized = normalize(transcript, options.normalize)
    except InputError as exc:
        raise exc.with_path(source.path) from None
    started_at, started_from = resolve_started_at(transcript, source, options)
    digest = fingerprint(source.sha256, adapter.name, key_options)
    language = options.language or transcript.language or "en"
    if normalized.kind == "messages":
        bodies: list[RequestBody] = list(_text_bodies(normalized, started_at, language, options))
    else:
        bodies = list(_segment_bodies(normalized, started_at, language, options, digest))
    conversations = []
    for i, body in enumerate(bodies):
        problems = check_body(body)
        if problems:
            raise PayloadError(
                f"conversation {i + 1} would be rejected by Omi: {'; '.join(problems[:3])}",
                path=source.path,
            )
        conversations.append(Conversation(conversation_key(digest, i), i, body))
    return Conversion(
        input=source.path,
        format=adapter.name,
        encoding=None if adapter.binary else source.encoding,
        content_sha256=source.sha256,
        started_at_source=started_from,
        normalized=normalized,
        conversations=tuple(conversations),
    )


def resolve_started_at(
    transcript: Transcript, source: Source, options: ConvertOptions
) -> tuple[datetime, StartedAtSource]:
    """``--started-at`` wins, then a time the input carries, then the file's mtime.

    A date-only ``--started-at`` (``started_on``) sets the date and keeps the time of day the
    input carries (a Zoom caption file's first entry), else starts at midnight; origin "option".
    Naive times are wall-clock in ``--timezone`` (default: the local zone).
    """
    tz = options.timezone
    if options.started_at is not None:
        value, origin = options.started_at, "option"
    elif options.started_on is not None:
        carried = transcript.started_at
        if carried is not None and carried.tzinfo is not None:
            carried = carried.astimezone(tz) if tz else carried.astimezone()
        clock = carried.time() if carried is not None else datetime.min.time()
        value, origin = datetime.combine(options.started_on, clock), "option"
    elif transcript.started_at is not None:
        value, origin = transcript.started_at, "input"
    elif (mtime := source.modified_at) is not None:
        value, origin = mtime, "mtime"
    else:
        value, origin = datetime.now(UTC), "now"
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz) if tz else value.astimezone()
    elif origin in ("mtime", "now"):
        value = value.astimezone(tz)
    return value.replace(microsecond=(value.microsecond // 1000) * 1000), origin  # type: ignore[return-value]


def _seconds(ms: int) -> float:
    return round(ms / 1000, 3)


def _segment_bodies(
    normalized: NormalizedTranscript,
    started_at: datetime,
    language: str,
    options: ConvertOptions,
    digest: str,
) -> Iterator[SegmentsRequest]:
    for i, turns in enumerate(chunk(normalized.turns)):
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
                        "start": _seconds(t.start_ms - offset),
                        "end": _seconds(t.end_ms - offset),
                    }
                    for t in turns
                ],
                "source": options.source,
                "started_at": start,
                "finished_at": start + timedelta(milliseconds=end_ms),
                "language": language,
                "client_session_id": conversation_key(digest, i),
            }
        )


def _text_bodies(
    normalized: NormalizedTranscript, started_at: datetime, language: str, options: ConvertOptions
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
    spec = str(options.extra.get("text_source_spec", "zoom_chat"))
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


@dataclass(frozen=True)
class InputItem:
    """One path found by :func:`iter_inputs`: to convert, or skipped with a reason."""

    path: Path
    skipped: str | None = None
    in_folder: bool = False

    def skip_reason(self, error: ImporterError) -> str | None:
        """Why a file found in a folder walk is skipped instead of failing, or None.

        A folder of exports also holds notes, READMEs and other ``.txt`` / ``.json`` files that
        no adapter recognises: those are listed as skipped. A file named on the command line is
        never skipped this way, so its error is reported.
        """
        if self.in_folder and isinstance(error, UnknownFormatError):
            return error.finding
        return None


def iter_inputs(paths: Iterable[Path | str], registry: Registry) -> Iterator[InputItem]:
    """Expand folders recursively (sorted); files no adapter handles are yielded as skipped.

    Inside a folder, the captions of a Zoom meeting whose transcript lies beside them are
    skipped with the reason (:mod:`importers.meetings`). A path named explicitly is always
    yielded for conversion, so its error is reported.
    """
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                children = [Path(root) / name for name in sorted(files) if not name.startswith(".")]
                handled = [child for child in children if registry.handles(child)]
                duplicates = duplicate_captions(handled, registry)
                for child in children:
                    candidates = registry.candidates(child)
                    if child in duplicates:
                        yield InputItem(child, skipped=duplicates[child], in_folder=True)
                    elif not candidates:
                        yield InputItem(child, skipped="unsupported file type", in_folder=True)
                    elif all(a.companion for a in candidates):
                        # Companion files (RTTM) belong to a transcript; never an error alone.
                        yield InputItem(child, skipped=str(candidates[0].companion), in_folder=True)
                    else:
                        yield InputItem(child, in_folder=True)
        else:
            yield InputItem(path)
