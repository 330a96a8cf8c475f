"""File in, request bodies out: the library functions the CLI calls.

``file -> Source -> adapter -> Transcript -> normalize -> payload (chunks, exact bodies)``.

>>> conversion = convert("meeting.vtt")                       # doctest: +SKIP
>>> [c.key for c in conversion.conversations]                  # doctest: +SKIP
>>> for outcome in convert_all(["~/Transcripts"]):             # doctest: +SKIP
...     print(outcome.path, outcome.status)

:func:`convert_all` is the one per-file loop: ``omi-import convert``, ``omi-import import`` and
library callers all walk their inputs through it (each file read once, see
:mod:`importers.inputs`), and every file ends in exactly one :class:`Outcome`.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal, Protocol

import orjson

from importers.adapter import Adapter, ParseOptions
from importers.bounds import check_datetime
from importers.conversion.diarization import apply_diarization, select_turns, turns_digest
from importers.conversion.normalize import normalize, summarize_repairs
from importers.conversion.options import ConvertOptions
from importers.conversion.payload import Conversation, build_conversations
from importers.errors import (
    ConfigError,
    ImporterError,
    InputError,
    MissingDependencyError,
    ModelLoadError,
)
from importers.identity import fingerprint
from importers.inputs import FolderPart, Found, Period, find_inputs
from importers.language import detect_language, language_code
from importers.model import NormalizedTranscript, Transcript
from importers.registry import Registry
from importers.source import Source, path_text

StartedAtSource = Literal["option", "input", "mtime", "now"]
LanguageSource = Literal["option", "input", "detected", "default"]
DEFAULT_LANGUAGE = "en"
OutcomeStatus = Literal["converted", "skipped", "failed"]


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
    language: str = DEFAULT_LANGUAGE
    language_source: LanguageSource = "default"

    def to_json(self, *, pretty: bool = False) -> bytes:
        """The documented convert output (docs/usage.md: "The convert output"), as UTF-8 JSON.

        Each conversation is its request body's exact bytes, as sent (so ``pretty`` indents the
        envelope and prints each body on one line).
        """
        document = {
            "input": path_text(self.input),
            "format": self.format,
            "encoding": self.encoding,
            "started_at_source": self.started_at_source,
            "language": self.language,
            "language_source": self.language_source,
            "speakers": self.normalized.speakers,
            "repairs": summarize_repairs(self.normalized.repairs),
            "conversations": [orjson.Fragment(c.json) for c in self.conversations],
        }
        return orjson.dumps(document, option=orjson.OPT_INDENT_2 if pretty else 0)


@dataclass(frozen=True)
class Outcome:
    """What became of one input of :func:`convert_all`: converted, skipped, or failed.

    ``sha256`` is the content hash of a failed input that could be read (the ledger records
    failures by it).
    """

    path: Path
    conversion: Conversion | None = None
    skipped: str | None = None
    error: ImporterError | None = None
    sha256: str | None = None

    @property
    def status(self) -> OutcomeStatus:
        if self.conversion is not None:
            return "converted"
        return "skipped" if self.skipped is not None else "failed"


def parse(
    path: Path | str,
    *,
    format: str | None = None,
    encoding: str | None = None,
    options: ParseOptions | None = None,
    registry: Registry | None = None,
) -> Transcript:
    """Read one file into a Transcript (detecting its format unless ``format`` is given)."""
    source = Source.from_path(path, encoding)
    adapter = (registry or Registry.default()).detect(source, format)
    return _parse(source, adapter, options or ParseOptions())


def _parse(source: Source, adapter: Adapter, options: ParseOptions) -> Transcript:
    """The adapter's parse; every error it raises about this file names the file."""
    try:
        return adapter.parse(source, options)
    except InputError as exc:
        raise (exc.with_path(source.path) if exc.path is None else exc) from None
    except (ModelLoadError, MissingDependencyError) as exc:  # the file it stopped in front of
        where = f"{path_text(source.path)}: "
        raise (exc if str(exc).startswith(where) else type(exc)(where + str(exc))) from None


def convert(
    input: Path | str | Source,
    options: ConvertOptions | None = None,
    *,
    registry: Registry | None = None,
    adapter: Adapter | None = None,
) -> Conversion:
    """Turn one file into validated request bodies.

    Args:
        input: a path, or a :class:`Source` already read.
        options: what shapes the bodies (default: every flag at its default).
        registry: the adapters to detect with (default: the installed ones).
        adapter: the adapter that reads it (skips detection; :func:`convert_all` passes the
            one its walk detected).

    Raises:
        InputError: the file cannot be read, detected, parsed, or gives an invalid body.
        ConfigError: an option is invalid (unknown --format...).
    """
    options = options or ConvertOptions()
    source = input if isinstance(input, Source) else Source.from_path(input, options.encoding)
    if adapter is None:
        adapter = (registry or Registry.default()).detect(source, options.format)
    with gc_paused():
        transcript = _parse(source, adapter, options.parse_options())
        return convert_transcript(transcript, source, adapter, options)


def convert_all(
    paths: Iterable[Path | str | FolderPart],
    options: ConvertOptions | None = None,
    *,
    registry: Registry | None = None,
    period: Period | None = None,
) -> Iterator[Outcome]:
    """Convert files and folders (walked recursively), one :class:`Outcome` per file, in order.

    A file that fails is an outcome too; the walk goes on with the next. ``period`` leaves out
    the files of a folder walk modified outside it (``--since`` / ``--until``). A file found in
    a folder whose adapter needs an optional extra that is not installed (audio) is skipped with
    that reason (the pip command); named on the command line, it is an error.
    """
    options = options or ConvertOptions()
    registry = registry or Registry.default()
    found_all = find_inputs(
        paths, registry, format_name=options.format, encoding=options.encoding, period=period
    )
    while True:
        with gc_paused():  # detection (which parses a JSON file) and conversion alike
            found = next(found_all, None)
            if found is None:
                return
            outcome = outcome_of(found, options)
        yield outcome


class ConvertAll(Protocol):
    """:func:`convert_all`'s signature, which :mod:`importers.conversion.cluster` fans out to a Dask
    cluster with the same contract (the uploader takes either)."""

    def __call__(
        self,
        paths: Iterable[Path | str | FolderPart],
        options: ConvertOptions | None = None,
        *,
        registry: Registry | None = None,
        period: Period | None = None,
    ) -> Iterator[Outcome]: ...


def outcome_of(found: Found, options: ConvertOptions) -> Outcome:
    """The outcome of one input of the walk: :func:`convert_all`'s step per file (which
    :mod:`importers.conversion.cluster` runs on a worker).

    Raises:
        ConfigError: a bad option (the run stops; it is no fault of this file).
    """
    if found.skipped is not None:
        return Outcome(found.path, skipped=found.skipped)
    if found.error is not None or found.source is None or found.adapter is None:
        return Outcome(found.path, error=found.error, sha256=found.sha256)
    try:
        conversion = convert(found.source, options, adapter=found.adapter)
    except ConfigError:
        raise  # a bad option: the run stops (exit 2), it is no fault of this file
    except MissingDependencyError as exc:  # the adapter's message names the file already
        if found.in_folder:
            return Outcome(found.path, skipped=str(exc).removeprefix(f"{path_text(found.path)}: "))
        return Outcome(found.path, error=exc, sha256=found.sha256)
    except ImporterError as exc:  # this file only (a model that cannot load too)
        return Outcome(found.path, error=exc, sha256=found.sha256)
    return Outcome(found.path, conversion=conversion)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while one file is read, detected and converted.

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
    key_options = options.key_options()
    try:
        if options.diarization is not None:
            turns = select_turns(options.diarization, source.path, options.diarization_id)
            transcript = apply_diarization(transcript, turns)
            key_options["diarization"] = turns_digest(turns)
        normalized = normalize(transcript, options.normalize)
        started_at, started_from = resolve_started_at(transcript, source, options, normalized)
        language, language_from = resolve_language(transcript, options, normalized)
        content = adapter.content_sha256(source)  # the file's bytes, unless the format says
        digest = fingerprint(content, adapter.name, key_options)
        conversations = build_conversations(
            normalized,
            started_at=started_at,
            language=language,
            source=options.body_source,
            digest=digest,
            text_source_spec=transcript.text_source_spec,
            names_in_text=options.names_in_text,
        )
    except InputError as exc:
        raise exc.with_path(source.path) from None
    return Conversion(
        input=source.path,
        format=adapter.name,
        encoding=None if adapter.binary else source.encoding,
        content_sha256=content,
        started_at_source=started_from,
        normalized=normalized,
        conversations=conversations,
        language=language,
        language_source=language_from,
    )


def resolve_language(
    transcript: Transcript, options: ConvertOptions, normalized: NormalizedTranscript
) -> tuple[str, LanguageSource]:
    """``--language`` wins, then what the file says (its code: a plugin's ``english`` is ``en``),
    then what the text reads as, then ``en``."""
    if options.language:
        return options.language, "option"
    if (named := language_code(transcript.language)) is not None:
        return named, "input"
    detected = detect_language(t.text for t in normalized.turns)
    if detected:
        return detected, "detected"
    return DEFAULT_LANGUAGE, "default"


def resolve_started_at(
    transcript: Transcript,
    source: Source,
    options: ConvertOptions,
    normalized: NormalizedTranscript,
) -> tuple[datetime, StartedAtSource]:
    """``--started-at`` wins, then a time the input carries, then the file's mtime.

    A date-only ``--started-at`` (``started_on``) sets the date and keeps the time of day the
    input carries (a Zoom caption file's first entry), else starts at midnight; origin "option".
    The file's mtime is when it was written, at the end of the meeting: the transcript is
    placed to end then (it starts its length earlier), not to start then and end in the future.
    Naive times are wall-clock in ``--timezone`` (default: the local zone).

    Raises:
        ParseError: the time the input gives is outside :mod:`importers.bounds`' range.
    """
    tz = options.timezone
    if transcript.started_at is not None:  # a plugin's too: astimezone() overflows past 9999
        check_datetime(transcript.started_at, "the start time the file gives")
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
        length_ms = max((t.end_ms for t in normalized.turns), default=0)
        value, origin = mtime - timedelta(milliseconds=length_ms), "mtime"
    else:
        value, origin = datetime.now(UTC), "now"
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz) if tz else value.astimezone()
    elif origin in ("mtime", "now"):
        value = value.astimezone(tz)
    return value.replace(microsecond=(value.microsecond // 1000) * 1000), origin  # type: ignore[return-value]
