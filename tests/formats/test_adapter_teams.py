"""Old Teams/Stream transcripts: unpadded milliseconds (``0:4:6.80`` is 4 min 6.080 s), in
WebVTT and copied as plain text (timing line, name line, text)."""

from __future__ import annotations

import pytest
from support import text_source

from adapters.teams import TeamsAdapter, is_plain_teams
from adapters.timing import parse_timing, unpadded_layout
from adapters.vtt import FALLBACK_UNPADDED, TOLERANT, WEBVTT_PY, read_vtt
from importers.adapter import ParseOptions
from importers.errors import ParseError
from importers.model import Repair
from importers.registry import Registry

TEAMS = TeamsAdapter()

OLD_VTT = """WEBVTT

0:0:3.0 --> 0:0:5.550
<v Dana Whitfield>Thanks for joining.</v>

0:4:6.80 --> 0:4:6.530
<v Priya Shah>Yes.</v>

0:4:7.5 --> 0:4:9.0
<v Priya Shah>So we built a rig.</v>
"""

PLAIN = """0:0:0.0 --> 0:0:1.250
Jane Doe
Hi, I'm Jane.
0:0:2.90 --> 0:0:4.480
John Doe
Hi, I'm John.
It's been a long year.
0:0:7.80 --> 0:0:8.180
jane doe
Indeed.
"""


def test_old_teams_fractions_are_unpadded_milliseconds() -> None:
    """Read as decimals, '6.80' would end after '6.530' (a cue "repaired") and every short
    fraction would shift; in this layout they are milliseconds."""
    lines = OLD_VTT.split("\n")
    cues = read_vtt(lines)
    assert (cues.reader, cues.fallback) == (TOLERANT, FALLBACK_UNPADDED)
    assert [(s.speaker, s.start_ms, s.end_ms) for s in cues.segments] == [
        ("Dana Whitfield", 3000, 5550),
        ("Priya Shah", 246080, 246530),
        ("Priya Shah", 247005, 249000),
    ]
    source = text_source(OLD_VTT, "meeting.vtt")
    assert Registry.default().detect(source).name == "teams"


@pytest.mark.parametrize(
    "timings",
    [
        ["00:00:03.000 --> 00:00:05.550", "00:04:06.080 --> 00:04:06.530"],  # padded
        ["0:0:0.0 --> 0:0:0.570", "0:0:0.210 --> 0:0:1.130"],  # both readings agree
        ["0:0:3.5 --> 0:0:05.5"],  # a padded field: not the layout
        ["0:00:3.5 --> 0:00:5.5"],
    ],
)
def test_other_layouts_keep_decimal_fractions(timings: list[str]) -> None:
    assert not unpadded_layout(timings)


def test_the_unpadded_reading() -> None:
    assert parse_timing("0:4:6.80 --> 0:4:6.530", unpadded=True) == parse_timing(
        "0:4:6.080 --> 0:4:6.530"
    )
    assert parse_timing("0:4:6.80 --> 0:4:6.530").start_ms == 246800  # type: ignore[union-attr]


def test_the_webvtt_py_path_keeps_files_both_readings_agree_on() -> None:
    cues = read_vtt(["WEBVTT", "", "0:0:0.0 --> 0:0:0.570", "<v A>Hi.</v>"])
    assert (cues.reader, cues.fallback) == (WEBVTT_PY, None)


def test_the_same_layout_copied_as_plain_text_reads_as_teams() -> None:
    """Without WEBVTT and blank lines (it read as SRT before, the names merged into the text
    or, as .txt, not at all)."""
    source = text_source(PLAIN, "transcript.txt")
    assert is_plain_teams(source.head)
    assert Registry.default().detect(source).name == "teams"
    t = TEAMS.parse(source, ParseOptions())
    assert [(s.speaker, s.start_ms, s.end_ms, s.text, s.line) for s in t.segments] == [
        ("Jane Doe", 0, 1250, "Hi, I'm Jane.", 1),
        ("John Doe", 2090, 4480, "Hi, I'm John.\nIt's been a long year.", 4),
        ("jane doe", 7080, 8180, "Indeed.", 8),
    ]
    assert t.format == "teams"


def test_plain_text_with_a_title_and_blank_lines() -> None:
    text = "Weekly sync\n\n0:0:0.0 --> 0:0:1.250\nJane Doe\nHi.\n\n0:0:2.0 --> 0:0:3.0\nHm.\n"
    t = TEAMS.parse(text_source(text, "t.txt"), ParseOptions())
    assert [(s.speaker, s.text) for s in t.segments] == [("Jane Doe", "Hi."), (None, "Hm.")]
    assert t.repairs == (Repair("header_skipped", 1),)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("just some notes\nmore\n", "no timing line"),
        ("0:0:0.0 --> 0:0:1.0\nJane\nHi.\n0:0:1.0 --> later\nJane\nx\n", "invalid cue timing"),
    ],
)
def test_plain_text_errors(text: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        TEAMS.parse(text_source(text, "t.txt"), ParseOptions())


@pytest.mark.parametrize(
    "text",
    [
        "00:00:00,000 --> 00:00:01,250\nJane Doe\nHi.\n",  # SRT without numbers: padded
        "0:0:0.0 --> 0:0:1.250\nHi, I'm Jane.\n",  # no name line
        "Shopping list\nmilk\neggs\n",
    ],
)
def test_other_text_is_not_plain_teams(text: str) -> None:
    assert not TEAMS.sniff(text_source(text, "t.txt"))
