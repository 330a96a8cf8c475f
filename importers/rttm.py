"""Read RTTM diarization files (pyannote, NIST): who spoke when, per recording.

One turn per line, ten space-separated fields::

    SPEAKER <file-id> <channel> <start s> <duration s> <NA> <NA> <speaker> <NA> <NA>

Tolerated, because real files do it: a missing final newline, runs of spaces or tabs, one to
three decimal places (``0.00 5.29``), ``<NA>`` in the unused fields, several file ids in one
file (pyannote's development sets), blank lines and ``;;`` comment lines. Lines of other RTTM
types (``SPKR-INFO``, ``LEXEME``...) describe, they hold no turns, and are passed over.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

from importers.attribution import SpeakerTurn
from importers.errors import ParseError
from importers.source import Source

FIELDS = 10
MIN_FIELDS = 8  # type, file, channel, start, duration, ortho, subtype, speaker


def _ms(value: str) -> int:
    return int((Decimal(value) * 1000).to_integral_value())


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
            start_ms, duration_ms = _ms(start), _ms(duration)
        except InvalidOperation:
            raise ParseError(
                "RTTM start or duration is not a number",
                path=path,
                line=number,
                snippet=raw.strip(),
            ) from None
        if start_ms < 0 or duration_ms < 0:
            raise ParseError(
                "RTTM start or duration is negative", path=path, line=number, snippet=raw.strip()
            )
        if speaker == "<NA>":
            raise ParseError("RTTM SPEAKER line has no speaker name", path=path, line=number)
        turns.setdefault(file_id, []).append(SpeakerTurn(start_ms, start_ms + duration_ms, speaker))
    return turns


def read_rttm(path: Path | str, encoding: str | None = None) -> dict[str, list[SpeakerTurn]]:
    """Read an RTTM file (decoded like every input: BOM, UTF-16, code pages).

    Raises:
        DecodeError: the file cannot be read or decoded.
        ParseError: see :func:`parse_rttm`.
    """
    source = Source.from_path(path, encoding)
    return parse_rttm(source.text, source.path)


def speakers_in_order(turns: list[SpeakerTurn]) -> list[str]:
    """Distinct speakers in order of first appearance in the file."""
    return list(dict.fromkeys(t.speaker for t in turns))
