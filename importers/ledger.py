"""The ledger: a SQLite file that remembers what is already in Omi, so nothing goes in twice.

One row per input (content hash, path, status) and one per conversation (its key, which is the
``client_session_id``). Every state change is its own transaction, and a conversation is marked
``sending`` *before* its request goes out, so a ``kill -9`` at any instant leaves a state from
which a re-run does the right thing:

=============  ===========================================================================
state          what a re-run does
=============  ===========================================================================
pending        send it
sending        segments: send again with the same client_session_id (the server returns the
               conversation if the first request made it). Text: it becomes ``uncertain``.
done           nothing: no request (the conversation id is stored)
failed         nothing, unless ``--retry-failed`` (the server rejected it: 4xx)
uncertain      nothing, unless ``--resend-uncertain`` (text endpoint: it may already exist)
=============  ===========================================================================

The API key is never stored. Request bodies are kept only for rejected conversations, so the
user can see what the server refused.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from importers.settings import state_dir

LEDGER_FILE = "ledger.sqlite3"
SCHEMA_VERSION = 1

State = Literal["pending", "sending", "done", "failed", "uncertain"]
STATES: tuple[State, ...] = ("pending", "sending", "done", "failed", "uncertain")

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS inputs (
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    format TEXT,
    status TEXT NOT NULL CHECK (status IN ('converted', 'failed')),
    error TEXT,
    conversations INTEGER NOT NULL DEFAULT 0,
    first_seen TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (path, sha256)
);
CREATE TABLE IF NOT EXISTS conversations (
    key TEXT PRIMARY KEY,
    input_sha256 TEXT NOT NULL,
    input_path TEXT NOT NULL,
    idx INTEGER NOT NULL,
    endpoint TEXT NOT NULL,
    status TEXT NOT NULL
        CHECK (status IN ('pending', 'sending', 'done', 'failed', 'uncertain')),
    conversation_id TEXT,
    server_status TEXT,
    discarded INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    body TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    sent_at TEXT,
    done_at TEXT
);
CREATE INDEX IF NOT EXISTS conversations_status ON conversations (status);
"""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Entry:
    """One conversation's row."""

    key: str
    input_sha256: str
    input_path: str
    index: int
    endpoint: str
    status: State
    conversation_id: str | None
    server_status: str | None
    discarded: bool | None
    attempts: int
    last_error: str | None
    updated_at: str


@dataclass(frozen=True)
class InputEntry:
    path: str
    sha256: str
    format: str | None
    status: str
    error: str | None
    conversations: int
    updated_at: str


class Ledger:
    """The SQLite ledger (thread-safe: one connection behind a lock, autocommit + explicit BEGIN).

    ``Ledger.open(folder)`` creates ``folder/ledger.sqlite3`` when needed (default: the state
    folder, :func:`importers.settings.state_dir`).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        self._db.row_factory = sqlite3.Row
        # WAL: a crash never leaves a half-written transaction; FULL: committed means on disk.
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)
        self._db.execute(
            "INSERT OR IGNORE INTO meta (name, value) VALUES ('schema_version', ?)",
            (str(SCHEMA_VERSION),),
        )

    @classmethod
    def open(cls, folder: Path | None = None) -> Ledger:
        return cls((folder or state_dir()) / LEDGER_FILE)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # -- meta (what the pacer learned) -------------------------------------------------------

    def get_meta(self, name: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row["value"])

    def set_meta(self, name: str, value: str) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO meta (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (name, value),
            )

    # -- inputs ------------------------------------------------------------------------------

    def record_input(
        self,
        path: str,
        sha256: str,
        *,
        format: str | None,
        error: str | None = None,
        conversations: int = 0,
    ) -> None:
        now = _now()
        status = "failed" if error else "converted"
        with self._tx() as db:
            db.execute(
                "INSERT INTO inputs (path, sha256, format, status, error, conversations, "
                "first_seen, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (path, sha256) DO UPDATE SET format = excluded.format, "
                "status = excluded.status, error = excluded.error, "
                "conversations = excluded.conversations, updated_at = excluded.updated_at",
                (path, sha256, format, status, error, conversations, now, now),
            )

    def inputs(self) -> list[InputEntry]:
        with self._lock:
            rows = self._db.execute("SELECT * FROM inputs ORDER BY path, updated_at").fetchall()
        return [
            InputEntry(r["path"], r["sha256"], r["format"], r["status"], r["error"],
                       r["conversations"], r["updated_at"])
            for r in rows
        ]  # fmt: skip

    # -- conversations -----------------------------------------------------------------------

    def register_all(
        self, input_sha256: str, input_path: str, conversations: list[tuple[str, int, str]]
    ) -> list[Entry]:
        """Register one input's ``(key, index, endpoint)`` conversations in one transaction."""
        now = _now()
        with self._tx() as db:
            db.executemany(
                "INSERT INTO conversations (key, input_sha256, input_path, idx, endpoint, status, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET input_path = excluded.input_path",
                [(k, input_sha256, input_path, i, e, now, now) for k, i, e in conversations],
            )
        entries = [self.get(key) for key, _, _ in conversations]
        return [e for e in entries if e is not None]

    def get(self, key: str) -> Entry | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM conversations WHERE key = ?", (key,)).fetchone()
        return None if row is None else _entry(row)

    def entries(self, status: State | None = None) -> list[Entry]:
        query = "SELECT * FROM conversations"
        args: tuple[str, ...] = ()
        if status is not None:
            query += " WHERE status = ?"
            args = (status,)
        with self._lock:
            rows = self._db.execute(query + " ORDER BY input_path, idx", args).fetchall()
        return [_entry(r) for r in rows]

    def counts(self) -> dict[State, int]:
        with self._lock:
            rows = self._db.execute(
                "SELECT status, COUNT(*) AS n FROM conversations GROUP BY status"
            ).fetchall()
        found = {r["status"]: int(r["n"]) for r in rows}
        return {s: found.get(s, 0) for s in STATES}

    def mark_sending(self, key: str) -> None:
        """Written before each request goes out (one more attempt)."""
        now = _now()
        with self._tx() as db:
            db.execute(
                "UPDATE conversations SET status = 'sending', attempts = attempts + 1, "
                "sent_at = ?, updated_at = ? WHERE key = ?",
                (now, now, key),
            )

    def mark_pending(self, key: str, error: str | None = None) -> None:
        """Certainly not created (or may be sent again safely): back to ``pending``."""
        self._set(key, "pending", last_error=error)

    def mark_done(
        self, key: str, conversation_id: str, server_status: str, discarded: bool
    ) -> None:
        now = _now()
        with self._tx() as db:
            db.execute(
                "UPDATE conversations SET status = 'done', conversation_id = ?, server_status = ?, "
                "discarded = ?, last_error = NULL, body = NULL, done_at = ?, updated_at = ? "
                "WHERE key = ?",
                (conversation_id, server_status, int(discarded), now, now, key),
            )

    def mark_failed(self, key: str, error: str, body: str | None = None) -> None:
        self._set(key, "failed", last_error=error, body=body)

    def mark_uncertain(self, key: str, error: str) -> None:
        self._set(key, "uncertain", last_error=error)

    def _set(
        self, key: str, status: State, *, last_error: str | None, body: str | None = None
    ) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE conversations SET status = ?, last_error = ?, body = COALESCE(?, body), "
                "updated_at = ? WHERE key = ?",
                (status, last_error, body, _now(), key),
            )


def _entry(row: sqlite3.Row) -> Entry:
    return Entry(
        key=row["key"],
        input_sha256=row["input_sha256"],
        input_path=row["input_path"],
        index=row["idx"],
        endpoint=row["endpoint"],
        status=row["status"],
        conversation_id=row["conversation_id"],
        server_status=row["server_status"],
        discarded=None if row["discarded"] is None else bool(row["discarded"]),
        attempts=row["attempts"],
        last_error=row["last_error"],
        updated_at=row["updated_at"],
    )
