"""Audio and video recordings: faster-whisper + pyannote.audio -> speaker-attributed segments.

This module is light: the heavy stack (torch, faster-whisper, pyannote) is imported inside
:meth:`AudioAdapter.parse` only, and a missing extra is a :class:`MissingDependencyError` that
names the pip command.
"""

from __future__ import annotations

from typing import ClassVar

from importers.adapter import Adapter, ParseOptions
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

        return run(source, AudioSettings.from_extra(options.extra, options.language))
