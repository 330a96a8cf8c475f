"""upload() against the fake Omi server: exactly once, re-runs, rejections, text uncertainty."""

from __future__ import annotations

import socket
import time
from collections import Counter
from dataclasses import replace
from itertools import pairwise
from pathlib import Path

import pytest
from fake_adapters import SlowTalkAdapter, TalkAdapter, talk_file
from fake_omi import GOOD_KEY, READ_ONLY_KEY, SEGMENTS, TEXT, WRITE_ONLY_KEY, FakeOmi
from pydantic import SecretStr
from uploading import FAST, REGISTRY, run, upload

from importers.adapter import ParseOptions
from importers.conversion.options import ConvertOptions
from importers.conversion.pipeline import convert
from importers.errors import ConfigError, MissingDependencyError
from importers.model import Transcript
from importers.registry import Registry
from importers.source import Source
from importers.upload import UploadOptions
from importers.upload.client import RetryPolicy
from importers.upload.ledger import Ledger
from importers.upload.progress import NullProgress
from importers.upload.scheduler import LATENCY_PRIOR_S
from importers.upload.settings import Settings


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    talk_file(src / "long.talk", 1100, tag="L")  # 3 conversations (500 + 500 + 100)
    for i in range(4):
        talk_file(src / "sub" / f"t{i}.talk", 6, tag=f"s{i}")
    (src / "notes.pdf").write_bytes(b"%PDF")
    (src / "broken.talk").write_text("Alice|0|2|ok\nnot a cue line\n")
    return src


def test_exactly_one_conversation_per_chunk_under_20_percent_faults(
    folder: Path, tmp_path: Path
) -> None:
    """Every fault kind at 20 %: each chunk ends up in Omi once; the report says so."""
    with FakeOmi(fault_rate=0.2, seed=7, latency_s=0.01, limit=1000) as fake:
        report = run(fake, [folder], tmp_path / "state")
        per_key = Counter(c.client_session_id for c in fake.conversations)
        assert len(per_key) == 7
        assert set(per_key.values()) == {1}
        assert report.count("done") == 7
        assert {c.client_session_id for c in report.conversations} == set(per_key)
        assert report.totals.retries > 0
        assert any(r.fault for r in fake.requests)
        statuses = {Path(i.path).name: i.status for i in report.inputs}
        assert statuses["notes.pdf"] == "unsupported"
        assert statuses["broken.talk"] == "failed"  # one bad file does not stop the others
        assert not report.ok


def test_a_finished_import_rerun_sends_no_request_and_needs_no_key(
    folder: Path, tmp_path: Path
) -> None:
    (folder / "broken.talk").unlink()
    with FakeOmi(limit=1000) as fake:
        first = run(fake, [folder], tmp_path / "state")
        assert first.ok
        sent = len(fake.requests)
        with Ledger.open(tmp_path / "state") as ledger:
            again = upload(
                [folder], settings=Settings(fake.url, None), ledger=ledger, registry=REGISTRY
            )
        assert len(fake.requests) == sent
        assert again.ok
        assert again.totals.requests == 0
        assert all(not c.sent_now and c.status == "done" for c in again.conversations)


def test_rejected_conversation_is_failed_and_kept_until_retry_failed(tmp_path: Path) -> None:
    f = tmp_path / "neg.talk"
    f.write_text("Alice|0|2|hello there friends\n")
    # E0 refuses a source it does not know (422); later servers store it as `unknown`.
    with FakeOmi(limit=1000, era="E0") as fake, Ledger.open(tmp_path / "state") as ledger:
        conv = convert(f, ConvertOptions(), registry=REGISTRY)
        bad = conv.conversations[0].body.model_copy(update={"source": "brand_new_device"})
        sent_bytes = bad.model_dump_json().encode()
        bad_conv = replace(conv, conversations=(replace(conv.conversations[0], json=sent_bytes),))
        settings = Settings(fake.url, SecretStr(GOOD_KEY))
        report = upload(
            [bad_conv], settings=settings, ledger=ledger, options=UploadOptions(policy=FAST)
        )
        assert report.count("failed") == 1
        (only,) = report.conversations
        assert only.error is not None
        assert only.error.startswith(
            "rejected by Omi (422): source: Input should be a valid source"
        )
        kept = ledger._db.execute(
            "SELECT body FROM conversations WHERE key = ?", (only.client_session_id,)
        ).fetchone()[0]
        assert kept == sent_bytes.decode()  # the exact bytes the server refused
        sent = len(fake.requests)
        upload([bad_conv], settings=settings, ledger=ledger, options=UploadOptions(policy=FAST))
        assert len(fake.requests) == sent  # failed ones are not re-sent by default
        upload(
            [bad_conv],
            settings=settings,
            ledger=ledger,
            options=UploadOptions(policy=FAST, retry_failed=True),
        )
        assert len(fake.requests) == sent + 1


@pytest.mark.parametrize(
    ("key", "message"),
    [("omi_dev_" + "9" * 32, "API key was refused (401: Invalid API Key)"),
     (READ_ONLY_KEY, "needs|conversations:write scope")],
)  # fmt: skip
def test_auth_errors_stop_the_run_after_one_request(
    folder: Path, tmp_path: Path, key: str, message: str
) -> None:
    with FakeOmi(limit=1000) as fake:
        report = run(fake, [folder], tmp_path / "state", key=key, workers=1)
        assert report.stopped is not None
        assert any(part in report.stopped for part in message.split("|"))
        assert len(fake.requests) == 1
        assert not report.ok
        # Nothing was created (the files converted before the stop are pending; converting
        # streams ahead of sending, so some may not be read yet): a good key sends all seven.
        assert 1 <= report.count("pending") == len(report.conversations) <= 7
        assert run(fake, [folder], tmp_path / "state").count("done") == 7


def test_missing_key_is_a_config_error_only_when_something_must_be_sent(
    folder: Path, tmp_path: Path
) -> None:
    with (
        FakeOmi() as fake,
        Ledger.open(tmp_path / "s") as ledger,
        pytest.raises(ConfigError, match="no API key"),
    ):
        upload([folder], settings=Settings(fake.url, None), ledger=ledger, registry=REGISTRY)


def test_text_endpoint_rerun_sends_nothing(tmp_path: Path) -> None:
    chat = tmp_path / "chat.chatlog"
    chat.write_text("Ann|0|hello everyone, the slides are up\nBo|65|thanks, looking now\n")
    with FakeOmi(limit=1000) as fake:
        report = run(fake, [chat], tmp_path / "state")
        assert report.ok
        (created,) = fake.conversations
        assert created.endpoint == TEXT
        assert created.body["text_source"] == "message"
        run(fake, [chat], tmp_path / "state")
        assert len(fake.requests) == 1


@pytest.mark.parametrize("fault", ["504_after", "drop_after", "drop_before"])
def test_uncertain_text_is_not_resent_blindly(tmp_path: Path, fault: str) -> None:
    chat = tmp_path / "chat.chatlog"
    chat.write_text("Ann|0|hello everyone, the slides are up\n")
    with FakeOmi(limit=1000) as fake:
        fake.queue(fault)
        report = run(fake, [chat], tmp_path / "state")
        assert report.count("uncertain") == 1
        assert not report.ok
        assert any("--resend-uncertain" in line for line in report.summary())
        again = run(fake, [chat], tmp_path / "state")
        assert len(fake.requests) == 1  # not re-sent
        assert again.count("uncertain") == 1
        run(fake, [chat], tmp_path / "state", resend_uncertain=True)
        assert len(fake.requests) == 2
        # The user's explicit choice: a second conversation where the first was stored.
        assert len(fake.conversations) == (2 if fault != "drop_before" else 1)


def test_pacing_under_a_short_window_waits_instead_of_hammering(tmp_path: Path) -> None:
    """Limit 4 per 0.6 s, not told: one 429 to learn it, then none; time near the floor."""
    files = [talk_file(tmp_path / f"p{i}.talk", 3, tag=f"p{i}") for i in range(14)]
    with FakeOmi(limit=4, window_s=0.6, latency_s=0.01) as fake:
        started = time.monotonic()
        report = run(fake, files, tmp_path / "state", workers=3)
        elapsed = time.monotonic() - started
        assert report.ok
        assert len(fake.conversations) == 14
        limited = fake.count(SEGMENTS, 429)
        assert 1 <= limited <= 3  # the learning window only (requests already in flight)
        assert report.totals.rate_limited == limited
        assert elapsed >= 3 * 0.6  # 14 requests, 4 a window: the fourth window opens 1.8 s in
        assert report.totals.waited_s > 0
        # Steady state: after the first window, no two 429s
        late = [r for r in fake.requests if r.status == 429 and r.at - fake.requests[0].at > 0.7]
        assert late == []


def test_a_run_starting_mid_window_costs_at_most_one_429_per_window_after_learning(
    tmp_path: Path,
) -> None:
    """An earlier run opened the key's window, so the second run's first guess of the window is
    short. After the learning window, a window costs at most one 429 (one probe), never a burst."""
    first = [talk_file(tmp_path / f"a{i}.talk", 3, tag=f"a{i}") for i in range(2)]
    second = [talk_file(tmp_path / f"b{i}.talk", 3, tag=f"b{i}") for i in range(10)]
    window = 1.0
    with FakeOmi(limit=3, window_s=window, latency_s=0.01) as fake:
        assert run(fake, first, tmp_path / "s1").ok  # 2 of the window's 3 are spent
        time.sleep(0.4)
        before = len(fake.requests)
        report = run(fake, second, tmp_path / "s2", workers=3)
        assert report.ok
        assert len(fake.conversations) == 12
        mine = fake.requests[before:]
        learned_at = next(r.at for r in mine if r.status == 429)
        late = [r.at for r in mine if r.status == 429 and r.at > learned_at + window + 0.05]
        assert all(b - a >= 0.9 * window for a, b in pairwise(late))


def test_told_limit_sends_no_429_at_all(tmp_path: Path) -> None:
    files = [talk_file(tmp_path / f"q{i}.talk", 3, tag=f"q{i}") for i in range(10)]
    with FakeOmi(limit=4, window_s=0.5) as fake:
        report = run(fake, files, tmp_path / "state", rate_limit=4, rate_window_s=0.5)
        assert report.ok
        assert fake.count(status=429) == 0
        assert len(fake.requests) == 10


def test_a_request_the_limiter_did_not_count_leaves_its_unit_to_the_window(tmp_path: Path) -> None:
    """Omi's limiter down (503 "Rate limiter unavailable") counted nothing: its grant goes
    back, so the window's three units make three conversations instead of two and a wait for the
    next window (the faults benchmark lost about a window a run to these)."""
    files = [talk_file(tmp_path / f"u{i}.talk", 3, tag=f"u{i}") for i in range(3)]
    window = 3.0
    with FakeOmi(limit=3, window_s=window, latency_s=0.01) as fake:
        fake.queue("limiter503")
        report = run(fake, files, tmp_path / "state", rate_limit=3, rate_window_s=window)
        assert report.ok
        assert len(fake.conversations) == 3
        assert [r.fault for r in fake.requests].count("limiter503") == 1
        assert len(fake.requests) == 4  # the retry of the one the limiter missed, no 429
        assert fake.requests[-1].at - fake.requests[0].at < window  # all in the first window
        assert report.totals.waited_s == 0


# -- uncertain chats are read back ------------------------------------------------------------

CHAT = "Ann|0|hello everyone, the slides are up\n"


@pytest.mark.parametrize(
    ("fault", "posts"), [("504_after", 1), ("drop_after", 1), ("drop_before", 2)]
)
def test_an_uncertain_chat_is_read_back_before_anything_is_sent_again(
    tmp_path: Path, fault: str, posts: int
) -> None:
    """Stored despite the error: found by reading back, not sent again. Not stored: sent again.
    Either way one conversation, and no --resend-uncertain needed."""
    chat = tmp_path / "chat.chatlog"
    chat.write_text(CHAT)
    with FakeOmi(limit=1000) as fake:
        fake.queue(fault)
        first = run(fake, [chat], tmp_path / "state")  # read back only after 5 minutes
        assert first.count("uncertain") == 1
        assert fake.count(method="GET") == 0
        later = run(fake, [chat], tmp_path / "state", readback_after_s=0)
        assert later.ok, later.summary()
        assert fake.count(method="GET") == 1
        assert fake.count(TEXT, method="POST") == posts
        assert len(fake.conversations) == 1
        assert later.conversations[0].id == fake.conversations[0].id


def test_a_chat_gone_uncertain_is_read_back_in_the_same_run_once_due(tmp_path: Path) -> None:
    """Due while the run still has work: looked up then. A run with nothing else left ends
    without waiting for it (the next run looks it up)."""
    chat = tmp_path / "chat.chatlog"
    chat.write_text(CHAT)
    talks = [talk_file(tmp_path / f"w{i}.talk", 3, tag=f"w{i}") for i in range(4)]
    with FakeOmi(limit=1000, latency_s=0.25) as fake:
        fake.queue("504_after")
        report = run(fake, [chat, *talks], tmp_path / "state", workers=1, readback_after_s=0.3)
        assert report.ok
        assert (fake.count(method="POST"), fake.count(method="GET")) == (5, 1)


def test_reads_have_their_own_budget(tmp_path: Path) -> None:
    """The write window is spent (1 an hour): the read-back still goes at once."""
    chat = tmp_path / "chat.chatlog"
    chat.write_text(CHAT)
    with FakeOmi(limit=1) as fake:
        fake.queue("504_after")
        started = time.monotonic()
        report = run(fake, [chat], tmp_path / "state", readback_after_s=0)
        assert report.ok
        assert time.monotonic() - started < 5
        assert fake.count(method="GET", status=200) == 1


def test_a_key_that_may_not_read_leaves_the_chat_uncertain(tmp_path: Path) -> None:
    chat = tmp_path / "chat.chatlog"
    chat.write_text(CHAT)
    with FakeOmi(limit=1000) as fake:
        fake.queue("504_after")
        run(fake, [chat], tmp_path / "state", key=WRITE_ONLY_KEY)
        again = run(fake, [chat], tmp_path / "state", key=WRITE_ONLY_KEY, readback_after_s=0)
        assert fake.count(method="GET", status=403) == 1
        assert fake.count(method="POST") == 1
        assert again.count("uncertain") == 1
        assert "may not read conversations" in (again.conversations[0].error or "")
        run(fake, [chat], tmp_path / "state", key=WRITE_ONLY_KEY, resend_uncertain=True)
        assert fake.count(method="POST") == 2  # the user's explicit choice


# -- streaming, folders with what cannot be read here -------------------------------------------


def test_the_first_request_leaves_before_the_last_file_is_converted(tmp_path: Path) -> None:
    files = [talk_file(tmp_path / f"r{i}.slowtalk", 3, tag=f"r{i}") for i in range(4)]
    SlowTalkAdapter.parsed.clear()
    with FakeOmi(limit=1000) as fake, Ledger.open(tmp_path / "state") as ledger:
        report = upload(
            files,
            settings=Settings(fake.url, SecretStr(GOOD_KEY)),
            ledger=ledger,
            options=UploadOptions(policy=FAST),
            registry=Registry([SlowTalkAdapter()]),
        )
        assert report.ok
        first_request = min(r.at for r in fake.requests)
    assert len(SlowTalkAdapter.parsed) == 4
    assert first_request < SlowTalkAdapter.parsed[-1] - 1.0  # three more files were converting


class NeedsExtra(TalkAdapter):
    """Claims ``.rec`` files and needs an extra that is not installed (as audio may)."""

    name, extensions, binary = "test-rec", (".rec",), True

    def sniff(self, source: Source) -> bool:
        return True

    def parse(self, source: Source, options: ParseOptions) -> Transcript:
        raise MissingDependencyError(
            "audio input needs faster_whisper (No module named faster_whisper); install the "
            'audio extra: pip install "omi-import[audio]"'
        )


def test_a_recording_in_a_folder_without_the_extra_is_skipped_with_the_pip_hint(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "meeting"
    folder.mkdir()
    talk_file(folder / "notes.talk", 3, tag="n")
    (folder / "call.rec").write_bytes(b"\x00audio")
    registry = Registry([TalkAdapter(), NeedsExtra()])
    with FakeOmi(limit=1000) as fake, Ledger.open(tmp_path / "state") as ledger:
        settings = Settings(fake.url, SecretStr(GOOD_KEY))
        options = UploadOptions(policy=FAST)
        report = upload([folder], settings=settings, ledger=ledger, options=options,
                        registry=registry)  # fmt: skip
        assert report.ok  # skipped, not a failed run
        statuses = {Path(i.path).name: (i.status, i.error) for i in report.inputs}
        assert statuses["notes.talk"] == ("done", None)
        status, reason = statuses["call.rec"]
        assert status == "unsupported"
        assert reason is not None
        assert reason.startswith("audio input needs faster_whisper")
        assert 'pip install "omi-import[audio]"' in reason
        named = upload([folder / "call.rec"], settings=settings, ledger=ledger, options=options,
                       registry=registry)  # fmt: skip
        assert not named.ok  # named on the command line: an error
        (item,) = named.inputs
        assert item.status == "failed"
        assert item.error == f"{folder / 'call.rec'}: {reason}"


# -- pacing across runs, the stall, an unreachable host ----------------------------------------


def test_a_second_run_remembers_the_window_length_not_only_the_limit(tmp_path: Path) -> None:
    """Learned against a 1 s window: the next run does not wait an hour after its limit."""
    first = [talk_file(tmp_path / f"a{i}.talk", 3, tag=f"a{i}") for i in range(5)]
    second = [talk_file(tmp_path / f"b{i}.talk", 3, tag=f"b{i}") for i in range(5)]
    with FakeOmi(limit=3, window_s=1.0) as fake:
        assert run(fake, first, tmp_path / "state").ok
        with Ledger.open(tmp_path / "state") as ledger:
            assert ledger.get_meta(f"rate_limit {fake.url}") == "3"
            window = float(ledger.get_meta(f"rate_window_s {fake.url}") or "inf")
        assert 0.9 <= window <= 1.1
        started = time.monotonic()
        assert run(fake, second, tmp_path / "state").ok
        assert time.monotonic() - started < 5


def test_a_providers_429_on_the_probe_never_stalls_the_run(tmp_path: Path) -> None:
    """Issue 10's reproduction (limit 5 per window, half the answers a BYOK 429 without
    Retry-After), on a 0.5 s window: the run ends, each conversation in Omi once."""
    files = [talk_file(tmp_path / f"s{i}.talk", 3, tag=f"s{i}") for i in range(30)]
    with FakeOmi(limit=5, window_s=0.5, fault_rate=0.5, faults=("byok429",), seed=1) as fake:
        started = time.monotonic()
        report = run(fake, files, tmp_path / "state")
        assert report.ok, report.summary()
        assert time.monotonic() - started < 30
        per_key = Counter(c.client_session_id for c in fake.conversations)
        assert len(per_key) == 30
        assert set(per_key.values()) == {1}


def refused_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # nothing listens there now


def test_an_unreachable_host_stops_the_run_fast_and_a_rerun_resumes(tmp_path: Path) -> None:
    files = [talk_file(tmp_path / f"u{i}.talk", 3, tag=f"u{i}") for i in range(6)]
    state = tmp_path / "state"
    options = UploadOptions(policy=RetryPolicy(backoff_initial_s=0.05, backoff_max_s=0.2))
    with Ledger.open(state) as ledger:
        started = time.monotonic()
        report = upload(files, settings=Settings(refused_url(), SecretStr(GOOD_KEY)),
                        ledger=ledger, options=options, registry=REGISTRY)  # fmt: skip
        elapsed = time.monotonic() - started
        attempts = [e.attempts for e in ledger.entries() if e.attempts]
    assert report.stopped is not None
    assert report.stopped.startswith(
        "cannot reach 127.0.0.1 (refused: nothing accepts connections at that address and "
        "port); nothing more was sent."
    )
    assert len(attempts) == 3  # three different conversations failed, one after another
    assert sum(attempts) <= 5
    assert elapsed < 5
    assert report.count("done") == 0
    with FakeOmi(limit=1000) as fake:
        again = run(fake, files, state)
        assert again.ok
        assert len(fake.conversations) == 6


def test_a_failing_tls_handshake_stops_the_run_naming_it(tmp_path: Path) -> None:
    files = [talk_file(tmp_path / f"t{i}.talk", 3, tag=f"t{i}") for i in range(4)]
    with FakeOmi() as fake, Ledger.open(tmp_path / "state") as ledger:
        https = fake.url.replace("http://", "https://")  # a plain HTTP server: no TLS there
        report = upload(files, settings=Settings(https, SecretStr(GOOD_KEY)), ledger=ledger,
                        options=UploadOptions(policy=FAST), registry=REGISTRY)  # fmt: skip
    assert report.stopped is not None
    assert report.stopped.startswith("cannot reach 127.0.0.1 (TLS: the handshake failed")


def test_a_single_unreachable_conversation_stops_after_a_few_attempts(tmp_path: Path) -> None:
    one = talk_file(tmp_path / "one.talk", 3, tag="one")
    with Ledger.open(tmp_path / "state") as ledger:
        report = upload([one], settings=Settings(refused_url(), SecretStr(GOOD_KEY)),
                        ledger=ledger, options=UploadOptions(policy=FAST),
                        registry=REGISTRY)  # fmt: skip
        (entry,) = ledger.entries()
    assert report.stopped is not None
    assert report.stopped.startswith("cannot reach 127.0.0.1 (refused")
    assert entry.attempts == 3


# -- the ETA ----------------------------------------------------------------------------------


class Etas(NullProgress):
    def __init__(self) -> None:
        self.seen: list[tuple[float, float | None, bool]] = []

    def eta(self, seconds: float | None, assumed: bool) -> None:
        self.seen.append((time.monotonic(), seconds, assumed))


def test_the_eta_is_honest_from_before_the_first_request_to_the_end(tmp_path: Path) -> None:
    """Limit 4 per 2 s told, 12 conversations: every ETA (one a second, the first before any
    request) points at the real end, within a second."""
    files = [talk_file(tmp_path / f"e{i}.talk", 3, tag=f"e{i}") for i in range(12)]
    etas = Etas()
    with FakeOmi(limit=4, window_s=2.0, latency_s=0.2) as fake, Ledger.open(tmp_path / "s") as led:
        report = upload(files, settings=Settings(fake.url, SecretStr(GOOD_KEY)), ledger=led,
                        options=UploadOptions(policy=FAST, rate_limit=4, rate_window_s=2.0),
                        registry=REGISTRY, progress=etas)  # fmt: skip
        first_request = min(r.at for r in fake.requests)
    ended = time.monotonic()
    assert report.ok
    before, *later = etas.seen
    assert before[0] < first_request
    assert before[1] is not None
    assert abs(before[0] + before[1] - ended) < LATENCY_PRIOR_S  # no latency measured yet
    assert len(later) >= 3  # it ticks: once a second
    for at, seconds, assumed in later:
        assert seconds is not None
        assert not assumed
        assert abs(at + seconds - ended) < 1.0, (at - before[0], seconds)


class Starts(NullProgress):
    def __init__(self) -> None:
        self.files: list[int] = []

    def start(self, files: int) -> None:
        self.files.append(files)


def test_the_files_counted_at_the_start_are_the_outcomes_that_follow(tmp_path: Path) -> None:
    """The estimate of requests still to come subtracts the outcomes seen from the files counted
    at the start: a file of the folder that no adapter reads is an outcome too."""
    folder = tmp_path / "in"
    folder.mkdir()
    talk_file(folder / "a.talk", 3, tag="a")
    (folder / "notes.md").write_text("not a transcript\n")
    starts = Starts()
    with FakeOmi(limit=1000) as fake, Ledger.open(tmp_path / "s") as led:
        report = upload([folder], settings=Settings(fake.url, SecretStr(GOOD_KEY)), ledger=led,
                        options=UploadOptions(policy=FAST), registry=REGISTRY,
                        progress=starts)  # fmt: skip
    assert [i.status for i in report.inputs] == ["done", "unsupported"]
    assert starts.files == [2]
