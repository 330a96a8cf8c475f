"""Normalization: cleanup, rolling duplicates, time repairs, speakers, turn merging."""

from __future__ import annotations

import re
import time

import pytest
from support import REPO

from adapters.speakers import find_name_line, find_prefix
from importers.conversion.normalize import (
    REPAIR_REASONS,
    NormalizeOptions,
    describe,
    normalize,
    summarize_repairs,
)
from importers.errors import EmptyTranscriptError
from importers.model import Segment, Transcript, Word
from importers.text import strip_markup

NO_MERGE = NormalizeOptions(merge=False)


def tr(*segments: Segment) -> Transcript:
    return Transcript(tuple(segments), "test")


def seg(
    text: str, start: int | None, end: int | None, speaker: str | None = None, line: int = 1
) -> Segment:
    return Segment(text, start, end, speaker, line=line)


def reasons(n: object) -> list[tuple[str, int | None]]:
    return [(r.reason, r.line) for r in n.repairs]  # type: ignore[attr-defined]


def test_markup_entities_and_whitespace() -> None:
    n = normalize(tr(seg("<i>Hello</i>&nbsp;&amp; {\\an8}good\\Nbye  <00:00:01.000>now", 0, 1000)))
    assert n.turns[0].text == "Hello & good bye now"


def test_markup_only_and_empty_cues_dropped_and_counted() -> None:
    n = normalize(
        tr(
            seg("<i></i>", 0, 500, line=1),
            seg("   ", 600, 900, line=5),
            seg("Words", 1000, 2000, line=9),
        ),
        NO_MERGE,
    )
    assert [t.text for t in n.turns] == ["Words"]
    assert reasons(n) == [("markup_only_cue_dropped", 1), ("empty_cue_dropped", 5)]


def test_nothing_left_is_an_error() -> None:
    with pytest.raises(EmptyTranscriptError, match="no cue with any words"):
        normalize(tr(seg("<b> </b>", 0, 1)))


def test_rolling_duplicates() -> None:
    """Live captions repeat the previous cue's last line, back to back in time."""
    n = normalize(
        tr(
            seg("we are going\nto the market", 0, 1000, line=1),
            seg("to the market\nand then home", 1000, 2000, line=4),
            seg("and then home", 2010, 2500, line=7),
            seg("and then home", 5000, 6000, line=9),  # not contiguous: a real repeat, kept
        ),
        NO_MERGE,
    )
    assert [t.text for t in n.turns] == [
        "we are going to the market",
        "and then home",
        "and then home",
    ]
    assert reasons(n) == [("rolling_duplicate_removed", 4), ("duplicate_cue_dropped", 7)]


@pytest.mark.parametrize(
    ("start", "end", "expected", "reason"),
    [
        (1000, 1000, (1000, 1800), "zero_length"),  # two words at 2.5 words/s = 800 ms
        (5000, 4000, (5000, 5800), "end_before_start"),
        (-500, 2000, (0, 2000), "negative_start"),
        (-500, -100, (0, 400), "negative_start"),
    ],
)
def test_impossible_times_repaired(
    start: int, end: int, expected: tuple[int, int], reason: str
) -> None:
    n = normalize(tr(seg("two words", start, end, line=3)), NO_MERGE)
    assert (n.turns[0].start_ms, n.turns[0].end_ms) == expected
    assert reasons(n) == [(reason, 3)]


def test_missing_times_estimated() -> None:
    n = normalize(
        tr(
            seg("one two three four five", 0, None, line=1),
            seg("six", None, None, line=2),
            seg("seven eight", 10_000, 11_000, line=3),
            seg("nine", 20_000, None, line=4),
        ),
        NO_MERGE,
    )
    assert [(t.start_ms, t.end_ms) for t in n.turns] == [
        (0, 9_000),  # min(next start - 100, start + 2 * 2000 ms spoken + 5000)
        (9_100, 9_900),  # start: previous end + 100 ms gap; end: next start - 100 ms
        (10_000, 11_000),
        (20_000, 20_400),
    ]
    assert reasons(n) == [
        ("end_estimated", 1),
        ("start_estimated", 2),
        ("end_estimated", 2),
        ("end_estimated", 4),
    ]
    assert all(r in REPAIR_REASONS for r, _ in reasons(n))


def test_speakers_labelled_in_order_of_first_speech() -> None:
    n = normalize(
        tr(
            seg("later", 5000, 6000, "Zed"),
            seg("first", 0, 1000, "Bob"),
            seg("again", 7000, 8000, "Bob"),
        ),
        NO_MERGE,
    )
    assert [(t.speaker, t.speaker_id) for t in n.turns] == [
        ("SPEAKER_00", 0),
        ("SPEAKER_01", 1),
        ("SPEAKER_00", 0),
    ]
    assert n.speakers == {"SPEAKER_00": "Bob", "SPEAKER_01": "Zed"}


def test_me_and_people() -> None:
    opts = NormalizeOptions(
        merge=False, me=("ann",), people={"bob": "person_1", "SPEAKER_02": "p2"}
    )
    n = normalize(
        tr(seg("a", 0, 500, "Ann"), seg("b", 600, 900, "Bob"), seg("c", 1000, 1500, None)), opts
    )
    assert [(t.is_user, t.person_id) for t in n.turns] == [
        (True, None),
        (False, "person_1"),
        (False, "p2"),
    ]


def test_merge_bounded_by_pause_and_length() -> None:
    opts = NormalizeOptions(max_pause_ms=1000, max_turn_ms=10_000)
    n = normalize(
        tr(
            seg("a", 0, 1000, "A"),
            seg("b", 1500, 2000, "A"),  # pause 500: merged
            seg("c", 3500, 4000, "A"),  # pause 1500: new turn
            seg("d", 4100, 14_000, "A"),  # would make 10.5 s: new turn
            seg("e", 14_100, 15_000, "B"),
        ),
        opts,
    )
    assert [(t.text, t.start_ms, t.end_ms) for t in n.turns] == [
        ("a b", 0, 2000),
        ("c", 3500, 4000),
        ("d", 4100, 14_000),
        ("e", 14_100, 15_000),
    ]


def test_no_merge_keeps_cues() -> None:
    segments = [seg(f"w{i}", i * 1000, i * 1000 + 500, "A") for i in range(5)]
    assert len(normalize(tr(*segments), NO_MERGE).turns) == 5
    assert len(normalize(tr(*segments)).turns) == 1


def test_word_level_input_builds_turns_and_reports_estimated_words() -> None:
    words = (Word("Hi", 0, 300, "A"), Word("1990.", None, None, None), Word("Yes.", 900, 1200, "B"))
    n = normalize(tr(Segment("Hi 1990. Yes.", 0, 1200, "A", words, line=2)))
    assert [(t.text, n.speakers[t.speaker]) for t in n.turns] == [("Hi 1990.", "A"), ("Yes.", "B")]
    assert reasons(n) == [("word_time_estimated", 2)]


def test_summarize_repairs() -> None:
    n = normalize(
        tr(seg("x", 5, 5, line=2), seg("y", 9, 9, line=2), seg("z", 20, 20, line=7)), NO_MERGE
    )
    assert summarize_repairs(n.repairs) == [
        {
            "reason": "zero_length",
            "message": "zero-length cues given a duration",  # three of them
            "count": 3,
            "lines": [2, 7],
        }
    ]


def test_a_diarizations_cluster_labels_are_no_names() -> None:
    """Audio: pyannote's arbitrary labels are renumbered by first speech, and name nobody, so
    --me and --people match only the SPEAKER_NN labels the user sees in the output."""
    words = [
        Segment("Hi.", 0, 500, words=(Word("Hi.", 0, 500, "SPEAKER_03"),)),
        Segment("Hello.", 900, 1400, words=(Word("Hello.", 900, 1400, "SPEAKER_01"),)),
    ]
    transcript = Transcript(tuple(words), "audio", anonymous_speakers=True)
    n = normalize(
        transcript,
        NormalizeOptions(me=("SPEAKER_03",), people={"SPEAKER_03": "p3", "SPEAKER_01": "p1"}),
    )
    assert n.speakers == {"SPEAKER_00": None, "SPEAKER_01": None}
    assert [(t.speaker, t.is_user, t.person_id) for t in n.turns] == [
        ("SPEAKER_00", False, None),
        ("SPEAKER_01", False, "p1"),
    ]
    mine = normalize(transcript, NormalizeOptions(me=("SPEAKER_00",)))
    assert [t.is_user for t in mine.turns] == [True, False]


def test_every_repair_reason_in_the_code_has_words_for_one_and_several() -> None:
    """A repair a user is told about is described, in the singular and the plural."""
    used = {
        m
        for f in [*REPO.glob("importers/**/*.py"), *REPO.glob("adapters/**/*.py")]
        for m in re.findall(r'Repair\(\s*"([a-z_]+)"', f.read_text(encoding="utf-8"))
    }
    assert used, "no Repair(...) found: the pattern is stale"
    assert used <= set(REPAIR_REASONS), sorted(used - set(REPAIR_REASONS))
    assert describe("empty_cue_dropped", 1) == "cue without text dropped"
    assert describe("empty_cue_dropped", 2) == "cues without text dropped"


PATHOLOGICAL = [
    "<a " * 40_000,
    "<" + "a" * 100_000,
    "<1" * 50_000,
    "<1:1" * 30_000,
    "{\\" * 50_000,
    "&" * 100_000,
    "<i>" * 30_000 + "Bob:",
    "Bob" + " " * 100_000 + ": hi",
    "[" * 100_000 + ": hi",
    "a:" * 50_000 + " hi",
]


@pytest.mark.parametrize("text", PATHOLOGICAL, ids=lambda t: repr(t[:6]))
def test_markup_and_speaker_prefixes_take_linear_time(text: str) -> None:
    """The audit of issue 9: every cue-text regex on a 100 KB line of what makes regexes slow."""
    started = time.perf_counter()
    strip_markup(text)
    find_prefix(text)
    find_name_line(text + "\nmore")
    assert time.perf_counter() - started < 1


@pytest.mark.parametrize(
    ("text", "clean"),
    [
        ("&#" + "9" * 5000 + ";", "\ufffd"),  # found by the fuzz campaign: int() of 5000 digits
        ("a&#x" + "f" * 5000 + "b", "a\ufffd"),
        ("&#" + "0" * 5000 + "66;", "B"),
        ("&#00000065;&#x0041;&#1234567;", "AA\ufffd"),
    ],
)
def test_numeric_character_references_of_any_length(text: str, clean: str) -> None:
    """As html.unescape reads them (beyond U+10FFFF: U+FFFD), without its int() limit."""
    assert strip_markup(text) == clean
