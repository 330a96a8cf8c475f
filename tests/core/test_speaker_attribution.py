"""importers.attribution (assign_speakers, fit_to_speech, span_turns) + importers.turns on hand-made
turns and words."""

from __future__ import annotations

from importers.attribution import assign_speakers
from importers.model import SpeakerTurn, Word
from importers.turns import TimedWord, fill_word_times, words_to_turns

A, B = "SPEAKER_00", "SPEAKER_01"


def speakers(words: list[Word]) -> list[str | None]:
    return [w.speaker for w in words]


def test_most_overlap_wins_and_ties_go_to_the_earlier_turn() -> None:
    turns = [SpeakerTurn(0, 1000, A), SpeakerTurn(1000, 2000, B)]
    words = [Word("a", 100, 400), Word("b", 800, 1300), Word("c", 900, 1100), Word("d", 1700, 1900)]
    assert speakers(assign_speakers(words, turns)) == [A, B, A, B]


def test_gaps_go_to_the_nearest_turn() -> None:
    turns = [SpeakerTurn(0, 1000, A), SpeakerTurn(3000, 4000, B)]
    words = [Word("x", 1100, 1300), Word("y", 2600, 2900), Word("z", 5000, 5200)]
    assert speakers(assign_speakers(words, turns)) == [A, B, B]


def test_overlapping_turns_and_a_long_earlier_turn() -> None:
    """A long turn that started earlier still wins when it overlaps most (non-exclusive input)."""
    turns = [SpeakerTurn(0, 10000, A), SpeakerTurn(5000, 5200, B)]
    assert speakers(assign_speakers([Word("w", 5000, 5600)], turns)) == [A]


def test_words_without_times_and_no_turns() -> None:
    words = [Word("a", None, None, "X"), Word("b", 0, 100, "Y")]
    assert speakers(assign_speakers(words, [SpeakerTurn(0, 100, A)])) == [None, A]
    assert speakers(assign_speakers(words, [])) == ["X", "Y"]


def test_a_stray_word_stays_in_the_sentence_two_words_are_a_turn() -> None:
    """A diarization boundary landing a word late does not split a sentence; two words of the
    other voice do (they may be a short turn of theirs: issue 21)."""
    turns = [SpeakerTurn(0, 2100, A), SpeakerTurn(2100, 5000, B)]
    text = "I think we should ship it. Yes"
    words = [Word(t, i * 400, i * 400 + 300) for i, t in enumerate(text.split())]
    labelled = assign_speakers(words, turns)
    assert speakers(labelled) == [A, A, A, A, A, B, B]  # "it." overlaps B most
    timed, estimated = fill_word_times(labelled, 0, 3000)
    assert estimated == 0
    segs = words_to_turns(timed)
    assert [(s.speaker, s.text) for s in segs] == [(A, "I think we should ship it."), (B, "Yes")]

    early = [SpeakerTurn(0, 1500, A), SpeakerTurn(1500, 5000, B)]  # two words on B, then "Yes"
    segs = words_to_turns(fill_word_times(assign_speakers(words, early), 0, 3000)[0])
    assert [(s.speaker, s.text) for s in segs] == [(A, "I think we should"), (B, "ship it. Yes")]


def test_a_real_change_inside_a_sentence_splits_it() -> None:
    turns = [SpeakerTurn(0, 1200, A), SpeakerTurn(1200, 5000, B)]
    words = [
        Word(t, i * 400, i * 400 + 300)
        for i, t in enumerate(["so", "we", "go", "with", "the", "blue", "one", "then"])
    ]
    segs = words_to_turns(fill_word_times(assign_speakers(words, turns), 0, 4000)[0])
    assert [(s.speaker, s.text) for s in segs] == [(A, "so we go"), (B, "with the blue one then")]


def test_word_times_stay_inside_the_speech() -> None:
    """A word stretched over silence ends where the speech does; one between turns keeps its
    times; one spanning a pause between two turns keeps both ends in speech."""
    from importers.attribution import fit_to_speech

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
    from importers.attribution import span_turns

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
