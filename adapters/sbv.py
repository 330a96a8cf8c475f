"""YouTube's SBV captions (``.sbv``, YouTube Studio's "Download" / SubViewer).

::

    0:00:00.599,0:00:04.160
    >> ALICE: Hi, my name is Alice Miller and this is John Brown

    0:00:04.160,0:00:06.770
    >> JOHN: and we're the owners of Miller Bakery.

    0:00:06.770,0:00:10.880
    Today we'll be teaching you how to make
    our famous chocolate chip cookies!

A cue is a ``start,end`` timing line (``H:MM:SS.mmm``; SubViewer 2's ``00:04:35.03`` two-digit
fractions are 30 ms, see :mod:`adapters.timing`) and its text, which runs to the next timing line
(blank lines inside it stay, so no text is lost). SubViewer 2's ``[INFORMATION]`` ...
``[END INFORMATION]`` header and ``[SUBTITLE]``/``[COLF]``-style tag lines before the first cue
are metadata and consumed; its ``[br]`` is a line break. Any other text before the first cue, or
a line that looks like a timing line but is not one, is a ParseError naming the line.

Speakers: YouTube's caption style marks a change of speaker with ``>>``, often with the name
(``>> ALICE:``). Where the file uses ``>>``, each ``>>`` cue starts a turn, named by its
``NAME:`` when it has one (else unknown), and cues without ``>>`` continue it. Files without
``>>`` are read like SRT: consistent ``Name:`` prefixes (:mod:`adapters.speakers`).

webvtt-py can read SBV too (``webvtt.from_sbv``), but it skips any block it cannot read without
a word, keeps no line numbers and rejects two-digit fractions; the format is a timing line and
text, so it is read here.
"""

from __future__ import annotations

import re
from typing import ClassVar

from adapters.speakers import SPEAKER_PREFIXES, apply_prefix_speakers, find_prefix, prefix_mode
from adapters.timing import parse_timestamp, report_overflow
from importers.adapter import Adapter, AdapterOption, ParseOptions
from importers.errors import ParseError
from importers.model import Repair, Segment, Transcript
from importers.source import Source

_TS = r"\d+:\d{1,2}:\d{1,2}(?:\.\d+)?"
TIMING = re.compile(rf"^[ \t]*({_TS})[ \t]*,[ \t]*({_TS})[ \t]*$")
#: Starts like a timing line (``0:00:01``...) but may be broken: checked, never taken as text.
_TIMING_LIKE = re.compile(r"^[ \t]*\d+:\d{1,2}:\d{1,2}[.,]\d+[ \t]*,")
_HEADER_TAG = re.compile(r"^\[[A-Z][A-Z ]*\]")  # [INFORMATION], [TITLE]..., [SUBTITLE], [COLF]
_BREAK = re.compile(r"\[br\]", re.IGNORECASE)
_CHANGE = re.compile(r"^[ \t]*>>[ \t]*")
_SNIFF_LINES = 40


def _header_end(lines: list[str]) -> int:
    """Index of the first line after SubViewer 2's header (0 when there is none)."""
    i = 0
    in_information = False
    while i < len(lines):
        line = lines[i].strip()
        if line.upper() == "[INFORMATION]":
            in_information = True
        elif line.upper() == "[END INFORMATION]":
            in_information = False
        elif line and not in_information and not _HEADER_TAG.match(line):
            return i
        i += 1
    return i


class SbvAdapter(Adapter):
    """YouTube SBV / SubViewer captions."""

    name = "sbv"
    extensions = (".sbv",)
    description = "YouTube SBV captions (H:MM:SS.mmm,H:MM:SS.mmm); >> NAME: speaker changes"

    options: ClassVar[tuple[AdapterOption, ...]] = (SPEAKER_PREFIXES,)

    def sniff(self, source: Source) -> bool:
        lines = source.head.split("\n", _SNIFF_LINES)[:_SNIFF_LINES]
        start = _header_end(lines)
        return start < len(lines) and TIMING.match(lines[start]) is not None

    def parse(self, source: Source, options: ParseOptions) -> Transcript:
        lines = source.lines
        repairs: list[Repair] = []
        segments: list[Segment] = []
        body: list[str] = []
        for i in range(_header_end(lines), len(lines)):
            line = lines[i]
            match = TIMING.match(line)
            if match is None and _TIMING_LIKE.match(line):
                raise ParseError("invalid cue timing line", line=i + 1, snippet=line.strip())
            if match is not None:
                _close(segments, body)
                start, start_over = parse_timestamp(match[1], what="cue start", line=i + 1)
                end, end_over = parse_timestamp(match[2], what="cue end", line=i + 1)
                report_overflow(repairs, start_over or end_over, i + 1)
                segments.append(Segment("", start, end, line=i + 1))
            elif not segments:
                if line.strip():
                    raise ParseError(
                        "not an SBV cue (expected a 'start,end' timing line)",
                        line=i + 1,
                        snippet=line.strip(),
                    )
            else:
                body.append(_BREAK.sub("\n", line))
        _close(segments, body)
        if not segments:
            raise ParseError("no SBV cues found", line=1)
        return Transcript(
            segments=tuple(_speakers(segments, options)),
            format=self.name,
            language=options.language,
            repairs=tuple(repairs),
        )


def _close(segments: list[Segment], body: list[str]) -> None:
    """Give the last cue its text (trailing blank lines removed)."""
    while body and not body[-1].strip():
        body.pop()
    if segments:
        segments[-1] = segments[-1]._replace(text="\n".join(body))
    body.clear()


def _speakers(segments: list[Segment], options: ParseOptions) -> list[Segment]:
    """``>>`` turns where the file marks them, else ``Name:`` prefixes (module docstring)."""
    mode = prefix_mode(options)
    if not any(_CHANGE.match(s.text) for s in segments):
        return apply_prefix_speakers(segments, continue_previous=False, mode=mode)
    out: list[Segment] = []
    speaker: str | None = None
    for seg in segments:
        change = _CHANGE.match(seg.text)
        if change is None:
            out.append(seg._replace(speaker=speaker))
            continue
        text = seg.text[change.end() :]
        prefix = find_prefix(text) if mode != "no" else None
        speaker = prefix.name if prefix is not None else None
        out.append(seg._replace(text=prefix.text if prefix else text, speaker=speaker))
    return out
