"""Zoom cloud-recording transcripts: WebVTT whose cues start with ``Display Name: ``.

Zoom saves them as ``<meeting>.transcript.vtt`` / ``audio_transcript_<id>.vtt``. Each cue is
``Name: text``; a long utterance is split over several cues and Zoom leaves the name off some
of the later ones (``zoom/zoom-cloud-transcript-speaker-prefix.vtt``: ``And that``), so a cue
without a prefix continues the previous speaker. Names may hold parentheses and commas
(``Ashlee Kupor (SL)``), the text may hold more colons, and NBSP is ordinary whitespace.

Parsing is :class:`adapters.vtt.VttAdapter`'s with ``continue_previous``; the speaker rules are
in :mod:`adapters.speakers`. Detection (:func:`adapters.vtt.classify`) is stricter than plain
WebVTT's and excludes it: Zoom's file names, or consistent ``Name:`` prefixes and no ``<v>``.
"""

from __future__ import annotations

from typing import ClassVar

from adapters.vtt import VttAdapter


class ZoomVttAdapter(VttAdapter):
    """Zoom cloud-recording transcript (``*.transcript.vtt``)."""

    name = "zoom"
    description = "Zoom cloud-recording transcript (.transcript.vtt, 'Name: text' cues)"
    continue_previous: ClassVar[bool] = True
