"""``--diarization FILE.rttm``: give a transcript's words the speakers of a diarization.

For transcripts with times but without (or with poor) speakers: openai-whisper JSON, WhisperX
JSON without ``--diarize``, subtitles. Each word with times takes the speaker of the RTTM turn it
overlaps most (:func:`importers.attribution.assign_speakers`); normalization then builds turns
from the words. A transcript without words is attributed segment by segment the same way.

An RTTM file may describe several recordings (file ids). With one, it applies to any input;
with several, the input's file name without extension picks the recording, unless
``diarization_id`` names one.

The file is read by whichever adapter claims it (:meth:`Adapter.read_speaker_turns`: RTTM is
``adapters.rttm``), so a plugin can add another diarization format.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from importers.attribution import assign_speakers
from importers.errors import ConfigError, InputError
from importers.model import Segment, SpeakerTurn, Transcript, Word
from importers.source import Source

if TYPE_CHECKING:
    from importers.registry import Registry

Diarization = Mapping[str, Sequence[SpeakerTurn]]


def read_diarization(path: Path, registry: Registry, encoding: str | None = None) -> Diarization:
    """The speaker turns of a ``--diarization`` file, read by the adapter that claims it.

    Raises:
        ConfigError: the file cannot be read or detected, or holds no valid turns (the message
            starts with ``--diarization`` and names the file and line).
    """
    source = Source.from_path(path, encoding)
    try:
        return registry.detect(source).read_speaker_turns(source)
    except InputError as exc:
        raise ConfigError(
            f"--diarization {exc.with_path(path) if exc.path is None else exc}"
        ) from None


def select_turns(
    diarization: Diarization, input_path: Path, file_id: str | None = None
) -> Sequence[SpeakerTurn]:
    """The turns for ``input_path``'s recording (see the module docstring).

    Raises:
        InputError: the named (or matching) file id is not in the diarization.
    """
    ids = list(diarization)
    if file_id is not None:
        if file_id not in diarization:
            raise InputError(
                f"diarization has no recording {file_id!r} (it has: {', '.join(ids) or 'none'})",
                path=input_path,
            )
        return diarization[file_id]
    if len(ids) == 1:
        return diarization[ids[0]]
    stem = input_path.name.split(".")[0]
    for candidate in (input_path.stem, stem):
        if candidate in diarization:
            return diarization[candidate]
    raise InputError(
        f"diarization holds several recordings ({', '.join(ids) or 'none'}) and none is named "
        f"{input_path.stem!r}; choose one with --diarization-id",
        path=input_path,
    )


def turns_digest(turns: Sequence[SpeakerTurn]) -> str:
    """A digest of the turns (part of every client_session_id made with them)."""
    h = hashlib.sha256()
    for t in turns:
        h.update(f"{t.start_ms},{t.end_ms},{t.speaker}\n".encode())
    return h.hexdigest()


def _segment_speaker(
    seg: Segment, words: Sequence[Word], turns: Sequence[SpeakerTurn]
) -> str | None:
    if seg.start_ms is not None and seg.end_ms is not None:
        span = Word(seg.text, seg.start_ms, max(seg.end_ms, seg.start_ms))
        return assign_speakers([span], turns)[0].speaker
    counts = Counter(w.speaker for w in words if w.speaker is not None)
    return counts.most_common(1)[0][0] if counts else None


def apply_diarization(transcript: Transcript, turns: Sequence[SpeakerTurn]) -> Transcript:
    """``transcript`` with every word and segment attributed to a diarization speaker.

    Raises:
        InputError: the transcript is a chat (messages have no audio to diarize).
    """
    if transcript.kind != "speech":
        raise InputError("--diarization applies to speech transcripts, not to chat messages")
    if not turns:
        return transcript
    segments = []
    for seg in transcript.segments:
        words = tuple(assign_speakers(seg.words, turns)) if seg.words else ()
        speaker = _segment_speaker(seg, words, turns)
        # A segment the diarization names is no longer anonymous (Otter's "Unknown Speaker").
        anonymous = seg.anonymous and speaker is None
        segments.append(seg._replace(words=words, speaker=speaker, anonymous=anonymous))
    return replace(transcript, segments=tuple(segments))
