"""Microsoft Teams and Microsoft Stream transcripts: WebVTT with ``<v Name>`` voice spans.

Teams writes one ``<v Name>...</v>`` span per cue (often over several lines) and, since 2021,
cue ids like ``91b3f3c3-.../32-0``; old Teams exports used ``0:0:0.0`` timestamps. Microsoft
Stream (classic) writes ``NOTE Confidence:`` before every cue, GUID cue ids, and no names.
The format is WebVTT, so parsing is :class:`adapters.vtt.VttAdapter`'s; this adapter exists so
that the convert output says ``teams`` and so that ``--format teams`` documents the source.
Detection is :func:`adapters.vtt.classify`, shared with ``vtt`` and ``zoom`` so exactly one of
the three claims a ``.vtt`` file.
"""

from __future__ import annotations

from adapters.vtt import VttAdapter


class TeamsAdapter(VttAdapter):
    """Teams / Microsoft Stream transcript WebVTT (voice spans become speakers)."""

    name = "teams"
    description = "Microsoft Teams / Stream transcript (.vtt with <v Name> voice spans)"
