"""AssemblyAI transcript JSON (``GET /v2/transcript/{id}``, the SDK's ``transcript.json_response``).

::

    {"id": "...", "status": "completed", "language_code": "en_us", "audio_url": "...",
     "text": "Good morning. Hi.",
     "words": [{"text": "Good", "start": 250, "end": 650, "confidence": 0.97,
                "speaker": "A"}, ...],
     "utterances": [{"speaker": "A", "text": "Good morning.", "start": 250, "end": 1100,
                     "confidence": 0.96, "words": [...]}, ...]}

Times are integer **milliseconds**. ``utterances`` (``speaker_labels: true``) are the service's
speaker turns: each is a segment and keeps its words. Without them (``utterances: null``, no
diarization) the ``words`` are cut into sentences (:func:`adapters.stt_json.sentences`).
Speakers ``"A"``, ``"B"`` become ``Speaker A``, ``Speaker B`` as AssemblyAI's own viewer shows
them; ``language_code`` (``en_us``) becomes ``en``. A transcript whose ``status`` is not
``completed`` (``queued``, ``processing``, ``error``) holds no words yet: that is an error
naming the status (and AssemblyAI's ``error`` message).

Saved through AssemblyAI's Python SDK (a script's own ``json.dump`` of the transcript's fields),
the status is the enum as Python prints it (``"TranscriptStatus.completed"``) and the times of
utterances and words may be under ``start_ms``/``end_ms``: both are read as the API's
``completed``, ``start`` and ``end``. (A bare list with ``start_ms`` keys stays
``json-segments``, as it was.)

Some scripts save only the utterances (``json.dump([u.dict() for u in transcript.utterances])``):
a JSON list of objects with ``speaker``, ``text``, ``start``, ``end``, ``confidence`` and
``words`` is read the same way (:func:`is_utterance_list`; the ``json-segments`` adapter,
which reads other lists in seconds, leaves these to this one).

Detection: a JSON object with a ``words`` or ``utterances`` list and AssemblyAI's transcript
fields (``audio_url``, ``language_code``, ``status`` or ``acoustic_model``), without the
``segments``, ``results`` or ``monologues`` of the other speech JSON formats; or such a list.
"""

from __future__ import annotations

from typing import Any, ClassVar

from adapters.stt_json import (
    WordFields,
    as_list,
    as_object,
    first_value,
    int_ms,
    read_word_list,
    sentences,
    speaker_name,
    text_of,
)
from importers.adapter import Adapter, ParseOptions
from importers.errors import ParseError
from importers.language import language_code
from importers.model import Segment, Transcript
from importers.source import Source

#: Fields of AssemblyAI's transcript object that other tools' JSON does not have together.
TRANSCRIPT_FIELDS = ("audio_url", "language_code", "status", "acoustic_model")
#: Top-level keys of the other speech-to-text formats (WhisperX/whisper, Deepgram/AWS, Rev.ai).
OTHER_FORMATS = ("segments", "results", "monologues")
UTTERANCE_FIELDS = frozenset({"speaker", "text", "start", "end", "confidence", "words"})
#: The SDK's enum, printed: ``TranscriptStatus.completed`` is the API's ``completed``.
ENUM_PREFIX = "TranscriptStatus."
SNIFF_ITEMS = 20
#: Where utterances and words keep their times: the API's key, or the ``_ms`` one a saved SDK
#: object may carry instead.
START, END = ("start", "start_ms"), ("end", "end_ms")
#: A word: ``{"text", "start", "end", "speaker"}``, times in milliseconds, speaker ``"A"``.
WORDS = WordFields(time=int_ms, speaker=speaker_name, start=START, end=END)


def is_utterance_list(data: Any) -> bool:
    """A JSON list of AssemblyAI utterances (see the module docstring)."""
    return (
        isinstance(data, list)
        and bool(data)
        and all(
            isinstance(u, dict) and u.keys() >= UTTERANCE_FIELDS and isinstance(u["words"], list)
            for u in data[:SNIFF_ITEMS]
        )
    )


def _is_transcript(data: Any) -> bool:
    if not isinstance(data, dict) or any(k in data for k in OTHER_FORMATS):
        return False
    if not any(k in data for k in TRANSCRIPT_FIELDS):
        return False
    return isinstance(data.get("words"), list) or isinstance(data.get("utterances"), list)


class AssemblyAIAdapter(Adapter):
    """AssemblyAI transcript JSON: words and speaker-labelled utterances (milliseconds)."""

    name: ClassVar[str] = "assemblyai"
    extensions: ClassVar[tuple[str, ...]] = (".json",)
    description: ClassVar[str] = "AssemblyAI JSON (utterances with speakers A/B, words, in ms)"

    def sniff(self, source: Source) -> bool:
        data = source.json
        return _is_transcript(data) or is_utterance_list(data)

    def parse(self, source: Source, options: ParseOptions) -> Transcript:
        data = source.json
        if is_utterance_list(data):
            utterances, words, language = data, [], None
        elif isinstance(data, dict):
            _check_status(data)
            utterances = as_list(data.get("utterances"), "utterances")
            words = as_list(data.get("words"), "words")
            language = language_code(data.get("language_code"))
        else:
            raise ParseError("not an AssemblyAI transcript (a JSON object or utterance list)")
        if utterances:
            segments = [_utterance(u, f"utterances[{i}]") for i, u in enumerate(utterances)]
        else:
            segments = sentences(read_word_list(words, "words", WORDS, None))
        return Transcript(segments=tuple(segments), format=self.name, language=language)


def _check_status(data: dict[str, Any]) -> None:
    status = data.get("status", "completed")
    if isinstance(status, str) and status.startswith(ENUM_PREFIX):
        status = status.removeprefix(ENUM_PREFIX)
    if status != "completed":
        error = data.get("error")
        detail = f": {error}" if isinstance(error, str) and error.strip() else ""
        raise ParseError(f"transcript status is {status!r}, not 'completed'{detail}")


def _utterance(raw: Any, where: str) -> Segment:
    item = as_object(raw, where)
    speaker = speaker_name(item.get("speaker"))
    return Segment(
        text=text_of(item.get("text", ""), where),
        start_ms=int_ms(first_value(item, START), "start", where),
        end_ms=int_ms(first_value(item, END), "end", where),
        speaker=speaker,
        words=tuple(
            read_word_list(
                as_list(item.get("words"), f"{where}.words"), f"{where}.words", WORDS, speaker
            )
        ),
    )
