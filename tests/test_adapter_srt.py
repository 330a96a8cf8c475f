"""The SRT adapter: each tolerance the corpus needs, each error, and pysrt as the reference."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pysrt
import pytest
from click.testing import CliRunner
from support import CORPUS

from adapters.srt import SrtAdapter
from importers.adapter import ParseOptions
from importers.cli import cli
from importers.errors import ParseError
from importers.model import Repair, Segment, Transcript
from importers.pipeline import parse
from importers.source import Source


def read(text: str, name: str = "t.srt") -> Transcript:
    return SrtAdapter().parse(Source.from_text(dedent(text).lstrip("\n"), name), ParseOptions())


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
    assert adapter.sniff(Source.from_text("1\n00:00:01,000 --> 00:00:02,000\nx\n", "a.srt"))
    assert adapter.sniff(Source.from_text("\n00:01:39 --> 00:01:41,04\nx\n", "a.srt"))
    assert not adapter.sniff(Source.from_text("WEBVTT\n\n00:01.000 --> 00:02.000\nx\n", "a.srt"))
    assert not adapter.sniff(Source.from_text("Dear diary,\ntoday --> tomorrow\n", "a.srt"))


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
    """Why pysrt is not the run-time path: ',04' is 4 ms to pysrt, 40 ms to the file's author."""
    item = pysrt.SubRipItem.from_string("1\n00:02:04,08 --> 00:02:07,12\nx\n")
    assert item.start.ordinal == 124008
    assert times(read("1\n00:02:04,08 --> 00:02:07,12\nx\n")) == [(124080, 127120)]
