"""WhisperX and openai-whisper JSON: detection, parsing, word-level speakers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support import CORPUS, text_source

from adapters.whisper import WhisperAdapter
from adapters.whisperx import WhisperXAdapter
from importers.adapter import ParseOptions
from importers.conversion.normalize import normalize
from importers.errors import ParseError
from importers.registry import Registry
from importers.source import Source

WX, WH = WhisperXAdapter(), WhisperAdapter()


def src(data: Any, name: str = "t.json") -> Source:
    return text_source(json.dumps(data), name)


WHISPERX_WORDS = {
    "segments": [
        {
            "start": 1.0,
            "end": 2.0,
            "text": " Hi there.",
            "speaker": "SPEAKER_00",
            "words": [
                {"word": "Hi", "start": 1.0, "end": 1.3, "score": 0.9, "speaker": "SPEAKER_00"},
                {"word": "there.", "start": 1.4, "end": 2.0, "score": 0.9},
            ],
        },
    ],
    "word_segments": [],
}
WHISPER_PLAIN = {
    "text": " Hi there.",
    "segments": [
        {"id": 0, "seek": 0, "start": 0.0, "end": 1.5, "text": " Hi there.", "tokens": [1]}
    ],
    "language": "de",
}
OTHER_JSON = [
    {"segments": [{"start": 0, "end": 1, "text": "no words, no speaker"}]},
    {"results": []},
    [1, 2, 3],
    {"segments": "not a list", "text": "x"},
    {"text": "only text"},
]


@pytest.mark.parametrize(
    ("data", "whisperx", "whisper"),
    [
        (WHISPERX_WORDS, True, False),
        ({"segments": [{"start": 0, "end": 1, "text": "x", "speaker": "A"}]}, True, False),
        ({"segments": [{"start": 0, "end": 1, "text": "x"}], "word_segments": []}, True, False),
        (WHISPER_PLAIN, False, True),
        ({"text": "", "segments": []}, False, True),
        # openai-whisper with --word_timestamps has words too, but keeps seek/tokens.
        (
            {
                "text": "x",
                "segments": [
                    {
                        "seek": 0,
                        "tokens": [],
                        "start": 0,
                        "end": 1,
                        "text": "x",
                        "words": [{"word": " x", "start": 0, "end": 1}],
                    }
                ],
            },
            False,
            True,
        ),
        *((other, False, False) for other in OTHER_JSON),
    ],
)
def test_sniffers_are_mutually_exclusive(data: Any, whisperx: bool, whisper: bool) -> None:
    """Each JSON layout is claimed by the right adapter only; other JSON by neither."""
    s = src(data)
    assert (WX.sniff(s), WH.sniff(s)) == (whisperx, whisper)


@pytest.mark.parametrize("path", sorted((CORPUS / "whisperx").glob("*.json")), ids=lambda p: p.name)
def test_corpus_whisperx_detected(path: Path) -> None:
    assert Registry.default().detect(Source.from_path(path)).name == "whisperx"


@pytest.mark.parametrize("path", sorted((CORPUS / "whisper").glob("*.json")), ids=lambda p: p.name)
def test_corpus_whisper_detected(path: Path) -> None:
    assert Registry.default().detect(Source.from_path(path)).name == "whisper"


def test_whisperx_keeps_words_without_times_and_word_speakers() -> None:
    """Null or missing word times stay None; a word without speaker keeps None (not dropped)."""
    data = {
        "segments": [
            {
                "start": 4.1,
                "end": 10.0,
                "text": " since 1990.",
                "speaker": "SPEAKER_00",
                "words": [
                    {"word": "since", "start": 9.0, "end": 9.3, "speaker": "SPEAKER_00"},
                    {"word": "1990.", "start": None, "end": None, "score": None, "speaker": None},
                    {"word": "Yes"},
                ],
            }
        ],
        "language": "en",
    }
    t = WX.parse(src(data), ParseOptions())
    (seg,) = t.segments
    assert t.language == "en"
    assert (seg.start_ms, seg.end_ms, seg.speaker, seg.text) == (
        4100,
        10000,
        "SPEAKER_00",
        "since 1990.",
    )
    assert [(w.text, w.start_ms, w.end_ms, w.speaker) for w in seg.words] == [
        ("since", 9000, 9300, "SPEAKER_00"),
        ("1990.", None, None, None),
        ("Yes", None, None, None),
    ]


def test_whisperx_without_language_has_none() -> None:
    assert WX.parse(src(WHISPERX_WORDS), ParseOptions()).language is None


def test_whisper_language_and_no_speakers() -> None:
    t = WH.parse(src(WHISPER_PLAIN), ParseOptions())
    assert t.language == "de"
    assert [(s.text, s.start_ms, s.end_ms, s.speaker) for s in t.segments] == [
        ("Hi there.", 0, 1500, None)
    ]


def test_whisper_ignores_a_speaker_key() -> None:
    """openai-whisper never diarizes; a stray speaker key must not invent speakers."""
    data = json.loads(json.dumps(WHISPER_PLAIN))
    data["segments"][0]["speaker"] = "X"
    data["segments"][0]["words"] = [{"word": " Hi", "start": 0, "end": 1, "speaker": "Y"}]
    (seg,) = WH.parse(src(data), ParseOptions()).segments
    assert seg.speaker is None
    assert seg.words[0].speaker is None
    assert seg.words[0].text == "Hi"


def test_word_level_turns_split_and_settle() -> None:
    """One disagreeing word is jitter; three against four splits the sentence (importers.turns)."""
    a, b = "SPEAKER_00", "SPEAKER_01"
    words = [
        ("So", a),
        ("what", a),
        ("now?", b),
        ("I", a),
        ("think", a),
        ("that", a),
        ("we", b),
        ("go", b),
        ("home", b),
        ("now.", b),
    ]
    data = {
        "segments": [
            {
                "start": 0.0,
                "end": 9.0,
                "text": " ".join(w for w, _ in words),
                "speaker": a,
                "words": [
                    {"word": w, "start": i, "end": i + 0.5, "speaker": s}
                    for i, (w, s) in enumerate(words)
                ],
            }
        ]
    }
    n = normalize(WX.parse(src(data), ParseOptions()))
    assert [(t.text, t.speaker) for t in n.turns] == [
        ("So what now? I think that", "SPEAKER_00"),
        ("we go home now.", "SPEAKER_01"),
    ]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"segments": [1], "word_segments": []}, "segment 0 is not an object"),
        (
            {"segments": [{"start": "0", "end": 1, "text": "x", "speaker": "A"}]},
            "segment 0: start is not a number ('0')",
        ),
        (
            {"segments": [{"start": 0, "end": 1, "text": 5, "speaker": "A"}]},
            "segment 0: text is not a string",
        ),
        (
            {"segments": [{"start": 0, "end": 1, "text": "x", "speaker": "A", "words": {}}]},
            "segment 0: words is not a list",
        ),
        (
            {
                "segments": [
                    {"start": 0, "end": 1, "text": "x", "speaker": "A", "words": [{"x": 1}]}
                ]
            },
            "segment 0: a word has no text",
        ),
    ],
)
def test_bad_whisperx_raises_parse_error(data: Any, reason: str) -> None:
    with pytest.raises(ParseError) as info:
        WX.parse(src(data), ParseOptions())
    assert str(info.value) == f"t.json: {reason}"


def test_invalid_json_gets_the_json_error_with_its_line(tmp_path: Path) -> None:
    """Broken JSON: every JSON adapter fails to read it the same way, so detection says why
    (with the line) instead of "not recognised"; --format gives the same error."""
    p = tmp_path / "broken.json"
    p.write_text('{"segments": [\n  {"start": 0,,}\n]}')
    with pytest.raises(ParseError) as detected:
        Registry.default().detect(Source.from_path(p))
    assert str(detected.value).startswith(f"{p}:2: invalid JSON")
    with pytest.raises(ParseError) as info:
        WX.parse(Source.from_path(p), ParseOptions())
    assert str(info.value).startswith(f"{p}:2: invalid JSON")
