"""The reading helpers that several adapters share (adapters/stt_json.py, adapters/timing.py),
tested once here: the adapters' own tests show them at work in one format each."""

from __future__ import annotations

import pytest

from adapters.stt_json import WordFields, int_ms, join_punctuation, read_word_list, speaker_name
from adapters.timing import read_timestamp, report_overflow
from importers.errors import ParseError
from importers.model import Repair, Word


def test_punctuation_joins_the_word_before_and_leads_the_first_word() -> None:
    tokens = ["¿", Word("Hola", 0, 400, "A"), ",", Word("Ana", 500, 900, "A"), "?", "!"]
    assert join_punctuation(tokens) == [
        Word("¿Hola,", 0, 400, "A"),
        Word("Ana?!", 500, 900, "A"),
    ]


def test_punctuation_alone_makes_no_words() -> None:
    assert join_punctuation([".", ","]) == []


MS_WORDS = WordFields(time=int_ms, speaker=speaker_name, start=("start", "start_ms"))


def test_a_word_list_reads_the_first_key_present_and_falls_back_to_the_speaker() -> None:
    raw = [
        {"text": " Hi ", "start": 10, "start_ms": 99, "end": 20, "speaker": "B"},
        {"text": "there", "start_ms": 30, "end": 40.4},
        {"text": " ", "start": "not a time"},  # empty: skipped before its times are read
    ]
    assert read_word_list(raw, "words", MS_WORDS, "Speaker A") == [
        Word("Hi", 10, 20, "Speaker B"),
        Word("there", 30, 40, "Speaker A"),
    ]


def test_a_word_list_names_the_word_that_is_wrong() -> None:
    with pytest.raises(ParseError, match=r"utterances\[0\]\.words\[1\]: start is not a number"):
        read_word_list(
            [{"text": "ok", "start": 1}, {"text": "bad", "start": "x"}],
            "utterances[0].words",
            MS_WORDS,
            None,
        )


def test_a_timestamp_with_a_field_over_59_is_read_and_reported_on_its_line() -> None:
    repairs: list[Repair] = []
    assert read_timestamp("00:00:61", repairs, line=7) == 61_000
    assert read_timestamp("01:02", repairs, line=8) == 62_000
    assert repairs == [Repair("time_field_overflow", 7)]


def test_an_overflowing_line_is_one_repair_however_many_times_overflowed() -> None:
    repairs: list[Repair] = []
    report_overflow(repairs, True, 3)
    report_overflow(repairs, False, 4)
    assert repairs == [Repair("time_field_overflow", 3)]
