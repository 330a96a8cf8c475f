"""RTTM diarization files (pyannote, NIST): who spoke when, per recording, and no words.

An RTTM file cannot become a conversation by itself; it is the companion of a transcript that
has times but no (or poor) speakers::

    omi-import convert talk.json --diarization talk.rttm

Converting the RTTM file alone fails with that hint; a folder walk skips it with the same hint.
Through ``--diarization`` the core asks this adapter for the turns
(:meth:`RttmAdapter.read_speaker_turns`) and gives them to the transcript's words
(:mod:`importers.conversion.diarization`).

One turn per line, ten space-separated fields::

    SPEAKER <file-id> <channel> <start s> <duration s> <NA> <NA> <speaker> <NA> <NA>

Tolerated, because real files do it: a missing final newline, runs of spaces or tabs, one to
three decimal places (``0.00 5.29``), ``<NA>`` in the unused fields, several file ids in one
file (pyannote's development sets), blank lines and ``;;`` comment lines. Lines of other RTTM
types (``SPKR-INFO``, ``LEXEME``...) describe, they hold no turns, and are passed over. Times
beyond :mod:`importers.bounds`' range, NaN and Infinity are a ParseError naming the line (checked
before any arithmetic: ``Decimal("1e999999999") * 1000`` took 32 s).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import ClassVar

from importers.adapter import Adapter, ParseOptions
from importers.bounds import check_offset_ms, seconds_to_ms
from importers.errors import InputError, ParseError
from importers.model import SpeakerTurn, Transcript
from importers.source import Source

HINT = (
    "RTTM holds speaker turns but no words, so it cannot be imported by itself; use it with "
    "the transcript it belongs to: omi-import convert TRANSCRIPT --diarization FILE.rttm"
)
TURN_TYPES = ("SPEAKER", "SPKR-INFO", "LEXEME", "NON-SPEECH", "NON-LEX")


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
                return fields[0] in TURN_TYPES
        return False

    def parse(self, source: Source, options: ParseOptions) -> Transcript:
        raise NotATranscriptError(HINT, path=source.path)

    def read_speaker_turns(self, source: Source) -> Mapping[str, Sequence[SpeakerTurn]]:
        return parse_rttm(source.text, source.path)


FIELDS = 10
MIN_FIELDS = 8  # type, file, channel, start, duration, ortho, subtype, speaker


def parse_rttm(text: str, path: Path | str = "<rttm>") -> dict[str, list[SpeakerTurn]]:
    """``{file_id: [SpeakerTurn, ...]}`` in file order (turns in line order).

    Raises:
        ParseError: a SPEAKER line with too few fields, a bad number, or a negative duration.
    """
    turns: dict[str, list[SpeakerTurn]] = {}
    for number, raw in enumerate(text.split("\n"), start=1):
        fields = raw.split()
        if not fields or fields[0].startswith(";;") or fields[0] != "SPEAKER":
            continue
        if len(fields) < MIN_FIELDS:
            raise ParseError(
                f"RTTM SPEAKER line has {len(fields)} fields, expected {FIELDS}",
                path=path, line=number, snippet=raw.strip(),
            )  # fmt: skip
        file_id, start, duration, speaker = fields[1], fields[3], fields[4], fields[7]
        try:
            start_ms = seconds_to_ms(Decimal(start), "RTTM start", line=number)
            duration_ms = seconds_to_ms(Decimal(duration), "RTTM duration", line=number)
            end_ms = check_offset_ms(start_ms + duration_ms, "RTTM turn end", line=number)
        except InvalidOperation:
            raise ParseError(
                "RTTM start or duration is not a number",
                path=path,
                line=number,
                snippet=raw.strip(),
            ) from None
        except ParseError as exc:  # out of range, NaN, Infinity
            raise exc.with_path(path) from None
        if start_ms < 0 or duration_ms < 0:
            raise ParseError(
                "RTTM start or duration is negative", path=path, line=number, snippet=raw.strip()
            )
        if speaker == "<NA>":
            raise ParseError("RTTM SPEAKER line has no speaker name", path=path, line=number)
        turns.setdefault(file_id, []).append(SpeakerTurn(start_ms, end_ms, speaker))
    return turns
