"""The ledger's SQLite schema, and the migration of a file an older omi-import wrote.

**Schema versions.** 1 was 0.1.0's. 2 adds runs, files, versions, replacement and the two
deletion states; 3 adds generations and the ``gone`` state. :func:`set_up` (called when a
:class:`~importers.upload.ledger.Ledger` opens) migrates an older file in one transaction (rows
keep their keys, states and conversation ids, at generation 0; a schema-1 file's files are the
paths as they were given then, which may be relative).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from importers.errors import ConfigError
from importers.identity import KEY_PREFIX

SCHEMA_VERSION = 3
LEGACY_RUN_NOTE = "imported before runs were recorded"

CONVERSATIONS = """
CREATE TABLE {name} (
    key TEXT PRIMARY KEY,
    version TEXT NOT NULL,
    input_sha256 TEXT NOT NULL,
    input_path TEXT NOT NULL,
    idx INTEGER NOT NULL,
    endpoint TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN (
        'pending', 'sending', 'done', 'failed', 'uncertain', 'deleting', 'deleted', 'gone')),
    conversation_id TEXT,
    server_status TEXT,
    discarded INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    body TEXT,
    run_id INTEGER REFERENCES runs (id),
    replaced_by TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    sent_at TEXT,
    done_at TEXT,
    deleted_at TEXT,
    generation INTEGER NOT NULL DEFAULT 0
)"""
INDEXES = (
    "CREATE INDEX IF NOT EXISTS conversations_status ON conversations (status)",
    "CREATE INDEX IF NOT EXISTS conversations_sha ON conversations (input_sha256)",
    "CREATE INDEX IF NOT EXISTS conversations_version ON conversations (version)",
    "CREATE INDEX IF NOT EXISTS conversations_replaced_by ON conversations (replaced_by)",
)

TABLES = (
    "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS inputs (
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    format TEXT,
    status TEXT NOT NULL CHECK (status IN ('converted', 'failed')),
    error TEXT,
    conversations INTEGER NOT NULL DEFAULT 0,
    first_seen TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (path, sha256)
)""",
    """CREATE TABLE IF NOT EXISTS files (
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    PRIMARY KEY (path, sha256)
)""",
    """CREATE TABLE IF NOT EXISTS watched (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    format TEXT NOT NULL,
    version TEXT NOT NULL,
    updated_at TEXT NOT NULL
)""",
    """CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    note TEXT
)""",
)

#: Where a key's version (its fingerprint, ``omi-import-<40 hex>-<index>``) starts, 1-based.
VERSION_AT = len(KEY_PREFIX) + 2


def set_up(db: sqlite3.Connection, path: Path) -> None:
    """Create the tables in ``db`` (in the caller's transaction), or migrate an older schema.

    Raises:
        ConfigError: the file was written by a newer omi-import (schema above this one's).
    """
    for table in TABLES:
        db.execute(table)
    found = db.execute("SELECT value FROM meta WHERE name = 'schema_version'").fetchone()
    has_rows = has_table(db, "conversations")
    version = int(found["value"]) if found is not None else (1 if has_rows else None)
    if version is not None and version > SCHEMA_VERSION:
        raise ConfigError(
            f"{path}: this ledger was written by a newer omi-import (schema {version}; "
            f"this one reads {SCHEMA_VERSION}): upgrade omi-import"
        )
    if version == 1 and has_rows:
        migrate_from_1(db)
    elif version == 2 and has_rows:
        rebuild(db, "generation")
    elif not has_rows:
        db.execute(CONVERSATIONS.format(name="conversations"))
    for index in INDEXES:
        db.execute(index)
    db.execute(
        "INSERT INTO meta (name, value) VALUES ('schema_version', ?) "
        "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        (str(SCHEMA_VERSION),),
    )


def has_table(db: sqlite3.Connection, name: str) -> bool:
    found = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    ).fetchone()
    return found is not None


def rebuild(db: sqlite3.Connection, *new_columns: str) -> None:
    """Rebuild the conversations table as this schema defines it (a CHECK that lists new
    states), keeping every row; ``new_columns`` take their defaults."""
    columns = [
        row["name"]
        for row in db.execute("PRAGMA table_info(conversations)").fetchall()
        if row["name"] not in new_columns
    ]
    names = ", ".join(columns)
    db.execute(CONVERSATIONS.format(name="conversations_new"))
    db.execute(f"INSERT INTO conversations_new ({names}) SELECT {names} FROM conversations")
    db.execute("DROP TABLE conversations")
    db.execute("ALTER TABLE conversations_new RENAME TO conversations")


def migrate_from_1(db: sqlite3.Connection) -> None:
    """Schema 1 -> 2 inside the caller's transaction: the conversations table is rebuilt (its
    CHECK lists the new states) with every row, state and id kept, and what schema 1 created
    belongs to a first run."""
    legacy_run: int | None = None
    first, last = db.execute(
        "SELECT MIN(created_at), MAX(COALESCE(done_at, updated_at)) FROM conversations"
    ).fetchone()
    if first is not None:
        cursor = db.execute(
            "INSERT INTO runs (kind, started_at, finished_at, note) VALUES ('import', ?, ?, ?)",
            (first, last, LEGACY_RUN_NOTE),
        )
        legacy_run = cursor.lastrowid
    db.execute(CONVERSATIONS.format(name="conversations_2"))
    db.execute(
        "INSERT INTO conversations_2 (key, version, input_sha256, input_path, "
        "idx, endpoint, status, conversation_id, server_status, discarded, attempts, last_error, "
        "body, run_id, replaced_by, created_at, updated_at, sent_at, done_at, deleted_at) "
        f"SELECT key, substr(key, {VERSION_AT}, 40), input_sha256, input_path, idx, "
        "endpoint, status, conversation_id, server_status, discarded, attempts, last_error, "
        "body, CASE WHEN status = 'done' THEN ? END, NULL, created_at, updated_at, sent_at, "
        "done_at, NULL FROM conversations",
        (legacy_run,),
    )
    # Schema 1 kept the paths as they were given (maybe relative): they are known as such.
    db.execute(
        "INSERT OR IGNORE INTO files (path, sha256, first_seen) "
        "SELECT input_path, input_sha256, MIN(created_at) FROM conversations "
        "GROUP BY input_path, input_sha256"
    )
    db.execute("DROP TABLE conversations")
    db.execute("ALTER TABLE conversations_2 RENAME TO conversations")
