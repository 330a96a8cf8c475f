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
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TIME = r"\d+(?::\d+){1,2}(?:[.,]\d+)?"

#: A timing line: start, arrow, end, and whatever follows (settings, coordinates, garbage).
TIMING = re.compile(rf"^[ \t]*({_TIME})[ \t]*-->[ \t]*({_TIME})(.*)$")


@dataclass(frozen=True, slots=True)
class Timing:
    """A parsed timing line."""

    start_ms: int
    end_ms: int
    rest: str  # what followed the end timestamp, stripped


def parse_timestamp(value: str) -> int:
    """``[h:]m:s[.,fraction]`` to milliseconds (the fraction is decimal: ``,04`` is 40 ms)."""
    clock, _, fraction = value.replace(",", ".").partition(".")
    fields = [int(f) for f in clock.split(":")]
    if len(fields) == 2:
        fields.insert(0, 0)
    hours, minutes, seconds = fields
    ms = 0
    if fraction:
        scale = 10 ** len(fraction)
        ms = (int(fraction) * 2000 + scale) // (2 * scale)  # round half up, integers only
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + ms


def parse_timing(line: str) -> Timing | None:
    """Parse a timing line; None when ``line`` is not one."""
    match = TIMING.match(line)
    if match is None:
        return None
    return Timing(parse_timestamp(match[1]), parse_timestamp(match[2]), match[3].strip())
