"""Otter.ai transcript exports: TXT and DOCX (the same structure in both).

::

    Dora  00:03                         speaker name, two spaces, M:SS / MM:SS / H:MM:SS
    so do you have, do you have a long I guess not, not up there.

    Speaker 2  1:02:15                  Otter's generic labels are names too
    Yes.

    Unknown Speaker  1:03:40            no name known: an anonymous segment (see below)
    Mhm.

    Transcribed by https://otter.ai     the footer: not speech, reported as skipped

Transcripts published through markdown keep Otter's layout with the names in bold
(``**Emma**  0:00``; ``****Rachel Nabors****`` where the bold was applied twice): the markup is
not part of the name (:func:`adapters.speakers.unmark`).

``Unknown Speaker`` is what Otter writes when it could not tell who spoke, for each such turn
on its own: two of them may be two different people. So it is not a name: each such segment is
``anonymous`` (no speaker, never merged with another, never ``--me``; see
:class:`importers.model.Segment`).

Each header starts a segment at that offset from the recording's start; the text runs to the next
header (a paragraph break without a header continues the same speaker). There are no end times:
normalization ends each segment where the next begins (less a small gap), the last by a
words-per-second estimate, and counts every estimate.

Exports made without timestamps have a bare name line over each paragraph instead; their starts
are estimated from word counts (each estimate reported). Such a file is recognised only by the
footer (otherwise it is indistinguishable from any text file); without one, pass
``--format otter``.

Otter's SRT export (speaker names inside cue text) is SRT, and is read by the ``srt`` adapter.
The DOCX export is read with python-docx (:mod:`adapters.docx_text`), one paragraph per line;
its header paragraphs may separate name and time with a TAB or a single space.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from adapters.docx_text import ZIP_MAGIC, paragraph_lines
from adapters.speakers import unmark
from importers.adapter import Adapter, ParseOptions
from importers.errors import ParseError
from importers.model import Repair, Segment, Transcript
from importers.source import Source

_TIME = r"(?P<time>(?:\d{1,2}:)?\d{1,2}:\d{2})"
#: ``Name  M:SS`` (TXT: two or more spaces) or a bare time when names were left out. The name
#: ends in a non-space, so a long run of spaces is tried once, not from each of its spaces
#: (``.*?`` before `` {2,}`` took 40 s on a line of 40,000 spaces).
TXT_HEADER = re.compile(r"^(?:(?P<name>[^\s\[](?:.*?[^ ])?) {2,}|\t)?" + _TIME + r"\s*$")
DOCX_HEADER = re.compile(r"^(?:(?P<name>[^\s\[][^\n]{0,59}?)\s+)?" + _TIME + r"\s*$")
FOOTER = re.compile(r"^transcribed by\s+(?:https?://)?(?:www\.)?otter\.ai/?\s*$", re.IGNORECASE)
#: A bare speaker-name line of an export without timestamps: short, no sentence punctuation.
NAME_LINE = re.compile(r"^[^\s.,!?;:\[][^.!?;:]{0,59}$")
#: Otter's label for a turn whose speaker it could not identify (casefolded).
UNKNOWN_SPEAKER = "unknown speaker"


def parse_offset(value: str) -> int:
    """``M:SS`` / ``MM:SS`` / ``H:MM:SS`` -> milliseconds."""
    parts = [int(p) for p in value.split(":")]
    seconds = 0
    for p in parts:
        seconds = seconds * 60 + p
    return seconds * 1000


@dataclass
class _Entry:
    line: int
    name: str | None
    start_ms: int | None
    text: list[str] = field(default_factory=list)


def _nonblank(lines: Sequence[str]) -> list[tuple[int, str]]:
    return [(i, line.strip()) for i, line in enumerate(lines, start=1) if line.strip()]


def _footer_index(lines: Sequence[str]) -> int | None:
    """Index (0-based) of the ``Transcribed by https://otter.ai`` line, if it ends the file."""
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].strip():
            return i if FOOTER.match(lines[i].strip()) else None
    return None


def _is_header(pattern: re.Pattern[str], lines: Sequence[str], i: int) -> re.Match[str] | None:
    """A header line: matches, and starts the file or follows a blank line."""
    m = pattern.match(lines[i].rstrip())
    if m is None or (i > 0 and lines[i - 1].strip()):
        return None
    valid = all(int(p) < 60 for p in m.group("time").split(":")[1:])
    return m if valid else None


def looks_like_otter(lines: Sequence[str], pattern: re.Pattern[str], full: bool) -> bool:
    """The first non-blank line is a header followed by text, or (``full``) the footer is there."""
    first = _nonblank(lines[:40])
    if len(first) >= 2:
        i = first[0][0] - 1
        if _is_header(pattern, lines, i) and first[1][0] == i + 2 and not FOOTER.match(first[1][1]):
            return True
    return full and _footer_index(lines) is not None


def parse_lines(lines: Sequence[str], pattern: re.Pattern[str], format_name: str) -> Transcript:
    """The shared TXT/DOCX parser over a file's lines (see the module docstring)."""
    repairs: list[Repair] = []
    end = len(lines)
    footer = _footer_index(lines)
    if footer is not None:
        repairs.append(Repair("footer_skipped", footer + 1))
        end = footer
    timed = any(_is_header(pattern, lines, i) for i in range(end))
    entries: list[_Entry] = []
    i = 0
    while i < end:
        line = lines[i]
        m = _is_header(pattern, lines, i) if timed else None
        if m is not None:
            name = unmark((m.group("name") or "").strip()) or None
            entries.append(_Entry(i + 1, name, parse_offset(m.group("time"))))
        elif (
            not timed
            and line.strip()
            and (i == 0 or not lines[i - 1].strip())
            and _untimed_name(lines, i, end)
        ):
            entries.append(_Entry(i + 1, unmark(line.strip()), None))
        elif line.strip():
            if not entries:
                what = "a 'Name  M:SS' header" if timed else "a speaker name line"
                raise ParseError(f"text before {what}", line=i + 1, snippet=line.strip())
            entries[-1].text.append(line.strip())
        i += 1
    if not entries:
        raise ParseError("no Otter speaker header ('Name  M:SS') found", line=1)
    segments = tuple(
        Segment(
            text=" ".join(e.text),
            start_ms=e.start_ms,
            end_ms=None,
            speaker=None if _unknown(e.name) else e.name,
            line=e.line,
            anonymous=_unknown(e.name),
        )
        for e in entries
    )
    return Transcript(segments=segments, format=format_name, repairs=tuple(repairs))


def _unknown(name: str | None) -> bool:
    return name is not None and name.casefold() == UNKNOWN_SPEAKER


def _untimed_name(lines: Sequence[str], i: int, end: int) -> bool:
    """In an export without timestamps, a short line directly above a paragraph is a name."""
    return bool(NAME_LINE.match(lines[i].strip())) and i + 1 < end and bool(lines[i + 1].strip())


class OtterAdapter(Adapter):
    name = "otter"
    extensions = (".txt",)
    description = "Otter.ai TXT export: 'Name  M:SS' headers (with or without timestamps)"

    def sniff(self, source: Source) -> bool:
        head = source.head.split("\n")
        if looks_like_otter(head, TXT_HEADER, full=False):
            return True
        # Without timestamps: only the footer tells, and the first line must be a bare name.
        first = _nonblank(head[:40])
        if not first or not NAME_LINE.match(first[0][1]):
            return False
        return _footer_index(source.text[-2000:].split("\n")) is not None

    def parse(self, source: Source, options: ParseOptions) -> Transcript:
        return parse_lines(source.lines, TXT_HEADER, self.name)


def _docx_lines(data: bytes) -> tuple[str, ...]:
    """The paragraphs of a .docx, one line each, a blank line before every header paragraph."""
    lines: list[str] = []
    for text in paragraph_lines(data):
        if DOCX_HEADER.match(text.strip()) and lines and lines[-1].strip():
            lines.append("")
        lines.append(text)
    return tuple(lines)


class OtterDocxAdapter(Adapter):
    name = "otter-docx"
    extensions = (".docx",)
    description = "Otter.ai DOCX export (same structure as the TXT)"
    binary = True

    def sniff(self, source: Source) -> bool:
        if not source.data.startswith(ZIP_MAGIC):
            return False
        return looks_like_otter(_docx_lines(source.data), DOCX_HEADER, full=True)

    def parse(self, source: Source, options: ParseOptions) -> Transcript:
        return parse_lines(_docx_lines(source.data), DOCX_HEADER, self.name)
