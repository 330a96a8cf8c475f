"""The omi-import command: exact output, files, errors and exit codes (click CliRunner)."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import REPO, SAMPLES, installs_extra

from importers.cli import cli

WHISPER = {
    "text": " Hello there. How are you?",
    "segments": [
        {"id": 0, "seek": 0, "start": 0.0, "end": 1.5, "text": " Hello there.", "tokens": [1]},
        {"id": 1, "seek": 0, "start": 1.5, "end": 3.25, "text": " How are you?", "tokens": [2]},
    ],
    "language": "en",
}
STARTED = "2026-03-01T12:00:00+01:00"


@pytest.fixture
def whisper_file(tmp_path: Path) -> Path:
    p = tmp_path / "talk.json"
    p.write_text(json.dumps(WHISPER))
    return p


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def test_convert_prints_the_exact_json(whisper_file: Path) -> None:
    code, out, err = run("convert", str(whisper_file), "--started-at", STARTED)
    assert code == 0
    # Each conversation is printed as the exact bytes that are POSTed: one line per body.
    body = (
        '{"transcript_segments":[{"text":"Hello there. How are you?","speaker":"SPEAKER_00",'
        '"speaker_id":0,"is_user":false,"person_id":null,"start":0.0,"end":3.25}],'
        '"source":"phone","started_at":"2026-03-01T12:00:00+01:00",'
        '"finished_at":"2026-03-01T12:00:03.250000+01:00","language":"en",'
        '"client_session_id":"omi-import-af8af6de8dc1a985146fe74562a51a39717c6853-000"}'
    )
    expected = f"""{{
  "input": "{whisper_file}",
  "format": "whisper",
  "encoding": "ascii",
  "started_at_source": "option",
  "language": "en",
  "language_source": "input",
  "speakers": {{
    "SPEAKER_00": null
  }},
  "repairs": [],
  "conversations": [
    {body}
  ]
}}
"""
    assert out == expected
    assert err == "omi-import: 1 converted (1 conversation)\n"


def test_import_dry_run_prints_the_same(whisper_file: Path) -> None:
    _, converted, _ = run("convert", str(whisper_file), "--started-at", STARTED)
    code, dry, _ = run("import", str(whisper_file), "--dry-run", "--started-at", STARTED)
    assert code == 0
    assert dry == converted


def test_output_dir(whisper_file: Path, tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    code, out, _ = run("convert", str(whisper_file), "-o", str(out_dir), "-q")
    assert code == 0
    assert out == ""
    written = json.loads((out_dir / "talk.json.omi.json").read_text())
    assert written["format"] == "whisper"
    assert len(written["conversations"]) == 1


def test_bad_file_reports_file_and_line_and_others_still_convert(
    whisper_file: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "segments": [\n    {"start": 0,,}\n  ]\n}\n')
    code, out, err = run("convert", str(bad), str(whisper_file), "--format", "whisper", "-q")
    assert code == 1
    assert err.splitlines()[0] == (
        f"Error: {bad}:3: invalid JSON: unexpected character, expected a string key"
    )
    assert err.splitlines()[-1] == "omi-import: 1 converted (1 conversation), 1 failed"
    lines = out.splitlines()
    assert len(lines) == 1  # several inputs: one JSON object per line
    assert json.loads(lines[0])["input"] == str(whisper_file)


def test_hostile_files_first_in_a_folder_fail_alone(whisper_file: Path, tmp_path: Path) -> None:
    """Files that once ended the whole batch with a traceback (issue 9), first in the walk:
    each is one error line, and the file after them still converts."""
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "a-far.srt").write_text("1\n99999999:99:99,999 --> 99999999:99:99,999\nhi\n")
    (folder / "b-huge.json").write_text('{"segments": [{"start": 1e400, "end": 2, "text": "x"}]}')
    (folder / "c-digits.srt").write_text(f"1\n00:00:01,000 --> 00:00:{'9' * 5000},000\nhi\n")
    good = folder / "d-good.json"
    good.write_bytes(whisper_file.read_bytes())
    code, out, err = run("convert", str(folder), "-q")
    assert code == 1
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if line.startswith("Error: ")]
    assert [e.split(":")[1].strip().rsplit("/", 1)[-1] for e in errors] == [
        "a-far.srt",
        "b-huge.json",
        "c-digits.srt",
    ]
    assert err.splitlines()[-1] == "omi-import: 1 converted (1 conversation), 3 failed"
    assert json.loads(out)["input"] == str(good)


def test_unrecognised_json_suggests_format(tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    other.write_text('{"hello": "world"}')
    code, _, err = run("convert", str(other))
    assert code == 1
    assert err.splitlines()[0] == (
        f"Error: {other}: not recognised as any of: whisper, whisperx, whisper-timestamped, "
        "deepgram, assemblyai, aws-transcribe, revai, json-segments, fireflies; use --format to "
        "choose one"
    )


def test_folder_walk_skips_unsupported(whisper_file: Path, tmp_path: Path) -> None:
    (tmp_path / "notes.xyz").write_text("nothing")
    (tmp_path / ".hidden.json").write_text("{}")
    code, out, err = run("convert", str(tmp_path))
    assert code == 0
    assert f"Skipped: {tmp_path / 'notes.xyz'}: unsupported file type" in err
    assert err.splitlines()[-1] == "omi-import: 1 converted (1 conversation), 1 skipped"
    assert json.loads(out)["input"] == str(whisper_file)


def test_formats_lists_the_adapters_in_80_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run("formats")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["FORMAT", "FILES", "FROM", "WHAT", "IT", "READS"]
    assert max(len(line) for line in lines) <= 80
    names = [line.split()[0] for line in lines[1:] if not line.startswith(" ")]
    assert {"rttm", "whisper", "whisperx", "audio"} <= set(names)
    whisperx = next(line for line in lines if line.startswith("whisperx "))
    assert ".json" in whisperx and "omi-import" in whisperx
    audio = next(line for line in lines if line.startswith("audio "))
    assert ".wav .mp3 .m4a" in audio  # two dozen extensions, a few shown


def test_formats_says_what_an_adapter_still_needs(monkeypatch: pytest.MonkeyPatch) -> None:
    from adapters.audio import AudioAdapter

    monkeypatch.setattr(AudioAdapter, "requires", ("no_such_module_here",))
    code, out, _ = run("formats", "--json")
    assert code == 0
    audio = next(f for f in json.loads(out) if f["name"] == "audio")
    assert audio["missing"] == ["no_such_module_here"]
    assert audio["install"].endswith(" (install torch first)")
    assert installs_extra(audio["install"], "audio")
    assert len(audio["extensions"]) > 20
    code, out, _ = run("formats")
    shown = " ".join(out.split())
    assert "[not installed: no_such_module_here; pip install " in shown
    assert installs_extra(shown, "audio") and "(install torch first)]" in shown


def test_formats_without_the_audio_extra_lists_it_as_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A light install has no pyannote package at all: looking for pyannote.audio must not
    raise (it did, with a traceback, from `omi-import formats`)."""
    for module in ("av", "faster_whisper", "pyannote", "pyloudnorm"):
        monkeypatch.setitem(sys.modules, module, None)  # what an uninstalled package gives
    # Not imported by an earlier test either: find_spec must look for it through its parent.
    monkeypatch.delitem(sys.modules, "pyannote.audio", raising=False)
    code, out, err = run("formats", "--json")
    assert (code, err) == (0, "")
    audio = next(f for f in json.loads(out) if f["name"] == "audio")
    assert audio["missing"] == ["av", "faster_whisper", "pyannote.audio", "pyloudnorm"]


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--timezone", "Mars/Base"], "Error: unknown time zone 'Mars/Base'"),
        (["--format", "nope"], "Error: unknown format 'nope'; known formats: "),
        (["--encoding", "bogus-enc"], "Error: --encoding: unknown encoding 'bogus-enc'"),
        (["--encoding", "rot13"], "Error: --encoding: 'rot13' is not a text encoding"),
    ],
)
def test_bad_options_exit_2_before_any_file(
    whisper_file: Path, flags: list[str], message: str
) -> None:
    code, out, err = run("convert", str(whisper_file), *flags)
    assert (code, out) == (2, "")
    assert err.startswith(message)
    assert len(err.splitlines()) == 1


def test_folder_walk_skips_unrecognised_content_but_named_file_fails(tmp_path: Path) -> None:
    """A .txt in a folder that no adapter recognises is listed as skipped, not an error;
    the same file named on the command line is an error with a non-zero exit."""
    folder = tmp_path / "exports"
    folder.mkdir()
    notes = folder / "notes.txt"
    notes.write_text("Remember to buy milk.\nCall the bank on Monday.\n")
    good = folder / "call.vtt"
    good.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:02.500\n<v Ana>Hello there.\n")
    runner = CliRunner()
    result = runner.invoke(cli, ["convert", str(folder), "-q"], catch_exceptions=False)
    assert result.exit_code == 0
    assert json.loads(result.stdout.splitlines()[0])["format"] == "vtt"
    verbose = runner.invoke(cli, ["convert", str(folder)], catch_exceptions=False)
    assert f"Skipped: {notes}: not recognised as any of:" in verbose.stderr
    assert "omi-import: 1 converted (1 conversation), 1 skipped" in verbose.stderr
    named = runner.invoke(cli, ["convert", str(notes)], catch_exceptions=False)
    assert named.exit_code == 1
    assert f"Error: {notes}: not recognised as any of:" in named.stderr


def test_broken_file_of_a_one_format_extension_gets_the_parsers_error(tmp_path: Path) -> None:
    """A .srt that is not SRT is reported by the SRT parser, with its line, not as 'unknown'."""
    bad = tmp_path / "notes.srt"
    bad.write_text("garbage\n")
    result = CliRunner().invoke(cli, ["convert", str(bad)], catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"Error: {bad}:1: not an SRT cue (expected a cue number or a timing line): 'garbage'"
    )
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        ("nan", "the rate-limit window must be a number of seconds above 0 and at most 86400"),
        ("inf", "the rate-limit window must be a number of seconds above 0 and at most 86400"),
        ("1e9", "the rate-limit window must be a number of seconds above 0 and at most 86400"),
        ("0", "Invalid value for '--rate-window'"),
    ],
)
def test_a_rate_window_that_is_not_a_sane_number_is_a_usage_error(
    window: str, expected: str, tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        cli,
        ["import", "--rate-window", window, "--api-key", "omi_dev_" + "0" * 32,
         "--state", str(tmp_path / "s"), str(tmp_path)],
    )  # fmt: skip
    assert result.exit_code == 2
    assert expected in result.output
    assert not (tmp_path / "s").exists()


def test_standard_input_is_read_and_detected_by_content(in_repo: Path) -> None:
    """`convert -` reads stdin; the content decides the format and gives the file's key."""
    data = (in_repo / "samples/srt/whisperx-call.srt").read_bytes()
    result = CliRunner().invoke(cli, ["convert", "-"], input=data, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert (out["input"], out["format"]) == ("<stdin>", "srt")
    assert out["conversations"][0]["client_session_id"] == (
        "omi-import-1e2e31f4e71b2fbe8fa2144b3bf13e80f24232f2-000"  # as for the file itself
    )


def test_a_missing_path_fails_alone(whisper_file: Path, tmp_path: Path) -> None:
    missing = tmp_path / "nope.srt"
    code, out, err = run("convert", str(missing), str(whisper_file))
    assert code == 1
    assert err.splitlines() == [
        f"Error: {missing}: cannot read: No such file or directory",
        "omi-import: 1 converted (1 conversation), 1 failed",
    ]
    assert json.loads(out)["input"] == str(whisper_file)


def test_an_empty_folder_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    code, out, err = run("convert", str(tmp_path / "empty"))
    assert (code, out) == (1, "")
    assert err == f"Error: {tmp_path / 'empty'}: no files to convert\n"


def test_another_formats_content_gets_the_right_hint(tmp_path: Path) -> None:
    """WebVTT saved as .srt: say what it is and which --format reads it."""
    misnamed = tmp_path / "talk.srt"
    misnamed.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Ana>Hello.\n")
    code, _, err = run("convert", str(misnamed))
    assert code == 1
    assert err.splitlines()[0] == (
        f"Error: {misnamed}: the content reads as vtt, not as .srt; use --format vtt"
    )
    code, out, _ = run("convert", str(misnamed), "--format", "vtt")
    assert code == 0
    assert json.loads(out)["format"] == "vtt"


@pytest.mark.parametrize("content", ["", "\n\n  \n", "\ufeff"])
def test_an_empty_file_says_so(tmp_path: Path, content: str) -> None:
    empty = tmp_path / "talk.vtt"
    empty.write_text(content, encoding="utf-8")
    code, _, err = run("convert", str(empty))
    assert code == 1
    assert err.splitlines()[0] == f"Error: {empty}: empty file"


def test_speaker_prefixes_can_be_forced_either_way(tmp_path: Path) -> None:
    """--speaker-prefixes (declared by every prefix-reading adapter, offered once) wins over
    the guess: here one 'Q:' cue of three is too few to count as speakers by itself."""
    path = tmp_path / "talk.srt"
    path.write_text(
        "1\n00:00:01,000 --> 00:00:02,000\nQ: where were you?\n\n"
        "2\n00:00:03,000 --> 00:00:04,000\nAt home.\n\n"
        "3\n00:00:05,000 --> 00:00:06,000\nAll day.\n"
    )

    def speakers(*flags: str) -> dict[str, str | None]:
        code, out, _ = run("convert", str(path), "-q", *flags)
        assert code == 0
        result: dict[str, str | None] = json.loads(out)["speakers"]
        return result

    assert speakers() == {"SPEAKER_00": None}
    assert speakers("--speaker-prefixes", "yes") == {"SPEAKER_00": "Q"}  # the rest continue Q
    assert speakers("--speaker-prefixes", "no") == {"SPEAKER_00": None}
    code, _, err = run("convert", str(path), "--speaker-prefixes", "maybe")
    assert code == 2
    assert "'maybe' is not one of 'yes', 'no'" in err


def test_a_me_or_people_name_that_matches_nobody_is_a_warning(
    in_repo: Path, tmp_path: Path
) -> None:
    """A typo in --me (or a --people name not in this file) no longer passes silently."""
    people = tmp_path / "people.json"
    people.write_text('{"Tomás Ortega": "p_1", "Ben": "p_2"}')
    code, out, err = run(
        "convert", "samples/vtt/team-sync.vtt", "-q", "--me", "Priya Ramen", "--people", str(people)
    )
    assert code == 0
    assert err == (
        "Warning: samples/vtt/team-sync.vtt: no speaker matches 'Priya Ramen', 'Ben'; "
        "the speakers are: Priya Raman (SPEAKER_00), Tomás Ortega (SPEAKER_01)\n"
    )
    segments = json.loads(out)["conversations"][0]["transcript_segments"]
    assert not any(s["is_user"] for s in segments)
    assert {s["person_id"] for s in segments} == {None, "p_1"}


def _docx_bomb() -> bytes:
    """The sample .docx with a word/document.xml of 64 MiB (deflated to about 200 KB)."""
    paragraph = b"<w:p><w:r><w:t>Ana  0:00</w:t></w:r></w:p>"
    out = io.BytesIO()
    template = SAMPLES / "otter-docx" / "interview.docx"
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != "word/document.xml":
                dst.writestr(info, src.read(info))
                continue
            with dst.open(info.filename, "w") as part:
                for _ in range(64):
                    part.write(paragraph * ((1 << 20) // len(paragraph)))
    return out.getvalue()


#: A file of each class that crashed, hung or blew up memory (issue 9), and its error line.
FIRST_FILES: dict[str, tuple[str, bytes | Callable[[], bytes], str]] = {
    "time out of range": (
        "a.srt",
        b"1\n99999999:99:99,999 --> 99999999:99:99,999\nhi\n",
        "a.srt:2: cue start is out of range (times must be within 10,000 hours): "
        "'99999999:99:99,999 --> 99999999:99:99,999'",
    ),
    "thousands of digits": (
        "a.srt",
        b"1\n00:00:01,000 --> " + b"9" * 5000 + b":00:00,000\nhi\n",
        "a.srt:2: cue end is out of range (times must be within 10,000 hours): "
        "'00:00:01,000 --> 9999999999999999999999999999999999999999...'",
    ),
    "float beyond a double": (
        "a.json",
        b'{"segments": [{"start": 1e308, "end": 1e308, "text": "x", "speaker": "A"}]}',
        "a.json: segment 0: start is out of range (times must be within 10,000 hours)",
    ),
    "NOTE with an arrow": (
        "a.vtt",
        b"WEBVTT\n\nNOTE -->\n",
        "a.vtt:3: invalid cue timing line: 'NOTE -->'",
    ),
    "deep JSON": ("a.json", b"[" * 100_000, "a.json:1: invalid JSON: depth limit exceeded"),
    "lone surrogate": (
        "a.json",
        b'{"segments": [{"start": 0, "end": 1, "text": "\\ud800", "speaker": "A"}]}',
        "a.json:1: invalid JSON: no low surrogate in string",
    ),
    "zip bomb": (
        "a.docx",
        _docx_bomb,
        "a.docx: not a .docx export: it unpacks to more than 32 MiB",
    ),
}


@pytest.mark.parametrize("kind", FIRST_FILES)
def test_a_folder_whose_first_file_is_hostile_still_converts_the_rest(
    kind: str, tmp_path: Path
) -> None:
    """Each class of issue 9, first in a folder: one Error line, the next file converts, exit 1."""
    name, data, error = FIRST_FILES[kind]
    (tmp_path / name).write_bytes(data() if callable(data) else data)
    args = ["convert", str(tmp_path), "-q"]
    if name.endswith(".json"):  # JSON no adapter recognises is skipped in a folder: say which
        good = tmp_path / "z.json"
        good.write_bytes((SAMPLES / "whisperx" / "shipment-word-speakers.json").read_bytes())
        args += ["--format", "whisperx"]
    else:
        good = tmp_path / "z.srt"
        good.write_text("1\n00:00:01,000 --> 00:00:02,000\nhello\n")
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: {tmp_path}/{error}",
        "omi-import: 1 converted (1 conversation), 1 failed",
    ]
    assert [json.loads(line)["input"] for line in result.stdout.splitlines()] == [str(good)]


def test_the_workers_help_names_the_schedulers_cap() -> None:
    from importers.upload.scheduler import DEFAULT_CAP

    shown = CliRunner().invoke(cli, ["import", "--help"], terminal_width=200).output
    assert f"at most {DEFAULT_CAP})" in " ".join(shown.split())


def test_a_recording_in_a_folder_without_the_audio_extra_is_skipped_not_an_error(
    tmp_path: Path,
) -> None:
    """A transcript and a recording of another meeting in one folder, no audio extra: the
    recording is skipped with the pip command, the run succeeds; named, it is an error."""
    try:
        import faster_whisper  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("the audio extra is installed: the recording would be transcribed")
    folder = tmp_path / "talks"
    folder.mkdir()
    (folder / "call.srt").write_text("1\n00:00:01,000 --> 00:00:03,000\nHello there.\n")
    shutil.copy(SAMPLES / "audio" / "standup.ogg", folder / "standup.ogg")
    done = CliRunner().invoke(cli, ["convert", str(folder), "-o", str(tmp_path / "out")])
    assert done.exit_code == 0, done.output
    skipped = [line for line in done.output.splitlines() if line.startswith("Skipped:")]
    assert len(skipped) == 1
    assert skipped[0].startswith(f"Skipped: {folder / 'standup.ogg'}: audio input needs ")
    assert installs_extra(skipped[0], "audio")
    assert "1 converted (1 conversation), 1 skipped" in done.output
    named = CliRunner().invoke(cli, ["convert", str(folder / "standup.ogg")])
    assert named.exit_code == 1
    assert f"Error: {folder / 'standup.ogg'}: audio input needs " in named.output


def test_convert_loads_neither_the_uploader_nor_the_live_display() -> None:
    """`omi-import convert` on a file starts without httpx, SQLite or rich (the uploader and
    the live display load when a command needs them): start-up is most of a small file's time."""
    probe = (
        "import sys, runpy; sys.argv = ['omi-import', 'convert', '-q', sys.argv[1]]\n"
        "try:\n    runpy.run_module('importers', run_name='__main__')\n"
        "except SystemExit as stop:\n    assert not stop.code, stop.code\n"
        "heavy = {'httpx', 'sqlite3', 'rich', 'importers.upload.importer'}\n"
        "print(sorted(heavy & set(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(SAMPLES / "srt" / "podcast-turn-starts.srt")],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[]"
