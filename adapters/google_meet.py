"""Google Meet transcripts: the Google Doc Meet saves in "Meet Recordings" (TXT or DOCX download).

::

    Oct 2, 2025                                   the document's header: date, title,
    Weekly sync - Transcript                      (Gemini notes docs: notes, then "Transcript")
    00:00:00                                      a timestamp every few minutes
                                                  (lines holding only a no-break space)
    Anna Hewitt: Okay, so the goal of this is...   one paragraph per speaker turn
    Garrett McGrath: Hey,
    00:01:26
    Garrett McGrath: But there's also ...
    ...
    Transcription ended after 00:30:30

    This editable transcript was computer generated and might contain errors. People can also
    change the text after it was created.

* Each ``Name: text`` paragraph is a segment of that speaker; a paragraph without a name
  continues the segment before it (at the top of a block it starts a segment of the same
  speaker). ``Name:`` is read by :func:`adapters.speakers.find_prefix`, so ``Note:`` stays text.
* Times: only the timestamp lines have them. The first paragraph of a block starts at its
  timestamp; the others are spread over the block by their share of its words, up to the next
  timestamp (or ``Transcription ended after``), each reported as ``start_interpolated``; ends
  are estimated by normalization. After the last timestamp, with no end given, the starts are
  left to normalization's words-per-second estimate. A timestamp earlier than the one before
  it is an error (the spreading would put words out of order).
* The header before the first timestamp (date, title, attendees, Gemini's notes) is reported
  as ``header_skipped``, the footer as ``footer_skipped``.

Detection (exclusive with ``timestamped-text``, ``otter`` and the Zoom text formats): a
``HH:MM:SS`` timestamp line and Meet's own marks: the ``... - Transcript`` title, the
``Transcription ended after`` line or the "This editable transcript..." footer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from adapters.docx_text import ZIP_MAGIC, paragraph_lines
from adapters.speakers import find_prefix
from adapters.timing import parse_timestamp, read_timestamp
from importers.adapter import Adapter, ParseOptions
from importers.errors import ParseError
from importers.model import Repair, Segment, Transcript
from importers.source import Source

TIMESTAMP = re.compile(r"^\(?(?P<time>\d{1,2}:\d{2}:\d{2})\)?$")
ENDED = re.compile(r"^Transcription ended after (?P<time>\d{1,2}:\d{2}:\d{2})\.?$", re.IGNORECASE)
FOOTER = re.compile(r"^This editable transcript was computer generated\b", re.IGNORECASE)
TITLE = re.compile(r"^.+ - Transcript$")
_HEAD_LINES = 40
_TAIL_CHARS = 2000


def looks_like_meet(lines: Sequence[str], tail: Sequence[str]) -> bool:
    """Meet's marks (module docstring) in the first ``lines`` or the ``tail`` of a file."""
    stripped = [line.strip() for line in lines[:_HEAD_LINES]]
    if not any(TIMESTAMP.match(line) for line in stripped):
        return False
    marks = (TITLE, ENDED, FOOTER)
    return any(p.match(line) for line in stripped for p in marks) or any(
        p.match(line.strip()) for line in tail for p in (ENDED, FOOTER)
    )


@dataclass
class _Block:
    time_ms: int
    segments: list[Segment] = field(default_factory=list)


def parse_meet(lines: Sequence[str], format_name: str) -> Transcript:
    """Read a Meet transcript's lines (TXT or DOCX paragraphs; see the module docstring)."""
    repairs: list[Repair] = []
    blocks: list[_Block] = []
    ended_ms: int | None = None
    speaker: str | None = None
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        stamp, ended = TIMESTAMP.match(line), ENDED.match(line)
        if stamp is not None:
            time_ms = read_timestamp(stamp["time"], repairs, line=number)
            if blocks and time_ms < blocks[-1].time_ms:
                raise ParseError(
                    "timestamp earlier than the one before it", line=number, snippet=line
                )
            blocks.append(_Block(time_ms))
        elif ended is not None and blocks:
            ended_ms = parse_timestamp(ended["time"])[0]
        elif FOOTER.match(line):
            repairs.append(Repair("footer_skipped", number))
        elif not blocks:
            repairs.append(Repair("header_skipped", number))
        else:
            block = blocks[-1]
            prefix = find_prefix(line)
            if prefix is not None:
                speaker = prefix.name
                block.segments.append(
                    Segment(prefix.text.strip(), None, None, speaker, line=number)
                )
            elif block.segments:
                last = block.segments[-1]
                block.segments[-1] = Segment(
                    f"{last.text}\n{line}", None, None, last.speaker, line=last.line
                )
            else:
                block.segments.append(Segment(line, None, None, speaker, line=number))
    if not blocks:
        raise ParseError("no Google Meet timestamp line (HH:MM:SS) found", line=1)
    segments: list[Segment] = []
    for i, block in enumerate(blocks):
        end = blocks[i + 1].time_ms if i + 1 < len(blocks) else ended_ms
        segments.extend(_timed(block, end, repairs))
    return Transcript(segments=tuple(segments), format=format_name, repairs=tuple(repairs))


def _timed(block: _Block, end_ms: int | None, repairs: list[Repair]) -> list[Segment]:
    """The block's segments with starts: its time, then spread by words up to ``end_ms``."""
    counts = [len(s.text.split()) for s in block.segments]
    total = sum(counts)
    out: list[Segment] = []
    before = 0
    for seg, count in zip(block.segments, counts, strict=True):
        if not out:
            start: int | None = block.time_ms
        elif end_ms is not None and total:
            start = block.time_ms + round((end_ms - block.time_ms) * before / total)
            repairs.append(Repair("start_interpolated", seg.line))
        else:
            start = None  # after the last timestamp: normalization estimates it
        out.append(Segment(seg.text, start, None, seg.speaker, line=seg.line))
        before += count
    return out


def _tail(text: str) -> list[str]:
    return text[-_TAIL_CHARS:].split("\n")


class GoogleMeetAdapter(Adapter):
    name = "google-meet"
    extensions = (".txt",)
    description = "Google Meet transcript (the Doc downloaded as .txt): Name: text under timestamps"

    def sniff(self, source: Source) -> bool:
        return looks_like_meet(source.head.split("\n", _HEAD_LINES), _tail(source.text))

    def parse(self, source: Source, options: ParseOptions) -> Transcript:
        return parse_meet(source.lines, self.name)


class GoogleMeetDocxAdapter(Adapter):
    name = "google-meet-docx"
    extensions = (".docx",)
    description = "Google Meet transcript downloaded as .docx (same structure as the TXT)"
    binary = True

    def sniff(self, source: Source) -> bool:
        if not source.data.startswith(ZIP_MAGIC):
            return False
        lines = paragraph_lines(source.data)
        return looks_like_meet(lines, lines[-_HEAD_LINES:])

    def parse(self, source: Source, options: ParseOptions) -> Transcript:
        return parse_meet(paragraph_lines(source.data), self.name)
