"""`python -m importers import/status` as a subprocess against the fake server.

The test adapters are loaded as a real plugin (a dist-info on PYTHONPATH), like any third-party
adapter package.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from fake_adapters import talk_file
from fake_omi import GOOD_KEY, READ_ONLY_KEY, FakeOmi
from support import REPO
from uploading import env_for, omi


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(8):
        talk_file(folder / f"m{i}.talk", 4, tag=f"m{i}")
    return folder


def test_import_then_rerun_then_status(tmp_path: Path, inputs: Path) -> None:
    with FakeOmi(limit=1000) as fake:
        env = env_for(tmp_path, base_url=fake.url)
        state, report_file = tmp_path / "state", tmp_path / "report.json"
        done = omi(
            ["import", str(inputs), "--state", str(state), "--report", str(report_file)], env
        )
        assert done.returncode == 0, done.stderr
        assert "8 of 8 conversations in Omi (8 new, 0 already there)" in done.stdout
        report = json.loads(report_file.read_text())
        assert report["ok"] is True
        assert report["totals"]["requests"] == 8
        first = report["inputs"][0]["conversations"][0]
        assert set(first) >= {"client_session_id", "id", "status", "discarded"}
        again = omi(["import", str(inputs), "--state", str(state)], env)
        assert again.returncode == 0
        assert "0 new, 8 already there" in again.stdout
        assert len(fake.requests) == 8
        status = omi(["status", "--state", str(state)], env)
        assert "Conversations: 0 pending, 0 sending, 8 done, 0 failed, 0 uncertain" in status.stdout


def test_killed_import_rerun_ends_with_every_conversation_exactly_once(
    tmp_path: Path, inputs: Path
) -> None:
    """SIGKILL at several points (mid-request, between requests), then finish: each once."""
    with FakeOmi(limit=1000, latency_s=0.15) as fake:
        env = env_for(tmp_path, base_url=fake.url)
        args = ["import", str(inputs), "--state", str(tmp_path / "state"), "--workers", "2", "-q"]
        for delay in (0.9, 1.2, 0.7):
            proc = subprocess.Popen(
                [sys.executable, "-m", "importers", *args],
                cwd=REPO,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(delay)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        final = omi(args, env)
        assert final.returncode == 0, final.stdout + final.stderr
        per_key = Counter(c.client_session_id for c in fake.conversations)
        assert len(per_key) == 8
        assert set(per_key.values()) == {1}
        assert omi(args, env).returncode == 0  # and once more: nothing to do
        assert len(fake.conversations) == 8


def test_the_key_appears_nowhere(tmp_path: Path, inputs: Path) -> None:
    """Not in stdout/stderr (success, 401, 422), the report, or the ledger's bytes."""
    bad = inputs / "bad.talk"
    talk_file(bad, 2, tag="bad")
    with FakeOmi(limit=1000) as fake:
        fake.queue(*["ok"] * 8)
        env = env_for(tmp_path, base_url=fake.url)
        state, report_file = tmp_path / "state", tmp_path / "r.json"
        outputs = [
            omi(["import", str(inputs), "--state", str(state), "--report", str(report_file)], env)
        ]
        wrong = GOOD_KEY[:-1] + ("1" if GOOD_KEY[-1] != "1" else "2")  # a key, not this one
        env_wrong = env_for(tmp_path, key=wrong, base_url=fake.url)
        talk_file(inputs / "more.talk", 2, tag="more")
        outputs.append(omi(["import", str(inputs), "--state", str(state)], env_wrong))
        outputs.append(omi(["status", "--state", str(state), "--json"], env))
        assert any(r.authorization == f"Bearer {GOOD_KEY}" for r in fake.requests)
    texts = [o.stdout + o.stderr for o in outputs] + [report_file.read_text()]
    ledger_bytes = b"".join(p.read_bytes() for p in state.iterdir())
    for secret in (GOOD_KEY, wrong):
        assert all(secret not in t for t in texts)
        assert secret.encode() not in ledger_bytes
    assert "API key was refused (401: Invalid API Key)" in outputs[1].stderr
    assert outputs[1].returncode == 1


def test_403_message_names_the_write_scope(tmp_path: Path, inputs: Path) -> None:
    with FakeOmi() as fake:
        done = omi(
            ["import", str(inputs), "--state", str(tmp_path / "s")],
            env_for(tmp_path, key=READ_ONLY_KEY, base_url=fake.url),
        )
        assert done.returncode == 1
        assert "conversations:write scope" in done.stderr
        assert len(fake.requests) == 1


def test_plain_http_to_a_remote_host_is_refused_before_any_connection(
    tmp_path: Path, inputs: Path
) -> None:
    done = omi(
        ["import", str(inputs), "--state", str(tmp_path / "s")],
        env_for(tmp_path, base_url="http://api.omi.me"),
    )
    assert done.returncode == 2
    assert "refusing to send the API key over plain http:// to api.omi.me" in done.stderr
    assert not (tmp_path / "s").exists()  # failed before even opening the ledger


def test_dry_run_needs_no_key_and_sends_nothing(tmp_path: Path, inputs: Path) -> None:
    done = omi(["import", "--dry-run", str(inputs / "m0.talk")], env_for(tmp_path, key=None))
    assert done.returncode == 0
    assert json.loads(done.stdout)["conversations"][0]["client_session_id"].startswith(
        "omi-import-"
    )


def test_an_unreachable_omi_stops_the_run_with_one_line_even_when_quiet(
    tmp_path: Path, inputs: Path
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = env_for(tmp_path, base_url=f"http://127.0.0.1:{port}")
    started = time.monotonic()
    done = omi(["import", str(inputs), "--state", str(tmp_path / "s"), "-q"], env)
    assert time.monotonic() - started < 30  # not minutes per conversation
    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if line.startswith("Error:")]
    assert errors == [
        "Error: cannot reach 127.0.0.1 (refused: nothing accepts connections at that address and "
        "port); nothing more was sent. Check the network and the address (--base-url / "
        "OMI_API_BASE_URL), then run the same command again to resume"
    ]


def test_verbose_says_each_request(tmp_path: Path) -> None:
    """-v: one line per request, with its method, path, status and time, the key nowhere."""
    folder = tmp_path / "in"
    folder.mkdir()
    talk_file(folder / "a.talk", 2, tag="a")
    with FakeOmi(limit=1000) as fake:
        env = env_for(tmp_path, base_url=fake.url)
        done = omi(["import", str(folder), "--state", str(tmp_path / "s"), "-v"], env)
    assert done.returncode == 0, done.stderr
    lines = [x for x in done.stderr.splitlines() if x.startswith("request: ")]
    assert len(lines) == 1
    assert lines[0].startswith("request: POST /v1/dev/user/conversations/from-segments -> 200 (")
    assert lines[0].endswith(" s)")
    assert GOOD_KEY not in done.stderr + done.stdout


def test_the_fake_server_serves_a_trial_import_as_the_docs_say(tmp_path: Path) -> None:
    """docs/development.md: `python tests/support/fake_omi.py` prints what to export; an import of
    a bundled sample then makes one conversation, `list` shows it and `delete` removes it."""
    command = [sys.executable, str(REPO / "tests" / "support" / "fake_omi.py"), "--port", "0"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as server:
        try:
            assert server.stdout is not None
            line = server.stdout.readline()
            exported = dict(pair.split("=", 1) for pair in line.removeprefix("export ").split())
            assert exported["OMI_API_BASE_URL"].startswith("http://127.0.0.1:")
            env = {**env_for(tmp_path, key=None), **exported}
            env["OMI_IMPORT_STATE"] = str(tmp_path / "state")
            sample = "samples/srt/podcast-turn-starts.srt"
            done = omi(["import", sample, "-q"], env)
            assert done.returncode == 0, done.stderr
            listed = omi(["list", "--json"], env)
            assert listed.returncode == 0, listed.stderr
            [entry] = json.loads(listed.stdout)
            assert entry["path"].endswith("podcast-turn-starts.srt")
            assert omi(["delete", sample, "-q"], env).returncode == 0
            assert json.loads(omi(["list", "--json"], env).stdout) == []
        finally:
            server.terminate()
            assert server.wait(timeout=10) == 0  # stopped cleanly
