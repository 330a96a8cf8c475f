"""Wall-clock ``HH:MM:SS`` times (Zoom saved captions and chats) and the meeting's date.

Zoom writes the time of day of each caption or chat message, not an offset, and no date. So:

* Times become offsets from the first entry. A time more than 12 hours *earlier* than the one
  before it means the meeting crossed midnight: from there on a day is added, so times keep going
  forward. A smaller step back (clock jitter, out-of-order lines) is kept as written and the
  normalization's stable sort puts it in place.
* The first entry's wall-clock time is dated from, in order: the Zoom folder the file sits in
  (``2026-03-02 10.00.00 Weekly sync``, the local recording folder Zoom creates), else the file's
  modification date (the file is saved when the meeting ends, so that is the *last* entry's date:
  days crossed are subtracted). The result is a naive wall-clock datetime; the pipeline attaches
  ``--timezone`` (default: the local zone). ``--started-at`` still wins in the pipeline, and a
  date-only ``--started-at`` replaces just the date.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path

from importers.adapter import ParseOptions
from importers.bounds import in_range
from importers.source import Source

DAY_S = 24 * 3600
#: A step back of more than this is a midnight crossing, not jitter.
MIDNIGHT_JUMP_S = 12 * 3600
#: A caption may be stamped slightly before the folder's time (clock skew) and still be that day.
FOLDER_SLACK = timedelta(hours=1)

TIME_OF_DAY = re.compile(r"^(\d{1,2}):(\d{2}):(\d{2})$")
ZOOM_FOLDER = re.compile(r"^(\d{4})-(\d{2})-(\d{2}) (\d{2})\.(\d{2})\.(\d{2})(?: .*)?$")


def zoom_folder_time(folder: Path) -> datetime | None:
    """The meeting start in a Zoom folder name (``YYYY-MM-DD HH.MM.SS Topic``), naive.

    None when the name is not one, or names no real date: February 30th, or a date outside
    :mod:`importers.bounds`' range (``0001-01-01 00.30.00 x`` is no meeting Zoom recorded).
    """
    m = ZOOM_FOLDER.match(folder.name)
    return None if m is None else name_time(m)


def name_time(match: re.Match[str], tzinfo: tzinfo | None = None) -> datetime | None:
    """The date and time of a file or folder name, from six groups (year, month, day, hour,
    minute, second) of ``match``; None when they name no real date, or one outside
    :mod:`importers.bounds`' range (a name that only looks like Zoom's)."""
    year, month, day, hour, minute, second = (int(g) for g in match.groups())
    try:
        value = datetime(year, month, day, hour, minute, second, tzinfo=tzinfo)
    except ValueError:  # February 30th, month 13
        return None
    return value if in_range(value) else None


def parse_time_of_day(value: str) -> int | None:
    """``HH:MM:SS`` -> seconds since midnight, or None when it is not a valid time of day."""
    m = TIME_OF_DAY.match(value)
    if not m:
        return None
    h, mi, s = (int(g) for g in m.groups())
    if h > 23 or mi > 59 or s > 59:
        return None
    return h * 3600 + mi * 60 + s


def offsets_ms(times_s: Iterable[int]) -> tuple[list[int], int]:
    """Seconds-of-day -> ms offsets from the first; also the number of midnights crossed."""
    out: list[int] = []
    day = 0
    first: int | None = None
    prev: int | None = None
    for t in times_s:
        if first is None:
            first = t
        elif prev is not None and prev - t > MIDNIGHT_JUMP_S:
            day += 1
        prev = t
        out.append((day * DAY_S + t - first) * 1000)
    return out, day


def meeting_started_at(
    source: Source, options: ParseOptions, first_s: int, days_crossed: int
) -> datetime | None:
    """The first entry's wall-clock time on the meeting's date (naive), see the module doc."""
    first = time(first_s // 3600, first_s // 60 % 60, first_s % 60)
    folder = zoom_folder_time(source.path.parent)
    if folder is not None:
        candidate = datetime.combine(folder.date(), first)
        if candidate < folder - FOLDER_SLACK:  # meeting began before midnight, entries after
            candidate += timedelta(days=1)
        return candidate
    mtime = source.modified_at
    if mtime is None:
        return None
    local = mtime.astimezone(options.timezone) if options.timezone else mtime.astimezone()
    day: date = local.date() - timedelta(days=days_crossed)
    return datetime.combine(day, first)
