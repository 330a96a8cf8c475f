"""WhisperX JSON (``whisperx audio.wav --output_format json``), diarized or not.

What WhisperX writes, and what this adapter keeps:

* ``segments``: ``start``, ``end``, ``text``, optionally ``speaker`` (after diarization) and
  ``words``: ``{"word", "start", "end", "score", "speaker"}``. Words WhisperX could not align
  (numerals such as ``1990.``, ``50,``) have ``null`` times or no time keys at all, and often no
  speaker; they are kept, and normalization places them between their neighbours and reports it.
* ``chars`` (with ``--return_char_alignments``), ``avg_logprob`` and ``score``: ignored.
* ``word_segments``: the same words again as one flat list; ignored (the segments hold them).
* ``language``: present in most versions; becomes the transcript's language.

Word-level speakers drive turn building (:mod:`importers.turns`): a word or two of another
speaker inside a sentence is treated as diarization jitter, a longer run splits the sentence.

Detection (exclusive with :mod:`adapters.whisper` and :mod:`adapters.whisper_timestamped`): a
JSON object whose ``segments`` carry no openai-whisper decoder fields (``seek``/``tokens``) nor
whisper-timestamped's ``{"text": ...}`` words, and that shows WhisperX's marks: aligned
``words`` lists of ``{"word": ...}``, a segment ``speaker``, or a top-level ``word_segments``.
"""

from __future__ import annotations

from typing import ClassVar

from adapters.whisper_json import (
    SNIFF_SEGMENTS,
    WhisperJsonAdapter,
    has_text_word_list,
    has_word_list,
    is_whisper_segment,
    segments_of,
)
from importers.source import Source


class WhisperXAdapter(WhisperJsonAdapter):
    """WhisperX JSON: segments with optional speakers and word timings."""

    name: ClassVar[str] = "whisperx"
    description: ClassVar[str] = "WhisperX JSON (segments, word timings, speakers)"

    def sniff(self, source: Source) -> bool:
        data = source.json
        segments = segments_of(data)
        if not segments:
            return False
        head = segments[:SNIFF_SEGMENTS]
        if not all(isinstance(s, dict) for s in head) or any(
            is_whisper_segment(s) or has_text_word_list(s) for s in head
        ):
            return False
        assert isinstance(data, dict)
        return (
            isinstance(data.get("word_segments"), list)
            or any(has_word_list(s) for s in head)
            or any(isinstance(s.get("speaker"), str) for s in head)
        )
