"""Ctrl-C and kill -9 against ``python -m importers`` (real signals to a subprocess)."""

from __future__ import annotations

import re
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
from fake_adapters import talk_file
from fake_omi import FakeOmi
from uploading import env_for, knows_era, omi, read_until, spawn, wait_for

SUMMARY = re.compile(
    r"(\d+) of (\d+) conversations? in Omi .*; (\d+) requests, .*, ([\d.]+) s waiting for the "
    r"rate limit, ([\d.]+) s in all"
)


def finish(proc: subprocess.Popen[str], timeout: float = 15) -> tuple[str, str]:
    out, err = proc.communicate(timeout=timeout)
    return out, err


def test_ctrl_c_while_converting_exits_130_with_the_summary(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):
        talk_file(folder / f"r{i}.slowtalk", 3, tag=f"r{i}")
    with FakeOmi(limit=1000) as fake:
        env = env_for(tmp_path, base_url=fake.url) | {"SLOW_TALK_S": "5"}
        args = ["import", str(folder), "--state", str(tmp_path / "state")]
        proc = spawn(args, env)
        read_until(proc, "3 files to import")  # converting the first one now
        proc.send_signal(signal.SIGINT)
        out, err = finish(proc)
        assert proc.returncode == 130, out + err
        assert "Aborted!" not in err
        assert "Traceback" not in err
        assert SUMMARY.search(out), out
        assert "stopped: interrupted; run the same command again to finish" in out
        assert not fake.requests
        again = omi(args, env | {"SLOW_TALK_S": "0"})
        assert again.returncode == 0, again.stdout + again.stderr
        assert len(fake.conversations) == 3


def test_ctrl_c_during_a_wait_exits_130_counting_only_the_wait_that_happened(
    tmp_path: Path,
) -> None:
    """Two of three sent, the third waits for an hour-long window: Ctrl-C 2.5 s into the wait
    ends the run at once, and the summary says so (not "59 min 59 s waiting")."""
    files = [str(talk_file(tmp_path / f"w{i}.talk", 3, tag=f"w{i}")) for i in range(3)]
    with FakeOmi(limit=2) as fake:
        env = env_for(tmp_path, base_url=fake.url)
        args = ["import", *files, "--state", str(tmp_path / "state")]
        proc = spawn([*args, "--rate-limit", "2", "--rate-window", "3600"], env)
        read_until(proc, "waiting for the rate limit until")
        time.sleep(2.5)  # the ETA ticks meanwhile; the wait is told once, not every second
        proc.send_signal(signal.SIGINT)
        started = time.monotonic()
        out, err = finish(proc)
        assert time.monotonic() - started < 5
        assert proc.returncode == 130, out + err
        found = SUMMARY.search(out)
        assert found, out
        done, total, requests, waited, elapsed = found.groups()
        assert (done, total, requests) == ("2", "3", "2")
        assert 2.0 <= float(waited) <= float(elapsed) < 30
        assert "1 not sent yet" in out
        assert "waiting for the rate limit until" not in err


def test_a_second_ctrl_c_stops_at_once_and_a_rerun_settles_what_was_in_flight(
    tmp_path: Path,
) -> None:
    files = [str(talk_file(tmp_path / f"f{i}.talk", 3, tag=f"f{i}")) for i in range(2)]
    with FakeOmi(limit=1000, latency_s=4.0) as fake:
        env = env_for(tmp_path, base_url=fake.url)
        args = ["import", *files, "--state", str(tmp_path / "state")]
        knows_era(fake, tmp_path / "state")  # it has answered before: a resend is safe
        proc = spawn(args, env)
        wait_for(lambda: len(fake.requests) == 1)  # the first request goes alone: in flight
        proc.send_signal(signal.SIGINT)
        read_until(proc, "stopping: waiting for the answers to 1 request in flight")
        assert proc.poll() is None  # the first Ctrl-C waits for the answer
        proc.send_signal(signal.SIGINT)
        started = time.monotonic()
        out, err = finish(proc)
        assert time.monotonic() - started < 2  # the answer is 3 s away still
        assert proc.returncode == 130, out + err
        assert "stopped: interrupted" in out
        wait_for(lambda: len(fake.conversations) == 1)  # the server finished it meanwhile
        fake.latency_s = 0.0
        again = omi(args, env)
        assert again.returncode == 0, again.stdout + again.stderr
        per_key = Counter(c.client_session_id for c in fake.conversations)
        assert sorted(per_key.values()) == [1, 1]  # the one in flight was not made twice


@pytest.mark.parametrize("applied", [True, False], ids=["delete-applied", "delete-lost"])
def test_a_kill_between_create_and_delete_is_settled_by_the_next_run(
    tmp_path: Path, applied: bool
) -> None:
    """--replace creates the new conversation, then deletes the old one. Killed when the DELETE
    has left (applied by the server or not): for that moment both are in Omi; the next run,
    even without --replace, deletes the old one. Nothing lost, no duplicate left."""
    call = str(talk_file(tmp_path / "call.talk", 6, tag="call"))
    state = str(tmp_path / "state")
    with FakeOmi(limit=1000) as fake:
        env = env_for(tmp_path, base_url=fake.url)
        assert omi(["import", call, "--state", state], env).returncode == 0
        (old,) = fake.live()
        fake.hold_deletes()
        proc = spawn(["import", call, "--state", state, "--me", "Alice", "--replace"], env)
        wait_for(lambda: fake.count(method="DELETE") == 1)
        assert len(fake.live()) == 2  # the new one is in; the old one not deleted yet
        proc.kill()
        proc.communicate(timeout=10)
        fake.release_deletes(apply=applied)
        wait_for(lambda: old.deleted is applied)
        time.sleep(0.2)  # the held DELETE's handler is done either way
        final = omi(["import", call, "--state", state, "--me", "Alice"], env)
        assert final.returncode == 0, final.stdout + final.stderr
        (new,) = fake.live()
        assert new.id != old.id
        settling = fake.requests[-1]
        assert (settling.method, settling.status) == ("DELETE", 404 if applied else 200)
        assert "1 old one deleted" in final.stdout
        listed = omi(["list", "--state", state, "--json"], env)
        assert '"status": "done"' in listed.stdout
        assert listed.stdout.count('"path"') == 1
        assert omi(["import", call, "--state", state, "--me", "Alice"], env).returncode == 0
        assert fake.count(method="DELETE") == 2  # settled: nothing more to do


def test_a_kill_while_the_replacement_is_sent_is_finished_by_the_next_run(tmp_path: Path) -> None:
    call = str(talk_file(tmp_path / "call.talk", 6, tag="call"))
    state = str(tmp_path / "state")
    with FakeOmi(limit=1000) as fake:
        env = env_for(tmp_path, base_url=fake.url)
        assert omi(["import", call, "--state", state], env).returncode == 0
        (old,) = fake.live()
        fake.latency_s = 1.0
        proc = spawn(["import", call, "--state", state, "--me", "Alice", "--replace"], env)
        wait_for(lambda: fake.count(method="POST") == 2)  # the new one on its way
        proc.kill()
        proc.communicate(timeout=10)
        wait_for(lambda: len(fake.conversations) == 2)  # the server finished it (else the
        fake.latency_s = 0.0  # re-run would be told "processing" and wait 30 s to ask again)
        final = omi(["import", call, "--state", state, "--me", "Alice"], env)
        assert final.returncode == 0, final.stdout + final.stderr
        (new,) = fake.live()
        assert new.id != old.id
        assert Counter(c.client_session_id for c in fake.conversations).most_common(1)[0][1] == 1


def test_ctrl_c_while_convert_runs_exits_130_with_its_tally(tmp_path: Path) -> None:
    for i in range(3):
        talk_file(tmp_path / f"c{i}.slowtalk", 3, tag=f"c{i}")
    env = env_for(tmp_path) | {"SLOW_TALK_S": "5"}
    proc = spawn(["convert", *(str(tmp_path / f"c{i}.slowtalk") for i in range(3))], env)
    time.sleep(2.0)  # started, converting the first one
    proc.send_signal(signal.SIGINT)
    out, err = finish(proc)
    assert proc.returncode == 130, out + err
    assert "Traceback" not in err
    assert "Aborted!" not in err
    assert err.rstrip().endswith("interrupted")
