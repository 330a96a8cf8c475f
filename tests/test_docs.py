"""The README stays true: its commands exist, its sample paths exist, CI runs its test command."""

from __future__ import annotations

import re
from pathlib import Path

import click
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


def test_readme_plugin_example_works(tmp_path: Path) -> None:
    """The README's ten-line plugin parses, registers, and converts a file end to end."""
    code = re.search(r"```python\n(# my_plugin/notes.py\n.*?)```", README, flags=re.S)
    assert code, "plugin example not found in README.md"
    namespace: dict[str, object] = {}
    exec(compile(code.group(1), "README-plugin", "exec"), namespace)
    adapter_cls = namespace["NotesAdapter"]
    assert isinstance(adapter_cls, type) and issubclass(adapter_cls, Adapter)
    sample = tmp_path / "call.notes"
    sample.write_text("#notes\n0.5|Ana|Hello there.\n2|Ben|Hi Ana.\n\n4|Ana|Shall we start?\n")
    result = convert(sample, ConvertOptions(), registry=Registry([adapter_cls()]))
    assert result.format == "notes"
    assert result.normalized.speakers == {"SPEAKER_00": "Ana", "SPEAKER_01": "Ben"}
    assert [t.text for t in result.normalized.turns] == [
        "Hello there.",
        "Hi Ana.",
        "Shall we start?",
    ]


def test_audio_install_is_torch_then_one_command_and_ci_does_just_that() -> None:
    """README: torch, then `pip install "omi-import[audio]"`; CI installs nothing more (no extra
    package, no uninstall, no deleted file) besides the project's dev group."""
    audio = README.split("\n## Audio\n", 1)[1]
    block = re.search(r"```bash\n(.*?)```", audio, flags=re.S)
    assert block, "no install block in the Audio section"
    pips = [line.split("#")[0].strip() for line in block.group(1).splitlines()]
    pips = [p for p in pips if p.startswith("pip ")]
    assert pips[0].startswith("pip install torch ")
    assert pips[1:] == ['pip install "omi-import[audio]"']
    commands = [line.split("#")[0].strip() for line in CI.splitlines()]
    installs = [c for c in commands if " pip " in f" {c} " and "check" not in c]
    assert installs == [
        "python -m pip install -q -U pip",
        "python -m pip install -q torch==2.13.0",
        'python -m pip install -q -e ".[audio]" --group dev',
    ]
    assert not [c for c in commands if "unlink" in c or "rm " in c]
