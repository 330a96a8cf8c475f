"""``omi-import doctor``: the core's checks, the adapter hook, the JSON shape, the exit codes, and
``--online`` against the fake server (one read request; the key never shown)."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner
from fake_adapters import TalkAdapter, talk_file
from fake_omi import GOOD_KEY, READ_ONLY_KEY, READ_SCOPE, TEXT, WRITE_SCOPE, FakeOmi
from uploading import run

from importers.checks import Check, folder_check
from importers.cli import cli
from importers.cli.doctor import exit_code, render, run_checks, to_json
from importers.errors import ModelLoadError
from importers.registry import Registry

WRITE_ONLY_KEY = "omi_dev_" + "ab" * 16
UNKNOWN_KEY = "omi_dev_" + "00" * 16


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No user config file, no key from the environment, only the SRT adapter (no audio)."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("OMI_API_KEY", raising=False)
    monkeypatch.delenv("OMI_API_BASE_URL", raising=False)
    monkeypatch.setenv("OMI_IMPORT_ADAPTERS", "srt")
    return tmp_path


def doctor(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["doctor", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def by_name(checks: Sequence[dict[str, str]] | Sequence[Check], name: str) -> dict[str, str]:
    found = [c if isinstance(c, dict) else vars(c) for c in checks]
    return next(c for c in found if c["name"] == name)


def test_json_shape_and_a_missing_key_fails(tmp_path: Path) -> None:
    code, out = doctor("--json", "--state", str(tmp_path / "state"))
    data = json.loads(out)
    assert code == 1 and data["ok"] is False
    assert set(data) == {"ok", "checks"}
    for check in data["checks"]:
        assert set(check) == {"group", "name", "status", "detail", "fix"}
        assert check["status"] in ("ok", "warn", "fail")
    assert [c["name"] for c in data["checks"]] == [
        "Python",
        "omi-import",
        "state folder",
        "API key",
        "Omi server",
    ]
    key = by_name(data["checks"], "API key")
    assert key["status"] == "fail" and "OMI_API_KEY" in key["fix"]
    state = by_name(data["checks"], "state folder")
    assert state["status"] == "ok" and "created on first use" in state["detail"]
    assert not (tmp_path / "state").exists()  # doctor creates nothing


def test_everything_ready_exits_0_and_the_key_is_never_shown(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("OMI_API_KEY", GOOD_KEY)
    code, out = doctor("--state", str(tmp_path))
    assert code == 0, out
    assert out.rstrip().endswith("Ready.")
    assert "not sent: --online checks it" in out
    assert GOOD_KEY not in out


def test_online_read_request_per_scope(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """One GET per run; 200 ok (write access said to be unchecked), 403 warn, 401 fail."""
    keys = {
        GOOD_KEY: (READ_SCOPE, WRITE_SCOPE),
        READ_ONLY_KEY: (READ_SCOPE,),
        WRITE_ONLY_KEY: (WRITE_SCOPE,),
    }
    with FakeOmi(keys=keys) as fake:
        monkeypatch.setenv("OMI_API_BASE_URL", fake.url)
        expected = {GOOD_KEY: (0, "ok"), READ_ONLY_KEY: (0, "ok"), WRITE_ONLY_KEY: (0, "warn"),
                    UNKNOWN_KEY: (1, "fail")}  # fmt: skip
        for key, (want_code, want_status) in expected.items():
            monkeypatch.setenv("OMI_API_KEY", key)
            before = fake.count(TEXT)
            code, out = doctor("--json", "--online", "--state", str(tmp_path))
            check = by_name(json.loads(out)["checks"], "API key")
            assert (code, check["status"]) == (want_code, want_status), check
            assert fake.count(TEXT) == before + 1  # exactly one request, a read
            assert key not in out
        assert {r.path for r in fake.requests} == {TEXT}
        assert not fake.conversations  # nothing written


def test_online_messages(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with FakeOmi(keys={GOOD_KEY: (READ_SCOPE, WRITE_SCOPE), WRITE_ONLY_KEY: (WRITE_SCOPE,)}) as f:
        monkeypatch.setenv("OMI_API_BASE_URL", f.url)
        monkeypatch.setenv("OMI_API_KEY", GOOD_KEY)
        ok = by_name(run_checks(Registry(), online=True, state_dir=tmp_path), "API key")
        assert ok["status"] == "ok" and "write access (conversations:write)" in ok["detail"]
        monkeypatch.setenv("OMI_API_KEY", WRITE_ONLY_KEY)
        warned = by_name(run_checks(Registry(), online=True, state_dir=tmp_path), "API key")
        assert "Insufficient permissions. Required scope: conversations:read" in warned["detail"]
        monkeypatch.setenv("OMI_API_KEY", UNKNOWN_KEY)
        refused = by_name(run_checks(Registry(), online=True, state_dir=tmp_path), "API key")
        assert refused["status"] == "fail" and "401: Invalid API Key" in refused["fix"]


@pytest.mark.parametrize(("era", "learned"), [("E0", "E0"), ("E1", "E1"), ("E2-410", "E2")])
def test_doctor_says_what_the_imports_learned_of_the_server(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, era: str, learned: str
) -> None:
    """Nothing is known before an import (no read can tell); afterwards, the era its answers
    showed. Doctor only reads the ledger."""
    with FakeOmi(era=era) as fake:
        monkeypatch.setenv("OMI_API_BASE_URL", fake.url)
        monkeypatch.setenv("OMI_API_KEY", GOOD_KEY)
        before = by_name(run_checks(Registry(), online=True, state_dir=tmp_path), "Omi server")
        assert before["detail"].startswith(f"{fake.url}: era not known yet: ")
        assert fake.count(method="POST") == 0
        assert not (tmp_path / "ledger.sqlite3").exists()
        run(fake, [talk_file(tmp_path / "a.talk", 4)], tmp_path, known=False)
        after = by_name(run_checks(Registry(), state_dir=tmp_path), "Omi server")
    assert after["status"] == "ok"
    assert after["detail"].startswith(
        f"{fake.url}: {learned} (as earlier imports' answers showed): "
    )
    assert after["detail"].endswith(
        "whether its processing succeeds and its write limit show only on a write"
    )


def test_online_server_unreachable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("OMI_API_BASE_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("OMI_API_KEY", GOOD_KEY)
    code, out = doctor("--online", "--state", str(tmp_path))
    assert code == 1
    assert f"cannot reach http://127.0.0.1:{port}" in out
    assert GOOD_KEY not in out


def test_bad_settings_fail_with_the_reason(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OMI_API_KEY", GOOD_KEY)
    monkeypatch.setenv("OMI_API_BASE_URL", "http://example.com")
    check = by_name(run_checks(Registry(), state_dir=tmp_path), "API key")
    assert check["status"] == "fail" and "refusing to send the API key" in check["fix"]


class CheckedAdapter(TalkAdapter):
    """An adapter with its own doctor checks (as the audio adapter has)."""

    name = "test-checked"
    found: Sequence[Check] = ()

    def checks(self, *, online: bool = False) -> Sequence[Check]:
        return [*self.found, Check("online", "ok", str(online))]


class BrokenChecksAdapter(TalkAdapter):
    name = "test-broken"

    def checks(self, *, online: bool = False) -> Sequence[Check]:
        raise ModelLoadError("the model folder is gone")


def test_adapters_add_their_checks(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The core asks every adapter; an adapter's fail fails the run, its error is a fail."""
    monkeypatch.setenv("OMI_API_KEY", GOOD_KEY)
    adapter = CheckedAdapter()
    checks = run_checks(Registry([TalkAdapter(), adapter]), online=False, state_dir=tmp_path)
    assert exit_code(checks) == 0
    assert [(c.group, c.name, c.detail) for c in checks if c.group != "omi-import"] == [
        ("test-checked", "online", "False")
    ]  # TalkAdapter has no checks: the base class's hook returns none
    adapter.found = [Check("model", "fail", "missing", "pip install it")]
    checks = run_checks(Registry([adapter, BrokenChecksAdapter()]), state_dir=tmp_path)
    assert exit_code(checks) == 1
    broken = [c for c in checks if c.group == "test-broken"]
    assert [(c.status, c.detail) for c in broken] == [("fail", "the model folder is gone")]
    text = render(checks)
    assert "test-checked\n  fail  model" in text and "fix: pip install it" in text
    assert text.rstrip().endswith("Not ready: 2 problems to fix.")
    assert to_json(checks)["ok"] is False


def test_folder_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert folder_check("f", tmp_path).status == "ok"
    assert "created on first use" in folder_check("f", tmp_path / "a" / "b").detail
    (tmp_path / "file").write_text("x")
    assert folder_check("f", tmp_path / "file").status == "fail"
    # Permissions through os.access, as the check reads them (root would pass any chmod).
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    locked = folder_check("f", tmp_path)
    assert (locked.status, locked.fix) == ("fail", f"make it writable: chmod u+w {tmp_path}")
    assert "cannot be created" in folder_check("f", tmp_path / "sub").detail
