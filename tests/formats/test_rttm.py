"""RTTM: the reader, the rttm adapter's explanation, and --diarization."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from support import CORPUS

from adapters.rttm import RttmAdapter, parse_rttm
from importers.cli import cli
from importers.conversion.options import ConvertOptions
from importers.conversion.pipeline import convert
from importers.errors import InputError, ParseError
from importers.model import SpeakerTurn
from importers.source import Source

EXPECTED: dict[str, dict[str, Any]] = (
    json.loads((CORPUS / "expected.json").read_text())
    if (CORPUS / "expected.json").exists()
    else {}
)
RTTM_FILES = sorted(k for k in EXPECTED if k.startswith("rttm/"))


def read_rttm(path: Path) -> Mapping[str, Sequence[SpeakerTurn]]:
    """The turns the rttm adapter gives ``--diarization``."""
    return RttmAdapter().read_speaker_turns(Source.from_path(path))


@pytest.mark.skipif(not RTTM_FILES, reason=f"corpus not found at {CORPUS}")
@pytest.mark.parametrize("rel", RTTM_FILES)
def test_corpus_rttm_matches_expected(rel: str) -> None:
    """Segment counts per file id, speakers in order, file ids, first start and max end."""
    facts = EXPECTED[rel]
    turns = read_rttm(CORPUS / rel)
    assert list(turns) == facts["file_ids"]
    assert {k: len(v) for k, v in turns.items()} == facts["segments_per_file_id"]
    everything = [t for ts in turns.values() for t in ts]
    assert len(everything) == facts["segments"]
    assert list(dict.fromkeys(t.speaker for t in everything)) == facts["speakers"]
    assert everything[0].start_ms == round(facts["first_start"] * 1000)
    assert everything[-1].end_ms == round(facts["last_end"] * 1000)
    assert max(t.end_ms for t in everything) == round(
        facts.get("max_end", facts["last_end"]) * 1000
    )


def test_tolerant_reader() -> None:
    """No final newline, 1-3 decimals, tabs, blank and ;; comment lines, other line types."""
    text = (
        ";; a comment\n\nSPKR-INFO a 1 <NA> <NA> <NA> unknown x <NA> <NA>\n"
        "SPEAKER a 1 0.5 1.25 <NA> <NA> x <NA> <NA>\n"
        "SPEAKER\tb  1 2 0.1 <NA> <NA> y <NA> <NA>\n"
        "SPEAKER a 1 10.123 0.877 <NA> <NA> y"
    )
    assert parse_rttm(text) == {
        "a": [SpeakerTurn(500, 1750, "x"), SpeakerTurn(10123, 11000, "y")],
        "b": [SpeakerTurn(2000, 2100, "y")],
    }


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("SPEAKER a 1 0.5", "RTTM SPEAKER line has 4 fields, expected 10: 'SPEAKER a 1 0.5'"),
        (
            "SPEAKER a 1 x 1 <NA> <NA> s",
            "RTTM start or duration is not a number: 'SPEAKER a 1 x 1 <NA> <NA> s'",
        ),
        (
            "SPEAKER a 1 1 -1 <NA> <NA> s",
            "RTTM start or duration is negative: 'SPEAKER a 1 1 -1 <NA> <NA> s'",
        ),
        ("SPEAKER a 1 1 1 <NA> <NA> <NA>", "RTTM SPEAKER line has no speaker name"),
    ],
)
def test_bad_lines_name_the_line(line: str, reason: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_rttm(f"SPEAKER a 1 0 1 <NA> <NA> s <NA> <NA>\n{line}\n", "d.rttm")
    assert str(info.value) == f"d.rttm:2: {reason}"


HINT = (
    "RTTM holds speaker turns but no words, so it cannot be imported by itself; use it with the "
    "transcript it belongs to: omi-import convert TRANSCRIPT --diarization FILE.rttm"
)


def test_converting_rttm_alone_explains(tmp_path: Path) -> None:
    p = tmp_path / "talk.rttm"
    p.write_text("SPEAKER talk 1 0.0 1.0 <NA> <NA> a <NA> <NA>\n")
    result = CliRunner().invoke(cli, ["convert", str(p)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines()[0] == f"Error: {p}: {HINT}"
    assert "Traceback" not in result.output


WHISPER = {
    "text": " Where did you park? Behind the station.",
    "segments": [
        {
            "id": 0,
            "seek": 0,
            "start": 0.3,
            "end": 2.9,
            "text": " Where did you park? Behind the station.",
            "tokens": [1],
            "words": [
                {"word": " Where", "start": 0.3, "end": 0.5},
                {"word": " did", "start": 0.55, "end": 0.7},
                {"word": " you", "start": 0.72, "end": 0.8},
                {"word": " park?", "start": 0.85, "end": 1.3},
                {"word": " Behind", "start": 1.9, "end": 2.2},
                {"word": " the", "start": 2.22, "end": 2.3},
                {"word": " station.", "start": 2.33, "end": 2.9},
            ],
        },
        {"id": 1, "seek": 0, "start": 3.5, "end": 4.0, "text": " Okay.", "tokens": [2]},
    ],
    "language": "en",
}
RTTM = (
    "SPEAKER {id} 1 0.2 1.2 <NA> <NA> dana <NA> <NA>\n"
    "SPEAKER {id} 1 1.8 1.3 <NA> <NA> lee <NA> <NA>\n"
)


def write_pair(tmp_path: Path, ids: tuple[str, ...] = ("talk",)) -> tuple[Path, Path]:
    j = tmp_path / "talk.json"
    j.write_text(json.dumps(WHISPER))
    r = tmp_path / "turns.rttm"
    r.write_text("".join(RTTM.format(id=i) for i in ids))
    return j, r


def speakers_of(conversion: Any) -> list[tuple[str, str | None]]:
    n = conversion.normalized
    return [(t.text, n.speakers[t.speaker]) for t in n.turns]


def test_diarization_gives_whisper_words_speakers(tmp_path: Path) -> None:
    """Word-level attribution splits a whisper segment; a segment without words by its span."""
    j, r = write_pair(tmp_path)
    result = convert(j, ConvertOptions(diarization=read_rttm(r)))
    assert speakers_of(result) == [
        ("Where did you park?", "dana"),
        ("Behind the station. Okay.", "lee"),
    ]


def test_diarization_changes_the_session_ids(tmp_path: Path) -> None:
    j, r = write_pair(tmp_path)
    plain = convert(j).conversations[0].key
    diarized = convert(j, ConvertOptions(diarization=read_rttm(r))).conversations[0].key
    assert plain != diarized
    r.write_text(RTTM.format(id="talk").replace("lee", "kim"))
    assert convert(j, ConvertOptions(diarization=read_rttm(r))).conversations[0].key != diarized


def test_several_recordings_pick_by_name_or_id(tmp_path: Path) -> None:
    j, r = write_pair(tmp_path, ("other", "talk"))
    assert speakers_of(convert(j, ConvertOptions(diarization=read_rttm(r))))[0][1] == "dana"
    j2 = tmp_path / "renamed.json"
    j2.write_bytes(j.read_bytes())
    with pytest.raises(InputError) as info:
        convert(j2, ConvertOptions(diarization=read_rttm(r)))
    assert str(info.value) == (
        f"{j2}: diarization holds several recordings (other, talk) and none is named 'renamed'; "
        "choose one with --diarization-id"
    )
    chosen = convert(j2, ConvertOptions(diarization=read_rttm(r), diarization_id="other"))
    assert speakers_of(chosen)[0][1] == "dana"


def test_cli_diarization_flag(tmp_path: Path) -> None:
    j, r = write_pair(tmp_path)
    result = CliRunner().invoke(
        cli, ["convert", str(j), "--diarization", str(r), "-q"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["speakers"] == {"SPEAKER_00": "dana", "SPEAKER_01": "lee"}
    assert [s["speaker"] for s in out["conversations"][0]["transcript_segments"]] == [
        "SPEAKER_00",
        "SPEAKER_01",
    ]


def test_cli_bad_rttm_is_a_usage_error(tmp_path: Path) -> None:
    j, r = write_pair(tmp_path)
    r.write_text("SPEAKER talk 1 zero 1 <NA> <NA> a <NA> <NA>\n")
    result = CliRunner().invoke(cli, ["convert", str(j), "--diarization", str(r)])
    assert result.exit_code == 2
    assert (
        f"--diarization {r}:1: RTTM start or duration is not a number: "
        "'SPEAKER talk 1 zero 1 <NA> <NA> a <NA> <NA>'"
    ) in result.stderr
    assert "Traceback" not in result.output


def test_folder_walk_skips_rttm(tmp_path: Path) -> None:
    _, r = write_pair(tmp_path)
    result = CliRunner().invoke(cli, ["convert", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert f"Skipped: {r}: speaker turns only; pass it with --diarization" in result.stderr
