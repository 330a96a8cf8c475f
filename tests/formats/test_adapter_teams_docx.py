"""Microsoft Teams transcripts downloaded as .docx (issue 24): both layouts, detection beside
Otter's and Meet's .docx, the date line and --timezone."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import docx
import pytest
from support import SAMPLES

from adapters.teams_docx import started_at
from importers.conversion.options import ConvertOptions
from importers.conversion.pipeline import convert, convert_all
from importers.registry import Registry
from importers.source import Source

REGISTRY = Registry.default()


def write_docx(path: Path, paragraphs: list[str]) -> Path:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(str(path))
    return path


def detect(path: Path) -> str:
    return REGISTRY.detect(Source.from_path(path)).name


def test_each_docx_sample_is_claimed_by_its_own_adapter() -> None:
    for folder in ("teams-docx", "otter-docx", "google-meet-docx"):
        for path in (SAMPLES / folder).glob("*.docx"):
            assert detect(path) == folder, path


def test_teams_marks_win_a_file_otters_sniff_also_takes(tmp_path: Path) -> None:
    """Speaker lines without Teams' header: the notice says Teams (Otter's sniff says yes too)."""
    path = write_docx(
        tmp_path / "t.docx",
        [
            "Ana Costa   0:02",
            "Hello there.",
            "Ben Ode   0:05",
            "Hi.",
            "Ana Costa stopped transcription",
        ],
    )
    assert detect(path) == "teams-docx"
    conversion = convert(path, ConvertOptions(timezone=UTC))
    assert conversion.normalized.speakers == {"SPEAKER_00": "Ana Costa", "SPEAKER_01": "Ben Ode"}
    assert [r.reason for r in conversion.normalized.repairs].count("notice_skipped") == 1
    # Without any Teams mark the same lines are Otter's layout, and stay Otter's.
    plain = write_docx(
        tmp_path / "o.docx", ["Ana Costa  0:02", "Hello there.", "", "Ben Ode  0:05", "Hi."]
    )
    assert detect(plain) == "otter-docx"


def test_a_sentence_with_a_time_is_no_speaker_line(tmp_path: Path) -> None:
    path = write_docx(
        tmp_path / "t.docx",
        [
            "Ana Costa started transcription",
            "Ana Costa   0:02",
            "We meet again at 10:30",
            "Let's meet at 10:30 tomorrow then.",
            "Ben Ode 0:09 Fine by me.",  # name, time and words on one line: an entry
        ],
    )
    turns = convert(path).normalized.turns
    assert [t.text for t in turns] == [
        "We meet again at 10:30 Let's meet at 10:30 tomorrow then.",
        "Fine by me.",
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("March 2, 2026, 10:00AM", datetime(2026, 3, 2, 10, 0)),
        ("March 2, 2026, 3:05 PM", datetime(2026, 3, 2, 15, 5)),
        ("March 2, 2026, 3:05\u202fPM", datetime(2026, 3, 2, 15, 5)),
        ("2 March 2026, 15:05", datetime(2026, 3, 2, 15, 5)),
        ("2026-03-02 15:05", datetime(2026, 3, 2, 15, 5)),
        ("03/02/2026, 15:05", None),  # month or day first: not guessed
        ("Weekly sync-20260302_100000-Meeting Recording", None),
    ],
)
def test_date_lines(line: str, expected: datetime | None) -> None:
    assert started_at(line) == expected


def test_the_date_line_is_wall_clock_time_in_timezone() -> None:
    path = SAMPLES / "teams-docx" / "weekly-sync.docx"
    options = ConvertOptions.from_flags(registry=REGISTRY, timezone="Europe/Berlin")
    body = convert(path, options).conversations[0].body
    assert body.started_at == datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert body.transcript_segments[-1].start == 3735.0  # 1:02:15


def test_the_older_layout_reads_speaker_lines_and_cues(tmp_path: Path) -> None:
    conversion = convert(SAMPLES / "teams-docx" / "legacy-cues.docx", ConvertOptions(timezone=UTC))
    segments = conversion.conversations[0].body.transcript_segments
    assert [(s.start, s.end) for s in segments][:2] == [(5.1, 8.25), (8.5, 10.3)]
    assert conversion.normalized.speakers["SPEAKER_02"] is None  # "Mm-hmm." has no speaker line


def test_a_docx_of_neither_layout_is_not_recognised(tmp_path: Path) -> None:
    letter = write_docx(tmp_path / "letter.docx", ["Dear Sam,", "Thanks for the call.", "Ana"])
    walked = next(iter(convert_all([tmp_path])))
    assert walked.status == "skipped" and "not recognised" in str(walked.skipped)
    assert detect_or_error(letter) == "not recognised"


def detect_or_error(path: Path) -> str:
    outcome = next(iter(convert_all([path])))
    return "not recognised" if "not recognised" in str(outcome.error) else str(outcome.status)
