"""Private by default (issue 25): what omi-import keeps on disk is readable only by its user.

Every test runs with the usual umask 022 (or the one it names), restored after, and reads the
modes of real files: the ledger SQLite made (its WAL and SHM included), the audio cache, the
``--log`` file and its rotated ones; a state folder made as 0.1.0 made it (0755, a 0644 ledger)
is tightened on first use with one line; a config file holding the key that others can read is
warned about, and ``doctor`` says so.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
import warnings
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import REPO

from adapters.audio.cache import ResultCache, write_json
from adapters.audio.settings import AudioSettings
from adapters.audio.speed import record_speed
from importers import private
from importers.cli import cli
from importers.cli.doctor import config_check
from importers.cli.main import warnings_as_lines
from importers.errors import ImporterWarning
from importers.private import STATE_ENTRIES, private_dir, private_state, tighten
from importers.upload.ledger import LEDGER_FILE, Ledger
from importers.upload.settings import load_settings
from importers.upload.watch import Lines, open_log

DUMP = REPO / "tests" / "support" / "ledger_v1.sql"
KEY = "omi_dev_" + "5e" * 16
TIGHTENED = "made private"


@pytest.fixture(autouse=True)
def umask() -> Iterator[int]:
    """The usual umask, as a new user has it (a test may set another inside)."""
    before = os.umask(0o022)
    try:
        yield 0o022
    finally:
        os.umask(before)


def modes(root: Path) -> dict[str, int]:
    """``root`` and everything under it (links not followed): relative path -> permission bits."""
    found = {".": stat.S_IMODE(os.lstat(root).st_mode)}
    for path in sorted(root.rglob("*")):
        found[path.relative_to(root).as_posix()] = stat.S_IMODE(os.lstat(path).st_mode)
    return found


def made_by_an_older_version(state: Path) -> None:
    """A state folder as 0.1.0 left it with umask 022: 0755 folders, a 0644 ledger (from the
    real 0.1.0 dump) with a WAL beside it, an audio cache and measured speeds."""
    state.mkdir()
    with closing(sqlite3.connect(state / LEDGER_FILE)) as db:
        db.executescript(DUMP.read_text(encoding="utf-8"))
    (state / f"{LEDGER_FILE}-wal").write_bytes(b"")  # left by a kill -9
    (state / "audio-cache").mkdir()
    (state / "audio-cache" / "transcription-0123.json").write_text('{"words": []}')
    (state / "audio-speed.json").write_text('{"small|-|cpu": 0.5}')


# -- created private, whatever the umask --------------------------------------------------------


@pytest.mark.parametrize("mask", [0o022, 0o000, 0o077, 0o277], ids=lambda m: f"umask-{m:03o}")
def test_a_new_ledger_its_wal_and_shm_and_folders_are_private(tmp_path: Path, mask: int) -> None:
    os.umask(mask)  # 0o277 takes even the owner's write: the modes are still exact
    home = tmp_path / "home"
    with Ledger.open(home / "omi" / "state") as ledger:
        ledger.start_run("import")  # a write: SQLite's WAL and SHM exist while it is open
        found = modes(home)
    assert found == {
        ".": 0o700,  # a missing parent is created as XDG says: 0700
        "omi": 0o700,
        "omi/state": 0o700,
        "omi/state/ledger.sqlite3": 0o600,
        "omi/state/ledger.sqlite3-shm": 0o600,
        "omi/state/ledger.sqlite3-wal": 0o600,
    }


def test_the_audio_cache_its_temporary_files_and_speeds_are_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    renamed: list[int] = []
    replace = os.replace

    def watched(src: str, dst: Path) -> None:  # the temporary file, just before its rename
        renamed.append(stat.S_IMODE(os.stat(src).st_mode))
        replace(src, dst)

    monkeypatch.setattr(os, "replace", watched)
    state = tmp_path / "state"
    cache = ResultCache(state / "audio-cache")
    key = cache.key("ab" * 32, "transcription", {"model": "small"})
    cache.put(key, {"words": ["hi"]})
    record_speed(state, AudioSettings(), audio_seconds=60, work_seconds=6)
    assert renamed == [0o600, 0o600]
    assert modes(state) == {
        ".": 0o700,
        "audio-cache": 0o700,
        f"audio-cache/{key}.json": 0o600,
        "audio-speed.json": 0o600,
    }


def test_the_builtin_plda_files_are_private(tmp_path: Path) -> None:
    pytest.importorskip("numpy")
    from adapters.audio.builtin import _dummy_plda

    made = _dummy_plda(tmp_path / "state" / "models")
    assert modes(tmp_path / "state") == {
        ".": 0o700,
        "models": 0o700,
        "models/builtin-plda-v1": 0o700,
        "models/builtin-plda-v1/plda.npz": 0o600,
        "models/builtin-plda-v1/xvec_transform.npz": 0o600,
    }
    assert made == tmp_path / "state" / "models" / "builtin-plda-v1"


def test_the_watch_log_and_its_rotated_files_are_private(tmp_path: Path) -> None:
    log = open_log(tmp_path / "logs" / "watch.log", max_bytes=500, backups=2)
    lines = Lines(None, log)
    try:
        for i in range(60):
            print(f"line {i:03d} " + "x" * 40, file=lines)
    finally:
        log.close()
    assert modes(tmp_path / "logs") == {
        ".": 0o700,
        "watch.log": 0o600,
        "watch.log.1": 0o600,
        "watch.log.2": 0o600,
    }


def test_state_entries_name_everything_omi_import_keeps_in_a_state_folder(tmp_path: Path) -> None:
    """What private_state tightens is what the ledger, the audio cache and the speeds write."""
    state = tmp_path / "state"
    with Ledger.open(state) as ledger:
        ledger.start_run("import")
        ResultCache(state / "audio-cache").put("transcription-1", [])
        record_speed(state, AudioSettings(), audio_seconds=60, work_seconds=6)
        written = {p.name for p in state.iterdir()}
    assert written == {
        "ledger.sqlite3", "ledger.sqlite3-wal", "ledger.sqlite3-shm", "audio-cache",
        "audio-speed.json",
    }  # fmt: skip
    assert written <= set(STATE_ENTRIES)


def test_an_existing_folder_is_left_as_it_is_and_a_file_in_the_way_fails(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir(mode=0o755)
    assert private_dir(tmp_path / "mine") is False
    assert stat.S_IMODE((tmp_path / "mine").stat().st_mode) == 0o755
    (tmp_path / "file").write_text("")
    with pytest.raises(FileExistsError):
        private_dir(tmp_path / "file")
    with pytest.raises(NotADirectoryError):
        private_dir(tmp_path / "file" / "state")


# -- an older version's state folder: tightened on first use, with one line -----------------------


def test_an_older_state_folder_is_tightened_once_with_one_warning(tmp_path: Path) -> None:
    state = tmp_path / "state"
    made_by_an_older_version(state)
    (state / "notes.txt").write_text("the user's own")  # not omi-import's: left alone
    outside = tmp_path / "elsewhere.json"
    outside.write_text("{}")
    (state / "audio-cache" / "link.json").symlink_to(outside)  # not followed
    before = modes(state)
    assert before["."] == before["audio-cache"] == 0o755
    assert before[LEDGER_FILE] == before["audio-speed.json"] == 0o644

    with pytest.warns(ImporterWarning) as caught, Ledger.open(state) as ledger:
        assert ledger.counts()["done"] == 5  # the 0.1.0 ledger, migrated as before
    assert [str(w.message) for w in caught] == [
        f"{state}: made private (2 folders and 4 files that other accounts could read; "
        "now only you can)"
    ]
    after = modes(state)
    assert after.pop("notes.txt") == 0o644
    assert stat.S_IMODE(outside.stat().st_mode) == 0o644
    assert after.pop(".") == after.pop("audio-cache") == 0o700
    after.pop("audio-cache/link.json")  # the link itself
    assert set(after.values()) == {0o600}, after
    assert set(after) >= {LEDGER_FILE, "audio-speed.json", "audio-cache/transcription-0123.json"}

    with Ledger.open(state):  # tightened: nothing to say again (a warning here would fail)
        pass


def test_the_command_says_it_in_one_line_to_stderr_once(tmp_path: Path) -> None:
    state = tmp_path / "state"
    made_by_an_older_version(state)
    first = run_cli(["status", "--state", str(state)], tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stderr.splitlines() == [
        f"Warning: {state}: made private (2 folders and 4 files that other accounts could read; "
        "now only you can)"
    ]
    assert "5 done" in first.stdout
    again = run_cli(["status", "--state", str(state)], tmp_path)
    assert again.returncode == 0 and again.stderr == ""
    assert again.stdout == first.stdout


def test_the_log_of_an_older_version_is_tightened_with_one_warning(tmp_path: Path) -> None:
    path = tmp_path / "watch.log"
    path.write_text("old\n")
    path.with_name("watch.log.1").write_text("older\n")
    with pytest.warns(ImporterWarning) as caught:
        open_log(path, backups=3).close()
    assert [str(w.message) for w in caught] == [
        f"{path}: made private (2 files that other accounts could read; now only you can)"
    ]
    assert modes(tmp_path) == {".": 0o700, "watch.log": 0o600, "watch.log.1": 0o600}


def test_what_cannot_be_tightened_is_said_with_its_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "state"
    made_by_an_older_version(state)
    theirs = state / "audio-speed.json"  # as if another account owned it
    chmod = os.chmod

    def refuse(path: Path, mode: int) -> None:
        if Path(path) == theirs:
            raise PermissionError(1, "Operation not permitted")
        chmod(path, mode)

    monkeypatch.setattr(os, "chmod", refuse)
    with pytest.warns(ImporterWarning) as caught:
        private_state(state)
    assert [str(w.message) for w in caught] == [
        f"{state}: made private (2 folders and 3 files that other accounts could read; "
        "now only you can)",
        f"{state}: 1 file or folder that other accounts can read cannot be made private "
        f"({theirs}: Operation not permitted); fix: chmod go-rwx {theirs}",
    ]


def test_a_private_state_folder_is_not_walked_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once the folder is 0700 nothing in it can be reached by others: the cache is not walked
    at each use (the audio engine asks for every recording)."""
    state = tmp_path / "state"
    private_state(state)
    (state / "audio-cache").mkdir(mode=0o755)

    def walk(*args: object, **kw: object) -> Iterator[object]:
        raise AssertionError("walked")

    monkeypatch.setattr(os, "walk", walk)
    private_state(state)
    assert stat.S_IMODE((state / "audio-cache").stat().st_mode) == 0o755


# -- the config file ----------------------------------------------------------------------------


def config(tmp_path: Path, text: str, mode: int) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604])
def test_a_config_file_holding_the_key_that_others_can_read_is_warned_about(
    tmp_path: Path, mode: int
) -> None:
    path = config(tmp_path, f'api_key = "{KEY}"\n', mode)
    with pytest.warns(ImporterWarning) as caught:
        settings = load_settings(config_path=path, environ={})
    assert settings.api_key is not None and settings.api_key.get_secret_value() == KEY
    assert [str(w.message) for w in caught] == [
        f"{path} holds the API key and other accounts can read it (mode {mode:04o}); "
        f"make it readable only by you: chmod 600 {path}"
    ]
    assert KEY not in str(caught[0].message)


@pytest.mark.parametrize(
    ("text", "mode"),
    [(f'api_key = "{KEY}"\n', 0o600), (f'api_key = "{KEY}"\n', 0o400),
     ('base_url = "https://api.omi.me"\n', 0o644), ('api_key = ""\n', 0o644)],
)  # fmt: skip
def test_no_warning_for_a_private_file_or_one_without_a_key(
    tmp_path: Path, text: str, mode: int
) -> None:
    load_settings(config_path=config(tmp_path, text, mode), environ={})  # a warning would fail


@pytest.mark.filterwarnings("default::importers.errors.ImporterWarning")  # shown, as outside
def test_doctor_shows_it_as_a_check_with_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = config(tmp_path, f'api_key = "{KEY}"\n', 0o644)
    monkeypatch.setenv("OMI_IMPORT_CONFIG", str(path))
    monkeypatch.setenv("OMI_IMPORT_ADAPTERS", "srt")
    monkeypatch.delenv("OMI_API_KEY", raising=False)
    result = CliRunner().invoke(cli, ["doctor", "--json", "--state", str(tmp_path / "s")])
    assert result.stderr.splitlines() == [  # the API key check read the file: one line
        f"Warning: {path} holds the API key and other accounts can read it (mode 0644); "
        f"make it readable only by you: chmod 600 {path}"
    ]
    checks = {c["name"]: c for c in json.loads(result.stdout)["checks"]}
    assert checks["config file"] == {
        "group": "omi-import",
        "name": "config file",
        "status": "warn",
        "detail": f"{path} holds the API key and other accounts can read it (mode 0644)",
        "fix": f"make it readable only by you: chmod 600 {path}",
    }
    assert result.exit_code == 0  # a warning: the key still works
    path.chmod(0o600)
    assert [(c.status, c.detail) for c in config_check(path)] == [("ok", str(path))]
    assert config_check(tmp_path / "none.toml") == []  # no file, no check (as before)


# -- no POSIX modes (Windows): nothing breaks, nothing is changed ---------------------------------


def test_without_posix_modes_everything_works_and_nothing_is_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = config(tmp_path, f'api_key = "{KEY}"\n', 0o644)
    monkeypatch.setattr(private, "MODES", False)
    monkeypatch.delattr(os, "fchmod")  # Windows has none (before Python 3.13)

    def no_chmod(*args: object, **kw: object) -> None:
        raise AssertionError("chmod without POSIX modes")

    monkeypatch.setattr(os, "chmod", no_chmod)
    old = tmp_path / "old"
    made_by_an_older_version(old)
    before = modes(old)
    with Ledger.open(old) as ledger:  # no tightening, and no warning (it would fail the test)
        assert ledger.counts()["done"] == 5
    assert modes(old).items() <= before.items()  # (SQLite removed the WAL on closing)
    with Ledger.open(tmp_path / "new" / "state") as ledger:
        ledger.start_run("import")
    write_json(tmp_path / "new" / "state" / "audio-cache" / "a.json", {"a": 1})
    log = open_log(tmp_path / "logs" / "watch.log", max_bytes=300, backups=1)
    for i in range(20):
        log.line(f"line {i}")
    log.close()
    assert (tmp_path / "logs" / "watch.log.1").exists()
    load_settings(config_path=path, environ={})
    assert [c.status for c in config_check(path)] == ["ok"]
    tighten(old, [old / "audio-cache"])


# -- the CLI's display of warnings ----------------------------------------------------------------


def test_other_warnings_are_shown_as_python_shows_them(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.warns(UserWarning, match="a library's own") as caught, warnings_as_lines():  # noqa: PT031
        warnings.warn("a library's own", UserWarning, stacklevel=1)
        warnings.warn(ImporterWarning("ours"), stacklevel=1)
    assert [str(w.message) for w in caught] == ["a library's own"]  # where it went before
    assert capsys.readouterr().err == "Warning: ours\n"


def run_cli(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """``python -m importers ARGS`` in a process of its own (this test's umask, Python's own
    warning filters), with no key, no user config and only the SRT adapter."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OMI_", "PYTHONWARNINGS"))}
    env.update(
        PYTHONPATH=str(REPO),
        OMI_IMPORT_CONFIG=str(tmp_path / "no-config.toml"),
        OMI_IMPORT_ADAPTERS="srt",
        XDG_DATA_HOME=str(tmp_path / "data"),
    )
    return subprocess.run(
        [sys.executable, "-m", "importers", *args],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
