"""Rev.ai transcript JSON (``GET /speechtotext/v1/jobs/{id}/transcript``, Rev's
``application/vnd.rev.transcript.v1.0+json``).

::

    {"monologues": [
       {"speaker": 0, "speaker_info": {"id": "...", "display_name": "Ana"},
        "elements": [{"type": "text", "value": "Hi", "ts": 0.3, "end_ts": 0.52,
                      "confidence": 1.0},
                     {"type": "punct", "value": ","}, {"type": "punct", "value": " "},
                     {"type": "unknown", "value": "<inaudible>"}, ...]}]}

* A monologue is one speaker's turn: each is a segment, its ``text`` elements the words (times
  in seconds). ``punct`` elements are the spaces and punctuation between words: punctuation
  joins the word before it (``Hi`` + ``,``; :func:`adapters.stt_json.join_punctuation`), spaces
  only separate.
* ``unknown`` elements are Rev's tags for what could not be transcribed (``<inaudible>``,
  ``<laugh>``): kept as the word ``[inaudible]`` (its times, when it has none, are placed
  between its neighbours by normalization and reported), so the gap stays visible and markup
  stripping does not eat it.
* The speaker is ``speaker_info.display_name`` when the job named speakers, else
  ``Speaker 0`` as Rev's own editor shows it.

The transcript carries no language (the job does): pass ``--language``.

Detection: a JSON object with a ``monologues`` list.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from adapters.stt_json import (
    as_list,
    as_object,
    join_punctuation,
    speaker_name,
    text_of,
    to_ms,
    words_segment,
)
from importers.adapter import Adapter, ParseOptions
from importers.errors import ParseError
from importers.model import Segment, Transcript, Word
from importers.source import Source

PUNCT, UNKNOWN = "punct", "unknown"


class RevAiAdapter(Adapter):
    """Rev.ai transcript JSON: monologues of text and punctuation elements."""

    name: ClassVar[str] = "revai"
    extensions: ClassVar[tuple[str, ...]] = (".json",)
    description: ClassVar[str] = "Rev.ai JSON (monologues of elements, speakers)"

    def sniff(self, source: Source) -> bool:
        data = source.json
        return isinstance(data, dict) and isinstance(data.get("monologues"), list)

    def parse(self, source: Source, options: ParseOptions) -> Transcript:
        data = source.json
        if not isinstance(data, dict) or not isinstance(data.get("monologues"), list):
            raise ParseError('no "monologues" list: not a Rev.ai transcript')
        segments = [_monologue(m, f"monologues[{i}]") for i, m in enumerate(data["monologues"])]
        return Transcript(segments=tuple(segments), format=self.name)


def _speaker(monologue: dict[str, Any]) -> str | None:
    info = monologue.get("speaker_info")
    name = info.get("display_name") if isinstance(info, dict) else None
    if isinstance(name, str) and name.strip():
        return name.strip()
    return speaker_name(monologue.get("speaker"))


def _monologue(raw: Any, where: str) -> Segment:
    monologue = as_object(raw, where)
    speaker = _speaker(monologue)
    return words_segment(join_punctuation(_elements(monologue, where, speaker)), speaker)


def _elements(monologue: dict[str, Any], where: str, speaker: str | None) -> Iterator[Word | str]:
    """The monologue's words, and its punctuation as marks (the spaces between words skipped)."""
    for i, element in enumerate(as_list(monologue.get("elements"), f"{where}.elements")):
        at = f"{where}.elements[{i}]"
        item = as_object(element, at)
        kind, value = item.get("type"), text_of(item.get("value", ""), at)
        if not value:
            continue  # the spaces between words
        if kind == PUNCT:
            yield value
            continue
        if kind == UNKNOWN:
            value = f"[{value.strip('<>')}]"
        yield Word(
            value, to_ms(item.get("ts"), "ts", at), to_ms(item.get("end_ts"), "end_ts", at), speaker
        )
