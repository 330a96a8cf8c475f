"""Decode any audio/video file PyAV reads to 16 kHz mono float32, in memory, once.

Both models take this same waveform: faster-whisper directly, pyannote as
``{"waveform": tensor(1, n), "sample_rate": 16000}`` - so pyannote never needs torchcodec or a
system FFmpeg (PyAV bundles its own).
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from typing import Any

from importers.errors import InputError

from .deps import require

SAMPLE_RATE = 16000
#: Container/stream tags that hold a recording's creation time (MP4/MOV, Matroska, Vorbis, ID3).
CREATION_TAGS = ("creation_time", "date", "creation_date", "com.apple.quicktime.creationdate")


def decode(data: bytes, path: Path) -> Any:
    """Return the audio as a float32 numpy array at 16 kHz mono.

    Raises:
        InputError: PyAV cannot decode the file (not audio, corrupt, no audio stream).
    """
    fw_audio = require("faster_whisper.audio")
    av = require("av")
    try:
        wav = fw_audio.decode_audio(io.BytesIO(data), sampling_rate=SAMPLE_RATE)
    except (av.error.FFmpegError, ValueError, IndexError, StopIteration) as exc:
        raise InputError(f"cannot decode audio: {exc}", path=path) from None
    if wav.size == 0:
        raise InputError("no audio in file", path=path)
    return wav


def probe(media: bytes | Path, path: Path) -> tuple[float | None, datetime | None]:
    """The duration in seconds (from the container) and the creation time, if present.

    ``media`` is the recording's bytes, or its path (then only the header is read).
    """
    av = require("av")
    try:
        with av.open(io.BytesIO(media) if isinstance(media, bytes) else str(media)) as container:
            duration = container.duration / 1_000_000 if container.duration else None
            tags = [dict(container.metadata)] + [dict(s.metadata) for s in container.streams]
    except av.error.FFmpegError as exc:
        raise InputError(f"cannot decode audio: {exc}", path=path) from None
    return duration, creation_time(tags)


def creation_time(tag_sets: list[dict[str, str]]) -> datetime | None:
    """The first parseable creation time among the tags (ISO 8601; ``Z`` allowed)."""
    for tags in tag_sets:
        lowered = {k.lower(): v for k, v in tags.items()}
        for key in CREATION_TAGS:
            value = lowered.get(key, "").strip()
            if len(value) < 10:  # a bare year ("2024") is not a start time
                continue
            try:
                when = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                continue
            if when.year > 1971:  # 1970/1904 epochs mean "unset" in many muxers
                return when
    return None
