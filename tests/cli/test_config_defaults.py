"""config.toml's [defaults]: any option's default of the user's; a flag given still wins."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from importers.cli import cli

SAMPLE = "samples/vtt/team-sync.vtt"


def run(config: Path, text: str, *args: str) -> tuple[int, str, str]:
    config.write_text(text, encoding="utf-8")
    result = CliRunner(env={"OMI_IMPORT_CONFIG": str(config)}).invoke(cli, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def users(out: str) -> set[str]:
    segments = json.loads(out)["conversations"][0]["transcript_segments"]
    return {s["speaker"] for s in segments if s["is_user"]}


def test_defaults_apply_and_a_flag_wins(tmp_path: Path, in_repo: Path) -> None:
    config = tmp_path / "config.toml"
    text = '[defaults]\nme = ["Priya Raman"]\nmax-pause = 0.5\nsource = "phone"\n'
    code, out, _ = run(config, text, "convert", SAMPLE, "-q")
    assert code == 0
    body = json.loads(out)["conversations"][0]
    assert users(out) == {"SPEAKER_00"}
    assert body["source"] == "phone"
    code, out, _ = run(config, text, "convert", SAMPLE, "-q", "--me", "Tomás Ortega")
    assert users(out) == {"SPEAKER_01"}


def test_a_default_for_one_command_only_is_no_error_for_the_others(
    tmp_path: Path, in_repo: Path
) -> None:
    """`state` is import's option; convert ignores it rather than failing."""
    code, _, _ = run(tmp_path / "c.toml", '[defaults]\nstate = "~/omi"\n', "convert", SAMPLE, "-q")
    assert code == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[defaults]\nbogus = 1\n", "[defaults] names no option of omi-import: bogus"),
        ("defaults = 3\n", "[defaults] must map option names to strings"),
        ("[defaults]\nme = [1, 2]\n", "[defaults] must map option names to strings"),
        ('[defaults]\ntimezone = "Mars/Base"\n', "unknown time zone 'Mars/Base'"),
    ],
)
def test_bad_defaults_are_a_usage_error(
    tmp_path: Path, in_repo: Path, text: str, message: str
) -> None:
    code, _, err = run(tmp_path / "config.toml", text, "convert", SAMPLE)
    assert code == 2
    assert message in err
    assert err.startswith("Error: ")


def test_one_name_for_a_repeatable_option(tmp_path: Path, in_repo: Path) -> None:
    """`me = "Priya Raman"`: a list of one, as `--me "Priya Raman"` would be."""
    code, out, err = run(tmp_path / "c.toml", '[defaults]\nme = "Priya Raman"\n', "convert", SAMPLE)
    assert code == 0, err
    assert users(out) == {"SPEAKER_00"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[defaults]\nmax-pause = "soon"\n',
            "[defaults] max-pause = 'soon': 'soon' is not a valid",
        ),
        ("[defaults]\nmax-turn = 0.5\n", "[defaults] max-turn = 0.5: 0.5 is not in the range"),
        ('[defaults]\nsource = "fax"\n', "[defaults] source = 'fax': 'fax' is not one of"),
        ("[defaults]\nno-merge = 3\n", "[defaults] no-merge = 3: a flag takes true or false"),
        ('[defaults]\nno-merge = "yes"\n', "[defaults] no-merge = 'yes': a flag takes true or"),
    ],
)
def test_a_default_of_the_wrong_type_names_the_file_and_the_key(
    tmp_path: Path, in_repo: Path, text: str, message: str
) -> None:
    config = tmp_path / "config.toml"
    code, _, err = run(config, text, "convert", SAMPLE)
    assert code == 2
    assert err.startswith(f"Error: {config}: {message}"), err
    assert len(err.strip().splitlines()) == 1
