"""The audio options a user can set, read from ``ParseOptions.extra`` (the CLI's audio flags).

Only the options a user actually set go into ``extra`` (and so into the client_session_id); the
defaults live here. Light module: imports nothing heavy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from importers.errors import ConfigError

BUILTIN = "builtin"
#: The default speech model: ``auto`` means large-v3-turbo on CUDA, small on CPU (README).
DEFAULT_WHISPER_MODEL = "auto"
CPU_WHISPER_MODEL = "small"
GPU_WHISPER_MODEL = "large-v3-turbo"
DEFAULT_DIARIZATION_MODEL = "pyannote/speaker-diarization-community-1"
DEVICES = ("auto", "cpu", "cuda")
COMPUTE_TYPES = ("auto", "int8", "int8_float16", "int8_float32", "float16", "bfloat16", "float32")

#: extra key -> CLI flag (for messages)
KEYS = {
    "whisper_model": "--whisper-model",
    "diarization_model": "--diarization-model",
    "device": "--device",
    "compute_type": "--compute-type",
    "num_speakers": "--num-speakers",
    "min_speakers": "--min-speakers",
    "max_speakers": "--max-speakers",
    "diarize": "--no-diarize",
    "batch_size": "--batch-size",
    "beam_size": "--beam-size",
    "diarization_step": "--diarization-step",
}


@dataclass(frozen=True)
class AudioSettings:
    """Resolved audio options (``device`` may still be ``auto``; see :mod:`.devices`)."""

    whisper_model: str = DEFAULT_WHISPER_MODEL
    diarization_model: str = DEFAULT_DIARIZATION_MODEL
    device: str = "auto"
    compute_type: str = "auto"
    language: str | None = None
    num_speakers: int | None = None
    min_speakers: int | None = None
    max_speakers: int | None = None
    diarize: bool = True
    batch_size: int | None = None  # None: 16 on CUDA, unbatched (0) on CPU
    beam_size: int | None = None  # None: 5 on CUDA, 1 (greedy) on CPU
    diarization_step: float | None = None  # None: the pipeline's own (builtin: see .builtin)

    @classmethod
    def from_extra(cls, extra: Mapping[str, object], language: str | None = None) -> AudioSettings:
        """Read and check the audio keys of ``extra`` (unknown keys belong to other adapters)."""
        s = cls(
            whisper_model=_str(extra, "whisper_model", DEFAULT_WHISPER_MODEL),
            diarization_model=_str(extra, "diarization_model", DEFAULT_DIARIZATION_MODEL),
            device=_choice(extra, "device", DEVICES),
            compute_type=_choice(extra, "compute_type", COMPUTE_TYPES),
            language=language,
            num_speakers=_int(extra, "num_speakers"),
            min_speakers=_int(extra, "min_speakers"),
            max_speakers=_int(extra, "max_speakers"),
            diarize=bool(extra.get("diarize", True)),
            batch_size=_int(extra, "batch_size", minimum=0),
            beam_size=_int(extra, "beam_size"),
            diarization_step=_step(extra),
        )
        if s.num_speakers is not None and (
            s.min_speakers is not None or s.max_speakers is not None
        ):
            raise ConfigError(
                "--num-speakers cannot be combined with --min-speakers/--max-speakers"
            )
        if (
            s.min_speakers is not None
            and s.max_speakers is not None
            and s.min_speakers > s.max_speakers
        ):
            raise ConfigError("--min-speakers is larger than --max-speakers")
        return s


def _str(extra: Mapping[str, object], key: str, default: str) -> str:
    value = extra.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{KEYS[key]} needs a value")
    return value.strip()


def _choice(extra: Mapping[str, object], key: str, choices: tuple[str, ...]) -> str:
    value = extra.get(key, "auto")
    if value not in choices:
        raise ConfigError(f"{KEYS[key]} must be one of {', '.join(choices)}, not {value!r}")
    return str(value)


def _int(extra: Mapping[str, object], key: str, minimum: int = 1) -> int | None:
    value = extra.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ConfigError(f"{KEYS[key]} must be a whole number >= {minimum}, not {value!r}")
    return value


def _step(extra: Mapping[str, object]) -> float | None:
    value = extra.get("diarization_step")
    if value is None:
        return None
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0.01 <= value <= 1:
        raise ConfigError(f"--diarization-step must be between 0.01 and 1, not {value!r}")
    return float(value)
