"""Rev.ai transcript JSON: monologues, punctuation elements, unknown tags, speaker names."""

from __future__ import annotations

import json
from typing import Any

import pytest
from support import text_source

from adapters.revai import RevAiAdapter
from importers.adapter import ParseOptions
from importers.conversion.normalize import normalize
from importers.errors import ParseError
from importers.model import Word
from importers.source import Source

REV = RevAiAdapter()


def src(data: Any) -> Source:
    return text_source(json.dumps(data), "t.json")


def text(value: str, ts: float, end: float) -> dict[str, Any]:
    return {"type": "text", "value": value, "ts": ts, "end_ts": end, "confidence": 0.9}


def punct(value: str) -> dict[str, Any]:
    return {"type": "punct", "value": value}


MONOLOGUES = {
    "monologues": [
        {"speaker": 1, "elements": [
            text("Hello", 0.5, 1.5), punct(" "), text("World", 1.75, 2.85), punct(".")]},
        {"speaker": 2, "speaker_info": {"id": "x", "display_name": "Jo"}, "elements": [
            text("Some", 3.0, 3.5), punct(" "), {"type": "unknown", "value": "<inaudible>"},
            punct(" "), text("text", 6.5, 7.78), punct("."), punct(" ")]},
    ]
}  # fmt: skip


def test_monologues_are_segments_with_words() -> None:
    t = REV.parse(src(MONOLOGUES), ParseOptions())
    assert [(s.speaker, s.start_ms, s.end_ms, s.text) for s in t.segments] == [
        ("Speaker 1", 500, 2850, "Hello World."),
        ("Jo", 3000, 7780, "Some [inaudible] text."),
    ]
    assert t.segments[1].words == (
        Word("Some", 3000, 3500, "Jo"),
        Word("[inaudible]", None, None, "Jo"),
        Word("text.", 6500, 7780, "Jo"),
    )


def test_the_unknown_tag_is_placed_between_its_neighbours_and_reported() -> None:
    n = normalize(REV.parse(src(MONOLOGUES), ParseOptions()))
    assert [(x.speaker, x.text) for x in n.turns] == [
        ("SPEAKER_00", "Hello World."),
        ("SPEAKER_01", "Some [inaudible] text."),
    ]
    assert [r.reason for r in n.repairs] == ["word_time_estimated"]


def test_punctuation_before_any_word_goes_to_the_next_word() -> None:
    data = {"monologues": [{"speaker": 0, "elements": [punct("¿"), text("Sí?", 0.1, 0.4)]}]}
    (segment,) = REV.parse(src(data), ParseOptions()).segments
    assert segment.text == "¿Sí?"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"monologues": [{"speaker": 0, "elements": [text("a", "0.1", 1)]}]},  # type: ignore[arg-type]
         "monologues[0].elements[0]: ts is not a number ('0.1')"),
        ({"monologues": [{"speaker": 0, "elements": {}}]}, "monologues[0].elements is not a list"),
        ({"monologues": ["x"]}, "monologues[0] is not an object"),
    ],
)  # fmt: skip
def test_broken_transcripts_name_where(data: Any, reason: str) -> None:
    with pytest.raises(ParseError) as info:
        REV.parse(src(data), ParseOptions())
    assert str(info.value) == f"<input>: {reason}"


@pytest.mark.parametrize(
    ("data", "claimed"),
    [(MONOLOGUES, True), ({"monologues": {}}, False), ({"segments": []}, False), ([], False)],
)
def test_sniff(data: Any, claimed: bool) -> None:
    assert REV.sniff(src(data)) is claimed
