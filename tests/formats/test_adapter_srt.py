"""The SRT adapter: pysrt's path and the tolerant fallback, each tolerance, each error, speakers."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pysrt
import pytest
from click.testing import CliRunner
from support import CORPUS, SAMPLES, text_source

import adapters.srt
from adapters.speakers import find_name_line
from adapters.srt import (
    FALLBACK_BLOCK,
    FALLBACK_MERGED,
    FALLBACK_NO_CUES,
    FALLBACK_PYSRT,
    FALLBACK_TIMESTAMP,
    PYSRT,
    TOLERANT,
    SrtAdapter,
    parse_tolerant,
    read_srt,
    scan_srt,
)
from importers.adapter import ParseOptions
from importers.cli import cli
from importers.conversion.pipeline import parse
from importers.errors import ParseError
from importers.model import Repair, Segment, Transcript
from importers.source import Source


def read(text: str, name: str = "t.srt") -> Transcript:
    return SrtAdapter().parse(text_source(dedent(text).lstrip("\n"), name), ParseOptions())


def times(t: Transcript) -> list[tuple[int | None, int | None]]:
    return [(s.start_ms, s.end_ms) for s in t.segments]


def test_plain_cues_with_lines_and_numbers() -> None:
    """Numbered cues: times, raw text and the 1-based line of each cue's number."""
    t = read("""
        1
        00:00:01,000 --> 00:00:02,500
        Hello <i>there</i>

        2
        00:00:03,000 --> 00:00:04,000
        Two
        lines
        """)
    assert t.segments == (
        Segment("Hello <i>there</i>", 1000, 2500, line=1),
        Segment("Two\nlines", 3000, 4000, line=5),
    )
    assert t.repairs == ()
    assert t.format == "srt"


def test_missing_numbers_dot_separator_missing_and_short_fractions() -> None:
    """astisub: no numbers, '.' separator, '00:01:39' without ms, ',04' = 40 ms."""
    t = read("""
        00:01:39 --> 00:01:41,04
        (deep rumbling)

        00:02:12.16 --> 00:02:15.2
        This place is horrible.
        """)
    assert times(t) == [(99000, 101040), (132160, 135200)]
    assert [s.line for s in t.segments] == [1, 4]


def test_one_digit_fields_and_long_fractions() -> None:
    """'00:00:0,000' (pysrt, mantas) and fractions longer than 3 digits round to the ms."""
    t = read("""
        1
        0:0:0,000 --> 0:0:1,2345678
        short
        """)
    assert times(t) == [(0, 1235)]


def test_blank_lines_inside_a_cue_stay_in_it() -> None:
    """cdown monsters-bad-newline: a cue's text runs to the next number + timing line."""
    t = read("""
        421
        00:31:37,894 --> 00:31:39,928
        我有个点子

        OK, look, I think I have a plan here.

        422
        00:31:39,931 --> 00:31:41,931
        Using mainly spoons,
        """)
    assert [s.text for s in t.segments] == [
        "我有个点子\n\nOK, look, I think I have a plan here.",
        "Using mainly spoons,",
    ]


def test_garbage_after_end_timestamp_is_reported_and_coordinates_consumed() -> None:
    """'hack the gibson' is a timing_text_ignored repair; X1/X2/Y1/Y2 are consumed."""
    t = read("""
        1
        00:00:01,000 --> 00:00:02,000 hack the gibson
        one

        2
        00:00:03,000 --> 00:00:04,000  X1:000 X2:000 Y1:050 Y2:100
        two
        """)
    assert t.repairs == (Repair("timing_text_ignored", 2),)
    assert [s.text for s in t.segments] == ["one", "two"]


def test_index_zero_zero_length_empty_and_bad_order_are_kept() -> None:
    """Cue 0, a zero-length cue, an empty cue and out-of-order cues all come back as read."""
    t = read("""
        0
        00:00:05,000 --> 00:00:05,000
        zero

        1
        00:00:01,000 --> 00:00:02,000

        2
        00:00:03,000 --> 00:00:04,000
        three
        """)
    assert times(t) == [(5000, 5000), (1000, 2000), (3000, 4000)]
    assert [s.text for s in t.segments] == ["zero", "", "three"]


def test_a_number_as_the_last_text_line_is_text() -> None:
    """A digits-only line not preceded by a blank line is cue text, not the next cue's number."""
    t = read("""
        00:00:01,000 --> 00:00:02,000
        The answer is
        42
        00:00:03,000 --> 00:00:04,000
        ok
        """)
    assert [s.text for s in t.segments] == ["The answer is\n42", "ok"]


def test_encodings_and_cr_only_line_endings() -> None:
    """UTF-16 / UTF-8 with BOM and bare-CR files decode before the adapter runs.

    (cp1252 needs more text than this for charset-normalizer; the corpus's cp1252 file covers it.)
    """
    text = "1\r00:00:01.000 --> 00:00:02.000\rCaf\u00e9 cr\u00e8me\r\r"
    for data in (
        text.encode("utf-16"),
        b"\xef\xbb\xbf" + text.encode(),
    ):
        source = Source(path=Path("x.srt"), data=data)
        assert SrtAdapter().sniff(source)
        t = SrtAdapter().parse(source, ParseOptions())
        assert t.segments == (Segment("Café crème", 1000, 2000, line=1),)


def test_whisperx_speaker_prefixes() -> None:
    """'[SPEAKER_00]: text' cues get the speaker and lose the prefix."""
    t = read("""
        1
        00:00:00,000 --> 00:00:01,000
        [SPEAKER_00]: Hi.

        2
        00:00:01,000 --> 00:00:02,000
        [SPEAKER_01]: Note: hello.
        """)
    assert [(s.speaker, s.text) for s in t.segments] == [
        ("SPEAKER_00", "Hi."),
        ("SPEAKER_01", "Note: hello."),
    ]


def test_note_in_dialogue_is_not_a_speaker() -> None:
    """One 'Note:' among ordinary cues is text: prefixes must be used consistently."""
    t = read("""
        1
        00:00:00,000 --> 00:00:01,000
        Welcome back.

        2
        00:00:01,000 --> 00:00:02,000
        Note: the exam moved.

        3
        00:00:02,000 --> 00:00:03,000
        Let's begin.
        """)
    assert all(s.speaker is None for s in t.segments)
    assert t.segments[1].text == "Note: the exam moved."


def test_sniff() -> None:
    """Claims numbered or unnumbered cues; not WebVTT, not prose."""
    adapter = SrtAdapter()
    assert adapter.sniff(text_source("1\n00:00:01,000 --> 00:00:02,000\nx\n", "a.srt"))
    assert adapter.sniff(text_source("\n00:01:39 --> 00:01:41,04\nx\n", "a.srt"))
    assert not adapter.sniff(text_source("WEBVTT\n\n00:01.000 --> 00:02.000\nx\n", "a.srt"))
    assert not adapter.sniff(text_source("Dear diary,\ntoday --> tomorrow\n", "a.srt"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\n00:00:03,000 --> later\nno\n",
            "6: invalid cue timing line: '00:00:03,000 --> later'",
        ),
        (
            "Dear diary,\n\n1\n00:00:01,000 --> 00:00:02,000\nx\n",
            "1: not an SRT cue (expected a cue number or a timing line): 'Dear diary,'",
        ),
        ("\n\n   \n", "1: no subtitle cues found"),
    ],
)
def test_parse_errors_name_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    """Text that is not SRT raises ParseError with FILE:LINE and the offending text."""
    path = tmp_path / "bad.srt"
    path.write_text(text)
    with pytest.raises(ParseError) as info:
        parse(path, format="srt")
    assert str(info.value) == f"{path}:{message}"


def test_cli_prints_one_error_line(tmp_path: Path) -> None:
    """The CLI prints 'Error: FILE:LINE: reason' without a traceback and exits 1."""
    path = tmp_path / "bad.srt"
    path.write_text("1\n00:00:01,000 --> banana\nhi\n")
    result = CliRunner().invoke(cli, ["convert", str(path)])
    assert result.exit_code == 1
    assert f"Error: {path}:2: invalid cue timing line: '00:00:01,000 --> banana'\n" in result.output
    assert "Traceback" not in result.output


# The corpus files pysrt reads right: same cues, same times, same text (pysrt strips lines).
PYSRT_AGREES = [
    "srt/astisub-cr-only-line-endings.srt",
    "srt/astisub-html-entities.srt",
    "srt/astisub-styled-unterminated-tags.srt",
    "srt/dawfilekit-bom-crlf-font-tags.srt",
    "srt/mantas-utf16le-crlf-arabic.srt",
    "srt/pysrt-bom-utf-16-be.srt",
    "srt/pysrt-capability-tester-bom-crlf.srt",
    "srt/pysrt-empty-cue.srt",
    "srt/pysrt-overlapping-dialogues.srt",
    "srt/pysrt-windows-1252-crlf.srt",
]


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus not found at {CORPUS}")
@pytest.mark.parametrize("rel", PYSRT_AGREES)
def test_agrees_with_pysrt(rel: str) -> None:
    """Where pysrt is right, this parser reads exactly what pysrt reads."""
    source = Source.from_path(CORPUS / rel)
    ours = SrtAdapter().parse(source, ParseOptions()).segments
    theirs = pysrt.from_string(source.text, error_handling=pysrt.ERROR_RAISE)
    stripped = ["\n".join(x.rstrip() for x in s.text.split("\n")) for s in ours]
    assert [(s.start_ms, s.end_ms, text) for s, text in zip(ours, stripped, strict=True)] == [
        (i.start.ordinal, i.end.ordinal, i.text) for i in theirs
    ]


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus not found at {CORPUS}")
def test_pysrt_gets_short_fractions_wrong() -> None:
    """Why ',04' files go to the tolerant parser: 4 ms to pysrt, 40 ms to the file's author."""
    item = pysrt.SubRipItem.from_string("1\n00:02:04,08 --> 00:02:07,12\nx\n")
    assert item.start.ordinal == 124008
    assert times(read("1\n00:02:04,08 --> 00:02:07,12\nx\n")) == [(124080, 127120)]


# Which parser reads each corpus file, and why the tolerant one where it does.
CORPUS_READERS = {
    "srt/astisub-cr-only-line-endings.srt": (PYSRT, None),
    "srt/astisub-html-entities.srt": (PYSRT, None),
    "srt/astisub-no-indexes-short-fractions-coords.srt": (TOLERANT, FALLBACK_TIMESTAMP),
    "srt/astisub-styled-unterminated-tags.srt": (PYSRT, None),
    "srt/astisub-utf16le-coords.srt": (TOLERANT, FALLBACK_TIMESTAMP),
    "srt/cdown-srt-monsters-bad-order.srt": (PYSRT, None),
    "srt/cdown-srt-monsters-blank-lines-in-cue.srt": (TOLERANT, FALLBACK_BLOCK),
    "srt/dawfilekit-bom-crlf-font-tags.srt": (PYSRT, None),
    "srt/mantas-utf16le-crlf-arabic.srt": (PYSRT, None),
    "srt/pysrt-bom-utf-16-be.srt": (PYSRT, None),
    "srt/pysrt-capability-tester-bom-crlf.srt": (PYSRT, None),
    "srt/pysrt-empty-cue.srt": (PYSRT, None),
    "srt/pysrt-overlapping-dialogues.srt": (PYSRT, None),
    "srt/pysrt-windows-1252-crlf.srt": (PYSRT, None),
}


def test_corpus_readers_cover_the_corpus() -> None:
    """Every corpus SRT file is listed above (a new one needs its reader stated)."""
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not found at {CORPUS}")
    assert sorted(CORPUS_READERS) == sorted(
        str(p.relative_to(CORPUS)) for p in (CORPUS / "srt").glob("*.srt")
    )


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus not found at {CORPUS}")
@pytest.mark.parametrize("rel", sorted(CORPUS_READERS))
def test_corpus_reader_and_same_cues_as_the_tolerant_parser(rel: str) -> None:
    """pysrt reads the ordinary files, the tolerant parser the quirky ones; same cues either way.

    (pysrt strips trailing whitespace from text lines; the tolerant parser keeps it.)
    """
    lines = Source.from_path(CORPUS / rel).lines
    cues = read_srt(lines)
    assert (cues.reader, cues.fallback) == CORPUS_READERS[rel]
    segments, repairs = parse_tolerant(lines)
    stripped = ["\n".join(x.rstrip() for x in s.text.split("\n")) for s in segments]
    assert [(s.text, s.start_ms, s.end_ms, s.line) for s in cues.segments] == [
        (t, s.start_ms, s.end_ms, s.line) for s, t in zip(segments, stripped, strict=True)
    ]
    assert cues.repairs == repairs


@pytest.mark.parametrize(
    ("name", "reader"),
    [
        ("lecture-bom-crlf.srt", (PYSRT, None)),
        ("whisperx-call.srt", (PYSRT, None)),
        ("otter-export.srt", (PYSRT, None)),
        ("phone-tolerances.srt", (TOLERANT, FALLBACK_TIMESTAMP)),
    ],
)
def test_sample_readers(name: str, reader: tuple[str, str | None]) -> None:
    """The hand-written samples: the ordinary ones through pysrt."""
    cues = read_srt(Source.from_path(SAMPLES / "srt" / name).lines)
    assert (cues.reader, cues.fallback) == reader


def test_pysrt_path_lines_and_position() -> None:
    """Through pysrt: each cue's line (number or timing line), coordinates consumed, junk
    after the end time reported (pysrt keeps it as the item's position)."""
    lines = (
        dedent("""
        1
        00:00:01,000 --> 00:00:02,000 hack the gibson
        one

        00:00:03,000 --> 00:00:04,000  X1:000 X2:000 Y1:050 Y2:100
        two
        lines

        7
        00:00:05.000 --> 00:00:06.500
        """)
        .lstrip("\n")
        .split("\n")
    )
    cues = read_srt(lines)
    assert cues.reader == PYSRT
    assert cues.segments == [
        Segment("one", 1000, 2000, line=1),
        Segment("two\nlines", 3000, 4000, line=5),
        Segment("", 5000, 6500, line=9),
    ]
    assert cues.repairs == [Repair("timing_text_ignored", 2)]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        # astisub: no milliseconds; pysrt raises InvalidTimeString.
        ("1\n00:01:39 --> 00:01:41,040\nx\n", FALLBACK_TIMESTAMP),
        # astisub / phone-tolerances: ',04' is 40 ms, pysrt would read 4 ms.
        ("1\n00:02:04,08 --> 00:02:07,120\nx\n", FALLBACK_TIMESTAMP),
        # more than three fraction digits: rounded by the tolerant parser, not ms to pysrt.
        ("1\n00:00:01,5000 --> 00:00:02,000\nx\n", FALLBACK_TIMESTAMP),
        # a tab before the coordinates: pysrt would glue them to the end time.
        ("1\n00:00:01,000 --> 00:00:02,000\tX1:1\nx\n", FALLBACK_TIMESTAMP),
        # cdown monsters-bad-newline: a blank line inside a cue.
        ("1\n00:00:01,000 --> 00:00:02,000\nzh\n\nen\n\n2\n00:00:03,000 --> 00:00:04,000\ny\n",
         FALLBACK_BLOCK),
        # a cue number followed by a blank line, and a title where a number would be: both
        # are text of the cue before to the tolerant parser (pysrt: InvalidItem / a cue number).
        ("1\n00:00:01,000 --> 00:00:02,000\na\n\n2\n\n00:00:03,000 --> 00:00:04,000\nb\n",
         FALLBACK_BLOCK),
        ("1\n00:00:01,000 --> 00:00:02,000\na\n\nTitle\n00:00:03,000 --> 00:00:04,000\nb\n",
         FALLBACK_BLOCK),
        # a timing line right after text: pysrt would fold the cue into the previous one.
        ("00:00:01,000 --> 00:00:02,000\nx\n00:00:03,000 --> 00:00:04,000\ny\n", FALLBACK_MERGED),
    ],
)  # fmt: skip
def test_fallback_reasons(text: str, reason: str) -> None:
    """Each case pysrt would read wrong is found by the scan, before pysrt runs."""
    cues = read_srt(text.split("\n"))
    assert (cues.reader, cues.fallback) == (TOLERANT, reason)
    assert (cues.segments, cues.repairs) == tuple(parse_tolerant(text.split("\n")))


def test_no_cues_and_text_before_the_first_cue_still_raise() -> None:
    """Files the tolerant parser rejects are rejected the same way through read_srt."""
    with pytest.raises(ParseError, match="no subtitle cues found"):
        read_srt(["", "  ", ""])
    with pytest.raises(ParseError, match="not an SRT cue"):
        read_srt(["Dear diary,", "", "1", "00:00:01,000 --> 00:00:02,000", "x"])
    assert scan_srt(["", "  ", ""]) == FALLBACK_NO_CUES


def test_pysrt_raising_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """If pysrt raises on a file the scan passed, the tolerant parser reads it; no crash."""

    def broken(*args: object, **kwargs: object) -> object:
        raise pysrt.InvalidItem("boom")

    monkeypatch.setattr(adapters.srt.pysrt.SubRipItem, "from_lines", broken)
    cues = read_srt(["1", "00:00:01,000 --> 00:00:02,000", "x"])
    assert (cues.reader, cues.fallback) == (TOLERANT, FALLBACK_PYSRT)
    assert cues.segments == [Segment("x", 1000, 2000, line=1)]


OTTER = """
    1
    00:00:01,000 --> 00:00:04,000
    Dora Demszky
    So let's begin.

    2
    00:00:04,500 --> 00:00:07,000
    Sam Lee
    Sure. I have
    two things.

    3
    00:00:07,500 --> 00:00:09,000
    Dora Demszky
    Go ahead.

    4
    00:00:09,500 --> 00:00:11,000
    Sam Lee
    First: the budget.
    """


def test_otter_name_lines_become_speakers() -> None:
    """Otter's SRT: the name alone on the first line, no colon, used consistently."""
    t = read(OTTER)
    assert [(s.speaker, s.text) for s in t.segments] == [
        ("Dora Demszky", "So let's begin."),
        ("Sam Lee", "Sure. I have\ntwo things."),
        ("Dora Demszky", "Go ahead."),
        ("Sam Lee", "First: the budget."),
    ]


def test_otter_colon_prefixes_still_work() -> None:
    """Otter's other layout, 'Name: text', is the prefix rule's."""
    t = read(OTTER.replace("Demszky\n", "Demszky: ").replace("Lee\n", "Lee: "))
    assert [s.speaker for s in t.segments] == ["Dora Demszky", "Sam Lee"] * 2
    assert t.segments[1].text == "Sure. I have\ntwo things."


def cue_file(first_lines: list[str], second: str = "and then some more words") -> str:
    return "\n\n".join(
        f"{i}\n00:00:{i:02d},000 --> 00:00:{i:02d},900\n{first}\n{second}"
        for i, first in enumerate(first_lines, 1)
    )


@pytest.mark.parametrize(
    "first_lines",
    [
        # sentences: lowercase words
        ["I told you", "we should go", "Come on", "I know"] * 3,
        # punctuation at the end of the first line
        ["Wait.", "Really?", "Hello,", "Mom!"] * 3,
        # capitalised lines, each used once in a long file
        [f"Chapter {n}" for n in range(1, 12)],
        # a name-like line in too few cues (under the 60% share)
        ["Anna Berg", "Anna Berg", "it was late", "so we left", "and then", "the end"],
        # not names: [Music], (laughs), markup, label words
        ["[Music]", "(laughs)", "<i>Anna</i>", "Chorus"] * 3,
    ],
)
def test_ordinary_two_line_subtitles_are_not_speakers(first_lines: list[str]) -> None:
    """A first line that is a sentence, ends in punctuation, is used once in a long file, or
    is too rare, stays text."""
    t = read(cue_file(first_lines))
    assert all(s.speaker is None for s in t.segments)
    assert [s.text.split("\n")[0] for s in t.segments] == first_lines


def test_name_line_candidates() -> None:
    """What can be a name line at all: capitalised words over more text."""
    assert find_name_line("Speaker 1\nHello") is not None
    assert find_name_line("Ashlee Kupor (SL)\nHi") is not None
    assert find_name_line("Ludwig van Beethoven\nHi") is not None
    for text in (
        "Dora Demszky",  # nothing below the name
        "Dora Demszky\n  ",
        "So let's begin\nnow",
        "Hello there.\nnow",
        "One Two Three Four Five Six\nnow",  # more than five words
        "Note\nthe exam moved",
        "Dr: Who\nnow",
    ):
        assert find_name_line(text) is None, text


def test_scan_gives_pysrt_blocks() -> None:
    """(start, timing line, stop) per block: number line or timing line, up to the blank line."""
    lines = [
        "1",
        "00:00:01,000 --> 00:00:02,000",
        "a",
        "b",
        "",
        "  ",
        "00:00:03.000 --> 00:00:04.000",
    ]
    assert scan_srt(lines) == [(0, 1, 4), (6, 6, 7)]


def test_seconds_and_minutes_of_60_or_more_are_read_and_reported() -> None:
    """'00:00:60,000' is 1 min (it carries over, as pysrt reads it), reported with its line."""
    text = """
        1
        00:00:58,000 --> 00:00:60,500
        Nearly a minute.

        2
        00:59:59,000 --> 00:61:00,000
        And an hour.
        """
    cues = read_srt(dedent(text).lstrip("\n").split("\n"))
    assert cues.reader == TOLERANT and cues.fallback == FALLBACK_TIMESTAMP
    assert [(s.start_ms, s.end_ms) for s in cues.segments] == [
        (58_000, 60_500),
        (3_599_000, 3_660_000),
    ]
    assert cues.repairs == [Repair("time_field_overflow", 2), Repair("time_field_overflow", 6)]
