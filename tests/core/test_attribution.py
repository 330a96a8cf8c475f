"""Word -> diarization speaker (importers.attribution.assign_speakers)."""

from __future__ import annotations

from importers.attribution import assign_speakers
from importers.model import SpeakerTurn, Word

T = SpeakerTurn


def speakers(words: list[Word], turns: list[SpeakerTurn]) -> list[str | None]:
    return [w.speaker for w in assign_speakers(words, turns)]


def test_word_inside_a_turn() -> None:
    assert speakers([Word("a", 100, 200)], [T(0, 1000, "A"), T(1000, 2000, "B")]) == ["A"]


def test_word_across_a_boundary_goes_to_the_larger_overlap() -> None:
    turns = [T(0, 1000, "A"), T(1000, 2000, "B")]
    assert speakers([Word("a", 900, 1300), Word("b", 700, 1100)], turns) == ["B", "A"]


def test_equal_overlap_goes_to_the_earlier_turn() -> None:
    assert speakers([Word("a", 900, 1100)], [T(0, 1000, "A"), T(1000, 2000, "B")]) == ["A"]


def test_overlapping_turns_pick_the_most_overlap() -> None:
    """Non-exclusive diarization: turns that overlap; inside both, the earlier turn wins."""
    turns = [T(0, 4200, "A"), T(4000, 6000, "B")]
    words = [Word("yes", 4100, 4600), Word("and", 3700, 4150), Word("so", 4050, 4150)]
    assert speakers(words, turns) == ["B", "A", "A"]


def test_long_turn_reaches_words_after_later_short_turns() -> None:
    turns = [T(0, 20_000, "A"), T(1000, 1200, "B"), T(2000, 2100, "C")]
    assert speakers([Word("w", 15_000, 15_500)], turns) == ["A"]


def test_word_in_a_gap_goes_to_the_nearest_turn() -> None:
    turns = [T(0, 1000, "A"), T(3000, 4000, "B")]
    assert speakers(
        [Word("a", 1100, 1200), Word("b", 2700, 2900), Word("c", 1950, 2050)], turns
    ) == [
        "A",
        "B",
        "A",  # equidistant: the earlier turn
    ]


def test_before_the_first_and_after_the_last_turn() -> None:
    turns = [T(1000, 2000, "A"), T(3000, 4000, "B")]
    assert speakers([Word("a", 0, 100), Word("b", 9000, 9100)], turns) == ["A", "B"]


def test_zero_length_word() -> None:
    turns = [T(0, 1000, "A"), T(1000, 2000, "B")]
    assert speakers([Word("a", 1500, 1500)], turns) == ["B"]


def test_words_without_times_get_no_speaker() -> None:
    words = [Word("1990.", None, None, "X"), Word("x", 10, None)]
    assert speakers(words, [T(0, 1000, "A")]) == [None, None]


def test_no_turns_keeps_speakers() -> None:
    words = [Word("a", 0, 1, "X"), Word("b", None, None)]
    assert assign_speakers(words, []) == words


def test_disagreement_inside_a_sentence_is_left_to_turn_building() -> None:
    """Attribution is per word; a word on the wrong side of a boundary keeps that speaker."""
    words = [Word("Did", 0, 200), Word("it", 250, 400), Word("arrive?", 600, 1100)]
    assert speakers(words, [T(0, 700, "A"), T(700, 2000, "B")]) == ["A", "A", "B"]


def test_unsorted_turns() -> None:
    turns = [T(3000, 4000, "B"), T(0, 1000, "A")]
    assert speakers([Word("a", 100, 200), Word("b", 3100, 3200)], turns) == ["A", "B"]
