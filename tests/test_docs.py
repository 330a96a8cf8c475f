"""The README stays true: its commands exist, its sample paths exist, CI runs its test command."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from support import REPO

from importers import Adapter, ConvertOptions, Registry, convert
from importers.cli import cli

README = (REPO / "README.md").read_text(encoding="utf-8")
CI = (REPO / ".ci" / "run").read_text(encoding="utf-8")


def bash_blocks() -> list[str]:
    return re.findall(r"```bash\n(.*?)```", README, flags=re.S)


def test_every_command_has_help_and_is_documented() -> None:
    """Each CLI command has a help line and appears in the README as `omi-import NAME`."""
    assert isinstance(cli, click.Group)
    for name, command in cli.commands.items():
        assert command.help, f"command {name} has no help"
        assert f"omi-import {name}" in README, f"`omi-import {name}` is not in README.md"


def test_first_two_commands_use_existing_samples() -> None:
    """The two fresh-machine commands at the top name files that exist."""
    first, second = bash_blocks()[:2]
    assert "--dry-run" in first
    for path in re.findall(r"samples/\S+", first):
        assert (REPO / path).exists(), f"README names missing sample {path}"
    assert "pytest" in second


def test_ci_runs_the_readme_test_command() -> None:
    """.ci/run ends by calling the same test command as the README."""
    second = bash_blocks()[1]
    test_command = second.strip().split("&&")[-1].strip().removeprefix(".venv/bin/")
    assert test_command in CI


def test_readme_plugin_example_works(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's plugin parses, registers, converts a file, and its option reaches the CLI."""
    code = re.search(r"```python\n(# my_plugin/notes.py\n.*?)```", README, flags=re.S)
    assert code, "plugin example not found in README.md"
    namespace: dict[str, object] = {}
    exec(compile(code.group(1), "README-plugin", "exec"), namespace)
    adapter_cls = namespace["NotesAdapter"]
    assert isinstance(adapter_cls, type) and issubclass(adapter_cls, Adapter)
    sample = tmp_path / "call.notes"
    sample.write_text(
        "#notes\n0.5|Ana|Hello there.\n2|Ben|Hi Ana.\n3|Ben|DRAFT maybe\n\n4|Ana|Shall we start?\n"
    )
    registry = Registry([adapter_cls()])
    result = convert(sample, ConvertOptions(), registry=registry)
    assert result.format == "notes"
    assert result.normalized.speakers == {"SPEAKER_00": "Ana", "SPEAKER_01": "Ben"}
    assert [t.text for t in result.normalized.turns] == [
        "Hello there.",
        "Hi Ana. DRAFT maybe",
        "Shall we start?",
    ]
    monkeypatch.setattr(Registry, "default", classmethod(lambda cls: registry))
    runner = CliRunner()
    assert "--notes-skip-drafts" in runner.invoke(cli, ["convert", "--help"]).output
    done = runner.invoke(cli, ["convert", str(sample), "--notes-skip-drafts", "--no-merge"])
    assert done.exit_code == 0, done.output
    texts = [s["text"] for s in json.loads(done.stdout)["conversations"][0]["transcript_segments"]]
    assert texts == ["Hello there.", "Hi Ana.", "Shall we start?"]
