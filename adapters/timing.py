"""Cue timing lines shared by the SRT and WebVTT adapters.

One timestamp grammar covers every variant in the corpus, each read as a decimal fraction of a
second (the way go-astisub and webvtt-py read them, and what the files' authors meant):

* ``00:00:01,500`` / ``00:00:01.500`` -- SRT uses ``,``; many SRT writers use ``.``
  (``srt/astisub-cr-only-line-endings.srt``), some mix both in one file
  (``srt/astisub-no-indexes-short-fractions-coords.srt``).
* ``00:01:39`` -- no fraction at all (the same astisub file, ``vtt/astisub-bom-...``).
* ``,04`` / ``.04`` -- two-digit fractions are 40 ms, not 4 ms (pysrt reads 4 ms; go-astisub's
  own test expects 40 ms).
* ``0:0:0.570`` / ``00:00:0,000`` -- one-digit fields (old Teams exports, pysrt's
  overlapping-dialogues sample, mantas-done's Arabic sample); see below for old Teams' short
  fractions.
* ``00:16.500`` -- WebVTT's optional hours (``vtt/webvtt-py-cue-tags-missing-hours.vtt``).
* ``1088:42:00.500`` -- more than two hour digits (HLS segments).
* ``00:00:29.5060000`` -- 7-digit fractions (Microsoft Stream), rounded to the millisecond.
* ``00:00:60.000`` / ``00:61:00.000`` -- a minutes or seconds field of 60 or more is out of
  range, but its meaning is not in doubt: it carries over (60 s is 1 min), as pysrt and go-astisub
  read it. Such a time is read and flagged (``overflow``) so that the adapter reports the line
  (``time_field_overflow``, :func:`report_overflow`; :func:`read_timestamp` does both) instead
  of accepting it silently.

One layout reads its fractions otherwise: old Microsoft Teams and Stream transcripts
(``0:0:3.0 --> 0:0:5.550``, ``0:4:6.80 --> 0:4:6.530``) write every field without zero padding,
the milliseconds too, so ``6.80`` is 6.080 s (which is why that cue does not end before it
starts). A file is read that way when all its timing lines have that layout
(:func:`unpadded_layout`: a one-digit hour, minutes and seconds without a leading zero, a
fraction of one to three digits without one); ``unpadded=True`` then reads the fraction as
milliseconds. Files of any other layout, SRT included, keep the decimal reading.

Times beyond :mod:`importers.bounds`' range (``99999999:99:99,999``, fields of thousands of
digits) are a ParseError naming the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from importers.bounds import check_offset_ms, field_value
from importers.model import Repair

#: The repair of a time read with a minutes or seconds field of 60 or more (module doc).
TIME_FIELD_OVERFLOW = "time_field_overflow"

_TIME = r"(?:(\d+):)?(\d+):(\d+)(?:[.,](\d+))?"  # hours, minutes, seconds, fraction

#: A timing line: start, arrow, end, and whatever follows (settings, coordinates, garbage).
TIMING = re.compile(rf"^[ \t]*{_TIME}[ \t]*-->[ \t]*{_TIME}(.*)$")


@dataclass(frozen=True, slots=True)
class Timing:
    """A parsed timing line."""

    start_ms: int
    end_ms: int
    rest: str  # what followed the end timestamp, stripped
    overflow: bool = False  # a minutes or seconds field was 60 or more (read as carrying over)


#: A timestamp of the unpadded layout (module doc), and a timing line of two of them.
_UNPADDED_TIME = r"\d:[1-5]?\d:[1-5]?\d\.(?:0|[1-9]\d{0,2})"
UNPADDED_TIMING = re.compile(rf"[ \t]*{_UNPADDED_TIME}[ \t]*-->[ \t]*{_UNPADDED_TIME}[ \t]*")
#: A fraction that means something else in the unpadded layout than as a decimal (``.80``).
_SHORT_FRACTION = re.compile(r"\.[1-9]\d?\b")


def unpadded_layout(lines: list[str]) -> bool:
    """Every timing line (with ``-->``) of ``lines`` has the unpadded layout of old Teams
    transcripts, and one of them has a fraction whose reading depends on it (``.80``, not ``.0``
    or ``.570``): then their fractions are milliseconds (module doc)."""
    timings = [line for line in lines if "-->" in line]
    return (
        bool(timings)
        and all(UNPADDED_TIMING.fullmatch(line) for line in timings)
        and any(_SHORT_FRACTION.search(line) for line in timings)
    )


def _ms(
    fields: tuple[str | None, ...],
    what: str,
    line: int | None,
    snippet: str,
    unpadded: bool = False,
) -> tuple[int, bool]:
    """``(hours, minutes, seconds, fraction)`` -> (milliseconds within the bounds, whether the
    minutes or seconds were 60 or more); ``unpadded``: the fraction is milliseconds."""
    *clock, fraction = fields
    ms = 0
    if fraction and unpadded:
        ms = int(fraction[:3])
    elif fraction:
        # Rounding half up to the millisecond depends on the first four digits only; the rest
        # may be thousands long.
        fraction = fraction[:4]
        if len(fraction) == 3:
            ms = int(fraction)
        else:
            scale = 10 ** len(fraction)
            ms = (int(fraction) * 2000 + scale) // (2 * scale)  # round half up, integers only
    h, m, s = (field_value(f or "0", what, line=line, snippet=snippet) for f in clock)
    total = ((h * 60 + m) * 60 + s) * 1000 + ms
    return check_offset_ms(total, what, line=line, snippet=snippet), m >= 60 or s >= 60


def parse_timestamp(value: str, *, what: str = "time", line: int | None = None) -> tuple[int, bool]:
    """``[h:]m:s[.,fraction]`` to ``(milliseconds, overflow)``; ``,04`` is 40 ms.

    ``overflow`` is true when the minutes or seconds field is 60 or more (see the module doc).

    Raises:
        ValueError: ``value`` is not a timestamp.
        ParseError: a time outside :mod:`importers.bounds`' range.
    """
    match = re.fullmatch(_TIME, value.strip())
    if match is None:
        raise ValueError(f"not a timestamp: {value!r}")
    return _ms(match.groups(), what, line, value.strip())


def report_overflow(repairs: list[Repair], overflow: bool, line: int | None) -> None:
    """Report a time read with a field of 60 or more (``overflow``) as a repair of ``line``:
    once per line, however many of its times overflowed."""
    if overflow:
        repairs.append(Repair(TIME_FIELD_OVERFLOW, line))


def read_timestamp(value: str, repairs: list[Repair], *, line: int | None = None) -> int:
    """:func:`parse_timestamp`'s milliseconds, its overflow reported in ``repairs``.

    Raises:
        ValueError: ``value`` is not a timestamp.
        ParseError: a time outside :mod:`importers.bounds`' range.
    """
    ms, overflow = parse_timestamp(value, line=line)
    report_overflow(repairs, overflow, line)
    return ms


def timing_from_match(
    match: re.Match[str], *, line: int | None = None, unpadded: bool = False
) -> Timing:
    """The :class:`Timing` of a :data:`TIMING` match (``line``: its number, for errors;
    ``unpadded``: fractions are milliseconds, see the module doc).

    Raises:
        ParseError: a time outside :mod:`importers.bounds`' range.
    """
    g = match.groups()
    snippet = match.string.strip()
    start, start_over = _ms(g[0:4], "cue start", line, snippet, unpadded)
    end, end_over = _ms(g[4:8], "cue end", line, snippet, unpadded)
    return Timing(start, end, g[8].strip(), start_over or end_over)


def parse_timing(text: str, *, line: int | None = None, unpadded: bool = False) -> Timing | None:
    """Parse a timing line; None when ``text`` is not one (``unpadded``: see the module doc).

    Raises:
        ParseError: a time outside :mod:`importers.bounds`' range.
    """
    match = TIMING.match(text)
    return None if match is None else timing_from_match(match, line=line, unpadded=unpadded)
