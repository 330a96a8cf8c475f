"""openai-whisper JSON (``whisper audio.mp3 --output_format json``): no speakers.

``{"text": ..., "segments": [{"id", "seek", "start", "end", "text", "tokens", "temperature",
"avg_logprob", "compression_ratio", "no_speech_prob", ["words"]}], "language": "en"}``. With
``--word_timestamps True`` segments carry ``words`` (``{"word", "start", "end",
"probability"}``, text with a leading space); they are kept so that ``--diarization`` can give
each word its speaker.

Detection (exclusive with :mod:`adapters.whisperx`): a JSON object with a top-level ``text``
string and a ``segments`` list that is empty or whose first segment has openai-whisper's decoder
fields ``seek``/``tokens`` (WhisperX drops both), and whose words (if any) are openai-whisper's
``{"word": ...}``: whisper-timestamped keeps ``seek``/``tokens`` but writes ``{"text": ...}``
words (:mod:`adapters.whisper_timestamped`).
"""

from __future__ import annotations

from typing import ClassVar

from adapters.whisper_json import (
    SNIFF_SEGMENTS,
    WhisperJsonAdapter,
    has_text_word_list,
    is_whisper_segment,
    segments_of,
)
from importers.source import Source


class WhisperAdapter(WhisperJsonAdapter):
    """Plain openai-whisper JSON output."""

    name: ClassVar[str] = "whisper"
    description: ClassVar[str] = "openai-whisper JSON (segments, no speakers)"
    with_speakers: ClassVar[bool] = False

    def sniff(self, source: Source) -> bool:
        data = source.json
        segments = segments_of(data)
        if segments is None or not isinstance(data, dict) or not isinstance(data.get("text"), str):
            return False
        return not segments or (
            is_whisper_segment(segments[0])
            and not any(has_text_word_list(seg) for seg in segments[:SNIFF_SEGMENTS])
        )
