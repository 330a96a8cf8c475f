"""The README and docs/ stay true: their commands exist and run, their links lead somewhere,
their generated output is current, and CI runs the README's test command.

How a block is run, and how one that cannot run is marked: ``tests/support/docs_blocks.py``.
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import re
import shlex
from contextlib import redirect_stdout
from pathlib import Path

import click
import docs_blocks
import pytest
from click.testing import CliRunner
from docs_blocks import DOCS, GENERATED, README, Block, blocks, name, pages, written_pages
from fake_omi import GOOD_KEY
from support import REPO

from importers import Adapter, ConvertOptions, Registry, convert
from importers.cli import cli

CI = (REPO / ".ci" / "run").read_text(encoding="utf-8")


def text(page: Path) -> str:
    return page.read_text(encoding="utf-8")


def bash_blocks() -> list[str]:
    return [b.text for b in blocks(README, "bash")]


# -- the README's first commands -----------------------------------------------------------------


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


def test_the_first_command_dry_run_prints_what_would_be_sent(tmp_path: Path) -> None:
    """The first command's last step (after its install) prints the bodies of the sample."""
    last = bash_blocks()[0].strip().split("&&")[-1].strip().removeprefix(".venv/bin/")
    with docs_blocks.place(tmp_path) as where:
        done = docs_blocks.run(last, where)
        assert done.returncode == 0, done.stderr
        (body,) = docs_blocks.json_objects(done.stdout)
    assert isinstance(body, dict) and body["format"] == "vtt" and body["conversations"]
    assert not where.fake.conversations  # a dry run sends nothing


# -- every page reached, every link leads somewhere ----------------------------------------------


def test_every_docs_page_is_linked_from_the_readme() -> None:
    linked = {
        (README.parent / target.split("#")[0]).resolve()
        for target in docs_blocks.links(README)
        if not re.match(r"[a-z]+:", target)
    }
    missing = [name(p) for p in sorted(DOCS.glob("*.md")) if p.resolve() not in linked]
    assert not missing, f"docs pages the README does not link to: {missing}"


@pytest.mark.parametrize("page", pages(), ids=name)
def test_relative_links_lead_to_a_file_and_a_heading(page: Path) -> None:
    """Every link that is not a URL names a file that exists and, with ``#anchor``, a heading of
    it (GitHub's anchors). No network: URLs are left alone."""
    broken = []
    for target in docs_blocks.links(page):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto:...
            continue
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists():
            broken.append(f"{target}: no file {path}")
        elif anchor and (file.suffix != ".md" or anchor not in docs_blocks.anchors(file)):
            broken.append(f"{target}: no heading #{anchor} in {name(file)}")
    assert not broken, f"{name(page)}: {broken}"


def test_the_link_check_sees_what_github_does(tmp_path: Path) -> None:
    """Anchors as GitHub makes them; links in code are no links."""
    page = tmp_path / "page.md"
    page.write_text(
        "# One conversation per recording: `--replace`\n## Scale-out (Dask)\n## Scale-out (Dask)\n"
        "[a](other.md#x) `[b](in-code.md)`\n```md\n[c](in-block.md)\n```\n<!-- [d](hidden.md) -->\n"
    )
    assert docs_blocks.anchors(page) == {
        "one-conversation-per-recording---replace",
        "scale-out-dask",
        "scale-out-dask-1",
    }
    assert docs_blocks.links(page) == ["other.md#x"]


# -- the blocks run --------------------------------------------------------------------------------

ALL_BLOCKS = [b for p in pages() for b in blocks(p)]
BASH = [b for b in ALL_BLOCKS if b.lang == "bash" and b.runs]
PYTHON = [b for b in ALL_BLOCKS if b.lang == "python" and b.runs]


def params(found: list[Block]) -> list[object]:
    """The blocks as parameters; one that needs the audio extra runs real models (minutes)."""
    marks = {"audio": [pytest.mark.audio, pytest.mark.slow]}
    return [pytest.param(b, marks=marks.get(b.needs or "", []), id=b.where) for b in found]


def needs(block: Block) -> None:
    """Skip, with the reason, a block whose extra is not installed here."""
    if block.needs is not None:
        module = docs_blocks.EXTRAS[block.needs]
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{block.where}: needs the {block.needs} extra")


def test_every_block_is_run_or_says_why_not() -> None:
    """A shell or Python block either runs (only commands the test can check) or carries a
    ``no-run: REASON`` marker; a ``needs:`` marker names a known extra."""
    wrong = []
    for block in ALL_BLOCKS:
        if block.marker and block.marker.startswith("no-run:"):
            if not block.marker.removeprefix("no-run:").strip():
                wrong.append(f"{block.where}: no-run without a reason")
            continue
        if block.needs is not None and block.needs not in docs_blocks.EXTRAS:
            wrong.append(f"{block.where}: needs an unknown extra {block.needs!r}")
        if block.lang in ("sh", "shell", "console", "py"):
            wrong.append(f"{block.where}: write ```bash or ```python, so the block is run")
        if block.lang == "bash":
            lines = docs_blocks.commands(block)
            if not lines:
                wrong.append(f"{block.where}: no command")
            wrong += [
                f"{block.where}: not an omi-import command: {line}"
                for line in lines
                if docs_blocks.argv(line) is None
            ]
    assert not wrong, "\n".join(wrong)
    assert len(BASH) >= 10 and len(PYTHON) >= 3, (len(BASH), len(PYTHON))


@pytest.mark.parametrize("block", params(BASH))
def test_bash_block_runs(block: Block, tmp_path: Path) -> None:
    """Each line runs against the fake Omi server, exits 0 and prints what it should."""
    needs(block)
    with docs_blocks.place(tmp_path) as where:
        for line in docs_blocks.commands(block):
            words = docs_blocks.argv(line)
            assert words is not None, line
            done = docs_blocks.run(line, where)
            said = f"{block.where}: $ {line}\n{done.stdout[-2000:]}{done.stderr[-3000:]}"
            assert done.returncode == 0, said
            assert "Traceback" not in done.stderr, said
            problem = docs_blocks.check(words, done, where)
            assert problem is None, f"{problem}\n{said}"


@pytest.mark.parametrize("block", params(PYTHON))
def test_python_block_runs(block: Block, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each Python block runs as it is, from a folder with the samples, against the fake
    server; one that prints prints something."""
    needs(block)
    with docs_blocks.place(tmp_path) as where:
        printed = exec_block(block, where, monkeypatch)
    if "print(" in block.text:
        assert printed.strip(), f"{block.where} printed nothing"


def exec_block(block: Block, where: docs_blocks.Place, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a Python block in ``where`` (its folder, state and fake server); what it printed."""
    for key, value in docs_blocks.environ(where).items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(where.root)
    printed = io.StringIO()
    with redirect_stdout(printed):
        exec(compile(block.text, block.where, "exec"), {"__name__": "docs_block"})
    return printed.getvalue()


def test_the_library_import_example_imports_into_omi(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """library.md's Importer example makes the conversation on the server and reports it."""
    (example,) = [b for b in blocks(DOCS / "library.md", "python") if "Importer(" in b.text]
    with docs_blocks.place(tmp_path) as where:
        printed = exec_block(example, where, monkeypatch)
        assert len(where.fake.conversations) == 1
    assert printed.startswith("True ")


def test_the_quickstart_imports_lists_and_deletes(tmp_path: Path) -> None:
    """The README's quickstart, in order: a dry run sends nothing, the import makes one
    conversation, a second import sends nothing, list shows it, delete removes it."""
    (block,) = [b for b in blocks(README, "bash") if "omi-import list" in b.text]
    lines = docs_blocks.commands(block)
    assert [docs_blocks.argv(line)[1:2] for line in lines] == [  # type: ignore[index]
        ["import"],
        ["import"],
        ["list"],
        ["delete"],
    ]
    with docs_blocks.place(tmp_path) as where:
        fake = where.fake
        dry = docs_blocks.run(lines[0], where)
        assert dry.returncode == 0 and not fake.conversations, dry.stderr
        real = docs_blocks.run(lines[1], where)
        assert real.returncode == 0, real.stderr
        (stored,) = fake.live()
        again = docs_blocks.run(lines[1], where)
        assert again.returncode == 0 and "(0 new, 1 already there)" in again.stdout, again.stdout
        listed = docs_blocks.run(lines[2], where)
        assert listed.returncode == 0 and stored.id in listed.stdout, listed.stdout
        deleted = docs_blocks.run(lines[3], where)
        assert deleted.returncode == 0, deleted.stderr
        assert len(fake.conversations) == 1 and not fake.live()


def test_readme_plugin_example_works(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The docs' plugin parses, registers, converts a file, and its option reaches the CLI."""
    code = re.search(r"```python\n(# my_plugin/notes.py\n.*?)```", text(DOCS / "plugins.md"), re.S)
    assert code, "plugin example not found in docs/plugins.md"
    namespace: dict[str, object] = {}
    exec(compile(code.group(1), "docs/plugins.md", "exec"), namespace)
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
    assert texts == ["Ana: Hello there.", "Ben: Hi Ana.", "Ana: Shall we start?"]  # names kept


def test_the_config_file_example_is_a_valid_config(tmp_path: Path) -> None:
    """usage.md's config.toml (with a key of the right shape in place of ``omi_dev_...``) is
    read without an error or a warning, and its defaults apply."""
    (toml,) = [b.text for b in blocks(DOCS / "usage.md", "toml")]
    assert 'api_key = "omi_dev_..."' in toml
    config = tmp_path / "config.toml"
    config.write_text(toml.replace("omi_dev_...", GOOD_KEY), encoding="utf-8")
    config.chmod(0o600)
    sample = tmp_path / "call.vtt"
    sample.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Ana Lima>Hello there.\n")
    runner = CliRunner(env={"OMI_IMPORT_CONFIG": str(config), "HOME": str(tmp_path)})
    done = runner.invoke(cli, ["convert", str(sample)])
    assert done.exit_code == 0, done.output
    assert "Warning" not in done.stderr and "Error" not in done.stderr, done.stderr
    (segment,) = json.loads(done.stdout)["conversations"][0]["transcript_segments"]
    assert segment["is_user"] is True  # me = ["Ana Lima"]


# -- what is documented ----------------------------------------------------------------------------


def test_every_command_has_help_and_is_documented() -> None:
    """Each CLI command has a help line, appears in the README as `omi-import NAME`, and has
    its --help in the command reference."""
    assert isinstance(cli, click.Group)
    for command_name, command in cli.commands.items():
        assert command.help, f"command {command_name} has no help"
        assert f"omi-import {command_name}" in text(README), f"`omi-import {command_name}`"
        assert f"$ omi-import {command_name} --help" in text(GENERATED), command_name


def test_every_option_of_every_command_is_documented() -> None:
    """A flag a user can pass is documented by hand (adapters' own flags included): in the
    README or a docs page, the generated reference aside."""
    written = "\n".join(text(p) for p in written_pages())
    assert isinstance(cli, click.Group)
    # The group's settings (-h): click keeps the help option a command first made for a context.
    with click.Context(cli, **cli.context_settings) as ctx:
        missing = sorted(
            f"{command_name} {flag}"
            for command_name, command in cli.commands.items()
            for param in command.get_params(ctx)
            if isinstance(param, click.Option)
            for flag in param.opts
            if flag.startswith("--")
            and flag not in ("--help", "--version")
            and not re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", written)
        )
    assert not missing, f"options documented nowhere but the generated reference: {missing}"


def test_generated_output_is_what_the_commands_print() -> None:
    """Every docs block that shows output is generated by running it (docs_cog.py); after a
    deliberate change: python -m cogapp -r -I tests/support docs/PAGE.md"""
    from cogapp import Cog

    generated = [name(p) for p in pages() if "[[[cog" in text(p)]
    assert name(GENERATED) in generated
    support = str(REPO / "tests" / "support")
    # One Cog for all pages: docs_cog binds the `cog` module of the first Cog that imports it.
    status = Cog().main(
        ["cog", "--check", "--diff", "-I", support, *(str(REPO / p) for p in generated)]
    )
    assert status == 0, (
        f"stale output (diff above): python -m cogapp -r -I tests/support {' '.join(generated)}"
    )


def test_cog_markers_do_not_render() -> None:
    """The README has none; in docs/ every cog marker is inside an HTML comment."""
    assert "[[[" not in text(README)
    for page in pages():
        inside = False
        for n, line in enumerate(text(page).splitlines(), start=1):
            if "[[[cog" in line:
                assert line.startswith("<!-- [[[cog"), f"{name(page)}:{n}"
                inside = "]]] -->" not in line
            elif inside and "]]]" in line:
                assert line.strip() == "]]] -->", f"{name(page)}:{n}"
                inside = False
            elif "[[[end]]]" in line:
                assert line.strip() == "<!-- [[[end]]] -->", f"{name(page)}:{n}"


def test_no_history_or_internal_references_in_user_docs() -> None:
    """Pages for users say what is, not how it came to be or where it was worked on."""
    user_pages = [README] + [
        DOCS / f"{p}.md"
        for p in (
            "usage", "formats", "importing", "watch", "audio", "scale-out", "library", "plugins",
            "cli",
        )
    ]  # fmt: skip
    pattern = re.compile(
        r"\bissue \d+|\b0\.1\.0\b|\bbefore \(0\.|\bas before\b|\bit used to\b|\bcommit [0-9a-f]{7}"
        r"|this environment|server-behavior\.md|\bbranch \w+",
        re.I,
    )
    found = [
        f"{name(p)}:{n}: {m.group(0)}"
        for p in user_pages
        for n, line in enumerate(docs_blocks.prose(p), start=1)
        for m in pattern.finditer(line)
    ]
    assert not found, found
    for page in [p for p in pages() if p.parent == DOCS] + [README]:
        assert not re.search(r"\bissue \d+", text(page), re.I), name(page)


def test_install_lines_work_from_a_clone() -> None:
    """omi-import is not on PyPI: every install is from the clone (`-e .`); audio is torch
    first, then the extra, in the README and in docs/audio.md; CI installs the same and
    nothing more (no extra package, no uninstall, no deleted file) besides the dask extra and
    the dev group, after it has run the README's test command on a light install of its own."""
    for page in pages():
        assert not re.search(r"pip install\s+(-U\s+)?[\"']?omi-import", text(page)), name(page)
    install = next(b for b in blocks(README, "bash") if '".[audio]"' in b.text)
    audio = next(b for b in blocks(DOCS / "audio.md", "bash") if '".[audio]"' in b.text)
    for block in (install, audio):
        pips = [line.split("#")[0].strip() for line in block.text.splitlines() if "pip " in line]
        pips = [p.split("&&")[-1].strip().removeprefix(".venv/bin/") for p in pips]
        torch = pips.index("pip install torch==2.13.0")
        assert pips.index('pip install -e ".[audio]"') == torch + 1, block.where
    assert '.venv/bin/pip install -e ".[dask]"' in install.text
    assert "python3 -m venv .venv && .venv/bin/pip install -e ." in install.text
    commands = [line.split("#")[0].strip() for line in CI.splitlines()]
    light = [c for c in commands if c.startswith('"$light/')]  # the README's test command
    assert light[-3:] == [
        '"$light/bin/python" -m pip install -q -U pip',
        '"$light/bin/python" -m pip install -q -e . --group dev',
        '"$light/bin/python" -m pytest -q',
    ]
    commands = [c for c in commands if c not in light]
    installs = [c for c in commands if " pip " in f" {c} " and "check" not in c]
    assert installs == [
        "python -m pip install -q -U pip",
        "python -m pip install -q torch==2.13.0",
        'python -m pip install -q -e ".[audio,dask]" --group dev',
    ]
    assert not [c for c in commands if ("unlink" in c or "rm " in c) and "$light" not in c]


def test_shell_completion_works_as_the_docs_say() -> None:
    """`_OMI_IMPORT_COMPLETE=bash_source omi-import` prints the script to eval."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", "from importers.cli import main; main()"],
        env={**os.environ, "_OMI_IMPORT_COMPLETE": "bash_source"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "_omi_import_completion()" in done.stdout
    assert "_OMI_IMPORT_COMPLETE=bash_source" in text(DOCS / "usage.md")


def test_the_service_files_run_a_watch_that_parses() -> None:
    """The systemd unit and the launchd plist of docs/watch.md start `omi-import watch` with
    options that exist (parsed by the CLI itself, without running it)."""
    import plistlib

    (unit,) = [b.text for b in blocks(DOCS / "watch.md", "ini")]
    (plist,) = [b.text for b in blocks(DOCS / "watch.md", "xml")]
    (exec_start,) = re.findall(r"^ExecStart=(.*)$", unit, flags=re.M)
    lines = [shlex.split(exec_start.replace("%h", "/home/ana"))]
    lines.append(plistlib.loads(plist.encode())["ProgramArguments"])
    for program, *args in lines:
        assert program.endswith("/omi-import")
        assert args[0] == "watch"
        command = cli.commands["watch"]
        context = command.make_context("watch", args[1:])
        assert context.params["folders"], args
        assert context.params["me"] == ("Ana Lima",)
