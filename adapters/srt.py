"""SubRip (``.srt``): pysrt reads the cues; a tolerant parser takes over where pysrt would be wrong.

Every file is first walked once by :func:`scan_srt`, a light pass that only looks at the shape of
each block and at the timing lines. It splits the file into blocks at blank lines as
``pysrt.stream`` does, yields the source line of each cue (errors and repairs name ``FILE:LINE``,
and pysrt does not keep lines) and decides, before anything is parsed, whether pysrt will read
the file right. If so, pysrt reads every block (``SubRipItem.from_lines``, which raises on a bad
block as ``stream`` does under ``ERROR_RAISE``; calling it per block saves ``stream`` splitting
the file a second time) and its times, text and "position" are used as they are; if not,
:func:`parse_tolerant` reads the file. :func:`read_srt` says which path served a file and why
(``SrtCues.reader`` / ``fallback``).

The fallbacks, with the files that need them (corpus ``srt/...``, ``samples/srt/...``):

* ``timestamp`` -- a timing line pysrt misreads or rejects: ``00:01:39`` without milliseconds
  (pysrt: ``InvalidTimeString``), ``,04`` / ``.5`` fractions (pysrt reads 4 ms and 5 ms where the
  author meant 40 and 500; go-astisub's own test expects 40 ms), fractions longer than three
  digits, hour-less times, a tab before coordinates (``astisub-no-indexes-short-fractions-coords``,
  ``astisub-utf16le-coords``, ``samples/srt/phone-tolerances.srt``; the last three forms are in
  no corpus SRT file but pysrt would misread them), and a minutes or seconds field of 60 or
  more (pysrt carries it over silently; the tolerant parser reports it). Also any ``-->`` line
  that is no timing line at all: the tolerant parser names it in a ParseError.
* ``block`` -- a block that does not open with an optional cue number and a timing line: a blank
  line inside a cue (pysrt: ``InvalidItem``, or in lenient mode the English half of every cue
  lost: ``cdown-srt-monsters-blank-lines-in-cue.srt``),
  text before the first cue (the tolerant parser raises ParseError), or a first line that is
  neither a number nor a timing line (pysrt would take any text there for the cue number).
* ``merged`` -- a timing line straight after cue text, with no blank line: pysrt folds the next
  cue into the previous cue's text (no corpus SRT file; YouTube writes it in WebVTT, and
  ``test_a_number_as_the_last_text_line_is_text`` has it).
* ``pysrt`` -- pysrt raised on a block (a safety net: the scan should have caught every such
  file).
* ``no cues`` -- no timing line at all: the tolerant parser raises the ParseError.

Extended rather than replaced: text after the end timestamp. pysrt keeps it as the item's
``position``; ``X1:40 X2:600 Y1:20 Y2:50`` coordinates are consumed
(``pysrt-capability-tester-bom-crlf.srt``) and anything else (``hack the gibson`` in
``cdown-srt-monsters-bad-order.srt``) is reported as ``timing_text_ignored``.

pysrt strips trailing whitespace from each text line; the tolerant parser keeps it (normalization
collapses whitespace either way, so the converted output is the same).

Tolerances of the tolerant parser, each needed by a corpus sample:

* Cue numbers are optional (``astisub-no-indexes-...``), may start at 0
  (``pysrt-windows-1252-crlf.srt``) or anywhere (``cdown-srt-monsters-bad-order.srt``), and are
  not checked for order: a cue is a timing line, and a number line directly before it (after a
  blank line or at the top) is its number.
* A cue's text runs to the next cue (number + timing line, or timing line), so blank lines
  inside a cue stay in it (``cdown-srt-monsters-blank-lines-in-cue.srt``).
* Timestamps: see :mod:`adapters.timing` (``.`` separators, missing or short fractions,
  one-digit fields).
* Coordinates and other text after the end timestamp: as above.
* Strict where guessing would lose words: a line with ``-->`` that is not a timing line, and text
  before the first cue, are a :class:`~importers.errors.ParseError` naming the line.

On both paths zero-length cues, overlaps and cues out of order are kept as they are
(normalization repairs and sorts them and reports what it changed), and encodings and line
endings (cp1252, UTF-16, BOM, CR-only) are handled by :class:`importers.source.Source` first.

Speakers: WhisperX writes ``[SPEAKER_00]: text``; other tools ``Name: text``; Otter's export puts
the name alone on the cue's first line. They become ``Segment.speaker`` when the file uses them
consistently (:mod:`adapters.speakers`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

import pysrt

from adapters.speakers import (
    SPEAKER_PREFIXES,
    apply_name_line_speakers,
    apply_prefix_speakers,
    prefix_mode,
)
from adapters.timing import TIMING, Timing, report_overflow, timing_from_match
from importers.adapter import Adapter, AdapterOption, ParseOptions
from importers.errors import ParseError
from importers.model import Repair, Segment, Transcript
from importers.source import Source

_INDEX = re.compile(r"^[ \t]*\d+[ \t]*$")
_COORDINATES = re.compile(r"^(?:[XY][12]:-?\d+[ \t]*)+$", re.IGNORECASE)
_SNIFF_LINES = 2

# A timing line pysrt reads exactly as the tolerant parser does: h:m:s and three-digit fractions
# (pysrt splits on ':', '.' and ',' and takes the fraction as milliseconds), and after the end
# time nothing, or a space and the rest (pysrt splits the "position" off at the first space).
# Up to four hour digits and 59 minutes and seconds keep it within importers.bounds (9999 h),
# and below 60 minutes and seconds: pysrt carries ``00:00:60,000`` over silently, the tolerant
# parser reads it the same and reports it (``time_field_overflow``). Other times go to the
# tolerant parser, which names the line of one out of range.
_PYSRT_CLOCK = r"\d{1,4}:[0-5]?\d:[0-5]?\d[,.]\d{3}"
_PYSRT_TIMING = re.compile(rf"[ \t]*{_PYSRT_CLOCK}[ \t]*-->[ \t]*{_PYSRT_CLOCK}(?:[ \t]*| .*)")

PYSRT = "pysrt"
TOLERANT = "tolerant"

# Why the tolerant parser read a file (see the module docstring).
FALLBACK_TIMESTAMP = "timestamp"
FALLBACK_BLOCK = "block"
FALLBACK_MERGED = "merged"
FALLBACK_PYSRT = "pysrt"
FALLBACK_NO_CUES = "no cues"

# Scan states: where the next line of the file stands.
_BLOCK, _NUMBER, _TEXT = 0, 1, 2


class SrtAdapter(Adapter):
    """SubRip subtitles (``.srt``), including WhisperX's ``[SPEAKER_00]:`` and Otter's names."""

    name = "srt"
    extensions = (".srt",)
    description = (
        "SubRip subtitles (.srt); [SPEAKER_00]: / Name: / Otter name lines become speakers"
    )

    options: ClassVar[tuple[AdapterOption, ...]] = (SPEAKER_PREFIXES,)

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
        cues = read_srt(source.lines)
        mode = prefix_mode(options)
        segments = apply_prefix_speakers(cues.segments, continue_previous=False, mode=mode)
        if not any(s.speaker for s in segments):  # no consistent prefixes: Otter's name lines?
            segments = apply_name_line_speakers(segments, mode)
        return Transcript(
            segments=tuple(segments),
            format=self.name,
            language=options.language,
            repairs=tuple(cues.repairs),
        )


@dataclass(frozen=True, slots=True)
class SrtCues:
    """What :func:`read_srt` read, and which parser read it."""

    segments: list[Segment]
    repairs: list[Repair]
    reader: str  # PYSRT or TOLERANT
    fallback: str | None = None  # why the tolerant parser read it (FALLBACK_*)


def read_srt(lines: list[str]) -> SrtCues:
    """Cues of an SRT file (lines without newlines): pysrt where it reads them right.

    Raises:
        ParseError: a malformed timing line, text before the first cue, or no cue at all.
    """
    scan = scan_srt(lines)
    if isinstance(scan, str):
        return _tolerant(lines, scan)
    segments: list[Segment] = []
    repairs: list[Repair] = []
    from_lines = pysrt.SubRipItem.from_lines
    try:
        # The scan split the file into pysrt's blocks already (what pysrt.stream would do line
        # by line): pysrt reads each block, the scan says where it starts.
        for start, timing, stop in scan:
            item = from_lines(lines[start:stop])
            position = item.position
            if position and not _COORDINATES.match(position):
                repairs.append(Repair("timing_text_ignored", timing + 1))
            segments.append(
                Segment(item.text, item.start.ordinal, item.end.ordinal, line=start + 1)
            )
    except Exception:  # whatever pysrt raises, the tolerant parser reads the file or says why
        return _tolerant(lines, FALLBACK_PYSRT)
    return SrtCues(segments, repairs, PYSRT)


def _tolerant(lines: list[str], reason: str) -> SrtCues:
    segments, repairs = parse_tolerant(lines)
    return SrtCues(segments, repairs, TOLERANT, reason)


def scan_srt(lines: list[str]) -> list[tuple[int, int, int]] | str:
    """``(start, timing line, stop)`` indexes of every cue's block when pysrt reads it right.

    Otherwise the reason (``FALLBACK_*``) the tolerant parser must read the file. pysrt splits a
    file into blocks at blank lines and reads each as ``[number] timing text...``; this checks,
    in one pass, that every block has that shape and every timing line a form pysrt reads right.
    ``start`` is the cue's number line or its timing line; ``stop`` the blank line (or the end
    of the file) after its text.
    """
    cues: list[tuple[int, int, int]] = []
    state = _BLOCK
    start = timing = 0
    for i, line in enumerate(lines):
        if "-->" in line:
            if state == _TEXT:
                return FALLBACK_MERGED
            if _PYSRT_TIMING.fullmatch(line) is None:
                return FALLBACK_TIMESTAMP
            start = i - 1 if state == _NUMBER else i
            timing = i
            state = _TEXT
        elif not line or line.isspace():
            if state == _NUMBER:
                return FALLBACK_BLOCK
            if state == _TEXT:
                cues.append((start, timing, i))
            state = _BLOCK
        elif state != _TEXT:
            if state == _NUMBER or not _INDEX.match(line):
                return FALLBACK_BLOCK
            state = _NUMBER
    if state == _NUMBER:
        return FALLBACK_BLOCK
    if state == _TEXT:
        cues.append((start, timing, len(lines)))
    return cues or FALLBACK_NO_CUES


def parse_tolerant(lines: list[str]) -> tuple[list[Segment], list[Repair]]:
    """Cues of an SRT file and the repairs made, read by the tolerant parser (no pysrt).

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
            parsed.append(timing_from_match(match, line=i + 1))
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
        report_overflow(repairs, timing.overflow, t + 1)
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
