"""Microsoft Teams transcripts downloaded as ``.docx`` (the meeting's Transcript tab, "Download").

Two layouts, by the Teams release that wrote them::

    Weekly sync-20240115_100002-Meeting Recording     the document's header: title,
    January 15, 2024, 10:00AM                        when the meeting started (local time),
    45m 12s                                          its length
    Alice Smith started transcription                a transcription notice
    Alice Smith   0:03                               speaker, three spaces, M:SS or H:MM:SS
    Good morning everyone.                           the words, up to the next speaker line
    Bob Jones   0:11
    Hi.

    0:0:5.100 --> 0:0:8.250                          the older layout: a cue's times,
    Alice Smith                                      its speaker,
    Good morning everyone.                           its words

* New layout: each ``Name   M:SS`` line (name and time apart by two or more spaces or a TAB),
  or a name line over a line of just ``M:SS`` (the same paragraph split by line breaks, as a
  tool that reads real Teams files shows them: ``Maria`` / ``0:03`` / ``Bom dia time``), starts a
  segment at that offset (in a file with Teams' marks, also ``João 0:12 Vamos seguir``: name,
  time and words on one line); ends are estimated by normalization. The header before
  the first speaker is reported (``header_skipped``); its date line, when it reads as one
  (``January 15, 2024, 10:00AM``, ``15 January 2024 10:00``, ``2024-01-15 10:00``), is the start:
  a wall-clock time without a zone, so ``--timezone`` says where (default: the local zone, as
  Teams shows times in the zone of whoever downloads). Notices (``… started transcription``)
  are reported (``notice_skipped``).
* Older layout: each timing line starts a cue; of the lines under it, a first short line without
  sentence punctuation is the speaker when words follow it. No date: ``--started-at`` or the
  file's time.

The paragraphs are read with python-docx (:mod:`adapters.docx_text`). Detection: the timing
lines, or speaker lines with Teams' own marks (a notice or the length line); the Otter DOCX export
has the same ``Name  0:03`` lines without them, and Teams wins a file that has both.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from adapters.docx_text import ZIP_MAGIC, paragraph_lines
from adapters.otter import parse_offset
from adapters.speakers import is_name_line
from adapters.timing import TIMING, timing_from_match
from importers.adapter import Adapter, ParseOptions
from importers.bounds import in_range
from importers.errors import ParseError
from importers.model import Repair, Segment, Transcript
from importers.source import Source

SPEAKER_LINE = re.compile(
    r"^(?P<name>\S(?:.{0,200}?\S)?)(?:[ \u00a0]{2,}|\t)[ \t\u00a0]*"
    r"(?P<time>(?:\d{1,2}:)?\d{1,2}:\d{2})$"
)
#: ``Alice Smith started transcription`` and its translations (Portuguese as a tool for real
#: Teams files has them: ``Começou a transcrição``, ``Parou a transcrição``).
NOTICE = re.compile(
    r"^(?:.{1,200}? (?:started|stopped) transcription|(?:começou|parou) a transcrição"
    r"|.{1,200}? (?:hat die Transkription (?:gestartet|beendet))"
    r"|.{0,200}?(?:inició|detuvo) la transcripción"
    r"|.{1,200}? a (?:démarré|arrêté) la transcription)\.?$",
    re.IGNORECASE,
)
#: ``João 0:12 Vamos seguir``: name, time and words on one line (single spaces), as a tool for
#: real Teams files also reads them; taken only in a file with Teams' marks, from a name.
INLINE = re.compile(r"^(?P<name>\S.{0,80}?) (?P<time>(?:\d{1,2}:)?\d{1,2}:\d{2}) (?P<text>\S.*)$")
#: A line of just a time, under the speaker's name.
TIME_ONLY = re.compile(r"^(?P<time>(?:\d{1,2}:)?\d{1,2}:\d{2})$")
LENGTH = re.compile(r"^(?:\d+h ?)?(?:\d+m ?)?\d+s$|^(?:\d+h ?)?\d+m$")
#: A speaker line of the older layout: short, not ending as a sentence does.
OLD_NAME = re.compile(r"^[^\s.!?][^\n]{0,79}(?<![.!?,;:…])$")
#: The date line's layouts (English month names; numeric dates only year-first).
DATE_FORMATS = (
    "%B %d, %Y, %I:%M%p",
    "%B %d, %Y, %I:%M:%S%p",
    "%B %d, %Y %I:%M%p",
    "%B %d, %Y, %H:%M",
    "%B %d, %Y %H:%M",
    "%d %B %Y, %H:%M",
    "%d %B %Y %H:%M",
    "%d %B, %Y, %H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d, %H:%M",
)
_HEAD_LINES = 40


def _clean(line: str) -> str:
    return line.replace("\u202f", " ").replace("\ufeff", "").strip()


def started_at(line: str) -> datetime | None:
    """The date line's wall-clock time (naive), or None when it reads as none of the layouts."""
    text = " ".join(_clean(line).replace(" AM", "AM").replace(" PM", "PM").split())
    for layout in DATE_FORMATS:
        try:
            value = datetime.strptime(text, layout)
        except ValueError:
            continue
        return value if in_range(value) else None
    return None


def layout(lines: Sequence[str]) -> str | None:
    """``"timed"`` (the older layout), ``"speakers"`` (the newer one), or None (not Teams').

    Speaker lines ``Name   0:03`` need a Teams mark beside them (a notice, the length line):
    Otter's DOCX has them too. A name over a time-only line is Teams' alone: twice, or once
    beside a mark.
    """
    head = [_clean(line) for line in lines[:_HEAD_LINES]]
    if any(TIMING.match(line) and "-->" in line for line in head):
        return "timed"
    marked = _marked(head)
    shown = [line for line in head if line]
    pairs = [parse_offset(shown[i]) for i in range(1, len(shown)) if _name_over_time(shown, i)]
    if marked and (pairs or any(SPEAKER_LINE.match(line) or _inline(line) for line in head)):
        return "speakers"
    # Unmarked: two entries whose times go forward, or one that opens the document.
    if (len(pairs) >= 2 and pairs == sorted(pairs)) or (pairs and _name_over_time(shown, 1)):
        return "speakers"
    return None


def _marked(head: Sequence[str]) -> bool:
    return any(NOTICE.match(line) or LENGTH.match(line) for line in head)


def _inline(line: str) -> re.Match[str] | None:
    m = INLINE.match(line)
    return m if m is not None and _valid(m["time"]) and is_name_line(m["name"]) else None


def _name_over_time(lines: Sequence[str], i: int) -> bool:
    """Whether ``lines[i]`` is a valid time alone on its line, under a speaker's name."""
    m = TIME_ONLY.match(lines[i])
    return m is not None and _valid(m["time"]) and is_name_line(lines[i - 1])


def parse_teams_docx(lines: Sequence[str], format_name: str) -> Transcript:
    if layout(lines) == "timed":
        return _parse_timed(lines, format_name)
    return _parse_speakers(lines, format_name)


def _valid(time: str) -> bool:
    return all(int(p) < 60 for p in time.split(":")[1:])


def _parse_speakers(lines: Sequence[str], format_name: str) -> Transcript:
    repairs: list[Repair] = []
    entries: list[tuple[str, int, int, list[str]]] = []  # name, start, line, words
    start: datetime | None = None
    cleaned = [_clean(raw) for raw in lines]
    # The non-blank lines, so that a name and its time-only line pair up across blank ones.
    shown = [(n, line) for n, line in enumerate(cleaned, start=1) if line]
    inline = _marked(cleaned[:_HEAD_LINES])
    skip_next = False
    for k, (number, line) in enumerate(shown):
        if skip_next:
            skip_next = False
            continue
        m = SPEAKER_LINE.match(line)
        below = shown[k + 1][1] if k + 1 < len(shown) else ""
        if m is not None and _valid(m["time"]):
            entries.append((m["name"], parse_offset(m["time"]), number, []))
        elif (
            (t := TIME_ONLY.match(below))
            and _name_over_time([line, below], 1)
            and not NOTICE.match(line)
        ):
            entries.append((line, parse_offset(t["time"]), number, []))
            skip_next = True
        elif NOTICE.match(line):
            repairs.append(Repair("notice_skipped", number))
        elif inline and (i := _inline(line)) is not None:
            entries.append((i["name"], parse_offset(i["time"]), number, [i["text"]]))
        elif entries:
            entries[-1][3].append(line)
        else:
            repairs.append(Repair("header_skipped", number))
            start = start or started_at(line)
    if not entries:
        raise ParseError("no Teams speaker line ('Name   0:03') found", line=1)
    segments = tuple(
        Segment(" ".join(words), offset, None, name, line=number)
        for name, offset, number, words in entries
    )
    return Transcript(segments, format_name, started_at=start, repairs=tuple(repairs))


def _parse_timed(lines: Sequence[str], format_name: str) -> Transcript:
    repairs: list[Repair] = []
    cues: list[tuple[int, int, int, list[str]]] = []  # start, end, line, lines below
    for number, raw in enumerate(lines, start=1):
        line = _clean(raw)
        m = TIMING.match(line) if "-->" in line else None
        if m is not None:
            timing = timing_from_match(m, line=number)
            if timing.overflow:
                repairs.append(Repair("time_field_overflow", number))
            cues.append((timing.start_ms, timing.end_ms, number, []))
        elif not line:
            continue
        elif NOTICE.match(line):
            repairs.append(Repair("notice_skipped", number))
        elif cues:
            cues[-1][3].append(line)
        else:
            repairs.append(Repair("header_skipped", number))
    if not cues:
        raise ParseError("no Teams cue timing ('0:0:5.100 --> 0:0:8.250') found", line=1)
    segments = []
    for start, end, number, below in cues:
        speaker = None
        if len(below) > 1 and OLD_NAME.match(below[0]):
            speaker, below = below[0], below[1:]
        segments.append(Segment(" ".join(below), start, end, speaker, line=number))
    return Transcript(tuple(segments), format_name, repairs=tuple(repairs))


class TeamsDocxAdapter(Adapter):
    name = "teams-docx"
    extensions = (".docx",)
    description = "Microsoft Teams transcript downloaded as .docx ('Name   0:03', or timed cues)"
    binary = True
    #: A Teams file whose speaker lines Otter's DOCX sniff also takes: Teams' marks decide.
    priority = 1

    def sniff(self, source: Source) -> bool:
        if not source.data.startswith(ZIP_MAGIC):
            return False
        return layout(paragraph_lines(source.data)) is not None

    def parse(self, source: Source, options: ParseOptions) -> Transcript:
        return parse_teams_docx(paragraph_lines(source.data), self.name)
