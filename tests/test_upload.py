"""upload() against the fake Omi server: exactly once, re-runs, rejections, text uncertainty."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import replace
from itertools import pairwise
from pathlib import Path

import pytest
from fake_adapters import talk_file
from fake_omi import GOOD_KEY, READ_ONLY_KEY, SEGMENTS, TEXT, FakeOmi
from pydantic import SecretStr
from uploading import FAST, REGISTRY, run

from importers.errors import ConfigError
from importers.ledger import Ledger
from importers.options import ConvertOptions
from importers.pacing import floor_seconds
from importers.pipeline import convert
from importers.settings import Settings
from importers.upload import UploadOptions, upload


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
    with FakeOmi(limit=1000) as fake, Ledger.open(tmp_path / "state") as ledger:
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
        assert (
            report.count("pending") == 7
        )  # nothing was created: a re-run with a good key sends all


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


@pytest.mark.parametrize("fault", ["504_after", "drop_after", "500"])
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
        assert len(fake.conversations) == (2 if fault != "500" else 1)  # the user's explicit choice


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
        assert elapsed >= floor_seconds(14, 4, 0.6)
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
