"""Bare JSON lists of timed, speaker-labelled segments, as home-made diarization pipelines write.

::

    [{"start": 0.0, "end": 2.5, "speaker": "SPEAKER_00", "text": "Welcome to the show."},
     {"start": 2.5, "end": 4.0, "speaker": "SPEAKER_01", "text": "Thanks for having me."}]

Every script spells the keys its own way; these are read (the first one present wins):

=========  ==================================================================================
text       ``text``, ``content``, ``transcript``, ``sentence``, ``utterance``, ``caption``;
           ``word`` makes it a list of words (one word per item)
start      ``start``, ``begin``, ``start_time``, ``startTime``, ``from``, ``start_ms``, ``startMs``
end        ``end``, ``stop``, ``end_time``, ``endTime``, ``to``, ``end_ms``, ``endMs``; or
           ``duration``/``dur`` after the start
speaker    ``speaker``, ``speaker_label``, ``speakerLabel``, ``speaker_id``, ``speakerId``,
           ``speaker_name``, ``speakerName``, ``spk``
words      ``words``: ``{"word"|"text", "start", "end"}`` objects, in the item's unit
=========  ==================================================================================

Times are seconds, unless the key says milliseconds (``start_ms``, ``startMs``); strings are
read as numbers (``"12.5"``) or clock times (``"00:01:23.450"``, ``"01:23"``). An integer
speaker (``0``) becomes ``Speaker 0``. A list of words (``word`` items, or items with
``words``) has its turns rebuilt from the words by normalization, as for WhisperX; a list of
sentences is merged into turns as subtitles are.

Detection: a non-empty top-level JSON list whose items are objects with a text key and a start
key; a list of AssemblyAI utterances (integer milliseconds) is left to ``assemblyai``
(:func:`adapters.assemblyai.is_utterance_list`).
"""

from __future__ import annotations

from typing import Any, ClassVar

from adapters.assemblyai import is_utterance_list
from adapters.stt_json import (
    WordFields,
    as_list,
    as_object,
    int_ms,
    read_word_list,
    speaker_name,
    text_of,
    to_ms,
)
from adapters.timing import read_timestamp
from importers.adapter import Adapter, ParseOptions
from importers.errors import ParseError
from importers.model import Repair, Segment, Transcript, Word
from importers.source import Source

TEXT_KEYS = ("text", "content", "transcript", "sentence", "utterance", "caption", "word")
WORD_KEY = "word"
START_KEYS = ("start", "begin", "start_time", "startTime", "from", "start_ms", "startMs")
END_KEYS = ("end", "stop", "end_time", "endTime", "to", "end_ms", "endMs")
DURATION_KEYS = ("duration", "dur")
SPEAKER_KEYS = (
    "speaker",
    "speaker_label",
    "speakerLabel",
    "speaker_id",
    "speakerId",
    "speaker_name",
    "speakerName",
    "spk",
)
SNIFF_ITEMS = 50


def _speaker(value: Any) -> str | None:
    """An integer speaker is ``Speaker 0``; a string is the name itself (blank: none)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return speaker_name(value)
    return value.strip() or None if isinstance(value, str) else None


#: An item's ``words``: ``{"word"|"text", "start", "end", "speaker"}``, in the item's unit
#: (seconds, or milliseconds where its own start key says so).
WORDS = WordFields(time=to_ms, speaker=_speaker, text=(WORD_KEY, "text"))
WORDS_MS = WordFields(time=int_ms, speaker=_speaker, text=(WORD_KEY, "text"))


def _first_key(item: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    return next((k for k in keys if k in item), None)


def _in_ms(key: str) -> bool:
    return key.endswith(("_ms", "Ms"))


def _looks_like_segment(item: Any) -> bool:
    return (
        isinstance(item, dict)
        and isinstance(item.get(_first_key(item, TEXT_KEYS) or ""), str)
        and _first_key(item, START_KEYS) is not None
    )


class JsonSegmentsAdapter(Adapter):
    """A JSON list of ``{start, end, speaker, text}`` objects (many key spellings)."""

    name: ClassVar[str] = "json-segments"
    extensions: ClassVar[tuple[str, ...]] = (".json",)
    description: ClassVar[str] = "JSON list of {start, end, speaker, text} segments or words"

    def sniff(self, source: Source) -> bool:
        data = source.json
        return (
            isinstance(data, list)
            and bool(data)
            and all(_looks_like_segment(item) for item in data[:SNIFF_ITEMS])
            and not is_utterance_list(data)
        )

    def parse(self, source: Source, options: ParseOptions) -> Transcript:
        data = source.json
        if not isinstance(data, list):
            raise ParseError("not a JSON list of segments")
        repairs: list[Repair] = []
        segments = [_segment(item, f"item {i}", repairs) for i, item in enumerate(data)]
        return Transcript(segments=tuple(segments), format=self.name, repairs=tuple(repairs))


def _time(item: dict[str, Any], key: str | None, where: str, repairs: list[Repair]) -> int | None:
    if key is None:
        return None
    value = item[key]
    if isinstance(value, str):
        value = value.strip()
        try:
            value = float(value)
        except ValueError:
            try:
                return read_timestamp(value, repairs)
            except ValueError:
                raise ParseError(f"{where}: {key} is not a time ({value!r})") from None
    return int_ms(value, key, where) if _in_ms(key) else to_ms(value, key, where)


def _segment(raw: Any, where: str, repairs: list[Repair]) -> Segment:
    item = as_object(raw, where)
    text_key = _first_key(item, TEXT_KEYS)
    if text_key is None:
        raise ParseError(f"{where}: no text ({', '.join(TEXT_KEYS)})")
    text = text_of(item[text_key], where)
    start_key = _first_key(item, START_KEYS)
    start = _time(item, start_key, where, repairs)
    end_key = _first_key(item, END_KEYS)
    if end_key is not None:
        end = _time(item, end_key, where, repairs)
    elif (duration_key := _first_key(item, DURATION_KEYS)) is not None and start is not None:
        duration = _time(item, duration_key, where, repairs)
        end = None if duration is None else start + duration
    else:
        end = None
    speaker_key = _first_key(item, SPEAKER_KEYS)
    speaker = _speaker(item[speaker_key]) if speaker_key else None
    if text_key == WORD_KEY:  # a list of words: each item is its own word
        words: tuple[Word, ...] = (Word(text, start, end, speaker),)
    else:
        fields = WORDS_MS if start_key is not None and _in_ms(start_key) else WORDS
        at = f"{where}.words"
        words = tuple(read_word_list(as_list(item.get("words"), at), at, fields, speaker))
    return Segment(text, start, end, speaker, words=words)
