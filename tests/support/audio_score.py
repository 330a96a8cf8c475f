"""Accuracy against a reference: word error rate, speaker turns, diarization error rate.

References: the synthetic sample's ``.ref.tsv``, and real recordings' RTTM (who spoke when) and
STM (who said what, when) files, such as those pyannote.audio ships beside its own sample.

Used by the benchmark and the audio tests; light (pyannote.metrics is imported by :func:`der`
only). WER is jiwer's (a dev dependency).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import jiwer

#: Time span with a speaker label: (start_ms, end_ms, speaker).
Span = tuple[int, int, str]


@dataclass(frozen=True)
class RefTurn:
    """One turn of the reference: who said what, when."""

    speaker: str
    start_ms: int
    end_ms: int
    text: str


def read_reference(path: Path) -> list[RefTurn]:
    """``speaker<TAB>start<TAB>end<TAB>text`` lines (seconds), as ``make_sample.py`` writes."""
    turns = []
    for row in path.read_text(encoding="utf-8").splitlines():
        speaker, start, end, text = row.split("\t")
        turns.append(RefTurn(speaker, round(float(start) * 1000), round(float(end) * 1000), text))
    return turns


def read_stm(path: Path) -> list[RefTurn]:
    """An STM transcript (``file channel speaker start end words...``), one turn a line."""
    turns = []
    for row in path.read_text(encoding="utf-8").splitlines():
        if not row.strip() or row.startswith(";;"):
            continue
        _, _, speaker, start, end, *text = row.split()
        turns.append(RefTurn(speaker, round(float(start) * 1000), round(float(end) * 1000),
                             " ".join(text)))  # fmt: skip
    return turns


def read_rttm(path: Path) -> list[Span]:
    """The ``SPEAKER`` lines of an RTTM file (one recording) as spans."""
    spans = []
    for row in path.read_text(encoding="utf-8").splitlines():
        f = row.split()
        if f and f[0] == "SPEAKER":
            start, length = float(f[3]), float(f[4])
            spans.append((round(start * 1000), round((start + length) * 1000), f[7]))
    return spans


def der(reference: Sequence[Span], hypothesis: Sequence[Span], duration_ms: int) -> float:
    """Diarization error rate over the whole recording: pyannote.metrics, no collar, overlapped
    speech scored (missed speech + false alarm + speaker confusion, over reference speech)."""
    from pyannote.core import Annotation, Segment, Timeline
    from pyannote.metrics.diarization import DiarizationErrorRate

    def annotation(spans: Sequence[Span]) -> Annotation:
        a = Annotation()
        for i, (start, end, speaker) in enumerate(spans):
            if end > start:
                a[Segment(start / 1000, end / 1000), i] = speaker
        return a

    metric = DiarizationErrorRate(collar=0.0, skip_overlap=False)
    uem = Timeline([Segment(0, duration_ms / 1000)])
    return float(metric(annotation(reference), annotation(hypothesis), uem=uem))


def one_speaker(reference: Sequence[Span]) -> list[Span]:
    """The one-speaker baseline: all the reference's speech, on one label (its DER is the
    share of speech that is not the main speaker's, plus overlap)."""
    return [(start, end, "one speaker") for start, end, _ in reference]


def shifted(turns: Sequence[RefTurn], offset_ms: int) -> list[RefTurn]:
    return [RefTurn(t.speaker, t.start_ms + offset_ms, t.end_ms + offset_ms, t.text) for t in turns]


#: Both sides of a WER as words: lower case, only letters, digits and apostrophes.
NORMALIZE = jiwer.Compose(
    [
        jiwer.ToLowerCase(),
        jiwer.SubstituteRegexes({r"[^a-z0-9' ]": " "}),
        jiwer.RemoveMultipleSpaces(),
        jiwer.Strip(),
        jiwer.ReduceToListOfListOfWords(),
    ]
)


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate (jiwer: word-level edit distance over the reference's word count) after
    :data:`NORMALIZE`; an empty hypothesis is all deletions."""
    return float(
        jiwer.wer(
            reference,
            hypothesis,
            reference_transform=NORMALIZE,
            hypothesis_transform=NORMALIZE,
        )
    )


@dataclass(frozen=True)
class TurnScore:
    """How one reference turn came out: its majority output speaker and that speaker's share."""

    turn: RefTurn
    speaker: str | None  # None: no output overlaps the turn
    share: float  # of the overlapping output time


def turn_scores(reference: Iterable[RefTurn], output: Sequence[Span]) -> list[TurnScore]:
    scores = []
    for turn in reference:
        c: Counter[str] = Counter()
        for start, end, speaker in output:
            overlap = min(turn.end_ms, end) - max(turn.start_ms, start)
            if overlap > 0:
                c[speaker] += overlap
        if not c:
            scores.append(TurnScore(turn, None, 0.0))
            continue
        top, n = c.most_common(1)[0]
        scores.append(TurnScore(turn, top, n / sum(c.values())))
    return scores


def turns_right(scores: Sequence[TurnScore], min_share: float = 0.95) -> int:
    """Turns whose output is (>= ``min_share``) on the one speaker that person got overall.

    Each reference person is mapped to the output speaker most of their turns went to; two people
    on the same output speaker count as wrong for the one with fewer turns there.
    """
    votes: dict[str, Counter[str]] = {}
    for s in scores:
        if s.speaker is not None:
            votes.setdefault(s.turn.speaker, Counter())[s.speaker] += 1
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for person, c in sorted(votes.items(), key=lambda kv: -kv[1].most_common(1)[0][1]):
        label = c.most_common(1)[0][0]
        if label not in taken:
            mapping[person] = label
            taken.add(label)
    return sum(
        1
        for s in scores
        if s.speaker is not None
        and mapping.get(s.turn.speaker) == s.speaker
        and s.share >= min_share
    )
