"""Every error is one short printable line that names its file (importers.errors)."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest
from click.testing import CliRunner

from importers.cli import cli
from importers.conversion.options import ConvertOptions
from importers.conversion.pipeline import convert
from importers.errors import (
    MAX_MESSAGE_CHARS,
    ConfigError,
    ImporterError,
    InputError,
    ParseError,
    UnknownFormatError,
)


def test_a_long_value_is_quoted_in_short() -> None:
    """One error quoted a 1 MB value (1,000,128 characters); now the whole line is bounded."""
    error = InputError(f"segment 0: start is not a number ({'x' * 1_000_000!r})", path="a.json")
    assert len(str(error)) == MAX_MESSAGE_CHARS
    assert str(error).startswith("a.json: segment 0: start is not a number ('xxx")
    assert str(error).endswith("...")


def test_control_characters_are_escaped_and_spaces_kept() -> None:
    """A terminal acts on none of them; a file name's double space is part of the name."""
    error = ParseError(
        "bad\nline\ttab \x00\x07\x1b[2J\x7f\u202e\ud800", path="my  file\x07.srt", line=3
    )
    assert str(error) == (
        "my  file\\x07.srt:3: bad\\nline\\ttab \\x00\\x07\\x1b[2J\\x7f\\u202e\\ud800"
    )
    assert str(error).isprintable()


def test_a_long_path_keeps_the_reason() -> None:
    error = UnknownFormatError("not recognised", hint="use --format", path="d/" * 5000 + "x.txt")
    assert str(error).endswith("...: not recognised; use --format")
    assert len(str(error)) < 600


def test_with_path_keeps_the_bound() -> None:
    error = ParseError("bad", line=2).with_path("a\x1b.srt")
    assert str(error) == "a\\x1b.srt:2: bad"


@pytest.mark.parametrize("error", [ConfigError("x" * 5000), ImporterError("a\nb")])
def test_every_importer_error_is_bounded(error: ImporterError) -> None:
    assert len(str(error)) <= MAX_MESSAGE_CHARS
    assert str(error).isprintable()


def test_errors_still_pickle() -> None:
    error = ParseError("bad \x07", path="a.srt", line=2, snippet="x" * 100)
    clone = pickle.loads(pickle.dumps(error))
    assert (type(clone), str(clone), clone.line, clone.path) == (
        ParseError, str(error), 2, "a.srt",
    )  # fmt: skip


def test_a_huge_json_value_in_an_error(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_text(
        json.dumps({"segments": [{"start": "x" * 1_000_000, "text": "hi", "speaker": "A"}]})
    )
    with pytest.raises(InputError) as info:
        convert(path, ConvertOptions.from_flags(format_name="whisperx"))
    assert len(f"Error: {info.value}") < 2000
    assert str(info.value).startswith(f"{path}: segment 0: start is not a number ('xxxx")


def test_rttm_recording_ids_reach_the_terminal_escaped(tmp_path: Path) -> None:
    """Recording ids with NUL, BEL and DEL are shown as escapes, never sent to the terminal."""
    talk = tmp_path / "talk.srt"
    talk.write_text("1\n00:00:01,000 --> 00:00:02,000\nhello\n")
    rttm = tmp_path / "turns.rttm"
    rttm.write_text(
        "SPEAKER a\x00b 1 0 1 <NA> <NA> A <NA> <NA>\n"
        "SPEAKER c\x07\x7f 1 0 1 <NA> <NA> B <NA> <NA>\n"
    )
    result = CliRunner().invoke(cli, ["convert", str(talk), "--diarization", str(rttm), "-q"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"Error: {talk}: diarization holds several recordings (a\\x00b, c\\x07\\x7f) and none is "
        "named 'talk'; choose one with --diarization-id"
    )
