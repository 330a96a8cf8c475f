"""Amazon Transcribe job output JSON (the ``TranscriptFileUri`` file, ``asrOutput.json``).

::

    {"jobName": "standup", "accountId": "...", "status": "COMPLETED",
     "results": {
       "transcripts": [{"transcript": "Morning, all. Hi."}],
       "speaker_labels": {"speakers": 2, "segments": [
          {"start_time": "0.94", "end_time": "2.85", "speaker_label": "spk_0",
           "items": [{"start_time": "0.94", "end_time": "1.51", "speaker_label": "spk_0"}]}]},
       "items": [
          {"start_time": "0.94", "end_time": "1.51", "type": "pronunciation",
           "alternatives": [{"confidence": "0.98", "content": "Morning"}]},
          {"type": "punctuation", "alternatives": [{"confidence": "0.0", "content": ","}]}]}}

* ``items`` are the words, times as **strings** of seconds. A ``punctuation`` item has no
  times and belongs to the word before it (``Morning`` + ``,`` is ``Morning,``); one before any
  word (none seen, but cheap to keep) goes in front of the next word
  (:func:`adapters.stt_json.join_punctuation`, as for Rev.ai).
* The speaker of a word (``ShowSpeakerLabels``) is its own ``speaker_label`` (output since
  2022), else the label of the ``speaker_labels.segments[].items`` entry with the same times
  (older output). Labels stay as AWS writes them: ``spk_0``. Channel identification
  (``channel_labels``, ``ch_0``) works the same way, the channel being the speaker.
* Words are cut into sentences (:func:`adapters.stt_json.sentences`); normalization builds the
  turns from the words as for WhisperX. ``results.language_code`` (``en-US``, written when the
  language was identified) becomes ``en``.

Detection: a JSON object whose ``results`` holds an ``items`` list (Deepgram's holds
``channels``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from adapters.stt_json import (
    as_list,
    as_object,
    join_punctuation,
    sentences,
    string_seconds_to_ms,
    text_of,
)
from importers.adapter import Adapter, ParseOptions
from importers.errors import ParseError
from importers.language import language_code
from importers.model import Transcript, Word
from importers.source import Source

PUNCTUATION = "punctuation"


def _results(data: Any) -> dict[str, Any] | None:
    results = data.get("results") if isinstance(data, dict) else None
    return results if isinstance(results, dict) and isinstance(results.get("items"), list) else None


class AwsTranscribeAdapter(Adapter):
    """Amazon Transcribe output JSON: items (words, punctuation) and speaker labels."""

    name: ClassVar[str] = "aws-transcribe"
    extensions: ClassVar[tuple[str, ...]] = (".json",)
    description: ClassVar[str] = "Amazon Transcribe JSON (results.items, spk_0 speaker labels)"

    def sniff(self, source: Source) -> bool:
        return _results(source.json) is not None

    def parse(self, source: Source, options: ParseOptions) -> Transcript:
        results = _results(source.json)
        if results is None:
            raise ParseError('no "results.items" list: not an Amazon Transcribe output file')
        words = join_punctuation(_items(results["items"], _labels_by_time(results)))
        return Transcript(
            segments=tuple(sentences(words)),
            format=self.name,
            language=language_code(results.get("language_code")),
        )


def _items(items: list[Any], labels: dict[tuple[Any, Any], str]) -> Iterator[Word | str]:
    """The words of ``results.items``, and its punctuation as marks (space items skipped)."""
    for i, raw in enumerate(items):
        where = f"results.items[{i}]"
        item = as_object(raw, where)
        alternatives = as_list(item.get("alternatives"), f"{where}.alternatives")
        if not alternatives:
            raise ParseError(f"{where}: no alternatives")
        content = text_of(
            as_object(alternatives[0], f"{where}.alternatives[0]").get("content"), where
        )
        if not content:
            continue  # a space item: the words are separate anyway
        if item.get("type") == PUNCTUATION:
            yield content
            continue
        start, end = item.get("start_time"), item.get("end_time")
        own = item.get("speaker_label") or item.get("channel_label")
        speaker = own.strip() if isinstance(own, str) and own.strip() else None
        speaker = speaker or labels.get((start, end))
        yield Word(
            content,
            string_seconds_to_ms(start, "start_time", where),
            string_seconds_to_ms(end, "end_time", where),
            speaker,
        )


def _labels_by_time(results: dict[str, Any]) -> dict[tuple[Any, Any], str]:
    """(start_time, end_time) -> ``spk_N`` / ``ch_N`` from the older output's label lists."""
    labels: dict[tuple[Any, Any], str] = {}
    speakers = results.get("speaker_labels")
    channels = results.get("channel_labels")
    groups: list[tuple[str, Any, str]] = []  # (where, group, key of its label)
    if isinstance(speakers, dict):
        groups += [
            ("results.speaker_labels.segments", s, "speaker_label")
            for s in as_list(speakers.get("segments"), "results.speaker_labels.segments")
        ]
    if isinstance(channels, dict):
        groups += [
            ("results.channel_labels.channels", c, "channel_label")
            for c in as_list(channels.get("channels"), "results.channel_labels.channels")
        ]
    for where, raw, key in groups:
        group = as_object(raw, where)
        for entry in as_list(group.get("items"), f"{where}[].items"):
            if isinstance(entry, dict):
                label = entry.get(key, group.get(key))
                if isinstance(label, str) and label.strip():
                    labels[(entry.get("start_time"), entry.get("end_time"))] = label.strip()
    return labels
