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
  overlapping-dialogues sample, mantas-done's Arabic sample).
* ``00:16.500`` -- WebVTT's optional hours (``vtt/webvtt-py-cue-tags-missing-hours.vtt``).
* ``1088:42:00.500`` -- more than two hour digits (HLS segments).
* ``00:00:29.5060000`` -- 7-digit fractions (Microsoft Stream), rounded to the millisecond.
* ``00:00:60.000`` / ``00:61:00.000`` -- a minutes or seconds field of 60 or more is out of
  range, but its meaning is not in doubt: it carries over (60 s is 1 min), as pysrt and go-astisub
  read it. Such a time is read and flagged (``overflow``) so that the adapter reports the line
  (``time_field_overflow``) instead of accepting it silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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


def _overflows(minutes: str, seconds: str) -> bool:
    return int(minutes) >= 60 or int(seconds) >= 60


def _ms(hours: str | None, minutes: str, seconds: str, fraction: str | None) -> int:
    ms = 0
    if fraction:
        if len(fraction) == 3:
            ms = int(fraction)
        else:
            scale = 10 ** len(fraction)
            ms = (int(fraction) * 2000 + scale) // (2 * scale)  # round half up, integers only
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + ms


def parse_timestamp(value: str) -> tuple[int, bool]:
    """``[h:]m:s[.,fraction]`` to ``(milliseconds, overflow)``; ``,04`` is 40 ms.

    ``overflow`` is true when the minutes or seconds field is 60 or more (see the module doc).

    Raises:
        ValueError: ``value`` is not a timestamp.
    """
    match = re.fullmatch(_TIME, value.strip())
    if match is None:
        raise ValueError(f"not a timestamp: {value!r}")
    g = match.groups()
    return _ms(*g), _overflows(g[1], g[2])


def timing_from_match(match: re.Match[str]) -> Timing:
    """The :class:`Timing` of a :data:`TIMING` match."""
    g = match.groups()
    overflow = _overflows(g[1], g[2]) or _overflows(g[5], g[6])
    return Timing(_ms(*g[0:4]), _ms(*g[4:8]), g[8].strip(), overflow)


def parse_timing(line: str) -> Timing | None:
    """Parse a timing line; None when ``line`` is not one."""
    match = TIMING.match(line)
    return None if match is None else timing_from_match(match)
