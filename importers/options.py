"""Parsing of user-supplied option values (people file, time zone, datetimes)."""

from __future__ import annotations

import json
from datetime import datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from importers.errors import ConfigError


def load_people(path: Path | str) -> dict[str, str]:
    """Read a people file: a JSON object mapping speaker names to Omi person ids.

    ``{"Alice Smith": "person_abc123", "Bob": "person_def456"}``
    """
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read people file: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{p}:{exc.lineno}: people file is not valid JSON: {exc.msg}") from None
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in data.items()
    ):
        raise ConfigError(
            f'{p}: people file must be a JSON object of "Speaker name": "person id" strings'
        )
    return {k: v for k, v in data.items()}


def parse_timezone(name: str) -> tzinfo:
    """An IANA zone name (``Europe/Berlin``) or ``UTC``."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"unknown time zone {name!r}; use an IANA name like Europe/Berlin"
        ) from None


def parse_datetime(value: str, tz: tzinfo | None = None) -> datetime:
    """ISO 8601 (``2026-03-01T14:30:00+01:00``, ``2026-03-01 14:30``); naive means ``tz``/local."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ConfigError(
            f"--started-at {value!r} is not an ISO 8601 date and time, e.g. 2026-03-01T14:30:00+01:00"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz) if tz else parsed.astimezone()
    return parsed
