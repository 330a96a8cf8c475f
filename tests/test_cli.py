"""The omi-import command: exact output, files, errors and exit codes (click CliRunner)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import SAMPLES

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
        '"source":"external_integration","started_at":"2026-03-01T12:00:00+01:00",'
        '"finished_at":"2026-03-01T12:00:03.250000+01:00","language":"en",'
        '"client_session_id":"omi-import-af8af6de8dc1a985146fe74562a51a39717c6853-000"}'
    )
    expected = f"""{{
  "input": "{whisper_file}",
  "format": "whisper",
  "encoding": "ascii",
  "started_at_source": "option",
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
        f"Error: {bad}:3: invalid JSON: Expecting property name enclosed in double quotes"
    )
    assert err.splitlines()[-1] == "omi-import: 1 converted (1 conversation), 1 failed"
    lines = out.splitlines()
    assert len(lines) == 1  # several inputs: one JSON object per line
    assert json.loads(lines[0])["input"] == str(whisper_file)


def test_unrecognised_json_suggests_format(tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    other.write_text('{"hello": "world"}')
    code, _, err = run("convert", str(other))
    assert code == 1
    assert err.splitlines()[0] == (
        f"Error: {other}: not recognised as any of: whisper, whisperx; use --format to choose one"
    )


def test_folder_walk_skips_unsupported(whisper_file: Path, tmp_path: Path) -> None:
    (tmp_path / "notes.xyz").write_text("nothing")
    (tmp_path / ".hidden.json").write_text("{}")
    code, out, err = run("convert", str(tmp_path))
    assert code == 0
    assert f"Skipped: {tmp_path / 'notes.xyz'}: unsupported file type" in err
    assert err.splitlines()[-1] == "omi-import: 1 converted (1 conversation), 1 skipped"
    assert json.loads(out)["input"] == str(whisper_file)


def test_formats_lists_the_adapters() -> None:
    code, out, _ = run("formats")
    assert code == 0
    names = [line.split()[0] for line in out.splitlines()]
    assert {"rttm", "whisper", "whisperx"} <= set(names)
    whisperx = next(line for line in out.splitlines() if line.startswith("whisperx"))
    assert ".json" in whisperx
    assert "omi-import" in whisperx


def test_usage_errors_exit_2(whisper_file: Path) -> None:
    code, _, err = run("convert", str(whisper_file), "--timezone", "Mars/Base")
    assert code == 2
    assert "unknown time zone 'Mars/Base'" in err
    code, _, _ = run("convert", str(whisper_file.with_name("missing.json")))
    assert code == 2


def test_unknown_format_is_reported_per_file(whisper_file: Path) -> None:
    code, _, err = run("convert", str(whisper_file), "--format", "nope")
    assert code != 0
    assert "unknown format 'nope'" in err


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


def test_the_workers_help_names_the_schedulers_cap() -> None:
    from importers.scheduler import DEFAULT_CAP

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
    assert 'pip install "omi-import[audio]"' in skipped[0]
    assert "1 converted (1 conversation), 1 skipped" in done.output
    named = CliRunner().invoke(cli, ["convert", str(folder / "standup.ogg")])
    assert named.exit_code == 1
    assert f"Error: {folder / 'standup.ogg'}: audio input needs " in named.output
