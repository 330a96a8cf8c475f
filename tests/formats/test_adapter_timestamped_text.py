"""Plain-text transcripts with timestamps: the three layouts, names, headers, errors, detection."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from strategies import Entry, encode, entry_lists, write_timestamped
from support import CORPUS, SAMPLES, text_source

from adapters.timestamped_text import TimestampedTextAdapter
from importers.adapter import ParseOptions
from importers.cli import cli
from importers.errors import ParseError
from importers.model import Repair, Transcript
from importers.registry import Registry
from importers.source import Source

TT = TimestampedTextAdapter()


def src(text: str) -> Source:
    return text_source(dedent(text).lstrip("\n"), "t.txt")


def read(text: str, **extra: object) -> Transcript:
    return TT.parse(src(text), ParseOptions(extra=extra))


def rows(t: Transcript) -> list[tuple[str | None, int | None, str, int | None]]:
    return [(s.speaker, s.start_ms, s.text, s.line) for s in t.segments]


def test_name_then_time_with_text_below_or_inline() -> None:
    t = read("""
        Speaker 1 (00:00):
        Good morning.

        Second paragraph.
        Speaker 2 (1:02:03): Inline text.
        **Jane Doe [00:07]:** Bold header.
        """)
    assert rows(t) == [
        ("Speaker 1", 0, "Good morning.\n\nSecond paragraph.", 1),
        ("Speaker 2", 3_723_000, "Inline text.", 5),
        ("Jane Doe", 7000, "Bold header.", 6),
    ]
    assert t.repairs == ()
    assert all(s.end_ms is None for s in t.segments)  # estimated by normalization


def test_time_first_with_name_prefixes() -> None:
    t = read("""
        [00:00:01] Ana: Hi.
        [00:00:03.5] Bo: Hello there.
        (00:05) Ana: Bye.
        """)
    assert rows(t) == [
        ("Ana", 1000, "Hi.", 1),
        ("Bo", 3500, "Hello there.", 2),
        ("Ana", 5000, "Bye.", 3),
    ]


def test_time_first_with_a_name_then_a_paragraph() -> None:
    t = read("""
        Audio file
        Call.m4a
        Transcript
        00:00:00 Speaker 1
        So, Monday?
        00:00:04 - Speaker 2
        Monday it is.
        ## [00:00:09] Speaker 1
        Great.
        """)
    assert rows(t) == [
        ("Speaker 1", 0, "So, Monday?", 4),
        ("Speaker 2", 4000, "Monday it is.", 6),
        ("Speaker 1", 9000, "Great.", 8),
    ]
    assert t.repairs == (
        Repair("header_skipped", 1),
        Repair("header_skipped", 2),
        Repair("header_skipped", 3),
    )


def test_time_first_lines_of_text_without_speakers() -> None:
    t = read("""
        00:00:01 Good evening.
        00:00:05 Heavy rain tonight
        and wind.
        00:01:00 Sport.
        """)
    assert rows(t) == [
        (None, 1000, "Good evening.", 1),
        (None, 5000, "Heavy rain tonight\nand wind.", 2),
        (None, 60_000, "Sport.", 4),
    ]


def test_teams_copied_text() -> None:
    t = read("""
        Priya Raman started transcription
        Priya Raman
        0:03
        Let's start.
        Tomás Ferreira 1 minute 2 seconds
        Tomás Ferreira
        1:02
        Green build.
        Second line.
        Priya Raman
        1:00:15
        Thanks.
        Priya Raman stopped transcription
        """)
    assert rows(t) == [
        ("Priya Raman", 3000, "Let's start.", 2),
        ("Tomás Ferreira", 62_000, "Green build.\nSecond line.", 6),
        ("Priya Raman", 3_615_000, "Thanks.", 10),
    ]
    assert t.repairs == (Repair("header_skipped", 1), Repair("notice_skipped", 13))


def test_speaker_prefixes_no_keeps_names_in_the_text() -> None:
    t = read("00:00:00 Speaker 1\nHi.\n00:00:02 Speaker 2\nYo.\n", speaker_prefixes="no")
    assert rows(t) == [(None, 0, "Speaker 1\nHi.", 1), (None, 2000, "Speaker 2\nYo.", 3)]


def test_minutes_of_60_or_more_are_read_and_reported() -> None:
    t = read("[00:00:59] A: x\n[00:00:60] B: y\n[00:61:00] A: z\n")
    assert [s.start_ms for s in t.segments] == [59_000, 60_000, 3_660_000]
    assert t.repairs == (Repair("time_field_overflow", 2), Repair("time_field_overflow", 3))


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("\n".join(f"note {i}" for i in range(12)) + "\n[00:00:01] A: x\n", 1,
         "text before the first timestamp line: 'note 0'"),
        ("just some text\nno times at all\n", None,
         "no timestamp line ('[00:01:23] Name: text', 'Name (00:01:23):')"),
    ],
)  # fmt: skip
def test_errors(text: str, line: int | None, reason: str) -> None:
    with pytest.raises(ParseError) as info:
        TT.parse(text_source(text, "t.txt"), ParseOptions())
    assert (info.value.line, info.value.reason) == (line, reason)


def test_cli_names_the_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "notes.txt"
    bad.write_text("\n".join(f"note {i}" for i in range(12)) + "\n[00:00:01] A: x\n")
    result = CliRunner().invoke(cli, ["convert", str(bad), "--format", "timestamped-text"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"Error: {bad}:1: text before the first timestamp line: 'note 0'"
    )


@pytest.mark.parametrize(
    "text",
    [
        "Agenda\n10:00 standup\n11:30 review\n14:00 lunch\n",  # a day's notes: not a transcript
        "1\n00:00:01,000 --> 00:00:02,000\nHi\n",  # SRT saved as .txt
        "[Ana Lima] 10:00:01\nhello\n\n[Bo] 10:00:05\nhi\n",  # Zoom captions
        "10:02:33\t From  Ana : hi\n10:02:40\t From  Bo : yo\n",  # Zoom chat
        "Dora  0:03\nhello\n\nBo  0:09\nhi\n",  # Otter
        "0:00\nHello there\n0:05\nGeneral Kenobi\n",  # a bare time over text: Otter's
        "[00:00:05] Ana: one timestamp only\n",
        "[00:00:09] A: later\n[00:00:01] B: earlier\n[00:00:03] A: x\n",  # times go back
        "Oct 2, 2025\nSync - Transcript\n00:00:00\n \nAna: hi\nBo: hello\n00:01:00\nAna: x\n",
    ],
)
def test_does_not_claim_other_text(text: str) -> None:
    assert not TT.sniff(text_source(text, "x.txt"))


OTHER_TEXT_FILES = [
    p
    for p in sorted(SAMPLES.glob("*/*.txt")) + sorted(CORPUS.glob("*/*.txt"))
    if p.parent.name != "timestamped-text"
]


@pytest.mark.parametrize("path", OTHER_TEXT_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_does_not_claim_the_other_adapters_files(path: Path) -> None:
    """The most general .txt layout: on another format's file, that format wins detection."""
    assert Registry.default().detect(Source.from_path(path)).name != "timestamped-text"


@pytest.mark.parametrize("path", sorted((SAMPLES / "timestamped-text").glob("*.txt")), ids=str)
def test_claims_its_samples(path: Path) -> None:
    assert TT.sniff(Source.from_path(path))


@given(entry_lists(), st.sampled_from(["name-time", "time-first", "teams"]), st.booleans())
def test_round_trip(entries: list[Entry], layout: str, crlf: bool) -> None:
    """Generated turns written in each layout (LF or CRLF) are detected and read back equal."""
    data = encode(write_timestamped(entries, layout), bom=False, crlf=crlf, final_newline=True)
    source = Source(Path("t.txt"), data)
    assert TT.sniff(source)
    t = TT.parse(source, ParseOptions())
    assert [(s.speaker, s.start_ms, s.text) for s in t.segments] == [
        (e.speaker, e.start_ms, e.text) for e in entries
    ]


def test_a_text_file_that_is_no_transcript_gets_one_clear_error(tmp_path: Path) -> None:
    notes = tmp_path / "shopping.txt"
    notes.write_text("Shopping list\nmilk\neggs\n")
    result = CliRunner().invoke(cli, ["convert", str(notes)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: {notes}: not recognised as any of: teams, zoom-captions, zoom-chat, otter, "
        "google-meet, timestamped-text; use --format to choose one",
        "omi-import: 0 converted (0 conversations), 1 failed",
    ]


DESCRIPT_MARKDOWN = """
    - [\\[00:00:00\\] Introducing the episode](#000000-introducing-the-episode)
    - [\\[00:00:09\\] Meet the founders](#000009-meet-the-founders)

    ## [00:00:00] Introducing the episode

    I'm going to tell you about a company.

    ## [00:00:09] Meet the founders

    [00:00:09] **Ines Moreau:** Welcome. Would you introduce yourself?

    [00:00:12] **Tariq Haddad:** Sure. I run the factory.
    We build houses.

    ## Where we are going

    [00:00:20] **Ines Moreau:** Where next?
"""


def test_descript_markdown_names_chapters_and_contents() -> None:
    """Descript's markdown export: bold names (left in the text before), chapter headings and a
    table of contents that are not speech."""
    t = read(DESCRIPT_MARKDOWN)
    assert rows(t) == [
        (None, 0, "I'm going to tell you about a company.", 4),
        ("Ines Moreau", 9000, "Welcome. Would you introduce yourself?", 10),
        ("Tariq Haddad", 12000, "Sure. I run the factory.\nWe build houses.", 12),
        ("Ines Moreau", 20000, "Where next?", 17),
    ]
    assert t.repairs == (
        Repair("header_skipped", 1),
        Repair("header_skipped", 2),
        Repair("heading_skipped", 4),
        Repair("heading_skipped", 8),
        Repair("heading_skipped", 15),
    )


def test_a_long_table_of_contents_does_not_hide_the_transcript() -> None:
    toc = "".join(f"- [\\[00:0{i}:00\\] Part {i}](#000{i}00-part-{i})\n" for i in range(10))
    talk = "[00:00:00] **Ann:** Hi.\n\n[00:00:05] **Bob:** Hello.\n\n[00:00:09] **Ann:** Bye.\n"
    text = f"{toc}\n{talk}"
    source = text_source(text, "t.txt")
    assert TT.sniff(source)
    assert [s.speaker for s in TT.parse(source, ParseOptions()).segments] == ["Ann", "Bob", "Ann"]


def test_a_bold_name_before_a_bracketed_time() -> None:
    t = read("""
        **Ali** [00:00:00] Today we talk about tech.

        **Kelly** [00:00:30] Welcome to the podcast.
    """)
    assert rows(t) == [
        ("Ali", 0, "Today we talk about tech.", 1),
        ("Kelly", 30000, "Welcome to the podcast.", 3),
    ]
