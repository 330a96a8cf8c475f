"""Zoom saved closed captions (``meeting_saved_closed_caption.txt``, ``closed_caption.txt``).

::

    [Rembhotkar, Simantini] 13:01:02
    How are they?

    [Natarajan, Nikitha] 13:01:04
    Howdy.

A ``[Name] HH:MM:SS`` header, then the caption's text up to the next header. The name is
everything between the first ``[`` and the last ``] `` before the time, so ``Last, First
Middle`` and names with brackets survive. Times are wall-clock with one-second resolution and no
end: many entries share a second, so each keeps its own start and normalization estimates the
ends (and counts each estimate). See :mod:`adapters.wallclock` for offsets, midnight crossing and
the meeting's date.

In a Zoom recording folder the transcript wins over these captions (see
:mod:`adapters.zoom_vtt`).
"""

from __future__ import annotations

import re

from adapters.wallclock import meeting_started_at, offsets_ms, parse_time_of_day
from importers.adapter import Adapter, ParseOptions
from importers.errors import ParseError
from importers.model import Segment, Transcript
from importers.source import Source

#: The names Zoom gives saved captions.
ZOOM_CAPTION_NAMES = ("meeting_saved_closed_caption.txt", "closed_caption.txt")
HEADER = re.compile(r"^\[(?P<name>.*)\] (?P<time>\d{1,2}:\d{2}:\d{2})[ \t]*$")


def _first_line(text: str) -> str:
    for line in text.split("\n", 40):
        if line.strip():
            return line.strip()
    return ""


class ZoomCaptionsAdapter(Adapter):
    name = "zoom-captions"
    extensions = (".txt",)
    description = (
        "Zoom saved closed captions: [Name] HH:MM:SS headers (meeting_saved_closed_caption.txt)"
    )

    def sniff(self, source: Source) -> bool:
        m = HEADER.match(_first_line(source.head))
        return bool(m) and parse_time_of_day(m.group("time")) is not None  # type: ignore[union-attr]

    def parse(self, source: Source, options: ParseOptions) -> Transcript:
        entries: list[tuple[str, int, int, list[str]]] = []  # name, seconds of day, line, text
        for number, line in enumerate(source.lines, start=1):
            m = HEADER.match(line.strip())
            seconds = parse_time_of_day(m.group("time")) if m else None
            if m and seconds is not None:
                entries.append((m.group("name").strip(), seconds, number, []))
            elif entries:
                entries[-1][3].append(line)
            elif line.strip():
                raise ParseError(
                    "text before the first [Name] HH:MM:SS header", line=number, snippet=line
                )
        if not entries:
            raise ParseError("no [Name] HH:MM:SS caption header found", line=1)
        offsets, days = offsets_ms(seconds for _, seconds, _, _ in entries)
        segments = tuple(
            Segment(
                text="\n".join(text).strip(),
                start_ms=offset,
                end_ms=None,
                speaker=name or None,
                line=number,
            )
            for (name, _, number, text), offset in zip(entries, offsets, strict=True)
        )
        return Transcript(
            segments=segments,
            format=self.name,
            started_at=meeting_started_at(source, options, entries[0][1], days),
            language=options.language,
        )
