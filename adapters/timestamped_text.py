"""Plain-text transcripts with timestamps: what transcription services export as ``.txt``.

Three layouts, decided by the file's first timestamp line:

* **Name, then time** (Rev, Temi, Plaud, many services)::

      Speaker 1 (00:00):                      also "Name [00:01:23]:" and "**Name (0:03):**"
      Good morning everyone.                  the text on the same line or on the next ones
      Speaker 2 (00:12): Before we begin...

* **Time first** (Descript, Sonix, Happy Scribe, Trint, Apple Voice Memos, show notes)::

      [00:01:23] Maya: Welcome back.          a "Name:" after the time (a speaker when the
      [00:01:30] Thanks for having me.          file uses such prefixes, adapters.speakers)
      00:00:00 Speaker 1                      or a name alone after the time, then the
      I had this moment the other night...      paragraph ("## [00:00:00] Speaker 1" too)
      00:05:12 Intro music fades out          or just text

  Times may be bracketed (``[00:01:23]``, ``(01:23)``), bold, or bare, ``H:MM:SS`` or ``M:SS``
  with an optional fraction. Whether the words after the time are a name is decided for the
  file: when most timestamp lines with words after the time have a paragraph below them and
  those words read like a name (:func:`adapters.speakers.is_name_line`), they are names.

  Descript's markdown export is this layout with markdown around it: ``[00:00:00] **Audrow
  Nash:** text`` (bold names, read by :func:`adapters.speakers.find_prefix`), chapter headings
  ``## [00:01:28] Title`` and ``## Title`` (not speech: reported as ``heading_skipped``), and a
  table of contents of ``- [\\[00:01:27\\] Title](#anchor)`` lines before the first timestamp
  (``header_skipped``, however long).

* **Name line, time line, text** (Microsoft Teams' transcript pane, copied)::

      Jane Doe                                Teams also copies each entry's accessibility
      0:03                                    label ("Jane Doe 3 seconds"): consumed with the
      Hello everyone.                         entry it labels
      John Smith
      1:02
      Hi.

Every timestamp starts a segment at that offset from the recording's start; its text runs to
the next timestamp. There are no end times (normalization estimates them and reports it).
Lines before the first timestamp (a title, "Transcript", "Audio file") are reported as
``header_skipped``; more than :data:`MAX_HEADER_LINES` of them, or no timestamp at all, is a
ParseError. Teams' "X started transcription" lines are reported as ``notice_skipped``.

Detection: at least two timestamp lines of one layout, the first within the first
:data:`MAX_HEADER_LINES` lines with text, their times not going backwards, no ``-->`` (a
subtitle file saved as ``.txt``), and a file that none of ``otter``, ``zoom-captions``,
``zoom-chat`` and ``google-meet`` claims: their layouts are stricter, so they win. (A bare time
line directly followed by text at the top of a file is an Otter export without names.)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Literal

from adapters.speakers import SPEAKER_PREFIXES, apply_prefix_speakers, is_name_line, prefix_mode
from adapters.timing import parse_timestamp, read_timestamp
from importers.adapter import Adapter, AdapterOption, ParseOptions
from importers.errors import ParseError
from importers.model import Repair, Segment, Transcript
from importers.source import Source

Layout = Literal["name-time", "time-first", "teams"]

_TIME = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
#: ``[00:01:23] rest``, ``(01:23) rest``, ``00:01:23 rest``, ``00:01:23 - rest``, ``## [..]``.
TIME_FIRST = re.compile(
    rf"^[ \t]*(?P<heading>#+[ \t]+)?(?:\*\*)?"
    rf"(?P<open>[\[(]?)(?P<time>{_TIME})(?P<close>[\])]?)(?:\*\*)?"
    r"(?:[ \t]+(?:[-–—|][ \t]+)?(?P<rest>.*?))?[ \t]*$"
)
#: ``Name (00:01:23): rest``, ``Name [01:23]``, ``**Name (0:03):** rest``, ``**Name** [01:23]``.
NAME_TIME = re.compile(
    rf"^[ \t]*(?:\*\*)?(?P<name>[^\s\[\](){{}}<>*][^\[\](){{}}<>*\n]{{0,59}}?)(?:\*\*)?[ \t]+"
    rf"[\[(](?P<time>{_TIME})[\])][ \t]*:?(?:\*\*)?(?:[ \t]*(?P<rest>.*?))?[ \t]*$"
)
#: A markdown heading (a chapter's title in Descript's markdown export), and a table of contents
#: entry linking to one (``- [\\[00:01:27\\] Meet the founders](#000127-meet-the-founders)``).
HEADING = re.compile(r"^[ \t]*#{1,6}[ \t]+\S")
TOC_ENTRY = re.compile(r"^[ \t]*[-*+][ \t]+\[.*\]\(#[^()\s]*\)[ \t]*$")
#: A time alone on its line (Teams).
BARE_TIME = re.compile(rf"^[ \t]*(?P<time>{_TIME})[ \t]*$")
#: Teams' accessibility label of an entry: ``Jane Doe 1 minute 5 seconds``.
TEAMS_LABEL = re.compile(r"^(?P<name>.+?)(?:\s+\d+\s+(?:hours?|minutes?|seconds?))+\s*$")
NOTICE = re.compile(r"^.{1,80}\s(?:started|stopped) transcription\.?$", re.IGNORECASE)
MAX_HEADER_LINES = 10
_SNIFF_LINES = 60
#: The share of "time + words" lines with a paragraph below that makes the words names.
NAME_SHARE = 0.6
_BRACKETS = {"": "", "[": "]", "(": ")"}


@dataclass
class _Entry:
    line: int
    time: str
    speaker: str | None = None
    rest: str = ""  # the words after the time on the header line
    text: list[str] = field(default_factory=list)  # the lines below it
    heading: bool = False  # the header line is a markdown heading (``## [00:01:28] Title``)

    @property
    def all_text(self) -> str:
        return "\n".join([self.rest, *self.text] if self.rest else self.text).strip()


def _time_first(line: str) -> re.Match[str] | None:
    match = TIME_FIRST.match(line)
    if match is None or _BRACKETS[match["open"]] != match["close"]:
        return None
    return match


def _name_time(line: str) -> re.Match[str] | None:
    match = NAME_TIME.match(line)
    return match if match is not None and is_name_line(match["name"]) else None


def _layout(lines: Sequence[str]) -> tuple[Layout, int] | None:
    """The layout and the index of its first header, from the first lines with text (a table
    of contents aside: it may list every chapter)."""
    content = [i for i, line in enumerate(lines) if line.strip() and not TOC_ENTRY.match(line)]
    content = content[: MAX_HEADER_LINES + 1]
    layouts: tuple[Layout, ...] = ("name-time", "teams", "time-first")
    for i in content:
        for layout in layouts:
            if _header_at(lines, i, layout) is not None:
                return layout, i
    return None


def _transcript_time(line: str) -> bool:
    match = _time_first(line)
    return match is not None and (bool(match["open"]) or match["time"].count(":") == 2)


@dataclass(frozen=True, slots=True)
class _Header:
    time: str
    speaker: str | None
    rest: str  # the words after the time on its line
    size: int  # the lines it takes (Teams: the name line and the time line)
    heading: bool = False  # a markdown heading line


def _header_at(lines: Sequence[str], i: int, layout: Layout) -> _Header | None:
    """The header of ``layout`` that starts at line ``i``, if any."""
    line = lines[i]
    if layout == "teams":
        stamp = BARE_TIME.match(lines[i + 1]) if i + 1 < len(lines) else None
        if stamp is None or not is_name_line(line):
            return None
        return _Header(stamp["time"], " ".join(line.split()), "", 2)
    match = _name_time(line) if layout == "name-time" else _time_first(line)
    if match is None:
        return None
    if layout == "name-time":
        return _Header(match["time"], match["name"].strip(), (match["rest"] or "").strip(), 1)
    return _Header(match["time"], None, (match["rest"] or "").strip(), 1, bool(match["heading"]))


def _headers(lines: Sequence[str], layout: Layout) -> list[tuple[int, str]]:
    """``(index, time)`` of every header of ``layout``."""
    return [
        (i, header.time)
        for i in range(len(lines))
        if (header := _header_at(lines, i, layout)) is not None
    ]


class TimestampedTextAdapter(Adapter):
    name = "timestamped-text"
    extensions = (".txt",)
    description = (
        "Plain-text transcripts with timestamps: [00:01:23] Name: text, Name (00:01:23):, "
        "00:01:23 Name + paragraph, Teams' copied text"
    )

    options: ClassVar[tuple[AdapterOption, ...]] = (SPEAKER_PREFIXES,)
    #: The most general .txt layout: any more specific text format that claims a file (Otter's
    #: ``Name  0:03`` headers, Zoom captions and chats, Google Meet) wins over it.
    priority: ClassVar[int] = -1

    def sniff(self, source: Source) -> bool:
        lines = source.head.split("\n", _SNIFF_LINES)[:_SNIFF_LINES]
        if any("-->" in line for line in lines):
            return False
        found = _layout(lines)
        if found is None:
            return False
        layout = found[0]
        headers = _headers(lines, layout)
        times = [parse_timestamp(t)[0] for _, t in headers[:5]]
        if len(headers) < 2 or times != sorted(times):
            return False
        # "10:00 standup" lines in notes are no transcript: time-first lines need brackets or
        # seconds ("[01:23]", "00:01:23"), and three of them.
        return layout != "time-first" or (
            len(headers) >= 3 and all(_transcript_time(lines[i]) for i, _ in headers)
        )

    def parse(self, source: Source, options: ParseOptions) -> Transcript:
        lines = source.lines
        found = _layout(lines)
        if found is None:
            first = next((i for i, line in enumerate(lines) if line.strip()), 0)
            if sum(1 for line in lines if line.strip()) > MAX_HEADER_LINES:
                raise ParseError(
                    "text before the first timestamp line", line=first + 1, snippet=lines[first]
                )
            raise ParseError("no timestamp line ('[00:01:23] Name: text', 'Name (00:01:23):')")
        layout, first = found
        repairs = [Repair("header_skipped", i + 1) for i in range(first) if lines[i].strip()]
        entries = _entries(lines, layout, first, repairs)
        if layout == "time-first":
            _names_after_times(entries, options)
            entries = _without_chapters(entries, repairs)
        segments: list[Segment] = []
        for entry in entries:
            start = read_timestamp(entry.time, repairs, line=entry.line)
            segments.append(Segment(entry.all_text, start, None, entry.speaker, line=entry.line))
        repairs.sort(key=lambda r: r.line or 0)  # chapter headings are found in two passes
        if layout == "time-first" and not any(s.speaker for s in segments):
            segments = apply_prefix_speakers(
                segments, continue_previous=False, mode=prefix_mode(options)
            )
        return Transcript(
            segments=tuple(segments),
            format=self.name,
            language=options.language,
            repairs=tuple(repairs),
        )


def _entries(
    lines: Sequence[str], layout: Layout, first: int, repairs: list[Repair]
) -> list[_Entry]:
    entries: list[_Entry] = []
    i = first
    while i < len(lines):
        header = _header_at(lines, i, layout)
        if header is not None:
            if entries and entries[-1].text and _labels(entries[-1].text[-1], header.speaker):
                entries[-1].text.pop()  # Teams' accessibility label of this entry
            entries.append(
                _Entry(i + 1, header.time, header.speaker, header.rest, heading=header.heading)
            )
            i += header.size
            continue
        if layout == "teams" and NOTICE.match(lines[i].strip()):
            repairs.append(Repair("notice_skipped", i + 1))
        elif layout == "time-first" and HEADING.match(lines[i]):
            repairs.append(Repair("heading_skipped", i + 1))  # a chapter title without a time
        elif entries:
            entries[-1].text.append(lines[i])
        i += 1
    return entries


def _without_chapters(entries: list[_Entry], repairs: list[Repair]) -> list[_Entry]:
    """Markdown headings with a time are chapter titles (Descript: ``## [00:01:28] Intro``, then
    the speech): the title is no speech; the paragraphs below it, if any, stay."""
    kept = []
    for entry in entries:
        if entry.heading and entry.speaker is None and entry.rest:
            repairs.append(Repair("heading_skipped", entry.line))
            entry.rest = ""
            if not any(t.strip() for t in entry.text):
                continue
        kept.append(entry)
    return kept


def _labels(label: str, name: str | None) -> bool:
    """``label`` is Teams' accessibility label of an entry by ``name`` ("Jane Doe 5 seconds")."""
    if name is None or len(label) > len(name) + 100:  # TEAMS_LABEL is quadratic on long lines
        return False
    match = TEAMS_LABEL.match(label.strip())
    return match is not None and match["name"] == name


def _names_after_times(entries: list[_Entry], options: ParseOptions) -> None:
    """``00:00:00 Speaker 1`` then a paragraph: the words after the time are the speaker when
    most such entries read that way (module docstring); ``--speaker-prefixes no`` keeps them."""
    if prefix_mode(options) == "no":
        return
    with_rest = [e for e in entries if e.rest]
    named = [
        e for e in with_rest if e.text and any(t.strip() for t in e.text) and is_name_line(e.rest)
    ]
    if not with_rest or len(named) < NAME_SHARE * len(with_rest):
        return
    for entry in named:
        entry.speaker, entry.rest = " ".join(entry.rest.split()), ""
