"""The options that shape request bodies (:class:`ConvertOptions`), and reading them from flags.

Every ``convert``/``import`` flag maps to a keyword of :meth:`ConvertOptions.from_flags`, with
the same defaults, so a script and the command line build the same options. Adapters' own
options (:class:`~importers.adapter.AdapterOption`) are passed by their keyword names too and
land in ``extra`` only when set.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import orjson

from importers.adapter import ParseOptions
from importers.bounds import DATETIME_RANGE, MAX_OFFSET_HOURS, MAX_OFFSET_S, in_range
from importers.conversion.diarization import Diarization, read_diarization
from importers.conversion.normalize import NormalizeOptions
from importers.conversion.payload import DEFAULT_SOURCE, SOURCES
from importers.errors import ConfigError
from importers.inputs import Period
from importers.registry import Registry
from importers.source import SURROGATE, text_encoding

#: 0.1.0's default source. It stays in the key material of every import that names no
#: ``--source``, so the keys 0.1.0 sent do not change (tests/core/test_keys.py); the body carries
#: :data:`DEFAULT_SOURCE`.
LEGACY_KEY_SOURCE = "external_integration"
#: Sources a segment upload must not carry, and why (server-behavior.md, Sources). Text
#: uploads (chats) carry none: the server sets ``external_integration`` on them itself.
REFUSED_SOURCES = {
    "external_integration": "Omi processes segments sent with it as a text upload: servers "
    "before September 2026 fail every one (500) and later ones extract no memories",
    "workflow": "Omi processes segments sent with it as a text upload: servers before "
    "September 2026 fail every one (500) and later ones extract no memories",
    "desktop": "Omi may leave such a conversation deferred in processing, out of the list, "
    "and turns its action items into suggestions",
}
DEFAULT_MAX_PAUSE_S = 2.0
DEFAULT_MAX_TURN_S = 60.0


@dataclass(frozen=True)
class ConvertOptions:
    """Everything that shapes the request bodies. Each field is a CLI flag."""

    format: str | None = None
    encoding: str | None = None
    #: ``--source``; None: :data:`DEFAULT_SOURCE` (see :attr:`body_source`).
    source: str | None = None
    language: str | None = None
    started_at: datetime | None = None
    #: ``--started-at`` given as a date only: the date, with the time of day from the file.
    started_on: date | None = None
    timezone: tzinfo | None = None
    normalize: NormalizeOptions = field(default_factory=NormalizeOptions)
    #: Adapters' own options the user set (``AdapterOption.key`` -> value).
    extra: Mapping[str, object] = field(default_factory=dict)
    #: ``--diarization``: speaker turns per recording id.
    diarization: Diarization | None = None
    #: ``--diarization-id``: which recording of ``diarization`` (default: by file name).
    diarization_id: str | None = None
    #: Keep a speaker's name in the segment text (``Name: text``) when Omi cannot show it:
    #: a name that is neither you nor a person of ``--people`` (``--no-names-in-text``).
    names_in_text: bool = True

    def __post_init__(self) -> None:
        """Options are checked where they are made, for a library caller as for the flags: the
        source (:func:`check_source`), and the start held to the range the flags are
        (``parse_datetime``, ``parse_date_only``), so the start-time rule never meets a date it
        cannot place.

        Raises:
            ConfigError: a refused or unknown source; ``started_at`` or ``started_on`` outside
                the datetime range.
        """
        if self.source is not None:
            check_source(self.source)
        if self.started_at is not None and not in_range(self.started_at):
            raise ConfigError(f"started_at {self.started_at} is outside {DATETIME_RANGE}")
        if self.started_on is not None and not in_range(datetime.combine(self.started_on, time())):
            raise ConfigError(f"started_on {self.started_on} is outside {DATETIME_RANGE}")

    @property
    def body_source(self) -> str:
        """The ``source`` segment uploads carry."""
        return self.source or DEFAULT_SOURCE

    @classmethod
    def from_flags(
        cls,
        *,
        registry: Registry | None = None,
        format_name: str | None = None,
        encoding: str | None = None,
        source: str | None = None,
        language: str | None = None,
        started_at: str | None = None,
        timezone: str | None = None,
        me: Sequence[str] = (),
        people: Path | str | None = None,
        no_merge: bool = False,
        max_pause: float = DEFAULT_MAX_PAUSE_S,
        max_turn: float = DEFAULT_MAX_TURN_S,
        diarization: Path | str | None = None,
        diarization_id: str | None = None,
        no_names_in_text: bool = False,
        **adapter_flags: object,
    ) -> ConvertOptions:
        """The options for these command-line values (each keyword is a flag, same defaults).

        ``adapter_flags`` are the adapters' own options by keyword (``skip_private=True``,
        ``whisper_model="builtin"``); unset ones (None, False) store nothing.

        Raises:
            ConfigError: a value is invalid (unknown zone or format, unreadable people or
                diarization file, an adapter option no installed adapter has...).
        """
        registry = registry or Registry.default()
        if format_name is not None:
            registry.get(format_name)
        if encoding:
            text_encoding(encoding)
        for flag, value in (("--language", language), ("--diarization-id", diarization_id)):
            check_text(flag, value)
        for name in me:
            check_text("--me", name)
        tz = parse_timezone(timezone) if timezone else None
        started_on = parse_date_only(started_at) if started_at else None
        return cls(
            format=format_name,
            encoding=encoding,
            source=source,
            language=language,
            started_at=parse_datetime(started_at, tz) if started_at and not started_on else None,
            started_on=started_on,
            timezone=tz,
            normalize=NormalizeOptions(
                merge=not no_merge,
                max_pause_ms=duration_ms("--max-pause", max_pause),
                max_turn_ms=duration_ms("--max-turn", max_turn),
                me=tuple(me),
                people=load_people(people) if people else {},
            ),
            extra=adapter_extra(registry, adapter_flags),
            diarization=read_diarization(Path(diarization), registry, encoding)
            if diarization
            else None,
            diarization_id=diarization_id,
            names_in_text=not no_names_in_text,
        )

    def parse_options(self) -> ParseOptions:
        return ParseOptions(
            timezone=self.timezone,
            started_at=self.started_at,
            language=self.language,
            extra=self.extra,
        )

    def key_options(self) -> dict[str, object]:
        """The options that change a body: part of every client_session_id.

        Exactly the dict 0.1.0 hashed (tests/core/test_keys.py pins the keys). An option added later
        must enter it only when set to something other than its default (adapter options do:
        ``extra`` holds only what the user set). A default that changes keeps its old value
        here (``source``: :data:`LEGACY_KEY_SOURCE`).
        """
        n = self.normalize
        options: dict[str, object] = {
            "encoding": self.encoding,
            "source": self.source or LEGACY_KEY_SOURCE,
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
        if not self.names_in_text:
            options["names_in_text"] = False
        return options


def check_source(source: str) -> None:
    """A ``--source`` segment uploads may carry.

    Raises:
        ConfigError: one the API does not know, or one that loses Omi's processing
            (:data:`REFUSED_SOURCES`).
    """
    if source in REFUSED_SOURCES:
        raise ConfigError(
            f"--source {source} is refused: {REFUSED_SOURCES[source]}; leave --source out "
            f"({DEFAULT_SOURCE}: summary, action items and memories on every Omi server)"
        )
    if source not in SOURCES:
        raise ConfigError(f"--source {source!r} is none of Omi's sources: {', '.join(SOURCES)}")


def adapter_extra(registry: Registry, flags: Mapping[str, object]) -> dict[str, object]:
    """Adapters' options by keyword -> ``extra`` (only those set), checked by their adapters.

    Raises:
        ConfigError: an option no adapter declares, or values an adapter refuses.
    """
    options = {o.dest: o for o in registry.options()}
    unknown = sorted(set(flags) - set(options))
    if unknown:
        raise ConfigError(f"no installed adapter has the option(s): {', '.join(unknown)}")
    extra: dict[str, object] = {}
    for dest, value in flags.items():
        option = options[dest]
        if value is not None and (stored := option.to_extra(value)) is not None:
            extra[option.key] = stored
    for adapter in registry.adapters:
        adapter.check_options(extra)
    return extra


def load_people(path: Path | str) -> dict[str, str]:
    """Read a people file: a JSON object mapping speaker names to Omi person ids.

    ``{"Alice Smith": "person_abc123", "Bob": "person_def456"}``
    """
    p = Path(path)
    try:
        data = orjson.loads(p.read_bytes().removeprefix(b"\xef\xbb\xbf"))
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read people file: {exc.strerror or exc}") from None
    except orjson.JSONDecodeError as exc:  # also bytes that are not UTF-8, lone surrogates
        raise ConfigError(f"{p}:{exc.lineno}: people file is not valid JSON: {exc.msg}") from None
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in data.items()
    ):
        raise ConfigError(
            f'{p}: people file must be a JSON object of "Speaker name": "person id" strings'
        )
    return dict(data)


def parse_timezone(name: str) -> tzinfo:
    """An IANA zone name (``Europe/Berlin``) or ``UTC``."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"unknown time zone {name!r}; use an IANA name like Europe/Berlin"
        ) from None


def parse_datetime(value: str, tz: tzinfo | None = None, *, flag: str = "--started-at") -> datetime:
    """ISO 8601 (``2026-03-01T14:30:00+01:00``, ``2026-03-01 14:30``); naive means ``tz``/local."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ConfigError(
            f"{flag} {value!r} is not an ISO 8601 date and time, e.g. 2026-03-01T14:30:00+01:00"
        ) from None
    if not in_range(parsed):
        raise ConfigError(f"{flag} {value!r} is outside {DATETIME_RANGE}")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz) if tz else parsed.astimezone()
    return parsed


def parse_period(
    since: str | None, until: str | None, timezone: str | None = None
) -> Period | None:
    """``--since`` / ``--until`` as a :class:`~importers.inputs.Period` (None: neither given).

    A date alone is the start of that day for ``--since`` and its end for ``--until`` (both
    days included), in ``--timezone`` (default: local).

    Raises:
        ConfigError: a value that is no ISO 8601 date or date and time.
    """
    if since is None and until is None:
        return None
    tz = parse_timezone(timezone) if timezone else None

    def bound(value: str | None, flag: str, end: bool) -> datetime | None:
        if value is None:
            return None
        day = parse_date_only(value, flag=flag)
        if day is None:
            return parse_datetime(value, tz, flag=flag)
        clock = datetime.max.time() if end else datetime.min.time()
        moment = datetime.combine(day, clock)
        return moment.replace(tzinfo=tz) if tz else moment.astimezone()

    return Period(bound(since, "--since", False), bound(until, "--until", True))


def parse_date_only(value: str, *, flag: str = "--started-at") -> date | None:
    """``2026-03-02`` -> that date; None when ``value`` carries a time (or is no date at all).
    ``flag`` is the option the value came from, for the error."""
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        return None
    if not in_range(datetime.combine(day, time())):
        raise ConfigError(f"{flag} {value!r} is outside {DATETIME_RANGE}")
    return day


def duration_ms(flag: str, seconds: float) -> int:
    """A duration option in milliseconds: finite and within the media-time range.

    Raises:
        ConfigError: NaN, infinite, negative or beyond :data:`importers.bounds.MAX_OFFSET_HOURS`.
    """
    if not (math.isfinite(seconds) and 0 <= seconds <= MAX_OFFSET_S):
        raise ConfigError(
            f"{flag} must be 0 to {MAX_OFFSET_HOURS:,} hours in seconds, not {seconds}"
        )
    return round(seconds * 1000)


def check_text(flag: str, value: str | None) -> None:
    """A text option that could reach a body must be text: bytes the terminal passed that are
    not UTF-8 arrive as lone surrogates (Python's ``surrogateescape``).

    Raises:
        ConfigError: ``value`` holds a lone surrogate.
    """
    if value is not None and SURROGATE.search(value):
        raise ConfigError(f"{flag} {value!r} is not valid text (bytes that are not UTF-8)")
