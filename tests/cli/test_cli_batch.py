"""convert over folders: --since/--until, --output-name, -v, --json (exact output, exit codes)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from importers.cli import cli

VTT = "WEBVTT\n\n00:00:01.000 --> 00:00:02.500\n<v Ana>Hello there, how are you?\n"
DAY = 86_400
JAN_10 = 1_768_003_200  # 2026-01-10T00:00:00Z


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Three meetings, written on Jan 9, 10 and 11 (UTC noon), one in a subfolder."""
    root = tmp_path / "talks"
    (root / "team").mkdir(parents=True)
    for name, day in (("a.vtt", 9), ("team/b.vtt", 10), ("c.vtt", 11)):
        path = root / name
        path.write_text(VTT)
        when = JAN_10 + (day - 10) * DAY + DAY // 2
        os.utime(path, (when, when))
    return root


def test_since_and_until_take_the_files_modified_in_between(folder: Path) -> None:
    code, out, err = run(
        "convert", str(folder), "--since", "2026-01-10", "--until", "2026-01-10",
        "--timezone", "UTC", "-q",
    )  # fmt: skip
    assert code == 0
    assert [json.loads(line)["input"] for line in out.splitlines()] == [
        str(folder / "team" / "b.vtt")
    ]
    code, out, err = run("convert", str(folder), "--since", "2026-01-10", "--timezone", "UTC")
    assert f"Skipped: {folder / 'a.vtt'}: modified " in err
    assert ", before --since 2026-01-10 " in err
    assert err.splitlines()[-1] == "omi-import: 2 converted (2 conversations), 1 skipped"


def test_a_named_file_is_taken_whatever_its_date(folder: Path) -> None:
    code, out, _ = run("convert", str(folder / "a.vtt"), "--since", "2026-01-10", "-q")
    assert code == 0
    assert json.loads(out)["input"] == str(folder / "a.vtt")


def test_a_bad_since_is_a_usage_error(folder: Path) -> None:
    code, _, err = run("convert", str(folder), "--since", "last tuesday")
    assert code == 2
    assert err == (
        "Error: --since 'last tuesday' is not an ISO 8601 date and time, "
        "e.g. 2026-03-01T14:30:00+01:00\n"
    )


def test_output_name_template(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, _, _ = run(
        "convert", str(folder), "-o", str(out), "-q", "--timezone", "UTC",
        "--output-name", "{date}/{format}-{stem}.json",
    )  # fmt: skip
    assert code == 0
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*.json"))
    assert written == [
        "2026-01-09/vtt-a.json",
        "2026-01-10/vtt-b.json",
        "2026-01-11/vtt-c.json",
    ]


def test_the_default_output_names_keep_the_folders(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("convert", str(folder), "-o", str(out), "-q")[0] == 0
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*.json")) == [
        "talks/a.vtt.omi.json",
        "talks/c.vtt.omi.json",
        "talks/team/b.vtt.omi.json",
    ]


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{nope}.json", "unknown field(s) nope; use {root}"),
        ("{name", "--output-name '{name': "),
    ],
)
def test_a_bad_template_is_a_usage_error(
    folder: Path, tmp_path: Path, template: str, message: str
) -> None:
    code, _, err = run("convert", str(folder), "-o", str(tmp_path), "--output-name", template)
    assert code == 2
    assert message in err


def test_a_name_leaving_the_output_folder_fails_that_file(folder: Path, tmp_path: Path) -> None:
    code, _, err = run(
        "convert", str(folder / "a.vtt"), "-o", str(tmp_path / "o"), "--output-name", "../{name}"
    )
    assert code == 1
    assert f"Error: {folder / 'a.vtt'}: --output-name gives '../a.vtt', not a file in" in err


def test_verbose_says_what_was_read_and_each_repair(tmp_path: Path) -> None:
    path = tmp_path / "talk.vtt"
    path.write_text(VTT + "\n00:00:03.000 --> 00:00:03.000\n<v Ben>Yes.\n")
    code, _, err = run("convert", str(path), "-v", "--language", "en")
    assert code == 0
    assert err.splitlines() == [
        f"Read: {path}: vtt, ascii; 2 segments in 1 conversation; language en (option); "
        "start from mtime",
        f"Repair: {path}:6: zero-length cue given a duration",
        "omi-import: 1 converted (1 conversation)",
    ]


def test_json_summary(folder: Path, tmp_path: Path) -> None:
    (folder / "notes.xyz").write_text("x")
    (folder / "bad.vtt").write_text("WEBVTT\n\n00:00:01.000 --> soon\nHi\n")
    out = tmp_path / "out"
    code, stdout, stderr = run("convert", str(folder), "-o", str(out), "--json")
    assert code == 1
    assert stderr == ""
    summary = json.loads(stdout)
    assert summary["ok"] is False
    assert summary["totals"] == {"converted": 3, "conversations": 3, "skipped": 1, "failed": 1}
    by_path = {Path(i["path"]).name: i for i in summary["inputs"]}
    assert by_path["bad.vtt"]["status"] == "failed"
    assert by_path["bad.vtt"]["reason"].endswith(
        ":3: invalid cue timing line: '00:00:01.000 --> soon'"
    )
    assert by_path["notes.xyz"] == {
        "path": str(folder / "notes.xyz"), "status": "skipped", "format": None,
        "conversations": 0, "output": None, "reason": "unsupported file type",
        "warnings": [], "repairs": {},
    }  # fmt: skip
    assert by_path["a.vtt"]["output"] == str(out / "talks" / "a.vtt.omi.json")
    assert by_path["a.vtt"]["format"] == "vtt"
