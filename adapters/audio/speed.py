"""Measured speed (seconds of work per second of audio), for up-front estimates of a folder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

#: Guesses before anything was measured (2 CPU cores; builtin models measured, others guessed).
DEFAULT_RTF = {"builtin": 0.15, "cpu": 0.6, "cuda": 0.05}
FILE = "audio-speed.json"


def record_speed(root: Path, whisper: str, diarization: str | None, seconds: float, times: Any) -> None:
    """Remember the last measured real-time factor of this model pair."""
    if seconds <= 1 or "transcription" in times.cached:
        return
    path = root / FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    work = times.decode + times.transcribe + times.diarize
    data[f"{whisper}|{diarization}"] = round(work / seconds, 4)
    root.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")


def measured_rtf(root: Path, whisper: str, diarization: str | None) -> float | None:
    try:
        data = json.loads((root / FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    value = data.get(f"{whisper}|{diarization}")
    return float(value) if isinstance(value, int | float) else None
