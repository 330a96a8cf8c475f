"""YouTube SBV: cues, SubViewer 2 headers and [br], >> speaker changes, errors, detection."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest
from click.testing import CliRunner
from support import SAMPLES, text_source

from adapters.sbv import SbvAdapter
from importers.adapter import ParseOptions
from importers.cli import cli
from importers.errors import ParseError
from importers.model import Repair, Segment, Transcript
from importers.source import Source

SBV = SbvAdapter()


def read(text: str, **extra: object) -> Transcript:
    source = text_source(dedent(text).lstrip("\n"), "t.sbv")
    return SBV.parse(source, ParseOptions(extra=extra))


def test_cues_times_lines_and_text_to_the_next_timing_line() -> None:
    t = read("""
        0:00:00.599,0:00:04.160
        Hi, my name is Alice

        0:00:04.160,0:01:06.770
        and we own

        a bakery.
        0:01:10.000,1:02:03.400
        Bye.
        """)
    assert t.segments == (
        Segment("Hi, my name is Alice", 599, 4160, line=1),
        Segment("and we own\n\na bakery.", 4160, 66_770, line=4),
        Segment("Bye.", 70_000, 3_723_400, line=8),
    )
    assert t.repairs == ()


def test_speaker_changes_marked_with_chevrons() -> None:
    """'>> NAME:' starts a named turn, '>>' alone an unnamed one; other cues continue it."""
    t = read("""
        0:00:01.000,0:00:02.000
        >> ALICE: Hello.

        0:00:02.000,0:00:03.000
        Still me.

        0:00:03.500,0:00:04.000
        >> Who's there?

        0:00:04.000,0:00:05.000
        >> BOB: Me.
        """)
    assert [(s.speaker, s.text) for s in t.segments] == [
        ("ALICE", "Hello."),
        ("ALICE", "Still me."),
        (None, "Who's there?"),
        ("BOB", "Me."),
    ]
    plain = read("0:00:01.000,0:00:02.000\n>> ALICE: Hello.\n", speaker_prefixes="no")
    assert [(s.speaker, s.text) for s in plain.segments] == [(None, "ALICE: Hello.")]


def test_subviewer2_header_breaks_and_two_digit_fractions() -> None:
    t = read("""
        [INFORMATION]
        [TITLE]Demo
        [END INFORMATION]
        [SUBTITLE]
        00:04:35.03,00:04:38.82
        Hello guys...[br]please sit down...
        """)
    assert t.segments == (Segment("Hello guys...\nplease sit down...", 275_030, 278_820, line=5),)


def test_sixty_seconds_is_read_and_reported() -> None:
    t = read("0:00:59.000,0:00:60.500\nLate.\n")
    assert [(s.start_ms, s.end_ms) for s in t.segments] == [(59_000, 60_500)]
    assert t.repairs == (Repair("time_field_overflow", 1),)


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("Title of my video\n\n0:00:01.000,0:00:02.000\nHi\n", 1,
         "not an SBV cue (expected a 'start,end' timing line): 'Title of my video'"),
        ("0:00:01.000,0:00:02.000\nHi\n\n0:00:03.000,later\nx\n", 4,
         "invalid cue timing line: '0:00:03.000,later'"),
        ("\n\n", 1, "no SBV cues found"),
        ("0:00:01.000,0:00:02.000\nHi\n\n0:00:03.000,99999999:00:02.000\nx\n", 4,
         "cue end is out of range (times must be within 10,000 hours): '99999999:00:02.000'"),
    ],
)  # fmt: skip
def test_errors_name_the_line(text: str, line: int, reason: str) -> None:
    with pytest.raises(ParseError) as info:
        read(text)
    assert (info.value.line, info.value.reason) == (line, reason)


def test_cli_error_line(tmp_path: Path) -> None:
    bad = tmp_path / "talk.sbv"
    bad.write_text("0:00:01.000,0:00:02.000\nHi\n\n0:00:03.000,later\n")
    result = CliRunner().invoke(cli, ["convert", str(bad)])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"Error: {bad}:4: invalid cue timing line: '0:00:03.000,later'"
    )


@pytest.mark.parametrize(
    ("text", "claimed"),
    [
        ("0:00:00.599,0:00:04.160\nHi\n", True),
        ("[INFORMATION]\n[END INFORMATION]\n00:00:01.00,00:00:02.00\nx\n", True),
        ("1\n00:00:01,000 --> 00:00:02,000\nHi\n", False),  # SRT
        ("WEBVTT\n\n00:01.000 --> 00:02.000\nHi\n", False),
        ("Some notes\n", False),
    ],
)
def test_sniff(text: str, claimed: bool) -> None:
    assert SBV.sniff(text_source(text, "x.sbv")) is claimed


def test_samples_are_detected() -> None:
    for path in sorted((SAMPLES / "sbv").glob("*.sbv")):
        assert SBV.sniff(Source.from_path(path)), path
