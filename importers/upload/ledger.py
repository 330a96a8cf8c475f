"""The ledger: a SQLite file that remembers what is in Omi, so nothing goes in twice.

One row per input (content hash, path, status), one per conversation (its key, which is the
``client_session_id``) and one per run. Every state change is its own transaction, and a
conversation is marked ``sending`` *before* its request goes out (``deleting`` before its
DELETE), so a ``kill -9`` at any instant leaves a state from which a re-run does the right thing:

=============  ===========================================================================
state          what a re-run does
=============  ===========================================================================
pending        send it
sending        segments: send again with the same client_session_id (the server returns the
               conversation if the first request made it). Text: read it back (GET) when
               the key may read, else it becomes ``uncertain``.
done           nothing: no request (the conversation id is stored)
failed         nothing, unless ``--retry-failed`` (the server rejected it: 4xx)
uncertain      text only: read back, then sent only if Omi does not list it (or with
               ``--resend-uncertain`` when the key may not read)
deleting       send its DELETE (again: a DELETE may be repeated; 404 means it is gone)
deleted        nothing: it is not in Omi (deleted, or superseded before it was ever sent)
gone           nothing: Omi answered that the conversation of this key was deleted there (in
               the app: the ledger did not delete it) and will not be made again under it;
               ``--reimport-deleted`` imports it again under the next generation's key
=============  ===========================================================================

**Generations.** A key Omi has seen deleted is spent: a server of 2026-09 or later answers it
``deleted`` forever (server-behavior.md, Deletion). So a conversation imported again after
``omi-import delete`` (a ``deleted`` row with a conversation id), or with
``--reimport-deleted`` after ``gone``, gets its next *generation*: the row keeps its place
(version and index) and takes the new key (:func:`importers.identity.conversation_key`), pending
again (:meth:`Ledger.regenerate`). A row superseded before it was ever sent has spent nothing and
keeps its key.

**Recordings.** A conversation's key is derived from the file's content and the options, so the
ledger also keeps what identifies the *recording*: its content hash, and every (resolved path,
content) pair it was imported from (``files``: an edited file is still known by its path). All
conversations of one conversion share a ``version`` (the fingerprint inside their
keys); another version of the same recording (same path or same content, other key) is what
``import`` refuses to add beside it, and ``--replace`` sets the old rows' ``replaced_by`` to the
new version *before* anything is sent. Once every conversation of that version is ``done``, the
old ones become ``deleting`` and are deleted: create first, delete second, so a kill between the
two leaves both in Omi for a moment and the next run deletes the old one (nothing is lost, and
no duplicate stays); a replacement Omi rejects leaves the old conversation in place.

**Runs.** Every ``import`` and ``delete`` is a numbered run; a conversation remembers the run
that created it, the last one that sent it (``delete --all-from-run N``). Conversations a
schema-1 ledger holds belong to run 1, "imported before runs were recorded".

**Watched files.** ``omi-import watch`` remembers each file it took by its path, size and
modification time, with the content hash, format and version it was converted to
(``watched``), so that a restart does not read (or transcribe) again a file that has not changed
and is wholly in Omi. The table is created when missing; it changes nothing else, so it needs
no schema version of its own.

The tables, and the migration of an older file, are :mod:`importers.upload.ledger_schema`'s.
The API key is never stored. Request bodies are kept only for rejected conversations, so the
user can see what the server refused.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from importers.private import create_private, private_state
from importers.state import state_dir
from importers.upload.ledger_schema import VERSION_AT, set_up

LEDGER_FILE = "ledger.sqlite3"

State = Literal["pending", "sending", "done", "failed", "uncertain", "deleting", "deleted", "gone"]
STATES: tuple[State, ...] = (
    "pending", "sending", "done", "failed", "uncertain", "deleting", "deleted", "gone",
)  # fmt: skip
#: States of a conversation that is, or may be, in Omi.
IN_OMI: tuple[State, ...] = ("sending", "done", "uncertain", "deleting")

_BY_PATH = "ORDER BY c.input_path, c.idx"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def key_version(key: str) -> str:
    """The version a conversation key belongs to (the fingerprint shared by one conversion)."""
    return key[VERSION_AT - 1 : VERSION_AT + 39]


@dataclass(frozen=True)
class Entry:
    """One conversation's row."""

    key: str
    version: str
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
    run_id: int | None
    replaced_by: str | None
    created_at: str
    updated_at: str
    sent_at: str | None
    done_at: str | None
    generation: int = 0

    @property
    def key_spent(self) -> bool:
        """Omi has seen this key's conversation deleted: the key cannot make it again."""
        return self.status == "gone" or (
            self.status == "deleted" and self.conversation_id is not None
        )


@dataclass(frozen=True)
class InputEntry:
    path: str
    sha256: str
    format: str | None
    status: str
    error: str | None
    conversations: int
    updated_at: str


@dataclass(frozen=True)
class Watched:
    """A file a watch took: as it was then, and what it was converted to."""

    path: str
    size: int
    mtime_ns: int
    sha256: str
    format: str
    version: str


@dataclass(frozen=True)
class Run:
    """One ``import`` or ``delete``."""

    id: int
    kind: str
    started_at: str
    finished_at: str | None
    note: str | None


class Ledger:
    """The SQLite ledger (thread-safe: one connection behind a lock, autocommit + explicit BEGIN).

    ``Ledger.open(folder)`` creates ``folder/ledger.sqlite3`` when needed (default: the state
    folder, :func:`importers.state.state_dir`), and migrates an older schema.

    Raises:
        ConfigError: the file was written by a newer omi-import (schema above this one's).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        # Private (importers.private): SQLite gives the -wal and -shm files the ledger's mode.
        private_state(path.parent)
        create_private(path)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        self._db.row_factory = sqlite3.Row
        # WAL: a crash never leaves a half-written transaction; FULL: committed means on disk.
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        try:
            with self._tx() as db:
                set_up(db, path)
        except BaseException:
            self._db.close()
            raise

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

    def _rows(self, query: str, args: Sequence[object] = ()) -> list[Entry]:
        with self._lock:
            rows = self._db.execute(query, tuple(args)).fetchall()
        return [_entry(r) for r in rows]

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

    # -- runs --------------------------------------------------------------------------------

    def start_run(self, kind: str) -> int:
        with self._tx() as db:
            cursor = db.execute("INSERT INTO runs (kind, started_at) VALUES (?, ?)", (kind, _now()))
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def finish_run(self, run_id: int, note: str) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE runs SET finished_at = ?, note = ? WHERE id = ?", (_now(), note, run_id)
            )

    def runs(self) -> list[Run]:
        with self._lock:
            rows = self._db.execute("SELECT * FROM runs ORDER BY id").fetchall()
        return [Run(r["id"], r["kind"], r["started_at"], r["finished_at"], r["note"]) for r in rows]

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

    # -- watched files -----------------------------------------------------------------------

    def record_watched(self, watched: Watched) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO watched (path, size, mtime_ns, sha256, format, version, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (path) DO UPDATE SET "
                "size = excluded.size, mtime_ns = excluded.mtime_ns, sha256 = excluded.sha256, "
                "format = excluded.format, version = excluded.version, "
                "updated_at = excluded.updated_at",
                (watched.path, watched.size, watched.mtime_ns, watched.sha256, watched.format,
                 watched.version, _now()),
            )  # fmt: skip

    def watched(self, path: str) -> Watched | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM watched WHERE path = ?", (path,)).fetchone()
        if row is None:
            return None
        return Watched(row["path"], row["size"], row["mtime_ns"], row["sha256"], row["format"],
                       row["version"])  # fmt: skip

    def version_done(self, version: str) -> bool:
        """Whether the version has conversations and all of them are ``done``."""
        with self._lock:
            total, done = self._db.execute(
                "SELECT COUNT(*), COUNT(*) FILTER (WHERE status = 'done') FROM conversations "
                "WHERE version = ?",
                (version,),
            ).fetchone()
        return bool(total) and total == done

    # -- conversations -----------------------------------------------------------------------

    def register_all(
        self,
        input_sha256: str,
        input_path: str,
        conversations: list[tuple[str, int, str]],
        *,
        recording_path: str | None = None,
    ) -> list[Entry]:
        """Register one input's ``(key, index, endpoint)`` conversations in one transaction,
        and that the file at ``recording_path`` (resolved) held this content.

        Known rows keep their state; a ``deleted`` one is wanted again, so it becomes pending.
        """
        now = _now()
        with self._tx() as db:
            db.executemany(
                "INSERT INTO conversations (key, version, input_sha256, input_path, idx, "
                "endpoint, status, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET input_path = excluded.input_path",
                [
                    (k, key_version(k), input_sha256, input_path, i, e, now, now)
                    for k, i, e in conversations
                ],
            )
            db.executemany(
                "UPDATE conversations SET status = 'pending', conversation_id = NULL, "
                "replaced_by = NULL, deleted_at = NULL, last_error = NULL, run_id = NULL, "
                "updated_at = ? WHERE key = ? AND status = 'deleted'",
                [(now, k) for k, _, _ in conversations],
            )
            if recording_path is not None:
                db.execute(
                    "INSERT OR IGNORE INTO files (path, sha256, first_seen) VALUES (?, ?, ?)",
                    (recording_path, input_sha256, now),
                )
        entries = [self.get(key) for key, _, _ in conversations]
        return [e for e in entries if e is not None]

    def get(self, key: str) -> Entry | None:
        found = self._rows("SELECT * FROM conversations WHERE key = ?", (key,))
        return found[0] if found else None

    def entries(self, status: State | None = None) -> list[Entry]:
        if status is None:
            return self._rows("SELECT * FROM conversations ORDER BY input_path, idx")
        return self._rows(
            "SELECT * FROM conversations WHERE status = ? ORDER BY input_path, idx", (status,)
        )

    def counts(self) -> dict[State, int]:
        with self._lock:
            rows = self._db.execute(
                "SELECT status, COUNT(*) AS n FROM conversations GROUP BY status"
            ).fetchall()
        found = {r["status"]: int(r["n"]) for r in rows}
        return {s: found.get(s, 0) for s in STATES}

    def of_recording(self, *, paths: Sequence[str], sha256: str | None) -> list[Entry]:
        """Every row, deleted ones included, of the recording with content ``sha256`` or that
        was imported from one of ``paths`` (with whatever content it held then)."""
        marks = ", ".join("?" * len(paths)) or "NULL"
        return self._rows(
            "SELECT * FROM conversations WHERE input_sha256 = ? OR input_sha256 IN "
            f"(SELECT sha256 FROM files WHERE path IN ({marks})) ORDER BY created_at, idx",
            (sha256, *paths),
        )

    def of_version(self, version: str) -> list[Entry]:
        """The conversations of one version (one conversion of a recording), by index."""
        return self._rows("SELECT * FROM conversations WHERE version = ? ORDER BY idx", (version,))

    def of_run(self, run_id: int) -> list[Entry]:
        """The conversations run ``run_id`` created."""
        return self._rows(
            "SELECT * FROM conversations WHERE run_id = ? ORDER BY input_path, idx", (run_id,)
        )

    def due_deletions(self, replaced_by: str | None = None) -> list[Entry]:
        """Conversations to delete now: ``deleting`` ones, and ``done`` ones whose replacement
        is wholly in Omi (every conversation of the ``replaced_by`` version done); with
        ``replaced_by``, only those that version replaces (an indexed look, once per file)."""
        due = (
            "(c.status = 'deleting' OR ("
            "c.status = 'done' AND c.replaced_by IS NOT NULL "
            "AND EXISTS (SELECT 1 FROM conversations n WHERE n.version = c.replaced_by) "
            "AND NOT EXISTS (SELECT 1 FROM conversations n "
            "WHERE n.version = c.replaced_by AND n.status != 'done')))"
        )
        if replaced_by is None:
            return self._rows(f"SELECT * FROM conversations AS c WHERE {due} {_BY_PATH}")
        return self._rows(
            f"SELECT * FROM conversations AS c WHERE c.replaced_by = ? AND {due} {_BY_PATH}",
            (replaced_by,),
        )

    def mark_sending(self, key: str, run_id: int | None = None) -> None:
        """Written before each request goes out (one more attempt, by run ``run_id``: the run
        that created a conversation is the last one that sent it)."""
        now = _now()
        with self._tx() as db:
            db.execute(
                "UPDATE conversations SET status = 'sending', attempts = attempts + 1, "
                "last_error = NULL, sent_at = ?, updated_at = ?, run_id = COALESCE(?, run_id) "
                "WHERE key = ?",
                (now, now, run_id, key),
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

    def mark_gone(self, key: str, conversation_id: str | None, note: str) -> None:
        """Omi answered that this key's conversation was deleted there (``gone``)."""
        now = _now()
        with self._tx() as db:
            db.execute(
                "UPDATE conversations SET status = 'gone', "
                "conversation_id = COALESCE(?, conversation_id), last_error = ?, deleted_at = ?, "
                "updated_at = ? WHERE key = ?",
                (conversation_id, note, now, now, key),
            )

    def regenerate(self, key: str, new_key: str, generation: int) -> None:
        """The row of ``key`` (its key spent) takes ``new_key`` of ``generation``, pending."""
        now = _now()
        with self._tx() as db:
            db.execute(
                "UPDATE conversations SET key = ?, generation = ?, status = 'pending', "
                "conversation_id = NULL, server_status = NULL, discarded = NULL, attempts = 0, "
                "last_error = NULL, body = NULL, run_id = NULL, replaced_by = NULL, "
                "sent_at = NULL, done_at = NULL, deleted_at = NULL, updated_at = ? WHERE key = ?",
                (new_key, generation, now, key),
            )

    def mark_note(self, key: str, note: str) -> None:
        """Say why a conversation is where it is, leaving its state as it is."""
        with self._tx() as db:
            db.execute(
                "UPDATE conversations SET last_error = ?, updated_at = ? WHERE key = ?",
                (note, _now(), key),
            )

    def mark_failed(self, key: str, error: str, body: str | None = None) -> None:
        self._set(key, "failed", last_error=error, body=body)

    def mark_uncertain(self, key: str, error: str) -> None:
        self._set(key, "uncertain", last_error=error)

    def replace(self, keys: Iterable[str], by_version: str) -> None:
        """Record that ``by_version`` replaces these conversations (before anything is sent)."""
        now = _now()
        with self._tx() as db:
            db.executemany(
                "UPDATE conversations SET replaced_by = ?, updated_at = ? WHERE key = ?",
                [(by_version, now, k) for k in keys],
            )

    def mark_deleting(self, key: str, error: str | None = None) -> None:
        """Written before a DELETE goes out (and when it failed, with why): a re-run sends it."""
        self._set(key, "deleting", last_error=error)

    def mark_deleted(self, key: str, note: str | None = None) -> None:
        """Not in Omi any more (or never was, ``note`` says why)."""
        now = _now()
        with self._tx() as db:
            db.execute(
                "UPDATE conversations SET status = 'deleted', last_error = ?, deleted_at = ?, "
                "updated_at = ? WHERE key = ?",
                (note, now, now, key),
            )

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
        version=row["version"],
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
        run_id=row["run_id"],
        replaced_by=row["replaced_by"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        sent_at=row["sent_at"],
        done_at=row["done_at"],
        generation=row["generation"],
    )
