"""Audio and video recordings: faster-whisper + pyannote.audio -> speaker-attributed segments.

This module is light: the heavy stack (torch, faster-whisper, pyannote) is imported inside
:meth:`AudioAdapter.parse` only, and a missing extra is a :class:`MissingDependencyError` that
names the pip command. Model and dependency errors name the file they stopped at and point to
``omi-import doctor``, whose audio checks live in :mod:`.checks`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from importers.adapter import Adapter, ParseOptions
from importers.doctor import Check
from importers.errors import MissingDependencyError, ModelLoadError
from importers.model import Transcript
from importers.source import Source

from .settings import AudioSettings

AUDIO_EXTENSIONS = (
    ".wav",
    ".mp3",
    ".m4a",
    ".ogg",
    ".oga",
    ".opus",
    ".flac",
    ".aac",
    ".wma",
    ".aiff",
    ".aif",
    ".amr",
    ".3gp",
    ".caf",
    ".mp4",
    ".m4v",
    ".webm",
    ".mkv",
    ".mov",
    ".avi",
    ".wmv",
    ".mpeg",
    ".mpg",
    ".ts",
)


class AudioAdapter(Adapter):
    """Transcribes and diarizes any recording PyAV can decode."""

    name = "audio"
    extensions: ClassVar[tuple[str, ...]] = AUDIO_EXTENSIONS
    description = "Audio/video recordings (faster-whisper + pyannote; needs the audio extra)"
    binary = True

    def sniff(self, source: Source) -> bool:
        # The extension already says "recording"; no text format claims these extensions, and
        # whether PyAV can decode the file is reported by parse with the decoder's reason.
        return True

    def parse(self, source: Source, options: ParseOptions) -> Transcript:
        from .engine import run  # heavy imports stay out of detection and other formats

        try:
            return run(source, AudioSettings.from_extra(options.extra, options.language))
        except (ModelLoadError, MissingDependencyError) as exc:  # the file it stopped at
            raise type(exc)(f"{source.path}: {exc}") from None

    def checks(self, *, online: bool = False) -> Sequence[Check]:
        from .checks import audio_checks  # light: imports the heavy stack only to check it

        return audio_checks(online=online)
