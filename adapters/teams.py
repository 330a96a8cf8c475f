"""Microsoft Teams and Microsoft Stream transcripts: WebVTT with ``<v Name>`` voice spans.

Teams writes one ``<v Name>...</v>`` span per cue (often over several lines) and, since 2021,
cue ids like ``91b3f3c3-.../32-0``; old Teams exports used ``0:0:0.0`` timestamps. Microsoft
Stream (classic) writes ``NOTE Confidence:`` before every cue, GUID cue ids, and no names.
The format is WebVTT, so parsing is :class:`adapters.vtt.VttAdapter`'s; this adapter exists so
that the convert output says ``teams`` and so that ``--format teams`` documents the source.

Old Teams transcripts write no zero padding anywhere, the milliseconds included
(``0:4:6.80`` is 4 min 6.080 s): :func:`adapters.timing.unpadded_layout` recognises the layout and
the fractions are read as milliseconds, by the WebVTT parser and here.

The same old transcript also comes copied out of Word or the Teams window as plain text,
without ``WEBVTT`` and often without blank lines (``.txt``)::

    0:0:0.0 --> 0:0:1.250           the timing line
    Jane Doe                        the speaker's name on its own line
    Hi I'm Jane Doe, CEO.           the text, to the next timing line
    0:0:2.90 --> 0:0:4.480
    John Doe
    Hi, I'm John Doe.

That is read here too (:func:`plain_cues`): each timing line starts a cue, the first line below
it is the speaker when the cue has a line of text after it.

Detection: voice spans with Teams' GUID cue ids or its old ``0:0:0.0`` timestamps, or Stream's
``NOTE Confidence:`` lines; or, without ``WEBVTT``, the copied layout: an unpadded timing line
first, a name line below it. As a subclass of ``vtt`` it wins over it on WebVTT files; its
priority settles the one overlap with ``zoom`` (a Stream file under a Zoom file name), as before.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import ClassVar

from adapters.speakers import is_name_line
from adapters.timing import UNPADDED_TIMING, parse_timing, unpadded_layout
from adapters.vtt import VttAdapter, has_voices, is_webvtt
from importers.adapter import ParseOptions
from importers.errors import ParseError
from importers.model import Repair, Segment, Transcript
from importers.source import Source

_GUID_ID = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?:/\d+-\d+)?[ \t]*$",
    re.MULTILINE | re.IGNORECASE,
)
_OLD_TEAMS_TIMING = re.compile(r"^\d:\d{1,2}:\d{1,2}\.\d+ --> ", re.MULTILINE)
#: How many lines with text the plain-text sniff looks at.
_SNIFF_LINES = 3


def is_plain_teams(head: str) -> bool:
    """The copied layout (module doc): an unpadded timing line first, then a name line."""
    lines = [line for line in head.split("\n", 40)[:40] if line.strip()][:_SNIFF_LINES]
    return (
        len(lines) == _SNIFF_LINES
        and UNPADDED_TIMING.fullmatch(lines[0]) is not None
        and "-->" not in lines[1] + lines[2]
        and is_name_line(lines[1])
    )


def plain_cues(lines: Sequence[str]) -> tuple[list[Segment], list[Repair]]:
    """The cues of the copied layout (module doc); lines before the first timing line are
    reported as ``header_skipped``.

    Raises:
        ParseError: no timing line, or a line with ``-->`` that is not one.
    """
    unpadded = unpadded_layout(list(lines))
    starts = [i for i, line in enumerate(lines) if "-->" in line]
    if not starts:
        raise ParseError("no timing line ('0:0:0.0 --> 0:0:1.250') found", line=1)
    repairs = [Repair("header_skipped", i + 1) for i in range(starts[0]) if lines[i].strip()]
    segments = []
    for at, end in zip(starts, [*starts[1:], len(lines)], strict=True):
        timing = parse_timing(lines[at], line=at + 1, unpadded=unpadded)
        if timing is None:
            raise ParseError("invalid cue timing line", line=at + 1, snippet=lines[at].strip())
        body = [line for line in lines[at + 1 : end] if line.strip()]
        speaker = " ".join(body[0].split()) if len(body) > 1 else None
        text = "\n".join(body[1:] if speaker else body)
        segments.append(Segment(text, timing.start_ms, timing.end_ms, speaker, line=at + 1))
    return segments, repairs


class TeamsAdapter(VttAdapter):
    """Teams / Microsoft Stream transcript WebVTT (voice spans become speakers), and old Teams
    transcripts copied as plain text."""

    name = "teams"
    extensions: ClassVar[tuple[str, ...]] = (".vtt", ".txt")
    description = "Microsoft Teams / Stream transcript (.vtt with <v Name> voice spans)"
    priority: ClassVar[int] = 1

    def sniff(self, source: Source) -> bool:
        if not is_webvtt(source):
            return is_plain_teams(source.head)
        head = source.head
        return "\nNOTE Confidence:" in head or (
            has_voices(head) and bool(_GUID_ID.search(head) or _OLD_TEAMS_TIMING.search(head))
        )

    def parse(self, source: Source, options: ParseOptions) -> Transcript:
        if is_webvtt(source):
            return super().parse(source, options)
        segments, repairs = plain_cues(source.lines)
        return Transcript(
            segments=tuple(segments),
            format=self.name,
            language=options.language,
            repairs=tuple(repairs),
        )
