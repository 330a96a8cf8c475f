"""The SQLite ledger: states persist across connections; what is done stays done."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from importers.upload.ledger import Ledger


def reg(
    ledger: Ledger, key: str, endpoint: str = "/v1/dev/user/conversations/from-segments"
) -> None:
    ledger.register_all("s" * 64, "a.talk", [(key, 0, endpoint)])


def test_states_persist_and_register_keeps_known_rows(tmp_path: Path) -> None:
    with Ledger.open(tmp_path) as ledger:
        reg(ledger, "k1")
        reg(ledger, "k2")
        ledger.mark_sending("k1")
        ledger.mark_done("k1", "conv1", "completed", False)
        ledger.mark_sending("k2")
    with Ledger.open(tmp_path) as ledger:
        reg(ledger, "k1")  # registering again never resets a row
        one, two = ledger.get("k1"), ledger.get("k2")
        assert one is not None
        assert two is not None
        assert (one.status, one.conversation_id, one.attempts) == ("done", "conv1", 1)
        assert (two.status, two.attempts) == ("sending", 1)
        assert ledger.counts() == {
            "pending": 0,
            "sending": 1,
            "done": 1,
            "failed": 0,
            "uncertain": 0,
            "deleting": 0,
            "deleted": 0,
            "gone": 0,
        }


def test_failed_keeps_the_body_and_reason(tmp_path: Path) -> None:
    with Ledger.open(tmp_path) as ledger:
        reg(ledger, "k")
        ledger.mark_failed(
            "k", "rejected by Omi (422): Segment 0: text cannot be empty", body='{"x": 1}'
        )
        entry = ledger.get("k")
        assert entry is not None
        assert entry.status == "failed"
        assert entry.last_error is not None
        assert "Segment 0" in entry.last_error
    with sqlite3.connect(tmp_path / "ledger.sqlite3") as db:
        (kept,) = db.execute("SELECT body FROM conversations WHERE key = 'k'").fetchone()
    assert kept == '{"x": 1}'


def test_wal_mode(tmp_path: Path) -> None:
    with Ledger.open(tmp_path) as ledger:
        mode = ledger._db.execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
