"""whisper-timestamped JSON (``whisper_timestamped audio.mp3 --output_format json``).

linto-ai's whisper-timestamped writes openai-whisper's layout with its own word lists::

    {"text": " Bonjour! Est-ce que vous allez bien?",
     "segments": [{"id": 0, "seek": 0, "start": 0.42, "end": 3.04,
                   "text": " Bonjour! Est-ce que vous allez bien?", "tokens": [...],
                   "confidence": 0.936,
                   "words": [{"text": "Bonjour!", "start": 0.42, "end": 1.14,
                              "confidence": 0.874}, ...]}],
     "language": "fr"}

The word's text is under ``text``, not openai-whisper's ``word`` (which is why the whisper
adapter refused these files with "a word has no text"). Tools that post-process its output
often drop ``id``/``seek``/``tokens`` and some add a segment ``speaker`` (whisper-timestamped
plus pyannote); both are read. Words are kept with their times, so ``--diarization`` can give
each word its speaker; ``language`` is used when present.

Detection (exclusive with :mod:`adapters.whisper` and :mod:`adapters.whisperx`): a JSON object
whose ``segments`` have ``words`` lists of ``{"text": ...}`` objects and none of
``{"word": ...}``.
"""

from __future__ import annotations

from typing import ClassVar

from adapters.whisper_json import (
    SNIFF_SEGMENTS,
    TEXT_WORD_KEY,
    WhisperJsonAdapter,
    has_text_word_list,
    has_word_list,
    segments_of,
)
from importers.source import Source


class WhisperTimestampedAdapter(WhisperJsonAdapter):
    """whisper-timestamped JSON: openai-whisper segments with ``{"text": ...}`` words."""

    name: ClassVar[str] = "whisper-timestamped"
    description: ClassVar[str] = "whisper-timestamped JSON (segments, {text} word timings)"
    text_key: ClassVar[str] = TEXT_WORD_KEY

    def sniff(self, source: Source) -> bool:
        segments = segments_of(source.json)
        if not segments:
            return False
        head = segments[:SNIFF_SEGMENTS]
        return any(has_text_word_list(s) for s in head) and not any(has_word_list(s) for s in head)
