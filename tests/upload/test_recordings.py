"""One conversation per recording: re-imports held back, --replace, list, delete (fake server)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from fake_adapters import talk_file
from fake_omi import GOOD_KEY, READ_ONLY_KEY, TEXT, FakeOmi, canned_json
from uploading import REGISTRY, remove, run

from importers.cli import cli
from importers.conversion.options import ConvertOptions
from importers.upload.ledger import Ledger
from importers.upload.producer import SUPERSEDED
from importers.upload.recordings import list_text, recordings

ME_ALICE = ConvertOptions.from_flags(registry=REGISTRY, me=["Alice"])
NO_MERGE = ConvertOptions.from_flags(registry=REGISTRY, no_merge=True)


@pytest.fixture
def call(tmp_path: Path) -> Path:
    return talk_file(tmp_path / "call.talk", 6, tag="call")


def live_ids(fake: FakeOmi) -> set[str]:
    return {c.id for c in fake.live()}


def test_importing_again_with_other_options_sends_nothing_and_says_what_is_there(
    call: Path, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    with FakeOmi(limit=1000) as fake:
        first = run(fake, [call], state)
        (original,) = fake.conversations
        sent = len(fake.requests)
        again = run(fake, [call], state, convert=ME_ALICE)
        assert len(fake.requests) == sent  # nothing sent, not even a probe
    (item,) = again.inputs
    assert item.status == "exists"
    assert item.conversations == []
    assert item.error is not None
    assert item.error.startswith(f"{call}: already in Omi, imported ")
    assert f"in run {first.run} with other options (1 conversation: {original.id})" in item.error
    assert item.error.endswith("nothing was sent. To replace it with this import, add --replace")
    assert not again.ok
    summary = "\n".join(again.summary())
    assert f"held back: {item.error}" in summary
    assert "1 file held back: already in Omi from another import" in summary
    with Ledger.open(state) as ledger:
        assert len(ledger.entries()) == 1  # the held-back version is not even registered


def test_an_edited_file_at_the_same_path_is_held_back(call: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    with FakeOmi(limit=1000) as fake:
        run(fake, [call], state)
        call.write_text(call.read_text().replace("Bob|", "Bobby|"))  # a name fixed
        again = run(fake, [call], state)
        assert len(fake.conversations) == 1
    (item,) = again.inputs
    assert item.status == "exists"
    assert item.error is not None
    assert " from an earlier version of this file (1 conversation: " in item.error


def test_the_same_recording_under_another_path_is_known_by_its_content(
    call: Path, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    copy = tmp_path / "elsewhere" / "copy.talk"
    copy.parent.mkdir()
    shutil.copy(call, copy)
    with FakeOmi(limit=1000) as fake:
        run(fake, [call], state)
        other = run(fake, [copy], state, convert=NO_MERGE)
        same = run(fake, [copy], state)  # same content and options: the same conversation
        assert len(fake.conversations) == 1
    assert other.inputs[0].status == "exists"
    assert other.inputs[0].error is not None
    assert f" with other options, as {call} (1 conversation: " in other.inputs[0].error
    assert same.ok
    assert same.conversations[0].status == "done"
    assert not same.conversations[0].sent_now


def test_an_edited_file_is_known_by_its_path_after_a_copy_was_imported(
    call: Path, tmp_path: Path
) -> None:
    """The ledger keeps every path a recording came from: importing a copy does not make the
    original path forget it (an edit there is still held back)."""
    state = tmp_path / "state"
    copy = tmp_path / "copy.talk"
    shutil.copy(call, copy)
    with FakeOmi(limit=1000) as fake:
        run(fake, [call], state)
        run(fake, [copy], state)
        call.write_text(call.read_text().replace("Bob|", "Bobby|"))
        again = run(fake, [call], state)
        assert len(fake.conversations) == 1
    assert again.inputs[0].status == "exists"


def test_replace_creates_the_new_then_deletes_the_old(tmp_path: Path) -> None:
    long = talk_file(tmp_path / "long.talk", 1100, tag="L")  # three conversations
    state = tmp_path / "state"
    with FakeOmi(limit=1000) as fake:
        run(fake, [long], state)
        old = live_ids(fake)
        assert len(old) == 3
        replaced = run(fake, [long], state, convert=ME_ALICE, replace=True)
        assert replaced.ok, replaced.summary()
        new = live_ids(fake)
        assert len(new) == 3
        assert not new & old  # the old three are gone, the new three in: no duplicate
        deletes = [r for r in fake.requests if r.method == "DELETE"]
        assert sorted(r.path.rsplit("/", 1)[1] for r in deletes) == sorted(old)
        # Created first, deleted second: every DELETE came after the last new conversation.
        last_create = max(r.at for r in fake.requests if r.method == "POST")
        assert all(r.at > last_create for r in deletes)
        assert sorted(d.id or "" for d in replaced.deleted) == sorted(old)
        assert "3 old ones deleted" in replaced.summary()[-1]
        sent = len(fake.requests)
        again = run(fake, [long], state, convert=ME_ALICE)  # settled: nothing to do
        assert again.ok
        assert len(fake.requests) == sent
        back = run(fake, [long], state)  # the first options again: that import is gone now
        assert back.inputs[0].status == "exists"
        assert len(fake.requests) == sent
    with Ledger.open(state) as ledger:
        states = sorted(e.status for e in ledger.entries())
    assert states == ["deleted"] * 3 + ["done"] * 3


def test_a_replacement_omi_rejects_leaves_the_old_conversation(call: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    with FakeOmi(limit=1000) as fake:
        run(fake, [call], state)
        old = live_ids(fake)
        fake.answer(canned_json(422, {"detail": "Segment 0: text cannot be empty"}))
        rejected = run(fake, [call], state, convert=ME_ALICE, replace=True)
        assert rejected.count("failed") == 1
        assert live_ids(fake) == old  # nothing lost
        assert fake.count(method="DELETE") == 0
        with Ledger.open(state) as ledger:
            listed = recordings(ledger)
        assert {r.status for r in listed} == {"done", "failed"}
        kept = next(r for r in listed if r.status == "done")
        assert kept.replaced_by is not None  # deleted once its replacement is in
        fixed = run(fake, [call], state, convert=ME_ALICE, replace=True, retry_failed=True)
        assert fixed.ok
        assert len(fake.live()) == 1
        assert live_ids(fake) != old


def test_a_version_never_sent_is_superseded(call: Path, tmp_path: Path) -> None:
    """A first import stopped before anything was created: the next, with other options, goes
    in without a word about it, and the never-sent rows stop showing as pending."""
    state = tmp_path / "state"
    with FakeOmi(limit=1000) as fake:
        stopped = run(fake, [call], state, key=READ_ONLY_KEY)
        assert stopped.count("pending") == 1
        report = run(fake, [call], state, convert=ME_ALICE)
        assert report.ok
        assert len(fake.conversations) == 1
    with Ledger.open(state) as ledger:
        by_status = {e.status: e for e in ledger.entries()}
    assert set(by_status) == {"done", "deleted"}
    assert by_status["deleted"].last_error == SUPERSEDED


def test_list_shows_each_recording_with_when_run_status_and_ids(tmp_path: Path) -> None:
    state = tmp_path / "state"
    a = talk_file(tmp_path / "a.talk", 4, tag="a")
    b = talk_file(tmp_path / "b.talk", 1100, tag="b")
    with FakeOmi(limit=1000) as fake:
        first = run(fake, [a], state)
        second = run(fake, [b], state)
        ids = {c.client_session_id: c.id for c in fake.conversations}
    with Ledger.open(state) as ledger:
        text = list_text(ledger).splitlines()
        data = json.loads(list_text(ledger, as_json=True))
    assert [d["path"] for d in data] == [str(a), str(b)]
    assert [d["run"] for d in data] == [first.run, second.run]
    assert all(d["status"] == "done" for d in data)
    assert [c["id"] for c in data[1]["conversations"]] == [
        ids[c["client_session_id"]] for c in data[1]["conversations"]
    ]
    assert text[0].startswith(f"{a}  ")
    assert f"  run {first.run}  done  {data[0]['conversations'][0]['id']}" in text[0]
    assert text[-1].startswith("2 recordings, 4 conversations; ")


def test_delete_by_file_and_by_run_then_reimport(tmp_path: Path) -> None:
    state = tmp_path / "state"
    a = talk_file(tmp_path / "a.talk", 4, tag="a")
    b = talk_file(tmp_path / "b.talk", 4, tag="b")
    c = talk_file(tmp_path / "c.talk", 4, tag="c")
    with FakeOmi(limit=1000) as fake:
        first = run(fake, [a, b], state)
        kept = {c.client_session_id for c in first.inputs[1].conversations}
        later = run(fake, [c], state)
        gone = remove(fake, state, paths=[a])
        assert gone.ok
        assert [d.path for d in gone.deleted] == [str(a)]
        assert len(fake.live()) == 2
        by_run = remove(fake, state, run_id=later.run)
        assert by_run.ok
        assert {s.client_session_id for s in fake.live()} == kept
        with Ledger.open(state) as ledger:
            assert [r.path for r in recordings(ledger)] == [str(b)]
        again = run(fake, [a], state)  # deleted, then wanted again: created anew
        assert again.ok
        assert again.conversations[0].sent_now
        assert len(fake.live()) == 2


def test_delete_of_a_file_never_imported_says_so_and_deletes_the_rest(tmp_path: Path) -> None:
    state = tmp_path / "state"
    a = talk_file(tmp_path / "a.talk", 4, tag="a")
    stranger = talk_file(tmp_path / "never.talk", 4, tag="n")
    with FakeOmi(limit=1000) as fake:
        run(fake, [a], state)
        report = remove(fake, state, paths=[stranger, a])
        assert not fake.live()
    assert not report.ok
    assert [i.error for i in report.inputs] == [
        f"{stranger}: nothing of it is in Omi according to the ledger (never imported, or deleted)"
    ]
    assert [d.status for d in report.deleted] == ["deleted"]


def test_a_conversation_deleted_in_the_app_is_deleted_for_the_ledger_too(
    call: Path, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    with FakeOmi(limit=1000) as fake:
        run(fake, [call], state)
        fake.conversations[0].deleted = True  # the user deleted it in the app
        report = remove(fake, state, paths=[call])
        assert fake.count(method="DELETE", status=404) == 1
    assert report.ok
    with Ledger.open(state) as ledger:
        (entry,) = ledger.entries()
    assert entry.status == "deleted"
    assert entry.last_error == "Omi held it no more (deleted already)"


def test_delete_and_list_on_the_command_line(call: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    with FakeOmi(limit=1000) as fake:
        run(fake, [call], state)
        (stored,) = fake.conversations
        env = {"OMI_API_KEY": GOOD_KEY, "OMI_API_BASE_URL": fake.url}
        runner = CliRunner()
        listed = runner.invoke(cli, ["list", "--state", str(state)], env=env)
        assert listed.exit_code == 0
        assert stored.id in listed.output
        done = runner.invoke(
            cli, ["delete", str(call), "--state", str(state), "--json", "-q"], env=env
        )
        assert done.exit_code == 0, done.output
        data = json.loads(done.stdout)
        assert data["ok"] is True
        assert [d["id"] for d in data["deleted"]] == [stored.id]
        assert not fake.live()
        empty = runner.invoke(cli, ["list", "--state", str(state)], env=env)
        assert empty.output.startswith("Nothing in Omi from omi-import (ledger: ")
        nothing = runner.invoke(cli, ["delete", "--state", str(state)], env=env)
        assert nothing.exit_code == 2
        assert "name the FILE(s) whose conversations to delete, or --all-from-run" in (
            nothing.output
        )
        again = runner.invoke(cli, ["delete", str(call), "--state", str(state)], env=env)
        assert again.exit_code == 1
        assert f"failed: {call}: nothing of it is in Omi according to the ledger" in again.output


def test_delete_needs_a_key_only_when_something_is_to_be_deleted(
    call: Path, tmp_path: Path
) -> None:
    runner = CliRunner()
    done = runner.invoke(cli, ["delete", str(call), "--state", str(tmp_path / "s")], env={})
    assert done.exit_code == 1  # nothing imported: no key asked for
    assert "nothing of it is in Omi according to the ledger" in done.output


def test_a_text_conversation_is_deleted_like_any_other(tmp_path: Path) -> None:
    chat = tmp_path / "chat.chatlog"
    chat.write_text("Ann|0|hello everyone, the slides are up\n")
    with FakeOmi(limit=1000) as fake:
        run(fake, [chat], tmp_path / "state")
        assert fake.conversations[0].endpoint == TEXT
        assert remove(fake, tmp_path / "state", paths=[chat]).ok
        assert not fake.live()
