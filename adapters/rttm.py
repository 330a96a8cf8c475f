"""RTTM diarization files: recognised, so that converting one explains how to use it.

An RTTM file says who spoke when but holds no words, so it cannot become a conversation by
itself. It is the companion of a transcript that has times but no (or poor) speakers::

    omi-import convert talk.json --diarization talk.rttm

Converting the RTTM file alone fails with that hint; a folder walk skips it with the same hint.
"""

from __future__ import annotations

from typing import ClassVar

from importers.adapter import Adapter, ParseOptions
from importers.errors import InputError
from importers.model import Transcript
from importers.source import Source

HINT = (
    "RTTM holds speaker turns but no words, so it cannot be imported by itself; use it with "
    "the transcript it belongs to: omi-import convert TRANSCRIPT --diarization FILE.rttm"
)


class NotATranscriptError(InputError):
    """The input is a companion file (speaker turns only), not a transcript."""


class RttmAdapter(Adapter):
    """RTTM speaker turns (pyannote, NIST); only usable through ``--diarization``."""

    name: ClassVar[str] = "rttm"
    extensions: ClassVar[tuple[str, ...]] = (".rttm",)
    description: ClassVar[str] = "RTTM speaker turns (no words: use with --diarization)"
    companion: ClassVar[str | None] = "speaker turns only; pass it with --diarization"

    def sniff(self, source: Source) -> bool:
        for line in source.head.split("\n"):
            fields = line.split()
            if fields and not fields[0].startswith(";;"):
                return fields[0] in ("SPEAKER", "SPKR-INFO", "LEXEME", "NON-SPEECH", "NON-LEX")
        return False

    def parse(self, source: Source, options: ParseOptions) -> Transcript:
        raise NotATranscriptError(HINT, path=source.path)
