"""The importer against every Omi server era of server-behavior.md (tests/support/fake_omi.py plays
each): import, --replace, delete, list, read-back and watch, with what each era does differently
pinned.

A first import learns the era from the answers (``known=False``): until one has shown that the
server honours ``client_session_id``, a lost answer is read back rather than sent again.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from fake_adapters import talk_file
from fake_omi import ERAS, SEGMENTS, TEXT, FakeOmi
from uploading import ERA_LEARNED, FAST, env_for, omi, remove, run

from importers.upload.client import RetryPolicy
from importers.upload.ledger import Ledger
from importers.upload.recordings import recordings
from importers.upload.server import ServerFacts

pytestmark = pytest.mark.parametrize("era", ERAS)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    src = tmp_path / "in"
    src.mkdir()
    for i in range(3):
        talk_file(src / f"t{i}.talk", 4, tag=f"t{i}")
    return src


def aware(fake: FakeOmi) -> None:
    """No request carried a datetime without an offset (E2 answers 422, older ones 500)."""
    for record in fake.requests:
        if isinstance(record.body, dict):
            for name in ("started_at", "finished_at"):
                if name in record.body:
                    assert datetime.fromisoformat(record.body[name]).tzinfo is not None


def live_per_key(fake: FakeOmi) -> Counter[str | None]:
    return Counter(c.client_session_id for c in fake.live())


@pytest.fixture
def fake(era: str) -> Iterator[FakeOmi]:
    with FakeOmi(era=era, limit=1000) as server:
        yield server
        aware(server)


def test_a_folder_import_gets_full_processing_and_teaches_the_era(
    era: str, fake: FakeOmi, folder: Path, tmp_path: Path
) -> None:
    report = run(fake, [folder], tmp_path / "state", known=False)
    assert report.ok, report.summary()
    assert len(fake.live()) == 3
    assert {(c.source, c.memories) for c in fake.live()} == {("phone", True)}
    assert fake.count(SEGMENTS, method="POST") == 3  # one write a conversation
    with Ledger.open(tmp_path / "state") as ledger:
        assert ServerFacts(ledger, fake.url).era == ERA_LEARNED[era]
        assert [r.status for r in recordings(ledger)] == ["done"] * 3


def test_import_delete_import_leaves_one_live_conversation(
    era: str, fake: FakeOmi, folder: Path, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    call = folder / "t0.talk"
    assert run(fake, [call], state, known=False).ok
    (first,) = fake.live()
    assert remove(fake, state, paths=[call]).ok
    assert not fake.live()
    again = run(fake, [call], state, known=False)
    assert again.ok, again.summary()
    (second,) = fake.live()
    assert second.client_session_id == f"{first.client_session_id}-g1"  # a key never deleted
    assert again.conversations[0].sent_now
    with Ledger.open(state) as ledger:
        (listed,) = recordings(ledger)
        assert (listed.status, [c.id for c in listed.conversations]) == ("done", [second.id])
    # And once more: the next generation.
    assert remove(fake, state, paths=[call]).ok
    assert run(fake, [call], state).ok
    assert [c.client_session_id for c in fake.live()] == [f"{first.client_session_id}-g2"]


def test_replace_and_replace_back_leave_one_live_conversation(
    era: str, fake: FakeOmi, folder: Path, tmp_path: Path
) -> None:
    """The replaced version's keys were deleted: going back to it uses their next generation."""
    from importers.conversion.options import ConvertOptions

    state = tmp_path / "state"
    call = folder / "t0.talk"
    merged, bare = ConvertOptions(), ConvertOptions(names_in_text=False)
    assert run(fake, [call], state, convert=merged).ok
    assert run(fake, [call], state, convert=bare).inputs[0].status == "exists"
    assert run(fake, [call], state, convert=bare, replace=True).ok
    assert len(fake.live()) == 1
    back = run(fake, [call], state, convert=merged, replace=True)
    assert back.ok, back.summary()
    (only,) = fake.live()
    assert only.client_session_id is not None and only.client_session_id.endswith("-g1")
    assert "Alice: " in only.body["transcript_segments"][0]["text"]


def test_deleted_in_the_app_then_imported_again(
    era: str, fake: FakeOmi, folder: Path, tmp_path: Path
) -> None:
    """A lost ledger (another machine) and a conversation the user deleted in the app: E0 and E1
    make it again (and say so, truly); E2 never does under the old key: the run says it was
    deleted in Omi, exits 1, names --reimport-deleted, and that imports it under a new key."""
    call = folder / "t0.talk"
    assert run(fake, [call], tmp_path / "first").ok
    (first,) = fake.live()
    fake.delete_in_app(first.id)
    state = tmp_path / "second"
    report = run(fake, [call], state)
    if era in ("E0", "E1"):
        assert report.ok
        (made,) = fake.live()
        assert (made.id == first.id) is (era == "E1")  # E1 makes it under the same id
        return
    assert not report.ok
    assert not fake.live()
    (conversation,) = report.conversations
    assert (conversation.status, conversation.sent_now) == ("gone", False)
    assert report.inputs[0].status == "deleted in Omi"
    lines = report.summary()
    assert any(
        line.startswith("deleted in Omi: ") and "--reimport-deleted" in line for line in lines
    )
    assert "0 of 1 conversation in Omi" in "\n".join(lines)
    with Ledger.open(state) as ledger:
        (listed,) = recordings(ledger)
        assert listed.status == "gone"
    posts = fake.count(SEGMENTS, method="POST")
    assert not run(fake, [call], state).ok  # a re-run sends nothing for it
    assert fake.count(SEGMENTS, method="POST") == posts
    back = run(fake, [call], state, reimport_deleted=True)
    assert back.ok, back.summary()
    (made,) = fake.live()
    assert made.client_session_id == f"{first.client_session_id}-g1"


def test_reimport_deleted_makes_it_again_in_the_same_run(
    era: str, fake: FakeOmi, folder: Path, tmp_path: Path
) -> None:
    call = folder / "t1.talk"
    assert run(fake, [call], tmp_path / "first").ok
    fake.delete_in_app(fake.live()[0].id)
    report = run(fake, [call], tmp_path / "second", reimport_deleted=True)
    assert report.ok, report.summary()
    assert len(fake.live()) == 1
    assert sum(live_per_key(fake).values()) == 1


@pytest.mark.parametrize("fault", ["drop_after", "504_after", "drop_before"])
def test_a_lost_answer_never_makes_a_second_conversation(
    era: str, fake: FakeOmi, folder: Path, tmp_path: Path, fault: str
) -> None:
    """On E0 (which ignores client_session_id) and while the era is unknown, a lost answer is
    read back before it is sent again; on a server known to honour the key it is resent."""
    state = tmp_path / "state"
    call = folder / "t2.talk"
    fake.queue(fault)
    first = run(fake, [call], state, known=era != "E0")
    if era == "E0":
        assert first.count("uncertain") == 1
        assert fake.count(SEGMENTS, method="POST") == 1
        later = run(fake, [call], state, readback_after_s=0)
        assert later.ok, later.summary()
        assert fake.count(method="GET") == 1
    else:
        assert first.ok, first.summary()
        assert fake.count(method="GET") == 0
    assert len(fake.live()) == 1
    posts = fake.count(SEGMENTS, method="POST")
    assert posts == (2 if era != "E0" or fault == "drop_before" else 1)


def test_a_first_import_with_a_lost_answer_reads_back_in_every_era(
    era: str, fake: FakeOmi, folder: Path, tmp_path: Path
) -> None:
    """Nothing known yet (a self-hosted server): the lost answer is read back, in every era."""
    fake.queue("drop_after")
    state = tmp_path / "state"
    call = folder / "t0.talk"
    assert run(fake, [call], state, known=False).count("uncertain") == 1
    assert run(fake, [call], state, known=False, readback_after_s=0).ok
    assert len(fake.live()) == 1
    assert fake.count(SEGMENTS, method="POST") == 1


def test_a_processing_failure_on_every_conversation_costs_at_most_12_writes(
    era: str, fake: FakeOmi, tmp_path: Path
) -> None:
    """Omi's processing fails every time: a conversation is tried at most three times, and the
    third conversation in a row answered so stops the run, naming the cause; the rest stays
    pending and a later run imports everything."""
    src = tmp_path / "ten"
    src.mkdir()
    for i in range(10):
        talk_file(src / f"f{i}.talk", 4, tag=f"f{i}")
    fake.queue(*["500"] * 1000)
    policy = RetryPolicy(backoff_initial_s=0.01, backoff_max_s=0.05)
    report = run(fake, [src], tmp_path / "state", policy=policy, known=False)
    writes = fake.count(SEGMENTS, method="POST")
    assert writes <= 12
    assert report.stopped is not None
    assert report.stopped.startswith(
        "Omi answered 500 (server error: Error processing conversation, please try again later)"
        " for 3 conversations in a row: Omi's processing of conversations is failing"
    )
    assert "run the same command again later" in report.stopped
    assert report.count("done") == 0
    assert not fake.live()
    with fake._lock:
        fake._queue.clear()
    again = run(fake, [src], tmp_path / "state", policy=policy)
    assert again.ok, again.summary()
    assert len(fake.live()) == 10


def test_a_replay_answered_processing_is_looked_up_not_counted_done(
    era: str, tmp_path: Path
) -> None:
    """The first request outlasts the client's timeout; the retry finds it still processing.
    E1/E2 answer `processing` with its id: it is looked up by id (a read, not a write) until
    completed. E0 has no claim: the read-back finds the one the first request made."""
    call = talk_file(tmp_path / "slow.talk", 4, tag="slow")
    with FakeOmi(era=era, limit=1000, latency_s=lambda: 1.5) as fake:
        policy = RetryPolicy(
            max_failures=5, backoff_initial_s=0.01, backoff_max_s=0.05, processing_wait_s=0.5
        )
        report = run(fake, [call], tmp_path / "state", policy=policy, read_timeout_s=1.0)
        if era == "E0":  # uncertain: read back by the next run, once it may be stored
            assert report.count("uncertain") == 1
            time.sleep(1.0)
            report = run(fake, [call], tmp_path / "state", policy=policy, readback_after_s=0)
        assert report.ok, report.summary()
        assert len(fake.live()) == 1
        if era == "E0":
            assert fake.count(SEGMENTS, method="POST") == 1
        else:
            assert fake.count(SEGMENTS, method="POST") == 2  # the first, and one replay
            assert fake.count(method="GET") >= 1  # then reads until it was stored
        aware(fake)


def test_watch_once_in_every_era(era: str, fake: FakeOmi, folder: Path, tmp_path: Path) -> None:
    env = env_for(tmp_path, base_url=fake.url)
    state = str(tmp_path / "state")
    done = omi(["watch", str(folder), "--once", "--state", state], env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert len(fake.live()) == 3
    again = omi(["watch", str(folder), "--once", "--state", state], env)
    assert again.returncode == 0
    assert len(fake.live()) == 3
    assert {c.source for c in fake.live()} == {"phone"}


def test_list_and_status_say_deleted_in_omi(
    era: str, fake: FakeOmi, folder: Path, tmp_path: Path
) -> None:
    call = folder / "t0.talk"
    run(fake, [call], tmp_path / "first")
    fake.delete_in_app(fake.live()[0].id)
    env = env_for(tmp_path, base_url=fake.url)
    state = str(tmp_path / "second")
    imported = omi(["import", str(call), "--state", state], env)
    listed = omi(["list", "--state", state, "--json"], env)
    status = omi(["status", "--state", state], env)
    if era in ("E0", "E1"):
        assert imported.returncode == 0
        return
    assert imported.returncode == 1
    assert "deleted in Omi: " in imported.stdout
    assert "add --reimport-deleted" in imported.stdout
    (recording,) = json.loads(listed.stdout)
    assert recording["status"] == "gone"
    assert "deleted in Omi" in omi(["list", "--state", state], env).stdout
    assert "--reimport-deleted" in status.stdout


def test_no_request_for_text_carries_a_naive_datetime(
    era: str, fake: FakeOmi, tmp_path: Path
) -> None:
    chat = tmp_path / "chat.chatlog"
    chat.write_text("Ann|0|hello everyone, the slides are up\nBo|4|thanks, looking now\n")
    assert run(fake, [chat], tmp_path / "state").ok
    assert fake.count(TEXT, method="POST") == 1
    assert FAST.max_failures > 3  # (the fixture checks every request's datetimes)
