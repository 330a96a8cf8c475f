"""One recording -> Transcript: load both models, decode once, transcribe, diarize, attribute
words to speakers. The models load first so that one that cannot (a missing token, a wrong name)
stops the run in seconds, before any slow work.

CPU: the stages run one after the other and the Whisper model is freed before diarization - a
live CTranslate2 model slows torch 2-3x in the same process (both bring their own OpenMP).
CUDA: the two stages overlap in two threads (both release the GIL while the GPU works).
Every finished stage is cached (see :mod:`.cache`).

Models load once per process where they can stay: the diarization pipeline always, the Whisper
model on CUDA and when CTranslate2 runs on one thread (a Dask worker's share, ``--dask``), where
a live model does not slow torch: diarizing 3 minutes on one thread took 6.0 s with it live and
6.5 s with it freed (medians of 3, builtin models).
"""

from __future__ import annotations

import gc
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from importers.attribution import assign_speakers, fit_to_speech, span_turns
from importers.model import Segment, SpeakerTurn, Transcript, Word
from importers.private import private_state
from importers.source import Source
from importers.stages import stage
from importers.state import state_dir
from importers.turns import TimedWord, fill_word_times, settle

from . import diarize as dia
from . import transcribe as asr
from .cache import ResultCache
from .decode import SAMPLE_RATE, decode, probe
from .devices import cpu_threads
from .loudness import normalize_loudness
from .settings import AudioSettings
from .speed import record_speed

SINGLE_SPEAKER = "SPEAKER_00"


@dataclass
class StageTimes:
    """Wall seconds per stage of the last run (for the benchmark); cached stages stay 0."""

    decode: float = 0.0
    transcribe: float = 0.0
    diarize: float = 0.0
    cached: list[str] = field(default_factory=list)


_PIPELINES: dict[dia.DiarizationSpec, Any] = {}  # diarization pipelines reused across files
_MODELS: dict[asr.WhisperSpec, Any] = {}  # Whisper models reused across files (module doc)


def run(source: Source, settings: AudioSettings, times: StageTimes | None = None) -> Transcript:
    """Transcribe (and unless ``diarize`` is off, diarize) one recording."""
    times = times if times is not None else StageTimes()
    duration, created = probe(source.data, source.path)
    wspec = asr.resolve(settings)
    dspec = dia.resolve(settings) if settings.diarize else None
    root = state_dir()
    private_state(root)
    cache = ResultCache(root / "audio-cache")
    tkey = cache.key(source.sha256, "transcription", wspec.identity())
    dkey = cache.key(source.sha256, "diarization", dspec.identity()) if dspec else None
    found = cache.get(tkey)
    transcription = asr.Transcription.from_json(found) if found else None
    turns: list[SpeakerTurn] | None = None
    if dkey is not None and (raw := cache.get(dkey)) is not None:
        turns = [SpeakerTurn(a, b, s) for a, b, s in raw]
    times.cached = [
        n for n, v in (("transcription", transcription), ("diarization", turns)) if v is not None
    ]

    if transcription is None or (dspec is not None and turns is None):
        done, new_turns, seconds = _work(
            source, wspec, dspec if turns is None else None, transcription, root, times
        )
        if transcription is None:
            cache.put(tkey, done.to_json())
        if dkey is not None and turns is None and new_turns is not None:
            cache.put(dkey, [[t.start_ms, t.end_ms, t.speaker] for t in new_turns])
            turns = new_turns
        transcription = done
        if not times.cached:
            record_speed(root, settings, seconds, times.decode + times.transcribe + times.diarize)
    return build_transcript(
        transcription, turns, created, diarized=dspec is not None, duration=duration
    )


def _work(
    source: Source,
    wspec: asr.WhisperSpec,
    dspec: dia.DiarizationSpec | None,
    transcription: asr.Transcription | None,
    root: Path,
    times: StageTimes,
) -> tuple[asr.Transcription, list[SpeakerTurn] | None, float]:
    """Transcribe (unless ``transcription`` is given) and diarize (when ``dspec`` is given)."""
    # Every model this file needs is loaded before the slow work: a missing token or model is
    # known in seconds, not after the transcription.
    t0 = time.perf_counter()
    pipe = _pipeline(dspec, root) if dspec is not None else None
    t1 = time.perf_counter()
    model = _whisper(wspec) if transcription is None else None
    t2 = time.perf_counter()
    times.diarize, times.transcribe = t1 - t0, t2 - t1
    wav, _ = normalize_loudness(decode(source.data, source.path))
    times.decode = time.perf_counter() - t2
    seconds = len(wav) / SAMPLE_RATE
    if model is not None and dspec is not None and _overlap(wspec, dspec):
        with ThreadPoolExecutor(2) as pool:
            turns = pool.submit(_diarize, pipe, dspec, wav, times)
            return _transcribe(model, wspec, wav, times), turns.result(), seconds
    if model is not None:
        transcription = _transcribe(model, wspec, wav, times)
        del model
        gc.collect()  # free the Whisper model before torch runs, unless kept (module doc)
    assert transcription is not None  # given, or made just above
    if dspec is None:
        return transcription, None, seconds
    return transcription, _diarize(pipe, dspec, wav, times), seconds


def _overlap(wspec: asr.WhisperSpec, dspec: dia.DiarizationSpec) -> bool:
    """Both stages on the GPU: run them at once (see the module docstring)."""
    return wspec.device == "cuda" and dspec.device == "cuda"


def _whisper(spec: asr.WhisperSpec) -> Any:
    model = _MODELS.get(spec)
    if model is None:
        model = asr.load(spec)
        if spec.device == "cuda" or cpu_threads() == 1:
            _MODELS[spec] = model
    return model


def _pipeline(spec: dia.DiarizationSpec, root: Path) -> Any:
    pipe = _PIPELINES.get(spec)
    if pipe is None:
        pipe = _PIPELINES[spec] = dia.load(spec, root / "models")
    return pipe


def _transcribe(
    model: Any, spec: asr.WhisperSpec, wav: Any, times: StageTimes
) -> asr.Transcription:
    t0 = time.perf_counter()
    with stage("Transcribing", len(wav) / SAMPLE_RATE) as update:
        result = asr.transcribe(model, spec, wav, update)
    times.transcribe += time.perf_counter() - t0
    return result


def _diarize(
    pipe: Any, spec: dia.DiarizationSpec, wav: Any, times: StageTimes
) -> list[SpeakerTurn]:
    t0 = time.perf_counter()
    with stage("Diarizing   ", len(wav) / SAMPLE_RATE) as update:
        turns = dia.diarize(pipe, spec, wav, update)
    times.diarize += time.perf_counter() - t0
    return turns


def build_transcript(
    transcription: asr.Transcription,
    turns: list[SpeakerTurn] | None,
    created: Any,
    *,
    diarized: bool,
    duration: float | None = None,
) -> Transcript:
    """Whisper's segments cut into one segment per speaker, each word on the diarization turn it
    falls in (turns and labels are the core's).

    Each word takes the speaker of the turn it overlaps most (:mod:`importers.attribution`);
    a sentence's single stray word then takes the sentence's speaker (:func:`importers.turns.
    settle`, over the whole recording: Whisper's segments end mid-sentence). Every Whisper
    segment is cut where the speaker changes, so no segment spans two voices, also with
    ``--no-merge``. A segment's times are its words', and the words' follow the diarization,
    which places speech far better than a small model's word times do: a word stays inside the
    speech the diarization found (:func:`importers.attribution.fit_to_speech`: Whisper's times
    reach into the silence around it), and the words on one turn of their speaker reach its
    edges (:func:`importers.attribution.span_turns`: Whisper's words end early, many at zero
    length, and turns built from them left much of each voice's speech unclaimed).
    """
    words: list[TimedWord] = []
    bounds: list[int] = []  # index of each Whisper segment's first word
    for text, start, end, raw_words in transcription.segments:
        bounds.append(len(words))
        # A segment without word times (none seen from faster-whisper with word timestamps on)
        # is one long word: attributed like the others, never dropped.
        timed = raw_words or ([(text, start, end)] if text.strip() else [])
        labelled = [Word(w, a, b, None if diarized else SINGLE_SPEAKER) for w, a, b in timed]
        if diarized:
            labelled = assign_speakers(fit_to_speech(labelled, turns or []), turns or [])
        words.extend(fill_word_times(labelled, start, end)[0])
    words = settle(words)
    if diarized:
        words = span_turns(words, turns or [])
    segments: list[Segment] = []
    for i, first in enumerate(bounds):
        last = bounds[i + 1] if i + 1 < len(bounds) else len(words)
        piece: list[TimedWord] = []
        for w in words[first:last]:
            if piece and w.speaker != piece[-1].speaker:
                segments.append(_segment(piece))
                piece = []
            piece.append(w)
        if piece:
            segments.append(_segment(piece))
    return Transcript(
        segments=tuple(segments),
        format="audio",
        started_at=created,
        language=transcription.language,
        # pyannote's labels are arbitrary clusters: normalization numbers the speakers in
        # order of first speech, and no label is taken for a name.
        anonymous_speakers=True,
    )


def _segment(words: list[TimedWord]) -> Segment:
    return Segment(
        text=" ".join(w.text for w in words),
        start_ms=words[0].start_ms,
        end_ms=max(w.end_ms for w in words),
        speaker=words[0].speaker,
        words=tuple(Word(w.text, w.start_ms, w.end_ms, w.speaker) for w in words),
    )
