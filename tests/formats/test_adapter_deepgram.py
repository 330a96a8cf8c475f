"""Deepgram /v1/listen JSON: utterances, words into sentences, speakers, channels, errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from support import text_source

from adapters.deepgram import DeepgramAdapter
from importers.adapter import ParseOptions
from importers.cli import cli
from importers.conversion.normalize import normalize
from importers.errors import ParseError
from importers.model import Word
from importers.source import Source

DG = DeepgramAdapter()


def src(data: Any) -> Source:
    return text_source(json.dumps(data), "call.json")


def word(
    w: str, start: float, end: float, speaker: int | None = None, pw: str | None = None
) -> dict[str, Any]:
    d: dict[str, Any] = {"word": w, "start": start, "end": end, "confidence": 0.9}
    if speaker is not None:
        d["speaker"] = speaker
    if pw is not None:
        d["punctuated_word"] = pw
    return d


DIARIZED_WORDS = [
    word("hello", 0.5, 0.9, 0, "Hello."),
    word("hi", 1.2, 1.4, 1, "Hi"),
    word("there", 1.4, 1.8, 1, "there."),
    word("bye", 2.6, 3.0, 0, "Bye."),
]


def response(words: list[dict[str, Any]], **results: Any) -> dict[str, Any]:
    channel = {"alternatives": [{"transcript": "x", "confidence": 0.9, "words": words}]}
    return {"metadata": {"request_id": "r"}, "results": {"channels": [channel], **results}}


def test_words_become_sentences_with_speaker_names() -> None:
    """Without utterances: a sentence of one speaker per segment, Deepgram's 'Speaker N' names."""
    t = DG.parse(src(response(DIARIZED_WORDS)), ParseOptions())
    assert [(s.speaker, s.start_ms, s.end_ms, s.text) for s in t.segments] == [
        ("Speaker 0", 500, 900, "Hello."),
        ("Speaker 1", 1200, 1800, "Hi there."),
        ("Speaker 0", 2600, 3000, "Bye."),
    ]
    assert t.segments[1].words == (
        Word("Hi", 1200, 1400, "Speaker 1"),
        Word("there.", 1400, 1800, "Speaker 1"),
    )
    assert t.language is None


def test_utterances_are_the_segments_and_keep_their_words() -> None:
    utterances = [
        {"start": 0.5, "end": 0.9, "channel": 0, "speaker": 0, "transcript": "Hello.",
         "words": [word("hello", 0.5, 0.9, 0, "Hello.")], "id": "u1"},
        {"start": 1.2, "end": 1.8, "channel": 0, "speaker": 1, "transcript": "Hi there.",
         "words": [word("hi", 1.2, 1.4, 1, "Hi"), word("there", 1.4, 1.8, 1, "there.")],
         "id": "u2"},
    ]  # fmt: skip
    data = response(DIARIZED_WORDS, utterances=utterances)
    data["results"]["channels"][0]["detected_language"] = "pt-BR"
    t = DG.parse(src(data), ParseOptions())
    assert [(s.speaker, s.start_ms, s.end_ms, s.text, len(s.words)) for s in t.segments] == [
        ("Speaker 0", 500, 900, "Hello.", 1),
        ("Speaker 1", 1200, 1800, "Hi there.", 2),
    ]
    assert t.language == "pt"
    n = normalize(t)
    assert [(x.speaker, x.start_ms, x.end_ms, x.text) for x in n.turns] == [
        ("SPEAKER_00", 500, 900, "Hello."),
        ("SPEAKER_01", 1200, 1800, "Hi there."),
    ]


def test_plain_word_without_punctuated_word() -> None:
    t = DG.parse(src(response([word("yes", 0.1, 0.3), word("ok", 0.4, 0.6)])), ParseOptions())
    assert [(s.speaker, s.text) for s in t.segments] == [(None, "yes ok")]


def test_each_channel_is_a_speaker() -> None:
    """multichannel=true: channel words carry no speaker; with diarization both are named."""
    left = {"alternatives": [{"words": [word("hi", 0.2, 0.5, pw="Hi.")]}]}
    right = {"alternatives": [{"words": [word("hey", 0.8, 1.1, 0, "Hey.")]}]}
    data = {"results": {"channels": [left, right]}}
    t = DG.parse(src(data), ParseOptions())
    assert [(s.speaker, s.start_ms, s.text) for s in t.segments] == [
        ("Channel 0", 200, "Hi."),
        ("Channel 1 speaker 0", 800, "Hey."),
    ]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (response([{"word": "x", "start": "0.1", "end": 0.2}]),
         "results.channels[0].alternatives[0].words[0]: start is not a number ('0.1')"),
        (response([{"start": 0.1, "end": 0.2}]),
         "results.channels[0].alternatives[0].words[0]: text is not a string (None)"),
        (response([], utterances={"a": 1}), "results.utterances is not a list"),
        ({"results": {"channels": [{"alternatives": "no"}]}},
         "results.channels[0].alternatives is not a list"),
    ],
)  # fmt: skip
def test_broken_responses_name_where(data: Any, reason: str) -> None:
    with pytest.raises(ParseError) as info:
        DG.parse(src(data), ParseOptions())
    assert str(info.value) == f"<input>: {reason}"


@pytest.mark.parametrize(
    ("data", "claimed"),
    [
        (response(DIARIZED_WORDS), True),
        ({"results": {"channels": []}}, False),
        ({"results": {"items": []}}, False),  # Amazon Transcribe
        ({"segments": [], "text": ""}, False),
        ([{"start": 0, "text": "x"}], False),
    ],
)
def test_sniff(data: Any, claimed: bool) -> None:
    assert DG.sniff(src(data)) is claimed


def test_cli_error_names_the_file_and_where(tmp_path: Path) -> None:
    """One 'Error: FILE: where: reason' line, no traceback; the other file still converts."""
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(response([{"word": "x", "start": 0.1, "end": [1]}])))
    good = tmp_path / "good.json"
    good.write_text(json.dumps(response(DIARIZED_WORDS)))
    result = CliRunner().invoke(cli, ["convert", str(bad), str(good), "-q"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"Error: {bad}: results.channels[0].alternatives[0].words[0]: end is not a number ([1])"
    )
    assert "Traceback" not in result.output
    assert json.loads(result.stdout)["format"] == "deepgram"


def test_chinese_words_and_utterances_join_without_spaces() -> None:
    """Deepgram gives one character per word and spaces its utterance transcript ("我 的 桌
    子"): both come out as Chinese is written."""
    chars = [word(c, i * 0.3, i * 0.3 + 0.25, 0, c) for i, c in enumerate("我的桌子。")]
    data = {
        "results": {
            "channels": [{"alternatives": [{"words": chars}], "detected_language": "zh-TW"}],
            "utterances": [{"start": 0.0, "end": 1.5, "speaker": 0, "channel": 0,
                            "transcript": "我 的 桌 子。", "words": chars}],
        }
    }  # fmt: skip
    t = DG.parse(src(data), ParseOptions())
    assert [s.text for s in t.segments] == ["我的桌子。"]
    assert t.language == "zh"
    assert [turn.text for turn in normalize(t).turns] == ["我的桌子。"]
    del data["results"]["utterances"]
    assert [s.text for s in DG.parse(src(data), ParseOptions()).segments] == ["我的桌子。"]
