"""Deepgram pre-recorded transcription JSON (``POST /v1/listen`` response, SDK ``to_json()``).

::

    {"metadata": {"request_id": "...", "duration": 24.0, "channels": 1, ...},
     "results": {
       "channels": [{"alternatives": [{"transcript": "...", "confidence": 0.99,
                                       "words": [{"word": "dancing", "start": 1.92,
                                                  "end": 2.4, "confidence": 0.99,
                                                  "punctuated_word": "Dancing",
                                                  "speaker": 0}, ...]}],
                     "detected_language": "en"}],
       "utterances": [{"start": 1.92, "end": 6.8, "channel": 0, "speaker": 0,
                       "transcript": "Dancing in the masquerade...", "words": [...]}]}}

* ``utterances`` (``utterances=true``) are the service's own cues: each is a segment, its words
  (``punctuated_word`` where ``smart_format``/``punctuate`` wrote one) keep their times. Deepgram
  writes a space between every two words, Chinese and Japanese too (``我 的 桌 子``): the
  utterance's text and the words are joined by script (:func:`importers.text.join_words`).
* Without utterances, the words of each channel's first alternative are cut into sentences
  (:func:`adapters.stt_json.sentences`).
* ``speaker`` (``diarize=true``, an integer) becomes ``Speaker 0``, as Deepgram's own paragraph
  text shows it. With several channels (``multichannel=true``) each channel is a speaker
  (``Channel 1``), and with diarization too, ``Channel 1 speaker 0``.
* ``detected_language`` of the first channel (``detect_language=true``) is the language.

Normalization builds the turns from the words and their speakers, as for WhisperX.

Detection: a JSON object whose ``results`` holds a ``channels`` list of objects with an
``alternatives`` list (AWS Transcribe's ``results`` holds ``items`` instead).
"""

from __future__ import annotations

from typing import Any, ClassVar

from adapters.stt_json import (
    as_list,
    as_object,
    sentences,
    speaker_name,
    text_of,
    to_ms,
)
from importers.adapter import Adapter, ParseOptions
from importers.errors import ParseError
from importers.language import language_code
from importers.model import Segment, Transcript, Word
from importers.source import Source
from importers.text import join_words


def _channels(data: Any) -> list[Any] | None:
    results = data.get("results") if isinstance(data, dict) else None
    channels = results.get("channels") if isinstance(results, dict) else None
    return channels if isinstance(channels, list) else None


class DeepgramAdapter(Adapter):
    """Deepgram ``/v1/listen`` JSON: words, utterances, diarized speakers, channels."""

    name: ClassVar[str] = "deepgram"
    extensions: ClassVar[tuple[str, ...]] = (".json",)
    description: ClassVar[str] = "Deepgram JSON (results.channels words, utterances, speakers)"

    def sniff(self, source: Source) -> bool:
        channels = _channels(source.json)
        return (
            channels is not None
            and len(channels) > 0
            and all(
                isinstance(c, dict) and isinstance(c.get("alternatives"), list) for c in channels
            )
        )

    def parse(self, source: Source, options: ParseOptions) -> Transcript:
        channels = _channels(source.json)
        if channels is None:
            raise ParseError('no "results.channels" list: not a Deepgram response')
        several = len(channels) > 1
        utterances = as_list(source.json["results"].get("utterances"), "results.utterances")
        if utterances:
            segments = [
                _utterance(u, f"results.utterances[{i}]", several) for i, u in enumerate(utterances)
            ]
        else:
            segments = []
            for c, channel in enumerate(channels):
                words = _channel_words(channel, c, several)
                segments.extend(sentences([w for w in words if w.text]))
        first = channels[0] if channels and isinstance(channels[0], dict) else {}
        return Transcript(
            segments=tuple(segments),
            format=self.name,
            language=language_code(first.get("detected_language")),
        )


def _channel_words(channel: Any, c: int, several: bool) -> list[Word]:
    """The words of a channel's first (best) alternative."""
    where = f"results.channels[{c}]"
    alternatives = as_list(as_object(channel, where).get("alternatives"), f"{where}.alternatives")
    if not alternatives:
        return []
    where = f"{where}.alternatives[0]"
    raw = as_list(as_object(alternatives[0], where).get("words"), f"{where}.words")
    return [_word(w, f"{where}.words[{i}]", c if several else None) for i, w in enumerate(raw)]


def _label(speaker: Any, channel: int | None) -> str | None:
    """``Speaker 0``; with several channels ``Channel 1`` / ``Channel 1 speaker 0``."""
    if channel is None:
        return speaker_name(speaker)
    spoken = speaker_name(speaker, prefix=" speaker ")
    return f"Channel {channel}{spoken or ''}"


def _word(raw: Any, where: str, channel: int | None) -> Word:
    item = as_object(raw, where)
    text = item.get("punctuated_word", item.get("word"))
    return Word(
        text_of(text, where),
        to_ms(item.get("start"), "start", where),
        to_ms(item.get("end"), "end", where),
        _label(item.get("speaker"), channel),
    )


def _utterance(raw: Any, where: str, several: bool) -> Segment:
    item = as_object(raw, where)
    channel = item.get("channel") if several else None
    if channel is not None and (isinstance(channel, bool) or not isinstance(channel, int)):
        raise ParseError(f"{where}: channel is not an integer ({channel!r})")
    speaker = _label(item.get("speaker"), channel)
    raw = as_list(item.get("words"), f"{where}.words")
    words = tuple(
        w if w.speaker is not None else Word(w.text, w.start_ms, w.end_ms, speaker)
        for i, r in enumerate(raw)
        if (w := _word(r, f"{where}.words[{i}]", channel)).text
    )
    return Segment(
        # Deepgram spaces the words of every language ("我 的 桌 子"): rejoined by script.
        text=join_words(text_of(item.get("transcript", ""), where).split()),
        start_ms=to_ms(item.get("start"), "start", where),
        end_ms=to_ms(item.get("end"), "end", where),
        speaker=speaker,
        words=words,
    )
