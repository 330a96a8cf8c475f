"""The scheduler: an honest ETA (pure, from the pacer's state) and a window kept full."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from fake_adapters import talk_file
from fake_omi import FakeOmi
from pydantic import SecretStr
from uploading import REGISTRY, run

from importers.conversion.pipeline import convert
from importers.upload.client import OmiClient, RetryPolicy
from importers.upload.pacing import Pacer
from importers.upload.scheduler import ASSUMED_LIMIT, Scheduler, eta_seconds

HOUR = 3600.0


def eta(pacer: Pacer, now: float, unsent: int, in_flight: int = 0) -> tuple[float | None, bool]:
    return eta_seconds(pacer, now, unsent=unsent, in_flight=in_flight, latency_s=30.0, at_once=32)


def test_before_the_first_request_the_eta_assumes_omis_25_an_hour() -> None:
    """200 conversations, the limit not learned yet: about 7 hours, said up front."""
    pacer = Pacer()
    seconds, assumed = eta(pacer, 0.0, 200)
    assert assumed
    assert seconds == pytest.approx(7 * (HOUR + pacer.margin_s) + 30.0)
    assert ASSUMED_LIMIT == 25


def test_requests_in_flight_are_not_counted_as_unsent() -> None:
    """Told 25 an hour, the first 25 granted and in flight: 175 wait for 7 more windows (the
    old count of 200 unsent made it 8)."""
    pacer = Pacer(25, HOUR)
    for _ in range(25):
        assert pacer.reserve(0.0) is None
    seconds, assumed = eta(pacer, 10.0, 175, in_flight=25)
    assert not assumed
    assert seconds == pytest.approx(7 * (HOUR + pacer.margin_s) - 10.0 + 30.0)


def test_the_eta_ticks_down_during_a_wait() -> None:
    pacer = Pacer(2, HOUR)
    pacer.reserve(0.0)
    pacer.reserve(0.0)
    first, _ = eta(pacer, 100.0, 2)
    later, _ = eta(pacer, 700.0, 2)
    assert first is not None and later is not None
    assert first - later == pytest.approx(600.0)


def test_a_server_that_lets_more_through_is_believed() -> None:
    """40 granted in 200 s without a 429: not 25 an hour; go by the pace so far."""
    pacer = Pacer()
    for i in range(40):
        pacer.reserve(i * 5.0)
    seconds, assumed = eta(pacer, 200.0, 40)
    assert assumed
    assert seconds == pytest.approx(200.0 + 30.0)


def test_nothing_left_to_send_leaves_the_answers_to_wait_for() -> None:
    pacer = Pacer()
    assert eta(pacer, 0.0, 0, in_flight=3) == (30.0, False)
    assert eta(pacer, 0.0, 0) == (0.0, False)


def test_a_slow_server_gets_enough_requests_in_flight_to_fill_the_window(tmp_path: Path) -> None:
    """10 per 2 s, told, 1.5 s a request: the window's ten go together (four workers took
    30 x 1.5 / 4 = 11 s); the floor the limit allows is 2 windows + one latency."""
    files = [talk_file(tmp_path / f"s{i}.talk", 3, tag=f"s{i}") for i in range(30)]
    with FakeOmi(limit=10, window_s=2.0, latency_s=1.5) as fake:
        started = time.monotonic()
        report = run(fake, files, tmp_path / "state", rate_limit=10, rate_window_s=2.0)
        elapsed = time.monotonic() - started
        assert report.ok
        assert fake.count(status=429) == 0
    assert elapsed < 2 * 2.0 + 1.5 + 2.0  # the floor, 5.5 s, plus the first request alone


def test_one_conversation_backing_off_does_not_hold_the_others(tmp_path: Path) -> None:
    """The first conversation fails twice and waits out its backoff; the other two are in
    Omi before its retry is even sent (a run of three used to take twice as long)."""
    files = [talk_file(tmp_path / f"b{i}.talk", 3, tag=f"b{i}") for i in range(3)]
    slow = RetryPolicy(max_attempts=5, backoff_initial_s=0.6, backoff_max_s=2.0)
    with FakeOmi(limit=1000, latency_s=0.2) as fake:
        first = convert(files[0], registry=REGISTRY).conversations[0].key
        fake.queue_for(first, "500", "500")
        report = run(fake, files, tmp_path / "state", policy=slow)
        assert report.ok
        retries = [r.at for r in fake.requests if r.client_session_id == first][1:]
        others = [c.created_at for c in fake.conversations if c.client_session_id != first]
    assert len(retries) == 2
    assert len(others) == 2
    assert max(others) < min(retries)


def test_429s_that_say_when_use_up_no_retries(tmp_path: Path) -> None:
    """One request per 1.2 s window, learned, with only two attempts allowed per conversation:
    the 429s of the learning window are waited out, not counted as failed attempts."""
    files = [talk_file(tmp_path / f"p{i}.talk", 3, tag=f"p{i}") for i in range(4)]
    strict = RetryPolicy(max_attempts=2, backoff_initial_s=0.01, backoff_max_s=0.05)
    with FakeOmi(limit=1, window_s=1.2) as fake:
        report = run(fake, files, tmp_path / "state", policy=strict)
        assert report.ok, report.summary()
        assert fake.count(status=429) >= 1
        assert len(fake.conversations) == 4


def test_a_stop_reaches_reads_waiting_for_their_own_budget() -> None:
    """A read-back waiting for the reads' budget (60 an hour, used up) ends when the run
    stops, as writes waiting for theirs do, instead of holding a Ctrl-C for up to an hour.
    Reads are the scheduler's jobs as writes are: the wait holds no thread."""
    import threading

    reads = Pacer(1, HOUR)
    assert reads.reserve(time.monotonic()) is None  # the budget of the hour is used up
    client = OmiClient("http://127.0.0.1:9", SecretStr("omi_dev_test"), read_pacer=reads)
    scheduler = Scheduler(client, Pacer(25, HOUR), cap=4)
    read = Reading()
    scheduler.add([read])
    running = threading.Thread(target=scheduler.run)
    running.start()
    time.sleep(0.3)
    assert running.is_alive() and read.attempts == 0  # waits for the next window
    scheduler.stop("interrupted")
    running.join(timeout=3)
    assert not running.is_alive()
    assert read.attempts == 0
    client.close()


@dataclass(eq=False)
class Reading:
    """A read job (it never gets its grant in the test above)."""

    label = "a read"
    write = False
    optional = False
    attempts: int = 0
    failures: int = 0
    spent: int = 0
    not_before: float = 0.0

    def attempt(self) -> list[object]:
        self.attempts += 1
        return []

    def gave_up(self, error: object) -> None:
        raise AssertionError("never tried")


def test_an_eta_that_fits_in_the_window_does_not_rest_on_the_assumed_limit() -> None:
    """One request in a fresh window waits for no limit: its ETA is one latency, not 'assumed'."""
    assert eta(Pacer(), 0.0, 1) == (30.0, False)
