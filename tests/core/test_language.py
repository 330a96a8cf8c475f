"""Language: --language, then the file, then detection (offline, fastText), then en."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from importers.cli import cli
from importers.language import detect_language, language_code

SERBIAN = [
    "Dobar dan, kako ste danas?",
    "Idemo na sastanak. Mislim da treba da završimo projekat do petka.",
    "Šta vi mislite o tome? Slažem se, ali treba nam još vremena za testiranje.",
]
JAPANESE = ["こんにちは、今日はいい天気ですね。", "会議を始めましょう。まず予算について話します。"]
RUSSIAN = ["Привет всем, начинаем совещание.", "Сначала обсудим бюджет на следующий квартал."]


@pytest.mark.parametrize(
    ("texts", "code"),
    [
        (SERBIAN, "sr"),
        (JAPANESE, "ja"),
        (RUSSIAN, "ru"),
        (["Morning, everyone. Let's start with the release, the build is green."], "en"),
        (["Bonjour à tous, on commence la réunion avec le budget du trimestre."], "fr"),
    ],
)
def test_detects_the_language_of_the_text(texts: list[str], code: str) -> None:
    assert detect_language(texts) == code


@pytest.mark.parametrize("texts", [["ok"], ["Ja."], [], ["12:30 14:45", "!!!"]])
def test_too_little_text_says_nothing(texts: list[str]) -> None:
    assert detect_language(texts) is None


def srt(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "talk.srt"
    cues = [f"{i + 1}\n00:00:0{i},000 --> 00:00:0{i},900\n{t}\n" for i, t in enumerate(lines)]
    path.write_text("\n".join(cues), encoding="utf-8")
    return path


def language_of(*argv: str) -> tuple[str, str]:
    result = CliRunner().invoke(cli, ["convert", *argv], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert {c["language"] for c in out["conversations"]} == {out["language"]}
    return out["language"], out["language_source"]


def test_a_subtitle_file_is_sent_in_its_language(tmp_path: Path) -> None:
    """Subtitles say no language: Russian ones were sent as en; now detected, and reported."""
    path = srt(tmp_path, RUSSIAN)
    assert language_of(str(path)) == ("ru", "detected")
    assert language_of(str(path), "--language", "uk") == ("uk", "option")


def test_what_the_file_says_wins_over_detection(tmp_path: Path) -> None:
    path = tmp_path / "talk.json"
    segments = [{"start": 0.0, "end": 2.0, "text": t} for t in RUSSIAN]
    path.write_text(json.dumps({"segments": segments, "language": "bg"}), encoding="utf-8")
    assert language_of(str(path), "--format", "whisperx") == ("bg", "input")


def test_undetectable_text_defaults_to_english(tmp_path: Path) -> None:
    assert language_of(str(srt(tmp_path, ["ok", "ok"]))) == ("en", "default")


@pytest.mark.parametrize(
    ("named", "code"),
    [
        ("en", "en"),
        ("eng", "en"),
        ("en_us", "en"),  # AssemblyAI
        ("en-US", "en"),  # AWS Transcribe
        ("EN", "en"),
        ("zh-Hant", "zh"),
        ("english", "en"),  # OpenAI's verbose_json
        ("Arabic", "ar"),  # whisper-timestamped given a language name
        ("Japanese", "ja"),
        ("Mandarin", "zh"),  # a macrolanguage's member: the macrolanguage's code
        ("castilian", "es"),  # whisper's own alias
        ("Deutsch", "de"),  # a language's own name for itself
        ("日本語", "ja"),
        ("iw", "he"),  # a deprecated code
        ("fil", "fil"),  # no two-letter code: three letters
    ],
)
def test_a_language_a_file_names_becomes_its_code(named: str, code: str) -> None:
    assert language_code(named) == code


@pytest.mark.parametrize("value", ["", "  ", "auto", "und", "mul", "xx", "a-", "en--US", None, 3])
def test_a_value_that_names_no_language_gives_none(value: object) -> None:
    assert language_code(value) is None


@pytest.mark.parametrize(("named", "code"), [("english", "en"), ("Arabic", "ar"), ("auto", None)])
def test_a_language_name_in_whisper_json_is_sent_as_its_code(
    tmp_path: Path, named: str, code: str | None
) -> None:
    """OpenAI's verbose_json says "english" (sent as such before); a value naming no language
    leaves the language to detection."""
    path = tmp_path / "talk.json"
    segments = [
        {"id": i, "seek": 0, "start": i * 2.0, "end": i * 2.0 + 2, "text": f" {t}", "tokens": []}
        for i, t in enumerate(RUSSIAN)
    ]
    document = {"task": "transcribe", "language": named, "text": " ".join(RUSSIAN)}
    path.write_text(json.dumps({**document, "segments": segments}), encoding="utf-8")
    assert language_of(str(path)) == ((code, "input") if code else ("ru", "detected"))
