"""The normalized model every adapter produces and everything after it consumes.

Times are integer milliseconds (``*_ms``) so that golden files are stable; the only conversion
to the API's float seconds happens in :mod:`importers.conversion.payload`.

``None`` times are allowed in what an adapter returns (start-only formats such as Zoom captions
and Otter have no end times; Otter exports without timestamps have neither): normalization fills
them with estimates and counts every estimate as a repair.

The records made by the hundred thousand (words, segments, turns, repairs) are immutable named
tuples: as immutable as frozen dataclasses, and made in a third of the time (a frozen dataclass
sets each field through ``object.__setattr__``), which a 100,000-cue file notices. Change one
with ``record._replace(field=value)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, NamedTuple

TranscriptKind = Literal["speech", "messages"]


class Word(NamedTuple):
    """One word with optional times and an optional speaker label (WhisperX, audio)."""

    text: str
    start_ms: int | None = None
    end_ms: int | None = None
    speaker: str | None = None


class Segment(NamedTuple):
    """One cue / utterance / message as the source has it.

    ``speaker`` is the source's own label or display name (``"Alice"``, ``"SPEAKER_01"``), or
    ``None`` when the source does not say. ``line`` is the 1-based line of the source where the
    segment begins, used in messages and repairs.

    ``anonymous`` (with ``speaker=None``): the source says that *someone* spoke here but not who,
    and that it need not be the same person as in any other such segment (Otter's ``Unknown
    Speaker``). Normalization gives each anonymous segment a speaker label of its own, with no
    name, never merges it with a neighbour, and never matches it to ``--me`` or ``--people``.
    Plain ``speaker=None`` segments (a file without speakers) stay one unnamed speaker.
    """

    text: str
    start_ms: int | None
    end_ms: int | None
    speaker: str | None = None
    words: tuple[Word, ...] = ()
    line: int | None = None
    anonymous: bool = False


class SpeakerTurn(NamedTuple):
    """One diarization turn: who spoke from ``start_ms`` to ``end_ms`` (no words)."""

    start_ms: int
    end_ms: int
    speaker: str


class Repair(NamedTuple):
    """Something normalization or an adapter changed or dropped, so it can be reported."""

    reason: str
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Transcript:
    """What one input file says: segments plus when it happened and in which language.

    ``kind`` is ``"speech"`` for transcripts (posted as segments) and ``"messages"`` for chats
    (posted as text, since messages are not speech); ``text_source_spec`` says where messages
    come from (``"zoom_chat"``). ``anonymous_speakers``: the speaker labels are clusters a
    diarization made up (the audio adapter's), not names the source gave, so the speaker map
    shows no name for them and ``--me`` matches only the ``SPEAKER_NN`` labels given out.
    ``user_speakers``: the source's names of the speakers who are the user, when the source
    says (a Limitless pendant's wearer): their segments are ``is_user`` as if named by ``--me``.
    """

    segments: tuple[Segment, ...]
    format: str
    started_at: datetime | None = None
    language: str | None = None
    repairs: tuple[Repair, ...] = ()
    kind: TranscriptKind = "speech"
    text_source_spec: str | None = None
    anonymous_speakers: bool = False
    user_speakers: tuple[str, ...] = ()


class Turn(NamedTuple):
    """A normalized segment, ready for the API: labelled speaker, repaired times."""

    text: str
    start_ms: int
    end_ms: int
    speaker: str  # SPEAKER_NN
    speaker_id: int
    is_user: bool = False
    person_id: str | None = None


@dataclass(frozen=True, slots=True)
class NormalizedTranscript:
    """The result of normalization: turns in time order and the speaker map.

    ``unmatched``: the ``--me`` / ``--people`` names that match no speaker of this transcript
    (a typo, or someone not in this meeting), so the user can be told instead of nothing
    happening.
    """

    turns: tuple[Turn, ...]
    speakers: dict[str, str | None]  # SPEAKER_NN -> the source's name (None when it had none)
    repairs: tuple[Repair, ...]
    kind: TranscriptKind = "speech"
    unmatched: tuple[str, ...] = ()
