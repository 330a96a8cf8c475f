"""Word-level turn building (importers.turns) on hand-made words."""

from __future__ import annotations

import pytest

from importers.attribution import assign_speakers
from importers.model import SpeakerTurn, Word
from importers.text import join_words
from importers.turns import TimedWord, fill_word_times, words_to_turns


def words(spec: str, speakers: str, step: int = 400) -> list[TimedWord]:
    """``"Hi there."`` with speakers ``"AB"`` -> timed words 400 ms apart."""
    return [
        TimedWord(w, i * step, i * step + step - 50, None if s == "-" else s)
        for i, (w, s) in enumerate(zip(spec.split(), speakers, strict=True))
    ]


def turns_of(ws: list[TimedWord], **kw: int) -> list[tuple[str, str | None]]:
    return [(t.text, t.speaker) for t in words_to_turns(ws, **kw)]


def test_one_word_disagreement_goes_to_the_majority() -> None:
    assert turns_of(words("Did it arrive on time?", "AAAAB")) == [("Did it arrive on time?", "A")]


def test_sentences_settle_separately() -> None:
    """Sentences are settled one by one; inside one, a lone first word joins the majority."""
    assert turns_of(words("Yes. No way.", "ABB")) == [("Yes.", "A"), ("No way.", "B")]
    assert turns_of(words("Well no way.", "ABB")) == [("Well no way.", "B")]


def test_a_turn_of_two_words_inside_a_run_on_sentence_is_kept() -> None:
    """Small models write real speech as run-on sentences: another voice's two words inside one
    are a turn of theirs, not jitter (issue 21; a two-word minority was smoothed away before)."""
    ws = words("so we go with the blue yes please one then.", "AAAAAABBAA")
    assert turns_of(ws) == [("so we go with the blue", "A"), ("yes please", "B"),
                            ("one then.", "A")]  # fmt: skip
    ws = words("I heard a beep this is Diane and I'm Sheila from Chicago.", "AAAAAAABBBBB")
    assert turns_of(ws) == [("I heard a beep this is Diane", "A"),
                            ("and I'm Sheila from Chicago.", "B")]  # fmt: skip


def test_two_stray_words_apart_are_each_settled() -> None:
    ws = words("we will ship the boxes on friday then.", "ABAAAABA")
    assert turns_of(ws) == [("we will ship the boxes on friday then.", "A")]


def test_interruption_inside_a_sentence_splits() -> None:
    ws = words("I will close the wait one box broke.", "AAAABBBB")
    assert turns_of(ws) == [("I will close the", "A"), ("wait one box broke.", "B")]


def test_words_without_speaker_follow_the_sentence() -> None:
    assert turns_of(words("So 1990 it was.", "A-AA")) == [("So 1990 it was.", "A")]
    assert turns_of(words("No. I was there then.", "AB-BB")) == [
        ("No.", "A"),
        ("I was there then.", "B"),
    ]


def test_pause_and_length_bound_turns() -> None:
    ws = [TimedWord("a.", 0, 100, "A"), TimedWord("b.", 3000, 3100, "A")]
    assert turns_of(ws, max_pause_ms=2000) == [("a.", "A"), ("b.", "A")]
    assert turns_of(ws, max_pause_ms=5000) == [("a. b.", "A")]
    long = [TimedWord(f"w{i}.", i * 1000, i * 1000 + 900, "A") for i in range(10)]
    out = words_to_turns(long, max_pause_ms=2000, max_turn_ms=3000)
    assert all(t.end_ms - t.start_ms <= 3900 for t in out)  # closes at a sentence end past 3 s
    assert " ".join(t.text for t in out) == " ".join(w.text for w in long)


def test_turn_times_span_their_words() -> None:
    (t,) = words_to_turns(words("Hi there.", "AA"))
    assert (t.start_ms, t.end_ms) == (0, 750)


def test_fill_word_times_interpolates() -> None:
    ws = [
        Word("It", 1000, 1200),
        Word("was", None, None),
        Word("1990.", None, None),
        Word("Yes", 2000, 2300),
    ]
    timed, estimated = fill_word_times(ws, 900, 2500, line=4)
    assert estimated == 2
    assert [(w.start_ms, w.end_ms, w.line) for w in timed] == [
        (1000, 1200, 4),
        (1200, 2000, 4),
        (2000, 2000, 4),
        (2000, 2300, 4),
    ]


def test_fill_word_times_at_the_edges() -> None:
    timed, estimated = fill_word_times([Word("first"), Word("last", 500, 400)], 100, 900)
    assert estimated == 1
    assert [(w.start_ms, w.end_ms) for w in timed] == [(100, 500), (500, 500)]


def test_words_join_by_script() -> None:
    """Chinese and Japanese words (one character each from Deepgram, words from
    whisper-timestamped) join without spaces; Latin words beside them keep theirs."""
    words = [
        TimedWord(w, i * 100, i * 100 + 90, "A")
        for i, w in enumerate(["這", "不", "是", "iPhone", "嗎？", "Yes", "いきます", "ニュース"])
    ]
    (turn,) = words_to_turns(words)
    assert turn.text == "這不是 iPhone 嗎？ Yes いきますニュース"


@pytest.mark.parametrize(
    ("words", "text"),
    [
        (["สวัสดี", "ครับ"], "สวัสดีครับ"),  # Thai
        (["안녕", "하세요"], "안녕 하세요"),  # Korean spaces its words
        (["你好", "。", "Hi"], "你好。 Hi"),
        (["Hello", "", "world"], "Hello world"),
    ],
)
def test_join_words(words: list[str], text: str) -> None:
    assert join_words(words) == text


A, B = "SPEAKER_00", "SPEAKER_01"


def speakers(words: list[Word]) -> list[str | None]:
    return [w.speaker for w in words]


def test_a_stray_word_stays_in_the_sentence_two_words_are_a_turn() -> None:
    """A diarization boundary landing a word late does not split a sentence; two words of the
    other voice do (they may be a short turn of theirs)."""
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
