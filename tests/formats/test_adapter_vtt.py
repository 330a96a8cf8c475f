"""The WebVTT, Teams and Zoom VTT adapters: webvtt-py's path and the tolerant fallback,
tolerances, speakers, detection, errors."""

from __future__ import annotations

import io
import time
from pathlib import Path
from textwrap import dedent

import pytest
import webvtt
from support import CORPUS, SAMPLES, text_source

import adapters.vtt
from adapters.teams import TeamsAdapter
from adapters.vtt import (
    FALLBACK_HEADER,
    FALLBACK_SKIPPED,
    FALLBACK_SPLIT,
    FALLBACK_TIMESTAMP,
    FALLBACK_UNPADDED,
    FALLBACK_WEBVTT_PY,
    TOLERANT,
    WEBVTT_PY,
    VttAdapter,
    parse_vtt,
    read_vtt,
)
from adapters.zoom_vtt import ZoomVttAdapter
from importers.adapter import ParseOptions
from importers.conversion.pipeline import parse
from importers.errors import ParseError
from importers.model import Repair, Segment, Transcript
from importers.registry import Registry
from importers.source import Source


def src(text: str, name: str = "t.vtt") -> Source:
    return text_source(dedent(text).lstrip("\n"), name)


def read(text: str, name: str = "t.vtt", adapter: VttAdapter | None = None) -> Transcript:
    return (adapter or VttAdapter()).parse(src(text, name), ParseOptions())


def test_header_note_style_region_blocks_are_consumed() -> None:
    """Header text and lines, NOTE/STYLE/REGION blocks, cue ids with spaces; lines recorded."""
    t = read("""
        WEBVTT - Translation of that film I like
        X-TIMESTAMP-MAP=LOCAL:00:00:00.000,MPEGTS:0

        NOTE
        This translation was done by Kyle.

        STYLE
        ::cue(b) { color: peachpuff; }

        REGION
        id:fred
        width:40%

        2 Title Crawl
        00:00:22.230 --> 00:00:24.606 region:fred align:left
        This is the first subtitle.

        NOTE This last line may not translate well.

        00:00:30.739 --> 00:00:34.074
        This is <b>the second.</b>
        """)
    assert t.segments == (
        Segment("This is the first subtitle.", 22230, 24606, line=14),
        Segment("This is <b>the second.</b>", 30739, 34074, line=20),
    )
    assert t.repairs == ()


def test_timestamp_variants() -> None:
    """Missing hours, Teams '0:0:0.570', 4-digit HLS hours, no fraction, two-digit fraction."""
    t = read("""
        WEBVTT

        00:16.500 --> 00:18.500
        a

        0:0:0.0 --> 0:0:0.570
        b

        1088:42:00.500 --> 1088:42:07.000
        c

        00:01:39 --> 00:01:41.04
        d
        """)
    assert [(s.start_ms, s.end_ms) for s in t.segments] == [
        (16500, 18500),
        (0, 570),
        (3919320500, 3919327000),
        (99000, 101040),
    ]


def test_timing_line_right_after_text_starts_a_new_cue() -> None:
    """YouTube auto-captions: no blank line before the next timing line."""
    t = read("""
        WEBVTT

        00:04:46.470 --> 00:05:04.080 align:start position:0%
        yeah
        <c.colorCCCCCC>what</c>
        00:05:04.080 --> 00:05:05.069 align:start position:0%
        this<00:05:04.199><c> will</c>
         </c>
        """)
    assert [(s.text, s.line) for s in t.segments] == [
        ("yeah\n<c.colorCCCCCC>what</c>", 3),
        ("this<00:05:04.199><c> will</c>\n </c>", 6),
    ]


def test_voice_spans_set_the_speaker() -> None:
    """Closed, unclosed, multi-line and mid-cue <v> spans; several voices are reported."""
    t = read("""
        WEBVTT

        00:00:01.000 --> 00:00:02.000
        <v Jane Doe>Nice. I am the student,
        and I have things to say.</v>

        00:00:02.000 --> 00:00:03.000
        <v.loud Fred>Would you like a coffee?

        00:00:03.000 --> 00:00:04.000
        I like <v Salame>lime.</v>

        00:00:04.000 --> 00:00:05.000
        <v Ann>Hi</v> <v Bob>Hello</v>
        """)
    assert [s.speaker for s in t.segments] == ["Jane Doe", "Fred", "Salame", "Ann"]
    assert t.repairs == (Repair("voice_spans_merged", 13),)


def test_empty_cue_settings_and_junk_after_timing() -> None:
    """An empty cue comes back empty; settings are consumed; other text is reported."""
    t = read("""
        WEBVTT

        00:00:00.000 --> 00:00:01.000 position:50.00%,middle align:middle size:80.00%
        one

        00:00:01.000 --> 00:00:02.000 what is this


        00:00:02.000 --> 00:00:03.000
        three""")
    assert [s.text for s in t.segments] == ["one", "", "three"]
    assert t.repairs == (Repair("timing_text_ignored", 6),)


def test_stray_block_is_reported_and_language_read() -> None:
    """A text block that is not a cue is block_skipped; 'Language:' sets the language."""
    t = read("""
        WEBVTT
        Kind: captions
        Language: es

        00:00:00.000 --> 00:00:01.000
        uno

        esto no es un cue

        00:00:01.000 --> 00:00:02.000
        dos
        """)
    assert [s.text for s in t.segments] == ["uno", "dos"]
    assert t.repairs == (Repair("block_skipped", 8),)
    assert t.language == "es"


def test_bracketed_prefixes_in_plain_vtt() -> None:
    """WhisperX VTT: [SPEAKER_00]: prefixes; an unprefixed cue's speaker stays unknown."""
    t = read("""
        WEBVTT

        00:00.000 --> 00:01.000
        [SPEAKER_00]: Hi.

        00:01.000 --> 00:02.000
        [SPEAKER_01]: Hello.

        00:02.000 --> 00:03.000
        and more.
        """)
    assert [(s.speaker, s.text) for s in t.segments] == [
        ("SPEAKER_00", "Hi."),
        ("SPEAKER_01", "Hello."),
        (None, "and more."),
    ]


ZOOM = """
    WEBVTT

    1
    00:00:00.510 --> 00:00:01.550
    Ashlee Kupor (SL): Let's do that

    2
    00:00:01.790 --> 00:00:07.080
    Li, Wei: by, too. We? And then: more

    3
    00:00:07.170 --> 00:00:09.520
    No, it's gonna. I think it's

    4
    00:00:09.830 --> 00:00:12.050
    Li, Wei: Note:\u00a0transcribing.

    5
    00:00:12.100 --> 00:00:13.000
    Note: this is not a name.
    """


def test_zoom_prefixes_and_continuations() -> None:
    """Names with parentheses and commas; later colons stay; no prefix = previous speaker."""
    t = read(ZOOM, adapter=ZoomVttAdapter())
    assert [(s.speaker, s.text) for s in t.segments] == [
        ("Ashlee Kupor (SL)", "Let's do that"),
        ("Li, Wei", "by, too. We? And then: more"),
        ("Li, Wei", "No, it's gonna. I think it's"),
        ("Li, Wei", "Note:\u00a0transcribing."),
        ("Li, Wei", "Note: this is not a name."),
    ]


def test_detection_picks_exactly_one_of_vtt_teams_zoom() -> None:
    """vtt claims any WebVTT; teams and zoom extend it and win where their marks are."""
    cases = {
        "vtt": src("WEBVTT\n\n00:00.000 --> 00:01.000\n<v Ann>hi</v>\n"),
        "teams": src(
            "WEBVTT\n\n91b3f3c3-44c6-4a8b-8c0a-add105d816bd/32-0\n"
            "00:00:10.087 --> 00:00:13.130\n<v John Smith>Hello.</v>\n"
        ),
        "zoom": src(ZOOM),
    }
    stream = "WEBVTT\n\nNOTE Confidence: 0.5\n\n00:00:01.000 --> 00:00:02.000\nHi.\n"
    cases["teams-stream"] = src(stream)
    cases["teams-stream-under-a-zoom-name"] = src(stream, "x.transcript.vtt")
    cases["zoom-name"] = src("WEBVTT\n\n00:00.000 --> 00:01.000\nhello\n", "x.transcript.vtt")
    cases["teams-old-timestamps"] = src("WEBVTT\n\n0:0:0.0 --> 0:0:0.570\n<v Yuri>There.</v>\n")
    registry = Registry([VttAdapter(), TeamsAdapter(), ZoomVttAdapter()])
    for expected, source in cases.items():
        assert registry.detect(source).name == expected.split("-")[0], expected
    assert not any(a.sniff(src("1\n00:00:01,000 --> 00:00:02,000\nx\n")) for a in registry.adapters)


class _PluginVtt(VttAdapter):
    """A third-party subclass of VttAdapter claiming its own files."""

    name = "acme-vtt"

    def sniff(self, source: Source) -> bool:
        return super().sniff(source) and "NOTE acme" in source.head


def test_a_plugin_subclass_of_vtt_claims_its_files() -> None:
    """A subclass beats its base class, so a plugin needs no change to the built-ins."""
    registry = Registry([VttAdapter(), TeamsAdapter(), ZoomVttAdapter(), _PluginVtt()])
    ours = src("WEBVTT\n\nNOTE acme export\n\n00:00.000 --> 00:01.000\nhi\n")
    assert registry.detect(ours).name == "acme-vtt"
    assert registry.detect(src("WEBVTT\n\n00:00.000 --> 00:01.000\nhi\n")).name == "vtt"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1\n00:00:01.000 --> 00:00:02.000\nhi\n", "1: not a WebVTT file (no WEBVTT header): '1'"),
        (
            "WEBVTT\n\n00:00:01.000 --> soon\nhi\n",
            "3: invalid cue timing line: '00:00:01.000 --> soon'",
        ),
        ("", "1: not a WebVTT file (no WEBVTT header)"),
    ],
)
def test_parse_errors_name_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    """Not WebVTT: ParseError with FILE:LINE."""
    path = tmp_path / "bad.vtt"
    path.write_text(text)
    with pytest.raises(ParseError) as info:
        parse(path, format="vtt")
    assert str(info.value) == f"{path}:{message}"


# Every corpus WebVTT file webvtt-py reads without dropping anything.
WEBVTT_AGREES = [
    "vtt/mantas-empty-cue-no-final-newline.vtt",
    "vtt/pysubs2-note-style-region-voice.vtt",
    "vtt/webvtt-py-comments-note-blocks.vtt",
    "vtt/webvtt-py-cue-tags-missing-hours.vtt",
    "vtt/webvtt-py-hls-timestamp-map-hours-over-99.vtt",
    "vtt/webvtt-py-netflix-chicas-del-cable-positions-notes.vtt",
    "vtt/webvtt-py-style-blocks.vtt",
    "vtt/webvtt-py-utf8-bom.vtt",
    "vtt/webvtt-py-youtube-dl-inline-timestamps.vtt",
    "teams/msstream-note-confidence-guid-ids.vtt",
    "teams/teams-guid-cue-ids-voice-spans.vtt",
    "teams/webvtt-py-teams-short-timestamps-voice-tags.vtt",
]


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus not found at {CORPUS}")
@pytest.mark.parametrize("rel", WEBVTT_AGREES)
def test_agrees_with_webvtt_py(rel: str) -> None:
    """Where webvtt-py is right, this parser reads the same cue times and raw lines."""
    source = Source.from_path(CORPUS / rel)
    ours = VttAdapter().parse(source, ParseOptions()).segments
    theirs = webvtt.from_buffer(io.StringIO(source.text)).captions
    assert [(s.start_ms, s.end_ms, s.text.strip("\n")) for s in ours] == [
        (c.start_time.in_milliseconds(), c.end_time.in_milliseconds(), "\n".join(c.lines))
        for c in theirs
    ]


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus not found at {CORPUS}")
def test_webvtt_py_drops_a_cue_silently() -> None:
    """Why that file goes to the tolerant parser: webvtt-py skips its '00:01:39' cue silently."""
    source = Source.from_path(CORPUS / "vtt/astisub-bom-note-style-region-short-timestamps.vtt")
    assert len(webvtt.from_buffer(io.StringIO(source.text)).captions) == 5
    assert len(VttAdapter().parse(source, ParseOptions()).segments) == 6


# Which parser reads each corpus WebVTT file, and why the tolerant one where it does.
CORPUS_READERS = {
    "teams/msstream-note-confidence-guid-ids.vtt": (WEBVTT_PY, None),
    "teams/teams-guid-cue-ids-voice-spans.vtt": (WEBVTT_PY, None),
    "teams/webvtt-py-teams-short-timestamps-voice-tags.vtt": (WEBVTT_PY, None),
    "vtt/astisub-bom-note-style-region-short-timestamps.vtt": (TOLERANT, FALLBACK_TIMESTAMP),
    "vtt/mantas-empty-cue-no-final-newline.vtt": (WEBVTT_PY, None),
    "vtt/pysubs2-note-style-region-voice.vtt": (WEBVTT_PY, None),
    "vtt/webvtt-py-comments-note-blocks.vtt": (WEBVTT_PY, None),
    "vtt/webvtt-py-cue-tags-missing-hours.vtt": (WEBVTT_PY, None),
    "vtt/webvtt-py-hls-timestamp-map-hours-over-99.vtt": (WEBVTT_PY, None),
    "vtt/webvtt-py-netflix-chicas-del-cable-positions-notes.vtt": (WEBVTT_PY, None),
    "vtt/webvtt-py-style-blocks.vtt": (WEBVTT_PY, None),
    "vtt/webvtt-py-utf8-bom.vtt": (WEBVTT_PY, None),
    "vtt/webvtt-py-youtube-dl-inline-timestamps.vtt": (WEBVTT_PY, None),
    "zoom/zoom-cloud-transcript-parenthesized-names.vtt": (WEBVTT_PY, None),
    "zoom/zoom-cloud-transcript-speaker-prefix.vtt": (WEBVTT_PY, None),
}


def test_corpus_readers_cover_the_corpus() -> None:
    """Every corpus .vtt file is listed above (a new one needs its reader stated)."""
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not found at {CORPUS}")
    assert sorted(CORPUS_READERS) == sorted(
        str(p.relative_to(CORPUS)) for p in CORPUS.glob("*/*.vtt")
    )


def same_as_tolerant(lines: list[str]) -> None:
    ours, tolerant = read_vtt(lines), parse_vtt(lines)
    assert ours.segments == tolerant.segments
    assert ours.repairs == tolerant.repairs
    assert ours.language == tolerant.language


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus not found at {CORPUS}")
@pytest.mark.parametrize("rel", sorted(CORPUS_READERS))
def test_corpus_reader_and_same_cues_as_the_tolerant_parser(rel: str) -> None:
    """webvtt-py reads all but the file it would get wrong; segments (text, times, lines,
    voices), repairs and language are the tolerant parser's exactly."""
    lines = Source.from_path(CORPUS / rel).lines
    cues = read_vtt(lines)
    assert (cues.reader, cues.fallback) == CORPUS_READERS[rel]
    same_as_tolerant(lines)


SAMPLE_READERS = {"teams/old-unpadded-milliseconds.vtt": (TOLERANT, FALLBACK_UNPADDED)}


@pytest.mark.parametrize(
    "rel",
    sorted(str(p.relative_to(SAMPLES)) for p in SAMPLES.glob("*/*.vtt")),
)
def test_samples_read_by_webvtt_py(rel: str) -> None:
    """Every hand-written WebVTT sample goes through webvtt-py, with the same result, but the
    one whose old Teams layout any decimal reading gets wrong (issue 22)."""
    lines = Source.from_path(SAMPLES / rel).lines
    expected = SAMPLE_READERS.get(rel, (WEBVTT_PY, None))
    assert (read_vtt(lines).reader, read_vtt(lines).fallback) == expected
    same_as_tolerant(lines)


def test_webvtt_py_path_lines_repairs_language() -> None:
    """Through webvtt-py: lines from the walk (identifier, whitespace-only line before it, a
    timing line after text), stray block, junk after the end time, voices, language."""
    lines = (
        dedent("""
        WEBVTT
        Language: de-DE

        NOTE a comment

        stray text
        that is no cue

        (whitespace only)
        1
        00:00:01.000 --> 00:00:02.000 what is this
        <v Ann>Hi</v> <v Bob>Hello</v>
        00:00:02.5 --> 00:00:03.25 align:start
        I like <v Salame>lime.
        """)
        .lstrip("\n")
        .split("\n")
    )
    lines[8] = " \t"  # (dedent would empty it) Netflix's whitespace-only line before cue 1
    cues = read_vtt(lines)
    assert (cues.reader, cues.fallback) == (WEBVTT_PY, None)
    assert cues.segments == [
        Segment("<v Ann>Hi</v> <v Bob>Hello</v>", 1000, 2000, speaker="Ann", line=10),
        Segment("I like <v Salame>lime.", 2500, 3250, speaker="Salame", line=13),
    ]
    assert cues.repairs == [
        Repair("block_skipped", 6),
        Repair("timing_text_ignored", 11),
        Repair("voice_spans_merged", 10),
    ]
    assert cues.language == "de"
    same_as_tolerant(lines)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        # astisub: no fraction; webvtt-py drops the cue without a word.
        ("WEBVTT\n\n00:01:39 --> 00:01:41.040\nx\n", FALLBACK_TIMESTAMP),
        # ',' separators, 4+ fraction digits (truncated by webvtt-py, rounded by us), 75 minutes.
        ("WEBVTT\n\n00:00:01,000 --> 00:00:02,000\nx\n", FALLBACK_TIMESTAMP),
        ("WEBVTT\n\n00:00:01.0005 --> 00:00:02.000\nx\n", FALLBACK_TIMESTAMP),
        ("WEBVTT\n\n00:75:00.000 --> 00:76:00.000\nx\n", FALLBACK_TIMESTAMP),
        # blank lines before the header: webvtt-py raises, the tolerant parser reads it.
        ("\n\nWEBVTT\n\n00:00:01.000 --> 00:00:02.000\nx\n", FALLBACK_HEADER),
    ],
)
def test_fallback_reasons(text: str, reason: str) -> None:
    """Each case webvtt-py would get wrong goes to the tolerant parser, which reads it."""
    lines = text.split("\n")
    cues = read_vtt(lines)
    assert (cues.reader, cues.fallback) == (TOLERANT, reason)
    assert len(cues.segments) == 1
    same_as_tolerant(lines)


def test_bad_files_still_raise() -> None:
    """No header, or a '-->' line that is no timing line: the tolerant parser's ParseError."""
    with pytest.raises(ParseError, match="no WEBVTT header"):
        read_vtt(["WEBVTTX", "", "00:00:01.000 --> 00:00:02.000", "x"])
    with pytest.raises(ParseError, match="invalid cue timing line") as info:
        read_vtt(["WEBVTT", "", "00:00:01.000 --> later", "x"])
    assert info.value.line == 3


class FakeCaption:
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.raw_text = "\n".join(lines)


class FakeWebVTT:
    def __init__(self, captions: list[FakeCaption]) -> None:
        self.captions = captions


@pytest.mark.parametrize(
    ("fake", "reason"),
    [
        (FakeWebVTT([]), FALLBACK_SKIPPED),  # fewer cues than timing lines
        (FakeWebVTT([FakeCaption([])]), FALLBACK_SPLIT),  # text cut short
        (None, FALLBACK_WEBVTT_PY),  # webvtt-py raises
    ],
)
def test_webvtt_py_misreading_falls_back(
    monkeypatch: pytest.MonkeyPatch, fake: FakeWebVTT | None, reason: str
) -> None:
    """The safety nets: whatever webvtt-py returns or raises, no crash and no wrong cue."""

    def from_buffer(lines: object) -> FakeWebVTT:
        if fake is None:
            raise webvtt.errors.MalformedFileError("boom")
        return fake

    monkeypatch.setattr(adapters.vtt.webvtt, "from_buffer", from_buffer)
    cues = read_vtt(["WEBVTT", "", "00:00:01.000 --> 00:00:02.000", "x", "y"])
    assert (cues.reader, cues.fallback) == (TOLERANT, reason)
    assert cues.segments == [Segment("x\ny", 1000, 2000, line=3)]


def test_seconds_of_60_or_more_are_read_and_reported() -> None:
    """'00:00:60.000' and hour-less '61:00.000' carry over; each timing line is reported."""
    t = read("""
        WEBVTT

        00:00:59.000 --> 00:00:60.250
        a

        60:59.000 --> 61:00.000
        b
        """)
    assert [(s.start_ms, s.end_ms) for s in t.segments] == [
        (59_000, 60_250),
        (3_659_000, 3_660_000),
    ]
    assert t.repairs == (Repair("time_field_overflow", 3), Repair("time_field_overflow", 6))


# -- hostile input: every walk ends, every regex is linear ------------------------------------


@pytest.mark.parametrize("block", ["NOTE -->", "STYLE -->", "REGION x --> y", "NOTE a-->b"])
def test_a_block_keyword_line_with_an_arrow_is_a_bad_timing_line(block: str) -> None:
    """``WEBVTT\\n\\nNOTE -->\\n`` (17 bytes) looped forever: the NOTE branch consumed nothing."""
    for read in (read_vtt, parse_vtt):
        with pytest.raises(ParseError) as info:
            read(["WEBVTT", "", block, ""])
        assert str(info.value) == f"<input>:3: invalid cue timing line: {block!r}"


@pytest.mark.parametrize(
    "text",
    [
        "<v " * 40_000,  # 120 KB: 34 s with "[^>\n]*" in the voice's name
        "<v." * 40_000,
        "<v.a<v.a " * 20_000,
        "<v Bob " + "<" * 100_000,
    ],
)
def test_voice_spans_are_read_in_linear_time(text: str) -> None:
    started = time.perf_counter()
    cues = read_vtt(["WEBVTT", "", "00:00:01.000 --> 00:00:02.000", text, ""])
    assert time.perf_counter() - started < 1
    assert cues.segments[0].speaker is None
    assert cues.segments[0].text == text


def test_a_voice_name_runs_to_the_next_tag() -> None:
    cues = read_vtt(["WEBVTT", "", "00:00:01.000 --> 00:00:02.000", "<v Ana>hi <v Bo <i>x</i>"])
    assert cues.segments[0].speaker == "Ana"


def test_cue_settings_are_matched_in_linear_time() -> None:
    """``a:a:a:...`` settings followed by junk split in exponentially many ways before."""
    timing = "00:00:01.000 --> 00:00:02.000 " + "a:" * 30 + "a !"
    started = time.perf_counter()
    cues = read_vtt(["WEBVTT", "", timing, "hello"])
    assert time.perf_counter() - started < 1
    assert cues.repairs == [Repair("timing_text_ignored", 3)]
