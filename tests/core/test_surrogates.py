"""A lone surrogate (``\\ud800``) is no character: it can reach no request body (issue 9).

It converted, then crashed when printed and when sent (the ledger row left in ``sending``).
Now each way in refuses it where the text is decoded: JSON (orjson), decoders (UTF-7), the
command line (bytes that are not UTF-8 arrive as surrogates), the people file; and a plugin's
text that still holds one is a PayloadError, never a body.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner
from fake_adapters import TalkAdapter, talk_file
from fake_omi import GOOD_KEY, FakeOmi
from pydantic import SecretStr
from support import SAMPLES
from uploading import upload

from importers.cli import cli
from importers.conversion.options import ConvertOptions
from importers.conversion.pipeline import convert
from importers.errors import ConfigError, PayloadError
from importers.registry import Registry
from importers.upload import UploadOptions
from importers.upload.ledger import Ledger
from importers.upload.settings import Settings

LONE = "\ud800"
NOT_TEXT = "is not valid text (bytes that are not UTF-8)"


def test_json_with_an_escaped_lone_surrogate_is_an_error_line(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"segments": [{"start": 0, "end": 1, "text": "hi \\udc00", "speaker": "A"}]}')
    result = CliRunner().invoke(cli, ["convert", str(path), "--format", "whisperx"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"Error: {path}:1: invalid JSON: invalid high surrogate in string"
    )
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("flags", "error"),
    [
        ({"language": "d\udcffe"}, f"--language 'd\\udcffe' {NOT_TEXT}"),
        ({"me": ["Ana", "B\udc80"]}, f"--me 'B\\udc80' {NOT_TEXT}"),
        ({"diarization_id": LONE}, f"--diarization-id '\\ud800' {NOT_TEXT}"),
    ],
)  # fmt: skip
def test_options_that_are_not_text_are_config_errors(flags: dict[str, object], error: str) -> None:
    """``--language $'\\xff'`` arrives as ``\\udcff`` (surrogateescape): refused, exit 2."""
    with pytest.raises(ConfigError) as info:
        ConvertOptions.from_flags(**flags)  # type: ignore[arg-type]
    assert str(info.value) == error


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b'{"Ana": "p\\ud800"}', ":1: people file is not valid JSON: no low surrogate in string"),
        (b'{"Ana": "p\xff"}', ":1: people file is not valid JSON: str is not valid UTF-8: "
         "surrogates not allowed"),
    ],
)  # fmt: skip
def test_a_people_file_with_no_text_is_a_config_error(
    tmp_path: Path, data: bytes, error: str
) -> None:
    people = tmp_path / "people.json"
    people.write_bytes(data)
    with pytest.raises(ConfigError) as info:
        ConvertOptions.from_flags(people=people)
    assert str(info.value) == f"{people}{error}"


def test_a_plugins_text_with_a_lone_surrogate_is_never_a_body(tmp_path: Path) -> None:
    """The last guard, where bodies are serialised: a PayloadError for that file only."""

    class Broken(TalkAdapter):
        name = "broken"

        def parse(self, source, options):  # type: ignore[no-untyped-def]
            transcript = super().parse(source, options)
            segments = tuple(s._replace(text=s.text + LONE) for s in transcript.segments)
            return type(transcript)(segments, self.name)

    path = tmp_path / "a.talk"
    path.write_text("A|0|1|hello\n")
    registry = Registry([Broken()])
    with pytest.raises(PayloadError) as info:
        convert(path, ConvertOptions.from_flags(registry=registry), registry=registry)
    assert str(info.value) == (
        f"{path}: conversation 1 holds text that is not valid Unicode (a lone surrogate)"
    )


def test_a_file_name_that_is_not_utf8_is_written_escaped(tmp_path: Path) -> None:
    """Linux file names are bytes: one that is not UTF-8 reaches Python with surrogates. The
    convert output, the ledger and the report hold it as ``\\xff``; the file is still read."""
    folder = tmp_path / "in"
    folder.mkdir()
    name = os.fsdecode(b"caf\xe9.talk")
    talk_file(folder / name, 2)
    registry = Registry([TalkAdapter()])
    conversion = convert(
        folder / name, ConvertOptions.from_flags(registry=registry), registry=registry
    )
    assert orjson.loads(conversion.to_json())["input"] == f"{folder}/caf\\xe9.talk"
    srt = tmp_path / "srt"
    srt.mkdir()
    shutil.copyfile(SAMPLES / "srt" / "otter-export.srt", srt / os.fsdecode(b"caf\xe9.srt"))
    summary = CliRunner().invoke(cli, ["convert", str(srt), "-o", str(tmp_path / "out"), "--json"])
    (record,) = orjson.loads(summary.stdout.encode("utf-8"))["inputs"]  # valid UTF-8 JSON
    assert record["path"] == f"{srt}/caf\\xe9.srt"
    assert record["output"].endswith("caf\\xe9.srt.omi.json")
    (folder / "broken.talk").write_text("no cue here\n")
    os.rename(folder / "broken.talk", folder / os.fsdecode(b"bad\xff.talk"))
    with FakeOmi() as fake, Ledger.open(tmp_path / "state") as ledger:
        report = upload(
            [folder],
            settings=Settings(fake.url, SecretStr(GOOD_KEY)),
            ledger=ledger,
            options=UploadOptions(read_timeout_s=5),
            registry=registry,
        )
        report.write(tmp_path / "report.json")
        paths = sorted(e.path for e in ledger.inputs())
    assert paths == [f"{folder}/bad\\xff.talk", f"{folder}/caf\\xe9.talk"]
    assert sorted(i.status for i in report.inputs) == ["done", "failed"]
    assert len(fake.conversations) == 1
    assert "caf\\\\xe9.talk" in (tmp_path / "report.json").read_text(encoding="utf-8")
