"""A ledger written by 0.1.0 (schema 1) keeps working: migrated in place, nothing re-sent."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from fake_adapters import SUPPORT, talk_file
from fake_omi import FakeOmi
from uploading import REGISTRY, run

from importers.conversion.options import ConvertOptions
from importers.errors import ConfigError
from importers.upload.ledger import LEDGER_FILE, Ledger
from importers.upload.ledger_schema import LEGACY_RUN_NOTE, SCHEMA_VERSION
from importers.upload.recordings import recordings

DUMP = SUPPORT / "ledger_v1.sql"
# The state folder is made as 0.1.0 made it (0755): its first use makes it private and says so,
# which tests/core/test_private.py checks; here it is the migration that is tested.
pytestmark = pytest.mark.filterwarnings("ignore:.*made private:importers.errors.ImporterWarning")
#: The conversation ids the 0.1.0 run stored (see the dump).
CALL_ID = "c3969038b5ca45b399265b38c4076d92"
LONG_IDS = {
    "1158f815b1c147a48265df73deb7d78b",
    "685498e60de140b99cadf9a92a5295a7",
    "4a5a925872114fdc93427fa98c6b4413",
}


@pytest.fixture
def old_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The folder the 0.1.0 run imported from (relative paths, as it stored them)."""
    monkeypatch.chdir(tmp_path)
    talk_file(Path("call.talk"), 6, tag="call")
    talk_file(Path("long.talk"), 1100, tag="L")
    talk_file(Path("cut.talk"), 4, tag="cut")
    Path("chat.chatlog").write_text(
        "Ann|0|hello everyone, the slides are up\nBo|65|thanks, looking now\n"
    )
    Path("late.chatlog").write_text(
        "Cy|0|sorry I am late, the train was stuck outside the station\n"
    )
    state = tmp_path / "state"
    state.mkdir()
    with sqlite3.connect(state / LEDGER_FILE) as db:
        db.executescript(DUMP.read_text(encoding="utf-8"))
    return state


def test_the_old_ledger_is_migrated_with_every_state_and_id(old_state: Path) -> None:
    with Ledger.open(old_state) as ledger:
        assert ledger.get_meta("schema_version") == str(SCHEMA_VERSION)
        counts = ledger.counts()
        done = {e.conversation_id for e in ledger.entries("done")}
        (legacy,) = ledger.runs()
        listed = recordings(ledger)
    assert (counts["done"], counts["sending"], counts["uncertain"]) == (5, 1, 1)
    assert done >= LONG_IDS | {CALL_ID}
    assert legacy.note == LEGACY_RUN_NOTE
    long = next(r for r in listed if r.path == "long.talk")
    assert (long.run, long.status, {c.id for c in long.conversations}) == (
        legacy.id,
        "done",
        LONG_IDS,
    )
    with Ledger.open(old_state) as ledger:  # opening again changes nothing
        assert ledger.counts() == counts
        assert len(ledger.runs()) == 1


def test_a_rerun_over_the_old_ledger_sends_only_what_was_unfinished(old_state: Path) -> None:
    inputs = [Path(n) for n in ("call.talk", "long.talk", "chat.chatlog", "cut.talk")]
    with FakeOmi(limit=1000) as fake:
        report = run(fake, [*inputs, Path("late.chatlog")], old_state, readback_after_s=0)
        assert report.ok, report.summary()
        # cut.talk (left `sending`) is sent again; late.chatlog (uncertain) is looked up first,
        # not found in this server, then sent; the five done ones cost nothing.
        posts = [r for r in fake.requests if r.method == "POST"]
        assert len(posts) == 2
        assert fake.count(method="GET") == 1
    sent = {c.client_session_id for c in report.conversations if c.sent_now}
    assert sent == {
        "omi-import-a08f8a04abd657d69615ce5f289187f13fe61182-000",
        "omi-import-9f3e5d9618e2053e9080647c73e903cdc90e3773-000",
    }


def test_other_options_over_an_old_import_are_held_back_naming_it(old_state: Path) -> None:
    with FakeOmi(limit=1000) as fake:
        again = run(
            fake,
            [Path("call.talk")],
            old_state,
            convert=ConvertOptions.from_flags(registry=REGISTRY, me=["Alice"]),
        )
        assert not fake.requests
    (item,) = again.inputs
    assert item.status == "exists"
    assert item.error is not None
    assert f"in run 1 with other options (1 conversation: {CALL_ID})" in item.error


def test_a_ledger_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    with Ledger.open(tmp_path) as ledger:
        ledger.set_meta("schema_version", str(SCHEMA_VERSION + 1))
    with pytest.raises(ConfigError, match="written by a newer omi-import"):
        Ledger.open(tmp_path)


# -- schema 2 (generations and `gone` came with schema 3) ---------------------------------------

DUMP_V2 = SUPPORT / "ledger_v2.sql"


@pytest.fixture
def state_v2(tmp_path: Path) -> Path:
    """The files and the schema-2 ledger of tests/support/ledger_v2.sql, where the dump had them."""
    talk_file(tmp_path / "call.talk", 6, tag="call")
    talk_file(tmp_path / "gone.talk", 4, tag="gone")
    talk_file(tmp_path / "kept.talk", 4, tag="kept")
    state = tmp_path / "state"
    state.mkdir()
    script = DUMP_V2.read_text(encoding="utf-8").replace("{ROOT}", str(tmp_path))
    with sqlite3.connect(state / LEDGER_FILE) as db:
        db.executescript(script)
    return state


def test_a_schema_2_ledger_is_migrated_keeping_every_row(state_v2: Path) -> None:
    with Ledger.open(state_v2) as ledger:
        assert ledger.get_meta("schema_version") == str(SCHEMA_VERSION) == "3"
        entries = ledger.entries()
        counts = ledger.counts()
    assert (counts["done"], counts["deleted"], counts["gone"]) == (2, 2, 0)
    assert {e.generation for e in entries} == {0}
    assert {e.status: e.key_spent for e in entries} == {"done": False, "deleted": True}


def test_after_the_upgrade_what_was_deleted_comes_back_under_new_keys_and_nothing_else_moves(
    state_v2: Path, tmp_path: Path
) -> None:
    """gone.talk was deleted with 0.1.x: imported again, it gets generation 1 (a server of
    2026-09 on would answer its old key `deleted`); kept.talk and call.talk stay as they are."""
    with FakeOmi(limit=1000) as fake:
        report = run(fake, [tmp_path / "kept.talk", tmp_path / "gone.talk"], state_v2)
        assert report.ok, report.summary()
        call = run(
            fake,
            [tmp_path / "call.talk"],
            state_v2,
            convert=ConvertOptions.from_flags(me=["Alice"]),
        )
        assert call.ok, call.summary()
        sent = [r.client_session_id for r in fake.requests]
    assert sent == ["omi-import-94c14aca0544f4dc47740e534646cfdf4f7eeea8-000-g1"]
