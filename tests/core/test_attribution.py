"""importers.attribution on hand-made turns and words: each word's speaker (assign_speakers),
word times inside the speech (fit_to_speech), runs of words over their turns (span_turns)."""

from __future__ import annotations

from importers.attribution import assign_speakers, fit_to_speech, span_turns
from importers.model import SpeakerTurn, Word
from importers.turns import TimedWord

T = SpeakerTurn
A, B = "SPEAKER_00", "SPEAKER_01"


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


def test_word_times_stay_inside_the_speech() -> None:
    """A word stretched over silence ends where the speech does; one between turns keeps its
    times; one spanning a pause between two turns keeps both ends in speech."""
    turns = [SpeakerTurn(1000, 2000, A), SpeakerTurn(1800, 2500, B), SpeakerTurn(6000, 7000, A)]
    words = [
        Word("stretched", 200, 1400),  # starts 0.8 s before any speech
        Word("tail", 2300, 4800),  # runs 2.3 s into silence
        Word("lost", 3000, 3500),  # in silence: left as it is
        Word("across", 2400, 6500),  # spans the pause: both ends stay
        Word("untimed"),
    ]
    fitted = fit_to_speech(words, turns)
    assert [(w.start_ms, w.end_ms) for w in fitted] == [
        (1000, 1400),
        (2300, 2500),
        (3000, 3500),
        (2400, 6500),
        (None, None),
    ]
    assert fit_to_speech(words, []) == words


def test_words_on_a_turn_of_their_speaker_reach_its_edges() -> None:
    """Each run of words on one turn of their own speaker spans that turn (first word from its
    start, last word to its end) up to the words beside the run; the words between keep their
    times. A word taken onto another speaker, one outside every turn, and one reaching past its
    turn keep what they had."""
    turns = [
        SpeakerTurn(1000, 4000, A),
        SpeakerTurn(4000, 6000, B),
        SpeakerTurn(7000, 9000, A),
        SpeakerTurn(9500, 9800, A),
    ]
    words = [
        TimedWord("so", 1500, 1600, A),
        TimedWord("we", 1700, 1800, A),
        TimedWord("go", 2000, 2000, A),  # no length, inside A's first turn: on it
        TimedWord("then", 3000, 3100, B),  # the sentence rule put it on B: keeps its times
        TimedWord("on", 3200, 3300, A),  # a run of its own on the same turn
        TimedWord("yes", 4500, 5000, B),
        TimedWord("late", 6200, 6500, B),  # outside every turn
        TimedWord("and", 6900, 7200, A),  # starts before its turn: never moved later
        TimedWord("more", 8000, 9300, A),  # ends past it: never cut
        TimedWord("ok", 9600, 9700, A),
    ]
    assert [(w.text, w.start_ms, w.end_ms) for w in span_turns(words, turns)] == [
        ("so", 1000, 1600),
        ("we", 1700, 1800),
        ("go", 2000, 3000),  # up to the next word
        ("then", 3000, 3100),
        ("on", 3100, 4000),  # from the word before
        ("yes", 4000, 6000),
        ("late", 6200, 6500),
        ("and", 6900, 7200),
        ("more", 8000, 9300),
        ("ok", 9500, 9800),
    ]
    assert span_turns(words, []) == words
