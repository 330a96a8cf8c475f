"""The range of times and dates omi-import accepts, and the checks that hold every input to it.

Decided once, here:

* **Media times** (a cue's start, a word's end, an RTTM turn) are offsets from the start of the
  recording and lie within :data:`MAX_OFFSET_HOURS` hours either way. Negative ones are allowed
  through (normalization repairs a negative start and reports it); the bound is wide enough for
  HLS segments, whose cue times count from the stream's start (``1088:42:00.500`` in
  ``vtt/webvtt-py-hls-timestamp-map-hours-over-99.vtt``), and a thousand times longer than
  any meeting.
* **Datetimes** (when a conversation starts and ends) lie within :data:`EARLIEST` ..
  :data:`LATEST`: the Unix epoch to the year 2200. Nothing outside it is a real recording, and
  inside it every offset above can be added without leaving Python's ``datetime`` range.

Adapters convert with :func:`seconds_to_ms` (JSON and RTTM seconds) and check clock fields with
:func:`check_offset_ms`; both raise a :class:`~importers.errors.ParseError` with the line. A
value is checked before it is multiplied or converted, so ``1e999999999`` or a field of five
thousand digits costs nothing (Python refuses ``int()`` of more than 4,300 digits, and a
Decimal that large takes seconds to scale). Datetimes are checked where they come in
(``--started-at``, a file's own date, its mtime) and, for the end of every conversation, where
offsets are added to them (:mod:`importers.conversion.payload`).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from importers.errors import ParseError

MAX_OFFSET_HOURS = 10_000
MAX_OFFSET_MS = MAX_OFFSET_HOURS * 3_600_000
MAX_OFFSET_S = MAX_OFFSET_HOURS * 3_600
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
#: How a message states the datetime range.
DATETIME_RANGE = "1970-01-01 to 2200-01-01"
_SPAN_MS = (LATEST - EARLIEST) // timedelta(milliseconds=1)
#: Significant digits a clock field may have: more is certainly out of range.
MAX_FIELD_DIGITS = len(str(MAX_OFFSET_MS))


def out_of_range(what: str, *, line: int | None = None, snippet: str | None = None) -> ParseError:
    """The error for a media time beyond :data:`MAX_OFFSET_HOURS`."""
    return ParseError(
        f"{what} is out of range (times must be within {MAX_OFFSET_HOURS:,} hours)",
        line=line,
        snippet=snippet,
    )


def check_offset_ms(
    ms: int, what: str, *, line: int | None = None, snippet: str | None = None
) -> int:
    """``ms`` when it lies within the media-time range.

    Raises:
        ParseError: it does not.
    """
    if -MAX_OFFSET_MS <= ms <= MAX_OFFSET_MS:
        return ms
    raise out_of_range(what, line=line, snippet=snippet)


def field_value(
    digits: str, what: str, *, line: int | None = None, snippet: str | None = None
) -> int:
    """A clock field's digits as an int, refusing fields too long to be in range at all."""
    significant = digits.lstrip("0")
    if len(significant) > MAX_FIELD_DIGITS:
        raise out_of_range(what, line=line, snippet=snippet)
    return int(significant or "0")


def seconds_to_ms(value: float | Decimal, what: str, *, line: int | None = None) -> int:
    """Seconds (a JSON number, an RTTM decimal) -> integer milliseconds (a float rounded by
    ``round``, a Decimal by its context: half to even).

    Raises:
        ParseError: not finite (NaN, infinity), or beyond the media-time range.
    """
    if isinstance(value, Decimal):
        finite = value.is_finite()
    else:  # an int of hundreds of digits (Python's json reads them) is finite, not a float
        finite = isinstance(value, int) or math.isfinite(value)
    if not finite:
        raise ParseError(f"{what} is not a finite number ({value})", line=line)
    if not -MAX_OFFSET_S <= value <= MAX_OFFSET_S:
        raise out_of_range(what, line=line)
    if isinstance(value, Decimal):
        return int((value * 1000).to_integral_value())
    return round(value * 1000)


def in_range(value: datetime) -> bool:
    """Whether ``value`` lies within :data:`EARLIEST` .. :data:`LATEST` (a naive one is taken
    as UTC: the zone it is later given moves it by hours, and the bounds are centuries wide)."""
    aware = value if value.tzinfo is not None and value.utcoffset() is not None else None
    if aware is None:
        return EARLIEST.replace(tzinfo=None) <= value <= LATEST.replace(tzinfo=None)
    return EARLIEST <= aware <= LATEST


def check_datetime(value: datetime, what: str, *, line: int | None = None) -> datetime:
    """``value`` when it lies within the datetime range.

    Raises:
        ParseError: it does not.
    """
    if in_range(value):
        return value
    raise ParseError(f"{what} {value.isoformat()} is outside {DATETIME_RANGE}", line=line)


def end_in_range(started_at: datetime, offset_ms: int) -> bool:
    """Whether ``started_at`` plus ``offset_ms`` still lies within the datetime range."""
    if not in_range(started_at) or abs(offset_ms) > _SPAN_MS:  # (and timedelta overflows)
        return False
    return in_range(started_at + timedelta(milliseconds=offset_ms))
