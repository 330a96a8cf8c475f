"""omi-import watch: a real watcher on a temporary folder, against the fake Omi server.

In this process (:class:`Watching` runs :func:`importers.upload.watch.watch` in a thread and stops
it with its ``stop`` event), and as ``python -m importers watch`` for --once, SIGTERM and --log.
Quiet periods are fractions of a second, so files become complete fast.
"""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fake_adapters import SlowTalkAdapter, TalkAdapter, talk_file
from fake_omi import GOOD_KEY, FakeOmi
from pydantic import SecretStr
from uploading import FAST, REGISTRY, env_for, knows_era, omi, read_until, spawn, wait_for

from importers.conversion.options import ConvertOptions
from importers.errors import ConfigError
from importers.registry import Registry
from importers.upload import Importer, UploadOptions
from importers.upload.arrivals import DEFAULT_AUDIO_QUIET_S, DEFAULT_QUIET_S, Tracker, ignored
from importers.upload.client import RetryPolicy
from importers.upload.ledger import Ledger
from importers.upload.progress import NullProgress
from importers.upload.report import Report
from importers.upload.settings import Settings
from importers.upload.watch import Lines, WatchOptions, open_log, watch

QUIET = 0.3


class Notes(NullProgress):
    """Every line a watch shows (notes and finished requests), in order."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._lock = threading.Lock()

    def note(self, line: str) -> None:
        with self._lock:
            self.lines.append(line)

    def finished(self, line: str) -> None:
        self.note(line)

    def count(self, text: str) -> int:
        with self._lock:
            return sum(text in line for line in self.lines)


class Watching:
    """A watch running in a thread; ``report`` once :meth:`stop` has returned."""

    def __init__(self, thread: threading.Thread, stop: threading.Event, notes: Notes) -> None:
        self.thread, self.stop_event, self.notes = thread, stop, notes
        self.report: Report | None = None
        self.error: BaseException | None = None

    def stop(self) -> Report:
        self.stop_event.set()
        self.thread.join(30)
        assert not self.thread.is_alive(), "the watch did not end"
        if self.error is not None:
            raise self.error
        assert self.report is not None
        return self.report


@contextmanager
def watching(
    fake: FakeOmi,
    folders: list[Path],
    state: Path,
    *,
    transport: httpx.BaseTransport | None = None,
    registry: Registry = REGISTRY,
    convert: ConvertOptions | None = None,
    **opts: Any,
) -> Iterator[Watching]:
    """``omi-import watch FOLDERS`` with the test adapters and fast retries, in a thread."""
    upload_opts = {k: opts.pop(k) for k in ("replace", "policy") if k in opts}
    options = UploadOptions(**{"policy": FAST, "read_timeout_s": 5, **upload_opts})
    watch_options = WatchOptions(**{"quiet_period_s": QUIET, **opts})
    stop, notes = threading.Event(), Notes()
    with Ledger.open(state) as ledger:

        def run() -> None:
            try:
                importer = Importer(
                    Settings(fake.url, SecretStr(GOOD_KEY)),
                    ledger,
                    options=options,
                    convert_options=convert,
                    registry=registry,
                    transport=transport,
                    progress=notes,
                )
                handle.report = watch(folders, importer, watch_options=watch_options, stop=stop)
            except BaseException as exc:
                handle.error = exc

        handle = Watching(threading.Thread(target=run, daemon=True), stop, notes)
        handle.thread.start()
        try:
            yield handle
        finally:
            if handle.thread.is_alive():
                handle.stop()


def started(w: Watching) -> None:
    """The scan at the start is done: from here on, a new file is an event."""
    wait_for(lambda: w.notes.count("watching ") == 1)


@pytest.fixture
def drop(tmp_path: Path) -> Path:
    folder = tmp_path / "drop"
    folder.mkdir()
    return folder


def segments(fake: FakeOmi) -> list[int]:
    return [len(c.body["transcript_segments"]) for c in fake.conversations]


# -- catch-up, then live ----------------------------------------------------------------------


def test_what_is_there_is_imported_then_every_file_dropped(drop: Path, tmp_path: Path) -> None:
    talk_file(drop / "before.talk", 3, tag="before")
    with FakeOmi(limit=1000) as fake, watching(fake, [drop], tmp_path / "state") as w:
        wait_for(lambda: len(fake.conversations) == 1)
        (drop / "sub").mkdir()
        talk_file(drop / "sub" / "after.talk", 3, tag="after")
        partial = talk_file(drop / "download.talk.part", 3, tag="dl")
        wait_for(lambda: len(fake.conversations) == 2)
        partial.rename(drop / "download.talk")  # the download is finished
        wait_for(lambda: len(fake.conversations) == 3)
        report = w.stop()
    assert report.ok, report.summary()
    assert sorted(Path(i.path).name for i in report.inputs) == [
        "after.talk",
        "before.talk",
        "download.talk",
    ]
    assert set(Counter(c.client_session_id for c in fake.conversations).values()) == {1}
    assert w.notes.count("new: ") == 2  # the file there at the start is no news


def test_a_file_written_slowly_is_imported_once_and_complete(drop: Path, tmp_path: Path) -> None:
    """Written in 12 chunks over ~1.8 s, each pause under the quiet period: one conversation,
    with every cue, sent only after the last chunk."""
    whole = talk_file(tmp_path / "whole.talk", 24, tag="slow").read_bytes()
    cues = len(whole.splitlines())
    with FakeOmi(limit=1000) as fake, watching(fake, [drop], tmp_path / "state") as w:
        started(w)
        target = drop / "slow.talk"
        with target.open("wb") as f:
            for chunk in range(12):
                f.write(whole[chunk * len(whole) // 12 : (chunk + 1) * len(whole) // 12])
                f.flush()
                time.sleep(QUIET / 2)
        written = time.monotonic()
        wait_for(lambda: len(fake.conversations) == 1)
        time.sleep(QUIET * 3)  # nothing more comes of it
        report = w.stop()
    assert report.ok
    assert segments(fake) == [cues]
    assert len(fake.requests) == 1
    assert fake.requests[0].at >= written


def test_a_file_still_being_written_when_the_watch_starts_waits_too(
    drop: Path, tmp_path: Path
) -> None:
    """--once over a file that is still growing takes it once it stops, whole."""
    whole = talk_file(tmp_path / "whole.talk", 20, tag="grow").read_bytes()
    target = drop / "grow.talk"
    target.write_bytes(whole[: len(whole) // 4])

    def write_the_rest() -> None:
        for quarter in (2, 3, 4):
            time.sleep(QUIET / 2)
            with target.open("ab") as f:
                f.write(whole[(quarter - 1) * len(whole) // 4 : quarter * len(whole) // 4])

    writer = threading.Thread(target=write_the_rest)
    with FakeOmi(limit=1000) as fake:
        writer.start()
        with watching(fake, [drop], tmp_path / "state", once=True) as w:
            w.thread.join(30)
        writer.join()
        report = w.stop()
    assert report.ok
    assert segments(fake) == [20]


# -- once per change ---------------------------------------------------------------------------


def test_a_file_no_adapter_reads_is_listed_once_until_it_changes(
    drop: Path, tmp_path: Path
) -> None:
    with FakeOmi(limit=1000) as fake, watching(fake, [drop], tmp_path / "state") as w:
        started(w)
        pdf = drop / "notes.pdf"
        pdf.write_bytes(b"%PDF-1.7")
        broken = drop / "broken.talk"
        broken.write_text("Alice|0|2|ok\nnot a cue line\n")
        wait_for(lambda: w.notes.count("Skipped: ") == 1 and w.notes.count("Error: ") == 1)
        os.chmod(pdf, 0o600)  # events, but nothing new to read
        os.utime(broken, ns=(time.time_ns(), broken.stat().st_mtime_ns))
        talk_file(drop / "good.talk", 3, tag="good")
        wait_for(lambda: len(fake.conversations) == 1)  # the watch went on
        time.sleep(QUIET * 3)
        assert w.notes.count("Skipped: ") == 1
        assert w.notes.count("Error: ") == 1
        broken.write_text("Alice|0|2|fixed now\n")  # it changed: read again
        wait_for(lambda: len(fake.conversations) == 2)
        report = w.stop()
    assert w.notes.count(f"Skipped: {pdf}: unsupported file type") == 1
    assert w.notes.count(f"Error: {broken}:2:") == 1
    assert [i.status for i in report.inputs if i.path == str(broken)] == ["failed", "done"]


def test_temporary_and_hidden_files_are_never_taken(drop: Path, tmp_path: Path) -> None:
    with FakeOmi(limit=1000) as fake, watching(fake, [drop], tmp_path / "state") as w:
        started(w)
        for name in (".hidden.talk", "x.talk.crdownload", "x.talk.download", "notes.tmp",
                     "~$call.docx", ".~lock.call.docx#", "double_click_to_convert_01.zoom",
                     "call.talk~"):  # fmt: skip
            talk_file(drop / name, 3, tag=name)
        (drop / ".git").mkdir()
        talk_file(drop / ".git" / "inside.talk", 3, tag="git")
        talk_file(drop / "real.talk", 3, tag="real")
        wait_for(lambda: len(fake.conversations) == 1)
        time.sleep(QUIET * 3)
        report = w.stop()
    assert [Path(i.path).name for i in report.inputs] == ["real.talk"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("call.vtt", False),
        ("call.vtt.part", True),
        ("Call.VTT.CRDOWNLOAD", True),
        ("x.opdownload", True),
        ("x.partial", True),
        ("~$notes.docx", True),
        (".DS_Store", True),
        ("._call.vtt", True),
        ("double_click_to_convert_02.zoom", True),
        ("notes.txt~", True),
        ("my~notes.txt", False),
        ("audio_only.m4a", False),
    ],
)
def test_ignored_names(name: str, expected: bool) -> None:
    assert ignored(name) is expected


def test_recordings_wait_for_the_audio_quiet_period(tmp_path: Path) -> None:
    """By extension alone: a file only binary adapters read is a recording."""
    tracker = Tracker([tmp_path], Registry.default())
    assert tracker._quiet_s(tmp_path / "call.m4a") == DEFAULT_AUDIO_QUIET_S
    assert tracker._quiet_s(tmp_path / "call.vtt") == DEFAULT_QUIET_S
    assert tracker._quiet_s(tmp_path / "call.unknown") == DEFAULT_QUIET_S
    assert DEFAULT_AUDIO_QUIET_S > DEFAULT_QUIET_S


# -- never twice -------------------------------------------------------------------------------


def test_a_copy_of_a_file_in_omi_is_not_sent_and_the_watch_says_why(
    drop: Path, tmp_path: Path
) -> None:
    first = talk_file(drop / "call.talk", 3, tag="call")
    with FakeOmi(limit=1000) as fake, watching(fake, [drop], tmp_path / "state") as w:
        wait_for(lambda: len(fake.conversations) == 1)
        (drop / "call (copy).talk").write_bytes(first.read_bytes())
        wait_for(lambda: w.notes.count("in Omi already: ") == 1)
        report = w.stop()
    assert report.ok, report.summary()
    assert len(fake.requests) == 1
    copy = drop / "call (copy).talk"
    assert f"in Omi already: {copy} (the same content was imported before)" in w.notes.lines
    assert w.notes.count("in Omi already: ") == 1  # the file sent is not said to be there


def test_a_restart_sends_only_the_new_file(drop: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    for i in range(2):
        talk_file(drop / f"old{i}.talk", 3, tag=f"old{i}")
    with FakeOmi(limit=1000) as fake:
        with watching(fake, [drop], state, once=True) as w:
            w.thread.join(30)
        assert w.stop().ok
        assert len(fake.requests) == 2
        talk_file(drop / "new.talk", 3, tag="new")
        with watching(fake, [drop], state, once=True) as w:
            w.thread.join(30)
        report = w.stop()
        assert len(fake.requests) == 3
    assert report.ok
    assert [Path(i.path).name for i in report.inputs] == ["new.talk"]
    assert w.notes.count(f"{drop}: 3 files (2 unchanged and in Omi)") == 1
    assert len({r.client_session_id for r in fake.requests}) == 3


def test_a_restart_reads_again_only_what_changed_or_is_not_in_omi(
    drop: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file an earlier watch took, unchanged since and in Omi, is not read again (a
    recording is not transcribed again); touched, or under other options, it is."""
    monkeypatch.setenv("SLOW_TALK_S", "0")
    registry = Registry([TalkAdapter(), SlowTalkAdapter()])
    state = tmp_path / "state"
    files = [talk_file(drop / f"r{i}.slowtalk", 3, tag=f"r{i}") for i in range(2)]

    def once(convert: ConvertOptions | None = None) -> tuple[int, Report]:
        parsed = len(SlowTalkAdapter.parsed)
        with watching(fake, [drop], state, registry=registry, convert=convert, once=True) as w:
            w.thread.join(30)
        return len(SlowTalkAdapter.parsed) - parsed, w.stop()

    with FakeOmi(limit=1000) as fake:
        assert once()[0] == 2
        reads, report = once()
        assert (reads, report.inputs) == (0, [])
        os.utime(files[0], ns=(time.time_ns(), time.time_ns()))  # touched: looked at again
        reads, report = once()
        assert (reads, [i.status for i in report.inputs]) == (1, ["done"])
        reads, report = once()
        assert reads == 0
        reads, report = once(ConvertOptions(source="phone"))  # another version of both
        assert (reads, [i.status for i in report.inputs]) == (2, ["exists", "exists"])
        assert len(fake.requests) == 2


def test_an_edited_file_is_held_back_and_replaced_only_with_replace(
    drop: Path, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    call = talk_file(drop / "call.talk", 3, tag="v1")
    with FakeOmi(limit=1000) as fake:
        with watching(fake, [drop], state) as w:
            wait_for(lambda: len(fake.conversations) == 1)
            talk_file(call, 4, tag="v2")  # edited in place
            wait_for(lambda: w.notes.count("Held back: ") == 1)
            report = w.stop()
        assert [i.status for i in report.inputs] == ["done", "exists"]
        assert not report.ok
        assert len(fake.live()) == 1
        with watching(fake, [drop], state, replace=True) as w:
            wait_for(lambda: fake.count(method="DELETE") == 1)
            report = w.stop()
        (new,) = fake.live()
        assert len(new.body["transcript_segments"]) == 4


# -- keeps running -----------------------------------------------------------------------------


class Outage(httpx.BaseTransport):
    """Connections refused for the first ``refusals`` requests, then the real server."""

    def __init__(self, refusals: int) -> None:
        self.refusals = refusals
        self.refused = 0
        self._real = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.refused < self.refusals:
            self.refused += 1
            refused = ConnectionRefusedError(111, "Connection refused")
            raise httpx.ConnectError(str(refused), request=request) from refused
        return self._real.handle_request(request)

    def close(self) -> None:
        self._real.close()


def test_an_unreachable_omi_pauses_the_watch_and_it_goes_on(drop: Path, tmp_path: Path) -> None:
    """Five refusals in a row (import stops after three): the watch says it pauses, backs off,
    then imports the file once when Omi answers again, and keeps watching."""
    policy = RetryPolicy(max_attempts=2, backoff_initial_s=0.05, backoff_max_s=0.2)
    outage = Outage(refusals=5)
    state = tmp_path / "state"
    with (
        FakeOmi(limit=1000) as fake,
        watching(fake, [drop], state, transport=outage, policy=policy) as w,
    ):
        started(w)
        talk_file(drop / "a.talk", 3, tag="a")
        wait_for(lambda: len(fake.conversations) == 1)
        talk_file(drop / "b.talk", 3, tag="b")
        wait_for(lambda: len(fake.conversations) == 2)
        report = w.stop()
    assert outage.refused == 5
    assert report.ok, report.summary()
    assert report.stopped is None
    pauses = [line for line in w.notes.lines if "nothing is lost: trying again in" in line]
    assert len(pauses) == 3  # the third, fourth and fifth refusal
    assert pauses[0].startswith("cannot reach 127.0.0.1 (refused")
    assert w.notes.count("127.0.0.1 answers again; going on") == 1
    # A job's retries (2 here) are not used up by attempts that reached no server.
    assert report.count("done") == 2


def test_once_stops_when_omi_cannot_be_reached_as_import_does(drop: Path, tmp_path: Path) -> None:
    """--once is for cron: three refusals in a row end it, nothing sent, for the next run."""
    policy = RetryPolicy(max_attempts=2, backoff_initial_s=0.05, backoff_max_s=0.2)
    outage = Outage(refusals=100)
    for name in "abcd":
        talk_file(drop / f"{name}.talk", 3, tag=name)
    with (
        FakeOmi(limit=1000) as fake,
        watching(fake, [drop], tmp_path / "state", transport=outage, policy=policy, once=True) as w,
    ):
        w.thread.join(timeout=30)
        assert not w.thread.is_alive()
    assert w.report is not None and not w.report.ok
    assert w.report.stopped is not None
    assert w.report.stopped.startswith("cannot reach 127.0.0.1 (refused")
    assert 3 <= outage.refused < 100
    assert fake.conversations == []
    assert w.notes.count("nothing is lost: trying again in") == 0


def test_a_folder_that_is_not_there_is_an_error(tmp_path: Path) -> None:
    settings = Settings("http://127.0.0.1:9", SecretStr(GOOD_KEY))
    with Ledger.open(tmp_path / "state") as ledger, pytest.raises(ConfigError) as raised:
        watch([tmp_path / "missing"], Importer(settings, ledger, registry=REGISTRY))
    assert str(raised.value) == f"watch: {tmp_path / 'missing'} is not a folder"


def test_no_key_is_an_error_before_anything_lands(drop: Path, tmp_path: Path) -> None:
    with Ledger.open(tmp_path / "state") as ledger, pytest.raises(ConfigError, match="no API key"):
        watch([drop], Importer(Settings("http://127.0.0.1:9", None), ledger))


def test_polling_sees_files_without_events(drop: Path, tmp_path: Path) -> None:
    with FakeOmi(limit=1000) as fake, watching(fake, [drop], tmp_path / "s", poll=True) as w:
        started(w)
        talk_file(drop / "polled.talk", 3, tag="polled")
        wait_for(lambda: len(fake.conversations) == 1)
        report = w.stop()
    assert report.ok


# -- the command: --once, SIGTERM, --log -------------------------------------------------------

SUMMARY = re.compile(r"(\d+) of (\d+) conversations? in Omi \((\d+) new")


def test_once_imports_what_is_there_and_exits_with_a_log(drop: Path, tmp_path: Path) -> None:
    for i in range(3):
        talk_file(drop / f"c{i}.talk", 3, tag=f"c{i}")
    (drop / "readme.pdf").write_bytes(b"%PDF")
    log = tmp_path / "logs" / "watch.log"
    with FakeOmi(limit=1000) as fake:
        env = env_for(tmp_path, base_url=fake.url)
        args = ["watch", str(drop), "--once", "--quiet-period", str(QUIET),
                "--state", str(tmp_path / "state"), "--log", str(log)]  # fmt: skip
        done = omi(args, env)
        assert done.returncode == 0, done.stdout + done.stderr
        assert len(fake.conversations) == 3
    found = SUMMARY.search(done.stdout)
    assert found, done.stdout
    assert found.groups() == ("3", "3", "3")
    assert f"{drop}: 4 files; each is taken once it is complete" in done.stderr
    logged = log.read_text(encoding="utf-8").splitlines()
    stamp = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} "
    assert all(re.match(stamp, line) for line in logged), logged
    assert any(line.endswith(f"Skipped: {drop / 'readme.pdf'}: unsupported file type")
               for line in logged)  # fmt: skip
    assert sum("done: " in line for line in logged) == 3
    assert SUMMARY.search(logged[-2] if "unsupported" in logged[-1] else logged[-1])
    assert GOOD_KEY not in log.read_text(encoding="utf-8")


def test_sigterm_during_an_upload_stops_cleanly_and_the_next_start_resumes(
    drop: Path, tmp_path: Path
) -> None:
    """SIGTERM while the first request is on its way (the server takes 2 s): the answer is
    waited for, the second file is not sent, exit 0. The next start sends only the second."""
    for name in ("a", "b"):
        talk_file(drop / f"{name}.talk", 3, tag=name)
    state = str(tmp_path / "state")
    with FakeOmi(limit=1000, latency_s=2.0) as fake:
        env = env_for(tmp_path, base_url=fake.url)
        args = ["watch", str(drop), "--quiet-period", str(QUIET), "--state", state]
        proc = spawn(args, env)
        read_until(proc, "watching ")
        wait_for(lambda: len(fake.requests) == 1)  # the first request goes alone
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
        assert proc.returncode == 0, out + err
        assert "Traceback" not in err
        assert "stopped: stopped by SIGTERM; the next start settles what was in flight" in out
        assert len(fake.conversations) == 1  # the one in flight was answered, and recorded
        fake.latency_s = 0.0
        again = omi([*args, "--once"], env)
        assert again.returncode == 0, again.stdout + again.stderr
    per_key = Counter(c.client_session_id for c in fake.conversations)
    assert sorted(per_key.values()) == [1, 1]
    assert "2 files (1 unchanged and in Omi)" in again.stderr
    assert SUMMARY.search(again.stdout).groups() == ("1", "1", "1")  # type: ignore[union-attr]


def test_a_second_sigterm_leaves_the_request_in_flight_to_the_next_start(
    drop: Path, tmp_path: Path
) -> None:
    """Stopped without waiting for the answer: the ledger has it as sending, and the next start
    sends it again with the same client_session_id (the server returns the one it made)."""
    talk_file(drop / "a.talk", 3, tag="a")
    state = str(tmp_path / "state")
    with FakeOmi(limit=1000, latency_s=3.0) as fake:
        env = env_for(tmp_path, base_url=fake.url)
        args = ["watch", str(drop), "--quiet-period", str(QUIET), "--state", state]
        knows_era(fake, Path(state))  # it has answered before: a resend is safe
        proc = spawn(args, env)
        wait_for(lambda: len(fake.requests) == 1)
        proc.send_signal(signal.SIGTERM)
        read_until(proc, "stopping: waiting for the answers to 1 request in flight")
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
        assert proc.returncode == 0, out + err
        assert "1 not sent yet" in out
        wait_for(lambda: len(fake.conversations) == 1)  # the server finished it meanwhile
        fake.latency_s = 0.0
        again = omi([*args, "--once"], env)
        assert again.returncode == 0, again.stdout + again.stderr
        assert fake.count(method="POST") == 2
    assert len(fake.conversations) == 1


def test_the_log_is_rotated_by_size(tmp_path: Path) -> None:
    path = tmp_path / "watch.log"
    log = open_log(path, max_bytes=2000, backups=2)
    lines = Lines(None, log)
    try:
        for i in range(200):
            print(f"line {i:03d} " + "x" * 40, file=lines, flush=True)
    finally:
        log.close()
    kept = [path, path.with_name("watch.log.1"), path.with_name("watch.log.2")]
    assert all(p.exists() for p in kept)
    assert not path.with_name("watch.log.3").exists()
    assert all(p.stat().st_size <= 2000 for p in kept)
    assert path.read_text(encoding="utf-8").splitlines()[-1].endswith("line 199 " + "x" * 40)


def test_a_log_that_cannot_be_written_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(ConfigError, match=r"--log .*: cannot write it"):
        open_log(tmp_path / "file" / "watch.log")
