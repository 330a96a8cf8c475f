"""Normalization: from what a file says to clean, timed, labelled turns.

Steps, in order (each repair or skip is recorded as a :class:`~importers.model.Repair`):

1. Text: markup and entities stripped, whitespace collapsed (:mod:`importers.text`).
2. Rolling duplicates: live captions (YouTube, some Zoom exports) repeat the previous cue's last
   line at the top of the next, back to back in time; the repeated lines are removed.
3. Cues with no words left are dropped; nothing else ever is.
4. Times: a missing start is estimated from the words before it, a missing end from the next
   start (less a small gap) or the word count; negative starts and ends at or before the start
   are repaired. Speech is assumed at 2.5 words per second (150 wpm).
5. Stable sort by start time.
6. Speakers become ``SPEAKER_NN`` in order of first speech; the source's names stay in the
   speaker map. ``me`` marks the user's segments (the name in full or its first word alone,
   as Omi matches the owner: :func:`importers.names.is_me`; as do the transcript's
   ``user_speakers``: the speakers its source says are the user), ``people`` maps names to Omi
   person ids. An
   anonymous segment (``Segment.anonymous``: Otter's ``Unknown Speaker``) is a speaker of its
   own, without a name, never the user and never a person.
7. Turns: consecutive segments of one speaker merge (pause <= ``max_pause_ms``, length <=
   ``max_turn_ms``); anonymous segments never merge. Word-level input (WhisperX words with
   speakers) is regrouped from the words by :func:`importers.turns.words_to_turns`.
   ``merge=False`` keeps the source's cues one to one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from importers.errors import EmptyTranscriptError
from importers.model import NormalizedTranscript, Repair, Segment, Transcript, Turn
from importers.names import is_me
from importers.text import clean_lines, word_count
from importers.turns import TimedWord, fill_word_times, words_to_turns

WORDS_PER_SECOND = 2.5
MIN_DURATION_MS = 300
GAP_MS = 100
ROLLING_CONTIGUITY_MS = 20

#: Human text for every repair reason, one and several (the convert output and notes use it).
REPAIR_REASONS: dict[str, tuple[str, str]] = {
    "empty_cue_dropped": ("cue without text dropped", "cues without text dropped"),
    "markup_only_cue_dropped": (
        "cue with only markup (no words) dropped",
        "cues with only markup (no words) dropped",
    ),
    "rolling_duplicate_removed": (
        "line repeated from the previous caption removed",
        "lines repeated from the previous caption removed",
    ),
    "duplicate_cue_dropped": (
        "cue repeating the previous caption dropped",
        "cues repeating the previous caption dropped",
    ),
    "zero_length": ("zero-length cue given a duration", "zero-length cues given a duration"),
    "end_before_start": ("end before start repaired", "ends before start repaired"),
    "negative_start": ("negative start moved to 0", "negative starts moved to 0"),
    "start_estimated": (
        "missing start time estimated from word counts",
        "missing start times estimated from word counts",
    ),
    "end_estimated": ("missing end time estimated", "missing end times estimated"),
    "word_time_estimated": (
        "word without times placed between its neighbours",
        "words without times placed between their neighbours",
    ),
    "timing_text_ignored": (
        "text after a timestamp ignored",
        "texts after timestamps ignored",
    ),
    "time_field_overflow": (
        "time with minutes or seconds of 60 or more read as carrying over",
        "times with minutes or seconds of 60 or more read as carrying over",
    ),
    "block_skipped": ("block that is not a cue skipped", "blocks that are not cues skipped"),
    "voice_spans_merged": (
        "cue with several voices attributed to its first voice",
        "cues with several voices attributed to their first voice",
    ),
    "footer_skipped": ("export footer (not speech) skipped", "export footers (not speech) skipped"),
    "heading_skipped": (
        "heading (a summary or chapter title, not speech) skipped",
        "headings (summary or chapter titles, not speech) skipped",
    ),
    "name_time_disagrees": (
        "file name's time disagreeing with the times inside: the times inside used",
        "file names' times disagreeing with the times inside: the times inside used",
    ),
    "header_skipped": (
        "document header (title, date, attendees, notes) skipped",
        "document headers (title, date, attendees, notes) skipped",
    ),
    "start_interpolated": (
        "start spread over its timestamp block by word count",
        "starts spread over their timestamp blocks by word count",
    ),
    "notice_skipped": (
        "transcription notice (started/stopped transcription) skipped",
        "transcription notices (started/stopped transcription) skipped",
    ),
    "private_message_kept": (
        "private/direct chat message kept, marked as private",
        "private/direct chat messages kept, marked as private",
    ),
    "private_message_skipped": (
        "private/direct chat message skipped (--skip-private)",
        "private/direct chat messages skipped (--skip-private)",
    ),
}


@dataclass(frozen=True)
class NormalizeOptions:
    """How to normalize. Every field maps to a CLI flag."""

    merge: bool = True
    max_pause_ms: int = 2000
    max_turn_ms: int = 60000
    me: tuple[str, ...] = ()
    people: Mapping[str, str] = field(default_factory=dict)


def estimate_ms(text: str) -> int:
    """How long ``text`` takes to say, at 150 words per minute (at least 300 ms)."""
    return max(MIN_DURATION_MS, round(word_count(text) / WORDS_PER_SECOND * 1000))


def _clean(
    segments: Sequence[Segment], repairs: list[Repair], *, markup: bool = True
) -> list[tuple[Segment, list[str]]]:
    """Strip markup and rolling duplicates; drop cues with no words (steps 1-3).

    ``markup=False`` (chat messages): a ``<b>`` or ``&amp;`` someone typed is text, not markup.
    """
    kept: list[tuple[Segment, list[str]]] = []
    prev: tuple[Segment, list[str]] | None = None
    for seg in segments:
        lines = clean_lines(seg.text, markup=markup)
        if (
            prev is not None
            and lines
            and _contiguous(prev[0], seg)
            and prev[0].speaker == seg.speaker
        ):
            k = _rolling_overlap(prev[1], lines)
            if k == len(lines):
                # The caption stayed on screen: its time joins the cue it repeats.
                repairs.append(Repair("duplicate_cue_dropped", seg.line))
                if seg.end_ms is not None and (prev[0].end_ms or 0) < seg.end_ms:
                    prev = (prev[0]._replace(end_ms=seg.end_ms), prev[1])
                    kept[-1] = prev
                continue
            if k:
                repairs.extend(Repair("rolling_duplicate_removed", seg.line) for _ in range(k))
                lines = lines[k:]
        if not lines and not any(w.text.strip() for w in seg.words):
            reason = "markup_only_cue_dropped" if seg.text.strip() else "empty_cue_dropped"
            repairs.append(Repair(reason, seg.line))
            continue
        item = (seg, lines)
        kept.append(item)
        prev = item
    return kept


def _with_text(seg: Segment, lines: list[str]) -> Segment:
    """``seg`` with its cleaned text (the same object when cleaning changed nothing)."""
    if not lines:
        return seg
    text = lines[0] if len(lines) == 1 else " ".join(lines)
    return seg if text == seg.text else seg._replace(text=text)


def _contiguous(a: Segment, b: Segment) -> bool:
    if a.end_ms is None or b.start_ms is None:
        return False
    return abs(b.start_ms - a.end_ms) <= ROLLING_CONTIGUITY_MS


def _rolling_overlap(prev_lines: list[str], lines: list[str]) -> int:
    """Largest k such that the first k lines repeat the previous cue's last k lines."""
    for k in range(min(len(prev_lines), len(lines)), 0, -1):
        if prev_lines[-k:] == lines[:k]:
            return k
    return 0


def _next_starts(segments: Sequence[Segment]) -> list[int | None]:
    """For each segment, the start of the next one (in file order) that has a start."""
    out: list[int | None] = [None] * len(segments)
    nxt: int | None = None
    for i in range(len(segments) - 1, -1, -1):
        out[i] = nxt
        if segments[i].start_ms is not None:
            nxt = segments[i].start_ms
    return out


def _fill_times(
    segments: list[Segment], repairs: list[Repair], *, messages: bool = False
) -> list[Segment]:
    """Estimate missing times and repair impossible ones (step 4), in file order.

    A missing end (start-only formats: Zoom captions, Otter) becomes the next segment's start
    less ``GAP_MS``, but at most twice the spoken estimate plus 5 s, so a long silence before the
    next speaker is not counted as speech; where the next start leaves no room (entries sharing a
    second) or there is no next segment, the words-per-second estimate. Chat messages
    (``messages=True``) are instants: a missing end is the start, and that is not an estimate.
    """
    out: list[Segment] = []
    clock = 0  # where the previous segment ended, for estimating missing starts
    next_starts = _next_starts(segments)
    for i, seg in enumerate(segments):
        start, end = seg.start_ms, seg.end_ms
        if start is None:
            start = clock + (GAP_MS if out else 0)
            repairs.append(Repair("start_estimated", seg.line))
        if start < 0:
            repairs.append(Repair("negative_start", seg.line))
            end = None if end is None else max(0, end - start) if end <= 0 else end
            start = 0
        if end is None and messages:
            end = start
        elif end is None:
            spoken = estimate_ms(seg.text)
            nxt = next_starts[i]
            if nxt is not None and nxt - GAP_MS > start:
                end = min(nxt - GAP_MS, start + 2 * spoken + 5000)
            else:
                end = start + spoken
            repairs.append(Repair("end_estimated", seg.line))
        elif end == start:
            end = start + estimate_ms(seg.text)
            repairs.append(Repair("zero_length", seg.line))
        elif end < start:
            end = start + estimate_ms(seg.text)
            repairs.append(Repair("end_before_start", seg.line))
        clock = end
        changed = start != seg.start_ms or end != seg.end_ms
        out.append(seg._replace(start_ms=start, end_ms=end) if changed else seg)
    return out


def _label_speakers(segments: Iterable[Segment]) -> tuple[list[str], dict[str, str | None]]:
    """Each segment's ``SPEAKER_NN`` label, and the speaker map (label -> the source's name)."""
    by_name: dict[str | None, str] = {}
    speakers: dict[str, str | None] = {}
    labels: list[str] = []
    for seg in segments:
        label = None if seg.anonymous else by_name.get(seg.speaker)
        if label is None:
            label = f"SPEAKER_{len(speakers):02d}"
            speakers[label] = seg.speaker
            if not seg.anonymous:
                by_name[seg.speaker] = label
        labels.append(label)
    return labels, speakers


def _word_level(segments: Sequence[Segment]) -> bool:
    return any(w.speaker is not None for s in segments for w in s.words)


def _turns_from_words(
    segments: Sequence[Segment], options: NormalizeOptions, repairs: list[Repair]
) -> list[Segment]:
    words: list[TimedWord] = []
    for seg in segments:
        assert seg.start_ms is not None and seg.end_ms is not None
        if not seg.words:
            words.append(TimedWord(seg.text, seg.start_ms, seg.end_ms, seg.speaker, seg.line))
            continue
        timed, estimated = fill_word_times(seg.words, seg.start_ms, seg.end_ms, seg.line)
        repairs.extend(Repair("word_time_estimated", seg.line) for _ in range(estimated))
        # A word without a speaker (WhisperX leaves some) takes its segment's speaker.
        if all(w.speaker is not None for w in timed):
            words.extend(timed)
        else:
            speaker = seg.speaker
            words.extend(w if w.speaker is not None else w._replace(speaker=speaker) for w in timed)
    words.sort(key=lambda w: w.start_ms)
    return words_to_turns(words, max_pause_ms=options.max_pause_ms, max_turn_ms=options.max_turn_ms)


def _merge(segments: Sequence[Segment], options: NormalizeOptions) -> list[Segment]:
    out: list[Segment] = []
    for seg in segments:
        assert seg.start_ms is not None and seg.end_ms is not None
        if out:
            last = out[-1]
            assert last.start_ms is not None and last.end_ms is not None
            if (
                seg.speaker == last.speaker
                and not (seg.anonymous or last.anonymous)
                and seg.start_ms - last.end_ms <= options.max_pause_ms
                and max(seg.end_ms, last.end_ms) - last.start_ms <= options.max_turn_ms
            ):
                out[-1] = last._replace(
                    text=f"{last.text} {seg.text}",
                    end_ms=max(last.end_ms, seg.end_ms),
                    words=(),
                )
                continue
        out.append(seg)
    return out


def normalize(
    transcript: Transcript, options: NormalizeOptions | None = None
) -> NormalizedTranscript:
    """Clean, repair, sort, label and merge a transcript (see the module docstring).

    Raises:
        EmptyTranscriptError: no segment has any words.
    """
    options = options or NormalizeOptions()
    repairs: list[Repair] = list(transcript.repairs)
    messages = transcript.kind == "messages"
    cleaned = _clean(transcript.segments, repairs, markup=not messages)
    if not cleaned:
        raise EmptyTranscriptError("no cue with any words in it")
    segments = [_with_text(seg, lines) for seg, lines in cleaned]
    segments = _fill_times(segments, repairs, messages=messages)
    segments.sort(key=lambda s: s.start_ms or 0)

    if transcript.kind == "speech" and options.merge:
        if _word_level(segments):
            segments = _turns_from_words(segments, options, repairs)
        else:
            segments = _merge(segments, options)

    labels, speakers = _label_speakers(segments)
    # A diarization's cluster labels (the audio adapter's) are no names: only the SPEAKER_NN
    # labels given out here can be matched by --me / --people, and the map names nobody.
    named = not transcript.anonymous_speakers
    if not named:
        speakers = dict.fromkeys(speakers)
    people = {k.casefold(): v for k, v in options.people.items()}
    me = (*options.me, *transcript.user_speakers)  # --me, and whom the source says is the user
    who: dict[str, tuple[str, int, bool, str | None]] = {}  # per label, not per segment
    turns: list[Turn] = []
    for seg, label in zip(segments, labels, strict=True):
        if label not in who:
            name = seg.speaker if named else None
            who[label] = (
                label,
                int(label.removeprefix("SPEAKER_")),
                # An anonymous segment: nobody is known to have said it, not the user, not a
                # person.
                not seg.anonymous and is_me(name, label, me),
                None if seg.anonymous else people.get((name or label).casefold()),
            )
        turns.append(Turn(seg.text, seg.start_ms, seg.end_ms, *who[label]))  # type: ignore[arg-type]
    known = {k.casefold() for pair in speakers.items() for k in pair if k}
    unmatched = tuple(
        w for w in options.me if not any(is_me(n, label, (w,)) for label, n in speakers.items())
    ) + tuple(w for w in options.people if w.casefold() not in known)
    return NormalizedTranscript(
        turns=tuple(turns),
        speakers=speakers,
        repairs=tuple(repairs),
        kind=transcript.kind,
        unmatched=unmatched,
    )


def describe(reason: str, count: int) -> str:
    """What a repair did, in words, for ``count`` of them (``"2 cues without text dropped"``
    reads ``count`` then this)."""
    one, many = REPAIR_REASONS.get(reason, (reason.replace("_", " "),) * 2)
    return one if count == 1 else many


def summarize_repairs(repairs: Iterable[Repair]) -> list[dict[str, object]]:
    """Group repairs by reason: ``[{"reason", "message", "count", "lines"}]``, sorted by reason."""
    groups: dict[str, list[int]] = {}
    counts: dict[str, int] = {}
    for r in repairs:
        counts[r.reason] = counts.get(r.reason, 0) + 1
        lines = groups.setdefault(r.reason, [])
        if r.line is not None and (not lines or lines[-1] != r.line):
            lines.append(r.line)
    return [
        {
            "reason": reason,
            "message": describe(reason, counts[reason]),
            "count": counts[reason],
            "lines": groups[reason],
        }
        for reason in sorted(counts)
    ]
