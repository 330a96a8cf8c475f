"""Build speaker turns from timed, speaker-labelled words (WhisperX word level, audio).

A pure function, shared by the WhisperX adapter's word-level input and the audio path:

1. Words are cut into sentences (a word ending in ``.``, ``?`` or ``!`` closes one).
2. Inside a sentence, a single stray word of another speaker (one word between, before or after
   the majority's words, in a sentence the majority holds) takes the majority's speaker: a
   diarization boundary lands a word early or late far more often than someone says one word
   inside another's sentence. Two words or more of another voice are a turn of theirs: the
   sentence is split where the speaker changes, however long it runs (small models write real
   speech as run-on sentences across speaker changes).
3. Consecutive pieces of one speaker join into a turn while the pause between them is at most
   ``max_pause_ms`` and the turn stays within ``max_turn_ms``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import NamedTuple

from importers.model import Segment, Word
from importers.text import join_words

SENTENCE_END = (".", "?", "!", "…", "。", "？", "！")


class TimedWord(NamedTuple):
    """A word whose times are known (estimated where the source had none).

    A NamedTuple rather than a frozen dataclass: long transcripts make hundreds of thousands of
    these, and a tuple is built several times faster (equally immutable).
    """

    text: str
    start_ms: int
    end_ms: int
    speaker: str | None
    line: int | None = None


def fill_word_times(
    words: Sequence[Word], seg_start: int, seg_end: int, line: int | None = None
) -> tuple[list[TimedWord], int]:
    """Give every word a time, interpolating from neighbours; return (words, number estimated).

    WhisperX leaves numerals like ``1990.`` without times; such a word gets the gap between the
    previous word's end and the next timed word's start.
    """
    if all(w.start_ms is not None and w.end_ms is not None for w in words):
        # The common case (every word aligned): no estimates, no look-ahead.
        make = tuple.__new__  # TimedWord(...) without its __new__ call: the hot loop
        return [
            make(TimedWord, (w.text, start, end if end > start else start, w.speaker, line))
            for w in words
            if (start := w.start_ms) is not None and (end := w.end_ms) is not None
        ], 0
    out: list[TimedWord] = []
    estimated = 0
    for i, w in enumerate(words):
        start, end = w.start_ms, w.end_ms
        if start is None or end is None:
            estimated += 1
            prev_end = out[-1].end_ms if out else seg_start
            next_start = next(
                (x.start_ms for x in words[i + 1 :] if x.start_ms is not None), seg_end
            )
            start = prev_end if start is None else start
            end = max(start, next_start) if end is None else end
        out.append(TimedWord(w.text, start, max(start, end), w.speaker, line))
    return out, estimated


def _sentences(words: Sequence[TimedWord]) -> list[list[TimedWord]]:
    sentences: list[list[TimedWord]] = []
    current: list[TimedWord] = []
    for w in words:
        current.append(w)
        if w.text.rstrip("\"'”’)]").endswith(SENTENCE_END):
            sentences.append(current)
            current = []
    if current:
        sentences.append(current)
    return sentences


def _settle(sentence: list[TimedWord]) -> list[TimedWord]:
    """A stray word of another speaker takes the sentence's majority speaker (module doc)."""
    first = sentence[0].speaker
    if first is not None and all(w.speaker == first for w in sentence):
        return sentence  # one speaker throughout: nothing to settle
    counts = Counter(w.speaker for w in sentence if w.speaker is not None)
    if not counts:
        return sentence
    (top, top_n), *_ = counts.most_common()
    # Words without a speaker follow the previous word's (the majority's at the start).
    out: list[TimedWord] = []
    last = top
    for w in sentence:
        last = w.speaker if w.speaker is not None else last
        out.append(TimedWord(w.text, w.start_ms, w.end_ms, last, w.line))
    if 2 * top_n <= sum(counts.values()):
        return out  # no majority: every change of speaker is kept
    for i, w in enumerate(out):
        if (
            w.speaker != top
            and (i == 0 or out[i - 1].speaker == top)
            and (i + 1 == len(out) or out[i + 1].speaker == top)
        ):
            out[i] = w._replace(speaker=top)
    return out


def settle(words: Sequence[TimedWord]) -> list[TimedWord]:
    """``words`` with each sentence's stray words on its majority speaker (module doc, 2.)."""
    return [w for s in _sentences(words) for w in _settle(s)]


def words_to_turns(
    words: Sequence[TimedWord], *, max_pause_ms: int = 2000, max_turn_ms: int = 60000
) -> list[Segment]:
    """Group timed words into speaker turns (see the module docstring)."""
    settled = settle(words)
    turns: list[Segment] = []
    group: list[TimedWord] = []

    def flush() -> None:
        if group:
            turns.append(
                Segment(
                    text=join_words(w.text.strip() for w in group),
                    start_ms=group[0].start_ms,
                    end_ms=max(w.end_ms for w in group),
                    speaker=group[0].speaker,
                    line=group[0].line,
                )
            )
            group.clear()

    for w in settled:
        if group:
            first = group[0]
            if w.speaker != first.speaker or w.start_ms - group[-1].end_ms > max_pause_ms:
                flush()
            else:
                # Past max_turn_ms a turn closes at a sentence end; past twice that, anywhere.
                length = w.end_ms - first.start_ms
                if length > max_turn_ms and (
                    length > 2 * max_turn_ms
                    or group[-1].text.rstrip("\"'”’)]").endswith(SENTENCE_END)
                ):
                    flush()
        group.append(w)
    flush()
    return turns
