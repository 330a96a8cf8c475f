"""An up-front estimate for a batch of recordings: total audio length x measured speed."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from importers.errors import ImporterError, MissingDependencyError
from importers.state import state_dir
from importers.wording import count

from .decode import probe
from .deps import require
from .settings import AudioSettings
from .speed import expected_rtf


def _clock(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def batch_estimate(files: Sequence[Path], settings: AudioSettings) -> str | None:
    """One line for the user, or None when PyAV is not installed (the conversion says so).

    Each file's duration comes from its container's header (nothing is decoded).
    """
    try:
        require("av")
    except MissingDependencyError:  # the conversion itself will say what to install
        return None
    total = 0.0
    unknown = 0
    for path in files:
        try:
            duration, _ = probe(path, path)
        except (ImporterError, OSError):
            duration = None
        if duration is None:
            unknown += 1
        else:
            total += duration
    rtf, measured = expected_rtf(state_dir(), settings)
    how = "at the speed measured here" if measured else "a first guess until one file is done"
    extra = f" ({unknown} of unknown length)" if unknown else ""
    work = "transcribe and diarize" if settings.diarize else "transcribe"
    return (
        f"Audio: {count(len(files), 'file')}, {_clock(total)} of audio{extra}; "
        f"about {_clock(total * rtf)} to {work} "
        f"({rtf:.2f} x real time, {how}; finished files are cached)"
    )
