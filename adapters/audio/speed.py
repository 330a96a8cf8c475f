"""Measured speed (seconds of work per second of audio), for up-front estimates of a folder."""

from __future__ import annotations

import json
from pathlib import Path

from .cache import write_json
from .settings import BUILTIN, AudioSettings

#: First guesses, before anything was measured on this machine (2 CPU cores: builtin measured,
#: the others guessed from faster-whisper's published CPU/GPU figures).
FIRST_GUESS = {"builtin": 0.12, "cpu": 1.0, "cuda": 0.08}
FILE = "audio-speed.json"


def speed_key(settings: AudioSettings) -> str:
    diarization = settings.diarization_model if settings.diarize else "-"
    return f"{settings.whisper_model}|{diarization}|{settings.device}"


def record_speed(
    root: Path, settings: AudioSettings, audio_seconds: float, work_seconds: float
) -> None:
    """Remember the last measured real-time factor of these settings."""
    if audio_seconds <= 1:
        return
    path = root / FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    data[speed_key(settings)] = round(work_seconds / audio_seconds, 4)
    write_json(path, data, indent=1)


def expected_rtf(root: Path, settings: AudioSettings) -> tuple[float, bool]:
    """The real-time factor to expect, and whether it was measured here (else a first guess)."""
    try:
        value = json.loads((root / FILE).read_text(encoding="utf-8")).get(speed_key(settings))
    except (OSError, ValueError, AttributeError):
        value = None
    if isinstance(value, int | float):
        return float(value), True
    if settings.whisper_model == BUILTIN:
        return FIRST_GUESS["builtin"], False
    return FIRST_GUESS["cuda" if settings.device == "cuda" else "cpu"], False
