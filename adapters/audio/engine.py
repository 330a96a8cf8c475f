"""One recording -> Transcript: decode once, transcribe, diarize, attribute words to speakers.

CPU: the stages run one after the other and the Whisper model is freed before diarization - a
live CTranslate2 model slows torch 2-3x in the same process (both bring their own OpenMP).
CUDA: the two stages overlap in two threads (both release the GIL while the GPU works).
Every finished stage is cached (see :mod:`.cache`).
"""

from __future__ import annotations

import gc
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from importers.attribution import assign_speakers
from importers.model import Segment, SpeakerTurn, Transcript, Word
from importers.settings import state_dir
from importers.source import Source

from . import diarize as dia
from . import transcribe as asr
from .cache import ResultCache
from .decode import SAMPLE_RATE, decode, probe
from .progress import stage
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


def run(source: Source, settings: AudioSettings, times: StageTimes | None = None) -> Transcript:
    """Transcribe (and unless ``diarize`` is off, diarize) one recording."""
    times = times if times is not None else StageTimes()
    duration, created = probe(source.data, source.path)
    wspec = asr.resolve(settings)
    dspec = dia.resolve(settings) if settings.diarize else None
    root = state_dir()
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

    need_dia = dspec is not None and turns is None
    if transcription is None or need_dia:
        t0 = time.perf_counter()
        wav = decode(source.data, source.path)
        times.decode = time.perf_counter() - t0
        seconds = len(wav) / SAMPLE_RATE
        overlap = (
            transcription is None
            and need_dia
            and wspec.device == "cuda"
            and dspec is not None
            and dspec.device == "cuda"
        )
        if overlap and dspec is not None:
            with ThreadPoolExecutor(2) as pool:
                fd = pool.submit(_diarize, dspec, wav, root, times)
                transcription = _transcribe(wspec, wav, times)
                turns = fd.result()
        else:
            if transcription is None:
                transcription = _transcribe(wspec, wav, times)
                gc.collect()  # free the Whisper model before torch runs (see the module docstring)
            if need_dia and dspec is not None:
                turns = _diarize(dspec, wav, root, times)
        if "transcription" not in times.cached:
            cache.put(tkey, transcription.to_json())
        if dkey is not None and turns is not None and "diarization" not in times.cached:
            cache.put(dkey, [[t.start_ms, t.end_ms, t.speaker] for t in turns])
        if not times.cached:
            record_speed(root, settings, seconds, times.decode + times.transcribe + times.diarize)
    return build_transcript(
        transcription, turns, created, diarized=dspec is not None, duration=duration
    )


def _transcribe(spec: asr.WhisperSpec, wav: Any, times: StageTimes) -> asr.Transcription:
    t0 = time.perf_counter()
    with stage("Transcribing", len(wav) / SAMPLE_RATE) as update:
        model = asr.load(spec)
        try:
            result = asr.transcribe(model, spec, wav, update)
        finally:
            del model
    times.transcribe = time.perf_counter() - t0
    return result


def _diarize(
    spec: dia.DiarizationSpec, wav: Any, root: Path, times: StageTimes
) -> list[SpeakerTurn]:
    t0 = time.perf_counter()
    with stage("Diarizing   ", len(wav) / SAMPLE_RATE) as update:
        pipe = _PIPELINES.get(spec)
        if pipe is None:
            pipe = _PIPELINES[spec] = dia.load(spec, root / "models")
        turns = dia.diarize(pipe, spec, wav, update)
    times.diarize = time.perf_counter() - t0
    return turns


def build_transcript(
    transcription: asr.Transcription,
    turns: list[SpeakerTurn] | None,
    created: Any,
    *,
    diarized: bool,
    duration: float | None = None,
) -> Transcript:
    """Whisper segments with speaker-attributed words (turns and labels are the core's)."""
    per_segment: list[tuple[str, int, int, list[Word]]] = []
    for text, start, end, raw_words in transcription.segments:
        words = [Word(w, a, b, None if diarized else SINGLE_SPEAKER) for w, a, b in raw_words]
        if diarized:
            words = assign_speakers(words, turns or [])
        per_segment.append((text, start, end, words))
    segments = [
        Segment(text=text, start_ms=start, end_ms=end, words=tuple(words))
        for text, start, end, words in per_segment
    ]
    return Transcript(
        segments=tuple(segments),
        format="audio",
        started_at=created,
        language=transcription.language,
        # pyannote's labels are arbitrary clusters: normalization numbers the speakers in
        # order of first speech, and no label is taken for a name.
        anonymous_speakers=True,
    )
