"""Give each word the speaker of the diarization turn it overlaps most.

A pure function, used by the audio adapter (pyannote's exclusive diarization) and by
``--diarization FILE.rttm`` on word-level transcripts. Rules:

* a word goes to the turn it overlaps most (ties: the earlier turn);
* a word that overlaps no turn goes to the nearest turn in time (ties: the earlier one);
* a word without times keeps ``speaker=None`` (turn building then gives it its sentence's speaker);
* with no turns at all, every word keeps the speaker it had.

:func:`fit_to_speech` keeps words' times inside the speech the turns mark (the audio path: a
small model stretches words over the silence beside them, most on quiet, far-field audio), and
:func:`span_turns` stretches each run of words on one turn of their speaker to that turn's edges
(the audio path again: a small model's words end early, many at zero length, so turns built from
them miss the speech the diarization found).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from importers.model import SpeakerTurn, Word
from importers.turns import TimedWord


def assign_speakers(words: Sequence[Word], turns: Sequence[SpeakerTurn]) -> list[Word]:
    """Return ``words`` with ``speaker`` set from ``turns`` (see the module docstring)."""
    if not turns:
        return list(words)
    ordered, starts, reach = _index(turns)
    out: list[Word] = []
    for w in words:
        if w.start_ms is None or w.end_ms is None:
            out.append(w._replace(speaker=None))
            continue
        out.append(w._replace(speaker=_best(ordered, starts, reach, w.start_ms, w.end_ms)))
    return out


def _index(turns: Sequence[SpeakerTurn]) -> tuple[list[SpeakerTurn], list[int], list[int]]:
    """The turns in time order, their starts, and ``reach``: turns may overlap (non-exclusive
    diarization), so reach[i] is the index of the turn with the latest end among
    ordered[: i + 1], and a search back in time can stop once no earlier turn reaches back."""
    ordered = sorted(turns, key=lambda t: (t.start_ms, t.end_ms))
    reach: list[int] = []
    for i, t in enumerate(ordered):
        reach.append(i if not reach or t.end_ms > ordered[reach[-1]].end_ms else reach[-1])
    return ordered, [t.start_ms for t in ordered], reach


def _best(
    ordered: Sequence[SpeakerTurn], starts: list[int], reach: list[int], a: int, b: int
) -> str:
    """The speaker for a word spanning ``a..b`` ms."""
    hi = bisect.bisect_left(starts, b) if b > a else bisect.bisect_right(starts, a)
    best_overlap, best = 0, None
    i = hi - 1
    # Walk back from the last turn starting before the word ends; later turns come first, so
    # ">=" leaves the earliest of equally overlapping turns.
    while i >= 0 and ordered[reach[i]].end_ms > a:
        t = ordered[i]
        overlap = min(b, t.end_ms) - max(a, t.start_ms)
        if overlap > 0 and overlap >= best_overlap:
            best_overlap, best = overlap, t
        i -= 1
    if best is not None:
        return best.speaker
    # No overlap: the nearest turn (the earlier one on ties).
    mid = (a + b) / 2
    candidates: list[tuple[float, int, SpeakerTurn]] = []
    if hi > 0:
        prev = ordered[reach[hi - 1]]
        candidates.append((mid - prev.end_ms, prev.start_ms, prev))
    if hi < len(ordered):
        nxt = ordered[hi]
        candidates.append((nxt.start_ms - mid, nxt.start_ms, nxt))
    return min(candidates, key=lambda c: (c[0], c[1]))[2].speaker


def fit_to_speech(words: Sequence[Word], turns: Sequence[SpeakerTurn]) -> list[Word]:
    """``words`` with times cut to the turns they overlap: a word that reaches from speech into
    silence ends (or starts) where the speech does. A word that overlaps no turn, or has no
    times, is left as it is (its times are all there is)."""
    if not turns:
        return list(words)
    speech = _union(turns)
    starts = [a for a, _ in speech]
    out: list[Word] = []
    for w in words:
        a, b = w.start_ms, w.end_ms
        if a is None or b is None or b <= a:
            out.append(w)
            continue
        i = max(0, bisect.bisect_right(starts, a) - 1)
        hit = [(s, e) for s, e in speech[i : bisect.bisect_left(starts, b) + 1] if s < b and e > a]
        if not hit:
            out.append(w)
            continue
        out.append(w._replace(start_ms=max(a, hit[0][0]), end_ms=min(b, hit[-1][1])))
    return out


def _union(turns: Sequence[SpeakerTurn]) -> list[tuple[int, int]]:
    """The stretches of time some turn covers, in order, without overlaps."""
    spans: list[tuple[int, int]] = []
    for t in sorted(turns, key=lambda t: t.start_ms):
        if spans and t.start_ms <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], t.end_ms))
        else:
            spans.append((t.start_ms, t.end_ms))
    return spans


def span_turns(words: Sequence[TimedWord], turns: Sequence[SpeakerTurn]) -> list[TimedWord]:
    """``words`` (in time order) with each run of consecutive words on one turn of their own
    speaker stretched over it: the run's first word starts where the turn starts, its last ends
    where the turn ends, but never across the word before or after the run, and never shorter
    than it was. A word's turn is the turn of its speaker it overlaps most (the earlier on ties;
    a word of no length: the one it lies in); a word on no turn of its speaker (one the sentence
    rule took onto another speaker, one outside the speech found) keeps its times.
    """
    if not turns:
        return list(words)
    ordered, starts, reach = _index(turns)
    own = [_own_turn(ordered, starts, reach, w) for w in words]
    out = list(words)
    i = 0
    while i < len(out):
        j = i
        while j + 1 < len(out) and own[j + 1] == own[i]:
            j += 1
        if (k := own[i]) is not None:
            turn = ordered[k]
            first = out[i]
            floor = out[i - 1].end_ms if i > 0 else turn.start_ms
            ceiling = out[j + 1].start_ms if j + 1 < len(out) else turn.end_ms
            out[i] = first._replace(start_ms=min(first.start_ms, max(turn.start_ms, floor)))
            last = out[j]  # the same word when the run is one word long
            out[j] = last._replace(end_ms=max(last.end_ms, min(turn.end_ms, ceiling)))
        i = j + 1
    return out


def _own_turn(
    ordered: Sequence[SpeakerTurn], starts: list[int], reach: list[int], w: TimedWord
) -> int | None:
    """The index of the turn of ``w``'s speaker that ``w`` overlaps most (see span_turns)."""
    a, b = w.start_ms, w.end_ms
    best_overlap, best = 0, None
    i = (bisect.bisect_left(starts, b) if b > a else bisect.bisect_right(starts, a)) - 1
    while i >= 0 and ordered[reach[i]].end_ms >= a:
        t = ordered[i]
        overlap = min(b, t.end_ms) - max(a, t.start_ms)
        inside = overlap > 0 or (a == b and t.start_ms <= a <= t.end_ms)
        if t.speaker == w.speaker and inside and overlap >= best_overlap:
            best_overlap, best = overlap, i
        i -= 1
    return best
