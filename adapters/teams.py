"""Microsoft Teams and Microsoft Stream transcripts: WebVTT with ``<v Name>`` voice spans.

Teams writes one ``<v Name>...</v>`` span per cue (often over several lines) and, since 2021,
cue ids like ``91b3f3c3-.../32-0``; old Teams exports used ``0:0:0.0`` timestamps. Microsoft
Stream (classic) writes ``NOTE Confidence:`` before every cue, GUID cue ids, and no names.
The format is WebVTT, so parsing is :class:`adapters.vtt.VttAdapter`'s; this adapter exists so
that the convert output says ``teams`` and so that ``--format teams`` documents the source.

Detection: voice spans with Teams' GUID cue ids or its old ``0:0:0.0`` timestamps, or Stream's
``NOTE Confidence:`` lines. As a subclass of ``vtt`` it wins over it on such files; its priority
settles the one overlap with ``zoom`` (a Stream file under a Zoom file name), as before.
"""

from __future__ import annotations

import re
from typing import ClassVar

from adapters.vtt import VttAdapter, has_voices, is_webvtt
from importers.source import Source

_GUID_ID = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?:/\d+-\d+)?[ \t]*$",
    re.MULTILINE | re.IGNORECASE,
)
_OLD_TEAMS_TIMING = re.compile(r"^\d:\d{1,2}:\d{1,2}\.\d+ --> ", re.MULTILINE)


class TeamsAdapter(VttAdapter):
    """Teams / Microsoft Stream transcript WebVTT (voice spans become speakers)."""

    name = "teams"
    description = "Microsoft Teams / Stream transcript (.vtt with <v Name> voice spans)"
    priority: ClassVar[int] = 1

    def sniff(self, source: Source) -> bool:
        if not is_webvtt(source):
            return False
        head = source.head
        return "\nNOTE Confidence:" in head or (
            has_voices(head) and bool(_GUID_ID.search(head) or _OLD_TEAMS_TIMING.search(head))
        )
