"""Audio and video recordings: faster-whisper + pyannote.audio -> speaker-attributed segments.

This module is light: the heavy stack (torch, faster-whisper, pyannote) is imported inside
:meth:`AudioAdapter.parse` only, and a missing extra is a :class:`MissingDependencyError` that
names the pip command. Model and dependency errors name the file they stopped at and point to
``omi-import doctor``, whose audio checks live in :mod:`.checks`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import click

from importers.adapter import Adapter, AdapterOption, ParseOptions
from importers.errors import ImporterError
from importers.install import add_extra
from importers.model import Transcript
from importers.source import Source

from .settings import DEVICES, AudioSettings

if TYPE_CHECKING:
    from importers.checks import Check

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


#: The audio options (values land in ParseOptions.extra; see .settings for the defaults).
OPTIONS = (
    AdapterOption(
        "--whisper-model",
        "whisper_model",
        "Audio: speech model name (small, large-v3...), a CTranslate2 folder, or builtin "
        "(tiny.en, offline). Default: large-v3-turbo on CUDA, small on CPU.",
        metavar="NAME|DIR|builtin",
    ),
    AdapterOption(
        "--diarization-model",
        "diarization_model",
        "Audio: pyannote pipeline id (default pyannote/speaker-diarization-community-1, "
        "needs HF_TOKEN), a local pipeline folder, or builtin (offline, no token).",
        metavar="ID|DIR|builtin",
    ),
    AdapterOption(
        "--device",
        "device",
        "Audio: where models run (default auto).",
        type=click.Choice(DEVICES),
    ),
    AdapterOption(
        "--compute-type",
        "compute_type",
        "Audio: CTranslate2 compute type (default auto: int8 CPU, float16 GPU).",
        metavar="TYPE",
    ),
    AdapterOption(
        "--num-speakers",
        "num_speakers",
        "Audio: exact number of speakers.",
        type=click.IntRange(min=1),
        metavar="N",
    ),
    AdapterOption(
        "--min-speakers",
        "min_speakers",
        "Audio: at least N speakers.",
        type=click.IntRange(min=1),
        metavar="N",
    ),
    AdapterOption(
        "--max-speakers",
        "max_speakers",
        "Audio: at most N speakers.",
        type=click.IntRange(min=1),
        metavar="N",
    ),
    AdapterOption(
        "--no-diarize", "diarize", "Audio: skip diarization (one speaker).", flag_value=False
    ),
    AdapterOption(
        "--batch-size",
        "batch_size",
        "Audio: batched transcription (default 16 on CUDA, 0 = unbatched on CPU).",
        type=click.IntRange(min=0),
        metavar="N",
    ),
    AdapterOption(
        "--beam-size",
        "beam_size",
        "Audio: transcription beam size (default 1 = greedy on CPU, 5 on CUDA).",
        type=click.IntRange(min=1),
        metavar="N",
    ),
    AdapterOption(
        "--diarization-step",
        "diarization_step",
        "Audio: segmentation window step as a ratio of its 10 s window (builtin: 0.5).",
        type=click.FloatRange(0.01, 1.0),
        metavar="RATIO",
    ),
)


class AudioAdapter(Adapter):
    """Transcribes and diarizes any recording PyAV can decode."""

    name = "audio"
    extensions: ClassVar[tuple[str, ...]] = AUDIO_EXTENSIONS
    description = "Audio/video recordings (faster-whisper + pyannote; needs the audio extra)"
    binary = True
    options: ClassVar[tuple[AdapterOption, ...]] = OPTIONS
    requires: ClassVar[tuple[str, ...]] = ("av", "faster_whisper", "pyannote.audio", "pyloudnorm")
    install: ClassVar[str | None] = f"{add_extra('audio')} (install torch first)"

    def check_options(self, extra: Mapping[str, object]) -> None:
        AudioSettings.from_extra(extra)

    def estimate(self, files: Sequence[Path], options: ParseOptions) -> str | None:
        """Several recordings: their total length and the time to expect (one: its progress
        bar says)."""
        if len(files) < 2:
            return None
        from .estimate import batch_estimate

        return batch_estimate(files, AudioSettings.from_extra(options.extra, options.language))

    def sniff(self, source: Source) -> bool:
        # The extension already says "recording"; no text format claims these extensions, and
        # whether PyAV can decode the file is reported by parse with the decoder's reason.
        return True

    def parse(self, source: Source, options: ParseOptions) -> Transcript:
        from .engine import run  # heavy imports stay out of detection and other formats

        return run(source, AudioSettings.from_extra(options.extra, options.language))

    def media_seconds(self, source: Source) -> float | None:
        from .decode import probe

        try:
            return probe(source.data, source.path)[0]
        except ImporterError:  # no PyAV, or not decodable: the conversion said so already
            return None

    def checks(self, *, online: bool = False) -> Sequence[Check]:
        from .checks import audio_checks  # light: imports the heavy stack only to check it

        return audio_checks(online=online)
