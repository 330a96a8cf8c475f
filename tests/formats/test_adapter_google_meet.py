"""Google Meet transcripts (TXT and DOCX): paragraphs, blocks, spread starts, header, footer."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest
from support import CORPUS, SAMPLES, docx_bytes, text_source

from adapters.google_meet import GoogleMeetAdapter, GoogleMeetDocxAdapter
from adapters.otter import OtterDocxAdapter
from importers.adapter import ParseOptions
from importers.conversion.normalize import normalize
from importers.errors import ParseError
from importers.model import Repair, Transcript
from importers.source import Source

MEET, MEET_DOCX = GoogleMeetAdapter(), GoogleMeetDocxAdapter()
FOOTER = (
    "This editable transcript was computer generated and might contain errors. "
    "People can also change the text after it was created."
)
DOC = f"""
    Mar 2, 2026
    Sync - Transcript
    00:00:00
    \u00a0
    Ana: one two three four
    Bo: five six
    Ana: seven eight
    continued nine
    00:01:00
    \u00a0
    Bo: eleven
    \u00a0
    Transcription ended after 00:01:30

    {FOOTER}
"""


def read(text: str) -> Transcript:
    return MEET.parse(text_source(dedent(text).lstrip("\n"), "t.txt"), ParseOptions())


def test_paragraphs_blocks_and_starts_spread_by_words() -> None:
    """Block 0:00-1:00 holds 4 + 2 + 4 words: starts 0 s, 24 s, 36 s; 'continued' joins Ana."""
    t = read(DOC)
    assert [(s.speaker, s.start_ms, s.end_ms, s.text, s.line) for s in t.segments] == [
        ("Ana", 0, None, "one two three four", 5),
        ("Bo", 24_000, None, "five six", 6),
        ("Ana", 36_000, None, "seven eight\ncontinued nine", 7),
        ("Bo", 60_000, None, "eleven", 11),
    ]
    assert t.repairs == (
        Repair("header_skipped", 1),
        Repair("header_skipped", 2),
        Repair("footer_skipped", 15),
        Repair("start_interpolated", 6),
        Repair("start_interpolated", 7),
    )


def test_after_the_last_timestamp_without_an_end_starts_are_estimated() -> None:
    t = read("Call - Transcript\n00:00:10\nAna: hi there\nBo: hello\n")
    assert [(s.speaker, s.start_ms) for s in t.segments] == [("Ana", 10_000), ("Bo", None)]
    n = normalize(t)
    assert [r.reason for r in n.repairs].count("start_estimated") == 1
    assert n.turns[1].start_ms > n.turns[0].start_ms


def test_a_line_without_a_name_at_the_top_of_a_block_continues_the_speaker() -> None:
    t = read("x - Transcript\n00:00:00\nAna: so the plan\n00:05:00\nis to ship in May.\n")
    assert [(s.speaker, s.start_ms, s.text) for s in t.segments] == [
        ("Ana", 0, "so the plan"),
        ("Ana", 300_000, "is to ship in May."),
    ]


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("x - Transcript\n00:02:00\nAna: a\n00:01:00\nBo: b\n", 4,
         "timestamp earlier than the one before it: '00:01:00'"),
        ("Sync - Transcript\nAna: hi\n", 1, "no Google Meet timestamp line (HH:MM:SS) found"),
    ],
)  # fmt: skip
def test_errors(text: str, line: int, reason: str) -> None:
    with pytest.raises(ParseError) as info:
        read(text)
    assert (info.value.line, info.value.reason) == (line, reason)


@pytest.mark.parametrize(
    ("text", "claimed"),
    [
        (DOC, True),
        ("00:00:00\nAna: hi\nBo: yo\n", False),  # no Meet mark
        ("Sync - Transcript\nAna: hi\n", False),  # no timestamp
        ("[00:00:01] Ana: hi\n[00:00:02] Bo: yo\n[00:00:03] Ana: x\n", False),
    ],
)
def test_sniff(text: str, claimed: bool) -> None:
    assert MEET.sniff(text_source(dedent(text).lstrip("\n"), "t.txt")) is claimed


OTHER_TEXT_FILES = [
    p
    for p in sorted(SAMPLES.glob("*/*.txt")) + sorted(CORPUS.glob("*/*.txt"))
    if p.parent.name != "google-meet"
]


@pytest.mark.parametrize("path", OTHER_TEXT_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_does_not_claim_the_other_adapters_files(path: Path) -> None:
    assert not MEET.sniff(Source.from_path(path))


def test_docx_reads_like_the_txt(tmp_path: Path) -> None:
    path = tmp_path / "sync.docx"
    path.write_bytes(docx_bytes(dedent(DOC).strip("\n").split("\n")))
    source = Source.from_path(path)
    assert MEET_DOCX.sniff(source)
    assert not OtterDocxAdapter().sniff(source)
    t = MEET_DOCX.parse(source, ParseOptions())
    assert [(s.speaker, s.start_ms) for s in t.segments] == [
        ("Ana", 0),
        ("Bo", 24_000),
        ("Ana", 36_000),
        ("Bo", 60_000),
    ]


def test_docx_sniff_rejects_otter_and_other_documents(tmp_path: Path) -> None:
    otter = SAMPLES / "otter-docx" / "interview.docx"
    assert not MEET_DOCX.sniff(Source.from_path(otter))
    letter = tmp_path / "letter.docx"
    letter.write_bytes(docx_bytes(["Dear Sir,", "00:00:00", "thank you."]))
    assert not MEET_DOCX.sniff(Source.from_path(letter))
    assert not MEET_DOCX.sniff(text_source("Sync - Transcript\n00:00:00\n", "x.docx"))
