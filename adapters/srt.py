"""SubRip (``.srt``): a tolerant block parser; pysrt is the reference it is tested against.

Why not parse with pysrt at run time? pysrt reads clean files exactly like this parser does, and
``tests/test_adapter_srt.py`` checks that cue for cue on every corpus file pysrt reads correctly,
and on generated files in ``tests/test_properties.py``. But on the real files below pysrt fails
or, worse, silently gets them wrong, and it cannot give what omi-import needs from every cue:

* the source line of each cue (errors and repairs name ``FILE:LINE``), and an account of every
  line it did not use -- pysrt's lenient mode skips whole items without saying so (5 of the 6
  cues of ``srt/astisub-no-indexes-short-fractions-coords.srt``);
* ``,04`` read as 4 ms instead of 40 ms (same file, and ``srt/astisub-utf16le-coords.srt``);
* ``00:01:39`` without milliseconds: ``InvalidTimeString`` (same files);
* blank lines inside a cue: ``InvalidItem``, or in lenient mode the English half of each cue
  dropped (``srt/cdown-srt-monsters-blank-lines-in-cue.srt``);
* text after the end timestamp (``hack the gibson`` in ``srt/cdown-srt-monsters-*``) kept as a
  "position" without a word.

Running pysrt first and this parser only where pysrt fails would parse most files twice for the
same result (pysrt: 1.2 s per 100,000 cues), so this parser is the one path.

Tolerances, each needed by a corpus sample:

* Cue numbers are optional (``astisub-no-indexes-...``), may start at 0
  (``pysrt-windows-1252-crlf.srt``) or anywhere (``cdown-srt-monsters-bad-order.srt``), and are
  not checked for order: a cue is a timing line, and a number line directly before it (after a
  blank line or at the top) is its number.
* A cue's text runs to the next cue (number + timing line, or timing line), so blank lines
  inside a cue stay in it (``cdown-srt-monsters-blank-lines-in-cue.srt``).
* Timestamps: see :mod:`adapters.timing` (``.`` separators, missing or short fractions,
  one-digit fields).
* After the end timestamp: ``X1:40 X2:600 Y1:20 Y2:50`` coordinates are consumed
  (``pysrt-capability-tester-bom-crlf.srt``); anything else is reported as
  ``timing_text_ignored``.
* Zero-length cues, overlaps and cues out of order are kept as they are; normalization repairs
  and sorts them and reports what it changed.
* Encodings and line endings (cp1252, UTF-16, BOM, CR-only) are handled by
  :class:`importers.source.Source` before this adapter runs.

Strict where guessing would lose words: a line with ``-->`` that is not a timing line, and text
before the first cue, are a :class:`~importers.errors.ParseError` naming the line.

Speakers: WhisperX writes ``[SPEAKER_00]: text``; other tools ``Name: text``. They become
``Segment.speaker`` when the file uses them consistently (:mod:`adapters.speakers`).
"""

from __future__ import annotations

import re

from adapters.speakers import apply_prefix_speakers
from adapters.timing import TIMING, Timing, timing_from_match
from importers.adapter import Adapter, ParseOptions
from importers.errors import ParseError
from importers.model import Repair, Segment, Transcript
from importers.source import Source

_INDEX = re.compile(r"^[ \t]*\d+[ \t]*$")
_COORDINATES = re.compile(r"^(?:[XY][12]:-?\d+[ \t]*)+$", re.IGNORECASE)
_SNIFF_LINES = 2


class SrtAdapter(Adapter):
    """SubRip subtitles (``.srt``), including WhisperX's ``[SPEAKER_00]:`` output."""

    name = "srt"
    extensions = (".srt",)
    description = "SubRip subtitles (.srt); [SPEAKER_00]: / Name: prefixes become speakers"

    def sniff(self, source: Source) -> bool:
        """The first non-blank lines are a cue number and a timing line, or a timing line."""
        head = [line for line in source.head.split("\n", 40)[:40] if line.strip()][:_SNIFF_LINES]
        if not head or head[0].lstrip().startswith("WEBVTT"):
            return False
        if TIMING.match(head[0]):
            return True
        # A broken timing line after a cue number is still SRT: parse names the bad line.
        return len(head) == 2 and bool(_INDEX.match(head[0])) and "-->" in head[1]

    def parse(self, source: Source, options: ParseOptions) -> Transcript:
        segments, repairs = parse_srt(source.lines)
        return Transcript(
            segments=tuple(apply_prefix_speakers(segments, continue_previous=False)),
            format=self.name,
            language=options.language,
            repairs=tuple(repairs),
        )


def parse_srt(lines: list[str]) -> tuple[list[Segment], list[Repair]]:
    """Cues of an SRT file (lines without newlines) and the repairs made while reading them.

    Raises:
        ParseError: a malformed timing line, text before the first cue, or no cue at all.
    """
    timings: list[int] = []
    parsed: list[Timing] = []
    for i, line in enumerate(lines):
        if "-->" in line:
            match = TIMING.match(line)
            if match is None:
                raise ParseError("invalid cue timing line", line=i + 1, snippet=line.strip())
            timings.append(i)
            parsed.append(timing_from_match(match))
    first_body = _first_nonblank(lines, 0, timings[0] if timings else len(lines))
    if not timings or (first_body is not None and first_body < _cue_start(lines, timings[0])):
        if first_body is None:
            raise ParseError("no subtitle cues found", line=1)
        raise ParseError(
            "not an SRT cue (expected a cue number or a timing line)",
            line=first_body + 1,
            snippet=lines[first_body].strip(),
        )

    segments: list[Segment] = []
    repairs: list[Repair] = []
    starts = [_cue_start(lines, t) for t in timings]
    for n, t in enumerate(timings):
        stop = len(lines) if n + 1 == len(timings) else starts[n + 1]
        timing = parsed[n]
        if timing.rest and not _COORDINATES.match(timing.rest):
            repairs.append(Repair("timing_text_ignored", t + 1))
        body = lines[t + 1 : stop]
        while body and not body[-1].strip():
            body.pop()
        segments.append(
            Segment(
                text="\n".join(body),
                start_ms=timing.start_ms,
                end_ms=timing.end_ms,
                line=starts[n] + 1,
            )
        )
    return segments, repairs


def _cue_start(lines: list[str], timing: int) -> int:
    """The index of the cue's number line when it has one, else of its timing line."""
    before = timing - 1
    if (
        before >= 0
        and _INDEX.match(lines[before])
        and (before == 0 or not lines[before - 1].strip())
    ):
        return before
    return timing


def _first_nonblank(lines: list[str], start: int, stop: int) -> int | None:
    return next((i for i in range(start, stop) if lines[i].strip()), None)
