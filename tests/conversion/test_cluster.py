"""Conversions on a Dask cluster (importers.conversion.cluster): the contract of convert_all, fanned
out.

A LocalCluster on loopback with 2 worker processes (one thread each), shared by the tests of
this module; the library connects to it by its tcp:// address, as to a remote scheduler. The
workers load the test adapters by module, as they would an installed plugin.
"""

from __future__ import annotations

import json
import os
import pickle
import re
import shutil
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fake_adapters import SleepTalkAdapter, TalkAdapter, runs, sleep_file, talk_file
from fake_omi import GOOD_KEY, FakeOmi
from pydantic import SecretStr
from support import SAMPLES, installs_extra
from uploading import env_for, omi, upload

from importers.cli import cli
from importers.conversion.cluster import ClusterStats, DaskCluster, local_cluster, open_cluster
from importers.conversion.options import ConvertOptions
from importers.conversion.pipeline import Outcome, convert_all
from importers.errors import ConfigError
from importers.registry import Registry
from importers.source import Source
from importers.upload.ledger import Ledger
from importers.upload.settings import Settings

REGISTRY = Registry([*Registry.default().adapters, TalkAdapter(), SleepTalkAdapter()])


@pytest.fixture(scope="module")
def address() -> Iterator[str]:
    """The LocalCluster of ``--dask local`` with 2 workers, for the module."""
    pytest.importorskip("distributed")
    with local_cluster(2) as cluster:
        yield cluster.scheduler_address


@pytest.fixture
def cluster(address: str) -> Iterator[DaskCluster]:
    with open_cluster(address) as opened:
        opened.client.wait_for_workers(2)  # a test before may have killed one
        yield opened


def seen(outcomes: Iterator[Outcome]) -> list[tuple[str, str, bytes | str | None]]:
    """What a run gave, file by file: path, status, the output bytes or the reason."""
    return [
        (
            str(o.path),
            o.status,
            o.conversion.to_json(pretty=True) if o.conversion else str(o.error or o.skipped),
        )
        for o in outcomes
    ]


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """Every text sample (with folders to skip in, a file that fails), and slow files whose
    first takes longest, so that tasks finish out of order."""
    root = tmp_path / "archive"
    shutil.copytree(SAMPLES, root, ignore=shutil.ignore_patterns("audio"))
    slow = root / "slow"
    slow.mkdir()
    for i, seconds in enumerate((1.5, 0, 0, 0.2)):
        sleep_file(slow / f"s{i}.sleeptalk", seconds)
    (slow / "broken.sleeptalk").write_text("sleep 0\nAlice|0|2|ok\nno cue here\n")
    return root


def test_same_outcomes_in_the_same_order_as_one_process(
    cluster: DaskCluster, archive: Path
) -> None:
    """Every file: the same status, output bytes and reason as convert_all, in its order,
    although the slow first file finished after the files behind it."""
    options = ConvertOptions.from_flags(registry=REGISTRY, timezone="Europe/Paris")
    alone = seen(convert_all([archive], options, registry=REGISTRY))
    fanned = seen(cluster.convert_all([archive], options, registry=REGISTRY))
    assert fanned == alone
    assert {status for _, status, _ in alone} == {"converted", "skipped", "failed"}
    broken = next(r for p, _, r in alone if p.endswith("broken.sleeptalk"))
    where = archive / "slow" / "broken.sleeptalk"
    assert broken == f"{where}:3: expected SPEAKER|start|end|text: 'no cue here'"

    def finished_on_a_worker(name: str) -> float:
        (worker,) = set(runs(archive / "slow" / name, "finished")) - {os.getpid()}
        return (archive / "slow" / ".ran" / f"{name}.{worker}.finished").stat().st_mtime

    assert finished_on_a_worker("s0.sleeptalk") > finished_on_a_worker("s1.sleeptalk")
    converted_here = sum(1 for _, s, _ in alone if s == "converted")
    failed_there = 1  # broken.sleeptalk: detected here, failed on its worker
    assert sum(cluster.stats.files.values()) == converted_here + failed_there
    assert set(cluster.stats.files) == {"0", "1"}  # both workers took files


def test_the_order_is_the_same_every_run(cluster: DaskCluster, tmp_path: Path) -> None:
    """Files that finish in another order each time are yielded in the same order."""
    folder = tmp_path / "in"
    folder.mkdir()
    for i, seconds in enumerate((0.6, 0.1, 0.4, 0, 0.3, 0)):
        sleep_file(folder / f"f{i}.sleeptalk", seconds)
    runs_ = [
        [o.path.name for o in cluster.convert_all([folder], registry=REGISTRY)] for _ in range(2)
    ]
    assert runs_[0] == runs_[1] == [f"f{i}.sleeptalk" for i in range(6)]


def test_the_window_bounds_what_is_in_flight(address: str, tmp_path: Path) -> None:
    """With a window of 3, no more than 3 files have started when the first comes back."""
    folder = tmp_path / "in"
    folder.mkdir()
    files = [sleep_file(folder / f"f{i}.sleeptalk", 0.3) for i in range(8)]
    with open_cluster(address, window=3) as small:
        outcomes = small.convert_all([folder], registry=REGISTRY)
        first = next(outcomes)
        started = sum(1 for f in files if runs(f))
        rest = list(outcomes)
    assert first.path == files[0]
    assert started <= 3
    assert [o.status for o in rest] == ["converted"] * 7


def test_a_worker_killed_mid_task_is_replaced_and_its_file_converted(
    cluster: DaskCluster, tmp_path: Path
) -> None:
    """Dask runs the task of a killed worker again elsewhere; the result is complete, in
    order, and the same as one process makes."""
    folder = tmp_path / "in"
    folder.mkdir()
    files = [sleep_file(folder / f"f{i}.sleeptalk", 2.0 if i == 1 else 0.2) for i in range(5)]
    killed: list[int] = []

    def kill_the_worker_of_f1() -> None:
        deadline = time.monotonic() + 30
        while not runs(files[1]) and time.monotonic() < deadline:
            time.sleep(0.02)
        killed.append(runs(files[1])[0])
        os.kill(killed[0], signal.SIGKILL)

    killer = threading.Thread(target=kill_the_worker_of_f1)
    killer.start()
    fanned = seen(cluster.convert_all([folder], registry=REGISTRY))
    killer.join()
    assert fanned == seen(convert_all([folder], registry=REGISTRY))
    assert [Path(p).name for p, _, _ in fanned] == [f.name for f in files]
    started, finished = set(runs(files[1])), set(runs(files[1], "finished"))
    assert killed[0] in started and killed[0] not in finished  # died mid-task...
    again = started - {killed[0], os.getpid()}  # (this process: the run without Dask)
    assert len(again) == 1 and finished == again | {os.getpid()}  # ...finished on another


def test_a_file_that_kills_every_worker_fails_alone(tmp_path: Path) -> None:
    """When the workers running a file keep dying (here: after one, allowed-failures 0), that
    file is an error outcome and the others are converted."""
    dask = pytest.importorskip("dask")
    pytest.importorskip("distributed")

    folder = tmp_path / "in"
    folder.mkdir()
    files = [sleep_file(folder / f"f{i}.sleeptalk", 3.0 if i == 1 else 0) for i in range(3)]

    def kill() -> None:
        while not runs(files[1]):
            time.sleep(0.02)
        os.kill(runs(files[1])[0], signal.SIGKILL)

    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        local_cluster(2) as local,
        open_cluster(local.scheduler_address) as fragile,
    ):
        threading.Thread(target=kill, daemon=True).start()
        outcomes = list(fragile.convert_all([folder], registry=REGISTRY))
    assert [o.status for o in outcomes] == ["converted", "failed", "converted"]
    assert str(outcomes[1].error) == (
        f"{files[1]}: the Dask workers converting it died 1 times (out of memory?)"
    )


def test_a_bad_option_stops_the_run_as_in_one_process(cluster: DaskCluster, tmp_path: Path) -> None:
    """A ConfigError that a worker meets converting a file stops the run, with the same
    message as convert_all (which raises it too)."""
    sleep_file(tmp_path / "a.sleeptalk", 0)
    sleep_file(tmp_path / "b.sleeptalk", -1)
    errors = []
    for converter in (convert_all, cluster.convert_all):
        with pytest.raises(ConfigError) as caught:
            list(converter([tmp_path], registry=REGISTRY))
        errors.append(str(caught.value))
    assert errors == ["test-sleeptalk: cannot sleep -1.0 s"] * 2


def test_upload_reads_the_clusters_outcomes_while_later_files_convert(
    cluster: DaskCluster, tmp_path: Path
) -> None:
    """upload(converter=...) takes each outcome as the cluster yields it: the first files'
    conversations are registered while the last is still converting; Omi gets the bodies one
    process would send."""
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):
        talk_file(folder / f"t{i}.talk", 4, tag=f"t{i}")
    last = sleep_file(folder / "z.sleeptalk", 2.0)
    taken: list[tuple[str, bool]] = []

    def converter(*args: object, **kwargs: object) -> Iterator[Outcome]:
        for outcome in cluster.convert_all(*args, **kwargs):  # type: ignore[arg-type]
            taken.append((outcome.path.name, bool(runs(last, "finished"))))
            yield outcome

    with FakeOmi(limit=1000) as fake, Ledger.open(tmp_path / "state") as ledger:
        report = upload(
            [folder],
            settings=Settings(fake.url, SecretStr(GOOD_KEY)),
            ledger=ledger,
            registry=REGISTRY,
            converter=converter,
        )
        sent = {r.client_session_id: r.body for r in fake.requests}
    assert report.ok
    assert taken[:3] == [("t0.talk", False), ("t1.talk", False), ("t2.talk", False)]
    expected = {
        c.key: json.loads(c.json)
        for o in convert_all([folder], registry=REGISTRY)
        for c in (o.conversion.conversations if o.conversion else ())
    }
    assert sent == expected


def test_a_source_crosses_processes_as_its_path_and_the_bytes_read(tmp_path: Path) -> None:
    """Pickled, a Source carries its bytes when they were read (never its decoded text), and
    reads them from its path where it lands when they were not."""
    path = tmp_path / "a.srt"
    path.write_bytes(b"1\n00:00:01,000 --> 00:00:02,000\nHi\n")
    unread = pickle.loads(pickle.dumps(Source.from_path(path, "utf-8")))
    assert "data" not in vars(unread) and unread.encoding_override == "utf-8"
    read = Source.from_path(path)
    _ = read.text
    assert len(pickle.dumps(read)) < len(pickle.dumps(read.data)) + 200
    path.write_bytes(b"changed")
    assert pickle.loads(pickle.dumps(read)).text.endswith("Hi\n")
    assert unread.data == b"changed"


def test_stats_line_counts_files_per_worker_and_audio_hours_per_hour() -> None:
    stats = ClusterStats(started=time.monotonic() - 1800)  # half an hour ago
    assert stats.line() == "Dask: 0 files done"
    for worker, seconds in (("1", 3600.0), ("10", None), ("2", 1800.0), ("1", 1800.0)):
        stats.done(worker, seconds)
    line = stats.line()
    assert line.startswith("Dask: 4 files done (worker 1: 2, 2: 1, 10: 1); 2.00 h of audio, ")
    assert 3.9 < float(line.split(", ")[-1].split()[0]) <= 4.0  # 2 h in half an hour


def test_missing_extra_is_one_error_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    talk_file(tmp_path / "a.talk", 2)
    monkeypatch.setitem(sys.modules, "distributed", None)  # what an uninstalled extra gives
    result = CliRunner().invoke(cli, ["convert", str(tmp_path), "--dask", "local", "-q"])
    assert result.exit_code == 1
    said = re.fullmatch(
        r"Error: --dask needs Dask distributed \(the dask extra\): (.+)\n", result.output
    )
    assert said, result.output
    assert installs_extra(said[1], "dask")


def test_unreachable_scheduler_is_one_error_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import socket

    pytest.importorskip("distributed")
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    monkeypatch.setattr("importers.conversion.cluster.CONNECT_TIMEOUT_S", 0.5)
    address = f"tcp://127.0.0.1:{port}"
    result = CliRunner().invoke(cli, ["convert", str(tmp_path), "--dask", address])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: cannot reach the Dask scheduler at {address}: ")
    assert result.output.count("\n") == 1


def test_the_first_line_names_the_cluster_and_says_when_no_worker_has_joined() -> None:
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(n_workers=0, processes=False, dashboard_address=":0") as bare,
        open_cluster(bare.scheduler_address) as cluster,
    ):
        assert cluster.description.split("; dashboard ")[0] == (
            f"Dask: scheduler {bare.scheduler_address}, no worker yet (the files wait for "
            "workers to join)"
        )


def test_convert_dask_local_writes_the_same_files_and_says_the_same(
    tmp_path: Path, archive: Path
) -> None:
    """``convert DIR -o OUT --dask local`` (a subprocess, the test adapters as a plugin the
    workers load too): byte-equal output files and the same lines, plus the cluster's."""
    pytest.importorskip("distributed")
    env = env_for(tmp_path, key=None) | {"OMI_IMPORT_STATE": str(tmp_path / "state")}
    alone = omi(["convert", str(archive), "-o", str(tmp_path / "alone")], env)
    fanned = omi(["convert", str(archive), "-o", str(tmp_path / "fanned"), "--dask", "local"], env)

    def written(out: Path) -> dict[str, bytes]:
        return {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    assert written(tmp_path / "fanned") == written(tmp_path / "alone")
    assert len(written(tmp_path / "alone")) > 40
    assert alone.returncode == fanned.returncode == 1  # broken.sleeptalk
    lines = fanned.stderr.splitlines()
    assert lines[0].startswith("Dask: local cluster, ")
    assert lines[-2].startswith("Dask: ") and " files done (worker 0: " in lines[-2]
    assert lines[1:-2] == alone.stderr.splitlines()[:-1]
    assert lines[-1] == alone.stderr.splitlines()[-1]
    assert lines[-1].startswith("omi-import: ") and ", 1 failed" in lines[-1]


def test_import_dask_local_sends_what_one_process_would(tmp_path: Path) -> None:
    """``import DIR --dask local``: the conversions come from the cluster, the uploads from
    this process, and Omi gets exactly the bodies one process makes."""
    pytest.importorskip("distributed")
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):
        talk_file(folder / f"t{i}.talk", 4, tag=f"t{i}")
    sleep_file(folder / "z.sleeptalk", 0.5)
    with FakeOmi(limit=1000) as fake:
        env = env_for(tmp_path, base_url=fake.url)
        done = omi(["import", str(folder), "--state", str(tmp_path / "s"), "--dask", "local"], env)
        sent = {c.client_session_id: c.body for c in fake.conversations}
    assert done.returncode == 0, done.stderr
    assert "4 of 4 conversations in Omi (4 new, 0 already there)" in done.stdout
    assert done.stderr.startswith("Dask: local cluster, ")
    assert "Dask: 4 files done (worker " in done.stderr
    expected = {
        c.key: json.loads(c.json)
        for o in convert_all([folder], registry=REGISTRY)
        for c in (o.conversion.conversations if o.conversion else ())
    }
    assert sent == expected
